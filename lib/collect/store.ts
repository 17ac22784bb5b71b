// The collector's database: one SQLite file (node:sqlite, built into Deno) in WAL mode with
// synchronous=FULL, so a commit has reached the disk (the WAL is fsynced) before the HTTP answer
// goes out. Submissions are only ever appended: triggers refuse UPDATE and DELETE, and so are the
// tokens and the teacher's hide/restore decisions, whose latest row is the one in force. Concurrent
// submissions are committed together (one transaction, one fsync) to keep a class's burst fast.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Submission } from "./submission.ts";

/** A stored submission: what the machine sent, and what the collector saw. */
export interface StoredSubmission {
  id: number;
  /** When the collector stored it (ISO 8601, UTC). */
  receivedAt: string;
  /** The address it came from. */
  remote: string;
  submission: Submission;
  /** Its drills ran before a submission of the same machine stored earlier (a late spool file). */
  arrivedLate?: boolean;
  /** The machine's previous submission came from this other address. */
  previousRemote?: string;
  /** A resend of a stored submission (same Idempotency-Key): nothing new was stored. */
  duplicate?: boolean;
}

/** What {@linkcode SubmissionStore.append} is told besides the submission. */
export interface AppendMeta {
  remote: string;
  /** The body as received (default: the submission as JSON). */
  body?: string;
  /** The client's key for this report: a second append with it returns the first. */
  idempotencyKey?: string;
}

/** A machine or a drill the teacher hid from the class view (its data stays). */
export type HiddenKind = "machine" | "drill";

/** The two tokens a collector keeps in its database so a restart keeps them. */
export interface StoredTokens {
  classToken?: string;
  teacherToken?: string;
}

/** A submission in a machine's history: counts only. */
export interface HistoryEntry {
  id: number;
  receivedAt: string;
  ranAt: string;
  /** The address it came from. */
  remote: string;
  passed: number;
  failed: number;
  /** It ran before a submission stored earlier: it arrived out of order. */
  arrivedLate: boolean;
}

/**
 * The same Idempotency-Key came with another report: the client reused a key it must not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IdempotencyConflict } from "./store.ts";
 *
 * const conflict = new IdempotencyConflict(17);
 * assert.equal(conflict.id, 17);
 * assert.equal(conflict.message, "this Idempotency-Key came with another report (submission 17)");
 * ```
 */
export class IdempotencyConflict extends Error {
  constructor(readonly id: number) {
    super(`this Idempotency-Key came with another report (submission ${id})`);
    this.name = "IdempotencyConflict";
  }
}

/** 'tkdc' (toolkit drill collector): marks a database as ours before anything is written to it. */
const applicationId = 0x746b6463;
const schemaVersion = 2;

/** `ranAt` as stored for ordering: ISO 8601 with milliseconds, so text order is time order. */
function normalRanAt(ranAt: string): string {
  const t = Date.parse(ranAt);
  return Number.isNaN(t) ? ranAt : new Date(t).toISOString();
}

/**
 * The database is not a collector's: another application's SQLite file, or not SQLite at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openStore, StoreFormatError } from "./store.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/notes.txt`, "not a database, but notes\n".repeat(100));
 *   assert.throws(() => openStore(`${dir}/notes.txt`), StoreFormatError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class StoreFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreFormatError";
  }
}

/** Options for {@linkcode openStore}. */
export interface StoreOptions {
  /** Commits wait this long for more submissions to join them (default 0: the next tick). */
  groupWindowMs?: number;
}

