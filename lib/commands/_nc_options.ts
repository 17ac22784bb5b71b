// nc's spellings that the socket commands accept, so nc habits keep working: `-l` (the
// listeners), `-u` (the UDP commands), `-p PORT` (the TCP and UDP listeners), and the help
// paragraph on the address forms a listener takes.
import type { OptionSpec } from "../cli/args.ts";

/** nc's `-l -p PORT`: the port as an option, for the TCP and UDP listeners. */
export const listenPortSpec: OptionSpec = {
  name: "port",
  short: "p",
  type: "string",
  value: "PORT",
  description:
    "the port to listen on (nc's -l -p PORT; 0: a free one, printed); a HOST may follow as the argument",
};

/** nc's `-l`, accepted by the listeners (`tcp-listen -l -p 9000`, `-lp 9000`): they listen. */
export const ncListenSpec: OptionSpec = {
  name: "listen",
  short: "l",
  type: "boolean",
  description: "accepted for nc habits (nc -l): this command listens",
};

/** nc's `-u`, accepted by the UDP commands (`udp-listen -u -l -p 9000`, `udp-send -u HOST PORT`). */
export const ncUdpSpec: OptionSpec = {
  name: "udp",
  short: "u",
  type: "boolean",
  description: "accepted for nc habits (nc -u): this command is UDP",
};

/** The help paragraph on the forms a listener's address takes. */
export const listenFormsText =
  "The address is [HOST:]PORT in one word (IPv6 as [ADDR]:PORT), nc's two words HOST PORT, or nc's -p PORT with an optional HOST argument.";
