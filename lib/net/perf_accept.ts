// An accept loop that hostile or unlucky clients cannot end: a failed accept (a connection reset
// or aborted before it was taken, descriptors run out) is reported and the loop goes on, backing
// off on descriptor exhaustion as Go's net/http does (5 ms, doubling, at most 1 s). Only closing
// the listener (or the signal) ends it.

/** An accept that failed, and how long the loop waits before the next one. */
export interface AcceptFailure {
  error: Error;
  /** The errno name when Deno gives one (EMFILE, ENFILE, ECONNABORTED...). */
  code?: string;
  /** 0 for a failure that says nothing about the next accept (a reset). */
  retryInMs: number;
}

/** Errors that mean "out of descriptors or memory": waiting is what helps. */
const exhaustion = /^(EMFILE|ENFILE|ENOBUFS|ENOMEM)$/;
/**
 * Errors about one connection only: the next accept is fine. ENOTCONN is what Deno's accept
 * gives for a connection reset before it was taken (its getpeername fails).
 */
const oneConnection =
  /^(ECONNABORTED|ECONNRESET|ENOTCONN|EPROTO|EPERM|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/;

/** Failures in a row, not known to be about one connection, before the loop starts backing off. */
const patience = 100;

function errorCode(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") return code;
  if (/too many open files/i.test(err.message)) return "EMFILE";
  if (err instanceof Deno.errors.ConnectionReset) return "ECONNRESET";
  if (err instanceof Deno.errors.ConnectionAborted) return "ECONNABORTED";
  if (err instanceof Deno.errors.NotConnected) return "ENOTCONN";
  return undefined;
}

function listenerClosed(err: unknown): boolean {
  return err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted;
}

/**
 * Accepts connections until the listener is closed or `signal` aborts, handing each to `onConn`
 * (which must not throw; it runs concurrently). Resolves when the loop ends.
 *
 * @example
 * ```ts
 * await acceptLoop(listener, (conn) => void serve(conn), {
 *   signal, onError: (f) => console.error(f.error.message),
 * });
 * ```
 */
export async function acceptLoop<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  onConn: (conn: C) => void,
  options: { signal?: AbortSignal; onError?: (failure: AcceptFailure) => void | Promise<void> },
): Promise<void> {
  let backoff = 0;
  let inARow = 0;
  const signal = options.signal;
  while (!signal?.aborted) {
    let conn: C;
    try {
      conn = await listener.accept();
    } catch (err) {
      if (signal?.aborted || listenerClosed(err)) return;
      const error = err instanceof Error ? err : new Error(String(err));
      const code = errorCode(error);
      // Exhaustion backs off at once; a failure of one connection never; an unknown one after a
      // run of them, so a persistent failure cannot spin the loop.
      inARow++;
      const exhausted = code !== undefined && exhaustion.test(code);
      const aboutOne = code !== undefined && oneConnection.test(code);
      const wait = exhausted || (!aboutOne && inARow > patience);
      backoff = !wait ? 0 : backoff === 0 ? 5 : Math.min(backoff * 2, 1000);
      await options.onError?.({ error, code, retryInMs: backoff });
      if (backoff > 0) await pause(backoff, signal);
      continue;
    }
    if (signal?.aborted) {
      try {
        conn.close();
      } catch { /* closed */ }
      return;
    }
    backoff = 0;
    inARow = 0;
    onConn(conn);
  }
}

/** Whether an accept failure was descriptor or memory exhaustion (for messages). */
export function isExhaustion(failure: AcceptFailure): boolean {
  return failure.code !== undefined && exhaustion.test(failure.code);
}

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
