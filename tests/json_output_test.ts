// Every command's `--json` output against its published JSON Schema (docs/json/<command>.json),
// errors against docs/json/error.json, and the convention of docs/json.md checked over
// all the schemas at once, so a renamed key, a new snake_case key or a new command without a
// schema fails here.
import assert from "#assert";
import { Ajv2020 } from "ajv/dist/2020.js";
import { registry } from "../lib/commands/registry.ts";
import { drillSchema } from "../lib/drill/schema.ts";
import { jsonCases, labUnavailable, Peers, type Produced } from "./json_cases.ts";
import { root, runToolkit, startToolkit } from "./harness.ts";
import { exampleArgs } from "./command_lines.ts";
import { runInProcess } from "./in_process.ts";
import { serve } from "./serve_process.ts";

const docs = `${root}/docs/json`;

/** docs/json/<file> for a command: `subnet info` is `subnet-info.json`. */
export const schemaFile = (command: string) => `${command.replaceAll(" ", "-")}.json`;

/** Every schema in docs/json, by file name. */
function readSchemas(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const e of Deno.readDirSync(docs)) {
    if (e.name.endsWith(".json")) {
      out.set(e.name, JSON.parse(Deno.readTextFileSync(`${docs}/${e.name}`)));
    }
  }
  return out;
}

const schemas = readSchemas();

/** Schemas that are not one command's output. */
const shared = ["error.json", "warning.json"];

/**
 * Keys in the schemas of commands other engineers are changing right now, that break the
 * convention on main, by schema file: each is checked to still be there (remove it here when it
 * is fixed) and is left out of the convention checks meanwhile. `subnet aggregate` counts its
 * input and output prefixes as plural nouns (inputCount, outputCount by the convention); subnet
 * is being reworked in another branch.
 */
const pending: Record<string, string[]> = {
  "subnet-aggregate.json": ["inputs", "outputs"],
};

/**
 * Plural nouns that are not lists, each with why: a plural noun is a list (or an object of
 * them), and the count of a list is ...Count. Kept to what the convention itself names.
 */
const pluralNotAList: Record<string, string> = {
  usableHosts: "a count of addresses, a decimal string like addressCount (docs/json.md: Numbers)",
  sys: "the name of Deno's permission (scope, drill's declared scope)",
  hosts: "in knownClashes: subnet split's asked host count",
};

/** Keys that spell a concept another way than the convention does. */
const synonyms: Record<string, string> = {
  ip: "address",
  ips: "addresses",
  from: "remote",
  to: "remote",
  peer: "remote",
  target: "remote",
  server: "remote",
  seconds: "durationMs",
  ms: "durationMs or rttMs",
  timeMs: "durationMs",
  elapsedMs: "durationMs",
  scopeid: "scopeId",
  localPort: "port",
  peerPort: "remotePort",
  host: "remote (the peer) or address (this end)",
  bytes: "sent or received (a transfer), size (one datagram or reply)",
  rateBps: "bitsPerSecond",
};

function ajv(): Ajv2020 {
  // Strict, but a type may be a list (`["string", "null"]`) and `if`/`then` may require keys the
  // `then` does not declare again.
  const a = new Ajv2020({
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
    strictRequired: false,
  });
  // Annotations of the drill file schema for editors and drill check (lib/drill/schema.ts).
  for (const keyword of ["x-discriminator", "x-exactly-one-of"]) a.addKeyword(keyword);
  for (const [name, s] of schemas) a.addSchema(s, name);
  // `drill show` prints a drill file: its schema is the one `drill schema` prints (lib/drill).
  a.addSchema(structuredClone(drillSchema));
  return a;
}

interface Property {
  file: string;
  path: string;
  name: string;
  schema: Record<string, unknown>;
}

/** Every property of every object in a schema, with its path, following `oneOf` and `items`. */
function properties(file: string, s: unknown, path = "", out: Property[] = []): Property[] {
  if (s === null || typeof s !== "object") return out;
  const o = s as Record<string, unknown>;
  for (const [name, sub] of Object.entries(o.properties as Record<string, unknown> ?? {})) {
    out.push({ file, path: `${path}.${name}`, name, schema: sub as Record<string, unknown> });
    properties(file, sub, `${path}.${name}`, out);
  }
  if (o.items) properties(file, o.items, `${path}[]`, out);
  for (const [i, sub] of ((o.oneOf ?? o.anyOf ?? []) as unknown[]).entries()) {
    properties(file, sub, `${path}<${i}>`, out);
  }
  for (const [name, sub] of Object.entries(o.$defs as Record<string, unknown> ?? {})) {
    properties(file, sub, `#${name}`, out);
  }
  return out;
}

