// `toolkit perf HOST[:PORT]`: iperf3's client. Speaks iperf3's protocol, so it measures against
// `toolkit perf-server` or a real `iperf3 -s`: TCP or UDP throughput, interval lines while it runs,
// then the sender's and receiver's totals (UDP: loss, reordering and RFC 3550 jitter). Ctrl-C
// prints the totals so far, as iperf3 does. `--json` streams NDJSON.
import { durationOption, intOption, type OptionValues, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeNdjson } from "../cli/output.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { PerfInterrupted, runPerfClient } from "../net/perf_client.ts";
import { maxDatagram } from "../net/udp.ts";
import {
  defaultLength,
  maxStreams,
  maxTcpLength,
  minUdpLength,
  perfAddress,
  type PerfParams,
} from "../net/perf_protocol.ts";
import {
  intervalJson,
  paramsSummary,
  type PerfInterval,
  type PerfReceiverSummary,
  type PerfSideSummary,
  type PerfSummary,
  summarizePerf,
  summaryJson,
} from "../net/perf_session.ts";
import { formatBits, formatBytes, parseQuantity } from "../net/perf_stats.ts";
import { portArg } from "./_perf_args.ts";

/** Parsed `perf` options. */
export interface PerfOptions {
  target: HostPort;
  params: PerfParams;
  intervalMs: number;
  timeoutMs: number;
  json: boolean;
  quiet: boolean;
}

const name = "perf";

/** Default UDP rate per stream, as iperf3 (UDP_RATE): 1 Mbit/s, binary. TCP is unlimited. */
export const defaultUdpRate = 1024 * 1024;

