// Shell completions as users meet them: the scripts `toolkit completions` prints, loaded into the
// real bash, zsh and fish and asked to complete real command lines (bash through its completion
// function with COMP_WORDS set as bash sets them, fish through `complete -C`, zsh through a
// pseudo-terminal with its completion system). Plus the rule that keeps the scripts right as
// commands are added: every option table says what its file arguments and values complete to.
import assert from "#assert";
import type { CommandSpec, OptionSpec } from "../../lib/cli/command.ts";
import { globalOptions } from "../../lib/cli/globals.ts";
import { registry } from "../../lib/commands/registry.ts";
import { builtinDrills } from "../../lib/drill/builtin.ts";
import { ssStateGroups, ssStates } from "../../lib/net/socket_states.ts";
import { hasCommand, outputWithin, runToolkit, testIf } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import completions from "../../lib/commands/completions.ts";
import { noGlobals } from "../_support/parse_globals.ts";

// ---------------------------------------------------------------------------------------------
// The tables

/** Placeholders of values that are free text (addresses, numbers, names): nothing to complete. */
const freeText = new Set([
  "N",
  "N,N,...",
  "DURATION",
  "IP",
  "ADDR",
  "PORT",
  "TEXT",
  "GROUP",
  "BITS",
  "BYTES",
  "CODE",
  "NAME",
  "PREFIX",
  "LIST",
  "URL",
  "TOKEN",
  "SIZE",
]);

/**
 * What is missing from a command's table for its completion: a positional or option value that
 * names a file but does not complete files, a placeholder nobody classified, positionals without
 * a completion kind.
 */
function annotationProblems(name: string, spec: CommandSpec): string[] {
  const problems: string[] = [];
  const p = spec.positionals ?? {};
  const kinds = [p.complete ?? []].flat();
  // What the usage says of the positionals, without the options it mentions (`[--file FILE]`).
  const usage = spec.usage.replace(/-{1,2}[a-z][\w-]*( [A-Z][^\s\]|]*)?/g, "");
  if (p.max !== 0 && kinds.length === 0 && !p.choices) {
    problems.push(`${name}: positionals (${spec.usage}) need complete: (or choices:)`);
  }
  if (/\b(FILE|PATH|DIR)\b/.test(usage) && !kinds.some((k) => k === "file" || k === "drill")) {
    problems.push(`${name}: usage "${spec.usage}" names a file but no positional completes files`);
  }
  if (/\bCOMMAND\b/.test(usage) && !kinds.includes("command")) {
    problems.push(`${name}: usage "${spec.usage}" names a command but does not complete commands`);
  }
  for (const o of spec.options) problems.push(...optionProblems(name, o));
  return problems;
}

function optionProblems(name: string, o: OptionSpec): string[] {
  if (o.type === "boolean" || o.choices || o.suggest) return [];
  const placeholder = o.value ?? "VALUE";
  if (/FILE|PATH|DIR/.test(placeholder)) {
    return o.complete === "file" ? [] : [`${name} --${o.name} ${placeholder}: complete: "file"`];
  }
  if (o.complete === undefined && !freeText.has(placeholder)) {
    return [`${name} --${o.name} ${placeholder}: say what it completes to (complete: or choices:)`];
  }
  return [];
}

Deno.test("every command's table says what its positionals and option values complete to", async () => {
  const problems = optionProblemsOfGlobals();
  for (const e of registry) problems.push(...annotationProblems(e.name, (await e.load()).spec));
  assert.deepEqual(problems, []);
  // The rule catches what it is for.
  const bad = annotationProblems("x", {
    usage: "PATH [DATA]",
    options: [
      { name: "out", type: "string", value: "FILE", description: "" },
      { name: "key", type: "string", value: "KEY", description: "" },
    ],
    examples: [],
    positionals: { min: 1, max: 2 },
  });
  assert.equal(bad.length, 4, bad.join("\n"));
  assert.deepEqual(
    annotationProblems("y", { usage: "FILE...", options: [], examples: [] }).length,
    2,
  );
});

function optionProblemsOfGlobals(): string[] {
  return globalOptions.flatMap((o) => optionProblems("(global)", o));
}

