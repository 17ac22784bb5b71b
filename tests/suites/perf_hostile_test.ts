// perf-server against clients that misbehave (issue 16): a burst of connections reset with
// SO_LINGER 0 (before and while a test runs), garbage where the cookie or the parameters belong,
// clients that go silent at each step, and a server run out of file descriptors (`ulimit -n 64`).
// After each, a real test must still be served; nothing may end the server or hold it forever.
import assert from "#assert";
import {
  python,
  type RunningToolkit,
  runToolkit,
  startToolkit,
  testIf,
  toolkitCmd,
} from "../_support/harness.ts";
import { ndjson, startPerfServer } from "../_support/perf_support.ts";
import { encodeJson, makeCookie, paramsToWire } from "../../lib/net/perf_protocol.ts";

const py = python("3.13");
const noPython = py ? undefined : "CPython 3.13 (pyenv) is not installed";

/** `n` clients that connect, send 1 KiB and close with SO_LINGER 0 (a reset), as fast as they can. */
const resetBurst = `
import socket, struct, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    try:
        s.connect(("127.0.0.1", port))
        s.send(b"x" * 1024)
    except OSError:
        pass
    s.close()
`;

/** `n` clients that connect (without waiting for it to complete), say nothing, hold, then close. */
const silentCrowd = `
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(n):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    socks.append(s)
time.sleep(hold)
for s in socks:
    s.close()
`;

async function runPython(script: string, args: (string | number)[]): Promise<void> {
  const out = await new Deno.Command(py!.cmd, {
    args: ["-c", script, ...args.map(String)],
    env: py!.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

/**
 * Why tests ended early, in order: a test that fails is an `error` event for its client, then its
 * `close` (an `error` without a `close` is a client dropped before any test).
 */
function endedEarly(events: Record<string, unknown>[]): string[] {
  const closed = new Set(events.filter((e) => e.event === "close").map((e) => e.remote));
  return events.filter((e) => e.event === "error" && closed.has(e.remote))
    .map((e) => String(e.error));
}

/** Waits until the server (under --json) has closed `n` tests. */
async function waitClosed(srv: RunningToolkit, n: number): Promise<void> {
  await srv.waitForStderr(new RegExp(`("event":"close"[^]*){${n}}`));
}

/** A real test against the server: it must be served. */
async function realTest(port: number, extra: string[] = []): Promise<void> {
  const r = await runToolkit(["perf", `127.0.0.1:${port}`, "-t", "0.5", "-i", "0", ...extra]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /receiver$/m);
}

async function readExact(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = await conn.read(out.subarray(got));
    if (r === null) throw new Error(`closed after ${got} of ${n} bytes`);
    got += r;
  }
  return out;
}

async function readAll(conn: Deno.Conn, timeoutMs = 3000): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buf = new Uint8Array(1024);
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(...buf.subarray(0, n));
    }
  } catch { /* closed by the timer or reset */ }
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* closed */ }
  return new Uint8Array(chunks);
}

testIf(noPython, "perf-server: 300 resets before and during a test end neither", async () => {
  const { srv, port } = startPerfServer(["--count", "2"], { json: true });
  const p = await port;
  await runPython(resetBurst, [p, 300]);
  await realTest(p);
  await waitClosed(srv, 1);
  // Again while a test runs: that test is not disturbed either.
  const running = runToolkit(["perf", `127.0.0.1:${p}`, "-t", "1.5", "-i", "0"]);
  await new Promise((r) => setTimeout(r, 600));
  await runPython(resetBurst, [p, 300]);
  const r = await running;
  assert.equal(r.code, 0, r.stderr);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.equal(ndjson(s.stdout).length, 2, s.stdout);
  // No test ended early: no `error` event for a client whose test was opened and closed.
  assert.deepEqual(endedEarly(ndjson(s.stderr)), [], s.stderr);
});

