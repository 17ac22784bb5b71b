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
  // --- subnet ---
  // --- arp ---
  // --- mro ---
  // --- drill ---
  // --- lab ---
  // --- bench ---
  {
    name: "perf",
    group: "bench",
    summary: "measure TCP or UDP throughput, loss and jitter to a perf-server (iperf3 -c)",
    load: () => m(import("./perf.ts")),
  },
  {
    name: "perf-server",
    group: "bench",
    summary: "serve perf tests one after another (iperf3 -s)",
    load: () => m(import("./perf_server.ts")),
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
