// Runs a module's class statements the way Python would, as if each `class` statement were wrapped
// in its own try/except: bases are looked up (class body, then module, then builtins), the body
// runs, then the class is created (CPython's best-base layout check, then the MRO). A class that
// fails is not bound, so later statements naming it fail with `name 'X' is not defined`.
import { explainC3, explainClassic } from "./explain.ts";
import { c3ErrorMessage, linearizeC3 } from "./linearize_c3.ts";
import { linearizeClassic } from "./linearize_classic.ts";
import { pythonTypes, type TypeTable } from "./python_types.ts";
import type { BaseExpr, ClassStatement, Statement } from "./read_classes.ts";

/** `c3`: Python 3.13. `classic`: Python 2 old-style classes. `py2`: Python 2.7's mix of both. */
export type MroAlgorithm = "c3" | "classic" | "py2";

/** A class object: one defined by the input, a recorded builtin/stdlib type, or a stand-in. */
export interface PyClass {
  /** `__name__`, used in CPython's error messages. */
  name: string;
  /** `__qualname__` (`Outer.Inner`), used when listing an MRO. */
  qualname: string;
  /** `module.qualname` for recorded types; undefined for the input's classes. */
  id?: string;
  /** Line of the class statement, for the input's classes. */
  line?: number;
  /** `__bases__`: `object` when none were written (classic classes: none). */
  bases: PyClass[];
  /** The linearization, the class itself first. */
  mro: PyClass[];
  /** False for Python 2 classic classes. */
  newStyle: boolean;
  /** Can be subclassed (`bool` cannot). */
  basetype: boolean;
  /** `__itemsize__`: non-zero for variable-size layouts (tuple, int in 2.7's long...). */
  itemsize: number;
  /** CPython's solid base (instance layout); undefined for classic classes. */
  solid?: PyClass;
  /** Names bound in the class body (nested classes, aliases). */
  namespace?: Map<string, Value>;
  /** A dense number for the fast merge; set on every class the resolver creates. */
  uid?: number;
  /** An enum that defines members, which `EnumType` refuses to extend. */
  enumMembers?: boolean;
  /** `type(cls)`; undefined for classic classes. */
  meta?: PyClass;
}

let uids = 0;
const emptyNamespace: Map<string, Value> = new Map();
const byUid = { index: (c: PyClass) => c.uid! };

/** What a name can be bound to. */
export type Value =
  | { kind: "class"; cls: PyClass }
  | { kind: "module"; module: string }
  /** Something we cannot see into (an unknown import, a call result); it acts as a class. */
  | { kind: "opaque"; key: string; name: string }
  /** An object whose `__mro_entries__` gives these classes (`typing.List`). */
  | { kind: "entries"; classes: PyClass[] }
  /** A class whose statement could not be read. */
  | { kind: "unreadable"; qualname: string; line: number };

/** The error a class statement raised, as Python would name it. */
export interface ClassError {
  /** `TypeError`, `NameError`, `AttributeError`, or `UnsupportedSyntax` for what we cannot read. */
  type: string;
  /** `str(exception)` as CPython gives it. */
  message: string;
}

/** What happened to one executed class statement. */
export interface ClassOutcome {
  /** The statement that ran. */
  statement: ClassStatement;
  /** The class created, when it was. */
  cls?: PyClass;
  /** The bases as evaluated (after `__mro_entries__`), when evaluation got that far. */
  bases?: PyClass[];
  /** Why the class was not created. */
  error?: ClassError;
  /** The `--explain` derivation, when asked for. */
  explain?: string[];
}

/** Options for {@linkcode resolveClasses}. */
export interface ResolveOptions {
  /** Default `c3`. */
  algo?: MroAlgorithm;
  /** Treat undefined names as plain subclasses of `object` instead of a `NameError`. */
  assumeUndefined?: boolean;
  /** Record the derivation of each MRO. */
  explain?: boolean;
}

class Raise extends Error {
  /** `hint`: a line for `--explain` saying why, in the course's terms. */
  constructor(readonly type: string, message: string, readonly hint?: string) {
    super(message);
  }
}

/**
 * Executes the statements of one module (from {@linkcode readClassStatements}) and returns one
 * outcome per class statement that ran, in source order. Never throws for Python-level errors:
 * they are outcomes, as CPython would raise them.
 *
 * @example
 * ```ts
 * const out = resolveClasses(readClassStatements("class A: pass\nclass B(A, A): pass\n"));
 * out[0].cls!.mro.map((c) => c.qualname); // ["A", "object"]
 * out[1].error; // { type: "TypeError", message: "duplicate base class A" }
 * ```
 */
