// What ARP spoofing leaves in neighbour tables: one MAC answering for several addresses (the
// attacker claiming the gateway's IP), an address whose MAC changes between snapshots, group or
// zero MACs where a host's should be, and a gateway with a locally administered MAC. Linear in
// the entries (maps, no search through what was found), and in steps so a caller can stop it.
import { describeMac, parseMac } from "./mac.ts";
import type { NeighborEntry } from "./neighbor.ts";
import { runSteps, runStepsYielding, type Steps } from "./steps.ts";

/** How serious a finding is. */
export type Severity = "critical" | "warning" | "info";

/** One thing `checkNeighborTables` found. */
export interface Finding {
  severity: Severity;
  kind: "mac-several-ips" | "ip-several-macs" | "group-mac" | "zero-mac" | "gateway-local-mac";
  /** One sentence for people. */
  message: string;
  ips: string[];
  macs: string[];
  /** Names of the snapshots the finding is based on. */
  snapshots: string[];
}

/** A table to check, with a name for reports (a file name or `live`). */
export interface Snapshot {
  name: string;
  entries: readonly NeighborEntry[];
}

/**
 * MACs with which a cloud's virtual network answers every ARP request, whatever the address:
 * there, one MAC for every neighbour is how the network works, not a spoof.
 */
export const fabricMacs: ReadonlyMap<string, string> = new Map([
  // Every ARP request on an Azure virtual network is answered with this MAC.
  ["12:34:56:78:9a:bc", "Azure virtual networks answer every ARP request with it"],
]);

/** Addresses listed in a message before "and N more": the finding's `ips` has them all. */
const listed = 8;

const severityOrder: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Checks one or more snapshots of a neighbour table for signs of ARP spoofing. Only entries with a
 * MAC count; proxy entries and this host's own addresses (`local`) are this host's answers, not a
 * neighbour's claims, and are skipped (a router's own addresses share its MAC). IPv6 hosts legitimately
 * have several addresses per MAC, so the several-IPs check is IPv4 only. An address is compared with
 * itself on the same interface: one address on two links is two neighbours.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIpNeigh } from "./parse_ip_neigh.ts";
 * import { checkNeighborTables } from "./spoof_check.ts";
 *
 * // Another host's MAC answering for the gateway's address too.
 * const { entries } = parseIpNeigh(
 *   "192.168.1.1 dev eth0 lladdr 00:11:22:33:44:66 REACHABLE\n" +
 *     "192.168.1.23 dev eth0 lladdr 00:11:22:33:44:66 REACHABLE\n",
 * );
 * const findings = checkNeighborTables([{ name: "live", entries }], { gateways: ["192.168.1.1"] });
 * assert.deepEqual(findings.map((f) => [f.severity, f.kind, f.ips]), [
 *   ["critical", "mac-several-ips", ["192.168.1.1", "192.168.1.23"]],
 * ]);
 * ```
 */
export function checkNeighborTables(
  snapshots: readonly Snapshot[],
  options: { gateways?: readonly string[] } = {},
): Finding[] {
  return runSteps(checkSteps(snapshots, options));
}

/**
 * {@linkcode checkNeighborTables} letting the event loop run every few milliseconds, stopping with
 * `signal`'s reason once it is aborted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIpNeigh } from "./parse_ip_neigh.ts";
 * import { checkNeighborTablesYielding } from "./spoof_check.ts";
 *
 * // The same address with another MAC in a later snapshot.
 * const before = parseIpNeigh("192.168.1.1 dev eth0 lladdr 00:11:22:33:44:55 STALE").entries;
 * const after = parseIpNeigh("192.168.1.1 dev eth0 lladdr 00:11:22:33:44:66 STALE").entries;
 * const findings = await checkNeighborTablesYielding(
 *   [{ name: "before", entries: before }, { name: "after", entries: after }],
 *   { gateways: ["192.168.1.1"], signal: AbortSignal.timeout(5000) },
 * );
 * assert.deepEqual(findings.map((f) => f.kind), ["ip-several-macs"]);
 * ```
 */
export async function checkNeighborTablesYielding(
  snapshots: readonly Snapshot[],
  options: { gateways?: readonly string[]; signal?: AbortSignal } = {},
): Promise<Finding[]> {
  return await runStepsYielding(checkSteps(snapshots, options), options);
}

/**
 * Where an entry was seen, as one number: the snapshot's index times 2^32 plus the line (or the
 * entry's index), exact in a double, so a table of 600,000 addresses keeps one number per
 * address, not an object.
 */
type Sighting = number;
const sighting = (snapshot: number, line: number): Sighting => snapshot * 2 ** 32 + line;
const snapshotOf = (s: Sighting) => Math.floor(s / 2 ** 32);
const lineOf = (s: Sighting) => s % 2 ** 32;

