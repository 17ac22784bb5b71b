// Where toolkit subnet deliberately answers differently from CPython's ipaddress, each difference
// pinned down against the real Python, so a change on either side is noticed.
import assert from "#assert";
import type { CommandModule } from "../../lib/cli/command.ts";
import { memoryIo } from "../../lib/cli/io.ts";
import info from "../../lib/commands/subnet_info.ts";
import exclude from "../../lib/commands/subnet_exclude.ts";
import split from "../../lib/commands/subnet_split.ts";
import { PrefixAggregator } from "../../lib/ip/mod.ts";
import { python, testIf } from "../_support/harness.ts";

const py = python("3.13");
const skip = py ? undefined : "CPython 3.13 (pyenv) is not installed";

async function pyEval(expr: string): Promise<string> {
  const out = await new Deno.Command(py!.cmd, {
    args: [
      "-c",
      `import ipaddress as ip\ntry:\n print(${expr})\nexcept Exception as e:\n print(type(e).__name__)`,
    ],
    env: py!.env,
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

async function infoJson(arg: string): Promise<Record<string, unknown>> {
  const io = memoryIo({ globals: { json: true } });
  const cmd = info as CommandModule<unknown>;
  assert.equal(await cmd.run(cmd.parse([arg], io.globals), io), 0);
  return JSON.parse(io.stdoutText());
}

testIf(skip, "difference: no broadcast for IPv4 /31 and /32 (RFC 3021) nor for IPv6", async () => {
  // Python reports the last address as broadcast_address for every network; ipcalc and RFC 3021
  // do not, and IPv6 has no broadcast at all. Ours: null, with lastAddress always given.
  for (
    const [net, last] of [["10.0.0.0/31", "10.0.0.1"], ["10.0.0.7/32", "10.0.0.7"], [
      "2001:db8::/64",
      "2001:db8::ffff:ffff:ffff:ffff",
    ]]
  ) {
    assert.equal(await pyEval(`ip.ip_network("${net}").broadcast_address`), last);
    const j = await infoJson(net);
    assert.equal(j.broadcast, null, net);
    assert.equal(j.lastAddress, last, net);
  }
});

testIf(skip, "difference: the zone of an interface address is kept", async () => {
  assert.equal(await pyEval(`ip.ip_interface("fe80::1%eth0/64").ip`), "fe80::1");
  assert.equal((await infoJson("fe80::1%eth0/64")).address, "fe80::1%eth0");
});

testIf(skip, "difference: aggregate takes IPv4 and IPv6 in one list (IPv4 first)", async () => {
  assert.equal(
    await pyEval(
      `list(ip.collapse_addresses([ip.ip_network("10.0.0.0/8"), ip.ip_network("::/0")]))`,
    ),
    "TypeError",
  );
  const agg = new PrefixAggregator();
  agg.add("::/0");
  agg.add("10.0.0.0/8");
  assert.deepEqual(agg.result().map(String), ["10.0.0.0/8", "::/0"]);
});

testIf(
  skip,
  "difference: exclude prints its result sorted, and takes several prefixes",
  async () => {
    assert.equal(
      await pyEval(
        `[str(n) for n in ip.ip_network("10.0.0.0/24").address_exclude(ip.ip_network("10.0.0.64/26"))]`,
      ),
      "['10.0.0.128/25', '10.0.0.0/26']",
    );
    const io = memoryIo({ globals: { json: true } });
    const cmd = exclude as CommandModule<unknown>;
    await cmd.run(cmd.parse(["10.0.0.0/24", "10.0.0.64/26", "10.0.0.128/26"], io.globals), io);
    assert.deepEqual(JSON.parse(io.stdoutText()).prefixes, ["10.0.0.0/26", "10.0.0.192/26"]);
  },
);

testIf(
  skip,
  "same as Python, noted because users ask: leading zeros and dotted masks",
  async () => {
    // Both refuse leading zeros (Python since 3.9.5, CVE-2021-29921); ours says why.
    assert.equal(await pyEval(`ip.ip_address("010.0.0.1")`), "ValueError");
    // A dotted mask is a netmask first, then a wildcard: 0.0.0.0 is /0 in both.
    assert.equal(await pyEval(`ip.ip_network("0.0.0.0/0.0.0.0")`), "0.0.0.0/0");
    assert.equal((await infoJson("0.0.0.0/0.0.0.0")).network, "0.0.0.0/0");
    assert.equal(await pyEval(`ip.ip_network("10.0.0.0/0.255.255.255")`), "10.0.0.0/8");
    assert.equal((await infoJson("10.0.0.0/0.255.255.255")).network, "10.0.0.0/8");
  },
);

testIf(
  skip,
  "difference: a /32 or /128 cut into longer subnets is an error, not itself",
  async () => {
    // CPython's subnets() returns the network itself for any new length of a /32 or /128 (its
    // own test asks subnets(2) of 1.2.3.4/32); there is no /34, so toolkit refuses it.
    assert.equal(
      await pyEval(`[str(n) for n in ip.ip_network("1.2.3.4/32").subnets(new_prefix=34)]`),
      "['1.2.3.4/32']",
    );
    const cmd = split as CommandModule<unknown>;
    assert.throws(
      () => cmd.parse(["1.2.3.4/32", "--prefix", "34"], { json: true } as never),
      /1\.2\.3\.4\/32 is a single address: --prefix can only be 32 \(got 34\)/,
    );
  },
);

testIf(skip, "difference: exclude takes a bare address as its /32 or /128", async () => {
  assert.equal(
    await pyEval(`list(ip.ip_network("10.1.1.0/24").address_exclude(ip.ip_address("10.1.1.0")))`),
    "TypeError",
  );
  const io = memoryIo({ globals: { json: true } });
  const cmd = exclude as CommandModule<unknown>;
  await cmd.run(cmd.parse(["10.1.1.0/30", "10.1.1.0"], io.globals), io);
  assert.deepEqual(JSON.parse(io.stdoutText()).prefixes, ["10.1.1.1/32", "10.1.1.2/31"]);
});

testIf(
  skip,
  "same as Python: a zone ends at '/', and a covering supernet cannot be excluded",
  async () => {
    assert.equal(await pyEval(`ip.ip_address("::1%scope_id/24")`), "ValueError");
    assert.equal(await pyEval(`ip.ip_network("::1%scope_id/24", strict=False)`), "::/24");
    assert.equal((await infoJson("::1%scope_id/24")).network, "::/24");
    assert.equal(
      await pyEval(
        `list(ip.ip_network("10.0.0.0/8").address_exclude(ip.ip_network("10.0.0.0/7")))`,
      ),
      "ValueError",
    );
    const cmd = exclude as CommandModule<unknown>;
    assert.throws(
      () => cmd.parse(["10.0.0.0/8", "10.0.0.0/7"], { json: true } as never),
      /not inside/,
    );
  },
);

testIf(
  skip,
  "difference: IPv6 space the IETF keeps in reserve is reserved and not global (R21 item 7)",
  async () => {
    // CPython 3.13.0: is_reserved, yet is_global (its is_global is `not is_private`). IANA's IPv6
    // address space registry keeps all of it "Reserved by IETF": nothing is routed there.
    for (const a of ["e000::1", "fe00::1", "4000::1", "::2", "::1.2.3.4"]) {
      assert.equal(
        await pyEval(`(ip.ip_address("${a}").is_reserved, ip.ip_address("${a}").is_global)`),
        "(True, True)",
        a,
      );
      const j = await infoJson(a);
      assert.equal(j.globallyReachable, false, a);
      const label = (j.special as { label: string }).label;
      assert.equal(label, a.startsWith("::") ? "IPv4-compatible" : "reserved", a);
    }
    // Blocks registered inside the reserved space keep their own answer: NAT64 is global.
    assert.equal((await infoJson("64:ff9b::1")).globallyReachable, true);
  },
);
