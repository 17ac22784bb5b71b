// Linux's `/proc/net/arp`: a header, then `IP  HW-type  Flags  HW-address  Mask  Device` columns.
// The flags are the kernel's ATF_* bits: 0x2 complete, 0x4 permanent, 0x8 published (proxy).
import {
  checkIp,
  checkMac,
  type LineParser,
  type NeighborEntry,
  type NeighborTable,
  parseLines,
} from "./neighbor.ts";

const ATF_COM = 0x2, ATF_PERM = 0x4, ATF_PUBL = 0x8;

/**
 * Parses the text of `/proc/net/arp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProcNetArp } from "./parse_proc_net_arp.ts";
 *
 * const text = "IP address       HW type     Flags       HW address            Mask     Device\n" +
 *   "10.0.0.1         0x1         0x2         00:11:22:33:44:55     *        eth0\n" +
 *   "10.0.0.9         0x1         0x0         00:00:00:00:00:00     *        eth0\n";
 * assert.deepEqual(parseProcNetArp(text).entries.map((e) => [e.ip, e.mac, e.state]), [
 *   ["10.0.0.1", "00:11:22:33:44:55", "complete"],
 *   ["10.0.0.9", null, "incomplete"],
 * ]);
 * ```
 */
export function parseProcNetArp(text: string): NeighborTable {
  return parseLines(text, procNetArpLines());
}

/**
 * The line reader of {@linkcode parseProcNetArp}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { procNetArpLines } from "./parse_proc_net_arp.ts";
 *
 * const entry = procNetArpLines()("10.0.0.1 0x1 0x2 00:11:22:33:44:55 * eth0", 2);
 * assert.equal(entry?.state, "complete");
 * ```
 */
export function procNetArpLines(): LineParser {
  return (line, n): NeighborEntry | undefined => {
    if (/^IP address\s+HW type/i.test(line)) return undefined;
    const f = line.trim().split(/\s+/);
    if (f.length !== 6) {
      throw new SyntaxError(`Expected 6 columns (IP, HW type, flags, address, mask, device)`);
    }
    const [ipText, , flagText, hw, , dev] = f;
    if (!/^0x[0-9a-f]+$/i.test(flagText)) throw new SyntaxError(`Cannot parse flags "${flagText}"`);
    const flags = parseInt(flagText, 16);
    const ip = checkIp(ipText);
    const mac = checkMac(hw);
    const state = flags & ATF_PUBL
      ? "proxy"
      : flags & ATF_PERM
      ? "permanent"
      : flags & ATF_COM
      ? "complete"
      : "incomplete";
    return {
      ip,
      // The kernel prints zeros where an entry has no address (incomplete, a published one).
      mac: (state === "incomplete" || state === "proxy") && mac === "00:00:00:00:00:00"
        ? null
        : mac,
      iface: dev,
      state,
      detail: `flags ${flagText.toLowerCase()}`,
      ...(state === "proxy" && flags & ATF_PERM ? { flags: ["permanent" as const] } : {}),
      line: n,
    };
  };
}
