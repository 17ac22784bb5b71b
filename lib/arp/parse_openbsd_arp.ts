// OpenBSD `arp -an` (and `arp -a`): `Host  Ethernet Address  Netif Expire  Flags` columns, as
// usr.sbin/arp/arp.c prints them. Expire is `permanent` (this host's own address or a permanent
// entry), `static`, a time left such as `19m56s`, or `expired`; flags are `l` (local: this host's
// address) and `p` (published: this host answers for it).
import {
  checkAddressColumn,
  checkMac,
  type LineParser,
  type NeighborState,
  type NeighborTable,
  parseLines,
} from "./neighbor.ts";

/** The column header; also what tells the format apart in detection. */
export const openBsdHeader = /^Host\s+Ethernet\s+Address\s+Netif\s+Expire\s+Flags$/;
const timeLeft = /^(?:\d+d)?(?:\d+h)?(?:\d+m)?\d+s$/;

/**
 * A row no other format prints (for detection without the header): an address, a MAC with colons,
 * an interface, then `permanent`, `static`, `expired` or a time left such as `19m56s`.
 */
export const openBsdRow =
  /^[0-9a-f.:]+\s+(?:[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}|\(incomplete\))\s+\S+\s+(?:permanent|static|expired|(?:\d+d)?(?:\d+h)?(?:\d+m)?\d+s)(?:\s+[lp]+)?$/i;

/**
 * Parses OpenBSD `arp -an` output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOpenBsdArp } from "./parse_openbsd_arp.ts";
 *
 * const table = parseOpenBsdArp("10.0.2.2   52:54:00:12:35:02   em0 12m37s");
 * assert.equal(table.entries[0].detail, "expires in 12m37s");
 * ```
 */
export function parseOpenBsdArp(text: string): NeighborTable {
  return parseLines(text, openBsdArpLines());
}

/**
 * The line reader of {@linkcode parseOpenBsdArp}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openBsdArpLines } from "./parse_openbsd_arp.ts";
 *
 * assert.equal(openBsdArpLines()("10.0.2.2  52:54:00:12:35:02  em0 permanent l", 2)?.local, true);
 * ```
 */
export function openBsdArpLines(): LineParser {
  return (line, n) => {
    const t = line.trim();
    if (openBsdHeader.test(t)) return undefined;
    const f = t.split(/\s+/);
    if (f.length < 4 || f.length > 5) {
      throw new SyntaxError(`Expected columns Host, Ethernet Address, Netif, Expire, Flags`);
    }
    const [host, ether, iface, expire, flags = ""] = f;
    const ip = checkAddressColumn(host, "arp -an");
    const mac = ether === "(incomplete)" ? null : checkMac(ether);
    if (!/^[lp]*$/.test(flags)) throw new SyntaxError(`Unknown flags "${flags}"`);
    let state: NeighborState;
    let detail: string;
    if (expire === "permanent" || expire === "static") {
      state = "permanent";
      detail = expire;
    } else if (expire === "expired" || timeLeft.test(expire)) {
      state = mac === null ? "incomplete" : "complete";
      detail = expire === "expired" ? "expired" : `expires in ${expire}`;
    } else {
      throw new SyntaxError(`Cannot parse expiry "${expire}"`);
    }
    if (flags.includes("p")) state = "proxy";
    if (flags) detail += ` ${flags}`;
    return {
      ip,
      mac,
      iface,
      state,
      detail,
      ...(flags.includes("l") ? { local: true } : {}),
      ...(flags.includes("p") && expire !== "expired" && !timeLeft.test(expire)
        ? { flags: ["permanent" as const] }
        : {}),
      line: n,
    };
  };
}
