// The one-shot stream send of tcp-send and unix-send (the course's TCP client in one line): their
// options, and connect, send DATA, a file or stdin, shut down the sending side, and with
// --wait-reply print what comes back (streamed, or collected for --json).
import { durationOption, type OptionSpec, type OptionValues } from "../cli/args.ts";
import { ExitCode, fromUserInput, InputError, UsageError } from "../cli/errors.ts";
import type { GlobalOptions, Io } from "../cli/io.ts";
import { writeJson, writeStatus } from "../cli/output.ts";
import {
  type ByteSink,
  type ByteSource,
  connSink,
  copyBytes,
  duplex,
  fileSource,
  inputSource,
} from "../net/copy.ts";
import { NetError } from "../net/errors.ts";
import { parsePayload, toHex, utf8OrUndefined } from "../net/payload.ts";
import { openInputFile, stdinAlias } from "../scope/files.ts";
import { concat } from "../text/read_limited.ts";

/** Largest reply kept in memory for `--json` (the text and hex fields). */
export const maxJsonReply = 16 * 1024 * 1024;

/** How a one-shot stream send (TCP or Unix) runs. */
export interface SendFlags {
  /** The payload from the argument; `undefined` means `file` or stdin. */
  data?: Uint8Array;
  file?: string;
  hex: boolean;
  waitReply: boolean;
  timeoutMs: number;
  verbose: boolean;
  json: boolean;
}

/** The options tcp-send and unix-send share. */
export const sendOptionSpecs: readonly OptionSpec[] = [
  {
    name: "file",
    short: "f",
    type: "string",
    value: "FILE",
    complete: "file",
    description: "send the contents of FILE (streamed; `-` is stdin)",
  },
  {
    name: "hex",
    type: "boolean",
    description: "DATA is hex; the reply is printed as hex",
  },
  {
    name: "wait-reply",
    short: "w",
    type: "boolean",
    description: "after sending, print what comes back until the peer closes",
  },
  {
    name: "timeout",
    short: "t",
    type: "string",
    value: "DURATION",
    default: "5s",
    description:
      "give up connecting, or waiting for the reply, after this long idle (exit 3 when nothing came back)",
  },
  {
    name: "verbose",
    short: "v",
    type: "boolean",
    description: "report what was sent and received on stderr",
  },
];

/**
 * Reads the shared send options and the optional DATA argument.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSendFlags } from "./_stream_send.ts";
 *
 * const globals = { json: false, quiet: false, debug: false, color: false };
 * assert.deepEqual(parseSendFlags({ "wait-reply": true }, "hi", globals, "tcp-send"), {
 *   data: new TextEncoder().encode("hi"),
 *   file: undefined,
 *   hex: false,
 *   waitReply: true,
 *   timeoutMs: 5000, // the default --timeout
 *   verbose: false,
 *   json: false,
 * });
 * assert.throws(() => parseSendFlags({ file: "a.bin" }, "hi", globals, "tcp-send"), {
 *   name: "UsageError",
 *   message: "give DATA or --file, not both",
 * });
 * ```
 */
export function parseSendFlags(
  values: OptionValues,
  dataArg: string | undefined,
  globals: GlobalOptions,
  command: string,
): SendFlags {
  const hex = values.hex === true;
  const file = typeof values.file === "string" ? values.file : undefined;
  if (file !== undefined && dataArg !== undefined) {
    throw new UsageError("give DATA or --file, not both", command);
  }
  if (file !== undefined && hex) throw new UsageError("--hex is for DATA, not --file", command);
  return {
    data: dataArg === undefined ? undefined : fromUserInput(() => parsePayload(dataArg, hex)),
    file: file === undefined || stdinAlias(file) === "-" ? undefined : file,
    hex,
    waitReply: values["wait-reply"] === true,
    timeoutMs: durationOption(values, "timeout", {
      fallback: 5000,
      min: 1,
      command,
      max: 86_400_000,
    }),
    verbose: values.verbose === true,
    json: globals.json,
  };
}

function bytesSource(data: Uint8Array): ByteSource {
  let done = false;
  return {
    read() {
      if (done) return Promise.resolve(null);
      done = true;
      return Promise.resolve(data);
    },
  };
}

