// `toolkit mro` as users run it: a real process reading files, stdin and -e code, its exit
// codes (0 all resolve, 1 an MRO error, 2 unreadable input), one-line errors, JSON, dot and
// mermaid output, and a --scope narrowing that refuses the read.
import assert from "#assert";
import { hasCommand, root, runToolkit, testIf } from "./harness.ts";

const seed = `${root}/tests/fixtures/mro/cases/seed_c3.py`;

Deno.test("mro --help shows usage, options and examples", async () => {
  const r = await runToolkit(["mro", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: toolkit mro \[options\] \[FILE\.\.\.\]/);
  for (const o of ["--algo", "--explain", "--class", "--format", "--assume-undefined", "--eval"]) {
    assert.ok(r.stdout.includes(o), o);
  }
});

Deno.test("mro prints every class of the course example, exit 1 for the impossible one", async () => {
  const r = await runToolkit(["mro", seed]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "");
  assert.equal(
    r.stdout,
    `C1: C1, object
C2: C2, object
C3: C3, C1, object
C4: C4, C1, C2, object
C5: C5, C2, object
C6: C6, C3, C4, C1, C2, object
C7: C7, C4, C1, C5, C2, object
C8: C8, C6, C3, C7, C4, C1, C5, C2, object
D2: D2, C1, object
D3: TypeError: Cannot create a consistent method resolution order (MRO) for bases C1, D2 (line 39)
D4: NameError: name 'D3' is not defined (line 43)
`,
  );
});

Deno.test("mro --class selects, exit 0 when the selected classes resolve", async () => {
  const r = await runToolkit(["mro", "--class", "C8", "-c", "C4", seed]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "C4: C4, C1, C2, object\nC8: C8, C6, C3, C7, C4, C1, C5, C2, object\n");
});

Deno.test("mro --explain from stdin works the merge like the course notes", async () => {
  const r = await runToolkit(["mro", "--explain", "-"], {
    stdin: "class C1: pass\nclass C2(C1): pass\nclass C3(C1, C2): pass\n",
  });
  assert.equal(r.code, 1);
  assert.ok(
    r.stdout.endsWith(`
L[C3] = C3 + merge(L[C1], L[C2], [C1, C2])
      = C3 + merge([C1, object], [C2, C1, object], [C1, C2])
        skip C1: head of L[C1], in the tail of L[C2]
        skip C2: head of L[C2], in the tail of the bases list
        stuck: every head is in the tail of another list
TypeError: Cannot create a consistent method resolution order (MRO) for bases C1, C2
`),
    r.stdout,
  );
});

Deno.test("mro --json and --format json give {classes: [{name, line, mro | error}]}", async () => {
  for (const flag of [["--json"], ["--format", "json"]]) {
    const r = await runToolkit([
      "mro",
      ...flag,
      "-e",
      "class A: pass",
      "-e",
      "class B(A, A): pass",
    ]);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), {
      classes: [
        { file: "<string>", name: "A", line: 1, mro: ["A", "object"] },
        {
          file: "<string>",
          name: "B",
          line: 2,
          error: "duplicate base class A",
          errorType: "TypeError",
        },
      ],
    });
  }
});

Deno.test("mro --algo classic and py2 follow Python 2", async () => {
  const src = "class A: pass\nclass B(A): pass\nclass C(A): pass\nclass D(B, C): pass\n";
  const classic = await runToolkit(["mro", "--algo", "classic", "--class", "D", "-e", src]);
  assert.equal(classic.stdout, "D: D, B, A, C\n");
  const py2 = await runToolkit([
    "mro",
    "--algo",
    "py2",
    "--class",
    "D",
    "-e",
    src.replace("class A:", "class A(object):"),
  ]);
  assert.equal(py2.stdout, "D: D, B, C, A, object\n");
  const c3 = await runToolkit(["mro", "--class", "D", "-e", src]);
  assert.equal(c3.stdout, "D: D, B, C, A, object\n");
});

Deno.test("mro --assume-undefined treats unknown names as subclasses of object", async () => {
  const strict = await runToolkit(["mro", "-e", "class A(Base): pass"]);
  assert.equal(strict.code, 1);
  assert.equal(strict.stdout, "A: NameError: name 'Base' is not defined (line 1)\n");
  const loose = await runToolkit(["mro", "--assume-undefined", "-e", "class A(Base, mod.X): pass"]);
  assert.equal(loose.code, 0);
  assert.equal(loose.stdout, "A: A, Base, X, object\n");
});

Deno.test("mro reports what it cannot evaluate for that class, goes on, and exits 2", async () => {
  const r = await runToolkit([
    "mro",
    "-e",
    "class A: pass\nclass B(make()): pass\nclass C(A): pass\nclass D(A, A): pass",
  ]);
  // Exit 2 even though D fails in Python too: the answer for B is missing.
  assert.equal(r.code, 2);
  assert.equal(
    r.stdout,
    `A: A, object
B: UnsupportedSyntax: cannot read base 'make()': a call (only names, subscripts, literals and displays are read) (line 2)
C: C, A, object
D: TypeError: duplicate base class A (line 4)
`,
  );
  assert.equal(
    r.stderr,
    "toolkit: error: cannot evaluate 1 class statement: B (<string> line 2); its UnsupportedSyntax entry says why\n",
  );
  // Only the selected classes count.
  const c = await runToolkit([
    "mro",
    "--class",
    "C",
    "-e",
    "class A: pass\nclass B(make()): pass\nclass C(A): pass",
  ]);
  assert.equal(c.code, 0);
  assert.equal(c.stdout, "C: C, A, object\n");
});