Deno.test("completions refuses an unknown shell with the list, exit 2", async () => {
  const r = await runToolkit(["completions", "tcsh"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'toolkit: error: argument must be one of bash, zsh, fish (got "tcsh")\n' +
      "Try 'toolkit completions --help'\n",
  );
});

// ---------------------------------------------------------------------------------------------
// The shells

/** A command line typed up to the cursor, and what the completions must (not) contain. */
interface Case {
  line: string;
  /** Exactly these (in any order). */
  exact?: string[];
  includes?: string[];
  excludes?: string[];
}

const subnetSubs = registry.filter((e) => e.name.startsWith("subnet ")).map((e) =>
  e.name.split(" ")[1]
);
const drills = builtinDrills.map((d) => d.name);
const stateWords = [...ssStates, ...Object.keys(ssStateGroups)];
/** This machine's interface names, as the scripts read them. */
const interfaces = [...Deno.readDirSync("/sys/class/net")].map((e) => e.name);
/** The files in the directory the shells complete in. */
const files = ["lab1.yaml", "notes.txt", "sub", "-dash.py", "two words.txt"];

const cases: Case[] = [
  { line: "toolkit ", includes: ["udp-send", "subnet", "drill", "help"], excludes: files },
  { line: "toolkit --json sub", exact: ["subnet"] },
  { line: "toolkit --net 127.0.0.1 sub", exact: ["subnet"] },
  { line: "toolkit --net=127.0.0.1:9000 sub", exact: ["subnet"] },
  { line: "toolkit --scope lab1.yaml --quiet subnet i", exact: ["info"] },
  { line: "toolkit --json subnet ", exact: subnetSubs },
  { line: "toolkit subnet --json --net 127.0.0.1 in", exact: ["info"] },
  { line: "toolkit -", includes: ["--json", "--net", "-h", "-V"], excludes: ["--count"] },
  // option values from their lists, never option names or files
  { line: "toolkit mro --format ", exact: ["text", "json", "dot", "mermaid"] },
  { line: "toolkit mro -f ", exact: ["text", "json", "dot", "mermaid"] },
  { line: "toolkit mro --format=j", exact: ["--format=json"] },
  { line: "toolkit mro --algo c", exact: ["c3", "classic"] },
  { line: "toolkit drill run --report ", exact: ["text", "json", "tap", "junit"] },
  { line: "toolkit --json drill run -r j", exact: ["json", "junit"] },
  { line: "toolkit arp show --format w", exact: ["windows"] },
  // files where an argument or option takes a file, and only there
  { line: "toolkit mro ", exact: files },
  { line: "toolkit mro --explain n", exact: ["notes.txt"] },
  { line: "toolkit mro t", exact: ["two words.txt"] },
  { line: "toolkit subnet aggregate l", exact: ["lab1.yaml"] },
  { line: "toolkit --scope ", exact: files },
  { line: "toolkit --scope=l", exact: ["--scope=lab1.yaml"] },
  { line: "toolkit arp check --file s", exact: ["sub"] },
  { line: "toolkit tcp-send --file n", exact: ["notes.txt"] },
  { line: "toolkit drill run --out ", exact: files },
  { line: "toolkit unix-connect ", exact: files },
  { line: "toolkit unix-send s", exact: ["sub"] },
  { line: "toolkit unix-send sub ", exact: [] },
  { line: "toolkit tcp-send ", exact: [] },
  { line: "toolkit udp-send 127.0.0.1:9000 ", exact: [] },
  { line: "toolkit udp-send -c ", exact: [] },
  { line: "toolkit mro -c ", exact: [] },
  { line: "toolkit mro -c Foo n", exact: ["notes.txt"] },
  { line: "toolkit mro -cFoo n", exact: ["notes.txt"] },
  { line: "toolkit mro -- -", exact: ["-dash.py"] },
  { line: "toolkit completions ", exact: ["bash", "zsh", "fish"] },
  { line: "toolkit completions f", exact: ["fish"] },
  { line: "toolkit completions bash ", exact: [] },
  { line: "toolkit udp-sned ", exact: [] },
  // drill names (and files) for drill run/show
  { line: "toolkit drill run ", exact: [...drills, ...files] },
  { line: "toolkit drill show half", exact: ["half-close"] },
  { line: "toolkit drill run --all l", exact: ["lab1.yaml"] },
  // command names for help
  { line: "toolkit help ", includes: ["udp-send", "subnet", "completions"], excludes: files },
  { line: "toolkit help subnet ", exact: subnetSubs },
  { line: "toolkit help subnet s", exact: ["same", "split"] },
  // options, long and short, the command's and the global ones
  { line: "toolkit udp-send --wa", exact: ["--wait-reply"] },
  { line: "toolkit udp-send --js", exact: ["--json"] },
  { line: "toolkit udp-send -", includes: ["-c", "-w", "--count", "--json", "-h"] },
  { line: "toolkit subnet info -", includes: ["-b", "-c", "--binary", "--json"], excludes: ["-w"] },
  // peer tools' letters: iperf3's -c, -s, -B and -J, ping's -W, -w, -q and -n
  { line: "toolkit perf -", includes: ["-c", "--client", "-J", "-p"] },
  { line: "toolkit perf-server -", includes: ["-s", "-B", "--bind", "-J"] },
  { line: "toolkit tcp-ping -", includes: ["-W", "-w", "--deadline", "-q", "-n"] },
  // lists the command knows though it takes more spellings: ss's states after --state and after
  // the words `state` and `exclude`, which are themselves offered as sockets' positionals
  { line: "toolkit sockets --state ", exact: stateWords },
  { line: "toolkit sockets --state=time", exact: ["--state=time-wait"] },
  { line: "toolkit sockets -t state fin", exact: ["fin-wait-1", "fin-wait-2"] },
  { line: "toolkit sockets state established exclude ", exact: stateWords },
  { line: "toolkit sockets -t ", exact: ["state", "exclude"] },
  { line: "toolkit sockets state listening e", exact: ["exclude"] },
  // the machine's interface names, read when completing
  { line: "toolkit udp-listen --multicast 239.1.2.3 --iface ", exact: interfaces },
  {
    line: "toolkit udp-listen --iface=l",
    exact: interfaces.filter((i) => i.startsWith("l")).map((i) => `--iface=${i}`),
  },
  { line: "toolkit ifaces ", exact: [] },
  { line: "toolkit ifaces -", includes: ["--json"] },
];

/** A completion as the line will read: directories without their slash, shell quoting undone. */
const normal = (s: string) => s.replace(/\\(.)/g, "$1").replace(/\/$/, "");

function check(shell: string, results: Map<string, string[]>) {
  const failures: string[] = [];
  for (const c of cases) {
    const got = [...new Set((results.get(c.line) ?? []).map(normal))].sort();
    const bad = (why: string) =>
      failures.push(`${shell}: "${c.line}<TAB>" ${why}; got [${got.join(" ")}]`);
    if (c.exact && JSON.stringify(got) !== JSON.stringify([...c.exact].sort())) {
      bad(`should be exactly [${[...c.exact].sort().join(" ")}]`);
    }
    for (const w of c.includes ?? []) if (!got.includes(w)) bad(`lacks ${w}`);
    for (const w of c.excludes ?? []) if (got.includes(w)) bad(`offers ${w}`);
  }
  assert.deepEqual(failures, []);
}

/** A directory holding {@linkcode files}, where the shells complete. */
async function fixtureDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "toolkit-completions-" });
  for (const f of files) {
    if (f === "sub") await Deno.mkdir(`${dir}/sub`);
    else await Deno.writeTextFile(`${dir}/${f}`, "");
  }
  await Deno.writeTextFile(`${dir}/sub/inner.py`, "");
  return dir;
}

