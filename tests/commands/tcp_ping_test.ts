// tcp-ping with ping's habit: -c counts connects and summarises them (rtt as ping's mdev), text or
// --json; without -c it runs until Ctrl-C, then prints the statistics and exits 0 if any connect
// succeeded, 1 if none did, as ping does; also when narrowed (the sandbox keeps that exit code).
// With -c an interrupt is still exit 130. The interval and the timeout stay bounded (-t 0 is a
// usage error), and the running statistics agree with the one-shot formula.
import assert from "#assert";
import { RttAccumulator, rttStats } from "../../lib/commands/tcp_ping.ts";
import { freePort, isRoot, runToolkit, startToolkit, testIf } from "../_support/harness.ts";
import { makeLab } from "../_support/netns.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import tcpPing from "../../lib/commands/tcp_ping.ts";
import { noGlobals } from "../_support/parse_globals.ts";
import { assertHelpUsage, assertUsageRefused } from "../_support/usage_checks.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** A listener of the test's own that accepts and closes connections until closed. */
function acceptor() {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const loop = (async () => {
    try {
      for await (const c of l) {
        accepted++;
        c.close();
      }
    } catch { /* closed */ }
  })();
  return {
    port: l.addr.port,
    get accepted() {
      return accepted;
    },
    async close() {
      l.close();
      await loop;
    },
  };
}

const closedPort = freePort;

/** Starts tcp-ping at -i 100ms (unless `args` say otherwise), lets it run `waitMs`, sends SIGINT. */
async function pingUntilInterrupted(args: string[], waitMs: number) {
  const run = startToolkit(["tcp-ping", "-i", "100ms", ...args]);
  await new Promise((r) => setTimeout(r, waitMs));
  run.child.kill("SIGINT");
  return await run.finish(5000);
}

Deno.test("rttStats is min/avg/max and the population standard deviation, like ping's mdev", () => {
  const s = rttStats([1, 2, 3, 4])!;
  assert.deepEqual([s.min, s.avg, s.max], [1, 2.5, 4]);
  assert.ok(Math.abs(s.stddev - Math.sqrt(1.25)) < 1e-12);
  assert.equal(rttStats([]), undefined);
});

Deno.test(
  "tcp-ping counts connects and summarises them; --json; bad input exit 2",
  opts,
  async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepting = (async () => {
      for (let i = 0; i < 3; i++) (await l.accept()).close();
    })();
    const addr = `127.0.0.1:${l.addr.port}`;
    const r = await runToolkit(["tcp-ping", "-c", "2", "-i", "50ms", addr]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], `TCP PING ${addr}`);
    assert.match(lines[1], new RegExp(`^connected to ${addr}: seq=1 time=[\\d.]+ ms$`));
    assert.match(lines[2], /seq=2/);
    assert.match(r.stdout, /2 attempts, 2 connected, 0% failed/);
    assert.match(r.stdout, /rtt min\/avg\/max\/stddev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n$/);
    const j = await runToolkit(["--json", "tcp-ping", "-c", "1", addr]);
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.connected, 1);
    assert.equal(typeof doc.rtt.avgMs, "number");
    await accepting;
    l.close();
    const b = await runToolkit(["tcp-ping", "127.0.0.1"]);
    assert.equal(b.code, 2, b.stderr);
    assert.match(b.stderr, /^toolkit: error: .*\nTry 'toolkit tcp-ping --help'\n$/);
  },
);

Deno.test("RttAccumulator agrees with rttStats and keeps no list", () => {
  const times = Array.from({ length: 1000 }, (_, i) => 0.2 + ((i * 7919) % 97) / 50);
  const acc = new RttAccumulator();
  for (const t of times) acc.add(t);
  const a = acc.stats()!, b = rttStats(times)!;
  const mean = times.reduce((x, y) => x + y, 0) / times.length;
  const sd = Math.sqrt(times.reduce((x, t) => x + (t - mean) ** 2, 0) / times.length);
  assert.deepEqual([a.min, a.max], [Math.min(...times), Math.max(...times)]);
  assert.ok(Math.abs(a.avg - mean) < 1e-9 && Math.abs(a.stddev - sd) < 1e-9);
  assert.deepEqual(a, b);
  assert.equal(new RttAccumulator().stats(), undefined);
});

Deno.test(
  "tcp-ping without -c runs until Ctrl-C, then the statistics and exit 0",
  opts,
  async () => {
    const srv = acceptor();
    try {
      const r = await pingUntilInterrupted(["127.0.0.1", String(srv.port)], 1200);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], `TCP PING 127.0.0.1:${srv.port}`);
      const seqs = lines.filter((l) => /^connected to .*: seq=\d+ time=[\d.]+ ms$/.test(l));
      assert.ok(seqs.length >= 3, `only ${seqs.length} connects in 1.2s at -i 100ms:\n${r.stdout}`);
      assert.match(
        r.stdout,
        new RegExp(
          `\\n--- 127\\.0\\.0\\.1:${srv.port} tcp ping statistics ---\\n${seqs.length} attempts, ` +
            `${seqs.length} connected, 0% failed, time \\d+ms\\nrtt min/avg/max/stddev = [\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+ ms\\n$`,
        ),
      );
      assert.equal(r.stderr, "");
      assert.equal(srv.accepted, seqs.length);
      // More than the old default of 4: it is not counting.
      const long = await pingUntilInterrupted(["-i", "20ms", `127.0.0.1:${srv.port}`], 1500);
      assert.equal(long.code, 0, long.stderr);
      assert.ok(Number(/(\d+) attempts/.exec(long.stdout)![1]) > 4, long.stdout);
    } finally {
      await srv.close();
    }
  },
);

