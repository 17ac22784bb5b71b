// `toolkit subnet random` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { runInProcess } from "../_support/in_process.ts";
import { assertOneError } from "../_support/error_shape.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import random from "../../lib/commands/subnet_random.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet random: RFC 1918 and RFC 4193 networks; --seed repeats; bad lengths are exit 2", async () => {
  const v4 = JSON.parse(
    (await runToolkit(["--json", "subnet", "random", "--count", "50", "/24"])).stdout,
  );
  assert.equal(v4.networks.length, 50);
  const distinct = new Set(v4.networks.map((n: { network: string }) => n.network));
  assert.equal(distinct.size, 50);
  for (const n of v4.networks) {
    assert.match(n.network, /^\d+\.\d+\.\d+\.0\/24$/);
    assert.ok(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].includes(n.block), n.block);
    const inBlock = await runInProcess(["subnet", "contains", n.block, n.network]);
    assert.equal(inBlock.code, 0, `${n.network} in ${n.block}`);
  }
  const a = await runToolkit(["subnet", "random", "--seed", "lab 3", "--count", "5", "/26"]);
  const b = await runToolkit(["subnet", "random", "--seed", "lab 3", "--count", "5", "/26"]);
  const c = await runToolkit(["subnet", "random", "--seed", "lab 4", "--count", "5", "/26"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout, "the same seed gives the same handout");
  assert.notEqual(a.stdout, c.stdout);
  assert.equal(a.stdout.trim().split("\n").length, 5);
  const ula = JSON.parse((await runToolkit(["--json", "subnet", "random", "--ipv6"])).stdout);
  assert.equal(ula.prefixLength, 48);
  const [u] = ula.networks;
  // fc00::/7 with L = 1 is fd00::/8, then the 40-bit global ID.
  assert.match(u.network, /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48$/);
  assert.equal(u.network, u.site);
  assert.match(u.globalId, /^[0-9a-f]{10}$/);
  assert.match(u.eui64Source, /^(MAC of .+|random)$/);
  const s64 = await runToolkit(["subnet", "random", "--seed", "x", "-6", "/64"]);
  assert.equal(
    s64.stdout,
    (await runToolkit(["subnet", "random", "--seed", "x", "-6", "/64"])).stdout,
  );
  assert.match(s64.stdout, /^fd[0-9a-f:]+\/64\n$/);
  for (
    const [args, message] of [
      [["/7"], /no RFC 1918 block holds a \/7/],
      [["-6", "/40"], /a unique local prefix is a \/48 or longer/],
      [["--count", "2", "/8"], /there is only 1 private \/8 network \(asked for 2\)/],
      [["-6", "255.255.255.0"], /is IPv4, the address is IPv6|IPv4/],
    ] as const
  ) {
    const r = await runToolkit(["subnet", "random", ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assertOneError(r.stderr, message);
  }
});

Deno.test("subnet random parse: a /24 by default, -6 --seed --count; a ULA shorter than /48 refused", () => {
  assert.deepEqual(random.parse([], noGlobals), {
    mask: { bits: 24, family: 4, kind: "length" },
    seed: undefined,
    count: 1,
    json: false,
  });
  const o = random.parse(["-6", "--seed", "7", "--count", "2", "/48"], noGlobals);
  assert.deepEqual([o.mask, o.seed, o.count], [{ bits: 48, family: 6, kind: "length" }, "7", 2]);
  assert.throws(() => random.parse(["-6", "/33"], noGlobals), UsageError, "a /48 or longer");
});
