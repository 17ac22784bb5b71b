// TCP on Deno.connect / Deno.listen with the failures users know: a connect that gives up after a
// timeout, a listener whose "address in use" names the address, both cancellable by a signal.
import { formatHostPort, type HostPort } from "./address.ts";
import { NetError, netErrorFrom } from "./errors.ts";

/** Options for {@linkcode connectTcp}. */
export interface ConnectTcpOptions {
  /** Give up with "timed out" after this long. Default: the system's own connect timeout. */
  timeoutMs?: number;
  /** Abandons the attempt (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Connects to `target`, naming it in any error (`connection refused (127.0.0.1:9001)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectTcp } from "./tcp.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const target = { host: "127.0.0.1", port: listener.addr.port, family: "ipv4" } as const;
 * const conn = await connectTcp(target, { timeoutMs: 2000 });
 * assert.equal(conn.remoteAddr.port, listener.addr.port);
 * conn.close();
 * // Nothing listens on that port once the listener is closed: the error names the address.
 * listener.close();
 * await assert.rejects(connectTcp(target, { timeoutMs: 2000 }), {
 *   message: `connection refused (127.0.0.1:${target.port})`,
 * });
 * ```
 */
export async function connectTcp(
  target: HostPort,
  options: ConnectTcpOptions = {},
): Promise<Deno.TcpConn> {
  const address = formatHostPort(target.host, target.port);
  const timeout = new AbortController();
  const timer = options.timeoutMs === undefined
    ? undefined
    : setTimeout(() => timeout.abort(), options.timeoutMs);
  const signals = [timeout.signal, ...(options.signal ? [options.signal] : [])];
  try {
    return await Deno.connect({
      hostname: target.host,
      port: target.port,
      transport: "tcp",
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    if (timeout.signal.aborted) throw new NetError("timed out", address, { cause: err });
    throw netErrorFrom(err, address);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Listens on `bind` (port 0 lets the kernel choose), naming the address in any error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenTcp } from "./tcp.ts";
 *
 * using listener = listenTcp({ host: "127.0.0.1", port: 0, family: "ipv4" });
 * assert.ok(listener.addr.port > 0); // the port the kernel chose
 * // A second listener on that port fails naming the address.
 * assert.throws(() => listenTcp({ host: "127.0.0.1", port: listener.addr.port, family: "ipv4" }), {
 *   message: `address in use (127.0.0.1:${listener.addr.port})`,
 * });
 * ```
 */
export function listenTcp(bind: HostPort): Deno.TcpListener {
  try {
    return Deno.listen({ hostname: bind.host, port: bind.port, transport: "tcp" });
  } catch (err) {
    throw netErrorFrom(err, formatHostPort(bind.host, bind.port));
  }
}

/**
 * The `host:port` text of a socket address, or the path of a Unix one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addrText } from "./tcp.ts";
 *
 * assert.equal(addrText({ transport: "tcp", hostname: "127.0.0.1", port: 53412 }), "127.0.0.1:53412");
 * assert.equal(addrText({ transport: "tcp", hostname: "::1", port: 80 }), "[::1]:80");
 * assert.equal(addrText({ transport: "unix", path: "/run/echo.sock" }), "/run/echo.sock");
 * ```
 */
export function addrText(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return formatHostPort(addr.hostname, addr.port);
  }
  if (addr.transport === "unix" || addr.transport === "unixpacket") return addr.path || "(unnamed)";
  return String(addr.transport);
}
