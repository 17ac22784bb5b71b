// Finds a lab from the kernel's own state, not from a file `up` wrote: the namespaces whose names
// carry the lab's prefix, and what is configured inside them. That is how `down` cleans up after a
// crash half-way through `up`, and how `status` shows what is really there.
import { runIp } from "./ip_tool.ts";
import { labNamePattern, type LabRole } from "./plan.ts";

/** One interface inside a lab namespace. */
export interface LabInterfaceState {
  name: string;
  /** `UP`, `DOWN`, `UNKNOWN` as the kernel reports it. */
  state: string;
  mac: string;
  /** Addresses with prefix length, global scope only: `198.18.1.1/24`. */
  ipv4: string[];
  ipv6: string[];
  /** The bridge this interface is a port of, if any. */
  master?: string;
}

/** One namespace of a lab. */
export interface LabNamespaceState {
  namespace: string;
  role: LabRole;
  /** The number in the name: 3 for `tklab-h3`. */
  number: number;
  interfaces: LabInterfaceState[];
  /** The IPv4 default gateway, if any. */
  gateway?: string;
  /** For routers: whether IPv4 forwarding is on. */
  forwarding?: boolean;
}

/** What a lab prefix has on this machine. */
export interface LabState {
  prefix: string;
  /** Hosts by number, then routers, then switches. */
  namespaces: LabNamespaceState[];
  /** Links in the caller's namespace whose names carry the prefix (a lab never leaves any). */
  strayLinks: string[];
}

interface IpLink {
  ifname: string;
  operstate?: string;
  address?: string;
  master?: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}

const roleOrder: Record<LabRole, number> = { host: 0, router: 1, switch: 2 };

function parseJson<T>(text: string | undefined): T[] {
  const trimmed = text?.trim();
  return trimmed ? JSON.parse(trimmed) as T[] : [];
}

/**
 * The names of this lab's namespaces, in creation-independent order (hosts, routers, switches).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labNamespaces } from "./discover.ts";
 *
 * // No lab with this prefix here (`ip netns list` needs no privilege).
 * assert.deepEqual(await labNamespaces(`doc${Deno.pid % 100000}`), []);
 * await assert.rejects(labNamespaces("Not A Prefix"), SyntaxError);
 * ```
 */
export async function labNamespaces(prefix: string): Promise<string[]> {
  const pattern = labNamePattern(prefix);
  const listed = parseJson<{ name: string }>(await runIp(["-j", "netns", "list"]));
  return listed.map((n) => n.name).filter((n) => pattern.test(n)).sort(byRoleThenNumber(pattern));
}

function byRoleThenNumber(pattern: RegExp) {
  const key = (name: string) => {
    const m = pattern.exec(name)!;
    const role: LabRole = m[1] === "h" ? "host" : m[1] === "r" ? "router" : "switch";
    return [roleOrder[role], Number(m[2])];
  };
  return (a: string, b: string) => {
    const [ra, na] = key(a);
    const [rb, nb] = key(b);
    return ra - rb || na - nb;
  };
}

/**
 * Links in the caller's namespace named `<prefix>-...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strayLabLinks } from "./discover.ts";
 *
 * assert.deepEqual(await strayLabLinks(`doc${Deno.pid % 100000}`), []);
 * ```
 */
export async function strayLabLinks(prefix: string): Promise<string[]> {
  labNamePattern(prefix); // validates the prefix
  const links = parseJson<IpLink>(await runIp(["-j", "link", "show"]));
  return links.map((l) => l.ifname).filter((n) => n.startsWith(`${prefix}-`));
}

/**
 * Reads everything a lab with this prefix has: its namespaces, their interfaces, addresses,
 * default gateways and (for routers) forwarding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverLab } from "./discover.ts";
 *
 * // See buildLab for a lab read back; with none there, the state is empty.
 * const prefix = `doc${Deno.pid % 100000}`;
 * assert.deepEqual(await discoverLab(prefix), { prefix, namespaces: [], strayLinks: [] });
 * ```
 */
export async function discoverLab(
  prefix: string,
  options: { signal?: AbortSignal } = {},
): Promise<LabState> {
  const pattern = labNamePattern(prefix);
  const names = await labNamespaces(prefix);
  const namespaces = await Promise.all(names.map(async (namespace) => {
    const m = pattern.exec(namespace)!;
    const role: LabRole = m[1] === "h" ? "host" : m[1] === "r" ? "router" : "switch";
    // Failures are not hidden: without the privilege to enter a namespace there is no status.
    const run = (args: string[]) => runIp(["-n", namespace, ...args], { signal: options.signal });
    const [links, routes] = await Promise.all([
      run(["-j", "addr", "show"]),
      run(["-j", "route", "show", "default"]),
    ]);
    const interfaces = parseJson<IpLink>(links)
      .filter((l) => l.ifname !== "lo")
      .map((l): LabInterfaceState => {
        const global = (family: string) =>
          (l.addr_info ?? []).filter((a) => a.family === family && a.scope === "global")
            .map((a) => `${a.local}/${a.prefixlen}`);
        return {
          name: l.ifname,
          state: l.operstate ?? "UNKNOWN",
          mac: l.address ?? "",
          ipv4: global("inet"),
          ipv6: global("inet6"),
          ...(l.master ? { master: l.master } : {}),
        };
      });
    const gateway = parseJson<{ gateway?: string }>(routes)[0]?.gateway;
    const state: LabNamespaceState = { namespace, role, number: Number(m[2]), interfaces };
    if (gateway) state.gateway = gateway;
    if (role === "router") {
      const out = await runIp(
        ["netns", "exec", namespace, "sysctl", "-n", "net.ipv4.ip_forward"],
        { signal: options.signal, allowFailure: true },
      );
      state.forwarding = out?.trim() === "1";
    }
    return state;
  }));
  return { prefix, namespaces, strayLinks: await strayLabLinks(prefix) };
}
