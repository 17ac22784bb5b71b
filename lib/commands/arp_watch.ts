// `toolkit arp watch`: arpwatch by polling. Each poll of the neighbour table (or each --file
// snapshot in turn) is compared with the station database and reported as arpwatch's events; the
// database is saved in arp.dat format after every poll, atomically, so Ctrl-C or a crash loses
// nothing.
import { durationOption, intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError } from "../cli/errors.ts";
import { abortableSleep, type Io } from "../cli/io.ts";
import { paint } from "../cli/output.ts";
import {
  ArpWatchDb,
  type ArpWatchEvent,
  decodeArpDat,
  parseArpDat,
  saveArpDat,
} from "../arp/arp_watch_db.ts";
import { describeMac, parseMac } from "../arp/mac.ts";
import { loadVendorLookup } from "../arp/oui.ts";
import type { TableFormat } from "../arp/parse_neighbor_table.ts";
import { formatOption, readTableArg, reportProblems, tableCell } from "./_arp.ts";
import { checkOutputFile, FileArgumentError, readInputFile } from "../scope/files.ts";
import { maxTableBytes, stdinAlias } from "../arp/read_table.ts";
import { printable, printableJson } from "../text/printable.ts";

/** Parsed `arp watch` options. */
export interface ArpWatchOptions {
  /** Snapshots to replay in order instead of polling the live table. */
  files: string[];
  format: TableFormat | "auto";
  intervalMs: number;
  db?: string;
  /** Polls (snapshots) to take; `Infinity` until Ctrl-C (live) or the last file. */
  count: number;
  vendor: boolean;
  json: boolean;
}

const name = "arp watch";

