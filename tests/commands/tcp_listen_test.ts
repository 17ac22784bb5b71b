// tcp-listen, with tcp-connect as its usual peer, as real processes on loopback: a 64 MiB random
// file through both with identical sha256, half-close both ways, keep-open echo with concurrent
// clients and stdin sent to every client, the idle --timeout, crlf, IPv6, exit codes 3 (port in
// use) and 4 (a named port outside --net), SIGINT during a transfer, --json status lines, --help
// and usage errors; and its parse in process.
// tcp-connect's own cases (refused, outside --net) are in tcp_connect_test.ts, tcp-send in
// tcp_send_test.ts.
import assert from "#assert";
import { hasCommand, runToolkit, startToolkit, testIf } from "../_support/harness.ts";
import { randomBytes, readToEnd, sha256 } from "../_support/byte_streams.ts";
import { writeAll } from "../../lib/net/write_all.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import { noGlobals } from "../_support/parse_globals.ts";
import { assertHelpUsage, assertUsageRefused } from "../_support/usage_checks.ts";
import tcpListen from "../../lib/commands/tcp_listen.ts";

const enc = new TextEncoder();

const dec = new TextDecoder();

const opts = { sanitizeOps: false, sanitizeResources: false };

/** Starts `tcp-listen 0`, connects to it, sends `data` and half-closes; the reply is the caller's. */
async function listenAndSend(
  options: Parameters<typeof startToolkit>[1],
  data: string,
): Promise<{ srv: ReturnType<typeof startToolkit>; conn: Deno.Conn }> {
  const srv = startToolkit(["tcp-listen", "0"], options);
  const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  await writeAll(conn, enc.encode(data));
  await conn.closeWrite();
  return { srv, conn };
}

Deno.test(
  "tcp-listen/tcp-connect: a 64 MiB random file arrives with the same sha256",
  opts,
  async () => {
    const data = randomBytes(64 * 1024 * 1024);
    const srv = startToolkit(["tcp-listen", "0"]);
    const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const cli = await runToolkit(["tcp-connect", `127.0.0.1:${port}`], {
      stdin: data,
      timeoutMs: 60_000,
    });
    assert.equal(cli.code, 0, cli.stderr);
    const r = await srv.finish(30_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdoutBytes.length, data.length);
    assert.equal(await sha256(r.stdoutBytes), await sha256(data));
  },
);

Deno.test(
  "tcp-listen/tcp-connect between regular files, both ways at once, past the switch to blocking file I/O",
  opts,
  async () => {
    // Past syncProbeAfter (16 MiB) stdin and stdout go synchronous when they are regular files:
    // this runs that path in both processes and both directions at once, with sizes that are not
    // multiples of the 256 KiB copy buffer.
    const dir = await Deno.makeTempDir();
    try {
      const up = randomBytes(40 * 1024 * 1024 + 12_345);
      const down = randomBytes(24 * 1024 * 1024 + 777);
      await Deno.writeFile(`${dir}/up`, up);
      await Deno.writeFile(`${dir}/down`, down);
      const srv = startToolkit(["tcp-listen", "0"], {
        stdinFile: `${dir}/down`,
        stdoutFile: `${dir}/up.got`,
      });
      const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
      const cli = await runToolkit(["tcp-connect", `127.0.0.1:${port}`], {
        stdinFile: `${dir}/up`,
        stdoutFile: `${dir}/down.got`,
        timeoutMs: 60_000,
      });
      assert.equal(cli.code, 0, cli.stderr);
      const r = await srv.finish(30_000);
      assert.equal(r.code, 0, r.stderr);
      const [upGot, downGot] = [
        await Deno.readFile(`${dir}/up.got`),
        await Deno.readFile(`${dir}/down.got`),
      ];
      assert.equal(upGot.length, up.length);
      assert.equal(await sha256(upGot), await sha256(up));
      assert.equal(downGot.length, down.length);
      assert.equal(await sha256(downGot), await sha256(down));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "tcp-listen > /dev/full: a failed stdout write is named as such (exit 2), not as a network error",
  opts,
  async () => {
    const { srv, conn } = await listenAndSend({ stdoutFile: "/dev/full" }, "hello\n");
    const r = await srv.finish();
    conn.close();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\ntoolkit: error: no space left on device \(writing stdout\)\n$/);
  },
);

Deno.test(
  "tcp-listen stdin reaches tcp-connect stdout byte for byte (binary, no newline added)",
  opts,
  async () => {
    const data = randomBytes(1024 * 1024 + 7);
    const srv = startToolkit(["tcp-listen", "127.0.0.1:0"], { stdin: data });
    const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const cli = await runToolkit(["tcp-connect", `127.0.0.1:${port}`], { stdin: "" });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(await sha256(cli.stdoutBytes), await sha256(data));
    assert.equal((await srv.finish()).code, 0);
  },
);

Deno.test(
  "tcp-listen half-closes too: a client that shut down its side still gets the reply",
  opts,
  async () => {
    const { srv, conn } = await listenAndSend({ stdin: "reply from listener" }, "request");
    const reply = await readToEnd(conn);
    conn.close();
    assert.equal(dec.decode(reply), "reply from listener");
    const r = await srv.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "request");
  },
);

