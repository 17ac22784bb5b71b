// One entry point for every neighbour-table format, with detection for `auto`: each format has a
// header or line shape no other format shares, so the first recognisable line decides (AIX's
// lines are BSD's; its bucket statistics tell it apart).
import type { NeighborTable } from "./neighbor.ts";
import { isAixArp, parseAixArp, parseBsdArp } from "./parse_bsd_arp.ts";
import { parseIpNeigh } from "./parse_ip_neigh.ts";
import { parseIpNeighJson } from "./parse_ip_neigh_json.ts";
import { netToolsHeader, parseNetToolsArp } from "./parse_net_tools_arp.ts";
import { parseNetshNeighbors } from "./parse_netsh_neighbors.ts";
import { openBsdHeader, parseOpenBsdArp } from "./parse_openbsd_arp.ts";
import { parseProcNetArp } from "./parse_proc_net_arp.ts";
import { parseSolarisArp, solarisHeaders } from "./parse_solaris_arp.ts";
import { parseWindowsArp, windowsInterfacePattern } from "./parse_windows_arp.ts";
import { windowsLanguages } from "./windows_words.ts";

/** How each format is parsed, and what `--help` and the README say it is. */
const formats = {
  proc: { parse: parseProcNetArp, source: "/proc/net/arp" },
  ip: { parse: parseIpNeigh, source: "ip neigh" },
  "ip-json": { parse: parseIpNeighJson, source: "ip -j neigh" },
  "net-tools": { parse: parseNetToolsArp, source: "Linux arp, arp -n, arp -v" },
  bsd: { parse: parseBsdArp, source: "macOS/FreeBSD/net-tools arp -an" },
  aix: { parse: parseAixArp, source: "AIX arp -a" },
  openbsd: { parse: parseOpenBsdArp, source: "OpenBSD arp -an" },
  solaris: { parse: parseSolarisArp, source: "Solaris arp -an" },
  windows: {
    parse: parseWindowsArp,
    source: `Windows arp -a in ${windowsLanguages.map((l) => l.language).join(", ")}`,
  },
  netsh: { parse: parseNetshNeighbors, source: "netsh interface ipv4|ipv6 show neighbors" },
};

/** A neighbour-table format. */
export type TableFormat = keyof typeof formats;

/** The formats toolkit reads. */
export const tableFormats = Object.keys(formats) as TableFormat[];

/**
 * `name (what prints it)` for every format, for help texts.
 *
 * @example
 * ```ts
 * describeTableFormats(); // "proc (/proc/net/arp), ip (ip neigh), ..."
 * ```
 */
export function describeTableFormats(): string {
  return tableFormats.map((f) => `${f} (${formats[f].source})`).join(", ");
}

/** Header lines no other format prints, and the format they open. */
const headers: [RegExp, TableFormat][] = [
  [/^IP address\s+HW type\s+Flags/i, "proc"],
  [netToolsHeader, "net-tools"],
  [openBsdHeader, "openbsd"],
  ...solarisHeaders.map((p): [RegExp, TableFormat] => [p, "solaris"]),
  [/^Interface \d+: \S/, "netsh"],
  [/^-+\s+-+\s+-+$/, "netsh"],
];

/**
 * Recognises the format of a saved neighbour table. Throws `SyntaxError` when no line looks like
 * any of them.
 *
 * @example
 * ```ts
 * detectTableFormat("? (10.0.0.1) at 0:1:2:3:4:5 on en0 [ethernet]"); // "bsd"
 * ```
 */
export function detectTableFormat(text: string): TableFormat {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) return "ip-json";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    for (const [pattern, format] of headers) if (pattern.test(line)) return format;
    if (windowsInterfacePattern.test(line)) return "windows";
    if (/^\S+ \([^)\s]+\) at \S+/.test(line)) return isAixArp(text) ? "aix" : "bsd";
    if (/^[0-9a-f.:]+(%\S+)?\s+(dev|lladdr)\s/i.test(line)) return "ip";
    if (
      /^[0-9a-f.:]+\s+(INCOMPLETE|FAILED|STALE|REACHABLE|DELAY|PROBE|PERMANENT|NOARP)\b/.test(line)
    ) {
      return "ip";
    }
    if (/^[0-9.]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s/i.test(line)) return "proc";
    if (/^[0-9.]+\s+([0-9a-f]{2}-){5}[0-9a-f]{2}\s+\S+$/i.test(line)) return "windows";
    if (/^[0-9.]+\s+(ether|\(incomplete\))\s/.test(line)) return "net-tools";
  }
  throw new SyntaxError(
    `Cannot detect the table format: expected one of ${tableFormats.join(", ")}`,
  );
}

/**
 * Parses a saved neighbour table in `format`, or the detected one for `auto`.
 *
 * @example
 * ```ts
 * const { entries, problems } = parseNeighborTable(await Deno.readTextFile("arp.txt"), "auto");
 * ```
 */
export function parseNeighborTable(
  text: string,
  format: TableFormat | "auto" = "auto",
): NeighborTable & { format: TableFormat } {
  const f = format === "auto" ? detectTableFormat(text) : format;
  return { ...formats[f].parse(text), format: f };
}