Deno.test("mro dot and mermaid draw the graph with the MRO order", async () => {
  const dot = await runToolkit(["mro", "--format", "dot", "--class", "C8", seed]);
  assert.equal(dot.code, 0);
  assert.match(dot.stdout, /^digraph mro \{/);
  assert.match(dot.stdout, /label="MRO of C8: C8, C6, C3, C7, C4, C1, C5, C2, object"/);
  assert.match(dot.stdout, /\[label="C7 \(4\)"/);
  const mermaid = await runToolkit(["mro", "--format", "mermaid", seed]);
  assert.equal(mermaid.code, 1);
  assert.match(mermaid.stdout, /^classDiagram\n {2}direction BT\n/);
  assert.match(mermaid.stdout, /note for n\d+ "MRO: C8, C6, C3, C7, C4, C1, C5, C2, object"/);
  assert.match(mermaid.stdout, /note for n\d+ "TypeError: Cannot create a consistent/);
});

testIf(
  hasCommand("dot") ? undefined : "graphviz dot is not installed",
  "mro dot output is valid Graphviz",
  async () => {
    const r = await runToolkit(["mro", "--format", "dot", seed]);
    const child = new Deno.Command("dot", {
      args: ["-Tsvg"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(r.stdout));
    await w.close();
    const out = await child.output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  },
);

Deno.test("mro: a missing file is one error line and exit 2", async () => {
  const r = await runToolkit(["mro", `${root}/tests/fixtures/mro/does_not_exist.py`]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^toolkit: error: no such file or directory \(.*does_not_exist\.py\)\n$/);
});

Deno.test("mro: unreadable source is one error line naming the line, exit 2", async () => {
  const r = await runToolkit(["mro", "-e", "class A:\n    x = 'oops\nclass B(A): pass"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "toolkit: error: <string>: cannot read line 2: unterminated string literal (detected at line 2)\n",
  );
  const bin = await runToolkit(["mro", "-"], { stdin: new Uint8Array([0xff, 0xfe, 0x00]) });
  assert.equal(bin.code, 2);
  assert.equal(bin.stderr, "toolkit: error: stdin: cannot read: not UTF-8 text\n");
});

Deno.test("mro honours a PEP 263 coding line (Python 2 files are often latin-1)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mro_enc_" });
  try {
    const latin = new Uint8Array([
      ...new TextEncoder().encode("# -*- coding: latin-1 -*-\n# caf"),
      0xe9,
      ...new TextEncoder().encode("\nclass Caf"),
      0xe9,
      ...new TextEncoder().encode("(object): pass\n"),
    ]);
    await Deno.writeFile(`${dir}/old.py`, latin);
    const r = await runToolkit(["mro", `${dir}/old.py`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Café: Café, object\n");
    await Deno.writeFile(`${dir}/bad.py`, latin.subarray(26));
    const bad = await runToolkit(["mro", `${dir}/bad.py`]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `toolkit: error: ${dir}/bad.py: cannot read: not UTF-8 text\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mro: usage errors give one line, the hint and exit 2", async () => {
  for (const args of [["mro"], ["mro", "--algo", "c4", "x.py"], ["mro", "--bogus", "x.py"]]) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, args.join(" "));
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^toolkit: error: /);
    assert.equal(lines[1], "Try 'toolkit mro --help'");
  }
  const unknown = await runToolkit(["mro", "--class", "Nope", seed]);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /^toolkit: error: no class named "Nope" in the input \(classes: C1, C2,/,
  );
});

Deno.test("mro: a --scope that does not include the file refuses the read with exit 4", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mro_scope_" });
  try {
    await Deno.writeTextFile(`${dir}/a.py`, "class A: pass\n");
    await Deno.writeTextFile(`${dir}/scope.json`, JSON.stringify({ read: [`${dir}/elsewhere`] }));
    const r = await runToolkit(["--scope", `${dir}/scope.json`, "mro", `${dir}/a.py`]);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^toolkit: error: outside the permission scope: read access to .*a\.py/);
    await Deno.writeTextFile(`${dir}/scope.json`, JSON.stringify({ read: [dir] }));
    const ok = await runToolkit(["--scope", `${dir}/scope.json`, "mro", `${dir}/a.py`]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, "A: A, object\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mro reads several files as separate modules", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mro_files_" });
  try {
    await Deno.writeTextFile(`${dir}/a.py`, "class A: pass\n");
    await Deno.writeTextFile(`${dir}/b.py`, "class B(A): pass\n");
    const r = await runToolkit(["mro", `${dir}/a.py`, `${dir}/b.py`]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      `==> ${dir}/a.py <==\nA: A, object\n==> ${dir}/b.py <==\nB: NameError: name 'A' is not defined (line 1)\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
