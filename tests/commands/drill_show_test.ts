// `toolkit drill show` as a real process: a built-in drill as YAML that parses back, a file as JSON,
// a missing file one error line and exit 2; and its parse in process.
import assert from "#assert";
import { parseDrill } from "../../lib/drill/load.ts";
import { root, runToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import drillShow from "../../lib/commands/drill_show.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const fixtures = `${root}/tests/fixtures/drill`;

Deno.test("drill show: a built-in drill as YAML that parses back, a file as JSON; a missing file exit 2", async () => {
  const show = await runToolkit(["drill", "show", "tcp-hello"]);
  assert.equal(show.code, 0);
  assert.match(show.stdout, /^name: tcp-hello\n/);
  assert.deepEqual(parseDrill(show.stdout, "shown.yaml").name, "tcp-hello");
  const json = await runToolkit(["drill", "show", "--json", `${fixtures}/replies.yaml`]);
  assert.equal(JSON.parse(json.stdout).steps.length, 13);
  const missing = await runToolkit(["drill", "show", `${fixtures}/missing.yaml`]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /^toolkit: error: no such file or directory/);
  assert.equal(missing.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:")).length, 1);
});

Deno.test("drill show parse: one NAME or FILE; none or two refused", () => {
  assert.deepEqual(drillShow.parse(["tcp-hello"], noGlobals), { drill: "tcp-hello", json: false });
  assert.throws(() => drillShow.parse([], noGlobals), UsageError, "expected NAME|FILE");
  assert.throws(
    () => drillShow.parse(["a", "b"], noGlobals),
    UsageError,
    'unexpected argument "b"',
  );
});
