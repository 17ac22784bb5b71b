// Every argument that names a file (the option and positional tables mark them for completion:
// `complete: "file"`, drill names or files, the global --scope) given a missing file, a
// directory, a file it cannot read and a named FIFO. Each must end by itself with exit 2 and one
// error line naming the path, before any network activity: the test's own TCP and Unix listeners,
// which the command lines are aimed at, must see no connection. A missing path may instead be
// created, when the command writes it (an --out report, a database, a socket to listen on).
// Driven by the registry, so a new file argument is swept too.
import assert from "#assert";
import type { CommandEntry, CommandModule, OptionSpec } from "../../lib/cli/command.ts";
import { resolveCommand } from "../../lib/cli/dispatch.ts";
import { globalOptions } from "../../lib/cli/globals.ts";
import { registry } from "../../lib/commands/registry.ts";
import { exampleArgs, pool } from "../_support/command_lines.ts";
import { assertNoProblems, crashSigns, errorShapeProblem } from "../_support/error_shape.ts";
import { freePort, hasCommand, isRoot, runToolkit, runUntil } from "../_support/harness.ts";

/** One argument that names a file, and a command line to try it on. */
interface FileArg {
  label: string;
  /** The command's name, for the help hint of a usage error. */
  command: string;
  /** The command line (after `toolkit`) with `{}` where the path goes. */
  argv: string[];
}

const noGlobals = { json: false, quiet: false, debug: false, color: false };

/** The indices in `args` of the positional arguments, read with the command's option table. */
function positionalSlots(options: readonly OptionSpec[], args: readonly string[]): number[] {
  const takesValue = (o: OptionSpec | undefined) => o?.type === "string";
  const slots: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      for (let j = i + 1; j < args.length; j++) slots.push(j);
      break;
    }
    if (a.startsWith("--")) {
      if (!a.includes("=") && takesValue(options.find((o) => `--${o.name}` === a))) i++;
    } else if (a.startsWith("-") && a.length > 1) {
      // A group of short options: the first that takes a value takes the rest, or the next word.
      for (let j = 1; j < a.length; j++) {
        if (takesValue(options.find((o) => o.short === a[j]))) {
          if (j === a.length - 1) i++;
          break;
        }
      }
    } else slots.push(i);
  }
  return slots;
}

/** Where option `o` is given in `args`: the index of its value, or -1. */
function optionSlot(o: OptionSpec, args: readonly string[]): number {
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === `--${o.name}` || (o.short !== undefined && args[i] === `-${o.short}`)) {
      return i + 1;
    }
  }
  return -1;
}

/** The help examples of a command, as the arguments after its name, shortest first. */
function examplesOf(entry: CommandEntry, mod: CommandModule): string[][] {
  return mod.spec.examples.map(exampleArgs).flatMap((argv) => {
    if (!argv) return [];
    const found = resolveCommand(registry, argv);
    return found.kind === "command" && found.entry.name === entry.name ? [found.args] : [];
  }).sort((a, b) => a.length - b.length);
}

/** What completes positional `k` of a command. */
function positionalKind(mod: CommandModule, k: number): string {
  const c = mod.spec.positionals?.complete ?? "none";
  return typeof c === "string" ? c : (c[k] ?? c[c.length - 1] ?? "none");
}

/**
 * Aims a command line at the test's own listeners: a loopback `HOST:PORT` at its TCP port, and a
 * socket path (the `PATH` of the unix-* commands) that is not the argument under test at its
 * Unix socket.
 */
function aimed(mod: CommandModule, args: string[], tested: number, own: Own): string[] {
  const socketPaths = /^(\[options\] )?PATH\b/.test(mod.spec.usage)
    ? positionalSlots(mod.spec.options, args).slice(0, 1)
    : [];
  return args.map((a, i) => {
    if (i === tested) return "{}";
    if (socketPaths.includes(i)) return own.unixPath;
    // A listen on every interface (drill serve 0.0.0.0:8080) becomes a free loopback port: no
    // test listens beyond loopback, nor on a port something else may hold.
    if (/^(0\.0\.0\.0|\[::\]):\d+$/.test(a)) return "127.0.0.1:0";
    return /^(127\.0\.0\.1|localhost|\[::1\]|::1):\d+$/.test(a) ? `127.0.0.1:${own.tcpPort}` : a;
  });
}

