// `toolkit tcp-listen [HOST:]PORT`: nc -l. Accept a connection and wire it to stdin/stdout, or
// serve connection after connection (--keep-open), or echo. The serving itself lives in
// lib/net/serve.ts and is shared with unix-listen, which also reuses this file's option table.
import {
  durationOption,
  intOption,
  type OptionSpec,
  type OptionValues,
  parseCommandArgs,
} from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { UsageError } from "../cli/errors.ts";
import type { GlobalOptions, Io } from "../cli/io.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { crlfSink, inputSource } from "../net/copy.ts";
import type { ServeFailure } from "../net/accept.ts";
import { NetError } from "../net/errors.ts";
import { serveListener } from "../net/serve.ts";
import { listenTcp } from "../net/tcp.ts";
import { status } from "./tcp_connect.ts";
import { listenWords } from "../cli/target_arg.ts";
import { RepeatedStatus } from "../cli/repeats.ts";

/** How a stream listener (TCP or Unix) serves, as the shared options set it. */
export interface ListenFlags {
  keepOpen: boolean;
  maxConns: number;
  echo: boolean;
  crlf: boolean;
  halfClose: boolean;
  idleTimeoutMs?: number;
  verbose: boolean;
  json: boolean;
}

/** Parsed `tcp-listen` options. */
export interface TcpListenOptions extends ListenFlags {
  bind: HostPort;
}

/** The options tcp-listen and unix-listen share. */
export const listenOptionSpecs: readonly OptionSpec[] = [
  {
    name: "keep-open",
    short: "k",
    type: "boolean",
    description: "serve connection after connection (concurrently); stdin goes to every client",
  },
  {
    name: "max-conns",
    short: "m",
    type: "string",
    value: "N",
    default: "100",
    description: "with --keep-open, how many connections are served at once",
  },
  {
    name: "once",
    type: "boolean",
    description: "serve one connection, then exit (the default without --keep-open)",
  },
  {
    name: "echo",
    short: "e",
    type: "boolean",
    description: "send every byte back to its sender instead of using stdin/stdout",
  },
  {
    name: "crlf",
    short: "C",
    type: "boolean",
    description: "send LF from stdin as CRLF (like ncat -C)",
  },
  {
    name: "no-half-close",
    type: "boolean",
    description: "keep the sending side open when stdin ends",
  },
  {
    name: "timeout",
    short: "t",
    type: "string",
    value: "DURATION",
    description: "close a connection idle for this long (exit 3 for a single connection)",
  },
  {
    name: "verbose",
    short: "v",
    type: "boolean",
    description: "report connections and byte counts on stderr",
  },
];

/** nc's `-l -p PORT`: the port as an option, for the TCP and UDP listeners. */
export const listenPortSpec: OptionSpec = {
  name: "port",
  short: "p",
  type: "string",
  value: "PORT",
  description:
    "the port to listen on (nc's -l -p PORT; 0: a free one, printed); a HOST may follow as the argument",
};

/** nc's `-l`, accepted by the listeners (`tcp-listen -l -p 9000`, `-lp 9000`): they listen. */
export const ncListenSpec: OptionSpec = {
  name: "listen",
  short: "l",
  type: "boolean",
  description: "accepted for nc habits (nc -l): this command listens",
};

/** The help paragraph on the forms a listener's address takes. */
export const listenFormsText =
  "The address is [HOST:]PORT in one word (IPv6 as [ADDR]:PORT), nc's two words HOST PORT, or nc's -p PORT with an optional HOST argument.";

/**
 * Reads the shared listener options.
 *
 * @example
 * ```ts
 * const flags = parseListenFlags(values, globals, "tcp-listen");
 * ```
 */
export function parseListenFlags(
  values: OptionValues,
  globals: GlobalOptions,
  command: string,
): ListenFlags {
  const keepOpen = values["keep-open"] === true;
  if (keepOpen && values.once === true) {
    throw new UsageError("--keep-open and --once cannot be used together", command);
  }
  if (!keepOpen && values["max-conns"] !== undefined && values["max-conns"] !== "100") {
    throw new UsageError("--max-conns needs --keep-open", command);
  }
  return {
    keepOpen,
    maxConns: intOption(values, "max-conns", { min: 1, max: 10_000, fallback: 100, command }),
    echo: values.echo === true,
    crlf: values.crlf === true,
    halfClose: values["no-half-close"] !== true,
    idleTimeoutMs: values.timeout === undefined
      ? undefined
      : durationOption(values, "timeout", { fallback: 0, min: 1, command, max: 86_400_000 }),
    verbose: values.verbose === true,
    json: globals.json,
  };
}

/**
 * Serves a bound listener with the shared flags through `io`; the exit code.
 *
 * @example
 * ```ts
 * return await serveWithIo(listenTcp(bind), flags, io);
 * ```
 */
export async function serveWithIo(
  listener: Deno.Listener,
  address: string,
  flags: ListenFlags,
  io: Io,
): Promise<number> {
  await status(io, flags, { event: "listening", address }, `listening on ${address}`);
  try {
    await serveOn(listener, flags, io, address);
  } finally {
    await endRepeatedStatus(io);
  }
  return 0;
}

