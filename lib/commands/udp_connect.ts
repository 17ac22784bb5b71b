// `toolkit udp-connect HOST:PORT`: two-way UDP like `nc -u HOST PORT`. Each stdin line goes out as
// one datagram (its LF kept, as nc sends what it reads), datagrams from that peer are written to
// stdout, until stdin ends and --linger passes, or Ctrl-C.
import { durationOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError } from "../cli/errors.ts";
import { writeStatus } from "../cli/output.ts";
import { targetWords } from "../cli/target_arg.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { localBroadcastKind } from "../net/broadcast.ts";
import { inputSource, watchIdle } from "../net/copy.ts";
import { NetError, netErrorFrom } from "../net/errors.ts";
import { LineTooLongError, readLines } from "../net/lines.ts";
import { isMulticastGroup } from "../net/multicast.ts";
import { parseHex } from "../net/payload.ts";
import { maxDatagram, openUdpClient, peerFilter, sendDatagram } from "../net/udp.ts";
import { printDatagram } from "./_datagrams.ts";
import { ncUdpSpec } from "./_nc_options.ts";

/** Parsed `udp-connect` options. */
export interface UdpConnectOptions {
  target: HostPort;
  hex: boolean;
  /** Exit 3 when nothing was sent or received for this long. */
  timeoutMs?: number;
  /** After stdin ends, how long replies are still printed. */
  lingerMs: number;
  verbose: boolean;
  json: boolean;
}

/** What a session sent, received and dropped: the counts of the `close` event. */
interface Counts {
  /** Bytes sent and received, as every connection's `close` counts them. */
  sent: number;
  received: number;
  datagramsSent: number;
  datagramsReceived: number;
  /** Datagrams from other senders, dropped as a connected socket drops them. */
  dropped: number;
}

const name = "udp-connect";

