// `toolkit perf-server [HOST:]PORT`: the other end of `toolkit perf` (iperf3 -s). Serves one test
// at a time on TCP and UDP of the same port, tells a second client the server is busy, and keeps
// serving when a client vanishes mid-test. A line per finished test; `--json` gives NDJSON.
import { targetArg } from "../cli/target_arg.ts";
import { durationOption, intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { writeNdjson } from "../cli/output.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { bindPerfServer, type PerfServerEvent, servePerf } from "../net/perf_server.ts";
import { summarizePerf } from "../net/perf_session.ts";
import { formatBits, formatBytes } from "../net/perf_stats.ts";

/** Parsed `perf-server` options. */
export interface PerfServerOptions {
  listen: HostPort;
  count?: number;
  maxTimeMs: number;
  maxParallel: number;
  idleMs: number;
  json: boolean;
  quiet: boolean;
}

const name = "perf-server";

const command: CommandModule<PerfServerOptions> = {
  spec: {
    usage: "[HOST:]PORT",
    description:
      "Listens on TCP and UDP of the same port (127.0.0.1 unless a host is given; port 0 picks a free one) and prints the bound address on stderr. One test runs at a time; a client that arrives meanwhile is told the server is busy. A client that disappears mid-test ends only its test. Prints one line per test on stdout, or with --json one NDJSON object per test (`event`: test, failed or refused).",
    options: [
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        description: "serve N tests, then exit (iperf3 -1 is --count 1)",
      },
      {
        name: "max-time",
        type: "string",
        value: "DURATION",
        default: "10m",
        description: "refuse tests asking for longer than this",
      },
      {
        name: "max-parallel",
        type: "string",
        value: "N",
        default: "32",
        description: "refuse tests with more streams",
      },
      {
        name: "idle-timeout",
        type: "string",
        value: "DURATION",
        default: "5s",
        description: "end a test when its client sends nothing for this long",
      },
    ],
    examples: [
      "toolkit perf-server 5201",
      "toolkit perf-server 127.0.0.1:0 --count 1   # one test on a free port, then exit",
      "toolkit perf-server --json [::1]:5201",
    ],
    positionals: { min: 1, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const listen = targetArg(positionals[0], name, {
      defaultHost: "127.0.0.1",
      allowPortZero: true,
    });
    const maxTimeMs = durationOption(values, "max-time", {
      fallback: 600_000,
      command: name,
      max: 86_400_000,
    });
    if (maxTimeMs <= 0) throw new UsageError("--max-time must be longer than 0", name);
    const idleMs = durationOption(values, "idle-timeout", {
      fallback: 5000,
      command: name,
      max: 3_600_000,
    });
    if (idleMs < 100) throw new UsageError("--idle-timeout must be at least 100ms", name);
    return {
      listen,
      count: values.count === undefined
        ? undefined
        : intOption(values, "count", { min: 1, max: 1_000_000, fallback: 1, command: name }),
      maxTimeMs,
      maxParallel: intOption(values, "max-parallel", {
        min: 1,
        max: 128,
        fallback: 32,
        command: name,
      }),
      idleMs,
      json: globals.json,
      quiet: globals.quiet,
    };
  },
  async run(o, io) {
    const sockets = bindPerfServer(o.listen.host, o.listen.port);
    const addr = sockets.listener.addr as Deno.NetAddr;
    await io.stderr.write(`listening on ${formatHostPort(addr.hostname, addr.port)} (tcp, udp)\n`);
    await servePerf(sockets, {
      count: o.count,
      limits: { maxTimeMs: o.maxTimeMs, maxParallel: o.maxParallel },
      signal: io.signal,
      idleMs: o.idleMs,
      onEvent: async (e) => {
        if (o.json) await writeNdjson(io, eventJson(e));
        else if (e.type === "test") await io.stdout.write(testLine(e) + "\n");
        else if (!o.quiet) await io.stderr.write(`${eventLine(e)}\n`);
      },
    });
    return io.signal.aborted ? ExitCode.interrupted : 0;
  },
};
export default command;

function eventJson(e: PerfServerEvent) {
  if (e.type === "test") return { event: "test", client: e.client, ...summarizePerf(e.result) };
  if (e.type === "refused") return { event: "refused", client: e.client, reason: e.reason };
  return { event: "failed", client: e.client, reason: e.error.message };
}

function eventLine(e: PerfServerEvent): string {
  if (e.type === "refused") return `refused ${e.client}: ${e.reason}`;
  if (e.type === "failed") return `test from ${e.client} ended early: ${e.error.message}`;
  return "";
}

function testLine(e: PerfServerEvent & { type: "test" }): string {
  const s = summarizePerf(e.result);
  const side = s.reverse ? s.sender : s.receiver;
  let line = `${e.client}  ${s.protocol} ${s.reverse ? "sent" : "received"}  ${
    formatBytes(side.bytes)
  } in ${side.seconds.toFixed(2)} s  ${formatBits(side.bitsPerSecond)}`;
  if (s.parallel > 1) line += `  ${s.parallel} streams`;
  if (s.protocol === "udp") {
    line += `  jitter ${
      s.receiver.jitterMs!.toFixed(3)
    } ms  lost ${s.receiver.lost}/${s.sender.datagrams}`;
  }
  return line;
}
