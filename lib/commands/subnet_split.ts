// `toolkit subnet split PREFIX (--prefix N | --count N | --hosts 100,50,10)`: equal subnets
// (Python's `subnets()`), or VLSM allocation largest-first with the leftover space listed, sized
// by the textbook 2^n − 2 rule unless --rfc3021 allows /31s; --explain shows each choice.
import { intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import {
  allocateVlsm,
  type HostRule,
  hostsInBits,
  lengthForCount,
  parseNetwork,
  type Prefix,
  subnets,
  type VlsmAllocation,
} from "../ip/mod.ts";
import { fromUserInput, jsonCount } from "./subnet_args.ts";

/** Parsed `subnet split` options. */
export interface SubnetSplitOptions {
  network: Prefix;
  /** Equal split into this length, or VLSM when `hosts` is set. */
  bits?: number;
  /** How many were asked for with --count (the split gives the next power of two). */
  count?: number;
  hosts?: number[];
  /** How host counts become sizes with --hosts. */
  rule: HostRule;
  explain: boolean;
  limit: number;
  json: boolean;
}

const name = "subnet split";

function row(p: Prefix): Record<string, unknown> {
  return {
    subnet: p.toString(),
    firstHost: p.firstHost().toString(),
    lastHost: p.lastHost().toString(),
    broadcast: p.broadcast()?.toString() ?? null,
    addressCount: jsonCount(p.size()),
    usableHosts: jsonCount(p.usableHosts()),
  };
}

function tableRow(p: Prefix, lead: string[] = []): string[] {
  return [
    ...lead,
    p.toString(),
    p.firstHost().toString(),
    p.lastHost().toString(),
    p.broadcast()?.toString() ?? "-",
    String(p.usableHosts()),
  ];
}

const header = ["Subnet", "First host", "Last host", "Broadcast", "Hosts"];

const command: CommandModule<SubnetSplitOptions> = {
  spec: {
    usage: "PREFIX (--prefix N | --count N | --hosts N,N,...)",
    description:
      "Cuts a network into equal subnets of length N (--prefix), into the fewest equal subnets that make at least N (--count: the next power of two), or into subnets for the given host counts (--hosts, VLSM): largest first, each at the lowest free address, with the space left over listed. VLSM sizes follow the textbook rule: a subnet with n host bits holds 2^n - 2 hosts, so 2 hosts get a /30; with --rfc3021 a 2-host request may take a /31 and a 1-host request a /32 (IPv6 sizes are the same either way: all but the Subnet-Router anycast address, /127 holding 2). A count that does not fit in PREFIX on its own is an error naming it (exit 2). PREFIX must be a network (no host bits set).",
    options: [
      {
        name: "prefix",
        short: "p",
        type: "string",
        value: "N",
        description: "length of the equal subnets",
      },
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        description: "at least N equal subnets",
      },
      {
        name: "hosts",
        type: "string",
        value: "N,N,...",
        description: "VLSM: one subnet per host count",
      },
      {
        name: "rfc3021",
        type: "boolean",
        description: "with --hosts: let 2 hosts take a /31 (RFC 3021) and 1 host a /32",
      },
      {
        name: "explain",
        short: "e",
        type: "boolean",
        description: "with --hosts: show how each subnet's size was chosen",
      },
      {
        name: "limit",
        type: "string",
        value: "N",
        default: "65536",
        description: "print at most N equal subnets",
      },
    ],
    examples: [
      "toolkit subnet split 192.168.0.0/24 --prefix 26",
      "toolkit subnet split 10.0.0.0/16 --count 6",
      "toolkit subnet split 192.168.1.0/24 --hosts 100,50,10,2",
      "toolkit subnet split --explain 192.168.1.0/24 --hosts 60,2 --rfc3021",
      "toolkit subnet split --json 2001:db8::/48 --prefix 52",
    ],
    positionals: { min: 1, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const given = ["prefix", "count", "hosts"].filter((k) => values[k] !== undefined);
    if (given.length !== 1) {
      throw new UsageError(
        given.length
          ? `give only one of --${given.join(", --")}`
          : "give --prefix, --count or --hosts",
        name,
      );
    }
    const rule: HostRule = values.rfc3021 === true ? "rfc3021" : "textbook";
    const explain = values.explain === true;
    if ((values.rfc3021 === true || explain) && values.hosts === undefined) {
      throw new UsageError("--rfc3021 and --explain go with --hosts", name);
    }
    const network = fromUserInput(() => parseNetwork(positionals[0]));
    const limit = intOption(values, "limit", {
      min: 1,
      max: 100_000_000,
      fallback: 65536,
      command: name,
    });
    const base = { network, limit, rule, explain, json: globals.json };
    if (values.prefix !== undefined) {
      const text = String(values.prefix).replace(/^\//, "");
      const bits = intOption({ prefix: text }, "prefix", {
        min: network.bits,
        max: network.addr.bitLength,
        fallback: 0,
        command: name,
      });
      return { ...base, bits };
    }
    if (values.count !== undefined) {
      const count = intOption(values, "count", {
        min: 1,
        max: Number.MAX_SAFE_INTEGER,
        fallback: 1,
        command: name,
      });
      return { ...base, count, bits: fromUserInput(() => lengthForCount(network, count)) };
    }
    const hosts = String(values.hosts).split(",").map((h) => h.trim());
    if (
      hosts.some((h) => !/^[0-9]+$/.test(h) || !Number.isSafeInteger(Number(h)) || Number(h) < 1)
    ) {
      throw new UsageError(
        `--hosts takes whole numbers from 1 to 2^53 separated by commas (got "${values.hosts}")`,
        name,
      );
    }
    return { ...base, hosts: hosts.map(Number) };
  },
  async run(o, io) {
    if (o.hosts) return await runVlsm(o, o.hosts, io);
    const bits = o.bits!;
    const total = 1n << BigInt(bits - o.network.bits);
    const shown = total > BigInt(o.limit) ? o.limit : Number(total);
    const list: Prefix[] = [];
    for (const p of subnets(o.network, bits)) {
      if (list.length >= shown || io.signal.aborted) break;
      list.push(p);
    }
    const each = list[0];
    if (o.json) {
      await writeJson(io, {
        network: o.network.toString(),
        prefixLength: bits,
        ...(o.count !== undefined ? { requested: o.count } : {}),
        count: jsonCount(total),
        shown: list.length,
        addressCountEach: jsonCount(each.size()),
        usableHostsEach: jsonCount(each.usableHosts()),
        subnets: list.map(row),
      });
    } else {
      const asked = o.count !== undefined && BigInt(o.count) !== total
        ? ` (for ${o.count} asked)`
        : "";
      await io.stdout.write(
        `${o.network} into ${total} subnet${total === 1n ? "" : "s"}${asked} of /${bits}: ` +
          `${each.size()} addresses, ${each.usableHosts()} usable hosts each\n` +
          formatTable([header, ...list.map((p) => tableRow(p))]),
      );
    }
    // Under --json, `count` and `shown` say it.
    if (BigInt(list.length) < total && !io.signal.aborted && !o.json) {
      await io.stderr.write(
        `toolkit: showing the first ${list.length} of ${total} subnets (raise --limit to see more)\n`,
      );
    }
    return io.signal.aborted ? 130 : 0;
  },
};
export default command;

async function runVlsm(
  o: SubnetSplitOptions,
  hosts: number[],
  io: Io,
): Promise<number> {
  const plan = fromUserInput(() => allocateVlsm(o.network, hosts, { rule: o.rule }));
  const reasons = plan.allocations.map((a) => sizeReason(a, o.rule));
  if (o.json) {
    await writeJson(io, {
      network: o.network.toString(),
      rule: o.rule,
      allocations: plan.allocations.map((a, i) => ({
        hosts: a.hosts,
        ...row(a.prefix),
        usableHosts: jsonCount(a.capacity),
        ...(o.explain ? { explanation: reasons[i] } : {}),
      })),
      leftover: plan.leftover.map(String),
    });
    return 0;
  }
  let text = "";
  if (o.explain) {
    text += (o.rule === "textbook"
      ? "Rule: n host bits hold 2^n - 2 hosts (network and broadcast reserved); --rfc3021 allows /31\n"
      : "Rule: n host bits hold 2^n - 2 hosts, but a /31 holds 2 (RFC 3021) and a /32 holds 1\n") +
      reasons.map((r) =>
        `  ${r}\n`
      ).join("") + "\n";
  }
  const rows = [
    ["Asked", ...header],
    ...plan.allocations.map((
      a,
    ) => [...tableRow(a.prefix, [String(a.hosts)]).slice(0, -1), String(a.capacity)]),
  ];
  const left = plan.leftover.length ? plan.leftover.join(", ") : "none";
  await io.stdout.write(text + formatTable(rows) + `Leftover: ${left}\n`);
  return 0;
}

/** One line saying why a request got its size: the smallest that holds it, and the one below. */
function sizeReason(a: VlsmAllocation, rule: HostRule): string {
  const width = a.prefix.addr.bitLength;
  const family = a.prefix.family;
  const n = width - a.prefix.bits;
  const formula = (bits: number): string => {
    const held = hostsInBits(bits, family, rule);
    const size = 1n << BigInt(bits);
    const shape = held === size ? `2^${bits}` : `2^${bits} - ${size - held}`;
    return `${shape} = ${held}`;
  };
  const below = n > 0 ? `; ${formula(n - 1)} would be too few` : "";
  const note = family === 4 && rule === "rfc3021" && n <= 1
    ? ` (no network or broadcast address on a /${a.prefix.bits}, RFC 3021)`
    : "";
  return `${a.hosts} host${a.hosts === 1 ? "" : "s"} -> /${a.prefix.bits}: ${
    formula(n)
  } >= ${a.hosts}${note}${below}`;
}
