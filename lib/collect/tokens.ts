// The collector's two secrets: the class token students submit with, and the teacher token that
// opens the dashboard. Random from the OS (crypto.getRandomValues), URL-safe, compared in
// constant time so a wrong guess learns nothing from how long the answer took.

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Tokens: letters, digits, `-` and `_`, 8 to 128 characters (what `--token` accepts). */
export const tokenPattern = /^[A-Za-z0-9_-]{8,128}$/;

/**
 * A random URL-safe token of `length` characters (default 22: 132 bits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newToken, tokenPattern } from "./tokens.ts";
 *
 * const token = newToken();
 * assert.equal(token.length, 22);
 * assert.match(token, tokenPattern);
 * assert.notEqual(newToken(), token);
 * assert.equal(newToken(32).length, 32);
 * assert.match(token, /^[A-Za-z0-9]/); // never an option's dash first
 * ```
 */
export function newToken(length = 22): string {
  // 64 symbols and bytes masked to 6 bits: every symbol equally likely. The first is a letter or
  // digit (drawn again until it is one, so still uniform): a token that began with `-` would be
  // read as an option in `--token TOKEN` and a student would have to type `--token=TOKEN`.
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  while ((bytes[0] & 63) >= 62) crypto.getRandomValues(bytes.subarray(0, 1));
  let out = "";
  for (const b of bytes) out += alphabet[b & 63];
  return out;
}

const encoder = new TextEncoder();

/**
 * Compares a token someone sent with the expected one in time that depends only on the expected
 * token's length, never on where they first differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokensEqual } from "./tokens.ts";
 *
 * const classToken = "Kq3xV9dPz2LmW8rT5yHn4c";
 * const request = new Request("http://127.0.0.1/api/submit", {
 *   headers: { authorization: `Bearer ${classToken}` },
 * });
 * assert.equal(tokensEqual(request.headers.get("authorization")!.slice(7), classToken), true);
 * assert.equal(tokensEqual("Kq3xV9dPz2LmW8rT5yHn4d", classToken), false);
 * assert.equal(tokensEqual("", classToken), false);
 * ```
 */
export function tokensEqual(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.length ? a[i % a.length] : 0) ^ b[i];
  return diff === 0;
}
