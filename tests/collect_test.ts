// The collector's pieces on their own: the report schema against real `drill run --json` output
// (every built-in drill, plus a failing one), the submission checks and their reasons, tokens,
// the SQLite store (append-only, batched commits, reopening, a foreign database refused), and the
// class exports (CSV a spreadsheet cannot turn into formulas, JUnit XML that expat parses).
import assert from "#assert";
import { classCsv, classJunit } from "../lib/collect/export.ts";
import { formatIssues, validateJson } from "../lib/collect/json_schema.ts";
import { classResults, type MachineEntry } from "../lib/collect/results.ts";
import { openStore, StoreFormatError } from "../lib/collect/store.ts";
import { submitEndpoint } from "../lib/collect/submit.ts";
import {
  checkSubmission,
  parseSubmission,
  type Submission,
  SubmissionError,
  submissionSchema,
} from "../lib/collect/submission.ts";
import { newToken, tokenPattern, tokensEqual } from "../lib/collect/tokens.ts";
import { drillReportSchema } from "../lib/drill/report_schema.ts";
import { assertWellFormedXml } from "./drill_xml.ts";
import { python, root, runToolkit } from "./harness.ts";

const scope: Submission["scope"] = {
  narrowed: false,
  net: { all: true, grants: [] },
  read: { all: true, grants: [] },
  write: { all: true, grants: [] },
  run: { all: false, grants: [{ entry: "ip", implicit: false }, { entry: "ss", implicit: false }] },
  env: { all: false, grants: [{ entry: "NO_COLOR", implicit: false }] },
  sys: { all: false, grants: [{ entry: "hostname", implicit: false }] },
};

/** Real reports: every built-in drill (passing) and the wrong-expectation fixture (failing). */
const reports = (async () => {
  const all = await runToolkit(["drill", "run", "--all", "--json"], { timeoutMs: 90_000 });
  assert.equal(all.code, 0, all.stderr);
  const wrong = await runToolkit([
    "drill",
    "run",
    "--json",
    `${root}/tests/fixtures/drill/wrong_expect.yaml`,
  ]);
  assert.equal(wrong.code, 1, wrong.stderr);
  return { all: JSON.parse(all.stdout), wrong: JSON.parse(wrong.stdout) };
})();

function submission(machine: string, report: Submission["report"]): Submission {
  return { machine, toolkitVersion: "0.1.0", ranAt: new Date().toISOString(), scope, report };
}

Deno.test("the report schema accepts what drill run --json prints, passing and failing", async () => {
  const { all, wrong } = await reports;
  assert.equal(all.drills.length >= 9, true);
  assert.deepEqual(validateJson(drillReportSchema, all), []);
  assert.deepEqual(validateJson(drillReportSchema, wrong), []);
  // The failing report carries the byte diff the dashboard shows.
  const failed = wrong.drills[0].steps.find((s: { status: string }) => s.status === "fail");
  assert.equal(typeof failed.diff.offset, "number");
  checkSubmission(submission("pc01", all));
  checkSubmission(submission("pc02", wrong));
  // The schema in force is the one `drill schema --report` publishes.
  const printed = await runToolkit(["drill", "schema", "--report"]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.deepEqual(JSON.parse(printed.stdout), JSON.parse(JSON.stringify(drillReportSchema)));
});

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
    [(s) => (s.machine = "pc 01; rm -rf"), /machine: "pc 01; rm -rf" does not match/],
    [(s) => delete (s as Partial<Submission>).report, /missing "report"/],
    [(s) => ((s as unknown as Record<string, unknown>).extra = 1), /unknown key "extra"/],
    [(s) => (s.report.drills[0].durationMs = -5), /durationMs: must be at least 0/],
    [(s) => (s.report.passed = 1), /do not count its drills/],
    [(s) => (s.ranAt = "yesterday"), /ranAt: "yesterday" does not match/],
    [(s) => ((s.report.drills[0] as { name: unknown }).name = 7), /name: must be of type string/],
  ];
  for (const [mutate, reason] of cases) assert.throws(bad(mutate), SubmissionError, reason);
  assert.throws(() => parseSubmission("{"), SubmissionError, /not JSON/);
  // A hostile document gets a bounded answer.
  const many = { ...submission("pc01", wrong), report: { drills: Array(500).fill(1) } };
  const issues = validateJson(submissionSchema, many);
  assert.equal(issues.length, 20);
  assert.ok(formatIssues(issues).length < 4000);
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
