// `toolkit udp-send HOST:PORT [DATA]`: the course's UDP client (`sendto` then `recvfrom`) as a
// command: send one or more datagrams, optionally wait for the reply, print nothing on success
// unless asked.
import { targetWords } from "../cli/target_arg.ts";
import { durationOption, intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, fromUserInput, InputError, UsageError, userInputError } from "../cli/errors.ts";
import { abortableSleep, readAll } from "../cli/io.ts";
import { writeJson, writeStatus } from "../cli/output.ts";
import { formatHostPort, type HostPort, zonedHost } from "../net/address.ts";
import { localBroadcastKind } from "../net/broadcast.ts";
import { NetError } from "../net/errors.ts";
import { isMulticastGroup, openMulticastSender } from "../net/multicast.ts";
import { parseHex, parsePayload, toHex, utf8OrUndefined } from "../net/payload.ts";
import { maxDatagram, openUdpClient, receiveDatagram, sendDatagram } from "../net/udp.ts";
import { ncUdpSpec } from "./_nc_options.ts";

/** Parsed `udp-send` options. */
export interface UdpSendOptions {
  target: HostPort;
  /** The payload from the argument; `undefined` means read stdin. */
  data?: Uint8Array;
  hex: boolean;
  count: number;
  intervalMs: number;
  waitReply: boolean;
  timeoutMs: number;
  verbose: boolean;
  json: boolean;
  /** Sending to a broadcast address was asked for (`--broadcast`). */
  broadcast: boolean;
  /** IPv4 multicast TTL (`--ttl`), for group targets only. */
  ttl?: number;
  /** Loop multicast back to this host's members (`--loop`). */
  loop: boolean;
}

const name = "udp-send";

