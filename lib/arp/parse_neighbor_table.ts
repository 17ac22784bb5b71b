// One entry point for every neighbour-table format, with detection for `auto`: each format has a
// header or line shape no other format shares, so the first recognisable line decides (AIX's
// lines are BSD's; its bucket statistics tell it apart).
import type { TableEncoding } from "./decode_text.ts";
import {
  type LineParser,
  linesOf,
  lineSteps,
  type NeighborTable,
  TableBuilder,
} from "./neighbor.ts";
import { bsdArpLines, isAixArp } from "./parse_bsd_arp.ts";
import { ipNeighLines } from "./parse_ip_neigh.ts";
import { ipNeighJsonSteps } from "./parse_ip_neigh_json.ts";
import { netToolsArpLines, netToolsFooters, netToolsHeader } from "./parse_net_tools_arp.ts";
import { netshNeighborLines } from "./parse_netsh_neighbors.ts";
import { openBsdArpLines, openBsdHeader, openBsdRow } from "./parse_openbsd_arp.ts";
import { procNetArpLines } from "./parse_proc_net_arp.ts";
import { solarisArpLines, solarisHeaders } from "./parse_solaris_arp.ts";
import { windowsArpLines, windowsInterfacePattern } from "./parse_windows_arp.ts";
import {
  netshTypes,
  windowsArpTypes,
  windowsLanguages,
  windowsNoEntries,
} from "./windows_words.ts";
import { runSteps, runStepsYielding, type Steps } from "./steps.ts";

/** What a format's reader is given besides the text. */
interface ReadOptions {
  /** The encoding the text was decoded from (explains unreadable words). */
  encoding?: TableEncoding;
}

/** Reads a whole table into `builder`, in steps. */
type TableSteps = (text: string, builder: TableBuilder, options: ReadOptions) => Steps<void>;

/** A format read line by line by the reader `lines` makes for the text. */
const byLine =
  (lines: (text: string, options: ReadOptions) => LineParser): TableSteps =>
  (text, builder, options) => lineSteps(text, lines(text, options), builder);

/** How each format is read, and what `--help` and docs/arp.md say it is. */
const formats: Record<TableFormat, { steps: TableSteps; source: string }> = {
  proc: { steps: byLine(() => procNetArpLines()), source: "/proc/net/arp" },
  ip: { steps: byLine(() => ipNeighLines()), source: "ip neigh" },
  "ip-json": { steps: ipNeighJsonSteps, source: "ip -j neigh" },
  "net-tools": { steps: byLine(() => netToolsArpLines()), source: "Linux arp, arp -n, arp -v" },
  bsd: { steps: byLine(() => bsdArpLines()), source: "macOS/FreeBSD/net-tools arp -an" },
  aix: { steps: byLine(() => bsdArpLines({ aix: true })), source: "AIX arp -a" },
  openbsd: { steps: byLine(() => openBsdArpLines()), source: "OpenBSD arp -an" },
  solaris: { steps: byLine(() => solarisArpLines()), source: "Solaris arp -an" },
  windows: {
    steps: byLine((_text, o) => windowsArpLines(o)),
    source: `Windows arp -a in ${windowsLanguages.map((l) => l.language).join(", ")}`,
  },
  netsh: {
    steps: byLine((text, o) => netshNeighborLines(text, o)),
    source: "netsh interface ipv4|ipv6 show neighbors",
  },
};

/** A neighbour-table format. */
export type TableFormat =
  | "proc"
  | "ip"
  | "ip-json"
  | "net-tools"
  | "bsd"
  | "aix"
  | "openbsd"
  | "solaris"
  | "windows"
  | "netsh";

/** The formats toolkit reads. */
export const tableFormats = Object.keys(formats) as TableFormat[];

/**
 * `name (what prints it)` for every format, for help texts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeTableFormats } from "./parse_neighbor_table.ts";
 *
 * assert.ok(describeTableFormats().startsWith("proc (/proc/net/arp), ip (ip neigh), "));
 * ```
 */
export function describeTableFormats(): string {
  return tableFormats.map((f) => `${f} (${formats[f].source})`).join(", ");
}

/** Header lines no other format prints, and the format they open. */
const headers: [RegExp, TableFormat][] = [
  [/^IP\s+address\s+HW\s+type\s+Flags/i, "proc"],
  [netToolsHeader, "net-tools"],
  [openBsdHeader, "openbsd"],
  ...solarisHeaders.map((p): [RegExp, TableFormat] => [p, "solaris"]),
  [/^Interface\s+\d+:\s*\S/, "netsh"],
  [/^-+\s+-+\s+-+$/, "netsh"],
];

/** Lines detection looks at: a table whose first ones are all unrecognisable is none of ours. */
const detectionLines = 1000;

