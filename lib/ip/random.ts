// Random networks for lab planning: a private IPv4 network inside the RFC 1918 blocks, and an
// IPv6 unique local prefix whose 40-bit global ID is made as RFC 4193 section 3.2.2 says (SHA-1
// of the NTP time and an EUI-64, low 40 bits). The randomness is injected, so a seed gives the
// same networks every time.
import { Addr } from "./addr.ts";
import { Prefix } from "./prefix.ts";

/** Where random bytes come from: the system's CSPRNG, or a seeded stream. */
export interface RandomSource {
  /** `n` random bytes. */
  bytes(n: number): Promise<Uint8Array>;
}

/**
 * Random bytes from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemRandom } from "./random.ts";
 *
 * const bytes = await systemRandom.bytes(8);
 * assert.equal(bytes.length, 8);
 * ```
 */
export const systemRandom: RandomSource = {
  bytes(n) {
    return Promise.resolve(crypto.getRandomValues(new Uint8Array(n)));
  },
};

/**
 * A reproducible stream of bytes: SHA-256 of the seed text and a block counter, so the same seed
 * gives the same bytes on every machine and Deno version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seededRandom } from "./random.ts";
 *
 * const a = await seededRandom("lab 3").bytes(4);
 * const b = await seededRandom("lab 3").bytes(4);
 * assert.deepEqual(a, b);
 * assert.notDeepEqual(await seededRandom("lab 4").bytes(4), a);
 * ```
 */
export function seededRandom(seed: string): RandomSource {
  const seedBytes = new TextEncoder().encode(seed);
  let counter = 0;
  let pool = new Uint8Array(0);
  return {
    async bytes(n) {
      while (pool.length < n) {
        const block = new Uint8Array(seedBytes.length + 4);
        block.set(seedBytes);
        new DataView(block.buffer).setUint32(seedBytes.length, counter++);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", block));
        const grown = new Uint8Array(pool.length + digest.length);
        grown.set(pool);
        grown.set(digest, pool.length);
        pool = grown;
      }
      const out = pool.slice(0, n);
      pool = pool.slice(n);
      return out;
    },
  };
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * A uniform random integer in `0`..`n - 1` (rejection sampling, so no value is favoured).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomBelow, systemRandom } from "./random.ts";
 *
 * const n = await randomBelow(systemRandom, 10n);
 * assert.ok(n >= 0n && n < 10n);
 * ```
 */
export async function randomBelow(source: RandomSource, n: bigint): Promise<bigint> {
  if (n <= 0n) throw new RangeError(`Cannot pick a number below ${n}`);
  const bits = (n - 1n).toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const v = toBigInt(await source.bytes(bytes)) & mask;
    if (v < n) return v;
  }
}

/** The RFC 1918 blocks, in address order. */
export const privateBlocks: readonly Prefix[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
  .map((t) => Prefix.mustParse(t));

/**
 * How many distinct private IPv4 networks of length `bits` there are (0 below /8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { privateNetworkCount } from "./random.ts";
 *
 * // 256 in 10.0.0.0/8, 16 in 172.16.0.0/12 and 1 in 192.168.0.0/16.
 * assert.equal(privateNetworkCount(16), 273n);
 * assert.equal(privateNetworkCount(7), 0n);
 * ```
 */
export function privateNetworkCount(bits: number): bigint {
  return privateBlocks.reduce(
    (n, b) => (bits >= b.bits && bits <= 32 ? n + (1n << BigInt(bits - b.bits)) : n),
    0n,
  );
}

/**
 * The `index`-th private network of length `bits`, counting through 10/8, then 172.16/12, then
 * 192.168/16. Choosing `index` uniformly gives every private /N the same chance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { privateNetworkAt } from "./random.ts";
 *
 * assert.equal(privateNetworkAt(24, 0n).toString(), "10.0.0.0/24");
 * // 10.0.0.0/8 holds 65,536 /24s; the next one is the first of 172.16.0.0/12.
 * assert.equal(privateNetworkAt(24, 65536n).toString(), "172.16.0.0/24");
 * ```
 */
