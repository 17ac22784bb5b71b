// The lab layout engine on its own (lib/lab, pure, no root): the plan of hosts, a router and
// segments in 198.18.0.0/15, the ip -batch steps in order, the limits, and lab name prefixes.
import assert from "#assert";
import { batches, checkLabPrefix, labNamePattern, labRoleOf, planLab } from "../../lib/lab/mod.ts";

Deno.test("planLab lays out hosts, a router and two segments in 198.18.0.0/15", () => {
  const plan = planLab({ prefix: "t1", hosts: 3, router: true });
  assert.deepEqual(plan.hosts.map((h) => [h.namespace, h.ipv4, h.ipv6, h.gateway]), [
    ["t1-h1", "198.18.1.1/24", "2001:2:0:1::1/64", "198.18.1.254"],
    ["t1-h2", "198.18.1.2/24", "2001:2:0:1::2/64", "198.18.1.254"],
    ["t1-h3", "198.18.1.3/24", "2001:2:0:1::3/64", "198.18.1.254"],
    ["t1-h4", "198.18.2.4/24", "2001:2:0:2::4/64", "198.18.2.254"],
  ]);
  assert.deepEqual(plan.segments.map((s) => [s.namespace, s.ipv4, s.broadcast]), [
    ["t1-sw1", "198.18.1.0/24", "198.18.1.255"],
    ["t1-sw2", "198.18.2.0/24", "198.18.2.255"],
  ]);
  assert.deepEqual(plan.router?.interfaces.map((i) => i.ipv4), [
    "198.18.1.254/24",
    "198.18.2.254/24",
  ]);
  // Every namespace the steps create carries the prefix; nothing is added outside them.
  for (const step of plan.steps) {
    if (step[0] === "netns" && step[1] === "add") assert.match(step[2], /^t1-(h|r|sw)\d+$/);
    else if (step[0] === "netns") assert.deepEqual(step.slice(1, 3), ["exec", "t1-r1"]);
    else assert.equal(step[0], "-n");
  }
  const sysctl = plan.steps.find((s) => s.includes("sysctl"));
  assert.ok(sysctl?.includes("net.ipv4.ip_forward=1"));
});

Deno.test("the build runs each namespace's steps as one ip -batch, in the planned order", () => {
  const plan = planLab({ prefix: "t1", hosts: 2, router: true });
  const runs = batches(plan.steps);
  assert.deepEqual(runs[0].global, []);
  assert.deepEqual(runs[0].commands.map((c) => c.join(" ")), [
    "netns add t1-sw1",
    "netns add t1-sw2",
    "netns add t1-h1",
    "netns add t1-h2",
    "netns add t1-h3",
    "netns add t1-r1",
  ]);
  assert.deepEqual(runs.map((r) => r.global.join(" ")), [
    "",
    "-n t1-sw1",
    "-n t1-sw2",
    "-n t1-h1",
    "-n t1-h2",
    "-n t1-h3",
    "-n t1-r1",
    "-n t1-sw1",
    "-n t1-sw2",
    "",
  ]);
  // Flattened back, the batches are exactly the planned steps.
  assert.deepEqual(runs.flatMap((r) => r.commands.map((c) => [...r.global, ...c])), plan.steps);
  // No per-line global options: `ip -batch` does not accept them.
  for (const r of runs) for (const c of r.commands) assert.ok(!c[0].startsWith("-"), c.join(" "));
});

Deno.test("planLab without a router: one segment, no gateway, limits checked", () => {
  const plan = planLab({ hosts: 1 });
  assert.equal(plan.prefix, "tklab");
  assert.equal(plan.segments.length, 1);
  assert.equal(plan.router, undefined);
  assert.equal(plan.hosts[0].gateway, undefined);
  assert.throws(() => planLab({ hosts: 0 }), RangeError);
  assert.throws(() => planLab({ hosts: 61 }), RangeError);
  assert.throws(() => planLab({ behind: 2 }), /need a router/);
  assert.throws(() => planLab({ prefix: "Lab" }), SyntaxError);
});

Deno.test("lab names: a prefix matches its own lab's names only", () => {
  assert.equal(checkLabPrefix("t-4711"), "t-4711");
  for (const bad of ["", "1lab", "tk_lab", "a-b-c", "tklab-", "x".repeat(25)]) {
    assert.throws(() => checkLabPrefix(bad), SyntaxError, bad);
  }
  const p = labNamePattern("tklab");
  assert.ok(p.test("tklab-h12") && p.test("tklab-r1") && p.test("tklab-sw2"));
  for (const other of ["tklab2-h1", "tklab-x-h1", "tklab-h0", "tklab-h1x", "xtklab-h1"]) {
    assert.ok(!p.test(other), other);
  }
  assert.equal(labRoleOf("tklab", "tklab-sw1"), "switch");
  assert.equal(labRoleOf("tklab", "other-h1"), undefined);
});
