// A drill file written by someone hostile, run by real toolkit processes: its strings reach the
// terminal escaped in every report format, oversized files are refused by their size, keys such as
// __proto__ are ordinary unknown keys, durations are bounded, a file in the current directory
// cannot stand in for a built-in drill, and --out cannot overwrite a drill or a device.
import assert from "#assert";
import { parse as parseYaml } from "yaml";
import { printable, printableJson } from "../../lib/text/printable.ts";
import { maxTimerMs, parseDuration } from "../../lib/text/duration.ts";
import { assertWellFormedXml } from "../_support/drill_xml.ts";
import { assertNoRaw } from "../_support/terminal.ts";
import {
  hasCommand,
  isRoot,
  outputWithin,
  root,
  runToolkit,
  testIf,
  toolkitCmd,
  withTempDir,
} from "../_support/harness.ts";

const fixtures = `${root}/tests/fixtures/drill`;
const badDir = `${root}/tests/fixtures/bad`;
const hostile = `${fixtures}/hostile_strings.yaml`;

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir("drill-hardening-", fn);

/** The step names of hostile_strings.yaml as parsed (the raw, dangerous strings). */
const hostileTitles = [
  "clipboard \x1b]52;c;cHduZWQ=\x07 set",
  "one\rok  99 forged\nnot ok 98 - forged # SKIP",
  "bidi \u202eevil\u202c c1 \x9b31m del \x7f nul \0 ffff \uffff lone \ud800 end",
];

Deno.test("printable escapes what acts on a terminal and keeps text; printableJson keeps the value", () => {
  assert.equal(printable("a\x1b]52;c;aGk=\x07b"), "a\\x1b]52;c;aGk=\\x07b");
  assert.equal(printable("x\r\ny\tz"), "x\\r\\ny\\tz");
  assert.equal(
    printable("\x7f\x9b\u202e\u2066\u2028\u061c\ud800"),
    "\\x7f\\x9b\\u202e\\u2066\\u2028\\u61c\\ud800",
  );
  assert.equal(printable("我是客户端 😀 café"), "我是客户端 😀 café");
  assert.equal(printable("a\r\nb\rc\n\td\x1b", { multiline: true }), "a\r\nb\\rc\n\td\\x1b");
  for (const t of hostileTitles) assert.equal(printable(printable(t)), printable(t), "idempotent");
  const json = printableJson(JSON.stringify({ t: "\x9b\u202e\x1b" }));
  assert.equal(json, '{"t":"\\u009b\\u202e\\u001b"}');
  assert.deepEqual(JSON.parse(json), { t: "\x9b\u202e\x1b" });
});

Deno.test("durations: bounded by the caller's range and by the longest timer", () => {
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("60m", { max: 3_600_000 }), 3_600_000);
  assert.throws(() => parseDuration("61m", { max: 3_600_000 }), RangeError, /at most 60m/);
  assert.throws(() => parseDuration("40000m"), RangeError, /at most 2147483647ms/);
  assert.equal(parseDuration(`${maxTimerMs}ms`), maxTimerMs);
  assert.throws(() => parseDuration("0", { min: 1 }), RangeError, /at least 1ms/);
  assert.throws(() => parseDuration("0.0004s", { min: 1 }), RangeError);
  for (const bad of ["-1", "NaN", "Infinity", "1e3", "0x10", ".5", ""]) {
    assert.throws(() => parseDuration(bad), SyntaxError, bad);
  }
});

Deno.test("a hostile drill's strings reach the terminal escaped in the text report", async () => {
  const r = await runToolkit(["drill", "run", hostile]);
  assert.equal(r.code, 1, r.stderr);
  assertNoRaw(r.stdout, "text report");
  assertNoRaw(r.stderr, "stderr");
  const stepLines = r.stdout.split("\n").filter((l) => /^ {2}(ok {2}|FAIL|skip) /.test(l));
  assert.equal(stepLines.length, 5, "one line per step, none forged:\n" + r.stdout);
  assert.ok(r.stdout.includes("clipboard \\x1b]52;c;cHduZWQ=\\x07 set"), r.stdout);
  assert.ok(r.stdout.includes("one\\rok  99 forged\\nnot ok 98"), r.stdout);
  assert.ok(r.stdout.includes("bidi \\u202eevil\\u202c c1 \\x9b31m del \\x7f nul \\x00"), r.stdout);
  // The received bytes of the failing expect carry C1, bidi and line-separator characters.
  assert.match(r.stdout, /received: "\\u001b\[2J\\x9b2J\\u202e\\u2028\\r"/);
  // --out: the one-line summary names the failing step, escaped too.
  await withDir(async (dir) => {
    const out = await runToolkit(["drill", "run", "--out", `${dir}/report.txt`, hostile]);
    assert.equal(out.code, 1, out.stderr);
    assertNoRaw(out.stdout, "--out summary");
    assert.match(out.stdout, /^FAIL hostile-strings: step 4 expect c /);
    assert.equal(out.stdout.split("\n").length, 2, out.stdout);
  });
});

