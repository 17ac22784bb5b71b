// `toolkit tcp-ping HOST:PORT`: ping, but with TCP connects: the time a handshake takes, repeated
// until Ctrl-C (or --count times), then min/avg/max/stddev the way ping summarises round trips.
import { abortableSleep } from "../cli/io.ts";
import { durationOption, intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { NetError } from "../net/errors.ts";
import { connectTcp } from "../net/tcp.ts";
import { targetWords } from "../cli/target_arg.ts";

/** Parsed `tcp-ping` options. */
export interface TcpPingOptions {
  target: HostPort;
  /** How many connects; `Infinity` (no -c) runs until Ctrl-C, as ping does. */
  count: number;
  intervalMs: number;
  timeoutMs: number;
  /** ping's -w: stop after this long in all, whatever the count; `Infinity` when not given. */
  deadlineMs: number;
  json: boolean;
  quiet: boolean;
}

/** Summary of connect times in milliseconds. */
export interface RttStats {
  min: number;
  avg: number;
  max: number;
  /** Population standard deviation (ping's `mdev`). */
  stddev: number;
}

/**
 * Summarises connect times like ping: min, average, max and the population standard deviation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rttStats } from "./tcp_ping.ts";
 *
 * const s = rttStats([1, 2, 3]);
 * assert.deepEqual({ min: s?.min, avg: s?.avg, max: s?.max }, { min: 1, avg: 2, max: 3 });
 * assert.equal(s?.stddev.toFixed(3), "0.816"); // the population deviation, as ping's mdev
 * assert.equal(rttStats([]), undefined);
 * ```
 */
export function rttStats(times: readonly number[]): RttStats | undefined {
  const acc = new RttAccumulator();
  for (const t of times) acc.add(t);
  return acc.stats();
}

/**
 * Connect times summarised as they come (Welford's running mean and variance), so a run that
 * lasts until Ctrl-C holds no list of every time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RttAccumulator } from "./tcp_ping.ts";
 *
 * const acc = new RttAccumulator();
 * acc.add(1.2);
 * assert.deepEqual(acc.stats(), { min: 1.2, avg: 1.2, max: 1.2, stddev: 0 });
 * acc.add(3.4);
 * assert.deepEqual(acc.stats(), { min: 1.2, avg: 2.3, max: 3.4, stddev: 1.1 });
 * ```
 */
export class RttAccumulator {
  count = 0;
  #mean = 0;
  #m2 = 0;
  #min = Infinity;
  #max = -Infinity;

  add(ms: number): void {
    this.count++;
    const delta = ms - this.#mean;
    this.#mean += delta / this.count;
    this.#m2 += delta * (ms - this.#mean);
    this.#min = Math.min(this.#min, ms);
    this.#max = Math.max(this.#max, ms);
  }

  stats(): RttStats | undefined {
    if (this.count === 0) return undefined;
    return {
      min: this.#min,
      avg: this.#mean,
      max: this.#max,
      stddev: Math.sqrt(Math.max(0, this.#m2 / this.count)),
    };
  }
}

/** Attempts listed one by one under --json; a longer run lists the first ones and counts the rest. */
export const maxListedResults = 100_000;

const name = "tcp-ping";

const command: CommandModule<TcpPingOptions> = {
  spec: {
    usage: "HOST:PORT | HOST PORT",
    description:
      "Measures how long a TCP connect (the three-way handshake) takes and prints ping-style lines and a min/avg/max/stddev summary. Each connection is closed right away. Like ping, it runs until Ctrl-C unless --count or --deadline is given; Ctrl-C then prints the statistics and the exit code is 0 when any connect succeeded, 1 when none did. With --count or --deadline, exit 0 when at least one connect succeeded, 3 when none did; an interrupt before the count is reached prints the statistics and exits 130. A connect still waiting at Ctrl-C or at the deadline counts as an attempt that failed, as ping counts a probe that got no reply. ping's letters work: -W for --timeout, -w for --deadline, -q for --quiet (the summary only) and -n (no effect: nothing is looked up in reverse).",
    options: [
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        description: "stop after N connects (1-100000) [default: until Ctrl-C]",
      },
      {
        name: "interval",
        short: "i",
        type: "string",
        value: "DURATION",
        default: "1s",
        description: "pause between connects (2ms to 1h)",
      },
      {
        name: "timeout",
        short: "t",
        aliases: ["W"],
        type: "string",
        value: "DURATION",
        default: "2s",
        description: "how long one connect may take (up to 10m)",
      },
      {
        name: "deadline",
        short: "w",
        type: "string",
        value: "DURATION",
        description:
          "stop after this long in all, as ping -w does (then exit as with --count); a connect " +
          "still waiting then is cut short",
      },
      {
        name: "numeric",
        short: "n",
        type: "boolean",
        description: "accepted for ping habits: addresses are never looked up in reverse",
      },
    ],
    examples: [
      "toolkit tcp-ping -c 4 127.0.0.1:22",
      "toolkit tcp-ping --count 10 --interval 200ms [::1]:8080",
      "toolkit --json tcp-ping -c 3 localhost:80",
      "toolkit tcp-ping 127.0.0.1 22    # until Ctrl-C, like ping",
      "toolkit tcp-ping -q -n -w 5 -W 1 127.0.0.1 22    # ping's letters: summary only, 5s in all",
    ],
    positionals: { min: 1, max: 2, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const { target } = targetWords(positionals, name);
    const intervalMs = durationOption(values, "interval", {
      fallback: 1000,
      command: name,
      max: 3_600_000,
    });
    // ping's floor for unprivileged users: a run until Ctrl-C must not become a connect flood.
    if (intervalMs < 2) throw new UsageError("--interval must be at least 2ms", name);
    return {
      target,
      count: values.count === undefined
        ? Infinity
        : intOption(values, "count", { min: 1, max: 100_000, fallback: 4, command: name }),
      intervalMs,
      timeoutMs: durationOption(values, "timeout", {
        fallback: 2000,
        min: 1,
        command: name,
        max: 600_000,
      }),
      deadlineMs: values.deadline === undefined
        ? Infinity
        : durationOption(values, "deadline", { fallback: 0, min: 1, command: name }),
      json: globals.json,
      quiet: globals.quiet,
    };
  },
  // Without a count, Ctrl-C is the normal end of a run, as for ping: the exit code says whether
  // anything answered instead of 130.
  endsOnInterrupt: (o) => o.count === Infinity,
  async run(o, io) {
    const address = formatHostPort(o.target.host, o.target.port);
    const text = !o.json;
    if (text && !o.quiet) await io.stdout.write(`TCP PING ${address}\n`);
    await warmUp();
    const results: { seq: number; rttMs: number | null; error?: string }[] = [];
    const acc = new RttAccumulator();
    let attempts = 0;
    const started = performance.now();
    // ping's -w: the run ends at the deadline, a connect still waiting then with it.
    const deadline = new AbortController();
    const deadlineTimer = o.deadlineMs === Infinity
      ? undefined
      : setTimeout(() => deadline.abort(), o.deadlineMs);
    const stop = AbortSignal.any([io.signal, deadline.signal]);
    let lastError: NetError | undefined;
    try {
      for (let seq = 1; seq <= o.count && !stop.aborted; seq++) {
        if (seq > 1) await abortableSleep(o.intervalMs, stop);
        if (stop.aborted) break;
        const t0 = performance.now();
        let result: { seq: number; rttMs: number | null; error?: string };
        try {
          const conn = await connectTcp(o.target, { timeoutMs: o.timeoutMs, signal: stop });
          const ms = performance.now() - t0;
          conn.close();
          result = { seq, rttMs: ms };
          acc.add(ms);
          if (text && !o.quiet) {
            await io.stdout.write(`connected to ${address}: seq=${seq} time=${ms.toFixed(3)} ms\n`);
          }
        } catch (err) {
          if (stop.aborted) {
            // The attempt was made and got no answer, as ping counts a probe still out at Ctrl-C
            // or at its deadline: transmitted, not received.
            result = { seq, rttMs: null, error: io.signal.aborted ? "interrupted" : "deadline" };
            attempts++;
            if (results.length < maxListedResults) results.push(result);
            break;
          }
          if (!(err instanceof NetError)) throw err;
          lastError = err;
          result = { seq, rttMs: null, error: err.failure };
          if (text && !o.quiet) await io.stdout.write(`${address}: seq=${seq} ${err.failure}\n`);
        }
        attempts++;
        if (results.length < maxListedResults) results.push(result);
      }
    } finally {
      clearTimeout(deadlineTimer);
    }
    const stats = acc.stats();
    const connected = acc.count;
    const failed = attempts - connected;
    const lossPercent = attempts ? Math.round((failed / attempts) * 100) : 0;
    const elapsed = Math.round(performance.now() - started);
    if (o.json) {
      const r3 = (x: number) => Math.round(x * 1000) / 1000;
      await writeJson(io, {
        remote: address,
        attemptCount: attempts,
        connected,
        failed,
        lossPercent,
        durationMs: elapsed,
        // Each figure carries its unit, as every duration does; `rttMs` is one connect's.
        rtt: stats
          ? {
            minMs: r3(stats.min),
            avgMs: r3(stats.avg),
            maxMs: r3(stats.max),
            stddevMs: r3(stats.stddev),
          }
          : null,
        results: results.map((r) => ({ ...r, rttMs: r.rttMs === null ? null : r3(r.rttMs) })),
        ...(attempts > results.length ? { resultsOmitted: attempts - results.length } : {}),
      });
    } else {
      // The blank line parts the statistics from the lines --quiet leaves out.
      let summary = `${o.quiet ? "" : "\n"}--- ${address} tcp ping statistics ---\n` +
        `${attempts} attempts, ${connected} connected, ${lossPercent}% failed, time ${elapsed}ms\n`;
      if (stats) {
        const f = (x: number) => x.toFixed(3);
        summary += `rtt min/avg/max/stddev = ${f(stats.min)}/${f(stats.avg)}/${f(stats.max)}/${
          f(stats.stddev)
        } ms\n`;
      }
      await io.stdout.write(summary);
    }
    if (io.signal.aborted) {
      return o.count === Infinity
        ? (connected > 0 ? ExitCode.ok : ExitCode.negative)
        : ExitCode.interrupted;
    }
    // Nothing connected: the last error, or, when the deadline cut the only attempt short, that.
    if (connected === 0) throw lastError ?? new NetError("timed out", address);
    return ExitCode.ok;
  },
};
export default command;

/**
 * The first timer and combined signal of a process cost ~10 ms to set up; paying that before the
 * first measured connect keeps it out of seq=1 (measured: 13 ms cold, 1 ms warm on loopback).
 */
async function warmUp(): Promise<void> {
  AbortSignal.any([new AbortController().signal]);
  await new Promise((resolve) => setTimeout(resolve, 0));
}
