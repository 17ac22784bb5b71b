// Local binds a narrowed scope needs and nothing wider. A UDP client (and a listener on port 0)
// binds a local address before it sends, and Deno checks that bind as net access to `ADDR:0`.
// Granting `0.0.0.0:0` for it would let a narrowed command listen on every interface, so each
// host in the scope gets the one local address a client toward it binds: the host itself on
// loopback, else this machine's address on the interface whose subnet holds the host, else (a
// routed host) this machine's only address of that family, if it has just one.
import { Addr } from "../ip/addr.ts";
import { Prefix } from "../ip/prefix.ts";
import { formatHostPort } from "../net/address.ts";
import { isWildcardEntry, netTarget } from "./net_entry.ts";
import { ScopeError } from "./errors.ts";
import type { Grant, LocalBind, Scope } from "./types.ts";

const loopback4 = Prefix.parse("127.0.0.0/8");

function isLoopbackPrefix(p: Prefix): boolean {
  return p.family === 4 ? loopback4.containsPrefix(p) : p.bits === 128 && p.addr.isLoopback();
}

/**
 * The addresses of this machine a client toward other hosts may bind: one per interface address
 * (serving that subnet), plus, per family with exactly one such address, that address serving
 * every destination (the route's source when there is no other choice). Loopback and link-local
 * addresses are left out (loopback binds itself; link-local needs a zone Deno cannot grant).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localBinds } from "./binds.ts";
 *
 * const eth0: Deno.NetworkInterfaceInfo = {
 *   name: "eth0",
 *   family: "IPv4",
 *   address: "198.18.1.1",
 *   netmask: "255.255.255.0",
 *   scopeid: null,
 *   cidr: "198.18.1.1/24",
 *   mac: "02:00:00:00:00:01",
 * };
 * // Its own subnet, and (the only IPv4 address) every routed destination.
 * assert.deepEqual(localBinds([eth0]).map((b) => b.serves), ["198.18.1.0/24", "0.0.0.0/0"]);
 * ```
 */
export function localBinds(interfaces: readonly Deno.NetworkInterfaceInfo[]): LocalBind[] {
  const onLink: LocalBind[] = [];
  for (const iface of interfaces) {
    if (!iface.cidr || iface.scopeid) continue;
    let local: Prefix;
    try {
      local = Prefix.parse(iface.cidr);
    } catch {
      continue;
    }
    if (local.addr.isLoopback() || local.addr.isLinkLocalUnicast()) continue;
    onLink.push({
      address: local.addr.toString(),
      serves: local.masked().toString(),
      iface: iface.name,
    });
  }
  const routed = ([4, 6] as const).flatMap((family) => {
    const mine = onLink.filter((b) => Addr.parse(b.address).family === family);
    const only = new Set(mine.map((b) => b.address));
    return only.size === 1 ? [{ ...mine[0], serves: family === 4 ? "0.0.0.0/0" : "::/0" }] : [];
  });
  return [...onLink, ...routed];
}

/**
 * The implicit local binds for a list of normalized net entries: the grants to add, and the
 * local addresses clients toward those entries bind (`binds`, kept in the scope). An entry that
 * already covers its binds (a host without a port, a CIDR holding the local address) adds no
 * grant; DNS names other than `localhost` add none (where they lead is not known before the
 * connection); wildcard entries add none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { implicitBinds } from "./binds.ts";
 *
 * const { grants } = implicitBinds(["127.0.0.1:9000"], []);
 * assert.deepEqual(grants.map((g) => g.entry), ["127.0.0.1:0"]);
 * // Entries without a port already cover their local binds.
 * assert.deepEqual(implicitBinds(["127.0.0.0/8", "[::1]"], []).grants, []);
 * ```
 */
