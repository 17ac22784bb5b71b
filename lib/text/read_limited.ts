// Reading a whole input into memory with a cap, for inputs that are parsed as a whole (a drill
// file, a Python source, a datagram from stdin): past the cap the input is refused, and a regular
// file is refused by its size before any of it is read, so a huge or sparse file costs nothing.

import { confinePath } from "../scope/paths.ts";

/**
 * Joins byte chunks into one array.
 *
 * @example
 * ```ts
 * concat([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Reads a whole stream into memory, failing with a `RangeError` past `limit` bytes (it stops
 * reading there).
 *
 * @example
 * ```ts
 * const bytes = await readAll(io.stdin.readable, { limit: 1 << 20 });
 * ```
 */
export async function readAll(
  readable: ReadableStream<Uint8Array>,
  options: { limit?: number } = {},
): Promise<Uint8Array> {
  const limit = options.limit ?? Infinity;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of readable) {
    size += chunk.length;
    if (size > limit) throw new RangeError(`Input is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return concat(chunks);
}

/**
 * Reads a whole file, refusing one larger than `limit` bytes with a `RangeError` naming it: a
 * regular file by its size, before reading (a 4 GB sparse file is refused at once), anything else
 * (a device such as /dev/zero never ends, a FIFO) once `limit` bytes have been read.
 *
 * @example
 * ```ts
 * const bytes = await readFileLimited("classes.py", { limit: 64 << 20 });
 * ```
 */
export async function readFileLimited(
  path: string,
  options: { limit: number },
): Promise<Uint8Array> {
  const tooLarge = () => new RangeError(`File ${path} is larger than ${options.limit} bytes`);
  using file = await Deno.open(await confinePath(path, "read"), { read: true });
  const info = await file.stat();
  if (info.isFile && info.size > options.limit) throw tooLarge();
  try {
    return await readAll(file.readable, options);
  } catch (err) {
    if (err instanceof RangeError) throw tooLarge();
    throw err;
  }
}
