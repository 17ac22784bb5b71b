// `toolkit scan HOST PORTS`: a TCP connect scan (nmap -sT, nc -z) with bounded concurrency and a
// per-port timeout. A port is open (connected), closed (refused) or filtered (no answer in time,
// or unreachable).
import { durationOption, intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, fromUserInput, UsageError } from "../cli/errors.ts";
import { formatTable, paint, writeJson, writeWarning } from "../cli/output.ts";
import { startProgress } from "../cli/progress.ts";
import { classifyHost, type HostPort } from "../net/address.ts";
import { NetError } from "../net/errors.ts";
import { formatPorts, parsePorts } from "../net/ports.ts";
import { connectTcp } from "../net/tcp.ts";
import { retryOutOfDescriptors, type ServeFailure } from "../net/accept.ts";

/** What a connect attempt found. */
export type PortState = "open" | "closed" | "filtered";

/** Parsed `scan` options. */
export interface ScanOptions {
  host: string;
  family: HostPort["family"];
  ports: number[];
  concurrency: number;
  timeoutMs: number;
  all: boolean;
  json: boolean;
  quiet: boolean;
}

/** One scanned port. */
export interface PortResult {
  port: number;
  state: PortState;
  /** Milliseconds until the answer (connect or refusal); `null` when filtered. */
  rttMs: number | null;
}

const name = "scan";

/**
 * Classifies a failed connect: refused is closed; silence or unreachable is filtered; anything
 * else (a name that does not resolve, a denied scope) is not about the port and is rethrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetError } from "../net/errors.ts";
 * import { stateOfError } from "./scan.ts";
 *
 * assert.equal(stateOfError(new NetError("connection refused", "127.0.0.1:1")), "closed");
 * assert.equal(stateOfError(new NetError("timed out", "127.0.0.1:1")), "filtered"); // no answer
 * ```
 */
export function stateOfError(err: unknown): PortState {
  if (err instanceof NetError) {
    if (err.failure === "connection refused" || err.failure === "connection reset") {
      return "closed";
    }
    if (
      err.failure === "timed out" || err.failure === "host unreachable" ||
      err.failure === "network unreachable"
    ) return "filtered";
  }
  throw err;
}

