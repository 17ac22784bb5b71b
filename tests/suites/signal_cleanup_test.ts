// Ctrl-C and SIGTERM remove unix-listen's socket file however toolkit was started (issue 16).
// `deno task` (the README's way) forwards every signal it gets to its child; a Ctrl-C reaches the
// whole process group, so the child gets it twice, a fraction of a millisecond apart, and a second
// signal used to mean "exit now", before the file was removed. Covered: `deno task toolkit`, and
// the toolkit command itself (`deno run` of main.ts, or the compiled binary through TOOLKIT_CMD),
// each with Ctrl-C to the process group (`kill -INT -PGID`), SIGTERM to the group and SIGINT or
// SIGTERM to the process alone; stream, one-shot, datagram and sandboxed (`--net`) listeners.
import assert from "#assert";
import { hasCommand, outputWithin, root, testIf, toolkitCmd } from "../_support/harness.ts";
import { pool } from "../_support/command_lines.ts";

const denoTask = ["deno", "task", "-q", "toolkit"];

interface Case {
  label: string;
  /** The program that starts toolkit (the toolkit command, or `deno task toolkit`). */
  launcher: string[];
  /** unix-listen's arguments before the path. */
  args: string[];
  /** `group`: every process of the session's group, as a terminal's Ctrl-C; `process`: the one. */
  to: "group" | "process" | "twice";
  signal: "SIGINT" | "SIGTERM";
  /** For `twice`: the gap between the two signals, in ms (fractions are spun out). */
  gapMs?: number;
  /** With `--net unix:PATH`: the command runs in the sandbox Worker. */
  narrowed?: boolean;
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/**
 * Starts the case in a session (and process group) of its own with `setsid`, waits for the
 * socket file, signals, and returns the exit code, stderr and whether the file is still there.
 */
async function runCase(c: Case, dir: string) {
  const path = `${dir}/${c.label.replace(/\W+/g, "-")}.sock`;
  const argv = [
    ...c.launcher,
    ...(c.narrowed ? ["--net", `unix:${path}`] : []),
    "unix-listen",
    ...c.args,
    path,
  ];
  // Deno does not make its child a group leader, so setsid execs in place: pid = pgid = sid.
  const child = new Deno.Command("setsid", {
    args: argv,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const done = outputWithin(child, 30_000);
  const deadline = Date.now() + 20_000;
  while (!await exists(path) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(await exists(path), `${c.label}: no socket file appeared`);
  await new Promise((r) => setTimeout(r, 300)); // serving, not just bound
  const pid = c.to === "group" ? -child.pid : child.pid;
  Deno.kill(pid, c.signal);
  if (c.to === "twice") {
    // What deno task's forwarding amounts to; a timer cannot wait a fraction of a millisecond.
    const from = performance.now();
    while (performance.now() - from < (c.gapMs ?? 0)) { /* spin */ }
    try {
      Deno.kill(pid, c.signal);
    } catch { /* it already exited */ }
  }
  const r = await done;
  return { ...r, left: await exists(path) };
}

const launchers: [string, string[]][] = [
  [`toolkit (${toolkitCmd.includes("run") ? "deno run main.ts" : toolkitCmd[0]})`, toolkitCmd],
  ["deno task toolkit", denoTask],
];

const cases: Case[] = [];
for (const [name, launcher] of launchers) {
  const keepOpen = ["--keep-open"];
  cases.push(
    {
      label: `${name}: Ctrl-C to the group`,
      launcher,
      args: keepOpen,
      to: "group",
      signal: "SIGINT",
    },
    {
      label: `${name}: SIGTERM to the group`,
      launcher,
      args: keepOpen,
      to: "group",
      signal: "SIGTERM",
    },
    {
      label: `${name}: SIGINT to the process`,
      launcher,
      args: keepOpen,
      to: "process",
      signal: "SIGINT",
    },
    {
      label: `${name}: SIGTERM to the process`,
      launcher,
      args: keepOpen,
      to: "process",
      signal: "SIGTERM",
    },
    {
      label: `${name}: one-shot listener, Ctrl-C to the group`,
      launcher,
      args: [],
      to: "group",
      signal: "SIGINT",
    },
    {
      label: `${name}: --datagram, Ctrl-C to the group`,
      launcher,
      args: ["--datagram"],
      to: "group",
      signal: "SIGINT",
    },
    {
      label: `${name}: sandboxed by --net, Ctrl-C to the group`,
      launcher,
      args: ["--keep-open", "--echo"],
      to: "group",
      signal: "SIGINT",
      narrowed: true,
    },
  );
}
// The race deno task opens is lost or won by microseconds (6 of 8 runs lost it in the report):
// run its group cases a few more times.
for (let i = 2; i <= 4; i++) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    cases.push({
      label: `deno task toolkit: ${signal} to the group, run ${i}`,
      launcher: denoTask,
      args: ["--keep-open"],
      to: "group",
      signal,
    });
  }
}
// The double delivery itself, without a task runner: two SIGINTs with the gaps deno task's
// forwarding leaves (before the fix, a few of these ten lost the race in every run).
for (const gapMs of [0, 0.1, 0.3, 0.6, 1, 1.5, 2, 3, 4, 6]) {
  cases.push({
    label: `toolkit: two SIGINTs ${gapMs} ms apart`,
    launcher: toolkitCmd,
    args: ["--keep-open"],
    to: "twice",
    signal: "SIGINT",
    gapMs,
  });
}

testIf(
  hasCommand("setsid") ? undefined : "setsid (util-linux) is not installed",
  `unix-listen removes its socket file on Ctrl-C and SIGTERM, under deno task too (${cases.length} ways)`,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "toolkit-signals-" });
    try {
      const results = await pool(cases, 3, async (c) => ({ c, r: await runCase(c, dir) }));
      const problems = results.flatMap(({ c, r }) => {
        const out: string[] = [];
        if (r.timedOut) out.push(`${c.label}: did not exit`);
        else if (r.code !== 130) out.push(`${c.label}: exit ${r.code}, expected 130`);
        if (r.left) out.push(`${c.label}: the socket file was left behind`);
        if (/toolkit: error:|^\s+at /m.test(r.stderr)) out.push(`${c.label}: ${r.stderr}`);
        return out;
      });
      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
