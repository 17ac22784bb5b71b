// Windows `netsh interface ipv4 show neighbors` (and `ipv6`, `netsh int ip show neigh`): blocks
// headed `Interface 14: Wi-Fi`, a column header and a rule of dashes, then rows
// `ADDRESS  aa-bb-cc-dd-ee-ff  Type`, where the physical address is blank on interfaces without
// one (the loopback pseudo-interface, incomplete entries) and a router's type ends in `(Router)`.
import type { TableEncoding } from "./decode_text.ts";
import {
  checkIp,
  checkMac,
  type LineParser,
  linesOf,
  type NeighborTable,
  parseLines,
} from "./neighbor.ts";
import { netshRouterWords, netshTypes, unknownTypeReason } from "./windows_words.ts";

/** `Interface 14: Wi-Fi` (the word is translated; the index and colon are not). */
const interfacePattern = /^([^\d\s:][^:]*?)\s(\d+):\s(.+)$/;
const rulePattern = /^-+(?:\s+-+)+$/;
const macPattern = /^[0-9a-f]{2}(?:-[0-9a-f]{2}){5}$/i;

/**
 * Parses `netsh interface ipv4|ipv6 show neighbors` output. The interface of an entry is the name
 * its block gives (`Wi-Fi`, `Ethernet 4`); the column header (translated on other Windows
 * languages) is recognised by the rule of dashes under it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNetshNeighbors } from "./parse_netsh_neighbors.ts";
 *
 * const { entries } = parseNetshNeighbors(
 *   "Interface 5: Wi-Fi\n\n" +
 *     "Internet Address  Physical Address  Type\n" +
 *     "---  ---  ---\n" +
 *     "10.0.0.1  00-11-22-33-44-55  Reachable (Router)\n",
 * );
 * assert.deepEqual(entries.map((e) => [e.ip, e.mac, e.iface, e.router]), [
 *   ["10.0.0.1", "00:11:22:33:44:55", "Wi-Fi", true],
 * ]);
 * ```
 */
export function parseNetshNeighbors(text: string): NeighborTable {
  return parseLines(text, netshNeighborLines(text));
}

/**
 * The line reader of {@linkcode parseNetshNeighbors} for `text` (it finds the column headers
 * first); `encoding` is the one the file was read in, so an unreadable word is explained right.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { netshNeighborLines } from "./parse_netsh_neighbors.ts";
 *
 * const row = "10.0.0.1  00-11-22-33-44-55  Stale";
 * assert.equal(netshNeighborLines(row)(row, 1)?.state, "complete");
 * ```
 */
export function netshNeighborLines(
  text: string,
  options: { encoding?: TableEncoding } = {},
): LineParser {
  const headers = columnHeaders(text);
  let iface: string | null = null;
  return (line, n) => {
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
      // A mistyped address (`00-11-22-33-44`), not a type word of another language.
      if (words.length > 1 && /^[0-9a-f]{1,2}(?:[-:][0-9a-f]{1,2})+$/i.test(words[0])) {
        throw new SyntaxError(`Cannot parse MAC address "${words[0]}"`);
      }
      throw new SyntaxError(unknownTypeReason(type, options.encoding));
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
  };
}

/** Line numbers (1-based) of the lines directly above a rule of dashes: the column headers. */
function columnHeaders(text: string): Set<number> {
  const out = new Set<number>();
  let n = 0, lastNonBlank = 0;
  for (const line of linesOf(text)) {
    n++;
    const t = line.trim();
    if (t === "") continue;
    if (rulePattern.test(t) && lastNonBlank > 0) out.add(lastNonBlank);
    lastNonBlank = n;
  }
  return out;
}
