// Reverse-DNS zones for prefixes: the zone named by octets (IPv4, `in-addr.arpa`) or nibbles
// (IPv6, `ip6.arpa`), the RFC 2317 classless zone for an IPv4 prefix that does not end on an
// octet (`0-63.150.92.193.in-addr.arpa.`, the form ipcalc prints), and the list of zones that
// hold a prefix's PTR records when it spans several. Names are fully qualified (trailing dot).
import type { Prefix } from "./prefix.ts";

/** The labels of a prefix's network, most significant first: octets or nibbles as text. */
function labels(p: Prefix): string[] {
  const net = p.network();
  if (p.family === 4) return [...net.toBytes()].map(String);
  return net.toBigInt().toString(16).padStart(32, "0").split("");
}

function zoneName(labelsMostFirst: string[], family: 4 | 6): string {
  const suffix = family === 4 ? "in-addr.arpa." : "ip6.arpa.";
  return [...labelsMostFirst].reverse().concat(suffix).join(".");
}

/**
 * The one reverse zone that names the prefix, as ipcalc prints it: the octet or nibble zone when
 * the length ends on a boundary (`10.16.172.in-addr.arpa.` for a /24, the PTR name itself for a
 * /32 or /128), and for IPv4 otherwise the range of the first partial octet as one label (RFC 2317
 * classless delegation, written `first-last` as ipcalc and the rfc2317bis draft do rather than
 * the RFC's `first/length`). `undefined` for an IPv6 prefix that does not end on a nibble, which
 * has no such name: see {@linkcode reverseZones}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prefix } from "./prefix.ts";
 * import { reverseZone } from "./reverse.ts";
 *
 * assert.equal(reverseZone(Prefix.parse("192.0.2.0/24")), "2.0.192.in-addr.arpa.");
 * assert.equal(reverseZone(Prefix.parse("193.92.150.0/26")), "0-63.150.92.193.in-addr.arpa.");
 * assert.equal(reverseZone(Prefix.parse("2001:db8::/32")), "8.b.d.0.1.0.0.2.ip6.arpa.");
 * assert.equal(reverseZone(Prefix.parse("2001:db8::/33")), undefined);
 * ```
 */
export function reverseZone(p: Prefix): string | undefined {
  const unit = p.family === 4 ? 8 : 4;
  const all = labels(p);
  const whole = Math.floor(p.bits / unit);
  if (p.bits % unit === 0) return zoneName(all.slice(0, whole), p.family);
  if (p.family === 6) return undefined;
  const first = Number(all[whole]);
  const last = first + 2 ** (8 - (p.bits % 8)) - 1;
  return zoneName([...all.slice(0, whole), `${first}-${last}`], 4);
}

/**
 * The zones that hold the PTR records of every address in the prefix: one zone when the length
 * ends on an octet (IPv4) or nibble (IPv6) boundary; the RFC 2317 classless zone for an IPv4 /25
 * to /31 (its CNAMEs live in the /24's zone); otherwise every zone of the next boundary inside
 * the prefix (a /20 needs 16 /24 zones; an IPv6 /50 four /52 zones). At most 128 names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prefix } from "./prefix.ts";
 * import { reverseZones } from "./reverse.ts";
 *
 * assert.deepEqual(reverseZones(Prefix.parse("10.1.0.0/23")), [
 *   "0.1.10.in-addr.arpa.",
 *   "1.1.10.in-addr.arpa.",
 * ]);
 * assert.equal(reverseZones(Prefix.parse("10.1.0.0/20")).length, 16);
 * ```
 */
export function reverseZones(p: Prefix): string[] {
  const unit = p.family === 4 ? 8 : 4;
  if (p.bits % unit === 0 || (p.family === 4 && p.bits > 24)) return [reverseZone(p)!];
  const all = labels(p);
  const whole = Math.floor(p.bits / unit);
  const first = parseInt(all[whole], p.family === 4 ? 10 : 16);
  const count = 2 ** (unit - (p.bits % unit));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const label = p.family === 4 ? String(first + i) : (first + i).toString(16);
    out.push(zoneName([...all.slice(0, whole), label], p.family));
  }
  return out;
}
