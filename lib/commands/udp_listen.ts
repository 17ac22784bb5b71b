// `toolkit udp-listen [HOST:]PORT`: the course's UDP server (`bind`, `recvfrom`, `sendto`) as a
// command: print each datagram as it arrives (raw, hex or NDJSON), optionally answer it, and stop
// after --count datagrams or on Ctrl-C.
import { listenWords } from "../cli/target_arg.ts";
import { listenFormsText, listenPortSpec } from "./tcp_listen.ts";
import { intOption, type OptionValues, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeNdjson } from "../cli/output.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { localInterfaces } from "../net/broadcast.ts";
import { netErrorFrom } from "../net/errors.ts";
import {
  type GroupMembership,
  joinGroup,
  multicastInterface,
  parseMulticastGroup,
} from "../net/multicast.ts";
import { parseHex, toHex, utf8OrUndefined } from "../net/payload.ts";
import { openUdpListener, sendDatagram } from "../net/udp.ts";

/** Parsed `udp-listen` options. */
export interface UdpListenOptions {
  bind: HostPort;
  hex: boolean;
  echo: boolean;
  /** Bytes sent back to every sender (`--reply`), if any. */
  reply?: Uint8Array;
  /** Stop after this many datagrams; `Infinity` to run until interrupted. */
  count: number;
  verbose: boolean;
  json: boolean;
  /** The multicast group to join (`--multicast`), canonical text. */
  multicast?: string;
  /** The interface to join it on (`--iface`): an address or name, IPv6 also an index. */
  iface?: string;
}

const name = "udp-listen";

const command: CommandModule<UdpListenOptions> = {
  spec: {
    usage: "[HOST:]PORT | HOST PORT | -p PORT [HOST]",
    description:
      "Binds 127.0.0.1 unless a host is given (0.0.0.0 or [::] for every interface) and prints the bound address on stderr (`listening on 127.0.0.1:PORT`; port 0 picks a free port). Each datagram is written to stdout as received, with nothing added; --hex prints one hex line per datagram and --json one NDJSON object with the sender and size.\n\n" +
      listenFormsText,
    options: [
      {
        name: "hex",
        type: "boolean",
        description: "print each datagram as a line of hex (and read --reply as hex)",
      },
      { name: "echo", short: "e", type: "boolean", description: "send every datagram back" },
      {
        name: "reply",
        short: "r",
        type: "string",
        value: "TEXT",
        description: "answer every datagram with TEXT (no newline added)",
      },
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        description: "exit after N datagrams",
      },
      {
        name: "verbose",
        short: "v",
        type: "boolean",
        description: "report each sender and size on stderr",
      },
      {
        name: "multicast",
        short: "m",
        type: "string",
        value: "GROUP",
        description:
          "join an IPv4 or IPv6 multicast group; with only a PORT the socket binds the group address",
      },
      {
        name: "iface",
        type: "string",
        value: "ADDR",
        description:
          "the interface to join the group on: its address or name (IPv6: also an index) [default: chosen by the routes]",
      },
      listenPortSpec,
    ],
    examples: [
      "toolkit udp-listen 9000",
      "toolkit udp-listen --echo 127.0.0.1:9000",
      "toolkit udp-listen --reply '我是服务端' --count 1 9000",
      "toolkit udp-listen --multicast 239.1.2.3 --iface 198.18.1.2 9000",
      "toolkit udp-listen 127.0.0.1 9000    # nc -u -l 127.0.0.1 9000",
      "toolkit udp-listen -p 9000    # nc -u -l -p 9000",
    ],
    positionals: { max: 2, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const hex = values.hex === true;
    const echo = values.echo === true;
    if (echo && values.reply !== undefined) {
      throw new UsageError("--echo and --reply cannot be used together", name);
    }
    const multicast = parseGroup(values.multicast);
    if (values.iface !== undefined && multicast === undefined) {
      throw new UsageError("--iface needs --multicast GROUP", name);
    }
    return {
      multicast,
      iface: typeof values.iface === "string" ? values.iface : undefined,
      bind: parseBind(positionals, values.port, multicast),
      hex,
      echo,
      reply: parseReply(values, hex),
      count: values.count === undefined
        ? Infinity
        : intOption(values, "count", { min: 1, max: 1_000_000_000, fallback: 1, command: name }),
      verbose: values.verbose === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    // Several listeners of one group on one host is the normal case for multicast.
    const sock = openUdpListener(o.bind, { reuseAddress: o.multicast !== undefined });
    const local = sock.addr as Deno.NetAddr;
    let membership: GroupMembership | undefined;
    if (o.multicast !== undefined) {
      const group = parseMulticastGroup(o.multicast);
      try {
        const iface = multicastInterface(group.family, o.iface, localInterfaces());
        membership = await joinGroup(sock, group, iface);
        await io.stderr.write(`joined ${o.multicast} on ${iface.label}\n`);
      } catch (err) {
        sock.close();
        throw err;
      }
    }
    await io.stderr.write(`listening on ${formatHostPort(local.hostname, local.port)}\n`);
    const onAbort = () => sock.close();
    io.signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (let seen = 0; seen < o.count && !io.signal.aborted;) {
        let data: Uint8Array, addr: Deno.Addr;
        try {
          [data, addr] = await sock.receive();
        } catch (err) {
          if (io.signal.aborted) break;
          throw netErrorFrom(err, formatHostPort(local.hostname, local.port));
        }
        seen++;
        const from = addr as Deno.NetAddr;
        try {
          await printDatagram(o, io, data, from);
        } catch (err) {
          if (err instanceof Deno.errors.BrokenPipe) return 0; // `| head`: stop quietly, like nc
          throw err;
        }
        const answer = o.echo ? data : o.reply;
        if (answer) {
          const to: HostPort = { host: from.hostname, port: from.port, family: "name" };
          await sendDatagram(sock, to, answer);
        }
      }
      return 0;
    } finally {
      await membership?.leave();
      io.signal.removeEventListener("abort", onAbort);
      try {
        sock.close();
      } catch { /* already closed by the abort */ }
    }
  },
};
export default command;

