// The collector's pieces on their own, fed real `drill run --json` reports (recorded in
// tests/fixtures/drill/, kept current by tests/suites/drill_report_test.ts, which also checks the
// report schema against what drill run prints): the submission checks and their reasons, tokens,
// the SQLite store (append-only, batched commits, reopening, a foreign database refused), and the
// class exports (CSV a spreadsheet cannot turn into formulas, JUnit XML that expat parses).
import assert from "#assert";
import { classCsv, classJunit } from "../../lib/collect/export.ts";
import { formatIssues, validateJson } from "../../lib/drill/json_schema.ts";
import { classResults, type MachineEntry } from "../../lib/collect/results.ts";
import { describeRate, parseRate, RateLimiter, Throttle } from "../../lib/collect/limits.ts";
import { IdempotencyConflict, openStore, StoreFormatError } from "../../lib/collect/store.ts";
import { submitEndpoint } from "../../lib/collect/submit.ts";
import {
  checkSubmission,
  notJsonReason,
  parseSubmission,
  type Submission,
  SubmissionError,
  submissionSchema,
} from "../../lib/collect/submission.ts";
import { newToken, tokenPattern, tokensEqual } from "../../lib/collect/tokens.ts";
import { formatJunitReport } from "../../lib/drill/report.ts";
import { assertWellFormedXml } from "../_support/drill_xml.ts";
import { recordedReports, submission } from "../_support/drill_reports.ts";
import { python } from "../_support/harness.ts";

/** Real reports `drill run --json` printed: every built-in drill (passing) and a failing one. */
const reports = recordedReports();

Deno.test("a submission that is not one is refused with the place and the reason", async () => {
  const { wrong } = await reports;
  const bad = (mutate: (s: Submission) => void) => {
    const s = structuredClone(submission("pc01", wrong));
    mutate(s);
    return () => checkSubmission(s);
  };
  const cases: [(s: Submission) => void, RegExp][] = [
    [
      (s) => (s.report.drills[0].steps[0].status = "ok" as "pass"),
      /steps\[0\]\.status: must be one of pass, fail, skip \(got "ok"\)/,
    ],
    [(s) => (s.machine = "pc 01; rm -rf"), /machine: "pc 01; rm -rf" is not valid here/],
    [(s) => delete (s as Partial<Submission>).report, /missing "report"/],
    [(s) => ((s as unknown as Record<string, unknown>).extra = 1), /unknown key "extra"/],
    [(s) => (s.report.drills[0].durationMs = -5), /durationMs: must be at least 0/],
    [(s) => (s.report.passed = 1), /do not count its drills/],
    [(s) => (s.ranAt = "yesterday"), /ranAt: "yesterday" is not valid here/],
    [(s) => ((s.report.drills[0] as { name: unknown }).name = 7), /name: must be of type string/],
  ];
  for (const [mutate, reason] of cases) assert.throws(bad(mutate), SubmissionError, reason);
  assert.throws(() => parseSubmission("{"), SubmissionError, /not JSON/);
  // A hostile document gets a bounded answer.
  const many = { ...submission("pc01", wrong), report: { drills: Array(60).fill(1) } };
  const issues = validateJson(submissionSchema, many);
  assert.equal(issues.length, 20);
  assert.ok(formatIssues(issues).length < 4000);
});

