// `drill serve` against what review R18 did to it, as processes on loopback: a slowloris and a
// file-descriptor limit do not stop it; one student's flood meets a rate, a quota, limits per
// report and the teacher's hide control; a late spool file does not cover a newer result; tokens
// survive a restart; --db through links; a full disk; the own scope without client binds; the
// addresses of a wildcard bind (in a namespace of the test's own); messages that say what happened.
import assert from "#assert";
import net from "node:net";
import { freePort, isRoot, labToolkitCmd, runToolkit, toolkitCmd } from "../_support/harness.ts";
import { makeLab } from "../_support/netns.ts";
import {
  collectorTest,
  drillReport,
  type Serve,
  wrapReport,
  wrongExpect,
} from "../_support/serve_process.ts";

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real report, wrapped as `drill run --submit` does, `ranAt` now unless given. */
const sample = (async () => {
  const [right, wrong] = [await drillReport("same-subnet"), await drillReport(wrongExpect, 1)];
  return (machine: string, options: { ranAt?: string; failing?: boolean } = {}) =>
    wrapReport(structuredClone(options.failing ? wrong : right), machine, options.ranAt);
})();

async function post(
  base: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const r = await fetch(`${base}/api/submit`, {
    method: "POST",
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, json: await r.json() };
}

async function getJson(url: string, token: string) {
  const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, json: await r.json() };
}

