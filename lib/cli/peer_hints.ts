// What to write instead of an option users bring from the peer tools (nc, ss, ping, iperf3) that
// toolkit does not take: the error for an unknown option says it, as a did-you-mean says what a
// misspelling meant. Spellings that map cleanly are taken as options instead (aliases in the
// option tables); what is here has no clean equivalent. A test checks that no entry names an
// option its command has.

/** Hints for nc's client options on a client command of `protocol`. */
function ncClient(protocol: "tcp" | "udp"): Record<string, string> {
  const other = protocol === "tcp" ? "udp-connect or udp-send" : "tcp-connect or tcp-send";
  return {
    "-s": "nc's source address: toolkit connects from the address the routing table picks",
    "-p": "nc's -p is the source port here: toolkit cannot choose it",
    "-l": `to listen, use ${protocol}-listen`,
    "-U": "for a Unix socket use unix-connect or unix-send",
    "-n": "a numeric address is never looked up in DNS: drop -n",
    "-z": "to probe ports use toolkit scan HOST PORTS",
    ...(protocol === "tcp"
      ? {
        "-u": `for UDP use ${other}`,
        "-k": "to serve several clients use tcp-listen --keep-open",
      }
      : {}),
  };
}

/** Hints for nc's listener options. */
const ncListener: Record<string, string> = {
  "-s": "give the address to listen on as HOST:PORT, or -p PORT HOST",
  "-n": "a numeric address is never looked up in DNS: drop -n",
  "-U": "for a Unix socket use unix-listen PATH",
};

/** Hints for ss options `sockets` does not take. */
const ss: Record<string, string> = {
  "-e": "ss's extended column is not shown: --json lists each socket's uid and inode",
  "--extended": "ss's extended column is not shown: --json lists each socket's uid and inode",
  "-o": "ss's timer column is not shown (time-wait sockets are counted by -s)",
  "--options": "ss's timer column is not shown (time-wait sockets are counted by -s)",
  "-m": "socket memory is not shown",
  "--memory": "socket memory is not shown",
  "-i": "TCP internals (TCP_INFO) are not shown: Deno cannot read them",
  "--info": "TCP internals (TCP_INFO) are not shown: Deno cannot read them",
  "-A": "choose tables with -t, -u and -x",
  "--query": "choose tables with -t, -u and -x",
  "-f": "choose families with -4 and -6, Unix sockets with -x",
  "--family": "choose families with -4 and -6, Unix sockets with -x",
  "-r": "addresses are always shown as numbers",
  "--resolve": "addresses are always shown as numbers",
  "-K": "toolkit never closes other processes' sockets",
  "--kill": "toolkit never closes other processes' sockets",
};

/** Hints for iperf3 options that neither perf nor perf-server takes. */
const iperf3: Record<string, string> = {
  "-w": "Deno cannot set socket buffer sizes (iperf3's -w)",
  "--window": "Deno cannot set socket buffer sizes (iperf3's -w)",
  "-C": "Deno cannot choose the congestion control algorithm (iperf3's -C)",
  "--congestion": "Deno cannot choose the congestion control algorithm (iperf3's -C)",
  "-M": "Deno cannot set the MSS (iperf3's -M)",
  "--set-mss": "Deno cannot set the MSS (iperf3's -M)",
  "-f": "units are chosen as iperf3's default does; --json gives plain numbers",
  "--format": "units are chosen as iperf3's default does; --json gives plain numbers",
  "--logfile": "redirect the output instead (> FILE 2>&1)",
};

/**
 * Per command, the peer tool's option (as typed: `-D`, `--daemon`) and what to write instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peerHints } from "./peer_hints.ts";
 *
 * assert.equal(
 *   peerHints["perf-server"]["-D"],
 *   "iperf3's daemon mode: run 'toolkit perf-server &' (or under nohup) instead",
 * );
 * ```
 */
export const peerHints: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "tcp-connect": {
    ...ncClient("tcp"),
    "-N": "half-closing at the end of stdin is the default here (--no-half-close turns it off)",
    "-q": "tcp-connect ends when both directions are done; --timeout bounds silence",
  },
  "tcp-send": { ...ncClient("tcp") },
  "udp-send": { ...ncClient("udp") },
  "udp-connect": { ...ncClient("udp") },
  "tcp-listen": { ...ncListener, "-u": "for UDP use udp-listen" },
  "udp-listen": {
    ...ncListener,
    "-k": "udp-listen receives until Ctrl-C or --count: drop -k",
  },
  scan: {
    "-z": "scan does what nc -z does: drop -z",
    "-u": "scan probes TCP ports only",
    "-v": "scan lists the open ports; -a lists the closed and filtered ones too",
    "-n": "a numeric address is never looked up in DNS: drop -n",
  },
  sockets: ss,
  "tcp-ping": {
    "-s": "a TCP connect carries no payload: there is no packet size",
    "-f": "--interval is at least 2ms: no flood",
    "-D": "no timestamps are printed; --json gives each attempt's round trip",
    "-a": "no bell is rung",
    "-4": "write an IPv4 address (or a name) to ping over IPv4",
    "-6": "write an IPv6 address ([ADDR] or ADDR) to ping over IPv6",
  },
  perf: {
    ...iperf3,
    "-s": "iperf3 -s is toolkit perf-server",
    "--server": "iperf3 -s is toolkit perf-server",
    "-B": "a client's local address cannot be chosen: Deno connects from the address the " +
      "routing table picks",
    "--bind": "a client's local address cannot be chosen: Deno connects from the address the " +
      "routing table picks",
    "-O": "the client's --omit is not implemented (perf-server honours an iperf3 client's -O " +
      "for TCP)",
    "--omit": "the client's --omit is not implemented (perf-server honours an iperf3 client's " +
      "-O for TCP)",
    "--bidir": "not implemented: run a second perf with -R at the same time",
    "-Z": "zero-copy sends are not available in Deno",
    "--zerocopy": "zero-copy sends are not available in Deno",
    "--get-server-output": "not implemented: run perf-server --json on the server",
    "-D": "iperf3's -D is for the server: run 'toolkit perf-server &'",
  },
  "perf-server": {
    ...iperf3,
    "-D": "iperf3's daemon mode: run 'toolkit perf-server &' (or under nohup) instead",
    "--daemon": "iperf3's daemon mode: run 'toolkit perf-server &' (or under nohup) instead",
    "-I": "no pid file is written: the shell's $! after 'toolkit perf-server &' is its pid",
    "--pidfile": "no pid file is written: the shell's $! after 'toolkit perf-server &' is its pid",
    "-i": "the server prints one line per test, not per interval: run perf -i on the client",
    "--interval": "the server prints one line per test, not per interval: run perf -i on the " +
      "client",
  },
};

/**
 * The hint for `option` (as typed, `-D` or `--daemon`, without `=value`) on `command`, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peerHint } from "./peer_hints.ts";
 *
 * assert.equal(
 *   peerHint("sockets", "-e"),
 *   "ss's extended column is not shown: --json lists each socket's uid and inode",
 * );
 * assert.equal(peerHint("sockets", "--bogus"), undefined);
 * ```
 */
export function peerHint(command: string, option: string): string | undefined {
  const hints = peerHints[command];
  return hints && Object.hasOwn(hints, option) ? hints[option] : undefined;
}