/** The MACs one address had on one interface: the first, and any others. */
interface AddressRecord {
  mac: string;
  seen: Sighting[];
  others?: Map<string, Sighting[]>;
}

/** Adds a sighting unless the list has one from the same snapshot already (its first line wins). */
function addSighting(list: Sighting[], s: Sighting): void {
  if (snapshotOf(list[list.length - 1]) !== snapshotOf(s)) list.push(s);
}

/** What a canonical MAC's text says, read from its first octet: no allocation per entry. */
function macKind(mac: string): "zero" | "group" | "local" | "universal" {
  if (mac === "00:00:00:00:00:00") return "zero";
  const first = parseInt(mac.slice(0, 2), 16);
  return first & 1 ? "group" : first & 2 ? "local" : "universal";
}

function* checkSteps(
  snapshots: readonly Snapshot[],
  options: { gateways?: readonly string[] },
): Steps<Finding[]> {
  const gateways = new Set(options.gateways ?? []);
  const found = new Map<string, Finding>();
  const add = (f: Finding) => {
    const key = `${f.kind} ${f.ips.join(",")} ${f.macs.join(",")}`;
    const old = found.get(key);
    if (!old) return void found.set(key, f);
    for (const s of f.snapshots) if (!old.snapshots.includes(s)) old.snapshots.push(s);
  };
  const gw = (ip: string) => (gateways.has(ip) ? `${ip} (gateway)` : ip);

  // interface -> address -> the MACs it had (or, while it had one, where it was first seen as
  // the snapshot's index and the entry's index)
  const addresses = new Map<string, Map<string, AddressRecord | Sighting>>();
  let steps = 0;
  for (let index = 0; index < snapshots.length; index++) {
    const snap = snapshots[index];
    // MAC -> the IPv4 address (or, once there are several, the list of them) it answered for
    const ipsOfMac = new Map<string, string | string[]>();
    for (let entryIndex = 0; entryIndex < snap.entries.length; entryIndex++) {
      const e = snap.entries[entryIndex];
      if ((++steps & 4095) === 0) yield;
      if (e.mac === null || e.state === "proxy" || e.local) continue;
      const kind = macKind(e.mac);
      if (kind === "zero") {
        add({
          severity: "warning",
          kind: "zero-mac",
          message: `${gw(e.ip)} has the all-zero MAC ${e.mac} in a ${e.state} entry`,
          ips: [e.ip],
          macs: [e.mac],
          snapshots: [snap.name],
        });
        continue;
      }
      if (kind === "group") {
        const broadcast = e.mac === "ff:ff:ff:ff:ff:ff";
        if (!expectedGroupMac(e, broadcast)) {
          add({
            severity: gateways.has(e.ip) ? "critical" : "warning",
            kind: "group-mac",
            message: `${gw(e.ip)} is a unicast address but has the ${
              broadcast ? "broadcast" : "multicast"
            } MAC ${e.mac} in a ${e.state} entry`,
            ips: [e.ip],
            macs: [e.mac],
            snapshots: [snap.name],
          });
        }
        continue;
      }
      if (kind === "local" && gateways.has(e.ip)) {
        const localUse = describeMac(parseMac(e.mac)).localUse;
        add({
          severity: "warning",
          kind: "gateway-local-mac",
          message: `gateway ${e.ip} has the locally administered MAC ${e.mac}${
            localUse ? ` (${localUse})` : ""
          }: expected on virtual networks, suspicious on real ones`,
          ips: [e.ip],
          macs: [e.mac],
          snapshots: [snap.name],
        });
      }
      if (!e.ip.includes(":")) {
        const ips = ipsOfMac.get(e.mac);
        if (ips === undefined) ipsOfMac.set(e.mac, e.ip);
        else if (typeof ips === "string") {
          if (ips !== e.ip) ipsOfMac.set(e.mac, [ips, e.ip]);
        } else ips.push(e.ip);
      }
      const iface = e.iface ?? "";
      let onIface = addresses.get(iface);
      if (!onIface) addresses.set(iface, onIface = new Map());
      const at = sighting(index, e.line);
      let record = onIface.get(e.ip);
      if (record === undefined) {
        // The common case, one MAC seen once: the entry itself says which.
        onIface.set(e.ip, sighting(index, entryIndex));
        continue;
      }
      if (typeof record === "number") {
        const first = snapshots[snapshotOf(record)].entries[lineOf(record)];
        if (first.mac === e.mac && snapshotOf(record) === index) continue;
        onIface.set(
          e.ip,
          record = { mac: first.mac!, seen: [sighting(snapshotOf(record), first.line)] },
        );
      }
      if (record.mac === e.mac) addSighting(record.seen, at);
      else {
        record.others ??= new Map();
        const seen = record.others.get(e.mac);
        if (seen) addSighting(seen, at);
        else record.others.set(e.mac, [at]);
      }
    }
    for (const [mac, set] of ipsOfMac) {
      if ((++steps & 4095) === 0) yield;
      if (typeof set === "string") continue;
      const ips = sortIps([...new Set(set)]);
      if (ips.length < 2) continue;
      const hasGateway = ips.some((ip) => gateways.has(ip));
      const fabric = fabricMacs.get(mac);
      add({
        severity: hasGateway && !fabric ? "critical" : "warning",
        kind: "mac-several-ips",
        message: `${mac} answers for ${ips.length} addresses: ${listOf(ips.map(gw))}${
          fabric
            ? `: expected, ${fabric}`
            : hasGateway
            ? ": another host may be impersonating the gateway"
            : ""
        }`,
        ips,
        macs: [mac],
        snapshots: [snap.name],
      });
    }
  }
  const where = (s: Sighting) => `${snapshots[snapshotOf(s)].name} line ${lineOf(s)}`;
  for (const [iface, onIface] of addresses) {
    for (const [ip, record] of onIface) {
      if ((++steps & 4095) === 0) yield;
      if (typeof record === "number" || !record.others) continue;
      const macs = new Map([[record.mac, record.seen], ...record.others]);
      const list = [...macs].map(([mac, seen]) => `${mac} (${listOf(seen.map(where), 3)})`);
      add({
        severity: gateways.has(ip) ? "critical" : "warning",
        kind: "ip-several-macs",
        message: `${gw(ip)}${iface ? ` on ${iface}` : ""} has ${macs.size} MACs: ${
          list.join(", ")
        }`,
        ips: [ip],
        macs: [...macs.keys()],
        snapshots: [
          ...new Set([...macs.values()].flat().map((s) => snapshots[snapshotOf(s)].name)),
        ],
      });
    }
  }
  const findings = [...found.values()];
  const order = new Map(findings.map((f) => [f, ipOrder(f.ips[0])]));
  return findings.sort((a, b) =>
    severityOrder[a.severity] - severityOrder[b.severity] || order.get(a)! - order.get(b)! ||
    (a.ips[0] < b.ips[0] ? -1 : a.ips[0] > b.ips[0] ? 1 : 0)
  );
}

