// scan against the test's own loopback listeners, plus the pure pieces it stands on: port lists,
// the progress bar and connect-failure classification. tcp-ping has tcp_ping_test.ts; a port whose
// accept queue is full, as scan, tcp-connect and tcp-ping see it, is in tests/suites/fault_test.ts.
import assert from "#assert";
import { renderProgress, startProgress } from "../../lib/cli/progress.ts";
import { memoryIo } from "../../lib/cli/io.ts";
import scan, { stateOfError } from "../../lib/commands/scan.ts";
import { NetError } from "../../lib/net/errors.ts";
import { formatPorts, parsePorts } from "../../lib/net/ports.ts";
import { hasCommand, runToolkit, testIf, toolkitCmd } from "../_support/harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("parsePorts: lists, ranges, open ends, duplicates; errors name the bad part", () => {
  assert.deepEqual(parsePorts("80,22,8000-8002,22"), [22, 80, 8000, 8001, 8002]);
  assert.deepEqual(parsePorts("65534-"), [65534, 65535]);
  assert.deepEqual(parsePorts("-3"), [1, 2, 3]);
  assert.equal(parsePorts("-").length, 65535);
  assert.throws(() => parsePorts("80,,81"), /empty item/);
  assert.throws(() => parsePorts("100-90"), /Port range "100-90" runs backwards/);
  assert.throws(() => parsePorts("0"), /Port 0 is out of range/);
  assert.throws(() => parsePorts("70000"), /out of range/);
  assert.throws(() => parsePorts("nosuchservice"), /Cannot parse port "nosuchservice"/);
  // nc -z takes service names (/etc/services, TCP).
  assert.deepEqual(parsePorts("ssh,http,8000"), [22, 80, 8000]);
  assert.throws(() => parsePorts(""), /empty port list/);
  assert.equal(formatPorts([22, 80, 81, 82, 443]), "22,80-82,443");
});

Deno.test("connect failures: refused is closed, silence is filtered, the rest is rethrown", () => {
  assert.equal(stateOfError(new NetError("connection refused", "a")), "closed");
  assert.equal(stateOfError(new NetError("timed out", "a")), "filtered");
  assert.equal(stateOfError(new NetError("host unreachable", "a")), "filtered");
  assert.throws(() => stateOfError(new NetError("name not resolved", "a")), NetError);
  const denied = new Deno.errors.NotCapable("Requires net access");
  assert.throws(() => stateOfError(denied), Deno.errors.NotCapable);
});

