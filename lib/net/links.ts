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

interface IpAddrJson {
  ifindex?: number;
  ifname?: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number; scope?: string }[];
}

const noMac = "00:00:00:00:00:00";

/**
 * Parses `ip -j addr show` into links, in the kernel's index order.
 *
 * @example
 * ```ts
 * parseIpAddrJson('[{"ifindex":1,"ifname":"lo","mtu":65536,"operstate":"UNKNOWN","addr_info":[]}]')[0].state;
 * // "UNKNOWN"
 * ```
 */
export function parseIpAddrJson(text: string): Link[] {
  const rows = JSON.parse(text) as IpAddrJson[];
  if (!Array.isArray(rows)) throw new SyntaxError("ip -j addr did not print a list of links");
  return rows.filter((r) => typeof r.ifname === "string").map((r) => ({
    name: r.ifname!,
    index: r.ifindex ?? null,
    state: r.operstate ?? null,
    mtu: r.mtu ?? null,
    mac: r.address && r.address !== noMac && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(r.address)
      ? r.address
      : null,
    flags: r.flags ?? [],
    linkType: r.link_type ?? null,
    addresses: (r.addr_info ?? []).flatMap((a): LinkAddress[] => {
      if ((a.family !== "inet" && a.family !== "inet6") || !a.local) return [];
      const v6 = a.family === "inet6";
      const prefixLength = a.prefixlen ?? (v6 ? 128 : 32);
      return [{
        family: v6 ? "ipv6" : "ipv4",
        address: a.local,
        prefixLength,
        cidr: `${a.local}/${prefixLength}`,
        scopeId: v6 ? (a.scope === "link" ? r.ifindex ?? 0 : 0) : null,
      }];
    }),
  }));
}

/**
 * Groups the runtime's interface list (one row per address) into links, keeping its order.
 * Links without an address are not in that list; state, MTU and index are unknown (`null`).
 *
 * @example
 * ```ts
 * linksFromInterfaces(Deno.networkInterfaces())[0].name; // "lo"
 * ```
 */
export function linksFromInterfaces(rows: readonly Deno.NetworkInterfaceInfo[]): Link[] {
  const byName = new Map<string, Link>();
  for (const r of rows) {
    let link = byName.get(r.name);
    if (!link) {
      link = {
        name: r.name,
        index: null,
        state: null,
        mtu: null,
        mac: r.mac && r.mac !== noMac ? r.mac : null,
        flags: null,
        linkType: null,
        addresses: [],
      };
      byName.set(r.name, link);
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
 * runtime's list with `fallback` saying why. The runtime's list is read first either way, so a
 * scope without `sys: networkInterfaces` is refused here (NotCapable) whichever source answers.
 *
 * @example
 * ```ts
 * const { links, fallback } = await readLinks();
 * ```
 */
export async function readLinks(): Promise<{ links: Link[]; fallback?: string }> {
  const runtime = Deno.networkInterfaces();
  const fallback = (why: string) => ({ links: linksFromInterfaces(runtime), fallback: why });
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
    return { links: parseIpAddrJson(text) };
  } catch (err) {
    return fallback(`cannot read the output of ip -j addr: ${(err as Error).message}`);
  }
}
