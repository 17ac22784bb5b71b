// `toolkit drill run NAME|FILE...`: runs drills, each in a Worker whose permissions are exactly
// the drill's scope, and reports the results as text, JSON, TAP or JUnit XML.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError, userInputError } from "../cli/errors.ts";
import { builtinDrills } from "../drill/builtin.ts";
import { DrillFileError, formatDrillIssues } from "../drill/load.ts";
import { formatReport, type ReportFormat, reportFormats } from "../drill/report.ts";
import type { DrillResult } from "../drill/result.ts";
import { runDrill } from "../drill/runner.ts";
import { loadDrill, type LoadedDrill, stdinReader } from "../drill/source.ts";
import { ownModules } from "../cli/sandbox.ts";
import { checkOutputFile, writeOutputFile } from "../scope/files.ts";

/** Parsed `drill run` options. */
export interface DrillRunOptions {
  drills: string[];
  report: ReportFormat;
  out?: string;
  quiet: boolean;
  allowRemote: boolean;
}

const name = "drill run";

const command: CommandModule<DrillRunOptions> = {
  spec: {
    usage: "NAME|FILE|-... | --all",
    description:
      "Runs drills (built-in names, YAML/JSON files, or - for standard input) one after another. Each runs in its own sandbox whose network, file and program access is exactly the drill's scope: a step reaching outside it fails with the denied resource named. Steps run in order and a drill stops at its first failing step; a step that outlives its timeout is stopped and every socket is closed. Exit status 0 when every drill passes, 1 when any fails, 2 for a malformed drill file (nothing is run).",
    options: [
      {
        name: "all",
        short: "a",
        type: "boolean",
        description: "run every built-in drill",
      },
      {
        name: "report",
        short: "r",
        type: "string",
        value: "FORMAT",
        choices: reportFormats,
        default: "text",
        description: "report format (json also with --json)",
      },
      {
        name: "allow-remote",
        type: "boolean",
        description:
          "run drills whose scope reaches beyond loopback (other hosts, CIDRs, 0.0.0.0); without it such a drill fails unrun",
      },
      {
        name: "out",
        short: "o",
        type: "string",
        value: "FILE",
        complete: "file",
        description: "write the report to FILE (atomically) and a one-line summary to stdout",
      },
    ],
    examples: [
      "toolkit drill run udp-echo half-close",
      "toolkit drill run --all --report junit --out drills.xml",
      "toolkit drill run lab1.yaml --report tap",
    ],
    positionals: { complete: "drill" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const all = values.all === true;
    if (!all && positionals.length === 0) {
      throw new UsageError("missing drill: give NAME|FILE... or --all", name);
    }
    const drills = [...(all ? builtinDrills.map((d) => d.name) : []), ...positionals];
    // --json picks the JSON report unless a format was asked for.
    const explicit = args.some((a) => /^(--report(=|$)|-r)/.test(a));
    const report = (explicit ? values.report : globals.json ? "json" : "text") as ReportFormat;
    const out = values.out as string | undefined;
    if (out === "") throw new UsageError("--out needs a file name", name);
    return {
      drills,
      report,
      out,
      quiet: globals.quiet,
      allowRemote: values["allow-remote"] === true,
    };
  },
  async run(o, io) {
    // The report's file and every drill file are checked before anything runs: a typo in the
    // third file, or --out naming a directory, stops the run at once.
    if (o.out !== undefined) await checkOutputFile(o.out);
    const readStdin = stdinReader(io.stdin.readable);
    const loaded: LoadedDrill[] = [];
    const malformed: DrillFileError[] = [];
    for (const arg of o.drills) {
      try {
        loaded.push(await loadDrill(arg, { readStdin }));
      } catch (err) {
        if (!(err instanceof DrillFileError)) throw userInputError(err);
        malformed.push(err);
        await io.stderr.write(formatDrillIssues(err));
      }
    }
    if (malformed.length) {
      throw new InputError(
        `malformed drill file${malformed.length === 1 ? "" : "s"}: ${
          malformed.map((e) => e.file).join(", ")
        } (nothing was run)`,
      );
    }
    const results: DrillResult[] = [];
    // The drill engine runs toolkit commands for `run` steps through this host module.
    const commands = {
      host: new URL("../cli/drill_host.ts", import.meta.url),
      modules: ownModules(),
    };
    for (const { drill, source, base } of loaded) {
      if (io.signal.aborted) break;
      results.push(
        await runDrill(drill, {
          source,
          base,
          signal: io.signal,
          allowRemote: o.allowRemote,
          commands,
        }),
      );
    }
    const report = formatReport(results, o.report);
    if (o.out !== undefined) {
      await writeOutputFile(o.out, report);
      if (!o.quiet) {
        for (const r of results) {
          const failed = r.steps.find((s) => s.status === "fail");
          const why = failed ? `: step ${failed.index} ${failed.title}: ${failed.message}` : "";
          await io.stdout.write(
            `${r.status === "pass" ? "PASS" : "FAIL"} ${r.name}${
              why || (r.error ? `: ${r.error}` : "")
            }\n`,
          );
        }
      }
    } else await io.stdout.write(report);
    if (io.signal.aborted) return ExitCode.interrupted;
    return results.every((r) => r.status === "pass") ? ExitCode.ok : ExitCode.negative;
  },
};
export default command;
