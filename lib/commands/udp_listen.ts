// `toolkit udp-listen [HOST:]PORT`: the course's UDP server (`bind`, `recvfrom`, `sendto`) as a
// command: print each datagram as it arrives (raw, hex or NDJSON), optionally answer it, and stop
// after --count datagrams or on Ctrl-C.
import { listenWords } from "../cli/target_arg.ts";
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, fromUserInput, scopeErrorFrom, UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeStatus } from "../cli/output.ts";
import { formatHostPort, type HostPort, zonedHost } from "../net/address.ts";
import { localInterfaces } from "../net/broadcast.ts";
import { Addr } from "../ip/addr.ts";
import { retryServing } from "../net/accept.ts";
import { NetError, netErrorFrom } from "../net/errors.ts";
import {
  groupInterface,
  type GroupMembership,
  isLinkScopeGroup,
  joinGroup,
  type MulticastInterface,
  parseMulticastGroup,
} from "../net/multicast.ts";
import { openUdpListener, sendDatagram } from "../net/udp.ts";
import { printable } from "../text/printable.ts";
import { parseCountOption, parseReplyOption, printDatagram } from "./_datagrams.ts";
import { endRepeatedStatus, repeatedStatus, reportServeFailure } from "./_listener_status.ts";
import { listenFormsText, listenPortSpec, ncListenSpec, ncUdpSpec } from "./_nc_options.ts";

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
          "join an IPv4 or IPv6 multicast group (a zone, ff02::1%eth0, names the interface); the socket binds the group with only a PORT, else give the wildcard (0.0.0.0:PORT, [::]:PORT)",
      },
      {
        name: "iface",
        type: "string",
        value: "ADDR",
        complete: "iface",
        description:
          "the interface to join the group on: its address or name (IPv6: also an index) [default: chosen by the routes]",
      },
      listenPortSpec,
      ncListenSpec,
      ncUdpSpec,
    ],
    examples: [
      "toolkit udp-listen 9000",
      "toolkit udp-listen --echo 127.0.0.1:9000",
      "toolkit udp-listen --reply '我是服务端' --count 1 9000",
      "toolkit udp-listen --multicast 239.1.2.3 --iface 198.18.1.2 9000",
      "toolkit udp-listen 127.0.0.1 9000    # nc -u -l 127.0.0.1 9000",
      "toolkit udp-listen -p 9000    # nc -u -l -p 9000",
      "toolkit udp-listen -u -l -p 9000    # nc's letters: -u and -l change nothing here",
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
    const group = parseGroup(values.multicast);
    const multicast = group?.withZone("").toString();
    if (values.iface !== undefined && multicast === undefined) {
      throw new UsageError("--iface needs --multicast GROUP", name);
    }
    return {
      multicast,
      iface: groupIface(group, values.iface),
      bind: parseBind(positionals, values.port, multicast),
      hex,
      echo,
      reply: parseReplyOption(values, hex),
      count: parseCountOption(values, name),
      verbose: values.verbose === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    let group: Addr | undefined;
    let iface: MulticastInterface | undefined;
    let bind = o.bind;
    if (o.multicast !== undefined) {
      group = parseMulticastGroup(o.multicast);
      try {
        iface = groupInterface(group, o.iface, localInterfaces());
      } catch (err) {
        // --iface, or the group's scope, asks for an interface this host does not have.
        if (err instanceof RangeError) throw new UsageError(err.message, name);
        throw err;
      }
      bind = bindOnLink(bind, group, iface);
    }
    // Several listeners of one group on one host is the normal case for multicast.
    const sock = openUdpListener(bind, { reuseAddress: o.multicast !== undefined });
    const local = sock.addr as Deno.NetAddr;
    // Deno reports the bound address without its zone; the zone is what makes it mean one link.
    const address = formatHostPort(
      bind.host.includes("%") ? bind.host : local.hostname,
      local.port,
    );
    let membership: GroupMembership | undefined;
    if (group && iface) {
      try {
        membership = await joinGroup(sock, group, iface);
        await writeStatus(
          io,
          { event: "joined", group: o.multicast, iface: iface.label },
          `joined ${o.multicast} on ${printable(iface.label)}`,
        );
      } catch (err) {
        sock.close();
        throw err;
      }
    }
    await writeStatus(io, { event: "listening", address }, `listening on ${address}`);
    const onAbort = () => sock.close();
    io.signal.addEventListener("abort", onAbort, { once: true });
    // The link replies to a link-local sender go out on: the group's, or the bound address's zone.
    const zone = (iface?.family === 6 && iface.zone) || (bind.host.split("%")[1] ?? "");
    const answering = o.echo || o.reply !== undefined;
    try {
      for (let seen = 0; seen < o.count && !io.signal.aborted;) {
        const got = await retryServing(() => sock.receive(), {
          signal: io.signal,
          onFailure: (f) => reportServeFailure(io, o, address, f, "receive"),
        }).catch((err) => {
          throw netErrorFrom(err, address);
        });
        if (got === null) break;
        const [data, addr] = got;
        // Deno gives a link-local sender without its zone: it is the link this socket is on.
        const from = {
          ...addr,
          hostname: zonedHost((addr as Deno.NetAddr).hostname, zone),
        } as Deno.NetAddr;
        const loop = answering ? loopRisk(from.port, local.port) : undefined;
        if (loop) {
          if (o.verbose) await reportDropped(io, o, from, data.length, loop);
          continue;
        }
        seen++;
        try {
          await printDatagram(o, io, data, formatHostPort(from.hostname, from.port));
        } catch (err) {
          if (err instanceof Deno.errors.BrokenPipe) return ExitCode.ok; // `| head`: stop quietly, like nc
          throw err;
        }
        const answer = o.echo ? data : o.reply;
        if (answer) await reply(sock, from, answer, o, io);
      }
      return ExitCode.ok;
    } finally {
      await endRepeatedStatus(io);
      await membership?.leave();
      io.signal.removeEventListener("abort", onAbort);
      try {
        sock.close();
      } catch { /* already closed by the abort */ }
    }
  },
};
export default command;

