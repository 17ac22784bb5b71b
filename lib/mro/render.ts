// The four ways `toolkit mro` shows its results: one line per class for people, JSON for
// scripts, and the inheritance graph for Graphviz (dot) or Mermaid with the MRO order written in.
import type { ClassError, ClassOutcome, PyClass } from "./resolve.ts";

/** One input (file, stdin or `-e` code) and the outcomes of its class statements. */
export interface ModuleResult {
  /** A path, `-` for stdin, `<string>` for `-e`. */
  file: string;
  /** One per class statement that ran, in source order. */
  outcomes: ClassOutcome[];
}

/** One class as JSON output lists it. */
export interface ClassEntry {
  /** The input it came from: a path, `-` or `<string>`. */
  file: string;
  /** The qualified name, `Outer.Inner` for a nested class. */
  name: string;
  /** Line of the class statement. */
  line: number;
  /** The MRO's qualified names, the class first. */
  mro?: string[];
  /** Python's message, when the class could not be created. */
  error?: string;
  /** `TypeError`, `NameError`, `AttributeError` or `UnsupportedSyntax`. */
  errorType?: string;
  /** The `--explain` derivation, one string per line. */
  explain?: string[];
}

/**
 * An error as Python's traceback ends: `TypeError: message`, or the bare type when the message is
 * empty (`AssertionError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorLine } from "./render.ts";
 *
 * assert.equal(
 *   errorLine({ type: "NameError", message: "name 'A' is not defined" }),
 *   "NameError: name 'A' is not defined",
 * );
 * ```
 */
export function errorLine(error: ClassError): string {
  return error.message ? `${error.type}: ${error.message}` : error.type;
}

/**
 * Flattens results into the JSON entries (`{"name","line","mro"}` or `{"name","line","error"}`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readClassStatements } from "./read_classes.ts";
 * import { toEntries } from "./render.ts";
 * import { resolveClasses } from "./resolve.ts";
 *
 * const outcomes = resolveClasses(readClassStatements("class A: pass\nclass B(A): pass\n"));
 * assert.deepEqual(toEntries([{ file: "-", outcomes }]), [
 *   { file: "-", name: "A", line: 1, mro: ["A", "object"] },
 *   { file: "-", name: "B", line: 2, mro: ["B", "A", "object"] },
 * ]);
 * ```
 */
export function toEntries(results: readonly ModuleResult[]): ClassEntry[] {
  return results.flatMap((r) =>
    r.outcomes.map((o) => {
      const e: ClassEntry = { file: r.file, name: o.statement.qualname, line: o.statement.line };
      if (o.cls) e.mro = o.cls.mro.map((c) => c.qualname);
      if (o.error) {
        e.error = o.error.message;
        e.errorType = o.error.type;
      }
      if (o.explain) e.explain = o.explain;
      return e;
    })
  );
}

/**
 * Text output: `C8: C8, C6, C3, ...` per class, `C3: TypeError: ... (line 9)` for a failure, or
 * with `explain` the derivations separated by blank lines. Several inputs get `==> file <==`
 * headers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readClassStatements } from "./read_classes.ts";
 * import { renderText } from "./render.ts";
 * import { resolveClasses } from "./resolve.ts";
 *
 * const outcomes = resolveClasses(readClassStatements("class A: pass\nclass B(A): pass\n"));
 * assert.equal(renderText([{ file: "-", outcomes }]), "A: A, object\nB: B, A, object\n");
 * ```
 */
export function renderText(
  results: readonly ModuleResult[],
  options: {
    explain?: boolean;
    /** Colours a part for a terminal: errors, taken heads, skipped heads. Default: none. */
    paint?: (part: "error" | "take" | "skip", text: string) => string;
  } = {},
): string {
  const paint = options.paint ?? ((_part, text) => text);
  const explainLine = (line: string) => {
    const step = /^(\s+)(take|skip|stuck)(.*)$/.exec(line);
    if (step) {
      return step[1] +
        paint(step[2] === "take" ? "take" : step[2] === "skip" ? "skip" : "error", step[2]) +
        step[3];
    }
    return /^[A-Z]\w*Error(: |$)|^UnsupportedSyntax: /.test(line) ? paint("error", line) : line;
  };
  const parts: string[] = [];
  for (const r of results) {
    const lines: string[] = [];
    if (results.length > 1) lines.push(`==> ${r.file} <==`);
    const blocks = r.outcomes.map((o) => {
      const name = o.statement.qualname;
      if (options.explain && o.explain) return o.explain.map(explainLine).join("\n");
      if (o.cls) return `${name}: ${o.cls.mro.map((c) => c.qualname).join(", ")}`;
      const error = errorLine(o.error!);
      return `${name}: ${paint("error", error)} (line ${o.statement.line})`;
    });
    lines.push(...(options.explain ? [blocks.join("\n\n")] : blocks));
    parts.push(lines.join("\n"));
  }
  return parts.filter((p) => p).join(options.explain ? "\n\n" : "\n") + "\n";
}

interface Graph {
  nodes: { id: string; label: string; cls: PyClass; outcome?: ClassOutcome }[];
  edges: { from: string; to: string; index: number; failed: boolean }[];
  /** The class whose MRO is numbered on the nodes. */
  focus?: PyClass;
}

