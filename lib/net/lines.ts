// Cutting a byte stream (stdin) into lines for protocols that send one message a line, such as
// `udp-connect`'s one datagram a line: binary-safe, each line keeps its LF, with a bound on how
// long a line may grow so an endless line cannot fill memory.
import type { ByteSource } from "./copy.ts";
import { concat } from "../text/read_limited.ts";

/** A line longer than the bound given to {@linkcode readLines}. */
export class LineTooLongError extends RangeError {
  /** The 1-based number of the line. */
  readonly line: number;
  constructor(line: number, max: number) {
    super(`Line ${line} is longer than ${max} bytes`);
    this.name = "LineTooLongError";
    this.line = line;
  }
}

/**
 * Yields each line of `source` with its LF (the last one without, if the input does not end with
 * one); a line longer than `maxLength` bytes (its LF included) is a {@linkcode LineTooLongError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamSource } from "./copy.ts";
 * import { LineTooLongError, readLines } from "./lines.ts";
 *
 * const input = (...parts: string[]) =>
 *   streamSource(ReadableStream.from(parts.map((p) => new TextEncoder().encode(p))));
 * const lines: string[] = [];
 * for await (const line of readLines(input("one\ntw", "o\nthree"), 65507)) {
 *   lines.push(new TextDecoder().decode(line));
 * }
 * assert.deepEqual(lines, ["one\n", "two\n", "three"]);
 * await assert.rejects(
 *   Array.fromAsync(readLines(input("short\n", "far too long\n"), 8)),
 *   (err) => err instanceof LineTooLongError && err.line === 2,
 * );
 * ```
 */
export async function* readLines(
  source: ByteSource,
  maxLength: number,
): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(64 * 1024);
  let pending = new Uint8Array(0);
  let number = 0;
  for (;;) {
    const chunk = await source.read(buf);
    if (chunk === null) break;
    if (buf.byteLength === 0) buf = new Uint8Array(chunk.buffer as ArrayBuffer); // detached (BYOB)
    let data = pending.length ? concat([pending, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      number++;
      if (nl + 1 - start > maxLength) throw new LineTooLongError(number, maxLength);
      yield data.slice(start, nl + 1);
      start = nl + 1;
    }
    data = data.subarray(start);
    if (data.length > maxLength) throw new LineTooLongError(number + 1, maxLength);
    // `chunk` may be a view of `buf`, which the next read overwrites: keep a copy.
    pending = data.slice();
  }
  if (pending.length) yield pending;
}