export function resolveClasses(
  statements: readonly Statement[],
  options: ResolveOptions = {},
): ClassOutcome[] {
  return new Interpreter(options).run(statements);
}

const typeCache = new Map<TypeTable, Map<string, PyClass>>();

class Interpreter {
  readonly algo: MroAlgorithm;
  readonly table: TypeTable;
  readonly types: Map<string, PyClass>;
  readonly module = new Map<string, Value>();
  readonly opaque = new Map<string, PyClass>();
  readonly outcomes: ClassOutcome[] = [];
  /** A `from unknown import *` ran: unknown names may come from it. */
  starUnknown = false;
  /** Names whose last class statement failed, with its line, for `--explain`. */
  readonly failed = new Map<string, number>();
  bindings = 0;
  readonly object: PyClass;

  constructor(readonly options: ResolveOptions) {
    this.algo = options.algo ?? "c3";
    this.table = pythonTypes(this.algo === "c3" ? "3" : "2");
    if (!typeCache.has(this.table)) typeCache.set(this.table, new Map());
    // Classic mode walks builtin types depth-first too, so it keeps its own objects.
    this.types = this.algo === "classic" ? new Map() : typeCache.get(this.table)!;
    this.object = this.type("builtins.object");
  }

  run(statements: readonly Statement[]): ClassOutcome[] {
    this.exec(statements, undefined);
    return this.outcomes;
  }

  /** A recorded type as a class object, built once. */
  type(id: string): PyClass {
    let cls = this.types.get(id);
    if (cls) return cls;
    const r = this.table.types[id];
    cls = {
      uid: uids++,
      name: r.name,
      qualname: r.qualname,
      id,
      bases: [],
      mro: [],
      newStyle: this.algo !== "classic",
      basetype: r.basetype,
      itemsize: r.itemsize,
    };
    this.types.set(id, cls);
    cls.bases = r.bases.map((b) => this.type(b));
    cls.mro = this.algo === "classic"
      ? linearizeClassic(cls, cls.bases, (b) => b.mro)
      : r.mro.map((m) => (m === id ? cls! : this.type(m)));
    cls.solid = this.algo === "classic" ? undefined : this.type(r.solid);
    cls.meta = this.algo === "classic" ? undefined : r.meta === id ? cls : this.type(r.meta);
    return cls;
  }

  /** A stand-in class for something we cannot see into, one per key. */
  opaqueClass(key: string, name: string): PyClass {
    let cls = this.opaque.get(key);
    if (!cls) {
      const classic = this.algo === "classic";
      cls = {
        uid: uids++,
        name,
        qualname: name,
        bases: classic ? [] : [this.object],
        mro: [],
        newStyle: !classic,
        basetype: true,
        itemsize: 0,
        solid: classic ? undefined : this.object,
      };
      cls.mro = classic ? [cls] : [cls, this.object];
      if (!classic) cls.meta = this.type("builtins.type");
      this.opaque.set(key, cls);
    }
    return cls;
  }

  exec(statements: readonly Statement[], ns: Map<string, Value> | undefined): void {
    const scope = ns ?? this.module;
    for (const s of statements) {
      switch (s.kind) {
        case "class":
          this.execClass(s, ns);
          break;
        case "del":
          scope.delete(s.name);
          break;
        case "star":
          this.importStar(s.module, scope);
          break;
        case "bind": {
          const v = this.bindValue(s.name, s.value, ns);
          if (v) scope.set(s.name, v);
          break;
        }
      }
    }
  }

  importStar(module: string, scope: Map<string, Value>): void {
    const names = this.table.modules[module];
    if (!names) {
      this.starUnknown = true;
      return;
    }
    for (const name of Object.keys(names)) {
      if (!name.startsWith("_")) scope.set(name, this.moduleAttr(module, name)!);
    }
  }

  bindValue(
    name: string,
    value: Extract<Statement, { kind: "bind" }>["value"],
    ns: Map<string, Value> | undefined,
  ): Value | undefined {
    switch (value.kind) {
      case "module":
        return { kind: "module", module: value.module };
      case "from": {
        if (value.module.startsWith(".")) {
          return { kind: "opaque", key: `${value.module}.${value.attr}`, name: value.attr };
        }
        try {
          return this.moduleAttr(value.module, value.attr) ??
            { kind: "opaque", key: `${value.module}.${value.attr}`, name: value.attr };
        } catch {
          return undefined; // ImportError: nothing is bound
        }
      }
      case "expr":
        try {
          return this.evalPath(value.path, ns);
        } catch {
          return undefined; // the assignment raised; the old binding stays
        }
      case "opaque":
      case "function":
        return { kind: "opaque", key: `binding#${++this.bindings}`, name };
    }
  }

