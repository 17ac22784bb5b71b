// `toolkit mro` as users run it: a real process reading files, stdin and -e code, its exit
// codes (0 all resolve, 1 an MRO error, 2 unreadable input), one-line errors, JSON, dot and
// mermaid output, and a --scope narrowing that refuses the read. What a class statement passes to
// `__build_class__` besides plain names: the review's findings (issue 16) with CPython 3.13's
// answers written out, what toolkit reports as not evaluable (its message, exit 2 and the stderr
// line), Python 2's syntax (checked against Python 2.7), `--explain` for errors raised after the
// merge.
import assert from "#assert";
import { hasCommand, python, root, runToolkit, testIf } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import mro from "../../lib/commands/mro.ts";
import { noGlobals } from "../_support/parse_globals.ts";

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

/** `toolkit mro --format json -e CODE`: the entries without `file`, and the exit code. */
async function entries(code: string, args: string[] = []) {
  const r = await runToolkit(["mro", "--format", "json", ...args, "-e", code]);
  const classes = (JSON.parse(r.stdout).classes as Record<string, unknown>[]).map(
    ({ file: _f, ...rest }) => rest,
  );
  return { code: r.code, classes, stderr: r.stderr };
}

Deno.test("mro: the review's four findings get CPython 3.13's answers", async () => {
  const cases: [string, string, string][] = [
    ["class A(**k): pass", "NameError", "name 'k' is not defined"],
    [
      "from typing import Generic\nclass A(Generic): pass",
      "TypeError",
      "Cannot inherit from plain Generic",
    ],
    ["class A(object, metaclass=1): pass", "TypeError", "'int' object is not callable"],
    [
      "from typing import NamedTuple\nclass A(NamedTuple, int): pass",
      "TypeError",
      "can only inherit from a NamedTuple type and Generic",
    ],
  ];
  for (const [code, errorType, error] of cases) {
    const r = await entries(code);
    assert.equal(r.code, 1, code);
    assert.deepEqual(r.classes.at(-1), {
      name: "A",
      line: code.split("\n").length,
      error,
      errorType,
    });
  }
});

Deno.test("mro: what toolkit cannot evaluate is UnsupportedSyntax, exit 2, named on stderr", async () => {
  const code = [
    "from helpers import mixins, options, make_meta", // 1: imported, so opaque
    "import typing",
    "class A(*mixins): pass", // 3
    "class B(**options): pass", // 4
    "class C(metaclass=len): pass", // 5: a builtin function: toolkit does not call it
    "class D(typing.Union[int, str]): pass", // 6: the alias's repr is CPython's business
    "class E(A): pass", // 7: A was never created
    "class F(metaclass=make_meta()): pass", // 8: a call as metaclass: assumed type-like
    "class G(F, F): pass", // 9: a Python answer
  ].join("\n");
  const r = await entries(code);
  assert.equal(r.code, 2);
  const unsupported = (name: string, line: number, error: string) => ({
    name,
    line,
    error,
    errorType: "UnsupportedSyntax",
  });
  assert.deepEqual(r.classes, [
    unsupported(
      "A",
      3,
      "cannot evaluate '*mixins': what it unpacks is only known when the module runs",
    ),
    unsupported(
      "B",
      4,
      "cannot evaluate '**options': the keyword arguments it unpacks are only known when the module runs",
    ),
    unsupported(
      "C",
      5,
      "cannot evaluate 'metaclass=len': toolkit does not call it to see what it returns",
    ),
    unsupported(
      "D",
      6,
      "cannot evaluate 'typing.Union[int, str]': what this subscript gives is not known to toolkit",
    ),
    unsupported("E", 7, "cannot use 'A': its class statement on line 3 could not be read"),
    { name: "F", line: 8, mro: ["F", "object"] },
    { name: "G", line: 9, error: "duplicate base class F", errorType: "TypeError" },
  ]);
  assert.equal(
    r.stderr,
    "toolkit: error: cannot evaluate 5 class statements: A (<string> line 3), B (<string> line 4), C (<string> line 5), ...; its UnsupportedSyntax entry says why\n",
  );
  // Under --json, stderr carries the error object (exit code and kind), one line.
  const json = await runToolkit(["--json", "mro", "-e", "class A(*make()): pass"]);
  assert.equal(json.code, 2);
  const error = JSON.parse(json.stderr).error;
  assert.equal(error.exitCode, 2);
  assert.match(error.message, /^cannot evaluate 1 class statement: A \(<string> line 1\)/);
});

