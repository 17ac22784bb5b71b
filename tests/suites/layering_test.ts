// The layers of lib/ and what may import what, read from the import statements themselves (as
// denoland/std's circular-dependency check does): engines never reach up into the CLI or the
// commands, the drill engine neither, no command module imports another (what commands share is
// in lib/commands/_*.ts), and no module imports its way back into itself. There is no list of
// exceptions: a crossing import is moved or the code it needs moves down.
import assert from "#assert";
import { root } from "../_support/harness.ts";

/** Top-level layers: a path's layer is its first directory under lib/ (or `main`). */
const engines = ["ip", "mro", "arp", "net", "scope", "lab", "text"];

/** For each layer, the layers it may import (itself always). */
const allowed: Record<string, readonly string[]> = {
  main: ["cli", "commands", ...engines],
  commands: ["cli", "drill", "collect", ...engines],
  cli: ["commands", "drill", ...engines],
  drill: engines,
  // The class collector stores and shows drill reports: it reads lib/drill's shapes, nothing above.
  collect: ["drill", ...engines],
  ...Object.fromEntries(engines.map((e) => [e, engines])),
};

function layerOf(file: string): string {
  if (file === `${root}/main.ts`) return "main";
  const m = new RegExp(`^${root}/lib/([^/]+)/`).exec(file);
  if (!m) throw new Error(`not under lib/: ${file}`);
  return m[1];
}

/** Every .ts file under lib/ and main.ts, as absolute paths. */
function sources(): string[] {
  const out = [`${root}/main.ts`];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (e.name.endsWith(".ts")) out.push(path);
    }
  };
  walk(`${root}/lib`);
  return out.sort();
}

/**
 * The local modules a file imports: static `import`/`export ... from` (type-only ones too: a
 * cycle through types is still a cycle in the design) and, unless `staticOnly`, `import("...")`
 * with a literal. A dynamic import is a load at run time (the registry's lazy commands): it must
 * respect the layers, but it adds no edge to the graph a module is evaluated in.
 */
function importsOf(file: string, staticOnly = false): string[] {
  const text = Deno.readTextFileSync(file)
    // Comments and JSDoc examples are not imports.
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gm),
    ...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm),
    ...(staticOnly ? [] : text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)),
  ].map((m) => m[1]);
  const dir = file.slice(0, file.lastIndexOf("/"));
  return specs.flatMap((s) => {
    // A bare alias resolves against deno.json (so a local alias cannot hide an import); every
    // local import names a .ts or .json file: a directory or another extension would pass unseen.
    if (importMap[s]?.startsWith(".")) return [new URL(importMap[s], `file://${root}/`).pathname];
    return s.startsWith(".") ? [new URL(s, `file://${dir}/`).pathname] : [];
  }).filter((path) => {
    // JSON imports are data (deno.json, recorded tables), not layers: they only have to exist.
    if (!path.endsWith(".json")) return true;
    assert.ok(Deno.statSync(path).isFile, `${file} imports ${path}, which is not a file`);
    return false;
  });
}

/** deno.json's import map: an alias to a local file is read as that file. */
const importMap: Record<string, string> = JSON.parse(
  Deno.readTextFileSync(`${root}/deno.json`),
).imports ?? {};

const graph = new Map(sources().map((f) => [f, importsOf(f)]));
const staticGraph = new Map(sources().map((f) => [f, importsOf(f, true)]));
const rel = (f: string) => f.slice(root.length + 1);

Deno.test("the import graph is read: every local import resolves to a file of lib/", () => {
  for (const [file, deps] of graph) {
    for (const d of deps) {
      assert.ok(d.endsWith(".ts"), `${rel(file)} imports ${d}: a local import names a .ts file`);
      if (d.startsWith(`${root}/lib/`) || d === `${root}/main.ts`) {
        assert.ok(graph.has(d), `${rel(file)} imports ${rel(d)}, which does not exist`);
      }
    }
  }
  assert.ok(graph.size > 100, `only ${graph.size} modules found`);
});

