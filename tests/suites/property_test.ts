// Property and fuzz tests with a seeded PRNG: address and prefix round trips (against Python's
// ipaddress where it is installed), aggregate/exclude invariants (the output covers exactly the
// input set, sorted, minimal), C3 invariants (monotonic, local precedence; against CPython),
// MAC round trips, numeric IPv4 spellings that must never parse, and every command's `parse` fed
// mutated examples. A failure prints the seed; rerun with TOOLKIT_SEED=<seed> to reproduce.
import assert from "#assert";
import type { CommandModule } from "../../lib/cli/command.ts";
import { registry } from "../../lib/commands/registry.ts";
import { classifyHost } from "../../lib/net/address.ts";
import { python, testIf } from "../_support/harness.ts";
import { exampleArgs } from "../_support/command_lines.ts";
import { mulberry32 } from "../_support/prng.ts";

const baseSeed = Number(Deno.env.get("TOOLKIT_SEED") ?? (Date.now() % 2 ** 31));

/** The shared mulberry32 stream with the helpers these properties need. */
function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    /** An integer in [0, n). */
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    u32: () => Math.floor(next() * 2 ** 32),
    big: (bits: number) => {
      let v = 0n;
      for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(next() * 65536));
      return v & ((1n << BigInt(bits)) - 1n);
    },
  };
}
type Rand = ReturnType<typeof prng>;

