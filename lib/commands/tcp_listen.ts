// `toolkit tcp-listen [HOST:]PORT`: nc -l. Accept a connection and wire it to stdin/stdout, or
// serve connection after connection (--keep-open), or echo. The options and the serving are
// shared with unix-listen (_stream_server.ts); the accepting lives in lib/net/serve.ts.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { listenWords } from "../cli/target_arg.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { listenTcp } from "../net/tcp.ts";
import { listenFormsText, listenPortSpec, ncListenSpec } from "./_nc_options.ts";
import {
  type ListenFlags,
  listenOptionSpecs,
  parseListenFlags,
  serveWithIo,
} from "./_stream_server.ts";

/** Parsed `tcp-listen` options. */
export interface TcpListenOptions extends ListenFlags {
  bind: HostPort;
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
