// IPv4 and IPv6 multicast on Deno's DatagramConn: joining a group on a chosen interface, and a
// sending socket with a multicast TTL and loopback. Deno offers the TTL only through a group
// membership, and no IPv6 hop limit at all; both limits are handled here, in one place.
import { Addr } from "../ip/addr.ts";
import { formatHostPort, type HostPort } from "./address.ts";
import type { InterfaceAddress } from "./broadcast.ts";
import { netErrorFrom } from "./errors.ts";

/**
 * Whether `host` is an IPv4 (224.0.0.0/4) or IPv6 (ff00::/8) multicast group literal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMulticastGroup } from "./multicast.ts";
 *
 * assert.equal(isMulticastGroup("239.1.2.3"), true);
 * assert.equal(isMulticastGroup("ff02::1"), true);
 * assert.equal(isMulticastGroup("198.18.1.255"), false);
 * assert.equal(isMulticastGroup("::ffff:239.1.2.3"), false); // no socket joins a mapped group
 * ```
 */
export function isMulticastGroup(host: string): boolean {
  try {
    const addr = Addr.parse(host);
    // An IPv4-mapped address counts as multicast by the IPv4 inside, but no socket joins it.
    return addr.isMulticast() && !addr.is4In6();
  } catch {
    return false;
  }
}

/**
 * Parses a multicast group: an IPv4 or IPv6 literal that is a multicast address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMulticastGroup } from "./multicast.ts";
 *
 * assert.equal(parseMulticastGroup("ff02::1").family, 6);
 * assert.throws(() => parseMulticastGroup("10.0.0.1"), RangeError);
 * ```
 */
export function parseMulticastGroup(text: string): Addr {
  const addr = Addr.parse(text);
  if (!addr.isMulticast() || addr.is4In6()) {
    throw new RangeError(
      `"${text}" is not a multicast group (IPv4 224.0.0.0/4 or IPv6 ff00::/8)`,
    );
  }
  return addr;
}

/**
 * An interface chosen for a group: the IPv4 address or IPv6 index Deno's join calls take. An IPv6
 * interface also has its `zone` (the name, or the index as text; `""` for any), which names it
 * in a socket address such as `ff02::1234%eth0`.
 */
export type MulticastInterface =
  | { family: 4; address: string; label: string }
  | { family: 6; index: number; zone: string; label: string };

/**
 * Resolves `--iface` for a group of `family`: an interface address or name (for IPv6 also an
 * index). Without `iface` the kernel chooses by its routes (`0.0.0.0`, index 0). An IPv6
 * interface's index is the scope id of its link-local address (Deno cannot read /sys/class/net
 * without --allow-all).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multicastInterface } from "./multicast.ts";
 *
 * const interfaces = [
 *   { name: "eth0", family: "IPv4", address: "198.18.1.2", cidr: "198.18.1.2/24" },
 *   { name: "eth0", family: "IPv6", address: "fe80::2", cidr: "fe80::2/64", scopeid: 2 },
 * ] as const;
 * assert.deepEqual(multicastInterface(4, "198.18.1.2", interfaces), {
 *   family: 4,
 *   address: "198.18.1.2",
 *   label: "198.18.1.2 (eth0)",
 * });
 * assert.deepEqual(multicastInterface(6, "eth0", interfaces), {
 *   family: 6,
 *   index: 2,
 *   zone: "eth0",
 *   label: "eth0 (index 2)",
 * });
 * assert.deepEqual(multicastInterface(6, undefined, []), {
 *   family: 6,
 *   index: 0,
 *   zone: "",
 *   label: "any",
 * });
 * assert.throws(() => multicastInterface(4, "eth9", interfaces), RangeError);
 * ```
 */
