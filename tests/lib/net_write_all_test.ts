// lib/net/write_all.ts, the one write-until-done loop: on a real loopback connection whose peer
// reads slowly, so the kernel takes a large buffer in several partial writes; every byte arrives
// in order, the count is the buffer's length, and a writer that takes nothing fails at once.
import assert from "#assert";
import { type ByteWriter, writeAll } from "../../lib/net/write_all.ts";

/** A writer that passes writes to `conn` and records what each was asked and took. */
function recording(conn: Deno.Conn) {
  const writes: { asked: number; took: number }[] = [];
  const writer: ByteWriter = {
    async write(bytes) {
      const took = await conn.write(bytes);
      writes.push({ asked: bytes.length, took });
      return took;
    },
  };
  return { writer, writes };
}

/** Reads `conn` to its end in 32 KiB reads with a pause after each, keeping the bytes. */
async function readSlowly(conn: Deno.Conn, pauseMs: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(32 * 1024);
  let total = 0;
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
    total += n;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) (out.set(c, off), off += c.length);
  return out;
}

Deno.test("writeAll: a slow reader makes the kernel take partial writes; every byte arrives in order", async () => {
  // Larger than any loopback send buffer plus receive buffer, so one write cannot take it all.
  const size = 16 * 1024 * 1024;
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using server = await listener.accept();
  const received = readSlowly(server, 1);
  const { writer, writes } = recording(client);
  const written = await writeAll(writer, data);
  await client.closeWrite();
  const got = await received;
  assert.equal(written, size);
  assert.equal(got.length, size);
  assert.ok(got.every((b, i) => b === data[i]), "the bytes arrived changed or out of order");
  assert.ok(writes.length > 1, `one write took all ${size} bytes: no partial write happened`);
  assert.ok(writes.some((w) => w.took < w.asked), "no write was partial");
  // Each write asks for exactly the rest: nothing skipped, nothing written twice.
  let rest = size;
  for (const w of writes) {
    assert.equal(w.asked, rest);
    rest -= w.took;
  }
  assert.equal(rest, 0);
});

Deno.test("writeAll: an empty buffer writes nothing and counts 0", async () => {
  let calls = 0;
  const writer: ByteWriter = {
    write: () => (calls++, Promise.resolve(0)),
  };
  assert.equal(await writeAll(writer, new Uint8Array(0)), 0);
  assert.equal(calls, 0);
});

Deno.test("writeAll: a writer that takes no byte fails with BrokenPipe instead of spinning", async () => {
  let calls = 0;
  const writer: ByteWriter = {
    write: (bytes) => (calls++, Promise.resolve(calls === 1 ? Math.min(3, bytes.length) : 0)),
  };
  await assert.rejects(
    writeAll(writer, new Uint8Array(10)),
    (err: unknown) =>
      err instanceof Deno.errors.BrokenPipe &&
      /took 0 of 7 bytes \(3 of 10 written\)/.test(err.message),
  );
  assert.equal(calls, 2);
});

Deno.test("writeAll: a peer that resets while a large write is pending makes it reject", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  // The peer reads nothing and closes with data unread: the kernel answers with a reset.
  const pending = writeAll(client, new Uint8Array(32 * 1024 * 1024));
  await new Promise((r) => setTimeout(r, 50));
  server.close();
  await assert.rejects(
    pending,
    (err: unknown) =>
      err instanceof Deno.errors.ConnectionReset || err instanceof Deno.errors.BrokenPipe,
  );
});
