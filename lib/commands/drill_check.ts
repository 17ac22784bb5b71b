// `toolkit drill check FILE...`: validates drill files without running them; every problem is
// reported with its line and column, like a compiler.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, userInputError } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { DrillFileError, type DrillIssue, formatDrillIssues } from "../drill/load.ts";
import { loadDrill, stdinReader } from "../drill/source.ts";
import { printable } from "../text/printable.ts";

/** Parsed `drill check` options. */
export interface DrillCheckOptions {
  files: string[];
  json: boolean;
  quiet: boolean;
}

const name = "drill check";

const command: CommandModule<DrillCheckOptions> = {
  spec: {
    usage: "FILE|NAME|-...",
    description:
      "Checks drill files (YAML or JSON) against the schema and for meaning: every name used is defined by an earlier step, addresses and durations parse, regular expressions compile, only {{port.NAME}} and {{tmp}} variables appear. Problems are printed as FILE:LINE:COL: message. Exit status 0 when all are valid, 2 when any is malformed.",
    options: [],
    examples: [
      "toolkit drill check lab1.yaml",
      "toolkit drill check drills/*.yaml",
      "toolkit drill check --json lab1.yaml",
      "toolkit drill show tcp-echo | toolkit drill check -",
    ],
    positionals: { min: 1, complete: "drill" },
  },
  parse(args, globals) {
    const { positionals } = parseCommandArgs(name, this.spec, args);
    return { files: positionals, json: globals.json, quiet: globals.quiet };
  },
  async run(o, io) {
    const readStdin = stdinReader(io.stdin.readable);
    const results: {
      file: string;
      valid: boolean;
      stepCount: number | null;
      issues: DrillIssue[];
    }[] = [];
    for (const file of o.files) {
      try {
        const { drill } = await loadDrill(file, { readStdin });
        results.push({ file, valid: true, stepCount: drill.steps.length, issues: [] });
        if (!o.json && !o.quiet) {
          const line = `${file}: ok (${drill.name}, ${drill.steps.length} steps)`;
          await io.stdout.write(`${printable(line)}\n`);
        }
      } catch (err) {
        if (!(err instanceof DrillFileError)) throw userInputError(err);
        results.push({ file: err.file, valid: false, stepCount: null, issues: err.issues });
        if (!o.json) await io.stderr.write(formatDrillIssues(err));
      }
    }
    if (o.json) await writeJson(io, { files: results });
    const bad = results.filter((r) => !r.valid);
    if (bad.length) {
      const problems = bad.reduce((n, r) => n + r.issues.length, 0);
      throw new InputError(
        `malformed drill file${bad.length === 1 ? "" : "s"}: ${
          bad.map((r) => r.file).join(", ")
        } (${problems} problem${problems === 1 ? "" : "s"})`,
      );
    }
    return ExitCode.ok;
  },
};
export default command;
