// `toolkit lab down` as a real process: nothing to remove is exit 0, and with root what a crashed
// `lab up` left (half-built namespaces, links, stray root links) is found and removed; and its
// parse in process. Namespace names carry this process's id.
import assert from "#assert";
import { hasCommand, runToolkit, testIf } from "../_support/harness.ts";
import {
  forceCleanup,
  ip,
  leftovers,
  rootReason,
  uniquePrefix,
} from "../_support/lab_namespaces.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import labDown from "../../lib/commands/lab_down.ts";
import { noGlobals } from "../_support/parse_globals.ts";

testIf(
  rootReason,
  "lab down finds what a crashed lab up left: half-built namespaces, links, stray root links",
  async () => {
    const prefix = uniquePrefix("c");
    try {
      // What a crash half-way through `up` leaves, plus a stray link named with the prefix.
      await ip(["netns", "add", `${prefix}-sw1`]);
      await ip(["-n", `${prefix}-sw1`, "link", "add", "br0", "type", "bridge"]);
      await ip(["netns", "add", `${prefix}-h1`]);
      await ip([
        "-n",
        `${prefix}-h1`,
        "link",
        "add",
        "eth0",
        "type",
        "veth",
        "peer",
        "name",
        "h1",
        "netns",
        `${prefix}-sw1`,
      ]);
      await ip(["link", "add", `${prefix}-x`, "type", "veth", "peer", "name", `${prefix}-y`]);
      const status = await runToolkit(["--json", "lab", "status", "--prefix", prefix]);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(JSON.parse(status.stdout).strayLinks.length, 2);
      const down = await runToolkit(["--json", "lab", "down", "--prefix", prefix]);
      assert.equal(down.code, 0, down.stderr);
      const d = JSON.parse(down.stdout);
      assert.deepEqual(d.namespaces, [`${prefix}-h1`, `${prefix}-sw1`]);
      assert.equal(d.links.length, 1, "deleting one end of the veth removes its peer");
      assert.deepEqual(await leftovers(prefix), []);
    } finally {
      await forceCleanup(prefix);
    }
  },
);

Deno.test("lab down parse: the tklab prefix by default, --prefix; an argument refused", () => {
  assert.deepEqual(labDown.parse([], noGlobals), { prefix: "tklab", json: false });
  assert.deepEqual(labDown.parse(["--prefix", "x1"], noGlobals), { prefix: "x1", json: false });
  assert.throws(
    () => labDown.parse(["extra"], noGlobals),
    UsageError,
    'unexpected argument "extra"',
  );
});

testIf(
  hasCommand("ip") ? undefined : "the ip program (iproute2) is not installed",
  "lab down with no lab under the prefix says so and exits 0",
  async () => {
    const prefix = uniquePrefix("n");
    const r = await runToolkit(["lab", "down", "--prefix", prefix]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `No lab "${prefix}" to remove\n`);
  },
);
