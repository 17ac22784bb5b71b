// This machine's network links as `ip addr` shows them: every link, with or without addresses,
// its state, MTU and MAC, read from `ip -j addr show` where this process may run `ip`. Where it
// may not, the runtime's own list (Deno.networkInterfaces()) is used: only links that have an
// address, without state or MTU, and the caller is told why.
import { runTool } from "./proc_net.ts";

/** One address of a link, with the keys `ifaces --json` prints. */
export interface LinkAddress {
  family: "ipv4" | "ipv6";
  address: string;
  prefixLength: number;
  /** The address with its prefix length: `192.168.1.10/24`. */
  cidr: string;
  /** IPv6: the zone (the link's index) of a link-local address, else 0; IPv4: `null`. */
  scopeId: number | null;
}

/** One link (interface). `null` fields are unknown (the runtime's list has no such facts). */
export interface Link {
  name: string;
  /** The kernel's interface index. */
  index: number | null;
  /** Operational state as `ip` prints it: `UP`, `DOWN`, `UNKNOWN` (loopback), `LOWERLAYERDOWN`... */
  state: string | null;
  mtu: number | null;
  /** The hardware address as given; `null` when there is none (loopback, tunnels). */
  mac: string | null;
  /** Link flags (`UP`, `LOWER_UP`, `BROADCAST`, `NOARP`...). */
  flags: string[] | null;
  /** `ether`, `loopback`, `none`... */
  linkType: string | null;
  addresses: LinkAddress[];
}

/** A row of `ip -j addr`, as it may come: every field is checked before use. */
interface IpAddrJson {
  ifindex?: unknown;
  ifname?: unknown;
  flags?: unknown[];
  mtu?: unknown;
  operstate?: unknown;
  link_type?: unknown;
  address?: unknown;
  addr_info?: { family?: unknown; local?: unknown; prefixlen?: unknown; scope?: unknown }[];
}

const noMac = "00:00:00:00:00:00";

/**
 * iproute2's JSON writer escapes quotes, backslashes, tabs and line ends in strings but writes
 * other control characters raw, which JSON does not allow: a link named with an ESC in it made the
 * whole answer unreadable. Compact output (no `-p`) has no whitespace outside strings, so every
 * control character left is inside one and is written as its escape.
 */
function repairControls(text: string): string {
  return text.trimEnd().replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The top-level objects of a JSON array, as texts, found by brackets and strings alone: so that
 * one link's object that does not parse costs that link, not the list.
 */
function topLevelObjects(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = -1, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 1 && c === "{") start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 1 && c === "}" && start >= 0) (out.push(text.slice(start, i + 1)), start = -1);
    }
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const int = (v: unknown): number | null => (Number.isSafeInteger(v) ? v as number : null);

/** One `ip -j addr` row as a link, each field checked; `undefined` when it names no link. */
function linkOf(r: IpAddrJson): Link | undefined {
  if (r === null || typeof r !== "object" || typeof r.ifname !== "string") return undefined;
  const index = int(r.ifindex);
  const address = str(r.address);
  return {
    name: r.ifname,
    index,
    state: str(r.operstate),
    mtu: int(r.mtu),
    mac: address && address !== noMac && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(address)
      ? address
      : null,
    flags: Array.isArray(r.flags) ? r.flags.filter((f) => typeof f === "string") : [],
    linkType: str(r.link_type),
    addresses: (Array.isArray(r.addr_info) ? r.addr_info : []).flatMap((a): LinkAddress[] => {
      if (a === null || typeof a !== "object") return [];
      if ((a.family !== "inet" && a.family !== "inet6") || typeof a.local !== "string") return [];
      const v6 = a.family === "inet6";
      const prefixLength = int(a.prefixlen) ?? (v6 ? 128 : 32);
      return [{
        family: v6 ? "ipv6" : "ipv4",
        address: a.local,
        prefixLength,
        cidr: `${a.local}/${prefixLength}`,
        scopeId: v6 ? (a.scope === "link" ? index ?? 0 : 0) : null,
      }];
    }),
  };
}

/**
 * Parses `ip -j addr show` into links, in the kernel's index order. Raw control characters in
 * names are taken as the characters they are; a link whose entry still does not parse is left out
 * and counted in `unreadable`, the others are kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIpAddrJson } from "./links.ts";
 *
 * const text = JSON.stringify([
 *   {
 *     ifindex: 1,
 *     ifname: "lo",
 *     flags: ["LOOPBACK", "UP", "LOWER_UP"],
 *     mtu: 65536,
 *     operstate: "UNKNOWN",
 *     link_type: "loopback",
 *     address: "00:00:00:00:00:00",
 *     addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8, scope: "host" }],
 *   },
 * ]);
 * assert.deepEqual(parseIpAddrJson(text), {
 *   links: [{
 *     name: "lo",
 *     index: 1,
 *     state: "UNKNOWN",
 *     mtu: 65536,
 *     mac: null,
 *     flags: ["LOOPBACK", "UP", "LOWER_UP"],
 *     linkType: "loopback",
 *     addresses: [{
 *       family: "ipv4",
 *       address: "127.0.0.1",
 *       prefixLength: 8,
 *       cidr: "127.0.0.1/8",
 *       scopeId: null,
 *     }],
 *   }],
 *   unreadable: 0,
 * });
 * ```
 */
