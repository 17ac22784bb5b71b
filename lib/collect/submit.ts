// The lab machine's side of the collector: POST a submission with the class token, and when the
// collector cannot be reached keep it in a spool file that `drill submit` sends later. A refusal
// by the network scope (Deno's NotCapable) is not "unreachable": it is thrown as it is.
import type { Submission } from "./submission.ts";
import { confinePath } from "../scope/paths.ts";

/** What became of a submission. */
export type SubmitOutcome =
  /** `duplicate`: the collector had it already (the same Idempotency-Key), nothing new stored. */
  | { kind: "stored"; id: number; receivedAt: string; duplicate?: boolean }
  /** The collector answered and refused it (wrong token, too large, not a report). */
  | { kind: "refused"; status: number; reason: string }
  /** No answer, or the collector failed to store it (5xx) or asked to wait (429): try later. */
  | { kind: "unreachable"; reason: string; retryAfterSeconds?: number };

/**
 * The submission endpoint for a collector URL as `drill serve` prints it (`http://HOST:PORT`);
 * a URL already ending in `/api/submit` is kept. Throws `SyntaxError` for anything but http(s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { submitEndpoint } from "./submit.ts";
 *
 * assert.equal(submitEndpoint("http://127.0.0.1:8080").href, "http://127.0.0.1:8080/api/submit");
 * const full = "http://10.0.0.1/class/api/submit";
 * assert.equal(submitEndpoint(full).href, full);
 * assert.throws(() => submitEndpoint("ftp://10.0.0.1"), SyntaxError);
 * assert.throws(() => submitEndpoint("http://me:secret@10.0.0.1"), /give the token with --token/);
 * ```
 */
export function submitEndpoint(collector: string): URL {
  let url: URL;
  try {
    url = new URL(collector);
  } catch {
    throw new SyntaxError(`Cannot parse collector URL "${collector}": use http://HOST:PORT`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SyntaxError(`Cannot use collector URL "${collector}": it must start with http://`);
  }
  if (url.username || url.password) {
    throw new SyntaxError(`Cannot use collector URL "${collector}": give the token with --token`);
  }
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/api/submit")) {
    url.pathname = url.pathname.replace(/\/*$/, "") + "/api/submit";
  }
  return url;
}

function describeFailure(err: unknown): string {
  if (err instanceof DOMException && err.name === "TimeoutError") return "timed out";
  const cause = (err as { cause?: unknown })?.cause;
  const text = cause instanceof Error ? cause.message : (err as Error)?.message ?? String(err);
  const known: [RegExp, string][] = [
    [/connection refused/i, "connection refused"],
    [/failed to lookup|name or service not known|dns error/i, "name not resolved"],
    [/no route to host|host is unreachable/i, "host unreachable"],
    [/network is unreachable/i, "network unreachable"],
    [/connection reset|connection closed|broken pipe/i, "connection reset"],
    [/timed out/i, "timed out"],
    [/blocked/i, text],
  ];
  return known.find(([re]) => re.test(text))?.[1] ?? text.replace(/\s*\(os error \d+\)/, "");
}

/**
 * Sends a submission's JSON text to `endpoint` with the class token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendSubmission, submitEndpoint } from "./submit.ts";
 *
 * // A stand-in collector on loopback: stores what comes with the right token.
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) =>
 *   req.headers.get("authorization") === "Bearer Kq3xV9dPz2LmW8rT5yHn4c"
 *     ? Response.json({ id: 7, receivedAt: "2025-03-01T09:00:01.000Z" }, { status: 201 })
 *     : Response.json({ error: "wrong class token" }, { status: 401 }));
 * try {
 *   const endpoint = submitEndpoint(`http://127.0.0.1:${server.addr.port}`);
 *   assert.deepEqual(await sendSubmission(endpoint, "Kq3xV9dPz2LmW8rT5yHn4c", "{}"), {
 *     kind: "stored",
 *     id: 7,
 *     receivedAt: "2025-03-01T09:00:01.000Z",
 *   });
 *   assert.deepEqual(await sendSubmission(endpoint, "not-the-token", "{}"), {
 *     kind: "refused",
 *     status: 401,
 *     reason: "wrong class token",
 *   });
 * } finally {
 *   await server.shutdown();
 * }
 * // Nobody listening: keep it and try later.
 * const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * closed.close();
 * const endpoint = submitEndpoint(`http://127.0.0.1:${closed.addr.port}`);
 * assert.deepEqual(await sendSubmission(endpoint, "Kq3xV9dPz2LmW8rT5yHn4c", "{}"), {
 *   kind: "unreachable",
 *   reason: "connection refused",
 * });
 * ```
 */
export async function sendSubmission(
  endpoint: URL,
  token: string,
  body: string,
  options: { timeoutMs?: number; signal?: AbortSignal; idempotencyKey?: string } = {},
): Promise<SubmitOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "authorization": `Bearer ${token}`,
        "content-type": "application/json",
        ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
      },
      body,
      signal,
      redirect: "error",
    });
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable) throw err;
    if (options.signal?.aborted) throw options.signal.reason;
    return { kind: "unreachable", reason: describeFailure(err) };
  }
  let answer: { id?: unknown; receivedAt?: unknown; error?: unknown } = {};
  try {
    answer = await response.json();
  } catch { /* not JSON: the status says enough */ }
  if ((response.status === 201 || response.status === 200) && typeof answer.id === "number") {
    return {
      kind: "stored",
      id: answer.id,
      receivedAt: String(answer.receivedAt),
      ...(response.status === 200 ? { duplicate: true } : {}),
    };
  }
  if (response.ok) {
    // Whether it was stored is unknown: keep the report (its Idempotency-Key makes a resend safe).
    return {
      kind: "unreachable",
      reason: `the collector answered ${response.status} without a submission id ` +
        "(is it a toolkit drill serve?)",
    };
  }
  const reason = typeof answer.error === "string"
    ? answer.error
    : `HTTP ${response.status} ${response.statusText}`.trim();
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    const wait = response.headers.get("retry-after");
    return {
      kind: "unreachable",
      reason: `the collector answered ${response.status}: ${reason}`,
      ...(wait && /^\d{1,6}$/.test(wait) ? { retryAfterSeconds: Number(wait) } : {}),
    };
  }
  return { kind: "refused", status: response.status, reason };
}

