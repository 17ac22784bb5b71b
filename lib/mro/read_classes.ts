// Reads the statements of a Python module that decide which class a name means: `class`
// statements (with their bases and nested bodies), imports, simple assignments and `del`.
// Function bodies are skipped (they do not run when the module runs); other blocks (`if`, `try`,
// `with`, loops) are read as if each branch ran in order.
import { type LogicalLine, type Token, tokenizePython } from "./tokenize.ts";

/**
 * An expression as far as toolkit evaluates it: a (dotted) name, possibly subscripted; a literal;
 * a tuple, list, set or dict display of those. Anything else (a call, an operator) is
 * `unsupported`, with the reason.
 */
export type ValueExpr =
  | {
    kind: "name";
    /** `["mod", "Base"]` for `mod.Base`. */
    path: string[];
    /** Written with a subscript: `Generic[T]`, `list[int]`. */
    subscripted: boolean;
    /** The (dotted) names inside the subscript, evaluated after the name; none when unsure. */
    subscriptNames?: string[][];
    text: string;
  }
  /** `type` is the builtins type of the literal: `int`, `str`, `NoneType`, `ellipsis`... */
  | { kind: "literal"; type: string; text: string }
  | {
    kind: "display";
    type: "tuple" | "list" | "set" | "dict";
    /** The items in evaluation order (a dict's keys and values alternate). */
    items: BaseExpr[];
    /** A dict display whose keys are all plain strings: the keyword arguments `**{...}` gives. */
    keywords?: KeywordArg[];

    text: string;
  }
  | { kind: "unsupported"; reason: string; text: string };

/** One positional argument of a class statement (or item of a display): `expr` or `*expr`. */
export type BaseExpr = ValueExpr | { kind: "starred"; value: ValueExpr; text: string };

/** One keyword argument: `name=value`, or `**value` (then `name` is `**`). */
export interface KeywordArg {
  name: string;
  /** From a dict display's key that is no string (`**{1: 2}`): `name` is its `str()`. */
  nonString?: boolean;
  value: ValueExpr;
  text: string;
}

/** A `class` statement: its bases and the statements of its body. */
export interface ClassStatement {
  /** Tells statements apart. */
  kind: "class";
  /** The name as written (`__name__`). */
  name: string;
  /** `Outer.Inner` for a nested class. */
  qualname: string;
  /** 1-based line of the `class` keyword. */
  line: number;
  /** The positional arguments in order (the bases, `*bases`); keyword arguments are apart. */
  bases: BaseExpr[];
  /** The keyword arguments in order: `metaclass=M`, `total=False`, `**kw`. */
  keywords: KeywordArg[];
  /** Declared with PEP 695 type parameters (`class A[T]:`), which makes it generic. */
  typeParams: boolean;
  /** The statements of the body (empty inside a function, which does not run). */
  body: Statement[];
}

/** What a binding statement binds a name to. */
export type BoundValue =
  /** `import a.b` binds `a` to module `a`; `import a.b as c` binds `c` to `a.b`. */
  | { kind: "module"; module: string }
  /** `from m import x`; `m` may be relative (`.pkg`). */
  | { kind: "from"; module: string; attr: string }
  /** `X = a.b`, `X = a.b[T]`, `X = 1`, `X = (A, B)`. */
  | { kind: "expr"; value: ValueExpr }
  /** `X = f(...)`: a call of a (dotted) name; of the arguments, only a first plain string. */
  | { kind: "call"; callee: string[]; first?: string }
  /** Anything else: an operator, a subscript of a call... */
  | { kind: "opaque" }
  /** `def name(...)`; a decorator may have made it anything. */
  | { kind: "function"; decorated: boolean };

/** A statement of the module or of a class body, in execution order. */
export type Statement =
  | ClassStatement
  | { kind: "bind"; name: string; line: number; value: BoundValue }
  | { kind: "star"; module: string; line: number }
  | { kind: "del"; name: string; line: number };

const blockKeywords = new Set([
  "if",
  "elif",
  "else",
  "for",
  "while",
  "try",
  "except",
  "finally",
  "with",
  "async",
  "def",
  "class",
]);

