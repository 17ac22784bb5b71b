// tcp-connect as a real process against the test's own listeners: half-close on stdin EOF (and
// --no-half-close), the idle --timeout, a reader that closes stdout early, a refused connect (exit
// 3) and one outside --net (exit 4, nothing arrives), constant memory against a peer that stops
// reading, its --json status lines, --help and usage errors; and its parse in process. The
// transfers it shares with tcp-listen are in tcp_listen_test.ts.
import assert from "#assert";
import { runToolkit, startToolkit, toolkitCmd } from "../_support/harness.ts";
import { randomBytes, readToEnd } from "../_support/byte_streams.ts";
import { writeAll } from "../../lib/net/write_all.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import { noGlobals } from "../_support/parse_globals.ts";
import { assertHelpUsage, assertUsageRefused } from "../_support/usage_checks.ts";
import tcpConnect from "../../lib/commands/tcp_connect.ts";

const enc = new TextEncoder();

const dec = new TextDecoder();

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "tcp-connect half-closes on stdin EOF: the peer sees EOF, then its reply still arrives",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      const conn = await listener.accept();
      const got = await readToEnd(conn); // returns only once the client has half-closed
      await writeAll(conn, enc.encode(`after EOF: ${dec.decode(got)}`));
      conn.close();
      listener.close();
      return dec.decode(got);
    })();
    const r = await runToolkit(["tcp-connect", `127.0.0.1:${listener.addr.port}`], {
      stdin: "我是客户端",
    });
    assert.equal(await server, "我是客户端");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "after EOF: 我是客户端");
  },
);

Deno.test(
  "tcp-connect --no-half-close keeps the sending side open and exits when the peer closes",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      const conn = await listener.accept();
      const buf = new Uint8Array(100);
      const n = await conn.read(buf);
      // No EOF arrives (the client keeps its side open): the read times out.
      const more = await Promise.race([
        conn.read(buf),
        new Promise<"waiting">((r) => setTimeout(() => r("waiting"), 500)),
      ]);
      await writeAll(conn, enc.encode("bye"));
      conn.close();
      listener.close();
      return { first: dec.decode(buf.subarray(0, n ?? 0)), more };
    })();
    const r = await runToolkit(
      ["tcp-connect", "--no-half-close", `127.0.0.1:${listener.addr.port}`],
      { stdin: "hi" },
    );
    const s = await server;
    assert.equal(s.first, "hi");
    assert.equal(s.more, "waiting");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "bye");
  },
);

Deno.test(
  "tcp-connect --timeout: idle connection ends with exit 3 naming the address",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held = listener.accept();
    const r = await runToolkit(
      ["tcp-connect", "--no-half-close", "--timeout", "300ms", `127.0.0.1:${listener.addr.port}`],
      { stdin: "" },
    );
    (await held).close();
    listener.close();
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^toolkit: error: timed out \(127\.0\.0\.1:\d+: idle for 0\.3s\)\n$/);
  },
);

Deno.test(
  "stdout closed early (| head -c 10): tcp-connect stops quietly, no error",
  opts,
  async () => {
    const srv = startToolkit(["tcp-listen", "0"], { stdin: randomBytes(8 * 1024 * 1024) });
    const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const cmd = [...toolkitCmd, "tcp-connect", `127.0.0.1:${port}`].map((a) => `'${a}'`).join(" ");
    const r = await new Deno.Command("bash", {
      args: ["-c", `set -o pipefail; ${cmd} < /dev/null | head -c 10 | wc -c`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(dec.decode(r.stdout).trim(), "10");
    // Deno keeps SIGPIPE's default: like nc or `yes | head`, the process may simply be ended by
    // it (141); when the write error wins instead, the session ends quietly with 0. Never an error.
    assert.ok([0, 141].includes(r.code), `exit ${r.code}: ${dec.decode(r.stderr)}`);
    assert.equal(dec.decode(r.stderr), "");
    await srv.finish();
  },
);

Deno.test(
  "a refused connection is one error line naming the address and exit 3 (tcp-send, tcp-ping too)",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close(); // now nobody listens there
    for (const cmd of [["tcp-connect"], ["tcp-send"], ["tcp-ping", "-c", "1"]]) {
      const r = await runToolkit([...cmd, `127.0.0.1:${port}`], { stdin: "" });
      assert.equal(r.code, 3, `${cmd[0]}: ${r.stderr}`);
      assert.ok(
        r.stderr.endsWith(`toolkit: error: connection refused (127.0.0.1:${port})\n`),
        r.stderr,
      );
      assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("toolkit:")).length, 1);
    }
  },
);

