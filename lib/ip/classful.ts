// The historical IPv4 address classes (RFC 791, before CIDR): the class of an address from its
// leading bits, and the network prefix the class implied (A /8, B /16, C /24). Classes D
// (multicast) and E (reserved) never had a network prefix.
import type { Addr } from "./addr.ts";
import { Prefix } from "./prefix.ts";

/** An IPv4 address class. */
export type AddressClass = "A" | "B" | "C" | "D" | "E";

/**
 * The historical class of an IPv4 address, from its first octet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { addressClass } from "./classful.ts";
 *
 * assert.equal(addressClass(Addr.parse("172.16.10.1")), "B");
 * assert.equal(addressClass(Addr.parse("224.0.0.1")), "D");
 * ```
 */
export function addressClass(addr: Addr): AddressClass {
  const first = addr.toUint32() >>> 24;
  if (first < 128) return "A";
  if (first < 192) return "B";
  if (first < 224) return "C";
  if (first < 240) return "D";
  return "E";
}

/**
 * The address with the prefix length its class implied (`10.1.2.3` → `10.1.2.3/8`, whose
 * network is `10.0.0.0/8`), as ipcalc's `--class-prefix` applies it. `RangeError` for class D and E, which have no network prefix, and
 * `TypeError` for IPv6, which never had classes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { classfulPrefix } from "./classful.ts";
 *
 * assert.equal(classfulPrefix(Addr.parse("172.16.10.1")).masked().toString(), "172.16.0.0/16");
 * assert.throws(() => classfulPrefix(Addr.parse("224.0.0.1")), RangeError);
 * ```
 */
export function classfulPrefix(addr: Addr): Prefix {
  if (!addr.is4()) throw new TypeError(`${addr} is IPv6, which has no address classes`);
  const cls = addressClass(addr);
  const bits = { A: 8, B: 16, C: 24 }[cls as "A" | "B" | "C"];
  if (bits === undefined) {
    const what = cls === "D" ? "multicast" : "reserved";
    throw new RangeError(
      `${addr} is class ${cls} (${what}): classes D and E have no network prefix`,
    );
  }
  return Prefix.from(addr, bits);
}
