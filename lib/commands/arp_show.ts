// `toolkit arp show`: the neighbour table (ARP and NDP) like `ip neigh` / `arp -an`, live from the
// kernel or from a saved table in any common format, with normalised MACs and IEEE vendors.
import { type OptionSpec, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { InputError, userInputError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { formatTable, writeJson, writeWarning } from "../cli/output.ts";
import { parseMac } from "../arp/mac.ts";
import type { NeighborEntry, ParseProblem } from "../arp/neighbor.ts";
import { loadVendorLookup } from "../arp/oui.ts";
import {
  describeTableFormats,
  type TableFormat,
  tableFormats,
} from "../arp/parse_neighbor_table.ts";
import { type LoadedTable, readNeighborTable } from "../arp/read_table.ts";
import { printable } from "../text/printable.ts";

/** Parsed `arp show` options. */
export interface ArpShowOptions {
  /** A saved table (`-` for stdin); `undefined` for the live table. */
  file?: string;
  format: TableFormat | "auto";
  vendor: boolean;
  json: boolean;
}

const name = "arp show";

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
    usage: "[--file FILE|-]",
    description:
      "Without --file, reads the live table: IPv4 from /proc/net/arp and IPv6 neighbours from `ip -6 neigh` where iproute2 is installed. With --file, reads a saved table (UTF-8, or UTF-16 as Windows PowerShell 5 saves it) in any supported format, detected unless --format says. Lines that cannot be read are reported on stderr with their line numbers; the rest are shown. STATE is normalised (complete, permanent, incomplete, failed, proxy) with the tool's own word in brackets.",
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
      { name: "no-vendor", type: "boolean", description: "do not look up IEEE vendors" },
    ],
    examples: [
      "toolkit arp show",
      "toolkit arp show --file saved-arp.txt",
      "ssh mac arp -an | toolkit arp show --file - --format bsd",
      "toolkit arp show --json",
    ],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    const { values } = parseCommandArgs(name, this.spec, args);
    return {
      file: values.file as string | undefined,
      format: (values.format ?? "auto") as TableFormat | "auto",
      vendor: values["no-vendor"] !== true,
      json: globals.json,
    };
  },
  async run(o, io) {
    const table = await readTableArg({
      file: o.file,
      format: o.format,
      stdin: io.stdin.readable,
    });
    await reportProblems(io, table);
    const vendors = o.vendor ? await vendorsOf(table.entries) : new Map<string, string>();
    if (o.json) {
      await writeJson(io, {
        source: table.source,
        format: table.format,
        entries: table.entries.map((e) =>
          neighborJson(e, o.vendor ? vendors.get(e.mac ?? "") ?? null : undefined)
        ),
        problems: table.problems,
      });
    } else if (table.entries.length > 0) {
      const rows = [["IP", "MAC", "INTERFACE", "STATE", ...(o.vendor ? ["VENDOR"] : [])]];
      for (const e of table.entries) {
        // Interface names and state words come from the table as given (a saved file): printable.
        rows.push([
          e.ip,
          e.mac ?? "-",
          e.iface ?? "-",
          describeState(e),
          ...(o.vendor ? [vendors.get(e.mac ?? "") ?? ""] : []),
        ].map((cell) => printable(cell)));
      }
      await io.stdout.write(formatTable(rows));
    } else if (!io.globals.quiet) {
      await io.stderr.write(`no neighbour entries (${table.source})\n`);
    }
    return 0;
  },
};
export default command;

/**
 * A neighbour entry as `--json` prints it (docs/json/arp-show.json): every key always present,
 * `vendor` only when vendors were asked for (`null` for a MAC the registry does not know).
 *
 * @example
 * ```ts
 * neighborJson({ ip: "10.0.0.1", mac: null, iface: "eth0", state: "failed", line: 1 }, undefined);
 * // { address: "10.0.0.1", mac: null, iface: "eth0", state: "failed", detail: null, router: false, local: false, line: 1 }
 * ```
 */
export function neighborJson(e: NeighborEntry, vendor: string | null | undefined) {
  return {
    address: e.ip,
    mac: e.mac,
    iface: e.iface,
    state: e.state,
    detail: e.detail ?? null,
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

/**
 * Prints the lines a table could not read as warnings; fails when the table had lines but none of
 * them could be read.
 *
 * @example
 * ```ts
 * await reportProblems(io, table);
 * ```
 */
export async function reportProblems(
  io: Io,
  table: { source: string; problems: readonly ParseProblem[]; entries: readonly unknown[] },
): Promise<void> {
  const where = table.source === "-" ? "stdin" : table.source;
  for (const p of table.problems) {
    await writeWarning(
      io,
      printable(`${where}: line ${p.line}: ${lowerFirst(p.reason)} (skipped)`),
    );
  }
  if (table.entries.length === 0 && table.problems.length > 0) {
    throw new InputError(`no line of ${where} could be read as a neighbour entry`);
  }
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
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
  const lookup = await loadVendorLookup();
  for (const e of entries) {
    if (!e.mac || out.has(e.mac)) continue;
    const v = lookup(parseMac(e.mac));
    if (v) out.set(e.mac, v);
  }
  return out;
}