Deno.test("layers: engines and lib/drill never import lib/cli or lib/commands", () => {
  const crossing: string[] = [];
  for (const [file, deps] of graph) {
    const from = layerOf(file);
    for (const d of deps.filter((d) => graph.has(d))) {
      const to = layerOf(d);
      if (to !== from && !(allowed[from] ?? []).includes(to)) {
        crossing.push(`${rel(file)} (${from}) imports ${rel(d)} (${to})`);
      }
    }
  }
  assert.deepEqual(crossing, [], `imports that cross the layers:\n  ${crossing.join("\n  ")}`);
});

/**
 * lib/cli reaches the commands only through the registry (the table it dispatches on), never a
 * command module or a shared one: a cli module re-exporting a command would be a bridge between
 * commands that the rule below could not see.
 */
Deno.test("cli: lib/cli imports nothing from lib/commands but the registry", () => {
  const dir = `${root}/lib/commands/`;
  const crossing = [...graph].filter(([f]) => layerOf(f) === "cli").flatMap(([f, deps]) =>
    deps.filter((d) => d.startsWith(dir) && d !== `${dir}registry.ts`).map((d) =>
      `${rel(f)} imports ${rel(d)}`
    )
  );
  assert.deepEqual(crossing, []);
  assert.ok(
    [...graph].some(([f, deps]) => layerOf(f) === "cli" && deps.includes(`${dir}registry.ts`)),
    "the rule reads real imports: lib/cli dispatches through the registry",
  );
});

/**
 * The commands that list other commands, and so import the registry: help (prints them),
 * completions (writes a script that knows them), scope (`scope --for COMMAND`). Any other command
 * importing the registry could load another command through it.
 */
const registryReaders = ["help.ts", "completions.ts", "scope.ts"];

Deno.test("commands: only help, completions and scope import the registry", () => {
  const dir = `${root}/lib/commands/`;
  const readers = [...graph].filter(([f, deps]) =>
    f.startsWith(dir) && f !== `${dir}registry.ts` && deps.includes(`${dir}registry.ts`)
  ).map(([f]) => f.slice(dir.length)).sort();
  assert.deepEqual(readers, [...registryReaders].sort());
});

/**
 * Within lib/commands: a command module (`name.ts`) may import the shared `_name.ts` modules and
 * the registry (help, completions and scope list the commands through it); a shared module only
 * other shared modules. Only the registry loads command modules.
 */
Deno.test("commands: a command imports no other command, only the shared _*.ts modules", () => {
  const dir = `${root}/lib/commands/`;
  const name = (f: string) => f.slice(dir.length);
  const isShared = (f: string) => name(f).startsWith("_");
  const registry = `${dir}registry.ts`;
  const crossing: string[] = [];
  for (const [file, deps] of graph) {
    if (!file.startsWith(dir) || file === registry) continue;
    for (const d of deps.filter((d) => d.startsWith(dir) && !isShared(d))) {
      if (isShared(file) || d !== registry) {
        const what = isShared(file) ? "a shared module" : "a command module";
        crossing.push(`${rel(file)} (${what}) imports ${rel(d)}`);
      }
    }
  }
  assert.deepEqual(
    crossing,
    [],
    `imports between lib/commands modules; move what they share to a _name.ts module:\n  ${
      crossing.join("\n  ")
    }`,
  );
  // The rule reads real modules: the shared ones exist and commands import them.
  const shared = [...graph.keys()].filter((f) => f.startsWith(dir) && isShared(f));
  assert.ok(shared.length >= 5, `only ${shared.length} shared modules found in lib/commands`);
  assert.ok(
    [...graph.values()].some((deps) => deps.some((d) => d.startsWith(dir) && isShared(d))),
    "no module imports a shared lib/commands module",
  );
});

Deno.test("no module imports its way back into itself", () => {
  // Tarjan's strongly connected components; any component of more than one module is a cycle.
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of staticGraph.get(v) ?? []) {
      if (!staticGraph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (staticGraph.get(v) ?? []).includes(v)) {
        cycles.push(scc.map(rel).sort());
      }
    }
  };
  for (const v of staticGraph.keys()) if (!idx.has(v)) visit(v);
  assert.deepEqual(
    cycles,
    [],
    `import cycles:\n  ${cycles.map((c) => c.join(" <-> ")).join("\n  ")}`,
  );
});
