// Random class hierarchies for the differential tests and the benchmark, and the Python oracle
// that runs them: every class statement wrapped in try/except (the semantics `toolkit mro`
// documents), recording each class's MRO or the exception CPython raised.
import { mulberry32 } from "./prng.ts";

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export const prng: (seed: number) => () => number = mulberry32;

interface GenClass {
  name: string;
  bases: string[];
  line: number;
  nested: GenClass[];
}

/** One generated module: the source `toolkit mro` reads, and the wrapped one Python runs. */
export interface Hierarchy {
  source: string;
  oracle: string;
}

/** What is allowed in a generated hierarchy. */
export interface GenOptions {
  classes: number;
  /** Python 2 modes: no nesting, no builtins but `object` (py2 only). */
  mode: "c3" | "classic" | "py2";
}

const builtins = ["int", "str", "Exception", "dict", "list", "tuple", "ValueError", "OSError"];

/**
 * Generates a random module with rebinding, duplicates, inconsistent orders, undefined names
 * (and so cascading `not defined` errors), nested classes and builtin bases.
 */
export function generateHierarchy(rand: () => number, options: GenOptions): Hierarchy {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const names: string[] = [];
  const top: GenClass[] = [];
  let line = 1;
  for (let i = 0; i < options.classes; i++) {
    const name = names.length && rand() < 0.12 ? pick(names) : `C${i}`;
    const bases: string[] = [];
    const k = Math.floor(rand() * 4);
    for (let j = 0; j < k && names.length; j++) {
      const r = rand();
      if (r < 0.025) bases.push(`U${Math.floor(rand() * 3)}`);
      else if (r < 0.07 && options.mode !== "classic") bases.push("object");
      else if (r < 0.10 && options.mode !== "classic") bases.push(pick(builtins));
      else if (r < 0.12 && bases.length) bases.push(pick(bases));
      else bases.push(pick(names.slice(-12)));
    }
    if (options.mode === "py2" && bases.length === 0 && rand() < 0.5) bases.push("object");
    const cls: GenClass = { name, bases, line: line++, nested: [] };
    if (options.mode === "c3" && rand() < 0.1) {
      const inner: string[] = [];
      for (let j = 0; j < 1 + Math.floor(rand() * 2); j++) {
        const ib = [
          ...(rand() < 0.5 && inner.length ? [pick(inner)] : []),
          ...(rand() < 0.6 && names.length ? [pick(names)] : []),
        ];
        cls.nested.push({ name: `N${j}`, bases: ib, line: line++, nested: [] });
        inner.push(`N${j}`);
      }
    }
    if (!cls.nested.length) line++; // the `pass` line
    top.push(cls);
    if (!names.includes(name)) names.push(name);
  }
  return { source: renderPlain(top), oracle: renderOracle(top, options.mode) };
}

function header(c: GenClass): string {
  return `class ${c.name}${c.bases.length ? `(${c.bases.join(", ")})` : ""}:`;
}

function renderPlain(top: GenClass[]): string {
  const out: string[] = [];
  for (const c of top) {
    out.push(header(c));
    if (c.nested.length) { for (const n of c.nested) out.push(`    ${header(n)} pass`); }
    else out.push("    pass");
  }
  return out.join("\n") + "\n";
}

function renderOracle(top: GenClass[], mode: GenOptions["mode"]): string {
  const out: string[] = [];
  const emit = (c: GenClass, indent: string, qual: string) => {
    const q = qual ? `${qual}.${c.name}` : c.name;
    out.push(`${indent}try:`);
    out.push(`${indent}    ${header(c)}`);
    for (const n of c.nested) emit(n, indent + "        ", q);
    out.push(`${indent}        pass`);
    out.push(`${indent}    oracle_ok(${JSON.stringify(q)}, ${c.line}, ${c.name})`);
    out.push(`${indent}except Exception as e:`);
    out.push(`${indent}    oracle_err(${JSON.stringify(q)}, ${c.line}, e)`);
  };
  for (const c of top) emit(c, "", "");
  // Python 2 classic classes have no __mro__: mode "classic" makes every class classic there.
  if (mode === "classic") out.unshift("__metaclass__ = __classobj__");
  return out.join("\n") + "\n";
}

