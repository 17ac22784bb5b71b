// Reads a drill file (YAML or JSON: JSON is read by the same YAML 1.2 parser) into a validated
// `Drill`, or throws one `DrillFileError` listing every problem with its line and column, so a
// teacher fixes a file in one pass.
import { isNode, LineCounter, parseDocument } from "yaml";
import { parseHostPort } from "../net/address.ts";
import { parseHex } from "../net/payload.ts";
import {
  connName,
  type DeniedKind,
  type Drill,
  drillDurationMs,
  drillSchema,
  type DrillScope,
  type Step,
  stepAction,
} from "./schema.ts";
import { splitCommand } from "./command_line.ts";
import { scopeKinds } from "../scope/types.ts";
import { drillNarrowing } from "./permissions.ts";
import { placeholderPattern } from "./variables.ts";
import { printable } from "../text/printable.ts";

/** One problem in a drill file, 1-based line and column. */
export interface DrillIssue {
  line: number;
  col: number;
  message: string;
}

/**
 * A drill file that cannot be used. `issues` are sorted by position; the message names the first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DrillFileError, parseDrill } from "./load.ts";
 *
 * assert.throws(() => parseDrill("name: x\n", "x.yaml"), (e) => {
 *   assert.ok(e instanceof DrillFileError);
 *   assert.equal(e.file, "x.yaml");
 *   assert.deepEqual(e.issues, [{ line: 1, col: 1, message: 'missing "steps"' }]);
 *   assert.match(e.message, /^Malformed drill file x\.yaml: 1 problem, first at line 1: missing/);
 *   return true;
 * });
 * ```
 */
export class DrillFileError extends SyntaxError {
  readonly file: string;
  readonly issues: DrillIssue[];
  constructor(file: string, issues: DrillIssue[]) {
    const first = issues[0];
    super(
      `Malformed drill file ${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}` +
        (first ? `, first at line ${first.line}: ${first.message}` : ""),
    );
    this.name = "DrillFileError";
    this.file = file;
    this.issues = issues;
  }
}

type Path = (string | number)[];
interface RawIssue {
  path: Path;
  message: string;
}

// deno-lint-ignore no-explicit-any
type SchemaNode = any;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(expected: string | readonly string[], v: unknown): boolean {
  const actual = typeOf(v);
  const list = typeof expected === "string" ? [expected] : expected;
  return list.some((t) => t === actual || (t === "number" && actual === "integer"));
}

function resolve(node: SchemaNode): SchemaNode {
  if (node && typeof node.$ref === "string") {
    return (drillSchema.$defs as SchemaNode)[node.$ref.replace("#/$defs/", "")];
  }
  return node;
}

/** Whether `key` is one of the object's own keys (`constructor` is not a key of `{}`). */
const has = (o: object | undefined, key: string): boolean =>
  o !== undefined && Object.hasOwn(o, key);

/**
 * A copy of a parsed document in which every mapping is a null-prototype object: a key such as
 * `__proto__`, `constructor` or `prototype` is then an ordinary key, which the schema refuses like
 * any unknown key, and never a way into `Object.prototype`.
 */
function withoutPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrototypes);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, v] of Object.entries(value)) out[key] = withoutPrototypes(v);
  return out;
}

const show = (v: unknown) => JSON.stringify(v);

