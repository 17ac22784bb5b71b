// Text from outside the program (a drill file, a neighbour table, a packet, an argument) made safe
// for a terminal: control characters, DEL, C1 controls (a raw 0x9b is a CSI on some terminals),
// line separators and bidirectional overrides are shown escaped instead of acting on the screen,
// so no input can move the cursor, rewrite a line, set the clipboard (OSC 52) or reorder what a
// line says. Used by lib/cli for error lines and by every report and table that shows such text.

/**
 * Beyond C0 controls, the characters {@linkcode printable} escapes: DEL, C1 controls, the Arabic
 * letter mark, LRM/RLM, the line and paragraph separators, bidi embeddings, overrides and isolates.
 */
const others = "\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
/** A lone UTF-16 surrogate: not text at all. */
const lone = "[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";

const unsafe = new RegExp(`[\\x00-\\x1f${others}]|${lone}`, "g");
/** In multi-line text, line feeds, tabs and CR LF line ends stay; a lone CR does not. */
const unsafeMultiline = new RegExp(
  `\\r(?!\\n)|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f${others}]|${lone}`,
  "g",
);
/** JSON.stringify escapes C0 controls and lone surrogates itself, not the others. */
const unsafeInJson = new RegExp(`[${others}]`, "g");

const short: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return short[c] ??
    (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`);
}

/**
 * Makes `text` safe to print on a terminal: every character that could act on the terminal or
 * reorder the line is shown escaped (`\x1b`, `\r`, `\n`, `\x9b`, `\u202e`); everything else,
 * including Chinese text and emoji, is kept. With `multiline`, line feeds, tabs and CR LF line ends
 * stay as they are (for text shown as lines, such as a drill file); a lone CR is still escaped.
 * The result contains nothing to escape, so applying it twice changes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "./printable.ts";
 *
 * // An OSC 52 sequence (set the clipboard) is shown, not obeyed.
 * assert.equal(printable("step \x1b]52;c;aGk=\x07 name"), "step \\x1b]52;c;aGk=\\x07 name");
 * assert.equal(printable("a\r\nb"), "a\\r\\nb");
 * assert.equal(printable("a\r\nb", { multiline: true }), "a\r\nb");
 * assert.equal(printable("网络 ok"), "网络 ok");
 * ```
 */
export function printable(text: string, options: { multiline?: boolean } = {}): string {
  return text.replace(options.multiline ? unsafeMultiline : unsafe, escapeOne);
}

/**
 * The JSON text `json` (JSON.stringify's output) with the characters {@linkcode printable} escapes
 * written as `\uXXXX` escapes: the same JSON value, and nothing in it acts on a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printableJson } from "./printable.ts";
 *
 * const json = printableJson(JSON.stringify({ name: "\u202eevil" }));
 * assert.equal(json, '{"name":"\\u202eevil"}');
 * assert.deepEqual(JSON.parse(json), { name: "\u202eevil" });
 * ```
 */
export function printableJson(json: string): string {
  return json.replace(unsafeInJson, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
