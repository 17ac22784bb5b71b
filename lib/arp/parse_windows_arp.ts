// Windows `arp -a`: blocks headed `Interface: 192.168.1.10 --- 0xb`, then a column header, then
// `IP  aa-bb-cc-dd-ee-ff  dynamic|static` rows. German Windows (`Schnittstelle`, `dynamisch`,
// `statisch`) is read too; other languages only need their words added below.
import {
  checkIp,
  checkMac,
  type NeighborState,
  type NeighborTable,
  parseLines,
} from "./neighbor.ts";

const types: Record<string, NeighborState> = {
  dynamic: "complete",
  dynamisch: "complete",
  static: "permanent",
  statisch: "permanent",
  invalid: "failed",
  "ungültig": "failed",
};

const interfacePattern = /^\S+:\s+(\S+)\s+---\s+(0x[0-9a-f]+)$/i;

/**
 * Parses Windows `arp -a` output. The interface of an entry is the address its block names.
 *
 * @example
 * ```ts
 * parseWindowsArp("Interface: 10.0.0.5 --- 0xb\r\n  10.0.0.1  00-11-22-33-44-55  dynamic\r\n");
 * ```
 */
export function parseWindowsArp(text: string): NeighborTable {
  let iface: string | null = null;
  return parseLines(text, (line, n) => {
    const t = line.trim();
    const block = interfacePattern.exec(t);
    if (block) {
      iface = checkIp(block[1]);
      return undefined;
    }
    if (/^No ARP Entries Found/i.test(t) || /^Internet/i.test(t)) return undefined;
    const f = t.split(/\s+/);
    if (f.length !== 3) {
      throw new SyntaxError(`Expected 3 columns (address, physical address, type)`);
    }
    const type = f[2].toLowerCase();
    const state = types[type];
    if (!state) throw new SyntaxError(`Unknown entry type "${f[2]}"`);
    const mac = checkMac(f[1]);
    return {
      ip: checkIp(f[0]),
      mac: state === "failed" && mac === "00:00:00:00:00:00" ? null : mac,
      iface,
      state,
      detail: type,
      line: n,
    };
  });
}