/** Every object schema (one with `properties`) in a schema, with its path. */
function objects(s: unknown, path = "", out: [string, Record<string, unknown>][] = []) {
  if (s === null || typeof s !== "object") return out;
  const o = s as Record<string, unknown>;
  if (o.properties) out.push([path || "(root)", o]);
  for (const [name, sub] of Object.entries(o.properties as Record<string, unknown> ?? {})) {
    objects(sub, `${path}.${name}`, out);
  }
  if (o.items) objects(o.items, `${path}[]`, out);
  for (const [i, sub] of ((o.oneOf ?? o.anyOf ?? []) as unknown[]).entries()) {
    objects(sub, `${path}<${i}>`, out);
  }
  for (const [name, sub] of Object.entries(o.$defs as Record<string, unknown> ?? {})) {
    objects(sub, `#${name}`, out);
  }
  return out;
}

/** A property's JSON type without `null` (`$ref`s here all point at objects). */
function typeOf(s: Record<string, unknown>): string {
  if (s.$ref) return "object";
  if (s.anyOf || s.oneOf) {
    return [...new Set(((s.anyOf ?? s.oneOf) as Record<string, unknown>[]).map(typeOf))]
      .filter((t) => t !== "").join("|");
  }
  if (s.const !== undefined) return typeof s.const;
  const values = (s.enum as unknown[] | undefined)?.filter((v) => v !== null);
  let t = s.type ?? (values ? [...new Set(values.map((v) => typeof v))] : "any");
  if (!Array.isArray(t)) t = [t];
  return (t as string[]).filter((x) => x !== "null").map((x) => x === "integer" ? "number" : x)
    .join("|");
}

/**
 * Keys that still mean two things in two places, each with the reason it is left so (see the
 * report of issue 17's JSON part); the check fails once a key here has one type again.
 */
const knownClashes: Record<string, string> = {
  net: "drill run's report lists a drill's declared scope; `scope` reports each kind's grants",
  read: "as net",
  write: "as net",
  run: "as net",
  env: "as net",
  sys: "as net",
  implicit: "drill run's report lists the implicit grants; `scope` flags each grant",
  received: "drill run's diff shows the received bytes as text; elsewhere a byte count",
  broadcast: "mac's flag for ff:ff:ff:ff:ff:ff; lab status lists each segment's broadcasts",
  router: "arp show's IPv6 router flag; lab up --dry-run's router plan",
  hosts: "subnet split's asked host count; lab up --dry-run's host plans",
  ipv4: "lab up --dry-run plans one address per interface; lab status lists them",
  ipv6: "as ipv4",
};

const isPending = (p: Property) => pending[p.file]?.includes(p.name) ?? false;

Deno.test("every registered command has a --json case and a published schema, and nothing else is", () => {
  const names = registry.map((e) => e.name);
  assert.deepEqual(Object.keys(jsonCases).sort(), [...names].sort(), "tests/json_cases.ts rows");
  const expected = [...names.map(schemaFile), ...shared].sort();
  assert.deepEqual([...schemas.keys()].sort(), expected, "files in docs/json");
});

