// The CLI building blocks on their own: option tables, global options, durations, addresses,
// suggestions, dispatch and error classification.
import assert from "#assert";
import { parseCommandArgs, parseOptions } from "../../lib/cli/args.ts";
import { parseDuration } from "../../lib/text/duration.ts";
import { resolveCommand } from "../../lib/cli/dispatch.ts";
import {
  InputError,
  ScopeError,
  scopeErrorFrom,
  UsageError,
  userInputError,
} from "../../lib/cli/errors.ts";
import { extractGlobals } from "../../lib/cli/globals.ts";
import { memoryIo } from "../../lib/cli/io.ts";
import { displayWidth, formatTable, paint } from "../../lib/cli/output.ts";
import { classifyError, errorLine } from "../../lib/cli/report.ts";
import { closest, editDistance } from "../../lib/cli/suggest.ts";
import { registry } from "../../lib/commands/registry.ts";
import { classifyHost, formatHostPort, parseHostPort, parsePort } from "../../lib/net/address.ts";
import { NetError, netErrorFrom } from "../../lib/net/errors.ts";
import { parseHex, toHex } from "../../lib/net/payload.ts";

Deno.test("parseCommandArgs: types, defaults, choices, positional counts", () => {
  const spec = {
    usage: "A [B]",
    options: [
      { name: "count", short: "c", type: "string" as const, default: "1", description: "n" },
      { name: "mode", type: "string" as const, choices: ["a", "b"], description: "m" },
      { name: "flag", type: "boolean" as const, description: "f" },
    ],
    examples: [],
    positionals: { min: 1, max: 2 },
  };
  const r = parseCommandArgs("x", spec, ["-c", "3", "--flag", "one"]);
  assert.deepEqual(r.positionals, ["one"]);
  assert.equal(r.values.count, "3");
  assert.equal(r.values.flag, true);
  assert.equal(parseCommandArgs("x", spec, ["one"]).values.count, "1");
  assert.throws(
    () => parseCommandArgs("x", spec, ["--mode", "c", "one"]),
    /--mode must be one of a, b/,
  );
  assert.throws(() => parseCommandArgs("x", spec, []), UsageError);
  assert.throws(() => parseCommandArgs("x", spec, ["1", "2", "3"]), /unexpected argument "3"/);
  assert.deepEqual(parseCommandArgs("x", spec, ["--", "--flag"]).positionals, ["--flag"]);
});

Deno.test("global options are taken from anywhere before --", () => {
  const g = extractGlobals([
    "udp-send",
    "--json",
    "127.0.0.1:9",
    "--net=127.0.0.1:9",
    "--net",
    "::1",
    "x",
    "--",
    "--json",
  ]);
  assert.equal(g.json, true);
  assert.deepEqual(g.net, ["127.0.0.1:9", "::1"]);
  assert.deepEqual(g.rest, ["udp-send", "127.0.0.1:9", "x", "--", "--json"]);
  assert.throws(() => extractGlobals(["--scope"]), /option '--scope' needs a value/);
  assert.throws(() => extractGlobals(["--scope", "a", "--scope", "b"]), /given twice/);
});