Deno.test("a submission past the collector's limits, or contradicting itself, is refused", async () => {
  const { all, wrong } = await reports;
  const base = submission("pc01", wrong);
  const refused = (s: unknown, reason: RegExp) =>
    assert.throws(() => checkSubmission(s), SubmissionError, reason);
  const drill = wrong.drills[0];
  // Counts and lengths: 65 drills, a 200-character name, 257 steps.
  const pad = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ...all.drills[0], name: `z${i}` }));
  refused(
    { ...base, report: { drills: pad(65), passed: 65, failed: 0 } },
    /report\.drills: must have at most 64 items/,
  );
  checkSubmission({ ...base, report: { drills: pad(64), passed: 64, failed: 0 } });
  refused(
    { ...base, report: { ...wrong, drills: [{ ...drill, name: "z".repeat(200) }] } },
    /report\.drills\[0\]\.name: must be at most 64 characters long/,
  );
  const steps = Array.from(
    { length: 257 },
    (_, i) => ({ ...all.drills[0].steps[0], index: i + 1 }),
  );
  refused(
    { ...base, report: { drills: [{ ...all.drills[0], steps }], passed: 1, failed: 0 } },
    /steps: must have at most 256 items/,
  );
  // Numbers JSON can carry but no run produces: 1e999 parses as Infinity.
  const text = JSON.stringify(base);
  for (
    const [from, to, reason] of [
      [`"durationMs":${drill.durationMs}`, `"durationMs":1e999`, /durationMs: must be at most/],
      [`"index":1,`, `"index":${2 ** 70},`, /index: must be at most 256/],
      [/"offset":\d+/, `"offset":1e30`, /offset: must be at most 2147483647/],
    ] as [string | RegExp, string, RegExp][]
  ) {
    const changed = text.replace(from, to);
    assert.notEqual(changed, text, String(from));
    assert.throws(() => parseSubmission(changed), SubmissionError, reason);
  }
  // A time that is not one, and one in the future by the collector's clock.
  refused(
    { ...base, ranAt: "2024-02-30T10:00:00Z" },
    /ranAt: "2024-02-30T10:00:00Z" is not a real time/,
  );
  refused(
    { ...base, ranAt: "9999-01-01T00:00:00Z" },
    /more than an hour ahead of the collector's clock/,
  );
  refused({ ...base, ranAt: "1970-01-01T00:00:00Z" }, /ranAt: .* is before 2000/);
  checkSubmission({ ...base, ranAt: new Date(Date.now() + 30 * 60_000).toISOString() });
  // A drill's status must be what its steps and error say (lib/drill/runner.ts's rule).
  const passing = all.drills[0];
  const withDrill = (d: unknown, passed: number) => ({
    ...base,
    report: { drills: [d], passed, failed: 1 - passed },
  });
  refused(withDrill({ ...drill, status: "pass" }, 1), /status is pass, but 1 of its steps failed/);
  refused(withDrill({ ...passing, status: "fail" }, 0), /status is fail, but every step passed/);
  refused(
    withDrill({ ...passing, status: "fail", steps: [] }, 0),
    /status is fail, but it has no steps and no error/,
  );
  checkSubmission(withDrill({ ...passing, status: "fail", steps: [], error: "refused" }, 0));
  refused(
    withDrill({ ...passing, steps: passing.steps.map((st: object) => ({ ...st, index: 1 })) }, 1),
    /steps\[1\]\.index is 1, not 2/,
  );
});

Deno.test("not JSON: the reason says where, never what the file holds", () => {
  for (const text of ["root:$6$secret-hash:19000:0:99999:7:::", "SECRET{", '{"a": SECRET}']) {
    let message = "";
    try {
      parseSubmission(text);
    } catch (err) {
      assert.ok(err instanceof SubmissionError);
      message = (err as Error).message;
    }
    assert.doesNotMatch(message, /SECRET|root|secret/, message);
    assert.match(message, /^not JSON: it does not parse as JSON/);
  }
  assert.equal(notJsonReason('{"a": x}'), "it does not parse as JSON");
  assert.equal(notJsonReason('{"a" 1}'), "it does not parse as JSON (line 1, column 6)");
  assert.equal(notJsonReason('{"a": '), "it ends before the JSON does");
});

Deno.test("tokens: random, URL-safe, distinct; compared by value whatever the length", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const t = newToken();
    assert.match(t, tokenPattern);
    assert.equal(encodeURIComponent(t), t);
    seen.add(t);
  }
  assert.equal(seen.size, 200);
  // A token is typed as `--token TOKEN`: one that began with "-" would be read as an option (1 in
  // 32 did). 3,000 draws pass by chance with a 1-in-32 flaw about once in 10^41 runs.
  const firsts = new Set<string>();
  for (let i = 0; i < 3000; i++) firsts.add(newToken(8)[0]);
  assert.deepEqual([...firsts].filter((c) => !/[A-Za-z0-9]/.test(c)), []);
  assert.equal(firsts.size, 62, "every letter and digit can come first");
  const t = newToken();
  assert.equal(tokensEqual(t, t), true);
  for (
    const other of ["", t.slice(0, -1), t + "x", t.slice(0, -1) + (t.endsWith("A") ? "B" : "A")]
  ) {
    assert.equal(tokensEqual(other, t), false, other);
  }
});

