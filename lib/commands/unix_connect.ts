// `toolkit unix-connect PATH`: nc -U. tcp-connect's session (stdin to the socket, the socket to
// stdout, half-close on stdin EOF) over an AF_UNIX stream socket.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { connectUnix } from "../net/unix.ts";
import { socketPathArg } from "./_socket_path_arg.ts";
import { connectOptionSpecs, runSession } from "./_stream_client.ts";
import { parseStreamFlags, type StreamFlags } from "./_stream_flags.ts";

/** Parsed `unix-connect` options. */
export interface UnixConnectOptions extends StreamFlags {
  path: string;
}

const name = "unix-connect";

const command: CommandModule<UnixConnectOptions> = {
  spec: {
    usage: "PATH",
    description:
      "Like nc -U: copies stdin to a Unix stream socket and its data to stdout, byte for byte. When stdin ends the sending side is shut down (half-close) and the reply is still read until the peer closes.",
    options: connectOptionSpecs,
    examples: [
      "toolkit unix-connect /tmp/toolkit.sock < request.bin",
      "printf 'GET /info HTTP/1.0\\r\\n\\r\\n' | toolkit unix-connect /var/run/docker.sock",
      "toolkit unix-connect --timeout 30s /tmp/toolkit.sock  # give up after 30s of silence",
    ],
    positionals: { min: 1, max: 1, complete: "file" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const path = socketPathArg(positionals[0], name);
    return { path, ...parseStreamFlags(values, globals, name) };
  },
  async run(o, io) {
    const conn = await connectUnix(o.path);
    return await runSession(conn, o.path, o, io);
  },
};
export default command;