Deno.test("durations", () => {
  assert.equal(parseDuration("2"), 2000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1m"), 60000);
  for (const bad of ["", "-1", "1h", "1 s", "abc"]) {
    assert.throws(() => parseDuration(bad), SyntaxError, bad);
  }
});

Deno.test("addresses: host:port forms, and IPv4 spellings that are refused", () => {
  assert.deepEqual(parseHostPort("127.0.0.1:80"), { host: "127.0.0.1", port: 80, family: "ipv4" });
  assert.deepEqual(parseHostPort("[fe80::1%eth0]:80"), {
    host: "fe80::1%eth0",
    port: 80,
    family: "ipv6",
  });
  assert.deepEqual(parseHostPort("lab-pc.local:22"), {
    host: "lab-pc.local",
    port: 22,
    family: "name",
  });
  assert.deepEqual(parseHostPort("9000", { defaultHost: "127.0.0.1" }), {
    host: "127.0.0.1",
    port: 9000,
    family: "ipv4",
  });
  assert.deepEqual(parseHostPort(":0", { defaultHost: "::1", allowPortZero: true }), {
    host: "::1",
    port: 0,
    family: "ipv6",
  });
  assert.equal(formatHostPort("::1", 9), "[::1]:9");
  assert.equal(formatHostPort("10.0.0.1", 9), "10.0.0.1:9");
  for (
    const bad of [
      "2130706433",
      "0x7f.1",
      "0177.0.0.1",
      "127.1",
      "10.0.0.256",
      "1.2.3.4.5",
      "0x7f000001",
    ]
  ) {
    assert.throws(() => classifyHost(bad), SyntaxError, bad);
  }
  for (
    const bad of [
      "::1:80",
      "[127.0.0.1]:80",
      "host",
      "host:",
      "host:-1",
      "[::1]",
      "[::g]:80",
      "a..b:1",
    ]
  ) {
    assert.throws(() => parseHostPort(bad), bad);
  }
  assert.throws(() => parsePort("65536"), RangeError);
  assert.throws(() => parsePort("0"), RangeError);
  assert.equal(parsePort("0", { allowZero: true }), 0);
});

Deno.test("hex payloads round-trip", () => {
  assert.deepEqual(parseHex("0xDEAD beef"), new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  assert.equal(toHex(parseHex("00ff10")), "00 ff 10");
  assert.throws(() => parseHex("abc"), /odd number/);
  assert.throws(() => parseHex("zz"), /"z" is not a hex digit/);
});

Deno.test("suggestions find typos and nothing for unrelated words", () => {
  assert.equal(editDistance("udp-sned", "udp-send"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(closest("udp-sned", ["udp-send", "tcp-send"]), "udp-send");
  assert.equal(closest("scoep", ["scope", "scan"]), "scope");
  assert.equal(closest("xyzzy", ["udp-send", "scope"]), undefined);
});

Deno.test("dispatch: flat names, grouped names, groups and unknowns", () => {
  const r = resolveCommand(registry, ["udp-send", "127.0.0.1:9", "x"]);
  assert.equal(r.kind, "command");
  if (r.kind === "command") assert.deepEqual(r.args, ["127.0.0.1:9", "x"]);
  const u = resolveCommand(registry, ["scpoe"]);
  assert.deepEqual(u, { kind: "unknown", name: "scpoe", suggestion: "scope" });
  const fake = [
    { name: "subnet info", group: "subnet" as const, summary: "", load: registry[0].load },
    { name: "subnet same", group: "subnet" as const, summary: "", load: registry[0].load },
  ];
  assert.equal(resolveCommand(fake, ["subnet"]).kind, "group");
  assert.deepEqual(resolveCommand(fake, ["subnet", "sme"]), {
    kind: "unknown",
    name: "subnet sme",
    suggestion: "subnet same",
  });
  const two = resolveCommand(fake, ["subnet", "info", "10.0.0.1"]);
  assert.ok(
    two.kind === "command" && two.entry.name === "subnet info" && two.args[0] === "10.0.0.1",
  );
});

Deno.test("errors map to the documented exit codes and one line", async () => {
  assert.equal((await classifyError(new UsageError("x", "udp-send"))).code, 2);
  assert.equal((await classifyError(new InputError("Cannot parse"))).line, "cannot parse");
  assert.equal((await classifyError(new InputError("IPv4 octet"))).line, "IPv4 octet");
  // Only errors raised for the user's input are exit 2: a bare built-in error is a bug (70).
  for (const bug of [new SyntaxError("x"), new RangeError("x"), new TypeError("x")]) {
    const c = await classifyError(bug);
    assert.deepEqual([c.code, c.line], [70, "internal error: x (run with --debug and report it)"]);
  }
  const converted = await classifyError(userInputError(new RangeError("Length 33 is too long")));
  assert.deepEqual([converted.code, converted.line], [2, "length 33 is too long"]);
  const usage = await classifyError(userInputError(new SyntaxError("Bad port"), "scan"));
  assert.deepEqual([usage.code, usage.line, usage.hintFor], [2, "bad port", "scan"]);
  assert.equal(userInputError(new TypeError("bug")) instanceof TypeError, true, "bugs pass");
  assert.equal((await classifyError(new NetError("connection refused", "127.0.0.1:1"))).code, 3);
  const denied = new Deno.errors.NotCapable(
    'Requires net access to "10.1.1.1:80", run again with the --allow-net flag',
  );
  const scope = scopeErrorFrom(denied);
  assert.ok(scope instanceof ScopeError);
  assert.equal(scope?.resource, "10.1.1.1:80");
  const c = await classifyError(denied);
  assert.equal(c.code, 4);
  assert.match(
    c.line,
    /^outside the permission scope: net access to 10\.1\.1\.1:80 is not allowed \(scope net: /,
  );
  assert.equal(
    (await classifyError(
      new Deno.errors.NotFound("No such file or directory (os error 2): readfile '/x'"),
    )).line,
    "no such file or directory (/x)",
  );
  assert.equal((await classifyError(new TypeError("oops"))).code, 70);
  assert.equal(errorLine("two\nlines"), "two lines");
  assert.ok(netErrorFrom(new Deno.errors.ConnectionRefused("x"), "h:1") instanceof NetError);
  assert.equal(netErrorFrom(denied, "h:1"), denied);
});

Deno.test("parseOptions agrees with node:util parseArgs (strict) on random command lines", async () => {
  const { parseArgs } = await import("#parse-args");
  const specs = [
    {
      name: "count",
      short: "c",
      type: "string" as const,
      default: "1",
      value: "N",
      description: "",
    },
    { name: "verbose", short: "v", type: "boolean" as const, description: "" },
    { name: "hex", short: "x", type: "boolean" as const, description: "" },
    { name: "file", short: "f", type: "string" as const, multiple: true, description: "" },
    { name: "json", type: "boolean" as const, description: "" },
  ];
  const nodeOptions = Object.fromEntries(specs.map((o) => [o.name, {
    type: o.type,
    ...(o.short ? { short: o.short } : {}),
    ...(o.multiple ? { multiple: true } : {}),
    ...(o.default !== undefined ? { default: o.default } : {}),
  }]));
  const atoms = [
    "-c",
    "3",
    "-c3",
    "--count",
    "--count=7",
    "-v",
    "-vx",
    "-xv",
    "-vc",
    "-vc9",
    "--verbose",
    "--verbose=1",
    "-f",
    "a",
    "--file=b",
    "--json",
    "--",
    "-",
    "pos",
    "--nope",
    "-z",
    "-5",
    "-0",
    "-1.5s",
    "x=y",
    "",
  ];
  // The deliberate difference: a negative number after an option that takes a number (count) is
  // its value; node refuses `-c -5` as ambiguous but reads `-c-5` and `--count=-5` as we read it.
  const inlineNegatives = (args: string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === "--") {
        out.push(...args.slice(i));
        break;
      }
      const endsInString = /^-[vx]*[cf]$/.test(a) || a === "--count" || a === "--file";
      const next = args[i + 1];
      if (endsInString && next !== undefined) {
        const numeric = a === "--count" || a.endsWith("c");
        if (numeric && /^-\d/.test(next)) {
          out.push(a === "--count" ? `--count=${next}` : a + next);
          i++;
          continue;
        }
        if (!next.startsWith("-") || next === "-") {
          out.push(a, next); // a value, whatever it looks like
          i++;
          continue;
        }
      }
      out.push(a);
    }
    return out;
  };
  let seed = 20261124;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let trial = 0; trial < 3000; trial++) {
    const args = Array.from({ length: rand(6) }, () => atoms[rand(atoms.length)]);
    let expected: unknown;
    let actual: unknown;
    try {
      const r = parseArgs({
        args: inlineNegatives(args),
        options: nodeOptions,
        strict: true,
        allowPositionals: true,
      });
      expected = { values: { ...r.values }, positionals: r.positionals };
    } catch {
      expected = "error";
    }
    try {
      actual = parseOptions(specs, args);
    } catch {
      actual = "error";
    }
    assert.deepEqual(actual, expected, `seed trial ${trial}: ${JSON.stringify(args)}`);
  }
});

Deno.test("neverWaits: regular files and /dev/null, /dev/zero may block; pipes may not", async () => {
  // A real process per case, its stdin and stdout attached by the shell like a user's redirection.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/in`, "some input\n");
    const script = `import { neverWaits } from ${
      JSON.stringify(
        new URL("../../lib/cli/io.ts", import.meta.url).href,
      )
    }; console.error(await neverWaits(0), await neverWaits(1));`;
    const cases: [string, string][] = [
      [`<"$D/in" >"$D/out"`, "true true"],
      ["</dev/null >/dev/null", "true true"],
      ["</dev/zero >/dev/null", "true true"],
      [`echo hi | "$DENO" eval "$S" | cat`, "false false"],
      [`<"$D/in" | cat`, "true false"],
    ];
    for (const [redirect, want] of cases) {
      const line = redirect.includes("$DENO") ? redirect : `"$DENO" eval "$S" ${redirect}`;
      const out = await new Deno.Command("sh", {
        args: ["-c", line],
        env: { D: dir, DENO: Deno.execPath(), S: script, NO_COLOR: "1" },
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.equal(new TextDecoder().decode(out.stderr).trim(), want, line);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("formatTable pads by what the terminal shows: colour codes take no room, CJK two columns", () => {
  const io = memoryIo({ globals: { color: true } });
  const green = paint(io, "green", "open");
  assert.equal(displayWidth(green), 4);
  assert.equal(displayWidth("我是客户端"), 10);
  assert.equal(displayWidth("e\u0301"), 1);
  const table = formatTable([["PORT", "STATE", "TIME"], ["22/tcp", green, "1.5 ms"]], {
    right: [2],
  });
  // deno-lint-ignore no-control-regex
  const seen = table.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  assert.deepEqual(seen, ["PORT    STATE    TIME", "22/tcp  open   1.5 ms", ""]);
  const cjk = formatTable([["名字", "x"], ["ab", "y"]]).split("\n");
  assert.deepEqual(cjk, ["名字  x", "ab    y", ""]);
});

Deno.test("RepeatedStatus: the first 10 of a kind as they come, then one count a second", async () => {
  const { RepeatedStatus } = await import("../../lib/cli/repeats.ts");
  const io = memoryIo();
  const repeats = new RepeatedStatus(io, { json: false }, { intervalMs: 200 });
  const reset = { event: "accept-error", code: "ECONNRESET" };
  const line = "toolkit: warning: connection reset before it was accepted (127.0.0.1:9000)";
  for (let i = 0; i < 600; i++) await repeats.report("accept-error:ECONNRESET", reset, line);
  await repeats.report("dropped:loop", { event: "dropped" }, "dropped a datagram from x");
  assert.equal(io.stderrText().split("\n").filter(Boolean).length, 11);
  await new Promise((r) => setTimeout(r, 300)); // one summary, after the interval
  const lines = io.stderrText().split("\n").filter(Boolean);
  assert.equal(lines.length, 12);
  assert.equal(
    lines[11],
    "toolkit: warning: … 590 more like it: connection reset before it was accepted (127.0.0.1:9000)",
  );
  // Quiet for an interval: the kind starts over, its next ones are written again.
  await new Promise((r) => setTimeout(r, 500));
  await repeats.report("accept-error:ECONNRESET", reset, line);
  assert.equal(io.stderrText().split("\n").filter(Boolean).length, 13);
  await repeats.close();

  // Under --json the summary is the event with `repeated`; close writes what is held back.
  const json = memoryIo();
  const j = new RepeatedStatus(json, { json: true }, { burst: 1, intervalMs: 60_000 });
  for (let i = 0; i < 3; i++) await j.report("k", { event: "receive-error", code: "E" }, "x");
  await j.close();
  assert.deepEqual(json.stderrText().trim().split("\n").map((l) => JSON.parse(l)), [
    { event: "receive-error", code: "E" },
    { event: "receive-error", code: "E", repeated: 2 },
  ]);
});

Deno.test("NetError names an address already in parentheses (an unnamed Unix peer) once", () => {
  assert.equal(new NetError("broken pipe", "(unnamed)").message, "broken pipe (unnamed)");
  assert.equal(new NetError("broken pipe", "/tmp/a.sock").message, "broken pipe (/tmp/a.sock)");
});
