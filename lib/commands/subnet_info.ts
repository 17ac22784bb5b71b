// `toolkit subnet info ADDR[/N] | ADDR MASK`: everything ipcalc and sipcalc say about an address
// and its network, with the RFC 6890 purpose, the reverse zones (RFC 2317 for prefixes off an
// octet boundary), shell variables for `eval` (ipcalc's names) and, with --binary, the AND.
import { type OptionValues, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError } from "../cli/errors.ts";
import { errorLine } from "../cli/report.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import {
  Addr,
  addressClass,
  classfulPrefix,
  globallyReachable,
  type Prefix,
  reverseZone,
  reverseZones,
  type SpecialPurpose,
  specialPurpose,
  specialPurposeWithin,
} from "../ip/mod.ts";
import { printable } from "../text/printable.ts";
import {
  binaryWithBoundary,
  fromUserInput,
  jsonCount,
  parseTarget,
  refuseIpcalcOptions,
} from "./_subnet.ts";

/** Parsed `subnet info` options. */
export interface SubnetInfoOptions {
  /** The address with its prefix length, host bits as given (absent when --check refused it). */
  target?: Prefix;
  binary: boolean;
  format: "text" | "shell";
  json: boolean;
  /** --check: print nothing, answer with the exit status (ipcalc's -c). */
  check: boolean;
  /** Under --check: why the target is not an address or prefix. */
  invalid?: string;
}

const name = "subnet info";

/** What kind of space a prefix is, for the `Special:` line, `addressSpace` and `ADDRSPACE`. */
interface Space {
  /** `default route`, the registry name, `global unicast` or `mixed`. */
  addressSpace: string;
  /** The text shown after `Special:`. */
  text: string;
}

function describeSpace(
  p: Prefix,
  special: SpecialPurpose | undefined,
  within: SpecialPurpose[],
): Space {
  if (p.bits === 0) {
    const all = p.family === 4 ? "all of IPv4" : "all of IPv6";
    return {
      addressSpace: "default route",
      text: `default route: ${all}, holding every special-purpose block`,
    };
  }
  const listed = within.slice(0, 4).map((r) => `${r.prefix} (${r.label})`).join(", ") +
    (within.length > 4 ? ` and ${within.length - 4} more` : "");
  if (special) {
    const own = `${special.label} (${special.name}, ${special.rfc})`;
    return { addressSpace: special.name, text: within.length ? `${own}; holds ${listed}` : own };
  }
  if (within.length) return { addressSpace: "mixed", text: `global unicast and ${listed}` };
  return { addressSpace: "global unicast", text: "none (global unicast)" };
}

/** Adds the trailing dot of a fully qualified DNS name. */
function fqdn(name: string): string {
  return name.endsWith(".") ? name : `${name}.`;
}

/**
 * Everything `subnet info` reports, as the --json document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prefix } from "../ip/mod.ts";
 * import { describePrefix } from "./subnet_info.ts";
 *
 * const info = describePrefix(Prefix.parse("172.16.10.1/24"));
 * assert.equal(info.network, "172.16.10.0/24");
 * assert.equal(info.broadcast, "172.16.10.255");
 * assert.equal(info.usableHosts, "254"); // a count: a decimal string
 * assert.equal(info.class, "B");
 * assert.equal(info.addressSpace, "Private-Use");
 * ```
 */