  /** `module.attr` for a recorded module; undefined when the module is not recorded. */
  moduleAttr(module: string, attr: string): Value | undefined {
    if (this.table.modules[`${module}.${attr}`]) {
      return { kind: "module", module: `${module}.${attr}` };
    }
    const names = this.table.modules[module];
    if (!names) return undefined;
    const entry = names[attr];
    if (entry === undefined) {
      throw new Raise("AttributeError", `module '${module}' has no attribute '${attr}'`);
    }
    if (typeof entry === "string") return { kind: "class", cls: this.type(entry) };
    return { kind: "entries", classes: entry.map((e) => this.type(e)) };
  }

  lookup(name: string, ns: Map<string, Value> | undefined): Value {
    const v = ns?.get(name) ?? this.module.get(name);
    if (v) return v;
    const builtin = this.table.modules.builtins[name];
    if (typeof builtin === "string") return { kind: "class", cls: this.type(builtin) };
    if (this.options.assumeUndefined || this.starUnknown) {
      return { kind: "opaque", key: `undefined:${name}`, name };
    }
    const failed = this.failed.get(name);
    throw new Raise(
      "NameError",
      `name '${name}' is not defined`,
      failed === undefined
        ? undefined
        : `${name} was never bound: its class statement on line ${failed} failed`,
    );
  }

  evalPath(path: readonly string[], ns: Map<string, Value> | undefined): Value {
    let v = this.lookup(path[0], ns);
    for (const attr of path.slice(1)) v = this.attribute(v, attr);
    return v;
  }

  attribute(v: Value, attr: string): Value {
    switch (v.kind) {
      case "module":
        return this.moduleAttr(v.module, attr) ??
          { kind: "opaque", key: `${v.module}.${attr}`, name: attr };
      case "opaque":
        return { kind: "opaque", key: `${v.key}.${attr}`, name: attr };
      case "class": {
        for (const c of v.cls.mro) {
          const found = c.namespace?.get(attr);
          if (found) return found;
        }
        throw new Raise("AttributeError", `type object '${v.cls.name}' has no attribute '${attr}'`);
      }
      case "entries":
        return { kind: "opaque", key: `entries.${attr}`, name: attr };
      case "unreadable":
        throw unreadable(v);
    }
  }

  /** Evaluates the bases list and applies `__mro_entries__`, as `__build_class__` does. */
  evalBases(s: ClassStatement, ns: Map<string, Value> | undefined): PyClass[] {
    const values: { value: Value; expr: BaseExpr }[] = [];
    for (const expr of s.bases) {
      if (expr.kind === "unsupported") {
        throw new Raise(
          "UnsupportedSyntax",
          `cannot read base '${expr.text}': ${expr.reason} (only names, dotted names and subscripts are read)`,
        );
      }
      values.push({ value: this.evalPath(expr.path, ns), expr });
    }
    if (s.typeParams && this.table.modules.typing) {
      // `class A[T](B)` is compiled as `class A(B, Generic[T])`.
      const generic = this.type("typing.Generic");
      values.push({
        value: { kind: "class", cls: generic },
        expr: { kind: "name", path: ["Generic"], subscripted: true, text: "Generic[T]" },
      });
    }
    // The common case: plain names of classes, nothing for __mro_entries__ to do.
    if (
      values.every((v) =>
        v.value.kind === "class" && !(v.expr.kind === "name" && v.expr.subscripted)
      )
    ) {
      return values.map((v) => (v.value as { cls: PyClass }).cls);
    }
    const protocol = this.table.modules.typing?.Protocol;
    const hasProtocol = values.some((v) => v.value.kind === "class" && v.value.cls.id === protocol);
    // What typing counts as a generic alias (`X[...]`, `typing.List`) or a Generic subclass.
    const isAlias = (v: { value: Value; expr: BaseExpr }) =>
      (v.expr.kind === "name" && v.expr.subscripted) || v.value.kind === "entries";
    const isGeneric = (v: { value: Value; expr: BaseExpr }) =>
      isAlias(v) ||
      (v.value.kind === "class" && v.value.cls.mro.some((c) => c.id === "typing.Generic"));
    const bases: PyClass[] = [];
    values.forEach(({ value, expr }, i) => {
      const later = () => values.slice(i + 1);
      switch (value.kind) {
        case "class":
          // typing's `Generic[T].__mro_entries__` gives nothing when a later base is generic too.
          // A repeated `Generic[T]` is the same cached alias object, which does not count.
          if (
            expr.kind === "name" && expr.subscripted && value.cls.id === "typing.Generic" &&
            (hasProtocol || later().some((v) => isAlias(v) && !sameAlias(v, { value, expr })))
          ) return;
          bases.push(value.cls);
          return;
        case "entries": {
          const [origin, generic] = value.classes;
          if (value.classes.length !== 2 || generic.id !== "typing.Generic") {
            bases.push(...value.classes);
            return;
          }
          // `typing.List[int]` gives `list` (unless listed itself) and `Generic` (unless a later
          // base is generic), as `_BaseGenericAlias.__mro_entries__` does.
          if (!values.some((v) => v.value.kind === "class" && v.value.cls === origin)) {
            bases.push(origin);
          }
          if (!later().some(isGeneric)) bases.push(generic);
          return;
        }
        case "opaque":
          bases.push(this.opaqueClass(value.key, value.name));
          return;
        case "module":
          throw new Raise("TypeError", "module() takes at most 2 arguments (3 given)");
        case "unreadable":
          throw unreadable(value);
      }
    });
    return bases;
  }

