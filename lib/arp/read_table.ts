// Where `arp show`, `arp check` and `arp watch` get a table from: the live kernel, a saved file in
// any supported format and encoding (UTF-8, UTF-16), or standard input (`-`).
import { detectTableEncoding } from "./decode_text.ts";
import type { NeighborTable } from "./neighbor.ts";
import { readLiveNeighbors } from "./live_table.ts";
import { parseNeighborTableYielding, type TableFormat } from "./parse_neighbor_table.ts";
import { readInputFile } from "../scope/files.ts";
import { readAll } from "../text/read_limited.ts";

/** A table and where it came from. */
export interface LoadedTable extends NeighborTable {
  /** The file name, `-` for stdin, or `live`. */
  source: string;
  format: TableFormat | "live";
}

/**
 * Largest saved table read (bytes). Linux keeps at most `gc_thresh3` neighbours (1,024 by default;
 * routers raise it to tens of thousands), and a line of any format is under 100 bytes: 32 MiB is
 * some 600,000 `ip neigh` lines, far above a real table and small enough to hold in memory.
 */
export const maxTableBytes = 32 * 1024 * 1024;

// A path naming standard input (/dev/stdin) is read as `-`: see stdinAlias in lib/scope/files.ts.
export { stdinAlias } from "../scope/files.ts";

/**
 * Reads a neighbour table: `file` undefined means the live kernel table, `-` means `stdin`.
 * Parsing lets the event loop run and stops at `signal` (a large table takes seconds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readNeighborTable } from "./read_table.ts";
 *
 * const line = "10.0.0.1 dev eth0 lladdr 00:11:22:33:44:55 STALE\n";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/neigh.txt`, line);
 *   const table = await readNeighborTable({ file: `${dir}/neigh.txt` });
 *   assert.deepEqual([table.source, table.format], [`${dir}/neigh.txt`, "ip"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * // `-` reads the stream given as stdin.
 * const stdin = ReadableStream.from([new TextEncoder().encode(line)]);
 * assert.equal((await readNeighborTable({ file: "-", stdin })).entries[0].ip, "10.0.0.1");
 * ```
 */
export async function readNeighborTable(
  options: {
    file?: string;
    format?: TableFormat | "auto";
    stdin?: ReadableStream<Uint8Array>;
    ipv6?: boolean;
    signal?: AbortSignal;
  },
): Promise<LoadedTable> {
  if (options.file === undefined) {
    return {
      ...(await readLiveNeighbors({ ipv6: options.ipv6, signal: options.signal })),
      source: "live",
      format: "live",
    };
  }
  let bytes: Uint8Array;
  if (options.file === "-") {
    if (!options.stdin) throw new TypeError("readNeighborTable: stdin stream missing for '-'");
    // Read up to the cap and no further: a stdin that never ends (/dev/zero) costs nothing.
    bytes = await readAll(options.stdin, { limit: maxTableBytes }).catch((err) => {
      throw err instanceof RangeError
        ? new RangeError(`Larger than ${maxTableBytes} bytes (stdin)`)
        : err;
    });
  } else {
    bytes = await readInputFile(options.file, { limit: maxTableBytes });
  }
  const encoding = detectTableEncoding(bytes);
  // TextDecoder drops a BOM that matches its encoding (ignoreBOM defaults to false).
  const text = new TextDecoder(encoding).decode(bytes);
  bytes = new Uint8Array(0); // decoded: the bytes may go while the text is parsed
  try {
    return {
      ...(await parseNeighborTableYielding(text, options.format ?? "auto", {
        encoding,
        signal: options.signal,
      })),
      source: options.file,
    };
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new SyntaxError(`${err.message} (${options.file === "-" ? "stdin" : options.file})`);
    }
    throw err;
  }
}
