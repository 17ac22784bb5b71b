// Where a drill comes from: a built-in name (`tcp-echo`), a file (`lab1.yaml`) or `-` (stdin). A
// name that has a slash or a .yaml/.yml/.json ending, or that names an existing file, is a file.
import { readAll } from "../cli/io.ts";
import { confinePath, resolvePath } from "../scope/paths.ts";
import { readInputText } from "../scope/files.ts";
import { findBuiltinDrill } from "./builtin.ts";
import { parseDrill } from "./load.ts";
import type { Drill } from "./schema.ts";

/** A drill with its source text and where it came from. */
export interface LoadedDrill {
  drill: Drill;
  text: string;
  /** `built-in` or the file name as given. */
  source: string;
  /** For a file, its directory (resolved): relative paths in its scope start there. */
  base?: string;
}

/** Largest drill read, from a file or standard input (a drill is a page of YAML). */
const maxDrillBytes = 4 << 20;

/**
 * Whether `arg` names a file rather than a built-in drill.
 *
 * @example
 * ```ts
 * await isDrillFile("labs/echo.yaml"); // true
 * await isDrillFile("udp-echo"); // false, unless a file of that name exists here
 * ```
 */
export async function isDrillFile(arg: string): Promise<boolean> {
  if (arg.includes("/") || /\.(ya?ml|json)$/i.test(arg)) return true;
  try {
    return (await Deno.stat(arg)).isFile;
  } catch {
    return false;
  }
}

/**
 * Loads and validates a drill by built-in name, file, or `-` (standard input, through
 * `readStdin`). Throws `RangeError` for an unknown name,
 * a `FileArgumentError` naming a file that cannot be read and `DrillFileError` for a malformed one.
 *
 * @example
 * ```ts
 * const { drill } = await loadDrill("udp-echo");
 * ```
 */
export async function loadDrill(
  arg: string,
  options: { readStdin?: () => Promise<string> } = {},
): Promise<LoadedDrill> {
  if (arg === "-" && options.readStdin) {
    const text = await options.readStdin();
    return { drill: parseDrill(text, "<stdin>"), text, source: "<stdin>" };
  }
  if (await isDrillFile(arg)) {
    const text = await readInputText(arg, { limit: maxDrillBytes });
    const path = await resolvePath(await confinePath(arg, "read"));
    return {
      drill: parseDrill(text, arg),
      text,
      source: arg,
      base: path.replace(/\/[^/]*$/, "") || "/",
    };
  }
  const builtin = findBuiltinDrill(arg);
  if (!builtin) {
    throw new RangeError(
      `Unknown drill "${arg}": not a built-in drill (see 'toolkit drill list') and no such file`,
    );
  }
  return { drill: parseDrill(builtin.source, arg), text: builtin.source, source: "built-in" };
}

/**
 * A `readStdin` for {@linkcode loadDrill} that reads `readable` once (later calls get "").
 *
 * @example
 * ```ts
 * await loadDrill("-", { readStdin: stdinReader(io.stdin.readable) });
 * ```
 */
export function stdinReader(readable: ReadableStream<Uint8Array>): () => Promise<string> {
  let used = false;
  return async () => {
    if (used) return "";
    used = true;
    return new TextDecoder().decode(await readAll(readable, { limit: maxDrillBytes }));
  };
}
