// unix-connect as a real process: nothing at the path (exit 2), a stale socket (exit 3), outside
// --net (exit 4, the test's own listener sees nothing), paths that lead elsewhere or to a socket of
// the other kind, a path that reads as a port, --help; and its parse in process. Transfers with unix-listen are in unix_listen_test.ts.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { exists, pathsLeadingElsewhere, staleSocket, withDir } from "../_support/socket_dirs.ts";
import { assertHelpUsage } from "../_support/usage_checks.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import unixConnect from "../../lib/commands/unix_connect.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

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

Deno.test(
  "a socket path that leads elsewhere says what it is; a datagram socket says to use unix-send --datagram",
  opts,
  () =>
    withDir(async (dir) => {
      for (const [path, words] of pathsLeadingElsewhere(dir)) {
        const r = await runToolkit(["unix-connect", path], { stdin: "" });
        assert.equal(r.code, 2, `unix-connect ${path}: ${r.stderr}`);
        assert.equal(r.stderr, `toolkit: error: ${words} (${path})\n`);
      }
      // A datagram socket (EPROTOTYPE): exit 2.
      const dgram = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/dgram.sock` });
      try {
        const r = await runToolkit(["unix-connect", `${dir}/dgram.sock`], { stdin: "" });
        assert.equal(r.code, 2, r.stderr);
        assert.equal(
          r.stderr,
          `toolkit: error: is a datagram socket: send to it with unix-send --datagram (${dir}/dgram.sock)\n`,
        );
      } finally {
        dgram.close();
      }
    }),
);

Deno.test("unix-connect --help; a path that reads as a port is one error line and exit 2", async () => {
  await assertHelpUsage("unix-connect");
  const r = await runToolkit(["unix-connect", "9000"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `toolkit: error: cannot use "9000" as a socket path: it reads as a port or address (write ./9000)\nTry 'toolkit unix-connect --help'\n`,
  );
});

Deno.test("unix-connect parse: defaults, --crlf and --timeout; a missing path is refused", () => {
  assert.deepEqual(unixConnect.parse(["/tmp/s.sock"], noGlobals), {
    path: "/tmp/s.sock",
    crlf: false,
    halfClose: true,
    timeoutMs: undefined,
    verbose: false,
    json: false,
  });
  const o = unixConnect.parse(["--crlf", "--no-half-close", "-t", "1s", "/tmp/s.sock"], noGlobals);
  assert.deepEqual([o.crlf, o.halfClose, o.timeoutMs], [true, false, 1000]);
  assert.throws(() => unixConnect.parse([], noGlobals), UsageError, "expected PATH");
});
