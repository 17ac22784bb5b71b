// `toolkit arp show`: the neighbour table (ARP and NDP) like `ip neigh` / `arp -an`, live from the
// kernel or from a saved table in any common format, with normalised MACs and IEEE vendors.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { displayWidth } from "../cli/output.ts";
import { Addr } from "../ip/addr.ts";
import { Prefix } from "../ip/prefix.ts";
import type { NeighborEntry } from "../arp/neighbor.ts";
import type { TableFormat } from "../arp/parse_neighbor_table.ts";
import { stdinAlias } from "../arp/read_table.ts";
import { printable } from "../text/printable.ts";

import {
  describeState,
  formatOption,
  neighborJson,
  problemJson,
  readTableArg,
  reportProblems,
  rowsPerWrite,
  sourceName,
  tableCell,
  vendorLookup,
  type VendorOf,
  writeJsonStreaming,
} from "./_arp.ts";

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
    return ExitCode.ok;
  },
};
export default command;

/**
 * Whether an entry passes `arp show`'s filters: the address (or prefix), --iface and --state (a
 * normalised state, or one of the words of the tool's own, `STALE` in `REACHABLE,STALE`).
 * `--state stale` shows an entry whose state is `complete` and whose table said `STALE`.
 * (Not exported, so prose, not an `@example`: the CLI tests of `arp show --state` cover it.)
 */
function shows(
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
