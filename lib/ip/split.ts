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
 * import assert from "node:assert/strict";
 * import { Prefix } from "./prefix.ts";
 * import { subnets } from "./split.ts";
 *
 * assert.deepEqual([...subnets(Prefix.parse("192.0.2.0/24"), 26)].map(String), [
 *   "192.0.2.0/26",
 *   "192.0.2.64/26",
 *   "192.0.2.128/26",
 *   "192.0.2.192/26",
 * ]);
 * // Lazy: the first /64 of a /32 without making the other 2^32 - 1.
 * const first = subnets(Prefix.parse("2001:db8::/32"), 64).next().value;
 * assert.equal(first?.toString(), "2001:db8::/64");
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
 * import assert from "node:assert/strict";
 * import { Prefix } from "./prefix.ts";
 * import { lengthForCount } from "./split.ts";
 *
 * assert.equal(lengthForCount(Prefix.parse("10.0.0.0/24"), 3), 26); // 4 subnets
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
 * How host counts map to IPv4 subnet sizes in VLSM. `"textbook"`: a subnet of n host bits holds
 * 2^n − 2 hosts (network and broadcast reserved), so 2 hosts take a /30, as the course and most
 * textbooks teach. `"rfc3021"`: a /31 holds 2 (RFC 3021 point-to-point links) and a /32 holds 1,
 * the counts of {@linkcode Prefix.usableHosts}. IPv6 has no broadcast, so both rules count its
 * subnets as `usableHosts` does: all but the Subnet-Router anycast address, a /127 holding 2
 * (RFC 6164) and a /128 one.
 */
export type HostRule = "textbook" | "rfc3021";

/**
 * The hosts a subnet with `hostBits` host bits holds under `rule` (see {@linkcode HostRule}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostsInBits } from "./split.ts";
 *
 * assert.equal(hostsInBits(2, 4, "textbook"), 2n);
 * // A /31 has no room once network and broadcast are taken, except as a point-to-point link.
 * assert.equal(hostsInBits(1, 4, "textbook"), 0n);
 * assert.equal(hostsInBits(1, 4, "rfc3021"), 2n);
 * ```
 */
export function hostsInBits(hostBits: number, family: 4 | 6, rule: HostRule = "textbook"): bigint {
  const size = 1n << BigInt(hostBits);
  if ((rule === "rfc3021" || family === 6) && hostBits <= 1) return size;
  const reserved = family === 4 ? 2n : 1n;
  return size > reserved ? size - reserved : 0n;
}

/**
 * The longest prefix length whose subnet holds at least `hosts` hosts under `rule` (default the
 * textbook 2^n − 2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lengthForHosts } from "./split.ts";
 *
 * assert.equal(lengthForHosts(100, 4), 25); // 126 hosts
 * assert.equal(lengthForHosts(2, 4), 30);
 * assert.equal(lengthForHosts(2, 4, "rfc3021"), 31);
 * ```
 */
export function lengthForHosts(hosts: number, family: 4 | 6, rule: HostRule = "textbook"): number {
  const width = family === 4 ? 32 : 128;
  if (!Number.isSafeInteger(hosts) || hosts < 1) {
    throw new RangeError(`A subnet needs a whole number of hosts, at least 1 (got ${hosts})`);
  }
  for (let bits = width; bits >= 0; bits--) {
    if (hostsInBits(width - bits, family, rule) >= BigInt(hosts)) return bits;
  }
  throw new RangeError(
    `No IPv${family} subnet holds ${hosts} hosts: all of IPv${family} holds ${
      hostsInBits(width, family, rule)
    }`,
  );
}

/** One VLSM allocation. */
export interface VlsmAllocation {
  /** Position of the request in the input list (0-based). */
  index: number;
  /** Hosts asked for. */
  hosts: number;
  prefix: Prefix;
  /** The hosts the subnet holds under the rule used. */
  capacity: bigint;
}

/** The result of {@linkcode allocateVlsm}. */
export interface VlsmPlan {
  /** Largest request first (ties in input order), each at the lowest free aligned address. */
  allocations: VlsmAllocation[];
  /** The space left over, as minimal prefixes. */
  leftover: Prefix[];
  rule: HostRule;
}

/** Options for {@linkcode allocateVlsm}. */
export interface VlsmOptions {
  /** How host counts map to sizes; default `"textbook"` (2^n − 2). */
  rule?: HostRule;
}

/**
 * Allocates subnets for host counts largest-first from the start of `prefix` (VLSM). Because the
 * sizes are powers of two taken in decreasing order, each block is aligned without gaps. Throws
 * `RangeError` naming the count when one request alone needs more than the network, and naming
 * the total when they do not fit together.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prefix } from "./prefix.ts";
 * import { allocateVlsm } from "./split.ts";
 *
 * const plan = allocateVlsm(Prefix.parse("192.168.1.0/24"), [50, 100, 10]);
 * assert.deepEqual(plan.allocations.map((a) => `${a.hosts} ${a.prefix}`), [
 *   "100 192.168.1.0/25",
 *   "50 192.168.1.128/26",
 *   "10 192.168.1.192/28",
 * ]);
 * assert.deepEqual(plan.leftover.map(String), ["192.168.1.208/28", "192.168.1.224/27"]);
 * ```
 */
export function allocateVlsm(
  prefix: Prefix,
  hosts: readonly number[],
  options: VlsmOptions = {},
): VlsmPlan {
  const rule = options.rule ?? "textbook";
  const width = prefix.addr.bitLength;
  const net = prefix.masked();
  const order = hosts.map((h, index) => ({
    index,
    hosts: h,
    bits: lengthForHosts(h, net.family, rule),
  }))
    .sort((a, b) => b.hosts - a.hosts || a.index - b.index);
  const holds = hostsInBits(width - net.bits, net.family, rule);
  for (const r of order) {
    if (r.bits < net.bits) {
      throw new RangeError(
        `${r.hosts} ${r.hosts === 1 ? "host does" : "hosts do"} not fit in ${net}: ` +
          `${r.hosts === 1 ? "it needs" : "they need"} a /${r.bits} ` +
          `(${
            hostsInBits(width - r.bits, net.family, rule)
          } hosts), and a /${net.bits} holds ${holds}`,
      );
    }
  }
  const need = order.reduce((n, r) => n + (1n << BigInt(width - r.bits)), 0n);
  if (need > net.size()) {
    throw new RangeError(
      `The subnets for ${hosts.join(",")} hosts need ${need} addresses; ${net} has ${net.size()}`,
    );
  }
  let cursor = net.network().toBigInt();
  const end = net.last().toBigInt();
  const allocations: VlsmAllocation[] = order.map((r) => {
    const p = Prefix.from(Addr.fromBigInt(cursor, net.family), r.bits);
    cursor += 1n << BigInt(width - r.bits);
    return {
      index: r.index,
      hosts: r.hosts,
      prefix: p,
      capacity: hostsInBits(width - r.bits, net.family, rule),
    };
  });
  const leftover: Prefix[] = [];
  if (cursor <= end) {
    rangeToPrefixes(
      cursor,
      end,
      net.family,
      (n, b) => leftover.push(Prefix.from(Addr.fromBigInt(n, net.family), b)),
    );
  }
  return { allocations, leftover, rule };
}