interface Own {
  tcpPort: number;
  unixPath: string;
}

/** Every file argument of every command, each on a command line that parses with a path there. */
async function fileArgs(own: Own): Promise<{ found: FileArg[]; missing: string[] }> {
  const found: FileArg[] = [];
  const missing: string[] = [];
  const parsesWithPath = (mod: CommandModule, argv: string[]) => {
    try {
      mod.parse(argv.map((a) => a === "{}" ? "/some/file.txt" : a), noGlobals);
      return true;
    } catch {
      return false;
    }
  };
  for (const entry of registry) {
    const mod = await entry.load();
    const words = entry.name.split(" ");
    const examples = examplesOf(entry, mod);
    // An option that names a directory (drill run --spool DIR) takes what is a bad file here: a
    // directory is its right input and a missing one is made (tests/commands/drill_serve_test.ts).
    for (const o of mod.spec.options.filter((o) => o.complete === "file" && o.value !== "DIR")) {
      const label = `${entry.name} --${o.name}`;
      const lines = [
        ...examples.filter((e) => optionSlot(o, e) >= 0).map((e) =>
          aimed(mod, e, optionSlot(o, e), own)
        ),
        ...examples.map((e) => [...aimed(mod, e, -1, own), `--${o.name}`, "{}"]),
      ];
      const line = lines.find((l) => parsesWithPath(mod, l));
      if (line) found.push({ label, command: entry.name, argv: [...words, ...line] });
      else missing.push(`${label}: no help example on which a path there parses; add one`);
    }
    const kinds = new Set(["file", "drill"]);
    const positions = [0, 1, 2].filter((k) => kinds.has(positionalKind(mod, k)));
    // A kind that applies to every position (FILE...) is tried on the first.
    for (
      const k of typeof mod.spec.positionals?.complete === "string"
        ? positions.slice(0, 1)
        : positions
    ) {
      const label = `${entry.name} <positional ${k + 1}>`;
      const line = examples.flatMap((e) => {
        const slots = positionalSlots(mod.spec.options, e);
        return slots.length > k ? [aimed(mod, e, slots[k], own)] : [];
      }).find((l) => parsesWithPath(mod, l));
      if (line) found.push({ label, command: entry.name, argv: [...words, ...line] });
      else missing.push(`${label}: no help example gives this positional; add one`);
    }
  }
  for (const o of globalOptions.filter((o) => o.complete === "file")) {
    found.push({
      label: `--${o.name} (global)`,
      command: "scope",
      argv: [`--${o.name}`, "{}", "scope"],
    });
  }
  return { found, missing };
}

/** The four kinds of bad path, made in `dir` (one directory per case: runs write there). */
async function badPaths(dir: string): Promise<{ kind: string; path: string }[]> {
  await Deno.mkdir(dir);
  const directory = `${dir}/a-directory`;
  await Deno.mkdir(directory);
  const unreadable = `${dir}/unreadable.txt`;
  await Deno.writeTextFile(unreadable, "10.0.0.0/8\n");
  await Deno.chmod(unreadable, 0o000);
  const fifo = `${dir}/a-fifo`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(made.success, "mkfifo");
  return [
    { kind: "missing", path: `${dir}/missing.txt` },
    { kind: "directory", path: directory },
    { kind: "unreadable", path: unreadable },
    { kind: "FIFO", path: fifo },
  ];
}

/**
 * How to run toolkit so that a mode-000 file is unreadable: as root, without the capabilities that
 * let root read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so the file's mode applies as it
 * does to any user. `undefined` when that cannot be arranged (root without setpriv).
 */
function unreadablePrefix(): string[] | undefined {
  if (!isRoot()) return [];
  if (!hasCommand("setpriv")) return undefined;
  return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"];
}

