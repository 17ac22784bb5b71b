// `toolkit scope`: what this binary (or this narrowed run) may reach, as Deno itself answers it,
// so a lab admin can see what a dropped binary can do before running anything else. Every grant
// is listed, the implicit ones (local binds, toolkit's own modules) marked with why they are there.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { printableLine } from "../cli/report.ts";
import { effectiveScope, scopeKinds } from "../scope/mod.ts";

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

const command: CommandModule<Record<never, never>> = {
  spec: {
    usage: "",
    description:
      "Each line is read back through Deno.permissions.query. With --net or --scope the answer is the narrowed scope the command would run with, paths resolved (symlinks followed) and implicit grants marked: the local bind a client socket needs toward each host listed (127.0.0.1:0 for 127.0.0.1:9000; this machine's address on the subnet of a lab host), and toolkit's own modules when reads are narrowed.",
    options: [],
    examples: [
      "toolkit scope",
      "toolkit --net 127.0.0.1:9000 scope --json",
      "toolkit --net 198.18.1.2:7 scope",
    ],
    positionals: { max: 0 },
  },
  parse(args) {
    parseCommandArgs("scope", this.spec, args);
    return {};
  },
  async run(_options, io) {
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
      const listed = s.grants.filter((g) => !g.implicit).map((g) => printableLine(g.entry));
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
