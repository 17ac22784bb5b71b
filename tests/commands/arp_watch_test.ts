// `arp watch` replays snapshots in sequence and reports arpwatch's events; the arp.dat it keeps
// is arpwatch's format and is replaced atomically.
import assert from "#assert";
import { ArpWatchDb, formatArpDat, parseArpDat } from "../../lib/arp/arp_watch_db.ts";
import { runToolkit, startToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import arpWatch from "../../lib/commands/arp_watch.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const fx = (name: string) => new URL(`../fixtures/arp/${name}`, import.meta.url).pathname;

Deno.test("event rules follow arpwatch's ent_add", () => {
  const db = new ArpWatchDb();
  const t0 = 1_800_000_000;
  const see = (mac: string, time: number) =>
    db.observe({ ip: "10.0.0.1", mac, iface: "eth0", time })?.event;
  assert.equal(see("00:00:00:00:00:0a", t0), "new station");
  assert.equal(see("00:00:00:00:00:0a", t0 + 10), undefined);
  assert.equal(see("00:00:00:00:00:0b", t0 + 20), "changed ethernet address");
  assert.equal(see("00:00:00:00:00:0a", t0 + 30), "flip flop");
  assert.equal(see("00:00:00:00:00:0c", t0 + 40), "changed ethernet address");
  assert.equal(see("00:00:00:00:00:0b", t0 + 50), "reused old ethernet address"); // third back
  assert.equal(see("00:00:00:00:00:0c", t0 + 50 + 2 * 86400), "reused old ethernet address");
  assert.equal(see("00:00:00:00:00:0c", t0 + 400 * 86400), "new activity");
});

Deno.test("arp.dat round trip keeps arpwatch's unpadded MACs, hostnames and interfaces", () => {
  const text = "0:1a:2b:3c:4d:5e\t192.168.1.1\t1763900000\tgw.lan\n" +
    "52:54:0:12:34:56\t192.168.1.30\t1735689600\n" +
    "0:1a:2b:3c:4d:41\t192.168.1.40\t1735689000\n";
  const { db, problems } = parseArpDat(text);
  assert.deepEqual(problems, []);
  assert.equal(formatArpDat(db), text);
  // A fifth field (the interface, from some arpwatch builds) is read, not written back.
  const five = parseArpDat("0:1a:2b:3c:4d:41\t192.168.1.40\t1735689000\t\teth1\n");
  assert.equal(five.db.recordsOf("192.168.1.40")[0].iface, "eth1");
  assert.equal(formatArpDat(five.db), "0:1a:2b:3c:4d:41\t192.168.1.40\t1735689000\n");
  const spaced = parseArpDat("0:1a:2b:3c:4d:41  192.168.1.40 1735689000 host.lan\n");
  assert.equal(spaced.db.recordsOf("192.168.1.40")[0].hostname, "host.lan");
  const bad = parseArpDat("0:1:2:3:4:5\t10.0.0.1\tyesterday\n0:1:2:3:4:5\t10.0.0.2\t1\n");
  assert.deepEqual(bad.problems.map((p) => p.line), [1]);
  assert.equal(bad.db.size, 1);
});

Deno.test("toolkit arp watch: a --file sequence gives new station, changed, flip flop; db saved", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tkarp" });
  try {
    const db = `${dir}/arp.dat`;
    const r = await runToolkit([
      "arp",
      "watch",
      "--no-vendor",
      "--db",
      db,
      "-f",
      fx("watch_1.txt"),
      "-f",
      fx("watch_2.txt"),
      "-f",
      fx("watch_3.txt"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((l) => l.replace(/^\S+ /, ""));
    assert.deepEqual(events, [
      "new station 192.168.1.1 00:1a:2b:3c:4d:5e eth0",
      "new station 192.168.1.10 3c:22:fb:0a:0b:0c eth0",
      "changed ethernet address 192.168.1.1 3c:22:fb:66:66:66 (00:1a:2b:3c:4d:5e) eth0",
      "flip flop 192.168.1.1 00:1a:2b:3c:4d:5e (3c:22:fb:66:66:66) eth0",
    ]);
    const saved = await Deno.readTextFile(db);
    assert.match(
      saved,
      /^0:1a:2b:3c:4d:5e\t192\.168\.1\.1\t\d+\n3c:22:fb:66:66:66\t192\.168\.1\.1\t\d+\n/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["arp.dat"]); // no temp files
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toolkit arp watch --json: new activity and reused old address from an old arp.dat", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tkarp" });
  try {
    await Deno.copyFile(fx("arp.dat"), `${dir}/arp.dat`);
    const r = await runToolkit([
      "arp",
      "watch",
      "--json",
      "--db",
      `${dir}/arp.dat`,
      "--count",
      "1",
      "-f",
      fx("watch_old.txt"),
      "-f",
      fx("watch_1.txt"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const warning = JSON.parse(r.stderr.trim().split("\n")[0]).warning.message;
    assert.match(warning, /arp\.dat: line 6: cannot parse MAC address "not" \(skipped\)/);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => [e.event, e.address]), [
      ["new-activity", "192.168.1.30"],
      ["reused-old-ethernet-address", "192.168.1.40"],
    ]);
    assert.equal(events[0].hostname, "vm.lan");
    assert.equal(events[1].oldMac, "00:1a:2b:3c:4d:40");
    assert.equal(events[1].vendor, "Ayecom Technology Co., Ltd.");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toolkit arp watch --file: snapshots in different formats and encodings, one after another", async () => {
  const r = await runToolkit([
    "arp",
    "watch",
    "--no-vendor",
    "-f",
    fx("openbsd_arp_an.txt"),
    "-f",
    fx("windows_arp_a_zh_utf16le.txt"),
    "-f",
    fx("net_tools_arp_v_ubuntu1804.txt"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split("\n").map((l) => l.replace(/^\S+ /, ""));
  assert.deepEqual(events, [
    "new station 10.61.0.254 00:30:88:02:0e:0d carp1",
    "new station 85.14.151.86 00:00:5e:00:01:05 carp5",
    "new station 192.168.4.1 f4:f6:47:65:09:5c 192.168.4.10",
    "new station 192.168.4.3 24:a1:60:25:91:80 192.168.4.10",
    "new station 192.168.4.4 7c:c2:94:21:40:b7 192.168.4.10",
    "new station 192.168.4.6 5c:e5:0c:d9:2b:a7 192.168.4.10",
    "new station 192.168.4.20 00:5c:c2:d3:70:42 192.168.4.10",
    "new station 192.168.71.254 00:50:56:fe:7a:b4 ens33",
  ]);
  assert.match(r.stderr, /net_tools_arp_v_ubuntu1804\.txt: line 3: host name "_gateway"/);
});

Deno.test("toolkit arp watch: --help, bad --count is exit 2", async () => {
  assert.equal((await runToolkit(["arp", "watch", "--help"])).code, 0);
  const notDb = await runToolkit(["arp", "watch", "--db", fx("clean.txt"), "-f", fx("clean.txt")]);
  assert.equal(notDb.code, 2);
  assert.match(
    notDb.stderr,
    /toolkit: error: no line of .*clean\.txt is an arp\.dat record: not overwriting it/,
  );
  assert.match(await Deno.readTextFile(fx("clean.txt")), /^192\.168\.1\.1 dev wlan0/);
  const r = await runToolkit(["arp", "watch", "--count", "zero"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^toolkit: error: --count takes a whole number \(got "zero"\)\nTry /);
});

Deno.test("toolkit arp watch (live): Ctrl-C stops it with exit 130 and the database intact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tkarp" });
  try {
    const db = `${dir}/arp.dat`;
    await Deno.copyFile(fx("arp.dat"), db);
    const w = startToolkit(["arp", "watch", "--no-vendor", "--db", db, "--interval", "50ms"]);
    await w.waitForStderr(/watching the neighbour table every 0\.05s, database .*arp\.dat/);
    await new Promise((r) => setTimeout(r, 400)); // several polls, each saving the database
    w.child.kill("SIGINT");
    const r = await w.finish();
    assert.equal(r.code, 130, r.stderr);
    const { db: saved, problems } = parseArpDat(await Deno.readTextFile(db));
    assert.deepEqual(problems, []); // the malformed line of the original was dropped on save
    assert.equal(saved.recordsOf("192.168.1.40").length, 3); // nothing of the old data lost
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["arp.dat"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("arp watch parse: the live table every 2 s by default, files read once with --db; an argument refused", () => {
  assert.deepEqual(arpWatch.parse([], noGlobals), {
    files: [],
    format: "auto",
    intervalMs: 2000,
    db: undefined,
    count: Infinity,
    vendor: true,
    json: false,
  });
  const o = arpWatch.parse(["--file", "t.txt", "--db", "w.db"], noGlobals);
  assert.deepEqual([o.files, o.intervalMs, o.db], [["t.txt"], 0, "w.db"]);
  assert.throws(() => arpWatch.parse(["x"], noGlobals), UsageError, 'unexpected argument "x"');
});
