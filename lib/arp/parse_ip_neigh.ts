// `ip neigh` text (iproute2): `ADDR [dev IF] [lladdr MAC] [router] [proxy] [extern_learn] STATE...`,
// where an INCOMPLETE or FAILED entry has no lladdr and `ip neigh show proxy` prints `proxy`.
import {
  checkIp,
  checkMac,
  type LineParser,
  type NeighborState,
  type NeighborTable,
  parseLines,
} from "./neighbor.ts";

/** Kernel NUD states and what they mean for the entry. */
const nudStates: Record<string, NeighborState> = {
  REACHABLE: "complete",
  STALE: "complete",
  DELAY: "complete",
  PROBE: "complete",
  INCOMPLETE: "incomplete",
  FAILED: "failed",
  PERMANENT: "permanent",
  NOARP: "permanent",
  NONE: "incomplete",
};

/**
 * Maps the states `ip neigh` reports (one or more of REACHABLE, STALE, ... ) to a
 * {@linkcode NeighborState}; the first state that decides wins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { neighborStateOf } from "./parse_ip_neigh.ts";
 *
 * assert.equal(neighborStateOf(["STALE"], { proxy: false, hasMac: true }), "complete");
 * assert.equal(neighborStateOf(["FAILED"], { proxy: false, hasMac: false }), "failed");
 * ```
 */
export function neighborStateOf(
  states: readonly string[],
  options: { proxy: boolean; hasMac: boolean },
): NeighborState {
  if (options.proxy) return "proxy";
  for (const s of states) {
    const mapped = nudStates[s.toUpperCase()];
    if (mapped) return mapped;
  }
  return options.hasMac ? "complete" : "incomplete";
}

const words = new Set(["router", "proxy", "extern_learn", "offload", "managed", "use"]);

/**
 * Parses `ip neigh` (or `ip -4 neigh`, `ip -6 neigh`, `ip neigh show dev IF`) output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIpNeigh } from "./parse_ip_neigh.ts";
 *
 * const { entries } = parseIpNeigh(
 *   "192.168.1.1 dev eth0 lladdr 00:11:22:33:44:55 REACHABLE\n" +
 *     "fe80::1 dev eth0 lladdr 00:11:22:33:44:55 router STALE\n",
 * );
 * assert.deepEqual(entries.map((e) => [e.ip, e.state, e.detail, e.router ?? false]), [
 *   ["192.168.1.1", "complete", "REACHABLE", false],
 *   ["fe80::1", "complete", "STALE", true],
 * ]);
 * ```
 */
export function parseIpNeigh(text: string, options: { dev?: string } = {}): NeighborTable {
  return parseLines(text, ipNeighLines(options));
}

/**
 * The line reader of {@linkcode parseIpNeigh}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ipNeighLines } from "./parse_ip_neigh.ts";
 *
 * assert.equal(ipNeighLines()("10.0.0.1 dev eth0 FAILED", 1)?.state, "failed");
 * // `ip neigh show dev eth0` leaves the device out of each line.
 * assert.equal(ipNeighLines({ dev: "eth0" })("10.0.0.1 FAILED", 1)?.iface, "eth0");
 * ```
 */
export function ipNeighLines(options: { dev?: string } = {}): LineParser {
  return (line, n) => {
    const t = line.trim().split(/\s+/);
    const ip = checkIp(t[0]);
    let dev: string | null = options.dev ?? null;
    let mac: string | null = null;
    let router = false, proxy = false;
    const states: string[] = [];
    for (let i = 1; i < t.length; i++) {
      const w = t[i];
      if (w === "dev" || w === "lladdr" || w === "proto" || w === "vni" || w === "nomaster") {
        const v = t[++i];
        if (v === undefined) throw new SyntaxError(`"${w}" without a value`);
        if (w === "dev") dev = v;
        if (w === "lladdr") mac = checkMac(v);
      } else if (w === "used" || w === "probes") {
        i++; // statistics from `ip -s neigh`
      } else if (words.has(w)) {
        if (w === "router") router = true;
        if (w === "proxy") proxy = true;
      } else if (/^[A-Z_]+$/.test(w)) {
        if (!(w in nudStates)) throw new SyntaxError(`Unknown neighbour state "${w}"`);
        states.push(w);
      } else {
        throw new SyntaxError(`Unexpected word "${w}"`);
      }
    }
    if (states.length === 0 && !proxy) throw new SyntaxError(`No neighbour state on the line`);
    return {
      ip,
      mac,
      iface: dev,
      state: neighborStateOf(states, { proxy, hasMac: mac !== null }),
      ...(states.length ? { detail: states.join(",") } : {}),
      ...(router ? { router } : {}),
      ...(proxy && states.includes("PERMANENT") ? { flags: ["permanent" as const] } : {}),
      line: n,
    };
  };
}
