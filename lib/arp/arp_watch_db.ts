// arpwatch's station database and its event rules, kept compatible with arpwatch's `arp.dat`
// (`MAC<TAB>IP<TAB>EPOCH[<TAB>HOSTNAME]`, MACs with unpadded octets; a fifth interface field is
// read too) so a file can move between arpwatch and toolkit in either direction.
import { formatMac, parseMac } from "./mac.ts";
import { checkIp, linesOf, maxProblems, type ParseProblem } from "./neighbor.ts";
import { compareIps } from "./spoof_check.ts";
import { writeOutputFile } from "../scope/files.ts";
import { concat } from "../text/read_limited.ts";

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
 * import assert from "node:assert/strict";
 * import { ArpWatchDb } from "./arp_watch_db.ts";
 *
 * const db = new ArpWatchDb();
 * const seen = { ip: "10.0.0.1", mac: "00:11:22:33:44:55", iface: "eth0", time: 1700000000 };
 * assert.equal(db.observe(seen)?.event, "new station");
 * assert.equal(db.observe({ ...seen, time: 1700000060 }), undefined); // nothing new
 * const changed = db.observe({ ...seen, mac: "00:11:22:33:44:66", time: 1700000120 });
 * assert.equal(changed?.event, "changed ethernet address");
 * assert.equal(changed?.oldMac, "00:11:22:33:44:55");
 * // Back to the old MAC within a day: a flip flop.
 * assert.equal(db.observe({ ...seen, time: 1700000180 })?.event, "flip flop");
 * ```
 */
export class ArpWatchDb {
  readonly #stations = new Map<string, StationRecord[]>();
  /** Records loaded from a file by `IP MAC`, so loading is linear however many an IP has. */
  readonly #loaded = new Map<string, StationRecord>();
  /** IPs whose lists have had records loaded since they were last sorted. */
  readonly #unsorted = new Set<string>();

  /** Number of IP addresses known. */
  get size(): number {
    return this.#stations.size;
  }

  /** The records for `ip`, most recent first. */
  recordsOf(ip: string): readonly StationRecord[] {
    return this.#list(ip) ?? [];
  }

  /** Adds a record as read from a file, without events; each IP's list is kept newest first. */
  load(ip: string, record: StationRecord): void {
    const key = `${ip} ${record.mac}`;
    const same = this.#loaded.get(key);
    if (same) {
      if (record.time > same.time) Object.assign(same, record);
    } else {
      const copy = { ...record };
      this.#loaded.set(key, copy);
      const list = this.#stations.get(ip);
      if (list) list.push(copy);
      else this.#stations.set(ip, [copy]);
    }
    this.#unsorted.add(ip);
  }

  #list(ip: string): StationRecord[] | undefined {
    const list = this.#stations.get(ip);
    if (list && this.#unsorted.delete(ip)) list.sort((a, b) => b.time - a.time);
    return list;
  }

  /**
   * Records that `ip` was seen at `mac` and returns the event arpwatch would report, if any
   * (the rules of arpwatch's `ent_add`).
   */
  observe(
    seen: { ip: string; mac: string; iface: string; time: number },
  ): ArpWatchEvent | undefined {
    const { ip, mac, iface, time } = seen;
    const list = this.#list(ip);
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
      for (const r of this.#list(ip)!) yield { ip, ...r };
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
 * import assert from "node:assert/strict";
 * import { parseArpDat } from "./arp_watch_db.ts";
 *
 * const text = "0:11:22:33:44:55\t10.0.0.1\t1700000000\trouter\nnot a record\n";
 * const { db, problems } = parseArpDat(text);
 * assert.deepEqual(db.recordsOf("10.0.0.1"), [
 *   { mac: "00:11:22:33:44:55", time: 1700000000, hostname: "router", iface: "" },
 * ]);
 * assert.deepEqual(problems.map((p) => p.line), [2]);
 * ```
 */
export function parseArpDat(text: string): { db: ArpWatchDb; problems: ParseProblem[] } {
  const db = new ArpWatchDb();
  const problems: ParseProblem[] = [];
  let n = 0;
  for (const line of linesOf(text)) {
    n++;
    if (line.trim() === "" || line.startsWith("#")) continue;
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
      if (problems.length < maxProblems) {
        problems.push({ line: n, text: line, reason: (err as Error).message });
      }
    }
  }
  return { db, problems };
}

