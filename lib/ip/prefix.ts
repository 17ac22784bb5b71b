// IP prefixes (networks) as small immutable values, after Go's net/netip `Prefix`: an address and
// a length. The address may carry host bits (`10.1.2.3/24`, an interface address); `masked()`
// gives the network, and `parseNetwork` refuses host bits where a network is required.
import { printable } from "../text/printable.ts";
import { Addr, type Family } from "./addr.ts";
import { decimalLength, mask4, mask6, parseMask } from "./mask.ts";

const all6 = (1n << 128n) - 1n;

/** Options for {@linkcode Prefix.parse}. */
export interface ParsePrefixOptions {
  /** Accept a bare address as a full-length prefix (`10.0.0.1` → `10.0.0.1/32`). Default false. */
  bareAddr?: boolean;
}

/**
 * An address and a prefix length. Immutable. `toString()` keeps the address as given; use
 * {@linkcode Prefix.masked} for the network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { Prefix } from "./prefix.ts";
 *
 * const p = Prefix.parse("172.16.10.1/24");
 * assert.equal(p.toString(), "172.16.10.1/24");
 * assert.equal(p.masked().toString(), "172.16.10.0/24");
 * assert.equal(p.broadcast()?.toString(), "172.16.10.255");
 * assert.equal(p.usableHosts(), 254n);
 * assert.equal(p.contains(Addr.parse("172.16.10.2")), true);
 * ```
 */
export class Prefix {
  readonly addr: Addr;
  readonly bits: number;

  private constructor(addr: Addr, bits: number) {
    this.addr = addr;
    this.bits = bits;
  }

  /**
   * A prefix from an address and a length (host bits kept).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   * import { Prefix } from "./prefix.ts";
   *
   * assert.equal(Prefix.from(Addr.parse("10.1.2.3"), 8).toString(), "10.1.2.3/8");
   * assert.throws(() => Prefix.from(Addr.parse("10.1.2.3"), 33), RangeError);
   * ```
   */
  static from(addr: Addr, bits: number): Prefix {
    if (!Number.isInteger(bits) || bits < 0 || bits > addr.bitLength) {
      throw new RangeError(
        `Prefix length ${bits} is out of range for IPv${addr.family} (0-${addr.bitLength})`,
      );
    }
    return new Prefix(addr, bits);
  }

  /**
   * Parses `ADDR/LEN`, or for IPv4 also `ADDR/NETMASK` and `ADDR/WILDCARD` (as Python does).
   * Host bits are allowed; see {@linkcode parseNetwork} to refuse them. A length may carry
   * leading zeros (`::/0100` is `/100`), as CPython's `ipaddress` reads it: unlike an octet, a
   * length has no octal reading to confuse it with.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Prefix } from "./prefix.ts";
   *
   * assert.equal(Prefix.parse("10.1.2.3/255.255.0.0").toString(), "10.1.2.3/16");
   * assert.equal(Prefix.parse("2001:db8::/32").bits, 32);
   * assert.equal(Prefix.parse("10.0.0.1", { bareAddr: true }).toString(), "10.0.0.1/32");
   * assert.throws(() => Prefix.parse("10.0.0.1"), SyntaxError);
   * ```
   */
  static parse(text: string, options: ParsePrefixOptions = {}): Prefix {
    const slash = text.indexOf("/");
    if (slash < 0) {
      if (options.bareAddr) {
        const a = Addr.parse(text);
        return new Prefix(a, a.bitLength);
      }
      throw new SyntaxError(`Cannot parse prefix "${printable(text)}": expected ADDR/LEN`);
    }
    const addrText = text.slice(0, slash);
    const maskText = text.slice(slash + 1);
    if (maskText.includes("/")) {
      throw new SyntaxError(`Cannot parse prefix "${printable(text)}": two "/"`);
    }
    const addr = Addr.parse(addrText);
    const bits = decimalLength(maskText);
    if (bits !== undefined) {
      if (bits > addr.bitLength) {
        throw new RangeError(
          `Cannot parse prefix "${printable(text)}": length ${
            printable(maskText)
          } is out of range for IPv${addr.family} (0-${addr.bitLength})`,
        );
      }
      return new Prefix(addr, bits);
    }
    if (maskText === "") {
      throw new SyntaxError(`Cannot parse prefix "${printable(text)}": missing length`);
    }
    if (addr.family === 6 || maskText.includes(":")) {
      throw new SyntaxError(
        `Cannot parse prefix "${printable(text)}": an IPv6 prefix length is a number 0-128`,
      );
    }
    if (!maskText.includes(".")) {
      throw new SyntaxError(
        `Cannot parse prefix "${printable(text)}": "${
          printable(maskText)
        }" is not a length or mask`,
      );
    }
    try {
      return new Prefix(addr, parseMask(maskText, 4).bits);
    } catch (err) {
      const why = (err as Error).message.replace(/^Cannot parse IPv4 address "[^"]*": /, "");
      throw new SyntaxError(`Cannot parse prefix "${printable(text)}": ${why}`, { cause: err });
    }
  }