Deno.test(
  "tcp-ping --json until Ctrl-C: one document with the statistics, exit 0",
  opts,
  async () => {
    const srv = acceptor();
    try {
      const r = await pingUntilInterrupted(["--json", `127.0.0.1:${srv.port}`], 800);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.remote, `127.0.0.1:${srv.port}`);
      assert.ok(doc.attemptCount >= 2, r.stdout);
      assert.equal(doc.connected, doc.attemptCount);
      assert.equal(doc.results.length, doc.attemptCount);
      assert.equal(typeof doc.rtt.stddevMs, "number");
    } finally {
      await srv.close();
    }
  },
);

Deno.test(
  "tcp-ping until Ctrl-C with no connect: statistics, exit 1 (ping's 'no reply')",
  opts,
  async () => {
    const port = closedPort();
    const r = await pingUntilInterrupted([`127.0.0.1:${port}`], 800);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /: seq=1 connection refused\n/);
    assert.match(r.stdout, /\d+ attempts, 0 connected, 100% failed, time \d+ms\n$/);
    assert.doesNotMatch(r.stdout, /rtt min/);
    assert.equal(r.stderr, "");
  },
);

Deno.test(
  "tcp-ping narrowed by --net: Ctrl-C keeps ping's exit code through the sandbox",
  opts,
  async () => {
    const srv = acceptor();
    try {
      const run = startToolkit([
        "--net",
        `127.0.0.1:${srv.port}`,
        "tcp-ping",
        "-i",
        "100ms",
        "127.0.0.1",
        String(srv.port),
      ]);
      // Two connects seen (a loaded machine starts the sandbox slowly), then Ctrl-C.
      const until = Date.now() + 15_000;
      while (srv.accepted < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.ok(srv.accepted >= 2, `no connects within 15 s: ${run.stderrSoFar()}`);
      run.child.kill("SIGINT");
      const r = await run.finish(5000);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /tcp ping statistics ---\n\d+ attempts, \d+ connected, 0% failed/);
    } finally {
      await srv.close();
    }
  },
);

