// Abuse on loopback, bounded in count and time: many concurrent TCP clients against
// `tcp-listen --keep-open`, clients that connect and send nothing, clients that reset mid-transfer,
// 64 KiB UDP datagrams and bursts past the receive buffer, a Unix socket path already in use.
// Every listener must keep serving, lose nothing it accepted, stop cleanly on SIGINT (exit 130),
// and keep its peak RSS (VmHWM) under a generous bound. TOOLKIT_STRESS=1 raises the load.
import assert from "#assert";
import { type RunningToolkit, startToolkit } from "../_support/harness.ts";
import { echoClient, payloadFor, readAll } from "../_support/stream_clients.ts";
import { writeAll } from "../../lib/net/write_all.ts";

const stress = Deno.env.get("TOOLKIT_STRESS") === "1";
/** Concurrent TCP clients: 2,000 under stress, a few hundred by default. */
const concurrent = stress ? 2000 : 300;
/**
 * Peak RSS allowed for one toolkit process holding `connections` at once: generous, to catch
 * growth without bound rather than to tune. Deno alone is ~50 MB; a served connection measured
 * ~0.27 MB here (2,000 echo clients peaked at 574 MB).
 */
const rssLimitMb = (connections: number) => 150 + Math.ceil(connections * 0.5);

/** The figures this file measured, printed at the end for docs/reliability.md. */
const figures: string[] = [];
globalThis.addEventListener("unload", () => {
  if (figures.length) console.error(`abuse figures:\n  ${figures.join("\n  ")}`);
});

function peakRssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

async function listeningPort(run: RunningToolkit): Promise<number> {
  // Text, or the NDJSON event under --json.
  const m = await run.waitForStderr(
    /listening(?: on |","address":")(?:127\.0\.0\.1|\[::1\]):(\d+)/,
  );
  return Number(m[1]);
}

/** Sends SIGINT and expects the clean interrupted exit. */
async function interrupt(run: RunningToolkit, label: string) {
  run.child.kill("SIGINT");
  const r = await run.finish(10_000);
  assert.equal(r.code, 130, `${label}: SIGINT gave exit ${r.code}\n${r.stderr.slice(-2000)}`);
  assert.doesNotMatch(r.stderr, /^\s+at |internal error|Uncaught/m, label);
  return r;
}

Deno.test({
  name: `tcp-listen --keep-open --echo serves ${concurrent} concurrent clients, losing nothing`,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const srv = startToolkit([
      "tcp-listen",
      "--keep-open",
      "--echo",
      "--max-conns",
      String(concurrent),
      "127.0.0.1:0",
    ]);
    try {
      const port = await listeningPort(srv);
      const size = 16 * 1024;
      const started = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: concurrent }, (_, i) => echoClient(port, i, size)),
      );
      const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      assert.equal(
        failed.length,
        0,
        `${failed.length} clients failed; first: ${failed[0]?.reason}\nlistener stderr: ${
          srv.stderrSoFar().slice(-1500)
        }`,
      );
      // Still serving afterwards.
      await echoClient(port, 99_999, 1000);
      const rss = peakRssMb(srv.child.pid);
      figures.push(
        `tcp-listen --keep-open: ${concurrent} concurrent clients x 16 KiB echoed intact in ` +
          `${Math.round(performance.now() - started)} ms, peak RSS ${rss} MB`,
      );
      assert.ok(
        rss < rssLimitMb(concurrent),
        `peak RSS ${rss} MB, allowed ${rssLimitMb(concurrent)} MB`,
      );
    } finally {
      await interrupt(srv, "tcp-listen --keep-open");
    }
  },
});

