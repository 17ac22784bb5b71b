// The copy engine under tcp-listen/tcp-connect and the Unix commands, in process: CRLF conversion
// across chunk boundaries, BYOB and plain streams, the idle watchdog, duplex half-close. The
// commands' runs of it (a peer that stops reading, --keep-open) are in tests/commands/.
import assert from "#assert";
import {
  type ByteSink,
  copyBytes,
  crlfSink,
  duplex,
  streamSource,
  watchIdle,
} from "../../lib/net/copy.ts";
import { NetError } from "../../lib/net/errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const opts = { sanitizeOps: false, sanitizeResources: false };

function collect(): ByteSink & { text(): string; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    write(chunk) {
      chunks.push(chunk.slice());
      return Promise.resolve();
    },
    bytes() {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let off = 0;
      for (const c of chunks) (out.set(c, off), off += c.length);
      return out;
    },
    text() {
      return dec.decode(this.bytes());
    },
  };
}

Deno.test("crlfSink: LF becomes CRLF, an existing CRLF stays, also across chunk boundaries", async () => {
  const out = collect();
  const sink = crlfSink(out);
  for (const part of ["a\nb\r", "\nc", "\n", "\r\n\n"]) await sink.write(enc.encode(part));
  assert.equal(out.text(), "a\r\nb\r\nc\r\n\r\n\r\n");
});

Deno.test("copyBytes copies byte streams (BYOB) and plain streams exactly", async () => {
  const data = new Uint8Array(1_000_003).map((_, i) => (i * 13) & 0xff);
  const byteStream = new ReadableStream({
    type: "bytes",
    start(c) {
      for (let off = 0; off < data.length; off += 70_000) {
        c.enqueue(data.slice(off, off + 70_000));
      }
      c.close();
    },
  });
  const plain = new ReadableStream<Uint8Array>({
    start(c) {
      for (let off = 0; off < data.length; off += 4096) c.enqueue(data.slice(off, off + 4096));
      c.close();
    },
  });
  for (const stream of [byteStream, plain]) {
    const out = collect();
    const seen: number[] = [];
    const n = await copyBytes(streamSource(stream), out, {
      bufferSize: 65536,
      onChunk: (k) => seen.push(k),
    });
    assert.equal(n, data.length);
    assert.deepEqual(out.bytes(), data);
    assert.equal(seen.reduce((a, b) => a + b, 0), data.length);
  }
});

Deno.test("watchIdle fires once after silence, not while touched", async () => {
  let fired = 0;
  const idle = watchIdle(1000, () => fired++);
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 50));
    idle.touch();
  }
  assert.equal(fired, 0);
  for (let waited = 0; fired === 0 && waited < 5000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(fired, 1);
  assert.ok(idle.fired);
  idle.stop();
  const none = watchIdle(undefined, () => fired++);
  none.stop();
});

Deno.test(
  "duplex: half-close lets the peer answer after EOF; idle timeout is a NetError",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      const conn = await listener.accept();
      const buf = new Uint8Array(1024);
      let got = "";
      for (let n; (n = await conn.read(buf)) !== null;) got += dec.decode(buf.subarray(0, n));
      await conn.write(enc.encode(`echo:${got}`));
      conn.close();
      const quiet = await listener.accept(); // says nothing, never closes
      await new Promise((r) => setTimeout(r, 600));
      quiet.close();
    })();
    const input = streamSource(
      new ReadableStream({
        start(c) {
          c.enqueue(enc.encode("question"));
          c.close();
        },
      }),
    );
    const out = collect();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const result = await duplex(conn, { address: "peer", input, output: out });
    assert.equal(out.text(), "echo:question");
    assert.deepEqual(result, { sent: 8, received: 13 });
    const quiet = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    await assert.rejects(
      () =>
        duplex(quiet, {
          address: "quiet",
          output: collect(),
          idleTimeoutMs: 150,
          halfClose: false,
        }),
      (err: unknown) =>
        err instanceof NetError && err.message === "timed out (quiet: idle for 0.15s)",
    );
    await server;
    listener.close();
  },
);
