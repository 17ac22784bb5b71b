// Linux net-tools `arp`, `arp -n`, `arp -e`, `arp -v` (and busybox/toybox `arp`): the column table
// `Address  HWtype  HWaddress  Flags Mask  Iface`. Flags are C (complete), M (permanent), P
// (published: this host answers), from the kernel's ATF_* bits; an incomplete row has no HWtype and
// `(incomplete)`, a published one without an address `*` and `*` or `<from_interface>`; `-v` adds a
// footer `Entries: N  Skipped: N  Found: N`.
import {
  checkAddressColumn,
  checkIp,
  checkMac,
  type LineParser,
  type NeighborEntry,
  type NeighborState,
  type NeighborTable,
  parseLines,
  subnetPrefixLength,
} from "./neighbor.ts";

/** The column header; also what tells the format apart in detection. */
export const netToolsHeader = /^Address\s+HWtype\s+HWaddress\s+Flags\s+Mask\s+Iface$/;
/**
 * `-v`'s footer, and what net-tools, busybox and toybox print when a filter matched nothing: all
 * an empty table has.
 */
export const netToolsFooters: readonly RegExp[] = [
  /^Entries: \d+\s+Skipped: \d+\s+Found: \d+$/,
  /^arp: in \d+ entries no match found\.$/,
  /^No match found in \d+ entries$/i,
];
const flagPattern = /^[CMPAT!]+$/;

/**
 * Parses net-tools `arp` / `arp -n` / `arp -v` output. Rows that name a host instead of an address
 * (`arp` without `-n`) are reported: the address cannot be recovered from a truncated name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNetToolsArp } from "./parse_net_tools_arp.ts";
 *
 * const { entries } = parseNetToolsArp(
 *   "Address                  HWtype  HWaddress           Flags Mask            Iface\n" +
 *     "10.0.0.1                 ether   00:11:22:33:44:55   C                     eth0\n",
 * );
 * assert.deepEqual(entries.map((e) => [e.ip, e.mac, e.state, e.iface]), [
 *   ["10.0.0.1", "00:11:22:33:44:55", "complete", "eth0"],
 * ]);
 * ```
 */
export function parseNetToolsArp(text: string): NeighborTable {
  return parseLines(text, netToolsArpLines());
}

/**
 * The line reader of {@linkcode parseNetToolsArp}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { netToolsArpLines } from "./parse_net_tools_arp.ts";
 *
 * const readLine = netToolsArpLines();
 * assert.equal(readLine("10.0.0.1  ether  00:11:22:33:44:55  CM  eth0", 2)?.state, "permanent");
 * ```
 */
export function netToolsArpLines(): LineParser {
  return (line, n): NeighborEntry | undefined => {
    const t = line.trim();
    if (netToolsHeader.test(t) || netToolsFooters.some((p) => p.test(t))) return undefined;
    const f = t.split(/\s+/);
    let mac: string | null = null;
    let rest: string[];
    let macText: string | undefined;
    if (f[1] === "(incomplete)") {
      rest = f.slice(2);
    } else if (f[1] === "*" && (f[2] === "*" || f[2] === "<from_interface>")) {
      rest = f.slice(3); // published without an address of its own: the interface's
    } else {
      if (f.length < 4) {
        throw new SyntaxError(`Expected columns Address, HWtype, HWaddress, Flags, Mask, Iface`);
      }
      macText = f[2];
      rest = f.slice(3);
    }
    // The row has the table's shape: a name in the first column is a host name (`arp` without -n).
    const ip = checkAddressColumn(f[0], "arp -n");
    if (macText !== undefined) mac = checkMac(macText);
    const iface = rest.pop();
    if (iface === undefined) throw new SyntaxError(`No interface (Iface column) on the line`);
    let flags = "";
    let prefixLength: number | undefined;
    for (const w of rest) {
      if (flagPattern.test(w) && !flags) flags = w;
      else prefixLength = subnetPrefixLength(checkIp(w)); // the Mask column of a published subnet
    }
    const state: NeighborState = flags.includes("P")
      ? "proxy"
      : flags.includes("M")
      ? "permanent"
      : flags.includes("C") && mac !== null
      ? "complete"
      : "incomplete";
    return {
      ip,
      mac,
      iface,
      state,
      ...(flags ? { detail: `flags ${flags}` } : {}),
      ...(state === "proxy" && flags.includes("M") ? { flags: ["permanent" as const] } : {}),
      ...(prefixLength === undefined ? {} : { prefixLength }),
      line: n,
    };
  };
}
