// Run-time narrowing is enforced by Deno: a real connection outside --net is refused (exit 4) and
// never reaches the test's own listener; `toolkit scope --json` reports what Deno granted.
import assert from "#assert";
import { normalizeNetEntry, parseNetList, parseScopeFile } from "../../lib/scope/mod.ts";
import { labToolkitCmd, runToolkit, toolkitCmd } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import scopeCommand from "../../lib/commands/scope.ts";
import { noGlobals } from "../_support/parse_globals.ts";

function udpSocket() {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  return { sock, port: (sock.addr as Deno.NetAddr).port };
}

/** Resolves to the datagrams received within `ms`. */
async function drain(sock: Deno.DatagramConn, ms: number): Promise<string[]> {
  const got: string[] = [];
  const done = new Promise<void>((r) => setTimeout(r, ms));
  const loop = (async () => {
    try {
      for (;;) got.push(new TextDecoder().decode((await sock.receive())[0]));
    } catch { /* closed */ }
  })();
  await done;
  sock.close();
  await loop;
  return got;
}

Deno.test("--net: a datagram to a port inside the scope is delivered", async () => {
  const { sock, port } = udpSocket();
  const r = await runToolkit([
    "--net",
    `127.0.0.1:${port}`,
    "udp-send",
    `127.0.0.1:${port}`,
    "inside",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await drain(sock, 200), ["inside"]);
});

Deno.test("--net: a port outside the scope is refused by Deno with exit 4 and nothing arrives", async () => {
  const allowed = udpSocket();
  const outside = udpSocket();
  try {
    const r = await runToolkit([
      "--net",
      `127.0.0.1:${allowed.port}`,
      "udp-send",
      `127.0.0.1:${outside.port}`,
      "escape",
    ]);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      new RegExp(
        `^toolkit: error: outside the permission scope: net access to 127\\.0\\.0\\.1:${outside.port} is not allowed \\(scope net: .*127\\.0\\.0\\.1:${allowed.port}`,
      ),
    );
  } finally {
    allowed.sock.close();
  }
  assert.deepEqual(await drain(outside.sock, 300), []);
});

Deno.test("--net: other spellings of a loopback address do not get around the scope", async () => {
  const outside = udpSocket();
  const p = outside.port;
  for (const target of [`localhost:${p}`, `[::ffff:127.0.0.1]:${p}`, `127.0.0.2:${p}`]) {
    const r = await runToolkit(["--net", `127.0.0.1:${p + 1}`, "udp-send", target, "escape"]);
    assert.equal(r.code, 4, `${target}: ${r.stderr}`);
  }
  for (const target of [`2130706433:${p}`, `0x7f.1:${p}`, `0177.0.0.1:${p}`, `127.1:${p}`]) {
    const r = await runToolkit(["--net", `127.0.0.1:${p + 1}`, "udp-send", target, "escape"]);
    assert.equal(r.code, 2, `${target} must be rejected as an address: ${r.stderr}`);
    assert.match(r.stderr, /^toolkit: error: cannot parse IPv4 address/);
  }
  assert.deepEqual(await drain(outside.sock, 300), []);
});

