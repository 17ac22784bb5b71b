// `toolkit mro [FILE...]`: the method resolution order of every class in Python source, computed
// as CPython 3.13 (C3) or Python 2 (classic, or 2.7's mix) would, with the course's hand-worked
// merge on request. Exit 1 when any class cannot be created, as Python would refuse it; 2 when
// toolkit cannot evaluate one (a `*bases` bound by a call, say).
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, UsageError, userInputError } from "../cli/errors.ts";
import { reportError } from "../cli/report.ts";
import { readAll } from "../cli/io.ts";
import { readInputFile, stdinAlias } from "../scope/files.ts";
import { paint, writeJson } from "../cli/output.ts";
import { readClassStatements } from "../mro/read_classes.ts";
import { type MroAlgorithm, resolveClasses } from "../mro/resolve.ts";
import {
  type ModuleResult,
  renderDot,
  renderMermaid,
  renderText,
  toEntries,
} from "../mro/render.ts";

/** Parsed `mro` options. */
export interface MroOptions {
  /** Paths, `-` for stdin; empty when `code` is given. */
  files: string[];
  code?: string;
  algo: MroAlgorithm;
  explain: boolean;
  classes: string[];
  format: "text" | "json" | "dot" | "mermaid";
  assumeUndefined: boolean;
}

const name = "mro";
/** Source larger than this is refused rather than read into memory. */
const maxInput = 64 * 1024 * 1024;