  /** Like {@linkcode Prefix.parse} for constants in code; a bad one throws `TypeError`. */
  static mustParse(text: string): Prefix {
    try {
      return Prefix.parse(text);
    } catch (err) {
      throw new TypeError((err as Error).message);
    }
  }

  /** 4 or 6. */
  get family(): Family {
    return this.addr.family;
  }

  /**
   * The network: the same length with host bits cleared (zone kept).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Prefix } from "./prefix.ts";
   *
   * assert.equal(Prefix.parse("10.1.2.3/8").masked().toString(), "10.0.0.0/8");
   * ```
   */
  masked(): Prefix {
    if (this.isMasked()) return this;
    return new Prefix(this.network(), this.bits);
  }

  /** Whether the address has no host bits set (it is the network address). */
  isMasked(): boolean {
    if (this.family === 4) return (this.addr.toUint32() & ~mask4(this.bits)) === 0;
    return (this.addr.toBigInt() & ~mask6(this.bits)) === 0n;
  }

  /** The first address (the network address), zone kept. */
  network(): Addr {
    if (this.family === 4) return Addr.fromUint32((this.addr.toUint32() & mask4(this.bits)) >>> 0);
    return Addr.fromBigInt(this.addr.toBigInt() & mask6(this.bits), 6, this.addr.zone);
  }

  /** The last address in the prefix (for IPv4 ≤ /30 the broadcast address), zone kept. */
  last(): Addr {
    if (this.family === 4) return Addr.fromUint32((this.addr.toUint32() | ~mask4(this.bits)) >>> 0);
    return Addr.fromBigInt((this.addr.toBigInt() | ~mask6(this.bits)) & all6, 6, this.addr.zone);
  }

  /**
   * The IPv4 broadcast address; `undefined` for IPv6 (which has none) and for /31 and /32, where
   * every address is a host (RFC 3021).
   */
  broadcast(): Addr | undefined {
    return this.family === 4 && this.bits <= 30 ? this.last() : undefined;
  }

  /** The number of addresses: 2^(bitLength − bits). */
  size(): bigint {
    return 1n << BigInt(this.addr.bitLength - this.bits);
  }

  /**
   * Usable host addresses. IPv4: all but network and broadcast, except /31 (2, RFC 3021) and /32
   * (1). IPv6: all but the Subnet-Router anycast address (the network address, RFC 4291), except
   * /127 (2, RFC 6164) and /128 (1). The same counts as Python's `hosts()`.
   */
  usableHosts(): bigint {
    const size = this.size();
    const host = this.addr.bitLength - this.bits;
    if (host <= 1) return size;
    return this.family === 4 ? size - 2n : size - 1n;
  }

  /** The first usable host (see {@linkcode Prefix.usableHosts}). */
  firstHost(): Addr {
    const host = this.addr.bitLength - this.bits;
    const net = this.network();
    return host <= 1 ? net : net.next()!;
  }

  /** The last usable host (see {@linkcode Prefix.usableHosts}). */
  lastHost(): Addr {
    const host = this.addr.bitLength - this.bits;
    const last = this.last();
    return host <= 1 || this.family === 6 ? last : last.prev()!;
  }