Deno.test("tcp-listen --keep-open --echo serves concurrent clients", opts, async () => {
  const srv = startToolkit(["tcp-listen", "--keep-open", "--echo", "--max-conns", "4", "0"]);
  const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
  const clients = Array.from({ length: 6 }, async (_, i) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    const msg = `client ${i} ` + "x".repeat(100_000);
    const [, echoed] = await Promise.all([
      writeAll(conn, enc.encode(msg)).then(() => conn.closeWrite()),
      readToEnd(conn),
    ]);
    conn.close();
    return dec.decode(echoed) === msg;
  });
  assert.deepEqual(await Promise.all(clients), [true, true, true, true, true, true]);
  srv.child.kill("SIGINT");
  const r = await srv.finish();
  assert.equal(r.code, 130, r.stderr);
});

Deno.test("IPv6 loopback: tcp-listen [::1]:0 and tcp-connect [::1]:PORT", opts, async () => {
  const srv = startToolkit(["tcp-listen", "[::1]:0"], { stdin: "v6 reply" });
  const [, port] = await srv.waitForStderr(/listening on \[::1\]:(\d+)/);
  const cli = await runToolkit(["tcp-connect", `[::1]:${port}`], { stdin: "v6 hello" });
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout, "v6 reply");
  const r = await srv.finish();
  assert.equal(r.stdout, "v6 hello");
});

Deno.test("a port in use is one error line naming the address and exit 3", opts, async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const r = await runToolkit(["tcp-listen", `127.0.0.1:${busy.addr.port}`]);
  busy.close();
  assert.equal(r.code, 3);
  assert.equal(r.stderr, `toolkit: error: address in use (127.0.0.1:${busy.addr.port})\n`);
});

Deno.test("outside --net: a named port outside the scope is exit 4", opts, async () => {
  // Port 0 binds are always allowed (they reach nobody); a named port outside the scope is not.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${listener.addr.port}`;
  listener.close();
  const l = await runToolkit(["--net", "127.0.0.2", "tcp-listen", addr]);
  assert.equal(l.code, 4, l.stderr);
});

Deno.test("SIGINT during a transfer: the interrupted end exits 130", opts, async () => {
  for (const victim of ["client", "server"] as const) {
    const srv = startToolkit(["tcp-listen", "0"]);
    const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const cli = startToolkit(["tcp-connect", `127.0.0.1:${port}`], { stdinPiped: true });
    const w = cli.child.stdin.getWriter();
    await w.write(randomBytes(200_000)); // stdin stays open: the transfer is still running
    await new Promise((r) => setTimeout(r, 300));
    const [first, second] = victim === "client" ? [cli, srv] : [srv, cli];
    first.child.kill("SIGINT");
    const a = await first.finish(5000); // killed (exit 137) if it does not stop by itself
    assert.equal(a.code, 130, `${victim}: ${a.stderr}`);
    try {
      second.child.kill("SIGINT");
    } catch { /* it already ended when its peer went away */ }
    const b = await second.finish(5000);
    assert.ok([0, 3, 130].includes(b.code), `the other end: exit ${b.code}: ${b.stderr}`);
    await w.close().catch(() => {});
  }
});

