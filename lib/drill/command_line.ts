// The `command` of a `run` step as a string, split into argv the way a shell splits plain words
// and quotes, so drills read like the command lines students type.

/**
 * Splits a command line like a POSIX shell would for plain words and quotes (no expansions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitCommand } from "./command_line.ts";
 *
 * assert.deepEqual(splitCommand(`subnet same 172.16.10.1 "172.16.10.2" /24`), [
 *   "subnet",
 *   "same",
 *   "172.16.10.1",
 *   "172.16.10.2",
 *   "/24",
 * ]);
 * assert.deepEqual(splitCommand(`send 'a b' a\\ b`), ["send", "a b", "a b"]);
 * assert.throws(() => splitCommand(`echo "open`), SyntaxError);
 * ```
 */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new SyntaxError(`Cannot parse command: unclosed ${c}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}