/**
 * The collector's store. Appends are batched: `append` resolves once its batch is on disk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { openStore } from "./store.ts";
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
 * try {
 *   const both = submission("pc01", "2025-03-01T09:00:00Z", "tcp-echo", "udp-echo");
 *   assert.equal((await store.append(both, { remote: "10.0.0.7" })).id, 1);
 *   const pc02 = submission("pc02", "2025-03-01T09:01:00Z", "udp-echo");
 *   await store.append(pc02, { remote: "10.0.0.8" });
 *   // A report pc01 spooled before the one above, sent late and from another address.
 *   const spooled = submission("pc01", "2025-03-01T08:30:00Z", "tcp-echo");
 *   const late = await store.append(spooled, { remote: "10.0.0.9" });
 *   assert.equal(late.arrivedLate, true);
 *   assert.equal(late.previousRemote, "10.0.0.7");
 *
 *   assert.equal(store.count(), 3);
 *   assert.deepEqual(store.drills(), ["tcp-echo", "udp-echo"]);
 *   // pc01's latest tcp-echo is still in submission 1: the late one ran before it.
 *   assert.deepEqual(store.latestCells("pc01"), [
 *     { machine: "pc01", drill: "tcp-echo", id: 1 },
 *     { machine: "pc01", drill: "udp-echo", id: 1 },
 *   ]);
 *   assert.deepEqual(store.machines(), [
 *     { machine: "pc01", submissions: 2, lastId: 3, addresses: 2 },
 *     { machine: "pc02", submissions: 1, lastId: 2, addresses: 1 },
 *   ]);
 *   const history = store.history("pc01"); // newest first
 *   assert.deepEqual(history.map((h) => [h.id, h.arrivedLate]), [[3, true], [1, false]]);
 *   assert.equal(store.get(2)?.submission.machine, "pc02");
 *   assert.equal(store.storedBytes("remote", "10.0.0.8"), JSON.stringify(pc02).length);
 * } finally {
 *   store.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class SubmissionStore {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #insertResult: StatementSync;
  readonly #byKey: StatementSync;
  readonly #cells: StatementSync;
  readonly #cellsOf: StatementSync;
  readonly #machines: StatementSync;
  readonly #machine: StatementSync;
  readonly #lastOf: StatementSync;
  /** Drill names in the order the class first submitted them, kept in memory (read per event). */
  readonly #drillOrder: string[];
  readonly #history: StatementSync;
  readonly #byId: StatementSync;
  readonly #count: StatementSync;
  readonly #insertToken: StatementSync;
  readonly #insertHidden: StatementSync;
  /** What is hidden now: `machine:NAME` / `drill:NAME`, from the latest row of each. */
  readonly #hidden = new Set<string>();
  /** Bytes stored per machine and per address (the quotas read them per submission). */
  readonly #bytes = { machine: new Map<string, number>(), remote: new Map<string, number>() };
  /** Per machine: the latest ranAt stored and the address of its last submission. */
  readonly #last = new Map<string, { ranAt: string; remote: string }>();
  #pending: {
    entry: {
      receivedAt: string;
      remote: string;
      submission: Submission;
      body: string;
      key?: string;
    };
    resolve: (s: StoredSubmission) => void;
    reject: (e: unknown) => void;
  }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #window: number;
  #closed = false;

  constructor(db: DatabaseSync, options: StoreOptions = {}) {
    this.#db = db;
    this.#window = options.groupWindowMs ?? 0;
    this.#insert = db.prepare(
      "INSERT INTO submissions (machine, received_at, ran_at, remote, toolkit_version, " +
        "passed, failed, body, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertResult = db.prepare(
      "INSERT INTO results (submission_id, machine, drill, status) VALUES (?, ?, ?, ?)",
    );
    this.#byKey = db.prepare("SELECT id FROM submissions WHERE idempotency_key = ?");
    // A cell is the result whose drills ran last (ranAt, then arrival): a report spooled and sent
    // late does not cover a newer one. One machine's rows are read by index, never a class scan.
    const cells = "SELECT r.machine, r.drill, r.submission_id AS id, " +
      "max(s.ran_at || printf('%015d', s.id)) AS latest FROM results r " +
      "JOIN submissions s ON s.id = r.submission_id";
    this.#cells = db.prepare(`${cells} GROUP BY r.machine, r.drill`);
    this.#cellsOf = db.prepare(`${cells} WHERE r.machine = ? GROUP BY r.machine, r.drill`);
    const machines = "SELECT machine, count(*) AS n, max(id) AS last, " +
      "count(DISTINCT remote) AS remotes FROM submissions";
    this.#machines = db.prepare(`${machines} GROUP BY machine ORDER BY machine`);
    this.#machine = db.prepare(`${machines} WHERE machine = ? GROUP BY machine`);
    this.#lastOf = db.prepare(
      "SELECT max(ran_at) AS ran_at, (SELECT remote FROM submissions WHERE machine = ?1 " +
        "ORDER BY id DESC LIMIT 1) AS remote FROM submissions WHERE machine = ?1",
    );
    this.#drillOrder = db.prepare("SELECT drill FROM results GROUP BY drill ORDER BY min(rowid)")
      .all().map((r) => String(r.drill));
    this.#history = db.prepare(
      "SELECT id, received_at, ran_at, remote, passed, failed, ran_at < max(ran_at) OVER " +
        "(ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS late " +
        "FROM submissions WHERE machine = ? ORDER BY id DESC",
    );
    this.#byId = db.prepare("SELECT id, received_at, remote, body FROM submissions WHERE id = ?");
    this.#count = db.prepare("SELECT count(*) AS n FROM submissions");
    this.#insertToken = db.prepare(
      "INSERT INTO tokens (kind, token, created_at) VALUES (?, ?, ?)",
    );
    this.#insertHidden = db.prepare(
      "INSERT INTO hidden (kind, name, hidden, at, remote) VALUES (?, ?, ?, ?, ?)",
    );
    for (
      const r of db.prepare(
        "SELECT kind, name, hidden FROM hidden WHERE id IN (SELECT max(id) FROM hidden " +
          "GROUP BY kind, name)",
      ).all()
    ) {
      if (Number(r.hidden)) this.#hidden.add(`${r.kind}:${r.name}`);
    }
    for (const kind of ["machine", "remote"] as const) {
      for (
        const r of db.prepare(
          `SELECT ${kind} AS k, sum(length(CAST(body AS BLOB))) AS n FROM submissions GROUP BY ${kind}`,
        ).all()
      ) this.#bytes[kind].set(String(r.k), Number(r.n));
    }
  }

  /**
   * Stores a checked submission; resolves once it is committed (on disk) with its id. A
   * submission whose `idempotencyKey` is stored already resolves to that one (`duplicate`);
   * with a different report it rejects with {@linkcode IdempotencyConflict}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import type { DrillResult } from "../drill/result.ts";
   * import { IdempotencyConflict, openStore } from "./store.ts";
   * import type { Submission } from "./submission.ts";
   *
   * const all = { all: true, grants: [] };
   * const kinds = { net: all, read: all, write: all, run: all, env: all, sys: all };
   * const scope = { narrowed: false, ...kinds };
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
   * try {
   *   const key = "k7Qx2mVb9LpT4wZr";
   *   const report = submission("pc01", "2025-03-01T09:00:00Z", "tcp-echo");
   *   const first = await store.append(report, { remote: "10.0.0.7", idempotencyKey: key });
   *   assert.equal(first.id, 1);
   *   // Sent again after a lost answer: the stored one, nothing new.
   *   const again = await store.append(report, { remote: "10.0.0.7", idempotencyKey: key });
   *   assert.equal(again.id, 1);
   *   assert.equal(again.duplicate, true);
   *   // The same key with another report is the client's mistake.
   *   const other = submission("pc01", "2025-03-01T09:05:00Z", "udp-echo");
   *   await assert.rejects(
   *     store.append(other, { remote: "10.0.0.7", idempotencyKey: key }),
   *     IdempotencyConflict,
   *   );
   *   assert.equal(store.count(), 1);
   * } finally {
   *   store.close();
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  append(submission: Submission, meta: AppendMeta): Promise<StoredSubmission> {
    if (this.#closed) return Promise.reject(new Error("The store is closed"));
    const entry = {
      receivedAt: new Date().toISOString(),
      remote: meta.remote,
      submission,
      body: meta.body ?? JSON.stringify(submission),
      key: meta.idempotencyKey,
    };
    return new Promise((resolve, reject) => {
      this.#pending.push({ entry, resolve, reject });
      this.#timer ??= setTimeout(() => this.#flush(), this.#window);
    });
  }

  /** What the machine's last submissions were, for the next one's flags. */
  #lastFor(machine: string): { ranAt: string; remote: string } | undefined {
    let last = this.#last.get(machine);
    if (!last) {
      const r = this.#lastOf.get(machine);
      if (r?.ran_at === null || r?.ran_at === undefined) return undefined;
      last = { ranAt: String(r.ran_at), remote: String(r.remote) };
      this.#last.set(machine, last);
    }
    return last;
  }

  /** Commits every pending append in one transaction: one fsync for the whole batch. */
  #flush(): void {
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (!batch.length) return;
    const outcomes: (StoredSubmission | Error)[] = [];
    const seen: string[] = [];
    const last = new Map<string, { ranAt: string; remote: string } | undefined>();
    const added: { machine: string; remote: string; bytes: number }[] = [];
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        for (const { entry: e } of batch) {
          if (e.key !== undefined) {
            const before = this.#byKey.get(e.key);
            if (before) {
              const first = this.get(Number(before.id))!;
              outcomes.push(
                JSON.stringify(first.submission) === JSON.stringify(e.submission)
                  ? { ...first, duplicate: true }
                  : new IdempotencyConflict(first.id),
              );
              continue;
            }
          }
          const machine = e.submission.machine;
          const ranAt = normalRanAt(e.submission.ranAt);
          const previous = last.has(machine) ? last.get(machine) : this.#lastFor(machine);
          const r = this.#insert.run(
            machine,
            e.receivedAt,
            ranAt,
            e.remote,
            e.submission.toolkitVersion,
            e.submission.report.passed,
            e.submission.report.failed,
            e.body,
            e.key ?? null,
          );
          const id = Number(r.lastInsertRowid);
          for (const d of e.submission.report.drills) {
            this.#insertResult.run(id, machine, d.name, d.status);
            if (!seen.includes(d.name)) seen.push(d.name);
          }
          last.set(machine, {
            ranAt: previous && previous.ranAt > ranAt ? previous.ranAt : ranAt,
            remote: e.remote,
          });
          added.push({ machine, remote: e.remote, bytes: new TextEncoder().encode(e.body).length });
          outcomes.push({
            id,
            receivedAt: e.receivedAt,
            remote: e.remote,
            submission: e.submission,
            ...(previous && previous.ranAt > ranAt ? { arrivedLate: true } : {}),
            ...(previous && previous.remote !== e.remote
              ? { previousRemote: previous.remote }
              : {}),
          });
        }
        this.#db.exec("COMMIT");
      } catch (err) {
        // A failed statement may have ended the transaction already (SQLITE_FULL does): roll
        // back only what is still open, and report the failure itself.
        if (this.#db.isTransaction) {
          try {
            this.#db.exec("ROLLBACK");
          } catch { /* the original error says more */ }
        }
        throw err;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const name of seen) if (!this.#drillOrder.includes(name)) this.#drillOrder.push(name);
    for (const [machine, l] of last) if (l) this.#last.set(machine, l);
    for (const a of added) {
      this.#bytes.machine.set(a.machine, (this.#bytes.machine.get(a.machine) ?? 0) + a.bytes);
      this.#bytes.remote.set(a.remote, (this.#bytes.remote.get(a.remote) ?? 0) + a.bytes);
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o instanceof Error) p.reject(o);
      else p.resolve(o);
    });
  }

  /**
   * For each machine and drill, the submission holding the machine's latest result of that drill
   * (drills are often run one at a time): the one whose drills ran last, by the machine's clock.
   * `machine` limits it to one machine.
   */
  latestCells(machine?: string): { machine: string; drill: string; id: number }[] {
    const rows = machine === undefined ? this.#cells.all() : this.#cellsOf.all(machine);
    return rows.map((r) => ({
      machine: String(r.machine),
      drill: String(r.drill),
      id: Number(r.id),
    }));
  }

  /**
   * Every machine (or one) with how many submissions it sent, its last one's id and from how
   * many addresses, by name.
   */
  machines(
    machine?: string,
  ): { machine: string; submissions: number; lastId: number; addresses: number }[] {
    const rows = machine === undefined ? this.#machines.all() : this.#machine.all(machine);
    return rows.map((r) => ({
      machine: String(r.machine),
      submissions: Number(r.n),
      lastId: Number(r.last),
      addresses: Number(r.remotes),
    }));
  }

  /** Every drill name submitted, in the order the class first submitted them. */
  drills(): string[] {
    return [...this.#drillOrder];
  }

  /**
   * A machine's submissions, newest first, each with its address and whether it arrived out of
   * order (it ran before one stored earlier).
   */
  history(machine: string): HistoryEntry[] {
    return this.#history.all(machine).map((r) => ({
      id: Number(r.id),
      receivedAt: String(r.received_at),
      ranAt: String(r.ran_at),
      remote: String(r.remote),
      passed: Number(r.passed),
      failed: Number(r.failed),
      arrivedLate: Number(r.late) === 1,
    }));
  }

  /**
   * One submission by id, or `undefined`.
   */
  get(id: number): StoredSubmission | undefined {
    const r = this.#byId.get(id);
    if (!r) return undefined;
    return {
      id: Number(r.id),
      receivedAt: String(r.received_at),
      remote: String(r.remote),
      submission: JSON.parse(String(r.body)),
    };
  }

  /** How many submissions are stored. */
  count(): number {
    return Number(this.#count.get()!.n);
  }

  /**
   * Bytes of submissions stored for a machine or from an address (what the quotas count).
   */
  storedBytes(kind: "machine" | "remote", name: string): number {
    return this.#bytes[kind].get(name) ?? 0;
  }

  /**
   * The tokens kept in the database (the latest of each kind), if any.
   */
  tokens(): StoredTokens {
    const latest = (kind: string) =>
      this.#db.prepare(
        "SELECT token FROM tokens WHERE kind = ? ORDER BY id DESC LIMIT 1",
      ).get(kind)?.token as string | undefined;
    const classToken = latest("class"), teacherToken = latest("teacher");
    return {
      ...(classToken ? { classToken } : {}),
      ...(teacherToken ? { teacherToken } : {}),
    };
  }

  /**
   * Keeps the tokens in force (a row appended for each that differs from the stored one).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { openStore } from "./store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * try {
   *   const store = openStore(`${dir}/class.db`);
   *   assert.deepEqual(store.tokens(), {});
   *   const tokens = {
   *     classToken: "Kq3xV9dPz2LmW8rT5yHn4c",
   *     teacherToken: "w4N8kq0SxTfa2LrV7bYc1d",
   *   };
   *   store.saveTokens(tokens);
   *   store.close();
   *   // A restarted collector keeps its tokens: the students' and the teacher's links still work.
   *   const reopened = openStore(`${dir}/class.db`);
   *   assert.deepEqual(reopened.tokens(), tokens);
   *   reopened.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  saveTokens(tokens: Required<StoredTokens>): void {
    const now = new Date().toISOString();
    const stored = this.tokens();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      if (stored.classToken !== tokens.classToken) {
        this.#insertToken.run("class", tokens.classToken, now);
      }
      if (stored.teacherToken !== tokens.teacherToken) {
        this.#insertToken.run("teacher", tokens.teacherToken, now);
      }
      this.#db.exec("COMMIT");
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /**
   * Hides a machine or a drill from the class view, or shows it again: a row appended, the
   * submissions untouched.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { openStore } from "./store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const store = openStore(`${dir}/class.db`);
   * try {
   *   store.setHidden("machine", "pc31", true, "127.0.0.1");
   *   assert.equal(store.isHidden("machine", "pc31"), true);
   *   assert.equal(store.isHidden("drill", "pc31"), false);
   *   store.setHidden("machine", "pc31", false, "127.0.0.1"); // shown again: one more row
   *   assert.equal(store.isHidden("machine", "pc31"), false);
   * } finally {
   *   store.close();
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  setHidden(kind: HiddenKind, name: string, hidden: boolean, remote: string): void {
    this.#insertHidden.run(kind, name, hidden ? 1 : 0, new Date().toISOString(), remote);
    if (hidden) this.#hidden.add(`${kind}:${name}`);
    else this.#hidden.delete(`${kind}:${name}`);
  }

  /**
   * Whether a machine or a drill is hidden now.
   */
  isHidden(kind: HiddenKind, name: string): boolean {
    return this.#hidden.has(`${kind}:${name}`);
  }

  /** `PRAGMA integrity_check`'s answer: `["ok"]` for a sound database. */
  integrityCheck(): string[] {
    return this.#db.prepare("PRAGMA integrity_check").all().map((r) => String(r.integrity_check));
  }

  /** Commits what is pending and closes the database. */
  close(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#flush();
    this.#closed = true;
    this.#db.close();
  }
}

