// The engine on its own: the course notes' worked examples, CPython's error wording, the
// step-by-step explanation, and the fast merge agreeing with the textbook re-scan.
import assert from "#assert";
import { explainC3, explainClassic } from "../../lib/mro/explain.ts";
import { c3ErrorMessage, firstDuplicate, linearizeC3 } from "../../lib/mro/linearize_c3.ts";
import { linearizeClassic } from "../../lib/mro/linearize_classic.ts";
import { readClassStatements } from "../../lib/mro/read_classes.ts";
import { resolveClasses } from "../../lib/mro/resolve.ts";
import { root } from "../_support/harness.ts";
import { prng } from "../_support/mro_corpus.ts";

const seed = Deno.readTextFileSync(`${root}/tests/fixtures/mro/cases/seed_c3.py`);

function mros(source: string, options = {}) {
  return Object.fromEntries(
    resolveClasses(readClassStatements(source), options).map((o) => [
      o.statement.qualname,
      o.cls ? o.cls.mro.map((c) => c.qualname).join(", ") : `${o.error!.type}: ${o.error!.message}`,
    ]),
  );
}

Deno.test("the course notes' C1..C8 example gives C8, C6, C3, C7, C4, C1, C5, C2, object", () => {
  const { D2: _d2, D3: _d3, D4: _d4, ...seedClasses } = mros(seed);
  assert.deepEqual(seedClasses, {
    C1: "C1, object",
    C2: "C2, object",
    C3: "C3, C1, object",
    C4: "C4, C1, C2, object",
    C5: "C5, C2, object",
    C6: "C6, C3, C4, C1, C2, object",
    C7: "C7, C4, C1, C5, C2, object",
    C8: "C8, C6, C3, C7, C4, C1, C5, C2, object",
  });
});

Deno.test("class C3(C1, C2) with C2(C1) fails with CPython's message, and later uses cascade", () => {
  const src = "class C1: pass\nclass C2(C1): pass\nclass C3(C1, C2): pass\nclass C4(C3): pass\n";
  assert.deepEqual(mros(src), {
    C1: "C1, object",
    C2: "C2, C1, object",
    C3: "TypeError: Cannot create a consistent method resolution order (MRO) for bases C1, C2",
    C4: "NameError: name 'C3' is not defined",
  });
});

Deno.test("--explain derives C4 and C6 the way the course notes do", () => {
  const out = resolveClasses(readClassStatements(seed), { explain: true });
  const explain = (name: string) => out.find((o) => o.statement.name === name)!.explain!.join("\n");
  assert.equal(
    explain("C4"),
    `L[C4] = C4 + merge(L[C1], L[C2], [C1, C2])
      = C4 + merge([C1, object], [C2, object], [C1, C2])
        take C1: head of L[C1], in no tail
      = C4, C1 + merge([object], [C2, object], [C2])
        skip object: head of L[C1], in the tail of L[C2]
        take C2: head of L[C2], in no tail
      = C4, C1, C2 + merge([object], [object])
        take object: head of L[C1], in no tail
      = C4, C1, C2, object`,
  );
  assert.equal(
    explain("C6"),
    `L[C6] = C6 + merge(L[C3], L[C4], [C3, C4])
      = C6 + merge([C3, C1, object], [C4, C1, C2, object], [C3, C4])
        take C3: head of L[C3], in no tail
      = C6, C3 + merge([C1, object], [C4, C1, C2, object], [C4])
        skip C1: head of L[C3], in the tail of L[C4]
        take C4: head of L[C4], in no tail
      = C6, C3, C4 + merge([C1, object], [C1, C2, object])
        take C1: head of L[C3], in no tail
      = C6, C3, C4, C1 + merge([object], [C2, object])
        skip object: head of L[C3], in the tail of L[C4]
        take C2: head of L[C4], in no tail
      = C6, C3, C4, C1, C2 + merge([object], [object])
        take object: head of L[C3], in no tail
      = C6, C3, C4, C1, C2, object`,
  );
});

Deno.test("--explain shows where an impossible merge gets stuck", () => {
  const src = "class C1: pass\nclass C2(C1): pass\nclass C3(C1, C2): pass\n";
  const out = resolveClasses(readClassStatements(src), { explain: true });
  assert.equal(
    out[2].explain!.join("\n"),
    `L[C3] = C3 + merge(L[C1], L[C2], [C1, C2])
      = C3 + merge([C1, object], [C2, C1, object], [C1, C2])
        skip C1: head of L[C1], in the tail of L[C2]
        skip C2: head of L[C2], in the tail of the bases list
        stuck: every head is in the tail of another list
TypeError: Cannot create a consistent method resolution order (MRO) for bases C1, C2`,
  );
});

Deno.test("duplicates: CPython names the first base that repeats, and one base never checks", () => {
  assert.deepEqual(firstDuplicate(["A", "B", "B", "A"]), { value: "A" });
  assert.equal(firstDuplicate(["A", "B"]), undefined);
  const many = Array.from({ length: 20 }, (_, i) => `B${i}`);
  assert.deepEqual(firstDuplicate([...many, "B7", "B3"]), { value: "B3" });
  const r = linearizeC3("C", ["A", "A"], () => ["A", "object"]);
  assert.deepEqual(r, { ok: false, duplicate: "A" });
  assert.equal(
    c3ErrorMessage(r as { ok: false; duplicate: string }, (c) => c),
    "duplicate base class A",
  );
});

