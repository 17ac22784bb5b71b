// `toolkit udp-send HOST:PORT [DATA]`: the course's UDP client (`sendto` then `recvfrom`) as a
// command: send one or more datagrams, optionally wait for the reply, print nothing on success
// unless asked.
import { durationOption, intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { UsageError } from "../cli/errors.ts";
import { readAll } from "../cli/io.ts";
import { writeJson } from "../cli/output.ts";
import { formatHostPort, type HostPort, parseHostPort } from "../net/address.ts";
import { NetError } from "../net/errors.ts";
import { parseHex, toHex, utf8OrUndefined } from "../net/payload.ts";
import { openUdpClient, receiveDatagram, sendDatagram } from "../net/udp.ts";

/** Largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP). */
export const maxDatagram = 65507;

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
}

const name = "udp-send";

const command: CommandModule<UdpSendOptions> = {
  spec: {
    usage: "HOST:PORT [DATA]",
    description:
      "DATA is sent as given (UTF-8, no newline added); without DATA the payload is read from stdin. Like `nc -u`, nothing is printed on success unless --verbose or --json is given; with --wait-reply the reply is written to stdout.",
    options: [
      {
        name: "hex",
        type: "boolean",
        description: "DATA (or stdin) is hex; replies are printed as hex",
      },
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
        description: "pause between datagrams (2, 1.5s, 250ms)",
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
    ],
    examples: [
      "toolkit udp-send 127.0.0.1:9000 hi",
      "toolkit udp-send --wait-reply 127.0.0.1:9000 'hello server'",
      "printf 'de ad be ef' | toolkit udp-send --hex [::1]:9000",
      "toolkit udp-send --count 5 --interval 200ms 127.0.0.1:9000 ping",
    ],
    positionals: { min: 1, max: 2 },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    let target: HostPort;
    try {
      target = parseHostPort(positionals[0]);
    } catch (err) {
      throw new UsageError((err as Error).message, name);
    }
    const hex = values.hex === true;
    let data: Uint8Array | undefined;
    if (positionals[1] !== undefined) {
      data = hex ? parseHex(positionals[1]) : new TextEncoder().encode(positionals[1]);
      if (data.length > maxDatagram) {
        throw new RangeError(
          `Payload of ${data.length} bytes is larger than a UDP datagram (${maxDatagram})`,
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
        command: name,
        max: 3_600_000,
      }),
      verbose: values.verbose === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    let data = o.data;
    if (data === undefined) {
      const raw = await readAll(io.stdin.readable, {
        limit: o.hex ? maxDatagram * 3 + 64 : maxDatagram,
      });
      data = o.hex ? parseHex(new TextDecoder().decode(raw)) : raw;
      if (data.length > maxDatagram) {
        throw new RangeError(
          `Payload of ${data.length} bytes is larger than a UDP datagram (${maxDatagram})`,
        );
      }
    }
    const to = formatHostPort(o.target.host, o.target.port);
    const sock = openUdpClient(o.target);
    try {
      let sent = 0;
      for (let i = 0; i < o.count && !io.signal.aborted; i++) {
        if (i > 0 && o.intervalMs > 0) await abortableSleep(o.intervalMs, io.signal);
        if (io.signal.aborted) break;
        await sendDatagram(sock, o.target, data);
        sent++;
      }
      if (o.verbose) {
        await io.stderr.write(
          `sent ${sent} datagram${sent === 1 ? "" : "s"} of ${data.length} bytes to ${to}\n`,
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
          if (o.json) await writeJson(io, { to, sent, bytes: data.length, reply: null });
          throw new NetError("timed out", `no reply from ${to} within ${o.timeoutMs / 1000}s`);
        }
      }
      if (o.json) {
        await writeJson(io, {
          to,
          sent,
          bytes: data.length,
          ...(o.waitReply
            ? {
              reply: reply
                ? {
                  from: formatHostPort(reply.from.hostname, reply.from.port),
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
      return 0;
    } finally {
      sock.close();
    }
  },
};
export default command;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
