// lib/net/accept.ts and the socket-file removal of lib/net/unix.ts on their own: which failures a
// server rides out, the net/http backoff on descriptor exhaustion, the accept loop against real
// connections reset before they are accepted, and a Unix socket file gone the moment the signal
// aborts, while an accept is still pending.
import assert from "#assert";
import {
  acceptConn,
  acceptConns,
  retryServing,
  type ServeFailure,
  serveFailure,
} from "../../lib/net/accept.ts";
import { listenUnix } from "../../lib/net/unix.ts";
import { resetBurst } from "../_support/stream_clients.ts";

/** An OS error as Deno raises it: the class it maps to (or `Error`) with the errno name. */
function osError(code: string, cls: new (m: string) => Error = Error): Error {
  return Object.assign(new cls(`${code} (os error)`), { code });
}

Deno.test("serveFailure: a peer's failure, descriptor exhaustion, or the server's own error", () => {
  const peer = [
    osError("ECONNABORTED", Deno.errors.ConnectionAborted),
    osError("ENOTCONN", Deno.errors.NotConnected),
    osError("ECONNRESET", Deno.errors.ConnectionReset),
    osError("ECONNREFUSED", Deno.errors.ConnectionRefused),
    osError("EPROTO"),
    osError("EHOSTUNREACH"),
    new Deno.errors.NotConnected("no code, known by its class"),
  ];
  for (const e of peer) assert.equal(serveFailure(e)?.kind, "peer", e.message);
  for (const code of ["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]) {
    assert.equal(serveFailure(osError(code))?.kind, "descriptors", code);
  }
  assert.equal(serveFailure(osError("EMFILE"))?.message, "too many open files");
  assert.equal(
    serveFailure(osError("ENOTCONN"))?.message,
    "connection reset before it was accepted",
  );
  // The server's own trouble is not ridden out.
  for (
    const e of [
      new Deno.errors.BadResource("closed"),
      new Deno.errors.NotCapable('Requires net access to "127.0.0.1:9"'),
      osError("EINVAL", TypeError),
      new TypeError("a bug"),
      "not an error",
    ]
  ) {
    assert.equal(serveFailure(e), undefined, String(e));
  }
});

Deno.test("retryServing: skips peer failures, backs off 5 ms doubling to 1 s, starts over", async () => {
  const script = ["ENOTCONN", "EMFILE", "EMFILE", "EMFILE", "ok", "EMFILE", "ok"];
  const failures: ServeFailure[] = [];
  let i = 0;
  const attempt = () => {
    const step = script[i++];
    return step === "ok" ? Promise.resolve(i) : Promise.reject(osError(step));
  };
  const started = performance.now();
  assert.equal(await retryServing(attempt, { onFailure: (f) => void failures.push(f) }), 5);
  assert.ok(performance.now() - started >= 5 + 10 + 20 - 3, "it waited between attempts");
  assert.equal(await retryServing(attempt, { onFailure: (f) => void failures.push(f) }), 7);
  assert.deepEqual(
    failures.map((f) => [f.code, f.kind, f.retryInMs]),
    [
      ["ENOTCONN", "peer", undefined],
      ["EMFILE", "descriptors", 5],
      ["EMFILE", "descriptors", 10],
      ["EMFILE", "descriptors", 20],
      ["EMFILE", "descriptors", 5],
    ],
  );
  // The longest wait is 1 s; an abort ends the wait at once with null.
  const controller = new AbortController();
  const waits: number[] = [];
  const exhausted = retryServing(() => Promise.reject(osError("ENFILE")), {
    signal: controller.signal,
    onFailure: (f) => {
      waits.push(f.retryInMs!);
      if (waits.length === 9) controller.abort();
    },
  });
  // 5 + ... + 640 ms of waiting before the ninth failure.
  assert.equal(await exhausted, null);
  assert.deepEqual(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1000]);
  // Anything else is thrown.
  await assert.rejects(() => retryServing(() => Promise.reject(new TypeError("bug"))), TypeError);
});

Deno.test({
  name: "acceptConns: connections reset in the backlog are skipped, the next one is accepted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const target = { transport: "tcp" as const, hostname: "127.0.0.1", port: listener.addr.port };
    try {
      // Nothing accepts yet: all 20 are reset while they wait in the backlog.
      assert.equal(await resetBurst(target, 20), 20);
      const good = await Deno.connect({ hostname: "127.0.0.1", port: target.port });
      const failures: ServeFailure[] = [];
      const conns = acceptConns(listener, { onFailure: (f) => void failures.push(f) });
      const first = await conns.next();
      assert.equal(first.done, false);
      const conn = first.value as Deno.TcpConn;
      assert.equal(conn.remoteAddr.port, good.localAddr.port, "the good client was accepted");
      assert.equal(failures.length, 20);
      assert.ok(failures.every((f) => f.kind === "peer"));
      conn.close();
      good.close();
      // A closed listener ends the loop, as `for await (const c of listener)` does.
      listener.close();
      assert.equal((await conns.next()).done, true);
      assert.equal(await acceptConn(listener), null);
    } finally {
      try {
        listener.close();
      } catch { /* closed */ }
    }
  },
});

Deno.test({
  name: "listenUnix with a signal: the socket file is gone inside the abort, accept pending",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "toolkit-accept-" });
    try {
      const controller = new AbortController();
      const unix = await listenUnix(`${dir}/s.sock`, { signal: controller.signal });
      const pending = unix.listener.accept().catch((e) => e);
      assert.ok(Deno.lstatSync(unix.path).isSocket);
      controller.abort();
      // Synchronously after abort(): Deno itself would unlink only once the accept has settled.
      assert.throws(() => Deno.lstatSync(unix.path), Deno.errors.NotFound);
      assert.ok(await pending instanceof Deno.errors.BadResource);
      unix.close(); // a second close is harmless
      // Already aborted: the socket is closed and its file removed straight away.
      const late = await listenUnix(`${dir}/late.sock`, { signal: controller.signal });
      assert.throws(() => Deno.lstatSync(late.path), Deno.errors.NotFound);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