const command: CommandModule<UdpSendOptions> = {
  spec: {
    usage: "HOST:PORT [DATA] | HOST PORT [DATA]",
    description:
      "The target is one word, HOST:PORT ([ADDR]:PORT for IPv6), or two as nc takes them, HOST PORT. The first word decides: when it carries a port, the next word is DATA (`udp-send 127.0.0.1:9000 9001` sends the text 9001); when it is a host alone, the next word must be the port. DATA is one argument: quote text with spaces.\n\nDATA is sent as given (UTF-8, no newline added); without DATA the payload is read from stdin, and an empty stdin sends nothing, as with nc -u (an empty DATA argument, '', sends one empty datagram). Like `nc -u`, nothing is printed on success unless --verbose or --json is given; with --wait-reply the reply is written to stdout.\n\nA broadcast address (255.255.255.255, or the subnet broadcast of a local interface such as 198.18.1.255 on 198.18.1.0/24) is refused unless --broadcast is given, since it reaches every host on the segment. A multicast group (224.0.0.0/4, ff00::/8) reaches the hosts that joined it (`udp-listen --multicast`); --ttl sets how many routers it may cross (default 1: this link only).",
    options: [
      {
        name: "hex",
        type: "boolean",
        description: "DATA (or stdin) is hex; replies are printed as hex",
      },
      ncUdpSpec,
      {
        name: "count",
        short: "c",
        type: "string",
        value: "N",
        default: "1",
        description: "send N datagrams",
      },
      {
        name: "interval",
        short: "i",
        type: "string",
        value: "DURATION",
        default: "0",
        description: "pause between datagrams (2, 1.5s, 250ms; 0: none)",
      },
      {
        name: "wait-reply",
        short: "w",
        type: "boolean",
        description: "wait for one reply and print it",
      },
      {
        name: "timeout",
        short: "t",
        type: "string",
        value: "DURATION",
        default: "2s",
        description: "how long --wait-reply waits (exit 3 when nothing comes)",
      },
      {
        name: "verbose",
        short: "v",
        type: "boolean",
        description: "report what was sent on stderr",
      },
      {
        name: "broadcast",
        short: "b",
        type: "boolean",
        description: "allow sending to a broadcast address (every host on the segment)",
      },
      {
        name: "ttl",
        type: "string",
        value: "N",
        description: "IPv4 multicast TTL, 0-255 (kernel default 1)",
      },
      {
        name: "hops",
        type: "string",
        value: "N",
        description: "IPv6 multicast hop limit; only 1, the kernel default (Deno cannot set it)",
      },
      {
        name: "loop",
        type: "boolean",
        description: "multicast also reaches group members on this host",
      },
    ],
    examples: [
      "toolkit udp-send 127.0.0.1:9000 hi",
      "toolkit udp-send --wait-reply 127.0.0.1:9000 'hello server'",
      "printf 'de ad be ef' | toolkit udp-send --hex [::1]:9000",
      "toolkit udp-send --broadcast 198.18.1.255:9000 hello-segment",
      "toolkit udp-send 127.0.0.1 9000 hi    # nc's HOST PORT",
    ],
    // No upper bound here: words past DATA are refused by targetWords, which says to quote DATA.
    positionals: { min: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const { target, rest } = targetWords(positionals, name, {
      maxRest: 1,
      restName: "DATA",
      protocol: "udp",
    });
    const hex = values.hex === true;
    let data: Uint8Array | undefined;
    if (rest[0] !== undefined) {
      data = fromUserInput(() => parsePayload(rest[0], hex));
      if (data.length > maxDatagram) {
        throw new UsageError(
          `payload of ${data.length} bytes is larger than a UDP datagram (${maxDatagram})`,
          name,
        );
      }
    }
    const multicast = isMulticastGroup(target.host);
    if (values.broadcast === true && target.family === "ipv6") {
      throw new UsageError(
        "IPv6 has no broadcast: send to a multicast group such as ff02::1 instead",
        name,
      );
    }
    for (const flag of ["ttl", "hops", "loop"]) {
      if (values[flag] !== undefined && !multicast) {
        throw new UsageError(
          `--${flag} is for multicast groups (got ${formatHostPort(target.host, target.port)})`,
          name,
        );
      }
    }
    if (values.ttl !== undefined && target.family === "ipv6") {
      throw new UsageError("--ttl is for IPv4 groups; IPv6 groups take --hops", name);
    }
    if (values.hops !== undefined) {
      if (target.family !== "ipv6") {
        throw new UsageError("--hops is for IPv6 groups; IPv4 groups take --ttl", name);
      }
      const hops = intOption(values, "hops", { min: 0, max: 255, fallback: 1, command: name });
      if (hops !== 1) {
        throw new UsageError(
          `--hops ${hops} is not available: IPv6 multicast leaves with the kernel default hop limit 1 (this link only); drop --hops, or send to an IPv4 group with --ttl to cross routers`,
          name,
        );
      }
    }
    return {
      target,
      data,
      hex,
      count: intOption(values, "count", { min: 1, max: 10_000_000, fallback: 1, command: name }),
      intervalMs: durationOption(values, "interval", {
        fallback: 0,
        command: name,
        max: 3_600_000,
      }),
      waitReply: values["wait-reply"] === true,
      timeoutMs: durationOption(values, "timeout", {
        fallback: 2000,
        min: 1,
        command: name,
        max: 3_600_000,
      }),
      verbose: values.verbose === true,
      json: globals.json,
      broadcast: values.broadcast === true,
      ttl: values.ttl === undefined
        ? undefined
        : intOption(values, "ttl", { min: 0, max: 255, fallback: 1, command: name }),
      loop: values.loop === true,
    };
  },
  async run(o, io) {
    let data = o.data;
    // Like nc -u, an empty stdin sends nothing; an empty DATA argument ('') is one empty datagram.
    let count = o.count;
    if (data === undefined) {
      const raw = await readAll(io.stdin.readable, {
        limit: o.hex ? maxDatagram * 3 + 64 : maxDatagram,
      }).catch((err) => {
        throw userInputError(err);
      });
      data = o.hex ? fromUserInput(() => parseHex(new TextDecoder().decode(raw))) : raw;
      if (data.length > maxDatagram) {
        throw new InputError(
          `payload of ${data.length} bytes on stdin is larger than a UDP datagram (${maxDatagram})`,
        );
      }
      if (raw.length === 0) count = 0;
    }
    const to = formatHostPort(o.target.host, o.target.port);
    if (!o.broadcast) {
      const b = localBroadcastKind(o.target.host);
      if (b) {
        const what = b.kind === "limited"
          ? "the limited broadcast address"
          : `the broadcast address of ${b.network} (${b.iface})`;
        throw new UsageError(
          `${o.target.host} is ${what}: add --broadcast to send to every host on the segment`,
          name,
        );
      }
    }
    const sock = isMulticastGroup(o.target.host)
      ? await openMulticastSender(o.target, { ttl: o.ttl, loop: o.loop })
      : openUdpClient(o.target);
    try {
      let sent = 0;
      for (let i = 0; i < count && !io.signal.aborted; i++) {
        if (i > 0 && o.intervalMs > 0) await abortableSleep(o.intervalMs, io.signal);
        if (io.signal.aborted) break;
        await sendDatagram(sock, o.target, data);
        sent++;
      }
      if (o.verbose) {
        // Under --json the line is an event on stderr, as every status line is.
        await writeStatus(
          io,
          { event: "sent", remote: to, datagramCount: sent, size: data.length },
          `sent ${sent} datagram${sent === 1 ? "" : "s"} of ${data.length} bytes to ${to}`,
        );
      }
      let reply;
      if (o.waitReply && !io.signal.aborted) {
        reply = await receiveDatagram(sock, {
          timeoutMs: o.timeoutMs,
          signal: io.signal,
          accept: (from) => from.port === o.target.port,
        });
        if (!reply && !io.signal.aborted) {
          if (o.json) {
            await writeJson(io, {
              remote: to,
              datagramCount: sent,
              size: data.length,
              reply: null,
            });
          }
          throw new NetError("timed out", `no reply from ${to} within ${o.timeoutMs / 1000}s`);
        }
      }
      if (o.json) {
        await writeJson(io, {
          remote: to,
          datagramCount: sent,
          size: data.length,
          ...(o.waitReply
            ? {
              reply: reply
                ? {
                  // A link-local answer came over the link the target's zone names.
                  remote: formatHostPort(
                    zonedHost(reply.from.hostname, o.target.host.split("%")[1] ?? ""),
                    reply.from.port,
                  ),
                  size: reply.data.length,
                  text: utf8OrUndefined(reply.data) ?? null,
                  hex: toHex(reply.data),
                }
                : null,
            }
            : {}),
        });
      } else if (reply) {
        await io.stdout.write(o.hex ? toHex(reply.data) + "\n" : reply.data);
      }
      return ExitCode.ok;
    } finally {
      sock.close();
    }
  },
};
export default command;
