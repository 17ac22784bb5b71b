// Python 2 classic-class lookup order: depth-first, left to right, keeping the first occurrence
// (what `inspect.getmro` reports for a classic class). Each base's own classic order already is
// its depth-first walk, so the class's order is itself followed by its bases' orders, deduplicated.

/**
 * Computes the classic (Python 2 old-style) method resolution order of `cls`. It never fails:
 * classic classes accept duplicate bases and any diamond.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearizeClassic } from "./linearize_classic.ts";
 *
 * // Python 2's classic classes: depth-first, left to right, so A comes before C.
 * const mros = new Map([["A", ["A"]], ["B", ["B", "A"]], ["C", ["C", "A"]]]);
 * assert.deepEqual(linearizeClassic("D", ["B", "C"], (b) => mros.get(b)!), ["D", "B", "A", "C"]);
 * ```
 */
export function linearizeClassic<T>(
  cls: T,
  bases: readonly T[],
  mroOf: (base: T) => readonly T[],
): T[] {
  if (bases.length === 1) return [cls, ...mroOf(bases[0])];
  const seen = new Set<T>([cls]);
  const mro: T[] = [cls];
  for (const base of bases) {
    for (const x of mroOf(base)) {
      if (!seen.has(x)) {
        seen.add(x);
        mro.push(x);
      }
    }
  }
  return mro;
}