/** Validates `value` against the schema subset the drill schema uses. */
function validate(schemaNode: SchemaNode, value: unknown, path: Path, out: RawIssue[]): void {
  const s = resolve(schemaNode);
  if (s.oneOf) {
    if (path.length === 2 && path[0] === "steps") return validateStep(value, path, out);
    const fits = s.oneOf.map(resolve).filter((b: SchemaNode) =>
      !b.type || typeMatches(b.type, value)
    );
    const candidates = fits.length ? fits : s.oneOf.map(resolve);
    let best: RawIssue[] | undefined;
    for (const branch of candidates) {
      const issues: RawIssue[] = [];
      validate(branch, value, path, issues);
      if (issues.length === 0) return;
      if (!best || issues.length < best.length) best = issues;
    }
    out.push(...best!);
    return;
  }
  if ("const" in s && value !== s.const) {
    out.push({ path, message: `must be ${show(s.const)}` });
    return;
  }
  if (s.enum && !s.enum.includes(value)) {
    out.push({ path, message: `must be one of ${s.enum.join(", ")} (got ${show(value)})` });
    return;
  }
  if (s.type && !typeMatches(s.type, value)) {
    const want = typeof s.type === "string" ? s.type : s.type.join(" or ");
    out.push({ path, message: `must be ${article(want)} (got ${typeOf(value)})` });
    return;
  }
  if (typeof value === "string" && s.pattern && !new RegExp(s.pattern).test(value)) {
    out.push({ path, message: `${show(value)} is not valid here${patternHint(s)}` });
  }
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < s.minimum) {
      out.push({ path, message: `must be at least ${s.minimum} (got ${value})` });
    }
    if (s.maximum !== undefined && value > s.maximum) {
      out.push({ path, message: `must be at most ${s.maximum} (got ${value})` });
    }
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) {
      out.push({
        path,
        message: `needs at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`,
      });
    }
    if (s.items) value.forEach((item, i) => validate(s.items, item, [...path, i], out));
  }
  if (typeOf(value) === "object") {
    const o = value as Record<string, unknown>;
    for (const key of s.required ?? []) {
      if (!has(o, key)) out.push({ path, message: `missing "${key}"` });
    }
    for (const [key, v] of Object.entries(o)) {
      if (has(s.properties, key)) validate(s.properties[key], v, [...path, key], out);
      else if (s.additionalProperties === false) {
        const known = Object.keys(s.properties ?? {}).join(", ");
        out.push({ path: [...path, key], message: `unknown key "${key}" (expected ${known})` });
      }
    }
    const one: string[] | undefined = s["x-exactly-one-of"];
    if (one) {
      const present = one.filter((k) => has(o, k));
      if (present.length !== 1) {
        out.push({
          path,
          message: present.length === 0
            ? `needs one of ${one.join(", ")}`
            : `takes only one of ${present.join(", ")}`,
        });
      }
    }
  }
}

function article(word: string): string {
  return (/^[aeiou]/.test(word) ? "an " : "a ") + word;
}

function patternHint(s: SchemaNode): string {
  if (s.description) return ` (${s.description})`;
  if (s.pattern === "^[A-Za-z_][A-Za-z0-9_.-]*$") return " (a name: letters, digits, _ . -)";
  if (s.pattern?.startsWith("^(0x)?[0-9a-f")) return " (hex digits)";
  if (s.pattern === "^[a-z0-9][a-z0-9._-]*$") return " (lower-case letters, digits, . _ -)";
  return "";
}

function validateStep(value: unknown, path: Path, out: RawIssue[]): void {
  if (typeOf(value) !== "object") {
    out.push({ path, message: `a step must be a mapping such as "connect: {...}"` });
    return;
  }
  const kinds = Object.keys(value as object).filter((k) => k !== "name");
  const defs = drillSchema.$defs as SchemaNode;
  const known = kinds.filter((k) => has(defs, k) && defs[k].required?.[0] === k);
  if (known.length !== 1) {
    const list = drillSchema.$defs.step.oneOf.map((r) => r.$ref.replace("#/$defs/", ""));
    const unknown = kinds.find((k) => !known.includes(k));
    out.push({
      path: unknown && known.length === 0 ? [...path, unknown] : path,
      message: known.length > 1
        ? `a step has one action, this one has ${known.join(" and ")}`
        : unknown
        ? `unknown step "${unknown}" (expected one of ${list.join(", ")})`
        : `a step needs an action (one of ${list.join(", ")})`,
    });
    return;
  }
  const kind = known[0];
  const step = value as Record<string, unknown>;
  const fields = Object.keys(defs[kind].properties[kind].properties ?? {});
  const strays = Object.keys(step).filter((k) => k !== "name" && k !== kind);
  if (step[kind] === null && strays.length && strays.every((k) => fields.includes(k))) {
    // `- connect:` followed by `as: c` at the same depth: the fields belong one level deeper.
    out.push({
      path: [...path, kind],
      message: `"${kind}" is empty: indent ${strays.join(", ")} two more spaces, under ${kind}`,
    });
    return;
  }
  validate(defs[kind], value, path, out);
}

