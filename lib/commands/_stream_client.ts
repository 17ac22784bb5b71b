// The client side of tcp-connect and unix-connect (nc HOST PORT, nc -U PATH): their options and
// the session that copies stdin to a connected socket and the socket to stdout, shutting down the
// sending side on stdin EOF (the course's half-close) and still reading the peer's reply.
import type { OptionSpec } from "../cli/args.ts";
import { ExitCode } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeStatus } from "../cli/output.ts";
import { crlfSink, duplex, inputSource } from "../net/copy.ts";
import type { StreamFlags } from "./_stream_flags.ts";

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
 * Runs a connected socket against stdin/stdout with the shared flags; the exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { runSession } from "./_stream_client.ts";
 *
 * // A peer on loopback that reads until the client's half-close, then answers and closes.
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const address = `127.0.0.1:${listener.addr.port}`;
 * const peer = (async () => {
 *   const conn = await listener.accept();
 *   const got = await new Response(conn.readable).text(); // closes conn at EOF
 *   return got;
 * })();
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const io = memoryIo({ stdin: "hello\n" });
 * const flags = { crlf: false, halfClose: true, verbose: true, json: false };
 * assert.equal(await runSession(conn, address, flags, io), 0);
 * assert.equal(await peer, "hello\n");
 * assert.equal(io.stderrText(), `connected to ${address}\nclosed ${address}: sent 6 bytes, received 0 bytes\n`);
 * listener.close();
 * ```
 */
export async function runSession(
  conn: Deno.Conn,
  address: string,
  flags: StreamFlags,
  io: Io,
): Promise<number> {
  if (flags.verbose || flags.json) {
    await writeStatus(
      io,
      { event: "open", remote: address },
      `connected to ${address}`,
      flags.json,
    );
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
    await writeStatus(
      io,
      { event: "close", remote: address, ...result },
      `closed ${address}: sent ${result.sent} bytes, received ${result.received} bytes`,
      flags.json,
    );
  }
  return ExitCode.ok;
}
