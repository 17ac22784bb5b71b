// `toolkit subnet` against what a hostile reviewer threw at it (issue 21's review): splits into
// millions of subnets stream in bounded memory, endless or junk input to `aggregate` ends with
// exit 2 after a bounded list of warnings, and zones, arguments and file names never reach the
// terminal raw. Processes are real (TOOLKIT_CMD), so the memory and first-line checks are too.
import assert from "#assert";
import type { CommandModule } from "../../lib/cli/command.ts";
import { memoryIo } from "../../lib/cli/io.ts";
import { formatTable } from "../../lib/cli/output.ts";
import split, { widestRowIndices } from "../../lib/commands/subnet_split.ts";
import { Addr, Prefix, PrefixAggregator, subnets, summarizeRange } from "../../lib/ip/mod.ts";
import { runToolkit, toolkitCmd } from "../_support/harness.ts";
import { mulberry32 } from "../_support/prng.ts";
import { assertNoRaw } from "../_support/terminal.ts";

const rand = mulberry32(2126);
const int = (n: number) => Math.floor(rand() * n);

/** Exactly one `toolkit: error:` line matching `pattern`. */
function assertOneError(stderr: string, pattern: RegExp): void {
  const lines = stderr.split("\n").filter((l) => l.startsWith("toolkit: error:"));
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], pattern);
}

/** Peak resident memory in MB of toolkit running `args` with stdout to /dev/null (GNU time). */
async function peakMb(args: string[], stdinFile?: string): Promise<{ mb: number; code: number }> {
  const dir = await Deno.makeTempDir({ prefix: "tk-rss-" });
  try {
    const r = await runToolkit(args, {
      prefix: ["/usr/bin/time", "-o", `${dir}/rss`, "-f", "%M"],
      stdoutFile: "/dev/null",
      stdinFile,
      timeoutMs: 120_000,
    });
    // GNU time writes "Command exited with non-zero status N" first when the exit is not 0.
    const kb = Number((await Deno.readTextFile(`${dir}/rss`)).trim().split("\n").at(-1));
    return { mb: kb / 1024, code: r.code };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `subnet split` of all IPv4 into /32s, the first `limit` of them. */
const allOfIpv4 = (
  limit: number,
) => ["subnet", "split", "0.0.0.0/0", "--prefix", "32", "--limit", String(limit)];

Deno.test("subnet split: a hundred million subnets stream: the first lines at once, exit 141 when the reader goes", async () => {
  const child = new Deno.Command(toolkitCmd[0], {
    args: [...toolkitCmd.slice(1), ...allOfIpv4(100_000_000)],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.getReader();
  const started = performance.now();
  let text = "";
  while (text.split("\n").length < 4) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  const waited = performance.now() - started;
  // Like `| head -3`: the reader goes away; toolkit must stop (141), not run on for minutes.
  await reader.cancel();
  const stderr = new Response(child.stderr).text();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    child.status,
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 30_000))),
  ]);
  clearTimeout(timer);
  if (status === undefined) child.kill("SIGKILL");
  assert.ok(status, `toolkit kept running after its reader went away\n${await stderr}`);
  assert.match(text, /^0\.0\.0\.0\/0 into 4294967296 subnets of \/32: 1 address, 1 usable host/);
  assert.match(text.split("\n")[2], /^0\.0\.0\.0\/32 +0\.0\.0\.0 +0\.0\.0\.0 +- +1$/);
  // Before: nothing for 50 s, then "Fatal JavaScript out of memory". Generous for a loaded box.
  assert.ok(waited < 15_000, `first lines took ${waited.toFixed(0)} ms`);
  assert.equal(status?.code, 141, await stderr);
});

Deno.test("subnet split: memory stays flat for a million rows, text and --json", async () => {
  for (const json of [[], ["--json"]]) {
    const { mb, code } = await peakMb([...json, ...allOfIpv4(1_000_000)]);
    assert.equal(code, 0);
    // Before: 857 MB for the text table. A bare `deno run` is about 60-100 MB here.
    assert.ok(mb < 250, `${json.join("")} peak ${mb.toFixed(0)} MB`);
  }
});

