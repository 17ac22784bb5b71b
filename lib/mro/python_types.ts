// The classes a Python module can use without defining them: builtins (and for Python 3 a few
// stdlib modules students subclass), with their bases, MROs and instance layouts, as recorded from
// CPython 3.13 and 2.7.18 by tests/fixtures/mro/dump_types.py. For Python 3 the record also holds
// the modules' other public names (functions, constants, typing's special forms) and the facts
// that typing's and enum's hooks act on.
import py313 from "./types_py313.json" with { type: "json" };
import py27 from "./types_py27.json" with { type: "json" };

/** One recorded type. Ids are `module.qualname`. */
export interface TypeRecord {
  name: string;
  qualname: string;
  bases: string[];
  mro: string[];
  /** Can be subclassed (Py_TPFLAGS_BASETYPE); `bool` cannot. */
  basetype: boolean;
  itemsize: number;
  /** The type whose instance layout this one shares (CPython's `solid_base`). */
  solid: string;
  /** Its metaclass, `type(t)`. */
  meta: string;
  /** A metaclass that defines these of `__new__`, `__init__`, `__call__`, `__prepare__` itself. */
  metaHooks?: string[];
  /** Defines `__init_subclass__` itself (not inherited from `object`). */
  initSubclass?: boolean;
  /** Defines `__class_getitem__` itself: `T[int]` is an alias. */
  classGetitem?: boolean;
  /** A typing protocol class (`_is_protocol`). */
  protocol?: boolean;
  /** Calling it runs `object`'s `__new__` and `__init__`: `X() takes no arguments`. */
  plainNew?: boolean;
  /** The name CPython's C code prints (`tp_name`) when it is not `name`: `typing.ParamSpec`. */
  tpName?: string;
  /** The `TypeError` of calling it as a metaclass, `t(name, bases, namespace)`. */
  call?: string;
  /**
   * The same with keyword arguments: `{n}` stands for the number of arguments, `{keyword}` for the
   * first keyword (`int() takes at most 2 arguments ({n} given)`).
   */
  callKeywords?: string;
  /** The `TypeError` of calling one of its instances (it is not callable). */
  notCallable?: string;
  /** An enum that defines members, which `EnumType` refuses to extend. */
  enumMembers?: boolean;
  /** What `__mro_entries__` of any instance raises (`Cannot subclass an instance of TypeVar`). */
  instanceRaises?: string;
}

/** A public name that is no class: its type, and what `__mro_entries__` makes of it. */
export interface ValueRecord {
  /** The type id of the value. */
  type: string;
  /** A module: its name. */
  module?: string;
  /** `__mro_entries__` gives these classes (`typing.NamedTuple` gives its marker class). */
  entries?: string[];
  /** `__mro_entries__` raises this `TypeError` (`Cannot subclass typing.Union`). */
  raises?: string;
}

/** A recorded interpreter: its types and, per module, what each public name is. */
export interface TypeTable {
  version: string;
  types: Record<string, TypeRecord>;
  /**
   * A name is a type id, the list of classes a typing alias's `__mro_entries__` gives
   * (`typing.List`), or another value.
   */
  modules: Record<string, Record<string, string | string[] | ValueRecord>>;
  /** A module's `__all__`: the names `from module import *` binds (else its public names). */
  star?: Record<string, string[]>;
}

/**
 * The recorded types of CPython 3.13 (`"3"`) or 2.7 (`"2"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pythonTypes } from "./python_types.ts";
 *
 * assert.deepEqual(pythonTypes("3").types["builtins.bool"].mro, [
 *   "builtins.bool",
 *   "builtins.int",
 *   "builtins.object",
 * ]);
 * ```
 */
export function pythonTypes(major: "2" | "3"): TypeTable {
  return (major === "3" ? py313 : py27) as TypeTable;
}
