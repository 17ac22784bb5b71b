// `toolkit perf` against `toolkit perf-server` on loopback: TCP and UDP tests end to end, iperf3's
// argument habits (port 5201, a bare host), the NDJSON shapes (camelCase, no `datagrams` for TCP,
// rounded values, the server's listener events), Ctrl-C with the totals so far, bad input (exit 2)
// and a run narrowed with --net (exit 4); and its parse in process. perf-server's own cases are in
// perf_server_test.ts, the protocol codecs and UDP statistics in tests/lib/net_perf_test.ts, interop
// with a real iperf3 and hostile clients in tests/suites/perf_iperf3_test.ts and perf_hostile_test.ts.
import assert from "#assert";
import { runToolkit, startToolkit } from "../_support/harness.ts";
import {
  assertCamelCase,
  assertRounded,
  ndjson,
  startPerfServer as startServer,
} from "../_support/perf_support.ts";
import perf, { perfTarget } from "../../lib/commands/perf.ts";
import perfServer from "../../lib/commands/perf_server.ts";
import { parseQuantity } from "../../lib/net/perf_stats.ts";
import { paramsToWire } from "../../lib/net/perf_protocol.ts";
import { noGlobals as globals } from "../_support/parse_globals.ts";

Deno.test("perf and perf-server --help show usage, options and examples", async () => {
  for (const cmd of ["perf", "perf-server"]) {
    const r = await runToolkit([cmd, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`toolkit ${cmd}`));
    assert.match(r.stdout, /iperf3/);
    assert.match(r.stdout, /--port/);
  }
});

Deno.test("perf parse: iperf3's defaults and forms (port 5201, a bare host, -p, -b per stream)", () => {
  const tcp = perf.parse(["127.0.0.1"], globals);
  assert.deepEqual(tcp.target, { host: "127.0.0.1", port: 5201, family: "ipv4" });
  assert.deepEqual(tcp.params, {
    protocol: "tcp",
    reverse: false,
    parallel: 1,
    length: 131072,
    timeMs: 10_000,
    bytes: null,
    rateBps: 0,
    udpCounters64: false,
  });
  assert.deepEqual(perfTarget("::1", undefined), { host: "::1", port: 5201, family: "ipv6" });
  assert.deepEqual(perfTarget("[::1]", "5202"), { host: "::1", port: 5202, family: "ipv6" });
  assert.deepEqual(perfTarget("[::1]:7", undefined), { host: "::1", port: 7, family: "ipv6" });
  assert.equal(perfTarget("127.0.0.1:9000", undefined).port, 9000);
  assert.equal(perfTarget("localhost", "5203").port, 5203);
  assert.throws(() => perfTarget("127.0.0.1:9000", "9001"), /--port says 9001/);
  const udp = perf.parse(["-u", "-n", "1M", "-l", "64", "-R", "-P", "3", "[::1]:9"], globals);
  assert.equal(udp.params.protocol, "udp");
  assert.equal(udp.params.bytes, 1048576);
  assert.equal(udp.params.timeMs, 0, "the bytes end the test; iperf3 sends time 0 then");
  assert.equal(paramsToWire(udp.params).time, 0);
  assert.equal(udp.params.rateBps, 1048576, "iperf3's UDP default: 1 Mbit/s binary, per stream");
  assert.equal(udp.params.parallel, 3);
  assert.equal(udp.target.host, "::1");
  assert.equal(perf.parse(["-u", "-b", "10M", "h"], globals).params.rateBps, 10_000_000);
  assert.equal(parseQuantity("10M"), 10_000_000);
  assert.equal(parseQuantity("2G", { binary: true }), 2 * 2 ** 30);
  assert.throws(() => perf.parse(["-u", "-l", "10", "127.0.0.1:9"], globals), /--length/);
  assert.throws(() => perf.parse(["--rate", "fast", "127.0.0.1:9"], globals), /--rate/);
});

