// `toolkit mro --format json` against the real interpreters: random hierarchies (inconsistent
// orders, duplicates, rebinding, undefined names cascading into `not defined`, nested classes,
// builtin bases) must give CPython 3.13's MROs and messages, and `--algo classic` / `py2` those of
// Python 2.7.18; random modules full of reader traps, or of typing's special forms, `*bases`,
// `**keywords` and metaclass values, those of CPython 3.13 running them. Golden corpora recorded
// from both interpreters keep the check running where they are not installed (re-record with
// MRO_RECORD=1).
import assert from "#assert";
import { python, root, runToolkit, testIf } from "./harness.ts";
import {
  astOracleScript,
  generateArgumentModule,
  generateHierarchy,
  generateRichModule,
  normalizePy2,
  prng,
  runOracle,
} from "./mro_corpus.ts";

type Mode = "c3" | "classic" | "py2";
const modes: { mode: Mode; version: string }[] = [
  { mode: "c3", version: "3.13" },
  { mode: "classic", version: "2.7" },
  { mode: "py2", version: "2.7" },
];
const corpusPath = (mode: Mode) => `${root}/tests/fixtures/mro/corpus_${mode}.json`;
const recordSeed = 20261124;
const perRun = 250;

interface Corpus {
  recordedWith: string;
  modules: { source: string; expected: Record<string, unknown>[] }[];
}

function generate(mode: Mode, seed: number, count: number) {
  const rand = prng(seed);
  return Array.from(
    { length: count },
    () => generateHierarchy(rand, { mode, classes: 3 + Math.floor(rand() * 12) }),
  );
}

function normalize(mode: Mode, entries: Record<string, unknown>[]): Record<string, unknown>[] {
  return entries.map((e) => {
    const { file: _file, ...rest } = e;
    if (mode !== "c3" && typeof rest.error === "string") rest.error = normalizePy2(rest.error);
    return rest;
  });
}

/** Runs every module through one toolkit process, one file per module. */
async function toolkitResults(mode: Mode, sources: readonly string[]) {
  const dir = await Deno.makeTempDir({ prefix: "mro_diff_" });
  try {
    const files = sources.map((_, i) => `${dir}/m${String(i).padStart(4, "0")}.py`);
    await Promise.all(files.map((f, i) => Deno.writeTextFile(f, sources[i])));
    const r = await runToolkit(["mro", "--format", "json", "--algo", mode, ...files], {
      timeoutMs: 60_000,
    });
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const entries: Record<string, unknown>[] = JSON.parse(r.stdout).classes;
    return files.map((f) => entries.filter((e) => e.file === f));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function compare(
  mode: Mode,
  sources: readonly string[],
  expected: Record<string, unknown>[][],
  actual: Record<string, unknown>[][],
) {
  let failures = 0;
  sources.forEach((source, i) => {
    const want = normalize(mode, expected[i]);
    const got = normalize(mode, actual[i]);
    try {
      assert.deepEqual(got, want);
    } catch (err) {
      if (failures++ < 3) {
        console.error(`--algo ${mode} differs on:\n${source}\n${(err as Error).message}`);
      }
    }
  });
  assert.equal(failures, 0, `${failures} of ${sources.length} modules differ (first ones above)`);
}

for (const { mode, version } of modes) {
  Deno.test(`mro --algo ${mode}: the golden corpus recorded from Python ${version}`, async () => {
    const corpus: Corpus = JSON.parse(await Deno.readTextFile(corpusPath(mode)));
    assert.ok(corpus.modules.length >= 100);
    const sources = corpus.modules.map((m) => m.source);
    compare(
      mode,
      sources,
      corpus.modules.map((m) => m.expected),
      await toolkitResults(mode, sources),
    );
  });

  const py = python(version);
  testIf(
    py ? undefined : `Python ${version} is not installed (pyenv)`,
    `mro --algo ${mode}: ${perRun} random hierarchies agree with Python ${version}`,
    async () => {
      const record = Deno.env.get("MRO_RECORD") === "1";
      const seed = record ? recordSeed : Math.floor(Math.random() * 2 ** 31);
      console.error(`mro differential --algo ${mode}: seed ${seed}`);
      const modules = generate(mode, seed, perRun);
      const expected = await runOracle(py!, modules.map((m) => m.oracle));
      const sources = modules.map((m) => m.source);
      if (record) {
        const corpus: Corpus = {
          recordedWith: `Python ${version} (${py!.env.PYENV_VERSION}), seed ${seed}`,
          modules: sources.map((source, i) => ({ source, expected: expected[i] })),
        };
        await Deno.writeTextFile(corpusPath(mode), JSON.stringify(corpus, null, 1) + "\n");
      }
      compare(mode, sources, expected, await toolkitResults(mode, sources));
    },
  );
}

// Modules checked against CPython 3.13 running the same text through the ast oracle: ones that
// stress the reader (strings, decorators, nesting, aliases, imports), and ones that pass more than
// names to a class statement (typing's special forms, *bases, **keywords, keyword arguments,
// metaclass values of every kind).
const astSuites = [
  {
    label: "reader-heavy modules",
    path: `${root}/tests/fixtures/mro/corpus_c3_rich.json`,
    count: 120,
    generate: (rand: () => number) => generateRichModule(rand, 4 + Math.floor(rand() * 14)),
  },
  {
    label: "class statements with special forms, *bases, **keywords and metaclass values",
    path: `${root}/tests/fixtures/mro/corpus_c3_arguments.json`,
    count: 150,
    generate: (rand: () => number) => generateArgumentModule(rand, 4 + Math.floor(rand() * 14)),
  },
];

const py3 = python("3.13");
for (const suite of astSuites) {
  Deno.test(`mro ${suite.label}: the golden corpus recorded from Python 3.13`, async () => {
    const corpus: Corpus = JSON.parse(await Deno.readTextFile(suite.path));
    assert.ok(corpus.modules.length >= 100);
    const sources = corpus.modules.map((m) => m.source);
    compare(
      "c3",
      sources,
      corpus.modules.map((m) => m.expected),
      await toolkitResults("c3", sources),
    );
  });

  testIf(
    py3 ? undefined : "Python 3.13 is not installed (pyenv)",
    `mro ${suite.label}: ${suite.count} random modules agree with Python 3.13`,
    async () => {
      const record = Deno.env.get("MRO_RECORD") === "1";
      const seed = record ? recordSeed : Math.floor(Math.random() * 2 ** 31);
      console.error(`mro differential (${suite.label}): seed ${seed}`);
      const rand = prng(seed);
      const sources = Array.from({ length: suite.count }, () => suite.generate(rand));
      const expected = await runOracle(py3!, sources, astOracleScript);
      if (record) {
        const corpus: Corpus = {
          recordedWith: `Python 3.13 (${py3!.env.PYENV_VERSION}), seed ${seed}`,
          modules: sources.map((source, i) => ({ source, expected: expected[i] })),
        };
        await Deno.writeTextFile(suite.path, JSON.stringify(corpus, null, 1) + "\n");
      }
      compare("c3", sources, expected, await toolkitResults("c3", sources));
    },
  );
}
