// What ARP spoofing leaves in neighbour tables: one MAC answering for several addresses (the
// attacker claiming the gateway's IP), an address whose MAC changes between snapshots, group or
// zero MACs where a host's should be, and a gateway with a locally administered MAC.
import { describeMac, parseMac } from "./mac.ts";
import type { NeighborEntry } from "./neighbor.ts";

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

const severityOrder: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Checks one or more snapshots of a neighbour table for signs of ARP spoofing. Only entries with a
 * MAC count; proxy entries and this host's own addresses (`local`) are this host's answers, not a
 * neighbour's claims, and are skipped (a router's own addresses share its MAC). IPv6 hosts legitimately
 * have several addresses per MAC, so the several-IPs check is IPv4 only.
 *
 * @example
 * ```ts
 * const findings = checkNeighborTables([{ name: "live", entries }], { gateways: ["192.168.1.1"] });
 * ```
 */
export function checkNeighborTables(
  snapshots: readonly Snapshot[],
  options: { gateways?: readonly string[] } = {},
): Finding[] {
  const gateways = new Set(options.gateways ?? []);
  const findings: Finding[] = [];
  const add = (f: Finding) => {
    const key = `${f.kind} ${f.ips.join(",")} ${f.macs.join(",")}`;
    const old = findings.find((x) => `${x.kind} ${x.ips.join(",")} ${x.macs.join(",")}` === key);
    if (old) {
      for (const s of f.snapshots) if (!old.snapshots.includes(s)) old.snapshots.push(s);
      return;
    }
    findings.push(f);
  };
  const gw = (ip: string) => (gateways.has(ip) ? `${ip} (gateway)` : ip);

  // ip -> mac -> snapshots that show it
  const macsOfIp = new Map<string, Map<string, string[]>>();
  for (const snap of snapshots) {
    const ipsOfMac = new Map<string, Set<string>>();
    for (const e of snap.entries) {
      if (e.mac === null || e.state === "proxy" || e.local) continue;
      const info = describeMac(parseMac(e.mac));
      if (info.zero) {
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
      if (info.cast === "multicast") {
        if (!expectedGroupMac(e, info.broadcast)) {
          add({
            severity: gateways.has(e.ip) ? "critical" : "warning",
            kind: "group-mac",
            message: `${gw(e.ip)} is a unicast address but has the ${
              info.broadcast ? "broadcast" : "multicast"
            } MAC ${e.mac}`,
            ips: [e.ip],
            macs: [e.mac],
            snapshots: [snap.name],
          });
        }
        continue;
      }
      if (gateways.has(e.ip) && info.administration === "local") {
        add({
          severity: "warning",
          kind: "gateway-local-mac",
          message: `gateway ${e.ip} has the locally administered MAC ${e.mac}${
            info.localUse ? ` (${info.localUse})` : ""
          }: expected on virtual networks, suspicious on real ones`,
          ips: [e.ip],
          macs: [e.mac],
          snapshots: [snap.name],
        });
      }
      if (!e.ip.includes(":")) {
        let ips = ipsOfMac.get(e.mac);
        if (!ips) ipsOfMac.set(e.mac, ips = new Set());
        ips.add(e.ip);
      }
      let macs = macsOfIp.get(e.ip);
      if (!macs) macsOfIp.set(e.ip, macs = new Map());
      const names = macs.get(e.mac) ?? [];
      if (!names.includes(snap.name)) names.push(snap.name);
      macs.set(e.mac, names);
    }
    for (const [mac, set] of ipsOfMac) {
      if (set.size < 2) continue;
      const ips = [...set].sort(compareIps);
      const hasGateway = ips.some((ip) => gateways.has(ip));
      add({
        severity: hasGateway ? "critical" : "warning",
        kind: "mac-several-ips",
        message: `${mac} answers for ${ips.length} addresses: ${ips.map(gw).join(", ")}${
          hasGateway ? ": another host may be impersonating the gateway" : ""
        }`,
        ips,
        macs: [mac],
        snapshots: [snap.name],
      });
    }
  }
  for (const [ip, macs] of macsOfIp) {
    if (macs.size < 2) continue;
    const list = [...macs].map(([mac, names]) => `${mac} (${names.join(", ")})`);
    add({
      severity: gateways.has(ip) ? "critical" : "warning",
      kind: "ip-several-macs",
      message: `${gw(ip)} has ${macs.size} MACs: ${list.join(", ")}`,
      ips: [ip],
      macs: [...macs.keys()],
      snapshots: [...new Set([...macs.values()].flat())],
    });
  }
  return findings.sort((a, b) =>
    severityOrder[a.severity] - severityOrder[b.severity] || compareIps(a.ips[0], b.ips[0])
  );
}

/**
 * Windows and some routers keep static entries that map broadcast and multicast addresses to group
 * MACs: `255.255.255.255` and a subnet's `.255` to ff:ff:ff:ff:ff:ff, 224.0.0.0/4 to 01:00:5e plus
 * the low 23 bits (RFC 1112), IPv6 multicast to 33:33 plus the low 32 bits (RFC 2464).
 */
function expectedGroupMac(e: NeighborEntry, broadcast: boolean): boolean {
  const mac = e.mac!;
  if (e.ip.includes(":")) return e.ip.startsWith("ff") && mac.startsWith("33:33:");
  const o = e.ip.split(".").map(Number);
  if (broadcast) return o[3] === 255;
  if (o[0] >= 224 && o[0] <= 239) {
    const want = `01:00:5e:${
      [o[1] & 0x7f, o[2], o[3]].map((b) => b.toString(16).padStart(2, "0"))
        .join(":")
    }`;
    return mac === want;
  }
  return false;
}

/**
 * Orders IPv4 addresses numerically, IPv6 after them by text.
 *
 * @example
 * ```ts
 * ["10.0.0.10", "10.0.0.9"].sort(compareIps); // ["10.0.0.9", "10.0.0.10"]
 * ```
 */
export function compareIps(a: string, b: string): number {
  const va = a.includes(":"), vb = b.includes(":");
  if (va !== vb) return va ? 1 : -1;
  if (va) return a < b ? -1 : a > b ? 1 : 0;
  const na = a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const nb = b.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  return na - nb;
}
