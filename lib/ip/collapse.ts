// Collapsing prefix lists (Python's `collapse_addresses`, the `aggregate` tool): sort, merge
// overlapping and adjacent ranges, and cut each range back into maximal aligned prefixes. IPv4
// stays in plain numbers (a Float64Array of network*64+length) so a full BGP table takes about a
// second; only IPv6 uses bigint.
import { Addr, type Family } from "./addr.ts";
import { parseNetwork, Prefix } from "./prefix.ts";
import { rangeToPrefixes, rangeToPrefixes4 } from "./range.ts";

/** Options for {@linkcode PrefixAggregator}. */
export interface AggregatorOptions {
  /**
   * What to do with `10.0.0.1/24` (host bits set): `"error"` throws a `RangeError` naming the
   * network (the default; a prefix list should hold networks), `"mask"` uses the network.
   */
  hostBits?: "error" | "mask";
}

const pow2 = Array.from({ length: 33 }, (_, i) => 2 ** i);

/** Entries held before the first collapse of what was added (and at least that many after). */
const compactAfter = 1 << 16;
/**
 * How much what is held may grow past the result of the last collapse before the next one: four
 * times keeps a list that does not collapse (a routing table) from being sorted again and again,
 * and memory within four times the result.
 */
const compactGrowth = 4;

/**
 * Accumulates prefixes (and plain addresses, as /32 or /128) of both families and returns the
 * minimal sorted covering list: IPv4 first, then IPv6. Zones are dropped. What was added is
 * collapsed again whenever it has grown fourfold since the last collapse (and holds at least 65,536
 * entries), so memory follows the size of the result, not of the input: a billion lines
 * repeating one prefix never hold more than 65,536 entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrefixAggregator } from "./collapse.ts";
 *
 * const agg = new PrefixAggregator();
 * for (const t of ["10.0.0.0/25", "10.0.0.128/25", "2001:db8::/33", "2001:db8:8000::/33"]) {
 *   agg.add(t);
 * }
 * assert.deepEqual(agg.result().map(String), ["10.0.0.0/24", "2001:db8::/32"]);
 * ```
 */
export class PrefixAggregator {
  #v4 = new Float64Array(1024);
  #n4 = 0;
  /** How many of the IPv4 entries, from the first, are in order (collapsed, after a collapse). */
  #sorted4 = 0;
  // IPv6 ranges in parallel arrays (no object per prefix); `#top6` holds the top 32 bits as a
  // number so that sorting is a native Float64Array sort and bigints are compared only in ties.
  #first6: bigint[] = [];
  #last6: bigint[] = [];
  #bits6: number[] = [];
  #top6: number[] = [];
  readonly #maskHostBits: boolean;
  #added = 0;
  #compactAt4 = compactAfter;
  #compactAt6 = compactAfter;

  constructor(options: AggregatorOptions = {}) {
    this.#maskHostBits = options.hostBits === "mask";
  }

  /** How many prefixes were added. */
  get count(): number {
    return this.#added;
  }

  /** How many entries are held now (at most what was added; after a collapse, far fewer). */
  get held(): number {
    return this.#n4 + this.#first6.length;
  }

  /**
   * Adds one prefix or address written as text. Throws `SyntaxError`/`RangeError` as
   * {@linkcode Prefix.parse} does, and for host bits set unless `hostBits: "mask"`.
   */
  add(text: string): void {
    const fast = fastIpv4(text);
    if (fast >= 0) {
      this.#push4(fast);
      return;
    }
    const fast6 = fastIpv6(text);
    if (fast6 !== undefined) {
      this.#push6(fast6[0], fast6[1], fast6[2], fast6[3]);
      return;
    }
    this.addPrefix(
      this.#maskHostBits
        ? Prefix.parse(text, { bareAddr: true })
        : parseNetwork(text, { bareAddr: true }),
    );
  }

  /** Adds a prefix (host bits are cleared: the network is used). */
  addPrefix(prefix: Prefix): void {
    const net = prefix.network();
    if (net.family === 4) this.#push4(net.toUint32() * 64 + prefix.bits);
    else {
      const first = net.toBigInt();
      this.#push6(first, prefix.last().toBigInt(), prefix.bits, Number(first >> 96n));
    }
  }

