// What the `subnet` commands share: reading `ADDR[/N] | ADDR MASK | ADDR/MASK` from the command
// line, turning lib/ip's parse errors into input errors, counts for --json (numbers up to 2^53,
// decimal strings beyond), and the binary rows that show the course's AND with the network/host
// boundary marked.
import { fromUserInput } from "../cli/errors.ts";
import { Addr, parseMask, Prefix } from "../ip/mod.ts";

// lib/ip's SyntaxError/RangeError about what the user typed become an InputError (exit 2).
export { fromUserInput };

/**
 * Reads a target written as `ADDR`, `ADDR/N`, `ADDR/MASK` or as two arguments `ADDR MASK` (a
 * mask may be `/N`, `N`, a netmask or a wildcard mask). Host bits are kept; a bare address is a
 * /32 or /128.
 *
 * @example
 * ```ts
 * parseTarget(["172.16.10.1", "255.255.255.0"]).toString(); // "172.16.10.1/24"
 * ```
 */
export function parseTarget(args: readonly string[]): Prefix {
  return fromUserInput(() => {
    if (args.length === 1) return Prefix.parse(args[0], { bareAddr: true });
    if (args[0].includes("/")) {
      throw new SyntaxError(`"${args[0]}" already has a prefix length; drop "${args[1]}"`);
    }
    const addr = Addr.parse(args[0]);
    return Prefix.from(addr, parseMask(args[1], addr.family).bits);
  });
}

/**
 * A count of addresses or hosts for --json: always a decimal string, since such a count can exceed
 * 2^53 (an IPv6 /64 has 2^64 addresses) and a key keeps one type whatever the input (README "JSON
 * output").
 *
 * @example
 * ```ts
 * jsonCount(256n); // "256"
 * jsonCount(1n << 64n); // "18446744073709551616"
 * ```
 */
export function jsonCount(n: bigint): string {
  return n.toString();
}

/**
 * An address in binary with a `|` at the network/host boundary after `bits` bits, replacing the
 * group separator when the boundary falls on one.
 *
 * @example
 * ```ts
 * binaryWithBoundary(Addr.parse("172.16.10.1"), 24); // "10101100.00010000.00001010 | 00000001"
 * ```
 */
export function binaryWithBoundary(addr: Addr, bits: number): string {
  const text = addr.toBinaryString();
  const group = addr.family === 4 ? 8 : 16;
  if (bits === 0 || bits === addr.bitLength) return text;
  // Index in the text of bit `bits`: one separator per full group before it.
  const at = bits + Math.floor(bits / group);
  if (bits % group === 0) return `${text.slice(0, at - 1)} | ${text.slice(at)}`;
  return `${text.slice(0, at)} | ${text.slice(at)}`;
}
