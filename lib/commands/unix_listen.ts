// `toolkit unix-listen PATH`: nc -lU. tcp-listen's serving (_stream_server.ts) on an AF_UNIX
// stream socket, or with --datagram udp-listen's printing (_datagrams.ts) on a SOCK_DGRAM one
// (nc -lUu), with the socket file handled safely: a stale one is replaced, a live one or a regular
// file is refused, and the file is removed on exit and on Ctrl-C.
import { type OptionSpec, type OptionValues, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeStatus } from "../cli/output.ts";
import { retryServing } from "../net/accept.ts";
import { NetError, netErrorFrom } from "../net/errors.ts";
import { FileArgumentError } from "../scope/files.ts";
import {
  absoluteSocketPath,
  listenUnix,
  listenUnixDatagram,
  sendUnixDatagram,
} from "../net/unix.ts";
import { printable } from "../text/printable.ts";
import { parseCountOption, parseReplyOption, printDatagram } from "./_datagrams.ts";
import { endRepeatedStatus, repeatedStatus, reportServeFailure } from "./_listener_status.ts";
import { ncListenSpec } from "./_nc_options.ts";
import { socketPathArg } from "./_socket_path_arg.ts";
import {
  type ListenFlags,
  listenOptionSpecs,
  parseListenFlags,
  serveWithIo,
} from "./_stream_server.ts";

/** What `--datagram` mode does with each datagram. */
export interface DatagramFlags {
  hex: boolean;
  /** Bytes sent back to every sender that has an address, if any. */
  reply?: Uint8Array;
  /** Stop after this many datagrams; `Infinity` to run until interrupted. */
  count: number;
}

/** Parsed `unix-listen` options. */
export interface UnixListenOptions extends ListenFlags {
  path: string;
  /** Set for a SOCK_DGRAM socket (`--datagram`). */
  datagram?: DatagramFlags;
}

const name = "unix-listen";

const datagramOptionSpecs: readonly OptionSpec[] = [
  {
    name: "datagram",
    short: "u",
    type: "boolean",
    description: "a datagram socket (SOCK_DGRAM): print each datagram, like udp-listen",
  },
  {
    name: "hex",
    type: "boolean",
    description: "with --datagram: print each datagram as a line of hex (and read --reply as hex)",
  },
  {
    name: "reply",
    short: "r",
    type: "string",
    value: "TEXT",
    description: "with --datagram: answer every datagram with TEXT",
  },
  {
    name: "count",
    short: "c",
    type: "string",
    value: "N",
    description: "with --datagram: exit after N datagrams",
  },
];

const streamOnly = ["keep-open", "once", "crlf", "no-half-close", "timeout"];

function parseDatagramFlags(values: OptionValues): DatagramFlags | undefined {
  if (values.datagram !== true) {
    for (const o of ["hex", "reply", "count"]) {
      if (values[o] !== undefined) throw new UsageError(`--${o} needs --datagram`, name);
    }
    return undefined;
  }
  for (const o of streamOnly) {
    if (values[o] !== undefined) {
      throw new UsageError(`--${o} is for stream sockets, not --datagram`, name);
    }
  }
  if (values.echo === true && values.reply !== undefined) {
    throw new UsageError("--echo and --reply cannot be used together", name);
  }
  const hex = values.hex === true;
  return {
    hex,
    reply: parseReplyOption(values, hex),
    count: parseCountOption(values, name),
  };
}

const command: CommandModule<UnixListenOptions> = {
  spec: {
    usage: "PATH",
    description:
      "Like nc -lU: accepts a connection on a Unix stream socket and copies stdin to it and its data to stdout, byte for byte, with the same options as tcp-listen. With --datagram it binds a datagram socket and prints each datagram as udp-listen does (raw, --hex, or NDJSON with --json). A socket file nobody listens on is replaced; a live socket (address in use, exit 3) or a file that is not a socket is never touched. The socket file is removed on exit, including Ctrl-C and SIGTERM.",
    options: [...listenOptionSpecs, ...datagramOptionSpecs, ncListenSpec],
    examples: [
      "toolkit unix-listen /tmp/toolkit.sock > received.bin",
      "toolkit unix-listen --keep-open --echo /tmp/echo.sock",
      "toolkit unix-listen --datagram --count 1 /tmp/dgram.sock",
    ],
    positionals: { min: 1, max: 1, complete: "file" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const path = socketPathArg(positionals[0], name);
    const datagram = parseDatagramFlags(values);
    return { path, datagram, ...parseListenFlags(values, globals, name) };
  },
  async run(o, io) {
    if (o.datagram) return await serveDatagrams(o, o.datagram, io);
    // Closed and removed inside the abort itself, before a second signal can end the process.
    const unix = await listenUnix(absoluteSocketPath(o.path), { signal: io.signal });
    try {
      return await serveWithIo(unix.listener, unix.path, o, io);
    } finally {
      unix.close();
    }
  },
};
export default command;

async function serveDatagrams(o: UnixListenOptions, d: DatagramFlags, io: Io): Promise<number> {
  const bound = await listenUnixDatagram(o.path, { signal: io.signal });
  try {
    await writeStatus(
      io,
      { event: "listening", address: bound.path },
      `listening on ${bound.path}`,
    );
    for (let seen = 0; seen < d.count && !io.signal.aborted; seen++) {
      const got = await retryServing(() => bound.sock.receive(), {
        signal: io.signal,
        onFailure: (f) => reportServeFailure(io, o, bound.path, f, "receive"),
      }).catch((err) => {
        throw netErrorFrom(err, bound.path);
      });
      if (got === null) break;
      const [data, addr] = got;
      const from = (addr as Deno.UnixAddr).path || null;
      try {
        await printDatagram({ hex: d.hex, json: o.json, verbose: o.verbose }, io, data, from);
      } catch (err) {
        if (err instanceof Deno.errors.BrokenPipe) return ExitCode.ok;
        throw err;
      }
      const answer = o.echo ? data : d.reply;
      if (answer && from) {
        // Like UDP: a sender that is already gone (its socket file removed) just misses the answer.
        await sendUnixDatagram(bound.sock, from, answer).catch(async (err) => {
          if (o.verbose) {
            await repeatedStatus(io, o).report(
              "reply-error",
              { event: "reply-error", remote: from, error: (err as Error).message },
              `toolkit: warning: no reply sent to ${printable(from)}`,
            );
          }
          // The sender's socket file is gone (FileArgumentError: no such file) or refuses.
          if (!(err instanceof FileArgumentError) && !(err instanceof NetError)) throw err;
        });
      }
    }
    return ExitCode.ok;
  } finally {
    bound.close();
    await endRepeatedStatus(io);
  }
}
