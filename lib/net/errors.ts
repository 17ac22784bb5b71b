// Network failures named the way a user of nc or ping knows them, always with the address that
// failed, so `toolkit: error: connection refused (127.0.0.1:9001)` is all a user needs to read.

/** What went wrong on the network, in words a user of nc knows. */
export type NetFailure =
  | "connection refused"
  | "connection reset"
  | "timed out"
  | "host unreachable"
  | "network unreachable"
  | "address in use"
  | "address not available"
  | "name not resolved"
  | "broken pipe"
  | "network error";

/**
 * A network failure with the address it concerns. The CLI maps it to exit 3.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetError } from "./errors.ts";
 *
 * const err = new NetError("connection refused", "127.0.0.1:9001");
 * assert.equal(err.message, "connection refused (127.0.0.1:9001)");
 * assert.equal(err.failure, "connection refused");
 * // A Unix peer without a name is already in parentheses.
 * assert.equal(new NetError("connection reset", "(unnamed)").message, "connection reset (unnamed)");
 * ```
 */
export class NetError extends Error {
  readonly failure: NetFailure;
  readonly address: string;
  constructor(failure: NetFailure, address: string, options?: ErrorOptions) {
    // An address that is already in parentheses (a Unix peer `(unnamed)`) is not wrapped again.
    super(/^\(.*\)$/.test(address) ? `${failure} ${address}` : `${failure} (${address})`, options);
    this.name = "NetError";
    this.failure = failure;
    this.address = address;
  }
}

/**
 * A zone (`fe80::1%eth9`) that names no interface of this host: the user's mistake, which the
 * system resolver reports as a name it cannot resolve. The CLI maps it to exit 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZoneError } from "./errors.ts";
 *
 * const err = new ZoneError("eth9", "[fe80::1%eth9]:9000");
 * assert.equal(err.message, 'no local interface named "eth9" (the zone of [fe80::1%eth9]:9000)');
 * ```
 */
export class ZoneError extends Error {
  readonly zone: string;
  readonly address: string;
  constructor(zone: string, address: string, options?: ErrorOptions) {
    super(`no local interface named "${zone}" (the zone of ${address})`, options);
    this.name = "ZoneError";
    this.zone = zone;
    this.address = address;
  }
}

/** The {@linkcode ZoneError} for an address whose zone names no interface here, if it is one. */
function unknownZone(address: string, cause: unknown): ZoneError | undefined {
  const zone = /%([^\]%]+)\]/.exec(address)?.[1];
  if (zone === undefined || /^\d+$/.test(zone)) return undefined;
  let names: string[];
  try {
    names = Deno.networkInterfaces().map((i) => i.name);
  } catch {
    return undefined; // the interfaces cannot be listed here: leave the resolver's answer
  }
  return names.includes(zone) ? undefined : new ZoneError(zone, address, { cause });
}

const byClass: [new (...args: never[]) => Error, NetFailure][] = [
  [Deno.errors.ConnectionRefused, "connection refused"],
  [Deno.errors.ConnectionReset, "connection reset"],
  [Deno.errors.ConnectionAborted, "connection reset"],
  [Deno.errors.TimedOut, "timed out"],
  [Deno.errors.AddrInUse, "address in use"],
  [Deno.errors.AddrNotAvailable, "address not available"],
  [Deno.errors.BrokenPipe, "broken pipe"],
  [Deno.errors.NotConnected, "connection reset"],
];

const byMessage: [RegExp, NetFailure][] = [
  [/no route to host|host is unreachable|EHOSTUNREACH/i, "host unreachable"],
  [/network is unreachable|ENETUNREACH/i, "network unreachable"],
  [
    /failed to lookup|name or service not known|nodename nor servname|No address associated/i,
    "name not resolved",
  ],
  [/timed out/i, "timed out"],
  [/connection refused/i, "connection refused"],
];

/**
 * Wraps a low-level error from a socket call as a {@linkcode NetError} naming `address`.
 * Errors that are not network failures (a denied permission, a bug) come back unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetError, netErrorFrom } from "./errors.ts";
 *
 * // A port nobody listens on: take a free one and let it go.
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const address = `127.0.0.1:${listener.addr.port}`;
 * listener.close();
 * const err = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }).then(
 *   (conn) => conn.close(),
 *   (e) => netErrorFrom(e, address),
 * );
 * assert.ok(err instanceof NetError);
 * assert.equal(err.message, `connection refused (${address})`);
 * // Not a network failure: unchanged.
 * const bug = new TypeError("a bug");
 * assert.equal(netErrorFrom(bug, address), bug);
 * ```
 */
export function netErrorFrom(err: unknown, address: string): unknown {
  if (err instanceof NetError || !(err instanceof Error)) return err;
  if (err instanceof Deno.errors.NotCapable) return err;
  for (const [cls, failure] of byClass) {
    if (err instanceof cls) return new NetError(failure, address, { cause: err });
  }
  for (const [pattern, failure] of byMessage) {
    if (!pattern.test(err.message)) continue;
    if (failure === "name not resolved") {
      const zone = unknownZone(address, err);
      if (zone) return zone;
    }
    return new NetError(failure, address, { cause: err });
  }
  if (err.name === "Error" && /os error \d+/.test(err.message)) {
    return new NetError("network error", address, { cause: err });
  }
  return err;
}
