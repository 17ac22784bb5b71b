// MAC parsing and classification, the vendor registry (loaded lazily), EUI-64, and the `mac` CLI.
import assert from "#assert";
import {
  describeMac,
  eui64LinkLocal,
  formatMac,
  normalizeMac,
  parseMac,
} from "../../lib/arp/mac.ts";
import { loadVendorLookup, vendorDataLoaded } from "../../lib/arp/oui.ts";
import { memoryIo } from "../../lib/cli/io.ts";
import { runToolkit } from "../_support/harness.ts";
import { InputError, UsageError } from "../../lib/cli/errors.ts";
import macCommand from "../../lib/commands/mac.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("every common spelling parses to the same canonical form", () => {
  for (
    const s of [
      "00:1b:2c:0d:0e:0f",
      "00-1B-2C-0D-0E-0F",
      "001b.2c0d.0e0f",
      "001b-2c0d-0e0f",
      "001B2C0D0E0F",
      "0:1b:2c:d:e:f",
    ]
  ) assert.equal(normalizeMac(s), "00:1b:2c:0d:0e:0f", s);
  assert.equal(formatMac(parseMac("0:1b:2c:d:e:f"), { unpadded: true }), "0:1b:2c:d:e:f");
  for (
    const bad of ["00:1b:2c:0d:0e", "00:1b-2c:0d:0e:0f", "gg:1b:2c:0d:0e:0f", "001:b:2c:d:e:f"]
  ) {
    assert.throws(() => parseMac(bad), SyntaxError, bad);
  }
});

Deno.test("I/G and U/L bits, broadcast, zero, randomised and known local users", () => {
  const d = (s: string) => describeMac(parseMac(s));
  assert.equal(d("01:00:5e:00:00:fb").cast, "multicast");
  assert.equal(d("ff:ff:ff:ff:ff:ff").broadcast, true);
  assert.equal(d("00:00:00:00:00:00").zero, true);
  assert.equal(d("3c:22:fb:00:00:01").administration, "universal");
  assert.equal(d("da:a1:19:00:00:01").randomized, true);
  assert.equal(d("52:54:00:12:34:56").randomized, false);
  assert.equal(d("52:54:00:12:34:56").localUse, "QEMU/KVM virtual NIC");
  assert.equal(d("03:00:00:00:00:01").randomized, false); // local but multicast
});

Deno.test("EUI-64 link-local addresses match the SLAAC derivation", () => {
  assert.equal(eui64LinkLocal(parseMac("52:54:00:12:34:56")), "fe80::5054:ff:fe12:3456");
  assert.equal(eui64LinkLocal(parseMac("02:00:00:00:00:01")), "fe80::ff:fe00:1");
  assert.equal(eui64LinkLocal(parseMac("3c:22:fb:12:34:56")), "fe80::3e22:fbff:fe12:3456");
});

Deno.test("vendors: MA-L, MA-S beats its MA-L parent, multicast uses the cleared I/G bit", async () => {
  const vendorOf = await loadVendorLookup();
  assert.equal(vendorOf(parseMac("3c:22:fb:12:34:56")), "Apple, Inc.");
  assert.equal(vendorOf(parseMac("01:00:5e:00:00:fb")), "ICANN, IANA Department");
  assert.equal(vendorOf(parseMac("da:a1:19:00:00:01")), undefined);
  // 70:B3:D5 is an IEEE block subdivided into MA-S (36-bit) assignments.
  const parent = vendorOf(parseMac("70:b3:d5:00:00:00"));
  const child = vendorOf(parseMac("70:b3:d5:00:10:00"));
  assert.ok(child && child !== parent, `${child} vs ${parent}`);
});

Deno.test("commands that need no vendor never load the registry", async () => {
  // A fresh process: import the modules of commands without vendors and run them.
  const code = `
    import { vendorDataLoaded } from "${new URL("../../lib/arp/oui.ts", import.meta.url)}";
    import { memoryIo } from "${new URL("../../lib/cli/io.ts", import.meta.url)}";
    const check = (await import("${new URL(
    "../../lib/commands/arp_check.ts",
    import.meta.url,
  )}")).default;
    const sockets = (await import("${new URL(
    "../../lib/commands/sockets.ts",
    import.meta.url,
  )}")).default;
    const ifaces = (await import("${new URL(
    "../../lib/commands/ifaces.ts",
    import.meta.url,
  )}")).default;
    const g = { json: true, quiet: false, debug: false, color: false };
    await check.run(check.parse(["--file", "${
    new URL("../fixtures/arp/clean.txt", import.meta.url).pathname
  }"], g), memoryIo());
    await sockets.run(sockets.parse([], g), memoryIo());
    await ifaces.run(ifaces.parse([], g), memoryIo());
    console.log(vendorDataLoaded());
  `;
  const out = await new Deno.Command("deno", {
    args: ["eval", "--config", new URL("../../deno.json", import.meta.url).pathname, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(
    new TextDecoder().decode(out.stdout).trim(),
    "false",
    new TextDecoder().decode(out.stderr),
  );
  const mac = (await import("../../lib/commands/mac.ts")).default;
  const io = memoryIo();
  await mac.run(mac.parse(["3c:22:fb:12:34:56"], io.globals), io);
  assert.equal(vendorDataLoaded(), true);
});

Deno.test("toolkit mac: table, --eui64, --json, --help", async () => {
  const r = await runToolkit(["mac", "--eui64", "3C-22-FB-12-34-56", "da:a1:19:0:0:1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^MAC\s+CAST\s+ADMIN\s+RANDOM\s+LINK-LOCAL\s+VENDOR\n/);
  assert.match(
    r.stdout,
    /3c:22:fb:12:34:56\s+unicast\s+universal\s+no\s+fe80::3e22:fbff:fe12:3456\s+Apple, Inc\./,
  );
  assert.match(r.stdout, /da:a1:19:00:00:01\s+unicast\s+local\s+yes/);
  const j = await runToolkit(["mac", "--json", "01:00:5e:00:00:fb"]);
  const [row] = JSON.parse(j.stdout);
  assert.equal(row.cast, "multicast");
  assert.equal(row.vendor, "ICANN, IANA Department");
  const h = await runToolkit(["mac", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--eui64/);
});

Deno.test("toolkit mac: a bad MAC is one error line and exit 2", async () => {
  const r = await runToolkit(["mac", "3c:22:fb:12:34"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, 'toolkit: error: cannot parse MAC address "3c:22:fb:12:34"\n');
  const u = await runToolkit(["mac"]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /^toolkit: error: .*\nTry 'toolkit mac --help'\n$/);
});

Deno.test("mac parse: MACs as bytes, --eui64; none or a bad one refused", () => {
  assert.deepEqual(macCommand.parse(["00:1a:2b:3c:4d:5e"], noGlobals), {
    macs: [new Uint8Array([0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e])],
    eui64: false,
    vendor: true,
    json: false,
  });
  assert.equal(macCommand.parse(["--eui64", "00:1a:2b:3c:4d:5e"], noGlobals).eui64, true);
  assert.throws(() => macCommand.parse([], noGlobals), UsageError, "expected MAC");
  assert.throws(
    () => macCommand.parse(["zz"], noGlobals),
    InputError,
    'Cannot parse MAC address "zz"',
  );
});
