// The test layout docs/architecture.md describes, kept true: every registered command has
// tests/commands/<name>_test.ts registering at least one test, with an in-process call of its
// module's `parse` and a spawned CLI run through the harness (real calls: comments are stripped and
// string contents blanked before looking); every file there names a registered command; helpers
// that are not tests live in tests/_support/ and nothing there is a test; tests sit in commands/,
// suites/ or lib/.
import assert from "#assert";
import { registry } from "../../lib/commands/registry.ts";
import { root } from "../_support/harness.ts";
import { sourceText } from "../_support/source_text.ts";

/** One file under tests/, by its path from tests/ ("commands/scan_test.ts"). */
interface TestTreeFile {
  path: string;
  text: string;
}

/** `subnet split` -> `subnet_split`, `tcp-ping` -> `tcp_ping`: test and module file names. */
const snake = (command: string) => command.replace(/[ -]/g, "_");

/** Where the layout is broken, one sentence per problem; empty when it holds. */
function layoutProblems(files: readonly TestTreeFile[], commands: readonly string[]): string[] {
  const problems: string[] = [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const command of commands) {
    const path = `commands/${snake(command)}_test.ts`;
    const file = byPath.get(path);
    if (!file) {
      problems.push(`${command}: no tests/${path}`);
      continue;
    }
    // Looked for in the code only: a call in a comment or a string runs nothing.
    const { code, bare } = sourceText(file.text);
    if (!/\b(Deno\.test|testIf)\s*\(/.test(bare)) {
      problems.push(`${command}: tests/${path} registers no test (Deno.test or testIf)`);
    }
    // The module's default import, then a call of its parse.
    const imported = new RegExp(
      String.raw`^import (\w+)(?:, \{[^}]*\})? from "\.\./\.\./lib/commands/${
        snake(command)
      }\.ts";`,
      "m",
    ).exec(code);
    if (!imported || !new RegExp(String.raw`\b${imported[1]}\.parse\(`).test(bare)) {
      problems.push(`${command}: tests/${path} has no in-process parse test`);
    }
    if (!/\b(runToolkit|startToolkit)\(/.test(bare)) {
      problems.push(`${command}: tests/${path} has no spawned-CLI test (runToolkit/startToolkit)`);
    }
  }
  const names = new Set(commands.map((c) => `commands/${snake(c)}_test.ts`));
  for (const { path } of files) {
    const inSupport = path.startsWith("_support/");
    const isTest = path.endsWith("_test.ts");
    if (path.startsWith("commands/") && !names.has(path)) {
      problems.push(`tests/${path} names no registered command`);
    }
    if (inSupport && isTest) problems.push(`tests/${path} is a test inside tests/_support/`);
    if (!inSupport && !isTest) {
      problems.push(`tests/${path} is not a test: helpers go in _support/`);
    }
    if (isTest && !inSupport && !/^(commands|suites|lib)\/[^/]+$/.test(path)) {
      problems.push(`tests/${path} is outside tests/commands, tests/suites and tests/lib`);
    }
  }
  return problems;
}

/** Every .ts file under tests/, fixtures excepted (they are data, some of them TypeScript). */
function testTree(): TestTreeFile[] {
  const files: TestTreeFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        if (path !== "fixtures") walk(`${dir}/${e.name}`, path);
      } else if (e.name.endsWith(".ts")) {
        files.push({ path, text: Deno.readTextFileSync(`${dir}/${e.name}`) });
      }
    }
  };
  walk(`${root}/tests`, "");
  return files;
}

Deno.test("the tests are laid out as docs/architecture.md says: one file per command, suites, lib, _support", () => {
  const problems = layoutProblems(testTree(), registry.map((e) => e.name));
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

Deno.test("the layout check finds each kind of breakage", () => {
  const good = [
    'import scan from "../../lib/commands/scan.ts";',
    'Deno.test("p", () => scan.parse(["127.0.0.1"], g));',
    'Deno.test("s", () => runToolkit(["scan", "127.0.0.1"]));',
  ].join("\n");
  // Comment markers and quotes inside strings, templates and regexes fool nothing.
  const alsoGood = [
    good,
    good.replace('"p"', '"see http://x/* and // here"'),
    `const quote = /["'\`]/;\nconst re = /\\/*x/;\n${good}`,
    good.replace(
      '"s", () => runToolkit(["scan", "127.0.0.1"])',
      "`${'s'}`, () => runToolkit([`${`scan`}`])",
    ),
    good.replace('Deno.test("s", ', 'testIf(undefined, "s", '),
  ];
  for (const text of alsoGood) {
    assert.deepEqual(
      layoutProblems([{ path: "commands/scan_test.ts", text }], ["scan"]),
      [],
      text,
    );
  }
  const parseLine = 'Deno.test("p", () => scan.parse(["127.0.0.1"], g));';
  const spawnLine = 'Deno.test("s", () => runToolkit(["scan", "127.0.0.1"]));';
  const cases: [TestTreeFile[], string[], RegExp][] = [
    [[], ["scan"], /^scan: no tests\/commands\/scan_test\.ts$/],
    [
      [{ path: "commands/scan_test.ts", text: good.replace("scan.parse(", "scan.run(") }],
      ["scan"],
      /no in-process parse test/,
    ],
    [
      [{ path: "commands/scan_test.ts", text: good.replace("runToolkit(", "runInProcess(") }],
      ["scan"],
      /no spawned-CLI test/,
    ],
    // Calls that run nothing: in a line comment, a block comment, a string, a template.
    [
      [{ path: "commands/scan_test.ts", text: good.replace(parseLine, `// ${parseLine}`) }],
      ["scan"],
      /no in-process parse test/,
    ],
    [
      [{ path: "commands/scan_test.ts", text: good.replace(spawnLine, `/*\n${spawnLine}\n*/`) }],
      ["scan"],
      /no spawned-CLI test/,
    ],
    [
      [{
        path: "commands/scan_test.ts",
        text: good.replace("scan.parse(", 'console.log("scan.parse(", '),
      }],
      ["scan"],
      /no in-process parse test/,
    ],
    [
      [{ path: "commands/scan_test.ts", text: good.replace("runToolkit(", "`runToolkit(` && (") }],
      ["scan"],
      /no spawned-CLI test/,
    ],
    [
      [{ path: "commands/scan_test.ts", text: good.replace("import scan", "// import scan") }],
      ["scan"],
      /no in-process parse test/,
    ],
    // Zero tests: the calls at the top level, or the registrations only in comments.
    [
      [{
        path: "commands/scan_test.ts",
        text: 'import scan from "../../lib/commands/scan.ts";\nscan.parse(["127.0.0.1"], g);\n' +
          'await runToolkit(["scan", "127.0.0.1"]);',
      }],
      ["scan"],
      /scan_test\.ts registers no test/,
    ],
    [
      [{
        path: "commands/scan_test.ts",
        text: good.replaceAll("Deno.test(", "/* Deno.test( */ ["),
      }],
      ["scan"],
      /scan_test\.ts registers no test/,
    ],
    [[{ path: "commands/frob_test.ts", text: good }], [], /frob_test\.ts names no registered/],
    [[{ path: "suites/harness.ts", text: "" }], [], /is not a test: helpers go in _support/],
    [[{ path: "_support/x_test.ts", text: "" }], [], /is a test inside tests\/_support/],
    [[{ path: "scan_test.ts", text: "" }], [], /outside tests\/commands, tests\/suites/],
  ];
  for (const [files, commands, expected] of cases) {
    const problems = layoutProblems(files, commands);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], expected);
  }
});
