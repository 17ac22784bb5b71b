// `toolkit drill submit FILE... --to URL --token TOKEN`: sends the reports `drill run --submit`
// kept in its spool when the collector could not be reached. A file the collector stored is
// removed (unless --keep); the others stay for the next try.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { readFileLimited } from "../cli/io.ts";
import { writeJson } from "../cli/output.ts";
import { formatError, printableLine } from "../cli/report.ts";
import { sendSubmission } from "../collect/submit.ts";
import { parseSubmission, SubmissionError } from "../collect/submission.ts";
import {
  type Collector,
  collectorArgs,
  collectorToken,
  failureOf,
  tokenFileOption,
  tokenOption,
} from "./_submit.ts";

/** Parsed `drill submit` options. */
export interface DrillSubmitOptions {
  files: string[];
  to: Collector;
  keep: boolean;
}

const name = "drill submit";

/** Largest spool file read: far above any real report, and below what a collector would take. */
const maxFileBytes = 64 << 20;

const command: CommandModule<DrillSubmitOptions> = {
  spec: {
    usage: "FILE... --to URL [--token TOKEN | --token-file FILE]",
    description:
      "Sends submissions that 'drill run --submit' kept in its spool directory (drill-spool/ by default) because the collector could not be reached. Each file is checked first; a file the collector stores is removed unless --keep is given. Each report carries its own key (Idempotency-Key): a file sent twice, after an answer was lost, is stored once. The class token comes from --token, --token-file or the environment's TOOLKIT_DRILL_TOKEN. Stops at the first file that cannot be delivered. Exit status 0 when every file was sent, 2 when a file is not a submission or the collector refused one (wrong token, too large, quota used up), 3 when the collector cannot be reached or asks to wait (429; the files stay).",
    options: [
      {
        name: "to",
        type: "string",
        value: "URL",
        description: "the collector's URL, as 'drill serve' printed it (http://HOST:PORT)",
      },
      tokenOption,
      tokenFileOption,
      { name: "keep", type: "boolean", description: "keep the files after sending them" },
    ],
    examples: [
      "toolkit drill submit drill-spool/*.json --to http://127.0.0.1:8080 --token Kq3xV9dPz2LmW8rT5yHn4c",
      "toolkit drill submit drill-spool/*.json --to http://127.0.0.1:8080 --token-file class-token.txt",
    ],
    positionals: { min: 1, complete: "file" },
  },
  parse(args) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const url = values.to as string | undefined;
    if (url === undefined) throw new UsageError("missing --to URL (the collector)", name);
    return { files: positionals, to: collectorArgs(url, values, name), keep: values.keep === true };
  },
  async run(o, io) {
    const token = await collectorToken(o.to, name);
    const submitted: { file: string; id: number; machine: string }[] = [];
    const kept: { file: string; reason: string }[] = [];
    let failure: Error | undefined;
    let malformed = 0;
    for (const file of o.files) {
      if (failure) {
        kept.push({ file, reason: "not tried" });
        continue;
      }
      let body: string;
      let machine: string;
      let key: string | undefined;
      try {
        const bytes = await readFileLimited(file, { limit: maxFileBytes }).catch((err) => {
          throw err instanceof RangeError ? new SubmissionError(err.message) : err;
        });
        const submission = parseSubmission(new TextDecoder().decode(bytes));
        machine = submission.machine;
        key = submission.idempotencyKey;
        body = JSON.stringify(submission);
      } catch (err) {
        if (!(err instanceof SubmissionError)) throw err;
        malformed++;
        kept.push({ file, reason: err.message });
        // The next file is still tried: an error line per file, as JSON under --json.
        await io.stderr.write(
          io.globals.json
            ? formatError(
              {
                line: `${file}: ${err.message}`,
                code: ExitCode.usage,
                kind: "input",
                fields: { path: file },
              },
              { debug: false, json: true },
            )
            : printableLine(`toolkit: error: ${file}: ${err.message}`) + "\n",
        );
        continue;
      }
      const outcome = await sendSubmission(o.to.endpoint, token, body, {
        signal: io.signal,
        idempotencyKey: key,
      });
      if (outcome.kind === "stored") {
        if (!o.keep) await Deno.remove(file);
        submitted.push({ file, id: outcome.id, machine });
        if (!io.globals.json && !io.globals.quiet) {
          // The file name is the user's, and may hold anything a terminal would act on.
          await io.stdout.write(
            printableLine(
              `sent ${file}: ${machine}, submission ${outcome.id}${
                outcome.duplicate ? " (stored before: not stored again)" : ""
              }`,
            ) + "\n",
          );
        }
      } else {
        failure = failureOf(outcome, o.to);
        kept.push({ file, reason: outcome.reason });
      }
    }
    if (io.globals.json) await writeJson(io, { submitted, kept });
    if (failure) throw failure;
    if (malformed) return ExitCode.usage;
    return ExitCode.ok;
  },
};
export default command;