/** A request from another loopback address (127.0.0.2, ...), as another machine would send it. */
function requestFrom(
  localAddress: string,
  port: number,
  head: string,
  body = "",
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let got = "";
    const s = net.connect({ host: "127.0.0.1", port, localAddress }, () => {
      s.write(
        `${head}\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${enc.encode(body).length}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    });
    s.on("data", (d: Uint8Array) => (got += new TextDecoder().decode(d)));
    s.on("end", () => resolve(got));
    s.on("error", reject);
  });
}

/** A submission POSTed from another loopback address. */
function postFrom(localAddress: string, port: number, token: string, body: string) {
  return requestFrom(
    localAddress,
    port,
    `POST /api/submit HTTP/1.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json`,
    body,
  );
}

function portOf(srv: Serve): number {
  return Number(String(srv.info.address).split(":").at(-1));
}

/** `toolkit drill serve` under `ulimit -n`, in text mode. */
function limitedCmd(files: number): string[] {
  return ["sh", "-c", `ulimit -n ${files} && exec "$@"`, "sh", ...toolkitCmd];
}

collectorTest(
  "a slowloris is capped per address and the collector serves others; EMFILE is ridden out",
  async ({ db, serve }) => {
    const held: Deno.Conn[] = [];
    const make = await sample;
    let srv = await serve([
      "127.0.0.1:0",
      "--db",
      db,
      "--token",
      "class-token-loris",
      "--teacher-token",
      "teacher-token-loris",
      "--max-connections",
      "8",
    ], { json: false });
    try {
      // The reviewer's slowloris: a POST head that never ends, a header line every so often.
      const port = portOf(srv);
      for (let i = 0; i < 40; i++) {
        const c = await Deno.connect({ hostname: "127.0.0.1", port });
        await c.write(enc.encode("POST /api/submit HTTP/1.1\r\nHost: x\r\n"));
        held.push(c);
      }
      const drip = setInterval(() => {
        for (const c of held) c.write(enc.encode("X-a: b\r\n")).catch(() => {});
      }, 200);
      try {
        await sleep(500);
        // Another machine (127.0.0.2) still submits, and the teacher still reads.
        const answer = await postFrom(
          "127.0.0.2",
          port,
          "class-token-loris",
          JSON.stringify(make("pc02")),
        );
        assert.match(answer, /^HTTP\/1\.1 201 Created/);
        const results = await requestFrom(
          "127.0.0.3",
          port,
          "GET /api/results HTTP/1.1\r\nAuthorization: Bearer teacher-token-loris",
        );
        assert.match(results, /^HTTP\/1\.1 200 OK[\s\S]*"submissions":1[,}]/);
      } finally {
        clearInterval(drip);
      }
      const log = srv.stderr();
      assert.match(
        log,
        /refused 127\.0\.0\.1: too many connections from 127\.0\.0\.1 \(at most 8 at once\) \(429\)/,
      );
      // Throttled: 32 turned away, a line or two.
      assert.ok(log.match(/too many connections/g)!.length <= 2, log);
      for (const c of held.splice(0)) c.close();
      assert.equal((await srv.stop()).code, 130);

      // Out of descriptors: a collector under `ulimit -n 64` flooded with 120 connections from
      // 120 addresses keeps running, says so, and serves again once they go.
      srv = await serve([
        "127.0.0.1:0",
        "--db",
        db,
        "--max-connections",
        "1000",
      ], { json: false, cmd: limitedCmd(64) });
      const flooded = portOf(srv);
      const sockets: net.Socket[] = [];
      for (let i = 0; i < 120; i++) {
        sockets.push(
          net.connect({
            host: "127.0.0.1",
            port: flooded,
            localAddress: `127.0.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`,
          }).on("error", () => {}),
        );
      }
      for (let i = 0; i < 100 && !/too many open files/.test(srv.stderr()); i++) await sleep(100);
      assert.match(srv.stderr(), /accept failed: too many open files; retrying in \d+ ms/);
      await sleep(1500);
      assert.equal(
        await Promise.race([
          srv.child.status.then(() => "exited"),
          sleep(10).then(() => "running"),
        ]),
        "running",
      );
      for (const s of sockets) s.destroy();
      let served = 0;
      for (let i = 0; i < 40 && !served; i++) {
        await sleep(250);
        const r = await fetch(`${srv.base}/api/results`).catch(() => undefined);
        if (r) {
          await r.body?.cancel();
          served = r.status;
        }
      }
      assert.equal(served, 401, "serving again (401: no teacher token)");
    } finally {
      for (const c of held) c.close();
    }
  },
);

collectorTest(
  "one student's flood: limits per report, a rate (429, Retry-After), a quota (403)",
  async ({ dir, db, serve }) => {
    const make = await sample;
    const token = "class-token-flood";
    let srv = await serve([
      "127.0.0.1:0",
      "--db",
      db,
      "--token",
      token,
      "--teacher-token",
      "teacher-token-flood",
      "--rate",
      "5/min",
    ]);
    // The reviewer's 7000 drills z00000..z06999 in one report, and a 200,000-character name.
    const one = make("pc31");
    const drill = one.report.drills[0];
    const many = {
      ...one,
      report: {
        // Minimal drills, as the reviewer's: 7000 fit in well under 1 MB.
        drills: Array.from({ length: 7000 }, (_, i) => ({
          name: `z${String(i).padStart(5, "0")}`,
          source: "x",
          status: "pass",
          durationMs: 0,
          scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
          steps: [],
        })),
        passed: 7000,
        failed: 0,
      },
    };
    const r1 = await post(srv.base, token, many);
    assert.equal(r1.status, 400);
    assert.match(r1.json.error, /report\.drills: must have at most 64 items/);
    const long = {
      ...one,
      report: { ...one.report, drills: [{ ...drill, name: "z".repeat(200_000) }] },
    };
    assert.match((await post(srv.base, token, long)).json.error, /must be at most 64 characters/);
    // Five at once (every attempt counts: the two refused ones too), then one every 12 s: the
    // sixth is 429 with Retry-After.
    for (let i = 0; i < 3; i++) {
      assert.equal((await post(srv.base, token, make("pc31"))).status, 201);
    }
    const fourth = await post(srv.base, token, make("pc31"));
    assert.equal(fourth.status, 429);
    assert.match(
      fourth.json.error,
      /^too many submissions from 127\.0\.0\.1: at most 5 a minute \(try again in \d+ s\)$/,
    );
    assert.ok(Number(fourth.headers.get("retry-after")) >= 1);
    // Another name from the same address is held by the address's rate too.
    assert.equal((await post(srv.base, token, make("pc32"))).status, 429);
    // drill run --submit treats 429 as "try later": exit 3, the report spooled.
    const run = await runToolkit(
      ["drill", "run", "same-subnet", "--submit", srv.base, "--token", token, "--as", "pc31"],
      { cwd: dir },
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^kept the report in drill-spool\/pc31-/m);
    assert.match(run.stderr, /the collector answered 429: too many submissions/);
    assert.equal((await srv.stop()).code, 130);
    // A quota of stored bytes per machine and per address: 403 once it is used up.
    srv = await serve([
      "127.0.0.1:0",
      "--db",
      db,
      "--rate",
      "1000/s",
      "--quota",
      "40K",
    ]);
    const classToken = String(srv.info.classToken);
    assert.equal(classToken, token, "the token kept in the database");
    let status = 201;
    let n = 0;
    let last;
    for (; n < 50 && status === 201; n++) {
      last = await post(srv.base, classToken, make(`q${n}`));
      status = last.status;
    }
    assert.equal(status, 403);
    assert.ok(n > 3 && n < 50, `${n} submissions`);
    assert.match(
      last!.json.error,
      /^127\.0\.0\.1 has \d+ bytes of submissions stored, and its quota is 40960 bytes: the teacher can raise it \(drill serve --quota\)$/,
    );
  },
);

collectorTest(
  "the teacher hides a machine and a drill: gone from the view and exports, data kept",
  async ({ db, serve }) => {
    const make = await sample;
    const args = [
      "127.0.0.1:0",
      "--db",
      db,
      "--teacher-token",
      "teacher-token-hide",
    ];
    let srv = await serve(args);
    const teacher = "teacher-token-hide";
    const classToken = String(srv.info.classToken);
    const junk = make("pc31");
    junk.report.drills = [{ ...junk.report.drills[0], name: "z00001" }];
    assert.equal((await post(srv.base, classToken, junk)).status, 201);
    assert.equal((await post(srv.base, classToken, make("pc01"))).status, 201);
    assert.equal((await post(srv.base, classToken, make("pc02", { failing: true }))).status, 201);
    const hide = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${srv.base}/api/hidden`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${teacher}`,
          "content-type": "application/json",
          ...headers,
        },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: await r.json() }));
    // Students cannot; a page elsewhere cannot; nonsense is refused.
    const byStudent = await fetch(`${srv.base}/api/hidden`, {
      method: "POST",
      headers: { authorization: `Bearer ${classToken}`, "content-type": "application/json" },
      body: JSON.stringify({ kind: "machine", name: "pc01", hidden: true }),
    });
    assert.equal(byStudent.status, 401);
    await byStudent.body?.cancel();
    assert.equal(
      (await hide({ kind: "machine", name: "pc01", hidden: true }, {
        origin: "http://evil.invalid",
      }))
        .status,
      403,
    );
    assert.equal((await hide({ kind: "table", name: "x", hidden: true })).status, 400);
    assert.equal((await hide({ kind: "machine", name: "nobody", hidden: true })).status, 404);
    assert.deepEqual((await hide({ kind: "machine", name: "pc31", hidden: true })).json, {
      kind: "machine",
      name: "pc31",
      hidden: true,
    });
    assert.equal((await hide({ kind: "drill", name: "z00001", hidden: true })).status, 200);
    assert.equal((await hide({ kind: "drill", name: "wrong-expect", hidden: true })).status, 200);
    assert.equal(
      (await hide({ kind: "drill", name: "wrong-expect", hidden: false })).status,
      200,
    );
    await srv.waitEvent((e) =>
      e.event === "hidden" && e.name === "wrong-expect" && e.hidden === false
    );
    const view = async () => (await getJson(`${srv.base}/api/results`, teacher)).json;
    const check = async () => {
      const v = await view();
      assert.deepEqual(v.machines.map((m: { machine: string }) => m.machine), ["pc01", "pc02"]);
      assert.deepEqual(v.drills, ["same-subnet", "wrong-expect"]);
      assert.deepEqual(v.hidden, { machines: ["pc31"], drills: ["z00001"] });
      assert.equal(v.submissions, 3, "every submission is still stored");
      const csv = await fetch(`${srv.base}/export.csv`, {
        headers: { authorization: `Bearer ${teacher}` },
      }).then((r) => r.text());
      assert.doesNotMatch(csv, /pc31|z00001/);
      const history = await getJson(`${srv.base}/api/machines/pc31/submissions`, teacher);
      assert.equal(history.status, 200);
      assert.equal(history.json.hidden, true);
      assert.equal(history.json.submissions.length, 1);
    };
    await check();
    // A restart keeps what is hidden.
    await srv.stop();
    srv = await serve(args);
    await check();
    assert.equal((await hide({ kind: "machine", name: "pc31", hidden: false })).status, 200);
    assert.deepEqual((await view()).hidden, { machines: [], drills: ["z00001"] });
  },
);

collectorTest(
  "a report that ran earlier but arrives later does not cover a newer one; it is marked",
  async ({ db, serve }) => {
    const make = await sample;
    const srv = await serve(["127.0.0.1:0", "--db", db]);
    const { classToken, teacherToken } = srv.info as Record<string, string>;
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    // wrong.yaml ran at 12:00 with the collector down (spooled); right.yaml at 12:10 was
    // submitted; then the spool file is sent.
    const right = make("pc07", { ranAt: at(10) });
    right.report.drills[0].name = "tcp-lab";
    const wrong = make("pc07", { ranAt: at(20), failing: true });
    wrong.report.drills[0].name = "tcp-lab";
    assert.equal((await post(srv.base, classToken, right)).status, 201);
    assert.equal((await post(srv.base, classToken, wrong)).status, 201);
    const late = await srv.waitEvent((e) => e.event === "submission" && e.id === 2) as Record<
      string,
      unknown
    >;
    assert.equal(late.arrivedLate, true);
    const v = (await getJson(`${srv.base}/api/results`, teacherToken)).json;
    const cell = v.machines[0].cells[0];
    assert.deepEqual([cell.drill.status, cell.submission.id], ["pass", 1]);
    const history = (await getJson(`${srv.base}/api/machines/pc07/submissions`, teacherToken)).json;
    assert.deepEqual(
      history.submissions.map((h: { id: number; arrivedLate: boolean }) => [h.id, h.arrivedLate]),
      [[2, true], [1, false]],
    );
    const csv = await fetch(`${srv.base}/export.csv`, {
      headers: { authorization: `Bearer ${teacherToken}` },
    }).then((r) => r.text());
    assert.match(csv.split("\r\n")[1], /^pc07,tcp-lab,pass,/);
  },
);

collectorTest(
  "the same name from another address is flagged; a report that contradicts itself is 400",
  async ({ db, serve }) => {
    const make = await sample;
    const srv = await serve(["127.0.0.1:0", "--db", db]);
    const { classToken, teacherToken } = srv.info as Record<string, string>;
    assert.equal((await post(srv.base, classToken, make("pc07"))).status, 201);
    const other = await postFrom(
      "127.0.0.2",
      portOf(srv),
      classToken,
      JSON.stringify(make("pc07")),
    );
    assert.match(other, /^HTTP\/1\.1 201 /);
    const flagged = await srv.waitEvent((e) => e.event === "submission" && e.id === 2) as Record<
      string,
      unknown
    >;
    assert.deepEqual([flagged.remote, flagged.previousRemote], ["127.0.0.2", "127.0.0.1"]);
    const v = (await getJson(`${srv.base}/api/results`, teacherToken)).json;
    assert.equal(v.machines[0].addresses, 2);
    const history = (await getJson(`${srv.base}/api/machines/pc07/submissions`, teacherToken)).json;
    assert.deepEqual(history.submissions.map((h: { remote: string }) => h.remote), [
      "127.0.0.2",
      "127.0.0.1",
    ]);
    // status: pass with a failed step; fail with every step passed.
    const lying = make("pc08", { failing: true });
    lying.report.drills[0].status = "pass";
    lying.report.passed = 1;
    lying.report.failed = 0;
    const r = await post(srv.base, classToken, lying);
    assert.equal(r.status, 400);
    assert.match(r.json.error, /report\.drills\[0\]\.status is pass, but 1 of its steps failed/);
    const modest = make("pc08");
    modest.report.drills[0].status = "fail";
    modest.report.passed = 0;
    modest.report.failed = 1;
    assert.match(
      (await post(srv.base, classToken, modest)).json.error,
      /status is fail, but every step passed/,
    );
  },
);

collectorTest(
  "tokens are kept in the database: a restart prints the same; --token replaces, with a warning",
  async ({ db, serve }) => {
    const make = await sample;
    let srv = await serve(["127.0.0.1:0", "--db", db]);
    const first = srv.info as Record<string, string>;
    assert.equal((await post(srv.base, first.classToken, make("pc01"))).status, 201);
    await srv.stop();
    srv = await serve(["127.0.0.1:0", "--db", db]);
    const second = srv.info as Record<string, string>;
    assert.deepEqual(
      [second.classToken, second.teacherToken],
      [first.classToken, first.teacherToken],
    );
    // A spooled report and an open dashboard's cookie still work after the restart.
    assert.equal((await post(srv.base, first.classToken, make("pc02"))).status, 201);
    assert.equal(
      (await getJson(`${srv.base}/api/results`, first.teacherToken)).json.submissions,
      2,
    );
    const { stdout } = await srv.stop();
    void stdout;
    // Text mode says the tokens came from the database.
    srv = await serve(["127.0.0.1:0", "--db", db], { json: false });
    const text = await srv.stop();
    assert.match(text.stdout, new RegExp(`--token ${first.classToken}$`, "m"));
    assert.match(
      text.stdout,
      /^database: +.*class\.db \(2 submissions so far; tokens kept from its last run\)$/m,
    );
    // --token on a database that has one: the new one is in force (and kept), the old refused.
    srv = await serve(["127.0.0.1:0", "--db", db, "--token", "new-class-token-42"]);
    assert.equal(srv.info.classToken, "new-class-token-42");
    assert.equal(srv.info.teacherToken, first.teacherToken);
    assert.equal((await post(srv.base, first.classToken, make("pc03"))).status, 401);
    assert.equal((await post(srv.base, "new-class-token-42", make("pc03"))).status, 201);
    const replaced = await srv.stop();
    const warning = JSON.parse(replaced.stderr.split("\n")[0]);
    assert.match(
      warning.warning.message,
      /^--token replaces the class token kept in .*class\.db: reports sent with the old one are refused \(401\)$/,
    );
    srv = await serve(["127.0.0.1:0", "--db", db]);
    assert.equal(srv.info.classToken, "new-class-token-42");
  },
);

collectorTest(
  "--db through a symlink, or a symlinked directory: the file it leads to is opened",
  async ({ dir, serve }) => {
    const make = await sample;
    await Deno.mkdir(`${dir}/real`);
    let srv = await serve(["127.0.0.1:0", "--db", `${dir}/real/real.db`]);
    const token = String(srv.info.classToken);
    assert.equal((await post(srv.base, token, make("pc01"))).status, 201);
    await srv.stop();
    await Deno.symlink(`${dir}/real/real.db`, `${dir}/reallink.db`);
    await Deno.symlink(`${dir}/real`, `${dir}/dirlink`);
    for (const [i, db] of [`${dir}/reallink.db`, `${dir}/dirlink/real.db`].entries()) {
      srv = await serve(["127.0.0.1:0", "--db", db]);
      assert.equal(srv.info.submissionCount, 1 + i, db);
      assert.equal(srv.info.classToken, token);
      assert.equal((await post(srv.base, token, make("pc02"))).status, 201);
      assert.equal((await srv.stop()).code, 130);
    }
    // The links are still links; the data is in the real file.
    assert.ok((await Deno.lstat(`${dir}/reallink.db`)).isSymlink);
    const shown = await runToolkit([
      "--json",
      "scope",
      "--for",
      "drill",
      "serve",
      "127.0.0.1:8080",
      "--db",
      `${dir}/reallink.db`,
    ]);
    const real = await Deno.realPath(`${dir}/real/real.db`);
    const write = JSON.parse(shown.stdout).write.grants.map((g: { entry: string }) => g.entry);
    assert.deepEqual(write, [real, `${real}-wal`, `${real}-shm`, `${real}-journal`]);
    srv = await serve(["127.0.0.1:0", "--db", `${dir}/real/real.db`]);
    assert.equal(srv.info.submissionCount, 3);
    await srv.stop();
  },
);

Deno.test({
  name: "the own scope only listens: no client bind; its environment and system info narrowed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const shown = await runToolkit([
      "--json",
      "scope",
      "--for",
      "drill",
      "serve",
      "127.0.0.1:8080",
      "--db",
      "/tmp/x.db",
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    const scope = JSON.parse(shown.stdout);
    const entries = (kind: string) => scope[kind].grants.map((g: { entry: string }) => g.entry);
    assert.deepEqual(entries("net"), ["127.0.0.1:8080"]);
    assert.deepEqual(entries("sys"), []);
    assert.ok(!entries("env").some((e: string) => /LOG_|TOKEN/.test(e)), entries("env").join());
    const wildcard = await runToolkit([
      "--json",
      "scope",
      "--for",
      "drill",
      "serve",
      "0.0.0.0:8080",
      "--db",
      "/tmp/x.db",
    ]);
    const w = JSON.parse(wildcard.stdout);
    assert.deepEqual(w.net.grants.map((g: { entry: string }) => g.entry), ["0.0.0.0:8080"]);
    assert.deepEqual(w.sys.grants.map((g: { entry: string }) => g.entry), ["networkInterfaces"]);
  },
});

collectorTest(
  "the lab set: serving on a lab address this machine does not have is 'address not available'",
  async ({ dir }) => {
    const lab = labToolkitCmd;
    const r = await new Deno.Command(lab[0], {
      args: [
        ...lab.slice(1),
        "drill",
        "serve",
        "[2001:2:0:1::254]:18305",
        "--db",
        "/nonexistent/x.db",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(r.stderr);
    // The database is opened first: a directory that is not there is exit 2, not a scope error
    // about the host's own addresses.
    assert.notEqual(r.code, 4, stderr);
    assert.doesNotMatch(stderr, /fd00|:0\]|implicit/);
    const again = await new Deno.Command(lab[0], {
      args: [...lab.slice(1), "drill", "serve", "[2001:2:0:1::254]:18305", "--db", `${dir}/x.db`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(again.stderr);
    assert.equal(again.code, 3, text);
    assert.match(text, /^toolkit: error: address not available \(\[2001:2:0:1::254\]:18305\)$/m);
  },
  Deno.env.get("TOOLKIT_CMD") ? "TOOLKIT_CMD runs a fixed binary, not the lab set" : undefined,
);

collectorTest(
  "on 0.0.0.0 every address is printed (in a namespace of the test's own)",
  async ({ db, serve }) => {
    const lab = await makeLab("s");
    try {
      let srv = await serve(["0.0.0.0:0", "--db", db], {
        cmd: ["ip", "netns", "exec", lab.ns, ...toolkitCmd],
      });
      const port = String(srv.info.address).split(":").at(-1);
      assert.deepEqual(srv.info.urls, [`http://${lab.nsIp}:${port}`, `http://127.0.0.1:${port}`]);
      assert.equal(srv.info.submitUrl, `http://${lab.nsIp}:${port}`);
      await srv.stop();
      srv = await serve(["0.0.0.0:0", "--db", db], {
        cmd: ["ip", "netns", "exec", lab.ns, ...toolkitCmd],
        json: false,
      });
      const text = await srv.stop();
      assert.match(
        text.stdout,
        new RegExp(`^students: .*--submit http://${lab.nsIp.replace(/\./g, "\\.")}:\\d+ `, "m"),
      );
      assert.match(text.stdout, /^also at: +http:\/\/127\.0\.0\.1:\d+$/m);
    } finally {
      await lab.cleanup();
    }
  },
  isRoot() ? undefined : "needs root for a network namespace",
);

collectorTest(
  "a full disk: 503 saying so (not a rollback error), logged as not stored; still serving",
  async ({ dir, db, serve }) => {
    const make = await sample;
    // A 400 KiB tmpfs in a mount namespace of the collector's own: nothing outside sees it.
    const cmd = [
      "unshare",
      "-m",
      "sh",
      "-c",
      `mount -t tmpfs -o size=400k tmpfs "$0" && exec "$@"`,
      dir,
      ...toolkitCmd,
    ];
    const srv = await serve([
      "127.0.0.1:0",
      "--db",
      db,
      "--rate",
      "1000/s",
      "--token",
      "class-token-full",
      "--teacher-token",
      "teacher-token-full",
    ], { cmd, json: false });
    let last = { status: 201, json: {} as Record<string, string> };
    let stored = 0;
    for (let i = 0; i < 400 && last.status === 201; i++) {
      last = await post(srv.base, "class-token-full", make(`pc${i}`));
      if (last.status === 201) stored++;
    }
    assert.equal(last.status, 503, JSON.stringify(last.json));
    assert.ok(stored > 5, `${stored} stored first`);
    assert.match(last.json.error, /^the collector could not store it: database or disk is full/);
    assert.doesNotMatch(last.json.error, /rollback/);
    await sleep(200);
    assert.match(
      srv.stderr(),
      /could not store a submission from 127\.0\.0\.1: the collector could not store it: database or disk is full \(503\)/,
    );
    assert.doesNotMatch(srv.stderr(), /refused 127\.0\.0\.1: the collector could not store/);
    // What was acknowledged is there, and the collector still answers.
    const results = await getJson(`${srv.base}/api/results`, "teacher-token-full");
    assert.equal(results.status, 200);
    assert.equal(results.json.submissions, stored);
  },
  isRoot() ? undefined : "needs root to mount a small file system",
);

collectorTest(
  "messages that say what happened: a URL to listen on, --max-body -1, an unwritable spool, a 201 without an id",
  async ({ dir }) => {
    const url = await runToolkit(["drill", "serve", "http://127.0.0.1:18332"]);
    assert.equal(url.code, 2);
    assert.match(
      url.stderr,
      /^toolkit: error: give the address to listen on as \[HOST:\]PORT, not a URL \(http:\/\/127\.0\.0\.1:18332\)$/m,
    );
    const negative = await runToolkit(["drill", "serve", "8080", "--max-body", "-1"]);
    assert.equal(negative.code, 2);
    assert.match(
      negative.stderr,
      /^toolkit: error: --max-body: cannot parse size "-1": use bytes, 64K, 1M or 1G$/m,
    );
    // A collector that is down and a spool directory that cannot be written: exit 3, both said.
    const down = `http://127.0.0.1:${freePort()}`;
    await Deno.mkdir(`${dir}/ro`);
    await Deno.writeTextFile(`${dir}/ro/file`, "x");
    const spool = await runToolkit([
      "drill",
      "run",
      "same-subnet",
      "--submit",
      down,
      "--token",
      "class-token-msgs",
      "--as",
      "pc07",
      "--spool",
      `${dir}/ro/file/spool`,
    ], { cwd: dir });
    assert.equal(spool.code, 3, spool.stderr);
    assert.match(
      spool.stderr,
      /^toolkit: error: connection refused \(collector http:\/\/127\.0\.0\.1:\d+\/api\/submit; the report could not be kept in .*\/ro\/file\/spool: not a directory/m,
    );
    assert.match(spool.stdout, /^PASS same-subnet/m, "the report itself is printed");
    // Something that answers 201 but is not a collector: not "refused", kept for later.
    const fake = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response("created, maybe", { status: 201 }),
    );
    try {
      const r = await runToolkit([
        "drill",
        "run",
        "same-subnet",
        "--submit",
        `http://127.0.0.1:${fake.addr.port}`,
        "--token",
        "class-token-msgs",
        "--as",
        "pc07",
      ], { cwd: dir });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^kept the report in drill-spool\/pc07-/m);
      assert.match(
        r.stderr,
        /the collector answered 201 without a submission id \(is it a toolkit drill serve\?\)/,
      );
      assert.doesNotMatch(r.stderr, /refused/);
    } finally {
      await fake.shutdown();
    }
  },
);

