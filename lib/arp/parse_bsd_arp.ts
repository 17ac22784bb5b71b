// `arp -an` as macOS and FreeBSD print it (`? (10.0.0.1) at 0:c:29:a:b:c on en0 ifscope
// permanent [ethernet]`, unpadded octets, `(incomplete)`), and Linux net-tools' variant of the same
// line (`? (10.0.0.1) at 00:0c:29:0a:0b:0c [ether] PERM on eth0`, `<incomplete>`).
import {
  checkIp,
  checkMac,
  type NeighborState,
  type NeighborTable,
  parseLines,
} from "./neighbor.ts";

const linePattern = /^(\S+) \(([^)\s]+)\) at (\S+)(.*)$/;

/**
 * Parses BSD/macOS (or Linux net-tools) `arp -an` / `arp -a` output.
 *
 * @example
 * ```ts
 * parseBsdArp("? (10.0.0.1) at 0:c:29:a:b:c on en0 ifscope [ethernet]").entries[0].mac; // "00:0c:29:0a:0b:0c"
 * ```
 */
export function parseBsdArp(text: string): NeighborTable {
  return parseLines(text, (line, n) => {
    const m = linePattern.exec(line.trim());
    if (!m) throw new SyntaxError(`Expected "HOST (IP) at MAC on IF"`);
    const ip = checkIp(m[2]);
    const incomplete = m[3] === "(incomplete)" || m[3] === "<incomplete>";
    const mac = incomplete ? null : checkMac(m[3]);
    const rest = m[4].trim().split(/\s+/).filter(Boolean);
    const on = rest.indexOf("on");
    const iface = on >= 0 ? rest[on + 1] ?? null : null;
    const flags = rest.filter((_w, i) => i !== on && i !== on + 1);
    let state: NeighborState = incomplete ? "incomplete" : "complete";
    let detail: string | undefined;
    if (flags.includes("permanent") || flags.includes("PERM")) state = "permanent";
    if (flags.includes("published") || flags.includes("PUB")) state = "proxy";
    const expires = flags.indexOf("expires");
    if (expires >= 0 && flags[expires + 1] === "in") detail = `expires in ${flags[expires + 2]}s`;
    if (flags.includes("expired")) detail = "expired";
    return {
      ip,
      mac,
      iface,
      state,
      ...(detail ? { detail } : {}),
      line: n,
    };
  });
}