const command: CommandModule<PerfOptions> = {
  spec: {
    usage: "HOST[:PORT] | -c HOST",
    description:
      "Measures throughput to an iperf3 server: `toolkit perf-server` or a real `iperf3 -s` (the protocol is iperf3's; the port defaults to 5201). iperf3's own spellings work too: -c HOST for the server and -J for --json. Prints a line per interval and a summary with the sender's and the receiver's view; UDP adds loss, out-of-order datagrams and jitter (RFC 3550). The test stops after --time or, with --bytes, after that many bytes (--time then only caps it). Ctrl-C stops it and prints the totals so far (exit 130). With --json the output is NDJSON: one `start` object, one `interval` object per interval and a final `summary` object.",
    options: [
      {
        name: "client",
        short: "c",
        type: "string",
        value: "HOST",
        complete: "none",
        description: "the server to test, as iperf3 -c HOST takes it (the same as HOST)",
      },
      {
        name: "port",
        short: "p",
        type: "string",
        value: "PORT",
        description: "server port when HOST has none (default 5201)",
      },
      { name: "udp", short: "u", type: "boolean", description: "use UDP instead of TCP" },
      {
        name: "time",
        short: "t",
        type: "string",
        value: "DURATION",
        description:
          "how long to send (default 10s, at most 1h); with --bytes, a cap (default 10m)",
      },
      {
        name: "bytes",
        short: "n",
        type: "string",
        value: "N",
        description: "send N bytes instead (K, M, G are binary: 1G = 2^30)",
      },
      {
        name: "length",
        short: "l",
        type: "string",
        value: "BYTES",
        description: "bytes per write (TCP, default 128K) or per datagram (UDP, default 1460)",
      },
      {
        name: "rate",
        short: "b",
        type: "string",
        value: "BITS",
        description: "target rate of each stream in bits/s, like iperf3's -b (10M, 1G; 0 is " +
          "unlimited); default unlimited for TCP, 1M (2^20) for UDP",
      },
      {
        name: "reverse",
        short: "R",
        type: "boolean",
        description: "the server sends, this end receives",
      },
      {
        name: "parallel",
        short: "P",
        type: "string",
        value: "N",
        default: "1",
        description: "number of parallel streams (at most 128)",
      },
      {
        name: "interval",
        short: "i",
        type: "string",
        value: "DURATION",
        default: "1s",
        description: "seconds between interval lines (0 for none)",
      },
      {
        name: "timeout",
        type: "string",
        value: "DURATION",
        default: "5s",
        description: "how long connecting, each handshake step and a silent server may take",
      },
    ],
    examples: [
      "toolkit perf 127.0.0.1 --time 3   # perf-server or iperf3 -s on port 5201",
      "toolkit perf 127.0.0.1 -u -b 100M -l 64",
      "toolkit perf 127.0.0.1:5202 --reverse --parallel 4 --bytes 1G",
      "toolkit perf --json ::1 -t 2   # NDJSON intervals and summary",
      "toolkit perf -c 127.0.0.1 -u -b 10M -J   # iperf3's spelling",
    ],
    positionals: { min: 0, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const client = values.client as string | undefined;
    if (client !== undefined && positionals.length > 0) {
      throw new UsageError(
        `the server is given twice ("${client}" and "${positionals[0]}"): write HOST or -c HOST`,
        name,
      );
    }
    const host = client ?? positionals[0];
    if (host === undefined) {
      throw new UsageError("missing argument: expected HOST or -c HOST", name);
    }
    const target = perfTarget(host, values.port as string | undefined);
    const protocol = values.udp === true ? "udp" : "tcp";
    const timeGiven = values.time !== undefined;
    let timeMs = durationOption(values, "time", {
      fallback: 10_000,
      command: name,
      max: 3_600_000,
    });
    if (timeMs <= 0) throw new UsageError("--time must be longer than 0", name);
    const bytes = quantity(values, "bytes", { binary: true, min: 1 });
    // With --bytes alone the bytes end the test (iperf3 then sends time 0); the client still
    // stops it after ten minutes (bytesOnlyLimitMs).
    if (bytes !== null && !timeGiven) timeMs = 0;
    const length = quantity(values, "length", { binary: true, min: 1 }) ?? defaultLength[protocol];
    const [minLength, maxLength] = protocol === "udp"
      ? [minUdpLength, maxDatagram]
      : [1, maxTcpLength];
    if (length < minLength || length > maxLength) {
      throw new UsageError(
        `--length must be between ${minLength} and ${maxLength} for ${protocol.toUpperCase()} ` +
          `(got ${length})`,
        name,
      );
    }
    const rateBps = quantity(values, "rate", { binary: false, min: 0 }) ??
      (protocol === "udp" ? defaultUdpRate : 0);
    return {
      target,
      params: {
        protocol,
        reverse: values.reverse === true,
        parallel: intOption(values, "parallel", {
          min: 1,
          max: maxStreams,
          fallback: 1,
          command: name,
        }),
        length,
        timeMs,
        bytes,
        rateBps,
        udpCounters64: protocol === "udp",
      },
      intervalMs: durationOption(values, "interval", {
        fallback: 1000,
        command: name,
        max: 3_600_000,
      }),
      timeoutMs: durationOption(values, "timeout", {
        fallback: 5000,
        min: 1,
        command: name,
        max: 600_000,
      }),
      json: globals.json,
      quiet: globals.quiet,
    };
  },
  async run(o, io) {
    const p = o.params;
    const remote = formatHostPort(o.target.host, o.target.port);
    // Interval lines are written in order without holding up the measurement.
    let writes = Promise.resolve();
    const onInterval = (i: PerfInterval) => {
      writes = writes.then(() =>
        o.json
          ? writeNdjson(io, {
            event: "interval",
            ...intervalJson(i, p.reverse ? "receiver" : "sender"),
          })
          : io.stdout.write(intervalLine(i, p))
      );
    };
    let result;
    try {
      result = await runPerfClient(o.target, p, {
        intervalMs: o.intervalMs,
        onInterval,
        onStart: () => start(o, io, remote),
        signal: io.signal,
        timeoutMs: o.timeoutMs,
      });
    } catch (err) {
      await writes;
      if (err instanceof PerfInterrupted || io.signal.aborted) return ExitCode.interrupted;
      throw err;
    }
    await writes;
    const summary = summarizePerf(result);
    if (o.json) await writeNdjson(io, { event: "summary", remote, ...summaryJson(summary) });
    else await io.stdout.write(summaryText(summary));
    if (result.error) throw result.error;
    return result.interrupted ? ExitCode.interrupted : ExitCode.ok;
  },
};
export default command;

/**
 * The server to test: `HOST:PORT`, `[V6]:PORT`, or a host alone (a bare IPv6 address included)
 * with `--port` or iperf3's 5201.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perfTarget } from "./perf.ts";
 *
 * assert.deepEqual(perfTarget("::1", undefined), { host: "::1", port: 5201, family: "ipv6" }); // iperf3's port
 * assert.deepEqual(perfTarget("127.0.0.1:5202", undefined), {
 *   host: "127.0.0.1",
 *   port: 5202,
 *   family: "ipv4",
 * });
 * assert.deepEqual(perfTarget("127.0.0.1", "5300"), { host: "127.0.0.1", port: 5300, family: "ipv4" });
 * ```
 */
export function perfTarget(text: string, portOption: string | undefined): HostPort {
  const port = portArg(portOption, { allowZero: false, command: name });
  try {
    return perfAddress(text, port, { portGiven: portOption !== undefined });
  } catch (err) {
    throw new UsageError((err as Error).message, name);
  }
}

async function start(o: PerfOptions, io: Io, remote: string): Promise<void> {
  const p = o.params;
  if (o.json) {
    await writeNdjson(io, { event: "start", remote, ...paramsSummary(p) });
    return;
  }
  if (!o.quiet) {
    const what = p.bytes !== null ? formatBytes(p.bytes) : `${p.timeMs / 1000}s`;
    const streams = `${p.parallel} stream${p.parallel === 1 ? "" : "s"}`;
    const unit = p.protocol === "udp" ? "datagrams" : "writes";
    const rate = p.rateBps > 0
      ? `, ${formatBits(p.rateBps)}${p.parallel > 1 ? " per stream" : ""}`
      : "";
    await io.stderr.write(
      `Connected to ${remote}: ${p.protocol.toUpperCase()}, ${streams}, ${
        p.reverse ? "receiving" : "sending"
      } ${what}, ${p.length}-byte ${unit}${rate}\n`,
    );
  }
  if (o.intervalMs > 0) {
    const udpColumns = p.reverse ? "         Jitter    Lost/Total Datagrams" : "         Datagrams";
    await io.stdout.write(
      `Interval           Transfer     Bitrate${p.protocol === "udp" ? udpColumns : ""}\n`,
    );
  }
}

function quantity(
  values: OptionValues,
  option: string,
  o: { binary: boolean; min: number },
): number | null {
  const raw = values[option];
  if (raw === undefined) return null;
  let n: number;
  try {
    // Blanks around it are refused, as every other number option refuses them (" 5").
    if (String(raw) !== String(raw).trim()) throw new SyntaxError("blanks");
    n = parseQuantity(String(raw), { binary: o.binary, exact: o.binary });
  } catch (err) {
    if (err instanceof RangeError && /whole/.test(err.message)) {
      throw new UsageError(`--${option} is not a whole number of bytes (got "${raw}")`, name);
    }
    throw new UsageError(
      `--${option} takes a number with an optional K, M or G (got "${raw}")`,
      name,
    );
  }
  if (n < o.min || !Number.isSafeInteger(n)) {
    throw new UsageError(`--${option} is out of range (got "${raw}")`, name);
  }
  return n;
}

/** iperf3's `0.00-1.00     sec` column, from milliseconds. */
function span(startMs: number, endMs: number): string {
  return `${(startMs / 1000).toFixed(2)}-${(endMs / 1000).toFixed(2)}`.padEnd(12) + " sec";
}

function intervalLine(i: PerfInterval, p: PerfParams): string {
  let line = `${span(i.startMs, i.endMs)}  ${formatBytes(i.bytes).padStart(11)}  ${
    formatBits(i.bitsPerSecond).padStart(14)
  }`;
  if (p.protocol === "udp") {
    if (i.lost !== undefined) {
      const total = i.expectedDatagrams ?? 0;
      line += `  ${i.jitterMs!.toFixed(3).padStart(7)} ms  ${i.lost}/${total} (${
        pct(i.lost, total)
      })`;
    } else line += `  ${String(i.datagrams ?? 0).padStart(9)}`;
  }
  return line + "\n";
}

function pct(part: number, whole: number): string {
  if (whole <= 0) return "0%";
  const v = (part * 100) / whole;
  return `${v === 0 ? "0" : v < 0.01 ? v.toExponential(1) : v.toFixed(2)}%`;
}

function summaryText(s: PerfSummary): string {
  const lines = ["- - - - - - - - - - - - - - - - - - - - - - - - -"];
  // With --parallel, iperf3's layout: a pair of lines per stream, then the [SUM] pair.
  const tag = (t: string) => (s.parallel > 1 ? `[${t.padStart(3)}]  ` : "");
  const row = (t: string, side: PerfSideSummary, extra: string, label: string) =>
    `${tag(t)}${span(0, side.durationMs)}  ${formatBytes(side.bytes).padStart(11)}  ${
      formatBits(side.bitsPerSecond).padStart(14)
    }${extra}  ${label}`;
  const pair = (t: string, sender?: PerfSideSummary, receiver?: PerfReceiverSummary) => {
    const udp = s.protocol === "udp";
    if (sender) {
      lines.push(row(t, sender, udp ? `  ${sender.datagrams} datagrams` : "", "sender"));
    }
    if (receiver) {
      // iperf3's Lost/Total: the receiver's own count, out of the highest sequence number it saw.
      const total = (receiver.datagrams ?? 0) + (receiver.lost ?? 0);
      const extra = udp
        ? `  jitter ${(receiver.jitterMs ?? 0).toFixed(3)} ms  lost ${receiver.lost}/${total} (${
          pct(receiver.lost ?? 0, total)
        })  out of order ${receiver.outOfOrder ?? 0}`
        : "";
      lines.push(row(t, receiver, extra, "receiver"));
    }
  };
  s.streams?.forEach((st, i) => pair(String(i + 1), st.sender, st.receiver));
  pair("SUM", s.sender, s.receiver);
  if (s.interrupted) lines.push("(interrupted: totals so far, this end only)");
  return lines.join("\n") + "\n";
}

/** Handles for tests: formatting helpers. */
export const _internals = { intervalLine, summaryText, pct };