  execClass(s: ClassStatement, ns: Map<string, Value> | undefined): void {
    const outcome: ClassOutcome = { statement: s };
    this.outcomes.push(outcome);
    const scope = ns ?? this.module;
    const nameOf = (c: PyClass) => c.qualname;
    try {
      const bases = this.evalBases(s, ns);
      outcome.bases = bases;
      const meta = this.algo === "c3" ? this.metaclass(s, ns, bases) : undefined;
      const isEnum = meta !== undefined && meta.mro.some((c) => c.id === "enum.EnumType");
      if (isEnum) checkEnumBases(s.name, bases);
      // Most bodies bind nothing; they share one empty namespace that is never written.
      const body = s.body.length ? new Map<string, Value>() : emptyNamespace;
      this.exec(s.body, body);
      const cls: PyClass = {
        uid: uids++,
        name: s.name,
        qualname: s.qualname,
        line: s.line,
        bases,
        mro: [],
        newStyle: this.algo === "c3" ||
          (this.algo === "py2" &&
            (bases.some((b) => b.newStyle) || this.py2Metaclass(body, bases))),
        basetype: true,
        itemsize: 0,
        namespace: body,
        meta,
      };
      if (!cls.newStyle) {
        cls.mro = linearizeClassic(cls, bases, (b) => b.mro);
        if (this.options.explain) {
          outcome.explain = explainClassic(cls, bases, (b) => b.mro, nameOf);
        }
      } else {
        const effective = bases.length ? bases : [this.object];
        cls.bases = effective;
        const best = this.bestBase(effective);
        cls.itemsize = best.itemsize;
        cls.solid = this.algo === "py2" && best.id !== undefined && best.itemsize !== 0
          ? cls
          : best.solid;
        if (this.options.explain) {
          outcome.explain = explainC3(cls, effective, (b) => b.mro, nameOf);
        }
        const result = linearizeC3(cls, effective, (b) => b.mro, byUid);
        if (!result.ok) throw new Raise("TypeError", c3ErrorMessage(result, (c) => c.name));
        cls.mro = result.mro;
      }
      // An enum with members cannot be subclassed; nested classes are not members (3.13).
      if (isEnum) {
        cls.enumMembers = s.body.some((b) =>
          b.kind === "bind" && b.value.kind !== "function" && !b.name.startsWith("_")
        );
      }
      outcome.cls = cls;
      scope.set(s.name, { kind: "class", cls });
      if (!ns) this.failed.delete(s.name);
    } catch (err) {
      if (!(err instanceof Raise)) throw err;
      outcome.error = { type: err.type, message: err.message };
      if (!ns && !scope.has(s.name)) this.failed.set(s.name, s.line);
      if (err.type === "UnsupportedSyntax") {
        scope.set(s.name, { kind: "unreadable", qualname: s.qualname, line: s.line });
      }
      if (this.options.explain && !outcome.explain) {
        outcome.explain = [`L[${s.qualname}] cannot be computed`];
        if (err.hint) outcome.explain.push(`  ${err.hint}`);
        outcome.explain.push(`${err.type}: ${err.message}`);
      }
    }
  }

