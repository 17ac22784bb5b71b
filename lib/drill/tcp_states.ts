// The kernel's TCP socket table for the `sockets` step (TIME_WAIT after an active close,
// CLOSE_WAIT on the passive side), read through lib/net/proc_sockets.ts: /proc/net/tcp{,6} when
// Deno lets us, `ss` otherwise. A drill that uses it declares `read: [/proc/net]` and `run: [ss]`.
import { readSockets } from "../net/proc_sockets.ts";
import type { TcpStateName } from "./schema.ts";

/** One TCP socket. Hosts are canonical (IPv6 compressed, IPv4-mapped shown as IPv4). */
export interface TcpSocket {
  state: TcpStateName;
  localHost: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
}

/**
 * Canonical spelling of an IP literal: brackets and zones dropped, IPv6 compressed and
 * lower-case, IPv4-mapped IPv6 as IPv4, `*` as the unspecified address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalHost } from "./tcp_states.ts";
 *
 * assert.equal(canonicalHost("[::ffff:127.0.0.1]"), "127.0.0.1");
 * assert.equal(canonicalHost("[2001:DB8:0:0::1]"), "2001:db8::1");
 * assert.equal(canonicalHost("fe80::1%eth0"), "fe80::1");
 * assert.equal(canonicalHost("*"), "0.0.0.0");
 * ```
 */
export function canonicalHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!h.includes(":")) return h === "*" ? "0.0.0.0" : h;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h);
  if (mapped) return mapped[1];
  try {
    const v6 = new URL(`http://[${h}]/`).hostname.slice(1, -1);
    const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
    if (m) {
      const n = parseInt(m[1], 16) * 65536 + parseInt(m[2], 16);
      return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
    }
    return v6;
  } catch {
    return h;
  }
}

function hostOf(endpoint: string): string {
  return canonicalHost(endpoint.slice(0, endpoint.lastIndexOf(":")));
}

/**
 * Reads the TCP sockets of this machine. Access is Deno's to grant: without read access to
 * /proc/net or run access to `ss`, this throws `NotCapable`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTcpSockets } from "./tcp_states.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const sockets = await readTcpSockets();
 * const mine = sockets.find((s) => s.localPort === listener.addr.port);
 * assert.equal(mine?.state, "LISTEN");
 * assert.equal(mine?.localHost, "127.0.0.1");
 * ```
 */
export async function readTcpSockets(): Promise<TcpSocket[]> {
  const entries = await readSockets({ tcp: true, udp: false, unix: false });
  return entries.filter((e) => e.protocol === "tcp").map((e) => ({
    state: e.state as TcpStateName,
    localHost: hostOf(e.address),
    localPort: e.port ?? 0,
    remoteHost: hostOf(e.remote),
    remotePort: e.remotePort ?? 0,
  }));
}
