// `drill serve` against what review R18 did to it, as processes on loopback: a slowloris and a
// file-descriptor limit do not stop it; one student's flood meets a rate, a quota, limits per
// report and the teacher's hide control; a late spool file does not cover a newer result; tokens
// survive a restart; --db through links; a full disk; the own scope without client binds; the
// addresses of a wildcard bind (in a namespace of the test's own); messages that say what happened.
import assert from "#assert";
import net from "node:net";
import { isRoot, root, runToolkit, testIf, toolkitCmd } from "./harness.ts";
import { makeLab, runProgram } from "./netns.ts";
import { type Serve, serve } from "./serve_process.ts";

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tempDir(t: string): Promise<string> {
  return await Deno.makeTempDir({ prefix: `drill-serve-hostile-${t}-` });
}

/** A real report, wrapped as `drill run --submit` does, `ranAt` now unless given. */
const sample = (async () => {
  const r = await runToolkit(["drill", "run", "--json", "same-subnet"]);
  assert.equal(r.code, 0, r.stderr);
  const wrong = await runToolkit([
    "drill",
    "run",
    "--json",
    `${root}/tests/fixtures/drill/wrong_expect.yaml`,
  ]);
  assert.equal(wrong.code, 1, wrong.stderr);
  return (machine: string, options: { ranAt?: string; failing?: boolean } = {}) => ({
    machine,
    toolkitVersion: "0.1.0",
    ranAt: options.ranAt ?? new Date().toISOString(),
    scope: {
      narrowed: false,
      ...Object.fromEntries(
        ["net", "read", "write", "run", "env", "sys"].map((k) => [k, { all: true, grants: [] }]),
      ),
    },
    report: JSON.parse(options.failing ? wrong.stdout : r.stdout),
  });
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

Deno.test({
  name: "a slowloris is capped per address and the collector serves others; EMFILE is ridden out",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await tempDir("slowloris");
    const held: Deno.Conn[] = [];
    const make = await sample;
    let srv = await serve([
      "127.0.0.1:0",
      "--db",
      `${dir}/class.db`,
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
        `${dir}/class.db`,
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
      await srv.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "one student's flood: limits per report, a rate (429, Retry-After), a quota (403)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await tempDir("flood");
    const make = await sample;
    const token = "class-token-flood";
    let srv = await serve([
      "127.0.0.1:0",
      "--db",
      `${dir}/class.db`,
      "--token",
      token,
      "--teacher-token",
      "teacher-token-flood",
      "--rate",
      "3/min",
    ]);
    try {
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
      // Three at once, then one every 20 s: the fourth is 429 with Retry-After.
      for (let i = 0; i < 3; i++) {
        assert.equal((await post(srv.base, token, make("pc31"))).status, 201);
      }
      const fourth = await post(srv.base, token, make("pc31"));
      assert.equal(fourth.status, 429);
      assert.match(
        fourth.json.error,
        /^too many submissions from 127\.0\.0\.1: at most 3 a minute \(try again in \d+ s\)$/,
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
        `${dir}/class.db`,
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
    } finally {
      await srv.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the teacher hides a machine and a drill: gone from the view and exports, data kept",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await tempDir("hide");
    const make = await sample;
    const args = [
      "127.0.0.1:0",
      "--db",
      `${dir}/class.db`,
      "--teacher-token",
      "teacher-token-hide",
    ];
    let srv = await serve(args);
    const teacher = "teacher-token-hide";
    try {
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
    } finally {
      await srv.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a report that ran earlier but arrives later does not cover a newer one; it is marked",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await tempDir("order");
    const make = await sample;
    const srv = await serve(["127.0.0.1:0", "--db", `${dir}/class.db`]);
    try {
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
      assert.equal(late.outOfOrder, true);
      const v = (await getJson(`${srv.base}/api/results`, teacherToken)).json;
      const cell = v.machines[0].cells[0];
      assert.deepEqual([cell.drill.status, cell.submission.id], ["pass", 1]);
      const history =
        (await getJson(`${srv.base}/api/machines/pc07/submissions`, teacherToken)).json;
      assert.deepEqual(
        history.submissions.map((h: { id: number; outOfOrder: boolean }) => [h.id, h.outOfOrder]),
        [[2, true], [1, false]],
      );
      const csv = await fetch(`${srv.base}/export.csv`, {
        headers: { authorization: `Bearer ${teacherToken}` },
      }).then((r) => r.text());
      assert.match(csv.split("\r\n")[1], /^pc07,tcp-lab,pass,/);
    } finally {
      await srv.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the same name from another address is flagged; a report that contradicts itself is 400",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await tempDir("address");
    const make = await sample;
    const srv = await serve(["127.0.0.1:0", "--db", `${dir}/class.db`]);
    try {
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
      const history =
        (await getJson(`${srv.base}/api/machines/pc07/submissions`, teacherToken)).json;
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
    } finally {
      await srv.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
