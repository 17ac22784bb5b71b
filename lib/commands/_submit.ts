// Shared by `drill run --submit` and `drill submit`: the options that name a collector, and what a
// lab machine tells its user when a submission is stored, refused (exit 2) or cannot be delivered
// (exit 3, with the spool file that keeps it).
import type { OptionSpec, OptionValues } from "../cli/args.ts";
import { InputError, UsageError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { printableLine } from "../cli/report.ts";
import { writeWarning } from "../cli/output.ts";
import { effectiveScope } from "../scope/effective.ts";
import { sendSubmission, spoolSubmission, submitEndpoint } from "../collect/submit.ts";
import { machineNamePattern, type Submission } from "../collect/submission.ts";
import { tokenPattern } from "../collect/tokens.ts";
import { formatJsonReport } from "../drill/report.ts";
import type { DrillResult } from "../drill/result.ts";
import { NetError, type NetFailure } from "../net/errors.ts";
import config from "../../deno.json" with { type: "json" };

/** Where a submission goes. */
export interface Collector {
  /** The URL as given (`http://HOST:PORT`), for messages. */
  url: string;
  endpoint: URL;
  token: string;
}

/** The `--token` option both commands take. */
export const tokenOption: OptionSpec = {
  name: "token",
  type: "string",
  value: "TOKEN",
  description: "the class token 'drill serve' printed",
};

/**
 * Reads the collector URL and `--token` into a {@linkcode Collector}; usage errors name `command`.
 *
 * @example
 * ```ts
 * collectorArgs("http://127.0.0.1:8080", values, "drill submit").endpoint.pathname; // "/api/submit"
 * ```
 */
export function collectorArgs(url: string, values: OptionValues, command: string): Collector {
  let endpoint: URL;
  try {
    endpoint = submitEndpoint(url);
  } catch (err) {
    throw new UsageError((err as Error).message, command);
  }
  const token = values.token as string | undefined;
  if (token === undefined) {
    throw new UsageError("missing --token (the class token 'drill serve' printed)", command);
  }
  if (!tokenPattern.test(token)) {
    throw new UsageError("--token must be 8 to 128 letters, digits, - or _", command);
  }
  return { url, endpoint, token };
}

/**
 * Checks a machine name given with `--as` (a hostname's characters, at most 64).
 *
 * @example
 * ```ts
 * machineArg("pc-07", "drill run"); // "pc-07"
 * ```
 */
export function machineArg(name: string, command: string): string {
  if (!new RegExp(machineNamePattern).test(name)) {
    throw new UsageError(
      `--as: "${name}" is not a machine name (letters, digits, . _ -, at most 64)`,
      command,
    );
  }
  return name;
}

/**
 * This machine's submission of a run: the JSON report, the machine's name (its hostname unless
 * given), the toolkit version and the scope the drills ran under, read back from Deno.
 *
 * @example
 * ```ts
 * const s = await buildSubmission(results, { ranAt: new Date() });
 * ```
 */
export async function buildSubmission(
  results: readonly DrillResult[],
  options: { machine?: string; ranAt: Date },
): Promise<Submission> {
  let machine = options.machine;
  if (machine === undefined) {
    const host = Deno.hostname();
    if (!new RegExp(machineNamePattern).test(host)) {
      throw new InputError(`this machine's name "${host}" cannot be used: give --as NAME`);
    }
    machine = host;
  }
  return {
    machine,
    toolkitVersion: config.version,
    ranAt: options.ranAt.toISOString(),
    scope: await effectiveScope(),
    report: JSON.parse(formatJsonReport(results)),
  };
}

const failures: NetFailure[] = [
  "connection refused",
  "connection reset",
  "timed out",
  "host unreachable",
  "network unreachable",
  "name not resolved",
];

/**
 * Sends one submission. Resolves with its id when the collector stored it; otherwise keeps it in
 * `spoolDir`, prints the spool file's path, and throws: `InputError` (exit 2) when the collector
 * refused it, `NetError` (exit 3) when it could not be reached.
 *
 * @example
 * ```ts
 * const id = await deliver(io, submission, collector, { spoolDir: "drill-spool" });
 * ```
 */
export async function deliver(
  io: Io,
  submission: Submission,
  to: Collector,
  options: { spoolDir: string },
): Promise<number> {
  const outcome = await sendSubmission(to.endpoint, to.token, JSON.stringify(submission), {
    signal: io.signal,
  });
  if (outcome.kind === "stored") {
    // Under --json stdout holds the report and stderr only warnings and errors: the exit code
    // says the submission was stored.
    if (!io.globals.quiet && !io.globals.json) {
      await io.stderr.write(
        `submitted to ${to.url} as ${submission.machine} (submission ${outcome.id})\n`,
      );
    }
    return outcome.id;
  }
  const path = await spoolSubmission(options.spoolDir, submission);
  const kept = `kept the report in ${path}; send it later with: toolkit drill submit ${path} ` +
    `--to ${to.url} --token TOKEN`;
  if (io.globals.json) await writeWarning(io, kept);
  else await io.stderr.write(printableLine(kept) + "\n");
  throw failureOf(outcome, to);
}

/**
 * The error for a submission that was not stored: exit 2 for a refusal, 3 for no delivery.
 *
 * @example
 * ```ts
 * throw failureOf({ kind: "unreachable", reason: "connection refused" }, collector);
 * ```
 */
export function failureOf(
  outcome: { kind: "refused"; status: number; reason: string } | {
    kind: "unreachable";
    reason: string;
  },
  to: Collector,
): Error {
  if (outcome.kind === "refused") {
    return new InputError(
      `the collector refused the submission: ${outcome.reason} (HTTP ${outcome.status})`,
    );
  }
  const failure = failures.find((f) => f === outcome.reason);
  return failure
    ? new NetError(failure, `collector ${to.endpoint.href}`)
    : new NetError("network error", `collector ${to.endpoint.href}: ${outcome.reason}`);
}