export function multicastInterface(
  family: 4 | 6,
  iface: string | undefined,
  interfaces: readonly (InterfaceAddress & { scopeid?: number | null })[],
): MulticastInterface {
  if (iface === undefined) {
    return family === 4
      ? { family, address: "0.0.0.0", label: "any" }
      : { family, index: 0, zone: "", label: "any" };
  }
  let name = iface;
  let literal: Addr | undefined;
  try {
    literal = Addr.parse(iface);
  } catch { /* a name or an index */ }
  if (literal) {
    const owner = interfaces.find((i) => addrEquals(i.address, literal));
    if (!owner) throw new RangeError(`No local interface has the address ${iface}`);
    if (family === 4) {
      if (!literal.is4()) throw new RangeError(`--iface ${iface} is IPv6; the group is IPv4`);
      return { family, address: literal.toString(), label: `${iface} (${owner.name})` };
    }
    name = owner.name;
  } else if (family === 6 && /^\d+$/.test(iface)) {
    const index = Number(iface);
    // 0 is "any"; another index must be an interface's (the scope id of its link-local address).
    const owner = interfaces.find((i) => scopeIdOf([i]) === index);
    if (index !== 0 && !owner) {
      throw new RangeError(
        `No local interface has index ${iface} (with an IPv6 link-local address)`,
      );
    }
    return { family, index, zone: String(index), label: `index ${iface}` };
  }
  const rows = interfaces.filter((i) => i.name === name);
  if (rows.length === 0) throw new RangeError(`No local interface named "${name}"`);
  if (family === 4) {
    const v4 = rows.find((i) => i.family === "IPv4");
    if (!v4) throw new RangeError(`Interface ${name} has no IPv4 address`);
    return { family, address: v4.address, label: `${v4.address} (${name})` };
  }
  const index = scopeIdOf(rows);
  if (index === undefined) {
    throw new RangeError(`Interface ${name} has no IPv6 link-local address to take its index from`);
  }
  return { family, index, zone: name, label: `${name} (index ${index})` };
}

/**
 * Whether `group` is an IPv6 group of interface-local or link-local scope (the scope field is 1 or
 * 2: `ff01::/16`, `ff02::/16`, `ff12::/16`, ...). Such a group exists once per link, so a socket
 * has to say which link: a zone to bind the group address (`ff02::1234%eth0`; without one the
 * kernel answers EINVAL) and an interface index to join it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "../ip/addr.ts";
 * import { isLinkScopeGroup } from "./multicast.ts";
 *
 * assert.equal(isLinkScopeGroup(Addr.parse("ff02::1234")), true);
 * assert.equal(isLinkScopeGroup(Addr.parse("ff0e::1")), false);
 * assert.equal(isLinkScopeGroup(Addr.parse("224.0.0.1")), false);
 * ```
 */
export function isLinkScopeGroup(group: Addr): boolean {
  if (!group.is6() || !group.isMulticast()) return false;
  const scope = groupScope(group);
  return scope === 1 || scope === 2;
}

/** The scope field of an IPv6 group (RFC 4291 2.7): 1 interface-local, 2 link-local, 14 global. */
function groupScope(group: Addr): number {
  return Number((group.toBigInt() >> 112n) & 0xfn);
}

/**
 * {@linkcode multicastInterface} for `group`, except that a link-scope group
 * ({@linkcode isLinkScopeGroup}) without `iface` takes the host's one interface with an IPv6
 * link-local address; with several (or none) the user has to choose, so it throws `RangeError`
 * naming them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "../ip/addr.ts";
 * import { groupInterface } from "./multicast.ts";
 *
 * const eth0 = { name: "eth0", family: "IPv6", address: "fe80::2", cidr: "fe80::2/64", scopeid: 2 } as const;
 * const eth1 = { name: "eth1", family: "IPv6", address: "fe80::3", cidr: "fe80::3/64", scopeid: 3 } as const;
 * const group = Addr.parse("ff02::1234");
 * // One link with a link-local address: that is the group's link.
 * assert.deepEqual(groupInterface(group, undefined, [eth0]), {
 *   family: 6,
 *   index: 2,
 *   zone: "eth0",
 *   label: "eth0 (index 2)",
 * });
 * // Two: the user chooses.
 * assert.throws(
 *   () => groupInterface(group, undefined, [eth0, eth1]),
 *   /choose its interface with --iface \(eth0, eth1\)/,
 * );
 * ```
 */
export function groupInterface(
  group: Addr,
  iface: string | undefined,
  interfaces: readonly (InterfaceAddress & { scopeid?: number | null })[],
): MulticastInterface {
  if (!isLinkScopeGroup(group)) return multicastInterface(group.family, iface, interfaces);
  const scope = groupScope(group) === 1 ? "an interface-local" : "a link-local";
  if (iface !== undefined) {
    const chosen = multicastInterface(6, iface, interfaces);
    if (chosen.family === 6 && chosen.index === 0) {
      throw new RangeError(`${group} is ${scope} group: --iface 0 names no interface`);
    }
    return chosen;
  }
  const links = [
    ...new Set(interfaces.filter((i) => scopeIdOf([i]) !== undefined).map((i) => i.name)),
  ];
  if (links.length === 1) return multicastInterface(6, links[0], interfaces);
  throw new RangeError(
    links.length === 0
      ? `${group} is ${scope} group and no interface has an IPv6 link-local address: name one with --iface`
      : `${group} is ${scope} group: choose its interface with --iface (${links.join(", ")})`,
  );
}

