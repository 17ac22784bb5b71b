// UDP sockets on Deno.listenDatagram: a client socket bound to the right local address for its
// target, and receiving with a deadline, both cancellable by an AbortSignal.
import { Addr } from "../ip/addr.ts";
import { formatHostPort, type HostPort } from "./address.ts";
import { activeScope } from "../scope/active.ts";
import { bindsInScope, checkDestination, localBindFor } from "../scope/binds.ts";
import { NetError, netErrorFrom } from "./errors.ts";

/** Largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP). */
export const maxDatagram = 65507;

/**
 * The local address a client socket for `target` binds to, inside the scope in force: the target
 * itself on loopback, this machine's address on the target's subnet where the scope (or the
 * binary's own permission set) does not grant the wildcard bind, else the unspecified address
 * of the target's family. See lib/scope/binds.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(clientBindAddress({ host: "127.0.0.1", port: 9000, family: "ipv4" }), "127.0.0.1");
 * ```
 */
export function clientBindAddress(target: HostPort): string {
  return localBindFor(target.host, bindsInScope(activeScope()));
}

/**
 * Opens a UDP socket on an ephemeral port for talking to `target`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openUdpClient } from "./udp.ts";
 *
 * const sock = openUdpClient({ host: "127.0.0.1", port: 9000, family: "ipv4" });
 * const local = sock.addr as Deno.NetAddr;
 * assert.equal(local.hostname, "127.0.0.1"); // bound on the target's side of the stack
 * assert.ok(local.port > 0); // an ephemeral port
 * sock.close();
 * ```
 */
export function openUdpClient(
  target: HostPort,
  options: { bind?: string; port?: number } = {},
): Deno.DatagramConn {
  checkDestination(target.host, target.port);
  const hostname = options.bind ?? clientBindAddress(target);
  const port = options.port ?? 0;
  try {
    return Deno.listenDatagram({ transport: "udp", hostname, port });
  } catch (err) {
    throw netErrorFrom(err, formatHostPort(hostname, port));
  }
}

/**
 * Sends one datagram to `target`, naming the target in any error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openUdpClient, openUdpListener, sendDatagram } from "./udp.ts";
 *
 * const server = openUdpListener({ host: "127.0.0.1", port: 0, family: "ipv4" });
 * const target = {
 *   host: "127.0.0.1",
 *   port: (server.addr as Deno.NetAddr).port,
 *   family: "ipv4",
 * } as const;
 * const sock = openUdpClient(target);
 * assert.equal(await sendDatagram(sock, target, new TextEncoder().encode("hi")), 2); // bytes sent
 * const [data] = await server.receive();
 * assert.equal(new TextDecoder().decode(data), "hi");
 * sock.close();
 * server.close();
 * ```
 */
export async function sendDatagram(
  sock: Deno.DatagramConn,
  target: HostPort,
  data: Uint8Array,
): Promise<number> {
  try {
    return await sock.send(data, { transport: "udp", hostname: target.host, port: target.port });
  } catch (err) {
    throw netErrorFrom(err, formatHostPort(target.host, target.port));
  }
}

/** A received datagram and its sender. */
export interface Datagram {
  data: Uint8Array;
  from: Deno.NetAddr;
}

/**
 * Waits up to `timeoutMs` for one datagram, optionally only from `from`. Resolves `undefined` on
 * timeout or abort. The socket stays open.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openUdpListener, receiveDatagram } from "./udp.ts";
 *
 * const sock = openUdpListener({ host: "127.0.0.1", port: 0, family: "ipv4" });
 * const peer = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
 * await peer.send(new TextEncoder().encode("pong"), sock.addr);
 * const reply = await receiveDatagram(sock, { timeoutMs: 2000 });
 * assert.equal(new TextDecoder().decode(reply?.data), "pong");
 * assert.equal(reply?.from.port, (peer.addr as Deno.NetAddr).port);
 * // Nothing more comes: undefined after the timeout, and the socket stays open.
 * assert.equal(await receiveDatagram(sock, { timeoutMs: 50 }), undefined);
 * peer.close();
 * sock.close();
 * ```
 */
export async function receiveDatagram(
  sock: Deno.DatagramConn,
  options: { timeoutMs: number; signal?: AbortSignal; accept?: (from: Deno.NetAddr) => boolean },
): Promise<Datagram | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), options.timeoutMs);
    onAbort = () => resolve(undefined);
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
  const receive = (async () => {
    while (Date.now() <= deadline) {
      const [data, addr] = await sock.receive();
      const from = addr as Deno.NetAddr;
      if (!options.accept || options.accept(from)) return { data, from };
    }
    return undefined;
  })();
  try {
    const result = await Promise.race([receive, stop]);
    if (result === undefined) receive.catch(() => {}); // settles when the socket is closed
    return result;
  } catch (err) {
    if (err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
      return undefined;
    }
    throw err instanceof NetError ? err : netErrorFrom(err, "udp socket");
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Options for {@linkcode openUdpListener}. */
export interface UdpListenerOptions {
  /** Allow several sockets on the same address (SO_REUSEADDR). Default `false`. */
  reuseAddress?: boolean;
}

/**
 * Binds a UDP socket on `bind` (port 0 lets the kernel choose), naming the address in any error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openUdpListener } from "./udp.ts";
 *
 * const sock = openUdpListener({ host: "127.0.0.1", port: 0, family: "ipv4" });
 * const port = (sock.addr as Deno.NetAddr).port;
 * assert.ok(port > 0); // the port the kernel chose
 * assert.throws(() => openUdpListener({ host: "127.0.0.1", port, family: "ipv4" }), {
 *   message: `address in use (127.0.0.1:${port})`,
 * });
 * sock.close();
 * ```
 */
export function openUdpListener(
  bind: HostPort,
  options: UdpListenerOptions = {},
): Deno.DatagramConn {
  try {
    return Deno.listenDatagram({
      transport: "udp",
      hostname: bind.host,
      port: bind.port,
      reuseAddress: options.reuseAddress ?? false,
    });
  } catch (err) {
    throw netErrorFrom(err, formatHostPort(bind.host, bind.port));
  }
}

/** The address a datagram came from, comparable whatever its spelling (zone and IPv4-mapping off). */
function sameAddress(a: string, b: string): boolean {
  try {
    return Addr.parse(a).withZone("").unmap().equals(Addr.parse(b).withZone("").unmap());
  } catch {
    return a === b;
  }
}

/**
 * What a connected UDP socket (connect(2)) lets through, done here since Deno cannot connect a UDP
 * socket: only datagrams from `target`'s address and port. A DNS name's address is not known to
 * us, so for a name the first datagram from the target's port fixes the peer's address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peerFilter } from "./udp.ts";
 *
 * const isPeer = peerFilter({ host: "127.0.0.1", port: 9000, family: "ipv4" });
 * assert.equal(isPeer({ transport: "udp", hostname: "127.0.0.1", port: 9000 }), true);
 * assert.equal(isPeer({ transport: "udp", hostname: "::ffff:127.0.0.1", port: 9000 }), true);
 * assert.equal(isPeer({ transport: "udp", hostname: "127.0.0.1", port: 9001 }), false);
 * assert.equal(isPeer({ transport: "udp", hostname: "127.0.0.2", port: 9000 }), false);
 * ```
 */
export function peerFilter(target: HostPort): (from: Deno.NetAddr) => boolean {
  let host = target.family === "name" ? undefined : target.host;
  return (from) => {
    if (from.port !== target.port) return false;
    host ??= from.hostname;
    return sameAddress(from.hostname, host);
  };
}
