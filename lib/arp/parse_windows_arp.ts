// Windows `arp -a`: blocks headed `Interface: 192.168.1.10 --- 0xb`, then a column header, then
// `IP  aa-bb-cc-dd-ee-ff  dynamic|static` rows. In other display languages the header and type
// words are translated (`Interface : ... --- 0x3` and `dynamique` in French, `接口:` and `动态` in
// Chinese) and the columns are not; the words come from the table in windows_words.ts.
import type { TableEncoding } from "./decode_text.ts";
import { checkIp, checkMac, type LineParser, type NeighborTable, parseLines } from "./neighbor.ts";
import { unknownTypeReason, windowsArpTypes, windowsNoEntries } from "./windows_words.ts";

/** `Interface: 10.0.0.5 --- 0xb`, with the word translated and French's space before the colon. */
export const windowsInterfacePattern = /^(\S.*?)\s?:\s+([0-9.]+)\s+---\s+(0x[0-9a-f]+)$/i;

/**
 * Parses Windows `arp -a` output in any language of windows_words.ts. The interface of an entry
 * is the address its block names; the line after a block's first line is its column header,
 * whatever language it is in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWindowsArp } from "./parse_windows_arp.ts";
 *
 * const { entries } = parseWindowsArp(
 *   "Interface: 10.0.0.5 --- 0xb\r\n" +
 *     "  Internet Address      Physical Address      Type\r\n" +
 *     "  10.0.0.1              00-11-22-33-44-55     dynamic\r\n",
 * );
 * // Windows names no interface, only its address.
 * assert.deepEqual(entries.map((e) => [e.ip, e.mac, e.iface, e.state]), [
 *   ["10.0.0.1", "00:11:22:33:44:55", "10.0.0.5", "complete"],
 * ]);
 * ```
 */
export function parseWindowsArp(text: string): NeighborTable {
  return parseLines(text, windowsArpLines());
}

/**
 * The line reader of {@linkcode parseWindowsArp}; `encoding` is the one the file was read in, so an
 * unreadable word is explained right.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowsArpLines } from "./parse_windows_arp.ts";
 *
 * const readLine = windowsArpLines(); // reads the lines of one table in order
 * readLine("Interface: 10.0.0.5 --- 0xb", 1);
 * assert.equal(readLine("  10.0.0.1  00-11-22-33-44-55  dynamic", 2)?.iface, "10.0.0.5");
 * ```
 */
export function windowsArpLines(options: { encoding?: TableEncoding } = {}): LineParser {
  let iface: string | null = null;
  let headerNext = false;
  return (line, n) => {
    const t = line.trim();
    const block = windowsInterfacePattern.exec(t);
    if (block) {
      iface = checkIp(block[2]);
      headerNext = true;
      return undefined;
    }
    const f = t.split(/\s+/);
    if (headerNext) {
      headerNext = false;
      if (!/^[0-9.]+$/.test(f[0])) return undefined; // the column header, in any language
    }
    if (windowsNoEntries.has(t)) return undefined;
    if (f.length !== 3) {
      throw new SyntaxError(`Expected 3 columns (address, physical address, type)`);
    }
    const ip = checkIp(f[0]);
    const type = f[2].toLowerCase();
    const state = windowsArpTypes.get(type);
    if (!state) throw new SyntaxError(unknownTypeReason(f[2], options.encoding));
    const mac = checkMac(f[1]);
    return {
      ip,
      mac: state === "failed" && mac === "00:00:00:00:00:00" ? null : mac,
      iface,
      state,
      detail: type,
      line: n,
    };
  };
}
