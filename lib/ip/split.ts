// Cutting a network into subnets: equal parts (`--prefix N`, `--count N`) produced lazily so
// that a /32 of IPv6 cut into /64s costs nothing until read, and VLSM allocation largest-first.
import { Addr } from "./addr.ts";
import { Prefix } from "./prefix.ts";
import { rangeToPrefixes } from "./range.ts";

/**
 * The subnets of length `bits` of `prefix` (masked), in order, produced lazily like Python's
 * `subnets(new_prefix=...)`.
 *
 * @example
 * ```ts
 * [...subnets(Prefix.parse("192.0.2.0/24"), 26)].map(String);
 * // ["192.0.2.0/26", "192.0.2.64/26", "192.0.2.128/26", "192.0.2.192/26"]
 * ```
 */
export function* subnets(prefix: Prefix, bits: number): Generator<Prefix> {
  if (!Number.isInteger(bits) || bits < prefix.bits || bits > prefix.addr.bitLength) {
    throw new RangeError(
      `Cannot split /${prefix.bits} into /${bits}: the new length must be ${prefix.bits}-${prefix.addr.bitLength}`,
    );
  }
  const step = 1n << BigInt(prefix.addr.bitLength - bits);
  const count = 1n << BigInt(bits - prefix.bits);
  let net = prefix.network().toBigInt();
  for (let i = 0n; i < count; i++, net += step) {
    yield Prefix.from(Addr.fromBigInt(net, prefix.family), bits);
  }
}

/**
 * The prefix length that cuts `prefix` into at least `count` equal subnets (the smallest power of
 * two not below `count`).
 *
 * @example
 * ```ts
 * lengthForCount(Prefix.parse("10.0.0.0/24"), 3); // 26 (4 subnets)
 * ```
 */
export function lengthForCount(prefix: Prefix, count: number): number {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Count ${count} must be at least 1`);
  }
  let extra = 0;
  while (2 ** extra < count) extra++;
  const bits = prefix.bits + extra;
  if (bits > prefix.addr.bitLength) {
    throw new RangeError(
      `Cannot cut /${prefix.bits} into ${count} subnets: it has only ${prefix.size()} addresses`,
    );
  }
  return bits;
}

/**
 * The longest prefix length whose usable hosts (see `Prefix.usableHosts`: /31 has 2, /32 has 1)
 * are at least `hosts`.
 *
 * @example
 * ```ts
 * lengthForHosts(100, 4); // 25 (126 usable)
 * ```
 */
export function lengthForHosts(hosts: number, family: 4 | 6): number {
  const width = family === 4 ? 32 : 128;
  if (!Number.isInteger(hosts) || hosts < 1) {
    throw new RangeError(`A subnet needs at least 1 host (got ${hosts})`);
  }
  for (let bits = width; bits >= 0; bits--) {
    const size = 1n << BigInt(width - bits);
    const usable = width - bits <= 1 ? size : family === 4 ? size - 2n : size - 1n;
    if (usable >= BigInt(hosts)) return bits;
  }
  throw new RangeError(`No IPv${family} subnet holds ${hosts} hosts`);
}

/** One VLSM allocation. */
export interface VlsmAllocation {
  /** Position of the request in the input list (0-based). */
  index: number;
  /** Hosts asked for. */
  hosts: number;
  prefix: Prefix;
}

/** The result of {@linkcode allocateVlsm}. */
export interface VlsmPlan {
  /** Largest request first (ties in input order), each at the lowest free aligned address. */
  allocations: VlsmAllocation[];
  /** The space left over, as minimal prefixes. */
  leftover: Prefix[];
}

/**
 * Allocates subnets for host counts largest-first from the start of `prefix` (VLSM). Because the
 * sizes are powers of two taken in decreasing order, each block is aligned without gaps. Throws
 * `RangeError` when the requests do not fit.
 *
 * @example
 * ```ts
 * const plan = allocateVlsm(Prefix.parse("192.168.1.0/24"), [50, 100, 10]);
 * plan.allocations.map((a) => `${a.hosts} ${a.prefix}`);
 * // ["100 192.168.1.0/25", "50 192.168.1.128/26", "10 192.168.1.192/28"]
 * plan.leftover.map(String); // ["192.168.1.208/28", "192.168.1.224/27"]
 * ```
 */
export function allocateVlsm(prefix: Prefix, hosts: readonly number[]): VlsmPlan {
  const order = hosts.map((h, index) => ({ index, hosts: h }))
    .sort((a, b) => b.hosts - a.hosts || a.index - b.index);
  const net = prefix.masked();
  let cursor = net.network().toBigInt();
  const end = net.last().toBigInt();
  const allocations: VlsmAllocation[] = [];
  for (const r of order) {
    const bits = Math.max(lengthForHosts(r.hosts, prefix.family), net.bits);
    const size = 1n << BigInt(prefix.addr.bitLength - bits);
    if (cursor + size - 1n > end) {
      const need = order.reduce(
        (n, x) =>
          n + (1n << BigInt(prefix.addr.bitLength - lengthForHosts(x.hosts, prefix.family))),
        0n,
      );
      throw new RangeError(
        `The subnets for ${hosts.join(",")} hosts need ${need} addresses; ${net} has ${net.size()}`,
      );
    }
    allocations.push({
      index: r.index,
      hosts: r.hosts,
      prefix: Prefix.from(Addr.fromBigInt(cursor, prefix.family), bits),
    });
    cursor += size;
  }
  const leftover: Prefix[] = [];
  if (cursor <= end) {
    rangeToPrefixes(
      cursor,
      end,
      prefix.family,
      (n, b) => leftover.push(Prefix.from(Addr.fromBigInt(n, prefix.family), b)),
    );
  }
  return { allocations, leftover };
}
