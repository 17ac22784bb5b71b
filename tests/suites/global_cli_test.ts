// The CLI's global behaviour, whatever the command: --version anywhere on the line, suggestions
// for typos, one-line usage errors with exit 2, bugs as exit 70, a reader that closes the pipe,
// endless input, the peer-habit hints. Help is in tests/commands/help_test.ts, shell completions in
// tests/commands/completions_test.ts.
import assert from "#assert";
import config from "../../deno.json" with { type: "json" };
import { registry } from "../../lib/commands/registry.ts";
import { peerHints } from "../../lib/cli/peer_hints.ts";
import { root, runToolkit, toolkitCmd } from "../_support/harness.ts";
import { runInProcess as inProcess } from "../_support/in_process.ts";

Deno.test("--version prints the version from deno.json", async () => {
  const r = await runToolkit(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `toolkit ${config.version}\n`);
  const j = await inProcess(["--version", "--json"]);
  assert.deepEqual(JSON.parse(j.stdout), { version: config.version });
});

Deno.test("--version and -V after a command print the version and run nothing (global options stand anywhere)", async () => {
  // perf-server would listen on 5201 until stopped; subnet info would print its answer.
  for (const argv of [["perf-server", "-V"], ["subnet", "info", "10.0.0.1", "--version"]]) {
    const r = await runToolkit(argv, { timeoutMs: 10_000 });
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [0, `toolkit ${config.version}\n`, ""],
      argv.join(" "),
    );
  }
  const j = await inProcess(["--json", "udp-send", "127.0.0.1:9", "x", "-V"]);
  assert.deepEqual([j.code, JSON.parse(j.stdout)], [0, { version: config.version }]);
});