Deno.test(
  "SIGINT during a copy on blocking I/O (< /dev/zero, > /dev/null): both ends stop with 130",
  opts,
  async () => {
    // /dev/zero and /dev/null switch to blocking reads and writes after 16 MiB; a signal must
    // still get through between two 256 KiB chunks. The copy is bounded by the kills below.
    const srv = startToolkit(["tcp-listen", "0"], { stdoutFile: "/dev/null" });
    const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const cli = startToolkit(["tcp-connect", `127.0.0.1:${port}`], { stdinFile: "/dev/zero" });
    await new Promise((r) => setTimeout(r, 700)); // gigabytes by now: well past the switch
    for (const [name, end] of [["client", cli], ["server", srv]] as const) {
      try {
        end.child.kill("SIGINT");
      } catch { /* the server may already have ended when the client went away */ }
      const r = await end.finish(5000); // killed (exit 137) if it does not stop by itself
      assert.ok(
        name === "client" ? r.code === 130 : [0, 130].includes(r.code),
        `${name}: exit ${r.code}: ${r.stderr}`,
      );
    }
  },
);

Deno.test(
  "--json status lines on stderr: listening, open, close; --help; bad input is one error line and exit 2",
  opts,
  async () => {
    const srv = startToolkit(["--json", "tcp-listen", "--echo", "0"]);
    const [, port] = await srv.waitForStderr(/"address":"127\.0\.0\.1:(\d+)"/);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    await writeAll(conn, enc.encode("echo me"));
    await conn.closeWrite();
    const echoed = await readToEnd(conn);
    conn.close();
    assert.equal(dec.decode(echoed), "echo me");
    const s = await srv.finish();
    const srvEvents = s.stderr.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(srvEvents.map((e) => e.event), ["listening", "open", "close"]);
    await assertHelpUsage("tcp-listen");
    await assertUsageRefused(
      ["tcp-listen", "--keep-open", "--once", "0"],
      /cannot be used together/,
    );
  },
);

/** Connects with node:net (which can reset: SO_LINGER 0) and runs `script` on the socket. */
function nodeClient(
  to: { port: number } | { path: string },
  script: (s: import("node:net").Socket, done: () => void) => void,
): Promise<void> {
  return import("node:net").then((net) =>
    new Promise<void>((resolve, reject) => {
      const s = "port" in to
        ? net.connect({ host: "127.0.0.1", port: to.port })
        : net.connect({ path: to.path });
      const timer = setTimeout(() => (s.destroy(), reject(new Error("client timed out"))), 10_000);
      s.once("error", () => {});
      s.once("connect", () =>
        script(s, () => {
          clearTimeout(timer);
          resolve();
        }));
    })
  );
}

/** The `close` event on a listener's --json stderr. */
function closeEvent(stderr: string): { sent: number; received: number } {
  const line = stderr.split("\n").find((l) => l.includes('"event":"close"'));
  if (line === undefined) throw new Error(`no close event:\n${stderr}`);
  return JSON.parse(line);
}