/**
 * Source ports of services that answer every datagram (inetd's internal UDP services: echo,
 * daytime, chargen, time). A reply to one is answered again, and two answering services (or a
 * spoofed datagram from the listener's own address and port) answer each other forever.
 */
export const answeringPorts: ReadonlyMap<number, string> = new Map([
  [7, "echo"],
  [13, "daytime"],
  [19, "chargen"],
  [37, "time"],
]);

/**
 * Why answering a datagram from `port` could start a loop (FreeBSD inetd's check before its echo
 * answers), or `undefined` when it cannot: the listener's own port (its own address and port, or
 * another listener like it), or a service that answers every datagram.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loopRisk } from "./udp_listen.ts";
 *
 * assert.equal(loopRisk(19, 9000), "port 19 is chargen, which answers every datagram");
 * assert.equal(loopRisk(9000, 9000), "port 9000 is this listener's own");
 * assert.equal(loopRisk(40000, 9000), undefined);
 * ```
 */
export function loopRisk(port: number, ownPort: number): string | undefined {
  if (port === ownPort) return `port ${port} is this listener's own`;
  const service = answeringPorts.get(port);
  return service === undefined
    ? undefined
    : `port ${port} is ${service}, which answers every datagram`;
}

/** -v's report of a datagram the loop guard dropped: a line, or a `dropped` event. */
async function reportDropped(
  io: Io,
  o: UdpListenOptions,
  from: Deno.NetAddr,
  size: number,
  why: string,
): Promise<void> {
  const remote = formatHostPort(from.hostname, from.port);
  const reason = `${why}: a reply could start a loop`;
  await repeatedStatus(io, o).report(
    "dropped:loop",
    { event: "dropped", remote, size, reason },
    `dropped a datagram from ${remote} (${reason})`,
  );
}

/**
 * The bind address for a link-scope group: the group itself needs the interface as its zone
 * (`ff02::1234%eth0`), which also binds the socket to that interface. Other addresses unchanged.
 */