Deno.test("perf TCP against perf-server on loopback: intervals, sender and receiver", async () => {
  const { srv, port } = startServer(["--count", "1"]);
  const r = await runToolkit([
    "perf",
    "127.0.0.1",
    "-p",
    String(await port),
    "-t",
    "1",
    "-i",
    "0.5",
  ]);
  const s = await srv.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^0\.00-0\.\d\d +sec +[\d.]+ \wBytes +[\d.]+ \wbits\/sec$/m);
  const sender = /sec +([\d.]+ \wBytes) .*bits\/sec +sender$/m.exec(r.stdout);
  const receiver = /sec +([\d.]+ \wBytes) .*bits\/sec +receiver$/m.exec(r.stdout);
  if (!sender || !receiver) throw new Error(`no summary: ${r.stdout}`);
  // The client half-closes its streams before TEST_END, so the server counts every byte.
  assert.equal(receiver[1], sender[1]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /^127\.0\.0\.1:\d+ +tcp received +[\d.]+ \w?Bytes in /m);
  assert.match(s.stderr, /^accepted 127\.0\.0\.1:\d+: TCP, 1 stream, receiving$/m);
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
  const summary = ndjson(r.stdout).at(-1)!;
  assert.equal(summary.event, "summary");
  assert.equal(summary.reverse, true);
  assert.equal(summary.parallel, 3);
  assert.equal(summary.sender.sent, 3 * 2 ** 20);
  assert.equal(summary.receiver.received, 3 * 2 ** 20);
  assert.equal(summary.streams.length, 3);
  const perStream = summary.streams.map((st: { receiver: { received: number } }) =>
    st.receiver.received
  );
  assert.equal(perStream.reduce((a: number, b: number) => a + b, 0), 3 * 2 ** 20);
  assert.ok(
    !("datagramCount" in summary.sender) && !("datagramCount" in summary.receiver),
    r.stdout,
  );
});

Deno.test("perf --udp --json: NDJSON start, intervals and a summary with loss and jitter", async () => {
  const { srv, port } = startServer(["--count", "1"], { json: true });
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
  const lines = ndjson(r.stdout);
  for (const l of lines) {
    assertRounded(l);
    assertCamelCase(l);
  }
  assert.equal(lines[0].event, "start");
  assert.deepEqual(lines[0], {
    event: "start",
    remote: `127.0.0.1:${await port}`,
    protocol: "udp",
    reverse: false,
    parallel: 1,
    size: 1460,
    durationMs: 1000,
    byteLimit: null,
    targetBitsPerSecond: 5_000_000,
  });
  const intervals = lines.filter((l) => l.event === "interval");
  assert.ok(intervals.length >= 2, r.stdout);
  for (const i of intervals) {
    assert.deepEqual(
      Object.keys(i).sort(),
      ["bitsPerSecond", "datagramCount", "endMs", "event", "sent", "startMs"],
    );
    assert.ok(Number.isInteger(i.startMs) && i.endMs >= i.startMs, JSON.stringify(i));
  }
  assert.equal(intervals[0].startMs, 0);
  const summary = lines.at(-1)!;
  assert.equal(summary.event, "summary");
  assert.equal(summary.remote, lines[0].remote);
  assert.ok(Number.isInteger(summary.sender.durationMs), JSON.stringify(summary));
  assert.ok(summary.sender.datagramCount > 100, JSON.stringify(summary));
  // 5 Mbit/s for about a second, paced: 4 to 6 Mbit/s of 1460-byte datagrams.
  assert.ok(summary.sender.sent > 400_000 && summary.sender.sent < 800_000, summary.sender.sent);
  for (const k of ["lost", "lossPercent", "outOfOrder", "jitterMs", "datagramCount"]) {
    assert.equal(typeof summary.receiver[k], "number", k);
  }
  // The receiver's own count (gaps below the highest sequence number it saw), as iperf3 reports.
  assert.ok(summary.receiver.datagramCount + summary.receiver.lost <= summary.sender.datagramCount);
  // The server: NDJSON only, `result` on stdout, listener events on stderr, no plain lines.
  const events = ndjson(s.stderr);
  assert.deepEqual(events.map((e) => e.event), ["listening", "open", "close"]);
  // The keys every listener's `listening` has, and the protocols perf-server listens on.
  assert.deepEqual(events[0], {
    event: "listening",
    address: `127.0.0.1:${await port}`,
    protocols: ["tcp", "udp"],
  });
  assert.match(events[1].remote, /^127\.0\.0\.1:\d+$/);
  assert.equal(events[1].protocol, "udp");
  assert.equal(events[1].targetBitsPerSecond, 5_000_000);
  assert.equal(events[2].remote, events[1].remote);
  const [result] = ndjson(s.stdout);
  assert.equal(result.event, "result");
  assert.equal(result.remote, events[1].remote);
  assert.equal(result.receiver.datagramCount, summary.receiver.datagramCount);
  assert.equal(result.sender.datagramCount, summary.sender.datagramCount);
  assertRounded(result);
  assertCamelCase(result);
});

