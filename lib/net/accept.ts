// Accepting and receiving the way a long-running server must: a failure that concerns one peer
// (a connection reset or aborted before it was accepted, an ICMP error surfacing on a UDP socket)
// is reported and skipped, and running out of file descriptors waits and retries with Go
// net/http's backoff (5 ms doubling to 1 s) instead of ending the server.

/** Why an accept or receive failed without the server being at fault. */
export interface ServeFailure {
  /** `peer`: that one peer is lost, carry on; `descriptors`: out of descriptors, retry later. */
  kind: "peer" | "descriptors";
  /** The errno name (`ECONNABORTED`, `ENOTCONN`, `EMFILE`, `ECONNREFUSED`, ...). */
  code: string;
  /** What happened, in words a user of nc knows. */
  message: string;
  /** For `descriptors`: how long until the next attempt. */
  retryInMs?: number;
  cause: unknown;
}

/** Options for {@linkcode acceptConn} and {@linkcode acceptConns}. */
export interface AcceptOptions {
  /** Stops waiting: the accept resolves `null`. */
  signal?: AbortSignal;
  /** Told about each failure that was skipped or is being waited out. */
  onFailure?: (failure: ServeFailure) => void | Promise<void>;
}

/**
 * Errors of `accept(2)` and of Deno's `getpeername` right after it that concern only the connection
 * being accepted. Linux passes network errors pending on the new socket out of `accept`; its man
 * page says to treat them like EAGAIN. Deno reads the peer address of a connection reset while it
 * waited in the backlog and fails with ENOTCONN.
 */
const peerCodes: Record<string, string> = {
  ECONNABORTED: "connection aborted before it was accepted",
  ECONNRESET: "connection reset before it was accepted",
  ENOTCONN: "connection reset before it was accepted",
  EPROTO: "protocol error on a connection before it was accepted",
  EPERM: "connection refused by a firewall rule before it was accepted",
  ENETDOWN: "network down before a connection was accepted",
  ENOPROTOOPT: "protocol not available for a connection before it was accepted",
  EHOSTDOWN: "host down before a connection was accepted",
  ENONET: "machine not on the network before a connection was accepted",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EOPNOTSUPP: "operation not supported on a connection before it was accepted",
  EINTR: "interrupted",
  // What an ICMP error reported to a UDP socket looks like on the next receive.
  ECONNREFUSED: "connection refused (an ICMP port unreachable)",
};

/** Running out of descriptors or kernel memory: the next attempt may well succeed. */
const descriptorCodes: Record<string, string> = {
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENOBUFS: "no buffer space available",
  ENOMEM: "out of memory",
};

const byClass: [new (...args: never[]) => Error, string][] = [
  [Deno.errors.ConnectionAborted, "ECONNABORTED"],
  [Deno.errors.ConnectionReset, "ECONNRESET"],
  [Deno.errors.NotConnected, "ENOTCONN"],
  [Deno.errors.ConnectionRefused, "ECONNREFUSED"],
  [Deno.errors.Interrupted, "EINTR"],
];

/** First wait after running out of descriptors (net/http's `tempDelay` starts at 5 ms). */
export const backoffFirstMs = 5;
/** The longest wait between attempts. */
export const backoffMaxMs = 1000;

/**
 * Classifies an error of `accept` or `receive`: a {@linkcode ServeFailure} when the server should
 * carry on, `undefined` when the error is the server's own (a closed socket, a denied permission).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveFailure } from "./accept.ts";
 *
 * const reset = new Deno.errors.NotConnected("Transport endpoint is not connected (os error 107)");
 * assert.equal(serveFailure(reset)?.kind, "peer");
 * assert.equal(serveFailure(reset)?.message, "connection reset before it was accepted");
 * const emfile = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
 * assert.equal(serveFailure(emfile)?.kind, "descriptors");
 * // The server's own trouble: not for it to ride out.
 * assert.equal(serveFailure(new Deno.errors.BadResource("closed")), undefined);
 * ```
 */
export function serveFailure(err: unknown): Omit<ServeFailure, "retryInMs"> | undefined {
  if (!(err instanceof Error) || err instanceof Deno.errors.NotCapable) return undefined;
  const raw = (err as { code?: unknown }).code;
  const code = typeof raw === "string" ? raw : byClass.find(([cls]) => err instanceof cls)?.[1];
  if (code === undefined) return undefined;
  if (code in peerCodes) return { kind: "peer", code, message: peerCodes[code], cause: err };
  if (code in descriptorCodes) {
    return { kind: "descriptors", code, message: descriptorCodes[code], cause: err };
  }
  return undefined;
}

/**
 * Go net/http's `tempDelay` for running out of descriptors: 5 ms, doubling, at most 1 s; it starts
 * over after a success.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DescriptorBackoff } from "./accept.ts";
 *
 * const backoff = new DescriptorBackoff();
 * assert.equal(backoff.next(), 5);
 * assert.equal(backoff.next(), 10);
 * for (let i = 0; i < 10; i++) backoff.next();
 * assert.equal(backoff.next(), 1000);
 * backoff.reset();
 * assert.equal(backoff.next(), 5);
 * ```
 */
