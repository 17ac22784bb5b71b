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
 * serveFailure(new Deno.errors.NotConnected("Transport endpoint is not connected (os error 107)"))?.kind; // "peer"
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
 * const backoff = new DescriptorBackoff();
 * backoff.next(); // 5
 * backoff.next(); // 10
 * backoff.reset();
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
 * const got = await retryServing(() => sock.receive(), { signal });
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
 * const conn = await retryOutOfDescriptors(() => Deno.connect({ port: 9000 }), { signal });
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
 * const conn = await acceptConn(listener, { signal, onFailure: (f) => console.error(f.message) });
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
 * for await (const conn of acceptConns(listener, { signal })) handle(conn);
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
