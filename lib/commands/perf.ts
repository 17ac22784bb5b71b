// `toolkit perf HOST:PORT`: the iperf3 client a lab user expects: TCP or UDP throughput against a
// `toolkit perf-server`, interval lines while it runs, then the sender's and receiver's totals
// (UDP: loss, reordering and RFC 3550 jitter). `--json` streams NDJSON.
import { targetArg } from "../cli/target_arg.ts";
import { durationOption, intOption, type OptionValues, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { writeNdjson } from "../cli/output.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { runPerfClient } from "../net/perf_client.ts";
import type { PerfParams } from "../net/perf_protocol.ts";
import {
  minUdpLength,
  PerfAborted,
  type PerfInterval,
  type PerfSummary,
  summarizePerf,
} from "../net/perf_session.ts";
import { formatBits, formatBytes, parseQuantity } from "../net/perf_stats.ts";

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

/** Default write size for TCP (iperf3's 128 KiB) and datagram size for UDP (iperf3's 1460). */
export const defaultLength = { tcp: 128 * 1024, udp: 1460 } as const;

/** Default UDP rate, as iperf3: 1 Mbit/s. TCP is unlimited. */
export const defaultUdpRate = 1_000_000;

const command: CommandModule<PerfOptions> = {
  spec: {
    usage: "HOST:PORT",
    description:
      "Measures throughput to a `toolkit perf-server` (not iperf3: the protocol is toolkit's own). Prints a line per interval and a summary with the sender's and the receiver's view; UDP adds loss, out-of-order datagrams and jitter (RFC 3550). With --json the output is NDJSON: one `start` object, one `interval` object per interval and a final `summary` object. The test stops after --time or, with --bytes, after that many bytes (--time then only caps it).",
    options: [
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
        description: "target rate in bits/s over all streams (10M, 1G; 0 is unlimited); " +
          "default unlimited for TCP, 1M for UDP like iperf3",
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
        description: "number of parallel streams",
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
        description: "how long connecting and the handshake may take",
      },
    ],
    examples: [
      "toolkit perf-server 127.0.0.1:5201 &  toolkit perf 127.0.0.1:5201 --time 3",
      "toolkit perf 127.0.0.1:5201 --udp --rate 100M --length 64",
      "toolkit perf 127.0.0.1:5201 --reverse --parallel 4 --bytes 1G",
      "toolkit perf --json 127.0.0.1:5201 --time 2   # NDJSON intervals and summary",
    ],
    positionals: { min: 1, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const target = targetArg(positionals[0], name);
    const protocol = values.udp === true ? "udp" : "tcp";
    const timeGiven = values.time !== undefined;
    let timeMs = durationOption(values, "time", {
      fallback: 10_000,
      command: name,
      max: 3_600_000,
    });
    if (timeMs <= 0) throw new UsageError("--time must be longer than 0", name);
    const bytes = quantity(values, "bytes", { binary: true, min: 1 });
    // With --bytes alone, the time only bounds the test: ten minutes, perf-server's default limit.
    if (bytes !== null && !timeGiven) timeMs = 600_000;
    const length = quantity(values, "length", { binary: true, min: 1 }) ?? defaultLength[protocol];
    const maxLength = protocol === "udp" ? 65507 : 16 * 1024 * 1024;
    if (length > maxLength || (protocol === "udp" && length < minUdpLength)) {
      throw new UsageError(
        `--length must be between ${protocol === "udp" ? minUdpLength : 1} and ${maxLength} ` +
          `for ${protocol.toUpperCase()} (got ${length})`,
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
        parallel: intOption(values, "parallel", { min: 1, max: 128, fallback: 1, command: name }),
        length,
        timeMs,
        bytes,
        rateBps,
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
    const server = formatHostPort(o.target.host, o.target.port);
    // Interval lines are written in order without holding up the measurement.
    let writes = Promise.resolve();
    const onInterval = (i: PerfInterval) => {
      writes = writes.then(() =>
        o.json ? writeNdjson(io, { event: "interval", ...i }) : io.stdout.write(intervalLine(i, p))
      );
    };
    let result;
    try {
      result = await runPerfClient(o.target, p, {
        intervalMs: o.intervalMs,
        onInterval,
        onStart: async () => {
          if (o.json) {
            await writeNdjson(io, { event: "start", server, ...p });
          } else {
            if (!o.quiet) {
              const what = p.bytes !== null ? formatBytes(p.bytes) : `${p.timeMs / 1000}s`;
              await io.stderr.write(
                `Connected to ${server}: ${p.protocol.toUpperCase()}, ${p.parallel} stream${
                  p.parallel === 1 ? "" : "s"
                }, ${p.reverse ? "receiving" : "sending"} ${what}, ${p.length}-byte ${
                  p.protocol === "udp" ? "datagrams" : "writes"
                }${p.rateBps > 0 ? `, ${formatBits(p.rateBps)}` : ""}\n`,
              );
            }
            if (o.intervalMs > 0) {
              await io.stdout.write(
                `Interval           Transfer     Bitrate${
                  p.protocol === "udp"
                    ? p.reverse ? "         Jitter    Lost/Total Datagrams" : "         Datagrams"
                    : ""
                }\n`,
              );
            }
          }
        },
        signal: io.signal,
        connectTimeoutMs: o.timeoutMs,
      });
    } catch (err) {
      await writes;
      if (err instanceof PerfAborted && err.reason === "interrupted") return ExitCode.interrupted;
      if (io.signal.aborted) return ExitCode.interrupted;
      throw err;
    }
    await writes;
    const summary = summarizePerf(result);
    if (o.json) await writeNdjson(io, { event: "summary", server, ...summary });
    else await io.stdout.write(summaryText(summary));
    return 0;
  },
};
export default command;

function quantity(
  values: OptionValues,
  option: string,
  o: { binary: boolean; min: number },
): number | null {
  const raw = values[option];
  if (raw === undefined) return null;
  let n: number;
  try {
    n = parseQuantity(String(raw), { binary: o.binary });
  } catch {
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

function span(start: number, end: number): string {
  return `${start.toFixed(2)}-${end.toFixed(2)}`.padEnd(12) + " sec";
}

function intervalLine(i: PerfInterval, p: PerfParams): string {
  let line = `${span(i.start, i.end)}  ${formatBytes(i.bytes).padStart(11)}  ${
    formatBits(i.bitsPerSecond).padStart(14)
  }`;
  if (p.protocol === "udp") {
    if (i.lost !== undefined) {
      const total = i.expected ?? 0;
      line += `  ${i.jitterMs!.toFixed(3).padStart(7)} ms  ${i.lost}/${total} (${
        pct(i.lost, total)
      })`;
    } else line += `  ${String(i.datagrams).padStart(9)}`;
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
  const row = (t: string, seconds: number, bytes: number, extra: string, label: string) =>
    `${tag(t)}${span(0, seconds)}  ${formatBytes(bytes).padStart(11)}  ${
      formatBits(seconds > 0 ? (bytes * 8) / seconds : 0).padStart(14)
    }${extra}  ${label}`;
  const pair = (
    t: string,
    sent: { bytes: number; datagrams: number },
    received: { bytes: number; datagrams: number; outOfOrder?: number; jitterMs?: number },
  ) => {
    if (s.protocol === "tcp") {
      lines.push(row(t, s.sender.seconds, sent.bytes, "", "sender"));
      lines.push(row(t, s.receiver.seconds, received.bytes, "", "receiver"));
      return;
    }
    const lost = Math.max(sent.datagrams - received.datagrams, 0);
    lines.push(row(t, s.sender.seconds, sent.bytes, `  ${sent.datagrams} datagrams`, "sender"));
    lines.push(
      row(
        t,
        s.receiver.seconds,
        received.bytes,
        `  jitter ${(received.jitterMs ?? 0).toFixed(3)} ms  lost ${lost}/${sent.datagrams} (${
          pct(lost, sent.datagrams)
        })  out of order ${received.outOfOrder ?? 0}`,
        "receiver",
      ),
    );
  };
  s.streams?.forEach((st, i) => pair(String(i + 1), st.sent, st.received));
  pair("SUM", s.sender, s.receiver);
  return lines.join("\n") + "\n";
}

/** Handles for tests: formatting helpers. */
export const _internals = { intervalLine, summaryText, pct };
