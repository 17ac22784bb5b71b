// arpwatch's station database and its event rules, kept compatible with arpwatch's `arp.dat`
// (`MAC<TAB>IP<TAB>EPOCH[<TAB>HOSTNAME]`, MACs with unpadded octets; a fifth interface field is
// read too) so a file can move between arpwatch and toolkit in either direction.
import { formatMac, parseMac } from "./mac.ts";
import type { ParseProblem } from "./neighbor.ts";
import { checkIp } from "./neighbor.ts";
import { compareIps } from "./spoof_check.ts";
import { writeOutputFile } from "../scope/files.ts";

/** One MAC an IP has had, and when it was last seen (Unix seconds). */
export interface StationRecord {
  mac: string;
  time: number;
  hostname: string;
  iface: string;
}

/** The arpwatch event names. */
export type ArpWatchEventKind =
  | "new station"
  | "new activity"
  | "changed ethernet address"
  | "flip flop"
  | "reused old ethernet address";

/** One event, as arpwatch reports it. */
export interface ArpWatchEvent {
  event: ArpWatchEventKind;
  ip: string;
  mac: string;
  /** The MAC the address had before (changes, flip flops, reuse). */
  oldMac?: string;
  iface: string;
  /** Unix seconds. */
  time: number;
  /** When the station or pair was last seen before this (Unix seconds). */
  previousTime?: number;
  hostname?: string;
}

/** arpwatch's NEWACTIVITY_DELTA: a pair unseen this long reports `new activity` (6 months). */
export const newActivitySeconds = 60 * 60 * 24 * 30 * 6;
/** arpwatch's FLIPFLOP_DELTA: switching back within this long is a `flip flop` (24 hours). */
export const flipFlopSeconds = 60 * 60 * 24;

/**
 * The station database: for each IP the MACs it has had, most recent first, like arpwatch's
 * `elist`.
 *
 * @example
 * ```ts
 * const db = new ArpWatchDb();
 * db.observe({ ip: "10.0.0.1", mac: "00:11:22:33:44:55", iface: "eth0", time: 1700000000 });
 * // { event: "new station", ... }
 * ```
 */
export class ArpWatchDb {
  readonly #stations = new Map<string, StationRecord[]>();

  /** Number of IP addresses known. */
  get size(): number {
    return this.#stations.size;
  }

  /** The records for `ip`, most recent first. */
  recordsOf(ip: string): readonly StationRecord[] {
    return this.#stations.get(ip) ?? [];
  }

  /** Adds a record as read from a file, without events; keeps each IP's list newest first. */
  load(ip: string, record: StationRecord): void {
    const list = this.#stations.get(ip) ?? [];
    const same = list.find((r) => r.mac === record.mac);
    if (same) {
      if (record.time > same.time) Object.assign(same, record);
    } else list.push({ ...record });
    list.sort((a, b) => b.time - a.time);
    this.#stations.set(ip, list);
  }

  /**
   * Records that `ip` was seen at `mac` and returns the event arpwatch would report, if any
   * (the rules of arpwatch's `ent_add`).
   */
  observe(
    seen: { ip: string; mac: string; iface: string; time: number },
  ): ArpWatchEvent | undefined {
    const { ip, mac, iface, time } = seen;
    const list = this.#stations.get(ip);
    const event = (
      kind: ArpWatchEventKind,
      extra: Partial<ArpWatchEvent> = {},
    ): ArpWatchEvent => ({ event: kind, ip, mac, iface, time, ...extra });
    if (!list || list.length === 0) {
      this.#stations.set(ip, [{ mac, time, hostname: "", iface }]);
      return event("new station");
    }
    const head = list[0];
    if (head.mac === mac) {
      const previousTime = head.time;
      head.time = Math.max(head.time, time);
      if (iface) head.iface = iface;
      if (time - previousTime > newActivitySeconds) {
        return event("new activity", { previousTime, ...host(head) });
      }
      return undefined;
    }
    const index = list.findIndex((r) => r.mac === mac);
    if (index >= 1) {
      const [record] = list.splice(index, 1);
      const previousTime = record.time;
      record.time = time;
      if (iface) record.iface = iface;
      list.unshift(record);
      const kind = index === 1 && time - previousTime <= flipFlopSeconds
        ? "flip flop"
        : "reused old ethernet address";
      return event(kind, { oldMac: head.mac, previousTime, ...host(record) });
    }
    list.unshift({ mac, time, hostname: "", iface });
    return event("changed ethernet address", { oldMac: head.mac, previousTime: head.time });
  }

  /** Every record, ordered by IP then newest first. */
  *records(): Generator<{ ip: string } & StationRecord> {
    for (const ip of [...this.#stations.keys()].sort(compareIps)) {
      for (const r of this.#stations.get(ip)!) yield { ip, ...r };
    }
  }
}

function host(r: StationRecord): { hostname?: string } {
  return r.hostname ? { hostname: r.hostname } : {};
}

/**
 * Reads an `arp.dat` file's text into a database. Lines that cannot be read are returned as
 * problems with their line numbers; the rest load.
 *
 * @example
 * ```ts
 * const { db, problems } = parseArpDat("0:11:22:33:44:55\t10.0.0.1\t1700000000\trouter\n");
 * ```
 */
export function parseArpDat(text: string): { db: ArpWatchDb; problems: ParseProblem[] } {
  const db = new ArpWatchDb();
  const problems: ParseProblem[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.startsWith("#")) return;
    try {
      // arpwatch writes tabs; a hand-edited file may use spaces (then no empty fields).
      const f = line.includes("\t") ? line.split("\t") : line.trim().split(/\s+/);
      if (f.length < 3 || f.length > 5) {
        throw new SyntaxError(
          `Expected MAC, IP, time [, hostname [, interface]] separated by tabs`,
        );
      }
      const mac = formatMac(parseMac(f[0]));
      const ip = checkIp(f[1]);
      if (!/^\d+$/.test(f[2])) throw new SyntaxError(`Cannot parse time "${f[2]}"`);
      db.load(ip, { mac, time: Number(f[2]), hostname: f[3] ?? "", iface: f[4] ?? "" });
    } catch (err) {
      problems.push({ line: i + 1, text: line, reason: (err as Error).message });
    }
  });
  return { db, problems };
}

/**
 * Writes a database in `arp.dat` format, arpwatch's own: unpadded MAC octets, tab-separated MAC,
 * IP, epoch and (when known) hostname. The interface is not written: arpwatch builds that put a
 * fifth field there differ, and an empty hostname before it would shift the fields for readers
 * that split on white space.
 *
 * @example
 * ```ts
 * formatArpDat(db); // "0:11:22:33:44:55\t10.0.0.1\t1700000000\n"
 * ```
 */
export function formatArpDat(db: ArpWatchDb): string {
  let out = "";
  for (const r of db.records()) {
    const fields = [formatMac(parseMac(r.mac), { unpadded: true }), r.ip, String(r.time)];
    if (r.hostname) fields.push(r.hostname);
    out += fields.join("\t") + "\n";
  }
  return out;
}

/**
 * Saves the database atomically: the text goes to a temporary file beside `path`, which then
 * replaces `path` with a rename, so a crash or Ctrl-C leaves either the old or the new file.
 *
 * @example
 * ```ts
 * await saveArpDat("arp.dat", db);
 * ```
 */
export async function saveArpDat(file: string, db: ArpWatchDb): Promise<void> {
  await writeOutputFile(file, formatArpDat(db));
}