const command: CommandModule<ArpWatchOptions> = {
  spec: {
    usage: "[--interval S] [--db FILE] [--count N]",
    description:
      "Polls the live IPv4 neighbour table (or replays --file snapshots in order) and reports arpwatch's events: new station, changed ethernet address, flip flop (back to the previous MAC within 24 hours), reused old ethernet address, and new activity (a pair unseen for six months). With --db the station database is loaded from and saved to an arpwatch-compatible arp.dat (MAC, IP, epoch, hostname), replaced atomically after every poll. Unlike arpwatch, nothing is sniffed (no root needed), hostnames are not looked up in DNS, and events go to stdout (NDJSON with --json) instead of syslog and mail.",
    options: [
      {
        name: "interval",
        short: "i",
        type: "string",
        value: "DURATION",
        description: "time between polls [default: 2s; 0 between --file snapshots]",
      },
      {
        name: "db",
        type: "string",
        value: "FILE",
        complete: "file",
        description: "arp.dat database to load and keep up to date",
      },
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        description: "stop after N polls (default: until Ctrl-C, or after the last --file)",
      },
      {
        name: "file",
        short: "f",
        type: "string",
        multiple: true,
        value: "FILE",
        complete: "file",
        description: "replay saved tables as successive polls (repeatable)",
      },
      formatOption,
      { name: "no-vendor", type: "boolean", description: "do not look up IEEE vendors" },
    ],
    examples: [
      "toolkit arp watch --db /var/lib/arpwatch/arp.dat",
      "toolkit arp watch --json --interval 10s",
      "toolkit arp watch --db arp.dat --file monday.txt --file tuesday.txt",
    ],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    const { values } = parseCommandArgs(name, this.spec, args);
    const files = ((values.file as string[] | undefined) ?? []).map(stdinAlias);
    if (files.includes("-")) {
      throw new UsageError("snapshots must be files: stdin (-) holds only one table", name);
    }
    return {
      files,
      format: (values.format ?? "auto") as TableFormat | "auto",
      // Replaying snapshots may go without a pause; polling the live table may not.
      intervalMs: durationOption(values, "interval", {
        fallback: files.length ? 0 : 2000,
        min: files.length ? 0 : 1,
        command: name,
        max: 86_400_000,
      }),
      db: values.db as string | undefined,
      count: values.count === undefined
        ? Infinity
        : intOption(values, "count", { min: 1, max: 1e9, fallback: 1, command: name }),
      vendor: values["no-vendor"] !== true,
      json: globals.json,
    };
  },
  async run(o, io) {
    let db = new ArpWatchDb();
    if (o.db !== undefined) {
      let text: string | undefined;
      try {
        text = decodeArpDat(await readInputFile(o.db, { limit: maxTableBytes }));
      } catch (err) {
        // No database yet: it is created at the first save.
        if (!(err instanceof FileArgumentError && err.cause instanceof Deno.errors.NotFound)) {
          throw err;
        }
      }
      // What cannot be saved is refused now, before the first poll, not at the first save.
      await checkOutputFile(o.db);
      if (text !== undefined) {
        const loaded = parseArpDat(text);
        db = loaded.db;
        if (loaded.db.size === 0 && loaded.problems.length > 0) {
          throw new InputError(
            `no line of ${o.db} is an arp.dat record: not overwriting it (give another --db)`,
          );
        }
        await reportProblems(io, { source: o.db, problems: loaded.problems, entries: [1] });
      }
    }
    const vendorOf = o.vendor ? await loadVendorLookup() : undefined;
    const polls = Math.min(o.count, o.files.length || Infinity);
    if (!io.globals.quiet && !o.json && o.files.length === 0) {
      await io.stderr.write(
        `watching the neighbour table every ${o.intervalMs / 1000}s${
          o.db !== undefined ? `, database ${printable(o.db)}` : ""
        } (Ctrl-C to stop)\n`,
      );
    }
    for (let i = 0; i < polls && !io.signal.aborted; i++) {
      if (i > 0 && o.intervalMs > 0) await abortableSleep(o.intervalMs, io.signal);
      if (io.signal.aborted) break;
      const table = await readTableArg({
        file: o.files[i],
        format: o.format,
        ipv6: false,
        signal: io.signal,
      });
      await reportProblems(io, table);
      const time = Math.floor(Date.now() / 1000);
      // A poll's events go out a few hundred lines a write (a first poll of a large table is
      // one new station per entry).
      let out = "";
      let lines = 0;
      for (const e of table.entries) {
        // What was seen before Ctrl-C is saved below; the rest of the poll is not reported.
        if (io.signal.aborted) break;
        if (e.mac === null || e.state === "proxy" || e.ip.includes(":")) continue;
        const info = describeMac(parseMac(e.mac));
        if (info.zero || info.cast === "multicast") continue;
        const event = db.observe({ ip: e.ip, mac: e.mac, iface: e.iface ?? "", time });
        if (!event) continue;
        const vendor = vendorOf?.(parseMac(event.mac));
        out += formatEvent(io, o.json, event, vendor, vendorOf !== undefined);
        if (++lines % 500 === 0) {
          await io.stdout.write(out);
          out = "";
        }
      }
      if (out) await io.stdout.write(out);
      if (o.db !== undefined) await saveArpDat(o.db, db);
    }
    return ExitCode.ok;
  },
};
export default command;

/** Unix seconds as RFC 3339 UTC, the form every `time` in toolkit's JSON takes. */
function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** An event as its line of text or NDJSON, newline included. */
function formatEvent(
  io: Io,
  json: boolean,
  e: ArpWatchEvent,
  vendor: string | undefined,
  withVendor: boolean,
): string {
  if (json) {
    return printableJson(JSON.stringify({
      // Event names as one word each, like every NDJSON event: `new station` is `new-station`.
      event: e.event.replaceAll(" ", "-"),
      address: e.ip,
      mac: e.mac,
      oldMac: e.oldMac ?? null,
      iface: e.iface || null,
      time: isoTime(e.time),
      previousTime: e.previousTime === undefined ? null : isoTime(e.previousTime),
      hostname: e.hostname || null,
      ...(vendor === undefined && !withVendor ? {} : { vendor: vendor ?? null }),
    })) + "\n";
  }
  const when = isoTime(e.time);
  const old = e.oldMac ? ` (${e.oldMac})` : "";
  const color = e.event === "new station" || e.event === "new activity" ? "green" : "yellow";
  // The interface and host names come from the table (or an old database) as given: escaped and
  // cut as table cells are.
  const rest = `${e.ip} ${e.mac}${old}${e.iface ? ` ${tableCell(e.iface)}` : ""}${
    vendor ? ` ${printable(vendor)}` : ""
  }${e.hostname ? ` ${tableCell(e.hostname)}` : ""}`;
  return `${when} ${paint(io, color, e.event)} ${rest}\n`;
}
