// `toolkit arp show` on saved tables (files and stdin), its warnings for malformed lines, --json,
// usage errors, and the scope: a run whose read scope leaves out /proc/net gets no live table.
import assert from "#assert";
import { runToolkit } from "./harness.ts";

const fx = (name: string) => new URL(`./fixtures/arp/${name}`, import.meta.url).pathname;

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

Deno.test("arp show --help lists the formats", async () => {
  const r = await runToolkit(["arp", "show", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /auto\|proc\|ip\|ip-json\|bsd\|windows/);
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
    /^toolkit: error: --format must be one of auto, proc, ip, ip-json, bsd, windows \(got "cisco"\)\nTry 'toolkit arp show --help'\n$/,
  );
  const none = await runToolkit(["arp", "show", "-f", "-", "--format", "proc"], {
    stdin: "IP address       HW type     Flags       HW address            Mask     Device\nx y\n",
  });
  assert.equal(none.code, 2);
  assert.match(
    none.stderr,
    /warning: stdin: line 2: expected 6 columns[^\n]*\ntoolkit: error: no line of stdin could be read as a neighbour entry\n$/,
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
