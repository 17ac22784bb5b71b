// The collector's HTTP side: lab machines POST their reports with the class token; the teacher's
// browser reads the dashboard, its JSON and a Server-Sent Events stream with the teacher token.
// A submission is checked in this order: token (401, nothing read or stored), the address's rate
// (429, every attempt counts), size (413), JSON and schema (400 with the reason), the machine's
// rate (429), the machine's and the address's quota (403), then stored; the 201 goes out only
// once it is on disk.
import { dashboardPage } from "./dashboard.ts";
import { classCsv, classJunit } from "./export.ts";
import { describeRate, type Rate, RateLimiter } from "./limits.ts";
import { classResults, machineEntries, submissionMeta } from "./results.ts";
import {
  type HiddenKind,
  IdempotencyConflict,
  type StoredSubmission,
  type SubmissionStore,
} from "./store.ts";
import type { HttpRequestInfo } from "./http.ts";
import {
  checkSubmission,
  machineNamePattern,
  notJsonReason,
  SubmissionError,
} from "./submission.ts";
import { tokensEqual } from "./tokens.ts";

/** What the collector needs. */
export interface CollectorOptions {
  store: SubmissionStore;
  classToken: string;
  teacherToken: string;
  /** Largest submission body accepted, in bytes. */
  maxBodyBytes: number;
  /** Most dashboards streaming events at once (default 64); more get 503 and retry later. */
  maxEventStreams?: number;
  /** Submissions each machine and each address may send (default: no limit). */
  rate?: Rate;
  /** Bytes of submissions each machine and each address may have stored (default: no limit). */
  quotaBytes?: number;
  /** Told about each stored submission (the command prints a line). */
  onSubmission?: (s: StoredSubmission) => void;
  /** Told about each refused request: submissions, and wrong or missing teacher tokens. */
  onRefusal?: (r: { remote: string; status: number; reason: string }) => void;
  /** Told when the teacher hides a machine or a drill, or shows it again. */
  onHidden?: (h: { kind: HiddenKind; name: string; hidden: boolean; remote: string }) => void;
}

