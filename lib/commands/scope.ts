// `toolkit scope`: what this binary (or this narrowed run) may reach, as Deno itself answers it,
// so a lab admin can see what a dropped binary can do before running anything else. Every grant
// is listed, the implicit ones (local binds, toolkit's own modules) marked with why they are there.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { resolveCommand } from "../cli/dispatch.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { printableLine } from "../cli/report.ts";
import { effectiveScope, scopeKinds, wildcardNote } from "../scope/mod.ts";

const labels: Record<string, string> = {
  net: "network",
  read: "read files",
  write: "write files",
  run: "run programs",
  env: "environment",
  sys: "system info",
};

/** Joins entries with ", " into lines of at most ~80 characters. */
function wrap(entries: readonly string[]): string[] {
  const lines: string[] = [];
  let line = "";
  for (const e of entries) {
    if (line && line.length + e.length + 2 > 80) {
      lines.push(line + ",");
      line = "";
    }
    line = line ? `${line}, ${e}` : e;
  }
  return [...lines, line];
}

/** Parsed `scope` options: the command line after `--for`, if any. */
export interface ScopeOptions {
  for?: string[];
}

/**
 * `scope --for COMMAND ARGS...`: a command with a scope of its own (`drill serve`) has it shown by
 * running `scope` itself in a Worker confined to it, so the answer is Deno's, as for `--net`.
 */
async function scopeFor(words: string[], io: Parameters<CommandModule["run"]>[1]) {
  const { registry } = await import("./registry.ts");
  const found = resolveCommand(registry, words);
  if (found.kind !== "command") {
    const name = found.kind === "unknown" ? found.name : found.prefix;
    throw new UsageError(`--for needs a command, not '${name}'`, "scope");
  }
  const mod = await found.entry.load();
  const options = mod.parse(found.args, io.globals);
  if (!mod.ownScope) {
    if (!io.globals.json) {
      await io.stdout.write(
        `'${found.entry.name}' has no scope of its own; it runs in this one.\n`,
      );
    }
    return undefined;
  }
  if (!io.globals.json) {
    await io.stdout.write(`'toolkit ${words.join(" ")}' runs in a scope of its own.\n`);
  }
  const { runNarrowed } = await import("../cli/sandbox.ts");
  return await runNarrowed(
    [...(io.globals.json ? ["--json"] : []), "scope"],
    await mod.ownScope(options),
    io.signal,
    { own: true },
  );
}

const command: CommandModule<ScopeOptions> = {
  spec: {
    usage: "[--for COMMAND [ARGS...]]",
    description:
      "Each line is read back through Deno.permissions.query. With --net or --scope the answer is the narrowed scope the command would run with, paths resolved (symlinks followed) and implicit grants marked: the local bind a client socket needs toward each host listed (127.0.0.1:0 for 127.0.0.1:9000; this machine's address on the subnet of a lab host), and toolkit's own modules when reads are narrowed. With --for, the scope a command with a scope of its own (drill serve) runs in, for those arguments.",
    options: [{
      name: "for",
      type: "boolean",
      description: "show the scope of the command line that follows (the rest of the arguments)",
    }],
    examples: [
      "toolkit scope",
      "toolkit --net 127.0.0.1:9000 scope --json",
      "toolkit --net 198.18.1.2:7 scope",
      "toolkit scope --for drill serve 0.0.0.0:8080 --db class.db",
    ],
    positionals: { max: 0, complete: "command" },
  },
  parse(args) {
    const at = args.indexOf("--for");
    if (at >= 0) {
      parseCommandArgs("scope", this.spec, args.slice(0, at + 1));
      const words = args.slice(at + 1);
      if (!words.length) throw new UsageError("--for needs a command line", "scope");
      return { for: words };
    }
    const { positionals } = parseCommandArgs("scope", this.spec, args);
    if (positionals.length) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`, "scope");
    }
    return {};
  },
  async run(options, io) {
    if (options.for) {
      const code = await scopeFor(options.for, io);
      if (code !== undefined) return code;
    }
    const report = await effectiveScope();
    if (io.globals.json) {
      await writeJson(io, report);
      return ExitCode.ok;
    }
    const rows: string[][] = [];
    for (const kind of scopeKinds) {
      const s = report[kind];
      // Listed entries wrapped (never cut: every grant is shown), then each implicit grant on a
      // line of its own with its reason.
      const listed = s.grants.filter((g) => !g.implicit).map((g) => {
        const note = kind === "net" ? wildcardNote(g.entry) : undefined;
        return printableLine(note ? `${g.entry} (${note})` : g.entry);
      });
      const lines = s.all ? ["any"] : [
        ...(listed.length || !s.grants.length ? wrap(listed.length ? listed : ["none"]) : []),
        ...s.grants.filter((g) => g.implicit).map((g) =>
          printableLine(`${g.entry} (implicit: ${g.reason})`)
        ),
      ];
      lines.forEach((line, i) => rows.push([i ? "" : labels[kind], line]));
    }
    const head = report.narrowed ? "Scope (narrowed at run time):\n" : "Scope:\n";
    await io.stdout.write(head + formatTable(rows).replace(/^(?=.)/gm, "  "));
    return ExitCode.ok;
  },
};
export default command;
