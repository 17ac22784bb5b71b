// Where a drill comes from: a built-in name (`tcp-echo`), a file (`lab1.yaml`, `./udp-echo`) or
// `-` (stdin). The rule is by spelling alone, so a file in the current directory can never stand in
// for a built-in drill: a name with a slash or a .yaml/.yml/.json ending is a file, `-` is standard
// input, any other name is a built-in drill. Files and stdin are read up to a cap, like stdin.
import { confinePath, resolvePath } from "../scope/paths.ts";
import { FileArgumentError, readInputFile, stdinAlias } from "../scope/files.ts";
import { readAll } from "../text/read_limited.ts";
import { findBuiltinDrill } from "./builtin.ts";
import { parseDrill } from "./load.ts";
import type { Drill } from "./schema.ts";

/** A drill with its source text and where it came from. */
export interface LoadedDrill {
  drill: Drill;
  text: string;
  /** `built-in`, `<stdin>` or the file name as given. */
  source: string;
  /** For a file, its directory (resolved): relative paths in its scope start there. */
  base?: string;
}

/** The largest drill file (and drill on standard input) read: 4 MiB. */
export const maxDrillFileBytes = 4 << 20;

/**
 * Whether `arg` names a file rather than a built-in drill: it has a slash or ends in .yaml, .yml
 * or .json. Decided by the spelling alone, never by what exists in the current directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDrillFile } from "./source.ts";
 *
 * assert.equal(isDrillFile("labs/echo.yaml"), true);
 * assert.equal(isDrillFile("./udp-echo"), true);
 * assert.equal(isDrillFile("lab1.JSON"), true);
 * assert.equal(isDrillFile("udp-echo"), false); // even with a file of that name here
 * ```
 */
export function isDrillFile(arg: string): boolean {
  return arg.includes("/") || /\.(ya?ml|json)$/i.test(arg);
}

function tooLarge(file: string, cause: unknown): RangeError {
  return new RangeError(
    `Drill file ${file} is larger than ${maxDrillFileBytes} bytes (4 MiB), the limit for a drill file`,
    { cause },
  );
}

/**
 * Reads a drill file the user named (lib/scope/files.ts: through the scope, a directory or FIFO
 * refused with its path), refusing one past {@linkcode maxDrillFileBytes} before reading it.
 */
async function readDrillFile(path: string): Promise<string> {
  try {
    return new TextDecoder().decode(await readInputFile(path, { limit: maxDrillFileBytes }));
  } catch (err) {
    const large = err instanceof FileArgumentError && err.problem.startsWith("larger than");
    throw large ? tooLarge(path, err) : err;
  }
}

/**
 * Loads and validates a drill by built-in name, file, or `-` (standard input, through
 * `readStdin`). Throws `RangeError` for an unknown name or a file past
 * {@linkcode maxDrillFileBytes}, a `FileArgumentError` naming a file that cannot be read and
 * `DrillFileError` for a malformed one. `drill run`, `drill check` and `drill show` all load
 * through here, so they agree on what a name means and on what is valid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDrill } from "./source.ts";
 *
 * const builtin = await loadDrill("udp-echo");
 * assert.equal(builtin.drill.name, "udp-echo");
 * assert.equal(builtin.source, "built-in");
 *
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.writeTextFile(`${dir}/pause.yaml`, "name: pause\nsteps:\n  - sleep: 10ms\n");
 *   const file = await loadDrill(`${dir}/pause.yaml`);
 *   assert.equal(file.drill.name, "pause");
 *   assert.equal(file.base, dir); // relative paths in its scope start here
 *   await assert.rejects(loadDrill("pause"), RangeError); // a name without a slash is built-in
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function loadDrill(
  arg: string,
  options: { readStdin?: () => Promise<string> } = {},
): Promise<LoadedDrill> {
  if (stdinAlias(arg) === "-" && options.readStdin) {
    const text = await options.readStdin();
    return { drill: parseDrill(text, "<stdin>"), text, source: "<stdin>" };
  }
  if (isDrillFile(arg)) {
    // Read where it leads (checked against a narrowed scope); relative paths in its scope start
    // at its directory.
    const text = await readDrillFile(arg);
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
    const here = await Deno.stat(arg).then((s) => s.isFile, () => false);
    throw new RangeError(
      `Unknown drill "${arg}": not a built-in drill (see 'toolkit drill list')` +
        (here ? `; to run the file of that name here, write ./${arg}` : ""),
    );
  }
  return { drill: parseDrill(builtin.source, arg), text: builtin.source, source: "built-in" };
}

/**
 * A `readStdin` for {@linkcode loadDrill} that reads `readable` once (later calls get ""), up to
 * {@linkcode maxDrillFileBytes}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDrill, stdinReader } from "./source.ts";
 *
 * const text = "name: piped\nsteps:\n  - sleep: 0\n";
 * const stdin = ReadableStream.from([new TextEncoder().encode(text)]);
 * const readStdin = stdinReader(stdin);
 * const loaded = await loadDrill("-", { readStdin });
 * assert.equal(loaded.drill.name, "piped");
 * assert.equal(loaded.source, "<stdin>");
 * assert.equal(await readStdin(), ""); // standard input is read once
 * ```
 */
export function stdinReader(readable: ReadableStream<Uint8Array>): () => Promise<string> {
  let used = false;
  return async () => {
    if (used) return "";
    used = true;
    try {
      return new TextDecoder().decode(await readAll(readable, { limit: maxDrillFileBytes }));
    } catch (err) {
      throw err instanceof RangeError ? tooLarge("<stdin>", err) : err;
    }
  };
}
