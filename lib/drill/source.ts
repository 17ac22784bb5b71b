// Where a drill comes from: a built-in name (`tcp-echo`) or a file (`lab1.yaml`). A name that has
// a slash or a .yaml/.yml/.json ending, or that names an existing file, is a file.
import { findBuiltinDrill } from "./builtin.ts";
import { parseDrill } from "./load.ts";
import type { Drill } from "./schema.ts";

/** A drill with its source text and where it came from. */
export interface LoadedDrill {
  drill: Drill;
  text: string;
  /** `built-in` or the file name as given. */
  source: string;
}

/** Whether `arg` names a file rather than a built-in drill. */
export async function isDrillFile(arg: string): Promise<boolean> {
  if (arg.includes("/") || /\.(ya?ml|json)$/i.test(arg)) return true;
  try {
    return (await Deno.stat(arg)).isFile;
  } catch {
    return false;
  }
}

/**
 * Loads and validates a drill by built-in name or file. Throws `RangeError` for an unknown name,
 * `Deno.errors.NotFound` for a missing file and `DrillFileError` for a malformed one.
 *
 * @example
 * ```ts
 * const { drill } = await loadDrill("udp-echo");
 * ```
 */
export async function loadDrill(arg: string): Promise<LoadedDrill> {
  if (await isDrillFile(arg)) {
    const text = await Deno.readTextFile(arg);
    return { drill: parseDrill(text, arg), text, source: arg };
  }
  const builtin = findBuiltinDrill(arg);
  if (!builtin) {
    throw new RangeError(
      `Unknown drill "${arg}": not a built-in drill (see 'toolkit drill list') and no such file`,
    );
  }
  return { drill: parseDrill(builtin.source, arg), text: builtin.source, source: "built-in" };
}
