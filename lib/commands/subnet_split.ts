// `toolkit subnet split PREFIX (--prefix N | --count N | --hosts 100,50,10)`: equal subnets
// (Python's `subnets()`), or VLSM allocation largest-first with the leftover space listed.
import { intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { allocateVlsm, lengthForCount, parseNetwork, type Prefix, subnets } from "../ip/mod.ts";
import { fromUserInput, jsonCount } from "./subnet_args.ts";

/** Parsed `subnet split` options. */
export interface SubnetSplitOptions {
  network: Prefix;
  /** Equal split into this length, or VLSM when `hosts` is set. */
  bits?: number;
  /** How many were asked for with --count (the split gives the next power of two). */
  count?: number;
  hosts?: number[];
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
    addresses: jsonCount(p.size()),
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
      "Cuts a network into equal subnets of length N (--prefix), into the fewest equal subnets that make at least N (--count: the next power of two), or into subnets for the given host counts (--hosts, VLSM): largest first, each at the lowest free address, with the space left over listed. Usable hosts follow `subnet info`: /31 holds 2 (RFC 3021), /32 holds 1. PREFIX must be a network (no host bits set).",
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
    const network = fromUserInput(() => parseNetwork(positionals[0]));
    const limit = intOption(values, "limit", {
      min: 1,
      max: 100_000_000,
      fallback: 65536,
      command: name,
    });
    const base = { network, limit, json: globals.json };
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
        addressesEach: jsonCount(each.size()),
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
    if (BigInt(list.length) < total && !io.signal.aborted) {
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
  const plan = fromUserInput(() => allocateVlsm(o.network, hosts));
  if (o.json) {
    await writeJson(io, {
      network: o.network.toString(),
      allocations: plan.allocations.map((a) => ({ hosts: a.hosts, ...row(a.prefix) })),
      leftover: plan.leftover.map(String),
    });
    return 0;
  }
  const rows = [
    ["Asked", ...header],
    ...plan.allocations.map((a) => tableRow(a.prefix, [String(a.hosts)])),
  ];
  const left = plan.leftover.length ? plan.leftover.join(", ") : "none";
  await io.stdout.write(formatTable(rows) + `Leftover: ${left}\n`);
  return 0;
}
