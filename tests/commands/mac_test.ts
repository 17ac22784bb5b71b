// The `mac` command: it loads the vendor registry, the table, --eui64, --json, bad input; and its
// parse in process. That commands without vendors never load the registry is in
// tests/suites/lazy_loading_test.ts. lib/arp/mac.ts and oui.ts on their own are in
// tests/lib/arp_mac_test.ts and arp_oui_test.ts.
import assert from "#assert";
import { vendorDataLoaded } from "../../lib/arp/oui.ts";
import { memoryIo } from "../../lib/cli/io.ts";
import { runToolkit } from "../_support/harness.ts";
import { InputError, UsageError } from "../../lib/cli/errors.ts";
import macCommand from "../../lib/commands/mac.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("mac run in process loads the vendor registry it needs", async () => {
  // Importing the module is not enough: the registry loads when a MAC needs its vendor.
  assert.equal(vendorDataLoaded(), false);
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