/**
 * Opens the payload (so a missing or refused file is reported before anything connects: the
 * peer never sees an empty connection), connects, sends, half-closes, and with `waitReply`
 * prints the reply (streamed, or collected for `--json`); the exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { sendOver } from "./_stream_send.ts";
 *
 * // A peer on loopback that reads to the sender's half-close and answers with what it got.
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const peer = (async () => {
 *   const conn = await listener.accept();
 *   const buf = new Uint8Array(1024);
 *   let got = 0;
 *   while (true) {
 *     const n = await conn.read(buf);
 *     if (n === null) break;
 *     got += n;
 *   }
 *   await conn.write(new TextEncoder().encode(`got ${got} bytes\n`));
 *   conn.close();
 * })();
 * const io = memoryIo();
 * const flags = {
 *   data: new TextEncoder().encode("hello"),
 *   hex: false,
 *   waitReply: true,
 *   timeoutMs: 5000,
 *   verbose: false,
 *   json: false,
 * };
 * const connect = () => Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * assert.equal(await sendOver(connect, `127.0.0.1:${listener.addr.port}`, flags, io), 0);
 * await peer;
 * assert.equal(io.stdoutText(), "got 5 bytes\n");
 * listener.close();
 * ```
 */
export async function sendOver(
  connect: () => Promise<Deno.Conn>,
  address: string,
  flags: SendFlags,
  io: Io,
): Promise<number> {
  let file: Deno.FsFile | undefined;
  let input: ByteSource;
  if (flags.data) input = bytesSource(flags.data);
  else if (flags.file !== undefined) {
    try {
      file = await openInputFile(flags.file);
      input = await fileSource(file);
    } catch (err) {
      file?.close();
      throw err;
    }
  } else input = inputSource(io.stdin);
  let conn: Deno.Conn;
  try {
    conn = await connect();
  } catch (err) {
    file?.close();
    throw err;
  }
  try {
    if (!flags.waitReply) {
      const onAbort = () => conn.close();
      io.signal.addEventListener("abort", onAbort, { once: true });
      let sent = 0;
      try {
        sent = await copyBytes(input, connSink(conn, address));
        await conn.closeWrite().catch(() => {});
      } catch (err) {
        if (io.signal.aborted) return ExitCode.interrupted;
        throw err;
      } finally {
        io.signal.removeEventListener("abort", onAbort);
        try {
          conn.close();
        } catch { /* closed by the abort */ }
      }
      await report(io, flags, address, sent, undefined);
      return ExitCode.ok;
    }
    const kept: Uint8Array[] = [];
    const stdout = io.stdout;
    const enc = new TextEncoder();
    let received = 0;
    const output: ByteSink = {
      async write(chunk) {
        received += chunk.length;
        if (flags.json) {
          if (received > maxJsonReply) {
            throw new InputError(`reply is larger than ${maxJsonReply} bytes; drop --json`);
          }
          kept.push(chunk.slice());
        } else await stdout.write(flags.hex ? enc.encode(toHex(chunk) + "\n") : chunk);
      },
    };
    let sent = 0;
    // Counted as written, so a reply that never comes is reported with what was sent.
    const counted = (sink: ByteSink): ByteSink => ({
      write: async (chunk) => {
        await sink.write(chunk);
        sent += chunk.length;
      },
    });
    try {
      sent = (await duplex(conn, {
        address,
        input,
        output,
        wrapSink: counted,
        idleTimeoutMs: flags.timeoutMs,
        signal: io.signal,
      })).sent;
    } catch (err) {
      // A reply followed by silence is a reply: servers that keep the connection open end here.
      if (!(err instanceof NetError && err.failure === "timed out" && received > 0)) {
        if (err instanceof NetError && err.failure === "timed out" && flags.json) {
          await writeJson(io, { remote: address, sent, reply: null });
        }
        throw err instanceof NetError && err.failure === "timed out"
          ? new NetError("timed out", `no reply from ${address} within ${flags.timeoutMs / 1000}s`)
          : err;
      }
    }
    if (io.signal.aborted) return ExitCode.interrupted;
    // Only --json keeps the reply.
    await report(io, flags, address, sent, { size: received, bytes: concat(kept) });
    return ExitCode.ok;
  } finally {
    file?.close();
  }
}

async function report(
  io: Io,
  flags: SendFlags,
  address: string,
  sent: number,
  reply: { size: number; bytes: Uint8Array } | undefined,
): Promise<void> {
  if (flags.verbose) {
    // Under --json the line is an event on stderr, as every status line is.
    await writeStatus(
      io,
      { event: "sent", remote: address, sent, ...(reply ? { received: reply.size } : {}) },
      `sent ${sent} bytes to ${address}${reply ? `, received ${reply.size} bytes` : ""}`,
      flags.json,
    );
  }
  if (!flags.json) return;
  await writeJson(io, {
    remote: address,
    sent,
    ...(reply
      ? {
        reply: {
          size: reply.size,
          text: utf8OrUndefined(reply.bytes) ?? null,
          hex: toHex(reply.bytes),
        },
      }
      : {}),
  });
}
