// Payloads as users type them: text (UTF-8, bytes as given) or hex (`--hex`: `de ad be ef`,
// `deadbeef`, `de:ad:be:ef`), and back again for printing binary replies.

/**
 * Parses hex text into bytes. Spaces, colons and dashes between bytes are allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHex } from "./payload.ts";
 *
 * assert.deepEqual(parseHex("de ad:be-ef"), new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
 * assert.deepEqual(parseHex("0x0102"), new Uint8Array([1, 2]));
 * assert.throws(() => parseHex("abc"), /odd number of hex digits \(3\)/);
 * ```
 */
export function parseHex(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, "").replace(/[\s:-]/g, "");
  if (!/^[0-9a-f]*$/i.test(clean)) {
    const bad = clean.match(/[^0-9a-f]/i)?.[0];
    throw new SyntaxError(`Cannot parse hex payload: "${bad}" is not a hex digit`);
  }
  if (clean.length % 2 !== 0) {
    throw new SyntaxError(`Cannot parse hex payload: odd number of hex digits (${clean.length})`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The bytes a payload argument stands for: `text` as UTF-8, or with `hex` parsed by
 * {@linkcode parseHex} (a `SyntaxError` for bad hex).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePayload } from "./payload.ts";
 *
 * assert.deepEqual(parsePayload("hi", false), new Uint8Array([0x68, 0x69]));
 * assert.deepEqual(parsePayload("68 69", true), new Uint8Array([0x68, 0x69]));
 * assert.throws(() => parsePayload("6g", true), SyntaxError);
 * ```
 */
export function parsePayload(text: string, hex: boolean): Uint8Array {
  return hex ? parseHex(text) : new TextEncoder().encode(text);
}

/**
 * Formats bytes as lowercase hex pairs separated by spaces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toHex } from "./payload.ts";
 *
 * assert.equal(toHex(new Uint8Array([104, 105, 10])), "68 69 0a");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Decodes bytes as UTF-8 when they are valid UTF-8, `undefined` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8OrUndefined } from "./payload.ts";
 *
 * assert.equal(utf8OrUndefined(new Uint8Array([0xff])), undefined);
 * assert.equal(utf8OrUndefined(new Uint8Array([0xc3, 0xa9])), "é");
 * ```
 */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
