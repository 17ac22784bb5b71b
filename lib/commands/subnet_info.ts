// `toolkit subnet info ADDR[/N] | ADDR MASK`: everything ipcalc and sipcalc say about an address
// and its network, with the RFC 6890 purpose and, with --binary, the course's AND in bits.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { type Prefix, specialPurpose } from "../ip/mod.ts";
import { binaryWithBoundary, jsonCount, parseTarget } from "./subnet_args.ts";

/** Parsed `subnet info` options. */
export interface SubnetInfoOptions {
  /** The address with its prefix length, host bits as given. */
  target: Prefix;
  binary: boolean;
  json: boolean;
}

const name = "subnet info";

/**
 * The historical class of an IPv4 address (A-E), from its first octet.
 *
 * @example
 * ```ts
 * addressClass(172); // "B"
 * ```
 */
export function addressClass(firstOctet: number): "A" | "B" | "C" | "D" | "E" {
  if (firstOctet < 128) return "A";
  if (firstOctet < 192) return "B";
  if (firstOctet < 224) return "C";
  if (firstOctet < 240) return "D";
  return "E";
}

/**
 * The reverse-DNS zone holding the PTR records of the whole network: whole octets (IPv4) or
 * nibbles (IPv6) of the network, so a /20 lives in the /16's zone.
 *
 * @example
 * ```ts
 * reverseZone(Prefix.parse("172.16.10.0/24")); // "10.16.172.in-addr.arpa"
 * ```
 */
export function reverseZone(p: Prefix): string {
  const name = p.network().reverseName();
  const labels = name.split(".");
  const unit = p.family === 4 ? 8 : 4;
  const total = p.family === 4 ? 4 : 32;
  return labels.slice(total - Math.floor(p.bits / unit)).join(".");
}

/**
 * Everything `subnet info` reports, as the --json document.
 *
 * @example
 * ```ts
 * describePrefix(Prefix.parse("172.16.10.1/24")).broadcast; // "172.16.10.255"
 * ```
 */
export function describePrefix(p: Prefix): Record<string, unknown> {
  const special = specialPurpose(p);
  const net = p.masked();
  return {
    address: p.addr.toString(),
    family: p.family === 4 ? "ipv4" : "ipv6",
    network: net.network().toString(),
    prefix: `${net.network().withZone("")}/${p.bits}`,
    prefixLength: p.bits,
    netmask: p.netmask().toString(),
    wildcard: p.hostmask().toString(),
    broadcast: p.broadcast()?.toString() ?? null,
    firstAddress: net.network().withZone("").toString(),
    lastAddress: p.last().withZone("").toString(),
    firstHost: p.firstHost().withZone("").toString(),
    lastHost: p.lastHost().withZone("").toString(),
    addresses: jsonCount(p.size()),
    usableHosts: jsonCount(p.usableHosts()),
    hostBitsSet: !p.isMasked(),
    class: p.family === 4 ? addressClass(p.addr.toUint32() >>> 24) : null,
    special: special
      ? {
        label: special.label,
        name: special.name,
        block: special.prefix.toString(),
        rfc: special.rfc,
        globallyReachable: special.globallyReachable,
      }
      : null,
    ipv4Mapped: p.addr.is4In6() ? p.addr.unmap().toString() : null,
    reverseZone: reverseZone(p),
    reverseName: p.addr.reverseName(),
  };
}

const command: CommandModule<SubnetInfoOptions> = {
  spec: {
    usage: "ADDR[/N] | ADDR MASK | ADDR/MASK",
    description:
      "Shows the network an address is in: network, netmask, wildcard, broadcast (IPv4 only; none for /31 and /32), first and last usable host, number of addresses and usable hosts (/31 has 2, RFC 3021; IPv6 counts all but the Subnet-Router anycast address), the historical class, the RFC 6890 special-purpose block and the reverse-DNS zone. MASK may be /N, N, a netmask (255.255.255.0) or a wildcard mask (0.0.0.255). An address with host bits set is fine: its network is reported. A bare address is a /32 (or /128).",
    options: [
      {
        name: "binary",
        short: "b",
        type: "boolean",
        description:
          "also show address, netmask and network in binary, the AND that gives the network",
      },
    ],
    examples: [
      "toolkit subnet info 172.16.10.1/24",
      "toolkit subnet info --binary 172.16.10.1 255.255.255.0",
      "toolkit subnet info 2001:db8::1/64",
      "toolkit subnet info --json 10.0.0.1/31",
    ],
    positionals: { min: 1, max: 2, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    return { target: parseTarget(positionals), binary: values.binary === true, json: globals.json };
  },
  async run(o, io) {
    const p = o.target;
    const info = describePrefix(p);
    const binary = {
      address: binaryWithBoundary(p.addr, p.bits),
      netmask: binaryWithBoundary(p.netmask(), p.bits),
      network: binaryWithBoundary(p.network(), p.bits),
    };
    if (o.json) {
      await writeJson(io, o.binary ? { ...info, binary } : info);
      return 0;
    }
    const special = info.special as { label: string; name: string; rfc: string } | null;
    const rows: string[][] = [
      ["Address:", String(info.address)],
      ["Network:", String(info.prefix)],
      ["Netmask:", `${info.netmask} = ${p.bits}`],
      ["Wildcard:", String(info.wildcard)],
      ["Broadcast:", info.broadcast === null ? noBroadcast(p) : String(info.broadcast)],
      ["First host:", String(info.firstHost)],
      ["Last host:", String(info.lastHost)],
      ["Addresses:", String(p.size())],
      ["Usable hosts:", String(p.usableHosts())],
    ];
    if (info.class) rows.push(["Class:", String(info.class)]);
    rows.push([
      "Special:",
      special ? `${special.label} (${special.name}, ${special.rfc})` : "none (global unicast)",
    ]);
    if (info.ipv4Mapped) rows.push(["IPv4-mapped:", String(info.ipv4Mapped)]);
    rows.push(["Reverse zone:", String(info.reverseZone)]);
    if (info.hostBitsSet) rows.push(["Note:", `host bits set; the network is ${info.prefix}`]);
    let text = formatTable(rows);
    if (o.binary) {
      text += "\n" + formatTable([
        ["Address", p.addr.withZone("").toString(), binary.address],
        ["Netmask", p.netmask().toString(), binary.netmask],
        ["AND", "", ""],
        ["Network", p.network().withZone("").toString(), binary.network],
      ]);
    }
    await io.stdout.write(text);
    return 0;
  },
};
export default command;

function noBroadcast(p: Prefix): string {
  if (p.family === 6) return "none (IPv6 has no broadcast)";
  return `none (/${p.bits}: every address is a host${p.bits === 31 ? ", RFC 3021" : ""})`;
}
