// `toolkit perf-server` as a real process: it survives a client killed mid-test, tells a second
// client it is busy, sends its limits to the client as iperf3 errors, stays inside --net, and stops
// promptly on SIGINT and SIGTERM; and its parse in process. perf against it is in perf_test.ts.
import assert from "#assert";
import { runToolkit, startToolkit } from "../_support/harness.ts";
import { startPerfServer as startServer } from "../_support/perf_support.ts";
import perfServer from "../../lib/commands/perf_server.ts";
import { noGlobals as globals } from "../_support/parse_globals.ts";

Deno.test("perf-server parse: 127.0.0.1:5201 by default, -p, -1 is --count 1", () => {
  const d = perfServer.parse([], globals);
  assert.deepEqual(d.listen, { host: "127.0.0.1", port: 5201, family: "ipv4" });
  assert.equal(d.count, undefined);
  assert.equal(perfServer.parse(["-p", "5202", "-1"], globals).listen.port, 5202);
  assert.equal(perfServer.parse(["-1"], globals).count, 1);
  assert.equal(perfServer.parse(["[::1]:0"], globals).listen.host, "::1");
  assert.deepEqual(perfServer.parse(["0.0.0.0", "-p", "5203"], globals).listen, {
    host: "0.0.0.0",
    port: 5203,
    family: "ipv4",
  });
  assert.equal(perfServer.parse(["[::]"], globals).listen.port, 5201);
  assert.equal(perfServer.parse(["5209"], globals).listen.host, "127.0.0.1");
  assert.throws(() => perfServer.parse(["-1", "-c", "2"], globals), /--one-off/);
  assert.throws(() => perfServer.parse(["127.0.0.1:5201", "-p", "5202"], globals), /--port/);
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

Deno.test("the server's limits reach the client as iperf3 errors (exit 3), and it serves on", async () => {
  const { srv, port } = startServer(["--count", "1", "--max-parallel", "2", "--max-time", "5s"]);
  const p = await port;
  const many = await runToolkit(["perf", `127.0.0.1:${p}`, "-P", "3", "-t", "1"]);
  assert.equal(many.code, 3, many.stderr);
  assert.match(many.stderr, /server refused the test: number of parallel streams too large/);
  const long = await runToolkit(["perf", `127.0.0.1:${p}`, "-t", "6"]);
  assert.equal(long.code, 3, long.stderr);
  assert.match(long.stderr, /server refused the test: test duration too long/);
  const ok = await runToolkit(["perf", `127.0.0.1:${p}`, "-P", "2", "-t", "0.5", "-i", "0"]);
  assert.equal(ok.code, 0, ok.stderr);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /refused 127\.0\.0\.1:\d+: at most 2 parallel streams/);
});

Deno.test("perf-server narrowed with --net cannot listen outside the scope (exit 4)", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const r = await runToolkit(["--net", "127.0.0.1:1", "perf-server", `127.0.0.1:${port}`]);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /^toolkit: error: outside the permission scope/);
});

Deno.test("SIGINT and SIGTERM stop perf-server promptly with exit 130, mid-test too", async () => {
  const { srv, port } = startServer();
  const client = startToolkit(["perf", `127.0.0.1:${await port}`, "--time", "20"]);
  await client.waitForStderr(/Connected/);
  await new Promise((r) => setTimeout(r, 300));
  srv.child.kill("SIGTERM");
  const s = await srv.finish(5000);
  assert.equal(s.code, 130, s.stderr);
  // The client is told (iperf3's SERVER_TERMINATE): its totals so far, and an error, exit 3.
  const c = await client.finish(5000);
  assert.equal(c.code, 3, c.stderr);
  assert.match(c.stdout, /sender$/m);
  assert.match(c.stderr, /^toolkit: error: .*(server has terminated|reset)/m);
});