/** Resolves to a connection if one arrives within `ms`, else `undefined` (the listener stays). */
function acceptWithin(listener: Deno.Listener, ms: number): Promise<Deno.Conn | undefined> {
  return Promise.race([
    listener.accept(),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), ms)),
  ]);
}

Deno.test(
  "outside --net: exit 4 and the test's own listener receives nothing (tcp-send, tcp-ping, scan too)",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const addr = `127.0.0.1:${listener.addr.port}`;
    for (const cmd of [["tcp-connect", addr], ["tcp-send", addr, "x"], ["tcp-ping", addr]]) {
      const r = await runToolkit(["--net", "127.0.0.1:1", ...cmd], { stdin: "secret" });
      assert.equal(r.code, 4, `${cmd[0]}: ${r.stderr}`);
      assert.match(r.stderr, /^toolkit: error: outside the permission scope: net access to /);
    }
    const scan = await runToolkit([
      "--net",
      "127.0.0.1:1",
      "scan",
      "127.0.0.1",
      `${listener.addr.port}`,
    ]);
    assert.equal(scan.code, 4, scan.stderr);
    assert.equal(await acceptWithin(listener, 300), undefined);
    listener.close();
  },
);

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

Deno.test(
  "backpressure: a peer that stops reading does not make tcp-connect grow",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held = listener.accept(); // accepted, never read
    const cli = startToolkit(["tcp-connect", `127.0.0.1:${listener.addr.port}`], {
      stdinPiped: true,
    });
    const w = cli.child.stdin.getWriter();
    const chunk = new Uint8Array(1 << 20);
    let written = 0;
    // Offer 512 MiB; the writes block once the socket and pipe buffers are full.
    const feeding = (async () => {
      for (let i = 0; i < 512; i++) {
        await w.write(chunk);
        written++;
      }
    })().catch(() => {});
    await new Promise((r) => setTimeout(r, 1500));
    const rss = rssKiB(cli.child.pid);
    assert.ok(written < 100, `${written} MiB were accepted without a reader`);
    assert.ok(rss < 300 * 1024, `tcp-connect uses ${rss} KiB`);
    cli.child.kill("SIGINT");
    const r = await cli.finish();
    assert.equal(r.code, 130, r.stderr);
    (await held).close();
    listener.close();
    await feeding;
  },
);

Deno.test(
  "--json status lines on stderr: open, then close with the bytes sent and received; --help; bad input exit 2",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const echo = (async () => {
      const conn = await listener.accept();
      await writeAll(conn, await readToEnd(conn));
      conn.close();
      listener.close();
    })();
    const cli = await runToolkit(["--json", "tcp-connect", `127.0.0.1:${listener.addr.port}`], {
      stdin: "echo me",
    });
    await echo;
    assert.equal(cli.stdout, "echo me");
    const events = cli.stderr.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.event), ["open", "close"]);
    assert.equal(events[1].sent, 7);
    assert.equal(events[1].received, 7);
    await assertHelpUsage("tcp-connect");
    await assertUsageRefused(
      ["tcp-connect", "127.0.0.1"],
      /missing port after 127\.0\.0\.1: write 127\.0\.0\.1:PORT/,
    );
    await assertUsageRefused(["tcp-connect", "127.0.0.1:70000"], /out of range/);
  },
);

Deno.test("tcp-connect parse: defaults, nc's HOST PORT, each flag; a host without a port is refused", () => {
  assert.deepEqual(tcpConnect.parse(["127.0.0.1:9000"], noGlobals), {
    target: { host: "127.0.0.1", port: 9000, family: "ipv4" },
    crlf: false,
    halfClose: true,
    timeoutMs: undefined,
    verbose: false,
    json: false,
  });
  const o = tcpConnect.parse(
    ["--crlf", "--no-half-close", "-t", "2s", "-v", "127.0.0.1", "9000"],
    noGlobals,
  );
  assert.deepEqual([o.target.port, o.crlf, o.halfClose, o.timeoutMs, o.verbose], [
    9000,
    true,
    false,
    2000,
    true,
  ]);
  assert.throws(() => tcpConnect.parse(["127.0.0.1"], noGlobals), UsageError, "missing port");
});