export function describePrefix(p: Prefix): Record<string, unknown> {
  const special = specialPurpose(p);
  const within = specialPurposeWithin(p);
  const net = p.masked();
  const network = net.network().withZone("");
  return {
    address: p.addr.toString(),
    fullAddress: p.addr.toExpandedString(),
    family: p.family === 4 ? "ipv4" : "ipv6",
    network: `${network}/${p.bits}`,
    fullNetwork: `${network.toExpandedString()}/${p.bits}`,
    prefixLength: p.bits,
    netmask: p.netmask().toString(),
    wildcard: p.hostmask().toString(),
    broadcast: p.broadcast()?.toString() ?? null,
    firstAddress: network.toString(),
    lastAddress: p.last().withZone("").toString(),
    firstHost: p.firstHost().withZone("").toString(),
    lastHost: p.lastHost().withZone("").toString(),
    addressCount: jsonCount(p.size()),
    usableHosts: jsonCount(p.usableHosts()),
    hostBitsSet: !p.isMasked(),
    class: p.family === 4 ? addressClass(p.addr) : null,
    addressSpace: describeSpace(p, special, within).addressSpace,
    special: special
      ? {
        label: special.label,
        name: special.name,
        block: special.prefix.toString(),
        rfc: special.rfc,
        globallyReachable: special.globallyReachable,
      }
      : null,
    specialWithin: within.map((r) => ({ block: r.prefix.toString(), label: r.label })),
    globallyReachable: globallyReachable(p) ?? null,
    ipv4Mapped: p.addr.is4In6() ? p.addr.unmap().toString() : null,
    reverseZone: reverseZone(net) ?? null,
    reverseZones: reverseZones(net),
    reverseName: fqdn(p.addr.reverseName()),
  };
}

/**
 * Quotes a value for `eval` in sh, bash and zsh: single quotes, with each `'` written `'\''`.
 * Nothing inside single quotes is expanded, so a hostile zone (`fe80::1%$(reboot)`) stays text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellQuote } from "./subnet_info.ts";
 *
 * assert.equal(shellQuote("plain"), "'plain'");
 * assert.equal(shellQuote("it's"), "'it'\\''s'");
 * ```
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `NAME='value'` lines of `--format shell`, with ipcalc's names (`ipcalc -a -n -p -m -b
 * --minaddr --maxaddr --addresses --reverse-dns --addrspace`) plus WILDCARD. Every name is set on
 * every run (empty when it does not apply) so an `eval` never keeps a value from an earlier one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prefix } from "../ip/mod.ts";
 * import { describePrefix, shellVariables } from "./subnet_info.ts";
 *
 * const vars = shellVariables(describePrefix(Prefix.parse("10.0.0.1/24")));
 * assert.equal(vars.NETWORK, "10.0.0.0");
 * assert.equal(vars.PREFIX, "24");
 * assert.equal(vars.BROADCAST, "10.0.0.255");
 * assert.equal(vars.ADDRCLASS, "Class A");
 * ```
 */
export function shellVariables(info: Record<string, unknown>): Record<string, string> {
  const text = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  // For IPv6, ipcalc counts the Subnet-Router anycast address (the first) as a host: its
  // MINADDR is the first address and ADDRESSES every address. Scripts written for ipcalc get
  // its values here; --json's firstHost and usableHosts leave that address out.
  const v6 = info.family === "ipv6";
  return {
    ADDRESS: text(info.address),
    FULLADDRESS: text(info.fullAddress),
    NETMASK: text(info.netmask),
    PREFIX: text(info.prefixLength),
    BROADCAST: text(info.broadcast),
    NETWORK: text(info.firstAddress),
    FULLNETWORK: text(info.fullNetwork).replace(/\/\d+$/, ""),
    REVERSEDNS: text(info.reverseZone),
    MINADDR: text(v6 ? info.firstAddress : info.firstHost),
    MAXADDR: text(info.lastHost),
    ADDRSPACE: text(info.addressSpace),
    ADDRCLASS: info.class ? `Class ${info.class}` : "",
    ADDRESSES: text(v6 ? info.addressCount : info.usableHosts),
    WILDCARD: text(info.wildcard),
  };
}