Deno.test(
  "a connection that ends in a reset reports the bytes it moved, not 0",
  opts,
  async () => {
    // One connection: 100,000 bytes in, then RST. stdout has them; the close event says so.
    const one = startToolkit(["--json", "tcp-listen", "127.0.0.1:0"]);
    const port = Number((await one.waitForStderr(/"address":"127\.0\.0\.1:(\d+)"/))[1]);
    await nodeClient({ port }, (s, done) => {
      s.write(new Uint8Array(100_000).fill(0x63), () =>
        setTimeout(() => {
          s.resetAndDestroy();
          done();
        }, 300));
    });
    const r = await one.finish();
    assert.equal(r.stdoutBytes.length, 100_000);
    const c = closeEvent(r.stderr);
    assert.deepEqual([c.received, c.sent], [100_000, 0], r.stderr);

    // An echoed connection: 1 KiB in, 1 KiB back, then RST.
    const echo = startToolkit(["--json", "tcp-listen", "--keep-open", "--echo", "127.0.0.1:0"]);
    const echoPort = Number((await echo.waitForStderr(/"address":"127\.0\.0\.1:(\d+)"/))[1]);
    await nodeClient({ port: echoPort }, (s, done) => {
      let got = 0;
      s.on("data", (d: Uint8Array) => {
        got += d.length;
        if (got === 1024) {
          s.resetAndDestroy();
          done();
        }
      });
      s.write(new Uint8Array(1024));
    });
    await echo.waitForStderr(/"event":"close"/);
    echo.child.kill("SIGINT");
    const e = closeEvent((await echo.finish()).stderr);
    assert.deepEqual([e.received, e.sent], [1024, 1024]);

    // unix-listen --echo: 1 KiB echoed, 1 KiB more, then gone with the echo unread (a Unix socket
    // has no RST; the server's read or its echo then fails).
    const dir = await Deno.makeTempDir({ prefix: "toolkit-reset-" });
    try {
      const path = `${dir}/echo.sock`;
      const u = startToolkit(["--json", "unix-listen", "--keep-open", "--echo", path]);
      await u.waitForStderr(/"event":"listening"/);
      await nodeClient({ path }, (s, done) => {
        let got = 0;
        s.on("data", (d: Uint8Array) => {
          got += d.length;
          if (got < 1024) return;
          s.write(new Uint8Array(1024), () => {
            s.destroy();
            done();
          });
        });
        s.write(new Uint8Array(1024));
      });
      await u.waitForStderr(/"event":"close"/);
      u.child.kill("SIGINT");
      const ur = await u.finish();
      const uc = closeEvent(ur.stderr);
      assert.equal(uc.received, 2048, JSON.stringify(uc));
      // The peer of an unbound Unix client is "(unnamed)", named once, not "((unnamed))".
      const failed = ur.stderr.split("\n").find((l) => l.includes('"event":"error"'));
      if (failed === undefined) throw new Error(`no error event:\n${ur.stderr}`);
      assert.match(JSON.parse(failed).error, /^(broken pipe|connection reset) \(unnamed\)$/);
      assert.ok(uc.sent >= 1024 && uc.sent <= 2048, JSON.stringify(uc));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * The idle scenario of the review: `clients` connections to `port`; the server process is
 * stopped (SIGSTOP), each client sends a line 0.3 s later, and the server is resumed after 1.5 s,
 * past a 1 s idle timeout. Resolves to what each client got back within 3 s.
 */
async function sendWhileStopped(pid: number, port: number, clients: number): Promise<string[]> {
  const conns = await Promise.all(
    Array.from({ length: clients }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  await new Promise((r) => setTimeout(r, 100));
  Deno.kill(pid, "SIGSTOP");
  try {
    await new Promise((r) => setTimeout(r, 300));
    for (const c of conns) await writeAll(c, enc.encode("data\n"));
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    Deno.kill(pid, "SIGCONT");
  }
  return await Promise.all(conns.map(async (c) => {
    const buf = new Uint8Array(100);
    const timer = setTimeout(() => c.close(), 3000);
    try {
      const n = await c.read(buf);
      return n === null ? "" : dec.decode(buf.subarray(0, n));
    } catch {
      return "";
    } finally {
      clearTimeout(timer);
      try {
        c.close();
      } catch { /* closed by the timer */ }
    }
  }));
}

Deno.test(
  "--timeout: data that arrived while the listener was stopped is traffic, not idleness",
  opts,
  async () => {
    const echo = startToolkit(["tcp-listen", "--keep-open", "--echo", "--timeout", "1s", "0"]);
    const port = Number((await echo.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    const got = await sendWhileStopped(echo.child.pid, port, 5);
    echo.child.kill("SIGINT");
    const e = await echo.finish();
    assert.deepEqual(got, Array(5).fill("data\n"), e.stderr);
    assert.doesNotMatch(e.stderr, /timed out/);

    // One connection: the bytes that arrived are written to stdout, then a real idle second
    // (the client stays connected, silent) ends it with exit 3.
    const one = startToolkit(["tcp-listen", "--timeout", "1s", "0"], { stdinPiped: true });
    const onePort = Number((await one.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: onePort });
    await new Promise((r) => setTimeout(r, 100));
    Deno.kill(one.child.pid, "SIGSTOP");
    try {
      await new Promise((r) => setTimeout(r, 300));
      await writeAll(conn, enc.encode("nine byte"));
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      Deno.kill(one.child.pid, "SIGCONT");
    }
    const r = await one.finish();
    conn.close();
    assert.equal(r.stdout, "nine byte", r.stderr);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /timed out .*idle for 1s/);
  },
);

testIf(
  hasCommand("socat") ? undefined : "socat is not installed",
  "socat -T1 (the reference) echoes data that arrived while it was stopped, as tcp-listen does",
  async () => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    // One connection, no fork: a forked child would serve it while the stopped parent waits.
    const socat = new Deno.Command("socat", {
      args: ["-d", "-d", "-T1", `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, "PIPE"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = socat.stderr.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let seen = "";
      while (!/listening on/.test(seen)) {
        const { value, done } = await stderr.read();
        if (done) throw new Error(`socat ended: ${seen}`);
        seen += value;
      }
      assert.deepEqual(await sendWhileStopped(socat.pid, port, 1), ["data\n"]);
    } finally {
      try {
        socat.kill("SIGTERM");
      } catch { /* ended by its -T1 */ }
      await stderr.cancel();
      await socat.status;
    }
  },
);

Deno.test("tcp-listen --keep-open sends stdin to every connected client", opts, async () => {
  const srv = startToolkit(["tcp-listen", "-v", "--keep-open", "0"], { stdinPiped: true });
  const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
  const a = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  const b = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  await a.write(enc.encode("from a\n"));
  await b.write(enc.encode("from b\n"));
  await srv.waitForStderr(/connection from[^]*connection from/); // both in before stdin speaks
  const w = srv.child.stdin.getWriter();
  await w.write(enc.encode("to all\n"));
  await w.close(); // stdin EOF: every client is half-closed
  const read = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(100);
    let got = "";
    for (let n; (n = await conn.read(buf)) !== null;) got += dec.decode(buf.subarray(0, n));
    return got;
  };
  assert.deepEqual(await Promise.all([read(a), read(b)]), ["to all\n", "to all\n"]);
  a.close();
  b.close();
  await new Promise((r) => setTimeout(r, 200));
  srv.child.kill("SIGINT");
  const r = await srv.finish();
  assert.equal(r.code, 130);
  assert.deepEqual(r.stdout.split("\n").filter(Boolean).sort(), ["from a", "from b"]);
});

Deno.test(
  "tcp-listen --keep-open --timeout closes an idle client and keeps serving",
  opts,
  async () => {
    const srv = startToolkit(["tcp-listen", "--keep-open", "--echo", "--timeout", "300ms", "0"]);
    const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const idle = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    const buf = new Uint8Array(16);
    assert.equal(await idle.read(buf), null, "the idle client is closed by the server");
    idle.close();
    await srv.waitForStderr(/toolkit: warning: timed out \(127\.0\.0\.1:\d+: idle for 0\.3s\)/);
    const next = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    await next.write(enc.encode("still here"));
    const n = await next.read(buf);
    assert.equal(dec.decode(buf.subarray(0, n ?? 0)), "still here");
    next.close();
    srv.child.kill("SIGINT");
    assert.equal((await srv.finish()).code, 130);
  },
);

Deno.test("tcp-listen parse: defaults, nc's -l -p PORT, --keep-open options; refusals", () => {
  assert.deepEqual(tcpListen.parse(["127.0.0.1:0"], noGlobals), {
    bind: { host: "127.0.0.1", port: 0, family: "ipv4" },
    keepOpen: false,
    maxConns: 100,
    echo: false,
    crlf: false,
    halfClose: true,
    timeoutMs: undefined,
    verbose: false,
    json: false,
  });
  const nc = tcpListen.parse(["-l", "-p", "9000"], noGlobals);
  assert.deepEqual(nc.bind, { host: "127.0.0.1", port: 9000, family: "ipv4" });
  const many = tcpListen.parse(["-k", "-e", "--max-conns", "3", "[::1]:9000"], noGlobals);
  assert.deepEqual([many.bind.host, many.bind.family, many.keepOpen, many.echo, many.maxConns], [
    "::1",
    "ipv6",
    true,
    true,
    3,
  ]);
  assert.throws(() => tcpListen.parse([], noGlobals), UsageError, "missing argument");
  assert.throws(
    () => tcpListen.parse(["--max-conns", "0", "127.0.0.1:0"], noGlobals),
    UsageError,
    "--max-conns needs --keep-open",
  );
});
