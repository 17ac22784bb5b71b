// `toolkit drill check` as a real process: malformed drill files give line-numbered errors and
// exit 2, a good one is ok, a file outside a --scope narrowing is exit 4; and its parse in process.
import assert from "#assert";
import { root, runToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import drillCheck from "../../lib/commands/drill_check.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const fixtures = `${root}/tests/fixtures/drill`;

Deno.test("malformed drill files: line-numbered errors, exit 2, nothing runs", async () => {
  const r = await runToolkit([
    "drill",
    "run",
    "tcp-echo",
    `${fixtures}/malformed.yaml`,
    `${fixtures}/malformed.json`,
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "", "nothing was run");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.filter((l) => l.startsWith("toolkit: error: ")).length, 1);
  assert.match(
    lines.at(-1)!,
    /^toolkit: error: malformed drill files: .*malformed\.yaml, .*malformed\.json \(nothing was run\)$/,
  );
  assert.ok(
    lines.some((l) =>
      /malformed\.yaml:7:19: steps\[2\]\.send\.conn: "nobody" is not defined/.test(l)
    ),
  );
  assert.ok(lines.some((l) => /malformed\.json:5:18: /.test(l)));
  const check = await runToolkit([
    "drill",
    "check",
    `${fixtures}/syntax.yaml`,
    `${fixtures}/replies.yaml`,
  ]);
  assert.equal(check.code, 2);
  assert.match(check.stdout, /replies\.yaml: ok \(replies, 13 steps\)/);
  assert.match(check.stderr, /syntax\.yaml:\d+:\d+: /);
  const json = await runToolkit(["drill", "check", "--json", `${fixtures}/malformed.json`]);
  assert.equal(json.code, 2);
  assert.deepEqual(JSON.parse(json.stdout).files[0].issues.map((i: { line: number }) => i.line), [
    5,
    6,
  ]);
  const ok = await runToolkit(["drill", "check", `${fixtures}/unix_echo.yaml`, "half-close"]);
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("drill check narrowed by --scope cannot read a drill file outside it: exit 4", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const scope = `${dir}/scope.json`;
    await Deno.writeTextFile(scope, JSON.stringify({ read: [] }));
    const check = await runToolkit([
      "--scope",
      scope,
      "drill",
      "check",
      `${fixtures}/replies.yaml`,
    ]);
    assert.equal(check.code, 4, check.stderr);
    assert.match(check.stderr, /read access to .*replies\.yaml/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("drill check parse: files and built-in names in order; none refused", () => {
  assert.deepEqual(drillCheck.parse(["a.yaml", "half-close"], noGlobals), {
    files: ["a.yaml", "half-close"],
    json: false,
    quiet: false,
  });
  assert.equal(drillCheck.parse(["a.yaml"], { ...noGlobals, quiet: true }).quiet, true);
  assert.throws(() => drillCheck.parse([], noGlobals), UsageError, "missing argument");
});