Deno.test("TAP: a CR or LF in a step name cannot break a test line; YAML blocks parse", async () => {
  const r = await runToolkit(["drill", "run", "--report", "tap", hostile]);
  assert.equal(r.code, 1, r.stderr);
  assertNoRaw(r.stdout, "TAP");
  const lines = r.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 4), [
    "TAP version 14",
    "1..1",
    "# Subtest: hostile-strings",
    "    1..5",
  ]);
  let inYaml = false;
  const yaml: string[] = [];
  const points: string[] = [];
  for (const line of lines.slice(4)) {
    if (inYaml) {
      if (line === "      ...") {
        inYaml = false;
        const doc = parseYaml(yaml.join("\n"));
        for (const v of Object.values(doc)) assert.equal(typeof v, "string");
        assert.equal(doc.message, "received bytes differ from the expected ones");
        yaml.length = 0;
      } else {
        assert.match(line, /^ {6}(\S| {2})/, "a YAML line stays inside its block");
        yaml.push(line.slice(6));
      }
    } else if (line === "      ---") inYaml = true;
    else {
      assert.match(line, /^( {4})?(not )?ok \d+ - \S/, `a TAP line: ${JSON.stringify(line)}`);
      points.push(line);
    }
  }
  assert.equal(points.length, 6, "five step points and the drill's");
  assert.equal(
    points[1],
    "    ok 2 - one\\\\rok  99 forged\\\\nnot ok 98 - forged \\# SKIP",
    "TAP escapes # and \\ after printable",
  );
  assert.match(points[4], /^ {4}ok 5 - skipped \\\\x1b\[8m hidden \\\\r\\\\n # SKIP /);
});

Deno.test("JUnit: well-formed XML for any input, names escaped; JSON keeps the exact strings", async () => {
  const junit = await runToolkit(["drill", "run", "--report", "junit", hostile]);
  assert.equal(junit.code, 1, junit.stderr);
  assertNoRaw(junit.stdout.replace(/\n/g, ""), "JUnit");
  await assertWellFormedXml(junit.stdout);
  assert.match(junit.stdout, /<testcase name="01 clipboard \\x1b\]52;c;cHduZWQ=\\x07 set"/);
  assert.equal(junit.stdout.match(/<testcase /g)?.length, 5);
  const json = await runToolkit(["drill", "run", "--json", hostile]);
  assert.equal(json.code, 1, json.stderr);
  assertNoRaw(json.stdout.replace(/\n/g, ""), "JSON");
  const doc = JSON.parse(json.stdout);
  // JSON is for programs: the strings come back exactly as the drill wrote them.
  assert.deepEqual(
    doc.drills[0].steps.slice(0, 3).map((s: { title: string }) => s.title),
    hostileTitles,
  );
});

Deno.test("drill check: a key that is an escape sequence is named escaped", async () => {
  const r = await runToolkit(["drill", "check", `${badDir}/drill_escape_key.yaml`]);
  assert.equal(r.code, 2);
  assertNoRaw(r.stderr, "check");
  assert.match(
    r.stderr,
    /:4:32: steps\[0\]\.\\x1b\]52;c;cHduZWQ=\\x07\\x1b\[2J: unknown key "\\x1b\]52/,
  );
});

