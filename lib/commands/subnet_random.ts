// `toolkit subnet random [/N] [--ipv6]`: a random private network for lab planning, as ipcalc's
// `-r`: an RFC 1918 IPv4 network, or an RFC 4193 unique local IPv6 prefix whose global ID is the
// low 40 bits of SHA-1(NTP time, EUI-64). --seed makes the choice reproducible for handouts.
import { intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import {
  Addr,
  eui64FromMac,
  ntpTimestamp,
  type ParsedMask,
  parseMask,
  Prefix,
  privateBlocks,
  privateNetworkAt,
  privateNetworkCount,
  randomBelow,
  type RandomSource,
  seededRandom,
  systemRandom,
  ulaGlobalId,
  ulaPrefix,
} from "../ip/mod.ts";
import { fromUserInput } from "./_subnet.ts";

/** Parsed `subnet random` options. */
export interface SubnetRandomOptions {
  mask: ParsedMask;
  /** Any text; the same seed gives the same networks. */
  seed?: string;
  count: number;
  json: boolean;
}

const name = "subnet random";
const maxCount = 1000;

/** Where a ULA's EUI-64 came from. */
interface Eui64 {
  value: bigint;
  source: string;
}

/** One network drawn, with what it was made from (for --json). */
interface Drawn {
  prefix: Prefix;
  details: Record<string, string>;
}

const command: CommandModule<SubnetRandomOptions> = {
  spec: {
    usage: "[/N | N | NETMASK]",
    description:
      "Picks a random private network of length N: IPv4 inside the RFC 1918 blocks (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; every /N in them equally likely; default /24), or with --ipv6 (or N above 32) an RFC 4193 unique local prefix (fd00::/8, default /48) whose 40-bit global ID is made as RFC 4193 section 3.2.2 says: the low 40 bits of the SHA-1 of the 64-bit NTP time and an EUI-64 (made from an interface's MAC address as RFC 4291 appendix A says, or random bytes when none can be read). Bits after the /48 are random. --seed TEXT draws the time and EUI-64 (and every other random choice) from a stream seeded with TEXT, so the same seed gives the same networks on any machine. Prints one network per line.",
    options: [
      {
        name: "ipv6",
        short: "6",
        type: "boolean",
        description: "a unique local IPv6 prefix (RFC 4193) instead of an RFC 1918 network",
      },
      {
        name: "seed",
        type: "string",
        value: "TEXT",
        description: "any text: the same seed gives the same networks (classroom handouts)",
      },
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        default: "1",
        description: `how many different networks (1-${maxCount})`,
      },
    ],
    examples: [
      "toolkit subnet random /24",
      "toolkit subnet random --ipv6 /48",
      "toolkit subnet random --seed 'lab 3' --count 30 /26",
      "toolkit subnet random --json -6 /64",
    ],
    positionals: { min: 0, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const v6 = values.ipv6 === true;
    const text = positionals[0] ?? (v6 ? "/48" : "/24");
    if (/^[^/]+\/./.test(text)) {
      // ipcalc -r takes a length; `random 10.0.0.0/24` gives a network where the length goes.
      throw new UsageError(
        `subnet random takes a length (/${text.slice(text.indexOf("/") + 1)}), not a network: ` +
          `it picks the network itself`,
        name,
      );
    }
    if (v6 && text.includes(".")) {
      throw new UsageError(
        `--ipv6 picks an IPv6 prefix, so it takes an IPv6 length such as /48 or /64 ` +
          `(got ${text}, an IPv4 netmask)`,
        name,
      );
    }
    const mask = fromUserInput(() => parseMask(text, v6 ? 6 : undefined));
    if (mask.family === 4 && mask.bits < privateBlocks[0].bits) {
      throw new UsageError(
        `no RFC 1918 block holds a /${mask.bits}: the largest, 10.0.0.0/8, is a /8`,
        name,
      );
    }
    if (mask.family === 6 && mask.bits < 48) {
      throw new UsageError(
        `a unique local prefix is a /48 or longer: fd00::/8 and the 40-bit global ID make 48 bits (got /${mask.bits})`,
        name,
      );
    }
    const count = intOption(values, "count", { min: 1, max: maxCount, fallback: 1, command: name });
    if (mask.family === 4 && BigInt(count) > privateNetworkCount(mask.bits)) {
      const n = privateNetworkCount(mask.bits);
      throw new UsageError(
        `there ${n === 1n ? "is" : "are"} only ${n} private /${mask.bits} ` +
          `network${n === 1n ? "" : "s"} (asked for ${count})`,
        name,
      );
    }
    const seed = typeof values.seed === "string" ? values.seed : undefined;
    return { mask, seed, count, json: globals.json };
  },
  async run(o, io) {
    const source = o.seed === undefined ? systemRandom : seededRandom(o.seed);
    const eui64 = o.mask.family === 6 && o.seed === undefined ? await localEui64() : undefined;
    const drawn: Drawn[] = [];
    const seen = new Set<string>();
    // Distinct networks: a repeat is drawn again (rare except when asking for most of a space).
    for (let tries = 0; drawn.length < o.count && tries < o.count * 64; tries++) {
      if (io.signal.aborted) return ExitCode.interrupted;
      const d = o.mask.family === 4
        ? await drawPrivate(o.mask.bits, source)
        : await drawUla(o.mask.bits, source, eui64, drawn.length);
      const key = d.prefix.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      drawn.push(d);
    }
    if (o.json) {
      await writeJson(io, {
        family: o.mask.family === 4 ? "ipv4" : "ipv6",
        prefixLength: o.mask.bits,
        seed: o.seed ?? null,
        networks: drawn.map((d) => ({ network: d.prefix.toString(), ...d.details })),
      });
    } else {
      await io.stdout.write(drawn.map((d) => `${d.prefix}\n`).join(""));
    }
    return ExitCode.ok;
  },
};
export default command;

async function drawPrivate(bits: number, source: RandomSource): Promise<Drawn> {
  const prefix = privateNetworkAt(bits, await randomBelow(source, privateNetworkCount(bits)));
  const block = privateBlocks.find((b) => b.containsPrefix(prefix))!;
  return { prefix, details: { block: block.toString() } };
}

async function drawUla(
  bits: number,
  source: RandomSource,
  local: Eui64 | undefined,
  index: number,
): Promise<Drawn> {
  // RFC 4193 3.2.2: time and EUI-64 in; with a seed both come from the seeded stream. Each
  // further network of one run reads the clock one NTP tick (2^-32 s) later, so no two share
  // their inputs even within one millisecond.
  const ntp = local ? ntpTimestamp(Date.now()) + BigInt(index) : toBigInt(await source.bytes(8));
  const eui = local ?? { value: toBigInt(await source.bytes(8)), source: "seed" };
  const globalId = await ulaGlobalId(ntp, eui.value);
  const site = ulaPrefix(globalId);
  let prefix = site;
  if (bits > site.bits) {
    const extra = await randomBelow(source, 1n << BigInt(bits - site.bits));
    const value = site.network().toBigInt() | (extra << BigInt(128 - bits));
    prefix = Prefix.from(Addr.fromBigInt(value, 6), bits);
  }
  return {
    prefix,
    details: {
      site: site.toString(),
      globalId: globalId.toString(16).padStart(10, "0"),
      ntpTime: ntp.toString(16).padStart(16, "0"),
      eui64: eui.value.toString(16).padStart(16, "0"),
      eui64Source: eui.source,
    },
  };
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.reduce((v, b) => (v << 8n) | BigInt(b), 0n);
}

/**
 * The EUI-64 RFC 4193 asks for: made from the MAC address of the first interface (by name) that
 * has one, or 64 random bits when none can be read (no interfaces, or not allowed to look).
 */
async function localEui64(): Promise<Eui64> {
  try {
    const withMac = Deno.networkInterfaces()
      .filter((i) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(i.mac) && !/^(00:){5}00$/.test(i.mac))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (withMac.length) {
      const mac = new Uint8Array(withMac[0].mac.split(":").map((h) => parseInt(h, 16)));
      return { value: eui64FromMac(mac), source: `MAC of ${withMac[0].name}` };
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied)) {
      throw err;
    }
  }
  return { value: toBigInt(await systemRandom.bytes(8)), source: "random" };
}