export function implicitBinds(
  entries: readonly string[],
  binds: readonly LocalBind[],
  routes: Readonly<Record<string, RouteSource>> = {},
): { grants: Grant[]; binds: LocalBind[] } {
  const out: Grant[] = [];
  const chosenBinds: LocalBind[] = [];
  const grant = (host: string, implicit: string) =>
    out.push({ entry: formatHostPort(host, 0), implicit });
  for (const entry of entries) {
    const target = netTarget(entry);
    if (!target || isWildcardEntry(entry)) continue;
    if (target.name !== undefined) {
      if (target.name === "localhost" && target.port !== undefined) {
        grant("127.0.0.1", `local bind for clients of ${entry}`);
        grant("::1", `local bind for clients of ${entry}`);
      }
      continue;
    }
    const p = target.prefix!;
    const single = p.bits === p.addr.bitLength;
    if (isLoopbackPrefix(p)) {
      // A loopback host binds itself; a host without a port or a CIDR already grants that.
      if (single && target.port !== undefined) {
        grant(p.addr.toString(), `local bind for clients of ${entry}`);
      }
      continue;
    }
    const mine = binds.filter((b) => Prefix.parse(b.serves).family === p.family);
    const onLink = mine.filter((b) =>
      !b.serves.endsWith("/0") && Prefix.parse(b.serves).overlaps(p)
    );
    // Toward a routed host, the source the routing table picks (`ip route get`), else this
    // machine's only address of the family.
    const route = single ? routes[p.addr.toString()] : undefined;
    const chosen = onLink.length
      ? onLink
      : route
      ? [{ address: route.source, serves: "0.0.0.0/0", iface: route.dev }]
      : mine.filter((b) => b.serves.endsWith("/0"));
    for (const b of chosen) {
      const routed = b.serves.endsWith("/0");
      // Clients toward this entry bind here, whether or not the entry already grants it.
      chosenBinds.push(routed ? { ...b, serves: p.toString() } : b);
      const local = Addr.parse(b.address);
      if (p.contains(local) && (!single || target.port === undefined)) continue;
      grant(
        b.address,
        routed
          ? route
            ? `the source the route to ${p.addr} takes (${b.iface}), for clients of ${entry}`
            : `this machine's only IPv${p.family} address (${b.iface}), for clients of ${entry} (routed)`
          : `local address on ${b.serves} (${b.iface}) for clients of ${entry}`,
      );
    }
  }
  return { grants: out, binds: chosenBinds };
}

/**
 * The local address a client socket toward `host` binds to: the host itself when it is loopback
 * (IPv4, `::1`, or IPv4-mapped loopback), `127.0.0.1` for `localhost`, the first of `binds`
 * whose `serves` prefix holds the host, else the unspecified address of the host's family
 * (which only an unnarrowed scope grants).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localBindFor } from "./binds.ts";
 *
 * assert.equal(localBindFor("127.0.0.2", []), "127.0.0.2");
 * const binds = [{ address: "198.18.1.1", serves: "198.18.1.0/24", iface: "eth0" }];
 * assert.equal(localBindFor("198.18.1.2", binds), "198.18.1.1");
 * assert.equal(localBindFor("198.18.2.2", binds), "0.0.0.0");
 * ```
 */
export function localBindFor(host: string, binds: readonly LocalBind[]): string {
  if (host.toLowerCase() === "localhost") return "127.0.0.1";
  let addr: Addr;
  try {
    addr = Addr.parse(host);
  } catch {
    return "0.0.0.0"; // a DNS name: the kernel picks the route's source
  }
  const plain = addr.is4In6() ? addr.unmap() : addr;
  if (plain.isLoopback()) return addr.family === 6 && !addr.is4In6() ? "::1" : host;
  const bare = addr.withZone("");
  for (const b of binds) {
    const serves = Prefix.parse(b.serves);
    if (serves.family === addr.family && serves.contains(bare)) return b.address;
  }
  return addr.family === 6 ? "::" : "0.0.0.0";
}

/**
 * The local binds a client may choose from under `scope`: its implicit binds, or with no scope,
 * this machine's (only when the binary's own set does not grant the wildcard bind and lets
 * toolkit list interfaces), so a binary confined by its permission set binds inside it too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bindsInScope } from "./binds.ts";
 *
 * const binds = [{ address: "198.18.1.1", serves: "198.18.1.0/24", iface: "eth0" }];
 * assert.deepEqual(bindsInScope({ kinds: { net: [] }, binds }), binds);
 * ```
 */