/** `a, b, c` or, past `max`, `a, b, and 9 more`. */
function listOf(items: readonly string[], max = listed): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/**
 * Windows and some routers keep static entries that map broadcast and multicast addresses to group
 * MACs: a subnet's broadcast address (whatever its last octet: a /25's is .127) and
 * 255.255.255.255 to ff:ff:ff:ff:ff:ff, 224.0.0.0/4 to 01:00:5e plus the low 23 bits (RFC 1112),
 * IPv6 multicast to 33:33 plus the low 32 bits (RFC 2464). A broadcast MAC is expected in such a
 * static entry; in one the table says was learned from the network (Windows `dynamic`, a Linux
 * NUD state or flags, a time left) it is an answer no host should give. macOS lists its subnet's
 * broadcast entry without saying either way (no state word at all): there the address decides,
 * as the only guess left (`.255`).
 */
function expectedGroupMac(e: NeighborEntry, broadcast: boolean): boolean {
  const mac = e.mac!;
  if (e.ip.includes(":")) return e.ip.startsWith("ff") && mac.startsWith("33:33:");
  if (broadcast) {
    return e.state === "permanent" || (e.detail === undefined && e.ip.endsWith(".255"));
  }
  const o = e.ip.split(".").map(Number);
  if (o[0] >= 224 && o[0] <= 239) {
    const want = `01:00:5e:${
      [o[1] & 0x7f, o[2], o[3]].map((b) => b.toString(16).padStart(2, "0"))
        .join(":")
    }`;
    return mac === want;
  }
  return false;
}

/** An IPv4 address as a number (its order), or `Infinity` for IPv6, which sorts after. */
function ipOrder(ip: string): number {
  let n = 0, octet = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + octet;
      octet = 0;
    } else if (c >= 48 && c <= 57) octet = octet * 10 + c - 48;
    else return Infinity;
  }
  return n * 256 + octet;
}

/** Sorts addresses as {@linkcode compareIps} does, computing each one's order once. */
function sortIps(ips: string[]): string[] {
  const keyed = ips.map((ip) => ({ ip, order: ipOrder(ip) }));
  keyed.sort((a, b) => a.order - b.order || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  return keyed.map((k) => k.ip);
}

/**
 * Orders IPv4 addresses numerically, IPv6 after them by text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareIps } from "./spoof_check.ts";
 *
 * assert.deepEqual(["fe80::1", "10.0.0.10", "10.0.0.9"].sort(compareIps), [
 *   "10.0.0.9",
 *   "10.0.0.10",
 *   "fe80::1",
 * ]);
 * ```
 */
export function compareIps(a: string, b: string): number {
  return ipOrder(a) - ipOrder(b) || (a < b ? -1 : a > b ? 1 : 0);
}
