// The one shape every neighbour-table parser produces, whatever tool printed the table, and the
// shared bookkeeping for lines that do not parse (reported by line number, never fatal).
import { Addr } from "../ip/addr.ts";
import { prefixLengthOfNetmask } from "../ip/mask.ts";
import { classifyHost } from "../net/address.ts";
import { formatMac, parseMac } from "./mac.ts";
import { runSteps, type Steps } from "./steps.ts";

/**
 * Where an entry stands, normalised across tools: `complete` (resolved: Linux REACHABLE, STALE,
 * DELAY, PROBE; flags 0x2; Windows `dynamic`), `permanent` (static), `incomplete` (asked, no answer
 * yet), `failed` (no answer), `proxy` (this host answers for the address).
 */
export type NeighborState = "complete" | "permanent" | "incomplete" | "failed" | "proxy";

/**
 * What a table says of an entry besides its state, normalised: `permanent` (static, never
 * expires), `published` (this host answers for the address: proxy ARP), `router` (NDP's R flag),
 * `local` (the address is this host's own). A published entry may be permanent too (`PERM PUB`).
 */
export type NeighborFlag = "permanent" | "published" | "router" | "local";

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
  /**
   * Every flag of the entry, in {@linkcode neighborFlags} order. Parsers give only what the state,
   * `router` and `local` do not say (a `proxy` entry that is also permanent); tables read through
   * {@linkcode parseLines} have the full list.
   */
  flags?: readonly NeighborFlag[];
  /**
   * For a published entry that stands for a whole subnet (net-tools `netmask`/Mask, Solaris Mask),
   * the subnet's prefix length; absent for a single host.
   */
  prefixLength?: number;
  /** The line the entry came from (1-based); for JSON input, the array index plus 1. */
  line: number;
}

/** The flags in the order they are listed. */
export const neighborFlags: readonly NeighborFlag[] = ["permanent", "published", "router", "local"];

/** A line that could not be read, and why. */
export interface ParseProblem {
  line: number;
  text: string;
  reason: string;
}

/** What a parser returns: the entries it could read and the lines it could not. */
export interface NeighborTable {
  entries: NeighborEntry[];
  /** The first {@linkcode maxProblems} lines that could not be read. */
  problems: ParseProblem[];
  /** How many lines could not be read in all. */
  problemCount: number;
}

/**
 * Unreadable lines kept with their text and reason; past this many only counted, so a table of a
 * million bad lines costs no more memory than a few.
 */
export const maxProblems = 1000;

/**
 * Collects a table's entries and problems: completes each entry's flags, and shares the strings
 * that repeat on every line (interface names, state words) instead of keeping a copy per entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TableBuilder } from "./neighbor.ts";
 *
 * const b = new TableBuilder();
 * b.add({ ip: "10.0.0.1", mac: "00:11:22:33:44:55", iface: "eth0", state: "permanent", line: 1 });
 * b.fail(2, "garbage", new SyntaxError("Cannot parse IP address \"garbage\""));
 * const { entries, problemCount } = b.table();
 * assert.deepEqual(entries[0].flags, ["permanent"]); // completed from the state
 * assert.equal(problemCount, 1);
 * ```
 */
export class TableBuilder {
  readonly #entries: NeighborEntry[] = [];
  readonly #problems: ParseProblem[] = [];
  #problemCount = 0;
  readonly #strings = new Map<string, string>();
  readonly #flagLists = new Map<string, readonly NeighborFlag[]>();

  /** Adds an entry (its `flags` completed from its state, `router` and `local`). */
  add(entry: NeighborEntry): void {
    const given = new Set(entry.flags ?? []);
    if (entry.state === "permanent") given.add("permanent");
    if (entry.state === "proxy") given.add("published");
    if (entry.router) given.add("router");
    if (entry.local) given.add("local");
    const flags = neighborFlags.filter((f) => given.has(f));
    const key = flags.join(",");
    let shared = this.#flagLists.get(key);
    if (!shared) this.#flagLists.set(key, shared = Object.freeze(flags));
    entry.flags = shared;
    if (entry.iface !== null) entry.iface = this.#share(entry.iface);
    if (entry.detail !== undefined) entry.detail = this.#share(entry.detail);
    this.#entries.push(entry);
  }