/** Options for {@linkcode readClassStatements}. */
export interface ReadOptions {
  /**
   * The Python whose syntax applies. Default `"3"`. Python 2 has no keyword arguments, `*bases`
   * or type parameters in a class statement.
   */
  major?: "2" | "3";
}

/**
 * Parses Python source into the statements that bind class names, nested class bodies included.
 * Throws `SyntaxError` for source that cannot be tokenized or a malformed `class` header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readClassStatements } from "./read_classes.ts";
 *
 * const [a] = readClassStatements("class A(B, metaclass=M):\n    class Inner: pass\n");
 * assert.deepEqual(a, {
 *   kind: "class",
 *   name: "A",
 *   qualname: "A",
 *   line: 1,
 *   bases: [{ kind: "name", path: ["B"], subscripted: false, text: "B" }],
 *   keywords: [{
 *     name: "metaclass",
 *     value: { kind: "name", path: ["M"], subscripted: false, text: "M" },
 *     text: "metaclass=M",
 *   }],
 *   typeParams: false,
 *   body: [{
 *     kind: "class",
 *     name: "Inner",
 *     qualname: "A.Inner",
 *     line: 2,
 *     bases: [],
 *     keywords: [],
 *     typeParams: false,
 *     body: [],
 *   }],
 * });
 * ```
 */
export function readClassStatements(text: string, options: ReadOptions = {}): Statement[] {
  // Token offsets count from after a byte order mark; so do the texts quoted back.
  const source = text.replace(/^\uFEFF/, "");
  const lines = tokenizePython(source);
  const module: Statement[] = [];
  const context = { source, major: options.major ?? "3", decorated: false };
  // Open blocks, innermost last. `body` is where statements at that depth go; undefined inside a
  // function, whose statements do not run at import time.
  const stack: { indent: number; body: Statement[] | undefined; qualname: string }[] = [];
  let pending: { indent: number; body: Statement[] | undefined; qualname: string } | undefined;
  // For each indentation, the if/elif/else chain in progress there.
  const chains = new Map<number, Chain>();
  for (const logical of lines) {
    // The block a header line opened starts here if this line is indented deeper.
    if (pending && logical.indent > pending.indent) {
      stack.push({ ...pending, indent: logical.indent });
    }
    pending = undefined;
    while (stack.length && stack[stack.length - 1].indent > logical.indent) stack.pop();
    for (const k of chains.keys()) if (k > logical.indent) chains.delete(k);
    const top = stack[stack.length - 1];
    const runs = branchRuns(logical.tokens, chains, logical.indent);
    const body = top ? top.body : module;
    const opened = readLine(logical, context, body, top ? top.qualname : "", runs);
    context.decorated = logical.tokens[0].value === "@";
    if (opened) pending = { indent: logical.indent, ...opened };
  }
  return module;
}

/** What reading a line needs besides the line: the source text, the Python, a decorator above. */
interface ReadContext {
  source: string;
  major: "2" | "3";
  /** The line before was a decorator. */
  decorated: boolean;
}

/** Where an if/elif/else chain stands: a branch was taken, none yet, or we cannot tell. */
type Chain = "taken" | "open" | "unknown";

/**
 * Whether the block a branch header opens runs. Only constant conditions are decided (`True`,
 * `False`, `0`, `1`, `None`, `TYPE_CHECKING`, `__name__ == "__main__"` as when run as a script,
 * and `not` of those); any other condition runs every branch.
 */
function branchRuns(t: Token[], chains: Map<number, Chain>, indent: number): boolean {
  const word = t[0].type === "name" ? t[0].value : "";
  const colon = headerColon(t);
  const condition = () => constantCondition(t.slice(1, colon < 0 ? t.length : colon));
  const state = chains.get(indent);
  switch (word) {
    case "if":
    case "elif": {
      if (word === "elif" && state === "taken") return false;
      if (word === "elif" && state === "unknown") return true;
      const c = condition();
      chains.set(indent, c === true ? "taken" : c === false ? "open" : "unknown");
      return c !== false;
    }
    case "else":
      if (state === undefined) return true; // for/while/try else
      chains.delete(indent);
      return state !== "taken";
    case "while":
      chains.delete(indent);
      return condition() !== false;
    default:
      chains.delete(indent);
      return true;
  }
}

