// `toolkit tcp-connect HOST:PORT`: nc HOST PORT. stdin to the socket, the socket to stdout; on
// stdin EOF the sending side is shut down (the course's half-close) and the peer's reply is still
// read until it closes. The options and the session are shared with unix-connect
// (_stream_client.ts).
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { targetWords } from "../cli/target_arg.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { connectTcp } from "../net/tcp.ts";
import { connectOptionSpecs, runSession } from "./_stream_client.ts";
import { parseStreamFlags, type StreamFlags } from "./_stream_flags.ts";

/** Parsed `tcp-connect` options. */
export interface TcpConnectOptions extends StreamFlags {
  target: HostPort;
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
    return { target, ...parseStreamFlags(values, globals, name) };
  },
  async run(o, io) {
    const conn = await connectTcp(o.target, { timeoutMs: o.timeoutMs, signal: io.signal });
    return await runSession(conn, formatHostPort(o.target.host, o.target.port), o, io);
  },
};
export default command;
