// `toolkit subnet split PREFIX (--prefix N | --count N | --hosts 100,50,10)`: equal subnets
// (Python's `subnets()`), or VLSM allocation largest-first with the leftover space listed, sized
// by the textbook 2^n − 2 rule unless --rfc3021 allows /31s; --explain shows each choice.
import { intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError, userInputError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import {
  allocateVlsm,
  formatIpv4,
  formatIpv6,
  type HostRule,
  hostsInBits,
  lengthForCount,
  parseNetwork,
  Prefix,
  type VlsmAllocation,
  type VlsmPlan,
} from "../ip/mod.ts";
import { printable, printableJson } from "../text/printable.ts";
import { fromUserInput, jsonCount } from "./_subnet.ts";

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
      "Cuts a network into equal subnets of length N (--prefix), into the fewest equal subnets that make at least N (--count: the next power of two), or into subnets for the given host counts (--hosts, VLSM): largest first, each at the lowest free address, with the space left over listed. VLSM sizes follow the textbook rule: a subnet with n host bits holds 2^n - 2 hosts, so 2 hosts get a /30; with --rfc3021 a 2-host request may take a /31 and a 1-host request a /32 (IPv4 only: IPv6 subnets hold all but the Subnet-Router anycast address, a /127 holding 2). A count that does not fit in PREFIX on its own is an error naming it (exit 2). PREFIX must be a network (no host bits set). Equal subnets are printed as they are made (the first line at once, the same memory for any --limit).",
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
        description: "with --prefix or --count: print at most N subnets (default 65536)",
      },
    ],
    examples: [
      "toolkit subnet split 192.168.0.0/24 --prefix 26",
      "toolkit subnet split 10.0.0.0/16 --count 6",
      "toolkit subnet split 192.168.1.0/24 --hosts 100,50,10,2",
      "toolkit subnet split --explain 192.168.1.0/24 --hosts 60,2 --rfc3021",
      "toolkit subnet split --json 2001:db8::/48 --prefix 52",
    ],
    // A second argument is refused with a pointer to --prefix (ipcalc's `-S 26 NET` habit).
    positionals: { min: 1, max: 2, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    if (positionals.length > 1) {
      // ipcalc's `ipcalc -S 26 10.0.0.0/24`, or sipcalc's habit of a second network argument.
      const length = /^\/?([0-9]{1,3})$/.exec(positionals[1]);
      throw new UsageError(
        length
          ? `the new length goes in --prefix: toolkit subnet split ${positionals[0]} --prefix ${
            length[1]
          }`
          : `unexpected argument "${positionals[1]}"`,
        name,
      );
    }
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
    if (values.limit !== undefined && values.hosts !== undefined) {
      throw new UsageError(
        "--limit goes with --prefix and --count: --hosts prints one subnet per count",
        name,
      );
    }
    const network = fromUserInput(() => parseNetwork(positionals[0]));
    if (values.rfc3021 === true && network.family === 6) {
      throw new UsageError(
        "--rfc3021 is about IPv4 /31 links: IPv6 sizes are the same without it (a /127 holds 2)",
        name,
      );
    }
    const limit = intOption(values, "limit", {
      min: 1,
      max: 100_000_000,
      fallback: 65536,
      command: name,
    });
    const base = { network, limit, rule, explain, json: globals.json };
    const width = network.addr.bitLength;
    if (values.prefix !== undefined) {
      const text = String(values.prefix).replace(/^\//, "");
      if (/^[0-9]+$/.test(text) && network.bits === width && Number(text) !== width) {
        throw new UsageError(
          `${network} is a single address: --prefix can only be ${width} (got ${values.prefix})`,
          name,
        );
      }
      const bits = intOption({ prefix: text }, "prefix", {
        min: network.bits,
        max: width,
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
        `--hosts takes whole numbers from 1 to ${Number.MAX_SAFE_INTEGER} (2^53 - 1) separated ` +
          `by commas (got "${values.hosts}")`,
        name,
      );
    }
    return { ...base, hosts: hosts.map(Number) };
  },
  async run(o, io) {
    if (o.hosts) return await runVlsm(o, o.hosts, io);
    return await runEqual(o, o.bits!, io);
  },
};
export default command;

async function runVlsm(
  o: SubnetSplitOptions,
  hosts: number[],
  io: Io,
): Promise<number> {
  let plan: VlsmPlan;
  try {
    plan = allocateVlsm(o.network, hosts, { rule: o.rule });
  } catch (err) {
    // A /31 or /32 asked for 2 or 1 hosts under the textbook rule: say what would allow it.
    let hint = "";
    if (err instanceof RangeError && o.rule === "textbook" && o.network.family === 4) {
      try {
        allocateVlsm(o.network, hosts, { rule: "rfc3021" });
        hint = " (with --rfc3021 a /31 holds 2 hosts and a /32 one)";
      } catch { /* no: the message alone */ }
    }
    throw userInputError(hint ? new RangeError((err as Error).message + hint) : err);
  }
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
    return ExitCode.ok;
  }
  let text = "";
  if (o.explain) {
    const rule = o.network.family === 6
      ? "Rule: n host bits hold 2^n - 1 hosts (the Subnet-Router anycast address reserved), " +
        "but a /127 holds 2 (RFC 6164) and a /128 holds 1"
      : o.rule === "textbook"
      ? "Rule: n host bits hold 2^n - 2 hosts (network and broadcast reserved); --rfc3021 allows /31"
      : "Rule: n host bits hold 2^n - 2 hosts, but a /31 holds 2 (RFC 3021) and a /32 holds 1";
    text += `${rule}\n${reasons.map((r) => `  ${r}\n`).join("")}\n`;
  }
  const rows = [
    ["Asked", ...header],
    ...plan.allocations.map((
      a,
    ) => [...tableRow(a.prefix, [String(a.hosts)]).slice(0, -1), String(a.capacity)]),
  ];
  const left = plan.leftover.length ? plan.leftover.join(", ") : "none";
  await io.stdout.write(text + formatTable(rows) + `Leftover: ${left}\n`);
  return ExitCode.ok;
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

/** One subnet of an equal split, as it is printed. */
interface SplitRow {
  subnet: string;
  firstHost: string;
  lastHost: string;
  broadcast: string | null;
}

/**
 * The row of subnet `i` (0-based) of `network` cut into /`bits`: what {@linkcode Prefix} says of
 * it, for IPv4 computed in plain numbers so that millions of rows cost seconds, not minutes.
 */
function splitRowAt(network: Prefix, bits: number): (i: number) => SplitRow {
  const hostBits = network.addr.bitLength - bits;
  if (network.family === 4) {
    const base = network.network().toUint32();
    const step = 2 ** hostBits;
    const suffix = `/${bits}`;
    return (i) => {
      const net = base + i * step;
      const last = net + step - 1;
      const text = formatIpv4(net);
      return hostBits <= 1
        ? { subnet: text + suffix, firstHost: text, lastHost: formatIpv4(last), broadcast: null }
        : {
          subnet: text + suffix,
          firstHost: formatIpv4(net + 1),
          lastHost: formatIpv4(last - 1),
          broadcast: formatIpv4(last),
        };
    };
  }
  // IPv6: no broadcast; every address is a host but the Subnet-Router anycast address (the
  // first), except on a /127 and a /128 (Prefix.firstHost).
  const base = network.network().toBigInt();
  const shift = BigInt(hostBits);
  const lastOffset = (1n << shift) - 1n;
  const firstOffset = hostBits <= 1 ? 0n : 1n;
  const suffix = `/${bits}`;
  return (i) => {
    const net = base + (BigInt(i) << shift);
    return {
      subnet: formatIpv6(net) + suffix,
      firstHost: formatIpv6(net + firstOffset),
      lastHost: formatIpv6(net + lastOffset),
      broadcast: null,
    };
  };
}

/**
 * The indices, among the first `shown` subnets of an equal split whose subnets have `hostBits`
 * host bits, of the rows with the widest text in each column, so the table is laid out before
 * its rows are made. An address's text is widest when each octet or group is as large as it can
 * be: among the indices up to the last, that is the last one itself, or the last with the part
 * in one octet lowered by one and every bit below it set, or the first with every bit below an
 * octet set. (Widths of 8 bits cover IPv6's 16-bit groups and the dotted end of ::ffff:a.b.c.d.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { widestRowIndices } from "./subnet_split.ts";
 *
 * // 10.0.0.0/15 in /24s, 257 rows shown: 10.0.255.0/24 (row 255) is wider than 10.1.0.0/24.
 * assert.deepEqual(widestRowIndices(32, 8, 257), [0, 255, 256]);
 * ```
 */
export function widestRowIndices(width: 32 | 128, hostBits: number, shown: number): number[] {
  const last = BigInt(shown - 1);
  const found = new Set<number>([0, shown - 1]);
  if (last > 0n) found.add(shown - 2);
  for (let b = 8; b < width; b += 8) {
    if (b <= hostBits) continue;
    const low = BigInt(b - hostBits);
    const ones = (1n << low) - 1n;
    if (ones <= last) found.add(Number(ones));
    const lowered = (((last >> low) - 1n) << low) | ones;
    if (lowered >= 0n) found.add(Number(lowered));
  }
  return [...found].sort((a, b) => a - b);
}

/** Collects text and writes it in large pieces, so millions of lines take few writes. */
class ChunkedOutput {
  #parts: string[] = [];
  #size = 0;
  constructor(readonly io: Io) {}
  /** Adds text; writes what was collected once it passes 64 KiB. False once interrupted. */
  async add(text: string): Promise<boolean> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= 65536) await this.flush();
    return !this.io.signal.aborted;
  }
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const text = this.#parts.join("");
    this.#parts = [];
    this.#size = 0;
    await this.io.stdout.write(text);
  }
}

