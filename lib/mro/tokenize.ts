// A Python tokenizer reduced to what the class-statement reader needs: logical lines (with
// implicit joining inside brackets and explicit backslash continuations), their indentation, and
// tokens that never confuse a string, an f-string or a comment with code.

/** One token of a logical line. */
export interface Token {
  /** Names include keywords; strings include their prefix and quotes. */
  type: "name" | "op" | "string" | "number";
  /** The text as written. */
  value: string;
  /** 1-based physical line where the token starts. */
  line: number;
  /** Offsets into the source, for quoting an expression back as written. */
  start: number;
  /** Offset just after the token. */
  end: number;
}

/** A logical line: what Python's grammar sees as one line. */
export interface LogicalLine {
  /** Indentation width, tabs expanded to multiples of 8 as CPython compares them. */
  indent: number;
  /** 1-based line where it starts. */
  line: number;
  /** Its tokens, never empty. */
  tokens: Token[];
}

const stringPrefix = /^(?:[rRbBuUfFtT]|[rR][bBfFtT]|[bBfFtTuU][rR])$/;
const nameStart = /[\p{L}\p{Nl}_]/u;
const nameChar = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]/u;
const ops3 = ["**=", "//=", ">>=", "<<=", "...", "!=="];
const ops2 = [
  "**",
  "//",
  ">>",
  "<<",
  "<=",
  ">=",
  "==",
  "!=",
  "->",
  ":=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
];
const closing: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
const singleOps = new Set(["(", ")", "[", "]", "{", "}", ",", ".", ":", ";"]);

/**
 * Splits Python source into logical lines. Throws `SyntaxError` (with CPython's wording where it
 * has one) for an unterminated string or an unbalanced bracket, naming the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenizePython } from "./tokenize.ts";
 *
 * // One logical line across the bracket; the comment is dropped.
 * const lines = tokenizePython("class A(\n    B):  # comment\n    pass\n");
 * assert.equal(lines.length, 2);
 * assert.deepEqual(lines[0].tokens.map((t) => t.value), ["class", "A", "(", "B", ")", ":"]);
 * ```
 */
export function tokenizePython(source: string): LogicalLine[] {
  if (source.includes("\0")) {
    const line = source.slice(0, source.indexOf("\0")).split("\n").length;
    throw new SyntaxError(`Cannot read line ${line}: source code string cannot contain null bytes`);
  }
  const lines: LogicalLine[] = [];
  const brackets: { char: string; line: number }[] = [];
  let tokens: Token[] = [];
  let line = 1;
  let i = 0;
  let atLineStart = true;
  let indent = 0;
  let startLine = 1;
  const n = source.length;
  const flush = () => {
    if (tokens.length) lines.push({ indent, line: startLine, tokens });
    tokens = [];
    atLineStart = true;
  };
  while (i < n) {
    if (atLineStart) {
      // Measure indentation; blank and comment-only lines do not count.
      let col = 0;
      let j = i;
      for (; j < n; j++) {
        const c = source[j];
        if (c === " ") col++;
        else if (c === "\t") col = (Math.floor(col / 8) + 1) * 8;
        else if (c === "\f") col = 0;
        else break;
      }
      i = j;
      if (i >= n) break;
      const c = source[i];
      if (c === "\n" || c === "\r" || c === "#") {
        if (c === "#") { while (i < n && source[i] !== "\n" && source[i] !== "\r") i++; }
        if (source[i] === "\r" && source[i + 1] === "\n") i++;
        i++;
        line++;
        continue;
      }
      if (c === "\\" && isNewline(source, i + 1)) {
        // A backslash continuation on an otherwise empty line: keep measuring on the next one.
        i += source[i + 1] === "\r" && source[i + 2] === "\n" ? 3 : 2;
        line++;
        continue;
      }
      indent = col;
      startLine = line;
      atLineStart = false;
    }
    const c = source[i];
    if (c === "\n" || c === "\r") {
      i += c === "\r" && source[i + 1] === "\n" ? 2 : 1;
      line++;
      if (brackets.length === 0) flush();
      continue;
    }
    if (c === " " || c === "\t" || c === "\f") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
      continue;
    }
    if (c === "\\") {
      if (isNewline(source, i + 1)) {
        i += source[i + 1] === "\r" && source[i + 2] === "\n" ? 3 : 2;
        line++;
        continue;
      }
      throw new SyntaxError(
        `Cannot read line ${line}: unexpected character after line continuation character`,
      );
    }
    if (c === '"' || c === "'") {
      const start = i;
      const startAt = line;
      ({ i, line } = skipString(source, i, line, false));
      tokens.push({ type: "string", value: source.slice(start, i), line: startAt, start, end: i });
      continue;
    }
    const code = source.charCodeAt(i);
    if (isAsciiNameStart(code) || (code > 127 && nameStart.test(c))) {
      const start = i;
      i++;
      for (; i < n; i++) {
        const k = source.charCodeAt(i);
        if (
          !(isAsciiNameStart(k) || (k >= 48 && k <= 57) || (k > 127 && nameChar.test(source[i])))
        ) break;
      }
      const word = source.slice(start, i);
      if ((source[i] === '"' || source[i] === "'") && stringPrefix.test(word)) {
        const startAt = line;
        ({ i, line } = skipString(source, i, line, /[fFtT]/.test(word)));
        tokens.push({
          type: "string",
          value: source.slice(start, i),
          line: startAt,
          start,
          end: i,
        });
        continue;
      }
      tokens.push({ type: "name", value: word, line, start, end: i });
      continue;
    }
    const next = source.charCodeAt(i + 1);
    if ((code >= 48 && code <= 57) || (c === "." && next >= 48 && next <= 57)) {
      const start = i;
      while (
        i < n &&
        (/[0-9a-zA-Z_.]/.test(source[i]) ||
          ((source[i] === "+" || source[i] === "-") && /[eE]/.test(source[i - 1]) &&
            !/^0[xX]/.test(source.slice(start, i))))
      ) i++;
      tokens.push({ type: "number", value: source.slice(start, i), line, start, end: i });
      continue;
    }
    // Brackets, commas, dots and colons never start a longer operator (`:=` aside); only the
    // rest need the slices.
    let op = c;
    if (
      !singleOps.has(c) || (c === ":" && source[i + 1] === "=") ||
      (c === "." && source[i + 1] === ".")
    ) {
      const three = source.slice(i, i + 3);
      const two = source.slice(i, i + 2);
      op = ops3.includes(three) ? three : ops2.includes(two) ? two : c;
    }
    if (op === "(" || op === "[" || op === "{") brackets.push({ char: op, line });
    else if (op in closing) {
      const open = brackets.pop();
      if (!open || open.char !== closing[op]) {
        throw new SyntaxError(
          open
            ? `Cannot read line ${line}: closing parenthesis '${op}' does not match opening parenthesis '${open.char}' on line ${open.line}`
            : `Cannot read line ${line}: unmatched '${op}'`,
        );
      }
    }
    tokens.push({ type: "op", value: op, line, start: i, end: i + op.length });
    i += op.length;
  }
  if (brackets.length) {
    const open = brackets[brackets.length - 1];
    throw new SyntaxError(`Cannot read line ${open.line}: '${open.char}' was never closed`);
  }
  flush();
  checkIndentation(lines);
  return lines;
}

