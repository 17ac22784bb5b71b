// The collector's database: one SQLite file (node:sqlite, built into Deno) in WAL mode with
// synchronous=FULL, so a commit has reached the disk (the WAL is fsynced) before the HTTP answer
// goes out. Submissions are only ever appended: triggers refuse UPDATE and DELETE. Concurrent
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
}

/** A submission in a machine's history: counts only. */
export interface HistoryEntry {
  id: number;
  receivedAt: string;
  ranAt: string;
  passed: number;
  failed: number;
}

/** 'tkdc' (toolkit drill collector): marks a database as ours before anything is written to it. */
const applicationId = 0x746b6463;
const schemaVersion = 1;

/**
 * The database is not a collector's: another application's SQLite file, or not SQLite at all.
 *
 * @example
 * ```ts
 * try { openStore("notes.txt"); } catch (e) { e instanceof StoreFormatError; }
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

/** The collector's store. Appends are batched: `append` resolves once its batch is on disk. */
export class SubmissionStore {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #insertResult: StatementSync;
  readonly #cells: StatementSync;
  readonly #cellsOf: StatementSync;
  readonly #machines: StatementSync;
  readonly #machine: StatementSync;
  /** Drill names in the order the class first submitted them, kept in memory (read per event). */
  readonly #drillOrder: string[];
  readonly #history: StatementSync;
  readonly #byId: StatementSync;
  readonly #count: StatementSync;
  #pending: {
    entry: { receivedAt: string; remote: string; submission: Submission; body: string };
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
        "passed, failed, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertResult = db.prepare(
      "INSERT INTO results (submission_id, machine, drill, status) VALUES (?, ?, ?, ?)",
    );
    // One machine's rows are read after each submission: by index, never a scan of the class.
    const cells = "SELECT machine, drill, max(submission_id) AS id FROM results";
    this.#cells = db.prepare(`${cells} GROUP BY machine, drill`);
    this.#cellsOf = db.prepare(`${cells} WHERE machine = ? GROUP BY machine, drill`);
    const machines = "SELECT machine, count(*) AS n, max(id) AS last FROM submissions";
    this.#machines = db.prepare(`${machines} GROUP BY machine ORDER BY machine`);
    this.#machine = db.prepare(`${machines} WHERE machine = ? GROUP BY machine`);
    this.#drillOrder = db.prepare("SELECT drill FROM results GROUP BY drill ORDER BY min(rowid)")
      .all().map((r) => String(r.drill));
    this.#history = db.prepare(
      "SELECT id, received_at, ran_at, passed, failed FROM submissions WHERE machine = ? " +
        "ORDER BY id DESC",
    );
    this.#byId = db.prepare("SELECT id, received_at, remote, body FROM submissions WHERE id = ?");
    this.#count = db.prepare("SELECT count(*) AS n FROM submissions");
  }

  /**
   * Stores a checked submission; resolves once it is committed (on disk) with its id.
   *
   * @example
   * ```ts
   * const { id } = await store.append(submission, { remote: "10.0.0.7" });
   * ```
   */
  append(
    submission: Submission,
    meta: { remote: string; body?: string },
  ): Promise<StoredSubmission> {
    if (this.#closed) return Promise.reject(new Error("The store is closed"));
    const entry = {
      receivedAt: new Date().toISOString(),
      remote: meta.remote,
      submission,
      body: meta.body ?? JSON.stringify(submission),
    };
    return new Promise((resolve, reject) => {
      this.#pending.push({ entry, resolve, reject });
      this.#timer ??= setTimeout(() => this.#flush(), this.#window);
    });
  }

  /** Commits every pending append in one transaction: one fsync for the whole batch. */
  #flush(): void {
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (!batch.length) return;
    const stored: StoredSubmission[] = [];
    const seen: string[] = [];
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        for (const { entry: e } of batch) {
          const r = this.#insert.run(
            e.submission.machine,
            e.receivedAt,
            e.submission.ranAt,
            e.remote,
            e.submission.toolkitVersion,
            e.submission.report.passed,
            e.submission.report.failed,
            e.body,
          );
          const id = Number(r.lastInsertRowid);
          for (const d of e.submission.report.drills) {
            this.#insertResult.run(id, e.submission.machine, d.name, d.status);
            if (!seen.includes(d.name)) seen.push(d.name);
          }
          stored.push({
            id,
            receivedAt: e.receivedAt,
            remote: e.remote,
            submission: e.submission,
          });
        }
        this.#db.exec("COMMIT");
        for (const name of seen) if (!this.#drillOrder.includes(name)) this.#drillOrder.push(name);
      } catch (err) {
        this.#db.exec("ROLLBACK");
        throw err;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => p.resolve(stored[i]));
  }

  /**
   * For each machine and drill, the submission holding the machine's latest result of that drill
   * (drills are often run one at a time). `machine` limits it to one machine.
   *
   * @example
   * ```ts
   * store.latestCells("pc01"); // [{ machine: "pc01", drill: "tcp-echo", id: 17 }, ...]
   * ```
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
   * Every machine (or one) with how many submissions it sent and its last one's id, by name.
   *
   * @example
   * ```ts
   * store.machines(); // [{ machine: "pc01", submissions: 2, lastId: 3 }, ...]
   * ```
   */
  machines(machine?: string): { machine: string; submissions: number; lastId: number }[] {
    const rows = machine === undefined ? this.#machines.all() : this.#machine.all(machine);
    return rows.map((r) => ({
      machine: String(r.machine),
      submissions: Number(r.n),
      lastId: Number(r.last),
    }));
  }

  /** Every drill name submitted, in the order the class first submitted them. */
  drills(): string[] {
    return [...this.#drillOrder];
  }

  /**
   * A machine's submissions, newest first.
   *
   * @example
   * ```ts
   * store.history("pc01")[0].id; // the latest
   * ```
   */
  history(machine: string): HistoryEntry[] {
    return this.#history.all(machine).map((r) => ({
      id: Number(r.id),
      receivedAt: String(r.received_at),
      ranAt: String(r.ran_at),
      passed: Number(r.passed),
      failed: Number(r.failed),
    }));
  }

  /**
   * One submission by id, or `undefined`.
   *
   * @example
   * ```ts
   * store.get(17)?.submission.machine;
   * ```
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
    PRAGMA user_version = ${schemaVersion};
    COMMIT;
  `);
}

/**
 * Opens (creating if needed) the collector database at `path`.
 *
 * @example
 * ```ts
 * const store = openStore("class.db");
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

/** The files SQLite keeps beside a WAL database: what its scope must allow reading and writing. */
export function storeFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}