/** The rows of an equal split as formatTable lays them out, from Prefix's own answers. */
function expectedTable(network: Prefix, bits: number, shown: number): string {
  const rows = [["Subnet", "First host", "Last host", "Broadcast", "Hosts"]];
  for (const p of subnets(network, bits)) {
    if (rows.length > shown) break;
    rows.push([
      p.toString(),
      p.firstHost().toString(),
      p.lastHost().toString(),
      p.broadcast()?.toString() ?? "-",
      String(p.usableHosts()),
    ]);
  }
  return formatTable(rows);
}

async function splitInProcess(args: string[], json = false): Promise<string> {
  const io = memoryIo({ globals: { json } });
  const cmd = split as CommandModule<unknown>;
  assert.equal(await cmd.run(cmd.parse(args, io.globals), io), 0, io.stderrText());
  return io.stdoutText();
}

Deno.test("subnet split: streamed rows and columns are exactly what the whole table would be", async () => {
  const cases: [string, number, number][] = [
    ["10.0.0.0/8", 24, 257], // 10.0.255.0/24 is wider than the last row, 10.1.0.0/24
    ["10.0.0.0/8", 24, 100],
    ["0.0.0.0/0", 8, 256],
    ["192.168.0.0/16", 30, 4000],
    ["10.0.0.0/30", 32, 4],
    ["::ffff:0.0.0.0/96", 104, 300], // IPv4-mapped rows end in dotted decimal
    ["2001:db8::/32", 64, 70000],
    ["::/0", 16, 5000],
    ["fe80::/10", 127, 3],
  ];
  for (let i = 0; i < 40; i++) {
    const v6 = rand() < 0.5;
    const width = v6 ? 128 : 32;
    const base = int(width - 1);
    const bits = Math.min(width, base + 1 + int(14));
    const value = v6
      ? (BigInt(int(2 ** 32)) << 96n) | (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 20))
      : BigInt(int(2 ** 32));
    const net = Prefix.from(Addr.fromBigInt(value, v6 ? 6 : 4), base).masked();
    cases.push([net.toString(), bits, 1 + int(3000)]);
  }
  for (const [network, bits, limit] of cases) {
    const net = Prefix.parse(network);
    const text = await splitInProcess([network, "--prefix", String(bits), "--limit", `${limit}`]);
    const total = 1n << BigInt(bits - net.bits);
    const shown = total < BigInt(limit) ? Number(total) : limit;
    const [, ...table] = text.split(/(?<=\n)/);
    assert.equal(table.join(""), expectedTable(net, bits, shown), `${network} into /${bits}`);
    // The indices that set the widths, checked against every row of a small table.
    if (shown <= 5000) {
      const widest = widestRowIndices(net.addr.bitLength, net.addr.bitLength - bits, shown);
      assert.ok(widest.every((k) => k >= 0 && k < shown), `${network}: ${widest}`);
    }
  }
  // --json: the document writeJson would print for the same rows, byte for byte.
  const json = await splitInProcess(["2001:db8::/120", "--count", "5", "--limit", "3"], true);
  const doc = JSON.parse(json);
  const rows = [...subnets(Prefix.parse("2001:db8::/120"), 123)].slice(0, 3).map((p) => ({
    subnet: p.toString(),
    firstHost: p.firstHost().toString(),
    lastHost: p.lastHost().toString(),
    broadcast: null,
    addressCount: "32",
    usableHosts: "31",
  }));
  assert.equal(
    json,
    JSON.stringify(
      {
        network: "2001:db8::/120",
        prefixLength: 123,
        requested: 5,
        count: "8",
        shown: 3,
        addressCountEach: "32",
        usableHostsEach: "31",
        subnets: rows,
      },
      null,
      2,
    ) + "\n",
  );
  assert.equal(doc.subnets.length, 3);
});