testIf(
  hasCommand("script") ? undefined : "script (util-linux) is not installed: no terminal to test",
  "drill show: byte for byte into a pipe, escaped on a terminal",
  async () => {
    await withDir(async (dir) => {
      const file = `${dir}/raw.yaml`;
      const text =
        'name: raw\n# \x1b]52;c;cHduZWQ=\x07 \x1b[2J\ndescription: "x\x1b[31my"\nsteps:\n  - sleep: 1ms\n';
      await Deno.writeTextFile(file, text);
      const piped = await runToolkit(["drill", "show", file]);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdout, text);
      // `script` gives the process a terminal; every argument is single-quoted for its shell.
      const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
      const line = [...toolkitCmd, "drill", "show", file].map(quote).join(" ");
      const child = new Deno.Command("script", {
        args: ["-qec", line, "/dev/null"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const tty = await outputWithin(child, 20_000);
      assert.equal(tty.code, 0, tty.stderr);
      const shown = tty.stdout.replace(/\r\n/g, "\n");
      assert.equal(shown, printable(text, { multiline: true }));
      assert.match(shown, /^# \\x1b\]52;c;cHduZWQ=\\x07 \\x1b\[2J$/m);
    });
  },
);

Deno.test("drill files past 4 MiB are refused by their size, before being read", async () => {
  await withDir(async (dir) => {
    // 150 MB of a valid drill: ten million sleep steps, minutes of parsing if it were read.
    const big = `${dir}/big.yaml`;
    const file = await Deno.open(big, { write: true, create: true });
    await file.write(new TextEncoder().encode("name: big\nsteps:\n"));
    const block = new TextEncoder().encode("  - sleep: 1ms\n".repeat(1 << 16));
    while ((await file.stat()).size < 150e6) await file.write(block);
    file.close();
    const sparse = `${dir}/sparse.yaml`;
    await Deno.truncate(sparse, 4 * 2 ** 30).catch(async () => {
      await Deno.writeFile(sparse, new Uint8Array(0));
      await Deno.truncate(sparse, 4 * 2 ** 30);
    });
    for (const path of [big, sparse]) {
      for (const sub of ["run", "check", "show"]) {
        // A hang guard, not a speed target: reading 4 GB into a YAML parser takes minutes.
        const r = await runToolkit(["drill", sub, path], { timeoutMs: 15_000 });
        assert.equal(r.code, 2, `${sub} ${path}: ${r.stderr}`);
        assert.equal(
          r.stderr,
          `toolkit: error: drill file ${path} is larger than 4194304 bytes (4 MiB), ` +
            "the limit for a drill file\n",
        );
        assert.equal(r.stdout, "");
      }
    }
    // Standard input and a device that never ends stop at the cap.
    const stdin = await runToolkit(["drill", "check", "-"], {
      stdin: "#".repeat((4 << 20) + 1),
    });
    assert.equal(stdin.code, 2);
    assert.match(stdin.stderr, /^toolkit: error: drill file <stdin> is larger than 4194304 bytes/);
    const zero = await runToolkit(["drill", "run", "/dev/zero"], { timeoutMs: 15_000 });
    assert.equal(zero.code, 2, zero.stderr);
    assert.match(zero.stderr, /drill file \/dev\/zero is larger than 4194304 bytes/);
    // Just under the cap is read and checked as usual.
    const fits = `${dir}/fits.yaml`;
    await Deno.writeTextFile(
      fits,
      `${"#".repeat((4 << 20) - 40)}\nname: fits\nsteps:\n  - sleep: 1\n`,
    );
    const ok = await runToolkit(["drill", "check", fits]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});

/** The malformed drills of this issue, with what `check` and `run` must both say about them. */
const refused: [string, RegExp][] = [
  ["drill_proto_key.yaml", /:2:12: __proto__: unknown key "__proto__"/],
  ["drill_proto_key.json", /:4:36: steps\[0\]\.__proto__: unknown key "__proto__"/],
  ["drill_constructor_key.yaml", /:4:18: steps\[0\]\.constructor: unknown key "constructor"/],
  ["drill_prototype_key.yaml", /steps\[0\]\.listen\.replies\[0\]\.prototype: unknown key/],
  [
    "drill_sleep_overflow.yaml",
    /:4:12: steps\[0\]\.sleep: Duration "40000m" is too long: at most 60m/,
  ],
  ["drill_timeout_zero.yaml", /:2:10: timeout: Duration "0" is too short: at least 1ms/],
  ["drill_timeout_huge.yaml", /:2:10: timeout: Duration "99999m" is too long: at most 60m/],
  ["drill_timeout_tiny.yaml", /accept\.timeout: Duration "0\.0001" is too short: at least 1ms/],
];

Deno.test("__proto__/constructor/prototype keys and unbounded durations: check and run refuse alike", async () => {
  for (const [name, pattern] of refused) {
    const path = `${badDir}/${name}`;
    const check = await runToolkit(["drill", "check", path]);
    const run = await runToolkit(["drill", "run", path]);
    for (const [sub, r] of [["check", check], ["run", run]] as const) {
      assert.equal(r.code, 2, `drill ${sub} ${name}: exit ${r.code}\n${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, "", `drill ${sub} ${name}: nothing runs`);
      assert.match(r.stderr, pattern, `drill ${sub} ${name}`);
      assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
    }
    // One validation: the same problems, line for line.
    const issues = (s: string) => s.split("\n").filter((l) => l.startsWith(path));
    assert.deepEqual(issues(run.stderr), issues(check.stderr), name);
  }
});

Deno.test("a bare name is a built-in drill even when a file of that name is here", async () => {
  await withDir(async (dir) => {
    const impostor = "name: impostor\nsteps:\n  - expect-denied: { env: HOME }\n  - sleep: 1ms\n";
    await Deno.writeTextFile(`${dir}/udp-echo`, impostor);
    await Deno.writeTextFile(`${dir}/mine`, impostor);
    const run = await runToolkit(["drill", "run", "udp-echo"], { cwd: dir });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^drill udp-echo \(built-in\)\n/);
    const show = await runToolkit(["drill", "show", "udp-echo"], { cwd: dir });
    assert.match(show.stdout, /^name: udp-echo\n/);
    const check = await runToolkit(["drill", "check", "udp-echo"], { cwd: dir });
    assert.equal(check.stdout, "udp-echo: ok (udp-echo, 11 steps)\n");
    // The file is reached by a path.
    const file = await runToolkit(["drill", "check", "./udp-echo"], { cwd: dir });
    assert.equal(file.stdout, "./udp-echo: ok (impostor, 2 steps)\n");
    // A bare name that is no built-in is an error that says how to name the file.
    for (const sub of ["run", "show", "check"]) {
      const r = await runToolkit(["drill", sub, "mine"], { cwd: dir });
      assert.equal(r.code, 2, `${sub}: ${r.stdout}${r.stderr}`);
      assert.equal(
        r.stderr,
        `toolkit: error: unknown drill "mine": not a built-in drill (see 'toolkit drill list'); ` +
          "to run the file of that name here, write ./mine\n",
      );
    }
  });
});

Deno.test("--out may not overwrite a drill being run, by any name; devices are not replaced", async () => {
  await withDir(async (dir) => {
    const drill = `${dir}/lab.yaml`;
    const text = "name: lab\nsteps:\n  - sleep: 1ms\n";
    await Deno.writeTextFile(drill, text);
    await Deno.symlink(drill, `${dir}/link.yaml`);
    await Deno.link(drill, `${dir}/hard.yaml`);
    const cases: [string, string, string][] = [
      [drill, drill, drill],
      [`${dir}/link.yaml`, drill, drill],
      [`${dir}/hard.yaml`, "udp-echo", drill],
      [drill, `${dir}/./lab.yaml`, `${dir}/./lab.yaml`],
    ];
    for (const [out, first, named] of cases) {
      const r = await runToolkit(["drill", "run", "--out", out, "tcp-echo", first, drill]);
      assert.equal(r.code, 2, `--out ${out}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, "", "nothing ran");
      assert.equal(
        r.stderr.split("\n")[0],
        `toolkit: error: --out ${out} is the drill file ${named}: the report would overwrite it`,
      );
      assert.equal(await Deno.readTextFile(drill), text, "the drill file is untouched");
    }
    const directory = await runToolkit(["drill", "run", "--out", dir, "tcp-echo"]);
    assert.equal(directory.code, 2);
    // Named as every file argument is (lib/scope/files.ts): the problem, then the path.
    assert.equal(directory.stderr.split("\n")[0], `toolkit: error: is a directory (${dir})`);
    const missing = await runToolkit(["drill", "run", "--out", `${dir}/no/r.txt`, "tcp-echo"]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, "", "refused before the drill ran");
    assert.equal(
      missing.stderr.split("\n")[0],
      `toolkit: error: no such file or directory (${dir}/no/r.txt)`,
    );
    // /dev/null is written in place (never renamed over); /dev/full is a device Deno opens only
    // with --allow-all: refused by name, exit 2, before anything runs.
    const devNull = await runToolkit(["drill", "run", "--out", "/dev/null", drill]);
    assert.equal(devNull.code, 0, devNull.stderr);
    assert.equal(devNull.stdout, "PASS lab\n");
    assert.ok((await Deno.stat("/dev/null")).isCharDevice, "/dev/null is still a device");
    const full = await runToolkit(["drill", "run", "--out", "/dev/full", drill]);
    assert.equal(full.code, 2, full.stderr);
    assert.equal(full.stdout, "");
    assert.match(full.stderr, /^toolkit: error: is a device or kernel file, .* \(\/dev\/full\)\n/);
    assert.ok((await Deno.stat("/dev/full")).isCharDevice, "/dev/full is still a device");
  });
});

async function run(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!r.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  }
}

testIf(
  isRoot() ? undefined : "needs root to mount a small tmpfs",
  "--out on a full disk: exit 2, 'no space left on device' naming the --out path",
  async () => {
    await withDir(async (dir) => {
      const mnt = `${dir}/mnt`;
      await Deno.mkdir(mnt);
      await run("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt]);
      try {
        const filler = await Deno.open(`${mnt}/filler`, { write: true, create: true });
        try {
          for (;;) await filler.write(new Uint8Array(4096));
        } catch (err) {
          assert.equal((err as { code?: string }).code, "ENOSPC", String(err));
        } finally {
          filler.close();
        }
        const out = `${mnt}/report.txt`;
        const r = await runToolkit(["drill", "run", "--out", out, "tcp-echo"]);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.equal(r.stderr, `toolkit: error: no space left on device (${out})\n`);
        assert.deepEqual([...Deno.readDirSync(mnt)].map((e) => e.name), ["filler"], "no temp file");
      } finally {
        await run("umount", [mnt]).catch(() => {});
      }
    });
  },
);