function serveOn(listener: Deno.Listener, flags: ListenFlags, io: Io, address: string) {
  return serveListener(listener, {
    mode: flags.echo ? "echo" : "stdio",
    keepOpen: flags.keepOpen,
    maxConns: flags.maxConns,
    halfClose: flags.halfClose,
    drainInputAfterPeerClose: !io.stdin.isTerminal(),
    input: flags.echo ? undefined : inputSource(io.stdin),
    output: io.stdout,
    wrapSink: flags.crlf ? crlfSink : undefined,
    idleTimeoutMs: flags.idleTimeoutMs,
    signal: io.signal,
    onAcceptFailure: (failure) => reportServeFailure(io, flags, address, failure),
    onOpen: async (remote) => {
      if (flags.verbose || flags.json) {
        await status(io, flags, { event: "open", remote }, `connection from ${remote}`);
      }
    },
    onClose: async (remote, result, error) => {
      if (error && flags.keepOpen) {
        const why = error instanceof NetError ? error.message : String(error);
        await status(
          io,
          flags,
          { event: "error", remote, error: why },
          `toolkit: warning: ${why}`,
        );
      }
      if (flags.verbose || flags.json) {
        await status(
          io,
          flags,
          { event: "close", remote, ...result },
          `closed ${remote}: received ${result.received} bytes, sent ${result.sent} bytes`,
        );
      }
    },
  });
}

const repeatsByIo = new WeakMap<Io, RepeatedStatus>();

/**
 * The limit on repeated status lines of a listener's run (one per `io`): see
 * {@linkcode RepeatedStatus}. {@linkcode endRepeatedStatus} writes what it holds back.
 *
 * @example
 * ```ts
 * await repeatedStatus(io, flags).report("dropped:loop", event, text);
 * ```
 */
export function repeatedStatus(io: Io, flags: { json: boolean }): RepeatedStatus {
  let repeats = repeatsByIo.get(io);
  if (!repeats) repeatsByIo.set(io, repeats = new RepeatedStatus(io, flags));
  return repeats;
}

/**
 * Writes the summaries {@linkcode repeatedStatus} still holds back; for the end of a run.
 *
 * @example
 * ```ts
 * try { await serve(); } finally { await endRepeatedStatus(io); }
 * ```
 */
export async function endRepeatedStatus(io: Io): Promise<void> {
  const repeats = repeatsByIo.get(io);
  repeatsByIo.delete(io);
  await repeats?.close().catch(() => {});
}

/**
 * Reports an accept or receive failure the server rode out: one warning line on stderr, or with
 * `--json` an NDJSON event (`accept-error` / `receive-error`) with the errno name. A flood of one
 * kind is limited ({@linkcode repeatedStatus}): the first 10, then a count a second.
 *
 * @example
 * ```ts
 * await reportServeFailure(io, flags, "127.0.0.1:9000", failure);
 * // toolkit: warning: connection reset before it was accepted (127.0.0.1:9000)
 * ```
 */
export async function reportServeFailure(
  io: Io,
  flags: { json: boolean },
  address: string,
  failure: ServeFailure,
  stage: "accept" | "receive" = "accept",
): Promise<void> {
  const retry = failure.retryInMs === undefined ? "" : `; retrying in ${failure.retryInMs} ms`;
  await repeatedStatus(io, flags).report(
    `${stage}-error:${failure.code}`,
    {
      event: `${stage}-error`,
      address,
      code: failure.code,
      error: failure.message,
      ...(failure.retryInMs === undefined ? {} : { retryInMs: failure.retryInMs }),
    },
    `toolkit: warning: ${failure.message} (${address})${retry}`,
  );
}

const name = "tcp-listen";

const command: CommandModule<TcpListenOptions> = {
  spec: {
    usage: "[HOST:]PORT | HOST PORT | -p PORT [HOST]",
    description:
      "Like nc -l: accepts one connection, copies stdin to it and what it sends to stdout, byte for byte. When stdin ends the sending side is shut down (half-close) and the peer's data is still read until it closes. Listens on 127.0.0.1 unless a host is given (0.0.0.0 or [::] for all interfaces) and prints the bound address on stderr, so port 0 works in scripts. With --json the messages on stderr are NDJSON.\n\n" +
      listenFormsText,
    options: [...listenOptionSpecs, listenPortSpec, ncListenSpec],
    examples: [
      "toolkit tcp-listen 9000 > received.bin",
      "toolkit tcp-listen --keep-open --echo 127.0.0.1:9000",
      "toolkit tcp-listen [::1]:0 < reply.txt",
      "toolkit tcp-listen --keep-open --max-conns 10 0.0.0.0:8080",
      "toolkit tcp-listen -p 9000    # nc -l -p 9000",
      "toolkit tcp-listen 0.0.0.0 9000    # nc -l 0.0.0.0 9000",
      "toolkit tcp-listen -lp 9000    # nc -lp 9000",
    ],
    positionals: { max: 2, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const port = typeof values.port === "string" ? values.port : undefined;
    const bind = listenWords(positionals, port, name, {
      defaultHost: "127.0.0.1",
      allowPortZero: true,
    });
    return { bind, ...parseListenFlags(values, globals, name) };
  },
  async run(o, io) {
    const listener = listenTcp(o.bind);
    const address = formatHostPort(listener.addr.hostname, listener.addr.port);
    return await serveWithIo(listener, address, o, io);
  },
};
export default command;