Deno.test("collector URLs: the endpoint is found under the printed URL; others are refused", () => {
  assert.equal(submitEndpoint("http://127.0.0.1:8080").href, "http://127.0.0.1:8080/api/submit");
  assert.equal(submitEndpoint("http://127.0.0.1:8080/").href, "http://127.0.0.1:8080/api/submit");
  assert.equal(
    submitEndpoint("http://[::1]:8080/class/api/submit?x").href,
    "http://[::1]:8080/class/api/submit",
  );
  for (const bad of ["127.0.0.1:8080", "ftp://127.0.0.1/", "http://u:p@127.0.0.1:8080", "x"]) {
    assert.throws(() => submitEndpoint(bad), SyntaxError, bad);
  }
});

Deno.test("store: concurrent appends keep their order, are never updated; reopening keeps them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "collect-store-" });
  const { all, wrong } = await reports;
  try {
    const db = `${dir}/class.db`;
    let store = openStore(db);
    const stored = await Promise.all([
      store.append(submission("pc01", wrong), { remote: "127.0.0.1" }),
      store.append(submission("pc02", all), { remote: "127.0.0.2" }),
      store.append(submission("pc01", all), { remote: "127.0.0.1" }),
    ]);
    assert.deepEqual(stored.map((s) => s.id), [1, 2, 3]);
    // Each cell is the machine's latest result of that drill, whichever submission it came in.
    const cells = (m: MachineEntry) => m.cells.map((c) => [c.drill.name, c.submission.id]);
    const view = classResults(store);
    assert.equal(view.submissions, 3);
    assert.deepEqual(view.drills, [
      wrong.drills[0].name,
      ...all.drills.map((d: { name: string }) => d.name),
    ]);
    const [pc01, pc02] = view.machines;
    assert.deepEqual([pc01.machine, pc01.submissions, pc01.last.id], ["pc01", 2, 3]);
    assert.deepEqual(cells(pc01), [
      [wrong.drills[0].name, 1],
      ...all.drills.map((d: { name: string }) => [d.name, 3]),
    ]);
    assert.deepEqual([pc02.machine, pc02.submissions, cells(pc02).length], [
      "pc02",
      1,
      all.drills.length,
    ]);
    assert.deepEqual(store.history("pc01").map((h) => [h.id, h.passed, h.failed]), [
      [3, all.passed, 0],
      [1, 0, 1],
    ]);
    store.close();
    // Append-only even to someone with the file and sqlite.
    const { DatabaseSync } = await import("node:sqlite");
    const raw = new DatabaseSync(db);
    assert.throws(() => raw.exec("UPDATE submissions SET machine = 'x'"), /append-only/);
    assert.throws(() => raw.exec("DELETE FROM submissions"), /append-only/);
    assert.throws(() => raw.exec("UPDATE results SET status = 'pass'"), /append-only/);
    raw.close();
    store = openStore(db);
    assert.equal(store.count(), 3);
    assert.deepEqual(store.integrityCheck(), ["ok"]);
    assert.equal(store.get(1)?.submission.report.failed, 1);
    assert.equal(store.get(99), undefined);
    store.close();
    // Not ours: another application's database, a text file.
    const other = new DatabaseSync(`${dir}/other.db`);
    other.exec("CREATE TABLE notes (x)");
    other.close();
    assert.throws(() => openStore(`${dir}/other.db`), StoreFormatError, /another application/);
    await Deno.writeTextFile(`${dir}/notes.txt`, "x".repeat(4096));
    assert.throws(() => openStore(`${dir}/notes.txt`), StoreFormatError, /not a SQLite database/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exports: CSV rows per machine and drill, formulas defused; JUnit parses", async () => {
  const { all, wrong } = await reports;
  const dir = await Deno.makeTempDir({ prefix: "collect-export-" });
  try {
    const store = openStore(`${dir}/class.db`);
    const evil = structuredClone(wrong);
    evil.drills[0].steps[3].title = '=HYPERLINK("http://x","y"), "quoted"';
    await store.append(submission("pc01", all), { remote: "127.0.0.1" });
    await store.append(submission("pc02", evil), { remote: "127.0.0.1" });
    const machines = classResults(store).machines;
    store.close();
    const csv = classCsv(machines);
    const lines = csv.split("\r\n");
    assert.equal(lines.at(-1), "");
    assert.equal(lines.length - 2, all.drills.length + 1);
    assert.match(lines[0], /^machine,drill,status,steps_passed,steps,/);
    const failing = lines.find((l) => l.startsWith("pc02,"))!;
    // Quoted as RFC 4180 says, and the title starts with an apostrophe: text, not a formula.
    assert.match(failing, /,fail,3,5,/);
    assert.match(failing, /,"4 =HYPERLINK\(""http:\/\/x"",""y""\), ""quoted""",/);
    const py = python("3.13") ?? python("3.12") ?? { cmd: "python3", env: {} };
    const reader = await new Deno.Command(py.cmd, {
      env: py.env,
      args: ["-c", "import csv,sys; r=list(csv.reader(sys.stdin)); print(len(r), r[-1][10])"],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = reader.stdin.getWriter();
    await w.write(new TextEncoder().encode(csv));
    await w.close();
    const parsed = new TextDecoder().decode((await reader.output()).stdout);
    assert.equal(parsed, `${all.drills.length + 2} 4 =HYPERLINK("http://x","y"), "quoted"\n`);
    const cell = classCsv([{ ...machines[0], machine: "-cmd" }]).split("\r\n")[1];
    assert.match(cell, /^'-cmd,/);
    const xml = classJunit(machines);
    await assertWellFormedXml(xml);
    assert.match(xml, /<testsuite name="pc02\.wrong-expect" /);
    assert.match(xml, /classname="drill\.pc01\.tcp-echo"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: a cell is the result that ran last; a late arrival is marked, not shown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "collect-order-" });
  const { all, wrong } = await reports;
  try {
    const store = openStore(`${dir}/class.db`);
    // wrong.yaml ran first and was spooled; right ran later and arrived first.
    const fixed = structuredClone(all);
    fixed.drills = [{ ...all.drills[0], name: wrong.drills[0].name }];
    fixed.passed = 1;
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const newer = await store.append(
      { ...submission("pc07", fixed), ranAt: at(5) },
      { remote: "127.0.0.1" },
    );
    const older = await store.append(
      { ...submission("pc07", wrong), ranAt: at(20) },
      { remote: "127.0.0.1" },
    );
    assert.equal(newer.arrivedLate, undefined);
    assert.equal(older.arrivedLate, true);
    const [pc07] = classResults(store).machines;
    assert.deepEqual(pc07.cells.map((c) => [c.drill.status, c.submission.id]), [[
      "pass",
      newer.id,
    ]]);
    assert.deepEqual(
      store.history("pc07").map((h) => [h.id, h.arrivedLate, h.remote]),
      [[older.id, true, "127.0.0.1"], [newer.id, false, "127.0.0.1"]],
    );
    assert.match(
      classCsv(classResults(store).machines).split("\r\n")[1],
      /^pc07,wrong-expect,pass,/,
    );
    // Another address sending as pc07 is flagged, and counted.
    const other = await store.append(submission("pc07", all), { remote: "127.0.0.9" });
    assert.equal(other.previousRemote, "127.0.0.1");
    assert.equal(classResults(store).machines[0].addresses, 2);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: an Idempotency-Key stores a report once; tokens and hidden entries persist", async () => {
  const dir = await Deno.makeTempDir({ prefix: "collect-keys-" });
  const { all, wrong } = await reports;
  try {
    const db = `${dir}/class.db`;
    let store = openStore(db);
    const s = { ...submission("pc01", all), idempotencyKey: "key-0123456789abcdef" };
    const [a, b] = await Promise.all([
      store.append(s, { remote: "127.0.0.1", idempotencyKey: s.idempotencyKey }),
      store.append(structuredClone(s), { remote: "127.0.0.1", idempotencyKey: s.idempotencyKey }),
    ]);
    const again = await store.append(structuredClone(s), {
      remote: "127.0.0.1",
      idempotencyKey: s.idempotencyKey,
    });
    assert.deepEqual([a.id, b.id, again.id], [1, 1, 1]);
    assert.deepEqual([a.duplicate, b.duplicate, again.duplicate], [undefined, true, true]);
    assert.equal(store.count(), 1);
    await assert.rejects(
      () =>
        store.append({ ...submission("pc01", wrong), idempotencyKey: s.idempotencyKey }, {
          remote: "127.0.0.1",
          idempotencyKey: s.idempotencyKey,
        }),
      IdempotencyConflict,
      /came with another report \(submission 1\)/,
    );
    assert.ok(store.storedBytes("machine", "pc01") > 1000);
    assert.equal(store.storedBytes("remote", "127.0.0.1"), store.storedBytes("machine", "pc01"));
    assert.deepEqual(store.tokens(), {});
    store.saveTokens({ classToken: "class-token-1", teacherToken: "teacher-token-1" });
    store.saveTokens({ classToken: "class-token-2", teacherToken: "teacher-token-1" });
    await store.append(submission("pc02", wrong), { remote: "127.0.0.2" });
    store.setHidden("machine", "pc02", true, "127.0.0.1");
    store.setHidden("drill", "tcp-echo", true, "127.0.0.1");
    store.setHidden("drill", "tcp-echo", false, "127.0.0.1");
    store.setHidden("drill", "same-subnet", true, "127.0.0.1");
    store.close();
    store = openStore(db);
    assert.deepEqual(store.tokens(), {
      classToken: "class-token-2",
      teacherToken: "teacher-token-1",
    });
    const view = classResults(store);
    assert.deepEqual(view.hidden, { machines: ["pc02"], drills: ["same-subnet"] });
    assert.deepEqual(view.machines.map((m) => m.machine), ["pc01"]);
    assert.ok(!view.drills.includes("same-subnet") && view.drills.includes("tcp-echo"));
    // Only pc02 ran wrong-expect: hiding the machine takes its column along.
    assert.ok(!view.drills.includes(wrong.drills[0].name), view.drills.join());
    assert.ok(view.machines[0].cells.every((c) => c.drill.name !== "same-subnet"));
    // Hidden is a view: every submission is still there, and the tables stay append-only.
    assert.equal(store.count(), 2);
    assert.equal(store.history("pc02").length, 1);
    store.close();
    const { DatabaseSync } = await import("node:sqlite");
    const raw = new DatabaseSync(db);
    for (const table of ["tokens", "hidden"]) {
      assert.throws(() => raw.exec(`DELETE FROM ${table}`), /append-only/);
      assert.throws(() => raw.exec(`UPDATE ${table} SET id = id + 100`), /append-only/);
    }
    raw.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: a database of the first schema is opened, its submissions kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "collect-v1-" });
  const { all } = await reports;
  try {
    const db = `${dir}/class.db`;
    const { DatabaseSync } = await import("node:sqlite");
    const raw = new DatabaseSync(db);
    // Schema 1, as issue 18 wrote it.
    raw.exec(`
      PRAGMA journal_mode=WAL;
      PRAGMA application_id = ${0x746b6463};
      CREATE TABLE submissions (id INTEGER PRIMARY KEY AUTOINCREMENT, machine TEXT NOT NULL,
        received_at TEXT NOT NULL, ran_at TEXT NOT NULL, remote TEXT NOT NULL,
        toolkit_version TEXT NOT NULL, passed INTEGER NOT NULL, failed INTEGER NOT NULL,
        body TEXT NOT NULL);
      CREATE TABLE results (submission_id INTEGER NOT NULL REFERENCES submissions (id),
        machine TEXT NOT NULL, drill TEXT NOT NULL, status TEXT NOT NULL);
      PRAGMA user_version = 1;
    `);
    const s = submission("pc01", all);
    const id = raw.prepare(
      "INSERT INTO submissions (machine, received_at, ran_at, remote, toolkit_version, passed, " +
        "failed, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ).run("pc01", s.ranAt, s.ranAt, "127.0.0.1", "0.1.0", all.passed, 0, JSON.stringify(s))
      .lastInsertRowid;
    for (const d of all.drills) {
      raw.prepare("INSERT INTO results VALUES (?, ?, ?, ?)").run(id, "pc01", d.name, d.status);
    }
    raw.close();
    const store = openStore(db);
    assert.equal(store.count(), 1);
    assert.equal(classResults(store).machines[0].cells.length, all.drills.length);
    const second = await store.append({ ...s, idempotencyKey: "key-0123456789abcdef" }, {
      remote: "127.0.0.1",
      idempotencyKey: "key-0123456789abcdef",
    });
    assert.equal(second.id, 2);
    assert.deepEqual(store.integrityCheck(), ["ok"]);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exports: control characters and bidi overrides from a submission are written escaped", async () => {
  const { wrong } = await reports;
  const dir = await Deno.makeTempDir({ prefix: "collect-escape-" });
  try {
    const store = openStore(`${dir}/class.db`);
    const evil = structuredClone(wrong);
    evil.drills[0].steps[3].title = "a\x1b]52;c;aGk=\x07b\u202eevil\0end";
    evil.drills[0].steps[3].message = "line1\nline2\r\n";
    await store.append(submission("pc02", evil), { remote: "127.0.0.1" });
    const csv = classCsv(classResults(store).machines);
    store.close();
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(csv.replace(/\r\n/g, "").replace(/\n/g, ""), /[\x00-\x1f\u202e]/);
    assert.match(csv, /a\\x1b\]52;c;aGk=\\x07b\\u202eevil\\x00end/);
    assert.match(csv, /"line1\nline2\r\n"/, "line breaks in a quoted field stay");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JUnit: steps after a drill's error are 'not run', not 'an earlier step failed'", () => {
  const xml = formatJunitReport([{
    name: "remote-refused",
    source: "remote_refused.yaml",
    status: "fail",
    durationMs: 3,
    scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
    steps: [{ index: 1, kind: "listen", title: "listen server", status: "skip", durationMs: 0 }],
    error: "the drill's scope cannot be used here: 10.0.0.0/8 is too wide",
  }]);
  assert.match(xml, /<skipped message="the drill stopped before this step \(see its error\)"\/>/);
  assert.doesNotMatch(xml, /an earlier step failed/);
  assert.match(xml, /<error message="the drill&apos;s scope cannot be used here/);
});

Deno.test("rates and throttles: COUNT at once, then COUNT per PERIOD; one log line per window", () => {
  assert.deepEqual(parseRate("30/min"), { count: 30, periodMs: 60_000 });
  assert.deepEqual(parseRate("5 / s"), { count: 5, periodMs: 1000 });
  for (const bad of ["0/min", "-1/s", "30", "30/fortnight", "1e3/s"]) {
    assert.throws(() => parseRate(bad), SyntaxError, bad);
  }
  assert.equal(describeRate(parseRate("600/h")), "600 an hour");
  let now = 0;
  const limiter = new RateLimiter({ count: 2, periodMs: 60_000 }, () => now);
  assert.deepEqual([limiter.take("a").ok, limiter.take("a").ok], [true, true]);
  assert.deepEqual(limiter.take("a"), { ok: false, retryAfterMs: 30_000 });
  assert.equal(limiter.take("b").ok, true, "per key");
  now = 29_000;
  assert.equal(limiter.check("a").ok, false);
  now = 30_000;
  assert.equal(limiter.take("a").ok, true);
  const throttle = new Throttle(10_000, () => now);
  assert.deepEqual(throttle.admit("x"), { show: true, suppressed: 0 });
  for (let i = 0; i < 500; i++) assert.equal(throttle.admit("x").show, false);
  assert.equal(throttle.admit("y").show, true);
  now += 10_000;
  assert.deepEqual(throttle.admit("x"), { show: true, suppressed: 500 });
});