function constantCondition(t: Token[]): boolean | undefined {
  const text = t.map((x) => x.value).join(" ");
  if (t[0]?.value === "not") {
    const inner = constantCondition(t.slice(1));
    return inner === undefined ? undefined : !inner;
  }
  if (/^\(.*\)$/.test(text)) return constantCondition(t.slice(1, -1));
  if (["False", "0", "None", "TYPE_CHECKING", "typing . TYPE_CHECKING"].includes(text)) {
    return false;
  }
  if (["True", "1"].includes(text)) return true;
  if (/^__name__ == (['"])__main__\1$/.test(text) || /^(['"])__main__\1 == __name__$/.test(text)) {
    return true;
  }
  return undefined;
}

/** Reads one logical line into `body`; returns the block it opens, if it ends with a header. */
function readLine(
  logical: LogicalLine,
  context: ReadContext,
  body: Statement[] | undefined,
  qualname: string,
  runs: boolean,
): { body: Statement[] | undefined; qualname: string } | undefined {
  const t = logical.tokens;
  const first = t[0];
  if (first.type === "op" && first.value === "@") return undefined; // a decorator line
  let colon = headerColon(t);
  const soft = first.type === "name" && (first.value === "match" || first.value === "case") &&
    colon > 1 && ![":", "=", ","].includes(t[1].value);
  const isHeader = soft || (first.type === "name" && blockKeywords.has(first.value));
  if (isHeader) {
    if (colon < 0) colon = t.length - 1;
    const inline = colon < t.length - 1;
    if (first.value === "class") {
      const cls = readClassHeader(t.slice(0, colon + 1), context, qualname);
      if (body) body.push(cls);
      // A one-line body (`class A: x = 1`) holds simple statements only.
      if (inline) readSimple(t.slice(colon + 1), cls.body, context.source);
      return inline ? undefined : { body: body ? cls.body : undefined, qualname: cls.qualname };
    }
    const isDef = first.value === "def" || (first.value === "async" && t[1]?.value === "def");
    const inner = isDef || !runs ? undefined : body;
    if (isDef && body) {
      // `def f` binds f (to a function, which we do not look into).
      const nameTok = t[first.value === "async" ? 2 : 1];
      if (nameTok?.type === "name") {
        body.push({
          kind: "bind",
          name: nameTok.value,
          line: nameTok.line,
          value: { kind: "function", decorated: context.decorated },
        });
      }
    }
    if (inline) {
      if (inner) readSimple(t.slice(colon + 1), inner, context.source);
      return undefined;
    }
    return { body: inner, qualname };
  }
  if (body) readSimple(t, body, context.source);
  return undefined;
}

/** The index of the `:` that ends a compound statement's header (bracket depth 0). */
function headerColon(t: Token[]): number {
  let depth = 0;
  let lambdas = 0;
  for (let k = 0; k < t.length; k++) {
    const v = t[k];
    if (v.type === "name" && v.value === "lambda") lambdas++;
    if (v.type !== "op") continue;
    if (v.value === "(" || v.value === "[" || v.value === "{") depth++;
    else if (v.value === ")" || v.value === "]" || v.value === "}") depth--;
    else if (v.value === ":" && depth === 0) {
      if (lambdas > 0) lambdas--;
      else return k;
    }
  }
  return -1;
}

function readClassHeader(t: Token[], context: ReadContext, outer: string): ClassStatement {
  const line = t[0].line;
  const invalid = (why = "invalid syntax") =>
    new SyntaxError(`Cannot read the class statement on line ${line}: ${why}`);
  const nameTok = t[1];
  if (
    !nameTok || nameTok.type !== "name" || reservedWords.has(nameTok.value) ||
    t[t.length - 1].value !== ":"
  ) {
    throw invalid();
  }
  const py2 = context.major === "2";
  let k = 2;
  const typeParams = t[k]?.value === "[";
  if (typeParams && py2) throw invalid("invalid syntax (Python 2 has no type parameters)");
  if (typeParams) k = matching(t, k) + 1;
  const bases: BaseExpr[] = [];
  const keywords: KeywordArg[] = [];
  if (t[k]?.value === "(") {
    const close = matching(t, k);
    if (close !== t.length - 2) throw invalid();
    // splitArgs drops empty pieces; only one trailing comma after an argument is valid.
    const inner = t.slice(k + 1, close);
    const comma = (j: number) => inner[j]?.value === "," && depthAt(inner, j) === 0;
    if (comma(0) || inner.some((_, j) => comma(j) && comma(j + 1))) throw invalid();
    for (const arg of splitArgs(inner)) {
      if (!isWellFormedArgument(arg)) throw invalid();
      const text = context.source.slice(arg[0].start, arg[arg.length - 1].end);
      const named = arg[0].type === "name" && arg[1]?.value === "=";
      const unpack = arg[0].value === "*" || arg[0].value === "**";
      if (py2 && (named || unpack)) {
        throw invalid("invalid syntax (Python 2 takes no keyword arguments or * here)");
      }
      if (!named && arg.some((x, j) => x.value === "=" && depthAt(arg, j) === 0)) {
        throw invalid(
          arg[0].value === "*"
            ? "cannot assign to iterable argument unpacking"
            : 'expression cannot contain assignment, perhaps you meant "=="?',
        );
      }
      const afterUnpacking = keywords.some((kw) => kw.name === "**");
      if (arg[0].value === "**") {
        keywords.push({ name: "**", value: readValue(arg.slice(1), context.source), text });
      } else if (named) {
        if (keywords.some((kw) => kw.name === arg[0].value)) {
          throw invalid(`keyword argument repeated: ${arg[0].value}`);
        }
        if (arg.length < 3) throw invalid("expected argument value expression");
        keywords.push({ name: arg[0].value, value: readValue(arg.slice(2), context.source), text });
      } else if (arg[0].value === "*") {
        if (afterUnpacking) {
          throw invalid("iterable argument unpacking follows keyword argument unpacking");
        }
        bases.push({ kind: "starred", value: readValue(arg.slice(1), context.source), text });
      } else {
        if (keywords.length) {
          throw invalid(
            `positional argument follows keyword argument${afterUnpacking ? " unpacking" : ""}`,
          );
        }
        bases.push(readValue(arg, context.source));
      }
    }
  } else if (k !== t.length - 1) {
    throw invalid();
  }
  const name = nameTok.value;
  return {
    kind: "class",
    name,
    qualname: outer ? `${outer}.${name}` : name,
    line,
    bases,
    keywords,
    typeParams,
    body: [],
  };
}

/** The bracket depth just before token `k` of `t`. */
function depthAt(t: Token[], k: number): number {
  let depth = 0;
  for (let j = 0; j < k; j++) {
    if (t[j].type !== "op") continue;
    if ("([{".includes(t[j].value)) depth++;
    else if (closers.has(t[j].value)) depth--;
  }
  return depth;
}

/** Python 3's `keyword.kwlist`: none of these can name a class. */
const reservedWords = new Set(
  ("False None True and as assert async await break class continue def del elif else except " +
    "finally for from global if import in is lambda nonlocal not or pass raise return try while " +
    "with yield").split(" "),
);

const prefixOps = new Set(["-", "+", "~", "*", "**", "(", "[", "{"]);
const closers = new Set([")", "]", "}"]);

/**
 * A shallow check that a base argument is an expression at all: it neither starts with a binary
 * operator nor ends with one (`class A(1 + ):`), and two operands never stand side by side
 * outside brackets. Deeper expressions are CPython's business; we only refuse what it refuses.
 */
function isWellFormedArgument(arg: Token[]): boolean {
  const first = arg[0];
  const last = arg[arg.length - 1];
  if (first.type === "op" && !prefixOps.has(first.value) && first.value !== "...") return false;
  if (last.type === "op" && !closers.has(last.value) && last.value !== "...") return false;
  let depth = 0;
  for (let k = 1; k < arg.length; k++) {
    const prev = arg[k - 1];
    const cur = arg[k];
    if (prev.type === "op" && "([{".includes(prev.value)) depth++;
    if (prev.type === "op" && closers.has(prev.value)) depth--;
    const operand = (x: Token) => (x.type !== "op" || x.value === "...") && !isKeyword(x.value);
    if (depth === 0 && operand(prev) && operand(cur)) return false;
  }
  return true;
}

/**
 * Reads an expression: `a.b.c` or `a.b[...]`, a literal, or a display of those. Anything else is
 * `unsupported`, saying what it is.
 */
function readValue(arg: Token[], source: string): ValueExpr {
  const text = source.slice(arg[0].start, arg[arg.length - 1].end);
  const path = dottedPath(arg);
  if (path) {
    const inside = path.subscripted ? arg.slice(arg.findIndex((x) => x.value === "[")) : [];
    const subscriptNames = path.subscripted ? namesIn(inside) : undefined;
    return {
      kind: "name",
      path: path.path,
      subscripted: path.subscripted,
      text,
      ...(subscriptNames ? { subscriptNames } : {}),
    };
  }
  const literal = literalType(arg);
  if (literal) return { kind: "literal", type: literal, text };
  const first = arg[0].value;
  if (arg[0].type === "op" && "([{".includes(first) && matching(arg, 0) === arg.length - 1) {
    return readDisplay(arg, source, text);
  }
  const call = arg.some((x, k) => x.value === "(" && k > 0 && arg[k - 1].type === "name");
  return {
    kind: "unsupported",
    reason: call ? "a call" : "an expression other than a name, a literal or a display",
    text,
  };
}

/** `(...)`, `[...]`, `{...}`: a tuple, list, set or dict display, or a parenthesized expression. */
function readDisplay(arg: Token[], source: string, text: string): ValueExpr {
  const open = arg[0].value;
  const inner = arg.slice(1, -1);
  const topLevel = (value: string) =>
    inner.some((x, j) => x.type === "op" && x.value === value && depthAt(inner, j) === 0);
  const words = (value: string) => inner.some((x) => x.type === "name" && x.value === value);
  if (words("for") || words("lambda") || topLevel(":=") || words("yield")) {
    return {
      kind: "unsupported",
      reason: "an expression other than a name, a literal or a display",
      text,
    };
  }
  if (open === "(" && inner.length && !topLevel(",")) return readValue(inner, source);
  const pieces = splitArgs(inner);
  const item = (piece: Token[]): BaseExpr =>
    piece[0].value === "*"
      ? {
        kind: "starred",
        value: readValue(piece.slice(1), source),
        text: source.slice(piece[0].start, piece[piece.length - 1].end),
      }
      : readValue(piece, source);
  if (open !== "{" || !inner.length || !topLevel(":")) {
    if (pieces.some((p) => p[0].value === "**")) {
      return {
        kind: "unsupported",
        reason: "an expression other than a name, a literal or a display",
        text,
      };
    }
    const type = open === "(" ? "tuple" : open === "[" ? "list" : inner.length ? "set" : "dict";
    const keywords = type === "dict" ? { keywords: [] } : {};
    return { kind: "display", type, items: pieces.map(item), ...keywords, text };
  }
  // A dict: `key: value` pairs. `**{"metaclass": M}` needs the keys as plain strings.
  const items: BaseExpr[] = [];
  const keywords: KeywordArg[] = [];
  let plain = true;
  for (const piece of pieces) {
    const colon = piece.findIndex((x, j) => x.value === ":" && depthAt(piece, j) === 0);
    if (piece[0].value === "**" || colon <= 0 || colon === piece.length - 1) {
      return {
        kind: "unsupported",
        reason: "an expression other than a name, a literal or a display",
        text,
      };
    }
    const key = readValue(piece.slice(0, colon), source);
    const value = readValue(piece.slice(colon + 1), source);
    items.push(key, value);
    const at = source.slice(piece[0].start, piece[piece.length - 1].end);
    const name = colon === 1 ? plainString(piece[0]) : undefined;
    // A key that is no string is refused when the call is made; its str() may clash before.
    const number = colon === 1 && /^(0|[1-9][0-9]*)$/.test(piece[0].value);
    if (name !== undefined) keywords.push({ name, value, text: at });
    else if (number || ["None", "True", "False"].includes(piece[0].value) && colon === 1) {
      keywords.push({ name: piece[0].value, nonString: true, value, text: at });
    } else plain = false;
  }
  return {
    kind: "display",
    type: "dict",
    items,
    ...(plain ? { keywords } : {}),
    text,
  };
}

/** The builtins type of a literal (`1`, `-1.5`, `"a" "b"`, `None`, `...`), or undefined. */
function literalType(arg: Token[]): string | undefined {
  if (arg.length === 1) {
    const v = arg[0].value;
    if (arg[0].type === "number") {
      return /[jJ]$/.test(v)
        ? "complex"
        : /^0[xXoObB]/.test(v) || !/[.eE]/.test(v)
        ? "int"
        : "float";
    }
    if (v === "None") return "NoneType";
    if (v === "True" || v === "False") return "bool";
    if (v === "...") return "ellipsis";
  }
  if (
    (arg[0].value === "-" || arg[0].value === "+") && arg.length === 2 && arg[1].type === "number"
  ) {
    return literalType(arg.slice(1));
  }
  if (arg.every((x) => x.type === "string")) {
    const prefixes = arg.map((x) => /^[a-zA-Z]*/.exec(x.value)![0].toLowerCase());
    // f-strings hold expressions, which are evaluated; bytes and str do not mix.
    if (prefixes.some((p) => p.includes("f") || p.includes("t"))) return undefined;
    const bytes = prefixes.map((p) => p.includes("b"));
    if (bytes.every((b) => b)) return "bytes";
    if (bytes.every((b) => !b)) return "str";
  }
  return undefined;
}

/** The text of a string literal without escapes (`"total"`), or undefined. */
function plainString(t: Token): string | undefined {
  const m = /^[uUrR]?(['"])([^'"\\]*)\1$/.exec(t.value);
  return t.type === "string" && m ? m[2] : undefined;
}

/**
 * The (dotted) names a subscript evaluates, in order: `[str, List[T]]` gives `str`, `List`, `T`.
 * Undefined when the subscript holds more than names, strings, numbers, commas and brackets
 * (a lambda's parameters, keyword arguments of a call): then nothing is looked up.
 */
function namesIn(t: Token[]): string[][] | undefined {
  const names: string[][] = [];
  for (let k = 0; k < t.length; k++) {
    const x = t[k];
    if (x.type === "string" || x.type === "number") continue;
    if (x.type === "op") {
      if (!"()[]{},.".includes(x.value) && x.value !== "...") return undefined;
      continue;
    }
    if (isKeyword(x.value)) {
      if (x.value === "None" || x.value === "True" || x.value === "False") continue;
      return undefined;
    }
    if (t[k - 1]?.value === ".") continue;
    const path = [x.value];
    while (t[k + 1]?.value === "." && t[k + 2]?.type === "name") {
      path.push(t[k + 2].value);
      k += 2;
    }
    names.push(path);
  }
  return names;
}

function dottedPath(arg: Token[]): { path: string[]; subscripted: boolean } | undefined {
  if (arg[0]?.type !== "name" || isKeyword(arg[0].value)) return undefined;
  const path = [arg[0].value];
  let k = 1;
  while (arg[k]?.value === "." && arg[k + 1]?.type === "name") {
    path.push(arg[k + 1].value);
    k += 2;
  }
  let subscripted = false;
  if (arg[k]?.value === "[") {
    k = matching(arg, k) + 1;
    subscripted = true;
  }
  return k === arg.length ? { path, subscripted } : undefined;
}

const keywords = new Set([
  "None",
  "True",
  "False",
  "lambda",
  "not",
  "await",
  "yield",
  "and",
  "or",
  "if",
  "else",
  "in",
  "is",
]);
function isKeyword(word: string): boolean {
  return keywords.has(word);
}

function matching(t: Token[], k: number): number {
  let depth = 0;
  for (let j = k; j < t.length; j++) {
    const v = t[j].value;
    if (t[j].type !== "op") continue;
    if (v === "(" || v === "[" || v === "{") depth++;
    else if (v === ")" || v === "]" || v === "}") {
      if (--depth === 0) return j;
    }
  }
  throw new SyntaxError(`Cannot read line ${t[k].line}: '${t[k].value}' was never closed`);
}

/** Splits tokens on commas at bracket depth 0, dropping empty pieces (a trailing comma). */
function splitArgs(t: Token[], separator = ","): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  let depth = 0;
  for (const x of t) {
    if (x.type === "op") {
      if (x.value === "(" || x.value === "[" || x.value === "{") depth++;
      else if (x.value === ")" || x.value === "]" || x.value === "}") depth--;
      else if (x.value === separator && depth === 0) {
        if (cur.length) out.push(cur);
        cur = [];
        continue;
      }
    }
    cur.push(x);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Simple statements separated by `;`: imports, assignments, `del`. */
function readSimple(t: Token[], body: Statement[], source: string): void {
  for (const s of splitArgs(t, ";")) {
    const head = s[0];
    const line = head.line;
    if (head.type !== "name") continue;
    if (head.value === "import") {
      for (const part of splitArgs(s.slice(1))) {
        const names = part.filter((x) => x.type === "name").map((x) => x.value);
        const as = names.indexOf("as");
        const module = part.slice(0, as < 0 ? part.length : part.findIndex((x) => x.value === "as"))
          .map((x) => x.value).join("");
        if (as >= 0) {
          body.push({ kind: "bind", name: names[as + 1], line, value: { kind: "module", module } });
        } else {body.push({
            kind: "bind",
            name: names[0],
            line,
            value: { kind: "module", module: names[0] },
          });}
      }
    } else if (head.value === "from") {
      const imp = s.findIndex((x) => x.type === "name" && x.value === "import");
      if (imp < 0) continue;
      const module = s.slice(1, imp).map((x) => x.value).join("");
      const rest = s.slice(imp + 1).filter((x) => x.value !== "(" && x.value !== ")");
      if (rest[0]?.value === "*") {
        body.push({ kind: "star", module, line });
        continue;
      }
      for (const part of splitArgs(rest)) {
        const attr = part[0].value;
        const name = part[1]?.value === "as" ? part[2].value : attr;
        body.push({ kind: "bind", name, line, value: { kind: "from", module, attr } });
      }
    } else if (head.value === "del") {
      for (const part of splitArgs(s.slice(1))) {
        if (part.length === 1 && part[0].type === "name") {
          body.push({ kind: "del", name: part[0].value, line });
        }
      }
    } else {
      readAssignment(s, body, source);
    }
  }
}

/** `X = Y = value` and `X: T = value`; other targets (tuples, attributes) bind nothing we read. */
function readAssignment(s: Token[], body: Statement[], source: string): void {
  const parts = splitArgs(s, "=");
  if (parts.length < 2) return;
  const valueTokens = parts.pop()!;
  const expr = readValue(valueTokens, source);
  const open = valueTokens.findIndex((x) => x.value === "(");
  const callee = open > 0 && matching(valueTokens, open) === valueTokens.length - 1
    ? dottedPath(valueTokens.slice(0, open))
    : undefined;
  const first = callee && [",", ")"].includes(valueTokens[open + 2]?.value)
    ? plainString(valueTokens[open + 1])
    : undefined;
  const value: BoundValue = expr.kind !== "unsupported"
    ? { kind: "expr", value: expr }
    : callee && !callee.subscripted
    ? { kind: "call", callee: callee.path, ...(first !== undefined ? { first } : {}) }
    : { kind: "opaque" };
  for (const target of parts) {
    // `X: Annotation = value` binds X.
    const annotated = target.length > 2 && target[1].value === ":";
    if ((target.length === 1 || annotated) && target[0].type === "name") {
      body.push({ kind: "bind", name: target[0].value, line: target[0].line, value });
    }
  }
}
