// Runs a module's class statements the way Python would, as if each `class` statement were wrapped
// in its own try/except. A class statement is CPython's `__build_class__`: the arguments are
// evaluated, `__mro_entries__` replaces the bases that are no classes, the metaclass is chosen,
// the body runs, the metaclass is called (typing's and enum's metaclasses check the bases their
// way), `type.__new__` checks the layout and computes the MRO, and `__init_subclass__` gets the
// keyword arguments. A class that fails is not bound, so later statements naming it fail with
// `name 'X' is not defined`. What toolkit cannot evaluate is reported as `UnsupportedSyntax`.
import { explainC3, explainClassic } from "./explain.ts";
import { c3ErrorMessage, linearizeC3 } from "./linearize_c3.ts";
import { linearizeClassic } from "./linearize_classic.ts";
import { pythonTypes, type TypeRecord, type TypeTable, type ValueRecord } from "./python_types.ts";
import type { BaseExpr, ClassStatement, KeywordArg, Statement, ValueExpr } from "./read_classes.ts";

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
  /**
   * A stand-in: `unknown` for something imported from elsewhere or bound by a call, `assumed`
   * for an undefined name under `--assume-undefined`; `instance` for a base that is no class
   * (then `meta` is its type and `qualname` the expression).
   */
  stand?: "unknown" | "assumed" | "instance";
  /** Some class in the MRO besides `object` defines `__init_subclass__`. */
  initHook?: boolean;
  /** The class `NewType.__mro_entries__` makes, whose `__init_subclass__` refuses: the NewType. */
  newTypeOf?: string;
  /** Its body was copied on with setattr (NamedTupleMeta): a `def` in it is a plain function. */
  copiedNamespace?: boolean;
}

let uids = 0;
const emptyNamespace: Map<string, Value> = new Map();
const byUid = { index: (c: PyClass) => c.uid! };

/** What a name can be bound to. */
export type Value =
  | { kind: "class"; cls: PyClass }
  | { kind: "module"; module: string }
  /** Something we cannot see into (an unknown import, a call result); it acts as a class. */
  | { kind: "opaque"; key: string; name: string; assumed?: boolean }
  /** A typing alias whose `__mro_entries__` gives these classes (`typing.List`). */
  | { kind: "entries"; classes: PyClass[] }
  /** `X[...]`: an alias of a class, of a typing alias or of something opaque. */
  | { kind: "subscript"; of: Value; args: string }
  /**
   * An object that is no class, of type `type`: a literal, a display (`items` of a tuple or
   * list, `keywords` of a dict with plain string keys), a function, a recorded constant.
   */
  | {
    kind: "instance";
    type: PyClass;
    text: string;
    items?: Value[];
    /** A dict display's keys and values; a key that is no string is marked. */
    keywords?: { name: string; value: Value; nonString?: boolean }[];
    /** What `__mro_entries__` gives (`typing.NamedTuple`) or raises (`typing.Union`). */
    entries?: PyClass[];
    raises?: string;
    /** A `def` of the input. */
    userFunction?: boolean;
    /** `typing.NewType(name, ...)`: its name. */
    newType?: string;
  }
  /** A class whose statement could not be read. */
  | { kind: "unreadable"; qualname: string; line: number };

