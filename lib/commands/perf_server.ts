// `toolkit perf-server [[HOST:]PORT]`: iperf3's server (`iperf3 -s`), in iperf3's protocol, so
// `toolkit perf` and a real `iperf3 -c` can both test against it. Serves one test at a time on TCP
// and UDP of the same port (5201 by default), tells a second client the server is busy, and keeps
// serving whatever clients do. A line per test on stdout; status on stderr; `--json` gives NDJSON
// events in both places (`result` on stdout; on stderr `listening`, `open`, `close`, `error` and
// `accept-error` as every listener writes them, and `refused` for a client told it is busy).
import { durationOption, intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeNdjson } from "../cli/output.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { endRepeatedStatus, reportServeFailure } from "./_listener_status.ts";
import { maxStreams, perfAddress } from "../net/perf_protocol.ts";
import { portArg } from "./_perf_args.ts";
import { bindPerfServer, type PerfServerEvent, servePerf } from "../net/perf_server.ts";
import {
  paramsSummary,
  type PerfSummary,
  summarizePerf,
  summaryJson,
} from "../net/perf_session.ts";
import { formatBits, formatBytes } from "../net/perf_stats.ts";

/** Parsed `perf-server` options. */
export interface PerfServerOptions {
  listen: HostPort;
  count?: number;
  maxTimeMs: number;
  maxParallel: number;
  idleMs: number;
  handshakeMs: number;
  json: boolean;
  quiet: boolean;
}

const name = "perf-server";

const command: CommandModule<PerfServerOptions> = {
  spec: {
    usage: "[HOST][:PORT]",
    description:
      "An iperf3 server (`iperf3 -s`) speaking iperf3's protocol: `toolkit perf` and `iperf3 -c` both test against it. Listens on TCP and UDP of the same port (127.0.0.1:5201 unless given: a host, a port or both; port 0 picks a free one) and prints the bound address on stderr. One test runs at a time; a client that arrives meanwhile is told the server is busy. Every step has a time limit, and nothing a client does (resets, garbage, silence, running the server out of file descriptors) stops the server. Prints one line per test on stdout; with --json, NDJSON events: `result` on stdout; `listening`, `open`, `close`, `error`, `accept-error` and `refused` on stderr.",
    options: [
      {
        name: "server",
        short: "s",
        type: "boolean",
        description: "accepted for iperf3 habits (iperf3 -s): perf-server is the server",
      },
      {
        name: "bind",
        short: "B",
        type: "string",
        value: "ADDR",
        description: "the address to listen on, as iperf3 -B takes it (the same as HOST)",
      },
      {
        name: "port",
        short: "p",
        type: "string",
        value: "PORT",
        description:
          "port to listen on when none is given with the host (default 5201; 0: a free one, printed)",
      },
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        description: "serve N tests, then exit",
      },
      { name: "one-off", short: "1", type: "boolean", description: "serve one test (--count 1)" },
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
      {
        name: "timeout",
        type: "string",
        value: "DURATION",
        default: "5s",
        description: "how long a client may take over each step of the handshake and results",
      },
    ],
    examples: [
      "toolkit perf-server",
      "toolkit perf-server -p 5202 -1   # one test on port 5202, then exit",
      "toolkit perf-server 127.0.0.1:0 --count 2",
      "toolkit perf-server --json [::1]:5201",
      "toolkit perf-server -s -B 127.0.0.1 -p 5202 -1   # iperf3's spelling",
    ],
    positionals: { min: 0, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const port = portArg(values.port as string | undefined, { allowZero: true, command: name });
    const bind = values.bind as string | undefined;
    if (bind !== undefined && positionals.length > 0) {
      throw new UsageError(
        `the address is given twice ("${bind}" and "${positionals[0]}"): write HOST or -B HOST`,
        name,
      );
    }
    // iperf3's -B takes an address alone; a port goes in -p.
    const where = bind === undefined ? positionals[0] : /^\[.*\]$/.test(bind) ? bind : `[${bind}]`;
    let listen: HostPort;
    try {
      listen = perfAddress(where ?? String(port), port, {
        portGiven: values.port !== undefined,
        defaultHost: "127.0.0.1",
        allowPortZero: true,
      });
    } catch (err) {
      throw new UsageError((err as Error).message, name);
    }
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
    const handshakeMs = durationOption(values, "timeout", {
      fallback: 5000,
      command: name,
      max: 600_000,
    });
    if (handshakeMs < 100) throw new UsageError("--timeout must be at least 100ms", name);
    if (values["one-off"] === true && values.count !== undefined) {
      throw new UsageError("--one-off and --count cannot be used together", name);
    }
    return {
      listen,
      count: values["one-off"] === true
        ? 1
        : values.count === undefined
        ? undefined
        : intOption(values, "count", { min: 1, max: 1_000_000, fallback: 1, command: name }),
      maxTimeMs,
      maxParallel: intOption(values, "max-parallel", {
        min: 1,
        max: maxStreams,
        fallback: 32,
        command: name,
      }),
      idleMs,
      handshakeMs,
      json: globals.json,
      quiet: globals.quiet,
    };
  },
  async run(o, io) {
    const sockets = bindPerfServer(o.listen.host, o.listen.port);
    const addr = sockets.listener.addr as Deno.NetAddr;
    const address = formatHostPort(addr.hostname, addr.port);
    await status(
      io,
      o,
      { event: "listening", address, protocols: ["tcp", "udp"] },
      `listening on ${address} (tcp, udp)`,
    );
    try {
      await servePerf(sockets, {
        count: o.count,
        limits: { maxTimeMs: o.maxTimeMs, maxParallel: o.maxParallel },
        signal: io.signal,
        idleMs: o.idleMs,
        handshakeMs: o.handshakeMs,
        onEvent: (e) => report(io, o, e, address),
      });
    } finally {
      await endRepeatedStatus(io); // the count of accept failures still held back
    }
    return io.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
  },
};
export default command;

