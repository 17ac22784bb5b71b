// One entry point for every neighbour-table format, with detection for `auto`: each format has a
// line shape no other format shares, so the first recognisable line decides.
import type { NeighborTable } from "./neighbor.ts";
import { parseBsdArp } from "./parse_bsd_arp.ts";
import { parseIpNeigh } from "./parse_ip_neigh.ts";
import { parseIpNeighJson } from "./parse_ip_neigh_json.ts";
import { parseProcNetArp } from "./parse_proc_net_arp.ts";
import { parseWindowsArp } from "./parse_windows_arp.ts";

/** The formats toolkit reads. */
export const tableFormats = ["proc", "ip", "ip-json", "bsd", "windows"] as const;

/** A neighbour-table format. */
export type TableFormat = typeof tableFormats[number];

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
    if (/^IP address\s+HW type\s+Flags/i.test(line)) return "proc";
    if (/^\S+:\s+\S+\s+---\s+0x[0-9a-f]+$/i.test(line)) return "windows";
    if (/^\S+ \([^)\s]+\) at \S+/.test(line)) return "bsd";
    if (/^[0-9a-f.:]+(%\S+)?\s+(dev|lladdr)\s/i.test(line)) return "ip";
    if (
      /^[0-9a-f.:]+\s+(INCOMPLETE|FAILED|STALE|REACHABLE|DELAY|PROBE|PERMANENT|NOARP)\b/.test(line)
    ) {
      return "ip";
    }
    if (/^[0-9.]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s/i.test(line)) return "proc";
    if (/^[0-9.]+\s+([0-9a-f]{2}-){5}[0-9a-f]{2}\s+\S+$/i.test(line)) return "windows";
  }
  throw new SyntaxError(
    "Cannot detect the table format: expected /proc/net/arp, ip neigh, ip -j neigh, arp -an or Windows arp -a output",
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
  const parse = {
    proc: parseProcNetArp,
    ip: parseIpNeigh,
    "ip-json": parseIpNeighJson,
    bsd: parseBsdArp,
    windows: parseWindowsArp,
  }[f];
  return { ...parse(text), format: f };
}
