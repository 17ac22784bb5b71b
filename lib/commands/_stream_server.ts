// The server side of tcp-listen and unix-listen (nc -l, nc -lU): their options and the serving of
// a bound listener through `io`: one connection wired to stdin/stdout, connection after connection
// (--keep-open), or echo, with the status lines every listener writes. The accepting and copying
// live in lib/net/serve.ts.
import { intOption, type OptionSpec, type OptionValues } from "../cli/args.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import type { GlobalOptions, Io } from "../cli/io.ts";
import { writeStatus } from "../cli/output.ts";
import { crlfSink, inputSource } from "../net/copy.ts";
import { NetError } from "../net/errors.ts";
import { serveListener } from "../net/serve.ts";
import { endRepeatedStatus, reportServeFailure } from "./_listener_status.ts";
import { parseStreamFlags, type StreamFlags } from "./_stream_flags.ts";

/** How a stream listener (TCP or Unix) serves, as the shared options set it. */
export interface ListenFlags extends StreamFlags {
  keepOpen: boolean;
  maxConns: number;
  echo: boolean;
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

/**
 * Reads the shared listener options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListenFlags } from "./_stream_server.ts";
 *
 * const globals = { json: false, quiet: false, debug: false, color: false };
 * assert.deepEqual(parseListenFlags({ "keep-open": true, echo: true }, globals, "tcp-listen"), {
 *   keepOpen: true,
 *   maxConns: 100,
 *   echo: true,
 *   crlf: false,
 *   halfClose: true,
 *   timeoutMs: undefined,
 *   verbose: false,
 *   json: false,
 * });
 * assert.throws(() => parseListenFlags({ "max-conns": "5" }, globals, "tcp-listen"), {
 *   name: "UsageError",
 *   message: "--max-conns needs --keep-open",
 * });
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
    ...parseStreamFlags(values, globals, command),
  };
}

/**
 * Serves a bound listener with the shared flags through `io`; the exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { serveWithIo } from "./_stream_server.ts";
 *
 * // tcp-listen for one connection: the peer's bytes to stdout; stdin (empty) to the peer.
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const address = `127.0.0.1:${listener.addr.port}`;
 * const io = memoryIo();
 * const flags = {
 *   keepOpen: false,
 *   maxConns: 100,
 *   echo: false,
 *   crlf: false,
 *   halfClose: true,
 *   verbose: false,
 *   json: false,
 * };
 * const served = serveWithIo(listener, address, flags, io);
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * await client.write(new TextEncoder().encode("hello\n"));
 * await client.closeWrite();
 * assert.equal(await new Response(client.readable).text(), ""); // the server's stdin was empty
 * assert.equal(await served, 0);
 * assert.equal(io.stdoutText(), "hello\n");
 * assert.equal(io.stderrText(), `listening on ${address}\n`);
 * ```
 */
export async function serveWithIo(
  listener: Deno.Listener,
  address: string,
  flags: ListenFlags,
  io: Io,
): Promise<number> {
  await writeStatus(io, { event: "listening", address }, `listening on ${address}`, flags.json);
  try {
    await serveOn(listener, flags, io, address);
  } finally {
    await endRepeatedStatus(io);
  }
  return ExitCode.ok;
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
    idleTimeoutMs: flags.timeoutMs,
    signal: io.signal,
    onAcceptFailure: (failure) => reportServeFailure(io, flags, address, failure),
    onOpen: async (remote) => {
      if (flags.verbose || flags.json) {
        await writeStatus(io, { event: "open", remote }, `connection from ${remote}`, flags.json);
      }
    },
    onClose: async (remote, result, error) => {
      if (error && flags.keepOpen) {
        const why = error instanceof NetError ? error.message : String(error);
        await writeStatus(
          io,
          { event: "error", remote, error: why },
          `toolkit: warning: ${why}`,
          flags.json,
        );
      }
      if (flags.verbose || flags.json) {
        await writeStatus(
          io,
          { event: "close", remote, ...result },
          `closed ${remote}: received ${result.received} bytes, sent ${result.sent} bytes`,
          flags.json,
        );
      }
    },
  });
}