function bindOnLink(bind: HostPort, group: Addr, iface: MulticastInterface): HostPort {
  if (!isLinkScopeGroup(group) || iface.family !== 6) return bind;
  if (bind.family !== "ipv6" || bind.host.includes("%")) return bind;
  if (!Addr.parse(bind.host).equals(group)) return bind;
  return { ...bind, host: `${bind.host}%${iface.zone}` };
}

/**
 * Sends `answer` back to `from`. A reply that cannot be sent (the sender's network unreachable,
 * outside a narrowed scope) loses that reply only: a warning, and the listener carries on.
 */
async function reply(
  sock: Deno.DatagramConn,
  from: Deno.NetAddr,
  answer: Uint8Array,
  o: UdpListenOptions,
  io: Io,
): Promise<void> {
  // A link-local sender (a member of a link-scope group answers from fe80::) is reachable only
  // through the link it came in on: `from` carries that zone (see zonedHost).
  const host = from.hostname;
  const to: HostPort = { host, port: from.port, family: "name" };
  try {
    await sendDatagram(sock, to, answer);
  } catch (err) {
    const scope = scopeErrorFrom(err);
    const hasErrno = typeof (err as { code?: unknown })?.code === "string";
    if (!scope && !(err instanceof NetError) && !hasErrno) throw err;
    const why = scope?.message ?? (err as Error).message;
    const sender = formatHostPort(host, from.port);
    // One line per sender a flood can spoof: limited like the receive warnings.
    await repeatedStatus(io, o).report(
      "reply-error",
      { event: "reply-error", remote: sender, error: why },
      `toolkit: warning: no reply sent to ${sender}: ${why}`,
    );
  }
}

/**
 * Whether a socket bound to `host` receives datagrams sent to `group`: the group itself (with or
 * without a zone) or the wildcard. A unicast address (or a name) is the destination a datagram
 * must carry to reach such a socket, and a group's datagrams carry the group.
 */
function receivesGroup(host: string, group: string): boolean {
  let addr: Addr;
  try {
    addr = Addr.parse(host);
  } catch {
    return false;
  }
  const bare = addr.withZone("");
  return bare.equals(Addr.parse(group)) || bare.toString() === "0.0.0.0" ||
    bare.toString() === "::";
}

function parseBind(words: readonly string[], port: unknown, group?: string): HostPort {
  // A group member binds the group address, so only that group's datagrams arrive.
  const bind = listenWords(words, typeof port === "string" ? port : undefined, name, {
    defaultHost: group ?? "127.0.0.1",
    allowPortZero: true,
    protocol: "udp",
  });
  if (group === undefined) return bind;
  const shown = formatHostPort(bind.host, bind.port);
  if ((bind.family === "ipv6") !== group.includes(":")) {
    throw new UsageError(
      `--multicast ${group} and the bind address ${shown} are of different IP versions`,
      name,
    );
  }
  if (!receivesGroup(bind.host, group)) {
    throw new UsageError(
      `--multicast ${group}: a socket bound to ${shown} never receives the group's datagrams; ` +
        `bind the group (give only the PORT) or every address (${
          group.includes(":") ? "[::]" : "0.0.0.0"
        }:${bind.port})`,
      name,
    );
  }
  return bind;
}

function parseGroup(value: unknown): Addr | undefined {
  if (typeof value !== "string") return undefined;
  return fromUserInput(() => parseMulticastGroup(value), name);
}

/**
 * The interface to join on: a group's zone names it (`ff02::1%eth0`, as udp-send's
 * `[ff02::1%eth0]:9000` names the link to send on), or `--iface`; both must agree.
 */
function groupIface(group: Addr | undefined, iface: unknown): string | undefined {
  const given = typeof iface === "string" ? iface : undefined;
  if (!group?.zone) return given;
  if (given !== undefined && given !== group.zone) {
    throw new UsageError(
      `--multicast ${group} names interface ${group.zone} and --iface names ${given}: give one`,
      name,
    );
  }
  return group.zone;
}
