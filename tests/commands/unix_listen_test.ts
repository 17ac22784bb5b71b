// unix-listen, with unix-connect as its usual peer, as real processes: byte-exact both ways,
// half-close, a stale socket file replaced, a live socket and a regular file left alone, the socket
// file removed on exit and on SIGINT during a transfer, --help; and its parse in process.
// unix-connect's and unix-send's own cases are in their files, parseSocketPath in
// tests/lib/net_unix_test.ts.
import assert from "#assert";
import { listeningInProcNet } from "../../lib/net/unix.ts";
import { runToolkit, startToolkit } from "../_support/harness.ts";
import { exists, staleSocket, withDir } from "../_support/socket_dirs.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import unixListen from "../../lib/commands/unix_listen.ts";
import { noGlobals } from "../_support/parse_globals.ts";
import { assertHelpUsage } from "../_support/usage_checks.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "unix-listen/unix-connect: binary both ways, half-close, socket file removed after",
  opts,
  () =>
    withDir(async (dir) => {
      const path = `${dir}/s.sock`;
      const up = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
      const srv = startToolkit(["unix-listen", path], { stdin: "reply after EOF" });
      await srv.waitForStderr(/listening on .*s\.sock/);
      assert.ok(Deno.lstatSync(path).isSocket);
      const cli = await runToolkit(["unix-connect", path], { stdin: up });
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(cli.stdout, "reply after EOF");
      const r = await srv.finish();
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdoutBytes, up);
      assert.equal(exists(path), false, "socket file left behind");
    }),
);

Deno.test(
  "a stale socket file is replaced; a live socket and a regular file are left alone",
  opts,
  () =>
    withDir(async (dir) => {
      const stale = `${dir}/stale.sock`;
      staleSocket(stale);
      assert.ok(Deno.lstatSync(stale).isSocket);
      assert.equal(listeningInProcNet(stale), false);
      const srv = startToolkit(["unix-listen", "--keep-open", stale], { stdin: "" });
      await srv.waitForStderr(/listening on /);
      assert.equal(listeningInProcNet(stale), true);
      // A second listener on the live socket: exit 3, and the first one keeps serving. (Under the
      // default permission set /proc/net/unix is not readable, so the check is a connect: the first
      // listener sees one empty connection, as with any connect-probing tool.)
      const second = await runToolkit(["unix-listen", stale]);
      assert.equal(second.code, 3);
      assert.equal(second.stderr, `toolkit: error: address in use (${stale})\n`);
      assert.ok(Deno.lstatSync(stale).isSocket);
      const cli = await runToolkit(["unix-send", stale, "still served"]);
      assert.equal(cli.code, 0, cli.stderr);
      await new Promise((r) => setTimeout(r, 200));
      srv.child.kill("SIGINT");
      const r = await srv.finish();
      assert.equal(r.code, 130);
      assert.equal(r.stdout, "still served");
      assert.equal(exists(stale), false);

      const regular = `${dir}/notes.txt`;
      await Deno.writeTextFile(regular, "keep me");
      const f = await runToolkit(["unix-listen", regular]);
      assert.equal(f.code, 2);
      assert.equal(f.stderr, `toolkit: error: is a file, not a socket (${regular})\n`);
      assert.equal(await Deno.readTextFile(regular), "keep me");
    }),
);

Deno.test(
  "on SIGTERM and SIGINT the socket file is removed only if it is still this listener's",
  opts,
  () =>
    withDir(async (dir) => {
      // Deno 2.9.6 unlinks a stream listener's path when it drops the listener, whatever is there.
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        const path = `${dir}/mine-${signal}.sock`;
        const srv = startToolkit(["unix-listen", "--keep-open", path]);
        await srv.waitForStderr(/listening on /);
        await Deno.remove(path);
        await Deno.writeTextFile(path, "precious");
        srv.child.kill(signal);
        const r = await srv.finish();
        assert.equal(r.code, 130, r.stderr);
        assert.equal(await Deno.readTextFile(path), "precious", `${signal}: the file was removed`);
      }
      // Listener A's file is removed by hand and B binds the same path: stopping A leaves B's
      // live socket, and B still serves and removes its own file when it stops.
      const path = `${dir}/shared.sock`;
      const a = startToolkit(["unix-listen", "--keep-open", path]);
      await a.waitForStderr(/listening on /);
      const aIno = Deno.lstatSync(path).ino;
      await Deno.remove(path);
      const b = startToolkit(["unix-listen", "--keep-open", "--echo", path]);
      await b.waitForStderr(/listening on /);
      assert.notEqual(Deno.lstatSync(path).ino, aIno);
      a.child.kill("SIGTERM");
      assert.equal((await a.finish()).code, 130);
      assert.ok(Deno.lstatSync(path).isSocket, "B's socket file was removed by A");
      const echo = await runToolkit(["unix-send", "-w", path, "still B"]);
      assert.equal(echo.stdout, "still B", echo.stderr);
      b.child.kill("SIGINT");
      assert.equal((await b.finish()).code, 130);
      assert.equal(exists(path), false, "B left its socket file");
    }),
);

Deno.test(
  "SIGINT during a transfer exits 130 and leaves no socket file",
  opts,
  () =>
    withDir(async (dir) => {
      const path = `${dir}/t.sock`;
      const srv = startToolkit(["unix-listen", path]);
      await srv.waitForStderr(/listening on /);
      const cli = startToolkit(["unix-connect", path], { stdinPiped: true });
      const w = cli.child.stdin.getWriter();
      await w.write(new Uint8Array(100_000));
      await new Promise((r) => setTimeout(r, 300));
      srv.child.kill("SIGINT");
      const s = await srv.finish();
      assert.equal(s.code, 130, s.stderr);
      assert.equal(exists(path), false, "socket file left behind");
      cli.child.kill("SIGINT");
      await w.close().catch(() => {});
      const c = await cli.finish();
      assert.ok(c.code === 130 || c.code === 0, `client exit ${c.code}: ${c.stderr}`);
    }),
);

Deno.test("unix-listen --help", async () => {
  await assertHelpUsage("unix-listen");
});

Deno.test("unix-listen parse: defaults, --keep-open --echo; no path, an address as path, --keep-open with --datagram refused", () => {
  assert.deepEqual(unixListen.parse(["/tmp/s.sock"], noGlobals), {
    path: "/tmp/s.sock",
    datagram: undefined,
    keepOpen: false,
    maxConns: 100,
    echo: false,
    crlf: false,
    halfClose: true,
    timeoutMs: undefined,
    verbose: false,
    json: false,
  });
  const many = unixListen.parse(["-k", "-e", "--max-conns", "2", "s.sock"], noGlobals);
  assert.deepEqual([many.path, many.keepOpen, many.echo, many.maxConns], ["s.sock", true, true, 2]);
  assert.throws(() => unixListen.parse([], noGlobals), UsageError, "expected PATH");
  assert.throws(
    () => unixListen.parse(["127.0.0.1:9"], noGlobals),
    UsageError,
    "reads as a port or address (write ./127.0.0.1:9)",
  );
  assert.throws(
    () => unixListen.parse(["-k", "--datagram", "/tmp/s.sock"], noGlobals),
    UsageError,
    "--keep-open is for stream sockets",
  );
});