function setUp(db: DatabaseSync, path: string): void {
  const pragma = (sql: string) => Object.values(db.prepare(sql).get() ?? {})[0];
  let app: unknown, tables: unknown;
  try {
    app = pragma("PRAGMA application_id");
    tables = pragma("SELECT count(*) FROM sqlite_schema");
  } catch (err) {
    throw new StoreFormatError(`${path} is not a SQLite database`, { cause: err });
  }
  if (Number(app) !== applicationId && Number(tables) > 0) {
    throw new StoreFormatError(`${path} is another application's database, not drill results`);
  }
  const version = Number(pragma("PRAGMA user_version"));
  if (version > schemaVersion) {
    throw new StoreFormatError(
      `${path} was written by a newer toolkit (schema ${version}, this one knows ${schemaVersion})`,
    );
  }
  if (String(pragma("PRAGMA journal_mode=WAL")).toLowerCase() !== "wal") {
    throw new StoreFormatError(`${path}: SQLite would not switch to WAL mode here`);
  }
  // FULL: the WAL is fsynced at every commit, so an acknowledged submission survives even a power
  // cut (NORMAL would survive a killed process, but not the machine going down).
  db.exec("PRAGMA synchronous=FULL");
  db.exec("PRAGMA foreign_keys=ON");
  const appendOnly = (table: string) => `
    CREATE TRIGGER IF NOT EXISTS ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} are append-only'); END;
    CREATE TRIGGER IF NOT EXISTS ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} are append-only'); END;`;
  db.exec(`
    BEGIN IMMEDIATE;
    PRAGMA application_id = ${applicationId};
    CREATE TABLE IF NOT EXISTS submissions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      machine TEXT NOT NULL,
      received_at TEXT NOT NULL,
      ran_at TEXT NOT NULL,
      remote TEXT NOT NULL,
      toolkit_version TEXT NOT NULL,
      passed INTEGER NOT NULL,
      failed INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS submissions_by_machine ON submissions (machine, id);
    CREATE TABLE IF NOT EXISTS results (
      submission_id INTEGER NOT NULL REFERENCES submissions (id),
      machine TEXT NOT NULL,
      drill TEXT NOT NULL,
      status TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS results_by_cell ON results (machine, drill, submission_id);
    CREATE TRIGGER IF NOT EXISTS submissions_no_update BEFORE UPDATE ON submissions
      BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;
    CREATE TRIGGER IF NOT EXISTS submissions_no_delete BEFORE DELETE ON submissions
      BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;
    CREATE TRIGGER IF NOT EXISTS results_no_update BEFORE UPDATE ON results
      BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;
    CREATE TRIGGER IF NOT EXISTS results_no_delete BEFORE DELETE ON results
      BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;
    ${version < 2 ? "ALTER TABLE submissions ADD COLUMN idempotency_key TEXT;" : ""}
    CREATE UNIQUE INDEX IF NOT EXISTS submissions_by_key ON submissions (idempotency_key)
      WHERE idempotency_key IS NOT NULL;
    CREATE TABLE IF NOT EXISTS tokens (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL CHECK (kind IN ('class', 'teacher')),
      token TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS hidden (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL CHECK (kind IN ('machine', 'drill')),
      name TEXT NOT NULL,
      hidden INTEGER NOT NULL CHECK (hidden IN (0, 1)),
      at TEXT NOT NULL,
      remote TEXT NOT NULL
    );
    ${appendOnly("tokens")}
    ${appendOnly("hidden")}
    PRAGMA user_version = ${schemaVersion};
    COMMIT;
  `);
}

