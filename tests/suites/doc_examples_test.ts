// Every engine module that documents an exported function or class shows it at work: it has at
// least one @example, which `deno task test` type-checks and runs (--doc). A module whose JSDoc
// has no example at all is what this catches; whether each function needs one is left to review.
import assert from "#assert";

/** The engine directories held to this (lib/cli, lib/commands, lib/mro, lib/drill, lib/collect
 * have examples too, but are not checked here). */
const checkedDirs = ["net", "ip", "arp", "scope", "text", "lab"];

/** An exported function or class with a JSDoc block right above it: its name. */
const documentedExport =
  /\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|(?:abstract\s+)?class)\s+(\w+)/g;

/** The documented exports of a module's source when it has no @example, else none. */
export function documentedWithoutExample(source: string): string[] {
  if (source.includes("@example")) return [];
  return [...source.matchAll(documentedExport)].map((m) => m[1]);
}

/** The repository root: the nearest directory above this file that holds deno.json. */
function repoRoot(): URL {
  let dir = new URL(".", import.meta.url);
  for (let i = 0; i < 5; i++) {
    try {
      Deno.statSync(new URL("deno.json", dir));
      return dir;
    } catch {
      dir = new URL("..", dir);
    }
  }
  throw new Error("deno.json not found above " + import.meta.url);
}

async function* modules(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* modules(new URL(`${e.name}/`, dir));
    else if (e.isFile && e.name.endsWith(".ts")) yield new URL(e.name, dir);
  }
}

Deno.test("doc examples: the detector flags a documented export in a module without @example", () => {
  const fn = "/** Adds. */\nexport function add(a: number, b: number) {\n  return a + b;\n}\n";
  const cls = "/**\n * A box.\n */\nexport class Box {}\n";
  assert.deepEqual(documentedWithoutExample(fn + cls), ["add", "Box"]);
  const withExample = "/**\n * Adds.\n *\n * @example\n * ```ts\n * add(1, 2);\n * ```\n */\n" +
    "export function add(a: number, b: number) {\n  return a + b;\n}\n";
  assert.deepEqual(documentedWithoutExample(withExample), []);
  // Undocumented exports, and JSDoc on something else (an interface, a constant), are not asked.
  const other = "export function bare() {}\n/** A shape. */\nexport interface Shape {}\n" +
    "/** A limit. */\nexport const limit = 3;\n";
  assert.deepEqual(documentedWithoutExample(other), []);
});

Deno.test("doc examples: every engine module with documented exports has an @example", async () => {
  const root = repoRoot();
  const missing: string[] = [];
  let checked = 0;
  for (const dir of checkedDirs) {
    for await (const url of modules(new URL(`lib/${dir}/`, root))) {
      checked++;
      const names = documentedWithoutExample(await Deno.readTextFile(url));
      if (names.length) {
        missing.push(`${url.pathname.slice(root.pathname.length)}: ${names.join(", ")}`);
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} modules found under lib/`);
  assert.deepEqual(missing, [], "modules with documented exports and no @example");
});