export function privateNetworkAt(bits: number, index: bigint): Prefix {
  let i = index;
  for (const block of privateBlocks) {
    if (bits < block.bits) continue;
    const count = 1n << BigInt(bits - block.bits);
    if (i < count) {
      const step = 1n << BigInt(32 - bits);
      return Prefix.from(Addr.fromBigInt(block.network().toBigInt() + i * step, 4), bits);
    }
    i -= count;
  }
  throw new RangeError(`There are only ${privateNetworkCount(bits)} private /${bits} networks`);
}

/**
 * A 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, the fraction in the low 32),
 * the time input RFC 4193 section 3.2.2 asks for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpTimestamp } from "./random.ts";
 *
 * // 1970-01-01 is 2,208,988,800 seconds after the NTP epoch (1900-01-01).
 * assert.equal(ntpTimestamp(0), 2208988800n << 32n);
 * assert.equal(ntpTimestamp(500) & 0xffffffffn, 1n << 31n); // half a second
 * ```
 */
export function ntpTimestamp(unixMs: number): bigint {
  const seconds = BigInt(Math.floor(unixMs / 1000)) + 2208988800n;
  const fraction = BigInt(Math.floor(((unixMs % 1000) / 1000) * 2 ** 32));
  return (seconds << 32n) | fraction;
}

/**
 * The modified EUI-64 made from a 48-bit MAC address as RFC 4291 appendix A says (`ff:fe` in the
 * middle, the universal/local bit inverted), which RFC 4193 names as the fallback when a node
 * has no EUI-64 of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eui64FromMac } from "./random.ts";
 *
 * const mac = new Uint8Array([0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde]);
 * assert.equal(eui64FromMac(mac), 0x365678fffe9abcden);
 * ```
 */
export function eui64FromMac(mac: Uint8Array): bigint {
  if (mac.length !== 6) throw new RangeError(`A MAC address has 6 bytes, not ${mac.length}`);
  return toBigInt(new Uint8Array([mac[0] ^ 2, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]]));
}

/**
 * The 40-bit ULA global ID of RFC 4193 section 3.2.2: the least significant 40 bits of the SHA-1
 * digest of the 64-bit NTP time followed by the 64-bit EUI-64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpTimestamp, ulaGlobalId, ulaPrefix } from "./random.ts";
 *
 * const id = await ulaGlobalId(ntpTimestamp(Date.now()), 0x365678fffe9abcden);
 * assert.ok(id >= 0n && id < 2n ** 40n);
 * assert.equal(ulaPrefix(id).bits, 48);
 * ```
 */
export async function ulaGlobalId(ntpTime: bigint, eui64: bigint): Promise<bigint> {
  const key = new Uint8Array(16);
  const view = new DataView(key.buffer);
  view.setBigUint64(0, BigInt.asUintN(64, ntpTime));
  view.setBigUint64(8, BigInt.asUintN(64, eui64));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", key));
  return toBigInt(digest) & ((1n << 40n) - 1n);
}

/**
 * The /48 unique local prefix of a global ID: `fd00::/8` (`fc00::/7` with the L bit set, RFC 4193
 * section 3.1) followed by the 40 bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ulaPrefix } from "./random.ts";
 *
 * assert.equal(ulaPrefix(0x123456789an).toString(), "fd12:3456:789a::/48");
 * assert.throws(() => ulaPrefix(2n ** 40n), RangeError);
 * ```
 */
export function ulaPrefix(globalId: bigint): Prefix {
  if (globalId < 0n || globalId >= 1n << 40n) {
    throw new RangeError(`A ULA global ID has 40 bits (got ${globalId})`);
  }
  return Prefix.from(Addr.fromBigInt((0xfdn << 120n) | (globalId << 80n), 6), 48);
}