/**
 * Opens (creating if needed) the collector database at `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openStore } from "./store.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = openStore(`${dir}/class.db`, { groupWindowMs: 5 });
 *   assert.deepEqual(store.integrityCheck(), ["ok"]);
 *   assert.equal(store.count(), 0);
 *   store.close();
 *   // A path SQLite cannot open: a StoreFormatError saying so.
 *   assert.throws(() => openStore("/dev/null/class.db"), /^StoreFormatError: cannot open/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function openStore(path: string, options: StoreOptions = {}): SubmissionStore {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable) throw err;
    throw new StoreFormatError(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    setUp(db, path);
  } catch (err) {
    db.close();
    if (err instanceof StoreFormatError || err instanceof Deno.errors.NotCapable) throw err;
    throw new StoreFormatError(`cannot use ${path}: ${(err as Error).message}`, { cause: err });
  }
  return new SubmissionStore(db, options);
}

/**
 * The files SQLite keeps beside a WAL database: what its scope must allow reading and writing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeFiles } from "./store.ts";
 *
 * assert.deepEqual(storeFiles("/srv/class.db"), [
 *   "/srv/class.db",
 *   "/srv/class.db-wal",
 *   "/srv/class.db-shm",
 *   "/srv/class.db-journal",
 * ]);
 * ```
 */
export function storeFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/**
 * The database among a scope's paths: the one followed by its {@linkcode storeFiles}, as a
 * collector's own scope lists them (resolved through their links), or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dbInGrants, storeFiles } from "./store.ts";
 *
 * assert.equal(dbInGrants(["/srv/notes", ...storeFiles("/srv/class.db")]), "/srv/class.db");
 * assert.equal(dbInGrants(["/srv/class.db", "/srv/class.db-wal"]), undefined);
 * ```
 */
export function dbInGrants(paths: readonly string[]): string | undefined {
  return paths.find((p, i) =>
    storeFiles(p).slice(1).every((companion, j) => paths[i + 1 + j] === companion)
  );
}