/** Runs a property with its own seed; a failure names the seed that reproduces it. */
async function property(name: string, fn: (r: Rand) => void | Promise<void>): Promise<void> {
  let h = baseSeed;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  try {
    await fn(prng(h));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${name} failed with TOOLKIT_SEED=${baseSeed} (stream ${h}): ${msg}`, {
      cause: err,
    });
  }
}

/** Imports a library module, or says why it cannot be (the block is then skipped). */
async function tryImport<T>(path: string): Promise<T | string> {
  try {
    return await import(path) as T;
  } catch (err) {
    return `${path} is not available: ${(err as Error).message.split("\n")[0]}`;
  }
}

type Ip = typeof import("../../lib/ip/mod.ts");
type Mac = typeof import("../../lib/arp/mac.ts");
type C3 = typeof import("../../lib/mro/linearize_c3.ts");
const ip = await tryImport<Ip>("../../lib/ip/mod.ts");
const mac = await tryImport<Mac>("../../lib/arp/mac.ts");
const c3 = await tryImport<C3>("../../lib/mro/linearize_c3.ts");
const py = python("3.13") ?? python("3.12");
const reason = (m: unknown) => typeof m === "string" ? m : undefined;
const ipReason = reason(ip);
const lib = ip as Ip;

/** Runs Python over JSON on stdin, returning its JSON answer. */
async function pythonJson(script: string, input: unknown): Promise<unknown> {
  const child = new Deno.Command(py!.cmd, {
    args: ["-c", script],
    env: py!.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(input)));
  await w.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

// ---------------------------------------------------------------------------------------------
// Addresses and prefixes

/** A random IPv6 value with runs of zero groups, so `::` compression is exercised. */
function randomV6(r: Rand): bigint {
  let v = 0n;
  for (let g = 0; g < 8; g++) {
    const kind = r.int(4);
    const group = kind === 0 ? 0 : kind === 1 ? r.int(16) : r.int(65536);
    v = (v << 16n) | BigInt(group);
  }
  if (r.int(8) === 0) v = (0xffffn << 32n) | BigInt(r.u32()); // IPv4-mapped
  return v;
}

testIf(
  ipReason,
  "IPv4 and IPv6 addresses survive parse -> format -> parse",
  () =>
    property("addr round trip", (r) => {
      for (let i = 0; i < 4000; i++) {
        const n = r.u32();
        const text = lib.formatIpv4(n);
        const a = lib.Addr.parse(text);
        assert.equal(a.toUint32(), n, text);
        assert.equal(a.toString(), text);
        assert.equal(lib.parseIpv4(text), n);
        const v = randomV6(r);
        const t6 = lib.formatIpv6(v);
        const b = lib.Addr.parse(t6);
        assert.equal(b.toBigInt(), v, t6);
        assert.equal(b.toString(), t6, `canonical form of ${t6} is stable`);
        const upper = lib.Addr.parse(b.toExpandedString().toUpperCase());
        assert.equal(upper.toString(), t6, "expanded upper-case spelling parses to the same");
      }
    }),
);

testIf(
  ipReason ?? (py ? undefined : "python3 (3.12+) not installed"),
  "IPv6 text form agrees with Python's ipaddress (RFC 5952) on random addresses",
  () =>
    property("ipv6 vs python", async (r) => {
      const values = Array.from({ length: 1500 }, () => randomV6(r));
      const ours = values.map((v) => lib.formatIpv6(v));
      const theirs = await pythonJson(
        "import ipaddress,json,sys\n" +
          "print(json.dumps([str(ipaddress.IPv6Address(int(x))) for x in json.load(sys.stdin)]))",
        values.map(String),
      ) as string[];
      for (let i = 0; i < values.length; i++) {
        // Python spells mapped addresses ::ffff:c000:201; RFC 5952 section 5 recommends the
        // dotted tail, which is what we print. Compare the rest exactly.
        if ((values[i] >> 32n) === 0xffffn) continue;
        assert.equal(ours[i], theirs[i], `value ${values[i]}`);
      }
    }),
);

testIf(
  ipReason,
  "prefixes: parse -> format round trip, masked() is idempotent, bounds",
  () =>
    property("prefix round trip", (r) => {
      for (let i = 0; i < 3000; i++) {
        const v6 = r.int(3) === 0;
        const bits = r.int((v6 ? 128 : 32) + 1);
        const addr = v6 ? lib.Addr.fromBigInt(randomV6(r), 6) : lib.Addr.fromUint32(r.u32());
        const p = lib.Prefix.from(addr, bits);
        const text = p.toString();
        assert.equal(lib.Prefix.parse(text).toString(), text);
        const m = p.masked();
        assert.equal(m.masked().toString(), m.toString());
        assert.ok(m.contains(addr), `${m} contains ${addr}`);
        assert.equal(m.size(), 1n << BigInt((v6 ? 128 : 32) - bits));
        assert.equal(lib.parseNetwork(m.toString()).toString(), m.toString());
        if (!v6) {
          const viaMask = lib.Prefix.parse(`${addr}/${lib.netmaskOf(bits, 4)}`);
          assert.equal(viaMask.bits, bits, `${addr}/${lib.netmaskOf(bits, 4)}`);
        }
      }
    }),
);

/** Spellings of an IPv4 address that inet_aton or a URL parser accept but we must not. */
function sneakySpelling(r: Rand, n: number): string {
  const o = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  const part = (x: number) =>
    r.pick([
      () => "0x" + x.toString(16),
      () => "0X" + x.toString(16).toUpperCase(),
      () => "0" + x.toString(8),
      () => "00" + x.toString(8),
    ])();
  switch (r.int(5)) {
    case 0:
      return String(n); // 2130706433
    case 1:
      return "0x" + n.toString(16); // 0x7f000001
    case 2:
      return `${o[0]}.${(n & 0xffffff)}`; // 127.1
    case 3:
      return `${o[0]}.${o[1]}.${(n & 0xffff)}`; // 127.0.1
    default: {
      const i = r.int(4); // one octet in hex or octal: 0x7f.0.0.1, 0177.0.0.1
      return o.map((x, j) => (j === i ? part(x) : String(x))).join(".");
    }
  }
}

testIf(
  ipReason,
  "numeric IPv4 spellings (decimal, hex, octal, short) never parse",
  () =>
    property("sneaky ipv4", (r) => {
      let checked = 0;
      for (let i = 0; i < 3000; i++) {
        const n = r.int(4) === 0 ? 0x7f000001 : r.u32();
        const s = sneakySpelling(r, n);
        if (s === lib.formatIpv4(n)) continue; // a short form can coincide with dotted quad
        let url: string;
        try {
          url = new URL(`http://${s}/`).hostname;
        } catch {
          continue;
        }
        // A browser-style parser reads it as an address: that is the trick being tested.
        assert.equal(url, lib.formatIpv4(n), `${s} is a real alias of ${lib.formatIpv4(n)}`);
        assert.throws(() => lib.Addr.parse(s), SyntaxError, `Addr.parse("${s}")`);
        assert.throws(() => lib.Prefix.parse(`${s}/32`), SyntaxError, `Prefix.parse("${s}/32")`);
        assert.throws(() => classifyHost(s), SyntaxError, `classifyHost("${s}")`);
        checked++;
      }
      assert.ok(checked > 2000, `only ${checked} spellings checked`);
    }),
);

// ---------------------------------------------------------------------------------------------
// Aggregate and exclude: compared with an independent interval model

type Interval = [bigint, bigint];

function boundsOf(p: { network(): { toBigInt(): bigint }; last(): { toBigInt(): bigint } }) {
  return [p.network().toBigInt(), p.last().toBigInt()] as Interval;
}