/**
 * `--prefix` and `--count`: the subnets are made, formatted and written as they come, so the first
 * line appears at once and memory stays the same for ten rows or a hundred million.
 */
async function runEqual(o: SubnetSplitOptions, bits: number, io: Io): Promise<number> {
  const total = 1n << BigInt(bits - o.network.bits);
  const shown = total > BigInt(o.limit) ? o.limit : Number(total);
  const rowAt = splitRowAt(o.network, bits);
  const each = Prefix.from(o.network.network().withZone(""), bits);
  const addressCount = jsonCount(each.size());
  const usable = jsonCount(each.usableHosts());
  const out = new ChunkedOutput(io);
  if (o.json) {
    const head = JSON.stringify(
      {
        network: o.network.toString(),
        prefixLength: bits,
        ...(o.count !== undefined ? { requested: o.count } : {}),
        count: jsonCount(total),
        shown,
        addressCountEach: addressCount,
        usableHostsEach: usable,
        subnets: [],
      },
      null,
      2,
    );
    // The document as writeJson prints it, its `subnets` array written one element at a time.
    await out.add(printableJson(head.slice(0, -"[]\n}".length)) + "[\n");
    const tail =
      `,\n      "addressCount": "${addressCount}",\n      "usableHosts": "${usable}"\n    }`;
    for (let i = 0; i < shown; i++) {
      const r = rowAt(i);
      const item = `    {\n      "subnet": "${r.subnet}",\n      "firstHost": "${r.firstHost}",\n` +
        `      "lastHost": "${r.lastHost}",\n      "broadcast": ${
          r.broadcast === null ? "null" : `"${r.broadcast}"`
        }${tail}`;
      if (!(await out.add(i + 1 < shown ? item + ",\n" : item + "\n"))) return ExitCode.interrupted;
    }
    await out.add("  ]\n}\n");
    await out.flush();
    return io.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
  }
  const cells = (r: SplitRow) => [r.subnet, r.firstHost, r.lastHost, r.broadcast ?? "-", usable];
  const widths = header.map((h) => h.length);
  const widen = (row: string[]) =>
    row.forEach((c, i) => (widths[i] = Math.max(widths[i], c.length)));
  for (const i of widestRowIndices(o.network.addr.bitLength, each.addr.bitLength - bits, shown)) {
    widen(cells(rowAt(i)));
  }
  // As formatTable lays it out: two spaces between columns, the last one not padded.
  const line = (row: string[]) => {
    let text = "";
    for (let i = 0; i < row.length - 1; i++) text += row[i].padEnd(widths[i]) + "  ";
    return text + row[row.length - 1] + "\n";
  };
  const asked = o.count !== undefined && BigInt(o.count) !== total ? ` (for ${o.count} asked)` : "";
  const size = each.size();
  await out.add(
    `${printable(o.network.toString())} into ${total} subnet${
      plural(total)
    }${asked} of /${bits}: ` +
      `${size} address${size === 1n ? "" : "es"}, ${each.usableHosts()} usable ` +
      `host${plural(each.usableHosts())} each\n` + line(header),
  );
  for (let i = 0; i < shown; i++) {
    const row = cells(rowAt(i));
    // The widths were worked out beforehand; should a row ever be wider, the column grows.
    for (let c = 0; c < 4; c++) if (row[c].length > widths[c]) widen(row);
    if (!(await out.add(line(row)))) return ExitCode.interrupted;
  }
  await out.flush();
  if (BigInt(shown) < total) {
    await io.stderr.write(
      `toolkit: showing the first ${shown} of ${total} subnets (raise --limit to see more)\n`,
    );
  }
  return io.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
}

/** "s" unless the count is one. */
function plural(n: bigint | number): string {
  return n === 1n || n === 1 ? "" : "s";
}