/**
 * Keeps a submission in `dir` (created if needed) for `drill submit`; returns the file's path.
 * Written under a temporary name and renamed, so a spool file is always whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { spoolSubmission } from "./submit.ts";
 * import { parseSubmission, type Submission } from "./submission.ts";
 *
 * const drill: DrillResult = {
 *   name: "tcp-echo",
 *   source: "built-in",
 *   status: "pass",
 *   durationMs: 9,
 *   scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [],
 * };
 * const all = { all: true, grants: [] };
 * const submission: Submission = {
 *   machine: "pc01",
 *   toolkitVersion: "0.1.0",
 *   ranAt: "2025-03-01T09:00:00Z",
 *   scope: { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all },
 *   report: { drills: [drill], passed: 1, failed: 0 },
 * };
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = await spoolSubmission(`${dir}/spool`, submission);
 *   assert.match(path, /\/spool\/pc01-20250301T090000Z-[0-9a-f]{6}\.json$/);
 *   assert.deepEqual(parseSubmission(await Deno.readTextFile(path)), submission);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function spoolSubmission(spool: string, submission: Submission): Promise<string> {
  // Under a narrowed scope the directory is checked by where it leads (lib/scope/paths.ts).
  const dir = await confinePath(spool, "write");
  await Deno.mkdir(dir, { recursive: true });
  const stamp = submission.ranAt.replace(/[-:]/g, "").replace(/\.\d+/, "");
  const path = `${dir.replace(/\/+$/, "")}/${submission.machine}-${stamp}-${
    crypto.randomUUID().slice(0, 6)
  }.json`;
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(submission, null, 2) + "\n", { createNew: true });
  await Deno.rename(tmp, path);
  return path;
}