Deno.test("PrefixAggregator holds what the result needs, not what was read", () => {
  const one = new PrefixAggregator();
  for (let i = 0; i < 1_000_000; i++) one.add("10.0.0.0/24");
  assert.equal(one.count, 1_000_000);
  assert.ok(one.held <= 1 << 17, `${one.held} entries held for one distinct prefix`);
  assert.deepEqual(one.result().map(String), ["10.0.0.0/24"]);
  // Collapsing as it goes gives the same list as collapsing once: checked against ranges merged
  // here independently, on enough prefixes of both families to collapse several times.
  const agg = new PrefixAggregator();
  const ranges: [bigint, bigint, 4 | 6][] = [];
  for (let i = 0; i < 300_000; i++) {
    const v6 = i % 3 === 0;
    const bits = v6 ? 40 + int(25) : 12 + int(21);
    const top = v6
      ? (0x2001n << 112n) | (BigInt(int(2 ** 24)) << 88n)
      : BigInt(int(2 ** 16) * 2 ** 16);
    const width = v6 ? 128 : 32;
    const host = (1n << BigInt(width - bits)) - 1n;
    const net = top & ~host;
    const p = Prefix.from(Addr.fromBigInt(net, v6 ? 6 : 4), bits);
    agg.add(p.toString());
    ranges.push([net, net | host, v6 ? 6 : 4]);
  }
  const merged: Prefix[] = [];
  for (const family of [4, 6] as const) {
    const mine = ranges.filter((r) => r[2] === family).sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
    );
    let [s, e] = mine[0];
    const flush = () =>
      merged.push(
        ...summarizeRange(Addr.fromBigInt(s, family), Addr.fromBigInt(e, family)),
      );
    for (const [a, b] of mine.slice(1)) {
      if (a <= e + 1n) e = b > e ? b : e;
      else (flush(), [s, e] = [a, b]);
    }
    flush();
  }
  assert.ok(agg.held < 300_000, "collapsed while reading");
  assert.deepEqual(agg.result().map(String), merged.map(String));
});

