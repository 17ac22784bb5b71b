// `toolkit sockets`: the kernel's socket tables as `ss` shows them, with ss's flags (-t -u -x -l -a
// -n -p -s) and state filters, read from /proc/net (or `ss` where Deno may not read /proc), so a
// drill can point at LISTEN, ESTABLISHED, FIN_WAIT2, TIME_WAIT and CLOSE_WAIT as a connection
// opens and closes.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { formatTable, writeJson, writeWarning } from "../cli/output.ts";
import { printable } from "../text/printable.ts";
import { parsePortWord } from "../net/services.ts";
import {
  processesUnreadable,
  readSockets,
  type SocketEntry,
  type SocketProcess,
} from "../net/proc_sockets.ts";
import {
  selectStates,
  type SsState,
  ssStateGroups,
  ssStateOf,
  ssStates,
} from "../net/socket_states.ts";

/** What completion offers for a state: ss's names and groups (kernel spellings parse too). */
const stateWords: readonly string[] = [...ssStates, ...Object.keys(ssStateGroups)];

/** Parsed `sockets` options. */
export interface SocketsOptions {
  tcp: boolean;
  udp: boolean;
  unix: boolean;
  /** `-4` / `-6`: the IP families of the TCP and UDP sockets shown (both when neither is given). */
  families: Set<"ipv4" | "ipv6">;
  /** `-H`: no header line. */
  header: boolean;
  /** The states shown, as `ss` names them. */
  states: Set<SsState>;
  port?: number;
  /** Show the processes holding each socket (`-p`). */
  processes: boolean;
  /** Print the `ss -s` style summary instead of the list. */
  summary: boolean;
  json: boolean;
}

/**
 * Socket counts by protocol, family and state, as `toolkit sockets -s` reports them (the keys
 * `--json` prints: a count by what it counts, `states` by the kernel's state names).
 */
export interface SocketSummary {
  total: number;
  tcp: {
    total: number;
    ipv4Count: number;
    ipv6Count: number;
    states: Record<string, number>;
    /** Sockets the kernel keeps as time-wait sockets (TIME_WAIT, orphaned FIN_WAIT2): ss's timewait. */
    timeWaitCount: number;
  };
  udp: { total: number; ipv4Count: number; ipv6Count: number };
  unix: { total: number; streamCount: number; dgramCount: number; seqpacketCount: number };
}

/**
 * Counts sockets the way `ss -s` groups them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSsOutput } from "../net/proc_sockets.ts";
 * import { summarizeSockets } from "./sockets.ts";
 *
 * const sockets = parseSsOutput(
 *   "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n" +
 *     "tcp ESTAB 0 0 127.0.0.1:22 127.0.0.1:5000\n" +
 *     "udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*",
 * );
 * assert.deepEqual(summarizeSockets(sockets), {
 *   total: 3,
 *   tcp: {
 *     total: 2,
 *     ipv4Count: 2,
 *     ipv6Count: 0,
 *     states: { LISTEN: 1, ESTABLISHED: 1 },
 *     timeWaitCount: 0,
 *   },
 *   udp: { total: 1, ipv4Count: 1, ipv6Count: 0 },
 *   unix: { total: 0, streamCount: 0, dgramCount: 0, seqpacketCount: 0 },
 * });
 * ```
 */
export function summarizeSockets(sockets: readonly SocketEntry[]): SocketSummary {
  const s: SocketSummary = {
    total: sockets.length,
    tcp: { total: 0, ipv4Count: 0, ipv6Count: 0, states: {}, timeWaitCount: 0 },
    udp: { total: 0, ipv4Count: 0, ipv6Count: 0 },
    unix: { total: 0, streamCount: 0, dgramCount: 0, seqpacketCount: 0 },
  };
  for (const e of sockets) {
    if (e.protocol === "unix") {
      s.unix.total++;
      const type = e.type?.toLowerCase();
      if (type === "stream" || type === "dgram" || type === "seqpacket") s.unix[`${type}Count`]++;
      continue;
    }
    const row = s[e.protocol];
    row.total++;
    if (e.family === "ipv4" || e.family === "ipv6") row[`${e.family}Count`]++;
    if (e.protocol === "tcp") {
      s.tcp.states[e.state] = (s.tcp.states[e.state] ?? 0) + 1;
      if (e.timeWait) s.tcp.timeWaitCount++;
    }
  }
  return s;
}

