// `toolkit perf` and `toolkit perf-server` on loopback: TCP and UDP tests end to end, the NDJSON
// shape, a server that outlives a client killed mid-test, bad input (exit 2) and a run narrowed
// with --net (exit 4, nothing reaches a listener outside the scope). Plus the UDP statistics.
import assert from "#assert";
import { runToolkit, startToolkit } from "./harness.ts";
import perf from "../lib/commands/perf.ts";
import { UdpReceiver } from "../lib/net/perf_stats.ts";
import { parseQuantity } from "../lib/net/perf_stats.ts";
import { readUdpHeader, writeUdpHeader } from "../lib/net/perf_protocol.ts";

const globals = { json: false, quiet: false, debug: false, color: false };

function startServer(args: string[] = []) {
  const srv = startToolkit(["perf-server", "127.0.0.1:0", ...args]);
  return {
    srv,
    port: srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/).then((m) => Number(m[1])),
  };
}

Deno.test("perf and perf-server --help show usage, options and examples", async () => {
  for (const cmd of ["perf", "perf-server"]) {
    const r = await runToolkit([cmd, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`toolkit ${cmd}`));
    assert.match(r.stdout, /--json|--count|--udp/);
  }
});

Deno.test("perf parse: defaults like iperf3, --bytes caps the time, quantities", () => {
  const tcp = perf.parse(["127.0.0.1:5201"], globals);
  assert.deepEqual(tcp.params, {
    protocol: "tcp",
    reverse: false,
    parallel: 1,
    length: 131072,
    timeMs: 10_000,
    bytes: null,
    rateBps: 0,
  });
  const udp = perf.parse(["-u", "-n", "1M", "-l", "64", "-R", "-P", "3", "[::1]:9"], globals);
  assert.equal(udp.params.protocol, "udp");
  assert.equal(udp.params.bytes, 1048576);
  assert.equal(udp.params.timeMs, 600_000);
  assert.equal(udp.params.rateBps, 1_000_000);
  assert.equal(udp.params.parallel, 3);
  assert.equal(udp.target.host, "::1");
  assert.equal(parseQuantity("10M"), 10_000_000);
  assert.equal(parseQuantity("2G", { binary: true }), 2 * 2 ** 30);
  assert.throws(() => perf.parse(["-u", "-l", "10", "127.0.0.1:9"], globals), /--length/);
  assert.throws(() => perf.parse(["--rate", "fast", "127.0.0.1:9"], globals), /--rate/);
});

Deno.test("UDP receiver: loss, reordering, duplicates and RFC 3550 jitter", () => {
  const rx = new UdpReceiver();
  // Transit times 1, 3, 1, 1 ms: |D| = 2, 2, 0 -> J = 2/16, then +(2-J)/16, then -(J)/16.
  rx.record(0, 64, 0, 1);
  rx.record(2, 64, 10, 13);
  rx.record(1, 64, 5, 6); // late: out of order
  rx.record(1, 64, 5, 6); // duplicate
  rx.record(4, 64, 20, 21);
  const r = rx.report(6);
  assert.equal(r.received, 4);
  assert.equal(r.lost, 2); // 3 and 5
  assert.equal(r.outOfOrder, 1);
  assert.equal(r.duplicates, 1);
  let j = 0;
  for (const d of [2, 2, 0]) j += (d - j) / 16;
  assert.ok(Math.abs(r.jitterMs - j) < 1e-9, `${r.jitterMs} != ${j}`);
  assert.ok(Math.abs(r.lossPercent - 100 / 3) < 1e-9);
});

Deno.test("UDP datagram header round-trips, sequence numbers past 2^32 included", () => {
  const buf = new Uint8Array(64);
  const h = { cookie: 0xdeadbeef, stream: 3, flags: 0, seq: 2 ** 33 + 5, sentMs: 1234.5 };
  writeUdpHeader(buf, h);
  assert.deepEqual(readUdpHeader(buf), h);
  assert.equal(readUdpHeader(buf.subarray(0, 10)), undefined);
});

