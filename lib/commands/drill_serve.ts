// `toolkit drill serve [HOST:]PORT --db FILE`: the teacher's collector. Lab machines submit their
// drill reports with the class token; the dashboard (teacher token) shows the class live. The
// command runs in a scope of its own: listening on its address, reading and writing its database.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError } from "../cli/errors.ts";
import { writeNdjson } from "../cli/output.ts";
import { printableLine } from "../cli/report.ts";
import type { Narrowing } from "../scope/types.ts";
import { normalizeNetEntry } from "../scope/net_entry.ts";
import { targetArg } from "../cli/target_arg.ts";
import { collector } from "../collect/server.ts";
import { openStore, storeFiles, StoreFormatError } from "../collect/store.ts";
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

/**
 * Parses a size: bytes, or with a unit `K`/`KiB`, `M`/`MiB` (powers of 1024).
 *
 * @example
 * ```ts
 * parseSize("1M"); // 1048576
 * ```
 */
export function parseSize(text: string): number {
  const m = /^(\d{1,10})\s*(k|kib|m|mib|b)?$/i.exec(text.trim());
  if (!m) throw new SyntaxError(`Cannot parse size "${text}": use bytes, 64K or 1M`);
  const unit = (m[2] ?? "b").toLowerCase();
  return Number(m[1]) * (unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1);
}

/** The address students and the teacher's browser use: a wildcard bind shows a real address. */
function publicHost(host: string): string {
  if (host !== "0.0.0.0" && host !== "::") return host;
  try {
    const mine = Deno.networkInterfaces().find((i) =>
      i.family === (host === "::" ? "IPv6" : "IPv4") && !/^(127\.|::1$|fe80:)/i.test(i.address)
    );
    if (mine) return mine.address;
  } catch { /* not allowed to look: loopback still works for the teacher */ }
  return host === "::" ? "::1" : "127.0.0.1";
}

function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

const command: CommandModule<DrillServeOptions> = {
  spec: {
    usage: "[HOST:]PORT",
    description:
      "Collects drill reports from lab machines ('toolkit drill run NAME... --submit URL --token TOKEN') into a SQLite database and serves a live dashboard of the class: machines by drills, each cell opening the steps and the expected/received diff, with CSV and JUnit XML export. Listens on 127.0.0.1 unless a host is given (0.0.0.0:8080 for the lab network) and prints the dashboard URL, which carries the teacher token, and the class token students submit with. Submissions are appended, never overwritten; an answer of 201 means the submission is on disk. The command runs in a scope of its own: its address and its database files (see 'toolkit scope --for drill serve ...'). Prints one line per submission, or NDJSON with --json.",
    options: [
      {
        name: "db",
        type: "string",
        value: "FILE",
        complete: "file",
        default: "drills.db",
        description: "the SQLite database (created if missing; reopening it keeps the class)",
      },
      {
        name: "token",
        type: "string",
        value: "TOKEN",
        description: "the class token students submit with (default: a random one)",
      },
      {
        name: "teacher-token",
        type: "string",
        value: "TOKEN",
        description: "the dashboard's token (default: a random one)",
      },
      {
        name: "max-body",
        type: "string",
        value: "SIZE",
        default: "1M",
        description: "refuse larger submissions (413)",
      },
    ],
    examples: [
      "toolkit drill serve 0.0.0.0:8080 --db class.db",
      "toolkit drill serve 8080 --token lab-monday-2024",
      "toolkit --json drill serve 127.0.0.1:0 --db /tmp/class.db",
    ],
    positionals: { min: 1, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
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
    let maxBodyBytes: number;
    try {
      maxBodyBytes = parseSize((values["max-body"] as string | undefined) ?? "1M");
    } catch (err) {
      throw new UsageError(`--max-body: ${(err as Error).message}`, name);
    }
    if (maxBodyBytes < 1024 || maxBodyBytes > 256 * 1024 * 1024) {
      throw new UsageError("--max-body must be between 1K and 256M", name);
    }
    return {
      listen,
      db,
      classToken,
      teacherToken,
      maxBodyBytes,
      json: globals.json,
      quiet: globals.quiet,
    };
  },
  ownScope(o): Narrowing {
    const files = storeFiles(o.db);
    return {
      // Port 0 is a listen on a port the kernel picks; normalizeNetEntry takes ports from 1.
      net: [`${normalizeNetEntry(o.listen.host)}:${o.listen.port}`],
      read: files,
      write: files,
      run: [],
    };
  },
  async run(o, io) {
    const classToken = o.classToken ?? newToken();
    let teacherToken = o.teacherToken ?? newToken();
    while (teacherToken === classToken) teacherToken = newToken();
    let store;
    try {
      store = openStore(o.db);
    } catch (err) {
      if (err instanceof StoreFormatError) throw new InputError(err.message, { cause: err });
      throw err;
    }
    const previous = store.count();
    const now = () => new Date().toISOString();
    const c = collector({
      store,
      classToken,
      teacherToken,
      maxBodyBytes: o.maxBodyBytes,
      onSubmission: (s) => {
        const { machine, report } = s.submission;
        const failed = report.drills.filter((d) => d.status === "fail").map((d) => d.name);
        const line = o.json
          ? writeNdjson(io, {
            event: "submission",
            id: s.id,
            machine,
            time: s.receivedAt,
            remote: s.remote,
            passed: report.passed,
            failed: report.failed,
          })
          : io.stdout.write(
            `${
              clock(s.receivedAt)
            }  ${machine}  submission ${s.id}: ${report.passed}/${report.drills.length} drills passed${
              failed.length ? ` (failed: ${failed.join(", ")})` : ""
            }\n`,
          );
        line.catch(() => {});
      },
      onRefusal: (r) => {
        const line = o.json
          ? writeNdjson(io, {
            event: "refused",
            time: now(),
            remote: r.remote,
            httpStatus: r.status,
            reason: r.reason,
          })
          : o.quiet
          ? Promise.resolve()
          : io.stderr.write(
            printableLine(`${clock(now())}  refused ${r.remote}: ${r.reason} (${r.status})`) +
              "\n",
          );
        line.catch(() => {});
      },
    });
    const stop = new AbortController();
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname: o.listen.host,
        port: o.listen.port,
        signal: stop.signal,
        onListen: () => {},
        onError: () => new Response("internal error\n", { status: 500 }),
      }, c.handler);
    } catch (err) {
      c.close();
      store.close();
      throw netErrorFrom(err, formatHostPort(o.listen.host, o.listen.port));
    }
    const bound = formatHostPort(server.addr.hostname, server.addr.port);
    const base = `http://${formatHostPort(publicHost(server.addr.hostname), server.addr.port)}`;
    const dashboard = `${base}/?t=${teacherToken}`;
    if (o.json) {
      // On stdout with the submissions: it carries what a script needs (tokens, URLs). stderr
      // stays for warnings and the error, as JSON.
      await writeNdjson(io, {
        event: "listening",
        address: bound,
        dashboard,
        submitUrl: base,
        classToken,
        teacherToken,
        db: o.db,
        submissionCount: previous,
      });
    } else {
      await io.stderr.write(`listening on ${bound}\n`);
      await io.stdout.write(
        `dashboard (teacher only): ${dashboard}\n` +
          `students:  toolkit drill run NAME... --submit ${base} --token ${classToken}\n` +
          `database:  ${o.db} (${previous} submission${previous === 1 ? "" : "s"} so far)\n`,
      );
    }
    const done = new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.race([done, server.finished]);
    c.close();
    stop.abort();
    await server.finished;
    store.close();
    return io.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
  },
};
export default command;