function buildGraph(results: readonly ModuleResult[], focusName?: string): Graph {
  const ids = new Map<PyClass, string>();
  const graph: Graph = { nodes: [], edges: [] };
  const prefix = (i: number) => (results.length > 1 ? `m${i}_` : "");
  const node = (cls: PyClass, pre: string, outcome?: ClassOutcome): string => {
    let id = ids.get(cls);
    if (!id) {
      id = `${pre}n${ids.size + 1}`;
      ids.set(cls, id);
      graph.nodes.push({ id, label: cls.qualname, cls, outcome });
      for (const [k, b] of cls.bases.entries()) {
        graph.edges.push({ from: id, to: node(b, pre), index: k + 1, failed: false });
      }
    }
    return id;
  };
  results.forEach((r, i) => {
    for (const o of r.outcomes) {
      if (o.cls) {
        node(o.cls, prefix(i), o);
        if (focusName === undefined || o.statement.qualname === focusName) graph.focus = o.cls;
      } else {
        // A failed class has no class object: draw it from its statement, bases as evaluated.
        const stand: PyClass = {
          name: o.statement.name,
          qualname: o.statement.qualname,
          bases: [],
          mro: [],
          newStyle: true,
          basetype: true,
          itemsize: 0,
        };
        const id = node(stand, prefix(i), o);
        (o.bases ?? []).forEach((b, k) => {
          graph.edges.push({ from: id, to: node(b, prefix(i)), index: k + 1, failed: true });
        });
      }
    }
  });
  return graph;
}

const quote = (s: string) =>
  `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/**
 * Graphviz: edges from each class to its bases (numbered in declaration order), the focus class's
 * MRO numbered on its nodes, failed classes in red with CPython's message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readClassStatements } from "./read_classes.ts";
 * import { renderDot } from "./render.ts";
 * import { resolveClasses } from "./resolve.ts";
 *
 * const outcomes = resolveClasses(readClassStatements("class A: pass\nclass B(A): pass\n"));
 * assert.equal(
 *   renderDot([{ file: "-", outcomes }]),
 *   `digraph mro {
 *   rankdir=BT;
 *   node [shape=box, fontname="Helvetica"];
 *   label="MRO of B: B, A, object";
 *   labelloc=t;
 *   n1 [label="A (2)", style=filled, fillcolor="#dbeafe"];
 *   n2 [label="object (3)", style=filled, fillcolor="#dbeafe"];
 *   n3 [label="B (1)", style=filled, fillcolor="#dbeafe"];
 *   n1 -> n2 [label="1"];
 *   n3 -> n1 [label="1"];
 * }
 * `,
 * );
 * ```
 */
export function renderDot(
  results: readonly ModuleResult[],
  options: { focus?: string } = {},
): string {
  const g = buildGraph(results, options.focus);
  const order = new Map(g.focus?.mro.map((c, i) => [c, i + 1]));
  const out = ["digraph mro {", "  rankdir=BT;", '  node [shape=box, fontname="Helvetica"];'];
  if (g.focus) {
    const mro = g.focus.mro.map((c) => c.qualname).join(", ");
    out.push(`  label=${quote(`MRO of ${g.focus.qualname}: ${mro}`)};`, "  labelloc=t;");
  }
  for (const n of g.nodes) {
    const attrs: string[] = [];
    const pos = order.get(n.cls);
    let label = pos ? `${n.label} (${pos})` : n.label;
    if (pos) attrs.push("style=filled", 'fillcolor="#dbeafe"');
    if (n.outcome?.error) {
      label += `\n${errorLine(n.outcome.error)}`;
      attrs.push("color=red", "fontcolor=red");
    }
    out.push(`  ${n.id} [${[`label=${quote(label)}`, ...attrs].join(", ")}];`);
  }
  for (const e of g.edges) {
    const attrs = [`label=${quote(String(e.index))}`];
    if (e.failed) attrs.push("color=red", "style=dashed");
    out.push(`  ${e.from} -> ${e.to} [${attrs.join(", ")}];`);
  }
  out.push("}");
  return out.join("\n") + "\n";
}

/**
 * Mermaid class diagram: `Base <|-- Derived` edges and a note with each class's MRO (or error).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readClassStatements } from "./read_classes.ts";
 * import { renderMermaid } from "./render.ts";
 * import { resolveClasses } from "./resolve.ts";
 *
 * const outcomes = resolveClasses(readClassStatements("class A: pass\nclass B(A): pass\n"));
 * assert.equal(
 *   renderMermaid([{ file: "-", outcomes }]),
 *   `classDiagram
 *   direction BT
 *   class n1["A"]
 *   class n2["object"]
 *   class n3["B"]
 *   n2 <|-- n1 : 1
 *   n1 <|-- n3 : 1
 *   note for n1 "MRO: A, object"
 *   note for n3 "MRO: B, A, object"
 * `,
 * );
 * ```
 */
export function renderMermaid(
  results: readonly ModuleResult[],
  options: { focus?: string } = {},
): string {
  const g = buildGraph(results, options.focus);
  const text = (s: string) => s.replace(/"/g, "'");
  const out = ["classDiagram", "  direction BT"];
  for (const n of g.nodes) out.push(`  class ${n.id}["${text(n.label)}"]`);
  for (const e of g.edges) out.push(`  ${e.to} <|-- ${e.from} : ${e.index}`);
  for (const n of g.nodes) {
    if (!n.outcome) continue;
    if (options.focus !== undefined && n.cls !== g.focus && !n.outcome.error) continue;
    const note = n.outcome.error
      ? errorLine(n.outcome.error)
      : `MRO: ${n.cls.mro.map((c) => c.qualname).join(", ")}`;
    out.push(`  note for ${n.id} "${text(note)}"`);
  }
  return out.join("\n") + "\n";
}