Deno.test("perf TCP against perf-server on loopback: intervals, sender and receiver", async () => {
  const { srv, port } = startServer(["--count", "1"]);
  const r = await runToolkit(["perf", `127.0.0.1:${await port}`, "--time", "1", "-i", "0.5"]);
  const s = await srv.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^0\.00-0\.\d\d +sec +[\d.]+ \wBytes +[\d.]+ \wbits\/sec$/m);
  assert.match(r.stdout, /sec .*bits\/sec +sender$/m);
  assert.match(r.stdout, /sec .*bits\/sec +receiver$/m);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /^127\.0\.0\.1:\d+ +tcp received +[\d.]+ \w?Bytes in /m);
});

Deno.test("perf --bytes moves exactly that many bytes, reversed and in parallel", async () => {
  const { srv, port } = startServer(["--count", "1"]);
  const r = await runToolkit([
    "--json",
    "perf",
    `127.0.0.1:${await port}`,
    "--bytes",
    "3M",
    "--reverse",
    "--parallel",
    "3",
  ]);
  await srv.finish();
  assert.equal(r.code, 0, r.stderr);
  const summary = r.stdout.trim().split("\n").map((l) => JSON.parse(l)).at(-1);
  assert.equal(summary.event, "summary");
  assert.equal(summary.reverse, true);
  assert.equal(summary.parallel, 3);
  assert.equal(summary.sender.bytes, 3 * 2 ** 20);
  assert.equal(summary.receiver.bytes, 3 * 2 ** 20);
  assert.equal(summary.streams.length, 3);
  assert.equal(
    summary.streams.reduce(
      (n: number, st: { received: { bytes: number } }) => n + st.received.bytes,
      0,
    ),
    3 * 2 ** 20,
  );
});

Deno.test("perf --udp --json: NDJSON start, intervals and a summary with loss and jitter", async () => {
  const { srv, port } = startServer(["--count", "1", "--json"]);
  const r = await runToolkit([
    "--json",
    "perf",
    `127.0.0.1:${await port}`,
    "--udp",
    "--rate",
    "5M",
    "--time",
    "1",
    "--interval",
    "0.5",
  ]);
  const s = await srv.finish();
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].event, "start");
  assert.equal(lines[0].protocol, "udp");
  assert.equal(lines[0].rateBps, 5_000_000);
  const intervals = lines.filter((l) => l.event === "interval");
  assert.ok(intervals.length >= 2, r.stdout);
  for (const i of intervals) {
    assert.deepEqual(
      Object.keys(i).sort(),
      ["bitsPerSecond", "bytes", "datagrams", "end", "event", "start"],
    );
  }
  const summary = lines.at(-1);
  assert.equal(summary.event, "summary");
  assert.ok(summary.sender.datagrams > 100, JSON.stringify(summary));
  // 5 Mbit/s for about a second, paced: 4 to 6 Mbit/s of 1460-byte datagrams.
  assert.ok(summary.sender.bytes > 400_000 && summary.sender.bytes < 800_000, summary.sender.bytes);
  for (const k of ["lost", "lossPercent", "outOfOrder", "duplicates", "jitterMs"]) {
    assert.equal(typeof summary.receiver[k], "number", k);
  }
  assert.equal(summary.receiver.datagrams + summary.receiver.lost, summary.sender.datagrams);
  const test = JSON.parse(s.stdout.trim());
  assert.equal(test.event, "test");
  assert.equal(test.receiver.datagrams, summary.receiver.datagrams);
});

Deno.test("perf --udp --reverse: the server sends, the client reports loss", async () => {
  const { srv, port } = startServer(["--count", "1"]);
  const r = await runToolkit([
    "perf",
    `127.0.0.1:${await port}`,
    "-u",
    "-R",
    "-b",
    "2M",
    "-t",
    "0.6",
  ]);
  await srv.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /jitter [\d.]+ ms +lost \d+\/\d+ \([\d.e-]+%\) +out of order \d+ +receiver/,
  );
});