/** The summary as `ss -s` prints it, for what the tables show. */
function summaryText(sockets: readonly SocketEntry[]): string {
  const s = summarizeSockets(sockets);
  const st = s.tcp.states;
  // ss's numbers are the kernel's: timewait counts its time-wait sockets (an orphaned FIN_WAIT2
  // becomes one), estab is CurrEstab (ESTABLISHED and CLOSE_WAIT), and the transport row counts
  // the full sockets, time-wait ones left out.
  const tw = s.tcp.timeWaitCount;
  const estab = (st.ESTABLISHED ?? 0) + (st.CLOSE_WAIT ?? 0), listen = st.LISTEN ?? 0;
  const live = (family: "ipv4" | "ipv6") =>
    sockets.filter((e) => e.protocol === "tcp" && e.family === family && !e.timeWait).length;
  const tcp4 = live("ipv4"), tcp6 = live("ipv6");
  const row = (name: string, v4: number, v6: number) =>
    `${name.padEnd(10)}${String(v4 + v6).padEnd(10)}${String(v4).padEnd(10)}${v6}\n`;
  return `Total: ${s.total} (TCP ${s.tcp.total}, UDP ${s.udp.total}, Unix ${s.unix.total})\n` +
    `TCP:   ${s.tcp.total} (estab ${estab}, listen ${listen}, timewait ${tw}, other ${
      s.tcp.total - estab - listen - tw
    })\n\n` +
    `Transport Total     IP        IPv6\n` +
    row("UDP", s.udp.ipv4Count, s.udp.ipv6Count) +
    row("TCP", tcp4, tcp6) +
    row("INET", s.udp.ipv4Count + tcp4, s.udp.ipv6Count + tcp6);
}

/**
 * ss's process column: `users:(("nc",pid=1234,fd=3))`. A process names itself (prctl), so the name
 * is shown with control characters escaped.
 */
function usersText(processes: readonly SocketProcess[] | undefined): string {
  if (!processes?.length) return "";
  return `users:(${
    processes.map((p) => `("${printable(p.name)}",pid=${p.pid},fd=${p.fd})`).join(",")
  })`;
}

const name = "sockets";

