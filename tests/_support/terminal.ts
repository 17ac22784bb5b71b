// What a test expects never to reach a terminal raw, shared by the tests of drill reports, ARP
// tables and listeners: written out here, not taken from lib/text, so the check is independent.
import assert from "#assert";

/**
 * C0 controls except the line feed, DEL, C1 controls, the line and paragraph separators and the
 * bidi controls (ALM, LRM/RLM, embeddings, overrides, isolates).
 */
// deno-lint-ignore no-control-regex
const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Fails naming the first character of `text` that could act on a terminal, with its context.
 *
 * @example
 * ```ts
 * assertNoRaw(r.stdout, "text report");
 * ```
 */
export function assertNoRaw(text: string, what: string): void {
  const m = raw.exec(text);
  if (!m) return;
  const at = m.index;
  assert.fail(
    `${what}: raw U+${m[0].charCodeAt(0).toString(16).padStart(4, "0")} near ${
      JSON.stringify(text.slice(Math.max(0, at - 40), at + 20))
    }`,
  );
}
