// `arp -an` as macOS and FreeBSD print it (`? (10.0.0.1) at 0:c:29:a:b:c on en0 ifscope
// permanent [ethernet]`, unpadded octets, `(incomplete)`), Linux net-tools' variant of the same
// line (`? (10.0.0.1) at 00:0c:29:0a:0b:0c [ether] PERM on eth0`, `<incomplete>`, and for a
// published entry without an address of its own `at * PERM PUB` or `at <from_interface> PERM PUB`),
// and AIX's (`? (10.0.0.1) at 0:c:29:a:b:c [ethernet] stored in bucket 93`), whose hash-bucket
// statistics and entry count that follow the entries are part of the format.
import {
  checkIp,
  checkMac,
  type NeighborState,
  type NeighborTable,
  parseLines,
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
 * parseBsdArp("? (10.0.0.1) at 0:c:29:a:b:c on en0 ifscope [ethernet]").entries[0].mac; // "00:0c:29:0a:0b:0c"
 * ```
 */
export function parseBsdArp(text: string, options: { aix?: boolean } = {}): NeighborTable {
  return parseLines(text, (line, n) => {
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
    const flags = rest.filter((_w, i) => i !== on && i !== on + 1);
    let state: NeighborState = without === "incomplete" ? "incomplete" : "complete";
    let detail: string | undefined;
    if (flags.includes("permanent") || flags.includes("PERM")) state = "permanent";
    if (flags.includes("published") || flags.includes("PUB") || without === "proxy") {
      state = "proxy";
    }
    const expires = flags.indexOf("expires");
    if (expires >= 0 && flags[expires + 1] === "in") detail = `expires in ${flags[expires + 2]}s`;
    if (flags.includes("expired")) detail = "expired";
    return {
      ip,
      mac,
      iface,
      state,
      ...(detail ? { detail } : {}),
      line: n,
    };
  });
}

/**
 * Whether BSD-style `arp -a` text came from AIX: it names hash buckets.
 *
 * @example
 * ```ts
 * isAixArp("? (10.0.0.1) at 0:1:2:3:4:5 [ethernet] stored in bucket 9\n"); // true
 * ```
 */
export function isAixArp(text: string): boolean {
  return /\] stored in bucket \d+$/m.test(text) ||
    text.split("\n").some((l) => aixStatistics[0].test(l.trim()));
}

/**
 * Parses AIX `arp -a` output: BSD lines plus the bucket statistics.
 *
 * @example
 * ```ts
 * parseAixArp("  ? (10.0.0.1) at 0:1:2:3:4:5 [ethernet] stored in bucket 9\n\nbucket:    0     contains:    0 entries\n");
 * ```
 */
export function parseAixArp(text: string): NeighborTable {
  return parseBsdArp(text, { aix: true });
}
