// `toolkit subnet aggregate` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { assertOneError } from "../_support/error_shape.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import aggregate from "../../lib/commands/subnet_aggregate.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet aggregate: mixed families, comments, blank lines, files and stdin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tksubnet" });
  try {
    await Deno.writeTextFile(
      `${dir}/a.txt`,
      "# routes\n10.0.0.0/25\r\n\n10.0.0.128/25  # second half\n2001:db8::/33\n",
    );
    const r = await runToolkit(["subnet", "aggregate", `${dir}/a.txt`, "-"], {
      stdin: "2001:db8:8000::/33\n192.0.2.1\n10.0.1.0/24\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "10.0.0.0/23\n192.0.2.1/32\n2001:db8::/32\n");
    const j = JSON.parse(
      (await runToolkit(["subnet", "aggregate", "--json", `${dir}/a.txt`])).stdout,
    );
    assert.deepEqual(j, { inputs: 3, outputs: 2, prefixes: ["10.0.0.0/24", "2001:db8::/33"] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("subnet aggregate: bad lines are reported with line numbers; --skip-bad goes on", async () => {
  const input = "10.0.0.0/24\n010.0.0.0/8\n\n10.0.0.1/24\n10.0.1.0/24\n";
  const r = await runToolkit(["subnet", "aggregate"], { stdin: input });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^toolkit: warning: stdin: line 2: .*leading zero/m);
  assert.match(r.stderr, /^toolkit: warning: stdin: line 4: "10\.0\.0\.1\/24" has host bits set/m);
  assertOneError(r.stderr, /2 entries could not be read as prefixes \(first: stdin: line 2\)/);
  const skip = await runToolkit(["subnet", "aggregate", "--skip-bad"], { stdin: input });
  assert.equal(skip.code, 0);
  assert.equal(skip.stdout, "10.0.0.0/23\n");
  assert.match(skip.stderr, /warning: stdin: line 2/);
  const mask = await runToolkit(["subnet", "aggregate", "--mask-host-bits"], {
    stdin: "10.0.0.1/24\n10.0.1.0/24\n",
  });
  assert.equal(mask.stdout, "10.0.0.0/23\n");
});

Deno.test("subnet aggregate: a file outside the --scope read list is refused with exit 4", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tksubnet" });
  try {
    await Deno.writeTextFile(`${dir}/list.txt`, "10.0.0.0/8\n");
    await Deno.writeTextFile(`${dir}/scope.json`, JSON.stringify({ read: [`${dir}/elsewhere`] }));
    const r = await runToolkit([
      "--scope",
      `${dir}/scope.json`,
      "subnet",
      "aggregate",
      `${dir}/list.txt`,
    ]);
    assert.equal(r.code, 4, r.stderr);
    assertOneError(r.stderr, /outside the permission scope: read access/);
    assert.equal(r.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("subnet aggregate takes prefixes as arguments", async () => {
  const r = await runToolkit([
    "subnet",
    "aggregate",
    "10.0.0.0/25",
    "10.0.0.128/25",
    "::/1",
    "8000::/1",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "10.0.0.0/24\n::/0\n");
  const mixed = await runToolkit(["subnet", "aggregate", "10.0.1.0/24", "-"], {
    stdin: "10.0.0.0/24\n",
  });
  assert.equal(mixed.stdout, "10.0.0.0/23\n");
  const bad = await runToolkit(["subnet", "aggregate", "10.0.0.0/24", "010.0.1.0/24"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^toolkit: warning: argument 2: .*leading zero/m);
  const help = await runToolkit(["subnet", "aggregate", "--help"]);
  assert.match(
    help.stdout.replace(/\s+/g, " "),
    /written like an address or prefix .* is taken as one/,
  );
});

Deno.test("subnet aggregate parse: stdin by default, prefixes as arguments, --skip-bad; unknown option refused", () => {
  assert.deepEqual(aggregate.parse([], noGlobals), {
    sources: [],
    skipBad: false,
    maskHostBits: false,
    json: false,
  });
  const o = aggregate.parse(["--skip-bad", "10.0.0.0/25", "10.0.0.128/25"], noGlobals);
  assert.equal(o.skipBad, true);
  assert.deepEqual(o.sources, [
    { kind: "prefix", text: "10.0.0.0/25", position: 1 },
    { kind: "prefix", text: "10.0.0.128/25", position: 2 },
  ]);
  assert.throws(() => aggregate.parse(["--file", "a.txt"], noGlobals), UsageError, "--file");
});