function addrEquals(text: string, addr: Addr): boolean {
  try {
    return Addr.parse(text.split("%")[0]).equals(addr.withZone(""));
  } catch {
    return false;
  }
}

/** A link-local address's scope id is its interface's index. */
function scopeIdOf(
  rows: readonly (InterfaceAddress & { scopeid?: number | null })[],
): number | undefined {
  for (const r of rows) {
    if (r.family === "IPv6" && /^fe[89ab]/i.test(r.address) && r.scopeid) return r.scopeid;
  }
  return undefined;
}

/** A joined group; `leave()` is safe to call after the socket is closed. */
export interface GroupMembership {
  leave(): Promise<void>;
}

/**
 * Joins `group` on `sock` through the interface chosen by {@linkcode multicastInterface}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "../ip/addr.ts";
 * import { NetError } from "./errors.ts";
 * import { joinGroup } from "./multicast.ts";
 *
 * // Joined on the loopback interface, no membership report leaves the host.
 * const sock = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
 * try {
 *   const group = Addr.parse("239.1.2.3");
 *   const m = await joinGroup(sock, group, { family: 4, address: "127.0.0.1", label: "lo" });
 *   await m.leave();
 *   // An interface address this host does not have.
 *   await assert.rejects(
 *     joinGroup(sock, group, { family: 4, address: "198.18.255.254", label: "198.18.255.254" }),
 *     (err) => err instanceof NetError && err.address === "group 239.1.2.3 on interface 198.18.255.254",
 *   );
 * } finally {
 *   sock.close();
 * }
 * ```
 */
export async function joinGroup(
  sock: Deno.DatagramConn,
  group: Addr,
  iface: MulticastInterface,
): Promise<GroupMembership> {
  const g = group.toString();
  try {
    const m = iface.family === 4
      ? await sock.joinMulticastV4(g, iface.address)
      : await sock.joinMulticastV6(g, iface.index);
    return { leave: () => m.leave().catch(() => {}) };
  } catch (err) {
    throw netErrorFrom(err, `group ${g} on interface ${iface.label}`);
  }
}

/** Options for {@linkcode openMulticastSender}. */
export interface MulticastSenderOptions {
  /** IPv4 multicast TTL (0-255); the kernel default is 1, which keeps a datagram on its link. */
  ttl?: number;
  /** Deliver to sockets on this host that joined the group too. Default `false`. */
  loop?: boolean;
}

/**
 * Opens a socket for sending to a multicast `target` with a TTL and loopback. Deno sets the
 * multicast TTL only through a group membership, so the socket briefly joins the group on the
 * loopback interface (no IGMP report leaves the host) to set it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openMulticastSender } from "./multicast.ts";
 *
 * const target = { host: "239.1.2.3", port: 9000, family: "ipv4" } as const;
 * const sock = await openMulticastSender(target, { ttl: 4 });
 * assert.equal((sock.addr as Deno.NetAddr).hostname, "0.0.0.0");
 * assert.notEqual((sock.addr as Deno.NetAddr).port, 0);
 * sock.close();
 * ```
 */
export async function openMulticastSender(
  target: HostPort,
  options: MulticastSenderOptions = {},
): Promise<Deno.DatagramConn> {
  const hostname = target.family === "ipv6" ? "::" : "0.0.0.0";
  let sock: Deno.DatagramConn;
  try {
    sock = Deno.listenDatagram({
      transport: "udp",
      hostname,
      port: 0,
      loopback: options.loop ?? false,
    });
  } catch (err) {
    throw netErrorFrom(err, formatHostPort(hostname, 0));
  }
  if (options.ttl !== undefined && target.family === "ipv4") {
    try {
      const m = await sock.joinMulticastV4(target.host, "127.0.0.1");
      await m.setTTL(options.ttl);
      await m.leave();
    } catch (err) {
      sock.close();
      throw netErrorFrom(err, formatHostPort(target.host, target.port));
    }
  }
  return sock;
}