export function parseIpAddrJson(text: string): { links: Link[]; unreadable: number } {
  const repaired = repairControls(text);
  let rows: unknown;
  try {
    rows = JSON.parse(repaired);
  } catch {
    rows = undefined;
  }
  if (rows !== undefined && !Array.isArray(rows)) {
    throw new SyntaxError("ip -j addr did not print a list of links");
  }
  let unreadable = 0;
  if (rows === undefined) {
    const objects = topLevelObjects(repaired);
    if (objects.length === 0) throw new SyntaxError("ip -j addr printed no link that parses");
    rows = objects.flatMap((o) => {
      try {
        return [JSON.parse(o)];
      } catch {
        unreadable++;
        return [];
      }
    });
  }
  // Rows that name no link (some iproute2 versions print `{"addr_info":[{}]}` between links) are
  // not links; only entries that do not parse are unreadable.
  const links = (rows as IpAddrJson[]).flatMap((r) => linkOf(r) ?? []);
  return { links, unreadable };
}

/**
 * Groups the runtime's interface list (one row per address) into links, keeping its order.
 * Links without an address are not in that list; state, MTU and index are unknown (`null`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linksFromInterfaces } from "./links.ts";
 *
 * // The runtime names an address by its label (eth0:1); the link is eth0, in either order.
 * const row = (name: string, address: string): Deno.NetworkInterfaceInfo => ({
 *   name,
 *   family: "IPv4",
 *   address,
 *   netmask: "255.255.255.0",
 *   scopeid: null,
 *   cidr: `${address}/24`,
 *   mac: "02:00:00:00:00:01",
 * });
 * const links = linksFromInterfaces([row("eth0:1", "198.18.0.2"), row("eth0", "198.18.0.1")]);
 * assert.deepEqual(links.map((l) => [l.name, l.mac, l.state]), [["eth0", "02:00:00:00:00:01", null]]);
 * assert.deepEqual(links[0].addresses.map((a) => a.cidr), ["198.18.0.2/24", "198.18.0.1/24"]);
 * ```
 */
export function linksFromInterfaces(rows: readonly Deno.NetworkInterfaceInfo[]): Link[] {
  const byName = new Map<string, Link>();
  for (const r of rows) {
    // getifaddrs names an address by its label (`eth0:1`); a link's own name never has a colon.
    const name = r.name.split(":")[0];
    let link = byName.get(name);
    if (!link) {
      link = {
        name,
        index: null,
        state: null,
        mtu: null,
        mac: r.mac && r.mac !== noMac ? r.mac : null,
        flags: null,
        linkType: null,
        addresses: [],
      };
      byName.set(name, link);
    }
    link.addresses.push({
      family: r.family === "IPv6" ? "ipv6" : "ipv4",
      address: r.address,
      prefixLength: Number(r.cidr.split("/")[1]),
      cidr: r.cidr,
      scopeId: r.scopeid,
    });
  }
  return [...byName.values()];
}

/**
 * Reads every link: from `ip -j addr show` when this process may run `ip`, else from the
 * runtime's list with `fallback` saying why; `problem` says when some link's entry was unreadable. The runtime's list is read first either way, so a
 * scope without `sys: networkInterfaces` is refused here (NotCapable) whichever source answers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLinks } from "./links.ts";
 *
 * const { links, fallback } = await readLinks();
 * // Loopback is there whichever source answered; `ip` also knows its state and MTU.
 * const lo = links.find((l) => l.addresses.some((a) => a.address === "127.0.0.1"));
 * assert.ok(lo);
 * if (fallback === undefined) assert.equal(typeof lo.mtu, "number");
 * ```
 */
export async function readLinks(): Promise<{ links: Link[]; fallback?: string; problem?: string }> {
  const runtime = Deno.networkInterfaces();
  const fallback = (why: string) => ({ links: linksFromInterfaces(runtime), fallback: why });
  let parsed: { links: Link[]; unreadable: number };
  const run = await Deno.permissions.query({ name: "run", command: "ip" });
  if (run.state !== "granted") return fallback("running `ip` is outside the scope");
  let text: string | undefined;
  try {
    text = await runTool("ip", ["-j", "addr", "show"]);
  } catch (err) {
    return fallback((err as Error).message);
  }
  if (text === undefined) return fallback("`ip` (iproute2) is not installed");
  try {
    parsed = parseIpAddrJson(text);
  } catch (err) {
    return fallback(`cannot read the output of ip -j addr: ${(err as Error).message}`);
  }
  const { links, unreadable } = parsed;
  if (unreadable === 0) return { links };
  return {
    links,
    problem: `ip -j addr: the entry of ${unreadable} link${
      unreadable === 1 ? "" : "s"
    } could not be read (left out)`,
  };
}