Deno.test("progress: nothing unless stderr is a terminal; a bar that fits the width", async () => {
  const io = memoryIo();
  const quiet = startProgress(io, { total: 10, label: "scan" });
  quiet.tick(10);
  await quiet.done();
  assert.equal(io.stderrText(), "");
  const line = renderProgress({
    label: "scan 127.0.0.1",
    done: 5,
    total: 10,
    note: "1 open",
    width: 60,
  });
  assert.match(line, /^scan 127\.0\.0\.1 \[#+-+\] {2}50% 5\/10 1 open$/);
  assert.ok(line.length < 60);
  const tty = memoryIo();
  const bar = startProgress(tty, { total: 2, label: "x", force: true });
  bar.tick(2);
  await bar.done();
  const erase = "\r\x1b[2K";
  const drawn = tty.stderrText();
  assert.ok(drawn.startsWith(erase) && drawn.endsWith(erase), JSON.stringify(drawn));
  assert.match(drawn.split(erase).filter(Boolean).at(-1)!, /^x \[#+\] 100% 2\/2$/);
});

Deno.test("scan of the test's own ports finds exactly the open ones", opts, async () => {
  const listeners = Array.from(
    { length: 3 },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const open = listeners.map((l) => l.addr.port).sort((a, b) => a - b);
  // Closed neighbours: ports that were free a moment ago (bound and released by the test). The
  // kernel may hand out a released port again, so five different ones are collected.
  const closedSet = new Set<number>();
  for (let i = 0; closedSet.size < 5 && i < 100; i++) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    if (!open.includes(l.addr.port)) closedSet.add(l.addr.port);
    l.close();
  }
  const closed = [...closedSet];
  const list = [...open, ...closed].join(",");
  const r = await runToolkit(["--json", "scan", "127.0.0.1", list, "--all"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual([doc.remote, doc.portSpec], ["127.0.0.1", formatPorts(parsePorts(list))]);
  assert.deepEqual(doc.openPorts, open);
  assert.equal(doc.open, 3);
  assert.equal(doc.closed, closed.length);
  assert.equal(doc.filtered, 0);
  assert.equal(doc.results.length, open.length + closed.length);
  const text = await runToolkit(["scan", "127.0.0.1", list]);
  assert.equal(text.code, 0, text.stderr);
  const rows = text.stdout.trim().split("\n");
  assert.match(rows[0], /^PORT\s+STATE\s+TIME$/);
  assert.deepEqual(
    rows.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(" ")),
    open.map((p) => `${p}/tcp open`),
  );
  assert.match(
    text.stderr,
    new RegExp(
      `^scanned ${
        open.length + closed.length
      } ports on 127\\.0\\.0\\.1 in [\\d.]+s: 3 open, ${closed.length} closed, 0 filtered\\n$`,
    ),
  );
  for (const l of listeners) l.close();
  const none = await runToolkit(["scan", "127.0.0.1", closed.join(",")]);
  assert.equal(none.code, 1, "no open port is a negative answer");
  assert.equal(none.stdout, "");
});

Deno.test("scan over IPv6 loopback, in-process with the memory io", opts, async () => {
  const l = Deno.listen({ hostname: "::1", port: 0 });
  const io = memoryIo({ globals: { json: true } });
  const code = await scan.run(scan.parse(["::1", String(l.addr.port)], io.globals), io);
  l.close();
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(io.stdoutText()).openPorts, [l.addr.port]);
});

testIf(
  hasCommand("script") ? undefined : "script (util-linux) is not installed, no pty to test with",
  "scan draws a progress bar when stderr is a terminal (a real pty), and erases it",
  async () => {
    const cmd = [...toolkitCmd, "scan", "-j", "4", "127.0.0.1", "1-200"]
      .map((a) => `'${a}'`).join(" ");
    const r = await new Deno.Command("script", {
      args: ["-qec", cmd, "/dev/null"],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", COLUMNS: "70" },
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    assert.ok(r.code === 0 || r.code === 1, out); // 1 when nothing is open in 1-200 here
    const erase = "\r\x1b[2K";
    assert.ok(out.startsWith(`${erase}scan 127.0.0.1 [`), JSON.stringify(out.slice(0, 80)));
    assert.match(out, /\] 100% 200\/200/);
    // The bar is erased before the summary, which is then the only thing left on the line.
    const afterBar = out.slice(out.lastIndexOf(erase) + erase.length);
    assert.ok(!afterBar.includes("%"), afterBar);
    assert.match(afterBar, /scanned 200 ports on 127\.0\.0\.1 in [\d.]+s: \d+ open, \d+ closed/);
  },
);

Deno.test("scan: bad input is exit 2, -t 0 and -j 0 too (not all filtered); --help", async () => {
  for (
    const args of [
      ["scan", "-t", "0", "127.0.0.1", "1-3"],
      ["scan", "--timeout=0.0001s", "127.0.0.1", "1"],
      ["scan", "-j", "0", "127.0.0.1", "1"],
    ]
  ) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^toolkit: error: --(timeout must be longer than 0|concurrency must be between 1 and 1000) \(got "?[^)]*\)\nTry 'toolkit scan --help'\n$/,
    );
  }
  for (const args of [["scan", "127.0.0.1", "80-70"], ["scan", "0x7f.1", "80"]]) {
    const b = await runToolkit(args);
    assert.equal(b.code, 2, b.stderr);
    assert.match(b.stderr, /^toolkit: error: .*\nTry 'toolkit scan --help'\n$/);
  }
  const h = await runToolkit(["scan", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: toolkit scan /);
});

Deno.test("progress: --quiet draws no bar, even on a terminal", async () => {
  const io = memoryIo({ globals: { quiet: true } });
  const bar = startProgress(io, { total: 2, label: "x", force: true });
  bar.tick(2);
  await bar.done();
  assert.equal(io.stderrText(), "");
});

/** Runs toolkit under a pseudo-terminal (stdout and stderr are a tty), colour forced on. */
async function onTerminal(args: string[]): Promise<{ code: number; out: string }> {
  const cmd = [...toolkitCmd, ...args].map((a) => `'${a}'`).join(" ");
  const r = await new Deno.Command("script", {
    args: ["-qec", cmd, "/dev/null"],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "", FORCE_COLOR: "1", COLUMNS: "70" },
  }).output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout) };
}

testIf(
  hasCommand("script") ? undefined : "script (util-linux) is not installed, no pty to test with",
  "scan on a terminal: --quiet draws no bar; with colour the columns line up as they are seen",
  async () => {
    const listeners = [0, 1].map(() => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
    const ports = listeners.map((l) => l.addr.port);
    try {
      const quiet = await onTerminal(["--quiet", "scan", "-j", "4", "127.0.0.1", "1-200"]);
      assert.ok(quiet.code === 0 || quiet.code === 1, quiet.out);
      assert.ok(!quiet.out.includes("\x1b[2K"), `a bar was drawn: ${JSON.stringify(quiet.out)}`);
      assert.ok(!/%/.test(quiet.out), JSON.stringify(quiet.out));
      assert.ok(!quiet.out.includes("scanned"), "--quiet also drops the summary");

      const coloured = await onTerminal(["scan", "127.0.0.1", ports.join(",")]);
      assert.equal(coloured.code, 0, coloured.out);
      assert.ok(coloured.out.includes("\x1b[32mopen\x1b[0m"), JSON.stringify(coloured.out));
      // The bar's erase sequence ends a line on the screen; colour codes take no room.
      // deno-lint-ignore no-control-regex
      const seen = coloured.out.replace(/\r\x1b\[2K/g, "\n").replace(/\x1b\[[0-9;]*m|\r/g, "")
        .split("\n")
        .filter((l) => /^(PORT|\d+\/tcp)/.test(l));
      assert.equal(seen.length, 3, JSON.stringify(coloured.out));
      // TIME is right-aligned: every row ends in the same column, the header too.
      assert.deepEqual(seen.map((l) => l.length), seen.map(() => seen[1].length), seen.join("\n"));
      assert.equal(seen[0].indexOf("STATE"), seen[1].indexOf("open"), seen.join("\n"));
    } finally {
      for (const l of listeners) l.close();
    }
  },
);

Deno.test({
  name: "scan under ulimit -n 64 with -j 500 waits for descriptors and scans every port",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = l.addr.port;
    const from = Math.max(1024, port - 1000);
    const to = Math.min(65535, from + 2000);
    try {
      // It used to stop at the first EMFILE: `network error (127.0.0.1:40041)`, exit 3.
      const r = await runToolkit([
        "--json",
        "scan",
        "-a",
        "-j",
        "500",
        "127.0.0.1",
        `${from}-${to}`,
      ], {
        filesLimit: 64,
        timeoutMs: 60_000,
      });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.results.length, to - from + 1);
      assert.equal(doc.results.find((x: { port: number }) => x.port === port).state, "open");
      const warning = JSON.parse(r.stderr.trim().split("\n")[0]);
      assert.match(
        warning.warning.message,
        /^too many open files \(EMFILE\): connects waited for descriptors to come free; raise 'ulimit -n' or lower --concurrency \(500\)$/,
      );
    } finally {
      l.close();
    }
  },
});