collectorTest(
  "the class token from a file or the environment; a spool file resent is stored once",
  async ({ dir, db, serve }) => {
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const token = "class-token-from-file";
    await Deno.writeTextFile(`${dir}/token.txt`, `${token}\n`);
    // Collector down: spooled, the token read from the file (never on the command line).
    const run = await runToolkit(
      [
        "drill",
        "run",
        "same-subnet",
        "--submit",
        url,
        "--token-file",
        "token.txt",
        "--as",
        "pc07",
      ],
      { cwd: dir },
    );
    assert.equal(run.code, 3, run.stderr);
    const spooled = /^kept the report in (\S+);/m.exec(run.stderr)![1];
    const key = JSON.parse(await Deno.readTextFile(`${dir}/${spooled}`)).idempotencyKey;
    assert.match(key, /^[A-Za-z0-9_-]{22}$/);
    const srv = await serve([`127.0.0.1:${port}`, "--db", db, "--token", token]);
    // Sent, answer lost (--keep stands for it), sent again: stored once.
    const env = { TOOLKIT_DRILL_TOKEN: token };
    const first = await runToolkit(["drill", "submit", spooled, "--to", url, "--keep"], {
      cwd: dir,
      env,
    });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^sent drill-spool\/\S+: pc07, submission 1$/m);
    const again = await runToolkit(["drill", "submit", spooled, "--to", url], {
      cwd: dir,
      env,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /: pc07, submission 1 \(stored before: not stored again\)$/m);
    const { teacherToken } = srv.info as Record<string, string>;
    assert.equal((await getJson(`${url}/api/results`, teacherToken)).json.submissions, 1);
    await assert.rejects(() => Deno.stat(`${dir}/${spooled}`), Deno.errors.NotFound);
    // No token anywhere: exit 2 before any drill runs; a file holding no token says so
    // without printing it.
    const none = await runToolkit(["drill", "run", "same-subnet", "--submit", url], {
      cwd: dir,
    });
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /missing --token \(.*--token-file FILE, or TOOLKIT_DRILL_TOKEN\)/,
    );
    assert.equal(none.stdout, "");
    await Deno.writeTextFile(`${dir}/notes.txt`, "my secret notes, not a token\n");
    const wrong = await runToolkit(
      ["drill", "submit", "x.json", "--to", url, "--token-file", "notes.txt"],
      { cwd: dir },
    );
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /the token in --token-file notes\.txt is not one/);
    assert.doesNotMatch(wrong.stderr, /secret/);
    // The CSV for Excel starts with a byte order mark.
    const csv = await fetch(`${url}/export.csv?bom=1`, {
      headers: { authorization: `Bearer ${teacherToken}` },
    }).then((r) => r.bytes());
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(new TextDecoder().decode(csv.subarray(3)), /^machine,drill,status,/);
  },
);

