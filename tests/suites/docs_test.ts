// The manual stays findable and true: README.md is one screen that starts with the two commands and
// links every registered command to its section in docs/, each section has prose and an example
// that runs its command (help does not count), every relative link leads to a file (and heading)
// that exists, and every example command line in README.md and docs/*.md still parses.
import assert from "#assert";
import { expandGlobalAliases, resolveCommand } from "../../lib/cli/dispatch.ts";
import { extractGlobals } from "../../lib/cli/globals.ts";
import { registry } from "../../lib/commands/registry.ts";
import { parseNetList } from "../../lib/scope/mod.ts";
import { exampleArgs } from "../_support/command_lines.ts";
import { root } from "../_support/harness.ts";

/** One markdown file as the tests read it. */
interface Page {
  /** Path relative to the repository root: `README.md`, `docs/subnet.md`. */
  path: string;
  lines: string[];
  /** Headings outside code blocks, with their level (`##` is 2), 1-based line and GitHub anchor. */
  headings: { text: string; level: number; line: number; anchor: string }[];
  /** Fenced code blocks: info string, and each line with its 1-based line number. */
  blocks: { info: string; lines: { text: string; line: number }[] }[];
  /** The text outside code blocks, code blocks blanked (line numbers kept). */
  prose: string;
}

/**
 * The anchor GitHub gives a heading: its text as rendered (code spans and links reduced to their
 * text), lower-cased, punctuation other than `-` and `_` dropped, spaces turned into `-`; a
 * repeated anchor gets `-1`, `-2`, ... in order.
 */
export function githubAnchor(heading: string, seen: Map<string, number>): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*]/g, "")
    .trim();
  const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

function readPage(path: string): Page {
  return parsePage(path, Deno.readTextFileSync(`${root}/${path}`));
}

/** A page from its text; `path` names it in messages. */
function parsePage(path: string, source: string): Page {
  const lines = source.split("\n");
  const headings: Page["headings"] = [];
  const blocks: Page["blocks"] = [];
  const prose: string[] = [];
  const seen = new Map<string, number>();
  let fence: { marker: string; block: Page["blocks"][number] } | undefined;
  lines.forEach((text, i) => {
    const open = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (fence) {
      prose.push("");
      if (text.trimEnd() === fence.marker) fence = undefined;
      else fence.block.lines.push({ text, line: i + 1 });
      return;
    }
    if (open) {
      fence = { marker: open[1], block: { info: open[2], lines: [] } };
      blocks.push(fence.block);
      prose.push("");
      return;
    }
    prose.push(text);
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(text);
    if (h) {
      headings.push({
        text: h[2],
        level: h[1].length,
        line: i + 1,
        anchor: githubAnchor(h[2], seen),
      });
    }
  });
  return { path, lines, headings, blocks, prose: prose.join("\n") };
}

const docPaths = [...Deno.readDirSync(`${root}/docs`)]
  .filter((e) => e.isFile && e.name.endsWith(".md"))
  .map((e) => `docs/${e.name}`)
  .sort();
const pages: Page[] = ["README.md", ...docPaths].map(readPage);
const readme = pages[0];

/** The command headings of a page: headings whose text starts with a command name in backticks. */
function commandHeadings(page: Page, name: string) {
  return page.headings.filter((h) => h.text.startsWith(`\`${name}\``));
}

function assertNoProblems(problems: string[], what: string): void {
  assert.ok(problems.length === 0, `${what}:\n  ${problems.join("\n  ")}`);
}

Deno.test("githubAnchor follows GitHub's rules", () => {
  const seen = new Map<string, number>();
  assert.equal(githubAnchor("`subnet split`", seen), "subnet-split");
  assert.equal(
    githubAnchor("Performance: `perf`, `perf-server` and `deno task bench`", seen),
    "performance-perf-perf-server-and-deno-task-bench",
  );
  assert.equal(githubAnchor("Names, cleanup and exit codes", seen), "names-cleanup-and-exit-codes");
  assert.equal(githubAnchor("`subnet split`", seen), "subnet-split-1");
  assert.equal(githubAnchor("The [link](x.md) and `arp_show.ts`", seen), "the-link-and-arp_showts");
});

