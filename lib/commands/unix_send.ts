// `toolkit unix-send PATH [DATA]`: tcp-send over an AF_UNIX stream socket: connect, send, shut
// down the sending side, and with --wait-reply print the reply.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { connectUnix } from "../net/unix.ts";
import { socketPathArg } from "./unix_connect.ts";
import { parseSendFlags, type SendFlags, sendOptionSpecs, sendOver } from "./tcp_send.ts";

/** Parsed `unix-send` options. */
export interface UnixSendOptions extends SendFlags {
  path: string;
}

const name = "unix-send";

const command: CommandModule<UnixSendOptions> = {
  spec: {
    usage: "PATH [DATA]",
    description:
      "Connects to a Unix stream socket, sends DATA (UTF-8 as given, no newline added), --file FILE or stdin, then shuts down the sending side. With --wait-reply the reply is written to stdout until the peer closes.",
    options: sendOptionSpecs,
    examples: [
      "toolkit unix-send /tmp/toolkit.sock hello",
      "toolkit unix-send --wait-reply /tmp/echo.sock '我是客户端'",
    ],
    positionals: { min: 1, max: 2 },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const path = socketPathArg(positionals[0], name);
    return { path, ...parseSendFlags(values, positionals[1], globals, name) };
  },
  async run(o, io) {
    const conn = await connectUnix(o.path);
    return await sendOver(conn, o.path, o, io);
  },
};
export default command;