Deno.test("perf --json over TCP: no datagrams anywhere, intervals rounded", async () => {
  const { srv, port } = startServer(["--count", "1"]);
  const r = await runToolkit([
    "--json",
    "perf",
    `127.0.0.1:${await port}`,
    "-t",
    "0.6",
    "-i",
    "0.2",
  ]);
  await srv.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /datagrams|lost|jitter/);
  for (const l of ndjson(r.stdout)) assertRounded(l);
});

Deno.test(
  "a slow UDP sender's totals and last interval run to the end of the test, as iperf3's, not to its last datagram",
  async () => {
    // 8 Kbit/s of 1460-byte datagrams: one at 0 s, one at 1.46 s, nothing after in a 2 s test.
    // Measured to the last datagram the sender would claim 1.46 s and 16 Kbit/s.
    for (const reverse of [[], ["--reverse"]]) {
      const { srv, port } = startServer(["--count", "1"]);
      const r = await runToolkit([
        "--json",
        "perf",
        `127.0.0.1:${await port}`,
        "-u",
        "-b",
        "8K",
        "-t",
        "2",
        ...reverse,
      ]);
      await srv.finish();
      assert.equal(r.code, 0, r.stderr);
      const lines = ndjson(r.stdout);
      const summary = lines.at(-1)!;
      const why = `${reverse.join(" ")}: ${JSON.stringify(summary)}`;
      assert.equal(summary.sender.datagramCount, 2, why);
      assert.ok(summary.sender.durationMs >= 1900 && summary.sender.durationMs < 2600, why);
      assert.ok(summary.sender.bitsPerSecond < 13_000, why);
      assert.ok(summary.receiver.durationMs >= 1900, why);
      const intervals = lines.filter((l) => l.event === "interval");
      assert.ok(intervals.at(-1)!.endMs >= 1900, JSON.stringify(intervals));
    }
  },
);

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

Deno.test("Ctrl-C: perf prints the totals so far (text and --json) and exits 130", async () => {
  const { srv, port } = startServer(["--count", "2"], { json: true });
  const p = await port;
  // Text: TCP sending.
  const text = startToolkit(["perf", `127.0.0.1:${p}`, "--time", "20", "-i", "0.2"]);
  await text.waitForStderr(/Connected/);
  await new Promise((r) => setTimeout(r, 700));
  text.child.kill("SIGINT");
  const t = await text.finish(5000);
  assert.equal(t.code, 130, t.stderr);
  assert.match(t.stdout, /^0\.00-\d+\.\d\d +sec +[\d.]+ \wBytes +[\d.]+ \wbits\/sec +sender$/m);
  assert.doesNotMatch(t.stdout, /receiver$/m, "the receiver's totals are not known");
  assert.match(t.stdout, /interrupted/);
  // JSON: UDP receiving (reverse); the summary says interrupted and has the receiver's side.
  const json = startToolkit([
    "--json",
    "perf",
    `127.0.0.1:${p}`,
    "-u",
    "-R",
    "-t",
    "20",
    "-i",
    "0.2",
  ]);
  await srv.waitForStderr(/"event":"open"[^]*"event":"open"/);
  await new Promise((r) => setTimeout(r, 700));
  json.child.kill("SIGINT");
  const j = await json.finish(5000);
  assert.equal(j.code, 130, j.stderr);
  const summary = ndjson(j.stdout).at(-1)!;
  assert.equal(summary.event, "summary", j.stdout);
  assert.equal(summary.interrupted, true);
  assert.equal(summary.sender, undefined);
  assert.ok(summary.receiver.datagramCount > 0, j.stdout);
  assertRounded(summary);
  // The server heard CLIENT_TERMINATE both times and reports each test as ended early: an
  // `error` event, then the `close`, as tcp-listen reports a connection that failed.
  const s = await srv.finish(10_000);
  assert.equal(s.code, 0, s.stderr);
  const ends = ndjson(s.stderr).filter((e) => e.event === "error" || e.event === "close");
  assert.deepEqual(ends.map((e) => [e.event, e.error]), [
    ["error", "the client has terminated"],
    ["close", undefined],
    ["error", "the client has terminated"],
    ["close", undefined],
  ]);
  const results = ndjson(s.stdout);
  assert.equal(results.length, 2);
  assert.ok(results.every((x) => x.interrupted === true));
});

