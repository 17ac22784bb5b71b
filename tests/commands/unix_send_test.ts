// unix-send as a real process: --wait-reply against unix-listen --echo with relative paths, and
// --datagram against unix-listen and a Python SOCK_DGRAM peer, paths that lead elsewhere or to a
// socket of the other kind, --help; and its parse in process.
import assert from "#assert";
import { runToolkit, startToolkit } from "../_support/harness.ts";
import { exists, pathsLeadingElsewhere, staleSocket, withDir } from "../_support/socket_dirs.ts";
import { assertHelpUsage } from "../_support/usage_checks.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import unixSend from "../../lib/commands/unix_send.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const dec = new TextDecoder();

const opts = { sanitizeOps: false, sanitizeResources: false };

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
  "a socket path that leads elsewhere says what it is; a socket of the other kind says so; a link to a socket is followed",
  opts,
  () =>
    withDir(async (dir) => {
      for (const [path, words] of pathsLeadingElsewhere(dir)) {
        const r = await runToolkit(["unix-send", "-u", path, "x"], { stdin: "" });
        assert.equal(r.code, 2, `unix-send -u ${path} x: ${r.stderr}`);
        assert.equal(r.stderr, `toolkit: error: ${words} (${path})\n`);
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
        const r = await runToolkit(["unix-send", `${dir}/dgram.sock`, "x"], { stdin: "" });
        assert.equal(r.code, 2, r.stderr);
        assert.equal(
          r.stderr,
          `toolkit: error: is a datagram socket: send to it with unix-send --datagram (${dir}/dgram.sock)\n`,
        );
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

Deno.test("unix-send --help", async () => {
  await assertHelpUsage("unix-send");
});

Deno.test("unix-send parse: defaults, --wait-reply and --datagram; a second DATA word is refused", () => {
  assert.deepEqual(unixSend.parse(["/tmp/s.sock", "hi"], noGlobals), {
    path: "/tmp/s.sock",
    datagram: false,
    data: new TextEncoder().encode("hi"),
    file: undefined,
    hex: false,
    waitReply: false,
    timeoutMs: 5000,
    verbose: false,
    json: false,
  });
  const o = unixSend.parse(["-w", "--datagram", "-t", "1s", "/tmp/s.sock", "hi"], noGlobals);
  assert.deepEqual([o.waitReply, o.datagram, o.timeoutMs], [true, true, 1000]);
  assert.throws(
    () => unixSend.parse(["/tmp/s.sock", "a", "b"], noGlobals),
    UsageError,
    'unexpected argument "b"',
  );
});