  #push6(first: bigint, last: bigint, bits: number, top: number): void {
    this.#added++;
    this.#first6.push(first);
    this.#last6.push(last);
    this.#bits6.push(bits);
    this.#top6.push(top);
    if (this.#first6.length >= this.#compactAt6) {
      const first6: bigint[] = [];
      const last6: bigint[] = [];
      const bits6: number[] = [];
      const top6: number[] = [];
      this.#each6((net, b) => {
        first6.push(net as bigint);
        last6.push((net as bigint) | hostMask6[b]);
        bits6.push(b);
        top6.push(Number((net as bigint) >> 96n));
      });
      [this.#first6, this.#last6, this.#bits6, this.#top6] = [first6, last6, bits6, top6];
      this.#compactAt6 = Math.max(compactAfter, compactGrowth * first6.length);
    }
  }

  /**
   * The IPv4 entries sorted in place. Those held since the last collapse are sorted already, so
   * only the ones added after it are sorted and then merged in.
   */
  #sort4(): Float64Array {
    const n = this.#n4;
    const k = this.#sorted4;
    const v = this.#v4;
    this.#sorted4 = n;
    if (k >= n) return v.subarray(0, n);
    if (k === 0) return v.subarray(0, n).sort();
    v.subarray(k, n).sort();
    const merged = new Float64Array(n);
    let i = 0;
    let j = k;
    let o = 0;
    while (i < k && j < n) merged[o++] = v[i] <= v[j] ? v[i++] : v[j++];
    while (i < k) merged[o++] = v[i++];
    while (j < n) merged[o++] = v[j++];
    v.set(merged);
    return v.subarray(0, n);
  }

  /** Indices of the IPv6 ranges in order of their first address. */
  #order6(): ArrayLike<number> {
    const first = this.#first6;
    const n = first.length;
    const byFirst = (
      a: number,
      b: number,
    ) => (first[a] < first[b] ? -1 : first[a] > first[b] ? 1 : 0);
    const slots = 2097152; // 2^21: top 32 bits * 2^21 + index stays exact in a double
    if (n >= slots) return Array.from({ length: n }, (_, i) => i).sort(byFirst);
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = this.#top6[i] * slots + i;
    keys.sort();
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = keys[i] % slots;
    // Ranges that share their top 32 bits are ordered by the full address.
    for (let i = 0; i < n;) {
      const top = this.#top6[order[i]];
      let j = i + 1;
      while (j < n && this.#top6[order[j]] === top) j++;
      if (j - i > 1) order.subarray(i, j).sort(byFirst);
      i = j;
    }
    return order;
  }

  #push4(encoded: number): void {
    this.#added++;
    if (this.#n4 === this.#v4.length) {
      const bigger = new Float64Array(this.#v4.length * 2);
      bigger.set(this.#v4);
      this.#v4 = bigger;
    }
    this.#v4[this.#n4++] = encoded;
    if (this.#n4 >= this.#compactAt4) {
      // Collapsing never yields more prefixes than it is given, so the result fits in place.
      const v4 = this.#v4;
      let n = 0;
      this.#each4((net, b) => (v4[n++] = net * 64 + b));
      this.#n4 = n;
      this.#sorted4 = n;
      this.#compactAt4 = Math.max(compactAfter, compactGrowth * n);
    }
  }

  /**
   * Calls `emit` for each collapsed prefix in order, without building `Prefix` objects.
   * IPv4 networks come as numbers, IPv6 as bigints.
   */
  each(emit: (family: Family, net: number | bigint, bits: number) => void): void {
    this.#each4((net, bits) => emit(4, net, bits));
    this.#each6((net, bits) => emit(6, net, bits));
  }

  /**
   * The collapsed IPv4 prefixes in order. The entries are sorted in place, and a prefix is
   * emitted only after every entry it was made from has been read: a caller may write the
   * results over the entries as they come.
   */
  #each4(emit: (net: number, bits: number) => void): void {
    const v4 = this.#sort4();
    let start = -1;
    let end = -1;
    let single4 = -1; // as for IPv6 below: a run of one input prefix is emitted as it is
    const flush4 = () => {
      if (single4 >= 0) emit(start, single4);
      else rangeToPrefixes4(start, end, emit);
    };
    for (let i = 0; i < v4.length; i++) {
      const e = v4[i];
      const bits = e % 64;
      const net = (e - bits) / 64;
      const last = net + pow2[32 - bits] - 1;
      if (start >= 0 && net <= end + 1) {
        if (last > end) {
          end = last;
          single4 = -1;
        }
      } else {
        if (start >= 0) flush4();
        start = net;
        end = last;
        single4 = bits;
      }
    }
    if (start >= 0) flush4();
  }

  /** The collapsed IPv6 prefixes in order. */
  #each6(emit: (net: bigint, bits: number) => void): void {
    const order = this.#order6();
    let s6 = -1n;
    let e6 = -1n;
    // A run made of one input prefix is that prefix: emit it without cutting the range again.
    let single = -1;
    const flush = () => {
      if (single >= 0) emit(s6, single);
      else rangeToPrefixes(s6, e6, 6, emit);
    };
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      const net = this.#first6[i];
      const last = this.#last6[i];
      if (s6 >= 0n && net <= e6 + 1n) {
        if (last > e6) {
          e6 = last;
          single = -1;
        }
      } else {
        if (s6 >= 0n) flush();
        s6 = net;
        e6 = last;
        single = this.#bits6[i];
      }
    }
    if (s6 >= 0n) flush();
  }

  /** The minimal sorted list covering everything added: IPv4 first, then IPv6. */
  result(): Prefix[] {
    const out: Prefix[] = [];
    this.each((family, net, bits) => {
      const addr = family === 4
        ? Addr.fromUint32(net as number)
        : Addr.fromBigInt(net as bigint, 6);
      out.push(Prefix.from(addr, bits));
    });
    return out;
  }
}