const command: CommandModule<ScanOptions> = {
  spec: {
    usage: "HOST PORTS... | HOST:PORTS",
    description:
      "The target is HOST PORTS, as nc -z takes it, or one word HOST:PORTS ([ADDR]:PORTS for IPv6; an IPv6 address without brackets is a host alone). Connects to each port (a full TCP handshake, like nmap -sT or nc -z) and reports it open (connected), closed (refused) or filtered (no answer within --timeout, or unreachable). PORTS is a list such as 22,80,8000-8100 (`-` for all); several words are one list, as nc -z takes them (`scan HOST 22 80 8000-8100`), and a port may be a service name from /etc/services (`ssh`). Open ports are listed on stdout, a summary on stderr; a progress bar is drawn on stderr when it is a terminal. Exit 0 when a port is open, 1 when none is.",
    options: [
      {
        name: "concurrency",
        short: "j",
        type: "string",
        value: "N",
        default: "100",
        description: "connection attempts in flight at once",
      },
      {
        name: "timeout",
        short: "t",
        aliases: ["w"],
        type: "string",
        value: "DURATION",
        default: "1s",
        description: "how long one port may take before it counts as filtered (nc's -w)",
      },
      {
        name: "all",
        short: "a",
        type: "boolean",
        description: "list closed and filtered ports too",
      },
    ],
    examples: [
      "toolkit scan 127.0.0.1 22,80,8000-8100",
      "toolkit scan --timeout 300ms -j 200 ::1 1-1024",
      "toolkit --json scan localhost 1-65535",
      "toolkit scan 127.0.0.1:8000-8100",
      "toolkit scan -w 1 127.0.0.1 ssh 8000 8080    # nc -z -w 1 HOST PORT...",
    ],
    positionals: { min: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    // nc -z takes several port words (`nc -z HOST 7100 7101-7105`): they are one list here.
    const [host, portList] = positionals.length >= 2
      ? [positionals[0].replace(/^\[(.*)\]$/, "$1"), positionals.slice(1).join(",")]
      : splitHostPorts(positionals[0]);
    const family: HostPort["family"] = fromUserInput(() => classifyHost(host), name);
    const ports = fromUserInput(() => parsePorts(portList), name);
    return {
      host,
      family,
      ports,
      concurrency: intOption(values, "concurrency", {
        min: 1,
        max: 1000,
        fallback: 100,
        command: name,
      }),
      // A timeout of 0 would report every port filtered: refused, as -j 0 is.
      timeoutMs: durationOption(values, "timeout", {
        fallback: 1000,
        min: 1,
        command: name,
        max: 600_000,
      }),
      all: values.all === true,
      json: globals.json,
      quiet: globals.quiet,
    };
  },
  async run(o, io) {
    const started = performance.now();
    const bar = startProgress(io, { total: o.ports.length, label: `scan ${o.host}` });
    const results: PortResult[] = new Array(o.ports.length);
    const stop = new AbortController();
    const signal = AbortSignal.any([io.signal, stop.signal]);
    let next = 0;
    let open = 0;
    let exhausted: ServeFailure | undefined;
    const noteExhausted = (f: ServeFailure) => {
      exhausted ??= f;
      bar.note(`${open} open, waiting for file descriptors`);
    };
    const worker = async () => {
      while (next < o.ports.length && !signal.aborted) {
        const i = next++;
        const port = o.ports[i];
        const target: HostPort = { host: o.host, port, family: o.family };
        const t0 = performance.now();
        try {
          // Out of descriptors (ulimit -n below --concurrency): wait for some to come free.
          const conn = await retryOutOfDescriptors(
            () => connectTcp(target, { timeoutMs: o.timeoutMs, signal }),
            { signal, onFailure: noteExhausted },
          );
          conn.close();
          results[i] = { port, state: "open", rttMs: round(performance.now() - t0) };
          open++;
          bar.note(`${open} open`);
        } catch (err) {
          if (signal.aborted) return;
          let state: PortState;
          try {
            state = stateOfError(err);
          } catch (fatal) {
            stop.abort();
            throw fatal;
          }
          results[i] = {
            port,
            state,
            rttMs: state === "filtered" ? null : round(performance.now() - t0),
          };
        }
        bar.tick();
      }
    };
    try {
      const workers = Array.from({ length: Math.min(o.concurrency, o.ports.length) }, worker);
      const settled = await Promise.allSettled(workers);
      const failed = settled.find((s) => s.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    } finally {
      await bar.done();
      if (exhausted) {
        await writeWarning(
          io,
          `${exhausted.message} (${exhausted.code}): connects waited for descriptors to come ` +
            `free; raise 'ulimit -n' or lower --concurrency (${o.concurrency})`,
        );
      }
    }
    if (io.signal.aborted) return ExitCode.interrupted;
    const seconds = (performance.now() - started) / 1000;
    const counts = { open: 0, closed: 0, filtered: 0 };
    for (const r of results) counts[r.state]++;
    if (o.json) {
      await writeJson(io, {
        remote: o.host,
        portSpec: formatPorts(o.ports),
        scanned: results.length,
        ...counts,
        durationMs: round(seconds * 1000),
        openPorts: results.filter((r) => r.state === "open").map((r) => r.port),
        results: o.all ? results : results.filter((r) => r.state === "open"),
      });
    } else {
      const shown = o.all ? results : results.filter((r) => r.state === "open");
      if (shown.length > 0) {
        const color = { open: "green", closed: "red", filtered: "yellow" } as const;
        const rows = shown.map((r) => [
          `${r.port}/tcp`,
          paint(io, color[r.state], r.state),
          r.rttMs === null ? "-" : `${r.rttMs.toFixed(3)} ms`,
        ]);
        await io.stdout.write(formatTable([["PORT", "STATE", "TIME"], ...rows], { right: [2] }));
      }
      if (!o.quiet) {
        await io.stderr.write(
          `scanned ${results.length} port${results.length === 1 ? "" : "s"} on ${o.host} in ${
            seconds.toFixed(2)
          }s: ${counts.open} open, ${counts.closed} closed, ${counts.filtered} filtered\n`,
        );
      }
    }
    return counts.open > 0 ? ExitCode.ok : ExitCode.negative;
  },
};
export default command;

/** `HOST:PORTS` or `[V6]:PORTS` in one word; an unbracketed IPv6 address has no ports to split. */
function splitHostPorts(word: string): [string, string] {
  const m = /^\[([^\]]*)\]:(.*)$/.exec(word) ?? /^([^:]*):([^:]*)$/.exec(word);
  if (!m) {
    throw new UsageError(
      `missing ports: write HOST PORTS or HOST:PORTS (got "${word}"; IPv6 as [ADDR]:PORTS)`,
      name,
    );
  }
  return [m[1], m[2]];
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