Deno.test("README: at most 220 lines, beginning with the two commands that work on a fresh machine", () => {
  assert.ok(readme.lines.length <= 220, `README.md has ${readme.lines.length} lines`);
  assert.equal(readme.lines[0], "# toolkit");
  const first = readme.blocks[0].lines.map((l) => l.text);
  assert.ok(
    first.some((l) => l.startsWith("npx -y deno@2.9.6 task toolkit ")),
    `the first code block runs the toolkit:\n${first.join("\n")}`,
  );
  assert.ok(
    first.some((l) => /^npx -y deno@2\.9\.6 task test(\s|$)/.test(l)),
    `the first code block runs the tests:\n${first.join("\n")}`,
  );
  // Nothing but the title and a blank line before that block.
  assert.equal(readme.blocks[0].lines[0].line, 4, "the two commands open the README");
  const unlinked = docPaths.filter((p) => !readme.prose.includes(`](${p})`));
  assert.deepEqual(unlinked, [], "docs pages the README does not link");
});

Deno.test("every command has a section in exactly one docs page, linked from the README's table", () => {
  const problems: string[] = [];
  const tableLinks = new Map<string, string[]>();
  for (const m of readme.prose.matchAll(/^\|\s*\[`([^`]+)`\]\(([^)\s]+)\)/gm)) {
    tableLinks.set(m[1], [...tableLinks.get(m[1]) ?? [], m[2]]);
  }
  for (const entry of registry) {
    const found = pages.slice(1).flatMap((p) =>
      commandHeadings(p, entry.name).map((h) => ({ page: p, heading: h }))
    );
    if (found.length !== 1) {
      const where = found.map((f) => `${f.page.path}:${f.heading.line}`).join(", ");
      problems.push(
        `${entry.name}: ${found.length} docs headings start with \`${entry.name}\`${
          where ? ` (${where})` : ""
        }, want exactly one`,
      );
      continue;
    }
    const want = `${found[0].page.path}#${found[0].heading.anchor}`;
    const links = tableLinks.get(entry.name) ?? [];
    if (links.length !== 1 || links[0] !== want) {
      problems.push(
        `${entry.name}: the README's command table should link it once to ${want}, has ${
          links.length ? links.join(", ") : "no row"
        }`,
      );
    }
  }
  const names = new Set(registry.map((e) => e.name));
  for (const name of tableLinks.keys()) {
    if (!names.has(name)) problems.push(`README's table lists '${name}', which is not registered`);
  }
  assertNoProblems(problems, "commands without their docs section or README row");
});