/**
 * What a `{{port.NAME}}` stands for while a drill is checked: the largest port, so a placeholder
 * glued to digits (`{{port.a}}0`) is refused by `drill check` as it would be once bound.
 */
const portProbe = "65535";

/**
 * The scope's meaning: every `net` entry must be one the sandbox can be given. The single place
 * scope rules apply to a drill file: `drill check` and `drill run` both load drills through
 * {@linkcode parseDrill}, so whatever this refuses neither of them accepts.
 */
function checkScope(scope: DrillScope | undefined, out: RawIssue[]): void {
  // Entry by entry exactly as `drill run` reads the scope (drillNarrowing), each variable
  // standing for a value it can take: a port, the temporary directory.
  for (const kind of scopeKinds) {
    const list = scope?.[kind];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, i: number) => {
      if (typeof entry !== "string") return;
      const bound = entry.replace(
        placeholderPattern,
        (_m, n: string) => n === "tmp" ? "/tmp/x" : portProbe,
      );
      try {
        drillNarrowing({ [kind]: [bound] }, []);
      } catch (err) {
        out.push({ path: ["scope", kind, i], message: (err as Error).message });
      }
    });
  }
}

/** Checks what the schema cannot say: names defined before use, addresses, regexes, hex. */
function checkMeaning(drill: Drill, out: RawIssue[]): void {
  const defined = new Map<string, string>();
  const address = (text: unknown, path: Path, what = "address") => {
    if (typeof text !== "string") return;
    const probe = text.replace(placeholderPattern, (_m, name: string) => {
      return name.startsWith("port.") ? portProbe : "x";
    });
    try {
      parseHostPort(probe);
    } catch (err) {
      out.push({ path, message: `${what} ${show(text)}: ${(err as Error).message}` });
    }
  };
  const duration = (v: unknown, path: Path, use: "sleep" | "timeout" = "timeout") => {
    if (typeof v !== "string" && typeof v !== "number") return;
    try {
      drillDurationMs(v, use);
    } catch (err) {
      out.push({ path, message: (err as Error).message });
    }
  };
  const use = (name: unknown, path: Path, kinds: string[]) => {
    if (typeof name !== "string") return;
    const kind = defined.get(name);
    if (kind === undefined) {
      out.push({ path, message: `"${name}" is not defined by an earlier step` });
    } else if (!kinds.includes(kind)) {
      out.push({ path, message: `"${name}" is a ${kind}, not a ${kinds.join(" or ")}` });
    }
  };
  const define = (name: unknown, kind: string, path: Path) => {
    if (typeof name !== "string") return;
    if (defined.has(name)) out.push({ path, message: `"${name}" is already defined` });
    defined.set(name, kind);
  };
  const regex = (v: unknown, path: Path) => {
    if (typeof v !== "string") return;
    try {
      new RegExp(v);
    } catch (err) {
      out.push({ path, message: `bad regular expression: ${(err as Error).message}` });
    }
  };
  const hex = (v: unknown, path: Path) => {
    if (typeof v !== "string") return;
    try {
      parseHex(v);
    } catch (err) {
      out.push({ path, message: (err as Error).message });
    }
  };
  const variables = (v: unknown, path: Path) => {
    if (typeof v === "string") {
      for (const m of v.matchAll(/\{\{([^}]*)\}\}/g)) {
        if (!/^\s*(port\.[A-Za-z_][\w-]*|tmp)\s*$/.test(m[1])) {
          out.push({
            path,
            message: `unknown variable {{${m[1]}}} (use {{port.NAME}} or {{tmp}})`,
          });
        }
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => variables(x, [...path, i]));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) variables(x, [...path, k]);
    }
  };
  variables(drill, []);
  duration(drill.timeout, ["timeout"]);
  checkScope(drill.scope, out);
  drill.steps.forEach((step: Step, i) => {
    const { kind, action: a } = stepAction(step);
    const p: Path = ["steps", i, kind];
    if (a && typeof a === "object" && "timeout" in a) duration(a.timeout, [...p, "timeout"]);
    if (a && typeof a === "object" && "hex" in a) hex(a.hex, [...p, "hex"]);
    if (a && typeof a === "object" && "regex" in a) regex(a.regex, [...p, "regex"]);
    switch (kind) {
      case "listen": {
        const proto = a.proto ?? "tcp";
        if (proto === "unix") {
          if (a.path === undefined) out.push({ path: p, message: `a unix listener needs "path"` });
        } else if (a.address === undefined) {
          out.push({ path: p, message: `a ${proto} listener needs "address" (HOST:PORT)` });
        } else address(a.address, [...p, "address"]);
        if (a.reply !== undefined && a.replies !== undefined) {
          out.push({ path: p, message: `use "reply" or "replies", not both` });
        }
        (a.replies ?? []).forEach((r, j) => {
          if (r && typeof r === "object" && "hex" in r) hex(r.hex, [...p, "replies", j]);
        });
        define(a.as, proto === "udp" ? "udp socket" : "listener", [...p, "as"]);
        break;
      }
      case "accept":
        use(a.listener, [...p, "listener"], ["listener"]);
        define(a.as, "connection", [...p, "as"]);
        break;
      case "connect":
        if (a.to !== undefined) address(a.to, [...p, "to"]);
        define(a.as, "connection", [...p, "as"]);
        break;
      case "send":
      case "expect":
        use(a.conn, [...p, "conn"], ["connection"]);
        break;
      case "close-write":
        use(connName(a), p, ["connection"]);
        break;
      case "close":
        use(connName(a), p, ["connection", "listener", "udp socket"]);
        break;
      case "udp-send":
        if (defined.get(a.socket) === undefined) define(a.socket, "udp socket", [...p, "socket"]);
        else use(a.socket, [...p, "socket"], ["udp socket"]);
        if (a.to !== undefined) address(a.to, [...p, "to"]);
        if (a.bind !== undefined) address(a.bind, [...p, "bind"]);
        break;
      case "udp-expect":
        use(a.socket, [...p, "socket"], ["udp socket"]);
        if (a.from !== undefined) address(a.from, [...p, "from"]);
        break;
      case "sleep":
        duration(a, p, "sleep");
        break;
      case "run": {
        const argv = typeof a.command === "string" ? splitCommand(a.command) : a.command;
        if (!argv || argv.length === 0) {
          out.push({ path: [...p, "command"], message: "the command is empty" });
        }
        regex(a["stdout-match"], [...p, "stdout-match"]);
        regex(a["stderr-match"], [...p, "stderr-match"]);
        regex(a["output-match"], [...p, "output-match"]);
        break;
      }
      case "sockets":
        if (a.conn !== undefined) use(a.conn, [...p, "conn"], ["connection"]);
        else if (a.local === undefined && a.remote === undefined) {
          out.push({ path: p, message: `"sockets" needs "conn", "local" or "remote"` });
        }
        if (a.local !== undefined) address(a.local, [...p, "local"]);
        if (a.remote !== undefined) address(a.remote, [...p, "remote"]);
        break;
      case "expect-denied": {
        const targets: Partial<Record<DeniedKind, string>> = a;
        for (const k of ["connect", "listen", "udp-send"] as const) {
          if (k in targets) address(targets[k], [...p, k]);
        }
        break;
      }
    }
  });
}

