// `toolkit arp show`: the neighbour table (ARP and NDP) like `ip neigh` / `arp -an`, live from the
// kernel or from a saved table in any common format, with normalised MACs and IEEE vendors.
import { type OptionSpec, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { InputError, UsageError, userInputError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { displayWidth, writeWarning } from "../cli/output.ts";
import { printableLine } from "../cli/report.ts";
import { Addr } from "../ip/addr.ts";
import { Prefix } from "../ip/prefix.ts";
import { parseMac } from "../arp/mac.ts";
import type { NeighborEntry, ParseProblem } from "../arp/neighbor.ts";
import { loadVendorLookup } from "../arp/oui.ts";
import {
  describeTableFormats,
  type TableFormat,
  tableFormats,
} from "../arp/parse_neighbor_table.ts";
import { type LoadedTable, readNeighborTable, stdinAlias } from "../arp/read_table.ts";
import { printable, printableJson } from "../text/printable.ts";

/** Parsed `arp show` options. */
export interface ArpShowOptions {
  /** A saved table (`-` for stdin); `undefined` for the live table. */
  file?: string;
  format: TableFormat | "auto";
  /** Only entries on this interface (`arp -i IF`, `ip neigh show dev IF`). */
  iface?: string;
  /** Only entries in one of these states or with one of these words (`ip neigh show nud`). */
  states: string[];
  /** Only entries for this address or inside this prefix (`arp HOST`, `ip neigh show to`). */
  to?: Prefix;
  vendor: boolean;
  json: boolean;
}

const name = "arp show";

/** What `--state` takes: the normalised states, and the kernel's NUD states `ip neigh` shows. */
const stateWords = [
  "complete",
  "permanent",
  "incomplete",
  "failed",
  "proxy",
  "reachable",
  "stale",
  "delay",
  "probe",
  "noarp",
];

/** The `--format` option every arp command that reads tables shares. */
export const formatOption: OptionSpec = {
  name: "format",
  type: "string",
  value: "FORMAT",
  default: "auto",
  choices: ["auto", ...tableFormats],
  description: `format of saved tables (UTF-8 or UTF-16): ${describeTableFormats()}`,
};

const command: CommandModule<ArpShowOptions> = {
  spec: {
    usage: "[--file FILE|-] [ADDRESS|PREFIX]",
    description:
      "Without --file, reads the live table (IPv4 and IPv6) from `ip -j neigh`, or where iproute2 is not installed the IPv4 table from /proc/net/arp. With --file, reads a saved table (UTF-8, or UTF-16 as Windows PowerShell 5 saves it) in any supported format, detected unless --format says. Lines that cannot be read are reported on stderr with their line numbers; the rest are shown. STATE is normalised (complete, permanent, incomplete, failed, proxy) with the tool's own word in brackets; a published subnet shows as ADDRESS/PREFIX. Cells longer than 40 columns are cut (…) in the table; --json has them whole. As net-tools' `arp -i IF HOST` and `ip neigh show dev IF to PREFIX nud STATE`, ADDRESS (or PREFIX), --iface and --state keep only the entries they match.",
    options: [
      {
        name: "file",
        short: "f",
        type: "string",
        value: "FILE",
        complete: "file",
        description: "read a saved table instead of the live one (- for stdin)",
      },
      formatOption,
      {
        name: "iface",
        short: "i",
        type: "string",
        value: "IF",
        complete: "none",
        description: "only entries on this interface (for Windows arp -a, its address)",
      },
      {
        name: "state",
        type: "string",
        multiple: true,
        value: "STATE",
        choices: stateWords,
        description:
          "only entries in this state, or with this NUD state in ip neigh's words (repeatable)",
      },
      { name: "no-vendor", type: "boolean", description: "do not look up IEEE vendors" },
    ],
    examples: [
      "toolkit arp show",
      "toolkit arp show --file saved-arp.txt",
      "ssh mac arp -an | toolkit arp show --file - --format bsd",
      "toolkit arp show --json",
      "toolkit arp show --iface eth0 --state stale --state failed",
      "toolkit arp show 192.168.1.0/24",
    ],
    positionals: { max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const file = values.file as string | undefined;
    let to: Prefix | undefined;
    if (positionals.length) {
      try {
        to = Prefix.parse(positionals[0], { bareAddr: true });
      } catch {
        throw new UsageError(
          `expected an IP address or prefix to show (got "${positionals[0]}")`,
          name,
        );
      }
    }
    return {
      file: file === undefined ? undefined : stdinAlias(file),
      format: (values.format ?? "auto") as TableFormat | "auto",
      iface: values.iface as string | undefined,
      states: (values.state as string[] | undefined) ?? [],
      to,
      vendor: values["no-vendor"] !== true,
      json: globals.json,
    };
  },
  async run(o, io) {
    const table = await readTableArg({
      file: o.file,
      format: o.format,
      stdin: io.stdin.readable,
      signal: io.signal,
    });
    await reportProblems(io, table);
    const filtered = o.iface !== undefined || o.states.length > 0 || o.to !== undefined;
    const entries = filtered ? table.entries.filter((e) => shows(o, e)) : table.entries;
    const vendorOf = o.vendor && entries.some((e) => e.mac) ? await vendorLookup() : undefined;
    if (o.json) {
      await writeJsonStreaming(
        io,
        {
          source: table.source,
          format: table.format,
          entries: [],
          problems: table.problems.map(problemJson),
          problemCount: table.problemCount,
        },
        "entries",
        entries,
        (e) => neighborJson(e, o.vendor ? (e.mac ? vendorOf?.(e.mac) ?? null : null) : undefined),
      );
    } else if (entries.length > 0) {
      await writeShowTable(io, entries, o.vendor ? vendorOf ?? (() => undefined) : undefined);
    } else if (!io.globals.quiet) {
      const where = printable(sourceName(table.source));
      await io.stderr.write(
        filtered && table.entries.length
          ? `no entry of ${table.entries.length} matches (${where})\n`
          : `no neighbour entries (${where})\n`,
      );
    }
    return 0;
  },
};
export default command;

/**
 * Whether an entry passes `arp show`'s filters: the address (or prefix), --iface and --state (a
 * normalised state, or one of the words of the tool's own, `STALE` in `REACHABLE,STALE`).
 *
 * @example
 * ```ts
 * shows({ states: ["stale"] }, { ip: "10.0.0.1", mac: null, iface: "eth0", state: "complete", detail: "STALE", line: 1 }); // true
 * ```
 */
export function shows(
  o: Pick<ArpShowOptions, "iface" | "states" | "to">,
  e: NeighborEntry,
): boolean {
  if (o.iface !== undefined && e.iface !== o.iface) return false;
  if (o.states.length) {
    const words = [e.state, ...(e.detail?.toLowerCase().split(/[\s,]+/) ?? [])];
    if (!o.states.some((s) => words.includes(s))) return false;
  }
  if (o.to) {
    let addr;
    try {
      addr = Addr.parse(e.ip);
    } catch {
      return false;
    }
    if (!o.to.contains(addr)) return false;
  }
  return true;
}

/**
 * A neighbour entry as `--json` prints it (docs/json/arp-show.json): every key always present,
 * `vendor` only when vendors were asked for (`null` for a MAC the registry does not know).
 *
 * @example
 * ```ts
 * neighborJson({ ip: "10.0.0.1", mac: null, iface: "eth0", state: "failed", line: 1 }, undefined);
 * // { address: "10.0.0.1", prefixLength: null, mac: null, iface: "eth0", state: "failed", detail: null, flags: [], ... }
 * ```
 */
export function neighborJson(e: NeighborEntry, vendor: string | null | undefined) {
  return {
    address: e.ip,
    prefixLength: e.prefixLength ?? null,
    mac: e.mac,
    iface: e.iface,
    state: e.state,
    detail: e.detail ?? null,
    flags: e.flags ?? [],
    router: e.router === true,
    local: e.local === true,
    line: e.line,
    ...(vendor === undefined ? {} : { vendor }),
  };
}

/**
 * `complete (REACHABLE)`, `failed (FAILED)` collapsed to `failed`, plus `router` when marked.
 *
 * @example
 * ```ts
 * describeState({ ip: "fe80::1", mac: null, iface: "eth0", state: "failed", detail: "FAILED", line: 1 }); // "failed"
 * ```
 */
export function describeState(e: NeighborEntry): string {
  const detail = e.detail && e.detail.toLowerCase() !== e.state ? ` (${e.detail})` : "";
  return `${e.state}${detail}${e.router ? " router" : ""}`;
}

/**
 * Reads a neighbour table as {@linkcode readNeighborTable} does. A saved table or stdin that
 * cannot be read is the user's input (exit 2); the live table failing to parse is not.
 *
 * @example
 * ```ts
 * const table = await readTableArg({ file: "arp.txt", format: "auto" });
 * ```
 */
export async function readTableArg(
  options: Parameters<typeof readNeighborTable>[0],
): Promise<LoadedTable> {
  try {
    return await readNeighborTable(options);
  } catch (err) {
    throw options.file === undefined ? err : userInputError(err);
  }
}

/** Warnings printed for one table's unreadable lines; the rest are counted in one more line. */
const maxWarnings = 20;

/** How a table's source is named in messages: `stdin` for `-`. */
function sourceName(source: string): string {
  return source === "-" ? "stdin" : source;
}

/**
 * Prints the lines a table could not read as warnings (the first {@linkcode maxWarnings}, then how
 * many more; none under --quiet); fails when the table had lines but none of them could be read,
 * naming the format it was read as.
 *
 * @example
 * ```ts
 * await reportProblems(io, table);
 * ```
 */
export async function reportProblems(
  io: Io,
  table: {
    source: string;
    format?: string;
    problems: readonly ParseProblem[];
    problemCount?: number;
    entries: readonly unknown[];
  },
): Promise<void> {
  const where = sourceName(table.source);
  const count = table.problemCount ?? table.problems.length;
  if (table.entries.length === 0 && count > 0) {
    await printWarnings(io, where, table.problems, count);
    const as = table.format && table.format !== "live"
      ? ` (read as ${table.format}: give --format if it is another)`
      : "";
    throw new InputError(`no line of ${where} could be read as a neighbour entry${as}`);
  }
  await printWarnings(io, where, table.problems, count);
}

async function printWarnings(
  io: Io,
  where: string,
  problems: readonly ParseProblem[],
  count: number,
): Promise<void> {
  if (io.globals.quiet) return;
  const shown = problems.slice(0, maxWarnings);
  for (const p of shown) {
    await writeWarning(
      io,
      printableLine(`${where}: line ${p.line}: ${lowerFirst(p.reason)} (skipped)`),
    );
  }
  if (count > shown.length) {
    await writeWarning(
      io,
      printableLine(
        `${(count - shown.length).toLocaleString("en-US")} more line${
          count - shown.length === 1 ? "" : "s"
        } of ${where} could not be read (skipped)`,
      ),
    );
  }
}

/**
 * A problem as `--json` lists it: its reason starts lower-case, as on stderr.
 *
 * @example
 * ```ts
 * problemJson({ line: 2, text: "x", reason: "Expected 6 columns" }); // { line: 2, text: "x", reason: "expected 6 columns" }
 * ```
 */
export function problemJson(p: ParseProblem): ParseProblem {
  return { line: p.line, text: p.text, reason: lowerFirst(p.reason) };
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

/** Widest a cell of a table shows (columns); longer ones are cut with `…`. */
const maxCellWidth = 40;

/**
 * Text from a table (an interface name, a state word, a host name) as a table cell: escaped for
 * the terminal ({@linkcode printable}) and cut to {@linkcode maxCellWidth} columns, so a crafted
 * megabyte-long name neither floods the screen nor widens every other row.
 *
 * @example
 * ```ts
 * tableCell("e".repeat(100)); // "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee…"
 * ```
 */
export function tableCell(text: string): string {
  if (text.length <= maxCellWidth && !/[^\x20-\x7e]/.test(text)) return text; // plain ASCII
  const safe = printable(text.length > 4 * maxCellWidth ? text.slice(0, 4 * maxCellWidth) : text);
  if (text.length <= maxCellWidth && displayWidth(safe) <= maxCellWidth) return safe;
  let out = "", width = 0;
  for (const ch of safe) {
    const w = displayWidth(ch);
    if (width + w > maxCellWidth - 1) return out + "…";
    out += ch;
    width += w;
  }
  return out;
}

/** The registry's vendor for a canonical MAC, `undefined` when it has none. */
type VendorOf = (mac: string) => string | undefined;

async function vendorLookup(): Promise<VendorOf> {
  const lookup = await loadVendorLookup();
  return (mac) => lookup(parseMac(mac));
}

/** Rows written at once: a 600,000-entry table is never one string. */
const rowsPerWrite = 2000;

/** The cells of an entry's row but the vendor: address (with /prefix for a subnet), MAC, iface, state. */
function rowOf(e: NeighborEntry): string[] {
  return [
    tableCell(e.prefixLength === undefined ? e.ip : `${e.ip}/${e.prefixLength}`),
    e.mac ?? "-",
    e.iface === null ? "-" : tableCell(e.iface),
    tableCell(describeState(e)),
  ];
}

/** Prints the entries as aligned columns, a few thousand rows a write. */
async function writeShowTable(
  io: Io,
  entries: readonly NeighborEntry[],
  vendorOf: VendorOf | undefined,
): Promise<void> {
  const header = ["IP", "MAC", "INTERFACE", "STATE", ...(vendorOf ? ["VENDOR"] : [])];
  const widths = header.map((h) => h.length);
  for (const e of entries) {
    rowOf(e).forEach((c, i) => widths[i] = Math.max(widths[i], displayWidth(c)));
  }
  const line = (cells: string[]) =>
    cells.map((c, i) => i === cells.length - 1 ? c : c + " ".repeat(widths[i] - displayWidth(c)))
      .join("  ").trimEnd() + "\n";
  let out = line(header);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const cells = rowOf(e);
    if (vendorOf) cells.push(tableCell(e.mac ? vendorOf(e.mac) ?? "" : ""));
    out += line(cells);
    if ((i + 1) % rowsPerWrite === 0) {
      await io.stdout.write(out);
      out = "";
    }
  }
  await io.stdout.write(out);
}

/**
 * Prints one JSON document as {@linkcode writeJson} would (`JSON.stringify(doc, null, 2)`, terminal
 * controls escaped), but with the list under `key` written a few thousand items a write, each as
 * `toJson` gives it: the document of a 600,000-entry table is never one string.
 *
 * @example
 * ```ts
 * await writeJsonStreaming(io, { source: "-", entries: [] }, "entries", table.entries, (e) => neighborJson(e, undefined));
 * ```
 */
export async function writeJsonStreaming<T>(
  io: Io,
  doc: Record<string, unknown>,
  key: string,
  items: readonly T[],
  toJson: (item: T) => unknown,
): Promise<void> {
  const marker = "\u0000list\u0000";
  const [head, tail] = JSON.stringify({ ...doc, [key]: marker }, null, 2)
    .split(JSON.stringify(marker));
  let out = head + (items.length ? "[" : "[]");
  for (let i = 0; i < items.length; i++) {
    out += `${i ? "," : ""}\n    ${
      JSON.stringify(toJson(items[i]), null, 2).replaceAll("\n", "\n    ")
    }`;
    if ((i + 1) % rowsPerWrite === 0) {
      await io.stdout.write(printableJson(out));
      out = "";
    }
  }
  await io.stdout.write(printableJson(`${out}${items.length ? "\n  ]" : ""}${tail}\n`));
}

/**
 * Looks up the vendor of every distinct MAC in `entries` (loading the IEEE registry).
 *
 * @example
 * ```ts
 * const vendors = await vendorsOf(table.entries); // Map { "3c:22:fb:..." => "Apple, Inc." }
 * ```
 */
export async function vendorsOf(
  entries: readonly { mac: string | null }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!entries.some((e) => e.mac)) return out;
  const vendorOf = await vendorLookup();
  for (const e of entries) {
    if (!e.mac || out.has(e.mac)) continue;
    const v = vendorOf(e.mac);
    if (v) out.set(e.mac, v);
  }
  return out;
}