Deno.test(
  "tcp-ping -c N: counts as before; an interrupt before N is exit 130 with the statistics",
  opts,
  async () => {
    const srv = acceptor();
    try {
      const r = await runToolkit(["tcp-ping", "-c", "3", "-i", "50ms", `127.0.0.1:${srv.port}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\n3 attempts, 3 connected, 0% failed/);
      const cut = await pingUntilInterrupted(["-c", "1000", `127.0.0.1:${srv.port}`], 800);
      assert.equal(cut.code, 130, cut.stderr);
      assert.match(cut.stdout, /tcp ping statistics ---\n\d+ attempts/);
      const none = await runToolkit([
        "tcp-ping",
        "-c",
        "2",
        "-i",
        "50ms",
        `127.0.0.1:${closedPort()}`,
      ]);
      assert.equal(none.code, 3, none.stderr);
      assert.match(none.stderr, /^toolkit: error: connection refused \(127\.0\.0\.1:\d+\)\n$/);
    } finally {
      await srv.close();
    }
  },
);

Deno.test("tcp-ping: the interval and the timeout stay bounded (exit 2)", async () => {
  const cases: [string[], RegExp][] = [
    [["-i", "0"], /--interval must be at least 2ms/],
    [["-i", "1ms"], /--interval must be at least 2ms/],
    [["-i", "61m"], /--interval is longer than 60m/],
    [["-t", "11m"], /--timeout is longer than 10m/],
    [["-c", "0"], /--count must be between 1 and 100000/],
    [["-c", "100001"], /--count must be between 1 and 100000/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runToolkit(["tcp-ping", ...args, "127.0.0.1:9"]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  // -t 0 is a usage error, not a run where every connect times out at once.
  const zero = await runToolkit(["tcp-ping", "-t", "0", "127.0.0.1:1"]);
  assert.equal(zero.code, 2, zero.stderr);
  assert.equal(zero.stdout, "");
  assert.match(
    zero.stderr,
    /^toolkit: error: --timeout must be longer than 0 \(got "?[^)]*\)\nTry 'toolkit tcp-ping --help'\n$/,
  );
  const ok = await runToolkit([
    "tcp-ping",
    "-c",
    "1",
    "-i",
    "2ms",
    "-t",
    "300ms",
    `127.0.0.1:${closedPort()}`,
  ]);
  assert.equal(ok.code, 3, ok.stderr);
});

Deno.test(
  "--quiet tcp-ping prints only the statistics, with no blank line before them",
  opts,
  async () => {
    const a = acceptor();
    try {
      const r = await runToolkit(["--quiet", "tcp-ping", "-c", "1", `127.0.0.1:${a.port}`]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], `--- 127.0.0.1:${a.port} tcp ping statistics ---`, r.stdout);
      assert.match(lines[1], /^1 attempts, 1 connected, 0% failed/);
    } finally {
      await a.close();
    }
  },
);

const nsReason = isRoot() ? undefined : "needs root for a network namespace of the test's own";

testIf(
  nsReason,
  "tcp-ping: a connect still waiting at Ctrl-C is an attempt that failed, as ping counts it",
  async () => {
    // A host whose link is down: the connect waits for ARP, which never answers.
    const lab = await makeLab("p");
    try {
      await lab.down();
      for (const json of [false, true]) {
        const run = startToolkit([
          ...(json ? ["--json"] : []),
          "tcp-ping",
          "-t",
          "5s",
          lab.nsIp,
          "80",
        ]);
        await new Promise((r) => setTimeout(r, 1500));
        run.child.kill("SIGINT");
        const r = await run.finish(5000);
        assert.equal(r.code, 1, r.stderr); // ping: nothing answered
        if (json) {
          const doc = JSON.parse(r.stdout);
          assert.deepEqual(
            [doc.attemptCount, doc.connected, doc.failed, doc.lossPercent, doc.rtt],
            [1, 0, 1, 100, null],
          );
          assert.deepEqual(doc.results, [{ seq: 1, rttMs: null, error: "interrupted" }]);
        } else {
          assert.match(r.stdout, /\n1 attempts, 0 connected, 100% failed, time \d+ms\n$/);
        }
      }
    } finally {
      await lab.cleanup();
    }
  },
);

Deno.test(
  "tcp-ping takes ping's letters: -w deadline, -W timeout, -q summary only, -n",
  opts,
  async () => {
    const srv = acceptor();
    try {
      // -w ends the run by itself (no Ctrl-C, no count); exit 0 as with -c when any connected.
      const started = performance.now();
      const r = await runToolkit([
        "tcp-ping",
        "-i",
        "100ms",
        "-w",
        "550ms",
        `127.0.0.1:${srv.port}`,
      ]);
      const ms = performance.now() - started;
      assert.equal(r.code, 0, r.stderr);
      const n = Number(/\n(\d+) attempts, (\d+) connected, 0% failed/.exec(r.stdout)?.[1]);
      assert.ok(n >= 3 && n <= 7, r.stdout);
      assert.ok(ms < 5000, `took ${ms} ms`);
      // -q: the statistics only, as ping -q prints them; -n changes nothing; -W is --timeout.
      const q = await runToolkit([
        "tcp-ping",
        "-q",
        "-n",
        "-W",
        "1",
        "-c",
        "2",
        "-i",
        "50ms",
        "127.0.0.1",
        String(srv.port),
      ]);
      assert.equal(q.code, 0, q.stderr);
      assert.doesNotMatch(q.stdout, /connected to|TCP PING/);
      assert.match(
        q.stdout,
        /^--- 127\.0\.0\.1:\d+ tcp ping statistics ---\n2 attempts, 2 connected/,
      );
      const w0 = await runToolkit(["tcp-ping", "-W", "0", "127.0.0.1:9"]);
      assert.equal(w0.code, 2);
      assert.match(w0.stderr, /--timeout must be longer than 0/);
      // Nothing answers within the deadline: exit 3, as -c with no connect.
      const none = await runToolkit([
        "tcp-ping",
        "-i",
        "50ms",
        "-w",
        "300ms",
        `127.0.0.1:${closedPort()}`,
      ]);
      assert.equal(none.code, 3, none.stderr);
      assert.match(none.stderr, /^toolkit: error: connection refused/);
    } finally {
      await srv.close();
    }
  },
);

Deno.test("tcp-ping --help; -c 0 is one error line and exit 2", async () => {
  await assertHelpUsage("tcp-ping");
  await assertUsageRefused(["tcp-ping", "-c", "0", "127.0.0.1:9"], /--count must be between/);
});

Deno.test("tcp-ping parse: endless at 1 s by default, ping's -c -i -W; a zero count or no port refused", () => {
  assert.deepEqual(tcpPing.parse(["127.0.0.1:80"], noGlobals), {
    target: { host: "127.0.0.1", port: 80, family: "ipv4" },
    count: Infinity,
    intervalMs: 1000,
    timeoutMs: 2000,
    deadlineMs: Infinity,
    json: false,
    quiet: false,
  });
  const o = tcpPing.parse(["-c", "3", "-i", "0.2", "-W", "1s", "127.0.0.1", "22"], noGlobals);
  assert.deepEqual([o.target.port, o.count, o.intervalMs, o.timeoutMs], [22, 3, 200, 1000]);
  assert.throws(() => tcpPing.parse(["127.0.0.1"], noGlobals), UsageError, "missing port");
  assert.throws(
    () => tcpPing.parse(["-c", "0", "127.0.0.1:80"], noGlobals),
    UsageError,
    "--count must be between 1 and",
  );
});