collectorTest(
  "drill submit: a file name is printed escaped; a file that is not JSON is not quoted",
  async ({ dir, db, serve }) => {
    const make = await sample;
    const srv = await serve(["127.0.0.1:0", "--db", db]);
    const { classToken } = srv.info as Record<string, string>;
    const evil = `${dir}/esc2\x1b]52;c;aGk=\x07.json`;
    await Deno.writeTextFile(evil, JSON.stringify(make("pc02")));
    const r = await runToolkit([
      "drill",
      "submit",
      evil,
      "--to",
      srv.base,
      "--token",
      classToken,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(r.stdout, /\x1b/);
    assert.match(r.stdout, /esc2\\x1b\]52;c;aGk=\\x07\.json: pc02, submission 1$/m);
    await Deno.writeTextFile(`${dir}/secret.txt`, "root:$6$SECRETHASH:19000:0:99999:7:::\n");
    await Deno.symlink(`${dir}/secret.txt`, `${dir}/shadow.json`);
    const s = await runToolkit([
      "drill",
      "submit",
      `${dir}/shadow.json`,
      "--to",
      srv.base,
      "--token",
      classToken,
    ]);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /shadow\.json: not JSON: it does not parse as JSON/);
    assert.doesNotMatch(s.stderr, /root|SECRET/);
  },
);

