// Strings that come from a neighbour table or a packet reach the terminal escaped: interface
// names and unreadable lines of a crafted saved table (arp show, check, watch), snapshot names in
// findings, and the peer's socket path in unix-listen's descriptive lines. Data on stdout stays
// as it came (udp-listen and unix-listen print datagrams byte for byte by design).
import assert from "#assert";
import { root, runToolkit, startToolkit } from "../_support/harness.ts";
import { assertNoRaw } from "../_support/terminal.ts";

const hostileTable = `${root}/tests/fixtures/bad/ip_neigh_hostile_names.txt`;

Deno.test("arp show: interface names and bad lines from a crafted table are shown escaped", async () => {
  const r = await runToolkit(["arp", "show", "--no-vendor", "--file", hostileTable]);
  assert.equal(r.code, 0, r.stderr);
  assertNoRaw(r.stdout, "arp show stdout");
  assertNoRaw(r.stderr, "arp show stderr");
  assert.match(
    r.stdout,
    /^192\.168\.1\.1 +00:1a:2b:3c:4d:5e +e\\x1b\]52;c;cHduZWQ=\\x07th0 +complete/m,
  );
  assert.match(r.stdout, /^192\.168\.1\.3 +3c:22:fb:0a:0b:0c +\\u202e0hte +complete/m);
  assert.match(r.stdout, /^192\.168\.1\.4 +52:54:00:12:34:56 +eth\\x9b0 +permanent/m);
  assert.match(r.stderr, /line 2: cannot parse MAC address "zz:\\x1b\[2J:00:00:00:00" \(skipped\)/);
  // JSON keeps the names exactly, written with \u escapes.
  const json = await runToolkit(["--json", "arp", "show", "--no-vendor", "--file", hostileTable]);
  assert.equal(json.code, 0, json.stderr);
  assertNoRaw(json.stdout.replace(/\n/g, ""), "arp show --json");
  const ifaces = JSON.parse(json.stdout).entries.map((e: { iface: string }) => e.iface);
  assert.deepEqual(ifaces, ["e\x1b]52;c;cHduZWQ=\x07th0", "\u202e0hte", "eth\x9b0"]);
});

Deno.test("arp watch and arp check: names from tables and snapshot files are shown escaped", async () => {
  const watch = await runToolkit(["arp", "watch", "--no-vendor", "--file", hostileTable]);
  assert.equal(watch.code, 0, watch.stderr);
  assertNoRaw(watch.stdout, "arp watch stdout");
  assertNoRaw(watch.stderr, "arp watch stderr");
  assert.match(
    watch.stdout,
    /new station 192\.168\.1\.1 00:1a:2b:3c:4d:5e e\\x1b\]52;c;cHduZWQ=\\x07th0\n/,
  );
  const dir = await Deno.makeTempDir({ prefix: "tk-escape-" });
  try {
    const before = `${dir}/before\x1b[8m.txt`;
    const after = `${dir}/after\u202e.txt`;
    await Deno.writeTextFile(before, "192.168.1.1 dev eth0 lladdr 00:1a:2b:3c:4d:5e REACHABLE\n");
    await Deno.writeTextFile(after, "192.168.1.1 dev eth0 lladdr 3c:22:fb:66:66:66 REACHABLE\n");
    const check = await runToolkit([
      "arp",
      "check",
      "-g",
      "192.168.1.1",
      "-f",
      before,
      "-f",
      after,
    ]);
    assert.equal(check.code, 1, check.stderr);
    assertNoRaw(check.stdout, "arp check stdout");
    assert.match(check.stdout, /00:1a:2b:3c:4d:5e \(.*before\\x1b\[8m\.txt line 1\)/);
    assert.match(check.stdout, /3c:22:fb:66:66:66 \(.*after\\u202e\.txt line 1\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "unix-listen -v: the sender's socket path is escaped; the datagram itself is not",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tk-escape-" });
    const path = `${dir}/srv.sock`;
    const peerPath = `${dir}/peer\x1b]52;c;cHduZWQ=\x07\u202e.sock`;
    const srv = startToolkit(["unix-listen", "--datagram", "-v", "-c", "1", path]);
    let peer: Deno.DatagramConn | undefined;
    try {
      await srv.waitForStderr(/listening on /);
      peer = Deno.listenDatagram({ transport: "unixpacket", path: peerPath });
      const data = new TextEncoder().encode("raw \x1b[2J data");
      await peer.send(data, { transport: "unixpacket", path });
      const r = await srv.finish();
      assert.equal(r.code, 0, r.stderr);
      assertNoRaw(r.stderr, "unix-listen stderr");
      assert.match(
        r.stderr,
        /datagram from .*\/peer\\x1b\]52;c;cHduZWQ=\\x07\\u202e\.sock, 13 bytes\n/,
      );
      assert.deepEqual(r.stdoutBytes, data, "the datagram on stdout is byte for byte");
    } finally {
      peer?.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
