// Reading a whole stream into memory with a cap, for inputs that are parsed as a whole (a drill on
// stdin, a datagram from stdin): past the cap the input is refused and no more is read. Files the
// user names are read through lib/scope/files.ts (readInputFile), which refuses them by size.

/**
 * Joins byte chunks into one array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concat } from "./read_limited.ts";
 *
 * assert.deepEqual(concat([new Uint8Array([1]), new Uint8Array([2, 3])]), new Uint8Array([1, 2, 3]));
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
 * import assert from "node:assert/strict";
 * import { readAll } from "./read_limited.ts";
 *
 * const chunks = () => ReadableStream.from([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * assert.deepEqual(await readAll(chunks(), { limit: 3 }), new Uint8Array([1, 2, 3]));
 * await assert.rejects(readAll(chunks(), { limit: 2 }), RangeError);
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
