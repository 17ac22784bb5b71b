// `toolkit scope`: what this binary (or this narrowed run) may reach, as Deno itself answers it,
// so a lab admin can see what a dropped binary can do before running anything else.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { effectiveScope, scopeKinds } from "../cli/scope.ts";

const labels: Record<string, string> = {
  net: "network",
  read: "read files",
  write: "write files",
  run: "run programs",
  env: "environment",
  sys: "system info",
};

const command: CommandModule<Record<never, never>> = {
  spec: {
    usage: "",
    description:
      "Each line is read back through Deno.permissions.query. With --net or --scope the answer is the narrowed scope the command would run with.",
    options: [],
    examples: ["toolkit scope", "toolkit --net 127.0.0.1:9000 scope --json"],
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
      return 0;
    }
    const rows = scopeKinds.map((k) => {
      const s = report[k];
      return [labels[k], s.all ? "any" : s.granted.length ? s.granted.join(", ") : "none"];
    });
    const head = report.narrowed ? "Scope (narrowed at run time):\n" : "Scope:\n";
    await io.stdout.write(head + formatTable(rows).replace(/^(?=.)/gm, "  "));
    return 0;
  },
};
export default command;
