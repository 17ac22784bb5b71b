// Every command toolkit has, in the order `toolkit --help` shows them. Modules are imported only
// when their command runs (or its help is shown), so start-up stays close to a bare `deno run`.
// Add a command by adding one row; help, completions and suggestions follow from this table.
import type { CommandEntry, CommandModule } from "../cli/command.ts";

// deno-lint-ignore no-explicit-any
const m = (p: Promise<{ default: CommandModule<any> }>): Promise<CommandModule<unknown>> =>
  p.then((x) => x.default);

/** The command table. */
export const registry: readonly CommandEntry[] = [
  // --- sockets ---
  {
    name: "udp-send",
    group: "sockets",
    summary: "send UDP datagrams (nc -u), optionally wait for a reply",
    load: () => m(import("./udp_send.ts")),
  },
  {
    name: "udp-listen",
    group: "sockets",
    summary: "print UDP datagrams as they arrive (nc -u -l), optionally answer them",
    load: () => m(import("./udp_listen.ts")),
  },
  {
    name: "udp-connect",
    group: "sockets",
    summary: "two-way UDP with one peer (nc -u HOST PORT): stdin lines out, its datagrams in",
    load: () => m(import("./udp_connect.ts")),
  },
  {
    name: "tcp-listen",
    group: "sockets",
    summary: "accept a TCP connection and wire it to stdin/stdout (nc -l), or serve many",
    load: () => m(import("./tcp_listen.ts")),
  },
  {
    name: "tcp-connect",
    group: "sockets",
    summary: "connect over TCP and wire the connection to stdin/stdout (nc), with half-close",
    load: () => m(import("./tcp_connect.ts")),
  },
  {
    name: "tcp-send",
    group: "sockets",
    summary: "connect, send DATA or a file, half-close; optionally print the reply",
    load: () => m(import("./tcp_send.ts")),
  },
  {
    name: "unix-listen",
    group: "sockets",
    summary: "accept on a Unix stream socket (nc -lU); stale socket files handled safely",
    load: () => m(import("./unix_listen.ts")),
  },
  {
    name: "unix-connect",
    group: "sockets",
    summary: "connect to a Unix stream socket and wire it to stdin/stdout (nc -U)",
    load: () => m(import("./unix_connect.ts")),
  },
  {
    name: "unix-send",
    group: "sockets",
    summary: "send DATA to a Unix stream socket; optionally print the reply",
    load: () => m(import("./unix_send.ts")),
  },
  {
    name: "scan",
    group: "sockets",
    summary: "TCP connect scan of a port list: open, closed or filtered",
    load: () => m(import("./scan.ts")),
  },
  {
    name: "tcp-ping",
    group: "sockets",
    summary: "time TCP connects like ping: min/avg/max/stddev",
    load: () => m(import("./tcp_ping.ts")),
    globalAliases: { q: "quiet" }, // ping -q
  },
  // --- subnet ---
  {
    name: "subnet info",
    group: "subnet",
    summary: "show network, netmask, broadcast, hosts, class and purpose of an address (ipcalc)",
    load: () => m(import("./subnet_info.ts")),
  },
  {
    name: "subnet same",
    group: "subnet",
    summary: "are two addresses in the same network? (the AND with the mask)",
    load: () => m(import("./subnet_same.ts")),
  },
  {
    name: "subnet split",
    group: "subnet",
    summary: "cut a network into equal subnets or VLSM subnets for host counts",
    load: () => m(import("./subnet_split.ts")),
  },
  {
    name: "subnet aggregate",
    group: "subnet",
    summary: "collapse a prefix list into the fewest prefixes (aggregate)",
    load: () => m(import("./subnet_aggregate.ts")),
  },
  {
    name: "subnet exclude",
    group: "subnet",
    summary: "what is left of a network after removing prefixes",
    load: () => m(import("./subnet_exclude.ts")),
  },
  {
    name: "subnet contains",
    group: "subnet",
    summary: "is each address inside a network? (exit 1 if any is outside)",
    load: () => m(import("./subnet_contains.ts")),
  },
  {
    name: "subnet range",
    group: "subnet",
    summary: "the fewest prefixes covering an address range",
    load: () => m(import("./subnet_range.ts")),
  },
  {
    name: "subnet mask",
    group: "subnet",
    summary: "convert between prefix length, netmask and wildcard mask",
    load: () => m(import("./subnet_mask.ts")),
  },
  {
    name: "subnet random",
    group: "subnet",
    summary: "a random private network: RFC 1918 IPv4 or an RFC 4193 ULA prefix (ipcalc -r)",
    load: () => m(import("./subnet_random.ts")),
  },
  // --- arp ---
  {
    name: "arp show",
    group: "arp",
    summary: "show the neighbour table (ARP/NDP) live or from a saved table, with vendors",
    load: () => m(import("./arp_show.ts")),
  },
  {
    name: "arp check",
    group: "arp",
    summary: "look for ARP spoofing in one or more tables (exit 1 on critical findings)",
    load: () => m(import("./arp_check.ts")),
  },
  {
    name: "arp watch",
    group: "arp",
    summary: "poll the neighbour table and report arpwatch events, keeping arp.dat",
    load: () => m(import("./arp_watch.ts")),
  },
  {
    name: "arp resolve",
    group: "arp",
    summary: "make the kernel resolve an address (one empty UDP datagram) and show the entry",
    load: () => m(import("./arp_resolve.ts")),
  },
  {
    name: "mac",
    group: "arp",
    summary: "parse MAC addresses: canonical form, I/G and U/L bits, randomised, vendor, EUI-64",
    load: () => m(import("./mac.ts")),
  },
  {
    name: "ifaces",
    group: "arp",
    summary: "list network interfaces with addresses, prefixes and MACs",
    load: () => m(import("./ifaces.ts")),
  },
  {
    name: "sockets",
    group: "arp",
    summary: "list TCP, UDP and Unix sockets and their states (like ss; read through ss)",
    load: () => m(import("./sockets.ts")),
  },
  // --- mro ---
  {
    name: "mro",
    group: "mro",
    summary: "method resolution order of Python classes (C3, classic), with the merge explained",
    load: () => m(import("./mro.ts")),
  },
  // --- drill ---
  {
    name: "drill list",
    group: "drill",
    summary: "list the built-in drills",
    load: () => m(import("./drill_list.ts")),
  },
  {
    name: "drill show",
    group: "drill",
    summary: "print a drill's YAML (built-in or file)",
    load: () => m(import("./drill_show.ts")),
  },
  {
    name: "drill run",
    group: "drill",
    summary: "run drills, each sandboxed to its declared scope; text, JSON, TAP or JUnit report",
    load: () => m(import("./drill_run.ts")),
  },
  {
    name: "drill check",
    group: "drill",
    summary: "validate drill files, with line-numbered errors",
    load: () => m(import("./drill_check.ts")),
  },
  {
    name: "drill schema",
    group: "drill",
    summary: "print the JSON Schema of drill files",
    load: () => m(import("./drill_schema.ts")),
  },
  {
    name: "drill serve",
    group: "drill",
    summary: "collect lab machines' drill reports; a live class dashboard with CSV/JUnit export",
    load: () => m(import("./drill_serve.ts")),
  },
  {
    name: "drill submit",
    group: "drill",
    summary: "send spooled drill reports to a 'drill serve' collector",
    load: () => m(import("./drill_submit.ts")),
  },
  // --- lab ---
  {
    name: "lab up",
    group: "lab",
    summary: "build a lab of network namespaces: hosts on a bridge, optionally a router (root)",
    load: () => m(import("./lab_up.ts")),
  },
  {
    name: "lab status",
    group: "lab",
    summary: "show the lab's hosts, addresses and segments, and how to run inside a host",
    load: () => m(import("./lab_status.ts")),
  },
  {
    name: "lab down",
    group: "lab",
    summary: "remove the lab (also what a crashed lab up left)",
    load: () => m(import("./lab_down.ts")),
  },
  // --- bench ---
  {
    name: "perf",
    group: "bench",
    summary: "measure TCP or UDP throughput, loss and jitter (iperf3 -c, to perf-server or iperf3)",
    load: () => m(import("./perf.ts")),
    globalAliases: { J: "json" }, // iperf3 -J
  },
  {
    name: "perf-server",
    group: "bench",
    summary: "serve perf and iperf3 tests one after another (iperf3 -s)",
    load: () => m(import("./perf_server.ts")),
    globalAliases: { J: "json" }, // iperf3 -s -J
  },
  // --- toolkit ---
  {
    name: "scope",
    group: "toolkit",
    summary: "show the network, file and process access this binary or run has",
    load: () => m(import("./scope.ts")),
  },
  {
    name: "completions",
    group: "toolkit",
    summary: "print a shell completion script (bash, zsh, fish)",
    load: () => m(import("./completions.ts")),
  },
  {
    name: "help",
    group: "toolkit",
    summary: "show help for toolkit or a command",
    load: () => m(import("./help.ts")),
  },
];
