// Where `arp show`, `arp check` and `arp watch` get a table from: the live kernel, a saved file in
// any supported format and encoding (UTF-8, UTF-16), or standard input (`-`).
import { decodeTableText } from "./decode_text.ts";
import type { NeighborTable } from "./neighbor.ts";
import { readLiveNeighbors } from "./live_table.ts";
import { parseNeighborTable, type TableFormat } from "./parse_neighbor_table.ts";
import { readInputFile } from "../scope/files.ts";
import { readAll } from "../text/read_limited.ts";

/** A table and where it came from. */
export interface LoadedTable extends NeighborTable {
  /** The file name, `-` for stdin, or `live`. */
  source: string;
  format: TableFormat | "live";
}

/** Largest saved table read (bytes): far above any real neighbour table. */
export const maxTableBytes = 256 * 1024 * 1024;

/**
 * Reads a neighbour table: `file` undefined means the live kernel table, `-` means `stdin`.
 *
 * @example
 * ```ts
 * const table = await readNeighborTable({ file: "tests/fixtures/arp/proc_net_arp.txt" });
 * ```
 */
export async function readNeighborTable(
  options: {
    file?: string;
    format?: TableFormat | "auto";
    stdin?: ReadableStream<Uint8Array>;
    ipv6?: boolean;
  },
): Promise<LoadedTable> {
  if (options.file === undefined) {
    return { ...(await readLiveNeighbors({ ipv6: options.ipv6 })), source: "live", format: "live" };
  }
  let bytes: Uint8Array;
  if (options.file === "-") {
    if (!options.stdin) throw new TypeError("readNeighborTable: stdin stream missing for '-'");
    // Read up to the cap and no further: a stdin that never ends (/dev/zero) costs nothing.
    bytes = await readAll(options.stdin, { limit: maxTableBytes }).catch((err) => {
      throw err instanceof RangeError
        ? new RangeError(`Standard input is larger than ${maxTableBytes} bytes`)
        : err;
    });
  } else {
    bytes = await readInputFile(options.file, { limit: maxTableBytes });
  }
  const text = decodeTableText(bytes);
  try {
    return { ...parseNeighborTable(text, options.format ?? "auto"), source: options.file };
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new SyntaxError(`${err.message} (${options.file === "-" ? "stdin" : options.file})`);
    }
    throw err;
  }
}
