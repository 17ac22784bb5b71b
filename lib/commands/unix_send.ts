// `toolkit unix-send PATH [DATA]`: tcp-send over an AF_UNIX stream socket (_stream_send.ts):
// connect, send, shut down the sending side, and with --wait-reply print the reply. With
// --datagram: one datagram to a SOCK_DGRAM socket (nc -Uu), from a temporary bound address so the
// server can answer.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, userInputError } from "../cli/errors.ts";
import { readAll } from "../cli/io.ts";
import { writeJson, writeStatus } from "../cli/output.ts";
import { NetError } from "../net/errors.ts";
import { toHex, utf8OrUndefined } from "../net/payload.ts";
import { receiveDatagram } from "../net/udp.ts";
import {
  absoluteSocketPath,
  connectUnix,
  openUnixDatagramClient,
  sendUnixDatagram,
} from "../net/unix.ts";
import { readInputFile } from "../scope/files.ts";
import { socketPathArg } from "./_socket_path_arg.ts";
import { parseSendFlags, type SendFlags, sendOptionSpecs, sendOver } from "./_stream_send.ts";

/** Largest datagram read from a file or stdin for `--datagram` (Linux's default limit is lower). */
export const maxUnixDatagram = 1024 * 1024;

/** Parsed `unix-send` options. */
export interface UnixSendOptions extends SendFlags {
  path: string;
  datagram: boolean;
}

const name = "unix-send";

const command: CommandModule<UnixSendOptions> = {
  spec: {
    usage: "PATH [DATA]",
    description:
      "Connects to a Unix stream socket, sends DATA (UTF-8 as given, no newline added), --file FILE or stdin, then shuts down the sending side. With --wait-reply the reply is written to stdout until the peer closes. With --datagram the payload goes as one datagram to a datagram socket, and --wait-reply prints one reply datagram (exit 3 when none comes within --timeout).",
    options: [
      ...sendOptionSpecs,
      {
        name: "datagram",
        short: "u",
        type: "boolean",
        description: "send one datagram to a datagram socket (SOCK_DGRAM)",
      },
    ],
    examples: [
      "toolkit unix-send /tmp/toolkit.sock hello",
      "toolkit unix-send --wait-reply /tmp/echo.sock '我是客户端'",
      "toolkit unix-send --datagram -w /tmp/dgram.sock ping",
      "toolkit unix-send --file request.bin -w /tmp/toolkit.sock",
    ],
    positionals: { min: 1, max: 2, complete: ["file", "none"] },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const path = socketPathArg(positionals[0], name);
    return {
      path,
      datagram: values.datagram === true,
      ...parseSendFlags(values, positionals[1], globals, name),
    };
  },
  async run(o, io) {
    if (o.datagram) return await sendDatagramTo(o, io);
    return await sendOver(() => connectUnix(o.path), o.path, o, io);
  },
};
export default command;

async function sendDatagramTo(o: UnixSendOptions, io: Parameters<typeof command.run>[1]) {
  const data = o.data ??
    (o.file !== undefined
      ? await readInputFile(o.file, { limit: maxUnixDatagram })
      : await readAll(io.stdin.readable, { limit: maxUnixDatagram }).catch((err) => {
        throw userInputError(err);
      }));
  const target = absoluteSocketPath(o.path);
  const client = openUnixDatagramClient();
  try {
    await sendUnixDatagram(client.sock, target, data);
    if (o.verbose) {
      await writeStatus(
        io,
        { event: "sent", remote: target, sent: data.length },
        `sent 1 datagram of ${data.length} bytes to ${target}`,
      );
    }
    if (!o.waitReply) {
      if (o.json) await writeJson(io, { remote: target, sent: data.length });
      return ExitCode.ok;
    }
    const reply = await receiveDatagram(client.sock, { timeoutMs: o.timeoutMs, signal: io.signal });
    if (io.signal.aborted) return ExitCode.interrupted;
    if (!reply) {
      if (o.json) await writeJson(io, { remote: target, sent: data.length, reply: null });
      throw new NetError("timed out", `no reply from ${target} within ${o.timeoutMs / 1000}s`);
    }
    if (o.json) {
      await writeJson(io, {
        remote: target,
        sent: data.length,
        reply: {
          size: reply.data.length,
          text: utf8OrUndefined(reply.data) ?? null,
          hex: toHex(reply.data),
        },
      });
    } else await io.stdout.write(o.hex ? toHex(reply.data) + "\n" : reply.data);
    return ExitCode.ok;
  } finally {
    client.close();
  }
}