Deno.test("classic order is depth-first, left to right, first occurrence kept", () => {
  const m = new Map([["A", ["A"]], ["B", ["B", "A"]], ["C", ["C", "A"]]]);
  assert.deepEqual(linearizeClassic("D", ["B", "C"], (b) => m.get(b)!), ["D", "B", "A", "C"]);
  assert.deepEqual(explainClassic("D", ["B", "C"], (b) => m.get(b)!, (c) => c), [
    "L[D] = D + L[B] + L[C]  (depth-first, left to right, first occurrence kept)",
    "     = D + [B, A] + [C, A]",
    "       drop A from L[C]: already listed",
    "     = D, B, A, C",
  ]);
  const diamond = "class A: pass\nclass B(A): pass\nclass C(A): pass\nclass D(B, C): pass\n";
  assert.equal(mros(diamond, { algo: "classic" }).D, "D, B, A, C");
  assert.equal(mros(diamond, { algo: "py2" }).D, "D, B, A, C");
  assert.equal(
    mros(diamond.replace("class A:", "class A(object):"), { algo: "py2" }).D,
    "D, B, C, A, object",
  );
});

Deno.test("the fast merges (Map and indexed) and the textbook re-scan agree on random hierarchies", () => {
  const rand = prng(7);
  for (let round = 0; round < 600; round++) {
    const mro = new Map<string, string[]>([["object", ["object"]]]);
    const names = ["object"];
    for (let i = 0; i < 12; i++) {
      const bases = Array.from(
        { length: 1 + Math.floor(rand() * 3) },
        () => names[Math.floor(rand() * names.length)],
      );
      const name = `K${i}`;
      const fast = linearizeC3(name, bases, (b) => mro.get(b)!);
      const ids = new Map([...mro.keys(), name].map((k, i) => [k, i]));
      const indexed = linearizeC3(name, bases, (b) => mro.get(b)!, { index: (c) => ids.get(c)! });
      assert.deepEqual(indexed, fast);
      const lines = explainC3(name, bases, (b) => mro.get(b)!, (c) => c);
      const last = lines[lines.length - 1];
      if (fast.ok) {
        assert.equal(last.replace(/^\s*= /, ""), fast.mro.join(", "));
        mro.set(name, fast.mro);
        names.push(name);
      } else {
        assert.equal(last, `TypeError: ${c3ErrorMessage(fast, (c) => c)}`);
      }
    }
  }
});

Deno.test("a deep, wide hierarchy of 3000 classes resolves quickly and correctly", () => {
  const lines = ["class K0: pass"];
  for (let i = 1; i < 3000; i++) {
    const bases = [i - 1, i - 2, i - 5, i - 11].filter((b, k, a) => b >= 0 && a.indexOf(b) === k)
      .map((b) => `K${b}`);
    lines.push(`class K${i}(${bases.join(", ")}): pass`);
  }
  const out = resolveClasses(readClassStatements(lines.join("\n")));
  assert.equal(out.length, 3000);
  assert.ok(out.every((o) => o.cls));
  const last = out[2999].cls!.mro.map((c) => c.qualname);
  assert.equal(last.length, 3001);
  assert.deepEqual(last.slice(0, 3), ["K2999", "K2998", "K2997"]);
});

Deno.test("py2: __metaclass__ makes classes new-style, as Python 2.7 does", () => {
  // Checked with PYENV_VERSION=2.7.18 python2.7 on the same source.
  const src = `__metaclass__ = type
class A: pass
del __metaclass__
class C: pass
class D(C):
    __metaclass__ = type
class E(C, A): pass
`;
  assert.deepEqual(mros(src, { algo: "py2" }), {
    A: "A, object",
    C: "C",
    D: "TypeError: a new-style class can't have only classic bases",
    E: "E, C, A, object",
  });
});

Deno.test("--explain says why a class cannot even be merged", () => {
  const src = `class C1: pass
class C2(C1): pass
class C3(C1, C2): pass
class C4(C3): pass
class I(int, str): pass
class M1(type): pass
class M2(type): pass
class A(metaclass=M1): pass
class B(metaclass=M2): pass
class AB(A, B): pass
`;
  const out = resolveClasses(readClassStatements(src), { explain: true });
  const explain = (name: string) => out.find((o) => o.statement.name === name)!.explain;
  assert.deepEqual(explain("C4"), [
    "L[C4] cannot be computed",
    "  C3 was never bound: its class statement on line 3 failed",
    "NameError: name 'C3' is not defined",
  ]);
  assert.deepEqual(explain("I"), [
    "L[I] cannot be computed",
    "  int stores its instances as int, str as str: one object cannot be both",
    "TypeError: multiple bases have instance lay-out conflict",
  ]);
  assert.deepEqual(explain("AB"), [
    "L[AB] cannot be computed",
    "  the metaclasses M1 and M2 (of B) are unrelated",
    "TypeError: metaclass conflict: the metaclass of a derived class must be a (non-strict) subclass of the metaclasses of all its bases",
  ]);
});