Deno.test("--scope FILE narrows the network the same way; bad scope files are exit 2", async () => {
  const outside = udpSocket();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/scope.json`,
      JSON.stringify({ net: [`127.0.0.1:${outside.port + 1}`] }),
    );
    const r = await runToolkit([
      "--scope",
      `${dir}/scope.json`,
      "udp-send",
      `127.0.0.1:${outside.port}`,
      "x",
    ]);
    assert.equal(r.code, 4, r.stderr);
    await Deno.writeTextFile(`${dir}/bad.json`, '{"net": "everything"}');
    const bad = await runToolkit(["--scope", `${dir}/bad.json`, "scope"]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      `toolkit: error: cannot parse scope file ${dir}/bad.json: "net" must be a list of strings\n`,
    );
    const missing = await runToolkit(["--scope", `${dir}/nope.json`, "scope"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^toolkit: error: no such file or directory \(.*nope\.json\)\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await drain(outside.sock, 200), []);
});

Deno.test("toolkit scope --json reports what Deno granted, narrowed or not", async () => {
  const full = await runToolkit(["scope", "--json"]);
  assert.equal(full.code, 0, full.stderr);
  const report = JSON.parse(full.stdout);
  if (Deno.env.get("TOOLKIT_CMD") === undefined) {
    // The default permission set of deno.json, which `deno task compile` also uses.
    assert.equal(report.narrowed, false);
    assert.deepEqual(report.net, { all: true, grants: [] });
    assert.deepEqual(report.read, { all: true, grants: [] });
    assert.equal(report.run.all, false);
    assert.deepEqual(report.run.grants, [
      { entry: "ip", implicit: false },
      { entry: "ss", implicit: false },
    ]);
    assert.equal(report.env.all, false);
    assert.ok(report.env.grants.some((g: { entry: string }) => g.entry === "NO_COLOR"));
  }
  const narrowed = await runToolkit(["--net", "127.0.0.1:9000,10.0.0.0/24", "scope", "--json"]);
  assert.equal(narrowed.code, 0, narrowed.stderr);
  const n = JSON.parse(narrowed.stdout);
  assert.equal(n.narrowed, true);
  assert.equal(n.net.all, false);
  // Every grant, the implicit local binds marked with their reasons; no wildcard bind. Toward
  // 10.0.0.0/24 the bind is this machine's own address on that subnet or, routed, its only one.
  type G = { entry: string; implicit: boolean; reason?: string };
  assert.deepEqual(n.net.grants.filter((g: G) => !g.implicit), [
    { entry: "127.0.0.1:9000", implicit: false },
    { entry: "10.0.0.0/24", implicit: false },
  ]);
  const implicit = n.net.grants.filter((g: G) => g.implicit);
  assert.deepEqual(implicit[0], {
    entry: "127.0.0.1:0",
    implicit: true,
    reason: "local bind for clients of 127.0.0.1:9000",
  });
  const mine = Deno.networkInterfaces().map((i) => i.address);
  for (const g of implicit.slice(1)) {
    assert.match(g.reason, /for clients of 10\.0\.0\.0\/24/);
    assert.ok(
      mine.includes(g.entry.replace(/:0$/, "")),
      `${g.entry} is an address of this machine`,
    );
  }
  const text = await runToolkit(["--net", "127.0.0.1:9000", "scope"]);
  assert.match(
    text.stdout,
    /^Scope \(narrowed at run time\):\n {2}network +127\.0\.0\.1:9000\n +127\.0\.0\.1:0 \(implicit: local bind for clients of 127\.0\.0\.1:9000\)\n/,
  );
});

Deno.test("a narrowing wider than the binary's own scope is exit 4", async (t) => {
  if (Deno.env.get("TOOLKIT_CMD") !== undefined) {
    console.error("SKIP wider-narrowing check: needs the lab permission set, not TOOLKIT_CMD");
    return void t;
  }
  const run = (args: string[]) => runToolkit(args, { cmd: labToolkitCmd });
  const wide = await run(["--net", "10.0.0.1", "scope"]);
  assert.equal(wide.code, 4, wide.stderr);
  assert.match(wide.stderr, /^toolkit: error: outside the permission scope/);
  const labScope = JSON.parse((await run(["scope", "--json"])).stdout);
  assert.equal(labScope.net.all, false);
  const labNet = labScope.net.grants.map((g: { entry: string }) => g.entry);
  assert.ok(labNet.includes("127.0.0.0/8"));
  assert.ok(labNet.includes("198.18.0.0/15"));
  assert.ok(labNet.includes("[2001:2:0:1::1]"), "the lab's own IPv6 hosts");
  assert.ok(!labNet.includes("10.0.0.0/24"));
  assert.ok(!labNet.some((e: string) => /^(0\.0\.0\.0|\[::\])/.test(e)), "no wildcard bind");
  assert.ok(toolkitCmd.length > 0);
});

Deno.test("net entries are validated and written the way Deno reads them", () => {
  assert.equal(normalizeNetEntry("::1"), "[::1]");
  assert.equal(normalizeNetEntry("[::1]:80"), "[::1]:80");
  assert.equal(normalizeNetEntry("10.0.0.0/24"), "10.0.0.0/24");
  assert.equal(normalizeNetEntry("lab-host:22"), "lab-host:22");
  assert.deepEqual(parseNetList(["127.0.0.1:9000, 10.0.0.0/24", "::1"]), [
    "127.0.0.1:9000",
    "10.0.0.0/24",
    "[::1]",
  ]);
  for (const bad of ["10.0.0.0/33", "host:0x50", "0x7f.1", "::1/129", "a b", "1.2.3.4:70000"]) {
    assert.throws(
      () => parseNetList([bad]),
      (e: unknown) => e instanceof SyntaxError || e instanceof RangeError,
      bad,
    );
  }
  assert.throws(() => parseScopeFile('{"nett": []}'), /unknown key "nett"/);
});

Deno.test("scope parse: this run's scope by default, --for a command line; a bare argument refused", () => {
  assert.deepEqual(scopeCommand.parse([], noGlobals), {});
  assert.deepEqual(scopeCommand.parse(["--for", "udp-send", "127.0.0.1:9"], noGlobals), {
    for: ["udp-send", "127.0.0.1:9"],
  });
  assert.throws(() => scopeCommand.parse(["x"], noGlobals), UsageError, 'unexpected argument "x"');
});
