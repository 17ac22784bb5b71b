// `toolkit lab status` as a real process: no lab under the prefix is exit 1 with the command that
// builds one, --json says up: false; and its parse in process. A lab built and read back with root
// is in lab_up_test.ts.
import assert from "#assert";
import { UsageError } from "../../lib/cli/errors.ts";
import labStatus from "../../lib/commands/lab_status.ts";
import { hasCommand, runToolkit, testIf } from "../_support/harness.ts";
import { uniquePrefix } from "../_support/lab_namespaces.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("lab status parse: the tklab prefix by default, --prefix; lab up's options refused", () => {
  assert.deepEqual(labStatus.parse([], noGlobals), { prefix: "tklab", json: false });
  assert.deepEqual(labStatus.parse(["--prefix", "x1"], noGlobals), { prefix: "x1", json: false });
  assert.throws(() => labStatus.parse(["--hosts", "2"], noGlobals), UsageError, "--hosts");
});

testIf(
  hasCommand("ip") ? undefined : "the ip program (iproute2) is not installed",
  "lab status with no lab under the prefix is exit 1 naming the command that builds one",
  async () => {
    const prefix = uniquePrefix("q");
    const r = await runToolkit(["lab", "status", "--prefix", prefix]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stdout,
      `No lab "${prefix}" is up (toolkit lab up --prefix ${prefix} builds one)\n`,
    );
    const j = await runToolkit(["--json", "lab", "status", "--prefix", prefix]);
    assert.equal(j.code, 1, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), {
      prefix,
      up: false,
      namespaces: [],
      segments: [],
      strayLinks: [],
    });
  },
);