/** The Python side: runs many wrapped modules, prints one JSON list of results per module. */
export const oracleScript = `
import sys, json, inspect
try:
    from types import ClassType as __classobj__
except ImportError:
    __classobj__ = None
def run(src):
    rec = []
    def ok(name, line, cls):
        mro = inspect.getmro(cls)
        rec.append({"name": name, "line": line,
                    "mro": [getattr(c, "__qualname__", c.__name__) for c in mro]})
    def err(name, line, e):
        rec.append({"name": name, "line": line, "error": str(e), "errorType": type(e).__name__})
    g = {"oracle_ok": ok, "oracle_err": err, "__classobj__": __classobj__, "__name__": "__main__"}
    exec(src, g)
    rec.sort(key=lambda r: r["line"])
    return rec
out = [run(src) for src in json.load(sys.stdin)]
sys.stdout.write(json.dumps(out))
`;

/** Runs the wrapped modules through one Python process. */
export async function runOracle(
  py: { cmd: string; env: Record<string, string> },
  modules: readonly string[],
  script = oracleScript,
): Promise<Record<string, unknown>[][]> {
  const child = new Deno.Command(py.cmd, {
    args: ["-c", script],
    env: py.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(modules)));
  await w.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/**
 * Makes Python 2's wording comparable: drops the "Error when calling the metaclass bases" prefix
 * and the line break, and sorts the names of an MRO conflict (2.7 lists them in hash order).
 */
export function normalizePy2(message: string): string {
  const m = message.replace(/^Error when calling the metaclass bases\n\s*/, "").replace(/\n/g, " ");
  const conflict = /^(Cannot create a consistent method resolution order \(MRO\) for bases )(.*)$/
    .exec(m);
  return conflict ? conflict[1] + conflict[2].split(", ").sort().join(", ") : m;
}

/**
 * The oracle for any Python 3 source: parses it with `ast`, wraps every class statement that runs
 * at import time in try/except (functions are left alone), and records MROs or errors by line.
 * Assignments and `del` that raise (naming a class that failed) are skipped.
 */
export const astOracleScript = `
import ast, sys, json
class Wrap(ast.NodeTransformer):
    def __init__(self):
        self.stack = []
    def visit_FunctionDef(self, node):
        return node
    visit_AsyncFunctionDef = visit_FunctionDef
    def visit_Assign(self, node):
        # An alias of a class that failed raises (NameError...) and binds nothing: go on, as toolkit does.
        return ast.Try(body=[node], handlers=[ast.ExceptHandler(type=ast.Name("Exception", ast.Load()),
                       name=None, body=[ast.Pass()])], orelse=[], finalbody=[])
    visit_Delete = visit_Assign
    def visit_ClassDef(self, node):
        q = ".".join(self.stack + [node.name])
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()
        ok = ast.parse("oracle_ok(%r, %d, %s)" % (q, node.lineno, node.name)).body
        # No "as" name: it would be bound in the enclosing class body (an Enum refuses a rebinding).
        err = ast.parse("oracle_err(%r, %d)" % (q, node.lineno)).body
        handler = ast.ExceptHandler(type=ast.Name("Exception", ast.Load()), name=None, body=err)
        return ast.Try(body=[node] + ok, handlers=[handler], orelse=[], finalbody=[])
def run(src):
    rec = []
    def ok(name, line, cls):
        rec.append({"name": name, "line": line, "mro": [c.__qualname__ for c in cls.__mro__]})
    def err(name, line):
        e = sys.exc_info()[1]
        rec.append({"name": name, "line": line, "error": str(e), "errorType": type(e).__name__})
    tree = ast.fix_missing_locations(Wrap().visit(ast.parse(src)))
    exec(compile(tree, "<case>", "exec"), {"oracle_ok": ok, "oracle_err": err, "__name__": "__main__"})
    rec.sort(key=lambda r: r["line"])
    return rec
sys.stdout.write(json.dumps([run(src) for src in json.load(sys.stdin)]))
`;

/**
 * A random module that also exercises the reader: decoy `class` text in strings and comments,
 * decorators, continuations, nested classes used as `Outer.Inner`, aliases, `del`, imports from
 * abc/typing/collections.abc and subscripted generics. Python runs it through the ast oracle.
 */
export function generateRichModule(rand: () => number, classes: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const out = [
    "import abc",
    "import enum",
    "import collections.abc as cabc",
    "from typing import Generic, TypeVar",
    'T = TypeVar("T")',
    "def deco(c):",
    "    return c",
  ];
  const names: string[] = ["abc.ABC", "cabc.Sized", "object", "enum.Enum"];
  const decoys = [
    `s = "class Fake(${"C0"}): pass"`,
    "# class InComment(C0):",
    `d = """\nclass InDoc(C0):\n    pass\n"""`,
    `f = f"{s!r} {'class X(Y):'}"`,
  ];
  for (let i = 0; i < classes; i++) {
    const r = rand();
    if (r < 0.08 && names.length > 3) {
      out.push(`A${i} = ${pick(names)}`);
      names.push(`A${i}`);
      continue;
    }
    if (r < 0.12 && names.length > 3) {
      const victim = pick(names.filter((n) => /^[AC]\d+$/.test(n)));
      if (victim) out.push(`del ${victim}`);
      continue;
    }
    if (r < 0.18) out.push(pick(decoys));
    const name = rand() < 0.1 && names.some((n) => /^C\d+$/.test(n))
      ? pick(names.filter((n) => /^C\d+$/.test(n)))
      : `C${i}`;
    const bases: string[] = [];
    const k = Math.floor(rand() * 3);
    for (let j = 0; j < k; j++) {
      const q = rand();
      if (q < 0.05) bases.push(`U${j}`);
      else if (q < 0.12) bases.push("Generic[T]");
      else if (q < 0.16 && bases.length) bases.push(pick(bases));
      else bases.push(pick(names.slice(-10)));
    }
    if (rand() < 0.2) out.push("@deco");
    const sep = rand() < 0.2 ? ", \\\n        " : ", ";
    if (rand() < 0.1) bases.push(pick(["metaclass=abc.ABCMeta", "metaclass=type"]));
    out.push(`class ${name}${bases.length ? `(${bases.join(sep)})` : ""}:`);
    if (rand() < 0.15) out.push("    MEMBER = 1");
    if (rand() < 0.25) {
      out.push(`    """class ${name}Doc(object): docstring"""`);
      out.push(`    class Inner(${rand() < 0.5 ? "object" : pick(names.slice(-5))}):`);
      out.push("        pass");
      out.push(`    class Inner2(Inner): pass`);
      names.push(`${name}.Inner`, `${name}.Inner2`);
    } else out.push("    pass");
    if (!names.includes(name)) names.push(name);
  }
  return out.join("\n") + "\n";
}

/** What the generator knows of a class it wrote, to choose only uses CPython answers for sure. */
interface ArgClass {
  name: string;
  /** Generic in its MRO (then a subscript depends on its type parameters). */
  generic: boolean;
  /** Exactly one type parameter, T: `X[int]` is a valid alias. */
  oneParam: boolean;
  /** An enum: subscripts and `*` look up members. */
  enumish: boolean;
  /** Only plain classes of the input below it: calling it runs object's __new__. */
  plain: boolean;
}

/**
 * A random module of class statements that pass more than names to `__build_class__`: typing's
 * special forms (Generic, Protocol, NamedTuple, TypedDict, Union, TypeVars, NewType), subscripts, literals,
 * functions and modules as bases, `*bases` and `**keywords` (displays, names, undefined names),
 * keyword arguments for `__init_subclass__` and the typing/enum metaclasses, and metaclass values
 * of every kind. It keeps to what toolkit evaluates (no function called as metaclass, no
 * subscript whose parameter count matters): CPython runs it through the ast oracle.
 */
export function generateArgumentModule(rand: () => number, classes: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const out = [
    "import abc",
    "import enum",
    "import typing",
    "from typing import Any, Dict, Generic, List, NamedTuple, Optional, Protocol, TypedDict",
    "from typing import TypeVar, Union",
    'T = TypeVar("T")',
    'S = TypeVar("S")',
    'UserId = typing.NewType("UserId", int)',
    "options = {}",
    "def function():",
    "    pass",
    "class Meta(type):",
    "    pass",
  ];
  const made: ArgClass[] = [];
  const special = [
    "Generic[T]",
    "Generic[T, S]",
    "Generic",
    "Protocol",
    "Protocol[T]",
    "NamedTuple",
    "TypedDict",
    "List[T]",
    "List[int]",
    "Dict[str, T]",
    "list[int]",
    "Union",
    "Optional",
    "Any",
    "T",
    "typing.ForwardRef",
    "typing.SupportsInt",
    "UserId",
  ];
  const plainBases = ["object", "int", "str", "dict", "tuple", "Exception", "abc.ABC"];
  const odd = ["1", "None", "function", "abc", "(int,)", "typing.TYPE_CHECKING", "Missing"];
  const starred = ["*mixins", "*(int,)", "*[]", "*missing", "*abc", "*None", "*1"];
  const unpacked = [
    "**{}",
    '**{"metaclass": abc.ABCMeta}',
    '**{"x": 1}',
    "**options",
    "**missing",
    "**abc",
    "**{1: 2}",
  ];
  const keywords = ["x=1", "total=False", "boundary=enum.STRICT", "_root=True", "flag=Missing"];
  const metaclasses = [
    "type",
    "abc.ABCMeta",
    "Meta",
    "1",
    "None",
    '"type"',
    "int",
    "object",
    "abc",
    "abc.ABC",
    "typing.TYPE_CHECKING",
    "T",
    "(Meta)",
  ];
  let mixinsBound = false;
  for (let i = 0; i < classes; i++) {
    const name = `C${i}`;
    if (made.length >= 2 && rand() < 0.08) {
      const a = pick(made).name;
      const b = pick(made).name;
      out.push(rand() < 0.5 ? `mixins = (${a}, ${b})` : `mixins = [${a}]`);
      mixinsBound = true;
    }
    const info: ArgClass = { name, generic: false, oneParam: false, enumish: false, plain: true };
    const args: string[] = [];
    const params = new Set<string>();
    const r = rand();
    if (r < 0.06) {
      // An enum: alone, or below another enum of the input.
      const enums = made.filter((c) => c.enumish);
      args.push(enums.length && rand() < 0.4 ? pick(enums).name : pick(["enum.Enum", "enum.Flag"]));
      info.enumish = true;
      info.plain = false;
    } else {
      for (let k = Math.floor(rand() * 3.2); k > 0; k--) {
        const q = rand();
        let base: string;
        if (q < 0.32) base = pick(special);
        else if (q < 0.6 && made.some((c) => !c.enumish)) {
          const c = pick(made.filter((c) => !c.enumish));
          const subscript = rand() < 0.15 && (!c.generic || c.oneParam);
          base = subscript ? `${c.name}[${pick(["int", "T"])}]` : c.name;
          if (subscript && c.oneParam) params.add("T");
          info.generic ||= c.generic;
          info.plain &&= c.plain && !subscript;
        } else if (q < 0.75) base = pick(plainBases);
        else if (q < 0.85) base = pick(odd);
        else if (!mixinsBound && rand() < 0.5) base = "*missing";
        else base = pick(starred);
        if (!/^C\d+$/.test(base)) info.plain = false;
        if (/Generic|Protocol|List|Dict|SupportsInt/.test(base)) info.generic = true;
        if (/\[.*T/.test(base)) params.add("T");
        if (base.includes("S]")) params.add("S");
        args.push(base);
      }
    }
    // Keyword arguments after the positional ones, as Python's grammar wants them.
    for (let k = rand() < 0.45 ? 1 + Math.floor(rand() * 2) : 0; k > 0; k--) {
      const q = rand();
      const kw = q < 0.45
        ? `metaclass=${pick(metaclasses.concat(made.filter((c) => c.plain).map((c) => c.name)))}`
        : q < 0.75
        ? pick(keywords)
        : pick(unpacked);
      const key = kw.split("=")[0];
      if (!kw.startsWith("**") && args.some((a) => a.split("=")[0] === key)) continue;
      args.push(kw);
      info.plain = false;
    }
    info.oneParam = info.generic && params.size === 1 && params.has("T");
    const ordered = [
      ...args.filter((a) => !a.includes("=") && !a.startsWith("**")),
      ...args.filter((a) => a.includes("=") || a.startsWith("**")),
    ];
    if (rand() < 0.1) out.push(`@typing.final`);
    out.push(`class ${name}${ordered.length ? `(${ordered.join(", ")})` : ""}:`);
    const body = rand();
    if (body < 0.1) out.push("    def __init_subclass__(cls, **kwargs):", "        pass");
    else if (body < 0.2 && info.enumish) out.push("    MEMBER = 1");
    else if (body < 0.3) out.push("    x: int");
    else if (body < 0.35) out.push("    class Inner:", "        pass");
    else out.push("    pass");
    made.push(info);
  }
  return out.join("\n") + "\n";
}
