// The classes a Python module can use without defining them: builtins (and for Python 3 a few
// stdlib modules students subclass), with their bases, MROs and instance layouts, as recorded from
// CPython 3.13 and 2.7.18 by tests/fixtures/mro/dump_types.py.
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
}

/** A recorded interpreter: its types and, per module, what each public name is. */
export interface TypeTable {
  version: string;
  types: Record<string, TypeRecord>;
  /** A name is a type id, or the list of classes its `__mro_entries__` gives (`typing.List`). */
  modules: Record<string, Record<string, string | string[]>>;
}

/**
 * The recorded types of CPython 3.13 (`"3"`) or 2.7 (`"2"`).
 *
 * @example
 * ```ts
 * pythonTypes("3").types["builtins.bool"].mro; // ["builtins.bool", "builtins.int", "builtins.object"]
 * ```
 */
export function pythonTypes(major: "2" | "3"): TypeTable {
  return (major === "3" ? py313 : py27) as TypeTable;
}
