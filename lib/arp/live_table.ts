// The running kernel's neighbour table on Linux (ARP and NDP) from `ip -j neigh` or /proc/net/arp,
// and the default gateways from /proc/net/route or `ip route`.
import { readProcNet, requireRead, runTool } from "../net/proc_net.ts";
import { lineSteps, type NeighborTable, TableBuilder } from "./neighbor.ts";
import { ipNeighJsonSteps, parseIprouteJson } from "./parse_ip_neigh_json.ts";
import { procNetArpLines } from "./parse_proc_net_arp.ts";
import { runStepsYielding } from "./steps.ts";

/**
 * Reads the live neighbour table: from `ip -j neigh` (both families, with the kernel's NUD states)
 * where iproute2 is installed, else from `/proc/net/arp` (IPv4 only). Either way read access to
 * `/proc/net/arp` must be in scope (`Deno.errors.NotCapable` otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLiveNeighbors } from "./live_table.ts";
 *
 * // Reads this machine's table (ARP only here); nothing is sent.
 * const { entries } = await readLiveNeighbors({ ipv6: false });
 * assert.ok(entries.every((e) => !e.ip.includes(":")));
 * ```
 */
export async function readLiveNeighbors(
  options: { ipv6?: boolean; signal?: AbortSignal } = {},
): Promise<NeighborTable> {
  await requireRead(procNetArp);
  const viaIp = await ipNeighJson({ family: options.ipv6 === false ? 4 : undefined, ...options });
  if (viaIp) return viaIp;
  const text = await readProcNet(procNetArp);
  if (text === undefined) {
    throw new Deno.errors.NotFound(
      `No neighbour table: ${procNetArp} is not readable here and iproute2 (ip) is not installed`,
    );
  }
  const builder = new TableBuilder();
  await runStepsYielding(lineSteps(text, procNetArpLines(), builder), options);
  return builder.table();
}

const procNetArp = "/proc/net/arp";

/**
 * Runs `ip -j neigh show` (optionally for one family or address) and parses it; `undefined` when
 * `ip` is not installed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ipNeighJson } from "./live_table.ts";
 *
 * // Loopback has no neighbours; `undefined` would mean iproute2 is not installed.
 * const table = await ipNeighJson({ family: 4, to: "127.0.0.1" });
 * if (table) assert.deepEqual(table.entries, []);
 * ```
 */
export async function ipNeighJson(
  options: { family?: 4 | 6; to?: string; signal?: AbortSignal } = {},
): Promise<NeighborTable | undefined> {
  await requireRead(procNetArp);
  const text = await runTool("ip", [
    ...(options.family ? [`-${options.family}`] : []),
    "-j",
    "neigh",
    "show",
    ...(options.to ? ["to", options.to] : []),
  ]);
  if (text === undefined) return undefined;
  const builder = new TableBuilder();
  if (text.trim() !== "") await runStepsYielding(ipNeighJsonSteps(text, builder), options);
  return builder.table();
}

/** A default route: the gateway's IPv4 address and the interface. */
export interface DefaultGateway {
  ip: string;
  iface: string;
}

/**
 * Parses `/proc/net/route` and returns its default routes' gateways (addresses are little-endian
 * hex, as the kernel prints them on x86 and ARM).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProcNetRoute } from "./live_table.ts";
 *
 * const text = "Iface\tDestination\tGateway\tFlags\n" +
 *   "eth0\t00000000\t0101A8C0\t0003\n" + // default via 192.168.1.1
 *   "eth0\t0001A8C0\t00000000\t0001\n"; // 192.168.1.0/24 on link: not a default route
 * assert.deepEqual(parseProcNetRoute(text), [{ ip: "192.168.1.1", iface: "eth0" }]);
 * ```
 */
export function parseProcNetRoute(text: string): DefaultGateway[] {
  const out: DefaultGateway[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || f[1] !== "00000000" || !/^[0-9a-f]{8}$/i.test(f[2])) continue;
    if (f[2] === "00000000") continue;
    const n = parseInt(f[2], 16);
    out.push({ ip: [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join("."), iface: f[0] });
  }
  return out;
}

/**
 * The live default gateways (IPv4) from `/proc/net/route`; empty where the file does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "../ip/addr.ts";
 * import { readDefaultGateways } from "./live_table.ts";
 *
 * const gateways = await readDefaultGateways(); // this machine's, read from the kernel
 * assert.ok(gateways.every((g) => Addr.parse(g.ip).is4() && g.iface !== ""));
 * ```
 */
export async function readDefaultGateways(): Promise<DefaultGateway[]> {
  try {
    const text = await readProcNet("/proc/net/route");
    if (text !== undefined) return parseProcNetRoute(text);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const json = await runTool("ip", ["-4", "-j", "route", "show", "default"]);
  if (!json?.trim()) return [];
  return (parseIprouteJson(json) as { gateway?: string; dev?: string }[])
    .filter((r) => r.gateway)
    .map((r) => ({ ip: r.gateway!, iface: r.dev ?? "" }));
}