/**
 * Completes every case in `shell`: writes the script `toolkit completions SHELL` prints and a
 * directory of {@linkcode files}, has `complete(script, dir)` drive the shell there, and checks
 * what it offered.
 */
async function completeCases(
  shell: string,
  complete: (script: string, dir: string) => Promise<Map<string, string[]>>,
): Promise<void> {
  const r = await runToolkit(["completions", shell]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const dir = await fixtureDir();
  const script = `${dir}.${shell}`;
  try {
    await Deno.writeTextFile(script, r.stdout);
    check(shell, await complete(script, dir));
  } finally {
    await Deno.remove(script).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs a shell program in `cwd` with a HOME of its own (so no user configuration is read and
 * nothing is written beside the files), killing it after 60 s; returns its stdout.
 */
async function runShell(argv: string[], cwd: string): Promise<string> {
  const home = await Deno.makeTempDir({ prefix: "toolkit-completions-home-" });
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, TERM: "dumb" },
  }).spawn();
  const r = await outputWithin(child, 60_000).finally(() => Deno.remove(home, { recursive: true }));
  assert.ok(!r.timedOut, `${argv[0]} did not finish: ${r.stderr}`);
  assert.equal(r.code, 0, `${argv[0]} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Splits results printed as `<<LINE>> line` followed by one completion a line. */
function byLine(out: string): Map<string, string[]> {
  const results = new Map<string, string[]>();
  let current: string[] = [];
  for (const l of out.split("\n")) {
    if (l.startsWith("<<LINE>> ")) results.set(l.slice(9), current = []);
    else if (l !== "" && l !== "<<END>>") current.push(l);
  }
  return results;
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * COMP_WORDS as bash makes them: words at blanks, and `=` and `:` (COMP_WORDBREAKS) as words of
 * their own, so `--format=j` is `--format` `=` `j`.
 */
function bashWords(line: string): string[] {
  const out: string[] = [];
  for (const token of line.split(/\s+/)) {
    const pieces = token.split(/([=:])/).filter((p) => p !== "");
    out.push(...(pieces.length ? pieces : [""]));
  }
  return out;
}

testIf(
  hasCommand("bash") ? undefined : "bash is not installed",
  "bash completes commands, options, values, files and drills as the table says",
  () =>
    completeCases("bash", async (script, dir) => {
      // The function is called as bash calls it; readline then replaces the text after the
      // word's last = or : with each reply, which is what the line reads afterwards.
      const probes = cases.map(({ line }) => {
        const words = bashWords(line);
        const token = line.split(/\s/).pop()!;
        const kept = token.slice(0, token.length - token.replace(/^.*[=:]/, "").length);
        return `echo ${sh(`<<LINE>> ${line}`)}
COMP_WORDS=(${words.map(sh).join(" ")}) COMP_CWORD=${words.length - 1}
COMP_LINE=${sh(line)} COMP_POINT=${line.length}
COMPREPLY=()
_toolkit toolkit ${sh(words.at(-1)!)} ${sh(words.at(-2) ?? "")}
for r in "\${COMPREPLY[@]}"; do printf '%s%s\\n' ${sh(kept)} "$r"; done`;
      });
      return byLine(
        await runShell(
          ["bash", "--norc", "--noprofile", "-c", `source ${sh(script)}\n${probes.join("\n")}`],
          dir,
        ),
      );
    }),
);

testIf(
  hasCommand("fish") ? undefined : "fish is not installed",
  "fish completes commands, options, values, files and drills as the table says",
  () =>
    completeCases("fish", async (script, dir) => {
      const probes = cases.map(({ line }) =>
        `echo ${sh(`<<LINE>> ${line}`)}\ncomplete -C ${sh(line)} | string replace -r '\\t.*' ''`
      );
      return byLine(
        await runShell(
          ["fish", "--no-config", "-c", `source ${sh(script)}\n${probes.join("\n")}`],
          dir,
        ),
      );
    }),
);

/**
 * Drives an interactive `zsh -f` in a pseudo-terminal (zsh's zpty module): compinit, the script,
 * and a compadd wrapper that writes every match it adds to a file; each line is typed with a TAB,
 * then erased.
 */
const zshDriver = `zmodload zsh/zpty || exit 3
script=$1 lines=$2 out=$3
zpty tk zsh -f -i
zpty -w tk "PS1=''; RPROMPT=''; autoload -Uz compinit && compinit -u -D"
zpty -w tk "source \${(q)script}; _tk_out=\${(q)out}"
zpty -w tk 'compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return; fi
  local -a __m apre hpre; local x
  zparseopts -E P:=apre p:=hpre
  builtin compadd -A __m "$@"
  for x in $__m; do print -r -- "$IPREFIX\${apre[2]}\${hpre[2]}$x" >> $_tk_out; done
  builtin compadd "$@"
}'
zpty -w tk '_tk_end() { print -r -- "<<END>>" >> $_tk_out; }
_tk_complete() { comppostfuncs=(_tk_end); _main_complete "$@"; }
zle -C tk-complete complete-word _tk_complete
zstyle ":completion:*" menu no; LISTMAX=100000
bindkey "^I" tk-complete; bindkey "^U" kill-whole-line'
while IFS= read -r line; do
  print -r -- "<<LINE>> $line" >> $out
  zpty -w -n tk "$line"$'\\t'
  for i in {1..400}; do
    while zpty -r -t tk junk; do :; done
    [[ "$(tail -n 1 $out)" == "<<END>>" ]] && break
    sleep 0.05
  done
  [[ "$(tail -n 1 $out)" == "<<END>>" ]] || { print -r -- "no completion for: $line" >&2; exit 4; }
  zpty -w -n tk $'\\x15'
done < $lines
zpty -d tk
`;

function zshSkipReason(): string | undefined {
  if (!hasCommand("zsh")) return "zsh is not installed";
  const r = new Deno.Command("zsh", { args: ["-f", "-c", "zmodload zsh/zpty"] }).outputSync();
  return r.success ? undefined : "zsh has no zpty module";
}

testIf(
  zshSkipReason(),
  "zsh completes commands, options, values, files and drills as the table says",
  () =>
    completeCases("zsh", async (script, dir) => {
      const work = await Deno.makeTempDir({ prefix: "toolkit-zsh-driver-" });
      try {
        await Deno.writeTextFile(`${work}/driver.zsh`, zshDriver);
        await Deno.writeTextFile(`${work}/lines`, cases.map((c) => c.line).join("\n") + "\n");
        await runShell(
          ["zsh", "-f", `${work}/driver.zsh`, script, `${work}/lines`, `${work}/out`],
          dir,
        );
        return byLine(await Deno.readTextFile(`${work}/out`));
      } finally {
        await Deno.remove(work, { recursive: true });
      }
    }),
);

Deno.test("completions parse: bash, zsh or fish; none or another shell refused", () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    assert.deepEqual(completions.parse([shell], noGlobals), { shell });
  }
  assert.throws(() => completions.parse([], noGlobals), UsageError, "expected bash|zsh|fish");
  assert.throws(
    () => completions.parse(["tcsh"], noGlobals),
    UsageError,
    'must be one of bash, zsh, fish (got "tcsh")',
  );
});
