// Reads the statements of a Python module that decide which class a name means: `class`
// statements (with their bases and nested bodies), imports, simple assignments and `del`.
// Function bodies are skipped (they do not run when the module runs); other blocks (`if`, `try`,
// `with`, loops) are read as if each branch ran in order.
import { type LogicalLine, type Token, tokenizePython } from "./tokenize.ts";

/** One base in a class statement's parentheses. */
export type BaseExpr =
  | {
    kind: "name";
    /** `["mod", "Base"]` for `mod.Base`. */
    path: string[];
    /** Written with a subscript: `Generic[T]`, `list[int]`. */
    subscripted: boolean;
    text: string;
  }
  | { kind: "unsupported"; reason: string; text: string };

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
  /** The bases in order; keyword arguments are in `keywords`. */
  bases: BaseExpr[];
  /** Names of keyword arguments (`metaclass`, `**kw`); only `metaclass` is interpreted. */
  keywords: string[];
  /** The `metaclass=` argument, when given. */
  metaclass?: BaseExpr;
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
  /** `X = a.b` or `X = a.b[T]`. */
  | { kind: "expr"; path: string[] }
  /** Anything else: a call, a literal. */
  | { kind: "opaque" }
  /** `def name(...)`. */
  | { kind: "function" };

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

/**
 * Parses Python source into the statements that bind class names, nested class bodies included.
 * Throws `SyntaxError` for source that cannot be tokenized or a malformed `class` header.
 *
 * @example
 * ```ts
 * const [a] = readClassStatements("class A(B, metaclass=M):\n    class Inner: pass\n");
 * // a.kind === "class", a.bases[0].path === ["B"], a.body[0].qualname === "A.Inner"
 * ```
 */
export function readClassStatements(source: string): Statement[] {
  const lines = tokenizePython(source.replace(/^\uFEFF/, ""));
  const module: Statement[] = [];
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
    const opened = readLine(logical, source, body, top ? top.qualname : "", runs);
    if (opened) pending = { indent: logical.indent, ...opened };
  }
  return module;
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
  source: string,
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
      const cls = readClassHeader(t.slice(0, colon + 1), source, qualname);
      if (body) body.push(cls);
      // A one-line body (`class A: x = 1`) holds simple statements only.
      if (inline) readSimple(t.slice(colon + 1), cls.body);
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
          value: { kind: "function" },
        });
      }
    }
    if (inline) {
      if (inner) readSimple(t.slice(colon + 1), inner);
      return undefined;
    }
    return { body: inner, qualname };
  }
  if (body) readSimple(t, body);
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

function readClassHeader(t: Token[], source: string, outer: string): ClassStatement {
  const line = t[0].line;
  const nameTok = t[1];
  if (
    !nameTok || nameTok.type !== "name" || reservedWords.has(nameTok.value) ||
    t[t.length - 1].value !== ":"
  ) {
    throw new SyntaxError(`Cannot read the class statement on line ${line}: invalid syntax`);
  }
  let k = 2;
  const typeParams = t[k]?.value === "[";
  if (typeParams) k = matching(t, k) + 1;
  const bases: BaseExpr[] = [];
  const keywords: string[] = [];
  let metaclass: BaseExpr | undefined;
  if (t[k]?.value === "(") {
    const close = matching(t, k);
    if (close !== t.length - 2) {
      throw new SyntaxError(`Cannot read the class statement on line ${line}: invalid syntax`);
    }
    for (const arg of splitArgs(t.slice(k + 1, close))) {
      if (!isWellFormedArgument(arg)) {
        throw new SyntaxError(`Cannot read the class statement on line ${line}: invalid syntax`);
      }
      const text = source.slice(arg[0].start, arg[arg.length - 1].end);
      if (arg[0].value === "**") keywords.push("**");
      else if (arg[0].value === "*") {
        bases.push({ kind: "unsupported", reason: "a starred base", text });
      } else if (arg[0].type === "name" && arg[1]?.value === "=") {
        keywords.push(arg[0].value);
        if (arg[0].value === "metaclass") {
          metaclass = readBase(arg.slice(2), source.slice(arg[2].start, arg[arg.length - 1].end));
        }
      } else bases.push(readBase(arg, text));
    }
  } else if (k !== t.length - 1) {
    throw new SyntaxError(`Cannot read the class statement on line ${line}: invalid syntax`);
  }
  const name = nameTok.value;
  return {
    kind: "class",
    name,
    qualname: outer ? `${outer}.${name}` : name,
    line,
    bases,
    keywords,
    ...(metaclass ? { metaclass } : {}),
    typeParams,
    body: [],
  };
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
  if (first.type === "op" && !prefixOps.has(first.value)) return false;
  if (last.type === "op" && !closers.has(last.value)) return false;
  let depth = 0;
  for (let k = 1; k < arg.length; k++) {
    const prev = arg[k - 1];
    const cur = arg[k];
    if (prev.type === "op" && "([{".includes(prev.value)) depth++;
    if (prev.type === "op" && closers.has(prev.value)) depth--;
    const operand = (x: Token) => x.type !== "op" && !isKeyword(x.value);
    if (depth === 0 && operand(prev) && operand(cur)) return false;
  }
  return true;
}

/** Reads `a.b.c` or `a.b[...]`; anything else is unsupported. */
function readBase(arg: Token[], text: string): BaseExpr {
  const path = dottedPath(arg);
  if (path) return { kind: "name", ...path, text };
  const call = arg.some((x, k) => x.value === "(" && k > 0 && arg[k - 1].type === "name");
  return {
    kind: "unsupported",
    reason: call ? "a call" : "an expression other than a (dotted) name",
    text,
  };
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
function readSimple(t: Token[], body: Statement[]): void {
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
      readAssignment(s, body);
    }
  }
}

/** `X = Y = value` and `X: T = value`; other targets (tuples, attributes) bind nothing we read. */
function readAssignment(s: Token[], body: Statement[]): void {
  const parts = splitArgs(s, "=");
  if (parts.length < 2) return;
  const valueTokens = parts.pop()!;
  const path = dottedPath(valueTokens);
  const value: BoundValue = path ? { kind: "expr", path: path.path } : { kind: "opaque" };
  for (const target of parts) {
    // `X: Annotation = value` binds X.
    const annotated = target.length > 2 && target[1].value === ":";
    if ((target.length === 1 || annotated) && target[0].type === "name") {
      body.push({ kind: "bind", name: target[0].value, line: target[0].line, value });
    }
  }
}