/**
 * Python's block structure: a deeper line only after a header ending in `:`, a header is followed
 * by a deeper line, and a dedent returns to an enclosing level. CPython's messages.
 */
function checkIndentation(lines: LogicalLine[]): void {
  const levels = [0];
  let header: LogicalLine | undefined;
  for (const l of lines) {
    const top = levels[levels.length - 1];
    if (l.indent > top) {
      if (!header) throw new SyntaxError(`Cannot read line ${l.line}: unexpected indent`);
      levels.push(l.indent);
    } else {
      if (header) {
        throw new SyntaxError(
          `Cannot read line ${l.line}: expected an indented block after line ${header.line}`,
        );
      }
      while (levels[levels.length - 1] > l.indent) levels.pop();
      if (levels[levels.length - 1] !== l.indent) {
        throw new SyntaxError(
          `Cannot read line ${l.line}: unindent does not match any outer indentation level`,
        );
      }
    }
    header = l.tokens[l.tokens.length - 1].value === ":" ? l : undefined;
  }
  if (header) {
    throw new SyntaxError(
      `Cannot read line ${header.line}: expected an indented block after line ${header.line}`,
    );
  }
}

function isAsciiNameStart(k: number): boolean {
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95;
}

function isNewline(s: string, i: number): boolean {
  return s[i] === "\n" || s[i] === "\r";
}

/** Skips a string literal starting at its opening quote; returns the offset after it. */
function skipString(
  s: string,
  i: number,
  line: number,
  formatted: boolean,
): { i: number; line: number } {
  const startLine = line;
  const quote = s[i];
  const triple = s[i + 1] === quote && s[i + 2] === quote;
  const close = triple ? quote.repeat(3) : quote;
  i += close.length;
  const n = s.length;
  while (i < n) {
    const c = s[i];
    if (c === "\\") {
      if (s[i + 1] === "\r" && s[i + 2] === "\n") i++;
      if (isNewline(s, i + 1)) line++;
      i += 2;
      continue;
    }
    if (c === "\n" || c === "\r") {
      if (!triple) break;
      if (c === "\r" && s[i + 1] === "\n") i++;
      line++;
      i++;
      continue;
    }
    if (s.startsWith(close, i)) return { i: i + close.length, line };
    if (formatted && c === "{") {
      if (s[i + 1] === "{") {
        i += 2;
        continue;
      }
      ({ i, line } = skipReplacementField(s, i + 1, line));
      continue;
    }
    i++;
  }
  throw new SyntaxError(
    triple
      ? `Cannot read line ${startLine}: unterminated triple-quoted string literal (detected at line ${line})`
      : `Cannot read line ${startLine}: unterminated string literal (detected at line ${line})`,
  );
}

/** Skips an f-string `{...}` field (PEP 701: it may hold any quotes and nested strings). */
function skipReplacementField(s: string, i: number, line: number): { i: number; line: number } {
  let depth = 0;
  const n = s.length;
  // The expression, then after `!` or `:` at depth 0 the conversion and format spec, which are
  // text with nested `{fields}`.
  while (i < n) {
    const c = s[i];
    if (c === "}" && depth === 0) return { i: i + 1, line };
    if (depth === 0 && ((c === "!" && s[i + 1] !== "=") || c === ":")) {
      i++;
      while (i < n && s[i] !== "}") {
        if (s[i] === "\n") line++;
        if (s[i] === "{") ({ i, line } = skipReplacementField(s, i + 1, line));
        else i++;
      }
      return { i: i + 1, line };
    }
    if (c === "{" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ")" || c === "]") depth--;
    else if (c === "\n") line++;
    else if (c === "#") {
      while (i < n && s[i] !== "\n") i++;
      continue;
    } else if (c === '"' || c === "'") {
      let k = i - 1;
      while (k >= 0 && /[rRbBuUfFtT]/.test(s[k])) k--;
      ({ i, line } = skipString(s, i, line, /[fFtT]/.test(s.slice(k + 1, i))));
      continue;
    }
    i++;
  }
  return { i, line };
}