Deno.test({
  name: "tcp-listen --keep-open: idle clients (slowloris) are timed out, real clients served",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const idleCount = stress ? 1000 : 200;
    const srv = startToolkit([
      "tcp-listen",
      "--keep-open",
      "--echo",
      "--max-conns",
      String(idleCount + 50),
      "--timeout",
      "1s",
      "127.0.0.1:0",
    ]);
    const idle: Deno.Conn[] = [];
    try {
      const port = await listeningPort(srv);
      for (let i = 0; i < idleCount; i++) {
        const c = await Deno.connect({ hostname: "127.0.0.1", port });
        if (i % 2) await c.write(new Uint8Array([0x47])); // "G", then nothing more
        idle.push(c);
      }
      // A real client is served while the idle ones hang on.
      await echoClient(port, 1, 4096);
      // The server closes every idle connection after its timeout: each sees EOF.
      const started = performance.now();
      const closed = await Promise.all(idle.map(async (c, i) => {
        const got = await readAll(c, 5000);
        return got.length === (i % 2 ? 1 : 0); // the echo of "G" if it sent one
      }));
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      assert.ok(closed.every(Boolean), "every idle connection got its echo and EOF");
      await echoClient(port, 2, 4096);
      const rss = peakRssMb(srv.child.pid);
      figures.push(
        `slowloris: ${idleCount} idle connections closed by --timeout 1s within ${secs} s, ` +
          `real clients served meanwhile, peak RSS ${rss} MB`,
      );
      assert.ok(
        rss < rssLimitMb(idleCount),
        `peak RSS ${rss} MB, allowed ${rssLimitMb(idleCount)} MB`,
      );
    } finally {
      for (const c of idle) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await interrupt(srv, "slowloris");
    }
  },
});

Deno.test({
  name: "tcp-listen --keep-open: clients that reset mid-transfer do not disturb the others",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const resets = stress ? 500 : 100;
    const srv = startToolkit(["tcp-listen", "--keep-open", "--echo", "127.0.0.1:0"]);
    try {
      const port = await listeningPort(srv);
      const rude = async (i: number) => {
        const c = await Deno.connect({ hostname: "127.0.0.1", port });
        // Send a lot, read nothing, close with the echo unread: the kernel answers with RST.
        await writeAll(c, payloadFor(i, 256 * 1024)).catch(() => {});
        c.close();
      };
      const polite = Array.from({ length: 50 }, (_, i) => echoClient(port, i, 32 * 1024));
      const rudeRuns = Array.from({ length: resets }, (_, i) => rude(i));
      await Promise.all([...polite, ...rudeRuns]);
      await echoClient(port, 7, 100_000);
      const rss = peakRssMb(srv.child.pid);
      figures.push(
        `resets: ${resets} clients reset mid-transfer (256 KiB unread) alongside 50 echo ` +
          `clients, all 50 intact, listener kept serving, peak RSS ${rss} MB`,
      );
      assert.ok(
        rss < rssLimitMb(resets + 50),
        `peak RSS ${rss} MB, allowed ${rssLimitMb(resets + 50)} MB`,
      );
    } finally {
      const r = await interrupt(srv, "resets");
      const errors = r.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:"));
      assert.deepEqual(errors, [], "a peer's reset is not the listener's error");
    }
  },
});

Deno.test({
  name: "udp-listen: 65,507-byte datagrams arrive whole",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const count = 5;
    const srv = startToolkit(["--json", "udp-listen", "--count", String(count), "127.0.0.1:0"]);
    const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const port = await listeningPort(srv);
      for (let i = 0; i < count; i++) {
        await sock.send(payloadFor(i, 65_507), { transport: "udp", hostname: "127.0.0.1", port });
        await new Promise((r) => setTimeout(r, 30)); // one at a time: the buffer holds three
      }
      const r = await srv.finish(10_000);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.length, count);
      lines.forEach((d, i) => {
        assert.equal(d.size, 65_507);
        assert.equal(d.hex.replaceAll(" ", "").length, 65_507 * 2);
        assert.equal(d.hex.replaceAll(" ", "").slice(0, 8), toHex(payloadFor(i, 4)));
      });
      figures.push(
        `udp-listen: ${count} datagrams of 65,507 bytes (the IPv4 maximum) arrived whole`,
      );
    } finally {
      sock.close();
    }
  },
});

