// Removing prefixes from a prefix (Python's `address_exclude`, generalised to several at once):
// the parts of the range left between the excluded ranges, each cut into maximal prefixes.
import { Addr } from "./addr.ts";
import { Prefix } from "./prefix.ts";
import { prefixBounds, rangeToPrefixes } from "./range.ts";

/**
 * The minimal sorted list of prefixes covering `prefix` minus every prefix in `excluded`.
 * Excluded prefixes outside `prefix` (or of the other family) are ignored; host bits are cleared
 * first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { excludePrefixes } from "./exclude.ts";
 * import { Prefix } from "./prefix.ts";
 *
 * const left = excludePrefixes(Prefix.parse("192.0.2.0/24"), [Prefix.parse("192.0.2.0/26")]);
 * assert.deepEqual(left.map(String), ["192.0.2.64/26", "192.0.2.128/25"]);
 * ```
 */
export function excludePrefixes(prefix: Prefix, excluded: Iterable<Prefix>): Prefix[] {
  const [start, end] = prefixBounds(prefix);
  const holes = [...excluded]
    .filter((e) => e.overlaps(prefix))
    .map(prefixBounds)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Prefix[] = [];
  const emit = (net: bigint, bits: number) =>
    out.push(Prefix.from(Addr.fromBigInt(net, prefix.family), bits));
  let cursor = start;
  for (const [s, e] of holes) {
    const lo = s < start ? start : s;
    if (lo > cursor) rangeToPrefixes(cursor, lo - 1n, prefix.family, emit);
    if (e + 1n > cursor) cursor = e + 1n;
  }
  if (cursor <= end) rangeToPrefixes(cursor, end, prefix.family, emit);
  return out;
}
