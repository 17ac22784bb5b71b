// The one "write until every byte is written" loop: a socket (or a pipe) may take only part of a
// buffer per write, so every writer of bytes in lib/ goes through here.

/** Anything with a `write` that takes a prefix of `bytes` and says how many it took. */
export interface ByteWriter {
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Writes all of `bytes` to `writer`, one partial write after another, and resolves to the number
 * of bytes written (`bytes.length`). A write that takes no byte of a non-empty rest throws
 * `Deno.errors.BrokenPipe` instead of trying again forever. A failed write rejects at once; the
 * bytes that went out before it are not told (callers count a buffer once all of it is written).
 * To give up on a write that blocks (a peer that stops reading), close the connection: the
 * pending write then rejects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAll } from "./write_all.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using server = await listener.accept();
 * assert.equal(await writeAll(client, new Uint8Array(100_000)), 100_000);
 * client.closeWrite();
 * const received = await new Response(server.readable).arrayBuffer();
 * assert.equal(received.byteLength, 100_000);
 * ```
 */
export async function writeAll(writer: ByteWriter, bytes: Uint8Array): Promise<number> {
  let off = 0;
  while (off < bytes.length) {
    const n = await writer.write(bytes.subarray(off));
    if (!(n > 0)) {
      throw new Deno.errors.BrokenPipe(
        `the writer took 0 of ${bytes.length - off} bytes (${off} of ${bytes.length} written)`,
      );
    }
    off += n;
  }
  return off;
}
