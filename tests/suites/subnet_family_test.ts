// Every subnet command at once: --help with usage and examples, bad input as one error line and
// exit 2 with the hint, every numeric option and argument swept with 0, -1, huge and junk values,
// zero-padded lengths read as CPython reads them, and errors that say what to write.
import assert from "#assert";
import { registry } from "../../lib/commands/registry.ts";
import { runToolkit } from "../_support/harness.ts";
import { runInProcess } from "../_support/in_process.ts";
import { assertOneError } from "../_support/error_shape.ts";

const commands = [
  "info",
  "same",
  "split",
  "aggregate",
  "exclude",
  "contains",
  "range",
  "mask",
  "random",
];

Deno.test("every subnet command has --help with usage and examples", async () => {
  for (const c of commands) {
    const r = await runToolkit(["subnet", c, "--help"]);
    assert.equal(r.code, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`toolkit subnet ${c}`), c);
  }
});

Deno.test("bad input: one error line, exit 2; usage errors add the hint", async () => {
  const octal = await runToolkit(["subnet", "info", "010.0.0.1/8"]);
  assert.equal(octal.code, 2);
  assertOneError(octal.stderr, /leading zero.*octal 8, some as decimal 10 \(CVE-2021-29921\)/);
  const mask = await runToolkit(["subnet", "mask", "255.0.255.0"]);
  assert.equal(mask.code, 2);
  assertOneError(mask.stderr, /not contiguous \(11111111\.00000000\.11111111\.00000000\)/);
  const host = await runToolkit(["subnet", "split", "10.0.0.1/16", "--count", "4"]);
  assert.equal(host.code, 2);
  assertOneError(
    host.stderr,
    /has host bits set; a network is required here \(did you mean 10\.0\.0\.0\/16\?\)/,
  );
  const usage = await runToolkit(["subnet", "same", "1.2.3.4"]);
  assert.equal(usage.code, 2);
  assertOneError(usage.stderr, /missing argument/, "subnet same");
  const both = await runToolkit(["subnet", "split", "10.0.0.0/8", "--count", "2", "--prefix", "9"]);
  assert.equal(both.code, 2);
  assertOneError(both.stderr, /give only one of/, "subnet split");
  const family = await runToolkit(["subnet", "range", "10.0.0.1", "::1"]);
  assert.equal(family.code, 2);
  assertOneError(family.stderr, /IPv4 and ::1 is IPv6/);
});

Deno.test("zero-padded lengths are read as CPython reads them; a zone never holds /", async () => {
  const v6 = JSON.parse((await runToolkit(["--json", "subnet", "info", "::/0100"])).stdout);
  assert.equal(v6.network, "::/100");
  const v4 = JSON.parse((await runToolkit(["--json", "subnet", "info", "0.0.0.0/0032"])).stdout);
  assert.equal(v4.network, "0.0.0.0/32");
  const mask = JSON.parse((await runToolkit(["--json", "subnet", "mask", "/0024"])).stdout);
  assert.equal(mask.netmask, "255.255.255.0");
  // `subnet info` reads ::1%scope_id/24 as zone scope_id, length 24; the address-only parsers
  // (range, same) refuse it rather than take "scope_id/24" as the zone.
  const zoned = JSON.parse(
    (await runToolkit(["--json", "subnet", "info", "::1%scope_id/24"])).stdout,
  );
  assert.deepEqual([zoned.address, zoned.prefixLength], ["::1%scope_id", 24]);
  const range = await runToolkit(["subnet", "range", "::1%scope_id/24", "::2"]);
  assert.equal(range.code, 2);
  assertOneError(range.stderr, /"::1%scope_id\/24" is a prefix: drop "\/24"/);
  const same = await runToolkit(["subnet", "same", "::1%scope_id/24", "::2", "/64"]);
  assert.equal(same.code, 2);
});

/** Values every numeric option and argument is tried with (issue 16's sweep). */
const sweepValues = ["0", "-1", "99999999999999999999", "abc", "1.5", "0x10", ""];

/**
 * A command line each subnet command with a numeric option runs correctly with, and for options
 * that need a companion, the arguments to add. A subnet command that gains a numeric option
 * without a line here fails the sweep below.
 */
const sweepBase: Record<
  string,
  { args: string[]; with?: Record<string, string[]>; tooBig?: Record<string, string> }
> = {
  "subnet split": {
    args: ["10.0.0.0/16"],
    with: { limit: ["--prefix", "20"] },
    // Values that are numbers but more than the network can give: a /16 holds 65534 hosts.
    tooBig: { hosts: "65535", count: "65537", prefix: "33" },
  },
  "subnet random": { args: ["/24"], tooBig: { count: "1001" } },
};

/** Combinations that are not errors, with the meaning the help documents. */
const sweepAccepted = new Set([
  "subnet mask 0", // /0: the whole address space
  "subnet mask /0",
]);