Deno.test("every schema is valid draft 2020-12 and strict: closed objects, optional keys explained", () => {
  const a = ajv();
  const problems: string[] = [];
  for (const [file, s] of schemas) {
    if (s.$schema !== "https://json-schema.org/draft/2020-12/schema") {
      problems.push(`${file}: $schema`);
    }
    if (s.$id !== `https://toolkit.invalid/json/${file}`) problems.push(`${file}: $id`);
    if (typeof s.title !== "string" || typeof s.description !== "string") {
      problems.push(`${file}: a title and a description`);
    }
    assert.ok(a.getSchema(file), `${file} compiles`);
    for (const [path, o] of objects(s)) {
      if (o.additionalProperties !== false) problems.push(`${file} ${path}: additionalProperties`);
      if (!Array.isArray(o.required)) problems.push(`${file} ${path}: no required list`);
      const required = new Set(o.required as string[] ?? []);
      for (const [key, sub] of Object.entries(o.properties as Record<string, unknown>)) {
        const d = (sub as { description?: unknown }).description;
        if (!required.has(key) && typeof d !== "string") {
          problems.push(
            `${file} ${path}.${key}: optional, but no description says when it is there`,
          );
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("the convention holds over every schema: camelCase, one spelling and one type per key", () => {
  const all = [...schemas].filter(([f]) => !shared.includes(f))
    .flatMap(([f, s]) => properties(f, s));
  const problems: string[] = [];
  for (const [file, keys] of Object.entries(pending)) {
    for (const key of keys) {
      if (!all.some((p) => p.file === file && p.name === key)) {
        problems.push(`${file}: '${key}' is fixed: remove it from the pending list`);
      }
    }
  }
  const types = new Map<string, Map<string, string>>();
  for (const p of all.filter((p) => !isPending(p))) {
    const where = `${p.file} ${p.path}`;
    if (!/^[a-z][a-zA-Z0-9]*$/.test(p.name)) problems.push(`${where}: not camelCase`);
    if (Object.hasOwn(synonyms, p.name)) {
      problems.push(`${where}: spelled '${synonyms[p.name]}' everywhere else`);
    }
    if (p.name === "family") {
      const values = p.schema.enum as string[] | undefined;
      if (!values?.every((v) => v === "ipv4" || v === "ipv6" || v === null)) {
        problems.push(`${where}: family is "ipv4" or "ipv6"`);
      }
    }
    if (/Ms$/.test(p.name) && !/^number$/.test(typeOf(p.schema)) && !p.schema.properties) {
      problems.push(`${where}: a duration in milliseconds is a number`);
    }
    // A plural noun is a list; its count is ...Count (`attempts` was a count, now attemptCount).
    if (
      /[^su]s$/.test(p.name) && !/Ms$/.test(p.name) && !Object.hasOwn(pluralNotAList, p.name) &&
      !/^(array|object)$/.test(typeOf(p.schema))
    ) {
      problems.push(`${where}: a plural noun names a list; a count is ...Count`);
    }
    const t = typeOf(p.schema);
    if (!types.has(p.name)) types.set(p.name, new Map());
    types.get(p.name)!.set(t, where);
  }
  for (const [name, why] of Object.entries(knownClashes)) {
    if ((types.get(name)?.size ?? 0) < 2) {
      problems.push(`'${name}' has one type now: remove it from knownClashes (${why})`);
    }
    types.delete(name);
  }
  for (const [name, seen] of types) {
    if (seen.size > 1) {
      problems.push(
        `'${name}' has ${seen.size} types: ${[...seen].map(([t, w]) => `${t} (${w})`).join(", ")}`,
      );
    }
  }
  assert.deepEqual(problems, []);
});

/** Validation errors of `value` against a schema, as readable lines. */
function check(a: Ajv2020, file: string, value: unknown): string[] {
  const validate = a.getSchema(file)!;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) =>
    `${file}${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`
  );
}

for (const [command, run] of Object.entries(jsonCases)) {
  Deno.test({
    name: `${command} --json: every document, NDJSON line and event matches ${schemaFile(command)}`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      if (command.startsWith("lab ") && labUnavailable()) {
        console.error(`${command}: ${labUnavailable()}; only the runs without a lab`);
      }
      const peers = new Peers();
      let runs: Produced[];
      try {
        runs = await run(peers);
      } finally {
        await peers.close();
      }
      const a = ajv();
      const problems: string[] = [];
      // -v's lines are where plain text slipped onto stderr under --json: a command that has the
      // option is run with it.
      const spec = (await registry.find((e) => e.name === command)!.load()).spec;
      if (
        spec.options.some((o) => o.name === "verbose") &&
        !runs.some((r) => r.argv.includes("-v") || r.argv.includes("--verbose"))
      ) problems.push(`${command} has --verbose: give a run of its json case -v`);
      for (const r of runs) {
        const label = `toolkit ${r.argv.join(" ")} (exit ${r.code})`;
        if (r.documents.length + r.errors.length === 0) problems.push(`${label}: printed no JSON`);
        if (r.text.length) {
          problems.push(`${label}: text on stderr under --json: ${r.text.join(" | ")}`);
        }
        for (const d of r.documents) {
          problems.push(...check(a, schemaFile(command), d).map((m) => `${label}: ${m}`));
        }
        for (const e of r.errors) {
          problems.push(...check(a, "error.json", e).map((m) => `${label}: ${m}`));
        }
        for (const w of r.warnings) {
          problems.push(...check(a, "warning.json", w).map((m) => `${label}: ${m}`));
        }
      }
      assert.deepEqual(problems, []);
    },
  });
}

Deno.test("a renamed, missing or retyped key fails its schema (the schemas are strict)", async () => {
  const a = ajv();
  const doc = JSON.parse(
    (await runToolkit(["--json", "subnet", "info", "10.1.2.3/24"])).stdout,
  );
  assert.deepEqual(check(a, "subnet-info.json", doc), []);
  const { network, ...renamed } = doc;
  assert.notDeepEqual(check(a, "subnet-info.json", { ...renamed, prefix: network }), []);
  assert.notDeepEqual(check(a, "subnet-info.json", renamed), []);
  assert.notDeepEqual(check(a, "subnet-info.json", { ...doc, addressCount: 256 }), []);
  assert.notDeepEqual(check(a, "subnet-info.json", { ...doc, family: "IPv4" }), []);
});

// Errors under --json: the last stderr line is the error object, and nothing else says it.

/** The error object a `--json` run ended with, after checking it is alone and valid. */
function lastError(a: Ajv2020, label: string, stderr: string) {
  const lines = stderr.trimEnd().split("\n");
  const last = JSON.parse(lines.at(-1)!);
  assert.deepEqual(check(a, "error.json", last), [], label);
  for (const line of lines.slice(0, -1)) {
    assert.doesNotThrow(() => JSON.parse(line), `${label}: a text line on stderr: ${line}`);
  }
  assert.doesNotMatch(stderr, /toolkit: error:|^Try /m, label);
  return last.error;
}

Deno.test({
  name: "errors under --json: usage, input, network, scope and interrupted, from several commands",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const a = ajv();
    const closed = new Peers().closedPort();
    const scopeFile = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(scopeFile, JSON.stringify({ net: ["127.0.0.1:9"], read: [] }));
    const cases: [string[], Record<string, unknown>][] = [
      [["udp-send"], { kind: "usage", exitCode: 2, command: "udp-send" }],
      [["subnet", "split", "--bogus", "10.0.0.0/8"], { kind: "usage", exitCode: 2 }],
      [["--net"], { kind: "usage", exitCode: 2, command: null, hint: "Try 'toolkit --help'" }],
      [[], { kind: "usage", exitCode: 2, message: "missing command" }],
      [["subnet"], { kind: "usage", exitCode: 2, command: "subnet" }],
      [["subnet", "info", "10.0.0.256"], { kind: "input", exitCode: 2 }],
      [["mro", "/nonexistent/x.py"], { kind: "input", exitCode: 2, path: "/nonexistent/x.py" }],
      [["arp", "show", "--file", "-"], { kind: "input", exitCode: 2 }],
      [["tcp-connect", `127.0.0.1:${closed}`], {
        kind: "network",
        exitCode: 3,
        failure: "connection refused",
        address: `127.0.0.1:${closed}`,
      }],
      [["tcp-send", `127.0.0.1:${closed}`, "x"], { kind: "network", exitCode: 3 }],
      [["--net", "127.0.0.1:9", "udp-send", "127.0.0.1:10", "x"], {
        kind: "scope",
        exitCode: 4,
        permission: "net",
        resource: "127.0.0.1:10",
      }],
      [["--scope", scopeFile, "mro", "/etc/hostname"], {
        kind: "scope",
        exitCode: 4,
        permission: "read",
      }],
    ];
    try {
      for (const [args, want] of cases) {
        const label = `toolkit --json ${args.join(" ")}`;
        const stdin = args[0] === "arp" ? "not a table\n" : undefined;
        const r = await runToolkit(["--json", ...args], { stdin });
        assert.equal(r.code, want.exitCode, `${label}: ${r.stderr}`);
        const error = lastError(a, label, r.stderr);
        for (const [k, v] of Object.entries(want)) assert.deepEqual(error[k], v, `${label}: ${k}`);
        // Without --json, the same failure is the one text line people read (a bare `toolkit`
        // or `toolkit subnet` shows the help instead).
        if (args.length === 0 || args.join(" ") === "subnet") continue;
        const text = await runToolkit(args, { stdin });
        assert.equal(text.code, r.code, label);
        assert.match(text.stderr, /^toolkit: error: /m, label);
        assert.ok(text.stderr.includes(`toolkit: error: ${error.message}\n`), label);
      }
    } finally {
      await Deno.remove(scopeFile);
    }
  },
});

Deno.test({
  name: "errors under --json: data printed before the failure stays on stdout",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const a = ajv();
    const closed = new Peers().closedPort();
    const r = await runToolkit(["--json", "tcp-ping", "-c", "1", `127.0.0.1:${closed}`]);
    assert.equal(r.code, 3);
    assert.equal(JSON.parse(r.stdout).failed, 1, "the statistics, on stdout");
    assert.equal(lastError(a, "tcp-ping", r.stderr).kind, "network");
  },
});

Deno.test({
  name: "errors under --json: Ctrl-C ends stderr with the interrupted object, narrowed or not",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const a = ajv();
    for (const narrowing of [[], ["--net", "127.0.0.1"]]) {
      const argv = ["--json", ...narrowing, "tcp-listen", "127.0.0.1:0"];
      const srv = startToolkit(argv, { stdinPiped: true });
      await srv.waitForStderr(/"event":"listening"/);
      srv.child.kill("SIGINT");
      const r = await srv.finish();
      assert.equal(r.code, 130, r.stderr);
      const error = lastError(a, argv.join(" "), r.stderr);
      assert.deepEqual([error.kind, error.exitCode, error.message], [
        "interrupted",
        130,
        "interrupted",
      ]);
      // For people, Ctrl-C stays silent, as in nc.
      const quiet = startToolkit(argv.slice(1), { stdinPiped: true });
      await quiet.waitForStderr(/listening on/);
      quiet.child.kill("SIGINT");
      const q = await quiet.finish();
      assert.equal(q.code, 130);
      assert.doesNotMatch(q.stderr, /error/);
    }
    // A command that runs in a scope of its own (drill serve) ends the same way.
    const dir = await Deno.makeTempDir({ prefix: "toolkit-json-" });
    try {
      const srv = await serve(["127.0.0.1:0", "--db", `${dir}/class.db`]);
      const r = await srv.stop();
      assert.equal(r.code, 130, r.stderr);
      assert.equal(lastError(a, "drill serve", r.stderr).kind, "interrupted");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("errors under --json: an internal error and --debug's stack, as formatted", async () => {
  const { formatError, internalError } = await import("../lib/cli/report.ts");
  const a = ajv();
  const line = formatError(internalError("x is undefined"), { debug: true, json: true }, "at f");
  const error = lastError(a, "internal", line);
  assert.deepEqual([error.kind, error.exitCode, error.stack], ["internal", 70, "at f"]);
  assert.match(error.message, /^internal error: x is undefined \(run with --debug/);
  const text = formatError(internalError("x is undefined"), { debug: false, json: false });
  assert.equal(text, `toolkit: error: ${error.message}\n`);
});

/** Commands that touch no network, no lab and no live table: their help examples run as given. */
const pureGroups = new Set(["subnet", "mro", "drill", "toolkit"]);

/**
 * Commands of those groups that do need the network: covered by their rows in json_cases.ts.
 * `drill run` runs drills; `drill serve` listens until Ctrl-C; `drill submit` posts to a collector.
 */
const networked = new Set(["drill run", "drill serve", "drill submit"]);

/**
 * Whether a command line runs in a narrowed scope (`--net`, `--scope`, `scope --for`): its Worker
 * writes to the process's own stdout, so such a line runs as a process, not in this one.
 */
const sandboxed = (args: string[]) =>
  args.includes("--net") || args.includes("--scope") || args.includes("--for");

Deno.test("every help example of the commands that need no network is valid JSON under --json", async () => {
  const a = ajv();
  const problems: string[] = [];
  let ran = 0;
  for (const entry of registry) {
    if (!pureGroups.has(entry.group) && entry.name !== "mac") continue;
    if (networked.has(entry.name)) continue;
    for (const example of (await entry.load()).spec.examples) {
      const args = exampleArgs(example);
      if (!args) continue;
      ran++;
      const r = sandboxed(args)
        ? await runToolkit(["--json", ...args], { stdin: "" })
        : await runInProcess(["--json", ...args], "");
      const label = `toolkit --json ${args.join(" ")} (exit ${r.code})`;
      if (r.code >= 2) {
        const last = r.stderr.trimEnd().split("\n").at(-1) ?? "";
        problems.push(...check(a, "error.json", JSON.parse(last)).map((m) => `${label}: ${m}`));
        continue;
      }
      let docs: unknown[];
      try {
        docs = [JSON.parse(r.stdout)];
      } catch {
        docs = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      }
      for (const d of docs) {
        problems.push(...check(a, schemaFile(entry.name), d).map((m) => `${label}: ${m}`));
      }
    }
  }
  assert.ok(ran >= 30, `only ${ran} examples ran`);
  assert.deepEqual(problems, []);
});

Deno.test("drill run's report has one schema: docs/json/drill-run.json (and drill schema --report, where it exists)", async () => {
  const mod = await registry.find((e) => e.name === "drill schema")!.load();
  // `drill schema --report` comes with drill serve (issue 18): from then on both must say the same.
  if (!mod.spec.options.some((o) => o.name === "report")) return;
  const r = await runToolkit(["drill", "schema", "--report"]);
  assert.equal(r.code, 0, r.stderr);
  const strip = ({ $id: _i, title: _t, description: _d, ...rest }: Record<string, unknown>) => rest;
  assert.deepEqual(strip(JSON.parse(r.stdout)), strip(schemas.get("drill-run.json")!));
});
