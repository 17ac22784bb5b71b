// Solaris and illumos `arp -a` / `arp -an` / `netstat -p`: the "Net to Media Table: IPv4" with
// columns `Device  IP Address  Mask  Flags  Phys Addr`. Flags (netstat(8)): S static, P published
// (this host answers), U unresolved (no address yet), M mapping (the multicast entry), L local (this
// host's own address), A authority, d unverified, o old, y delayed.
import {
  checkAddressColumn,
  checkIp,
  checkMac,
  type LineParser,
  type NeighborState,
  type NeighborTable,
  parseLines,
  subnetPrefixLength,
} from "./neighbor.ts";

/** The title and column header; also what tells the format apart in detection. */
export const solarisHeaders = [
  /^Net\s+to\s+Media\s+Table:\s*IPv4$/,
  /^Device\s+IP\s+Address\s+Mask\s+Flags\s+Phys\s+Addr$/,
];
const flagLetters = "SPUMLAody";
const flagPattern = new RegExp(`^[${flagLetters}]+$`);

/**
 * Parses Solaris `arp -an` output (the IPv4 net-to-media table). Rows of the IPv6 table that
 * `netstat -p` prints after it are reported, not read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSolarisArp } from "./parse_solaris_arp.ts";
 *
 * const table = parseSolarisArp("rtls0  172.31.4.103  255.255.255.255 SP  52:54:00:7f:22:e7");
 * assert.equal(table.entries[0].state, "proxy"); // P: this host answers for it
 * ```
 */
export function parseSolarisArp(text: string): NeighborTable {
  return parseLines(text, solarisArpLines());
}

/**
 * The line reader of {@linkcode parseSolarisArp} (it remembers whether the IPv6 table has begun).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solarisArpLines } from "./parse_solaris_arp.ts";
 *
 * const entry = solarisArpLines()("net0  10.0.0.1  255.255.255.255  00:11:22:33:44:55", 4);
 * assert.equal(entry?.state, "complete");
 * ```
 */
export function solarisArpLines(): LineParser {
  let ipv6 = false;
  return (line, n) => {
    const t = line.trim();
    if (/^Net\s+to\s+Media\s+Table:\s*IPv6$/.test(t)) {
      ipv6 = true;
      throw new SyntaxError(`The IPv6 net-to-media table is not read (save "arp -an" instead)`);
    }
    if (ipv6) throw new SyntaxError(`Row of the IPv6 net-to-media table (not read)`);
    if (/^[-\s]+$/.test(t) || solarisHeaders.some((p) => p.test(t))) return undefined;
    const f = t.split(/\s+/);
    if (f.length < 3 || f.length > 5) {
      throw new SyntaxError(`Expected columns Device, IP Address, Mask, Flags, Phys Addr`);
    }
    const [device, address, mask, ...rest] = f;
    const ip = checkAddressColumn(address, "arp -an");
    const prefixLength = subnetPrefixLength(checkIp(mask));
    let flags = "";
    let mac: string | null = null;
    for (const w of rest) {
      const flagLike = !flags && mac === null && /^[a-z]{1,10}$/i.test(w);
      if (flagLike && flagPattern.test(w)) flags = w;
      else if (flagLike) {
        throw new SyntaxError(`Unknown flags "${w}" (known: ${flagLetters})`);
      } else if (mac === null) mac = checkMac(w);
      else throw new SyntaxError(`Unexpected "${w}" after the address`);
    }
    const state: NeighborState = flags.includes("U") || mac === null
      ? "incomplete"
      : flags.includes("P") && !flags.includes("L")
      ? "proxy"
      : /[SML]/.test(flags)
      ? "permanent"
      : "complete";
    return {
      ip,
      mac,
      iface: device,
      state,
      ...(flags ? { detail: `flags ${flags}` } : {}),
      ...(flags.includes("L") ? { local: true } : {}),
      ...(state === "proxy" && flags.includes("S") ? { flags: ["permanent" as const] } : {}),
      ...(prefixLength === undefined ? {} : { prefixLength }),
      line: n,
    };
  };
}
