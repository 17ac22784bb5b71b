// Shared by `drill run --submit` and `drill submit`: the options that name a collector and give the
// class token (on the command line, in a file or in the environment, out of `ps` and the shell's
// history), and what a lab machine tells its user when a submission is stored, refused (exit 2)
// or cannot be delivered (exit 3, with the spool file that keeps it).
import type { OptionSpec, OptionValues } from "../cli/args.ts";
import { InputError, UsageError } from "../cli/errors.ts";
import { type Io, readEnv, readFileLimited } from "../cli/io.ts";
import { printableLine } from "../cli/report.ts";
import { writeWarning } from "../cli/output.ts";
import { effectiveScope } from "../scope/effective.ts";
import { sendSubmission, spoolSubmission, submitEndpoint } from "../collect/submit.ts";
import { machineNamePattern, type Submission } from "../collect/submission.ts";
import { newToken, tokenPattern } from "../collect/tokens.ts";
import { formatJsonReport } from "../drill/report.ts";
import type { DrillResult } from "../drill/result.ts";
import { NetError, type NetFailure } from "../net/errors.ts";
import { ScopeError } from "../scope/errors.ts";
import config from "../../deno.json" with { type: "json" };

/** Where a submission goes. */
export interface Collector {
  /** The URL as given (`http://HOST:PORT`), for messages. */
  url: string;
  endpoint: URL;
  /** `--token`, when given. */
  token?: string;
  /** `--token-file`, when given. */
  tokenFile?: string;
}

/** The environment variable that holds the class token when no option gives it. */
export const tokenEnv = "TOOLKIT_DRILL_TOKEN";

/** The `--token` option both commands take. */
export const tokenOption: OptionSpec = {
  name: "token",
  type: "string",
  value: "TOKEN",
  description: `the class token 'drill serve' printed (or --token-file, or ${tokenEnv})`,
};

/** The `--token-file` option both commands take. */
export const tokenFileOption: OptionSpec = {
  name: "token-file",
  type: "string",
  value: "FILE",
  complete: "file",
  description: "read the class token from FILE (keeps it out of ps and the shell history)",
};