const command: CommandModule<MroOptions> = {
  spec: {
    usage: "[FILE...]",
    description:
      "Reads the class statements of Python source (files, - for stdin, or -e CODE) and prints each class's method resolution order. Python's rules apply: a class whose MRO cannot be computed is not bound, so later classes naming it fail with `name 'X' is not defined`; error messages are CPython's, word for word. Exit 0 when every class resolves, 1 when any class fails, 2 when the input cannot be read or a class statement holds what toolkit cannot evaluate (UnsupportedSyntax).",
    options: [
      {
        name: "algo",
        type: "string",
        value: "ALGO",
        default: "c3",
        choices: ["c3", "classic", "py2"],
        description:
          "c3 (Python 3), classic (Python 2 old-style, depth-first), py2 (Python 2.7 mix)",
      },
      {
        name: "explain",
        type: "boolean",
        description: "show each merge step by step, as the course notes work it",
      },
      {
        name: "class",
        short: "c",
        type: "string",
        multiple: true,
        value: "NAME",
        description: "only this class (Outer.Inner for nested ones); may be repeated",
      },
      {
        name: "format",
        short: "f",
        type: "string",
        value: "FORMAT",
        default: "text",
        choices: ["text", "json", "dot", "mermaid"],
        description: "text, json, dot (Graphviz) or mermaid",
      },
      {
        name: "assume-undefined",
        type: "boolean",
        description: "treat undefined base names as plain subclasses of object",
      },
      {
        name: "eval",
        short: "e",
        type: "string",
        multiple: true,
        value: "CODE",
        description: "read this Python code instead of files (several are joined by newlines)",
      },
    ],
    examples: [
      "toolkit mro hierarchy.py",
      "toolkit mro --explain --class C8 hierarchy.py",
      "toolkit mro -e 'class A: pass' -e 'class B(A): pass' --format json",
      "toolkit mro --algo classic old_style.py  # Python 2 depth-first order",
    ],
    positionals: { min: 0, complete: "file" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const code = (values.eval as string[] | undefined)?.join("\n");
    if (code === undefined && positionals.length === 0) {
      throw new UsageError("missing input: give FILE..., - for stdin, or -e CODE", name);
    }
    if (code !== undefined && positionals.length > 0) {
      throw new UsageError("give either FILE... or -e CODE, not both", name);
    }
    if (positionals.filter((p) => stdinAlias(p) === "-").length > 1) {
      throw new UsageError("stdin (-) can be read only once", name);
    }
    const explicit = args.some((a) => a === "--format" || a === "-f" || a.startsWith("--format="));
    const format = globals.json && !explicit ? "json" : values.format as MroOptions["format"];
    return {
      // /dev/stdin and its spellings are read as - (Deno opens them only with --allow-all).
      files: positionals.map(stdinAlias),
      code,
      algo: values.algo as MroAlgorithm,
      explain: values.explain === true,
      classes: (values.class as string[] | undefined) ?? [],
      format,
      assumeUndefined: values["assume-undefined"] === true,
    };
  },
  async run(o, io) {
    const sources: { file: string; text: string }[] = [];
    if (o.code !== undefined) sources.push({ file: "<string>", text: o.code });
    for (const file of o.files) {
      if (file === "-") {
        const bytes = await readAll(io.stdin.readable, { limit: maxInput }).catch((err) => {
          throw userInputError(err);
        });
        sources.push({ file, text: decode(bytes, "stdin") });
      } else {
        sources.push({
          file,
          text: decode(await readInputFile(file, { limit: maxInput }), file),
        });
      }
    }
    let results: ModuleResult[] = sources.map(({ file, text }) => {
      let statements;
      try {
        statements = readClassStatements(text, { major: o.algo === "c3" ? "3" : "2" });
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        throw new InputError(`${file}: ${lowerFirst(err.message)}`);
      }
      return {
        file,
        outcomes: resolveClasses(statements, {
          algo: o.algo,
          explain: o.explain,
          assumeUndefined: o.assumeUndefined,
        }),
      };
    });
    if (o.classes.length) results = select(results, o.classes);
    const outcomes = results.flatMap((r) => r.outcomes);
    const focus = o.classes.length ? o.classes[0] : undefined;
    switch (o.format) {
      case "json":
        await writeJson(io, { classes: toEntries(results) });
        break;
      case "dot":
        await io.stdout.write(renderDot(results, { focus: focusName(results, focus) }));
        break;
      case "mermaid":
        await io.stdout.write(renderMermaid(results, { focus: focusName(results, focus) }));
        break;
      default:
        if (outcomes.length || results.length > 1) {
          const colors = { error: "red", take: "green", skip: "yellow" } as const;
          await io.stdout.write(renderText(results, {
            explain: o.explain,
            paint: (part, text) => paint(io, colors[part], text),
          }));
        }
    }
    // What toolkit could not evaluate is no answer from Python: like grep's unreadable file, it
    // makes the exit 2 even when other classes failed, and stderr names the classes.
    const unevaluated = results.flatMap((r) =>
      r.outcomes.filter((x) => x.error?.type === "UnsupportedSyntax").map((x) =>
        `${x.statement.qualname} (${r.file} line ${x.statement.line})`
      )
    );
    if (unevaluated.length) {
      const listed = unevaluated.slice(0, 3).join(", ") + (unevaluated.length > 3 ? ", ..." : "");
      const count = unevaluated.length === 1
        ? "1 class statement"
        : `${unevaluated.length} class statements`;
      return await reportError(
        new InputError(`cannot evaluate ${count}: ${listed}; its UnsupportedSyntax entry says why`),
        io.stderr,
        io.globals,
      );
    }
    return outcomes.some((x) => x.error) ? ExitCode.negative : ExitCode.ok;
  },
};
export default command;

/** UTF-8, or the encoding a PEP 263 `coding:` comment on line 1 or 2 declares (Python 2 files). */
function decode(bytes: Uint8Array, file: string): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 400)).split(/\r?\n/, 2);
  const declared = head.map((l) => /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(l)?.[1]).find(
    (x) => x !== undefined,
  );
  // Python's spellings that the WHATWG labels lack.
  const encoding = declared?.toLowerCase().replace(/^utf[-_]?8(-sig)?$/, "utf-8")
    .replace(/^(latin[-_]?1|iso[-_]?8859[-_]1|l1)$/, "latin1") ?? "utf-8";
  let decoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new InputError(`${file}: cannot read: unknown encoding "${declared}"`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new InputError(
      `${file}: cannot read: not ${encoding === "utf-8" ? "UTF-8" : encoding} text`,
    );
  }
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

/** A selected name matches a qualified name, or a plain name when no qualified name matches. */
function select(results: ModuleResult[], names: readonly string[]): ModuleResult[] {
  const all = results.flatMap((r) => r.outcomes.map((o) => o.statement));
  for (const n of names) {
    if (!all.some((s) => s.qualname === n || s.name === n)) {
      const known = [...new Set(all.map((s) => s.qualname))].slice(0, 20).join(", ");
      throw new InputError(`no class named "${n}" in the input (classes: ${known || "none"})`);
    }
  }
  const wanted = (qualname: string, plain: string) =>
    names.some((n) => n === qualname || (n === plain && !all.some((s) => s.qualname === n)));
  return results.map((r) => ({
    file: r.file,
    outcomes: r.outcomes.filter((x) => wanted(x.statement.qualname, x.statement.name)),
  }));
}

function focusName(results: ModuleResult[], focus: string | undefined): string | undefined {
  if (focus === undefined) return undefined;
  const o = results.flatMap((r) => r.outcomes).find((x) =>
    x.statement.qualname === focus || x.statement.name === focus
  );
  return o?.statement.qualname;
}