/**
 * Parses and validates a drill file's text. Throws {@linkcode DrillFileError} with every problem
 * found, each with its line and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DrillFileError, parseDrill } from "./load.ts";
 *
 * const drill = parseDrill("name: hi\nsteps:\n  - sleep: 10ms\n", "hi.yaml");
 * assert.equal(drill.name, "hi");
 * assert.deepEqual(drill.steps.map((step) => ({ ...step })), [{ sleep: "10ms" }]);
 * // Every problem at once, each with its line: an unknown step and a name used before it exists.
 * const text = "name: hi\nsteps:\n  - wait: 1s\n  - send: { conn: c, text: hi }\n";
 * assert.throws(() => parseDrill(text, "hi.yaml"), (e: DrillFileError) => {
 *   assert.deepEqual(e.issues.map((i) => i.line), [3, 4]);
 *   return true;
 * });
 * ```
 */
export function parseDrill(text: string, file: string): Drill {
  const lineCounter = new LineCounter();
  // logLevel silent: the parser would print warnings (collection keys) itself; a library never
  // prints, and the schema reports such keys anyway.
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    logLevel: "silent",
  });
  const issues: DrillIssue[] = [];
  const at = (offset: number, message: string) => {
    const pos = lineCounter.linePos(offset);
    issues.push({ line: pos.line, col: pos.col, message });
  };
  // The parser recurses: a document nested thousands deep exhausts the stack (one problem said
  // plainly, not the engine's words twice).
  const deep = doc.errors.find((e) => /call stack|Stack overflow/i.test(e.message));
  if (deep) at(deep.pos[0], "nested too deeply to read (a drill is a page of YAML)");
  else {
    for (const e of doc.errors) {
      at(e.pos[0], e.message.split("\n")[0].replace(/ at line \d+.*$/, ""));
    }
  }
  if (issues.length) throw new DrillFileError(file, issues);
  let value: unknown;
  try {
    value = withoutPrototypes(doc.toJS({ maxAliasCount: 1000 }));
  } catch (err) {
    // yaml refuses alias expansions past the limit ("billion laughs"); point at the first alias.
    const alias = text.search(/\*[^\s*]/);
    at(Math.max(alias, 0), `cannot expand the document: ${(err as Error).message}`);
    throw new DrillFileError(file, issues);
  }
  const raw: RawIssue[] = [];
  if (typeOf(value) !== "object") {
    raw.push({ path: [], message: "a drill file must be a mapping with name and steps" });
  } else {
    validate(drillSchema, value, [], raw);
    const shapeOk = raw.length === 0;
    const meaning: RawIssue[] = [];
    try {
      // Also after shape errors, so one pass reports undefined names and bad regexes too.
      checkMeaning(value as Drill, meaning);
    } catch (err) {
      // A malformed shape can trip the meaning checks; the shape errors already say why.
      if (shapeOk) throw err;
    }
    const said = new Set(raw.map((r) => formatPath(r.path)));
    raw.push(...meaning.filter((m) => !said.has(formatPath(m.path))));
  }
  for (const r of raw) {
    let node: unknown;
    for (let n = r.path.length; n >= 0 && !isNode(node); n--) {
      node = n === 0 ? doc.contents : doc.getIn(r.path.slice(0, n), true);
    }
    // A key's line is where its key starts, not its value, so point at the pair when we can.
    const offset = isNode(node) && node.range ? node.range[0] : 0;
    const where = r.path.length ? `${formatPath(r.path)}: ` : "";
    at(offset, where + r.message);
  }
  if (issues.length) {
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new DrillFileError(file, issues);
  }
  return value as Drill;
}

function formatPath(path: Path): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : (i ? "." : "") + p).join("");
}

/**
 * The problems of a malformed file as compiler-style lines: `FILE:LINE:COL: message`, each
 * printable (a key or value quoted from the file cannot act on the terminal).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DrillFileError, formatDrillIssues } from "./load.ts";
 *
 * const err = new DrillFileError("bad.yaml", [
 *   { line: 4, col: 5, message: 'steps[0].connect: missing "as"' },
 *   { line: 6, col: 1, message: "a name with a \x1b[31mcolour" },
 * ]);
 * assert.equal(
 *   formatDrillIssues(err),
 *   'bad.yaml:4:5: steps[0].connect: missing "as"\n' +
 *     "bad.yaml:6:1: a name with a \\x1b[31mcolour\n", // the escape shown, not acted on
 * );
 * ```
 */
export function formatDrillIssues(err: DrillFileError): string {
  return err.issues.map((i) => `${printable(`${err.file}:${i.line}:${i.col}: ${i.message}`)}\n`)
    .join("");
}