/** Sorted, merged (touching intervals joined) union. */
function union(intervals: Interval[]): Interval[] {
  const s = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Interval[] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

/** The unique minimal list of aligned blocks covering [start, end]: "network/bits" strings. */
function minimalCover(iv: Interval[], width: number, fmt: (v: bigint) => string): string[] {
  const out: string[] = [];
  for (let [start, end] of iv) {
    while (start <= end) {
      let size = start === 0n ? 1n << BigInt(width) : start & -start;
      while (start + size - 1n > end) size >>= 1n;
      out.push(`${fmt(start)}/${width - (size.toString(2).length - 1)}`);
      start += size;
    }
  }
  return out;
}

function randomPrefixes(r: Rand, v6: boolean, count: number): string[] {
  // A narrow universe so prefixes overlap, nest and touch often.
  const baseBits = v6 ? 112 : 16;
  const width = v6 ? 128 : 32;
  const base = v6 ? 0x20010db8n << 96n : BigInt(0x0a000000);
  return Array.from({ length: count }, () => {
    const bits = baseBits + r.int(width - baseBits + 1);
    const host = r.big(width - baseBits);
    const v = base | host;
    const masked = v & ~((1n << BigInt(width - bits)) - 1n);
    return `${v6 ? lib.formatIpv6(masked) : lib.formatIpv4(Number(masked))}/${bits}`;
  });
}

testIf(
  ipReason,
  "aggregate: output covers exactly the input set, sorted, minimal",
  () =>
    property("aggregate", (r) => {
      for (let round = 0; round < 300; round++) {
        const v6 = r.int(3) === 0;
        const width = v6 ? 128 : 32;
        const fmt = (v: bigint) => (v6 ? lib.formatIpv6(v) : lib.formatIpv4(Number(v)));
        const input = randomPrefixes(r, v6, 1 + r.int(40));
        const out = lib.collapsePrefixes(input.map((t) => lib.Prefix.parse(t)));
        const expected = minimalCover(
          union(input.map((t) => boundsOf(lib.Prefix.parse(t)))),
          width,
          fmt,
        );
        assert.deepEqual(out.map(String), expected, `input ${input.join(" ")}`);
        // The streaming aggregator the command uses agrees with the batch function.
        const agg = new lib.PrefixAggregator();
        for (const t of [...input].reverse()) agg.add(t);
        assert.deepEqual(agg.result().map(String), expected, `aggregator on ${input.join(" ")}`);
      }
    }),
);

testIf(
  ipReason ?? (py ? undefined : "python3 (3.12+) not installed"),
  "aggregate agrees with Python's ipaddress.collapse_addresses",
  () =>
    property("aggregate vs python", async (r) => {
      const sets = Array.from({ length: 150 }, () => randomPrefixes(r, r.int(3) === 0, 20));
      const theirs = await pythonJson(
        "import ipaddress,json,sys\n" +
          "print(json.dumps([[str(n) for n in ipaddress.collapse_addresses(" +
          "ipaddress.ip_network(x) for x in s)] for s in json.load(sys.stdin)]))",
        sets,
      ) as string[][];
      sets.forEach((s, i) => {
        const ours = lib.collapsePrefixes(s.map((t) => lib.Prefix.parse(t))).map(String);
        assert.deepEqual(ours, theirs[i], `input ${s.join(" ")}`);
      });
    }),
);

testIf(
  ipReason,
  "exclude: result and holes partition the prefix, sorted, minimal",
  () =>
    property("exclude", (r) => {
      for (let round = 0; round < 300; round++) {
        const v6 = r.int(3) === 0;
        const width = v6 ? 128 : 32;
        const fmt = (v: bigint) => (v6 ? lib.formatIpv6(v) : lib.formatIpv4(Number(v)));
        const [outerText] = randomPrefixes(r, v6, 1);
        const outer = lib.Prefix.parse(outerText);
        // Holes: mostly inside the prefix, some overlapping it or outside entirely.
        const holes = randomPrefixes(r, v6, r.int(6)).map((t) => lib.Prefix.parse(t));
        const inside = outer.bits < width ? r.int(4) : 0;
        for (let i = 0; i < inside; i++) {
          const bits = outer.bits + 1 + r.int(width - outer.bits);
          const host = r.big(width - outer.bits) & ~((1n << BigInt(width - bits)) - 1n);
          const v = outer.network().toBigInt() | host;
          holes.push(lib.Prefix.parse(`${fmt(v)}/${bits}`));
        }
        let out;
        try {
          out = lib.excludePrefixes(outer, holes);
        } catch (err) {
          // Holes outside the prefix may be refused; that is a choice, but it must be a user error.
          assert.ok(err instanceof RangeError || err instanceof SyntaxError, String(err));
          continue;
        }
        const [s, e] = boundsOf(outer);
        const holeSet = union(holes.map(boundsOf));
        const remaining: Interval[] = [];
        let cursor = s;
        for (const [a, b] of holeSet) {
          if (b < cursor || a > e) continue;
          if (a > cursor) remaining.push([cursor, a - 1n]);
          cursor = b + 1n;
        }
        if (cursor <= e) remaining.push([cursor, e]);
        const expected = minimalCover(remaining, width, fmt);
        assert.deepEqual(
          out.map((p) => p.masked().toString()),
          expected,
          `${outer} minus ${holes.join(" ")}`,
        );
      }
    }),
);

// ---------------------------------------------------------------------------------------------
// C3 linearization

interface Hierarchy {
  /** [name, bases] in definition order; a class with no bases derives from object. */
  classes: [string, string[]][];
}

function randomHierarchy(r: Rand): Hierarchy {
  const n = 2 + r.int(9);
  const classes: [string, string[]][] = [];
  for (let i = 0; i < n; i++) {
    const pool = ["object", ...classes.map(([name]) => name)];
    const k = i === 0 ? 0 : r.int(4);
    const bases: string[] = [];
    for (let j = 0; j < k; j++) {
      const b = r.pick(pool);
      if (!bases.includes(b) || r.int(20) === 0) bases.push(b); // rare duplicate bases
    }
    classes.push([`C${i}`, bases]);
  }
  return { classes };
}

/** Our MROs: a list of names, "error" for a class C3 refuses, "skip" when a base failed. */
function ourMros(h: Hierarchy, lin: C3["linearizeC3"]): (string[] | "error" | "skip")[] {
  const mros = new Map<string, string[]>([["object", ["object"]]]);
  return h.classes.map(([name, declared]) => {
    const bases = declared.length ? declared : ["object"];
    if (!bases.every((b) => mros.has(b))) return "skip";
    const res = lin(name, bases, (b) => mros.get(b)!);
    if (!res.ok) return "error";
    mros.set(name, res.mro);
    return res.mro;
  });
}

const c3Reason = reason(c3);

testIf(
  c3Reason,
  "C3: monotonic, local precedence preserved, each ancestor once",
  () =>
    property("c3 invariants", (r) => {
      const { linearizeC3 } = c3 as C3;
      let ok = 0, refused = 0;
      for (let round = 0; round < 1500; round++) {
        const h = randomHierarchy(r);
        const results = ourMros(h, linearizeC3);
        const mroOf = new Map<string, string[]>([["object", ["object"]]]);
        h.classes.forEach(([name], i) => {
          const res = results[i];
          if (Array.isArray(res)) mroOf.set(name, res);
        });
        h.classes.forEach(([name, declared], i) => {
          const mro = results[i];
          if (mro === "error") refused++;
          if (!Array.isArray(mro)) return;
          ok++;
          const bases = declared.length ? declared : ["object"];
          const where = `${name}(${bases.join(", ")}) in ${JSON.stringify(h.classes)}`;
          assert.equal(mro[0], name, where);
          assert.equal(mro[mro.length - 1], "object", where);
          assert.equal(new Set(mro).size, mro.length, `no class twice: ${where}`);
          // Local precedence: the bases appear in the order they were written.
          const pos = bases.map((b) => mro.indexOf(b));
          assert.ok(pos.every((p, j) => p > 0 && (j === 0 || p > pos[j - 1])), `order: ${where}`);
          // Monotonic: every base's MRO is a subsequence of this one.
          for (const b of bases) {
            const sub = mroOf.get(b)!;
            let at = 0;
            for (const c of mro) if (c === sub[at]) at++;
            assert.equal(at, sub.length, `L[${b}] is a subsequence of L[${name}]: ${where}`);
          }
        });
      }
      assert.ok(ok > 1000 && refused > 20, `${ok} linearized, ${refused} refused`);
    }),
);

testIf(
  c3Reason ?? (py ? undefined : "python3 (3.12+) not installed"),
  "C3 agrees with CPython on random hierarchies: the same MRO or the same refusal",
  () =>
    property("c3 vs cpython", async (r) => {
      const { linearizeC3 } = c3 as C3;
      const hs = Array.from({ length: 400 }, () => randomHierarchy(r));
      const theirs = await pythonJson(
        `import json,sys
out=[]
for h in json.load(sys.stdin):
    made={"object":object}; res=[]
    for name,bases in h:
        if not all(b in made for b in bases): res.append("skip"); continue
        try:
            c=type(name, tuple(made[b] for b in bases) or (object,), {})
            made[name]=c; res.append([k.__name__ for k in c.__mro__])
        except TypeError: res.append("error")
    out.append(res)
print(json.dumps(out))`,
        hs.map((h) => h.classes),
      ) as (string[] | string)[][];
      hs.forEach((h, i) => {
        assert.deepEqual(ourMros(h, linearizeC3), theirs[i], JSON.stringify(h.classes));
      });
    }),
);

// ---------------------------------------------------------------------------------------------
// MAC addresses

testIf(
  reason(mac),
  "MAC: every common spelling parses to the same bytes; normalisation is stable",
  () =>
    property("mac round trip", (r) => {
      const m = mac as Mac;
      for (let i = 0; i < 3000; i++) {
        const bytes = new Uint8Array(
          Array.from({ length: 6 }, () => r.int(4) === 0 ? r.int(16) : r.int(256)),
        );
        const canon = m.formatMac(bytes);
        const h = canon.replaceAll(":", "");
        const spellings = [
          canon,
          canon.toUpperCase(),
          m.formatMac(bytes, { separator: "-" }).toUpperCase(),
          m.formatMac(bytes, { unpadded: true }),
          `${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8)}`,
          h,
          h.toUpperCase(),
        ];
        for (const s of spellings) {
          assert.deepEqual(m.parseMac(s), bytes, s);
          assert.equal(m.normalizeMac(s), canon, s);
        }
        assert.equal(m.normalizeMac(canon), canon);
        // Damaged spellings never parse as some other address.
        const cut = canon.slice(0, 1 + r.int(canon.length - 1));
        if (cut.length < canon.length && !m.isMac(cut)) {
          assert.throws(() => m.parseMac(cut), SyntaxError, cut);
        }
        const bad = canon.replace(/[0-9a-f]/, r.pick(["g", "z", "-", "::", "\u0000"]));
        assert.throws(() => m.parseMac(bad), SyntaxError, JSON.stringify(bad));
      }
    }),
);

// ---------------------------------------------------------------------------------------------
// Every command's parse, fed mutated examples

/**
 * What `parse` may throw: errors about the user's arguments. A bare SyntaxError or RangeError (from
 * lib code fed an argument unconverted) would be reported as an internal error, exit 70.
 */
const userErrors = new Set(["UsageError", "InputError", "ScopeError"]);

const tokens = [
  "",
  "-",
  "--",
  "-1",
  "0",
  "65536",
  "99999999999999999999",
  "1e309",
  "NaN",
  "0x7f.1",
  "127.1",
  "[::1]",
  "[::1]:",
  ":",
  "::",
  "/33",
  "255.0.255.0",
  "\u0000",
  "\u001b[2J",
  "\u{1F4A5}",
  "\ud800",
  "%n",
  "--json",
  "-h",
  "a".repeat(5000),
];

Deno.test("every command's parse: mutated examples give a result or a user error, never a crash", async () => {
  await property("parse fuzz", async (r) => {
    let runs = 0;
    for (const entry of registry) {
      const mod: CommandModule = await entry.load();
      const lines = mod.spec.examples.map(exampleArgs).filter((w): w is string[] => !!w)
        .map((w) => w.slice(entry.name.split(" ").length).filter((x) => x !== "--json"));
      if (lines.length === 0) lines.push([]);
      for (let i = 0; i < 120; i++) {
        const args = [...r.pick(lines)];
        const edits = 1 + r.int(3);
        for (let k = 0; k < edits; k++) {
          const at = r.int(args.length + 1);
          switch (r.int(4)) {
            case 0:
              args.splice(at, 1, r.pick(tokens));
              break;
            case 1:
              args.splice(at, 0, r.pick(tokens));
              break;
            case 2:
              args.splice(at, 1);
              break;
            default: {
              const opt = mod.spec.options.length ? r.pick(mod.spec.options) : undefined;
              if (opt) {
                args.splice(
                  at,
                  0,
                  `--${opt.name}`,
                  ...(opt.type === "string" ? [r.pick(tokens)] : []),
                );
              }
            }
          }
        }
        runs++;
        try {
          mod.parse(args, { json: r.int(2) === 0, quiet: false, debug: false, color: false });
        } catch (err) {
          const name = err instanceof Error ? err.name : typeof err;
          assert.ok(
            userErrors.has(name),
            `${entry.name} ${JSON.stringify(args)}: parse threw ${name}: ${
              (err as Error)?.message
            }`,
          );
        }
      }
    }
    console.error(`parse fuzz: ${runs} mutated command lines over ${registry.length} commands`);
  });
});
