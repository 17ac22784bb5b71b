// TypeScript source as the rule tests read it: comments removed, and optionally the insides of
// string, template and regular-expression literals blanked, so a rule that looks for a call finds
// a real call and not one written in a comment or a string. A scanner, not a parser: it knows
// strings, templates with `${...}` (nested), regex literals after an operator or keyword, and line
// and block comments; that is enough for the test files the rules read.

/** What {@linkcode sourceText} returns: both with every newline kept, so line numbers hold. */
export interface SourceText {
  /** The source with comments blanked (strings and regexes kept). */
  code: string;
  /** As `code`, and the contents of strings, templates and regexes blanked (the quotes kept). */
  bare: string;
}

/** Keywords after which `/` starts a regular expression, not a division. */
const regexAfterWord =
  /(?:^|[^\w$])(return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

/**
 * Splits `text` into code, strings, templates, regexes and comments; see {@linkcode SourceText}.
 * Blanked characters become spaces, newlines stay.
 */
export function sourceText(text: string): SourceText {
  let code = "";
  let bare = "";
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  const keep = (s: string) => {
    code += s;
    bare += s;
  };
  const literal = (s: string) => {
    code += s;
    bare += blank(s);
  };
  // Brace depth of each `${` open in a template; empty at the top level.
  const templates: number[] = [];
  let i = 0;
  /** The last non-blank code character before `i` decides whether `/` opens a regex. */
  const regexMayStart = () => {
    const before = bare.trimEnd();
    if (before === "") return true;
    const last = before[before.length - 1];
    if ("(,=:[!&|?{};+-*%<>~^".includes(last)) return true;
    return regexAfterWord.test(before);
  };
  /** Index just past the literal starting at `i` with `quote`, escapes honoured. */
  const endOfQuoted = (from: number, quote: string) => {
    let j = from + 1;
    while (j < text.length && text[j] !== quote && text[j] !== "\n") {
      j += text[j] === "\\" ? 2 : 1;
    }
    return Math.min(j + 1, text.length);
  };
  /** Scans template text from `i` (just past "`" or "}") to the closing "`" or the next "${". */
  const templateText = () => {
    let j = i;
    while (j < text.length && text[j] !== "`" && !(text[j] === "$" && text[j + 1] === "{")) {
      j += text[j] === "\\" ? 2 : 1;
    }
    j = Math.min(j, text.length);
    literal(text.slice(i, j));
    i = j;
    if (text[i] === "`") {
      keep("`");
      i++;
    } else if (i < text.length) {
      keep("${");
      i += 2;
      templates.push(0);
    }
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      const j = end === -1 ? text.length : end;
      code += blank(text.slice(i, j));
      bare += blank(text.slice(i, j));
      i = j;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const j = end === -1 ? text.length : end + 2;
      code += blank(text.slice(i, j));
      bare += blank(text.slice(i, j));
      i = j;
    } else if (c === "'" || c === '"') {
      const j = endOfQuoted(i, c);
      keep(c);
      literal(text.slice(i + 1, j - 1));
      keep(text.slice(j - 1, j));
      i = j;
    } else if (c === "`") {
      keep("`");
      i++;
      templateText();
    } else if (c === "/" && regexMayStart()) {
      // A regex literal: up to the unescaped `/` outside a character class, then its flags.
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== "\n" && (inClass || text[j] !== "/")) {
        if (text[j] === "\\") j++;
        else if (text[j] === "[") inClass = true;
        else if (text[j] === "]") inClass = false;
        j++;
      }
      keep("/");
      literal(text.slice(i + 1, j));
      i = j;
      if (text[i] === "/") {
        keep("/");
        i++;
      }
    } else if (templates.length && (c === "{" || c === "}")) {
      if (c === "{") {
        templates[templates.length - 1]++;
        keep(c);
        i++;
      } else if (templates[templates.length - 1] > 0) {
        templates[templates.length - 1]--;
        keep(c);
        i++;
      } else {
        templates.pop();
        keep(c);
        i++;
        templateText();
      }
    } else {
      keep(c);
      i++;
    }
  }
  return { code, bare };
}
