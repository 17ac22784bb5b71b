// Address ranges and the smallest list of prefixes that covers one exactly. Every set operation in
// lib/ip (collapse, exclude, VLSM leftovers) ends by turning ranges back into prefixes here.
import { Addr, type Family } from "./addr.ts";
import { Prefix } from "./prefix.ts";

/**
 * The minimal sorted list of prefixes covering exactly `first`..`last` (inclusive), like
 * Python's `summarize_address_range`. Zones are dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { summarizeRange } from "./range.ts";
 *
 * const cover = summarizeRange(Addr.parse("192.0.2.0"), Addr.parse("192.0.2.130"));
 * assert.deepEqual(cover.map(String), ["192.0.2.0/25", "192.0.2.128/31", "192.0.2.130/32"]);
 * ```
 */
export function summarizeRange(first: Addr, last: Addr): Prefix[] {
  if (first.family !== last.family) {
    throw new TypeError(`${first} and ${last} are not the same IP version`);
  }
  if (last.compare(first.withZone(last.zone)) < 0) {
    throw new RangeError(`Range end ${last} is before its start ${first}`);
  }
  const out: Prefix[] = [];
  rangeToPrefixes(first.toBigInt(), last.toBigInt(), first.family, (net, bits) => {
    out.push(Prefix.from(Addr.fromBigInt(net, first.family), bits));
  });
  return out;
}

/**
 * Calls `emit` with each prefix (network value, length) of the minimal cover of the integer
 * range `start`..`end` of `family`, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rangeToPrefixes } from "./range.ts";
 *
 * const seen: [bigint, number][] = [];
 * rangeToPrefixes(0n, 2n, 4, (net, bits) => seen.push([net, bits]));
 * assert.deepEqual(seen, [[0n, 31], [2n, 32]]); // 0.0.0.0/31, 0.0.0.2/32
 * ```
 */
export function rangeToPrefixes(
  start: bigint,
  end: bigint,
  family: Family,
  emit: (net: bigint, bits: number) => void,
): void {
  const width = family === 4 ? 32 : 128;
  const top = 1n << BigInt(width);
  while (start <= end) {
    // The largest aligned block that starts at `start` and does not pass `end`.
    let size = start === 0n ? top : start & -start;
    const remaining = end - start + 1n;
    while (size > remaining) size >>= 1n;
    emit(start, width - (size.toString(2).length - 1));
    start += size;
  }
}

/**
 * The IPv4 fast path of {@linkcode rangeToPrefixes}: plain numbers, no bigint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rangeToPrefixes4 } from "./range.ts";
 *
 * const seen: [number, number][] = [];
 * rangeToPrefixes4(0, 2, (net, bits) => seen.push([net, bits]));
 * assert.deepEqual(seen, [[0, 31], [2, 32]]);
 * ```
 */
export function rangeToPrefixes4(
  start: number,
  end: number,
  emit: (net: number, bits: number) => void,
): void {
  while (start <= end) {
    let bits = 0;
    let size = 4294967296;
    // Alignment of `start`: the largest power of two dividing it.
    while (bits < 32 && start % size !== 0) {
      size /= 2;
      bits++;
    }
    while (size > end - start + 1) {
      size /= 2;
      bits++;
    }
    emit(start, bits);
    start += size;
  }
}

/**
 * The first and last address of a prefix as integers (IPv4 values fit a bigint too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prefix } from "./prefix.ts";
 * import { prefixBounds } from "./range.ts";
 *
 * assert.deepEqual(prefixBounds(Prefix.parse("10.0.0.0/31")), [167772160n, 167772161n]);
 * ```
 */
export function prefixBounds(p: Prefix): [bigint, bigint] {
  return [p.network().toBigInt(), p.last().toBigInt()];
}
