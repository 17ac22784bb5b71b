// `toolkit arp show` on saved tables (files and stdin), its warnings for malformed lines, --json,
// usage errors, and the scope: a run whose read scope leaves out /proc/net gets no live table.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import arpShow from "../../lib/commands/arp_show.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const fx = (name: string) => new URL(`../fixtures/arp/${name}`, import.meta.url).pathname;

Deno.test("arp show --file: aligned table with vendors, warnings by line number, exit 0", async () => {
  const r = await runToolkit(["arp", "show", "--file", fx("bsd_arp_an.txt")]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^IP\s+MAC\s+INTERFACE\s+STATE\s+VENDOR$/);
  assert.match(r.stdout, /\n192\.168\.1\.10 +3c:22:fb:0a:0b:0c +en0 +complete +Apple, Inc\.\n/);
  assert.match(r.stdout, /\n192\.168\.1\.20 +- +en0 +incomplete\n/);
  assert.match(
    r.stdout,
    /\n224\.0\.0\.251 +01:00:5e:00:00:fb +en0 +permanent +ICANN, IANA Department\n/,
  );
  assert.equal(
    r.stderr,
    `toolkit: warning: ${
      fx("bsd_arp_an.txt")
    }: line 11: cannot parse MAC address "zz:1a:2b:3c:4d:5e" (skipped)\n`,
  );
});

Deno.test("arp show: stdin with --format, --json, --no-vendor", async () => {
  const text = await Deno.readTextFile(fx("windows_arp_a.txt"));
  const r = await runToolkit(["arp", "show", "--json", "-f", "-", "--format", "windows"], {
    stdin: text,
  });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.format, "windows");
  assert.equal(doc.source, "-");
  assert.equal(doc.entries[0].mac, "00:1a:2b:3c:4d:5e");
  assert.equal(doc.entries[0].vendor, "Ayecom Technology Co., Ltd.");
  assert.deepEqual(doc.problems.map((p: { line: number }) => p.line), [16]);
  const nv = await runToolkit(["arp", "show", "--no-vendor", "-f", fx("ip_neigh.json")]);
  assert.match(nv.stdout, /^IP\s+MAC\s+INTERFACE\s+STATE\n/);
  assert.match(
    nv.stdout,
    /fe80::1a2b:3cff:fe4d:5e6f +00:1a:2b:3c:4d:5e +wlan0 +complete \(REACHABLE\) router/,
  );
});

Deno.test("arp show --help names every format and what prints it", async () => {
  const r = await runToolkit(["arp", "show", "--help"]);
  assert.equal(r.code, 0);
  assert.match(
    r.stdout,
    /\(auto\|proc\|ip\|ip-json\|net-tools\|bsd\|aix\|openbsd\|solaris\|windows\|netsh\)/,
  );
  const flat = r.stdout.replace(/\s+/g, " ");
  for (
    const named of [
      "net-tools (Linux arp, arp -n, arp -v)",
      "aix (AIX arp -a)",
      "openbsd (OpenBSD arp -an)",
      "solaris (Solaris arp -an)",
      "windows (Windows arp -a in en, de, fr, es, pt-BR, it, ru, zh-CN, ja, ko)",
      "netsh (netsh interface ipv4|ipv6 show neighbors)",
      "UTF-16",
    ]
  ) assert.ok(flat.includes(named), named);
});

