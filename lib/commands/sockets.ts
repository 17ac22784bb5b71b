// `toolkit sockets`: the kernel's socket tables as `ss` shows them, read from /proc/net, so a drill
// can point at LISTEN, ESTABLISHED, FIN_WAIT2, TIME_WAIT and CLOSE_WAIT as a connection opens and
// closes.
import { intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { readSockets, type SocketEntry } from "../net/proc_sockets.ts";

/** Parsed `sockets` options. */
export interface SocketsOptions {
  tcp: boolean;
  udp: boolean;
  unix: boolean;
  listening: boolean;
  port?: number;
  state?: string;
  json: boolean;
}

const name = "sockets";

const command: CommandModule<SocketsOptions> = {
  spec: {
    usage: "[--tcp] [--udp] [--unix] [--listening] [--port N]",
    description:
      "Reads /proc/net/tcp, tcp6, udp, udp6 and unix (Linux). Without --tcp, --udp or --unix, TCP and UDP sockets are shown. Unlike ss, every state is shown by default, listening sockets included; --listening keeps only those (TCP LISTEN, unconnected UDP, listening Unix sockets). Recv-Q of a TCP listener is the number of connections waiting for accept().",
    options: [
      { name: "tcp", short: "t", type: "boolean", description: "TCP sockets" },
      { name: "udp", short: "u", type: "boolean", description: "UDP sockets" },
      { name: "unix", short: "x", type: "boolean", description: "Unix domain sockets" },
      {
        name: "listening",
        short: "l",
        type: "boolean",
        description: "only listening sockets",
      },
      {
        name: "port",
        type: "string",
        value: "N",
        description: "only sockets whose local or peer port is N",
      },
      {
        name: "state",
        short: "s",
        type: "string",
        value: "STATE",
        description: "only sockets in this state (LISTEN, ESTABLISHED, TIME_WAIT, ...)",
      },
    ],
    examples: [
      "toolkit sockets --tcp --listening",
      "toolkit sockets --tcp --port 9000",
      "toolkit sockets --state TIME_WAIT --json",
      "toolkit sockets --unix -l",
    ],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    const { values } = parseCommandArgs(name, this.spec, args);
    const any = values.tcp === true || values.udp === true || values.unix === true;
    return {
      tcp: any ? values.tcp === true : true,
      udp: any ? values.udp === true : true,
      unix: values.unix === true,
      listening: values.listening === true,
      port: values.port === undefined
        ? undefined
        : intOption(values, "port", { min: 0, max: 65535, fallback: 0, command: name }),
      state: typeof values.state === "string"
        ? values.state.toUpperCase().replace(/-/g, "_")
        : undefined,
      json: globals.json,
    };
  },
  async run(o, io) {
    const sockets = (await readSockets(o)).filter((s) => keep(s, o));
    if (o.json) {
      await writeJson(io, sockets);
      return 0;
    }
    const rows = [["NETID", "STATE", "RECV-Q", "SEND-Q", "LOCAL", "PEER"]];
    for (const s of sockets) {
      const netid = s.protocol === "unix" ? `u_${s.type!.toLowerCase().slice(0, 3)}` : s.protocol;
      rows.push([netid, s.state, String(s.recvQ), String(s.sendQ), s.local, s.peer]);
    }
    await io.stdout.write(formatTable(rows, { right: [2, 3] }));
    return 0;
  },
};
export default command;

function keep(s: SocketEntry, o: SocketsOptions): boolean {
  if (o.listening && !isListening(s)) return false;
  if (o.port !== undefined && s.localPort !== o.port && s.peerPort !== o.port) return false;
  if (o.state !== undefined && s.state !== o.state) return false;
  return true;
}

function isListening(s: SocketEntry): boolean {
  if (s.protocol === "tcp") return s.state === "LISTEN";
  if (s.protocol === "udp") return s.state === "UNCONN";
  return s.state === "LISTEN";
}