collectorTest(
  "refusals are logged once per address, kind and window: bad bodies, wrong tokens",
  async ({ db, serve }) => {
    const make = await sample;
    const srv = await serve(
      ["127.0.0.1:0", "--db", db, "--token", "class-token-log", "--rate", "1000/s"],
      { json: false },
    );
    // Bodies each wrong in its own way are still one kind of refusal.
    for (let i = 0; i < 50; i++) {
      const r = await post(srv.base, "class-token-log", {
        ...make("pc01"),
        machine: `bad name ${i}`,
      });
      assert.equal(r.status, 400);
    }
    const body = JSON.stringify(make("pc01"));
    for (let i = 0; i < 300; i++) {
      const r = await fetch(`${srv.base}/api/submit`, {
        method: "POST",
        headers: { authorization: "Bearer guessguess-class" },
        body,
      });
      await r.body?.cancel();
    }
    for (const path of ["/api/results?t=guessguess", "/export.csv", "/?t=guessguess2"]) {
      const r = await fetch(srv.base + path);
      assert.equal(r.status, 401);
      await r.body?.cancel();
    }
    await sleep(200);
    const log = srv.stderr();
    assert.equal(log.match(/refused 127\.0\.0\.1: wrong class token \(401\)/g)?.length, 1, log);
    assert.equal(log.match(/refused 127\.0\.0\.1: wrong teacher token \(401\)/g)?.length, 1, log);
    assert.equal(log.match(/refused 127\.0\.0\.1: no teacher token \(401\)/g)?.length, 1, log);
    assert.equal(log.match(/refused 127\.0\.0\.1: not a drill submission: /g)?.length, 1, log);
  },
);

Deno.test("help examples give tokens nobody guesses", async () => {
  for (const cmd of ["serve", "submit", "run"]) {
    const help = await runToolkit(["drill", cmd, "--help"]);
    const examples = help.stdout.slice(help.stdout.indexOf("\nExamples:"));
    for (const [, token] of examples.matchAll(/--token (\S+)/g)) {
      assert.match(token, /^[A-Za-z0-9_-]{22}$/, `drill ${cmd}: ${token}`);
      assert.match(token, /[A-Z]/);
      assert.match(token, /\d/);
    }
  }
});