const command: CommandModule<UdpConnectOptions> = {
  spec: {
    usage: "HOST:PORT | HOST PORT",
    description:
      "Two-way UDP like nc -u HOST PORT. Each line read from stdin is sent as one datagram, its newline kept (nc sends what it reads, so lines typed at nc keep theirs too); a last line without a newline is sent as it is. Datagrams from that peer are written to stdout as they come, nothing added. Datagrams from any other address or port are dropped, as a connected UDP socket drops them (--verbose names them); for a host name, the first datagram from the target's port fixes which address the peer is. When stdin ends, replies are still printed for --linger (default 1s, like nc -u -q 1), then the command exits 0; Ctrl-C exits 130.\n\nDeno cannot connect(2) a UDP socket, so an ICMP port unreachable (nc's 'connection refused') is never reported here: a closed port looks like a silent one. --timeout turns silence into exit 3. With --hex each stdin line is hex (blank lines skipped) and each datagram is printed as a line of hex; with --json each datagram is an NDJSON `datagram` object on stdout ({remote, size, text, hex}, as udp-listen writes them) and the open, close (and with --verbose dropped) events are NDJSON on stderr.",
    options: [
      ncUdpSpec,
      {
        name: "hex",
        type: "boolean",
        description: "stdin lines are hex, one datagram each; datagrams are printed as hex",
      },
      {
        name: "timeout",
        short: "w",
        type: "string",
        value: "DURATION",
        description: "exit 3 when nothing was sent or received for this long (like nc -w)",
      },
      {
        name: "linger",
        short: "q",
        type: "string",
        value: "DURATION",
        default: "1s",
        description:
          "after stdin ends, keep printing replies this long (like nc -q; 0 stops at once)",
      },
      {
        name: "verbose",
        short: "v",
        type: "boolean",
        description: "report the local address, dropped datagrams and counts on stderr",
      },
    ],
    examples: [
      "printf 'hello\\n' | toolkit udp-connect 127.0.0.1:9000",
      "toolkit udp-connect -w 5s [::1]:9000",
      "toolkit udp-connect 127.0.0.1 9000    # nc -u 127.0.0.1 9000",
      "echo 'de ad be ef' | toolkit udp-connect --hex --linger 2s 127.0.0.1:9000",
    ],
    positionals: { min: 1, max: 2, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const { target } = targetWords(positionals, name, { protocol: "udp" });
    if (isMulticastGroup(target.host)) {
      throw new UsageError(
        `${target.host} is a multicast group: replies come from its members, not from one peer; use udp-send and udp-listen --multicast`,
        name,
      );
    }
    return {
      target,
      hex: values.hex === true,
      timeoutMs: values.timeout === undefined ? undefined : durationOption(values, "timeout", {
        fallback: 0,
        min: 1,
        command: name,
        max: 86_400_000,
      }),
      lingerMs: durationOption(values, "linger", { fallback: 1000, command: name, max: 3_600_000 }),
      verbose: values.verbose === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    const b = localBroadcastKind(o.target.host);
    if (b) {
      throw new UsageError(
        `${o.target.host} is ${
          b.kind === "limited"
            ? "the limited broadcast address"
            : `the broadcast address of ${b.network}`
        }: replies come from many hosts, not one peer; use udp-send --broadcast`,
        name,
      );
    }
    const remote = formatHostPort(o.target.host, o.target.port);
    const sock = openUdpClient(o.target);
    const local = sock.addr as Deno.NetAddr;
    const counts: Counts = {
      sent: 0,
      received: 0,
      datagramsSent: 0,
      datagramsReceived: 0,
      dropped: 0,
    };
    if (o.verbose || o.json) {
      const address = formatHostPort(local.hostname, local.port);
      await writeStatus(
        io,
        { event: "open", remote, address },
        `sending to ${remote} from ${address}`,
        o.json,
      );
    }
    let closed = false;
    let failure: unknown;
    const finished = Promise.withResolvers<void>();
    const end = (err?: unknown) => {
      if (err !== undefined) failure ??= err;
      finished.resolve();
    };
    const idle = watchIdle(
      o.timeoutMs,
      () =>
        end(
          new NetError(
            "timed out",
            `${remote}: nothing sent or received for ${o.timeoutMs! / 1000}s`,
          ),
        ),
    );
    const onAbort = () => end();
    io.signal.addEventListener("abort", onAbort, { once: true });
    let linger: ReturnType<typeof setTimeout> | undefined;

    const isPeer = peerFilter(o.target);
    const receiving = (async () => {
      for (;;) {
        let data: Uint8Array, addr: Deno.Addr;
        try {
          [data, addr] = await sock.receive();
        } catch (err) {
          if (closed) return;
          throw netErrorFrom(err, remote);
        }
        const from = addr as Deno.NetAddr;
        if (!isPeer(from)) {
          counts.dropped++;
          if (o.verbose) {
            const sender = formatHostPort(from.hostname, from.port);
            await writeStatus(
              io,
              { event: "dropped", remote: sender, size: data.length },
              `dropped a datagram from ${sender} (not the peer)`,
              o.json,
            );
          }
          continue;
        }
        idle.touch();
        counts.datagramsReceived++;
        counts.received += data.length;
        await printDatagram(o, io, data, formatHostPort(from.hostname, from.port));
      }
    })();
    receiving.then(() => end(), end);

    const sending = (async () => {
      const decoder = new TextDecoder();
      // A hex line spells each byte with two digits and maybe a separator.
      const maxLine = o.hex ? maxDatagram * 3 + 2 : maxDatagram;
      let n = 0;
      try {
        for await (const line of readLines(inputSource(io.stdin), maxLine)) {
          n++;
          if (closed) return;
          let payload = line;
          if (o.hex) {
            const text = decoder.decode(line).trim();
            if (text === "") continue;
            try {
              payload = parseHex(text);
            } catch (err) {
              // The user's stdin: their input, exit 2.
              throw new InputError(
                (err as Error).message.replace(/^Cannot parse hex payload/, `$& on line ${n}`),
                { cause: err },
              );
            }
            if (payload.length > maxDatagram) throw new LineTooLongError(n, maxDatagram);
          }
          await sendDatagram(sock, o.target, payload);
          idle.touch();
          counts.datagramsSent++;
          counts.sent += payload.length;
        }
      } catch (err) {
        if (err instanceof LineTooLongError) {
          // What the user typed: their input, exit 2.
          throw new InputError(
            `line ${err.line} of stdin is larger than a UDP datagram (${maxDatagram} bytes)`,
          );
        }
        throw err;
      }
    })();
    sending.then(() => {
      if (o.lingerMs === 0) end();
      else linger = setTimeout(() => end(), o.lingerMs);
    }, end);

    try {
      await finished.promise;
    } finally {
      closed = true;
      clearTimeout(linger);
      idle.stop();
      io.signal.removeEventListener("abort", onAbort);
      try {
        sock.close();
      } catch { /* already closed */ }
      await receiving.catch(() => {});
    }
    if (failure !== undefined && !io.signal.aborted) throw failure;
    if ((o.verbose || o.json) && !io.signal.aborted) {
      const others = counts.dropped ? `, dropped ${counts.dropped} from other senders` : "";
      await writeStatus(
        io,
        { event: "close", remote, ...counts },
        `closed ${remote}: sent ${datagrams(counts.datagramsSent)} (${counts.sent} bytes), ` +
          `received ${datagrams(counts.datagramsReceived)} (${counts.received} bytes)${others}`,
        o.json,
      );
    }
    return ExitCode.ok;
  },
};
export default command;

function datagrams(n: number): string {
  return `${n} datagram${n === 1 ? "" : "s"}`;
}
