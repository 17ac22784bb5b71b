// "Did you mean" for mistyped commands: the closest registered name by edit distance with
// transpositions, so `udp-sned` finds `udp-send`.

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { editDistance } from "./suggest.ts";
 *
 * assert.equal(editDistance("udp-sned", "udp-send"), 1); // one transposition
 * assert.equal(editDistance("scan", "scan"), 0);
 * ```
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `input`, if it is close enough to be a likely typo.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closest } from "./suggest.ts";
 *
 * assert.equal(closest("udp-sned", ["udp-send", "tcp-send"]), "udp-send");
 * assert.equal(closest("zzz", ["udp-send"]), undefined); // nothing close enough
 * ```
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  // A typo is short; comparing a huge argument against every name would take quadratic time.
  if (input.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}
