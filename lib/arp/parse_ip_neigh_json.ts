// `ip -j neigh`: a JSON array of `{dst, dev, lladdr?, router?, proxy?, state: [...]}` objects.
// Flags such as `router` appear as keys with a null value.
import { neighborStateOf } from "./parse_ip_neigh.ts";
import {
  checkIp,
  checkMac,
  type NeighborEntry,
  type NeighborTable,
  TableBuilder,
} from "./neighbor.ts";
import { runSteps, type Steps } from "./steps.ts";

/**
 * Parses `ip -j neigh` output. A document that is not JSON is a `SyntaxError`; an element that
 * cannot be read is a problem reported by its position (`line` is the element's index plus 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIpNeighJson } from "./parse_ip_neigh_json.ts";
 *
 * const { entries } = parseIpNeighJson(
 *   '[{"dst":"10.0.0.1","dev":"eth0","lladdr":"00:11:22:33:44:55","state":["STALE"]}]',
 * );
 * assert.deepEqual(entries.map((e) => [e.ip, e.mac, e.state, e.line]), [
 *   ["10.0.0.1", "00:11:22:33:44:55", "complete", 1],
 * ]);
 * ```
 */
export function parseIpNeighJson(text: string): NeighborTable {
  const builder = new TableBuilder();
  runSteps(ipNeighJsonSteps(text, builder));
  return builder.table();
}

/**
 * Parses JSON from iproute2 (`ip -j ...`). Its JSON writer escapes `"`, `\` and the named control
 * characters but writes the others raw, so an interface named with an ESC in it (Linux allows any
 * byte but `/`, `:` and white space) makes the document invalid JSON for every other parser. Such
 * characters can only stand inside strings: escaped there first, the document reads, and the
 * name keeps its characters. Throws `SyntaxError` for what is not JSON even so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIprouteJson } from "./parse_ip_neigh_json.ts";
 *
 * assert.deepEqual(parseIprouteJson('[{"dev":"e\x1b[31m"}]'), [{ dev: "e\x1b[31m" }]);
 * ```
 */
export function parseIprouteJson(text: string): unknown {
  const escaped = text.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x08\x0b\x0c\x0e-\x1f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return JSON.parse(escaped);
}

/**
 * {@linkcode parseIpNeighJson} in steps (see lib/arp/steps.ts), pausing every few thousand
 * elements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TableBuilder } from "./neighbor.ts";
 * import { ipNeighJsonSteps } from "./parse_ip_neigh_json.ts";
 * import { runSteps } from "./steps.ts";
 *
 * const b = new TableBuilder();
 * runSteps(ipNeighJsonSteps('[{"dst":"10.0.0.1","dev":"eth0","state":["FAILED"]}]', b));
 * assert.equal(b.table().entries[0].state, "failed");
 * ```
 */
export function* ipNeighJsonSteps(text: string, builder: TableBuilder): Steps<void> {
  let data: unknown;
  try {
    data = parseIprouteJson(text);
  } catch (err) {
    throw new SyntaxError(`Cannot parse ip -j neigh output: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new SyntaxError("Cannot parse ip -j neigh output: expected a JSON array");
  }
  for (let i = 0; i < data.length; i++) {
    if ((i & 2047) === 2047) yield;
    try {
      builder.add(entryOf(data[i], i + 1));
    } catch (err) {
      builder.fail(i + 1, JSON.stringify(data[i]) ?? "", err);
    }
    data[i] = undefined; // read: the parsed element may go
  }
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
    ...(proxy && states.includes("PERMANENT") ? { flags: ["permanent" as const] } : {}),
    line: n,
  };
}