const command: CommandModule<SocketsOptions> = {
  spec: {
    usage: "[-tuxlanps46H] [--port N] [--state STATE]... [state STATE]... [exclude STATE]...",
    description:
      "Lists sockets with ss's flags and meanings, from /proc/net/tcp, tcp6, udp, udp6 and unix (Linux; through `ss` where Deno may not read /proc). Without -t, -u or -x, TCP and UDP sockets are shown. As in ss, the default shows connected sockets only (no LISTEN, UNCONN, TIME_WAIT or SYN_RECV); -l shows listening and unconnected ones (a UDP server, an unbound Unix datagram socket), -a every state, and --state STATE (or ss's `state STATE` words) exactly the states named, replacing -l and -a; `exclude STATE` takes states away from all. STATE is one of ss's names (established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing), a kernel spelling (TIME_WAIT, FIN_WAIT2) or a group: all, connected, synchronized, bucket, big. An unknown state is exit 2.\n\nThe STATE column uses the kernel's names (ESTABLISHED, TIME_WAIT, UNCONN for UDP). Recv-Q of a TCP listener is the number of connections waiting for accept(). Addresses are always numeric, so -n is accepted and changes nothing. -4 and -6 keep the IPv4 or IPv6 TCP and UDP sockets; -H leaves out the header line. -p adds ss's process column (from /proc/PID/fd, or `ss -p`), where the read scope covers /proc; process names and Unix paths are shown with control characters escaped. -s prints a summary like ss -s over every TCP, UDP and Unix socket, counted as the kernel counts them for ss: timewait is the kernel's time-wait sockets (an orphaned FIN_WAIT2 is one), estab counts ESTABLISHED and CLOSE_WAIT, and the TCP transport row leaves out time-wait sockets.",
    options: [
      { name: "tcp", short: "t", type: "boolean", description: "TCP sockets" },
      { name: "udp", short: "u", type: "boolean", description: "UDP sockets" },
      { name: "unix", short: "x", type: "boolean", description: "Unix domain sockets" },
      { name: "ipv4", short: "4", type: "boolean", description: "IPv4 TCP and UDP sockets only" },
      { name: "ipv6", short: "6", type: "boolean", description: "IPv6 TCP and UDP sockets only" },
      {
        name: "listening",
        short: "l",
        type: "boolean",
        description: "only listening sockets (and unconnected UDP and Unix datagram ones)",
      },
      { name: "all", short: "a", type: "boolean", description: "sockets in every state" },
      {
        name: "numeric",
        short: "n",
        type: "boolean",
        description: "numeric addresses and ports (always so; accepted for ss habits)",
      },
      {
        name: "processes",
        short: "p",
        type: "boolean",
        description: "show the processes holding each socket (needs read access to /proc)",
      },
      {
        name: "summary",
        short: "s",
        type: "boolean",
        description: "print socket counts by protocol and state, like ss -s",
      },
      {
        name: "no-header",
        short: "H",
        type: "boolean",
        description: "leave out the header line, as ss -H",
      },
      {
        name: "port",
        type: "string",
        value: "PORT",
        description:
          "only sockets whose local or peer port is PORT (a number or a service name: ssh)",
      },
      {
        name: "state",
        type: "string",
        multiple: true,
        value: "STATE",
        suggest: stateWords,
        description:
          "only sockets in this state or group (established, time-wait, connected, ...); repeatable",
      },
    ],
    examples: [
      "toolkit sockets -tln",
      "toolkit sockets -ta --port 9000",
      "toolkit sockets --state TIME_WAIT --json",
      "toolkit sockets -t state established",
      "toolkit sockets -tulpn",
      "toolkit sockets -s",
      "toolkit sockets --unix -l",
      "toolkit sockets -4 -tlnH    # IPv4 listeners, no header",
    ],
    positionals: {
      complete: "none",
      keywords: { state: stateWords, exclude: stateWords },
    },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const include = [...((values.state as string[] | undefined) ?? [])];
    const exclude: string[] = [];
    for (let i = 0; i < positionals.length; i += 2) {
      const word = positionals[i];
      const list = word === "state" ? include : word === "exclude" || word === "excl" ? exclude : 0;
      if (list === 0) {
        const ports = /^[sd]port$|^(src|dst)$/.test(word) ? "; for a port use --port N" : "";
        throw new UsageError(
          `unexpected argument "${word}" (filters are 'state STATE' and 'exclude STATE'${ports})`,
          name,
        );
      }
      if (positionals[i + 1] === undefined) throw new UsageError(`${word} needs a STATE`, name);
      list.push(positionals[i + 1]);
    }
    let states: Set<SsState>;
    try {
      states = selectStates({
        all: values.all === true,
        listening: values.listening === true,
        include,
        exclude,
      });
    } catch (err) {
      throw new UsageError((err as Error).message, name);
    }
    const any = values.tcp === true || values.udp === true || values.unix === true;
    const v4 = values.ipv4 === true, v6 = values.ipv6 === true;
    return {
      tcp: any ? values.tcp === true : true,
      udp: any ? values.udp === true : true,
      unix: values.unix === true,
      families: new Set([
        ...(v4 || !v6 ? ["ipv4" as const] : []),
        ...(v6 || !v4 ? ["ipv6" as const] : []),
      ]),
      header: values["no-header"] !== true,
      states,
      port: values.port === undefined ? undefined : portFilter(String(values.port)),
      processes: values.processes === true,
      summary: values.summary === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    if (o.summary) {
      const everything = await readSockets({ tcp: true, udp: true, unix: true });
      if (o.json) await writeJson(io, summarizeSockets(everything));
      else await io.stdout.write(summaryText(everything));
      return ExitCode.ok;
    }
    const unreadable = o.processes ? await processesUnreadable() : undefined;
    if (unreadable && !io.globals.quiet) {
      // Under --json stderr holds only JSON lines: the note is a warning object there.
      if (o.json) await writeWarning(io, `no process column: ${unreadable}`);
      else await io.stderr.write(`toolkit: note: no process column: ${unreadable}\n`);
    }
    const sockets = (await readSockets(o, { processes: o.processes && !unreadable }))
      .filter((s) => keep(s, o));
    if (o.json) {
      await writeJson(io, sockets.map(({ timeWait: _, ...e }) => e));
      return ExitCode.ok;
    }
    const showUsers = o.processes && !unreadable;
    const rows = o.header
      ? [["NETID", "STATE", "RECV-Q", "SEND-Q", "LOCAL", "PEER", ...(showUsers ? ["PROCESS"] : [])]]
      : [];
    for (const s of sockets) {
      const netid = s.protocol === "unix" ? `u_${s.type!.toLowerCase().slice(0, 3)}` : s.protocol;
      rows.push([
        netid,
        s.state,
        String(s.recvQ),
        String(s.sendQ),
        // A Unix socket's path is anyone's choice of bytes.
        printable(s.address),
        printable(s.remote),
        ...(showUsers ? [usersText(s.processes)] : []),
      ]);
    }
    await io.stdout.write(formatTable(rows, { right: [2, 3] }));
    return ExitCode.ok;
  },
};
export default command;

/** `--port`: a number, or a service name as ss's `sport = :ssh` takes it. */
function portFilter(text: string): number {
  try {
    return parsePortWord(text, { allowZero: true, protocol: "tcp" });
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(`--port: ${message[0].toLowerCase()}${message.slice(1)}`, name);
  }
}

function keep(s: SocketEntry, o: SocketsOptions): boolean {
  if (o.port !== undefined && s.port !== o.port && s.remotePort !== o.port) return false;
  if (s.family !== null && !o.families.has(s.family)) return false;
  const state = ssStateOf(s.state);
  // A state ss has no name for (UNKNOWN(n)) is shown only where every state is.
  return state === undefined ? o.states.size === ssStates.length : o.states.has(state);
}
