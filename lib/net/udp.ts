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
 * const sock = openUdpClient({ host: "127.0.0.1", port: 9000, family: "ipv4" });
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
 * await sendDatagram(sock, target, new TextEncoder().encode("hi"));
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
 * const reply = await receiveDatagram(sock, { timeoutMs: 2000 });
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
 * const sock = openUdpListener({ host: "127.0.0.1", port: 0, family: "ipv4" });
 * (sock.addr as Deno.NetAddr).port; // the chosen port
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
 * const isPeer = peerFilter({ host: "127.0.0.1", port: 9000, family: "ipv4" });
 * isPeer({ transport: "udp", hostname: "127.0.0.1", port: 9000 }); // true
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