  /**
   * `__build_class__`'s metaclass: the `metaclass=` argument (or the first base's type, or
   * `type`), made the most derived of the bases' metaclasses (`_PyType_CalculateMetaclass`).
   */
  metaclass(
    s: ClassStatement,
    ns: Map<string, Value> | undefined,
    bases: readonly PyClass[],
  ): PyClass | undefined {
    let winner: PyClass | undefined = bases.length ? bases[0].meta : this.type("builtins.type");
    if (s.metaclass?.kind === "name") {
      // Evaluated for its errors; a metaclass we cannot see into (a factory function, an unknown
      // import) most often ends in type(name, bases, ns), which runs the same checks.
      const v = this.evalPath(s.metaclass.path, ns);
      if (v.kind === "class" && v.cls.mro.some((c) => c.id === "builtins.type")) winner = v.cls;
    }
    if (!winner) return undefined;
    for (const b of bases) {
      const t = b.meta;
      if (!t || winner.mro.includes(t)) continue;
      if (t.mro.includes(winner)) winner = t;
      else {
        throw new Raise(
          "TypeError",
          "metaclass conflict: the metaclass of a derived class must be a (non-strict) subclass of the metaclasses of all its bases",
          `the metaclasses ${winner.qualname} and ${t.qualname} (of ${b.qualname}) are unrelated`,
        );
      }
    }
    return winner;
  }

  /**
   * Python 2's `__metaclass__` (in the class body, or for a class without bases in the module)
   * makes a class new-style; with only classic bases that is an error.
   */
  py2Metaclass(body: Map<string, Value>, bases: readonly PyClass[]): boolean {
    if (body.has("__metaclass__")) {
      if (bases.length) {
        throw new Raise("TypeError", "a new-style class can't have only classic bases");
      }
      return true;
    }
    return bases.length === 0 && this.module.has("__metaclass__");
  }

  /** CPython's `best_base`: every base must be subclassable and their layouts compatible. */
  bestBase(bases: readonly PyClass[]): PyClass {
    let winner: PyClass | undefined;
    let base: PyClass | undefined;
    for (const b of bases) {
      if (!b.newStyle) continue;
      if (!b.basetype) {
        throw new Raise("TypeError", `type '${b.name}' is not an acceptable base type`);
      }
      const candidate = b.solid!;
      if (!winner) {
        winner = candidate;
        base = b;
      } else if (winner.mro.includes(candidate)) {
        // the winner's layout extends the candidate's
      } else if (candidate.mro.includes(winner)) {
        winner = candidate;
        base = b;
      } else {
        throw new Raise(
          "TypeError",
          "multiple bases have instance lay-out conflict",
          `${
            base!.qualname
          } stores its instances as ${winner.qualname}, ${b.qualname} as ${candidate.qualname}: one object cannot be both`,
        );
      }
    }
    return base!;
  }
}

/**
 * `EnumType.__prepare__`: no base may be (or derive from) an enum that has members, and the last
 * base must be an enum.
 */
function checkEnumBases(name: string, bases: readonly PyClass[]): void {
  for (const chain of bases) {
    for (const base of chain.mro) {
      if (!base.enumMembers) continue;
      const kind = base.mro.some((c) => c.id === "enum.Flag") ? "flag" : "enum";
      throw new Raise("TypeError", `<enum '${name}'> cannot extend <${kind} '${base.name}'>`);
    }
  }
  const last = bases[bases.length - 1];
  if (last && !last.meta?.mro.some((c) => c.id === "enum.EnumType")) {
    throw new Raise(
      "TypeError",
      "new enumerations should be created as `EnumName([mixin_type, ...] [data_type,] enum_type)`",
    );
  }
}

/** Whether two subscripted bases are the same alias object (typing caches `X[args]`). */
function sameAlias(a: { value: Value; expr: BaseExpr }, b: { value: Value; expr: BaseExpr }) {
  const args = (e: BaseExpr) => e.text.slice(e.text.indexOf("[")).replace(/\s+/g, "");
  return a.value.kind === "class" && b.value.kind === "class" && a.value.cls === b.value.cls &&
    a.expr.kind === "name" && b.expr.kind === "name" && args(a.expr) === args(b.expr);
}

function unreadable(v: { qualname: string; line: number }): Raise {
  return new Raise(
    "UnsupportedSyntax",
    `cannot use '${v.qualname}': its class statement on line ${v.line} could not be read`,
  );
}