Deno.test("mro --algo py2/classic: keyword arguments, * and type parameters are Python 2 syntax errors", async () => {
  for (const algo of ["py2", "classic"]) {
    for (const code of ["class A(metaclass=M): pass", "class A(*b): pass", "class A[T]: pass"]) {
      const r = await runToolkit(["mro", "--algo", algo, "-e", code]);
      assert.equal(r.code, 2, `${algo}: ${code}`);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        /^toolkit: error: <string>: cannot read the class statement on line 1: invalid syntax \(Python 2 /,
      );
    }
  }
});

const py27 = python("2.7");
testIf(
  py27 ? undefined : "Python 2.7 is not installed (pyenv)",
  "mro --algo py2: the class statements refused as Python 2 syntax are refused by Python 2.7",
  async () => {
    for (const code of ["class A(metaclass=M): pass", "class A(*b): pass", "class A[T]: pass"]) {
      const out = await new Deno.Command(py27!.cmd, {
        args: ["-c", `compile(${JSON.stringify(code)}, "<string>", "exec")`],
        env: py27!.env,
        stderr: "piped",
      }).output();
      assert.ok(!out.success, code);
      assert.match(new TextDecoder().decode(out.stderr), /SyntaxError: invalid syntax/);
    }
  },
);

Deno.test("mro: class headers CPython refuses as syntax are refused, exit 2", async () => {
  const cases: [string, string][] = [
    ["class A(x=1, B): pass", "positional argument follows keyword argument"],
    ["class A(**k, B): pass", "positional argument follows keyword argument unpacking"],
    ["class A(**k, *b): pass", "iterable argument unpacking follows keyword argument unpacking"],
    ["class A(x=1, x=2): pass", "keyword argument repeated: x"],
    ["class A(1=2): pass", 'expression cannot contain assignment, perhaps you meant "=="?'],
    ["class A(*b=1): pass", "cannot assign to iterable argument unpacking"],
  ];
  for (const [code, why] of cases) {
    const r = await runToolkit(["mro", "-e", code]);
    assert.equal(r.code, 2, code);
    assert.equal(
      r.stderr,
      `toolkit: error: <string>: cannot read the class statement on line 1: ${why}\n`,
    );
  }
});

Deno.test("mro --explain: an error raised after the merge follows the derivation, with why", async () => {
  const r = await runToolkit([
    "mro",
    "--explain",
    "-e",
    "from typing import Generic\nclass G(Generic): pass\nclass K(x=1): pass",
  ]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    `L[G] = G + merge(L[Generic], [Generic])
     = G + merge([Generic, object], [Generic])
       take Generic: head of L[Generic], in no tail
     = G, Generic + merge([object])
       take object: head of L[Generic], in no tail
     = G, Generic, object
  then Generic.__init_subclass__ refuses it: plain Generic names no type variable (Generic[T] does)
TypeError: Cannot inherit from plain Generic

L[K] = K + merge(L[object], [object])
     = K + merge([object], [object])
       take object: head of L[object], in no tail
     = K, object
  then object.__init_subclass__ refuses it: no class in the MRO takes x
TypeError: K.__init_subclass__() takes no keyword arguments
`,
  );
  const td = await runToolkit([
    "mro",
    "--explain",
    "-e",
    "from typing import TypedDict\nclass M(TypedDict): pass\nclass P(M, int): pass",
  ]);
  assert.match(
    td.stdout,
    /^M's bases become \(dict\): every TypedDict is a dict\nL\[M\] = M \+ merge/,
  );
  assert.match(
    td.stdout,
    /L\[P\] cannot be computed\n {2}int is no TypedDict\nTypeError: cannot inherit from both a TypedDict type and a non-TypedDict base class\n$/,
  );
});

Deno.test("mro parse: C3 text by default, --algo --explain --class --format, -e CODE; no input or an unknown algorithm refused", () => {
  assert.deepEqual(mro.parse(["f.py"], noGlobals), {
    files: ["f.py"],
    code: undefined,
    algo: "c3",
    explain: false,
    classes: [],
    format: "text",
    assumeUndefined: false,
  });
  const o = mro.parse(
    ["--algo", "classic", "--explain", "--class", "C", "--format", "json", "f.py"],
    noGlobals,
  );
  assert.deepEqual([o.algo, o.explain, o.classes, o.format], ["classic", true, ["C"], "json"]);
  assert.deepEqual(mro.parse(["-e", "class A: pass"], noGlobals).code, "class A: pass");
  assert.throws(() => mro.parse([], noGlobals), UsageError, "missing input");
  assert.throws(
    () => mro.parse(["--algo", "x", "f.py"], noGlobals),
    UsageError,
    "--algo must be one of",
  );
});