/** The error a class statement raised, as Python would name it. */
export interface ClassError {
  /**
   * `TypeError`, `NameError`, `AttributeError`..., or `UnsupportedSyntax` for what toolkit cannot
   * read or evaluate.
   */
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

/** An expression toolkit does not read (a call, an operator): `UnsupportedSyntax`. */
function notRead(what: string, reason: string): Raise {
  return new Raise(
    "UnsupportedSyntax",
    `cannot read ${what}: ${reason} (only names, subscripts, literals and displays are read)`,
  );
}

/** What toolkit cannot evaluate: an `UnsupportedSyntax` error naming the expression and why. */
function cannotEvaluate(what: string, why: string): Raise {
  return new Raise("UnsupportedSyntax", `cannot evaluate ${what}: ${why}`);
}

/**
 * Executes the statements of one module (from {@linkcode readClassStatements}) and returns one
 * outcome per class statement that ran, in source order. Never throws for Python-level errors:
 * they are outcomes, as CPython would raise them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readClassStatements } from "./read_classes.ts";
 * import { resolveClasses } from "./resolve.ts";
 *
 * const out = resolveClasses(readClassStatements("class A: pass\nclass B(A, A): pass\n"));
 * assert.deepEqual(out[0].cls?.mro.map((c) => c.qualname), ["A", "object"]);
 * assert.deepEqual(out[1].error, { type: "TypeError", message: "duplicate base class A" });
 * ```
 */
export function resolveClasses(
  statements: readonly Statement[],
  options: ResolveOptions = {},
): ClassOutcome[] {
  return new Interpreter(options).run(statements);
}

const typeCache = new Map<TypeTable, Map<string, PyClass>>();

// typing's `_PROTO_ALLOWLIST`: classes outside typing a protocol may inherit from.
const protocolAllowlist: Record<string, string[]> = {
  "collections.abc": [
    "Callable",
    "Awaitable",
    "Iterable",
    "Iterator",
    "AsyncIterable",
    "Hashable",
    "Sized",
    "Container",
    "Collection",
    "Reversible",
    "Buffer",
  ],
  contextlib: ["AbstractContextManager", "AbstractAsyncContextManager"],
};

/**
 * The recorded `__init_subclass__` hooks and what each does with keyword arguments: `pass` hands
 * them on to the next class in the MRO (typing.Generic checks the bases after that), `none`
 * takes none (`string.Template`), `final` is typing's `_Final` (refuses any subclass without
 * `_root=True`). tests/lib/mro_resolve_test.ts checks that every recorded hook is listed here.
 */
export const initSubclassHooks: Record<string, "pass" | "none" | "final"> = {
  "typing.Generic": "pass",
  "typing.Protocol": "pass",
  "unittest.case.TestCase": "pass",
  "string.Template": "none",
  "typing._Final": "final",
};

/**
 * The recorded metaclasses' `__new__` and the keyword arguments each takes for itself (the rest
 * go on to `type.__new__`). NamedTupleMeta and _TypedDictMeta build the class their own way.
 */
export const metaclassNew: Record<string, string[]> = {
  "abc.ABCMeta": [],
  "collections.abc._DeprecateByteStringMeta": [],
  "enum.EnumType": ["boundary", "_simple"],
  "typing._ProtocolMeta": [],
  "typing.NamedTupleMeta": [],
  "typing._TypedDictMeta": ["total"],
};

/** An evaluated argument: its value and the expression it came from (for messages). */
interface Arg {
  value: Value;
  text: string;
}

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
    cls.initHook = r.initSubclass === true || cls.bases.some((b) => b.initHook);
    if (r.enumMembers) cls.enumMembers = true;
    return cls;
  }

  record(cls: PyClass): TypeRecord | undefined {
    return cls.id === undefined ? undefined : this.table.types[cls.id];
  }

  /** A stand-in class for something we cannot see into, one per key. */
  opaqueClass(key: string, name: string, assumed = false): PyClass {
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
        stand: assumed ? "assumed" : "unknown",
      };
      cls.mro = classic ? [cls] : [cls, this.object];
      if (!classic) cls.meta = this.type("builtins.type");
      this.opaque.set(key, cls);
    }
    return cls;
  }

  /** The class `NewType.__mro_entries__` gives, a new one each time. */
  newTypeDummy(newType: string): PyClass {
    const dummy: PyClass = {
      uid: uids++,
      name: "Dummy",
      qualname: "NewType.__mro_entries__.<locals>.Dummy",
      bases: [this.object],
      mro: [],
      newStyle: true,
      basetype: true,
      itemsize: 0,
      solid: this.object,
      meta: this.type("builtins.type"),
      initHook: true,
      newTypeOf: newType,
    };
    dummy.mro = [dummy, this.object];
    return dummy;
  }

  /** A base that is no class: drawn with its expression, its type standing in for a metaclass. */
  instanceBase(type: PyClass, text: string): PyClass {
    return {
      name: text,
      qualname: text,
      bases: [],
      mro: [],
      newStyle: true,
      basetype: false,
      itemsize: 0,
      meta: type,
      stand: "instance",
    };
  }

  /** The value of a literal of builtins type `name` (`int`, `NoneType`...). */
  instanceOf(name: string, text: string): Extract<Value, { kind: "instance" }> {
    if (this.algo !== "c3" || !this.table.types[`builtins.${name}`]) {
      throw cannotEvaluate(`'${text}'`, "only classes are followed as Python 2 bases");
    }
    return { kind: "instance", type: this.type(`builtins.${name}`), text };
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
    // `__all__` when the module has one, else every public name.
    const star = this.table.star?.[module] ?? Object.keys(names).filter((n) => !n.startsWith("_"));
    for (const name of star) {
      if (names[name] !== undefined) scope.set(name, this.moduleAttr(module, name)!);
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
        // An AttributeError here is Python's ImportError: nothing is bound.
        return this.assigned(name, () =>
          this.moduleAttr(value.module, value.attr) ??
            { kind: "opaque", key: `${value.module}.${value.attr}`, name: value.attr });
      }
      case "expr":
        return this.assigned(name, () => this.evalValue(value.value, ns));
      case "call":
        return this.assigned(name, () => this.callValue(name, value, ns));
      case "function":
        if (!value.decorated && this.algo === "c3") {
          return { ...this.instanceOf("function", name), userFunction: true };
        }
        return { kind: "opaque", key: `binding#${++this.bindings}`, name };
      case "opaque":
        return { kind: "opaque", key: `binding#${++this.bindings}`, name };
    }
  }

  /**
   * What `name = callee(...)` binds: an instance of a recorded class (`TypeVar("T")`), or
   * something opaque that acts as a class (a factory, `type(...)`, an enum's functional API).
   */
  callValue(
    name: string,
    { callee, first }: { callee: string[]; first?: string },
    ns: Map<string, Value> | undefined,
  ): Value {
    const f = this.evalPath(callee, ns);
    if (f.kind === "class" && f.cls.id === "typing.NewType" && first !== undefined) {
      const newType = first.slice(first.lastIndexOf(".") + 1);
      return { kind: "instance", type: f.cls, text: `${callee.join(".")}(...)`, newType };
    }
    const record = f.kind === "class" ? this.record(f.cls) : undefined;
    if (f.kind === "class" && record && this.algo === "c3") {
      const isMeta = f.cls.mro.some((c) => c.id === "builtins.type");
      const callHook = f.cls.meta!.mro.some((m) => this.record(m)?.metaHooks?.includes("__call__"));
      if (!isMeta && !callHook) {
        return {
          kind: "instance",
          type: f.cls,
          text: `${callee.join(".")}(...)`,
          ...(record.instanceRaises !== undefined ? { raises: record.instanceRaises } : {}),
        };
      }
    }
    return { kind: "opaque", key: `binding#${++this.bindings}`, name };
  }

  /**
   * The value an assignment binds. When evaluating it raises (a `NameError`), nothing is bound
   * and the old binding stays, as in Python; what toolkit cannot evaluate binds something opaque.
   */
  assigned(name: string, evaluate: () => Value): Value | undefined {
    try {
      return evaluate();
    } catch (err) {
      if (!(err instanceof Raise)) throw err;
      if (err.type !== "UnsupportedSyntax") return undefined;
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
    return this.recordedValue(entry, `${module}.${attr}`);
  }

  recordedValue(entry: string | string[] | ValueRecord, text: string): Value {
    if (typeof entry === "string") return { kind: "class", cls: this.type(entry) };
    if (Array.isArray(entry)) return { kind: "entries", classes: entry.map((e) => this.type(e)) };
    if (entry.module !== undefined) return { kind: "module", module: entry.module };
    return {
      kind: "instance",
      type: this.type(entry.type),
      text,
      ...(entry.entries ? { entries: entry.entries.map((e) => this.type(e)) } : {}),
      ...(entry.raises !== undefined ? { raises: entry.raises } : {}),
    };
  }

  lookup(name: string, ns: Map<string, Value> | undefined): Value {
    const v = ns?.get(name) ?? this.module.get(name);
    if (v) return v;
    const builtin = this.table.modules.builtins[name];
    if (builtin !== undefined) return this.recordedValue(builtin, name);
    if (this.options.assumeUndefined || this.starUnknown) {
      return {
        kind: "opaque",
        key: `undefined:${name}`,
        name,
        assumed: this.options.assumeUndefined,
      };
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
        return { kind: "opaque", key: `${v.key}.${attr}`, name: attr, assumed: v.assumed };
      case "class": {
        for (const c of v.cls.mro) {
          const found = c.namespace?.get(attr);
          if (found) return found;
        }
        if (v.cls.stand) return { kind: "opaque", key: `${v.cls.qualname}.${attr}`, name: attr };
        throw new Raise("AttributeError", `type object '${v.cls.name}' has no attribute '${attr}'`);
      }
      case "unreadable":
        throw unreadable(v);
      default:
        // Attributes of aliases and other objects: nothing a class statement can use is known.
        return { kind: "opaque", key: `${describe(v)}.${attr}`, name: attr };
    }
  }

  /**
   * Evaluates an expression as Python would (names looked up, subscripts and displays built);
   * what toolkit cannot evaluate raises `UnsupportedSyntax`.
   */
  evalValue(expr: ValueExpr, ns: Map<string, Value> | undefined): Value {
    switch (expr.kind) {
      case "name": {
        const v = this.evalPath(expr.path, ns);
        if (!expr.subscripted) return v;
        // `X[...]`: the object first, then what the subscript names.
        for (const path of expr.subscriptNames ?? []) this.evalPath(path, ns);
        return this.subscript(v, expr.text);
      }
      case "literal":
        return this.instanceOf(expr.type, expr.text);
      case "display": {
        const items: Value[] = [];
        for (const item of expr.items) items.push(...this.evalItem(item, ns));
        const keywords = expr.keywords?.map((k, i) => ({
          name: k.name,
          value: items[2 * i + 1],
          ...(k.nonString ? { nonString: true } : {}),
        }));
        // A set's order is its hash order: only one with a single item has a known order.
        const ordered = expr.type === "tuple" || expr.type === "list" ||
          (expr.type === "set" && items.length <= 1);
        return {
          ...this.instanceOf(expr.type, expr.text),
          ...(ordered ? { items } : {}),
          ...(keywords ? { keywords } : {}),
        };
      }
      case "unsupported":
        throw notRead(`'${expr.text}'`, expr.reason);
    }
  }

  /** One positional item: `expr`, or `*expr` spliced in (as a class statement's bases are). */
  evalItem(item: BaseExpr, ns: Map<string, Value> | undefined): Value[] {
    if (item.kind === "unsupported") throw notRead(`base '${item.text}'`, item.reason);
    if (item.kind !== "starred") return [this.evalValue(item, ns)];
    if (item.value.kind === "unsupported") throw notRead(`base '${item.text}'`, item.value.reason);
    const v = this.evalValue(item.value, ns);
    if (v.kind === "instance" && v.items) return v.items;
    const not = this.notIterable(v);
    if (not) throw new Raise("TypeError", `Value after * must be an iterable, not ${not}`);
    throw cannotEvaluate(
      `'${item.text}'`,
      "what it unpacks is only known when the module runs",
    );
  }

  /** The class of a value, when known: `type(v)`. */
  typeOf(v: Value): PyClass | undefined {
    switch (v.kind) {
      case "class":
        return v.cls.stand ? undefined : v.cls.meta;
      case "instance":
        return v.type;
      case "module":
        return this.type("builtins.module");
      default:
        return undefined;
    }
  }

  /** The type name CPython prints for a value that cannot be iterated, or undefined. */
  notIterable(v: Value): string | undefined {
    const type = this.typeOf(v);
    if (!type) return undefined;
    // Classes iterate only when their metaclass says so (EnumType does); these do not.
    if (["builtins.type", "abc.ABCMeta", "builtins.module"].includes(type.id ?? "")) {
      return tpName(type, this.record(type));
    }
    if (v.kind === "instance" && scalars.includes(type.id ?? "")) return type.name;
    return undefined;
  }

  /** `v[...]`: a typing or `types.GenericAlias` of a class, or CPython's `TypeError`. */
  subscript(v: Value, text: string): Value {
    const args = text.slice(text.indexOf("[")).replace(/\s+/g, "");
    // Python 2 bases: a subscript is read as the class it subscripts.
    if (this.algo !== "c3" && v.kind !== "unreadable") return { kind: "subscript", of: v, args };
    switch (v.kind) {
      case "class": {
        const cls = v.cls;
        if (cls.stand) return { kind: "subscript", of: v, args };
        // `type(cls).__getitem__` comes first: an enum class gives a member.
        const meta = cls.meta?.mro ?? [];
        if (meta.some((m) => m.id === "enum.EnumType" || m.namespace?.has("__getitem__"))) {
          throw cannotEvaluate(`'${text}'`, `${cls.name}[...] is not a class toolkit can follow`);
        }
        const getitem = cls.mro.some((c) =>
          c.namespace?.has("__class_getitem__") || this.record(c)?.classGetitem
        );
        if (!getitem) {
          throw new Raise(
            "TypeError",
            `type '${tpName(cls, this.record(cls))}' is not subscriptable`,
          );
        }
        return { kind: "subscript", of: v, args };
      }
      case "entries":
      case "opaque":
        return { kind: "subscript", of: v, args };
      case "module":
        throw new Raise("TypeError", "'module' object is not subscriptable");
      case "unreadable":
        throw unreadable(v);
      default:
        throw cannotEvaluate(`'${text}'`, "what this subscript gives is not known to toolkit");
    }
  }

  /** The positional arguments, `*` unpacked, in order; then the keyword arguments, `**` unpacked. */
  evalArgs(s: ClassStatement, ns: Map<string, Value> | undefined) {
    const positional: Arg[] = [];
    for (const expr of s.bases) {
      const values = this.evalItem(expr, ns);
      const text = expr.kind === "starred" ? expr.value.text : expr.text;
      for (const value of values) positional.push({ value, text: describe(value, text) });
    }
    const keywords: [string, Value | undefined][] = [];
    let nonString = false;
    const add = (name: string, value: Value | undefined) => {
      if (keywords.some(([k]) => k === name)) {
        throw new Raise(
          "TypeError",
          `__build_class__() got multiple values for keyword argument '${name}'`,
        );
      }
      keywords.push([name, value]);
    };
    for (const kw of s.keywords) {
      if (kw.name !== "**") {
        add(kw.name, this.keywordValue(kw, ns));
        continue;
      }
      const v = kw.value.kind === "unsupported" ? undefined : this.evalValue(kw.value, ns);
      if (v?.kind === "instance" && v.keywords) {
        for (const k of v.keywords) add(k.name, k.value);
        nonString ||= v.keywords.some((k) => k.nonString);
        continue;
      }
      const not = v && this.notMapping(v);
      if (not) {
        throw new Raise(
          "TypeError",
          `__build_class__() argument after ** must be a mapping, not ${not}`,
        );
      }
      throw cannotEvaluate(
        `'${kw.text}'`,
        "the keyword arguments it unpacks are only known when the module runs",
      );
    }
    // Merging `**` mappings checks duplicates; the call itself refuses keys that are no strings.
    if (nonString) throw new Raise("TypeError", "keywords must be strings");
    return { positional, keywords };
  }

  /**
   * A keyword argument's value. Only `metaclass`'s matters; the others are evaluated for their
   * errors when toolkit can. Undefined for a value toolkit does not evaluate: a call as metaclass
   * (a factory, which most often ends in `type(name, bases, ns)`), any other keyword's expression.
   */
  keywordValue(kw: KeywordArg, ns: Map<string, Value> | undefined): Value | undefined {
    if (kw.value.kind !== "unsupported") return this.evalValue(kw.value, ns);
    if (kw.name !== "metaclass" || kw.value.reason === "a call") return undefined;
    throw cannotEvaluate(`'${kw.text}'`, `${kw.value.reason} is not read`);
  }

  /** The type name CPython prints for a value that is no mapping, or undefined. */
  notMapping(v: Value): string | undefined {
    const type = this.typeOf(v);
    if (!type) return undefined;
    if (v.kind === "instance") {
      const sequences = ["tuple", "list", "set", "str", "bytes"].map((t) => `builtins.${t}`);
      return [...scalars, ...sequences].includes(type.id ?? "") ? type.name : undefined;
    }
    return ["builtins.type", "abc.ABCMeta", "builtins.module"].includes(type.id ?? "")
      ? tpName(type, this.record(type))
      : undefined;
  }

  execClass(s: ClassStatement, ns: Map<string, Value> | undefined): void {
    const outcome: ClassOutcome = { statement: s };
    this.outcomes.push(outcome);
    const scope = ns ?? this.module;
    const step = { merged: false };
    try {
      const cls = this.algo === "c3"
        ? this.buildClass(s, ns, outcome, step)
        : this.buildClassPy2(s, ns, outcome);
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
      if (this.options.explain && (!outcome.explain || step.merged)) {
        // Before the merge: say why it never ran. After it: what refused the class.
        outcome.explain ??= [`L[${s.qualname}] cannot be computed`];
        if (err.hint) outcome.explain.push(`  ${err.hint}`);
        outcome.explain.push(err.message ? `${err.type}: ${err.message}` : err.type);
      }
    }
  }

  /** Python 3's `__build_class__`, then the metaclass's `__new__` and `__init_subclass__`. */
  buildClass(
    s: ClassStatement,
    ns: Map<string, Value> | undefined,
    outcome: ClassOutcome,
    step: { merged: boolean },
  ): PyClass {
    const { positional, keywords } = this.evalArgs(s, ns);
    if (s.typeParams) {
      // `class A[T](B)` is compiled as `class A(B, Generic[T])`, with its own T.
      const generic: Value = { kind: "class", cls: this.type("typing.Generic") };
      positional.push({
        value: { kind: "subscript", of: generic, args: "[<type params>]" },
        text: "Generic[T]",
      });
    }
    const { bases, changed } = this.updateBases(positional);
    outcome.bases = bases;
    // The metaclass: `metaclass=` (or the first base's type), made the most derived of the bases'
    // types. One that is no class is called as is, after the body.
    const given = keywords.find(([k]) => k === "metaclass")?.[1];
    const kwargs = keywords.filter(([k]) => k !== "metaclass").map(([k]) => k);
    let meta = bases.length ? bases[0].meta! : this.type("builtins.type");
    let callable: Value | undefined;
    if (given?.kind === "class") meta = given.cls;
    else if (given?.kind === "unreadable") throw unreadable(given);
    else if (given && !assumedMetaclass(given)) callable = given;
    const winner = callable ? undefined : this.calculateMetaclass(meta, bases);
    const isEnum = winner?.mro.some((c) => c.id === "enum.EnumType") === true;
    if (isEnum) checkEnumBases(s.name, bases);
    // Most bodies bind nothing; they share one empty namespace that is never written.
    const body = s.body.length ? new Map<string, Value>() : emptyNamespace;
    this.exec(s.body, body);
    if (!winner) throw this.callObject(callable!, s);
    if (!winner.mro.some((c) => c.id === "builtins.type")) throw this.callClass(winner, kwargs);
    const hook = this.metaclassNew(winner);
    // The keyword arguments left for `__init_subclass__`; undefined when a `__new__` of the
    // input's takes them (toolkit does not run it).
    const rest: string[] | undefined = hook === "user"
      ? undefined
      : kwargs.filter((k) => !(metaclassNew[hook] ?? []).includes(k));
    let cls: PyClass;
    const created = { s, body, outcome, step };
    if (hook === "typing.NamedTupleMeta") {
      if (rest!.length) throw unexpectedKeyword("NamedTupleMeta.__new__", rest![0]);
      cls = this.createNamedTuple(bases, created);
      // `nm_tpl.__init_subclass__()` when Generic is a base: the class's own hook first.
      if (cls.bases.some((b) => b.id === "typing.Generic")) {
        this.initSubclass(cls, [], positional, changed, 0);
      }
    } else if (hook === "typing._TypedDictMeta") {
      if (rest!.length) throw unexpectedKeyword("_TypedDictMeta.__new__", rest![0]);
      cls = this.createTypedDict(bases, winner, created);
      this.initSubclass(cls, [], positional, changed, 1);
    } else {
      if (hook === "typing._ProtocolMeta") this.checkProtocol(s, bases);
      cls = this.typeNew(bases, winner, created);
      this.initSubclass(cls, rest, positional, changed, 1);
    }
    // An enum with members cannot be subclassed; nested classes are not members (3.13).
    if (isEnum) {
      cls.enumMembers = s.body.some((b) =>
        b.kind === "bind" && b.value.kind !== "function" && !b.name.startsWith("_")
      );
    }
    return cls;
  }

  /** Python 2: classic classes (depth-first), or with `py2` new-style ones when a base is. */
  buildClassPy2(
    s: ClassStatement,
    ns: Map<string, Value> | undefined,
    outcome: ClassOutcome,
  ): PyClass {
    const bases = this.evalArgs(s, ns).positional.map(({ value, text }): PyClass => {
      switch (value.kind) {
        case "class":
          return value.cls;
        case "subscript":
          if (value.of.kind === "class") return value.of.cls;
          break;
        case "opaque":
          return this.opaqueClass(value.key, value.name, value.assumed);
        case "module":
          throw new Raise("TypeError", "module() takes at most 2 arguments (3 given)");
        case "unreadable":
          throw unreadable(value);
      }
      throw cannotEvaluate(`base '${text}'`, "only classes are followed as Python 2 bases");
    });
    outcome.bases = bases;
    const body = s.body.length ? new Map<string, Value>() : emptyNamespace;
    this.exec(s.body, body);
    const newStyle = this.algo === "py2" &&
      (bases.some((b) => b.newStyle) || this.py2Metaclass(body, bases));
    if (newStyle) return this.typeNew(bases, undefined, { s, body, outcome });
    const cls = this.newClass(s, bases, body, undefined);
    cls.newStyle = false;
    cls.mro = linearizeClassic(cls, bases, (b) => b.mro);
    if (this.options.explain) {
      outcome.explain = explainClassic(cls, bases, (b) => b.mro, nameOfClass);
    }
    return cls;
  }

  /** A class object for a statement, before its MRO is known. */
  newClass(
    s: ClassStatement,
    bases: PyClass[],
    body: Map<string, Value>,
    meta: PyClass | undefined,
  ): PyClass {
    return {
      uid: uids++,
      name: s.name,
      qualname: s.qualname,
      line: s.line,
      bases,
      mro: [],
      newStyle: true,
      basetype: true,
      itemsize: 0,
      namespace: body,
      meta,
      initHook: body.has("__init_subclass__") || bases.some((b) => b.initHook),
    };
  }

  /**
   * `type.__new__`: every base subclassable, compatible layouts (CPython's best base), no
   * duplicate, then the C3 merge.
   */
  typeNew(
    bases: PyClass[],
    meta: PyClass | undefined,
    created: Created,
    note?: string,
  ): PyClass {
    const { s, body, outcome, step } = created;
    if (bases.some((b) => b.stand === "instance")) {
      throw cannotEvaluate(`the bases of ${s.qualname}`, "a base is no class");
    }
    const effective = bases.length ? bases : [this.object];
    const cls = this.newClass(s, effective, body, meta);
    const best = this.bestBase(effective);
    cls.itemsize = best.itemsize;
    cls.solid = this.algo === "py2" && best.id !== undefined && best.itemsize !== 0
      ? cls
      : best.solid;
    if (this.options.explain) {
      outcome.explain = [
        ...(note ? [note] : []),
        ...explainC3(cls, effective, (b) => b.mro, nameOfClass),
      ];
    }
    const result = linearizeC3(cls, effective, (b) => b.mro, byUid);
    if (!result.ok) throw new Raise("TypeError", c3ErrorMessage(result, (c) => c.name));
    cls.mro = result.mro;
    if (step) step.merged = true;
    return cls;
  }

  /**
   * `_PyType_CalculateMetaclass`: the most derived of `meta` and the bases' types, or CPython's
   * conflict error. A base that is no class takes part through its type.
   */
  calculateMetaclass(meta: PyClass, bases: readonly PyClass[]): PyClass {
    let winner = meta;
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

  /** Calling a metaclass that is no class (`metaclass=1`): CPython's error, when it is known. */
  callObject(v: Value, s: ClassStatement): Raise {
    // CPython 3.13 suggests `m.m(...)` for a module with a callable of its own name.
    if (v.kind === "module") {
      const names = this.table.modules[v.module];
      if (names) {
        const own = names[v.module];
        const callable = own !== undefined &&
          (typeof own === "string" || (!Array.isArray(own) && own.type === "builtins.function"));
        const suggestion = callable ? `. Did you mean: '${v.module}.${v.module}(...)'?` : "";
        return new Raise("TypeError", `'module' object is not callable${suggestion}`);
      }
    }
    const type = v.kind === "module" ? undefined : this.typeOf(v);
    const message = type && v.kind !== "class" ? this.record(type)?.notCallable : undefined;
    if (message !== undefined) {
      return new Raise("TypeError", message, `the metaclass is called to create ${s.qualname}`);
    }
    const text = s.keywords.find((k) => k.name === "metaclass")?.text ?? "metaclass";
    return cannotEvaluate(`'${text}'`, "toolkit does not call it to see what it returns");
  }

  /**
   * Calling a class that is no metaclass (`metaclass=int`, `class A(1)`): the `TypeError` recorded
   * for a builtin, or `object`'s for a class of the input that keeps `object.__new__`.
   */
  callClass(winner: PyClass, kwargs: readonly string[]): Raise {
    const record = this.record(winner);
    if (!kwargs.length && record?.call !== undefined) return new Raise("TypeError", record.call);
    if (kwargs.length && record?.callKeywords !== undefined) {
      const message = record.callKeywords.replace("{n}", String(3 + kwargs.length))
        .replace("{keyword}", kwargs[0]);
      return new Raise("TypeError", message);
    }
    if (winner.id === undefined && !winner.stand) {
      const own = winner.mro.filter((c) => c.id === undefined);
      const first = winner.mro.find((c) => c.id !== undefined);
      const plain = own.every((c) =>
        !c.stand && !c.namespace?.has("__new__") && !c.namespace?.has("__init__")
      ) &&
        first !== undefined && this.record(first)?.plainNew === true &&
        winner.meta?.mro.every((m) =>
            m.id === undefined
              ? !m.namespace?.has("__call__")
              : !this.record(m)?.metaHooks?.includes("__call__")
          ) === true;
      if (plain) {
        return new Raise("TypeError", `${winner.name}() takes no arguments`);
      }
    }
    return cannotEvaluate(
      `the call of ${winner.qualname}`,
      `${winner.qualname} is no metaclass and toolkit does not run what calling it does`,
    );
  }

  /**
   * Whose `__new__` the metaclass runs: `type`'s, one of the recorded metaclasses toolkit
   * follows, or `user` for one of the input's (or an unknown one), which toolkit does not run.
   */
  metaclassNew(winner: PyClass): string {
    for (const c of winner.mro) {
      if (c.stand) return "user";
      if (c.id === undefined) {
        if (c.namespace?.has("__new__")) return "user";
        continue;
      }
      if (c.id === "builtins.type") return "type";
      if (this.record(c)?.metaHooks?.includes("__new__")) {
        return c.id in metaclassNew ? c.id : "user";
      }
    }
    return "type";
  }

  /**
   * typing's `NamedTupleMeta.__new__`: the bases may be only `NamedTuple` and `Generic`; the class
   * is made by `collections.namedtuple` and its `__bases__` set to the bases with `tuple` in
   * place of `NamedTuple`.
   */
  createNamedTuple(bases: PyClass[], created: Created): PyClass {
    const marker = this.type("typing.NamedTuple");
    if (!bases.includes(marker)) throw new Raise("AssertionError", "");
    for (const b of bases) {
      if (b === marker || b.id === "typing.Generic") continue;
      if (b.stand === "unknown") throw this.unknownBase(b, "a NamedTuple");
      throw new Raise(
        "TypeError",
        "can only inherit from a NamedTuple type and Generic",
        `a NamedTuple class can add only Generic to its bases, not ${b.qualname}`,
      );
    }
    const tuple = this.type("builtins.tuple");
    const real = bases.map((b) => (b === marker ? tuple : b));
    const note = `${created.s.qualname}.__bases__ = (${real.map(nameOfClass).join(", ")})`;
    const cls = this.typeNew(
      real,
      this.type("builtins.type"),
      created,
      `${note}: NamedTupleMeta makes it a tuple`,
    );
    cls.copiedNamespace = true;
    return cls;
  }

  /**
   * typing's `_TypedDictMeta.__new__`: every base must be a TypedDict (or `Generic`); the class
   * is built on `dict` (and `Generic` when a base is generic), not on its bases.
   */
  createTypedDict(bases: PyClass[], meta: PyClass, created: Created): PyClass {
    for (const b of bases) {
      if (b.meta?.id === "typing._TypedDictMeta" || b.id === "typing.Generic") continue;
      if (b.stand === "unknown") throw this.unknownBase(b, "a TypedDict");
      throw new Raise(
        "TypeError",
        "cannot inherit from both a TypedDict type and a non-TypedDict base class",
        `${b.qualname} is no TypedDict`,
      );
    }
    const generic = this.type("typing.Generic");
    const real = [
      ...(bases.some((b) => b.mro.includes(generic)) ? [generic] : []),
      this.type("builtins.dict"),
    ];
    return this.typeNew(
      real,
      meta,
      created,
      `${created.s.qualname}'s bases become (${
        real.map(nameOfClass).join(", ")
      }): every TypedDict is a dict`,
    );
  }

  /** `_ProtocolMeta.__new__`: a protocol's bases must be protocols (or a few allowed ABCs). */
  checkProtocol(s: ClassStatement, bases: readonly PyClass[]): void {
    if (s.name === "Protocol" && bases.length === 1 && bases[0].id === "typing.Generic") return;
    if (!bases.some((b) => b.id === "typing.Protocol")) return;
    for (const b of bases) {
      if (b.id === "builtins.object" || b.id === "typing.Generic") continue;
      const record = this.record(b);
      const generic = b.mro.some((c) => c.id === "typing.Generic");
      if (record) {
        if (protocolAllowlist[moduleOf(b)]?.includes(b.name)) continue;
        if (record.protocol && generic) continue;
      } else if (b.stand === "unknown") {
        throw this.unknownBase(b, "a protocol");
      } else if (
        generic &&
        (b.bases.some((c) => c.id === "typing.Protocol") || b.namespace?.has("_is_protocol"))
      ) continue;
      throw new Raise(
        "TypeError",
        `Protocols can only inherit from other protocols, got ${classRepr(b)}`,
        `${b.qualname} is no protocol: a Protocol's bases must be protocols`,
      );
    }
  }

  /** A base typing must look into, imported from elsewhere: toolkit cannot tell. */
  unknownBase(b: PyClass, what: string): Raise {
    return cannotEvaluate(
      `the bases of this class`,
      `whether ${b.qualname} is ${what} is not known (it is not defined in this module)`,
    );
  }

  /**
   * `super(cls, cls).__init_subclass__(**kwargs)`: the first hook after `cls` in its MRO gets the
   * keyword arguments; `object`'s takes none. typing.Generic's then checks the bases as written
   * (`positional`; `changed` when `__mro_entries__` replaced some, so `__orig_bases__` is set).
   * `kwargs` is undefined when a `__new__` toolkit does not run got them.
   */
  initSubclass(
    cls: PyClass,
    kwargs: string[] | undefined,
    positional: readonly Arg[],
    changed: boolean,
    start: number,
  ): void {
    const hooked = cls.bases.some((b) => b.initHook) ||
      (start === 0 && cls.namespace?.has("__init_subclass__"));
    if (!kwargs?.length && !hooked) return;
    let generic = false;
    walk: for (const c of cls.mro.slice(start)) {
      if (c.stand === "assumed") continue;
      if (c.newTypeOf !== undefined) {
        if (kwargs?.length) throw unexpectedKeyword(`${c.qualname}.__init_subclass__`, kwargs[0]);
        throw new Raise(
          "TypeError",
          `Cannot subclass an instance of NewType. Perhaps you were looking for: \`${cls.name} = NewType('${cls.name}', ${c.newTypeOf})\``,
        );
      }
      if (c.stand) break; // an unknown class: its hook, if any, is unknown
      if (c.id === undefined) {
        const hook = c.namespace?.get("__init_subclass__");
        if (!hook) continue;
        // NamedTupleMeta copies the body on with setattr: a def stays a plain function, which
        // `super().__init_subclass__()` calls without the class.
        if (c.copiedNamespace && hook.kind === "instance" && hook.userFunction) {
          throw new Raise(
            "TypeError",
            `${c.qualname}.__init_subclass__() missing 1 required positional argument: 'cls'`,
          );
        }
        break; // the input's hook: not run
      }
      if (c.id === "builtins.object") {
        if (kwargs?.length) {
          throw new Raise(
            "TypeError",
            `${cls.qualname}.__init_subclass__() takes no keyword arguments`,
            `then object.__init_subclass__ refuses it: no class in the MRO takes ${
              kwargs.join(", ")
            }`,
          );
        }
        break;
      }
      if (!this.record(c)?.initSubclass) continue;
      switch (initSubclassHooks[c.id]) {
        case "pass":
          if (c.id === "typing.Generic") generic = true;
          continue;
        case "none":
          if (kwargs?.length) throw unexpectedKeyword(`${c.qualname}.__init_subclass__`, kwargs[0]);
          break walk;
        case "final":
          if (kwargs !== undefined && !kwargs.includes("_root")) {
            throw new Raise(
              "TypeError",
              "Cannot subclass special typing classes",
              `then typing's ${c.qualname}.__init_subclass__ refuses it`,
            );
          }
          break walk;
        default:
          break walk;
      }
    }
    if (generic) checkGeneric(cls, positional, changed);
  }

  /**
   * `__mro_entries__` as `__build_class__` applies it: typing aliases give their origin (and
   * `Generic` unless a later base is generic), `Generic[T]` gives nothing when a later typing
   * alias or `Protocol` is there, `typing.NamedTuple` its marker class; a special form raises.
   * A base that is no class stays, drawn by its expression. `changed`: some base was replaced.
   */
  updateBases(positional: readonly Arg[]): { bases: PyClass[]; changed: boolean } {
    // The common case: plain classes, nothing for __mro_entries__ to do.
    if (positional.every((a) => a.value.kind === "class")) {
      return { bases: positional.map((a) => (a.value as { cls: PyClass }).cls), changed: false };
    }
    const values = positional.map((a) => a.value);
    const hasProtocol = values.some((v) => v.kind === "class" && v.cls.id === "typing.Protocol");
    const bases: PyClass[] = [];
    let changed = false;
    values.forEach((v, i) => {
      const later = values.slice(i + 1);
      switch (v.kind) {
        case "class":
          bases.push(v.cls);
          return;
        case "subscript": {
          changed = true;
          const of = v.of;
          if (of.kind === "entries") return this.aliasEntries(of.classes, values, later, bases);
          if (of.kind === "opaque") {
            return void bases.push(this.opaqueClass(of.key, of.name, of.assumed));
          }
          const origin = (of as { cls: PyClass }).cls;
          // typing's `Generic[T].__mro_entries__` gives nothing when a later base is a typing
          // alias too (a repeated `Generic[T]` is the same cached alias, which does not count).
          if (
            origin.id === "typing.Generic" &&
            (hasProtocol || later.some((b) => isTypingAlias(b) && !sameAlias(b, v)))
          ) return;
          return void bases.push(origin);
        }
        case "entries":
          changed = true;
          return this.aliasEntries(v.classes, values, later, bases);
        case "instance":
          if (v.raises !== undefined) throw new Raise("TypeError", v.raises);
          if (v.newType !== undefined) {
            changed = true;
            return void bases.push(this.newTypeDummy(v.newType));
          }
          if (v.entries) {
            changed = true;
            return void bases.push(...v.entries);
          }
          return void bases.push(this.instanceBase(v.type, v.text));
        case "module":
          return void bases.push(this.instanceBase(this.type("builtins.module"), v.module));
        case "opaque":
          return void bases.push(this.opaqueClass(v.key, v.name, v.assumed));
        case "unreadable":
          throw unreadable(v);
      }
    });
    return { bases, changed };
  }

  /**
   * `_BaseGenericAlias.__mro_entries__` (`typing.List[int]`): the origin unless it is listed
   * itself, then `Generic` unless a later base is generic.
   */
  aliasEntries(
    classes: PyClass[],
    values: readonly Value[],
    later: readonly Value[],
    bases: PyClass[],
  ): void {
    const [origin, generic] = classes;
    if (classes.length !== 2 || generic.id !== "typing.Generic") {
      bases.push(...classes);
      return;
    }
    if (!values.some((v) => v.kind === "class" && v.cls === origin)) bases.push(origin);
    const genericLater = (b: Value) =>
      isTypingAlias(b) ||
      (b.kind === "class" && b.cls.mro.includes(generic)) ||
      (b.kind === "instance" && b.entries?.some((e) => e.mro.includes(generic)) === true);
    if (!later.some(genericLater)) bases.push(generic);
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
        const name = tpName(b, this.record(b));
        throw new Raise("TypeError", `type '${name}' is not an acceptable base type`);
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

/** The builtins types of values that are neither iterable nor mappings. */
const scalars = ["int", "float", "complex", "bool", "NoneType", "ellipsis", "function"].map((t) =>
  `builtins.${t}`
);

/** What creating a class needs besides its bases and metaclass. */
interface Created {
  s: ClassStatement;
  body: Map<string, Value>;
  outcome: ClassOutcome;
  step?: { merged: boolean };
}

const nameOfClass = (c: PyClass) => c.qualname;

/** A metaclass toolkit assumes is `type`-like: a factory function or a call of the input's. */
function assumedMetaclass(v: Value): boolean {
  return v.kind === "opaque" || (v.kind === "subscript" && v.of.kind === "opaque") ||
    (v.kind === "instance" && v.userFunction === true);
}

/** An object typing counts as its alias (`_BaseGenericAlias`): `typing.List`, `Box[int]`... */
function isTypingAlias(v: Value): boolean {
  if (v.kind === "entries") return true;
  if (v.kind !== "subscript") return false;
  if (v.of.kind !== "class") return true;
  return v.of.cls.mro.some((c) => c.id === "typing.Generic");
}

/** Whether two subscripts are the same alias object (typing caches `X[args]`). */
function sameAlias(a: Value, b: Value): boolean {
  return a.kind === "subscript" && b.kind === "subscript" && a.of.kind === "class" &&
    b.of.kind === "class" && a.of.cls === b.of.cls && a.args === b.args;
}

/**
 * typing.Generic's `__init_subclass__` checks: no plain `Generic` among the bases as written, and
 * one `Generic[...]` at most.
 */
function checkGeneric(cls: PyClass, positional: readonly Arg[], changed: boolean): void {
  const isGeneric = (v: Value) => v.kind === "class" && v.cls.id === "typing.Generic";
  const plain = changed
    ? positional.some((a) => isGeneric(a.value))
    : cls.bases.some((b) => b.id === "typing.Generic") && cls.name !== "Protocol" &&
      cls.meta?.id !== "typing._TypedDictMeta";
  if (plain) {
    throw new Raise(
      "TypeError",
      "Cannot inherit from plain Generic",
      "then Generic.__init_subclass__ refuses it: plain Generic names no type variable (Generic[T] does)",
    );
  }
  const subscripts = positional.filter((a) =>
    a.value.kind === "subscript" && isGeneric(a.value.of)
  );
  if (changed && subscripts.length > 1) {
    throw new Raise(
      "TypeError",
      "Cannot inherit from Generic[...] multiple times.",
      "then Generic.__init_subclass__ refuses it: one Generic[...] lists every type variable",
    );
  }
}

function unexpectedKeyword(fn: string, keyword: string): Raise {
  return new Raise("TypeError", `${fn}() got an unexpected keyword argument '${keyword}'`);
}

/** The module of a recorded type: its id without the qualname. */
function moduleOf(cls: PyClass): string {
  return cls.id ? cls.id.slice(0, cls.id.length - cls.qualname.length - 1) : "__main__";
}

/** `repr(cls)` as CPython's `type.__repr__` writes it; the input's classes are in `__main__`. */
function classRepr(cls: PyClass): string {
  const module = cls.newTypeOf !== undefined ? "typing" : moduleOf(cls);
  return `<class '${module === "builtins" ? "" : module + "."}${cls.qualname}'>`;
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

/** CPython's `tp_name`: `typing.ParamSpec` for some C types, else `__name__`. */
function tpName(cls: PyClass, record: TypeRecord | undefined): string {
  return record?.tpName ?? cls.name;
}

/** A short text for a value, for stand-in bases and keys. */
function describe(v: Value, text?: string): string {
  switch (v.kind) {
    case "class":
      return v.cls.qualname;
    case "instance":
      return text ?? v.text;
    case "module":
      return v.module;
    case "opaque":
      return v.name;
    default:
      return text ?? v.kind;
  }
}

function unreadable(v: { qualname: string; line: number }): Raise {
  return new Raise(
    "UnsupportedSyntax",
    `cannot use '${v.qualname}': its class statement on line ${v.line} could not be read`,
  );
}
