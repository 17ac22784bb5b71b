// The sockets a drill session owns: stream connections whose bytes a background reader buffers
// for `expect`, UDP sockets whose datagrams queue up for `udp-expect`, and listeners that serve
// by themselves (echo, scripted replies) or hand connections to `accept`. Each closes quietly
// when the session ends, whatever state it is in.
import { formatHostPort, type HostPort } from "../net/address.ts";
import { acceptConns, retryServing } from "../net/accept.ts";
import { netErrorFrom } from "../net/errors.ts";
import { activeScope, bindsInScope, localBindFor } from "../scope/mod.ts";
import { payloadBytes } from "./payload.ts";
import type { ListenStep } from "./schema.ts";
import { canonicalHost } from "./tcp_states.ts";

/**
 * The local address a UDP socket toward `target` binds: inside the drill's scope (lib/scope), or
 * 127.0.0.1 when there is no target yet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientBind } from "./sockets.ts";
 *
 * assert.equal(clientBind(undefined), "127.0.0.1");
 * assert.equal(clientBind({ host: "127.0.0.1", port: 9000, family: "ipv4" }), "127.0.0.1");
 * ```
 */
export function clientBind(target: HostPort | undefined): string {
  if (!target) return "127.0.0.1";
  return localBindFor(target.host, bindsInScope(activeScope()));
}

/**
 * Wakes waiters when a socket's state changes, and times their waits out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Changes } from "./sockets.ts";
 *
 * const changes = new Changes();
 * let count = 0;
 * const reached = changes.wait(() => (count >= 2 ? count : undefined), 1000);
 * count = 2;
 * changes.notify();
 * assert.equal(await reached, 2);
 * assert.equal(await changes.wait(() => undefined, 10), undefined); // timed out
 * ```
 */
export class Changes {
  #waiters = new Set<() => void>();
  /** Lets every waiter check again. */
  notify(): void {
    for (const w of [...this.#waiters]) w();
  }
  /** The first value `check` returns other than `undefined`, or `undefined` at the timeout. */
  wait<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const run = () => {
        const v = check();
        if (v !== undefined) done(v);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (v: T | undefined) => {
        clearTimeout(timer);
        this.#waiters.delete(run);
        resolve(v);
      };
      this.#waiters.add(run);
      run();
    });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Closes a socket or listener that may be closed already. */
function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch { /* already closed */ }
}

/**
 * Writes all of `data` to `conn`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAll } from "./sockets.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using server = await listener.accept();
 * await writeAll(client, new Uint8Array(100_000));
 * client.closeWrite();
 * const received = await new Response(server.readable).arrayBuffer();
 * assert.equal(received.byteLength, 100_000);
 * ```
 */
export async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
}

/**
 * A socket address as reports show it: `HOST:PORT` (IPv6 in brackets) or a Unix socket's path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeAddr } from "./sockets.ts";
 *
 * const mapped = { transport: "tcp", hostname: "::ffff:127.0.0.1", port: 80 } as const;
 * assert.equal(describeAddr(mapped), "127.0.0.1:80");
 * assert.equal(describeAddr({ transport: "udp", hostname: "::1", port: 53 }), "[::1]:53");
 * assert.equal(describeAddr({ transport: "unix", path: "/tmp/app.sock" }), "/tmp/app.sock");
 * ```
 */
export function describeAddr(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return formatHostPort(canonicalHost(addr.hostname), addr.port);
  }
  return (addr as Deno.UnixAddr).path ?? "unix";
}

/**
 * A stream connection with everything received so far buffered by a background reader.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamConn } from "./sockets.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const conn = new StreamConn(await listener.accept());
 * try {
 *   await client.write(new TextEncoder().encode("hello"));
 *   client.close();
 *   assert.equal(await conn.changes.wait(() => (conn.eof ? true : undefined), 2000), true);
 *   assert.equal(new TextDecoder().decode(conn.buffer), "hello");
 *   assert.equal(conn.endedBy(), "the stream ended");
 *   conn.consume(2);
 *   assert.equal(new TextDecoder().decode(conn.buffer), "llo");
 * } finally {
 *   conn.close();
 * }
 * ```
 */
export class StreamConn {
  /** Received and not consumed yet. */
  buffer: Uint8Array = new Uint8Array(0);
  /** The peer ended the stream, or reading failed (then `error` says why). */
  eof = false;
  error?: unknown;
  closed = false;
  readonly changes = new Changes();
  readonly local: string;
  readonly remote: string;
  constructor(readonly conn: Deno.Conn) {
    this.local = describeAddr(conn.localAddr);
    this.remote = describeAddr(conn.remoteAddr);
    this.#pump();
  }
  async #pump() {
    const chunk = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        this.buffer = concat(this.buffer, chunk.subarray(0, n));
        this.changes.notify();
      }
    } catch (err) {
      if (!this.closed) this.error = err;
    }
    this.eof = true;
    this.changes.notify();
  }
  /** How the stream ended, for failure messages: a clean FIN or an error such as a reset. */
  endedBy(): string {
    if (!this.error) return "the stream ended";
    const failure = netErrorFrom(this.error, this.remote);
    return `the connection failed (${(failure as Error).message ?? failure})`;
  }
  /** Drops the first `n` bytes of the buffer: an expect used them. */
  consume(n: number): void {
    this.buffer = this.buffer.slice(n);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.conn);
  }
}