Deno.test("every subnet command x every numeric option and argument: 0, -1, huge, junk are exit 2", async () => {
  const problems: string[] = [];
  const entries = registry.filter((e) => e.group === "subnet");
  const checkRun = async (label: string, argv: string[]) => {
    const r = await runInProcess(argv);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:"));
    if (sweepAccepted.has(label)) {
      if (r.code !== 0) problems.push(`${label}: exit ${r.code}, documented as accepted`);
      return;
    }
    if (r.code !== 2) problems.push(`${label}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    else if (errors.length !== 1 || r.stdout !== "") {
      problems.push(`${label}: ${errors.length} error lines, stdout ${JSON.stringify(r.stdout)}`);
    }
  };
  let runs = 0;
  for (const entry of entries) {
    const spec = (await entry.load()).spec;
    const numeric = spec.options.filter((o) => o.type === "string" && /^N\b/.test(o.value ?? ""));
    if (numeric.length && !sweepBase[entry.name]) {
      problems.push(`${entry.name}: numeric options ${numeric.map((o) => o.name)} not swept`);
      continue;
    }
    for (const o of numeric) {
      const base = [...entry.name.split(" "), ...sweepBase[entry.name].args];
      const extra = sweepBase[entry.name].with?.[o.name] ?? [];
      const tooBig = sweepBase[entry.name].tooBig?.[o.name];
      for (const v of tooBig === undefined ? sweepValues : [...sweepValues, tooBig]) {
        await checkRun(`${entry.name} --${o.name}=${v}`, [...base, ...extra, `--${o.name}=${v}`]);
        if (v !== "") {
          await checkRun(`${entry.name} --${o.name} ${v}`, [...base, ...extra, `--${o.name}`, v]);
        }
        runs += 2;
      }
    }
  }
  // The numeric positionals: a mask or length.
  for (const name of ["subnet mask", "subnet random"]) {
    for (const v of sweepValues.flatMap((v) => [v, `/${v}`])) {
      await checkRun(`${name} ${v}`, [...name.split(" "), "--", v]);
      runs++;
    }
  }
  console.error(`${runs} subnet command lines swept`);
  assert.deepEqual(problems, []);
});

Deno.test("errors say what to write: ipcalc habits, ranges, prefixes where addresses go (R21 item 9)", async () => {
  for (
    const [args, message] of [
      [["subnet", "info", "-n", "-p", "10.0.0.1/24"], /'-n': .*--format shell prints ipcalc's/],
      [["subnet", "info", "-r", "24"], /'-r': toolkit subnet random \/24/],
      [["subnet", "info", "-d", "10.0.0.1-10.0.0.5"], /'-d': toolkit subnet range START-END/],
      [["subnet", "info", "--split", "26", "10.0.0.0/24"], /toolkit subnet split NETWORK --prefix/],
      [["subnet", "info", "10.0.0.1-10.0.0.5"], /is a range .*toolkit subnet range 10\.0\.0\.1-/],
      [
        ["subnet", "split", "10.0.0.0/24", "/26"],
        /goes in --prefix: .*10\.0\.0\.0\/24 --prefix 26/,
      ],
      [["ipcalc", "10.0.0.1/24"], /unknown command 'ipcalc' \(did you mean 'subnet info'\?\)/],
      [["subnet", "10.0.0.1/24"], /\(did you mean 'subnet info 10\.0\.0\.1\/24'\?\)/],
      [["subnet", "random", "--count", "-1"], /--count must be between 1 and 1000 \(got -1\)/],
      [["subnet", "random", "-6", "255.255.255.0"], /--ipv6 .* IPv6 length .*an IPv4 netmask/],
      [["subnet", "random", "10.0.0.0/24"], /takes a length \(\/24\), not a network/],
      [["subnet", "split", "10.0.0.0/31", "--hosts", "2"], /with --rfc3021 a \/31 holds 2/],
      [["subnet", "range", "10.0.0.5/24", "10.0.0.9"], /"10\.0\.0\.5\/24" is a prefix: drop/],
      [["subnet", "same", "10.0.0.1/24", "10.0.0.200", "/24"], /already has a prefix length/],
      [["subnet", "info", "2001:db8:::1"], /":::" .*\(did you mean "2001:db8::1"\?\)/],
    ] as const
  ) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}`);
    assertOneError(r.stderr, message);
  }
  // ipcalc's own range forms are read, not refused.
  const want = "192.168.1.10/31\n192.168.1.12/31\n";
  for (
    const args of [
      ["192.168.1.10 - 192.168.1.13"],
      ["192.168.1.10", "-192.168.1.13"],
      ["192.168.1.10-", "192.168.1.13"],
      ["192.168.1.10", "-", "192.168.1.13"],
    ]
  ) {
    const r = await runToolkit(["subnet", "range", ...args]);
    assert.equal(r.code, 0, `${JSON.stringify(args)}: ${r.stderr}`);
    assert.equal(r.stdout, want);
  }
});

Deno.test("no option is silently dropped; counts of one are singular (R21 item 10)", async () => {
  for (
    const [args, message] of [
      [["subnet", "info", "--format", "shell", "--binary", "1.2.3.4"], /--binary .*--format shell/],
      [["subnet", "split", "10.0.0.0/24", "--hosts", "2", "--limit", "3"], /--limit goes with/],
      [["subnet", "split", "10.0.0.1/32", "--prefix", "31"], /single address: --prefix can only/],
    ] as const
  ) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, args.join(" "));
    assertOneError(r.stderr, message);
  }
  const one = await runToolkit(["subnet", "split", "10.0.0.0/31", "--hosts", "1"]);
  assertOneError(one.stderr, /^toolkit: error: 1 host does not fit in 10\.0\.0\.0\/31: it needs/);
  const each = await runToolkit(["subnet", "split", "10.0.0.0/32", "--prefix", "32"]);
  assert.match(
    each.stdout,
    /^10\.0\.0\.0\/32 into 1 subnet of \/32: 1 address, 1 usable host each$/m,
  );
});
