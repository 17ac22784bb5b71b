// Socket addresses as users type them: `host:port`, `[::1]:9000`, `PORT` for listeners. Numeric
// hosts must be canonical IPv4 or IPv6 literals: spellings such as `2130706433`, `0x7f.1` or
// `0177.0.0.1` are refused so they can neither surprise a user nor slip around a scope.
import { Addr } from "../ip/addr.ts";

/** A parsed `host:port`. */
export interface HostPort {
  /** An IP literal (IPv6 without brackets, zone kept) or a DNS name. */
  readonly host: string;
  readonly port: number;
  readonly family: "ipv4" | "ipv6" | "name";
}

/** Options for {@linkcode parseHostPort}. */
export interface ParseHostPortOptions {
  /** Host used when the text is only a port (`9000`) or `:9000`; without it a host is required. */
  defaultHost?: string;
  /** Whether port 0 (let the kernel choose) is accepted. Default `false`. */
  allowPortZero?: boolean;
}

const labelPattern = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/**
 * Parses a port number: decimal digits only, 0 to 65535.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePort } from "./address.ts";
 *
 * assert.equal(parsePort("9000"), 9000);
 * assert.equal(parsePort("0", { allowZero: true }), 0);
 * assert.throws(() => parsePort("0"), RangeError);
 * assert.throws(() => parsePort("0x50"), SyntaxError);
 * ```
 */
export function parsePort(text: string, options: { allowZero?: boolean } = {}): number {
  if (!/^\d{1,5}$/.test(text)) throw new SyntaxError(`Cannot parse port "${text}"`);
  const port = Number(text);
  if (port > 65535 || (port === 0 && !options.allowZero)) {
    throw new RangeError(`Port ${text} is out of range (${options.allowZero ? 0 : 1}-65535)`);
  }
  return port;
}

/**
 * Classifies a host: an IPv4 literal, an IPv6 literal (optionally with a `%zone`), or a DNS name.
 * Throws `SyntaxError` for something that is neither, including numeric IPv4 spellings other
 * than canonical dotted decimal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyHost } from "./address.ts";
 *
 * assert.equal(classifyHost("::1"), "ipv6");
 * assert.equal(classifyHost("127.0.0.1"), "ipv4");
 * assert.equal(classifyHost("localhost"), "name");
 * assert.throws(() => classifyHost("0x7f.1"), SyntaxError);
 * assert.throws(() => classifyHost("2130706433"), SyntaxError);
 * ```
 */
export function classifyHost(host: string): HostPort["family"] {
  if (host.includes(":")) {
    const pct = host.indexOf("%");
    // Zones are held to interface-name characters here: a host also ends up in scope entries.
    if (pct >= 0 && !/^[\w.-]+$/.test(host.slice(pct + 1))) {
      throw new SyntaxError(`Cannot parse IPv6 address "${host}": bad zone`);
    }
    const addr = Addr.parse(host); // throws a SyntaxError that says what is wrong
    if (addr.zone && !needsZone(addr)) {
      // The system resolver takes a zone name only where one means something, and says "name
      // not resolved" otherwise.
      throw new SyntaxError(
        `Cannot use a zone with ${addr.withZone("")}: a zone (%${addr.zone}) names the link of a ` +
          `link-local address (fe80::/10, ff02::/16); write ${addr.withZone("")} alone`,
      );
    }
    return "ipv6";
  }
  if (/^[0-9.]+$/.test(host) && host.split(".").length === 4) {
    Addr.parse(host); // dotted quad: out-of-range octets and leading zeros are explained
    return "ipv4";
  }
  const labels = host.replace(/\.$/, "").split(".");
  const last = labels[labels.length - 1];
  if (/^\d+$/.test(last) || /^0x[0-9a-f]*$/i.test(last)) {
    throw new SyntaxError(
      `Cannot parse IPv4 address "${host}": use four decimal octets without leading zeros`,
    );
  }
  if (host.length > 253 || !labels.every((l) => labelPattern.test(l))) {
    throw new SyntaxError(`Cannot parse host "${host}"`);
  }
  return "name";
}

/**
 * Whether an IPv6 address exists once per link, so that a zone says which: link-local unicast
 * (fe80::/10) and interface- or link-local multicast (ff01::/16, ff02::/16, ff12::/16...).
 */
function needsZone(addr: Addr): boolean {
  if (!addr.is6()) return false;
  const top = addr.toBigInt() >> 112n;
  if ((top & 0xffc0n) === 0xfe80n) return true;
  return (top & 0xff00n) === 0xff00n && [1n, 2n].includes(top & 0xfn);
}

/**
 * Parses `host:port`, `[v6]:port`, or (with `defaultHost`) `port` and `:port`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHostPort } from "./address.ts";
 *
 * assert.deepEqual(parseHostPort("[::1]:9000"), { host: "::1", port: 9000, family: "ipv6" });
 * assert.deepEqual(parseHostPort("9000", { defaultHost: "127.0.0.1" }), {
 *   host: "127.0.0.1",
 *   port: 9000,
 *   family: "ipv4",
 * });
 * assert.throws(() => parseHostPort("::1:9000"), SyntaxError); // IPv6 needs brackets
 * ```
 */
export function parseHostPort(text: string, options: ParseHostPortOptions = {}): HostPort {
  const portOptions = { allowZero: options.allowPortZero };
  let host: string;
  let portText: string;
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(text);
  if (bracket) {
    [, host, portText] = bracket;
    if (!host.includes(":")) throw new SyntaxError(`Cannot parse "${text}": brackets are for IPv6`);
  } else if (/^\d+$/.test(text) && options.defaultHost !== undefined) {
    host = options.defaultHost;
    portText = text;
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw new SyntaxError(`Cannot parse "${text}": expected HOST:PORT`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) {
      throw new SyntaxError(`Cannot parse "${text}": write IPv6 addresses as [ADDR]:PORT`);
    }
    if (host === "") {
      if (options.defaultHost === undefined) {
        throw new SyntaxError(`Cannot parse "${text}": missing host`);
      }
      host = options.defaultHost;
    }
  }
  const port = parsePort(portText, portOptions);
  return { host, port, family: classifyHost(host) };
}

/**
 * Formats a host and port the way users type them back: brackets around IPv6.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatHostPort } from "./address.ts";
 *
 * assert.equal(formatHostPort("::1", 9000), "[::1]:9000");
 * assert.equal(formatHostPort("127.0.0.1", 9000), "127.0.0.1:9000");
 * ```
 */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A peer's host with the zone it was reached through, when it is an IPv6 link-local address
 * (fe80::/10) given without one. Deno reports a peer's address without its scope id (`NetAddr`
 * has no field for it), so the zone has to come from what the user named: the interface a socket
 * was bound or sent on. Other hosts, and an empty `zone`, come back unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zonedHost } from "./address.ts";
 *
 * assert.equal(zonedHost("fe80::1", "eth0"), "fe80::1%eth0");
 * assert.equal(zonedHost("2001:2::1", "eth0"), "2001:2::1");
 * ```
 */
export function zonedHost(host: string, zone: string): string {
  return zone && /^fe[89ab]/i.test(host) && !host.includes("%") ? `${host}%${zone}` : host;
}
