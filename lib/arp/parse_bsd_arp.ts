// `arp -an` as macOS and FreeBSD print it (`? (10.0.0.1) at 0:c:29:a:b:c on en0 ifscope
// permanent [ethernet]`, unpadded octets, `(incomplete)`), Linux net-tools' variant of the same
// line (`? (10.0.0.1) at 00:0c:29:0a:0b:0c [ether] PERM on eth0`, `<incomplete>`, and for a
// published entry without an address of its own `at * PERM PUB` or `at <from_interface> PERM PUB`,
// for a published subnet `at * netmask 255.255.255.0 PERM PUB`),
// and AIX's (`? (10.0.0.1) at 0:c:29:a:b:c [ethernet] stored in bucket 93`), whose hash-bucket
// statistics and entry count that follow the entries are part of the format.
import {
  checkIp,
  checkMac,
  type LineParser,
  type NeighborState,
  type NeighborTable,
  parseLines,
  subnetPrefixLength,
} from "./neighbor.ts";

const linePattern = /^(\S+) \(([^)\s]+)\) at (\S+)(.*)$/;

/** AIX prints these after the entries. */
const aixStatistics = [
  /^bucket:\s+\d+\s+contains:\s+\d+ entries$/,
  /^There (?:are|is) \d+ entr(?:ies|y) in the arp table\.$/,
];

/** Words standing where the MAC would be when there is none. */
const noMac: Record<string, NeighborState> = {
  "(incomplete)": "incomplete",
  "<incomplete>": "incomplete",
  "*": "proxy",
  "<from_interface>": "proxy",
};

/**
 * Parses BSD/macOS, Linux net-tools or AIX `arp -an` / `arp -a` output; with `aix`, the statistics
 * AIX appends are recognised instead of reported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBsdArp } from "./parse_bsd_arp.ts";
 *
 * const { entries } = parseBsdArp(
 *   "? (10.0.0.1) at 0:c:29:a:b:c on en0 ifscope [ethernet]\n" +
 *     "? (10.0.0.7) at (incomplete) on en0 ifscope [ethernet]\n",
 * );
 * assert.deepEqual(entries.map((e) => [e.ip, e.mac, e.iface, e.state]), [
 *   ["10.0.0.1", "00:0c:29:0a:0b:0c", "en0", "complete"],
 *   ["10.0.0.7", null, "en0", "incomplete"],
 * ]);
 * ```
 */
export function parseBsdArp(text: string, options: { aix?: boolean } = {}): NeighborTable {
  return parseLines(text, bsdArpLines(options));
}

/** Flag words and what they say: macOS/FreeBSD spell them out, net-tools abbreviates. */
const flagWords: Record<string, "permanent" | "published"> = {
  permanent: "permanent",
  PERM: "permanent",
  published: "published",
  PUB: "published",
};

/**
 * The line reader of {@linkcode parseBsdArp}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bsdArpLines } from "./parse_bsd_arp.ts";
 *
 * const readLine = bsdArpLines();
 * const entry = readLine("? (10.0.0.1) at 0:1:2:3:4:5 on en0 permanent [ethernet]", 1);
 * assert.equal(entry?.state, "permanent");
 * ```
 */
export function bsdArpLines(options: { aix?: boolean } = {}): LineParser {
  return (line, n) => {
    const t = line.trim();
    if (options.aix && aixStatistics.some((p) => p.test(t))) return undefined;
    const m = linePattern.exec(t);
    if (!m) throw new SyntaxError(`Expected "HOST (IP) at MAC on IF"`);
    const ip = checkIp(m[2]);
    const without = noMac[m[3]];
    const mac = without ? null : checkMac(m[3]);
    const rest = m[4].trim().split(/\s+/).filter(Boolean);
    const on = rest.indexOf("on");
    const iface = on >= 0 ? rest[on + 1] ?? null : null;
    const words = rest.filter((_w, i) => i !== on && i !== on + 1);
    const said = new Set(words.map((w) => flagWords[w]).filter(Boolean));
    let state: NeighborState = without === "incomplete" ? "incomplete" : "complete";
    if (said.has("permanent")) state = "permanent";
    if (said.has("published") || without === "proxy") state = "proxy";
    // The state as the tool said it: its flag words, or how long the entry has left.
    const detail = words.filter((w) => w in flagWords);
    const expires = words.indexOf("expires");
    if (expires >= 0 && words[expires + 1] === "in") {
      detail.push(`expires in ${words[expires + 2]}s`);
    }
    if (words.includes("expired")) detail.push("expired");
    const netmask = words.indexOf("netmask");
    const prefixLength = netmask >= 0
      ? subnetPrefixLength(checkIp(words[netmask + 1] ?? ""))
      : undefined;
    return {
      ip,
      mac,
      iface,
      state,
      ...(detail.length ? { detail: detail.join(" ") } : {}),
      ...(state === "proxy" && said.has("permanent") ? { flags: ["permanent" as const] } : {}),
      ...(prefixLength === undefined ? {} : { prefixLength }),
      line: n,
    };
  };
}

/**
 * Whether BSD-style `arp -a` text came from AIX: it names hash buckets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAixArp } from "./parse_bsd_arp.ts";
 *
 * assert.equal(isAixArp("? (10.0.0.1) at 0:1:2:3:4:5 [ethernet] stored in bucket 9\n"), true);
 * assert.equal(isAixArp("? (10.0.0.1) at 0:1:2:3:4:5 on en0 [ethernet]\n"), false);
 * ```
 */
export function isAixArp(text: string): boolean {
  return /\] stored in bucket \d+[ \t\r]*$/m.test(text) ||
    /^[ \t]*bucket:[ \t]+\d+[ \t]+contains:[ \t]+\d+ entries[ \t\r]*$/m.test(text);
}

/**
 * Parses AIX `arp -a` output: BSD lines plus the bucket statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAixArp } from "./parse_bsd_arp.ts";
 *
 * const table = parseAixArp(
 *   "  ? (10.0.0.1) at 0:1:2:3:4:5 [ethernet] stored in bucket 9\n\n" +
 *     "bucket:    0     contains:    0 entries\n",
 * );
 * assert.deepEqual(table.entries.map((e) => [e.ip, e.mac, e.iface]), [
 *   ["10.0.0.1", "00:01:02:03:04:05", null], // AIX does not name the interface
 * ]);
 * assert.equal(table.problemCount, 0);
 * ```
 */
export function parseAixArp(text: string): NeighborTable {
  return parseBsdArp(text, { aix: true });
}