export function bindsInScope(scope: Scope | undefined): LocalBind[] {
  if (scope?.kinds.net) return scope.binds ?? [];
  if (Deno.permissions.querySync({ name: "net", host: "0.0.0.0:0" }).state === "granted") return [];
  return localBinds(listInterfaces());
}

/**
 * This machine's interfaces, when this process may list them (`sys: networkInterfaces`); none
 * otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listInterfaces } from "./binds.ts";
 *
 * const ifs = listInterfaces(); // [] without `--allow-sys=networkInterfaces`
 * assert.ok(ifs.every((i) => i.family === "IPv4" || i.family === "IPv6"));
 * ```
 */
export function listInterfaces(): Deno.NetworkInterfaceInfo[] {
  const state = Deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" }).state;
  return state === "granted" ? Deno.networkInterfaces() : [];
}

/**
 * Throws {@linkcode ScopeError} unless the scope in force lets a client reach `host:port`. A client
 * asks before it binds, so a refusal names where it was going, not the local bind it needed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDestination } from "./binds.ts";
 * import { ScopeError } from "./errors.ts";
 *
 * const { state } = Deno.permissions.querySync({ name: "net", host: "127.0.0.1:9000" });
 * if (state === "granted") checkDestination("127.0.0.1", 9000); // returns: allowed
 * else assert.throws(() => checkDestination("127.0.0.1", 9000), ScopeError);
 * ```
 */
export function checkDestination(host: string, port: number): void {
  const where = formatHostPort(host, port);
  if (Deno.permissions.querySync({ name: "net", host: where }).state !== "granted") {
    throw new ScopeError("net", where);
  }
}

/** Where the routing table sends packets for one address: the source address and the device. */
export interface RouteSource {
  source: string;
  dev: string;
}

/**
 * The source address the routing table picks toward each single-host entry that is not loopback
 * (`ip -j route get ADDR`: a table lookup, nothing is sent), when this process may run `ip`. At
 * most 64 lookups; names, prefixes and Unix sockets are skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listInterfaces, routeSources } from "./binds.ts";
 *
 * // Loopback, prefixes and Unix sockets are not looked up.
 * assert.deepEqual(await routeSources(["127.0.0.1:9000", "10.0.0.0/8", "unix:/run/x.sock"]), {});
 * // An address of this machine is reached through `lo`, from itself.
 * const own = listInterfaces().find((i) => i.family === "IPv4" && !i.address.startsWith("127."));
 * if (own && Deno.permissions.querySync({ name: "run", command: "ip" }).state === "granted") {
 *   const routes = await routeSources([`${own.address}:9`]);
 *   assert.deepEqual(routes[own.address], { source: own.address, dev: "lo" });
 * }
 * ```
 */
export async function routeSources(
  entries: readonly string[],
): Promise<Record<string, RouteSource>> {
  const out: Record<string, RouteSource> = {};
  if (Deno.permissions.querySync({ name: "run", command: "ip" }).state !== "granted") return out;
  const hosts = entries.flatMap((e) => {
    const p = netTarget(e)?.prefix;
    return p && p.bits === p.addr.bitLength && !p.addr.isLoopback() && !p.addr.isUnspecified()
      ? [p.addr.toString()]
      : [];
  }).slice(0, 64);
  for (const host of new Set(hosts)) {
    try {
      const r = await new Deno.Command("ip", {
        args: ["-j", "route", "get", host],
        stdout: "piped",
        stderr: "null",
      }).output();
      if (!r.success) continue;
      const [route] = JSON.parse(new TextDecoder().decode(r.stdout)) as {
        prefsrc?: string;
        dev?: string;
      }[];
      if (route?.prefsrc) out[host] = { source: route.prefsrc, dev: route.dev ?? "" };
    } catch { /* no ip, or an answer we cannot read: fall back to the interfaces */ }
  }
  return out;
}