/**
 * Reads the bytes of an `arp.dat` file as text. Hostnames come from DNS and the file from any
 * arpwatch, so a byte that is not UTF-8 is kept as a lone surrogate (U+DC80 to U+DCFF, Python's
 * `surrogateescape`), which {@linkcode encodeArpDat} writes back as the same byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeArpDat } from "./arp_watch_db.ts";
 *
 * // "c" then 0xe9, Latin-1 "é", which is not UTF-8: kept as the lone surrogate U+DCE9.
 * assert.equal(decodeArpDat(new Uint8Array([0x63, 0xe9])), "c\udce9");
 * assert.equal(decodeArpDat(new TextEncoder().encode("café")), "café");
 * ```
 */
export function decodeArpDat(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8 throughout: decoded by hand below.
  }
  const out: string[] = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const len = b < 0x80
      ? 1
      : b >= 0xc2 && b <= 0xdf
      ? 2
      : b >= 0xe0 && b <= 0xef
      ? 3
      : b >= 0xf0 && b <= 0xf4
      ? 4
      : 0;
    let cp = len === 1 ? b : len === 2 ? b & 0x1f : len === 3 ? b & 0x0f : b & 0x07;
    let ok = len > 0 && i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3f);
    }
    const min = [0, 0, 0x80, 0x800, 0x10000][len];
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      out.push(String.fromCodePoint(cp));
      i += len;
    } else {
      out.push(String.fromCharCode(0xdc00 + b));
      i++;
    }
  }
  return out.join("");
}

/**
 * The bytes of `arp.dat` text read by {@linkcode decodeArpDat}: UTF-8, with each lone surrogate
 * U+DC80 to U+DCFF written as the byte it stands for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeArpDat, encodeArpDat } from "./arp_watch_db.ts";
 *
 * assert.deepEqual(encodeArpDat("c\udce9"), new Uint8Array([0x63, 0xe9]));
 * const bytes = new Uint8Array([0x68, 0x6f, 0x73, 0x74, 0xe9]);
 * assert.deepEqual(encodeArpDat(decodeArpDat(bytes)), bytes); // the same bytes back
 * ```
 */
export function encodeArpDat(text: string): Uint8Array {
  const escapes = /(?<![\ud800-\udbff])[\udc80-\udcff]/g;
  if (text.search(escapes) < 0) return new TextEncoder().encode(text);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const m of text.matchAll(escapes)) {
    parts.push(
      encoder.encode(text.slice(from, m.index)),
      Uint8Array.of(m[0].charCodeAt(0) - 0xdc00),
    );
    from = m.index + 1;
  }
  parts.push(encoder.encode(text.slice(from)));
  return concat(parts);
}

/**
 * Writes a database in `arp.dat` format, arpwatch's own: unpadded MAC octets, tab-separated MAC,
 * IP, epoch and (when known) hostname. The interface is not written: arpwatch builds that put a
 * fifth field there differ, and an empty hostname before it would shift the fields for readers
 * that split on white space.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArpWatchDb, formatArpDat } from "./arp_watch_db.ts";
 *
 * const db = new ArpWatchDb();
 * db.observe({ ip: "10.0.0.1", mac: "00:11:22:33:44:55", iface: "eth0", time: 1700000000 });
 * assert.equal(formatArpDat(db), "0:11:22:33:44:55\t10.0.0.1\t1700000000\n");
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
 * import assert from "node:assert/strict";
 * import { parseArpDat, saveArpDat } from "./arp_watch_db.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const { db } = parseArpDat("0:11:22:33:44:55\t10.0.0.1\t1700000000\trouter\n");
 *   await saveArpDat(`${dir}/arp.dat`, db);
 *   const text = await Deno.readTextFile(`${dir}/arp.dat`);
 *   assert.equal(text, "0:11:22:33:44:55\t10.0.0.1\t1700000000\trouter\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function saveArpDat(file: string, db: ArpWatchDb): Promise<void> {
  await writeOutputFile(file, encodeArpDat(formatArpDat(db)));
}