/**
 * Collapses prefixes (host bits cleared first) into the minimal sorted list covering the same
 * addresses, like Python's `collapse_addresses` but with both families allowed (IPv4 first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collapsePrefixes } from "./collapse.ts";
 * import { Prefix } from "./prefix.ts";
 *
 * const halves = ["192.0.2.128/25", "192.0.2.0/25"].map((t) => Prefix.parse(t));
 * assert.deepEqual(collapsePrefixes(halves).map(String), ["192.0.2.0/24"]);
 * ```
 */
export function collapsePrefixes(prefixes: Iterable<Prefix>): Prefix[] {
  const agg = new PrefixAggregator();
  for (const p of prefixes) agg.addPrefix(p);
  return agg.result();
}

/**
 * Reads `a.b.c.d` or `a.b.c.d/n` (n at most 2 digits) with no host bits and returns
 * network*64+length, or -1 for anything else (which the full parser then explains).
 */
function fastIpv4(s: string): number {
  const len = s.length;
  let i = 0;
  let value = 0;
  for (let o = 0; o < 4; o++) {
    let n = 0;
    let digits = 0;
    let first = 0;
    while (i < len) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (digits === 0) first = c;
      n = n * 10 + c - 48;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || n > 255 || (digits > 1 && first === 48)) return -1;
    value = value * 256 + n;
    if (o < 3) {
      if (i >= len || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  let bits = 32;
  if (i < len) {
    if (s.charCodeAt(i) !== 47) return -1;
    i++;
    let n = 0;
    let digits = 0;
    while (i < len) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
      n = n * 10 + c - 48;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 2 || n > 32) return -1;
    bits = n;
  }
  if (value % pow2[32 - bits] !== 0) return -1;
  return value * 64 + bits;
}

const hostMask6 = Array.from({ length: 129 }, (_, bits) => (1n << BigInt(128 - bits)) - 1n);
const groups = new Array<number>(8);

/**
 * Reads plain IPv6 `x:x::x/n` (hex groups, at most one `::`, no zone, no embedded IPv4) with no
 * host bits and returns [first, last, length, top 32 bits], or `undefined` for anything else
 * (which the full parser then explains).
 */
function fastIpv6(s: string): [bigint, bigint, number, number] | undefined {
  const slash = s.indexOf("/");
  const end = slash < 0 ? s.length : slash;
  let bits = 128;
  if (slash >= 0) {
    const len = s.length - slash - 1;
    if (len < 1 || len > 3) return undefined;
    bits = 0;
    for (let i = slash + 1; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      bits = bits * 10 + c - 48;
    }
    if (bits > 128) return undefined;
  }
  let n = 0; // groups seen
  let gap = -1; // index in `groups` where "::" stands
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let g = 0;
    let digits = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57
        ? c - 48
        : c >= 97 && c <= 102
        ? c - 87
        : c >= 65 && c <= 70
        ? c - 55
        : -1;
      if (d < 0) break;
      g = g * 16 + d;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4 || n === 8) return undefined;
    groups[n++] = g;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return undefined; // ".", "%" or junk: the full parser decides
    i++;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = n;
      i++;
    } else if (i === end) return undefined;
  }
  if (gap < 0 ? n !== 8 : n > 7) return undefined;
  const w = [0, 0, 0, 0];
  const fill = 8 - n;
  for (let k = 0, out = 0; out < 8; out++) {
    const g = gap >= 0 && out >= gap && out < gap + fill ? 0 : groups[k++];
    w[out >> 1] = w[out >> 1] * 65536 + g;
  }
  const v = (BigInt(w[0]) << 96n) | (BigInt(w[1]) << 64n) | (BigInt(w[2]) << 32n) | BigInt(w[3]);
  const host = hostMask6[bits];
  if ((v & host) !== 0n) return undefined;
  return [v, v | host, bits, w[0]];
}
