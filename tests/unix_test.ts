// unix-listen, unix-connect and unix-send as real processes: byte-exact both ways, half-close, a
// stale socket file replaced, a live socket and a regular file left alone, the socket file removed
// on exit and on SIGINT during a transfer, exit 4 outside --net, and path validation.
import assert from "#assert";
import { listeningInProcNet, parseSocketPath } from "../lib/net/unix.ts";
import { runToolkit, startToolkit } from "./_support/harness.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const opts = { sanitizeOps: false, sanitizeResources: false };

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Leaves a socket file nobody listens on, as a crashed server would (Deno's close removes it). */
function staleSocket(path: string): void {
  const py = "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])";
  const r = new Deno.Command("python3", { args: ["-c", py, path] }).outputSync();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "toolkit-unix-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

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
  "unix-send --wait-reply against unix-listen --echo; relative paths work",
  opts,
  () =>
    withDir(async (dir) => {
      const srv = startToolkit(["unix-listen", "--keep-open", "--echo", "echo.sock"], { cwd: dir });
      await srv.waitForStderr(/listening on /);
      const r = await runToolkit(["unix-send", "-w", `${dir}/echo.sock`, "我是客户端"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "我是客户端");
      const j = await runToolkit(["--json", "unix-send", "./echo.sock", "x"], { cwd: dir });
      assert.equal(j.code, 0, j.stderr);
      srv.child.kill("SIGTERM");
      assert.equal((await srv.finish()).code, 130);
      assert.equal(exists(`${dir}/echo.sock`), false);
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

Deno.test(
  "unix sockets: nothing there is exit 2 or 3; outside --net is exit 4",
  opts,
  () =>
    withDir(async (dir) => {
      const missing = await runToolkit(["unix-connect", `${dir}/none.sock`], { stdin: "" });
      assert.equal(missing.code, 2);
      assert.equal(
        missing.stderr,
        `toolkit: error: no such file or directory (${dir}/none.sock)\n`,
      );
      const stale = `${dir}/stale.sock`;
      staleSocket(stale);
      const refused = await runToolkit(["unix-send", stale, "x"]);
      assert.equal(refused.code, 3);
      assert.equal(refused.stderr, `toolkit: error: connection refused (${stale})\n`);
      // The test's own listener outside the scope receives nothing.
      const own = `${dir}/own.sock`;
      const listener = Deno.listen({ transport: "unix", path: own });
      const r = await runToolkit(["--net", "127.0.0.1", "unix-send", own, "secret"]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /^toolkit: error: outside the permission scope: net access to unix:/);
      const got = await Promise.race([
        listener.accept(),
        new Promise<undefined>((res) => setTimeout(() => res(undefined), 300)),
      ]);
      assert.equal(got, undefined);
      listener.close();
      const l = await runToolkit(["--net", "127.0.0.1", "unix-listen", `${dir}/n.sock`]);
      assert.equal(l.code, 4, l.stderr);
      assert.equal(exists(`${dir}/n.sock`), false);
    }),
);

Deno.test("socket paths: ports, blanks, control characters and over-long paths are refused", async () => {
  for (const bad of ["9000", "0x7f.1", "", "  ", "a\u001bb", "x".repeat(200), "-"]) {
    assert.throws(() => parseSocketPath(bad), /socket path|bytes long/, JSON.stringify(bad));
  }
  assert.equal(parseSocketPath("./9000"), "./9000");
  assert.equal(parseSocketPath("app.sock"), "app.sock");
  const r = await runToolkit(["unix-connect", "9000"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `toolkit: error: cannot use "9000" as a socket path: it reads as a port or address (write ./9000)\nTry 'toolkit unix-connect --help'\n`,
  );
  for (const cmd of ["unix-listen", "unix-connect", "unix-send"]) {
    const h = await runToolkit([cmd, "--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`^Usage: toolkit ${cmd} `));
  }
  assert.equal(dec.decode(enc.encode("ok")), "ok");
});

Deno.test(
  "--datagram: unix-send ↔ unix-listen and a Python SOCK_DGRAM peer; files cleaned up",
  opts,
  () =>
    withDir(async (dir) => {
      const path = `${dir}/d.sock`;
      staleSocket(path); // a stale file from a crashed datagram server is replaced too
      const srv = startToolkit(["--json", "unix-listen", "--datagram", "--echo", "-c", "2", path]);
      await srv.waitForStderr(/"event":"listening"/);
      const a = await runToolkit(["unix-send", "--datagram", "--wait-reply", path, "我是客户端"]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.stdout, "我是客户端");
      const b = await runToolkit(["unix-send", "-u", path], { stdin: new Uint8Array([0, 255]) });
      assert.equal(b.code, 0, b.stderr);
      const r = await srv.finish();
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(lines.map((l) => [l.size, l.text, l.hex]), [
        [15, "我是客户端", "e6 88 91 e6 98 af e5 ae a2 e6 88 b7 e7 ab af"],
        [2, null, "00 ff"],
      ]);
      assert.match(lines[0].remote, /\/client\.sock$/);
      assert.equal(exists(path), false);
      const leftovers = [...Deno.readDirSync("/tmp")].filter((e) =>
        e.name.startsWith("toolkit-dgram-") && lines.some((l) => l.remote.includes(e.name))
      );
      assert.deepEqual(leftovers, [], "temporary client directories left behind");

      // The course's way, with SOCK_DGRAM: a Python server answers unix-send.
      const py = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('ready', flush=True)
msg, addr = s.recvfrom(1024)
print(msg.decode('utf-8'), flush=True)
s.sendto(bytes('我是服务端', 'utf-8'), addr)
s.close()
`;
      const server = new Deno.Command("python3", {
        args: ["-c", py, `${dir}/py.sock`],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("ready\n")) out += (await reader.read()).value ?? "";
      const c = await runToolkit(["unix-send", "-u", "-w", `${dir}/py.sock`, "我是客户端"]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, "我是服务端");
      for (let chunk; !(chunk = await reader.read()).done;) out += chunk.value;
      await server.status;
      await server.stderr.cancel();
      assert.equal(out, "ready\n我是客户端\n");

      const none = await runToolkit([
        "unix-send",
        "-u",
        "-w",
        "-t",
        "200ms",
        `${dir}/py.sock`,
        "x",
      ]);
      // Python leaves its socket file behind; nobody is bound to it any more.
      assert.equal(none.code, 3, none.stderr);
      assert.equal(none.stderr, `toolkit: error: connection refused (${dir}/py.sock)\n`);
      const bad = await runToolkit(["unix-listen", "--hex", path]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^toolkit: error: --hex needs --datagram\n/);
    }),
);

Deno.test(
  "a socket path that leads elsewhere says what it is; a socket of the other kind says so",
  opts,
  () =>
    withDir(async (dir) => {
      Deno.symlinkSync(`${dir}/loop-b`, `${dir}/loop-a`);
      Deno.symlinkSync(`${dir}/loop-a`, `${dir}/loop-b`);
      Deno.symlinkSync(`${dir}/nothing`, `${dir}/dangling`);
      const cases: [string, string][] = [
        [`${dir}/loop-a`, "is a symbolic link loop"],
        [`${dir}/dangling`, `is a dangling symbolic link to ${dir}/nothing`],
        ["/dev/null", "is a character device, not a socket"],
      ];
      for (const [path, words] of cases) {
        for (const args of [["unix-connect", path], ["unix-send", "-u", path, "x"]]) {
          const r = await runToolkit(args, { stdin: "" });
          assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
          assert.equal(r.stderr, `toolkit: error: ${words} (${path})\n`);
        }
      }
      // A stream socket given --datagram, a datagram socket without it (EPROTOTYPE): exit 2.
      const stream = Deno.listen({ transport: "unix", path: `${dir}/stream.sock` });
      const dgram = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/dgram.sock` });
      try {
        const toStream = await runToolkit(["unix-send", "-u", `${dir}/stream.sock`, "x"]);
        assert.equal(toStream.code, 2, toStream.stderr);
        assert.equal(
          toStream.stderr,
          `toolkit: error: is a stream socket: leave out --datagram (${dir}/stream.sock)\n`,
        );
        for (
          const args of [["unix-send", `${dir}/dgram.sock`, "x"], [
            "unix-connect",
            `${dir}/dgram.sock`,
          ]]
        ) {
          const r = await runToolkit(args, { stdin: "" });
          assert.equal(r.code, 2, r.stderr);
          assert.equal(
            r.stderr,
            `toolkit: error: is a datagram socket: send to it with unix-send --datagram (${dir}/dgram.sock)\n`,
          );
        }
        // A symbolic link to a socket is followed, as connect(2) follows it.
        Deno.symlinkSync(`${dir}/dgram.sock`, `${dir}/to-dgram`);
        const linked = await runToolkit(["unix-send", "-u", `${dir}/to-dgram`, "via a link"]);
        assert.equal(linked.code, 0, linked.stderr);
        const [got] = await dgram.receive();
        assert.equal(dec.decode(got), "via a link");
      } finally {
        stream.close();
        dgram.close();
      }
    }),
);