const command: CommandModule<SubnetInfoOptions> = {
  spec: {
    usage: "ADDR[/N] | ADDR MASK | ADDR/MASK",
    description:
      "Shows the network an address is in: network, netmask, wildcard, broadcast (IPv4 only; none for /31 and /32), first and last usable host, number of addresses and usable hosts (/31 has 2, RFC 3021; IPv6 counts all but the Subnet-Router anycast address), the historical class, the RFC 6890 special-purpose block (an IPv4-mapped address is judged by the IPv4 inside), the reverse-DNS zone (RFC 2317 `first-last` form off an octet boundary, as ipcalc prints it) and the zones the prefix needs, and for IPv6 the full (exploded) form. MASK may be /N, N, a netmask (255.255.255.0) or a wildcard mask (0.0.0.255); a length may have leading zeros (/024). An address with host bits set is fine: its network is reported. A bare address is a /32 (or /128). --format shell prints NAME='value' lines for `eval` with ipcalc's names: ADDRESS FULLADDRESS NETMASK PREFIX BROADCAST NETWORK FULLNETWORK REVERSEDNS MINADDR MAXADDR ADDRSPACE ADDRCLASS ADDRESSES (usable hosts) WILDCARD, each always set, empty when it does not apply; as in ipcalc, an IPv6 MINADDR is the first address and ADDRESSES counts every address. Text the user chose (an IPv6 zone) is shown with control characters escaped. A mask may also be hex (0xffffff00, as sipcalc takes it).",
    options: [
      {
        name: "binary",
        short: "b",
        type: "boolean",
        description:
          "also show address, netmask and network in binary, the AND that gives the network",
      },
      {
        name: "format",
        type: "string",
        value: "FORMAT",
        choices: ["text", "shell"],
        default: "text",
        description: "text, or shell: NAME='value' lines safe for eval in sh, bash and zsh",
      },
      {
        name: "class-prefix",
        type: "boolean",
        description: "use the prefix the IPv4 address's class implied (A /8, B /16, C /24)",
      },
      {
        name: "check",
        short: "c",
        type: "boolean",
        description:
          "print nothing: exit 0 when the address or prefix is valid, 1 (and why, on stderr) when not (ipcalc -c)",
      },
    ],
    examples: [
      "toolkit subnet info 172.16.10.1/24",
      "toolkit subnet info --binary 172.16.10.1 255.255.255.0",
      "toolkit subnet info 2001:db8::1/64",
      "toolkit subnet info --json 10.0.0.1/31",
      "toolkit subnet info --class-prefix 172.16.10.1",
      'toolkit subnet info --format shell 193.92.150.3/26  # eval "$(toolkit subnet info --format shell ...)"',
      "toolkit subnet info --check 10.0.0.1 255.255.255.0",
    ],
    positionals: { min: 1, max: 2, complete: "none" },
  },
  parse(args, globals) {
    refuseIpcalcOptions(args, this.spec, name);
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const format = values.format === "shell" ? "shell" : "text";
    const binary = values.binary === true;
    const check = values.check === true;
    if (format === "shell" && globals.json) {
      throw new UsageError("give --json or --format shell, not both", name);
    }
    if (format === "shell" && binary) {
      throw new UsageError(
        "--binary adds the bits to the text output; --format shell has no place for them",
        name,
      );
    }
    if (check && (globals.json || format === "shell" || binary)) {
      throw new UsageError(
        "--check prints nothing: give it without --json, --format or --binary",
        name,
      );
    }
    const base = { binary, format, json: globals.json, check } as const;
    if (!check) return { ...base, target: readTarget(values, positionals) };
    try {
      return { ...base, target: readTarget(values, positionals) };
    } catch (err) {
      // Not an address: the answer --check asks for. A misused option stays a usage error.
      if (!(err instanceof InputError)) throw err;
      return { ...base, invalid: err.message };
    }
  },
  async run(o, io) {
    if (o.check) {
      if (o.invalid !== undefined && !io.globals.quiet) {
        await io.stderr.write(`toolkit: not valid: ${printable(errorLine(o.invalid))}\n`);
      }
      return o.invalid === undefined ? ExitCode.ok : ExitCode.negative;
    }
    const p = o.target!;
    const info = describePrefix(p);
    const binary = {
      address: binaryWithBoundary(p.addr, p.bits),
      netmask: binaryWithBoundary(p.netmask(), p.bits),
      network: binaryWithBoundary(p.network(), p.bits),
    };
    if (o.json) {
      await writeJson(io, o.binary ? { ...info, binary } : info);
      return ExitCode.ok;
    }
    if (o.format === "shell") {
      // Quoting keeps eval safe; escaping keeps the terminal safe when the lines are shown.
      const lines = Object.entries(shellVariables(info)).map(([k, v]) =>
        `${k}=${shellQuote(printable(v))}`
      );
      await io.stdout.write(lines.join("\n") + "\n");
      return ExitCode.ok;
    }
    const v6 = p.family === 6;
    const rows: string[][] = [["Address:", String(info.address)]];
    if (v6) rows.push(["Full address:", String(info.fullAddress)]);
    rows.push(["Network:", String(info.network)]);
    if (v6) rows.push(["Full network:", String(info.fullNetwork)]);
    rows.push(
      ["Netmask:", `${info.netmask} = ${p.bits}`],
      ["Wildcard:", String(info.wildcard)],
      ["Broadcast:", info.broadcast === null ? noBroadcast(p) : String(info.broadcast)],
      ["First host:", String(info.firstHost)],
      ["Last host:", String(info.lastHost)],
      ["Addresses:", String(p.size())],
      ["Usable hosts:", String(p.usableHosts())],
    );
    if (info.class) rows.push(["Class:", String(info.class)]);
    rows.push(["Special:", describeSpace(p, specialPurpose(p), specialPurposeWithin(p)).text]);
    if (info.ipv4Mapped) rows.push(["IPv4-mapped:", String(info.ipv4Mapped)]);
    rows.push(...reverseRows(p, info.reverseZone as string | null, info.reverseZones as string[]));
    if (info.hostBitsSet) rows.push(["Note:", `host bits set; the network is ${info.network}`]);
    // An IPv6 zone is any text the user typed: escaped so it cannot act on the terminal or
    // start a line of its own.
    let text = formatTable(rows.map((r) => r.map((cell) => printable(cell))));
    if (o.binary) {
      text += "\n" + formatTable([
        ["Address", p.addr.withZone("").toString(), binary.address],
        ["Netmask", p.netmask().toString(), binary.netmask],
        ["AND", "", ""],
        ["Network", p.network().withZone("").toString(), binary.network],
      ]);
    }
    await io.stdout.write(text);
    return ExitCode.ok;
  },
};
export default command;

