// `toolkit tcp-connect HOST:PORT`: nc HOST PORT. stdin to the socket, the socket to stdout; on
// stdin EOF the sending side is shut down (the course's half-close) and the peer's reply is still
// read until it closes. unix-connect reuses this file's option table and session.
import { targetWords } from "../cli/target_arg.ts";
import {
  durationOption,
  type OptionSpec,
  type OptionValues,
  parseCommandArgs,
} from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import type { GlobalOptions, Io } from "../cli/io.ts";
import { writeStatus } from "../cli/output.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { crlfSink, duplex, inputSource } from "../net/copy.ts";
import { connectTcp } from "../net/tcp.ts";

/** How a stream client (TCP or Unix) runs, as the shared options set it. */
export interface ConnectFlags {
  crlf: boolean;
  halfClose: boolean;
  timeoutMs?: number;
  verbose: boolean;
  json: boolean;
}

/** Parsed `tcp-connect` options. */
export interface TcpConnectOptions extends ConnectFlags {
  target: HostPort;
}

/**
 * Writes a status message on stderr: a line of text, or an NDJSON object with `--json`.
 *
 * @example
 * ```ts
 * await status(io, flags, { event: "listening", address: "127.0.0.1:9000" }, "listening on 127.0.0.1:9000");
 * ```
 */
export async function status(
  io: Io,
  flags: { json: boolean },
  event: { event: string } & Record<string, unknown>,
  text: string,
): Promise<void> {
  await writeStatus(io, event, text, flags.json);
}

/** The options tcp-connect and unix-connect share. */
export const connectOptionSpecs: readonly OptionSpec[] = [
  {
    name: "timeout",
    short: "t",
    type: "string",
    value: "DURATION",
    description: "give up connecting, or on a connection idle, after this long (exit 3)",
  },
  {
    name: "no-half-close",
    type: "boolean",
    description: "when stdin ends, keep the sending side open instead of shutting it down",
  },
  {
    name: "crlf",
    short: "C",
    type: "boolean",
    description: "send LF from stdin as CRLF (like ncat -C)",
  },
  {
    name: "verbose",
    short: "v",
    type: "boolean",
    description: "report the connection and byte counts on stderr",
  },
];

/**
 * Reads the shared client options.
 *
 * @example
 * ```ts
 * const flags = parseConnectFlags(values, globals, "tcp-connect");
 * ```
 */
export function parseConnectFlags(
  values: OptionValues,
  globals: GlobalOptions,
  command: string,
): ConnectFlags {
  return {
    crlf: values.crlf === true,
    halfClose: values["no-half-close"] !== true,
    timeoutMs: values.timeout === undefined
      ? undefined
      : durationOption(values, "timeout", { fallback: 0, min: 1, command, max: 86_400_000 }),
    verbose: values.verbose === true,
    json: globals.json,
  };
}

/**
 * Runs a connected socket against stdin/stdout with the shared flags; the exit code.
 *
 * @example
 * ```ts
 * return await runSession(conn, "127.0.0.1:9000", flags, io);
 * ```
 */
export async function runSession(
  conn: Deno.Conn,
  address: string,
  flags: ConnectFlags,
  io: Io,
): Promise<number> {
  if (flags.verbose || flags.json) {
    await status(io, flags, { event: "open", remote: address }, `connected to ${address}`);
  }
  const result = await duplex(conn, {
    address,
    input: inputSource(io.stdin),
    output: io.stdout,
    wrapSink: flags.crlf ? crlfSink : undefined,
    halfClose: flags.halfClose,
    drainInputAfterPeerClose: flags.halfClose && !io.stdin.isTerminal(),
    idleTimeoutMs: flags.timeoutMs,
    signal: io.signal,
  });
  if ((flags.verbose || flags.json) && !io.signal.aborted) {
    await status(
      io,
      flags,
      { event: "close", remote: address, ...result },
      `closed ${address}: sent ${result.sent} bytes, received ${result.received} bytes`,
    );
  }
  return 0;
}

const name = "tcp-connect";

const command: CommandModule<TcpConnectOptions> = {
  spec: {
    usage: "HOST:PORT | HOST PORT",
    description:
      "Like nc HOST PORT (both forms are taken; IPv6 with a port in one word is [ADDR]:PORT): copies stdin to the connection and the connection to stdout, byte for byte (nothing added or stripped). When stdin ends the sending side is shut down (half-close, the peer reads EOF) and the reply is still read until the peer closes; --no-half-close keeps it open and exits when the peer closes. With --json the messages on stderr are NDJSON.",
    options: connectOptionSpecs,
    examples: [
      "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | toolkit tcp-connect 127.0.0.1:8080",
      "toolkit tcp-connect --timeout 5s [::1]:9000 < file.bin",
      "toolkit tcp-connect --crlf mail.example:25",
      "toolkit tcp-connect ::1 9000    # nc's two words",
    ],
    positionals: { min: 1, max: 2, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const { target } = targetWords(positionals, name);
    return { target, ...parseConnectFlags(values, globals, name) };
  },
  async run(o, io) {
    const conn = await connectTcp(o.target, { timeoutMs: o.timeoutMs, signal: io.signal });
    return await runSession(conn, formatHostPort(o.target.host, o.target.port), o, io);
  },
};
export default command;
