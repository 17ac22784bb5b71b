// The IANA special-purpose address registries (RFC 6890 and the RFCs that added to them), plus
// multicast, the old class E space and the IPv6 space the IETF keeps in reserve (IANA's IPv6
// address space registry), so `subnet info` can say what an address is for.
import type { Addr } from "./addr.ts";
import { Prefix } from "./prefix.ts";

/** One row of the special-purpose registry. */
export interface SpecialPurpose {
  /** The registered block. */
  readonly prefix: Prefix;
  /** Short label: `private`, `loopback`, `documentation`, `ULA`, ... */
  readonly label: string;
  /** The registry's name for the block. */
  readonly name: string;
  /** The defining RFC(s). */
  readonly rfc: string;
  /** Whether packets to or from it may be routed beyond their own network domain. */
  readonly globallyReachable: boolean;
}

const rows: [string, string, string, string, boolean][] = [
  // IPv4 (RFC 6890 section 2.2.2 and later additions)
  ["0.0.0.0/8", "this network", '"This network"', "RFC 791", false],
  ["0.0.0.0/32", "this host", '"This host on this network"', "RFC 1122", false],
  ["10.0.0.0/8", "private", "Private-Use", "RFC 1918", false],
  ["100.64.0.0/10", "shared address space", "Shared Address Space", "RFC 6598", false],
  ["127.0.0.0/8", "loopback", "Loopback", "RFC 1122", false],
  ["169.254.0.0/16", "link-local", "Link Local", "RFC 3927", false],
  ["172.16.0.0/12", "private", "Private-Use", "RFC 1918", false],
  ["192.0.0.0/24", "IETF protocol assignments", "IETF Protocol Assignments", "RFC 6890", false],
  ["192.0.0.0/29", "DS-Lite", "IPv4 Service Continuity Prefix", "RFC 7335", false],
  ["192.0.0.8/32", "IPv4 dummy address", "IPv4 dummy address", "RFC 7600", false],
  ["192.0.0.9/32", "PCP anycast", "Port Control Protocol Anycast", "RFC 7723", true],
  ["192.0.0.10/32", "TURN anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true],
  ["192.0.0.170/31", "NAT64 discovery", "NAT64/DNS64 Discovery", "RFC 7050", false],
  ["192.0.2.0/24", "documentation", "Documentation (TEST-NET-1)", "RFC 5737", false],
  ["192.31.196.0/24", "AS112", "AS112-v4", "RFC 7535", true],
  ["192.52.193.0/24", "AMT", "AMT", "RFC 7450", true],
  ["192.88.99.0/24", "6to4 relay anycast", "Deprecated (6to4 Relay Anycast)", "RFC 7526", false],
  ["192.168.0.0/16", "private", "Private-Use", "RFC 1918", false],
  ["192.175.48.0/24", "AS112", "Direct Delegation AS112 Service", "RFC 7534", true],
  ["198.18.0.0/15", "benchmarking", "Benchmarking", "RFC 2544", false],
  ["198.51.100.0/24", "documentation", "Documentation (TEST-NET-2)", "RFC 5737", false],
  ["203.0.113.0/24", "documentation", "Documentation (TEST-NET-3)", "RFC 5737", false],
  ["224.0.0.0/4", "multicast", "Multicast", "RFC 5771", false],
  ["224.0.0.0/24", "multicast", "Local Network Control Block (multicast)", "RFC 5771", false],
  [
    "233.252.0.0/24",
    "documentation",
    "MCAST-TEST-NET (multicast documentation)",
    "RFC 6676",
    false,
  ],
  ["239.0.0.0/8", "multicast", "Administratively Scoped (multicast)", "RFC 2365", false],
  ["240.0.0.0/4", "reserved", "Reserved (former class E)", "RFC 1112", false],
  ["255.255.255.255/32", "limited broadcast", "Limited Broadcast", "RFC 919", false],
  // IPv6: what IANA's IPv6 address space registry keeps "Reserved by IETF" (everything outside
  // 2000::/3 global unicast, fc00::/7, fe80::/10 and ff00::/8). Nothing is routed there; the
  // special-purpose blocks inside (::1, 64:ff9b::/96, 100::/64, 5f00::/16) are more specific.
  ...[
    "::/8",
    "100::/8",
    "200::/7",
    "400::/6",
    "800::/5",
    "1000::/4",
    "4000::/3",
    "6000::/3",
    "8000::/3",
    "a000::/3",
    "c000::/3",
    "e000::/4",
    "f000::/5",
    "f800::/6",
    "fe00::/9",
  ].map((p): [string, string, string, string, boolean] => [
    p,
    "reserved",
    "Reserved by IETF",
    "RFC 4291",
    false,
  ]),
  ["::/96", "IPv4-compatible", "IPv4-compatible IPv6 Address (deprecated)", "RFC 4291", false],
  // IPv6 (RFC 6890 section 2.2.3 and later additions)
  ["::/128", "unspecified", "Unspecified Address", "RFC 4291", false],
  ["::1/128", "loopback", "Loopback Address", "RFC 4291", false],
  ["::ffff:0:0/96", "IPv4-mapped", "IPv4-mapped Address", "RFC 4291", false],
  ["64:ff9b::/96", "NAT64", "IPv4-IPv6 Translation", "RFC 6052", true],
  ["64:ff9b:1::/48", "NAT64 local-use", "IPv4-IPv6 Translation (local use)", "RFC 8215", false],
  ["100::/64", "discard-only", "Discard-Only Address Block", "RFC 6666", false],
  ["2001::/23", "IETF protocol assignments", "IETF Protocol Assignments", "RFC 2928", false],
  ["2001::/32", "Teredo", "TEREDO", "RFC 4380", true],
  ["2001:1::1/128", "PCP anycast", "Port Control Protocol Anycast", "RFC 7723", true],
  ["2001:1::2/128", "TURN anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true],
  [
    "2001:1::3/128",
    "DNS-SD SRP anycast",
    "DNS-SD Service Registration Protocol Anycast",
    "RFC 9665",
    true,
  ],
  ["2001:2::/48", "benchmarking", "Benchmarking", "RFC 5180", false],
  ["2001:3::/32", "AMT", "AMT", "RFC 7450", true],
  ["2001:4:112::/48", "AS112", "AS112-v6", "RFC 7535", true],
  ["2001:10::/28", "ORCHID", "Deprecated (previously ORCHID)", "RFC 4843", false],
  ["2001:20::/28", "ORCHIDv2", "ORCHIDv2", "RFC 7343", true],
  ["2001:30::/28", "DET", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", true],
  ["2001:db8::/32", "documentation", "Documentation", "RFC 3849", false],
  ["2002::/16", "6to4", "6to4", "RFC 3056", true],
  ["2620:4f:8000::/48", "AS112", "Direct Delegation AS112 Service", "RFC 7534", true],
  ["3fff::/20", "documentation", "Documentation", "RFC 9637", false],
  ["5f00::/16", "SRv6 SIDs", "Segment Routing (SRv6) SIDs", "RFC 9602", false],
  ["fc00::/7", "ULA", "Unique-Local", "RFC 4193", false],
  ["fe80::/10", "link-local", "Link-Local Unicast", "RFC 4291", false],
  ["fec0::/10", "site-local", "Deprecated site-local", "RFC 3879", false],
  ["ff00::/8", "multicast", "Multicast", "RFC 4291", false],
];

/**
 * The registry rows, IPv4 then IPv6, broader blocks before the narrower ones inside them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { specialPurposeRegistry } from "./special.ts";
 *
 * const docs = specialPurposeRegistry.filter((r) => r.label === "documentation");
 * assert.deepEqual(docs.map((r) => r.prefix.toString()), [
 *   "192.0.2.0/24",
 *   "198.51.100.0/24",
 *   "203.0.113.0/24",
 *   "233.252.0.0/24",
 *   "2001:db8::/32",
 *   "3fff::/20",
 * ]);
 * ```
 */
export const specialPurposeRegistry: readonly SpecialPurpose[] = rows.map((
  [p, label, name, rfc, globallyReachable],
) => Object.freeze({ prefix: Prefix.mustParse(p), label, name, rfc, globallyReachable }));

const mappedBlock = Prefix.mustParse("::ffff:0:0/96");

/** The prefix the registry is asked about: the IPv4 inside an IPv4-mapped one, else itself. */
function judged(target: Addr | Prefix): Prefix {
  const p = target instanceof Prefix ? target.masked() : Prefix.from(target, target.bitLength);
  if (p.bits > mappedBlock.bits && mappedBlock.containsPrefix(p)) {
    return Prefix.from(p.addr.unmap(), p.bits - mappedBlock.bits);
  }
  return p;
}

/** Registry rows strictly inside `p` (smaller than it), at every depth. */
function rowsInside(p: Prefix): SpecialPurpose[] {
  return specialPurposeRegistry.filter((r) => r.prefix.bits > p.bits && p.containsPrefix(r.prefix));
}

/**
 * The most specific registry block that contains the whole of `target` (an address, or a prefix
 * whose network is used), or `undefined` for ordinary global unicast space. An IPv4-mapped
 * address or prefix (`::ffff:127.0.0.1`, `::ffff:10.0.0.0/104`) is judged by the IPv4 inside, as
 * CPython 3.13 and Go's net/netip do, so the block returned is an IPv4 one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { Prefix } from "./prefix.ts";
 * import { specialPurpose } from "./special.ts";
 *
 * assert.equal(specialPurpose(Addr.parse("100.64.1.1"))?.label, "shared address space");
 * assert.equal(specialPurpose(Prefix.parse("172.16.10.0/24"))?.label, "private");
 * assert.equal(specialPurpose(Addr.parse("::ffff:127.0.0.1"))?.label, "loopback");
 * assert.equal(specialPurpose(Addr.parse("8.8.8.8")), undefined);
 * ```
 */
export function specialPurpose(target: Addr | Prefix): SpecialPurpose | undefined {
  const p = judged(target);
  let best: SpecialPurpose | undefined;
  for (const row of specialPurposeRegistry) {
    if (row.prefix.containsPrefix(p) && (!best || row.prefix.bits > best.prefix.bits)) best = row;
  }
  return best;
}

/**
 * The registry blocks that lie inside `prefix` and are smaller than it, outermost only (a block
 * nested in another listed one is left out), in address order: what a covering prefix such as
 * `0.0.0.0/0` or `10.0.0.0/7` holds besides ordinary unicast space.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prefix } from "./prefix.ts";
 * import { specialPurposeWithin } from "./special.ts";
 *
 * assert.deepEqual(specialPurposeWithin(Prefix.parse("10.0.0.0/7")).map((r) => r.label), [
 *   "private",
 * ]);
 * ```
 */
export function specialPurposeWithin(prefix: Prefix): SpecialPurpose[] {
  const inside = rowsInside(judged(prefix));
  return inside
    .filter((r) =>
      !inside.some((o) => o.prefix.bits < r.prefix.bits && o.prefix.containsPrefix(r.prefix))
    )
    .sort((a, b) => a.prefix.compare(b.prefix));
}

/**
 * Whether packets to `target` may be routed beyond their own network domain, by the registry:
 * `false` inside a block the registry marks so, `true` in ordinary unicast space, `undefined` for
 * a prefix that holds both kinds (`0.0.0.0/0`). IPv4-mapped addresses are judged by the IPv4
 * inside. CPython's `is_global` gives the same answer except where docs/subnet.md lists otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { Prefix } from "./prefix.ts";
 * import { globallyReachable } from "./special.ts";
 *
 * assert.equal(globallyReachable(Addr.parse("8.8.8.8")), true);
 * assert.equal(globallyReachable(Addr.parse("::ffff:10.0.0.1")), false);
 * assert.equal(globallyReachable(Prefix.parse("0.0.0.0/0")), undefined);
 * ```
 */
export function globallyReachable(target: Addr | Prefix): boolean | undefined {
  const reachable = specialPurpose(target)?.globallyReachable ?? true;
  // Every address takes the flag of the most specific block holding it, so the prefix is mixed
  // exactly when some block inside it carries the other flag.
  const mixed = rowsInside(judged(target)).some((r) => r.globallyReachable !== reachable);
  return mixed ? undefined : reachable;
}