function parseBind(words: readonly string[], port: unknown, group?: string): HostPort {
  // A group member binds the group address, so only that group's datagrams arrive.
  const bind = listenWords(words, typeof port === "string" ? port : undefined, name, {
    defaultHost: group ?? "127.0.0.1",
    allowPortZero: true,
  });
  if (group !== undefined && (bind.family === "ipv6") !== group.includes(":")) {
    throw new UsageError(
      `--multicast ${group} and the bind address ${
        formatHostPort(bind.host, bind.port)
      } are of different IP versions`,
      name,
    );
  }
  return bind;
}

function parseGroup(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return parseMulticastGroup(value).toString();
  } catch (err) {
    throw new UsageError((err as Error).message, name);
  }
}

function parseReply(values: OptionValues, hex: boolean): Uint8Array | undefined {
  const text = values.reply;
  if (typeof text !== "string") return undefined;
  return hex ? parseHex(text) : new TextEncoder().encode(text);
}

/**
 * Writes one received datagram to stdout: raw, a line of hex, or an NDJSON object with its
 * sender; with `verbose` also a line on stderr. udp-connect prints its peer's datagrams alike.
 *
 * @example
 * ```ts
 * await printDatagram({ hex: false, json: true, verbose: false }, io, data, from);
 * ```
 */
export async function printDatagram(
  o: { hex: boolean; json: boolean; verbose: boolean },
  io: Io,
  data: Uint8Array,
  from: Deno.NetAddr,
): Promise<void> {
  const sender = formatHostPort(from.hostname, from.port);
  if (o.verbose) await io.stderr.write(`datagram from ${sender}, ${data.length} bytes\n`);
  if (o.json) {
    await writeNdjson(io, {
      from: sender,
      size: data.length,
      text: utf8OrUndefined(data) ?? null,
      hex: toHex(data),
    });
  } else if (o.hex) {
    await io.stdout.write(toHex(data) + "\n");
  } else {
    await io.stdout.write(data);
  }
}