Deno.test("subnet aggregate: endless junk ends with exit 2 after a bounded list of warnings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tk-junk-" });
  try {
    const junk = `${dir}/junk.txt`;
    await Deno.writeTextFile(junk, "bogus\n".repeat(300_000));
    // Without --skip-bad: nothing would be printed anyway, so reading stops at the 20th.
    const stop = await runToolkit(["subnet", "aggregate", junk], { timeoutMs: 60_000 });
    assert.equal(stop.code, 2);
    assert.equal(stop.stdout, "");
    assert.equal(stop.stderr.split("\n").filter((l) => l.includes("warning")).length, 20);
    assertOneError(stop.stderr, /20 entries could not be read .*reading stopped there/);
    // With --skip-bad: more than 10,000 bad and more bad than good is not a prefix list.
    const { mb, code } = await peakMb(["subnet", "aggregate", "--skip-bad", junk]);
    assert.equal(code, 2);
    assert.ok(mb < 250, `peak ${mb.toFixed(0)} MB`);
    const skip = await runToolkit(["subnet", "aggregate", "--skip-bad"], { stdinFile: junk });
    assert.equal(skip.code, 2);
    assertOneError(skip.stderr, /10001 entries could not be read as prefixes and only 0 could/);
    assert.ok(skip.stderr.split("\n").length < 30, "warnings are bounded");
    // A bounded share of bad lines is skipped, counted, and reported as they come.
    const some = `${dir}/some.txt`;
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) lines.push(i % 5 ? `10.${i % 200}.0.0/16` : "junk");
    await Deno.writeTextFile(some, lines.join("\n") + "\n");
    const ok = await runToolkit(["--json", "subnet", "aggregate", "--skip-bad", some]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).skipped, 6000);
    const warnings = ok.stderr.trim().split("\n").map((l) => JSON.parse(l).warning.message);
    assert.equal(warnings.length, 21);
    assert.equal(warnings.at(-1), "... and 5980 more");
    // Binary input and a line without end: exit 2, named, without reading for ever.
    const noise = await runToolkit(["subnet", "aggregate", "--skip-bad", "/dev/urandom"]);
    assert.equal(noise.code, 2);
    assertOneError(noise.stderr, /\/dev\/urandom.*not a prefix list/);
    const zero = await runToolkit(["subnet", "aggregate", "--skip-bad", "/dev/zero"]);
    assert.equal(zero.code, 2);
    assertOneError(zero.stderr, /\/dev\/zero: line 1 is longer than 1048576 characters/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("subnet aggregate: a comment of any length is a comment", async () => {
  const long = "x".repeat(10 << 20);
  const r = await runToolkit(["subnet", "aggregate"], {
    stdin: `10.0.0.0/25\n# ${long}\n10.0.0.128/25 # ${long}\n10.0.1.0/24\n`,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "10.0.0.0/23\n");
});

Deno.test("subnet aggregate: stdin by its /dev and /proc names; a directory named after others were read", async () => {
  for (const name of ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]) {
    const r = await runToolkit(["subnet", "aggregate", name, "10.0.1.0/24"], {
      stdin: "10.0.0.0/24\n",
    });
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stdout, "10.0.0.0/23\n");
  }
  const dir = await Deno.makeTempDir({ prefix: "tk-agg-" });
  try {
    await Deno.writeTextFile(`${dir}/l1.txt`, "10.0.0.0/24\n");
    await Deno.mkdir(`${dir}/d`);
    const r = await runToolkit(["subnet", "aggregate", `${dir}/l1.txt`, `${dir}/d`]);
    assert.equal(r.code, 2);
    assertOneError(r.stderr, new RegExp(`is a directory \\(${dir}/d\\)`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("zones, arguments and file names reach the terminal escaped in every text output", async () => {
  const zone = "fe80::1%a\x1b[31mRED\x1b[0m\u202eXYZ";
  const forged = "fe80::1%x\nSpecial:       global unicast (forged)\nX";
  for (
    const args of [
      ["subnet", "info", `${zone}/64`],
      ["subnet", "info", "--format", "shell", `${zone}/64`],
      ["subnet", "info", "--binary", `${zone}/64`],
      ["subnet", "contains", "fe80::/64", zone],
      ["subnet", "contains", `${zone}/64`, "fe80::1", "10.0.0.1"],
      ["subnet", "same", zone, "fe80::2", "/64"],
      ["subnet", "same", "--explain", zone, "fe80::2", "/64"],
      ["subnet", "split", "fe80::%\x1b]52;c;eA==\x07/64", "--prefix", "66"],
      ["subnet", "exclude", "fe80::%\x1b[2J/64", "fe80::/66"],
      ["subnet", "range", "fe80::1%\x1b[2J", "fe80::3%\x1b[2J"],
      ["subnet", "aggregate", "10.0.0.0/24", "\x1b[2J10.0.0.1"],
      ["subnet", "info", "1.2.3.4\n/24"],
    ]
  ) {
    const r = await runToolkit(args);
    assertNoRaw(r.stdout.replace(/\n/g, ""), `${JSON.stringify(args)} stdout`);
    assertNoRaw(r.stderr.replace(/\n/g, ""), `${JSON.stringify(args)} stderr`);
  }
  const info = await runToolkit(["subnet", "info", `${forged}/64`]);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(info.stdout.match(/^Special:/gm)?.length, 1, "a zone cannot forge a line");
  assert.match(info.stdout, /^Address: +fe80::1%x\\nSpecial: .*\\nX$/m);
  const shell = await runToolkit(["subnet", "info", "--format", "shell", `${forged}/64`]);
  assert.equal(shell.stdout.split("\n").filter((l) => l.startsWith("ADDRESS=")).length, 1);
  assert.doesNotMatch(shell.stdout, /^Special/m);
  const nl = await runToolkit(["subnet", "info", "1.2.3.4\n/24"]);
  assert.match(nl.stderr, /"1\.2\.3\.4\\n"/, "the newline is shown, not turned into a space");
  // A file name in aggregate's warnings and error.
  const dir = await Deno.makeTempDir({ prefix: "tk-agg-" });
  try {
    const file = `${dir}/f\x1b[31m`;
    await Deno.writeTextFile(file, "10.0.0.0/24\nbogus\n");
    const r = await runToolkit(["subnet", "aggregate", file]);
    assert.equal(r.code, 2);
    assertNoRaw(r.stderr.replace(/\n/g, ""), "aggregate stderr");
    assert.match(r.stderr, /^toolkit: warning: .*f\\x1b\[31m: line 2: /m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // --json keeps the zone's exact text, written with \u escapes.
  const j = await runToolkit(["--json", "subnet", "info", `${zone}/64`]);
  assertNoRaw(j.stdout.replace(/\n/g, ""), "--json");
  assert.equal(JSON.parse(j.stdout).address, zone);
});
