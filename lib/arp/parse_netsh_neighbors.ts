// Windows `netsh interface ipv4 show neighbors` (and `ipv6`, `netsh int ip show neigh`): blocks
// headed `Interface 14: Wi-Fi`, a column header and a rule of dashes, then rows
// `ADDRESS  aa-bb-cc-dd-ee-ff  Type`, where the physical address is blank on interfaces without
// one (the loopback pseudo-interface, incomplete entries) and a router's type ends in `(Router)`.
import { checkIp, checkMac, type NeighborTable, parseLines } from "./neighbor.ts";
import { netshRouterWords, netshTypes, unknownTypeReason } from "./windows_words.ts";

/** `Interface 14: Wi-Fi` (the word is translated; the index and colon are not). */
const interfacePattern = /^([^\d\s:][^:]*?) (\d+): (.+)$/;
const rulePattern = /^-+(?:\s+-+)+$/;
const macPattern = /^[0-9a-f]{2}(?:-[0-9a-f]{2}){5}$/i;

/**
 * Parses `netsh interface ipv4|ipv6 show neighbors` output. The interface of an entry is the name
 * its block gives (`Wi-Fi`, `Ethernet 4`); the column header (translated on other Windows
 * languages) is recognised by the rule of dashes under it.
 *
 * @example
 * ```ts
 * parseNetshNeighbors("Interface 5: Wi-Fi\n\nInternet Address  Physical Address  Type\n---  ---  ---\n10.0.0.1  00-11-22-33-44-55  Reachable (Router)\n");
 * ```
 */
export function parseNetshNeighbors(text: string): NeighborTable {
  const headers = columnHeaders(text.split("\n"));
  let iface: string | null = null;
  return parseLines(text, (line, n) => {
    const t = line.trim();
    if (headers.has(n) || rulePattern.test(t)) return undefined;
    const block = interfacePattern.exec(t);
    if (block) {
      iface = block[3].trim();
      return undefined;
    }
    const f = t.split(/\s+/);
    const ip = checkIp(f[0]);
    let mac: string | null = null;
    let words = f.slice(1);
    if (words.length && macPattern.test(words[0])) {
      mac = checkMac(words[0]);
      words = words.slice(1);
    }
    let router = false;
    const marker = /^\((.+)\)$/.exec(words.at(-1) ?? "");
    if (marker && netshRouterWords.has(marker[1].toLowerCase())) {
      router = true;
      words = words.slice(0, -1);
    }
    const type = words.join(" ");
    if (!type) throw new SyntaxError(`No neighbour type on the line`);
    const state = netshTypes.get(type.toLowerCase());
    if (!state) {
      if (
        words.length > 1 && !macPattern.test(words[0]) && !netshTypes.has(words[0].toLowerCase())
      ) {
        throw new SyntaxError(`Cannot parse MAC address "${words[0]}"`);
      }
      throw new SyntaxError(unknownTypeReason(type));
    }
    return {
      ip,
      // An unreachable or incomplete neighbour is listed with an all-zero address: it has none.
      mac: state !== "complete" && state !== "permanent" && mac === "00:00:00:00:00:00"
        ? null
        : mac,
      iface,
      state,
      detail: type,
      ...(router ? { router } : {}),
      line: n,
    };
  });
}

/** Line numbers (1-based) of the lines directly above a rule of dashes: the column headers. */
function columnHeaders(lines: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    if (!rulePattern.test(lines[i].trim())) continue;
    let j = i - 1;
    while (j >= 0 && lines[j].trim() === "") j--;
    if (j >= 0) out.add(j + 1);
  }
  return out;
}
