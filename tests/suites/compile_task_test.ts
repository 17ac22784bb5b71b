// `deno task compile` / `compile:lab` (scripts/compile.ts): the flags a user gives go before
// main.ts (after it, `deno compile` would bake them into the binary as arguments), the permission
// set is the one `deno task toolkit` runs with, anything else is refused, and DENORT_BIN is what
// `deno compile` uses. No test builds a binary: denort cannot be downloaded here.
import assert from "#assert";
import { outputWithin, root } from "../_support/harness.ts";

/** `deno task -q ARGS` in the project, bounded in time (a hang is a failure, not a stuck suite). */
async function task(args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: root,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const r = await outputWithin(child, 60_000);
  assert.equal(r.timedOut, false, `deno task ${args.join(" ")} did not end within 60 s`);
  return r;
}

const denoJson = JSON.parse(Deno.readTextFileSync(`${root}/deno.json`));

Deno.test("compile: --target and --output go before main.ts; the set is the toolkit task's", async () => {
  const r = await task(["compile", "--dry-run", "--target", "x86_64-apple-darwin", "-o", "out/tk"]);
  assert.equal(r.code, 0, r.stderr);
  const words = r.stdout.trim().split(" ");
  assert.deepEqual(words.slice(0, 2), ["deno", "compile"]);
  assert.equal(words.at(-1), "main.ts", "nothing after the script: it would be baked in");
  assert.deepEqual(words.slice(words.indexOf("--target"), words.indexOf("--target") + 2), [
    "--target",
    "x86_64-apple-darwin",
  ]);
  assert.deepEqual(words.slice(words.indexOf("-o"), words.indexOf("-o") + 2), ["-o", "out/tk"]);
  // The same permission flag as the task the tests run (-P: deno.json's default set).
  const permission = (cmd: string) => cmd.split(" ").find((w) => w.startsWith("-P"));
  assert.equal(permission(r.stdout), permission(denoJson.tasks.toolkit));
  const lab = await task(["compile:lab", "--dry-run"]);
  assert.equal(lab.code, 0, lab.stderr);
  assert.equal(permission(lab.stdout), permission(denoJson.tasks["toolkit:lab"]));
  assert.match(lab.stdout, / -o dist\/toolkit-lab main\.ts\n$/);
  const plain = await task(["compile", "--dry-run"]);
  assert.equal(
    plain.stdout,
    "deno compile -P --no-prompt --include lib/ -o dist/toolkit main.ts\n",
  );
});

Deno.test("compile: a word that is not a compile flag is refused, exit 2, nothing built", async () => {
  for (const args of [["main.ts"], ["--json"], ["--target"], ["--bogus=1"]]) {
    const r = await task(["compile", ...args]);
    assert.equal(r.code, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, /^compile: error: /, `${args}`);
  }
});

Deno.test("compile: deno compile itself reads --target and DENORT_BIN", async () => {
  // An invalid target reaches deno compile as its flag (as a baked argument it was accepted).
  const bad = await task(["compile", "--target", "bogus-target"], {
    DENORT_BIN: "/nonexistent/denort",
  });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid value 'bogus-target' for '--target'/);
  // With a valid build, deno compile goes for the denort DENORT_BIN names.
  const dir = await Deno.makeTempDir({ prefix: "toolkit-compile-" });
  try {
    const r = await task(["compile", "-o", `${dir}/toolkit`], { DENORT_BIN: `${dir}/no-denort` });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`Could not find denort at '${dir}/no-denort'`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
