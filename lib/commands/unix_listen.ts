// `toolkit unix-listen PATH`: nc -lU. tcp-listen's serving on an AF_UNIX stream socket, with the
// socket file handled safely: a stale one is replaced, a live one or a regular file is refused,
// and the file is removed on exit and on Ctrl-C.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { absoluteSocketPath, listenUnix } from "../net/unix.ts";
import { socketPathArg } from "./unix_connect.ts";
import {
  type ListenFlags,
  listenOptionSpecs,
  parseListenFlags,
  serveWithIo,
} from "./tcp_listen.ts";

/** Parsed `unix-listen` options. */
export interface UnixListenOptions extends ListenFlags {
  path: string;
}

const name = "unix-listen";

const command: CommandModule<UnixListenOptions> = {
  spec: {
    usage: "PATH",
    description:
      "Like nc -lU: accepts a connection on a Unix stream socket and copies stdin to it and its data to stdout, byte for byte, with the same options as tcp-listen. A socket file nobody listens on is replaced; a live socket (address in use, exit 3) or a file that is not a socket is never touched. The socket file is removed on exit, including Ctrl-C and SIGTERM.",
    options: listenOptionSpecs,
    examples: [
      "toolkit unix-listen /tmp/toolkit.sock > received.bin",
      "toolkit unix-listen --keep-open --echo /tmp/echo.sock",
    ],
    positionals: { min: 1, max: 1 },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const path = socketPathArg(positionals[0], name);
    return { path, ...parseListenFlags(values, globals, name) };
  },
  async run(o, io) {
    const unix = await listenUnix(absoluteSocketPath(o.path));
    try {
      return await serveWithIo(unix.listener, unix.path, o, io);
    } finally {
      unix.close();
    }
  },
};
export default command;
