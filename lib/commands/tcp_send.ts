// `toolkit tcp-send HOST:PORT [DATA | --file F]`: the course's TCP client in one line: connect,
// send, shut down the sending side, and with --wait-reply print what comes back. The options and
// the send are shared with unix-send (_stream_send.ts).
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { targetWords } from "../cli/target_arg.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { connectTcp } from "../net/tcp.ts";
import { parseSendFlags, type SendFlags, sendOptionSpecs, sendOver } from "./_stream_send.ts";

/** Parsed `tcp-send` options. */
export interface TcpSendOptions extends SendFlags {
  target: HostPort;
}

const name = "tcp-send";

const command: CommandModule<TcpSendOptions> = {
  spec: {
    usage: "HOST:PORT [DATA] | HOST PORT [DATA]",
    description:
      "The target is HOST:PORT ([ADDR]:PORT for IPv6) or nc's two words HOST PORT; when the first word carries a port, the next is DATA. Connects, sends DATA (UTF-8 as given, no newline added), --file FILE or stdin, then shuts down the sending side so the peer reads EOF. Prints nothing on success unless asked; with --wait-reply the reply is written to stdout until the peer closes (or goes quiet for --timeout after replying).",
    options: sendOptionSpecs,
    examples: [
      "toolkit tcp-send 127.0.0.1:8080 '我是客户端' --wait-reply",
      "toolkit tcp-send --file backup.tar 127.0.0.1:9000",
      "toolkit --json tcp-send -w [::1]:9000 ping",
      "toolkit tcp-send -w 127.0.0.1 8080 hello    # nc's HOST PORT",
    ],
    // No upper bound here: words past DATA are refused by targetWords, which says to quote DATA.
    positionals: { min: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const { target, rest } = targetWords(positionals, name, { maxRest: 1, restName: "DATA" });
    return { target, ...parseSendFlags(values, rest[0], globals, name) };
  },
  async run(o, io) {
    const connect = () => connectTcp(o.target, { timeoutMs: o.timeoutMs, signal: io.signal });
    return await sendOver(connect, formatHostPort(o.target.host, o.target.port), o, io);
  },
};
export default command;
