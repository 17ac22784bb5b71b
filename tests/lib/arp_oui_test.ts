// lib/arp/oui.ts: the vendor registry, MA-L and the MA-S blocks inside it.
import assert from "#assert";
import { parseMac } from "../../lib/arp/mac.ts";
import { loadVendorLookup } from "../../lib/arp/oui.ts";

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
