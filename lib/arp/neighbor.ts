// The one shape every neighbour-table parser produces, whatever tool printed the table, and the
// shared bookkeeping for lines that do not parse (reported by line number, never fatal).
import { classifyHost } from "../net/address.ts";
import { formatMac, parseMac } from "./mac.ts";

/**
 * Where an entry stands, normalised across tools: `complete` (resolved: Linux REACHABLE, STALE,
 * DELAY, PROBE; flags 0x2; Windows `dynamic`), `permanent` (static), `incomplete` (asked, no answer
 * yet), `failed` (no answer), `proxy` (this host answers for the address).
 */
export type NeighborState = "complete" | "permanent" | "incomplete" | "failed" | "proxy";

/** One neighbour-table entry. */
export interface NeighborEntry {
  /** IPv4 or IPv6 address as written (IPv6 lower-case). */
  ip: string;
  /** Canonical `aa:bb:cc:dd:ee:ff`, or `null` when the entry has none (incomplete, failed). */
  mac: string | null;
  /**
   * Interface name (`eth0`, `en0`, netsh's `Wi-Fi`), or for Windows `arp -a` the interface's
   * address; `null` where the table does not say (AIX).
   */
  iface: string | null;
  state: NeighborState;
  /** The tool's own word for the state when it has a finer one: `REACHABLE`, `STALE`, `dynamic`. */
  detail?: string;
  /** `ip neigh` marks IPv6 routers (NDP's R flag). */
  router?: boolean;
  /** The address is this host's own (OpenBSD flag `l`, Solaris `L`): not a neighbour's claim. */
  local?: boolean;
  /** The line the entry came from (1-based); for JSON input, the array index plus 1. */
  line: number;
}

/** A line that could not be read, and why. */
export interface ParseProblem {
  line: number;
  text: string;
  reason: string;
}

/** What a parser returns: the entries it could read and the lines it could not. */
export interface NeighborTable {
  entries: NeighborEntry[];
  problems: ParseProblem[];
}

/**
 * Checks an IP literal (IPv4 dotted decimal or IPv6, zone allowed) and returns it lower-cased.
 * Throws `SyntaxError` for anything else.
 *
 * @example
 * ```ts
 * checkIp("FE80::1"); // "fe80::1"
 * ```
 */
export function checkIp(text: string): string {
  let family;
  try {
    family = classifyHost(text);
  } catch {
    family = "name";
  }
  if (family === "name") throw new SyntaxError(`Cannot parse IP address "${text}"`);
  return text.toLowerCase();
}

/**
 * Checks the address column of a table that a tool may fill with host names (net-tools `arp`,
 * OpenBSD and Solaris `arp -a` without `-n`): a name cannot be turned back into the address it
 * was looked up from, so it is an error that says how to save the table instead.
 *
 * @example
 * ```ts
 * checkAddressColumn("_gateway", "arp -n"); // throws 'Host name "_gateway" instead of an address: ...'
 * ```
 */
export function checkAddressColumn(text: string, numericCommand: string): string {
  try {
    return checkIp(text);
  } catch (err) {
    if (/[a-z_]/i.test(text) && /^[a-z0-9_][a-z0-9_.-]*$/i.test(text)) {
      throw new SyntaxError(
        `Host name "${text}" instead of an address: save the table with "${numericCommand}"`,
      );
    }
    throw err;
  }
}

/**
 * Parses a hardware address field into the canonical MAC form, explaining non-Ethernet addresses.
 *
 * @example
 * ```ts
 * checkMac("0:1b:2c:d:e:f"); // "00:1b:2c:0d:0e:0f"
 * ```
 */
export function checkMac(text: string): string {
  if (isCanonicalMac(text)) return text; // the common case in Linux tables: no allocation
  try {
    return formatMac(parseMac(text));
  } catch {
    const octets = text.split(/[:-]/).length;
    if (octets > 1 && octets !== 6 && /^[0-9a-f:.-]+$/i.test(text)) {
      throw new SyntaxError(
        `Hardware address "${text}" has ${octets} octets, not a 48-bit MAC address`,
      );
    }
    throw new SyntaxError(`Cannot parse MAC address "${text}"`);
  }
}

function isCanonicalMac(t: string): boolean {
  if (t.length !== 17) return false;
  for (let i = 0; i < 17; i++) {
    const c = t.charCodeAt(i);
    if (i % 3 === 2 ? c !== 58 : !((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Runs `parseLine` over each line of `text`, collecting entries and problems; blank lines and
 * lines for which `parseLine` returns `undefined` (headers) are skipped. A thrown error becomes a
 * problem on that line and the rest are still read.
 *
 * @example
 * ```ts
 * const table = parseLines(text, (line, n) => ({ ip: line, mac: null, iface: null, state: "incomplete", line: n }));
 * ```
 */
export function parseLines(
  text: string,
  parseLine: (line: string, lineNumber: number) => NeighborEntry | undefined,
): NeighborTable {
  const entries: NeighborEntry[] = [];
  const problems: ParseProblem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (!/\S/.test(line)) continue;
    try {
      const entry = parseLine(line, i + 1);
      if (entry) entries.push(entry);
    } catch (err) {
      problems.push({ line: i + 1, text: line, reason: (err as Error).message });
    }
  }
  return { entries, problems };
}
