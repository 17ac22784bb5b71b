// `toolkit arp check`: look for the traces ARP spoofing leaves in the live table or in saved
// snapshots (one MAC for several IPs, an IP whose MAC changes, group or zero MACs, a gateway
// with a locally administered MAC). Exit 1 when something at or above --fail-on (default critical)
// is found, like `grep` with a match; findings below it are printed and leave exit 0, so a cloud
// VM whose gateway has a locally administered MAC (a warning) does not fail a script.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { paint } from "../cli/output.ts";
import { printableLine } from "../cli/report.ts";
import { readDefaultGateways } from "../arp/live_table.ts";
import { checkIp } from "../arp/neighbor.ts";
import type { TableFormat } from "../arp/parse_neighbor_table.ts";
import { stdinAlias } from "../arp/read_table.ts";
import { checkNeighborTablesYielding, type Severity, type Snapshot } from "../arp/spoof_check.ts";
import { formatOption, readTableArg, reportProblems, writeJsonStreaming } from "./_arp.ts";

/** Parsed `arp check` options. */
export interface ArpCheckOptions {
  /** Saved snapshots in time order; empty for the live table. */
  files: string[];
  format: TableFormat | "auto";
  /** Gateways given with --gateway; the live default gateways are used when none are given. */
  gateways: string[];
  /** The least severe finding that makes the exit code 1. */
  failOn: Severity;
  json: boolean;
}

/** Severities from most to least serious: `--fail-on X` fails on X and everything before it. */
const severities: readonly Severity[] = ["critical", "warning", "info"];

const name = "arp check";

const command: CommandModule<ArpCheckOptions> = {
  spec: {
    usage: "[--gateway IP] [--file FILE...]",
    description:
      "Checks the live table (and, when no --gateway is given, the default gateways from `ip route`, or /proc/net/route where it is readable) or the snapshots given with --file, in order. Findings: one MAC answering for several IPv4 addresses (critical when one is the gateway; a warning for a cloud fabric's MAC, such as Azure's 12:34:56:78:9a:bc, which answers for every address), an address with different MACs on the same interface across snapshots (critical for the gateway), broadcast, multicast or all-zero MACs for unicast addresses (but the static broadcast and multicast entries Windows keeps), and a gateway with a locally administered MAC (a warning: normal on cloud VMs and hypervisor networks). Every finding is printed; the exit code is 1 when one is at least as severe as --fail-on, else 0.",
    options: [
      {
        name: "file",
        short: "f",
        type: "string",
        multiple: true,
        value: "FILE",
        complete: "file",
        description: "a saved table; repeat for snapshots taken at different times (- for stdin)",
      },
      {
        name: "gateway",
        short: "g",
        type: "string",
        multiple: true,
        value: "IP",
        description: "the gateway's address (repeatable)",
      },
      {
        name: "fail-on",
        type: "string",
        value: "SEVERITY",
        default: "critical",
        choices: ["critical", "warning"],
        description: "exit 1 for findings this severe or worse (warning: any finding)",
      },
      formatOption,
    ],
    examples: [
      "toolkit arp check",
      "toolkit arp check --fail-on warning --file arp-a.txt",
      "toolkit arp check --gateway 192.168.1.1 --file before.txt --file after.txt",
      "toolkit arp check --json --file arp-a.txt --format windows",
    ],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    const { values } = parseCommandArgs(name, this.spec, args);
    const gateways = ((values.gateway as string[] | undefined) ?? []).map((g) => {
      try {
        return checkIp(g);
      } catch {
        throw new UsageError(`--gateway takes an IP address (got "${g}")`, name);
      }
    });
    const files = ((values.file as string[] | undefined) ?? []).map(stdinAlias);
    if (files.filter((f) => f === "-").length > 1) {
      throw new UsageError("stdin (-) can be given only once", name);
    }
    return {
      files,
      format: (values.format ?? "auto") as TableFormat | "auto",
      gateways,
      failOn: (values["fail-on"] ?? "critical") as Severity,
      json: globals.json,
    };
  },
  async run(o, io) {
    const snapshots: Snapshot[] = [];
    let gateways = o.gateways;
    for (const file of o.files.length ? o.files : [undefined]) {
      const table = await readTableArg({
        file,
        format: o.format,
        stdin: io.stdin.readable,
        signal: io.signal,
      });
      await reportProblems(io, table);
      snapshots.push({
        name: table.source === "-" ? "stdin" : table.source,
        entries: table.entries,
      });
    }
    if (o.files.length === 0 && gateways.length === 0) {
      gateways = (await readDefaultGateways()).map((g) => g.ip);
    }
    const findings = await checkNeighborTablesYielding(snapshots, { gateways, signal: io.signal });
    const limit = severities.indexOf(o.failOn);
    const failed = findings.some((f) => severities.indexOf(f.severity) <= limit);
    if (o.json) {
      await writeJsonStreaming(
        io,
        {
          snapshots: snapshots.map((s) => ({ name: s.name, entryCount: s.entries.length })),
          gateways,
          failOn: o.failOn,
          findings: [],
        },
        "findings",
        findings,
        ({ ips, ...f }) => ({ ...f, addresses: ips }),
      );
    } else if (findings.length === 0) {
      if (!io.globals.quiet) {
        const n = snapshots.reduce((sum, s) => sum + s.entries.length, 0);
        await io.stdout.write(
          `no findings: ${n} entr${n === 1 ? "y" : "ies"} in ${snapshots.length} table${
            snapshots.length === 1 ? "" : "s"
          } look consistent\n`,
        );
      }
    } else {
      const width = findings.reduce((w, f) => Math.max(w, f.severity.length), 0);
      // A few hundred lines a write: a table of 600,000 entries can have 300,000 findings.
      let out = "";
      for (let i = 0; i < findings.length; i++) {
        const f = findings[i];
        const color = f.severity === "critical"
          ? "red"
          : f.severity === "warning"
          ? "yellow"
          : "dim";
        const label = paint(io, color, f.severity.padEnd(width));
        out += `${label}  ${printableLine(`${f.kind}: ${f.message}`)}\n`;
        if ((i + 1) % 500 === 0) {
          await io.stdout.write(out);
          out = "";
        }
      }
      await io.stdout.write(out);
    }
    return failed ? ExitCode.negative : ExitCode.ok;
  },
};
export default command;