/**
 * Recognises the format of a saved neighbour table from its first lines. A table with no line at
 * all reads as `ip` (what `ip neigh` prints when it has no neighbours); one with only the line a
 * tool prints for an empty table (net-tools `arp -v`'s `Entries: 0 ...`, Windows' `No ARP Entries
 * Found.`) as that tool's format. Throws `SyntaxError` when no line looks like any format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectTableFormat } from "./parse_neighbor_table.ts";
 *
 * assert.equal(detectTableFormat("? (10.0.0.1) at 0:1:2:3:4:5 on en0 [ethernet]"), "bsd");
 * assert.equal(detectTableFormat("10.0.0.1 dev eth0 lladdr 00:11:22:33:44:55 STALE"), "ip");
 * assert.equal(detectTableFormat(""), "ip"); // what `ip neigh` prints with no neighbours
 * assert.throws(() => detectTableFormat("hello"), SyntaxError);
 * ```
 */
export function detectTableFormat(text: string): TableFormat {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) return "ip-json";
  let seen = 0;
  for (const raw of linesOf(text)) {
    const line = raw.trim();
    if (line === "") continue;
    if (++seen > detectionLines) break;
    const format = formatOfLine(line, text);
    if (format) return format;
  }
  if (seen === 0) return "ip";
  throw new SyntaxError(
    `Cannot detect the table format: expected one of ${tableFormats.join(", ")}`,
  );
}

function formatOfLine(line: string, text: string): TableFormat | undefined {
  for (const [pattern, format] of headers) if (pattern.test(line)) return format;
  if (netToolsFooters.some((p) => p.test(line))) return "net-tools";
  if (windowsNoEntries.has(line)) return "windows";
  if (windowsInterfacePattern.test(line)) return "windows";
  if (/^\S+ \([^)\s]+\) at \S+/.test(line)) return isAixArp(text) ? "aix" : "bsd";
  if (/^[0-9a-f.:]+(%\S+)?\s+(dev|lladdr)\s/i.test(line)) return "ip";
  if (
    /^[0-9a-f.:]+\s+(INCOMPLETE|FAILED|STALE|REACHABLE|DELAY|PROBE|PERMANENT|NOARP)\b/.test(line)
  ) {
    return "ip";
  }
  if (/^[0-9.]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s/i.test(line)) return "proc";
  if (openBsdRow.test(line)) return "openbsd";
  // `ADDRESS  aa-bb-cc-dd-ee-ff  TYPE`: Windows arp -a or a netsh row, told apart by the type word.
  const row = /^[0-9a-f.:]+\s+(?:[0-9a-f]{2}-){5}[0-9a-f]{2}\s+(\S.*)$/i.exec(line);
  if (row) {
    const type = row[1].toLowerCase().replace(/\s*\([^)]*\)$/, "");
    if (windowsArpTypes.has(type)) return "windows";
    if (netshTypes.has(type)) return "netsh";
    if (!/\s/.test(type) && /^[0-9.]+\s/.test(line)) return "windows";
  }
  if (/^[0-9.]+\s+(ether|\(incomplete\))\s/.test(line)) return "net-tools";
  return undefined;
}

/**
 * Parses a saved neighbour table in `format`, or the detected one for `auto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNeighborTable } from "./parse_neighbor_table.ts";
 *
 * const text = "IP address       HW type     Flags       HW address            Mask     Device\n" +
 *   "10.0.0.1         0x1         0x2         00:11:22:33:44:55     *        eth0\n";
 * const { format, entries, problems } = parseNeighborTable(text, "auto");
 * assert.equal(format, "proc");
 * assert.deepEqual(entries.map((e) => [e.ip, e.mac, e.iface]), [
 *   ["10.0.0.1", "00:11:22:33:44:55", "eth0"],
 * ]);
 * assert.deepEqual(problems, []);
 * ```
 */
export function parseNeighborTable(
  text: string,
  format: TableFormat | "auto" = "auto",
  options: ReadOptions = {},
): NeighborTable & { format: TableFormat } {
  const f = format === "auto" ? detectTableFormat(text) : format;
  const builder = new TableBuilder();
  runSteps(formats[f].steps(text, builder, options));
  return { ...builder.table(), format: f };
}

/**
 * {@linkcode parseNeighborTable} letting the event loop run every few milliseconds, and stopping
 * with `signal`'s reason once it is aborted: a 32 MiB table takes seconds, and Ctrl-C must not
 * wait for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNeighborTableYielding } from "./parse_neighbor_table.ts";
 *
 * const text = "10.0.0.1 dev eth0 lladdr 00:11:22:33:44:55 STALE\n";
 * const signal = AbortSignal.timeout(5000);
 * const table = await parseNeighborTableYielding(text, "auto", { signal });
 * assert.equal(table.format, "ip");
 * // An aborted signal stops it with the signal's reason.
 * const stop = new AbortController();
 * stop.abort(new Error("interrupted"));
 * await assert.rejects(parseNeighborTableYielding(text, "auto", stop), /interrupted/);
 * ```
 */
export async function parseNeighborTableYielding(
  text: string,
  format: TableFormat | "auto" = "auto",
  options: ReadOptions & { signal?: AbortSignal } = {},
): Promise<NeighborTable & { format: TableFormat }> {
  const f = format === "auto" ? detectTableFormat(text) : format;
  const builder = new TableBuilder();
  await runStepsYielding(formats[f].steps(text, builder, options), options);
  return { ...builder.table(), format: f };
}
