// `toolkit scope`: what this binary (or this narrowed run) may reach, as Deno itself answers it,
// so a lab admin can see what a dropped binary can do before running anything else.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { resolveCommand } from "../cli/dispatch.ts";
import { UsageError } from "../cli/errors.ts";
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
    mod.ownScope(options),
    io.signal,
    { own: true },
  );
}

const command: CommandModule<ScopeOptions> = {
  spec: {
    usage: "[--for COMMAND [ARGS...]]",
    description:
      "Each line is read back through Deno.permissions.query. With --net or --scope the answer is the narrowed scope the command would run with. With --for, the scope a command with a scope of its own (drill serve) runs in, for those arguments.",
    options: [{
      name: "for",
      type: "boolean",
      description: "show the scope of the command line that follows (the rest of the arguments)",
    }],
    examples: [
      "toolkit scope",
      "toolkit --net 127.0.0.1:9000 scope --json",
      "toolkit scope --for drill serve 0.0.0.0:8080 --db class.db",
    ],
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