const securityHeaders = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value) + "\n", {
    status,
    headers: { ...securityHeaders, "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function attachment(body: string, type: string, name: string): Response {
  return new Response(body, {
    headers: {
      ...securityHeaders,
      "content-type": `${type}; charset=utf-8`,
      "content-disposition": `attachment; filename="${name}"`,
    },
  });
}

function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  return m?.[1];
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Reads at most `limit` bytes of a body; `undefined` when it is longer (the rest is not read). */
async function readCapped(req: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) return undefined;
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function mebibytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${Math.round(bytes / (1 << 20))} MiB` : `${bytes} bytes`;
}

/** The collector: an HTTP handler, and `close()` to end the event streams. */
export interface Collector {
  handler: (req: Request, info: HttpRequestInfo) => Promise<Response>;
  /** Ends every event stream, so the server can shut down. */
  close(): void;
}

/**
 * Builds the collector's request handler.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { serveHttp } from "./http.ts";
 * import { collector } from "./server.ts";
 * import { openStore } from "./store.ts";
 * import { sendSubmission, submitEndpoint } from "./submit.ts";
 * import type { Submission } from "./submission.ts";
 *
 * const all = { all: true, grants: [] };
 * const scope = { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all };
 * const drill = (name: string): DrillResult => ({
 *   name,
 *   source: "built-in",
 *   status: "pass",
 *   durationMs: 9,
 *   scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [],
 * });
 * const submission = (machine: string, ranAt: string, ...drills: string[]): Submission => ({
 *   machine,
 *   toolkitVersion: "0.1.0",
 *   ranAt,
 *   scope,
 *   report: { drills: drills.map(drill), passed: drills.length, failed: 0 },
 * });
 * const dir = await Deno.makeTempDir();
 * const store = openStore(`${dir}/class.db`);
 * const classToken = "Kq3xV9dPz2LmW8rT5yHn4c", teacherToken = "w4N8kq0SxTfa2LrV7bYc1d";
 * const c = collector({ store, classToken, teacherToken, maxBodyBytes: 1 << 20 });
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const server = serveHttp(listener, c.handler);
 * const url = `http://127.0.0.1:${listener.addr.port}`;
 * try {
 *   // A lab machine submits with the class token...
 *   const body = JSON.stringify(submission("pc01", new Date().toISOString(), "tcp-echo"));
 *   const outcome = await sendSubmission(submitEndpoint(url), classToken, body);
 *   assert.equal(outcome.kind, "stored");
 *   assert.equal((await sendSubmission(submitEndpoint(url), "wrong-token", body)).kind, "refused");
 *   // ...and the teacher reads the class with the teacher token.
 *   const res = await fetch(`${url}/api/results`, {
 *     headers: { authorization: `Bearer ${teacherToken}` },
 *   });
 *   const results = await res.json();
 *   assert.deepEqual(results.drills, ["tcp-echo"]);
 *   assert.equal(results.machines[0].machine, "pc01");
 *   const denied = await fetch(`${url}/api/results`);
 *   assert.equal(denied.status, 401);
 *   await denied.body?.cancel();
 * } finally {
 *   c.close();
 *   await server.close();
 *   store.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function collector(options: CollectorOptions): Collector {
  const { store, classToken, teacherToken, maxBodyBytes } = options;
  const maxStreams = options.maxEventStreams ?? 64;
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  const byAddress = options.rate ? new RateLimiter(options.rate) : undefined;
  const byMachine = options.rate ? new RateLimiter(options.rate) : undefined;
  const broadcast = (text: string) => {
    const bytes = encoder.encode(text);
    for (const c of streams) {
      try {
        c.enqueue(bytes);
      } catch {
        streams.delete(c);
      }
    }
  };
  const heartbeat = setInterval(() => broadcast(": keep-alive\n\n"), 15_000);

  const refuse = (remote: string, status: number, reason: string, headers = {}) => {
    options.onRefusal?.({ remote, status, reason });
    return json(status, { error: reason }, headers);
  };

  const tooMany = (remote: string, who: string, wait: number) => {
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    return refuse(
      remote,
      429,
      `too many submissions from ${who}: at most ${describeRate(options.rate!)} ` +
        `(try again in ${seconds} s)`,
      { "retry-after": String(seconds) },
    );
  };

  async function submit(req: Request, remote: string): Promise<Response> {
    const token = bearer(req);
    if (token === undefined || !tokensEqual(token, classToken)) {
      return refuse(remote, 401, token === undefined ? "no class token" : "wrong class token", {
        "www-authenticate": 'Bearer realm="drill submissions"',
      });
    }
    // Every attempt with the class token counts for its address, before the body is read: a
    // flood of bodies (stored or refused) costs a header each once the address is over its rate.
    const fromAddress = byAddress?.take(remote);
    if (fromAddress && !fromAddress.ok) return tooMany(remote, remote, fromAddress.retryAfterMs);
    const body = await readCapped(req, maxBodyBytes);
    if (body === undefined) {
      return refuse(remote, 413, `the submission is larger than ${maxBodyBytes} bytes`);
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    } catch {
      return refuse(remote, 400, "the body is not UTF-8 text");
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return refuse(remote, 400, `the body is not JSON: ${notJsonReason(text)}`);
    }
    let submission;
    try {
      submission = checkSubmission(value);
    } catch (err) {
      if (err instanceof SubmissionError) return refuse(remote, 400, err.message);
      throw err;
    }
    const headerKey = req.headers.get("idempotency-key") ?? undefined;
    if (headerKey !== undefined && !/^[A-Za-z0-9_-]{16,64}$/.test(headerKey)) {
      return refuse(remote, 400, "the Idempotency-Key must be 16 to 64 letters, digits, - or _");
    }
    if (
      headerKey !== undefined && submission.idempotencyKey !== undefined &&
      headerKey !== submission.idempotencyKey
    ) {
      return refuse(remote, 400, "the Idempotency-Key header and the report's key differ");
    }
    const key = headerKey ?? submission.idempotencyKey;
    const machine = submission.machine;
    const fromMachine = byMachine?.check(machine);
    if (fromMachine && !fromMachine.ok) return tooMany(remote, machine, fromMachine.retryAfterMs);
    if (options.quotaBytes !== undefined) {
      for (const [kind, who] of [["machine", machine], ["remote", remote]] as const) {
        const used = store.storedBytes(kind, who);
        if (used + body.length > options.quotaBytes) {
          return refuse(
            remote,
            403,
            `${who} has ${mebibytes(used)} of submissions stored, and its quota is ` +
              `${mebibytes(options.quotaBytes)}: the teacher can raise it (drill serve --quota)`,
          );
        }
      }
    }
    byMachine?.take(machine);
    let stored: StoredSubmission;
    try {
      stored = await store.append(submission, { remote, body: text, idempotencyKey: key });
    } catch (err) {
      if (err instanceof IdempotencyConflict) return refuse(remote, 422, err.message);
      return refuse(remote, 503, `the collector could not store it: ${(err as Error).message}`);
    }
    const answer = {
      id: stored.id,
      machine: stored.submission.machine,
      receivedAt: stored.receivedAt,
    };
    // A resend of a stored report: the first answer again, nothing new stored or announced.
    if (stored.duplicate) return json(200, { ...answer, duplicate: true });
    options.onSubmission?.(stored);
    if (streams.size && !store.isHidden("machine", machine)) {
      const [entry] = machineEntries(store, machine);
      if (entry) {
        broadcast(`id: ${stored.id}\nevent: submission\ndata: ${JSON.stringify(entry)}\n\n`);
      }
    }
    return json(201, answer);
  }

  async function hide(req: Request, remote: string, origin: string): Promise<Response> {
    // A cross-site form cannot send JSON, and a cross-site script cannot without a preflight.
    const sentFrom = req.headers.get("origin");
    if (sentFrom !== null && sentFrom !== origin) {
      return json(403, { error: "not from the dashboard's own page" });
    }
    if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? "")) {
      return json(415, { error: "send JSON: {kind, name, hidden}" });
    }
    const body = await readCapped(req, 4096);
    let value: { kind?: unknown; name?: unknown; hidden?: unknown } | undefined;
    try {
      value = body && JSON.parse(new TextDecoder().decode(body));
    } catch { /* below */ }
    const kind = value?.kind;
    const name = value?.name;
    if (
      (kind !== "machine" && kind !== "drill") || typeof name !== "string" ||
      typeof value?.hidden !== "boolean"
    ) {
      return json(400, {
        error: 'send {"kind": "machine" or "drill", "name": NAME, "hidden": true or false}',
      });
    }
    const known = kind === "machine"
      ? store.machines(name).length > 0
      : store.drills().includes(name);
    if (!known) return json(404, { error: `no such ${kind}` });
    store.setHidden(kind, name, value.hidden, remote);
    options.onHidden?.({ kind, name, hidden: value.hidden, remote });
    broadcast(`event: hidden\ndata: ${JSON.stringify({ kind, name, hidden: value.hidden })}\n\n`);
    return json(200, { kind, name, hidden: value.hidden });
  }

  function events(): Response {
    if (streams.size >= maxStreams) {
      return json(503, { error: `already ${maxStreams} dashboards streaming` }, {
        "retry-after": "10",
      });
    }
    let self: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        self = c;
        streams.add(c);
        c.enqueue(encoder.encode("retry: 2000\n: connected\n\n"));
      },
      cancel() {
        streams.delete(self);
      },
    });
    return new Response(body, {
      headers: {
        ...securityHeaders,
        "content-type": "text/event-stream; charset=utf-8",
        "x-accel-buffering": "no",
      },
    });
  }

  function dashboard(setCookie?: string): Response {
    const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    return new Response(dashboardPage(nonce), {
      headers: {
        ...securityHeaders,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; ` +
          `style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; ` +
          `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        ...(setCookie ? { "set-cookie": setCookie } : {}),
      },
    });
  }

  async function handler(req: Request, info: HttpRequestInfo): Promise<Response> {
    const url = new URL(req.url);
    const remote = info.remoteAddr.hostname ?? "unknown";
    const path = url.pathname;
    if (path === "/api/submit") {
      if (req.method !== "POST") {
        return json(405, { error: "POST a submission" }, { allow: "POST" });
      }
      return await submit(req, remote);
    }
    const writes = path === "/api/hidden";
    if (writes ? req.method !== "POST" : req.method !== "GET" && req.method !== "HEAD") {
      return json(405, { error: `${req.method} is not served here` }, {
        allow: writes ? "POST" : "GET",
      });
    }
    const known = path === "/" || path === "/api/results" || path === "/api/events" ||
      path === "/export.csv" || path === "/export.xml" || writes ||
      path.startsWith("/api/machines/") || path.startsWith("/api/submissions/");
    if (!known) return json(404, { error: "not found" });
    // The teacher token comes in the printed URL (?t=), then as a cookie the page sets, so it can
    // leave the address bar; scripts may send it as a bearer token. Cookies ignore ports, hence
    // the port in the cookie's name.
    const cookieName = `toolkit_teacher_${url.port || "80"}`;
    const fromUrl = url.searchParams.get("t") ?? undefined;
    const given = fromUrl ?? bearer(req) ?? cookie(req, cookieName);
    if (given === undefined || !tokensEqual(given, teacherToken)) {
      refuse(remote, 401, given === undefined ? "no teacher token" : "wrong teacher token");
      return json(401, {
        error: "the dashboard needs the teacher token: open the URL `drill serve` printed",
      });
    }
    if (path === "/") {
      return dashboard(
        fromUrl === undefined
          ? undefined
          : `${cookieName}=${teacherToken}; Path=/; HttpOnly; SameSite=Strict`,
      );
    }
    if (writes) return await hide(req, remote, `${url.protocol}//${url.host}`);
    if (path === "/api/results") {
      const collector = { submitUrl: `${url.protocol}//${url.host}`, classToken };
      return json(200, { ...classResults(store), collector });
    }
    if (path === "/api/events") return events();
    if (path === "/export.csv") {
      // Excel reads a CSV as the system's code page unless it starts with a byte order mark.
      const bom = url.searchParams.get("bom") === "1" ? "\ufeff" : "";
      return attachment(bom + classCsv(machineEntries(store)), "text/csv", "drills.csv");
    }
    if (path === "/export.xml") {
      return attachment(classJunit(machineEntries(store)), "application/xml", "drills.junit.xml");
    }
    const history = /^\/api\/machines\/([^/]+)\/submissions$/.exec(path);
    if (history) {
      let machine: string;
      try {
        machine = decodeURIComponent(history[1]);
      } catch {
        return json(404, { error: "no such machine" });
      }
      if (!new RegExp(machineNamePattern).test(machine)) {
        return json(404, { error: "no such machine" });
      }
      const entries = store.history(machine);
      return entries.length
        ? json(200, { machine, hidden: store.isHidden("machine", machine), submissions: entries })
        : json(404, { error: "no such machine" });
    }
    const one = /^\/api\/submissions\/(\d{1,15})$/.exec(path);
    const stored = one ? store.get(Number(one[1])) : undefined;
    if (!stored) return json(404, { error: "no such submission" });
    return json(200, {
      machine: stored.submission.machine,
      ...submissionMeta(stored),
      drills: stored.submission.report.drills,
    });
  }

  return {
    handler,
    close() {
      clearInterval(heartbeat);
      for (const c of streams) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      streams.clear();
    },
  };
}