  /** Records a line that could not be read: `err`'s message is the reason. */
  fail(line: number, text: string, err: unknown): void {
    this.#problemCount++;
    if (this.#problems.length >= maxProblems) return;
    this.#problems.push({ line, text, reason: (err as Error).message });
  }

  /** The table so far. */
  table(): NeighborTable {
    return {
      entries: this.#entries,
      problems: this.#problems,
      problemCount: this.#problemCount,
    };
  }

  #share(s: string): string {
    if (s.length > 64) return s;
    const known = this.#strings.get(s);
    if (known !== undefined) return known;
    if (this.#strings.size < 4096) this.#strings.set(s, s);
    return s;
  }
}

/**
 * Checks an IP literal (IPv4 dotted decimal or IPv6, zone allowed) and returns it lower-cased.
 * Throws `SyntaxError` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIp } from "./neighbor.ts";
 *
 * assert.equal(checkIp("FE80::1"), "fe80::1");
 * assert.throws(() => checkIp("router.lan"), SyntaxError);
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
 * The prefix length an IPv4 netmask column gives a published entry (`255.255.255.0`: 24), or
 * `undefined` for a host mask (`255.255.255.255`). Throws `SyntaxError` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { subnetPrefixLength } from "./neighbor.ts";
 *
 * assert.equal(subnetPrefixLength("240.0.0.0"), 4);
 * assert.equal(subnetPrefixLength("255.255.255.255"), undefined); // one host
 * assert.throws(() => subnetPrefixLength("255.0.255.0"), SyntaxError);
 * ```
 */
export function subnetPrefixLength(mask: string): number | undefined {
  let bits;
  try {
    bits = prefixLengthOfNetmask(Addr.parse(mask));
  } catch {
    throw new SyntaxError(`Cannot parse netmask "${mask}"`);
  }
  return bits === 32 ? undefined : bits;
}

/**
 * Checks the address column of a table that a tool may fill with host names (net-tools `arp`,
 * OpenBSD and Solaris `arp -a` without `-n`): a name cannot be turned back into the address it
 * was looked up from, so it is an error that says how to save the table instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAddressColumn } from "./neighbor.ts";
 *
 * assert.equal(checkAddressColumn("10.0.0.1", "arp -n"), "10.0.0.1");
 * assert.throws(() => checkAddressColumn("_gateway", "arp -n"), {
 *   name: "SyntaxError",
 *   message: 'Host name "_gateway" instead of an address: save the table with "arp -n"',
 * });
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
 * import assert from "node:assert/strict";
 * import { checkMac } from "./neighbor.ts";
 *
 * assert.equal(checkMac("0:1b:2c:d:e:f"), "00:1b:2c:0d:0e:0f");
 * // An InfiniBand address is no MAC.
 * assert.throws(() => checkMac("80:00:02:08:fe:80:00:00:00:00:00:00"), /has 12 octets/);
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

/** Reads one line of a table: an entry, `undefined` for a header, or throws why it cannot. */
export type LineParser = (line: string, lineNumber: number) => NeighborEntry | undefined;

/**
 * Runs `parseLine` over each line of `text`, collecting entries and problems; blank lines and
 * lines for which `parseLine` returns `undefined` (headers) are skipped. A thrown error becomes a
 * problem on that line and the rest are still read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIp, type LineParser, parseLines } from "./neighbor.ts";
 *
 * // A reader for a made-up table with one address a line.
 * const readLine: LineParser = (line, n) =>
 *   line === "ADDRESS"
 *     ? undefined // the header
 *     : { ip: checkIp(line.trim()), mac: null, iface: null, state: "incomplete", line: n };
 * const table = parseLines("ADDRESS\n10.0.0.1\n\nnot-an-ip\n", readLine);
 * assert.deepEqual(table.entries.map((e) => e.ip), ["10.0.0.1"]);
 * assert.deepEqual(table.problems.map((p) => p.line), [4]);
 * ```
 */
export function parseLines(text: string, parseLine: LineParser): NeighborTable {
  const builder = new TableBuilder();
  runSteps(lineSteps(text, parseLine, builder));
  return builder.table();
}

/**
 * {@linkcode parseLines} in steps (see lib/arp/steps.ts): pauses every few thousand lines. Lines
 * are taken one at a time, never split into an array of them all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIp, lineSteps, TableBuilder } from "./neighbor.ts";
 * import { runStepsYielding } from "./steps.ts";
 *
 * const b = new TableBuilder();
 * const readLine = (line: string, n: number) => ({
 *   ip: checkIp(line),
 *   mac: null,
 *   iface: null,
 *   state: "failed" as const,
 *   line: n,
 * });
 * const text = Array.from({ length: 5000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join("\n");
 * await runStepsYielding(lineSteps(text, readLine, b), { signal: AbortSignal.timeout(10_000) });
 * assert.equal(b.table().entries.length, 5000);
 * ```
 */
export function* lineSteps(
  text: string,
  parseLine: LineParser,
  builder: TableBuilder,
): Steps<void> {
  let n = 0;
  for (const line of linesOf(text)) {
    if ((++n & 2047) === 0) yield;
    if (!/\S/.test(line)) continue;
    try {
      const entry = parseLine(line, n);
      if (entry) builder.add(entry);
    } catch (err) {
      builder.fail(n, line, err);
    }
  }
}

/**
 * The lines of `text` one at a time (a line feed ends a line; a CR before it is dropped), without
 * splitting the whole text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linesOf } from "./neighbor.ts";
 *
 * assert.deepEqual([...linesOf("a\r\nb\n")], ["a", "b"]);
 * ```
 */
export function* linesOf(text: string): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    yield text.slice(start, text.charCodeAt(end - 1) === 13 && end > start ? end - 1 : end);
    start = end + 1;
  }
}
