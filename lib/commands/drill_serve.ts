// `toolkit drill serve [HOST:]PORT --db FILE`: the teacher's collector. Lab machines submit their
// drill reports with the class token; the dashboard (teacher token) shows the class live. The
// command runs in a scope of its own: listening on its address, reading and writing its database.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError } from "../cli/errors.ts";
import { writeNdjson, writeWarning } from "../cli/output.ts";
import { printableLine } from "../cli/report.ts";
import type { Narrowing } from "../scope/types.ts";
import { normalizeNetEntry } from "../scope/net_entry.ts";
import { activeScope } from "../scope/active.ts";
import { resolvePath } from "../scope/paths.ts";
import { targetArg } from "../cli/target_arg.ts";
import { defaultHttpLimits, serveHttp } from "../collect/http.ts";
import { parseRate, type Rate, Throttle } from "../collect/limits.ts";
import { collector } from "../collect/server.ts";
import { dbInGrants, openStore, storeFiles, StoreFormatError } from "../collect/store.ts";
import { newToken, tokenPattern } from "../collect/tokens.ts";
import { formatHostPort, type HostPort } from "../net/address.ts";
import { netErrorFrom } from "../net/errors.ts";

/** Parsed `drill serve` options. */
export interface DrillServeOptions {
  listen: HostPort;
  db: string;
  classToken?: string;
  teacherToken?: string;
  maxBodyBytes: number;
  rate: Rate;
  quotaBytes: number;
  maxConnections: number;
  maxDashboards: number;
  json: boolean;
  quiet: boolean;
}

const name = "drill serve";

/**
 * Ports that browsers and fetch() refuse to connect to (the WHATWG Fetch "bad port" list): a
 * collector there could be neither opened in a browser nor reached by `drill run --submit`.
 */
const badPorts = new Set([
  1,
  7,
  9,
  11,
  13,
  15,
  17,
  19,
  20,
  21,
  22,
  23,
  25,
  37,
  42,
  43,
  53,
  69,
  77,
  79,
  87,
  95,
  101,
  102,
  103,
  104,
  109,
  110,
  111,
  113,
  115,
  117,
  119,
  123,
  135,
  137,
  139,
  143,
  161,
  179,
  389,
  427,
  465,
  512,
  513,
  514,
  515,
  526,
  530,
  531,
  532,
  540,
  548,
  554,
  556,
  563,
  587,
  601,
  636,
  989,
  990,
  993,
  995,
  1719,
  1720,
  1723,
  2049,
  3659,
  4045,
  4190,
  5060,
  5061,
  6000,
  6566,
  6665,
  6666,
  6667,
  6668,
  6669,
  6679,
  6697,
  10080,
]);

