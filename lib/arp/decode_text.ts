// Saved tables arrive as bytes in whatever encoding the saving shell chose: UTF-8 from Unix shells
// and `cmd` under `chcp 65001`, UTF-16 LE with a BOM from Windows PowerShell 5's `>` (Out-File's
// default), sometimes UTF-16 without a BOM from other tools. This turns any of them into text.

/** The encodings {@linkcode decodeTableText} recognises. */
export type TableEncoding = "utf-8" | "utf-16le" | "utf-16be";

/**
 * Recognises the encoding of a saved table: a byte-order mark decides; without one, UTF-16 shows as
 * NUL bytes in every other position (tables are mostly ASCII digits, dots and spaces, so one byte
 * of most UTF-16 code units is zero), and anything else is read as UTF-8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectTableEncoding } from "./decode_text.ts";
 *
 * assert.equal(detectTableEncoding(new Uint8Array([0xff, 0xfe, 0x31, 0x00])), "utf-16le");
 * // No byte-order mark: a NUL in every other byte gives UTF-16 away.
 * assert.equal(detectTableEncoding(new Uint8Array([0x31, 0x00, 0x30, 0x00])), "utf-16le");
 * assert.equal(detectTableEncoding(new TextEncoder().encode("10.0.0.1")), "utf-8");
 * ```
 */
export function detectTableEncoding(bytes: Uint8Array): TableEncoding {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  const pairs = Math.min(bytes.length >> 1, 4096);
  if (pairs < 2) return "utf-8";
  let evenZeros = 0, oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) evenZeros++;
    if (bytes[2 * i + 1] === 0) oddZeros++;
  }
  // UTF-8 text has no NUL bytes at all; a third of the units with one zero half is far beyond
  // chance, and a zero in the other half would mean U+0000 or a code unit like U+xx00.
  if (oddZeros * 3 >= pairs && evenZeros * 20 < pairs) return "utf-16le";
  if (evenZeros * 3 >= pairs && oddZeros * 20 < pairs) return "utf-16be";
  return "utf-8";
}

/**
 * Decodes a saved table (see {@linkcode detectTableEncoding}), dropping the byte-order mark.
 * Bytes that are not valid in the detected encoding become U+FFFD, so a table saved in a legacy
 * Windows code page still reads where it is ASCII, and the words that are not show as `�`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeTableText } from "./decode_text.ts";
 *
 * // PowerShell 5's `arp -a > table.txt`: UTF-16 LE with a byte-order mark.
 * assert.equal(decodeTableText(new Uint8Array([0xff, 0xfe, 0x31, 0x00, 0x0a, 0x00])), "1\n");
 * ```
 */
export function decodeTableText(bytes: Uint8Array): string {
  const encoding = detectTableEncoding(bytes);
  // TextDecoder drops a BOM that matches its encoding (ignoreBOM defaults to false).
  return new TextDecoder(encoding).decode(bytes);
}
