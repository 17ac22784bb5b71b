// What the arp commands share (arp show, check, watch, resolve): the --format option, reading a
// table named on the command line, reporting unreadable lines, table cells and JSON entries as
// people and scripts see them, and vendor lookups.
import type { OptionSpec } from "../cli/args.ts";
import { InputError, userInputError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { displayWidth, writeWarning } from "../cli/output.ts";
import { printableLine } from "../cli/report.ts";
import { parseMac } from "../arp/mac.ts";
import type { NeighborEntry, ParseProblem } from "../arp/neighbor.ts";
import { loadVendorLookup } from "../arp/oui.ts";
import { describeTableFormats, tableFormats } from "../arp/parse_neighbor_table.ts";
import { type LoadedTable, readNeighborTable } from "../arp/read_table.ts";
import { printable, printableJson } from "../text/printable.ts";

/** The `--format` option every arp command that reads tables shares. */
export const formatOption: OptionSpec = {
  name: "format",
  type: "string",
  value: "FORMAT",
  default: "auto",
  choices: ["auto", ...tableFormats],
  description: `format of saved tables (UTF-8 or UTF-16): ${describeTableFormats()}`,
};

/**
 * A neighbour entry as `--json` prints it (docs/json/arp-show.json): every key always present,
 * `vendor` only when vendors were asked for (`null` for a MAC the registry does not know).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { neighborJson } from "./_arp.ts";
 *
 * const entry = { ip: "10.0.0.1", mac: null, iface: "eth0", state: "failed", line: 1 } as const;
 * assert.deepEqual(neighborJson(entry, undefined), {
 *   address: "10.0.0.1",
 *   prefixLength: null,
 *   mac: null,
 *   iface: "eth0",
 *   state: "failed",
 *   detail: null,
 *   flags: [],
 *   router: false,
 *   local: false,
 *   line: 1,
 * }); // no vendor key: vendors were not asked for
 * assert.equal(neighborJson(entry, null).vendor, null); // asked for, none known
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
 * import assert from "node:assert/strict";
 * import { describeState } from "./_arp.ts";
 *
 * const failed = { ip: "fe80::1", mac: null, iface: "eth0", state: "failed", line: 1 } as const;
 * assert.equal(describeState({ ...failed, detail: "FAILED" }), "failed"); // the same word once
 * const stale = { ...failed, mac: "00:11:22:33:44:55", state: "complete", detail: "STALE" } as const;
 * assert.equal(describeState(stale), "complete (STALE)"); // the table's own word kept
 * assert.equal(describeState({ ...stale, router: true }), "complete (STALE) router");
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
 * import assert from "node:assert/strict";
 * import { readTableArg } from "./_arp.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(
 *   `${dir}/arp.txt`,
 *   "10.0.0.1 dev eth0 lladdr 00:11:22:33:44:55 REACHABLE\nbogus line\n",
 * );
 * const table = await readTableArg({ file: `${dir}/arp.txt`, format: "auto" });
 * assert.equal(table.format, "ip"); // recognised as `ip neigh` output
 * assert.equal(table.entries.length, 1);
 * assert.deepEqual(table.problems, [
 *   { line: 2, text: "bogus line", reason: 'Cannot parse IP address "bogus"' },
 * ]);
 * // A file that is not there is the user's input: exit 2.
 * await assert.rejects(readTableArg({ file: `${dir}/nope.txt`, format: "auto" }), {
 *   message: `no such file or directory (${dir}/nope.txt)`,
 * });
 * await Deno.remove(dir, { recursive: true });
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
export function sourceName(source: string): string {
  return source === "-" ? "stdin" : source;
}

/**
 * Prints the lines a table could not read as warnings (the first {@linkcode maxWarnings}, then how
 * many more; none under --quiet); fails when the table had lines but none of them could be read,
 * naming the format it was read as.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { reportProblems } from "./_arp.ts";
 *
 * const entry = { ip: "10.0.0.1", mac: null, iface: "eth0", state: "failed", line: 1 } as const;
 * const problem = { line: 2, text: "bogus line", reason: 'Cannot parse IP address "bogus"' };
 * const io = memoryIo();
 * await reportProblems(io, { source: "arp.txt", problems: [problem], entries: [entry] });
 * assert.equal(
 *   io.stderrText(),
 *   'toolkit: warning: arp.txt: line 2: cannot parse IP address "bogus" (skipped)\n',
 * );
 * // No line could be read: an input error naming the format it was read as.
 * await assert.rejects(
 *   reportProblems(memoryIo(), { source: "-", format: "ip", problems: [problem], entries: [] }),
 *   {
 *     name: "InputError",
 *     message:
 *       "no line of stdin could be read as a neighbour entry (read as ip: give --format if it is another)",
 *   },
 * );
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
 * import assert from "node:assert/strict";
 * import { problemJson } from "./_arp.ts";
 *
 * assert.deepEqual(problemJson({ line: 2, text: "x", reason: "Expected 6 columns" }), {
 *   line: 2,
 *   text: "x",
 *   reason: "expected 6 columns",
 * });
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
 * import assert from "node:assert/strict";
 * import { tableCell } from "./_arp.ts";
 *
 * assert.equal(tableCell("eth0"), "eth0");
 * assert.equal(tableCell("e".repeat(100)), "e".repeat(39) + "…"); // cut to 40 columns
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

/**
 * Prints one JSON document as {@linkcode writeJson} would (`JSON.stringify(doc, null, 2)`, terminal
 * controls escaped), but with the list under `key` written a few thousand items a write, each as
 * `toJson` gives it: the document of a 600,000-entry table is never one string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { writeJsonStreaming } from "./_arp.ts";
 *
 * const io = memoryIo();
 * const entries = [{ a: 1 }, { a: 2 }];
 * await writeJsonStreaming(io, { source: "-", entries: [] }, "entries", entries, (e) => e);
 * // The same text as JSON.stringify(doc, null, 2) of the whole document.
 * assert.equal(io.stdoutText(), JSON.stringify({ source: "-", entries }, null, 2) + "\n");
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
 * import assert from "node:assert/strict";
 * import { vendorsOf } from "./_arp.ts";
 *
 * const vendors = await vendorsOf([
 *   { mac: "3c:22:fb:00:00:01" },
 *   { mac: null },
 *   { mac: "02:00:00:00:00:01" }, // locally administered: no vendor
 * ]);
 * assert.deepEqual([...vendors], [["3c:22:fb:00:00:01", "Apple, Inc."]]);
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

/** The registry's vendor for a canonical MAC, `undefined` when it has none. */
export type VendorOf = (mac: string) => string | undefined;

export async function vendorLookup(): Promise<VendorOf> {
  const lookup = await loadVendorLookup();
  return (mac) => lookup(parseMac(mac));
}

/** Rows written at once: a 600,000-entry table is never one string. */
export const rowsPerWrite = 2000;
