// C3 linearization exactly as CPython's `mro_implementation` and `pmerge` do it, including which
// error wins and which heads its message names. The merge keeps a count of how many list tails
// hold each class (in a typed array indexed by a dense class number) and an index to each list's
// head, so a step costs O(number of lists) instead of re-scanning every tail.

/** What {@linkcode linearizeC3} found: the MRO, the first duplicated base, or a stuck merge. */
export type C3Result<T> =
  | { ok: true; mro: T[] }
  | { ok: false; duplicate: T; stuck?: undefined }
  | { ok: false; stuck: T[]; duplicate?: undefined };

/**
 * Computes `L[cls] = cls + merge(L[B1], ..., L[Bn], [B1, ..., Bn])` as CPython 3.13 does: one
 * base takes the fast path (no merge, no duplicate check), several bases are first checked for
 * duplicates, then merged. A stuck merge reports the heads of the lists that are not empty,
 * deduplicated, in list order: the names CPython's message lists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearizeC3 } from "./linearize_c3.ts";
 *
 * const mros = new Map([["A", ["A", "object"]], ["B", ["B", "A", "object"]]]);
 * assert.deepEqual(linearizeC3("C", ["B", "A"], (b) => mros.get(b)!), {
 *   ok: true,
 *   mro: ["C", "B", "A", "object"],
 * });
 * // class C(A, B) with B(A): A must come before B and after it; Python raises a TypeError.
 * assert.deepEqual(linearizeC3("C", ["A", "B"], (b) => mros.get(b)!), { ok: false, stuck: ["A", "B"] });
 * ```
 */
export function linearizeC3<T>(
  cls: T,
  bases: readonly T[],
  mroOf: (base: T) => readonly T[],
  options: LinearizeOptions<T> = {},
): C3Result<T> {
  if (bases.length === 1) return { ok: true, mro: [cls, ...mroOf(bases[0])] };
  const duplicate = firstDuplicate(bases);
  if (duplicate !== undefined) return { ok: false, duplicate: duplicate.value };
  const lists: (readonly T[])[] = bases.map(mroOf);
  lists.push(bases);
  return mergeIndexed(cls, lists, options.index ?? numbering<T>());
}

/** Options for {@linkcode linearizeC3}. */
export interface LinearizeOptions<T> {
  /**
   * A small dense integer per class (0, 1, 2...). With it the tail counts live in a reused typed
   * array instead of a Map, which is several times faster on big hierarchies.
   */
  index?: (cls: T) => number;
}

/** Numbers classes 0, 1, 2... in the order first seen, for callers without an index. */
function numbering<T>(): (cls: T) => number {
  const ids = new Map<T, number>();
  return (cls) => {
    let id = ids.get(cls);
    if (id === undefined) ids.set(cls, id = ids.size);
    return id;
  };
}

// Tail counts shared by every merge: each merge leaves them all at zero again. Head indices are
// reused too (a merge never calls another), which spares an allocation per class.
let scratch = new Int32Array(1024);
let heads = new Int32Array(16);

function mergeIndexed<T>(
  cls: T,
  lists: readonly (readonly T[])[],
  index: (cls: T) => number,
): C3Result<T> {
  const n = lists.length;
  if (heads.length < n) heads = new Int32Array(n * 2);
  const head = heads;
  head.fill(0, 0, n);
  for (const list of lists) {
    for (let k = 1; k < list.length; k++) {
      const id = index(list[k]);
      if (id >= scratch.length) {
        const grown = new Int32Array(Math.max(id + 1, scratch.length * 2));
        grown.set(scratch);
        scratch = grown;
      }
      scratch[id]++;
    }
  }
  const tails = scratch;
  const mro: T[] = [cls];
  for (;;) {
    let empty = 0;
    let taken = false;
    for (let i = 0; i < n; i++) {
      const list = lists[i];
      if (head[i] >= list.length) {
        empty++;
        continue;
      }
      const candidate = list[head[i]];
      if (tails[index(candidate)] > 0) continue; // (a head never counted may be out of range)
      mro.push(candidate);
      for (let j = 0; j < n; j++) {
        const other = lists[j];
        if (head[j] < other.length && other[head[j]] === candidate) {
          const h = ++head[j];
          if (h < other.length) tails[index(other[h])]--;
        }
      }
      taken = true;
      break;
    }
    if (taken) continue;
    if (empty === n) return { ok: true, mro };
    // Leave the shared counts at zero for the next call.
    for (let i = 0; i < n; i++) {
      for (let k = head[i] + 1; k < lists[i].length; k++) tails[index(lists[i][k])]--;
    }
    return { ok: false, stuck: stuckHeads(lists, head) };
  }
}

function stuckHeads<T>(lists: readonly (readonly T[])[], head: Int32Array): T[] {
  const stuck: T[] = [];
  for (let i = 0; i < lists.length; i++) {
    if (head[i] < lists[i].length && !stuck.includes(lists[i][head[i]])) {
      stuck.push(lists[i][head[i]]);
    }
  }
  return stuck;
}

/**
 * The first element of `items` that occurs again later (CPython's `check_duplicates` order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstDuplicate } from "./linearize_c3.ts";
 *
 * assert.deepEqual(firstDuplicate(["A", "B", "A"]), { value: "A" });
 * assert.equal(firstDuplicate(["A", "B"]), undefined);
 * ```
 */
export function firstDuplicate<T>(items: readonly T[]): { value: T } | undefined {
  if (items.length < 8) {
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        if (items[i] === items[j]) return { value: items[i] };
      }
    }
    return undefined;
  }
  const last = new Map<T, number>();
  items.forEach((x, i) => last.set(x, i));
  for (let i = 0; i < items.length; i++) if (last.get(items[i])! > i) return { value: items[i] };
  return undefined;
}

/**
 * CPython's message for a failed C3 linearization, word for word (3.13; `set_mro_error` writes
 * into a 1000-byte buffer, so very long lists of names are cut at 999 bytes as there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { c3ErrorMessage } from "./linearize_c3.ts";
 *
 * assert.equal(
 *   c3ErrorMessage({ ok: false, stuck: ["C1", "C2"] }, (c) => c),
 *   "Cannot create a consistent method resolution order (MRO) for bases C1, C2",
 * );
 * ```
 */
export function c3ErrorMessage<T>(
  result: Extract<C3Result<T>, { ok: false }>,
  nameOf: (cls: T) => string,
): string {
  if (result.duplicate !== undefined) return `duplicate base class ${nameOf(result.duplicate)}`;
  const text = "Cannot create a consistent method resolution order (MRO) for bases " +
    (result.stuck ?? []).map(nameOf).join(", ");
  const bytes = new TextEncoder().encode(text);
  return bytes.length <= 999 ? text : new TextDecoder().decode(bytes.subarray(0, 999));
}