/** A status event: NDJSON under --json, else a line for people (none with --quiet). */
async function status(
  io: Io,
  o: { json: boolean; quiet: boolean },
  event: Record<string, unknown>,
  text: string | undefined,
): Promise<void> {
  if (o.json) await io.stderr.write(JSON.stringify(event) + "\n");
  else if (text !== undefined && !o.quiet) await io.stderr.write(text + "\n");
}

async function report(
  io: Io,
  o: PerfServerOptions,
  e: PerfServerEvent,
  address: string,
): Promise<void> {
  switch (e.type) {
    case "open": {
      const p = e.params;
      const text = `accepted ${e.client}: ${p.protocol.toUpperCase()}, ${p.parallel} stream${
        p.parallel === 1 ? "" : "s"
      }, ${p.reverse ? "sending" : "receiving"}`;
      return status(io, o, { event: "open", remote: e.client, ...paramsSummary(p) }, text);
    }
    case "result":
      await result(io, o, e.client, summarizePerf(e.result));
      return status(io, o, { event: "close", remote: e.client }, undefined);
    case "failed":
      if (e.result) await result(io, o, e.client, summarizePerf(e.result));
      // As tcp-listen --keep-open reports a connection that failed: `error`, then `close`.
      await status(
        io,
        o,
        { event: "error", remote: e.client, error: e.error.message },
        `test from ${e.client} ended early: ${e.error.message}`,
      );
      return status(io, o, { event: "close", remote: e.client }, undefined);
    case "refused":
      return status(
        io,
        o,
        { event: "refused", remote: e.client, reason: e.reason },
        `refused ${e.client}: ${e.reason}`,
      );
    case "dropped":
      return status(
        io,
        o,
        { event: "error", remote: e.client, error: e.reason },
        `toolkit: warning: ${e.client}: ${e.reason}`,
      );
    case "acceptFailed":
      // The same line and event as every other listener's (tcp-listen, unix-listen).
      return reportServeFailure(io, o, address, e.failure);
  }
}

async function result(io: Io, o: PerfServerOptions, client: string, s: PerfSummary) {
  if (o.json) await writeNdjson(io, { event: "result", remote: client, ...summaryJson(s) });
  else await io.stdout.write(resultLine(client, s) + "\n");
}

function resultLine(client: string, s: PerfSummary): string {
  // The server's own end: what it received, or in reverse what it sent.
  const side = s.reverse ? s.sender : s.receiver;
  let line = `${client}  ${s.protocol} ${s.reverse ? "sent" : "received"}`;
  if (side) {
    line += `  ${formatBytes(side.bytes)} in ${(side.durationMs / 1000).toFixed(2)} s  ${
      formatBits(side.bitsPerSecond)
    }`;
  }
  if (s.parallel > 1) line += `  ${s.parallel} streams`;
  if (s.protocol === "udp" && s.receiver?.lost !== undefined) {
    // iperf3's Lost/Total: the receiver's own count, out of the highest sequence number it saw.
    const total = (s.receiver.datagrams ?? 0) + s.receiver.lost;
    line += `  jitter ${
      (s.receiver.jitterMs ?? 0).toFixed(3)
    } ms  lost ${s.receiver.lost}/${total}`;
  }
  if (s.interrupted) line += "  (interrupted)";
  return line;
}
