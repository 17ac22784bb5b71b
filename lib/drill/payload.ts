// The bytes a drill's payloads stand for: a bare string or `text` is UTF-8, `hex` is hex digits.
// One reading for what a step sends, what a listener replies and what an expect compares.
import { parseHex } from "../net/payload.ts";
import type { Payload, PayloadFields } from "./schema.ts";

const encoder = new TextEncoder();

/**
 * Bytes of a reply or send payload.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { payloadBytes } from "./payload.ts";
 *
 * assert.deepEqual(payloadBytes({ hex: "68 69" }), new Uint8Array([104, 105]));
 * assert.deepEqual(payloadBytes("hi"), new Uint8Array([104, 105]));
 * assert.deepEqual(payloadBytes({ text: "我" }), new Uint8Array([0xe6, 0x88, 0x91]));
 * ```
 */
export function payloadBytes(p: Payload | PayloadFields): Uint8Array {
  if (typeof p === "string") return encoder.encode(p);
  if ("hex" in p && p.hex !== undefined) return parseHex(p.hex);
  return encoder.encode("text" in p ? p.text : undefined);
}
