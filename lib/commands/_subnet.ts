// What the `subnet` commands share: reading `ADDR[/N] | ADDR MASK | ADDR/MASK` from the command
// line, turning lib/ip's parse errors into input errors, counts for --json (numbers up to 2^53,
// decimal strings beyond), and the binary rows that show the course's AND with the network/host
// boundary marked.
import type { CommandSpec } from "../cli/command.ts";
import { fromUserInput, UsageError } from "../cli/errors.ts";
import { globalOptions } from "../cli/globals.ts";
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
 * import assert from "node:assert/strict";
 * import { parseTarget } from "./_subnet.ts";
 *
 * assert.equal(parseTarget(["172.16.10.1", "255.255.255.0"]).toString(), "172.16.10.1/24");
 * assert.equal(parseTarget(["172.16.10.1/24"]).toString(), "172.16.10.1/24");
 * ```
 */
export function parseTarget(args: readonly string[]): Prefix {
  return fromUserInput(() => {
    if (args.length === 1) {
      const range = /^([^/]+?)\s*-\s*([^/]+)$/.exec(args[0]);
      if (range && isAddress(range[1]) && isAddress(range[2])) {
        // ipcalc's `-d A-B` habit: a range is not one network.
        throw new SyntaxError(
          `"${args[0]}" is a range of addresses, not a network: ` +
            `toolkit subnet range ${range[1]}-${range[2]} gives the prefixes that cover it`,
        );
      }
      return Prefix.parse(args[0], { bareAddr: true });
    }
    if (args[0].includes("/")) {
      throw new SyntaxError(`"${args[0]}" already has a prefix length; drop "${args[1]}"`);
    }
    const addr = Addr.parse(args[0]);
    return Prefix.from(addr, parseMask(args[1], addr.family).bits);
  });
}

/** Whether `text` is an IP address. */
function isAddress(text: string): boolean {
  try {
    Addr.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** What ipcalc's `NAME=value` options became. */
const shellLines = "toolkit subnet info --format shell prints ipcalc's NAME='value' lines " +
  "(ADDRESS, NETWORK, PREFIX, NETMASK, BROADCAST, MINADDR, MAXADDR, ADDRESSES, ADDRSPACE, " +
  "REVERSEDNS, ...) for eval";

/** ipcalc's (1.x) options, and what to write in toolkit instead. */
const ipcalcOptions: Record<string, string> = {
  ...Object.fromEntries(
    [
      "-a",
      "--address",
      "-n",
      "--network",
      "-p",
      "--prefix",
      "-m",
      "--netmask",
      "--broadcast",
      "--minaddr",
      "--maxaddr",
      "--addresses",
      "--addrspace",
      "--reverse-dns",
      "--no-decorate",
    ].map((o) => [o, shellLines]),
  ),
  "-i": "subnet info shows all of it without an option",
  "--info": "subnet info shows all of it without an option",
  "--all-info": "subnet info shows all of it without an option",
  "-r": "toolkit subnet random /24 picks a random private network",
  "--random-private": "toolkit subnet random /24 picks a random private network",
  "-S": "toolkit subnet split NETWORK --prefix N cuts a network into subnets",
  "--split": "toolkit subnet split NETWORK --prefix N cuts a network into subnets",
  "-d": "toolkit subnet range START-END gives the prefixes that cover a range",
  "--deaggregate": "toolkit subnet range START-END gives the prefixes that cover a range",
  "-s": "errors go to stderr: add 2>/dev/null",
  "--silent": "errors go to stderr: add 2>/dev/null",
  "-4": "the family is read from the address",
  "-6": "the family is read from the address",
  "--ipv4": "the family is read from the address",
  "--ipv6": "the family is read from the address",
  "-j": "toolkit's JSON option is --json",
  "--hostname": "toolkit subnet looks nothing up in DNS",
  "-o": "toolkit subnet looks nothing up in DNS",
  "--lookup-host": "toolkit subnet looks nothing up in DNS",
  "-g": "toolkit subnet has no geographic data",
  "--geoinfo": "toolkit subnet has no geographic data",
};

/**
 * Refuses, with a pointer to what to write instead, an ipcalc option that `spec` does not have
 * (`subnet info -n -p 10.0.0.1/24` → `--format shell`): what the generic "unknown option" would
 * leave a user of ipcalc to guess. Options `spec` or toolkit itself declare are left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CommandSpec } from "../cli/command.ts";
 * import { refuseIpcalcOptions } from "./_subnet.ts";
 *
 * const spec: CommandSpec = { usage: "ADDRESS[/N]", options: [], examples: [] };
 * assert.throws(() => refuseIpcalcOptions(["-r", "24"], spec, "subnet info"), {
 *   name: "UsageError",
 *   message: "unknown option '-r': toolkit subnet random /24 picks a random private network",
 * });
 * refuseIpcalcOptions(["--json", "10.0.0.1/24"], spec, "subnet info"); // toolkit's own: left alone
 * ```
 */
export function refuseIpcalcOptions(
  args: readonly string[],
  spec: CommandSpec,
  command: string,
): void {
  const options = [...spec.options, ...globalOptions];
  for (const arg of args) {
    if (arg === "--") return;
    if (!arg.startsWith("-") || arg === "-") continue;
    const flag = arg.startsWith("--") ? arg.split("=")[0] : arg.slice(0, 2);
    // A group of letters (`-json`) is left to the generic did-you-mean, unless the letter is
    // one of ipcalc's that take a value (`-r24`, `-S26`).
    if (!arg.startsWith("--") && arg.length > 2 && !"rSdo".includes(arg[1])) continue;
    const known = flag.startsWith("--")
      ? options.some((o) => `--${o.name}` === flag)
      : options.some((o) => o.short === flag[1]);
    if (!known && ipcalcOptions[flag]) {
      throw new UsageError(`unknown option '${flag}': ${ipcalcOptions[flag]}`, command);
    }
  }
}

/**
 * A count of addresses or hosts for --json: always a decimal string, since such a count can exceed
 * 2^53 (an IPv6 /64 has 2^64 addresses) and a key keeps one type whatever the input (docs/json.md,
 * "Numbers").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonCount } from "./_subnet.ts";
 *
 * assert.equal(jsonCount(256n), "256");
 * assert.equal(jsonCount(1n << 64n), "18446744073709551616"); // an IPv6 /64
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
 * import assert from "node:assert/strict";
 * import { Addr } from "../ip/mod.ts";
 * import { binaryWithBoundary } from "./_subnet.ts";
 *
 * assert.equal(
 *   binaryWithBoundary(Addr.parse("172.16.10.1"), 24),
 *   "10101100.00010000.00001010 | 00000001",
 * );
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