Deno.test("every docs page with commands starts with a title, a summary and a Commands list", () => {
  const problems: string[] = [];
  for (const page of pages.slice(1)) {
    if (!page.lines[0].startsWith("# ")) problems.push(`${page.path}: line 1 is not a title`);
    const summary = page.lines[2] ?? "";
    if (page.lines[1] !== "" || /^([#|>!<*-]|```|\d+\.|\s|$)/.test(summary)) {
      problems.push(`${page.path}: the title is not followed by a summary paragraph`);
    }
    const own = registry.filter((e) => commandHeadings(page, e.name).length > 0);
    if (own.length === 0) continue;
    const start = page.headings.findIndex((h) => h.text === "Commands");
    if (start === -1) {
      problems.push(`${page.path}: no "## Commands" list`);
      continue;
    }
    const from = page.headings[start].line;
    const to = page.headings[start + 1]?.line ?? page.lines.length;
    const list = page.lines.slice(from, to - 1).join("\n");
    for (const e of own) {
      const anchor = commandHeadings(page, e.name)[0].anchor;
      if (!list.includes(`(#${anchor})`)) {
        problems.push(`${page.path}: the Commands list does not link ${e.name} (#${anchor})`);
      }
    }
  }
  assertNoProblems(problems, "docs pages without their opening");
});

Deno.test("every relative link in README.md and docs/ leads to a file, and its anchor exists", () => {
  const problems: string[] = [];
  const anchors = new Map(pages.map((p) => [p.path, new Set(p.headings.map((h) => h.anchor))]));
  let checked = 0;
  for (const page of pages) {
    // Code spans are not links; a span that wraps onto the next line is still one span.
    const text = page.prose.replace(/`[^`]*`/g, (s) => s.replace(/[^\n]/g, " "));
    for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      checked++;
      const line = text.slice(0, m.index).split("\n").length;
      const [file, anchor] = target.split("#", 2);
      const dir = page.path.includes("/") ? page.path.slice(0, page.path.lastIndexOf("/")) : ".";
      const resolved = file === "" ? page.path : normalize(`${dir}/${file}`);
      let exists = true;
      try {
        Deno.statSync(`${root}/${resolved}`);
      } catch {
        exists = false;
      }
      if (!exists) {
        problems.push(`${page.path}:${line}: ${target}: no such file (${resolved})`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md")) {
        const known = anchors.get(resolved) ??
          new Set(readPage(resolved).headings.map((h) => h.anchor));
        if (!known.has(anchor)) {
          problems.push(`${page.path}:${line}: ${target}: ${resolved} has no heading #${anchor}`);
        }
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} relative links found: is the link pattern broken?`);
  assertNoProblems(problems, "broken links");
});

/** `a/./b/../c` as `a/c`. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** One example command line found in a code block. */
interface Example {
  /** The page's path and the example's first line in it. */
  path: string;
  line: number;
  where: string;
  text: string;
  /** Marked `# error: ...`: it shows a usage error and must fail to parse. */
  error: boolean;
}

/**
 * The toolkit command lines of the `sh` and `console` blocks: in `sh` every line, in `console` the
 * lines after a `$ ` or `# ` prompt; joined over trailing backslashes; with `sudo `,
 * `ip netns exec NAME `, `VAR=value ` and `deno task toolkit ` taken off the front.
 */
function examples(from: readonly Page[] = pages): Example[] {
  const out: Example[] = [];
  for (const page of from) {
    for (const block of page.blocks) {
      if (!["sh", "bash", "shell", "console"].includes(block.info)) continue;
      for (let i = 0; i < block.lines.length; i++) {
        const at = block.lines[i].line;
        let text = block.lines[i].text;
        while (text.endsWith("\\") && i + 1 < block.lines.length) {
          text = text.slice(0, -1) + " " + block.lines[++i].text.trim();
        }
        if (block.info === "console") {
          const prompt = /^[$#] /.exec(text);
          if (!prompt) continue;
          text = text.slice(2);
        }
        text = text.trim()
          .replace(/^((sudo|[A-Z_][A-Z0-9_]*=\S*|ip netns exec \S+)\s+)+/, "")
          .replace(/^(npx -y deno@\S+|deno) task (-q )?toolkit /, "toolkit ");
        if (!text.startsWith("toolkit ")) continue;
        out.push({
          path: page.path,
          line: at,
          where: `${page.path}:${at}`,
          text: commandPart(text),
          error: /\s#\s*error:/.test(text),
        });
      }
    }
  }
  return out;
}

/** The first command of a shell line: up to an unquoted `;` or `&` (`cmd &`, `cmd; echo $?`). */
function commandPart(line: string): string {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "#" && /\s/.test(line[i - 1] ?? " ")) {
      return line; // the rest is a comment: exampleArgs drops it
    } else if (c === ";" || c === "&") {
      return line.slice(0, i).trimEnd();
    }
  }
  return line;
}

const noGlobals = { json: false, quiet: false, debug: false, color: false };

/**
 * Parses argv the way `runCli` does up to the command's `parse` (global options, `--net`, the
 * command's name, its own arguments) and says which command it named and the error, if any.
 */
async function parseLine(
  argv: readonly string[],
): Promise<{ command?: string; help?: boolean; error?: string }> {
  let command: string | undefined;
  try {
    const g = extractGlobals(expandGlobalAliases(registry, argv));
    if (g.version) return {};
    if (g.net.length) parseNetList(g.net);
    if (g.rest.length === 0) return g.help ? {} : { error: "missing command" };
    const found = resolveCommand(registry, g.rest);
    if (found.kind === "unknown") return { error: `unknown command or option '${found.name}'` };
    if (found.kind === "group") {
      return g.help ? {} : { error: `missing subcommand of ${found.prefix}` };
    }
    command = found.entry.name;
    if (g.help) return { command, help: true };
    const mod = await found.entry.load();
    mod.parse(found.args, { ...noGlobals, json: g.json, quiet: g.quiet, debug: g.debug });
    return { command };
  } catch (err) {
    return { command, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

Deno.test("every example command line in README.md and docs/ parses (or is marked # error:)", async () => {
  const problems: string[] = [];
  let parsed = 0;
  let skipped = 0;
  const shown = new Set<string>();
  for (const ex of examples()) {
    const argv = exampleArgs(ex.text);
    if (argv === undefined) {
      skipped++; // a pipe, a redirection or a substitution
      continue;
    }
    parsed++;
    const { error, command, help } = await parseLine(argv);
    if (!error && command && !help) shown.add(command);
    if (ex.error && error === undefined) {
      problems.push(`${ex.where}: marked '# error:' but parses: ${ex.text}`);
    } else if (!ex.error && error !== undefined) {
      problems.push(`${ex.where}: ${ex.text}\n    ${error}`);
    }
  }
  console.error(`docs examples: ${parsed} parsed, ${skipped} skipped (pipes, redirections)`);
  const missing = registry.filter((e) => !shown.has(e.name)).map((e) => e.name);
  assert.deepEqual(missing, [], "commands with no example that runs them in README.md or docs/");
  assertNoProblems(problems, "examples that do not parse");
});

/**
 * Why a command's section (its heading down to the next heading of the same or a higher level)
 * would not teach the command: no sentence of prose outside code blocks and tables, or no example
 * in it that parses as a run of the command (`--help`, `-h` and `toolkit help NAME` show help,
 * they run nothing).
 */
async function sectionProblems(page: Page, name: string): Promise<string[]> {
  const heading = commandHeadings(page, name)[0];
  const end = page.headings.find((h) => h.line > heading.line && h.level <= heading.level)?.line ??
    page.lines.length + 1;
  const problems: string[] = [];
  const text = page.prose.split("\n").slice(heading.line, end - 1)
    .filter((l) => !/^\s*(#{1,6}\s|\|)/.test(l))
    .join(" ")
    .replace(/<!--.*?-->/g, " ");
  const sentences = text.split(/[.!?:;](?=\s|$)/)
    .filter((t) => (t.match(/[\p{L}][\p{L}\p{N}'-]*/gu) ?? []).length >= 3);
  if (sentences.length === 0) {
    problems.push(`${page.path}:${heading.line}: ${name}: no sentence of prose in its section`);
  }
  let runs = 0;
  for (const ex of examples([page])) {
    if (ex.line <= heading.line || ex.line >= end || ex.error) continue;
    const argv = exampleArgs(ex.text);
    if (argv === undefined) continue;
    const { command, help, error } = await parseLine(argv);
    if (command === name && !help && !error) runs++;
  }
  if (runs === 0) {
    problems.push(
      `${page.path}:${heading.line}: ${name}: no example in its section that runs it ` +
        "(--help, -h and help NAME do not count)",
    );
  }
  return problems;
}

Deno.test("every command's docs section has prose and an example that runs the command", async () => {
  const problems: string[] = [];
  for (const entry of registry) {
    for (const page of pages.slice(1)) {
      if (commandHeadings(page, entry.name).length) {
        problems.push(...await sectionProblems(page, entry.name));
      }
    }
  }
  assertNoProblems(problems, "command sections that do not teach their command");
});

Deno.test("the section check refuses a heading with only --help, and prose or runs elsewhere", async () => {
  const page = (...lines: string[]) => parsePage("docs/x.md", ["# X", "", ...lines, ""].join("\n"));
  const prose = "`toolkit mac` says what a MAC address is: cast, admin bit, vendor.";
  const fence = (...ls: string[]) => ["```sh", ...ls, "```"];
  const runs = "toolkit mac 3c:22:fb:12:34:56";
  const noProse = /no sentence of prose/;
  const noRun = /no example in its section that runs it/;
  assert.deepEqual(await sectionProblems(page("## `mac`", "", prose, ...fence(runs)), "mac"), []);
  // A console block's prompt lines and a nested subsection count as the section's own.
  assert.deepEqual(
    await sectionProblems(
      page("## `mac`", "", prose, "### More", "```console", `$ ${runs}`, "3c:22 ...", "```"),
      "mac",
    ),
    [],
  );
  const cases: [Page, RegExp[]][] = [
    [page("## `mac`", "", ...fence("toolkit mac --help")), [noProse, noRun]],
    [page("## `mac`", "", prose, ...fence("toolkit mac -h")), [noRun]],
    [page("## `mac`", "", prose, ...fence("toolkit help mac", "toolkit --help mac")), [noRun]],
    [page("## `mac`", "", prose, ...fence(`${runs} nonsense  # error: not a MAC`)), [noRun]],
    [page("## `mac`", "", prose, "## Other", "", ...fence(runs)), [noRun]],
    [page("## `mac`", "", prose, ...fence("toolkit subnet info 10.0.0.1/8")), [noRun]],
    [page("## `mac`", "", ...fence(`# ${prose}`, runs)), [noProse]],
    [page("## `mac`", "", "| MAC | what it is |", "| --- | --- |", ...fence(runs)), [noProse]],
    [page("## `mac`", "", "MAC addresses.", ...fence(runs)), [noProse]],
  ];
  for (const [p, expected] of cases) {
    const problems = await sectionProblems(p, "mac");
    assert.equal(problems.length, expected.length, `${p.lines.join("\n")}\n${problems.join("\n")}`);
    expected.forEach((re, i) => assert.match(problems[i], re));
  }
});