Deno.test("arp show --file: a UTF-16 table from Windows PowerShell, from a file and from stdin", async () => {
  const file = fx("windows_arp_a_zh_utf16le.txt");
  const r = await runToolkit(["arp", "show", "--no-vendor", "--file", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(
    r.stdout,
    /\n192\.168\.4\.1 +f4:f6:47:65:09:5c +192\.168\.4\.10 +complete \(动态\)\n/,
  );
  assert.equal(r.stdout.trimEnd().split("\n").length, 17);
  const piped = await runToolkit(["arp", "show", "--json", "--no-vendor", "-f", "-"], {
    stdin: await Deno.readFile(file),
  });
  assert.equal(piped.code, 0, piped.stderr);
  const doc = JSON.parse(piped.stdout);
  assert.equal(doc.format, "windows");
  assert.equal(doc.entries.length, 16);
  assert.equal(doc.entries[0].detail, "动态");
});

Deno.test("arp show --file: new formats end to end, with their bad lines named", async () => {
  const net = await runToolkit([
    "arp",
    "show",
    "--no-vendor",
    "-f",
    fx("net_tools_arp_centos7.txt"),
  ]);
  assert.equal(net.code, 0, net.stderr);
  assert.match(net.stdout, /\n192\.168\.71\.254 +00:50:56:fe:7a:b4 +ens33 +complete \(flags C\)\n/);
  assert.equal(
    net.stderr,
    `toolkit: warning: ${
      fx("net_tools_arp_centos7.txt")
    }: line 2: host name "gateway" instead of an address: save the table with "arp -n" (skipped)\n`,
  );
  const netsh = await runToolkit([
    "arp",
    "show",
    "--json",
    "--no-vendor",
    "--format",
    "netsh",
    "-f",
    fx("netsh_ipv6_neighbors.txt"),
  ]);
  assert.equal(netsh.code, 0, netsh.stderr);
  // Under --json the warning is a JSON line on stderr.
  assert.match(
    JSON.parse(netsh.stderr).warning.message,
    /line 24: no neighbour type on the line \(skipped\)$/,
  );
  const doc = JSON.parse(netsh.stdout);
  assert.equal(doc.format, "netsh");
  assert.deepEqual(doc.problems.map((p: { line: number }) => p.line), [24]);
  const obsd = await runToolkit([
    "arp",
    "show",
    "--json",
    "--no-vendor",
    "-f",
    fx("openbsd_arp_an.txt"),
  ]);
  assert.equal(obsd.code, 0, obsd.stderr);
  assert.deepEqual(
    JSON.parse(obsd.stdout).entries.map((
      e: { address: string; local: boolean },
    ) => [e.address, e.local]),
    [["10.61.0.254", false], ["85.14.151.86", true], ["91.226.28.0", false]],
  );
});

Deno.test("arp show: a hostile line in a table is shown escaped in its warning", async () => {
  const r = await runToolkit(["arp", "show", "-f", "-"], {
    stdin: "Interface: 10.0.0.5 --- 0xb\n  10.0.0.1  00-11-22-33-44-55  dynamic\n" +
      "  10.0.0.2  00-11-22-33-44-56  \x1b[2Jgone\n",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stderr.includes("\x1b"), r.stderr);
  assert.match(r.stderr, /line 3: unknown entry type "\\x1b\[2Jgone" \(skipped\)\n$/);
});

Deno.test("arp show: bad input is one error line and exit 2", async () => {
  const garbage = await runToolkit(["arp", "show", "-f", "-"], { stdin: "hello\nworld\n" });
  assert.equal(garbage.code, 2);
  assert.equal(garbage.stdout, "");
  assert.match(
    garbage.stderr,
    /^toolkit: error: cannot detect the table format: [^\n]* \(stdin\)\n$/,
  );
  const fmt = await runToolkit(["arp", "show", "--format", "cisco"]);
  assert.equal(fmt.code, 2);
  assert.match(
    fmt.stderr,
    /^toolkit: error: --format must be one of auto, proc, ip, ip-json, net-tools, bsd, aix, openbsd, solaris, windows, netsh \(got "cisco"\)\nTry 'toolkit arp show --help'\n$/,
  );
  const none = await runToolkit(["arp", "show", "-f", "-", "--format", "proc"], {
    stdin: "IP address       HW type     Flags       HW address            Mask     Device\nx y\n",
  });
  assert.equal(none.code, 2);
  assert.match(
    none.stderr,
    /warning: stdin: line 2: expected 6 columns[^\n]*\ntoolkit: error: no line of stdin could be read as a neighbour entry \(read as proc: give --format if it is another\)\n$/,
  );
});

Deno.test("arp show: the live table and files outside the read scope are refused with exit 4", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tkarp" });
  try {
    await Deno.writeTextFile(`${dir}/scope.json`, JSON.stringify({ read: [`${dir}/elsewhere`] }));
    const live = await runToolkit(["--scope", `${dir}/scope.json`, "arp", "show"]);
    assert.equal(live.code, 4, live.stderr);
    assert.match(
      live.stderr,
      /^toolkit: error: outside the permission scope: read access to \/proc\/net\/arp/,
    );
    const file = await runToolkit([
      "--scope",
      `${dir}/scope.json`,
      "arp",
      "show",
      "-f",
      fx("clean.txt"),
    ]);
    assert.equal(file.code, 4, file.stderr);
    const check = await runToolkit(["--scope", `${dir}/scope.json`, "arp", "check"]);
    assert.equal(check.code, 4, check.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("arp show filters as arp -i IF HOST and ip neigh show to PREFIX nud STATE do", async () => {
  const show = async (...args: string[]) => {
    const r = await runToolkit([
      "arp",
      "show",
      "--json",
      "--no-vendor",
      "-f",
      fx("ip_neigh.txt"),
      ...args,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).entries.map((e: { address: string }) => e.address);
  };
  assert.deepEqual(await show("--iface", "docker0"), ["172.17.0.2"]);
  assert.deepEqual(await show("--state", "stale"), ["192.168.1.10"]);
  assert.deepEqual(await show("--state", "failed", "-i", "wlan0"), [
    "192.168.1.50",
    "2001:db8::20",
  ]);
  assert.deepEqual(await show("192.168.1.0/28"), ["192.168.1.1", "192.168.1.10"]);
  assert.deepEqual(await show("FE80::1A2B:3CFF:FE4D:5E6F"), ["fe80::1a2b:3cff:fe4d:5e6f"]);
  const none = await runToolkit(["arp", "show", "-f", fx("clean.txt"), "10.9.9.9"]);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, "");
  assert.match(none.stderr, /^no entry of \d+ matches \(.*clean\.txt\)\n$/);
  const bad = await runToolkit(["arp", "show", "--state", "stail"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /did you mean 'stale'\?/);
  const host = await runToolkit(["arp", "show", "router.lan"]);
  assert.equal(host.code, 2);
  assert.match(
    host.stderr,
    /^toolkit: error: expected an IP address or prefix to show \(got "router\.lan"\)\n/,
  );
});

Deno.test("arp show parse: the live table by default, --file, -i and a host as a /32; a second host refused", () => {
  assert.deepEqual(arpShow.parse([], noGlobals), {
    file: undefined,
    format: "auto",
    iface: undefined,
    states: [],
    to: undefined,
    vendor: true,
    json: false,
  });
  const o = arpShow.parse(["--file", "t.txt", "-i", "eth0", "198.18.0.1"], noGlobals);
  assert.deepEqual([o.file, o.iface, String(o.to)], ["t.txt", "eth0", "198.18.0.1/32"]);
  assert.throws(
    () => arpShow.parse(["a", "b", "c"], noGlobals),
    UsageError,
    'unexpected argument "b"',
  );
});