Deno.test("an unknown command suggests the closest one and exits 2", async () => {
  const r = await runToolkit(["udp-sned", "127.0.0.1:9", "x"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "toolkit: error: unknown command 'udp-sned' (did you mean 'udp-send'?)\nTry 'toolkit --help'\n",
  );
  const far = await inProcess(["frobnicate"]);
  assert.equal(far.code, 2);
  assert.equal(far.stderr.split("\n")[0], "toolkit: error: unknown command 'frobnicate'");
});

Deno.test("a bad option is one error line, a hint, and exit 2", async () => {
  const r = await runToolkit(["udp-send", "--bogus", "127.0.0.1:9", "x"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "toolkit: error: unknown option '--bogus'\nTry 'toolkit udp-send --help'\n",
  );
  for (
    const [argv, message] of [
      [["udp-send"], "missing argument: expected HOST:PORT [DATA] | HOST PORT [DATA]"],
      [["udp-send", "--count"], "option '--count' needs a value"],
      [["udp-send", "--count", "x", "127.0.0.1:9", "a"], '--count takes a whole number (got "x")'],
      [
        ["udp-send", "--count", "0", "127.0.0.1:9", "a"],
        "--count must be between 1 and 10000000 (got 0)",
      ],
      [
        ["udp-send", "--timeout", "soon", "-w", "127.0.0.1:9", "a"],
        '--timeout takes a duration such as 2, 1.5s or 250ms (got "soon")',
      ],
      [
        ["udp-send", "127.0.0.1", "a"],
        'expected a port after 127.0.0.1 (got "a", no service of that name in /etc/services): ' +
        "write 127.0.0.1:PORT or 127.0.0.1 PORT",
      ],
      [
        ["udp-send", "127.0.0.1", "a b"],
        'expected a port after 127.0.0.1 (got "a b"): write 127.0.0.1:PORT or 127.0.0.1 PORT',
      ],
      [["udp-send", "127.0.0.1:99999", "a"], "port 99999 is out of range (1-65535)"],
      [
        ["udp-send", "127.0.0.1:9", "a", "b"],
        "unexpected argument \"b\": DATA is one argument; quote it ('a b')",
      ],
      [["--net"], "option '--net' needs a value"],
    ] as const
  ) {
    const res = await inProcess([...argv]);
    assert.equal(res.code, 2, argv.join(" "));
    const lines = res.stderr.trimEnd().split("\n");
    assert.equal(lines[0], `toolkit: error: ${message}`, argv.join(" "));
    assert.ok(
      lines.length <= 2 && (lines.length === 1 || lines[1].startsWith("Try 'toolkit")),
      res.stderr,
    );
  }
});

Deno.test("an unknown option suggests the closest one, the command's or a global one, exit 2", async () => {
  const r = await runToolkit(["subnet", "info", "--jsno", "10.0.0.1"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "toolkit: error: unknown option '--jsno' (did you mean '--json'?)\n" +
      "Try 'toolkit subnet info --help'\n",
  );
  for (
    const [argv, line] of [
      [
        ["udp-send", "--wait-repyl", "127.0.0.1:9"],
        "unknown option '--wait-repyl' (did you mean '--wait-reply'?)",
      ],
      [["mro", "--formt=json", "x.py"], "unknown option '--formt' (did you mean '--format'?)"],
      [["udp-send", "-W", "127.0.0.1:9"], "unknown option '-W' (did you mean '-w'?)"],
      [["subnet", "info", "-json", "10.0.0.1"], "unknown option '-j' (did you mean '--json'?)"],
      [
        ["--jsno", "subnet", "info", "10.0.0.1"],
        "unknown option '--jsno' (did you mean '--json'?)",
      ],
      [["help", "--qiuet"], "unknown option '--qiuet' (did you mean '--quiet'?)"],
      [["subnet", "info", "--frobnicate", "10.0.0.1"], "unknown option '--frobnicate'"],
      [["udp-send", "-y", "127.0.0.1:9"], "unknown option '-y'"],
      // A long name cut short is what was meant when only one name starts so.
      [["sockets", "--listen"], "unknown option '--listen' (did you mean '--listening'?)"],
      // A peer tool's option with no equivalent here: what to write instead.
      [
        ["sockets", "-tlne"],
        "unknown option '-e': ss's extended column is not shown: --json lists each socket's uid and inode",
      ],
      [
        ["udp-send", "-z", "127.0.0.1:9"],
        "unknown option '-z': to probe ports use toolkit scan HOST PORTS",
      ],
      [["-z", "ifaces"], "unknown option '-z'"],
    ] as const
  ) {
    const res = await inProcess([...argv]);
    assert.equal(res.code, 2, argv.join(" "));
    assert.equal(res.stderr.split("\n")[0], `toolkit: error: ${line}`, argv.join(" "));
  }
});

Deno.test("bad input that is not a usage mistake is one line, no hint, exit 2; --debug adds the stack", async () => {
  const r = await inProcess(["udp-send", "--hex", "127.0.0.1:9", "zz"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'toolkit: error: cannot parse hex payload: "z" is not a hex digit\n');
  const d = await inProcess(["udp-send", "--debug", "--hex", "127.0.0.1:9", "zz"]);
  assert.equal(d.code, 2);
  // The stack shows where the error was raised for the input, and the parser's own error it wraps.
  assert.match(
    d.stderr,
    /^toolkit: error: cannot parse hex payload.*\nInputError: .*\n\s+at [^]*\nCaused by: SyntaxError: .*\n\s+at /,
  );
});

Deno.test("a bug is never the user's fault: a bare RangeError, SyntaxError or TypeError from a command is exit 70 with the --debug hint", async () => {
  const entry = registry.find((e) => e.name === "subnet info")!;
  const mod = await entry.load();
  const { parse, run } = mod;
  const hint = "(run with --debug and report it)";
  try {
    for (
      const bug of [
        new RangeError("Invalid array length"),
        new SyntaxError("Unexpected token } in JSON at position 3"),
        new TypeError("Cannot read properties of undefined (reading 'bits')"),
      ]
    ) {
      // A bug in run: the arguments were fine.
      mod.run = () => Promise.reject(bug);
      const r = await inProcess(["subnet", "info", "10.0.0.1/24"]);
      assert.equal(r.code, 70, `${bug.name} from run: ${r.stderr}`);
      const words = bug.message[0].toLowerCase() + bug.message.slice(1);
      assert.equal(r.stderr, `toolkit: error: internal error: ${words} ${hint}\n`);
      assert.equal(r.stdout, "");
      // A bug in parse is no more the user's fault.
      mod.run = run;
      mod.parse = () => {
        throw bug;
      };
      const p = await inProcess(["subnet", "info", "10.0.0.1/24"]);
      assert.equal(p.code, 70, `${bug.name} from parse: ${p.stderr}`);
      assert.ok(p.stderr.endsWith(`${hint}\n`), p.stderr);
      assert.ok(!p.stderr.includes("Try 'toolkit"), "no usage hint for a bug");
      mod.parse = parse;
    }
    mod.run = () => Promise.reject(new RangeError("Invalid array length"));
    const d = await inProcess(["--debug", "subnet", "info", "10.0.0.1/24"]);
    assert.equal(d.code, 70);
    assert.match(d.stderr, /\nRangeError: Invalid array length\n\s+at /);
  } finally {
    mod.parse = parse;
    mod.run = run;
  }
  // The same input through the real run is fine, and bad input is still exit 2.
  assert.equal((await inProcess(["subnet", "info", "10.0.0.1/24"])).code, 0);
  const bad = await inProcess(["subnet", "info", "10.0.0.1/33"]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.doesNotMatch(bad.stderr, /internal error/);
});

Deno.test("main.ts is the one entrypoint and the registry points at existing files", async () => {
  for (const entry of registry) await entry.load();
  const stat = await Deno.stat(`${root}/main.ts`);
  assert.ok(stat.isFile);
});

Deno.test("a reader that closes the pipe early ends toolkit quietly with 141, never a hang", async () => {
  for (const redirect of ["", " 2>&1"]) {
    const cmd = [...toolkitCmd, "--help"].map((a) => `'${a}'`).join(" ");
    const out = await new Deno.Command("bash", {
      args: ["-c", `${cmd}${redirect} | head -c 0; echo "\${PIPESTATUS[0]}"`],
      env: { NO_COLOR: "1" },
      stderr: "piped",
    }).output();
    const code = Number(new TextDecoder().decode(out.stdout).trim());
    // The help may fit in the pipe before head exits (0); if not, the write fails (141).
    assert.ok(code === 0 || code === 141, `exit ${code}`);
    assert.equal(new TextDecoder().decode(out.stderr), "");
  }
  const cmd = [...toolkitCmd, "subnet", "split", "10.0.0.0/8", "--prefix", "24"].map((a) =>
    `'${a}'`
  )
    .join(" ");
  const out = await new Deno.Command("bash", {
    args: ["-c", `timeout 20 ${cmd} 2>&1 | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(
    new TextDecoder().decode(out.stdout).trim(),
    "141",
    "65,536 subnets into a closed pipe",
  );
});

Deno.test("an endless input file (/dev/zero) is refused with one line, not read forever", async () => {
  const mro = await runToolkit(["mro", "/dev/zero"], { timeoutMs: 30_000 });
  assert.equal(mro.code, 2);
  assert.equal(mro.stderr, "toolkit: error: larger than 67108864 bytes (/dev/zero)\n");
  const agg = await runToolkit(["subnet", "aggregate", "/dev/zero"], { timeoutMs: 30_000 });
  assert.equal(agg.code, 2);
  assert.match(
    agg.stderr,
    /^toolkit: error: \/dev\/zero: line 1 is longer than 1048576 characters/,
  );
});

Deno.test("an option's prefix keeps the line in lower case: arp resolve -p x", async () => {
  const r = await runToolkit(["arp", "resolve", "-p", "x", "127.0.0.1"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.split("\n")[0], 'toolkit: error: --port: cannot parse port "x"');
});

Deno.test("the peer-habit hints name commands that exist and options they do not take", async () => {
  const problems: string[] = [];
  for (const [command, hints] of Object.entries(peerHints)) {
    const entry = registry.find((e) => e.name === command);
    if (!entry) {
      problems.push(`${command}: no such command`);
      continue;
    }
    const { options } = (await entry.load()).spec;
    const taken = new Set(options.flatMap((o) => [
      `--${o.name}`,
      ...[o.short, ...(o.aliases ?? [])].filter((c) => c).map((c) => `-${c}`),
    ]));
    for (const c of Object.keys(entry.globalAliases ?? {})) taken.add(`-${c}`);
    for (const option of Object.keys(hints)) {
      if (taken.has(option)) problems.push(`${command} ${option}: an option now, the hint is dead`);
      if (!/^(-[A-Za-z0-9]|--[a-z][a-z-]+)$/.test(option)) {
        problems.push(`${option}: not an option`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