/** One datagram received, and from where. */
export interface Datagram {
  data: Uint8Array;
  from: Deno.NetAddr;
}

/**
 * How a UDP `listen` step serves by itself: echo, or the n-th datagram gets the n-th reply;
 * `undefined` when later steps do the serving (`udp-expect`, `udp-send`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { udpReplies } from "./sockets.ts";
 *
 * const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
 * try {
 *   assert.equal(udpReplies(sock, { as: "u", proto: "udp" }), undefined);
 *   assert.equal(typeof udpReplies(sock, { as: "u", proto: "udp", reply: "echo" }), "function");
 * } finally {
 *   sock.close();
 * }
 * ```
 */
export function udpReplies(
  sock: Deno.DatagramConn,
  step: ListenStep,
): ((d: Datagram) => Promise<void>) | undefined {
  const replies = (step.replies ?? []).map(payloadBytes);
  let next = 0;
  return step.reply === "echo"
    ? async (d: Datagram) => void (await sock.send(d.data, d.from))
    : step.replies
    ? async (d: Datagram) => {
      if (next < replies.length) await sock.send(replies[next++], d.from);
    }
    : undefined;
}

/**
 * A UDP socket whose datagrams queue up for `udp-expect`, unless `serve` (a reply mode) serves
 * them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UdpSocket } from "./sockets.ts";
 *
 * const loopback = { transport: "udp", hostname: "127.0.0.1", port: 0 } as const;
 * const socket = new UdpSocket(Deno.listenDatagram(loopback));
 * const sender = Deno.listenDatagram(loopback);
 * try {
 *   await sender.send(new TextEncoder().encode("ping"), socket.sock.addr);
 *   const got = await socket.changes.wait(() => socket.queue.shift(), 2000);
 *   assert.equal(new TextDecoder().decode(got?.data), "ping");
 *   assert.equal(got?.from.port, (sender.addr as Deno.NetAddr).port);
 * } finally {
 *   sender.close();
 *   socket.close();
 * }
 * ```
 */
export class UdpSocket {
  /** Datagrams received and not expected yet. */
  queue: Datagram[] = [];
  /** The sender of the last datagram expected: where a `udp-send` without `to` goes. */
  lastFrom?: Deno.NetAddr;
  closed = false;
  readonly changes = new Changes();
  constructor(
    readonly sock: Deno.DatagramConn,
    serve?: (d: Datagram) => Promise<void>,
    readonly onError: (err: unknown) => void = () => {},
  ) {
    this.#pump(serve);
  }
  async #pump(serve?: (d: Datagram) => Promise<void>) {
    try {
      for (;;) {
        // An ICMP error surfacing on the socket is one peer's, not the end of this socket.
        const got = await retryServing(() => this.sock.receive());
        if (got === null) break;
        const [data, addr] = got;
        const d = { data, from: addr as Deno.NetAddr };
        if (serve) await serve(d).catch(this.onError);
        else {
          this.queue.push(d);
          this.changes.notify();
        }
      }
    } catch { /* closed */ }
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.sock);
  }
}

/**
 * A TCP or Unix listener, either serving by itself (the step's `reply` or `replies`) or handing
 * connections to `accept`. Closing it closes the connections it serves too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamListener } from "./sockets.ts";
 *
 * const echo = new StreamListener(Deno.listen({ hostname: "127.0.0.1", port: 0 }), {
 *   as: "echo",
 *   reply: "echo",
 * });
 * try {
 *   const { port } = echo.listener.addr as Deno.NetAddr;
 *   using client = await Deno.connect({ hostname: "127.0.0.1", port });
 *   await client.write(new TextEncoder().encode("hi"));
 *   await client.closeWrite();
 *   assert.equal(await new Response(client.readable).text(), "hi");
 * } finally {
 *   echo.close();
 * }
 * ```
 */
export class StreamListener {
  readonly served = new Set<Deno.Conn>();
  closed = false;
  constructor(
    readonly listener: Deno.Listener,
    readonly step: ListenStep,
    readonly onError: (err: unknown) => void = () => {},
  ) {
    if (step.reply || step.replies) this.#serve();
  }
  async #serve() {
    try {
      // A client that resets before it is accepted, or a moment out of descriptors, is ridden
      // out: the drill's server keeps serving.
      for await (const conn of acceptConns(this.listener)) {
        this.served.add(conn);
        this.#handle(conn).finally(() => this.served.delete(conn));
      }
    } catch { /* closed */ }
  }
  async #handle(conn: Deno.Conn) {
    const buf = new Uint8Array(65536);
    const replies = (this.step.replies ?? []).map(payloadBytes);
    let next = 0;
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) {
          if (this.step.reply === "echo") await conn.closeWrite();
          break;
        }
        if (this.step.reply === "echo") {
          await writeAll(conn, buf.slice(0, n));
        } else if (next < replies.length) {
          await writeAll(conn, replies[next++]);
          if (next === replies.length) {
            const then = this.step.then ?? "close";
            if (then === "close") break;
            if (then === "close-write") await conn.closeWrite();
          }
        }
      }
    } catch (err) {
      if (!this.closed) this.onError(err);
    }
    closeQuietly(conn);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.listener);
    for (const c of this.served) {
      closeQuietly(c);
    }
  }
}