Deno.test("perf-server: garbage for the cookie, the parameters or a state is refused, and it serves on", async () => {
  const { srv, port } = startPerfServer(["--count", "4", "--timeout", "1s"], { json: true });
  const p = await port;
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port: p });
  const te = new TextEncoder();
  // An HTTP request where the cookie belongs: dropped without an answer.
  let c = await connect();
  await c.write(te.encode("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: y\r\n\r\n"));
  assert.equal((await readAll(c)).length, 0);
  // A cookie, then garbage parameters of each kind: PARAM_EXCHANGE, then SERVER_ERROR (0xfe)
  // with iperf3's error number.
  const serverError = (ierrno: number) => [9, 0xfe, 0, 0, 0, ierrno, 0, 0, 0, 0];
  for (
    const [garbage, ierrno] of [
      [new Uint8Array([0xff, 0xff, 0xff, 0xff]), 114], // a 4 GiB JSON object
      [new Uint8Array([0, 0, 0, 5, 0x7b, 0x22, 0x7b, 0x7d, 0x5d]), 114], // not JSON
      [encodeJson([1, 2]), 114], // not an object
      [encodeJson({ tcp: true, parallel: 1e9 }), 6],
      [encodeJson({ tcp: true, len: 1e12 }), 7],
      [encodeJson({ tcp: true, bidirectional: true }), 13],
    ] as const
  ) {
    c = await connect();
    await c.write(makeCookie());
    await c.write(garbage);
    assert.deepEqual([...await readAll(c)], serverError(ierrno));
  }
  // A well-formed test whose control connection then sends an unknown state mid-test.
  c = await connect();
  const cookie = makeCookie();
  await c.write(cookie);
  await c.write(encodeJson(paramsToWire({
    protocol: "tcp",
    reverse: false,
    parallel: 1,
    length: 1000,
    timeMs: 1000,
    bytes: null,
    rateBps: 0,
  })));
  assert.deepEqual([...await readExact(c, 2)], [9, 10]);
  const stream = await connect();
  await stream.write(cookie);
  await stream.write(new Uint8Array(5000));
  await c.write(new Uint8Array([99]));
  assert.deepEqual([...await readAll(c)], [1, 2]);
  stream.close();
  await realTest(p);
  await waitClosed(srv, 2);
  // And a client that never opens its streams: refused after --timeout, then the next is served.
  c = await connect();
  await c.write(makeCookie());
  await c.write(encodeJson({ udp: true, time: 1, parallel: 2, len: 100 }));
  assert.deepEqual([...await readAll(c)], [9, 10, 0xfe, 0, 0, 0, 204, 0, 0, 0, 0]);
  await realTest(p);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  const events = ndjson(s.stderr);
  assert.ok(events.every((e) => typeof e.event === "string"), s.stderr);
  const refused = events.filter((e) => e.event === "refused").map((e) => e.reason);
  assert.equal(refused.length, 6, s.stderr);
  assert.match(refused[0], /out of range/);
  assert.match(refused[1], /does not parse/);
  const ended = endedEarly(events);
  assert.equal(ended.length, 2, s.stderr);
  assert.match(ended[0], /unexpected control state 99/);
  assert.match(ended[1], /did not open its 2 stream/);
  assert.ok(events.some((e) => e.event === "error" && /not an iperf3 client/.test(e.error)));
  // Two real tests, and the totals so far of the one that ended with a bad state.
  const results = ndjson(s.stdout);
  assert.deepEqual(results.map((r) => r.interrupted === true), [true, false, false]);
});

Deno.test("perf-server: silent clients hold nothing; one that stops mid-handshake is let go", async () => {
  const { srv, port } = startPerfServer([
    "--count",
    "2",
    "--timeout",
    "1s",
    "--idle-timeout",
    "1s",
  ]);
  const p = await port;
  // Twenty connections that say nothing: not one of them claims the server.
  const silent = await Promise.all(
    Array.from({ length: 20 }, () => Deno.connect({ hostname: "127.0.0.1", port: p })),
  );
  await realTest(p);
  // One that sends its cookie and goes silent does claim it, for --timeout at most.
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: p });
  await stuck.write(makeCookie());
  await new Promise((r) => setTimeout(r, 100));
  const started = performance.now();
  for (let attempt = 0;; attempt++) {
    const r = await runToolkit(["perf", `127.0.0.1:${p}`, "-t", "0.3", "-i", "0"]);
    if (r.code === 0) break;
    assert.match(r.stderr, /busy/);
    assert.ok(attempt < 20, "still busy after 20 attempts");
    await new Promise((res) => setTimeout(res, 200));
  }
  const waited = performance.now() - started;
  assert.ok(waited < 4000, `the next client waited ${Math.round(waited)} ms`);
  for (const c of [...silent, stuck]) {
    try {
      c.close();
    } catch { /* the server closed it */ }
  }
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /sent no cookie within 1s/);
  assert.match(s.stderr, /refused 127\.0\.0\.1:\d+: no parameters/);
});

