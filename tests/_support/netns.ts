// A network namespace of the test's own for fault and confinement tests (root only): a veth pair
// with 198.19.N.(4k+1)/30 on this side and 198.19.N.(4k+2)/30 inside, named with the test's pid so
// parallel runs do not meet, removed by cleanup() in a finally.
import {
  outputWithin,
  type RunOptions,
  type RunResult,
  runToolkit,
  toolkitCmd,
} from "./harness.ts";

/** Runs a program to completion, throwing with its stderr when it fails. */
export async function runProgram(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Runs toolkit to completion inside network namespace `ns`, as `ip netns exec NS toolkit ARGS`.
 *
 * @example
 * ```ts
 * const r = await runToolkitIn(lab.ns, ["arp", "show", "--json"]);
 * ```
 */
export function runToolkitIn(
  ns: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return runToolkit(args, { ...options, prefix: ["ip", "netns", "exec", ns] });
}

/** A namespace built by {@linkcode makeLab}. */
export interface Lab {
  ns: string;
  /** This side of the veth pair. */
  hostIp: string;
  /** The namespace's side. */
  nsIp: string;
  /** The /30's broadcast address. */
  broadcast: string;
  /** Takes the link inside the namespace down: packets to nsIp go nowhere. */
  down(): Promise<void>;
  /** Runs a program inside the namespace in the background (stdout and stderr piped). */
  spawn(args: string[]): Deno.ChildProcess;
  /** Runs toolkit inside the namespace to completion. */
  toolkit(args: string[], timeoutMs?: number): Promise<RunResult>;
  cleanup(): Promise<void>;
}

/**
 * Builds a namespace; `tag` (one letter) tells apart several in one test process.
 *
 * @example
 * ```ts
 * const lab = await makeLab("t");
 * try { await lab.down(); } finally { await lab.cleanup(); }
 * ```
 */
export async function makeLab(tag: string): Promise<Lab> {
  const id = `${Deno.pid % 100000}${tag}`;
  const ns = `tkfault-${id}`;
  const a = `tkf${id}a`.slice(0, 15);
  const b = `tkf${id}b`.slice(0, 15);
  const third = 200 + (Deno.pid % 50);
  const fourth = ((Deno.pid + tag.charCodeAt(0)) % 60) * 4;
  const hostIp = `198.19.${third}.${fourth + 1}`;
  const nsIp = `198.19.${third}.${fourth + 2}`;
  const cleanup = async () => {
    await runProgram("ip", ["link", "del", a]).catch(() => {});
    await runProgram("ip", ["netns", "del", ns]).catch(() => {});
  };
  try {
    await runProgram("ip", ["netns", "add", ns]);
    await runProgram("ip", ["link", "add", a, "type", "veth", "peer", "name", b]);
    await runProgram("ip", ["link", "set", b, "netns", ns]);
    await runProgram("ip", ["addr", "add", `${hostIp}/30`, "dev", a]);
    await runProgram("ip", ["link", "set", a, "up"]);
    await runProgram("ip", ["-n", ns, "addr", "add", `${nsIp}/30`, "brd", "+", "dev", b]);
    await runProgram("ip", ["-n", ns, "link", "set", b, "up"]);
    await runProgram("ip", ["-n", ns, "link", "set", "lo", "up"]);
  } catch (err) {
    await cleanup();
    throw err;
  }
  const spawn = (args: string[]) =>
    new Deno.Command("ip", {
      args: ["netns", "exec", ns, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
  return {
    ns,
    hostIp,
    nsIp,
    broadcast: `198.19.${third}.${fourth + 3}`,
    down: () => runProgram("ip", ["-n", ns, "link", "set", b, "down"]).then(() => {}),
    spawn,
    async toolkit(args, timeoutMs = 15_000) {
      return await outputWithin(spawn([...toolkitCmd, ...args]), timeoutMs);
    },
    cleanup,
  };
}