Deno.test({
  name: "file arguments: a missing file, a directory, an unreadable file and a FIFO are exit 2 " +
    "naming the path (or a missing output is created), never a hang, before any connection",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "toolkit-file-args-" });
    const tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const unixPath = `${dir}/own.sock`;
    const unix = Deno.listen({ transport: "unix", path: unixPath });
    let connections = 0;
    const accepting = [tcp, unix].map((l) =>
      (async () => {
        for await (const conn of l) {
          connections++;
          conn.close();
        }
      })().catch(() => {})
    );
    try {
      const { found, missing } = await fileArgs({ tcpPort: tcp.addr.port, unixPath });
      assertNoProblems(missing, "file arguments cannot be swept");
      assert.ok(found.length >= 15, `only ${found.length} file arguments found`);
      const kinds = ["missing", "directory", "unreadable", "FIFO"];
      const prefix = unreadablePrefix();
      if (prefix === undefined) {
        console.error("SKIP the unreadable case: running as root and setpriv is not installed");
      }
      const cases = found.flatMap((arg) =>
        kinds.filter((k) => k !== "unreadable" || prefix !== undefined).map((kind) => ({
          arg,
          kind,
        }))
      );
      let n = 0;
      const problems = await pool(cases, 3, async ({ arg, kind }) => {
        const own = `${dir}/case-${n++}`;
        const path = (await badPaths(own)).find((p) => p.kind === kind)!.path;
        const argv = arg.argv.map((a) => a === "{}" ? path : a);
        const label = `${arg.label}, ${kind}: toolkit ${argv.join(" ")}`;
        const exists = () => Deno.lstat(path).then(() => true, () => false);
        let created = false;
        const r = await runUntil(argv, {
          cwd: own,
          prefix: kind === "unreadable" ? prefix : [],
          ms: 5000,
          // A listener waits: the socket it made is seen before Ctrl-C removes it.
          atDeadline: async () => (created = kind === "missing" && await exists()),
        });
        const exited = r.exited;
        created ||= kind === "missing" && await exists();
        if (created) {
          // An output (or a socket to listen on): it was written, and the run ended cleanly.
          await Deno.remove(path).catch(() => {});
          const crash = crashSigns(r.stderr);
          if (crash.length) return `${label}: ${crash.join(", ")}\n${r.stderr.slice(0, 400)}`;
          return [0, 1, 130].includes(r.code) ? undefined : `${label}: created, exit ${r.code}`;
        }
        if (!exited) return `${label}: still running after 5 s (a hang), stderr:\n${r.stderr}`;
        return errorShapeProblem(label, r, arg.command) ??
          (r.stderr.includes(path)
            ? undefined
            : `${label}: the error does not name the path:\n${r.stderr}`);
      });
      console.error(`${found.length} file arguments x ${kinds.length} kinds of bad path`);
      assertNoProblems(problems, "file arguments mishandled");
      assert.equal(connections, 0, "a command connected before refusing its file");
    } finally {
      tcp.close();
      unix.close();
      await Promise.all(accepting);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("tcp-send --file and mro name the file they cannot use, and tcp-send never connects", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    for await (const conn of l) {
      connections++;
      conn.close();
    }
  })().catch(() => {});
  // A port nobody listens on: a refused connection must not hide the bad file.
  const closedPort = freePort();
  try {
    const cases: [string[], string][] = [
      [["tcp-send", "--file", "/tmp", `127.0.0.1:${l.addr.port}`], "is a directory (/tmp)"],
      [["tcp-send", "--file", "/tmp", `127.0.0.1:${closedPort}`], "is a directory (/tmp)"],
      [
        ["tcp-send", "--file", "/no/such/file", `127.0.0.1:${closedPort}`],
        "no such file or directory (/no/such/file)",
      ],
      [["mro", "/tmp"], "is a directory (/tmp)"],
      [["subnet", "aggregate", "/tmp"], "is a directory (/tmp)"],
    ];
    for (const [argv, line] of cases) {
      const r = await runToolkit(argv);
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr, `toolkit: error: ${line}\n`, argv.join(" "));
    }
  } finally {
    l.close();
    await accepting;
  }
  assert.equal(connections, 0, "tcp-send connected before refusing its file");
});

Deno.test("an output file that is replaced keeps its permission bits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "toolkit-out-mode-" });
  const out = `${dir}/report.txt`;
  try {
    await Deno.writeTextFile(out, "old report\n");
    await Deno.chmod(out, 0o600);
    const r = await runToolkit(["drill", "run", "--out", out, "same-subnet"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(await Deno.readTextFile(out), /PASS same-subnet/);
    assert.equal((await Deno.stat(out)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