export class DescriptorBackoff {
  #delay = 0;

  /** The next wait, in milliseconds. */
  next(): number {
    this.#delay = this.#delay === 0 ? backoffFirstMs : Math.min(this.#delay * 2, backoffMaxMs);
    return this.#delay;
  }

  /** Starts over (after a success). */
  reset(): void {
    this.#delay = 0;
  }
}

/** Waits `ms`, or less if `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, skipping peer failures and waiting out descriptor exhaustion
 * (5 ms, doubling, at most 1 s; the wait starts over after a success, as in net/http). Resolves
 * `null` when `signal` aborts or the socket is closed (`BadResource`); other errors are thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryServing, type ServeFailure } from "./accept.ts";
 *
 * // The first receive fails the way an ICMP port unreachable surfaces; the next one succeeds.
 * const failures: ServeFailure[] = [];
 * let attempts = 0;
 * const got = await retryServing(
 *   () => {
 *     if (++attempts === 1) return Promise.reject(new Deno.errors.ConnectionRefused("refused"));
 *     return Promise.resolve("datagram");
 *   },
 *   { onFailure: (f) => void failures.push(f) },
 * );
 * assert.equal(got, "datagram");
 * assert.deepEqual(failures.map((f) => f.code), ["ECONNREFUSED"]);
 * // A closed socket ends the loop with null.
 * assert.equal(await retryServing(() => Promise.reject(new Deno.errors.BadResource())), null);
 * ```
 */
export async function retryServing<T>(
  attempt: () => Promise<T>,
  options: AcceptOptions = {},
): Promise<T | null> {
  const backoff = new DescriptorBackoff();
  for (;;) {
    if (options.signal?.aborted) return null;
    try {
      return await attempt();
    } catch (err) {
      if (options.signal?.aborted || err instanceof Deno.errors.BadResource) return null;
      const failure = serveFailure(err);
      if (!failure) throw err;
      if (failure.kind === "peer") {
        await options.onFailure?.(failure);
        continue;
      }
      const delay = backoff.next();
      await options.onFailure?.({ ...failure, retryInMs: delay });
      await pause(delay, options.signal);
    }
  }
}

/**
 * Runs `attempt` (a connect) until it succeeds or fails for another reason than running out of
 * descriptors or kernel memory, waiting as {@linkcode retryServing} does between tries (5 ms
 * doubling to 1 s): a client that opens many sockets at once (a port scan) slows down to what
 * `ulimit -n` allows instead of failing. The failure may come wrapped (a `NetError` whose `cause`
 * is the system's error). Other errors, and any error once `signal` aborts, are thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryOutOfDescriptors } from "./accept.ts";
 *
 * // Out of descriptors twice, then the connect goes through; the waits are 5 and 10 ms.
 * const waits: number[] = [];
 * let attempts = 0;
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using conn = await retryOutOfDescriptors(
 *   () => {
 *     if (++attempts <= 2) {
 *       const err = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
 *       return Promise.reject(err);
 *     }
 *     return Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 *   },
 *   { onFailure: (f) => void waits.push(f.retryInMs!) },
 * );
 * assert.deepEqual(waits, [5, 10]);
 * assert.equal(conn.remoteAddr.port, listener.addr.port);
 * ```
 */
export async function retryOutOfDescriptors<T>(
  attempt: () => Promise<T>,
  options: AcceptOptions = {},
): Promise<T> {
  const backoff = new DescriptorBackoff();
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
      const failure = serveFailure(cause) ?? serveFailure(err);
      if (failure?.kind !== "descriptors" || options.signal?.aborted) throw err;
      const delay = backoff.next();
      await options.onFailure?.({ ...failure, retryInMs: delay });
      await pause(delay, options.signal);
    }
  }
}

/**
 * Accepts the next connection, riding out failures that are not the listener's own (see
 * {@linkcode retryServing}). `null` once the listener is closed or `signal` aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptConn } from "./accept.ts";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const conn = await acceptConn(listener, { onFailure: (f) => console.error(f.message) });
 * assert.equal(conn?.remoteAddr.port, client.localAddr.port);
 * conn?.close();
 * listener.close();
 * assert.equal(await acceptConn(listener), null); // closed: no more connections
 * ```
 */
export function acceptConn<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  options: AcceptOptions = {},
): Promise<C | null> {
  return retryServing(() => listener.accept(), options);
}

/**
 * Connection after connection from `listener` until it is closed or `signal` aborts: a drop-in
 * for `for await (const conn of listener)` that a reset burst or descriptor exhaustion cannot end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptConns } from "./accept.ts";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const controller = new AbortController();
 * const clients = [0, 1].map(() => Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }));
 * let accepted = 0;
 * for await (const conn of acceptConns(listener, { signal: controller.signal })) {
 *   conn.close();
 *   if (++accepted === 2) controller.abort();
 * }
 * assert.equal(accepted, 2);
 * for (const client of await Promise.all(clients)) client.close();
 * listener.close();
 * ```
 */
export async function* acceptConns<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  options: AcceptOptions = {},
): AsyncGenerator<C> {
  for (;;) {
    const conn = await acceptConn(listener, options);
    if (conn === null) return;
    yield conn;
  }
}