function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "udp-listen: a burst past the receive buffer loses datagrams, counted, never crashes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sent = stress ? 50_000 : 8000;
    // Raw output: each datagram written as received, so fixed-size records split back apart.
    const srv = startToolkit(["udp-listen", "127.0.0.1:0"]);
    const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const size = 1200;
    try {
      const port = await listeningPort(srv);
      const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
      const started = performance.now();
      for (let i = 0; i < sent && performance.now() - started < 20_000; i++) {
        const d = new Uint8Array(size);
        new DataView(d.buffer).setUint32(0, i);
        d.fill(i & 255, 4);
        await sock.send(d, to);
      }
      // Let the listener drain what the kernel kept, then stop it.
      await new Promise((r) => setTimeout(r, 1500));
      const rss = peakRssMb(srv.child.pid);
      const r = await interrupt(srv, "udp burst");
      const bytes = r.stdoutBytes;
      assert.equal(bytes.length % size, 0, "a datagram arrives whole or not at all");
      const got: number[] = [];
      const seqs = new Set<number>();
      for (let off = 0; off < bytes.length; off += size) {
        const rec = bytes.subarray(off, off + size);
        const seq = new DataView(rec.buffer, rec.byteOffset).getUint32(0);
        assert.ok(rec.subarray(4).every((b) => b === (seq & 255)), `datagram ${seq} intact`);
        assert.ok(!seqs.has(seq), "no duplicates");
        seqs.add(seq);
        got.push(seq);
      }
      assert.ok(got.length > 0 && got.length <= sent, `${got.length} of ${sent}`);
      const lost = sent - got.length;
      figures.push(
        `udp burst: ${sent} datagrams of 1,200 bytes sent back to back, ${got.length} received ` +
          `intact, ${lost} dropped by the kernel's receive buffer (${
            (100 * lost / sent).toFixed(1)
          }%), none corrupted or duplicated, peak RSS ${rss} MB`,
      );
      assert.ok(rss < rssLimitMb(0), `peak RSS ${rss} MB, allowed ${rssLimitMb(0)} MB`);
    } finally {
      sock.close();
    }
  },
});

Deno.test({
  name: "unix-listen: a path in use is refused (exit 3) and the live socket is left alone",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "toolkit-abuse-unix-" });
    const path = `${dir}/live.sock`;
    const live = Deno.listen({ transport: "unix", path });
    try {
      const srv = startToolkit(["unix-listen", path]);
      const r = await srv.finish(10_000);
      assert.equal(r.code, 3, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^toolkit: error: .*(in use|already)/i);
      // The test's own listener still accepts.
      const accepted = live.accept();
      const c = await Deno.connect({ transport: "unix", path });
      (await accepted).close();
      c.close();
      // The same for a live datagram socket.
      const dgramPath = `${dir}/live-dgram.sock`;
      const dgram = Deno.listenDatagram({ transport: "unixpacket", path: dgramPath });
      try {
        const d = await startToolkit(["unix-listen", "--datagram", dgramPath]).finish(10_000);
        assert.equal(d.code, 3, d.stderr);
        assert.equal(d.stderr.trim().split("\n").length, 1, d.stderr);
        assert.ok((await Deno.lstat(dgramPath)).isSocket, "the live datagram socket is kept");
      } finally {
        dgram.close();
      }
      // A regular file at the path is never replaced.
      const file = `${dir}/notasocket`;
      await Deno.writeTextFile(file, "precious");
      const f = await startToolkit(["unix-listen", file]).finish(10_000);
      assert.notEqual(f.code, 0, f.stderr);
      assert.equal(f.stderr.trim().split("\n").length, 1, f.stderr);
      assert.equal(await Deno.readTextFile(file), "precious");
      // A stale socket file (nobody listening) is replaced and served, then removed on exit.
      const stale = `${dir}/stale.sock`;
      // Deno unlinks a Unix socket it closes; a crashed server does not. Python plays the crash.
      await new Deno.Command("python3", {
        args: [
          "-c",
          "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])",
          stale,
        ],
      }).output();
      assert.ok((await Deno.lstat(stale)).isSocket, "a stale socket file is left behind");
      const s = startToolkit(["unix-listen", "--echo", "--keep-open", stale]);
      await s.waitForStderr(/listening on/);
      const conn = await Deno.connect({ transport: "unix", path: stale });
      await writeAll(conn, new TextEncoder().encode("hello"));
      await conn.closeWrite();
      assert.equal(new TextDecoder().decode(await readAll(conn, 5000)), "hello");
      conn.close();
      await interrupt(s, "unix-listen stale");
      await assert.rejects(() => Deno.lstat(stale), Deno.errors.NotFound, "socket file removed");
      figures.push(
        "unix-listen: live stream and datagram socket paths refused (exit 3), regular file " +
          "untouched, stale socket replaced and removed on exit",
      );
    } finally {
      live.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
