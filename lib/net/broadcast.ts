// Which IPv4 addresses are broadcasts from this host's point of view: the limited broadcast
// 255.255.255.255 and the subnet (directed) broadcast of each local interface's network. Sending
// to either reaches every host on a segment, so `udp-send` asks for --broadcast first.
import { Addr } from "../ip/addr.ts";
import { Prefix } from "../ip/prefix.ts";

/** The interface facts broadcast detection needs; `Deno.networkInterfaces()` rows fit. */
export interface InterfaceAddress {
  name: string;
  family: "IPv4" | "IPv6";
  address: string;
  /** `198.18.1.1/24`. */
  cidr: string;
}

/** What kind of broadcast an address is. */
export type BroadcastKind =
  | { kind: "limited" }
  | { kind: "subnet"; iface: string; network: string };

/**
 * The subnet broadcast addresses of the IPv4 interfaces given (none for /31 and /32 networks,
 * which have no broadcast address).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { subnetBroadcasts } from "./broadcast.ts";
 *
 * const eth0 = { name: "eth0", family: "IPv4", address: "198.18.1.1", cidr: "198.18.1.1/24" } as const;
 * const p2p = { name: "tun0", family: "IPv4", address: "198.18.9.1", cidr: "198.18.9.1/32" } as const;
 * assert.deepEqual(subnetBroadcasts([eth0, p2p]), [
 *   { address: "198.18.1.255", iface: "eth0", network: "198.18.1.0/24" },
 * ]);
 * ```
 */
export function subnetBroadcasts(
  interfaces: readonly InterfaceAddress[],
): { address: string; iface: string; network: string }[] {
  const out: { address: string; iface: string; network: string }[] = [];
  for (const i of interfaces) {
    if (i.family !== "IPv4") continue;
    let prefix: Prefix;
    try {
      prefix = Prefix.parse(i.cidr);
    } catch {
      continue; // an interface row we cannot read says nothing about broadcasts
    }
    const address = prefix.broadcast()?.toString();
    if (address) out.push({ address, iface: i.name, network: prefix.masked().toString() });
  }
  return out;
}

/**
 * Classifies an IPv4 literal as the limited broadcast, a subnet broadcast of one of
 * `interfaces`, or neither (`undefined`). IPv6 has no broadcast; IPv6 and names give `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { broadcastKind } from "./broadcast.ts";
 *
 * const eth0 = { name: "eth0", family: "IPv4", address: "198.18.1.1", cidr: "198.18.1.1/24" } as const;
 * assert.deepEqual(broadcastKind("255.255.255.255", []), { kind: "limited" });
 * assert.deepEqual(broadcastKind("198.18.1.255", [eth0]), {
 *   kind: "subnet",
 *   iface: "eth0",
 *   network: "198.18.1.0/24",
 * });
 * assert.equal(broadcastKind("198.18.1.2", [eth0]), undefined);
 * ```
 */
export function broadcastKind(
  host: string,
  interfaces: readonly InterfaceAddress[],
): BroadcastKind | undefined {
  let addr: Addr;
  try {
    addr = Addr.parse(host);
  } catch {
    return undefined;
  }
  if (!addr.is4()) return undefined;
  const text = addr.toString();
  if (text === "255.255.255.255") return { kind: "limited" };
  const hit = subnetBroadcasts(interfaces).find((b) => b.address === text);
  return hit ? { kind: "subnet", iface: hit.iface, network: hit.network } : undefined;
}

/**
 * This host's interfaces, or none where the system information is not granted (a drill's
 * sandbox): then only 255.255.255.255 is recognized, and the network scope still confines sends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { broadcastKind, localInterfaces } from "./broadcast.ts";
 *
 * // Loopback's 127.0.0.1/8 is on every Linux host; its broadcast is 127.255.255.255.
 * const lo = localInterfaces().find((i) => i.address === "127.0.0.1");
 * assert.ok(lo);
 * assert.deepEqual(broadcastKind("127.255.255.255", localInterfaces()), {
 *   kind: "subnet",
 *   iface: lo.name,
 *   network: "127.0.0.0/8",
 * });
 * ```
 */
export function localInterfaces(): InterfaceAddress[] {
  const granted = Deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" });
  return granted.state === "granted" ? Deno.networkInterfaces() : [];
}

/**
 * {@linkcode broadcastKind} against this host's interfaces, which are read only for an IPv4
 * literal that could be a subnet broadcast (not loopback, not multicast).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localBroadcastKind } from "./broadcast.ts";
 *
 * assert.deepEqual(localBroadcastKind("255.255.255.255"), { kind: "limited" });
 * // Loopback is never a broadcast to send to, and its interfaces are not even read.
 * assert.equal(localBroadcastKind("127.255.255.255"), undefined);
 * assert.equal(localBroadcastKind("::1"), undefined);
 * ```
 */
export function localBroadcastKind(host: string): BroadcastKind | undefined {
  let addr: Addr;
  try {
    addr = Addr.parse(host);
  } catch {
    return undefined;
  }
  if (!addr.is4() || addr.isLoopback() || addr.isMulticast()) return undefined;
  return broadcastKind(host, addr.toString() === "255.255.255.255" ? [] : localInterfaces());
}