Deno.test("bad input: one error line, the hint, exit 2", async () => {
  for (
    const args of [
      ["perf", "127.0.0.1:"],
      ["perf", "127.0.0.1", "-p", "99999"],
      ["perf", "127.0.0.1:5201", "--time", "soon"],
      ["perf", "127.0.0.1:5201", "--udp", "--length", "8"],
      ["perf", "127.0.0.1:5201", "--parallel", "0"],
      ["perf", "127.0.0.1:5201", "--parallel", "129"],
      ["perf-server", "127.0.0.1:99999"],
      ["perf-server", "5201", "--max-time", "x"],
      ["perf-server", "-1", "--count", "3"],
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

Deno.test("perf over IPv6 loopback, and perf-server ignores a client that is not perf", async () => {
  const srv = startToolkit(["perf-server", "[::1]:0", "--count", "1"]);
  const port = Number((await srv.waitForStderr(/listening on \[::1\]:(\d+)/))[1]);
  // Something that is not an iperf3 client: its request is dropped and the server carries on.
  const junk = await Deno.connect({ hostname: "::1", port });
  await junk.write(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: x\r\n\r\n0123456789"));
  assert.equal(await junk.read(new Uint8Array(16)), null);
  junk.close();
  const r = await runToolkit(["perf", "::1", "-p", String(port), "-u", "-t", "0.5", "-i", "0"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /receiver$/m);
  const s = await srv.finish();
  assert.equal(s.code, 0);
  assert.match(s.stderr, /warning: \[::1\]:\d+: not an iperf3 client/);
});

Deno.test("iperf3's spellings: perf -c HOST -J, perf-server -s -B ADDR -J; what has no equivalent says what to write", async () => {
  assert.deepEqual(perf.parse(["-c", "::1", "-p", "5202"], globals).target, {
    host: "::1",
    port: 5202,
    family: "ipv6",
  });
  assert.throws(() => perf.parse(["-c", "127.0.0.1", "127.0.0.2"], globals), /given twice/);
  assert.throws(() => perf.parse([], globals), /HOST or -c HOST/);
  assert.deepEqual(perfServer.parse(["-s", "-B", "::1", "-p", "0"], globals).listen, {
    host: "::1",
    port: 0,
    family: "ipv6",
  });
  assert.deepEqual(perfServer.parse(["-B", "127.0.0.1"], globals).listen.port, 5201);
  assert.throws(() => perfServer.parse(["-B", "127.0.0.1", "::1"], globals), /given twice/);
  // End to end, as an iperf3 user types it: -J is --json on both ends.
  const srv = startToolkit(["perf-server", "-s", "-J", "-B", "127.0.0.1", "-p", "0", "-1"]);
  const port = Number(
    (await srv.waitForStderr(/"event":"listening","address":"127\.0\.0\.1:(\d+)"/))[1],
  );
  const r = await runToolkit(["perf", "-c", "127.0.0.1", "-p", String(port), "-t", "0.3", "-J"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ndjson(r.stdout).map((d) => d.event).at(-1), "summary");
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.equal(ndjson(s.stdout)[0].event, "result");
  // No clean equivalent: the error says what to write instead (exit 2).
  for (
    const [args, says] of [
      [
        ["perf-server", "-D"],
        /unknown option '-D': iperf3's daemon mode: run 'toolkit perf-server &'/,
      ],
      [["perf", "-s"], /unknown option '-s': iperf3 -s is toolkit perf-server/],
      [["perf", "-B", "127.0.0.1", "127.0.0.1"], /unknown option '-B': a client's local address/],
      [
        ["perf", "--bidir", "127.0.0.1"],
        /unknown option '--bidir': not implemented: run a second perf with -R/,
      ],
      [
        ["perf", "-w", "1M", "127.0.0.1"],
        /unknown option '-w': Deno cannot set socket buffer sizes/,
      ],
    ] as const
  ) {
    const e = await runToolkit([...args]);
    assert.equal(e.code, 2, `${args.join(" ")}: ${e.stderr}`);
    assert.match(e.stderr, says);
  }
});
