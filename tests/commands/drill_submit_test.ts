// `toolkit drill submit` as a real process: with the collector down, drill run --submit spools the
// report (exit 3) and drill submit sends it later; bad input exit 2; and its parse in process.
import assert from "#assert";
import { freePort, runToolkit } from "../_support/harness.ts";
import { collectorTest } from "../_support/serve_process.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import drillSubmit from "../../lib/commands/drill_submit.ts";
import { noGlobals } from "../_support/parse_globals.ts";

collectorTest(
  "collector down: drill run --submit spools the report (exit 3); drill submit sends it later",
  async ({ dir, db, serve }) => {
    const port = freePort();
    const down = `http://127.0.0.1:${port}`;
    const r = await runToolkit(
      [
        "drill",
        "run",
        "same-subnet",
        "--submit",
        down,
        "--token",
        "class-token-spool",
        "--as",
        "pc07",
      ],
      { cwd: dir },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^PASS same-subnet/m, "the report is printed as today");
    const kept =
      /^kept the report in (drill-spool\/pc07-\d{8}T\d{6}Z-\w{6}\.json); send it later with: toolkit drill submit \1 --to http:\/\/127\.0\.0\.1:\d+ --token TOKEN$/m
        .exec(r.stderr);
    if (!kept) throw new Error(`no spool path printed:\n${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(`^toolkit: error: connection refused \\(collector ${down}/api/submit\\)$`, "m"),
    );
    const spooled = `${dir}/${kept[1]}`;
    const body = JSON.parse(await Deno.readTextFile(spooled));
    assert.equal(body.machine, "pc07");
    assert.equal(body.report.drills[0].name, "same-subnet");
    // Still down: drill submit keeps the file, exit 3.
    const still = await runToolkit(
      ["drill", "submit", kept[1], "--to", down, "--token", "class-token-spool"],
      { cwd: dir },
    );
    assert.equal(still.code, 3, still.stderr);
    await Deno.stat(spooled);
    // Up again, on that port.
    const srv = await serve([
      `127.0.0.1:${port}`,
      "--db",
      db,
      "--token",
      "class-token-spool",
    ]);
    await Deno.writeTextFile(`${dir}/junk.json`, '{"machine": "x"}');
    const wrong = await runToolkit(
      ["drill", "submit", kept[1], "--to", down, "--token", "wrong-token-spool"],
      { cwd: dir },
    );
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(
      wrong.stderr,
      /^toolkit: error: the collector refused the submission: wrong class token \(HTTP 401\)$/m,
    );
    await Deno.stat(spooled);
    const sent = await runToolkit(
      [
        "--json",
        "drill",
        "submit",
        "junk.json",
        kept[1],
        "--to",
        down,
        "--token",
        "class-token-spool",
      ],
      { cwd: dir },
    );
    assert.equal(sent.code, 2, "junk.json is not a submission: " + sent.stderr);
    // Under --json the file's error line is an error object naming it.
    const junkError = JSON.parse(sent.stderr.trimEnd().split("\n")[0]).error;
    assert.deepEqual([junkError.kind, junkError.path], ["input", "junk.json"]);
    assert.match(junkError.message, /^junk\.json: not a drill submission: /);
    const report = JSON.parse(sent.stdout);
    assert.deepEqual(report.submitted.map((s: { machine: string }) => s.machine), ["pc07"]);
    assert.deepEqual(report.kept.map((k: { file: string }) => k.file), ["junk.json"]);
    await assert.rejects(() => Deno.stat(spooled), Deno.errors.NotFound, "sent, so removed");
    await srv.waitEvent((e) => e.event === "submission" && e.machine === "pc07");
    await srv.stop();
  },
);

Deno.test("drill submit: bad input is one error line and exit 2; --help", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runToolkit(["drill", "submit", "x.json", "--token", "class-token-x"], {
      cwd: dir,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^toolkit: error: /);
    assert.match(r.stderr, /missing --to URL/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const help = await runToolkit(["drill", "submit", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: toolkit drill submit /m);
});

Deno.test("drill submit parse: files, --to's endpoint, --token, --keep; no --to or a short token refused", () => {
  const o = drillSubmit.parse(
    ["--to", "http://127.0.0.1:8080", "--token", "abcdefgh1", "--keep", "a.json", "b.json"],
    noGlobals,
  );
  assert.deepEqual([o.files, o.keep, o.to.url, String(o.to.endpoint), o.to.token, o.to.tokenFile], [
    ["a.json", "b.json"],
    true,
    "http://127.0.0.1:8080",
    "http://127.0.0.1:8080/api/submit",
    "abcdefgh1",
    undefined,
  ]);
  assert.equal(
    drillSubmit.parse(["r.json", "--to", "http://127.0.0.1:8080"], noGlobals).keep,
    false,
  );
  assert.throws(() => drillSubmit.parse(["r.json"], noGlobals), UsageError, "missing --to URL");
  assert.throws(
    () => drillSubmit.parse(["r.json", "--to", "http://127.0.0.1:8080", "--token", "t"], noGlobals),
    UsageError,
    "--token must be 8 to 128",
  );
});
