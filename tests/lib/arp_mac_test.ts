// lib/arp/mac.ts: every common MAC spelling to one canonical form, the I/G and U/L bits with
// broadcast, zero, randomised and known local users, and the EUI-64 link-local address.
import assert from "#assert";
import {
  describeMac,
  eui64LinkLocal,
  formatMac,
  normalizeMac,
  parseMac,
} from "../../lib/arp/mac.ts";

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
