// `toolkit drill serve` as a process on loopback, with `drill run --submit` as its client: the
// printed URL and tokens, the refusals (401 with nothing stored, 413, 400 with the reason), two
// machines submitting with history kept, live events, the exports, a kill -9 during 50 concurrent
// submissions losing no acknowledged one, the command's own scope (shown by `scope --for`, nested
// in --net, the `lab` permission set), bad input; and its parse in process. Spooling while the
// collector is down and `drill submit` are in drill_submit_test.ts.
import assert from "#assert";
import { assertWellFormedXml } from "../_support/drill_xml.ts";
import { labToolkitCmd, root, runToolkit, toolkitCmd } from "../_support/harness.ts";
import { collectorTest, drillReport, wrapReport } from "../_support/serve_process.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import drillServe from "../../lib/commands/drill_serve.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const fixtures = `${root}/tests/fixtures/drill`;

async function get(url: string, token?: string, headers: Record<string, string> = {}) {
  const r = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}`, ...headers } : headers,
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text };
}

async function post(base: string, token: string | undefined, body: BodyInit) {
  const r = await fetch(`${base}/api/submit`, {
    method: "POST",
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    body,
  });
  return { status: r.status, json: await r.json() };
}

/** A real report, wrapped the way `drill run --submit` does. */
const sample = (async () => {
  const report = await drillReport("same-subnet");
  return (machine: string) =>
    wrapReport(structuredClone(report), machine) as Record<string, unknown> & { machine: string };
})();

collectorTest(
  "drill serve prints the dashboard URL and tokens; a wrong token is 401 and stores nothing",
  async ({ dir, db, serve }) => {
    const srv = await serve(["127.0.0.1:0", "--db", db]);
    const { classToken, teacherToken, dashboard, submitUrl } = srv.info as Record<string, string>;
    assert.match(classToken, /^[A-Za-z0-9_-]{22}$/);
    assert.match(teacherToken, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(classToken, teacherToken);
    assert.equal(dashboard, `${srv.base}/?t=${teacherToken}`);
    assert.equal(submitUrl, srv.base);
    // The dashboard and its data need the teacher token; the class token does not open them.
    for (const path of ["/", "/api/results", "/api/events", "/export.csv", "/export.xml"]) {
      assert.equal((await get(srv.base + path)).status, 401, path);
      assert.equal((await get(srv.base + path, classToken)).status, 401, path);
      assert.equal((await get(`${srv.base}${path}?t=${classToken}`)).status, 401, path);
    }
    const page = await get(dashboard);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    const csp = page.headers.get("content-security-policy")!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce !== undefined, csp);
    assert.match(csp, /default-src 'none'/);
    assert.equal(page.text.match(/<script\b/g)?.length, 1, "one script, ours");
    assert.match(page.text, new RegExp(`<script nonce="${nonce!.replace(/[+/=]/g, "\\$&")}">`));
    assert.doesNotMatch(page.text, /https?:\/\/(?!json-schema)/, "nothing loaded from elsewhere");
    // The cookie that lets the page drop the token from the address bar.
    const cookie = page.headers.get("set-cookie")!;
    assert.match(cookie, /HttpOnly; SameSite=Strict/);
    const viaCookie = await get(`${srv.base}/api/results`, undefined, {
      cookie: cookie.split(";")[0],
    });
    assert.equal(viaCookie.status, 200);
    // Wrong, missing and teacher tokens do not submit, and nothing is stored.
    const body = JSON.stringify((await sample)("pc01"));
    for (const token of [undefined, "wrong-token-123", teacherToken, classToken + "x"]) {
      const r = await post(srv.base, token, body);
      assert.equal(r.status, 401, String(token));
    }
    const results = JSON.parse((await get(`${srv.base}/api/results`, teacherToken)).text);
    assert.equal(results.submissions, 0);
    assert.deepEqual(results.machines, []);
    const ok = await post(srv.base, classToken, body);
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal(ok.json.id, 1);
    const stopped = await srv.stop();
    assert.equal(stopped.code, 130, stopped.stderr);
    // Under --json stderr holds JSON only: the listening event is on stdout, and Ctrl-C's error.
    assert.deepEqual(
      stopped.stderr.trimEnd().split("\n").map((l) => JSON.parse(l).error.kind),
      ["interrupted"],
    );
    assert.equal(stopped.stdout.match(/"httpStatus":401/g)?.length, 4);
    const refused = stopped.stdout.split("\n").filter((l) => l.includes('"event":"refused"'));
    assert.equal(refused.length, 4);
    // Closed cleanly: the WAL was checkpointed into the database.
    await assert.rejects(() => Deno.stat(`${dir}/class.db-wal`), Deno.errors.NotFound);
  },
);

collectorTest(
  "drill serve: 413 past --max-body, 400 with the reason, nothing stored; text log",
  async ({ db, serve }) => {
    const token = "class-token-limits";
    const srv = await serve([
      "127.0.0.1:0",
      "--db",
      db,
      "--token",
      token,
      "--teacher-token",
      "teacher-token-limits",
      "--max-body",
      "8K",
    ], { json: false });
    const base = srv.base;
    const good = (await sample)("pc01");
    const big = JSON.stringify({ ...good, padding: "x".repeat(9000) });
    assert.equal((await post(base, token, big)).status, 413);
    // A body without a length (streamed) is cut at the cap too.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(1024)));
        c.close();
      },
    });
    assert.equal((await post(base, token, stream)).status, 413);
    const cases: [unknown, RegExp][] = [
      ["{not json", /^the body is not JSON/],
      [{ ...good, machine: "<b>pc</b>" }, /^not a drill submission: machine: "<b>pc<\/b>"/],
      [{ ...good, report: { drills: [], passed: 0 } }, /report: missing "failed"/],
      [[1, 2], /must be of type object \(got array\)/],
    ];
    for (const [body, reason] of cases) {
      const r = await post(base, token, typeof body === "string" ? body : JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.match(r.json.error, reason);
    }
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    assert.match((await post(base, token, bytes)).json.error, /not UTF-8/);
    const results = JSON.parse((await get(`${base}/api/results`, "teacher-token-limits")).text);
    assert.equal(results.submissions, 0);
    assert.equal((await post(base, token, JSON.stringify(good))).status, 201);
    const { code, stdout, stderr: rest } = await srv.stop();
    assert.equal(code, 130);
    assert.match(
      stdout,
      /^dashboard \(teacher only\): http:\/\/127\.0\.0\.1:\d+\/\?t=teacher-token-limits$/m,
    );
    assert.match(
      stdout,
      /^students: +toolkit drill run NAME\.\.\. --submit http:\S+ --token class-token-limits$/m,
    );
    assert.match(stdout, /^\d\d:\d\d:\d\d {2}pc01 {2}submission 1: 1\/1 drills passed$/m);
    // Refusals are logged on stderr (controls escaped), submissions on stdout.
    assert.match(rest, /refused 127\.0\.0\.1: the submission is larger than 8192 bytes \(413\)/);
    assert.match(rest, /refused 127\.0\.0\.1: not a drill submission: machine: .*\(400\)/);
  },
);

/** Reads Server-Sent Events from `url` into `got` until `signal` aborts. */
async function readEvents(url: string, got: string[], signal: AbortSignal): Promise<void> {
  try {
    const r = await fetch(url, { signal });
    let buffer = "";
    for await (const chunk of r.body!.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block);
        if (/^event: submission$/m.test(block) && data) got.push(data[1]);
      }
    }
  } catch { /* aborted */ }
}

collectorTest(
  "two machines submit with drill run --submit: live events, history appended, exports",
  async ({ dir, db, serve }) => {
    const srv = await serve(["127.0.0.1:0", "--db", db]);
    const stopEvents = new AbortController();
    const { classToken, teacherToken } = srv.info as Record<string, string>;
    const events: string[] = [];
    const reading = readEvents(
      `${srv.base}/api/events?t=${teacherToken}`,
      events,
      stopEvents.signal,
    );
    try {
      const submit = (args: string[]) =>
        runToolkit(["drill", "run", ...args, "--submit", srv.base, "--token", classToken], {
          cwd: dir,
          timeoutMs: 60_000,
        });
      const [a, b] = await Promise.all([
        submit(["tcp-echo", "same-subnet", "--as", "pc01"]),
        submit([`${fixtures}/wrong_expect.yaml`, "--as", "pc02"]),
      ]);
      // The report is printed as today, and the exit status is the drills' own.
      assert.equal(a.code, 0, a.stderr);
      assert.match(a.stdout, /^PASS tcp-echo: 8\/8 steps passed/m);
      assert.match(a.stderr, /^submitted to http:\/\/127\.0\.0\.1:\d+ as pc01 \(submission \d\)$/m);
      assert.equal(b.code, 1, b.stderr);
      assert.match(b.stdout, /first difference at byte 6/);
      const again = await submit(["same-subnet", "--as", "pc01", "--quiet"]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stderr, "", "--quiet: nothing on success");
      await srv.waitEvent((e) => e.event === "submission" && e.id === 3);
      const results = JSON.parse((await get(`${srv.base}/api/results`, teacherToken)).text);
      assert.equal(results.submissions, 3);
      assert.deepEqual(results.drills.sort(), ["same-subnet", "tcp-echo", "wrong-expect"]);
      const [pc01, pc02] = results.machines;
      assert.equal(pc01.machine, "pc01");
      assert.equal(pc01.submissions, 2);
      assert.equal(pc01.last.id, 3);
      // Each cell holds the machine's latest result of that drill: same-subnet from its second
      // submission, tcp-echo still from its first.
      const cell = (m: { cells: { drill: { name: string } }[] }, name: string) =>
        m.cells.find((c) => c.drill.name === name) as unknown as {
          drill: { status: string; steps: { status: string; diff?: { offset: number } }[] };
          submission: { id: number; scope: { net: { all: boolean } } };
        };
      assert.equal(cell(pc01, "same-subnet").submission.id, 3);
      assert.notEqual(cell(pc01, "tcp-echo").submission.id, 3);
      assert.equal(cell(pc01, "tcp-echo").submission.scope.net.all, true, "the run's scope");
      const failed = cell(pc02, "wrong-expect").drill;
      assert.equal(failed.status, "fail");
      assert.equal(failed.steps.find((s) => s.status === "fail")!.diff!.offset, 6);
      // History: appended, never overwritten; each submission still readable.
      const history = JSON.parse(
        (await get(`${srv.base}/api/machines/pc01/submissions`, teacherToken)).text,
      );
      const ids = history.submissions.map((h: { id: number }) => h.id);
      assert.equal(ids[0], 3, "newest first");
      assert.equal(history.submissions.length, 2);
      const first = JSON.parse(
        (await get(`${srv.base}/api/submissions/${history.submissions[1].id}`, teacherToken))
          .text,
      );
      assert.deepEqual(first.drills.map((d: { name: string }) => d.name), [
        "tcp-echo",
        "same-subnet",
      ]);
      assert.equal((await get(`${srv.base}/api/submissions/999`, teacherToken)).status, 404);
      // Live: one event per submission, each carrying the machine's new row.
      for (let i = 0; i < 50 && events.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(events.length, 3, events.join("\n"));
      assert.deepEqual(events.map((e) => JSON.parse(e).machine).sort(), ["pc01", "pc01", "pc02"]);
      // Exports of the class's latest results.
      const csv = await get(`${srv.base}/export.csv`, teacherToken);
      assert.match(csv.headers.get("content-disposition")!, /attachment; filename="drills.csv"/);
      const rows = csv.text.trimEnd().split("\r\n");
      assert.equal(rows.length, 4);
      assert.match(rows[1], /^pc01,tcp-echo,pass,8,8,/);
      assert.match(rows[2], /^pc01,same-subnet,pass,3,3,\d+,\S+,\S+,0\.1\.0,3,,$/);
      assert.match(rows[3], /^pc02,wrong-expect,fail,3,5,/);
      const xml = await get(`${srv.base}/export.xml`, teacherToken);
      await assertWellFormedXml(xml.text);
      assert.match(xml.text, /<testsuite name="pc02\.wrong-expect" [^>]*failures="1"/);
      assert.match(xml.text, /first difference at byte 6/);
    } finally {
      stopEvents.abort();
      await reading;
    }
  },
);

collectorTest(
  "kill -9 during 50 concurrent submissions: every acknowledged one survives, db intact",
  async ({ db, serve }) => {
    const token = "class-token-kill9";
    const make = await sample;
    const acked: { machine: string; id: number }[] = [];
    let unanswered = 0;
    // Kill at the first answer, while the rest are in flight. Should all 50
    // be answered first (a fast machine), go again: the kill must land mid-way.
    for (let round = 0; round < 5 && unanswered === 0; round++) {
      // 50 machines behind one address (loopback): the per-address limits raised, as a lab
      // behind NAT would raise them.
      const srv = await serve([
        "127.0.0.1:0",
        "--db",
        db,
        "--token",
        token,
        "--rate",
        "1000/s",
        "--max-connections",
        "200",
      ]);
      let killed = false;
      const kill = () => {
        if (!killed) srv.child.kill("SIGKILL");
        killed = true;
      };
      const bodies = Array.from({ length: 50 }, (_, i) => {
        const s = make(`r${round}-m${String(i).padStart(2, "0")}`);
        // Some weight, so 50 bodies take a moment to arrive.
        (s.report as { drills: { source: string }[] }).drills[0].source = "x".repeat(20_000);
        return s;
      });
      const answers = await Promise.all(bodies.map(async (b, i) => {
        await new Promise((r) => setTimeout(r, i % 10));
        try {
          const r = await post(srv.base, token, JSON.stringify(b));
          if (r.status === 201) {
            kill();
            acked.push({ machine: b.machine, id: r.json.id });
          }
          return r.status;
        } catch {
          return 0;
        }
      }));
      kill();
      await srv.stop("SIGKILL");
      unanswered = answers.filter((s) => s === 0).length;
      assert.ok(answers.every((s) => s === 0 || s === 201), answers.join(","));
    }
    assert.ok(unanswered > 0, "the kill landed after every submission was answered, 5 times");
    // Restart on the same database: every acknowledged submission is there, under its id.
    const srv = await serve(["127.0.0.1:0", "--db", db, "--token", token]);
    const results = JSON.parse(
      (await get(`${srv.base}/api/results`, String(srv.info.teacherToken))).text,
    );
    const stored = new Map(
      results.machines.map((m: { machine: string; last: { id: number } }) => [
        m.machine,
        m.last.id,
      ]),
    );
    for (const a of acked) assert.equal(stored.get(a.machine), a.id, a.machine);
    assert.ok(results.submissions >= acked.length);
    assert.equal(srv.info.submissionCount, results.submissions);
    await srv.stop();
    const { DatabaseSync } = await import("node:sqlite");
    const check = new DatabaseSync(db, { readOnly: true });
    assert.deepEqual(
      check.prepare("PRAGMA integrity_check").all().map((r) => r.integrity_check),
      ["ok"],
    );
    check.close();
    console.error(
      `kill -9: ${acked.length} acknowledged before the kill, all present after the restart; ` +
        `${unanswered} of the last 50 never answered`,
    );
  },
);

collectorTest(
  "drill serve runs in its own scope: scope --for shows it; --net and the lab set bound it",
  async ({ dir, db, serve }) => {
    const shown = await runToolkit([
      "--json",
      "scope",
      "--for",
      "drill",
      "serve",
      "127.0.0.1:8080",
      "--db",
      db,
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    const scope = JSON.parse(shown.stdout);
    assert.equal(scope.narrowed, true);
    assert.deepEqual(
      [scope.net.all, scope.read.all, scope.write.all, scope.run.all],
      [false, false, false, false],
    );
    const entries = (kind: string): string[] =>
      scope[kind].grants.map((g: { entry: string }) => g.entry);
    assert.ok(entries("net").includes("127.0.0.1:8080"), shown.stdout);
    assert.ok(!entries("net").some((e: string) => /^127\.0\.0\.0\/8$|:9000$/.test(e)));
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      assert.ok(entries("read").includes(f) && entries("write").includes(f), f);
    }
    assert.deepEqual(entries("write").sort(), [db, `${db}-journal`, `${db}-shm`, `${db}-wal`]);
    assert.deepEqual(scope.run.grants, []);
    const text = await runToolkit(["scope", "--for", "drill", "serve", "8080", "--db", db]);
    assert.match(text.stdout, /runs in a scope of its own/);
    assert.match(text.stdout, /^ {2}network +127\.0\.0\.1:8080\n/m);
    const none = await runToolkit(["scope", "--for", "subnet", "info", "10.0.0.1/24"]);
    assert.match(none.stdout, /^'subnet info' has no scope of its own/);
    // Inside a narrower --net the own scope nests and Deno refuses it: exit 4, nothing created.
    const narrowed = await runToolkit([
      "--net",
      "127.0.0.1:9",
      "drill",
      "serve",
      "127.0.0.1:18080",
      "--db",
      db,
    ]);
    assert.equal(narrowed.code, 4, narrowed.stderr);
    assert.match(
      narrowed.stderr,
      /^toolkit: error: outside the permission scope: net access to 127\.0\.0\.1:18080 \(needed by the command's own scope\) is not allowed/,
    );
    await assert.rejects(() => Deno.stat(db), Deno.errors.NotFound);
    // Inside a --scope that lists its files and address, it runs.
    const scopeFile = `${dir}/scope.json`;
    await Deno.writeTextFile(
      scopeFile,
      JSON.stringify({ net: ["127.0.0.1"], read: [dir], write: [dir] }),
    );
    const inside = await serve(["127.0.0.1:0", "--db", db], {
      cmd: [...toolkitCmd, "--scope", scopeFile],
    });
    assert.equal((await inside.stop()).code, 130);
    await Deno.stat(db);
    // The `lab` permission set (deno task toolkit:lab, compile:lab) serves on loopback and
    // refuses a bind on every interface, which would face the real network.
    if (Deno.env.get("TOOLKIT_CMD")) {
      console.error("SKIP the lab set part: TOOLKIT_CMD runs a fixed binary");
    } else {
      const lab = labToolkitCmd;
      const onLoopback = await serve(["127.0.0.1:0", "--db", db], { cmd: lab });
      assert.equal((await onLoopback.stop()).code, 130);
      const everywhere = await new Deno.Command(lab[0], {
        args: [...lab.slice(1), "drill", "serve", "0.0.0.0:18080", "--db", db],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(everywhere.code, 4, new TextDecoder().decode(everywhere.stderr));
    }
  },
);

collectorTest(
  "drill serve: bad input is exit 2, a busy port 3",
  async ({ dir }) => {
    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const cases: [string[], RegExp][] = [
        [["drill", "serve", "127.0.0.1:6000"], /port 6000 is one browsers refuse/],
        [["drill", "serve", "8080", "--token", "short"], /--token must be 8 to 128/],
        [
          ["drill", "serve", "8080", "--token", "same-token", "--teacher-token", "same-token"],
          /must differ/,
        ],
        [["drill", "serve", "8080", "--db", ":memory:"], /--db takes a file path/],
        [["drill", "serve", "8080", "--max-body", "lots"], /--max-body: cannot parse size/i],
        [["drill", "serve", "not-an-address:x"], /cannot parse port/i],
      ];
      for (const [args, message] of cases) {
        const r = await runToolkit(args, { cwd: dir });
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^toolkit: error: /, args.join(" "));
        assert.match(r.stderr, message, args.join(" "));
      }
      // A file that is not a collector's database is bad input, not a crash; nothing is changed.
      await Deno.writeTextFile(`${dir}/notes.db`, "my notes\n".repeat(1000));
      const notDb = await runToolkit(["drill", "serve", "127.0.0.1:0", "--db", `${dir}/notes.db`]);
      assert.equal(notDb.code, 2, notDb.stderr);
      assert.match(notDb.stderr, /^toolkit: error: .*notes\.db is not a SQLite database$/m);
      assert.equal(await Deno.readTextFile(`${dir}/notes.db`), "my notes\n".repeat(1000));
      const port = (busy.addr as Deno.NetAddr).port;
      const inUse = await runToolkit([
        "drill",
        "serve",
        `127.0.0.1:${port}`,
        "--db",
        `${dir}/a.db`,
      ]);
      assert.equal(inUse.code, 3, inUse.stderr);
      assert.match(inUse.stderr, /^toolkit: error: address in use \(127\.0\.0\.1:\d+\)$/m);
      const help = await runToolkit(["drill", "serve", "--help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: toolkit drill serve /m);
    } finally {
      busy.close();
    }
  },
);

Deno.test("drill serve parse: the limits' defaults, each option's value; no address, a bad size or rate refused", () => {
  assert.deepEqual(drillServe.parse(["127.0.0.1:0"], noGlobals), {
    listen: { host: "127.0.0.1", port: 0, family: "ipv4" },
    db: "drills.db",
    classToken: undefined,
    teacherToken: undefined,
    maxBodyBytes: 1048576,
    rate: { count: 30, periodMs: 60000 },
    quotaBytes: 33554432,
    maxConnections: 32,
    maxDashboards: 64,
    json: false,
    quiet: false,
  });
  const o = drillServe.parse(
    [
      "--db",
      "/tmp/d.db",
      "--token",
      "abcdefgh1",
      "--max-body",
      "64K",
      "--rate",
      "5/s",
      "[::1]:8080",
    ],
    noGlobals,
  );
  assert.deepEqual([o.listen.host, o.listen.port, o.db, o.classToken, o.maxBodyBytes, o.rate], [
    "::1",
    8080,
    "/tmp/d.db",
    "abcdefgh1",
    65536,
    { count: 5, periodMs: 1000 },
  ]);
  assert.throws(() => drillServe.parse([], noGlobals), UsageError, "expected [HOST:]PORT");
  assert.throws(
    () => drillServe.parse(["--max-body", "huge", "0"], noGlobals),
    UsageError,
    "--max-body",
  );
  assert.throws(() => drillServe.parse(["--rate", "lots", "0"], noGlobals), UsageError, "--rate");
});
