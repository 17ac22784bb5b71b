// `ip -j neigh`: a JSON array of `{dst, dev, lladdr?, router?, proxy?, state: [...]}` objects.
// Flags such as `router` appear as keys with a null value.
import { neighborStateOf } from "./parse_ip_neigh.ts";
import { checkIp, checkMac, type NeighborEntry, type NeighborTable } from "./neighbor.ts";

/**
 * Parses `ip -j neigh` output. A document that is not JSON is a `SyntaxError`; an element that
 * cannot be read is a problem reported by its position (`line` is the element's index plus 1).
 *
 * @example
 * ```ts
 * parseIpNeighJson('[{"dst":"10.0.0.1","dev":"eth0","lladdr":"00:11:22:33:44:55","state":["STALE"]}]');
 * ```
 */
export function parseIpNeighJson(text: string): NeighborTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`Cannot parse ip -j neigh output: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new SyntaxError("Cannot parse ip -j neigh output: expected a JSON array");
  }
  const table: NeighborTable = { entries: [], problems: [] };
  data.forEach((item, i) => {
    try {
      table.entries.push(entryOf(item, i + 1));
    } catch (err) {
      table.problems.push({
        line: i + 1,
        text: JSON.stringify(item),
        reason: (err as Error).message,
      });
    }
  });
  return table;
}

function entryOf(item: unknown, n: number): NeighborEntry {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new SyntaxError("Expected an object");
  }
  const o = item as Record<string, unknown>;
  if (typeof o.dst !== "string") throw new SyntaxError(`Entry has no "dst" address`);
  const ip = checkIp(o.dst);
  const mac = typeof o.lladdr === "string" ? checkMac(o.lladdr) : null;
  const states = Array.isArray(o.state) ? o.state.filter((s) => typeof s === "string") : [];
  const proxy = "proxy" in o;
  if (states.length === 0 && !proxy) throw new SyntaxError(`Entry for ${ip} has no state`);
  return {
    ip,
    mac,
    iface: typeof o.dev === "string" ? o.dev : null,
    state: neighborStateOf(states, { proxy, hasMac: mac !== null }),
    ...(states.length ? { detail: states.join(",") } : {}),
    ...("router" in o ? { router: true } : {}),
    line: n,
  };
}