Deno.test("perf-server: a client whose streams go quiet mid-test is ended after --idle-timeout", async () => {
  const { srv, port } = startPerfServer(["--count", "2", "--idle-timeout", "500ms"]);
  const p = await port;
  const c = await Deno.connect({ hostname: "127.0.0.1", port: p });
  const cookie = makeCookie();
  await c.write(cookie);
  await c.write(encodeJson({ tcp: true, time: 30, parallel: 1, len: 1000 }));
  const stream = await Deno.connect({ hostname: "127.0.0.1", port: p });
  await stream.write(cookie);
  await stream.write(new Uint8Array(1000));
  const started = performance.now();
  assert.deepEqual([...await readAll(c, 5000)], [9, 10, 1, 2]);
  const ms = performance.now() - started;
  assert.ok(ms < 3000, `ended after ${Math.round(ms)} ms`);
  stream.close();
  await realTest(p);
  const s = await srv.finish();
  assert.match(s.stderr, /ended early: no data from the client for 0\.5s/);
});

testIf(
  noPython,
  "perf-server under ulimit -n 64: 200 clients exhaust it, it backs off and serves",
  async () => {
    const child = new Deno.Command("sh", {
      args: [
        "-c",
        'ulimit -n 64 && exec "$@"',
        "sh",
        ...toolkitCmd,
        "perf-server",
        "127.0.0.1:0",
        "--count",
        "1",
        "--timeout",
        "1s",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    let stderr = "";
    const reading = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
    })();
    const stdout = new Response(child.stdout).text();
    try {
      let port = 0;
      for (let i = 0; i < 300 && !port; i++) {
        port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1] ?? 0);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(port, stderr);
      // 200 silent connections for 2 s: more than the server has descriptors for.
      await runPython(silentCrowd, [port, 200, 2]);
      assert.match(
        stderr,
        /warning: too many open files( in the system)? \(.*\); retrying in \d+ ms/,
      );
      // The crowd is gone and the silent ones timed out: a real test is served.
      for (let attempt = 0;; attempt++) {
        const r = await runToolkit(["perf", `127.0.0.1:${port}`, "-t", "0.5", "-i", "0"]);
        if (r.code === 0) break;
        assert.ok(attempt < 10, `not served again: ${r.stderr}\nserver: ${stderr}`);
        await new Promise((res) => setTimeout(res, 500));
      }
      const status = await child.status;
      await reading;
      assert.equal(status.code, 0, stderr);
      assert.match(await stdout, /tcp received/);
      // Backing off means a bounded number of complaints, not one per turn of the loop.
      const complaints = stderr.split("\n").filter((l) => /accept failed/.test(l)).length;
      assert.ok(complaints < 100, `${complaints} accept failures logged`);
    } finally {
      clearTimeout(killer);
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }
  },
);

Deno.test("perf-server: a reverse UDP client killed mid-test (ICMP errors) does not end the UDP side", async () => {
  const { srv, port } = startPerfServer(["--count", "2"]);
  const p = await port;
  const victim = startToolkit(["perf", `127.0.0.1:${p}`, "-u", "-R", "-b", "20M", "-t", "20"]);
  await victim.waitForStderr(/Connected/);
  await new Promise((r) => setTimeout(r, 500));
  victim.child.kill("SIGKILL");
  await victim.finish();
  await srv.waitForStderr(/test from 127\.0\.0\.1:\d+ ended early/, 10_000);
  // The server's UDP socket saw "port unreachable" for the dead client; it must still receive.
  await realTest(p, ["-u", "-b", "5M"]);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /udp received .* lost 0\//);
});