  /** The netmask: `255.255.255.0` for /24. */
  netmask(): Addr {
    return this.family === 4
      ? Addr.fromUint32(mask4(this.bits))
      : Addr.fromBigInt(mask6(this.bits), 6);
  }

  /** The wildcard (host) mask: `0.0.0.255` for /24. */
  hostmask(): Addr {
    return this.family === 4
      ? Addr.fromUint32(~mask4(this.bits) >>> 0)
      : Addr.fromBigInt(~mask6(this.bits) & all6, 6);
  }

  /**
   * Whether `addr` is inside this prefix (same family; zones are ignored).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   * import { Prefix } from "./prefix.ts";
   *
   * assert.equal(Prefix.parse("10.0.0.0/8").contains(Addr.parse("10.9.9.9")), true);
   * assert.equal(Prefix.parse("10.0.0.0/8").contains(Addr.parse("::ffff:10.9.9.9")), false);
   * ```
   */
  contains(addr: Addr): boolean {
    if (addr.family !== this.family) return false;
    if (this.family === 4) {
      const m = mask4(this.bits);
      return ((addr.toUint32() & m) >>> 0) === ((this.addr.toUint32() & m) >>> 0);
    }
    const m = mask6(this.bits);
    return (addr.toBigInt() & m) === (this.addr.toBigInt() & m);
  }

  /**
   * Whether `other` lies entirely inside this prefix.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Prefix } from "./prefix.ts";
   *
   * assert.equal(Prefix.parse("10.0.0.0/8").containsPrefix(Prefix.parse("10.1.0.0/16")), true);
   * assert.equal(Prefix.parse("10.1.0.0/16").containsPrefix(Prefix.parse("10.0.0.0/8")), false);
   * ```
   */
  containsPrefix(other: Prefix): boolean {
    return other.family === this.family && other.bits >= this.bits && this.contains(other.addr);
  }

  /** Whether the two prefixes share any address. */
  overlaps(other: Prefix): boolean {
    return other.family === this.family &&
      (this.bits <= other.bits ? this.contains(other.addr) : other.contains(this.addr));
  }

  /**
   * The enclosing prefix `bits` long (default one shorter), masked.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Prefix } from "./prefix.ts";
   *
   * assert.equal(Prefix.parse("10.0.1.0/24").supernet().toString(), "10.0.0.0/23");
   * assert.equal(Prefix.parse("10.0.1.0/24").supernet(8).toString(), "10.0.0.0/8");
   * ```
   */
  supernet(bits = this.bits - 1): Prefix {
    if (bits < 0 || bits > this.bits) {
      throw new RangeError(`Prefix length ${bits} is not shorter than /${this.bits}`);
    }
    return Prefix.from(this.addr, bits).masked();
  }

  /** Orders by family, network address, then length (shorter first). */
  compare(other: Prefix): number {
    return this.network().compare(other.network()) || this.bits - other.bits;
  }

  /** Same address (host bits included), zone and length. */
  equals(other: Prefix): boolean {
    return this.bits === other.bits && this.addr.equals(other.addr);
  }

  /** `ADDR/LEN` with the address as given (use `masked()` first for the network). */
  toString(): string {
    return `${this.addr}/${this.bits}`;
  }

  /** The text form, so prefixes serialize as strings in JSON. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Parses a prefix that must be a network: host bits set are a `RangeError` that names the
 * network meant. `bareAddr` accepts a plain address as a full-length prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNetwork } from "./prefix.ts";
 *
 * assert.equal(parseNetwork("10.0.0.0/8").toString(), "10.0.0.0/8");
 * assert.throws(() => parseNetwork("10.0.0.1/8"), /did you mean 10\.0\.0\.0\/8\?/);
 * ```
 */
export function parseNetwork(text: string, options: ParsePrefixOptions = {}): Prefix {
  const p = Prefix.parse(text, options);
  if (!p.isMasked()) {
    throw new RangeError(
      `"${
        printable(text)
      }" has host bits set; a network is required here (did you mean ${p.masked()}?)`,
    );
  }
  return p;
}