Deno.test("perf-server survives a client killed mid-test and serves the next one", async () => {
  const { srv, port } = startServer(["--count", "2", "--idle-timeout", "1s"]);
  const p = await port;
  const victim = startToolkit(["perf", `127.0.0.1:${p}`, "--time", "20", "-i", "0.2"]);
  await victim.waitForStderr(/Connected/);
  // Let it get into the data phase, then kill it without any goodbye.
  await new Promise((r) => setTimeout(r, 700));
  victim.child.kill("SIGKILL");
  await victim.finish();
  await srv.waitForStderr(/test from 127\.0\.0\.1:\d+ ended early/, 10_000);
  const next = await runToolkit(["perf", `127.0.0.1:${p}`, "-u", "-t", "0.5"]);
  assert.equal(next.code, 0, next.stderr);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /udp received/);
});

Deno.test("a second client while a test runs is told the server is busy (exit 3)", async () => {
  const { srv, port } = startServer(["--count", "2"]);
  const p = await port;
  const first = startToolkit(["perf", `127.0.0.1:${p}`, "--time", "1.5", "--rate", "10M"]);
  await first.waitForStderr(/Connected/);
  await new Promise((r) => setTimeout(r, 500));
  const second = await runToolkit(["perf", `127.0.0.1:${p}`, "--time", "1"]);
  assert.equal(second.code, 3);
  assert.match(second.stderr, /^toolkit: error: server refused the test: .*busy.*\n$/);
  assert.equal((await first.finish()).code, 0);
  assert.match(srv.stderrSoFar(), /refused 127\.0\.0\.1:\d+: the server is busy/);
  srv.child.kill("SIGTERM");
  await srv.finish();
});

Deno.test("bad input: one error line, the hint, exit 2", async () => {
  for (
    const args of [
      ["perf", "127.0.0.1"],
      ["perf", "127.0.0.1:5201", "--time", "soon"],
      ["perf", "127.0.0.1:5201", "--udp", "--length", "8"],
      ["perf", "127.0.0.1:5201", "--parallel", "0"],
      ["perf-server", "127.0.0.1:99999"],
      ["perf-server", "5201", "--max-time", "x"],
    ]
  ) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^toolkit: error: /);
    assert.match(lines[1], /^Try 'toolkit perf(-server)? --help'$/);
  }
});

Deno.test("perf narrowed with --net is refused (exit 4) and sends nothing outside", async () => {
  const outside = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (outside.addr as Deno.NetAddr).port;
  let accepted = false;
  const acceptLoop = (async () => {
    try {
      for await (const c of outside) {
        accepted = true;
        c.close();
      }
    } catch { /* closed */ }
  })();
  try {
    const r = await runToolkit(["--net", "127.0.0.1:1", "perf", `127.0.0.1:${port}`, "-t", "1"]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /^toolkit: error: outside the permission scope/);
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(accepted, false);
  } finally {
    outside.close();
    await acceptLoop;
  }
});

Deno.test("perf-server narrowed with --net cannot listen outside the scope (exit 4)", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const r = await runToolkit(["--net", "127.0.0.1:1", "perf-server", `127.0.0.1:${port}`]);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /^toolkit: error: outside the permission scope/);
});

Deno.test("Ctrl-C stops perf and perf-server promptly with exit 130", async () => {
  const { srv, port } = startServer();
  const client = startToolkit(["perf", `127.0.0.1:${await port}`, "--time", "20"]);
  await client.waitForStderr(/Connected/);
  await new Promise((r) => setTimeout(r, 300));
  client.child.kill("SIGINT");
  const c = await client.finish(5000);
  assert.equal(c.code, 130, c.stderr);
  srv.child.kill("SIGTERM");
  const s = await srv.finish(5000);
  assert.equal(s.code, 130, s.stderr);
});

Deno.test("perf over IPv6 loopback, and perf-server ignores a client that is not perf", async () => {
  const srv = startToolkit(["perf-server", "[::1]:0", "--count", "1"]);
  const port = Number((await srv.waitForStderr(/listening on \[::1\]:(\d+)/))[1]);
  // Something that is not a perf client: its junk line is dropped and the server carries on.
  const junk = await Deno.connect({ hostname: "::1", port });
  await junk.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
  assert.equal(await junk.read(new Uint8Array(16)), null);
  junk.close();
  const r = await runToolkit(["perf", `[::1]:${port}`, "-u", "-t", "0.5", "-i", "0"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /receiver$/m);
  assert.equal((await srv.finish()).code, 0);
});
