// `toolkit drill run NAME|FILE...`: runs drills, each in a Worker whose permissions are exactly
// the drill's scope, and reports the results as text, JSON, TAP or JUnit XML.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError, userInputError } from "../cli/errors.ts";
import { builtinDrills } from "../drill/builtin.ts";
import { DrillFileError } from "../drill/load.ts";
import { reportDrillIssues } from "./_drill_issues.ts";
import { formatReport, type ReportFormat, reportFormats } from "../drill/report.ts";
import type { DrillResult } from "../drill/result.ts";
import { runDrill } from "../drill/runner.ts";
import { loadDrill, type LoadedDrill, stdinReader } from "../drill/source.ts";
import { ownModules } from "../cli/sandbox.ts";
import { checkOutputFile, writeOutputFile } from "../scope/files.ts";
import { printable } from "../text/printable.ts";
import {
  buildSubmission,
  type Collector,
  collectorArgs,
  collectorToken,
  deliver,
  machineArg,
  tokenFileOption,
  tokenOption,
} from "./_submit.ts";

/** Parsed `drill run` options. */
export interface DrillRunOptions {
  drills: string[];
  report: ReportFormat;
  out?: string;
  quiet: boolean;
  allowRemote: boolean;
  allowLocal: boolean;
  /** `--submit URL --token TOKEN`: send the JSON report to a `drill serve` collector. */
  submit?: Collector;
  /** `--as NAME`: the machine's name in the submission (default: its hostname). */
  as?: string;
  /** Where an undelivered submission is kept. */
  spool: string;
}

const name = "drill run";

/**
 * Refuses an `--out` that is one of the drill files being run (same device and inode, so a
 * symlink or a hard link counts): the report would overwrite the drill.
 */
async function refuseDrillAsOut(out: string, loaded: readonly LoadedDrill[]): Promise<void> {
  const info = await Deno.stat(out).catch(() => undefined);
  for (const { source } of loaded) {
    if (source === "built-in" || source === "<stdin>") continue;
    const input = info && (await Deno.stat(source).catch(() => undefined));
    const same = input && input.ino !== null && input.dev === info!.dev &&
      input.ino === info!.ino;
    if (same || source === out) {
      throw new UsageError(
        `--out ${out} is the drill file ${source}: the report would overwrite it`,
        name,
      );
    }
  }
}

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
        name: "allow-local",
        type: "boolean",
        description:
          "run drills whose scope reaches this machine beyond their own ports and tmp directory (another program's port or socket, your files, programs other than ss, environment variables); without it such a drill fails unrun",
      },
      {
        name: "out",
        short: "o",
        type: "string",
        value: "FILE",
        complete: "file",
        description: "write the report to FILE (atomically) and a one-line summary to stdout",
      },
      {
        name: "submit",
        type: "string",
        value: "URL",
        description:
          "also send the JSON report to a 'drill serve' collector (exit 3, report spooled, if it cannot be reached)",
      },
      {
        ...tokenOption,
        description: "the class token for --submit (or --token-file, or TOOLKIT_DRILL_TOKEN)",
      },
      tokenFileOption,
      {
        name: "as",
        type: "string",
        value: "NAME",
        description: "the machine's name for --submit (default: the hostname)",
      },
      {
        name: "spool",
        type: "string",
        value: "DIR",
        complete: "file",
        default: "drill-spool",
        description: "where --submit keeps a report it could not deliver",
      },
    ],
    examples: [
      "toolkit drill run udp-echo half-close",
      "toolkit drill run --all --report junit --out drills.xml",
      "toolkit drill run lab1.yaml --report tap",
      "toolkit drill run tcp-echo udp-echo --submit http://127.0.0.1:8080 --token Kq3xV9dPz2LmW8rT5yHn4c",
      "toolkit drill run tcp-echo --submit http://127.0.0.1:8080 --token-file class-token.txt",
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
    const url = values.submit as string | undefined;
    for (const needs of ["token", "token-file", "as", "spool"]) {
      if (
        url === undefined && values[needs] !== undefined &&
        args.some((a) => a.startsWith(`--${needs}`))
      ) {
        throw new UsageError(`--${needs} goes with --submit URL`, name);
      }
    }
    const spool = (values.spool as string | undefined) ?? "drill-spool";
    if (spool === "") throw new UsageError("--spool needs a directory", name);
    return {
      drills,
      report,
      out,
      quiet: globals.quiet,
      allowRemote: values["allow-remote"] === true,
      allowLocal: values["allow-local"] === true,
      submit: url === undefined ? undefined : collectorArgs(url, values, name),
      as: values.as === undefined ? undefined : machineArg(values.as as string, name),
      spool,
    };
  },
  async run(o, io) {
    // The report's file, every drill file and the class token are checked before anything runs:
    // a typo in the third file, or --out naming a directory, stops the run at once.
    if (o.out !== undefined) await checkOutputFile(o.out);
    const token = o.submit ? await collectorToken(o.submit, name) : undefined;
    const readStdin = stdinReader(io.stdin.readable);
    const loaded: LoadedDrill[] = [];
    const malformed: DrillFileError[] = [];
    for (const arg of o.drills) {
      try {
        loaded.push(await loadDrill(arg, { readStdin }));
      } catch (err) {
        if (!(err instanceof DrillFileError)) throw userInputError(err);
        malformed.push(err);
        await reportDrillIssues(io, err);
      }
    }
    if (malformed.length) {
      throw new InputError(
        `malformed drill file${malformed.length === 1 ? "" : "s"}: ${
          malformed.map((e) => e.file).join(", ")
        } (nothing was run)`,
      );
    }
    if (o.out !== undefined) await refuseDrillAsOut(o.out, loaded);
    const results: DrillResult[] = [];
    // The drill engine runs toolkit commands for `run` steps through this host module.
    const commands = {
      host: new URL("../cli/drill_host.ts", import.meta.url),
      modules: ownModules(),
    };
    const ranAt = new Date();
    for (const { drill, source, base } of loaded) {
      if (io.signal.aborted) break;
      results.push(
        await runDrill(drill, {
          source,
          base,
          signal: io.signal,
          allowRemote: o.allowRemote,
          allowLocal: o.allowLocal,
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
          const line = `${r.status === "pass" ? "PASS" : "FAIL"} ${r.name}${
            why || (r.error ? `: ${r.error}` : "")
          }`;
          await io.stdout.write(`${printable(line)}\n`);
        }
      }
    } else await io.stdout.write(report);
    if (io.signal.aborted) return ExitCode.interrupted;
    if (o.submit) {
      const submission = await buildSubmission(results, { machine: o.as, ranAt });
      await deliver(io, submission, o.submit, { spoolDir: o.spool, token: token! });
    }
    return results.every((r) => r.status === "pass") ? ExitCode.ok : ExitCode.negative;
  },
};
export default command;