/**
 * Reads the collector URL and `--token` into a {@linkcode Collector}; usage errors name `command`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectorArgs } from "./_submit.ts";
 *
 * const collector = collectorArgs("http://127.0.0.1:8080", {}, "drill submit");
 * assert.equal(collector.endpoint.href, "http://127.0.0.1:8080/api/submit");
 * assert.throws(() => collectorArgs("http://127.0.0.1:8080", { token: "x" }, "drill submit"), {
 *   name: "UsageError",
 *   message: "--token must be 8 to 128 letters, digits, - or _",
 * });
 * assert.throws(() => collectorArgs("ftp://x", {}, "drill submit"), {
 *   name: "UsageError",
 *   message: 'Cannot use collector URL "ftp://x": it must start with http://',
 * });
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
  const tokenFile = values["token-file"] as string | undefined;
  if (token !== undefined && tokenFile !== undefined) {
    throw new UsageError("give the class token once: --token or --token-file", command);
  }
  if (token !== undefined && !tokenPattern.test(token)) {
    throw new UsageError("--token must be 8 to 128 letters, digits, - or _", command);
  }
  if (tokenFile === "") throw new UsageError("--token-file needs a file name", command);
  return { url, endpoint, token, tokenFile };
}

/**
 * The class token: `--token`, else the first line of `--token-file`, else the environment's
 * `TOOLKIT_DRILL_TOKEN`. A missing one is a usage error; a file's content is never echoed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectorArgs, collectorToken } from "./_submit.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/token`, "abcdefgh12345678\n");
 * const collector = collectorArgs("http://127.0.0.1:8080", { "token-file": `${dir}/token` }, "drill submit");
 * assert.equal(await collectorToken(collector, "drill submit"), "abcdefgh12345678"); // its first line
 * await Deno.writeTextFile(`${dir}/token`, "\n");
 * await assert.rejects(collectorToken(collector, "drill submit"), {
 *   name: "UsageError",
 *   message: `--token-file ${dir}/token is empty`,
 * });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function collectorToken(to: Collector, command: string): Promise<string> {
  if (to.token !== undefined) return to.token;
  let token: string | undefined;
  let from: string;
  if (to.tokenFile !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = await readFileLimited(to.tokenFile, { limit: 4096 });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw new InputError(`--token-file: ${to.tokenFile} is larger than a token file can be`);
    }
    token = new TextDecoder().decode(bytes).split(/\r?\n/)[0].trim();
    from = `--token-file ${to.tokenFile}`;
  } else {
    token = readEnv(tokenEnv)?.trim();
    from = tokenEnv;
  }
  if (token === undefined || token === "") {
    throw new UsageError(
      to.tokenFile === undefined
        ? `missing --token (the class token 'drill serve' printed; or --token-file FILE, or ${tokenEnv})`
        : `${from} is empty`,
      command,
    );
  }
  if (!tokenPattern.test(token)) {
    throw new InputError(`the token in ${from} is not one: 8 to 128 letters, digits, - or _`);
  }
  return token;
}

/**
 * Checks a machine name given with `--as` (a hostname's characters, at most 64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { machineArg } from "./_submit.ts";
 *
 * assert.equal(machineArg("pc-07", "drill run"), "pc-07");
 * assert.throws(() => machineArg("pc 07", "drill run"), {
 *   name: "UsageError",
 *   message: '--as: "pc 07" is not a machine name (letters, digits, . _ -, at most 64)',
 * });
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
 * import assert from "node:assert/strict";
 * import { buildSubmission } from "./_submit.ts";
 *
 * const s = await buildSubmission([], { machine: "pc-07", ranAt: new Date("2026-11-24T08:00:00Z") });
 * assert.equal(s.machine, "pc-07");
 * assert.equal(s.ranAt, "2026-11-24T08:00:00.000Z");
 * assert.deepEqual(s.report, { drills: [], passed: 0, failed: 0 });
 * assert.match(s.idempotencyKey ?? "", /^[\w-]{16,}$/); // new for each submission
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
    // Sent as the Idempotency-Key and kept in a spool file: a report resent after a lost
    // answer is stored once.
    idempotencyKey: newToken(),
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
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { buildSubmission, collectorArgs, deliver } from "./_submit.ts";
 *
 * // A collector that cannot be reached (a loopback port nothing listens on any more): the report
 * // is kept in the spool directory, the path printed, and the error is exit 3's.
 * const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const url = `http://127.0.0.1:${closed.addr.port}`;
 * closed.close();
 * const dir = await Deno.makeTempDir();
 * const io = memoryIo();
 * const submission = await buildSubmission([], { machine: "pc-07", ranAt: new Date() });
 * await assert.rejects(
 *   deliver(io, submission, collectorArgs(url, {}, "drill submit"), {
 *     spoolDir: `${dir}/spool`,
 *     token: "abcdefgh12345678",
 *   }),
 *   { name: "NetError", message: `connection refused (collector ${url}/api/submit)` },
 * );
 * const [kept] = [...Deno.readDirSync(`${dir}/spool`)].map((e) => `${dir}/spool/${e.name}`);
 * assert.equal(
 *   io.stderrText(),
 *   `kept the report in ${kept}; send it later with: toolkit drill submit ${kept} ` +
 *     `--to ${url} --token TOKEN\n`,
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function deliver(
  io: Io,
  submission: Submission,
  to: Collector,
  options: { spoolDir: string; token: string },
): Promise<number> {
  const outcome = await sendSubmission(to.endpoint, options.token, JSON.stringify(submission), {
    signal: io.signal,
    idempotencyKey: submission.idempotencyKey,
  });
  if (outcome.kind === "stored") {
    // Under --json stdout holds the report and stderr only warnings and errors: the exit code
    // says the submission was stored.
    if (!io.globals.quiet && !io.globals.json) {
      await io.stderr.write(
        `submitted to ${to.url} as ${submission.machine} (submission ${outcome.id}${
          outcome.duplicate ? ", stored before" : ""
        })\n`,
      );
    }
    return outcome.id;
  }
  const failure = failureOf(outcome, to);
  let path: string;
  try {
    path = await spoolSubmission(options.spoolDir, submission);
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable || err instanceof ScopeError) throw err;
    // Not delivered and not kept: say both, with the delivery's exit code (the report itself
    // is on stdout or in --out).
    const why = errorMessage(err);
    const where = `the report could not be kept in ${options.spoolDir}: ${why}`;
    throw failure instanceof NetError
      ? new NetError(failure.failure, `${failure.address}; ${where}`, { cause: err })
      : new InputError(`${failure.message}; ${where}`, { cause: err });
  }
  const kept = `kept the report in ${path}; send it later with: toolkit drill submit ${path} ` +
    `--to ${to.url} --token TOKEN`;
  if (io.globals.json) await writeWarning(io, kept);
  else await io.stderr.write(printableLine(kept) + "\n");
  throw failure;
}

function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\(os error \d+\)/, "").replace(/^./, (c) => c.toLowerCase());
}

/**
 * The error for a submission that was not stored: exit 2 for a refusal, 3 for no delivery.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectorArgs, failureOf } from "./_submit.ts";
 *
 * const collector = collectorArgs("http://127.0.0.1:8080", {}, "drill submit");
 * const refused = failureOf({ kind: "refused", status: 403, reason: "bad token" }, collector);
 * assert.equal(refused.name, "InputError"); // exit 2
 * assert.equal(refused.message, "the collector refused the submission: bad token (HTTP 403)");
 * const lost = failureOf({ kind: "unreachable", reason: "connection refused" }, collector);
 * assert.equal(lost.name, "NetError"); // exit 3
 * assert.equal(lost.message, "connection refused (collector http://127.0.0.1:8080/api/submit)");
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