/** The address and prefix length to describe: as typed, or with --class-prefix the class's. */
function readTarget(values: OptionValues, positionals: string[]): Prefix {
  if (values["class-prefix"] !== true) return parseTarget(positionals);
  if (positionals.length > 1 || positionals[0].includes("/")) {
    throw new UsageError("--class-prefix takes a bare IPv4 address, without a length", name);
  }
  const addr = fromUserInput(() => Addr.parse(positionals[0]));
  if (!addr.is4()) {
    throw new UsageError("--class-prefix is for IPv4 addresses: IPv6 never had classes", name);
  }
  return fromUserInput(() => classfulPrefix(addr));
}

/** The reverse-zone rows: the zone, and for a prefix that spans several, how many and which. */
function reverseRows(p: Prefix, zone: string | null, zones: string[]): string[][] {
  const rows: string[][] = [];
  const classless = p.family === 4 && p.bits > 24 && p.bits < 32;
  if (zone !== null) {
    rows.push([
      "Reverse zone:",
      classless
        ? `${zone} (RFC 2317 classless; CNAMEs in ${zones[0].split(".").slice(1).join(".")})`
        : zone,
    ]);
  }
  if (zones.length > 1) {
    const span = zones.length > 2 ? `${zones[0]} ... ${zones[zones.length - 1]}` : zones.join(", ");
    rows.push(["Reverse zones:", `${zones.length} zones: ${span}`]);
  }
  return rows;
}

function noBroadcast(p: Prefix): string {
  if (p.family === 6) return "none (IPv6 has no broadcast)";
  return `none (/${p.bits}: every address is a host${p.bits === 31 ? ", RFC 3021" : ""})`;
}