/** Environment variables the command reads (colours, width, --debug's), when this process may. */
const ownEnv = ["NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "TOOLKIT_DEBUG"];

/**
 * Parses a size: bytes, or with a unit `K`/`KiB`, `M`/`MiB` (powers of 1024).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSize } from "./drill_serve.ts";
 *
 * assert.equal(parseSize("1M"), 1048576);
 * assert.equal(parseSize("512K"), 524288);
 * assert.equal(parseSize("100"), 100); // bytes
 * assert.throws(() => parseSize("1X"), {
 *   name: "SyntaxError",
 *   message: 'Cannot parse size "1X": use bytes, 64K, 1M or 1G',
 * });
 * ```
 */
export function parseSize(text: string): number {
  const m = /^(\d{1,10})\s*(k|kib|m|mib|g|gib|b)?$/i.exec(text.trim());
  if (!m) throw new SyntaxError(`Cannot parse size "${text}": use bytes, 64K, 1M or 1G`);
  const unit = (m[2] ?? "b").toLowerCase();
  const scale = unit.startsWith("k")
    ? 1 << 10
    : unit.startsWith("m")
    ? 1 << 20
    : unit.startsWith("g")
    ? 1 << 30
    : 1;
  return Number(m[1]) * scale;
}

/** A size as --max-body and --quota take it: `1K`, `256M`, `1024G`. */
function describeSize(bytes: number): string {
  for (const [unit, scale] of [["G", 1 << 30], ["M", 1 << 20], ["K", 1 << 10]] as const) {
    if (bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes} bytes`;
}

/**
 * The URLs students and the teacher's browser can use: the bound address, or for a wildcard bind
 * every address of this machine in that family (`::` also takes IPv4), the first not loopback
 * (Flask and Jupyter print every address too). Loopback alone when interfaces cannot be listed.
 */
function listenUrls(host: string, port: number): string[] {
  const url = (h: string) => `http://${formatHostPort(h, port)}`;
  if (host !== "0.0.0.0" && host !== "::") return [url(host)];
  let found: Deno.NetworkInterfaceInfo[] = [];
  try {
    found = Deno.networkInterfaces().filter((i) =>
      (i.family === "IPv4" || host === "::") && !/^fe80:/i.test(i.address)
    );
  } catch { /* not allowed to look: loopback still works for the teacher */ }
  const loopback = (a: string) => /^127\.|^::1$/.test(a);
  const ordered = [
    ...found.filter((i) => !loopback(i.address) && i.family === "IPv4"),
    ...found.filter((i) => !loopback(i.address) && i.family === "IPv6"),
    ...found.filter((i) => loopback(i.address)),
  ].map((i) => i.address);
  const unique = [...new Set(ordered)];
  if (!unique.some(loopback)) unique.push(host === "::" ? "::1" : "127.0.0.1");
  return unique.map(url);
}

function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

/** A whole number option of at least 1 (and at most `max`). */
function countOption(
  values: Record<string, unknown>,
  option: string,
  fallback: number,
  max: number,
) {
  const text = values[option] as string | undefined;
  if (text === undefined) return fallback;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`--${option} must be a whole number from 1 to ${max}`, name);
  }
  return Number(text);
}

const command: CommandModule<DrillServeOptions> = {
  spec: {
    usage: "[HOST:]PORT",
    description:
      "Collects drill reports from lab machines ('toolkit drill run NAME... --submit URL --token TOKEN') into a SQLite database and serves a live dashboard of the class: machines by drills, each cell opening the steps and the expected/received diff, with CSV and JUnit XML export; the teacher can hide a machine or a drill (its data stays). Listens on 127.0.0.1 unless a host is given (0.0.0.0:8080 for the lab network) and prints the dashboard URL, which carries the teacher token, and the class token students submit with; both are kept in the database, so a restart on it prints the same ones. Submissions are appended, never overwritten; an answer of 201 means the submission is on disk. Each machine and each address has a rate (--rate) and a quota of stored bytes (--quota); connections have header, idle and body timeouts and a cap per address. The command runs in a scope of its own: its address and its database files (see 'toolkit scope --for drill serve ...'). Prints one line per submission, or NDJSON with --json.",
    options: [
      {
        name: "db",
        type: "string",
        value: "FILE",
        complete: "file",
        default: "drills.db",
        description:
          "the SQLite database (created if missing; reopening it keeps the class and the tokens)",
      },
      {
        name: "token",
        type: "string",
        value: "TOKEN",
        description:
          "the class token students submit with (default: the database's, else a random one); a new one replaces the database's",
      },
      {
        name: "teacher-token",
        type: "string",
        value: "TOKEN",
        description: "the dashboard's token (default: the database's, else a random one)",
      },
      {
        name: "max-body",
        type: "string",
        value: "SIZE",
        default: "1M",
        description: "refuse larger submissions (413)",
      },
      {
        name: "rate",
        type: "string",
        value: "RATE",
        complete: "none",
        default: "30/min",
        description:
          "submissions each machine and each address may send: COUNT/PERIOD (s, min, h), COUNT at once; more are 429 with Retry-After",
      },
      {
        name: "quota",
        type: "string",
        value: "SIZE",
        default: "32M",
        description: "bytes of submissions each machine and each address may have stored (403)",
      },
      {
        name: "max-connections",
        type: "string",
        value: "N",
        default: String(defaultHttpLimits.maxConnectionsPerAddress),
        description: "open connections from one address; more are turned away (429)",
      },
      {
        name: "max-dashboards",
        type: "string",
        value: "N",
        default: "64",
        description: "dashboards streaming live updates at once; more wait and retry (503)",
      },
    ],
    examples: [
      "toolkit drill serve 0.0.0.0:8080 --db class.db",
      "toolkit drill serve 8080 --token Wq7Rf2kXc9ZpL4vN8sJd3m",
      "toolkit drill serve 127.0.0.1:0 --db /tmp/class.db --rate 120/min --quota 64M",
      "toolkit --json drill serve 127.0.0.1:0 --db /tmp/class.db",
    ],
    positionals: { min: 1, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(positionals[0])) {
      throw new UsageError(
        `give the address to listen on as [HOST:]PORT, not a URL (${positionals[0]})`,
        name,
      );
    }
    const listen = targetArg(positionals[0], name, {
      defaultHost: "127.0.0.1",
      allowPortZero: true,
    });
    if (badPorts.has(listen.port)) {
      throw new UsageError(
        `port ${listen.port} is one browsers refuse to open (choose another, such as 8080)`,
        name,
      );
    }
    const db = (values.db as string | undefined) ?? "drills.db";
    if (db === "" || db.includes("\0")) throw new UsageError("--db needs a file name", name);
    if (db === ":memory:" || db.startsWith("file:")) {
      throw new UsageError("--db takes a file path (the class must survive a restart)", name);
    }
    const token = (option: string) => {
      const v = values[option] as string | undefined;
      if (v !== undefined && !tokenPattern.test(v)) {
        throw new UsageError(
          `--${option} must be 8 to 128 letters, digits, - or _ (URL-safe)`,
          name,
        );
      }
      return v;
    };
    const classToken = token("token");
    const teacherToken = token("teacher-token");
    if (classToken !== undefined && classToken === teacherToken) {
      throw new UsageError("--token and --teacher-token must differ (students know one)", name);
    }
    const size = (option: string, fallback: string, min: number, max: number) => {
      let bytes: number;
      try {
        bytes = parseSize((values[option] as string | undefined) ?? fallback);
      } catch (err) {
        const why = (err as Error).message;
        throw new UsageError(`--${option}: ${why[0].toLowerCase()}${why.slice(1)}`, name);
      }
      if (bytes < min || bytes > max) {
        throw new UsageError(
          `--${option} must be between ${describeSize(min)} and ${describeSize(max)}`,
          name,
        );
      }
      return bytes;
    };
    const maxBodyBytes = size("max-body", "1M", 1024, 256 * 1024 * 1024);
    const quotaBytes = size("quota", "32M", 1024, 1024 * 1024 * 1024 * 1024);
    let rate: Rate;
    try {
      rate = parseRate((values.rate as string | undefined) ?? "30/min");
    } catch (err) {
      const why = (err as Error).message;
      throw new UsageError(`--rate: ${why[0].toLowerCase()}${why.slice(1)}`, name);
    }
    return {
      listen,
      db,
      classToken,
      teacherToken,
      maxBodyBytes,
      rate,
      quotaBytes,
      maxConnections: countOption(
        values,
        "max-connections",
        defaultHttpLimits.maxConnectionsPerAddress,
        100_000,
      ),
      maxDashboards: countOption(values, "max-dashboards", 64, 10_000),
      json: globals.json,
      quiet: globals.quiet,
    };
  },
  async ownScope(o): Promise<Narrowing> {
    // The database where --db leads (its links followed), and the files SQLite keeps beside it
    // there: Deno checks a path as written, so the command opens the resolved one too.
    let db = o.db;
    try {
      const resolved = await resolvePath(o.db);
      // Where this process may not go, the scope is built from the path as written, and the
      // sandbox names where it leads as the part it cannot grant.
      if (Deno.permissions.querySync({ name: "read", path: resolved }).state === "granted") {
        db = resolved;
      }
    } catch { /* unreadable here: the scope resolves it and says why */ }
    const files = storeFiles(db);
    const wildcard = o.listen.host === "0.0.0.0" || o.listen.host === "::";
    const granted = (desc: Deno.PermissionDescriptor) =>
      Deno.permissions.querySync(desc).state === "granted";
    return {
      // Port 0 is a listen on a port the kernel picks; normalizeNetEntry takes ports from 1.
      net: [`${normalizeNetEntry(o.listen.host)}:${o.listen.port}`],
      read: files,
      write: files,
      run: [],
      env: ownEnv.filter((variable) => granted({ name: "env", variable })),
      // Listing interfaces only to print the addresses a wildcard bind is reachable at.
      sys: wildcard && granted({ name: "sys", kind: "networkInterfaces" })
        ? ["networkInterfaces"]
        : [],
    };
  },
  async run(o, io) {
    // Inside its own scope, the database is the one that scope holds: --db resolved.
    const scope = activeScope();
    const dbPath = (scope && dbInGrants((scope.kinds.write ?? []).map((g) => g.entry))) ?? o.db;
    let store;
    try {
      store = openStore(dbPath);
    } catch (err) {
      if (err instanceof StoreFormatError) throw new InputError(err.message, { cause: err });
      throw err;
    }
    const kept = store.tokens();
    const classToken = o.classToken ?? kept.classToken ?? newToken();
    let teacherToken = o.teacherToken ?? kept.teacherToken ?? newToken();
    while (teacherToken === classToken) teacherToken = newToken();
    const warnings: string[] = [];
    if (kept.classToken && classToken !== kept.classToken) {
      warnings.push(
        `--token replaces the class token kept in ${o.db}: reports sent with the old one are refused (401)`,
      );
    }
    if (kept.teacherToken && teacherToken !== kept.teacherToken) {
      warnings.push(
        `--teacher-token replaces the dashboard token kept in ${o.db}: open dashboards must be reloaded from the new URL`,
      );
    }
    try {
      store.saveTokens({ classToken, teacherToken });
    } catch (err) {
      store.close();
      throw new InputError(`cannot keep the tokens in ${o.db}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const previous = store.count();
    const now = () => new Date().toISOString();
    // One log line per address and kind of refusal every 10 s: a flood of wrong tokens is one
    // line with a count, not thousands.
    const throttle = new Throttle(10_000);
    const log = (line: Promise<void>) => void line.catch(() => {});
    const onRefusal = (r: { remote: string; status: number; reason: string }) => {
      // Keyed by the reason's kind (before its first colon): a flood of bodies each wrong in
      // its own way is still one kind of refusal.
      const kind = r.reason.split(":")[0];
      const { show, suppressed } = throttle.admit(`${r.remote} ${r.status} ${kind}`);
      if (!show) return;
      const more = suppressed ? ` (and ${suppressed} more like it since)` : "";
      const what = r.status >= 500 ? "could not store a submission from" : "refused";
      log(
        o.json
          ? writeNdjson(io, {
            event: "refused",
            time: now(),
            remote: r.remote,
            httpStatus: r.status,
            reason: r.reason,
            ...(suppressed ? { suppressed } : {}),
          })
          : o.quiet && r.status < 500
          ? Promise.resolve()
          : io.stderr.write(
            printableLine(
              `${clock(now())}  ${what} ${r.remote}: ${r.reason} (${r.status})${more}`,
            ) + "\n",
          ),
      );
    };
    const c = collector({
      store,
      classToken,
      teacherToken,
      maxBodyBytes: o.maxBodyBytes,
      maxEventStreams: o.maxDashboards,
      rate: o.rate,
      quotaBytes: o.quotaBytes,
      onSubmission: (s) => {
        const { machine, report } = s.submission;
        const failed = report.drills.filter((d) => d.status === "fail").map((d) => d.name);
        const notes = [
          ...(s.arrivedLate ? ["ran before a submission stored earlier: out of order"] : []),
          ...(s.previousRemote ? [`from ${s.remote}, its last one from ${s.previousRemote}`] : []),
        ];
        log(
          o.json
            ? writeNdjson(io, {
              event: "submission",
              id: s.id,
              machine,
              time: s.receivedAt,
              remote: s.remote,
              passed: report.passed,
              failed: report.failed,
              ranAt: s.submission.ranAt,
              ...(s.arrivedLate ? { arrivedLate: true } : {}),
              ...(s.previousRemote ? { previousRemote: s.previousRemote } : {}),
            })
            : io.stdout.write(
              `${
                clock(s.receivedAt)
              }  ${machine}  submission ${s.id}: ${report.passed}/${report.drills.length} drills passed${
                failed.length ? ` (failed: ${failed.join(", ")})` : ""
              }${notes.length ? ` [${notes.join("; ")}]` : ""}\n`,
            ),
        );
      },
      onRefusal,
      onHidden: (h) => {
        log(
          o.json
            ? writeNdjson(io, {
              event: "hidden",
              time: now(),
              kind: h.kind,
              name: h.name,
              hidden: h.hidden,
              remote: h.remote,
            })
            : io.stdout.write(
              `${clock(now())}  ${h.hidden ? "hid" : "showed again"} ${h.kind} ${h.name}\n`,
            ),
        );
      },
    });
    let listener: Deno.TcpListener;
    try {
      listener = Deno.listen({ hostname: o.listen.host, port: o.listen.port });
    } catch (err) {
      c.close();
      store.close();
      throw netErrorFrom(err, formatHostPort(o.listen.host, o.listen.port));
    }
    const server = serveHttp(listener, c.handler, {
      limits: { maxConnectionsPerAddress: o.maxConnections },
      onAcceptFailure: (f) => {
        if (f.kind !== "descriptors") return;
        const { show, suppressed } = throttle.admit(`accept ${f.code}`);
        if (!show) return;
        const line = `accept failed: ${f.message}; retrying in ${f.retryInMs} ms` +
          (suppressed ? ` (and ${suppressed} more since)` : "");
        log(writeWarning(io, line));
      },
      onConnectionRefused: (remote, status, reason) => onRefusal({ remote, status, reason }),
    });
    const addr = listener.addr as Deno.NetAddr;
    const bound = formatHostPort(addr.hostname, addr.port);
    const urls = listenUrls(addr.hostname, addr.port);
    const base = urls[0];
    const dashboard = `${base}/?t=${teacherToken}`;
    const keptNote = kept.classToken && classToken === kept.classToken
      ? "; tokens kept from its last run"
      : "";
    if (o.json) {
      // On stdout with the submissions: it carries what a script needs (tokens, URLs). stderr
      // stays for warnings and the error, as JSON.
      await writeNdjson(io, {
        event: "listening",
        address: bound,
        dashboard,
        submitUrl: base,
        urls,
        classToken,
        teacherToken,
        db: o.db,
        submissionCount: previous,
        rate: { limit: o.rate.count, periodMs: o.rate.periodMs },
        quotaSize: o.quotaBytes,
      });
    } else {
      await io.stderr.write(`listening on ${bound}\n`);
      await io.stdout.write(
        `dashboard (teacher only): ${dashboard}\n` +
          `students:  toolkit drill run NAME... --submit ${base} --token ${classToken}\n` +
          (urls.length > 1 ? `also at:   ${urls.slice(1).join(", ")}\n` : "") +
          `database:  ${o.db} (${previous} submission${
            previous === 1 ? "" : "s"
          } so far${keptNote})\n`,
      );
    }
    for (const w of warnings) await writeWarning(io, w);
    const interrupted = new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    // The server ends on its own only when its listener fails for good.
    const failed = await Promise.race([interrupted, server.finished]).then(
      () => undefined,
      (err) => err,
    );
    c.close();
    await server.close().catch(() => {});
    store.close();
    if (failed !== undefined) throw failed;
    return io.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
  },
};
export default command;
