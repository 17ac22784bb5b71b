// Shell completion scripts generated from the registry and each command's option table, so a new
// command or option completes without anyone editing a script. Each script carries the tables as
// data and a walker (one text that bash and zsh both run, the same steps in fish): it skips
// options and their values wherever they stand, finds the command and subcommand, and completes
// the current word as what the table says it is: an option, an option's value, or a positional.
import type {
  CommandEntry,
  CommandModule,
  CommandSpec,
  OptionSpec,
  ValueCompletion,
} from "./command.ts";
import { globalOptions } from "./globals.ts";

/** A command with its loaded option table. */
export interface CompletionCommand {
  entry: CommandEntry;
  spec: CommandSpec;
}

/** Supported shells. */
export const shells = ["bash", "zsh", "fish"] as const;
/** One of {@linkcode shells}. */
export type Shell = typeof shells[number];

/** What a script needs besides the command tables. */
export interface CompletionData {
  /** Built-in drill names, offered (with files) where a drill is named. */
  drills: readonly string[];
}

/**
 * Loads every command's option table, for generating completions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { loadCompletionCommands } from "./completions.ts";
 *
 * const commands = await loadCompletionCommands(registry);
 * assert.equal(commands.length, registry.length);
 * const udpSend = commands.find((c) => c.entry.name === "udp-send");
 * assert.ok(udpSend?.spec.options.some((o) => o.name === "count"));
 * ```
 */
export async function loadCompletionCommands(
  registry: readonly CommandEntry[],
): Promise<CompletionCommand[]> {
  const mods: CommandModule<unknown>[] = await Promise.all(registry.map((e) => e.load()));
  return registry.map((entry, i) => ({ entry, spec: mods[i].spec }));
}

/**
 * What a word completes to, as the scripts encode it: a {@linkcode ValueCompletion}, or `=` and
 * a space-separated list of the only values.
 */
type Kind = ValueCompletion | `=${string}`;

/** One spelling of an option (`--count` or `-c`). */
interface Flag {
  word: string;
  /** The option's long name, shared by its spellings. */
  option: string;
  description: string;
  /** What its value completes to; undefined for a flag that takes no value. */
  value?: Kind;
}

/** A word with the text shown beside it (zsh, fish). */
interface Described {
  word: string;
  description: string;
}

interface CommandModel {
  name: string;
  flags: Flag[];
  /** One kind per positional, the last for the rest. */
  args: Kind[];
  /** Most positionals; -1 for no limit. */
  max: number;
  /** Positional words that take the next one from a list (`state` STATE), with that list. */
  keywords: [string, Kind][];
}

interface Model {
  globals: Flag[];
  commands: CommandModel[];
  /** Command names and group names, what `toolkit <TAB>` offers. */
  top: Described[];
  /** Group name to its subcommands. */
  groups: Map<string, Described[]>;
  drills: string[];
}

/** Words go into the scripts unquoted or in single quotes, so they must be plain. */
function plain(word: string, what: string): string {
  if (!/^[A-Za-z0-9_@%+,./-]+$/.test(word)) {
    throw new RangeError(`Cannot put ${what} "${word}" in a completion script`);
  }
  return word;
}

function choicesKind(choices: readonly string[], what: string): Kind {
  return `=${choices.map((c) => plain(c, what)).join(" ")}`;
}

function flagsOf(options: readonly OptionSpec[]): Flag[] {
  return options.flatMap((o) => {
    const list = o.choices ?? o.suggest;
    const value: Kind | undefined = o.type === "boolean"
      ? undefined
      : list
      ? choicesKind(list, `a value of --${o.name}`)
      : o.complete ?? "none";
    const description = o.description.replace(/\s+/g, " ");
    const shorts = [...(o.short ? [o.short] : []), ...(o.aliases ?? [])];
    return [`--${o.name}`, ...shorts.map((c) => `-${c}`)].map((word) => ({
      word: plain(word, "an option"),
      option: o.name,
      description,
      value,
    }));
  });
}

/** A command's letters for global options (perf's `-J`), offered beside its own options. */
function globalAliasFlags(entry: CommandEntry): Flag[] {
  return Object.entries(entry.globalAliases ?? {}).map(([letter, option]) => ({
    word: plain(`-${letter}`, "an option"),
    option,
    description: `the same as --${option}`,
  }));
}

function argsOf(spec: CommandSpec): Kind[] {
  const p = spec.positionals ?? {};
  if (p.choices) return [choicesKind(p.choices, "an argument value")];
  const c = p.complete ?? "none";
  return typeof c === "string" ? [c as ValueCompletion] : c.length ? [...c] : ["none"];
}

function buildModel(commands: readonly CompletionCommand[], data: CompletionData): Model {
  const top: Described[] = [];
  const groups = new Map<string, Described[]>();
  for (const c of commands) {
    const [head, sub] = c.entry.name.split(" ").map((w) => plain(w, "a command name"));
    if (sub) {
      if (!groups.has(head)) {
        groups.set(head, []);
        top.push({ word: head, description: `${head} commands` });
      }
      groups.get(head)!.push({ word: sub, description: c.entry.summary });
    } else top.push({ word: head, description: c.entry.summary });
  }
  return {
    globals: flagsOf(globalOptions),
    commands: commands.map((c) => ({
      name: c.entry.name,
      flags: [...flagsOf(c.spec.options), ...globalAliasFlags(c.entry)],
      args: argsOf(c.spec),
      max: c.spec.positionals?.max ?? -1,
      keywords: Object.entries(c.spec.positionals?.keywords ?? {}).map((
        [word, list],
      ): [string, Kind] => [plain(word, "a keyword"), choicesKind(list, `a value after ${word}`)]),
    })),
    top,
    groups,
    drills: data.drills.map((d) => plain(d, "a drill name")),
  };
}

/** The options whose values complete to something: command-specific first, then global ones. */
function valueCases(m: Model): { command?: string; flags: string[]; kind: Kind }[] {
  const byOption = new Map<string, { command?: string; flags: string[]; kind: Kind }>();
  const add = (command: string | undefined, flags: readonly Flag[]) => {
    for (const f of flags) {
      if (f.value === undefined || f.value === "none") continue;
      const key = `${command ?? ""} --${f.option}`;
      const known = byOption.get(key);
      if (known) known.flags.push(f.word);
      else byOption.set(key, { command, flags: [f.word], kind: f.value });
    }
  };
  for (const c of m.commands) add(c.name, c.flags);
  add(undefined, m.globals);
  return [...byOption.values()];
}

const words = (list: readonly { word: string }[]) => list.map((f) => f.word).join(" ");
const valued = (list: readonly Flag[]) => list.filter((f) => f.value !== undefined);

// ---------------------------------------------------------------------------------------------
// bash and zsh: the same tables as strings, and one walker both shells run

/** A single-quoted bash/zsh word. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `_toolkit_spec`, setting what the walker reads as strings: `_tk_valued` (options taking a
 * value, blank-separated and -enclosed), `_tk_args` (the positionals' kinds, `;`-separated, the
 * last for the rest), `_tk_max` (most positionals, -1 for any). `extra` writes each shell's own
 * list of flags: the global ones (`add` false), then a command's added to them.
 */
function specFunction(m: Model, extra: (flags: readonly Flag[], add: boolean) => string): string {
  const cases = m.commands.map((c) => {
    const sets = [];
    if (c.flags.length) sets.push(extra(c.flags, true));
    if (valued(c.flags).length) sets.push(`_tk_valued+=${sq(`${words(valued(c.flags))} `)}`);
    sets.push(`_tk_args=${sq(c.args.join(";"))} _tk_max=${c.max}`);
    if (c.keywords.length) sets.push(`_tk_keys=${sq(c.keywords.map(([w]) => w).join(" "))}`);
    return `    ${sq(c.name)})\n      ${sets.join("\n      ")} ;;`;
  });
  return `# The options of command $1 ('' before one) with the global ones, those that take a value, what
# the positionals complete to (one kind per position, the last for the rest) and how many (-1: any).
_toolkit_spec() {
  ${extra(m.globals, false)}
  _tk_valued=${sq(` ${words(valued(m.globals))} `)} _tk_args=none _tk_max=-1 _tk_keys=
  case $1 in
${cases.join("\n")}
  esac
}

# What the positional after keyword $2 of command $1 completes to (ss's 'state STATE'); empty when
# $2 is no keyword.
_toolkit_keyword() {
  case "$1 $2" in
${
    m.commands.flatMap((c) =>
      c.keywords.map(([w, kind]) => `    ${sq(`${c.name} ${w}`)}) _tk_kind=${sq(kind)} ;;`)
    ).join("\n")
  }
    *) _tk_kind= ;;
  esac
}

# What the value of option $2 of command $1 completes to.
_toolkit_value() {
  case "$1 $2" in
${
    valueCases(m).map((v) =>
      `    ${
        v.flags.map((f) => v.command ? sq(`${v.command} ${f}`) : `*${sq(` ${f}`)}`).join(" | ")
      }) _tk_kind=${sq(v.kind)} ;;`
    ).join("\n")
  }
    *) _tk_kind=none ;;
  esac
}`;
}

/** `_toolkit_subs`: the subcommands of group $1 in `_tk_subnames`, and `extra`'s own lines. */
function subsFunction(m: Model, extra: (subs: readonly Described[]) => string): string {
  const cases = [...m.groups].map(([g, subs]) =>
    `    ${g}) _tk_subnames=${sq(` ${words(subs)} `)}${extra(subs)} ;;`
  );
  return `# The subcommands of group $1 (none when $1 is no group).
_toolkit_subs() {
  _tk_subnames=
  case $1 in
${cases.join("\n")}
  esac
}`;
}

/**
 * `_toolkit_kind`, in the syntax bash and zsh share: walks the words before the cursor (its
 * arguments; the one under the cursor is in `cur`), skipping options and their values wherever
 * they stand, and sets `kind` to what `cur` completes to (`flags`, `top`, `subs GROUP`, a list
 * `=a b`, `file`, `drill`, `none`) and `prefix` to an `--option=` the value follows.
 */
function kindFunction(m: Model): string {
  return `# What the word under the cursor ($cur) completes to, from the words before it ($@): sets kind
# (flags, top, subs GROUP, =a list, file, drill or none) and prefix (an --option= before a value).
_toolkit_kind() {
  local w cmd= group= pending= dd= first= prev= a
  local -i n=0 j
  _toolkit_spec ''
  for w in "$@"; do
    if [[ -n $pending ]]; then
      pending=
      continue
    fi
    if [[ -z $dd && $w == -?* ]]; then
      if [[ $w == -- ]]; then
        dd=1
      elif [[ $w == --* ]]; then
        [[ $w != *=* && $_tk_valued == *" $w "* ]] && pending=$w
      else
        # -abc: a letter that takes a value ends the group; its value is the rest or the next word
        for ((j = 1; j < \${#w}; j++)); do
          if [[ $_tk_valued == *" -\${w:$j:1} "* ]]; then
            ((j == \${#w} - 1)) && pending=-\${w:$j:1}
            break
          fi
        done
      fi
      continue
    fi
    if [[ -z $cmd ]]; then
      if [[ -n $group ]]; then
        _toolkit_subs "$group"
        if [[ $_tk_subnames == *" $w "* ]]; then cmd="$group $w"; else cmd='?'; fi
        _toolkit_spec "$cmd"
      else
        _toolkit_subs "$w"
        if [[ -n $_tk_subnames ]]; then
          group=$w
        elif [[ ${sq(` ${words(m.top)} `)} == *" $w "* ]]; then
          cmd=$w
          _toolkit_spec "$cmd"
        else
          cmd='?'
        fi
      fi
      continue
    fi
    ((n == 0)) && first=$w
    prev=$w
    n+=1
  done

  kind=none prefix=
  if [[ -n $pending ]]; then
    _toolkit_value "$cmd" "$pending"
    kind=$_tk_kind
  elif [[ -z $dd && $cur == --*=* ]]; then
    if [[ $_tk_valued == *" \${cur%%=*} "* ]]; then
      _toolkit_value "$cmd" "\${cur%%=*}"
      kind=$_tk_kind prefix=\${cur%%=*}=
    fi
  elif [[ -z $dd && $cur == -* ]]; then
    kind=flags
  elif [[ -z $cmd && -n $group ]]; then
    kind="subs $group"
  elif [[ -z $cmd ]]; then
    kind=top
  elif [[ $cmd != '?' && -n $_tk_keys ]]; then
    # After a keyword its list, elsewhere the keywords (ss's 'state STATE', 'exclude STATE').
    _toolkit_keyword "$cmd" "$prev"
    kind=$_tk_kind
    [[ -z $kind ]] && kind="=$_tk_keys"
  elif [[ $cmd != '?' ]] && ((_tk_max < 0 || n < _tk_max)); then
    a=$_tk_args
    for ((j = 0; j < n; j++)); do [[ $a == *';'* ]] && a=\${a#*;}; done
    kind=\${a%%;*}
    if [[ $kind == command ]]; then
      if ((n == 0)); then kind=top; elif ((n == 1)); then kind="subs $first"; else kind=none; fi
    fi
  fi
}`;
}

function bash(m: Model): string {
  return `# bash completion for toolkit (generated by 'toolkit completions bash').
# Install: save as ~/.local/share/bash-completion/completions/toolkit (loaded on demand by the
# bash-completion package), or add 'source <(toolkit completions bash)' to ~/.bashrc.

${
    specFunction(m, (flags, add) =>
      `_tk_flags${add ? "+" : ""}=${sq(`${add ? " " : ""}${words(flags)}`)}`)
  }

${subsFunction(m, () => "")}

${kindFunction(m)}

_toolkit() {
  local words=() i w line sp
  # bash splits "--format=json" and "host:port" into three words; glue them back by COMP_LINE
  if [[ -n \${COMP_LINE+set} ]]; then
    line=\${COMP_LINE:0:COMP_POINT}
    for ((i = 0; i <= COMP_CWORD; i++)); do
      sp=\${line%%[![:space:]]*}
      line=\${line:\${#sp}}
      w=\${COMP_WORDS[i]}
      ((i == COMP_CWORD)) && w=$line
      if ((i > 0)) && [[ -z $sp ]]; then
        words[\${#words[@]} - 1]+=$w
      else
        words+=("$w")
      fi
      line=\${line:\${#w}}
    done
  else
    words=("\${COMP_WORDS[@]:0:COMP_CWORD+1}")
  fi
  local cur=\${words[\${#words[@]} - 1]} kind prefix list
  local _tk_flags _tk_valued _tk_args _tk_max _tk_kind _tk_subnames _tk_keys
  _toolkit_kind "\${words[@]:1:\${#words[@]}-2}"
  [[ -n $prefix ]] && cur=\${cur#*=}
  case $kind in
    flags) list=$_tk_flags ;;
    top) list=${sq(words(m.top))} ;;
    'subs '*) _toolkit_subs "\${kind#subs }" && list=$_tk_subnames ;;
    '='*) list=\${kind#=} ;;
    iface) list=$({ command ls /sys/class/net || ifconfig -l; } 2>/dev/null) ;;
  esac
  if [[ $kind == file || $kind == drill ]]; then
    compopt -o filenames 2>/dev/null
    # compgen -f matches the text as typed minus backslashes and an opening quote
    cur=\${cur//\\\\/}
    cur=\${cur#[\\"\\']}
    mapfile -t COMPREPLY < <(
      [[ $kind == drill ]] && compgen -W ${sq(m.drills.join(" "))} -- "$cur"
      compgen -f -- "$cur"
    )
  else
    mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$list" -- "$cur")
  fi
  # Readline replaces only the text after the word's last = or : (COMP_WORDBREAKS); drop the rest.
  w=\${words[\${#words[@]} - 1]}
  w=\${w%"\${w##*[=:]}"}
  [[ -n $w ]] && COMPREPLY=("\${COMPREPLY[@]#"$w"}")
  return 0
}
complete -F _toolkit toolkit
`;
}

function zsh(m: Model): string {
  const described = (list: readonly Described[]) =>
    list.map((d) => sq(`${d.word.replace(/:/g, "\\:")}:${d.description}`)).join(" ");
  return `#compdef toolkit
# zsh completion for toolkit (generated by 'toolkit completions zsh').
# Install: save as _toolkit in a directory on $fpath before compinit runs (for example
# fpath=(~/.zfunc $fpath) in ~/.zshrc), or add 'source <(toolkit completions zsh)' after compinit.

${specFunction(m, (flags, add) => `_tk_flags${add ? "+" : ""}=(${described(flags)})`)}

${subsFunction(m, (subs) => ` _tk_subs=(${described(subs)})`)}

${kindFunction(m)}

_toolkit() {
  local -a _tk_flags _tk_subs
  local -a _tk_top=(${described(m.top)})
  local _tk_valued _tk_args _tk_max _tk_kind _tk_subnames _tk_keys kind prefix cur=$PREFIX
  _toolkit_kind "\${(@Q)words[2,CURRENT-1]}"
  [[ -n $prefix ]] && compset -P '*='
  case $kind in
    (flags) _describe -t options option _tk_flags ;;
    (top) _describe -t commands command _tk_top ;;
    ('subs '*) _toolkit_subs "\${kind#subs }"; _describe -t subcommands subcommand _tk_subs ;;
    ('='*) local -a values=(\${=kind#=}); compadd -a values ;;
    (file) _files ;;
    (iface) local -a ifaces=(\${=$({ command ls /sys/class/net || ifconfig -l; } 2>/dev/null)}); compadd -a ifaces ;;
    (drill) local -a drills=(${m.drills.join(" ")}); compadd -a drills; _files ;;
    (*) return 1 ;;
  esac
}

if [[ \${funcstack[1]} == _toolkit ]]; then
  _toolkit "$@"
else
  compdef _toolkit toolkit
fi
`;
}

// ---------------------------------------------------------------------------------------------
// fish

/** A single-quoted fish word. */
const fq = (s: string) => `'${s.replace(/[\\']/g, "\\$&")}'`;

function fish(m: Model): string {
  const set = (name: string, list: readonly string[], add = false) =>
    `set -g ${add ? "-a " : ""}${name}${list.map((w) => ` ${w}`).join("")}`;
  const descs = (list: readonly { description: string }[]) => list.map((d) => fq(d.description));
  const specCases = m.commands.map((c) =>
    [
      `        case ${fq(c.name)}`,
      `            ${set("__tk_flags", c.flags.map((f) => f.word), true)}`,
      `            ${set("__tk_descs", descs(c.flags), true)}`,
      `            ${set("__tk_valued", valued(c.flags).map((f) => f.word), true)}`,
      `            ${set("__tk_args", c.args.map(fq))}`,
      `            set -g __tk_max ${c.max}`,
      ...(c.keywords.length ? [`            ${set("__tk_keys", c.keywords.map(([w]) => w))}`] : []),
    ].join("\n")
  );
  const valueLines = valueCases(m).map((v) =>
    `        case ${
      v.flags.map((f) => v.command ? fq(`${v.command} ${f}`) : `'* ${f}'`).join(" ")
    }\n            echo ${fq(v.kind)}`
  );
  const groupLines = [...m.groups].map(([g, subs]) =>
    `        case ${g}\n            ${set("__tk_subs", subs.map((s) => s.word))}\n            ${
      set("__tk_sdescs", descs(subs))
    }`
  );
  return `# fish completion for toolkit (generated by 'toolkit completions fish').
# Install: save as ~/.config/fish/completions/toolkit.fish, or run
# 'toolkit completions fish | source' for this session.

# The options of command $argv[1] ('' before one) with the global ones and their descriptions,
# those that take a value, what the positionals complete to (one kind per position, the last for
# the rest) and how many (-1: any).
function __toolkit_spec
    ${set("__tk_flags", m.globals.map((f) => f.word))}
    ${set("__tk_descs", descs(m.globals))}
    ${set("__tk_valued", valued(m.globals).map((f) => f.word))}
    set -g __tk_args none
    set -g __tk_max -1
    set -g __tk_keys
    switch "$argv[1]"
${specCases.join("\n")}
    end
end

# What the positional after keyword $argv[2] of command $argv[1] completes to (ss's 'state
# STATE'); nothing when it is no keyword.
function __toolkit_keyword
    switch "$argv[1] $argv[2]"
${
    m.commands.flatMap((c) =>
      c.keywords.map(([w, kind]) =>
        `        case ${fq(`${c.name} ${w}`)}\n            echo ${fq(kind)}`
      )
    ).join("\n")
  }
    end
end

# What the value of option $argv[2] of command $argv[1] completes to.
function __toolkit_value
    switch "$argv[1] $argv[2]"
${valueLines.join("\n")}
        case '*'
            echo none
    end
end

# The subcommands of group $argv[1] and their descriptions (none when it is no group).
function __toolkit_subs
    set -g __tk_subs
    set -g __tk_sdescs
    switch "$argv[1]"
${groupLines.join("\n")}
    end
end

${set("__tk_top", m.top.map((d) => d.word))}
${set("__tk_tdescs", descs(m.top))}

# What the word under the cursor completes to: a list '=a b', flags, top, subs GROUP, file, drill,
# or none; a value after --opt= comes with the prefix in __tk_prefix.
function __toolkit_kind
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd ''
    set -l group ''
    set -l pending ''
    set -l dd ''
    set -l first ''
    set -l prev ''
    set -l n 0
    set -g __tk_prefix ''
    __toolkit_spec ''
    for w in $tokens[2..-1]
        if test -n "$pending"
            set pending ''
            continue
        end
        if test -z "$dd"; and string match -qr -- '^-.' $w
            if test "$w" = --
                set dd 1
            else if string match -q -- '--*' $w
                if not string match -q -- '*=*' $w; and contains -- $w $__tk_valued
                    set pending $w
                end
            else
                # -abc: a letter that takes a value ends the group; its value is the rest or the next word
                set -l len (string length -- $w)
                for j in (seq 2 $len)
                    set -l letter -(string sub -s $j -l 1 -- $w)
                    if contains -- $letter $__tk_valued
                        test $j -eq $len; and set pending $letter
                        break
                    end
                end
            end
            continue
        end
        if test -z "$cmd"
            if test -n "$group"
                __toolkit_subs "$group"
                if contains -- $w $__tk_subs
                    set cmd "$group $w"
                else
                    set cmd '?'
                end
                __toolkit_spec "$cmd"
            else
                __toolkit_subs "$w"
                if set -q __tk_subs[1]
                    set group $w
                else if contains -- $w $__tk_top
                    set cmd $w
                    __toolkit_spec "$cmd"
                else
                    set cmd '?'
                end
            end
            continue
        end
        test $n -eq 0; and set first $w
        set prev $w
        set n (math $n + 1)
    end

    if test -n "$pending"
        __toolkit_value "$cmd" $pending
    else if test -z "$dd"; and string match -q -- '--*=*' $cur
        set -l flag (string split -m 1 = -- $cur)[1]
        if contains -- $flag $__tk_valued
            set -g __tk_prefix $flag=
            __toolkit_value "$cmd" $flag
        else
            echo none
        end
    else if test -z "$dd"; and string match -q -- '-*' $cur
        echo flags
    else if test -z "$cmd" -a -n "$group"
        echo subs $group
    else if test -z "$cmd"
        echo top
    else if test "$cmd" != '?'; and set -q __tk_keys[1]
        # After a keyword its list, elsewhere the keywords (ss's 'state STATE', 'exclude STATE').
        set -l kw (__toolkit_keyword "$cmd" "$prev")
        if test -n "$kw"
            echo $kw
        else
            echo "="(string join ' ' -- $__tk_keys)
        end
    else if test "$cmd" = '?'; or test $__tk_max -ge 0 -a $n -ge $__tk_max
        echo none
    else
        set -l kind $__tk_args[-1]
        set -q __tk_args[(math $n + 1)]; and set kind $__tk_args[(math $n + 1)]
        if test "$kind" = command
            if test $n -eq 0
                echo top
            else if test $n -eq 1
                echo subs $first
            else
                echo none
            end
        else
            echo $kind
        end
    end
end

# The words for the cursor (files come from the -F rule below).
function __toolkit_complete
    set -l kind (__toolkit_kind)
    switch "$kind"
        case flags
            for i in (seq (count $__tk_flags))
                printf '%s\\t%s\\n' $__tk_flags[$i] $__tk_descs[$i]
            end
        case top
            for i in (seq (count $__tk_top))
                printf '%s\\t%s\\n' $__tk_top[$i] $__tk_tdescs[$i]
            end
        case 'subs *'
            __toolkit_subs (string split ' ' -- $kind)[2]
            for i in (seq (count $__tk_subs))
                printf '%s\\t%s\\n' $__tk_subs[$i] $__tk_sdescs[$i]
            end
        case drill
            printf '%s\\tbuilt-in drill\\n' ${m.drills.join(" ")}
        case iface
            for i in (begin; command ls /sys/class/net; or ifconfig -l | string split ' '; end 2>/dev/null)
                printf "$__tk_prefix%s\\n" $i
            end
        case '=*'
            printf "$__tk_prefix%s\\n" (string split ' ' -- (string sub -s 2 -- $kind))
    end
end

function __toolkit_wants_files
    contains -- (__toolkit_kind) file drill
end

complete -c toolkit -e
complete -c toolkit -f -a '(__toolkit_complete)'
complete -c toolkit -n __toolkit_wants_files -F
`;
}

/**
 * A completion script for `shell`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { completionScript, loadCompletionCommands } from "./completions.ts";
 *
 * const script = completionScript("bash", await loadCompletionCommands(registry), { drills: [] });
 * assert.ok(script.startsWith("# bash completion for toolkit (generated by 'toolkit completions bash')."));
 * assert.ok(script.includes("udp-send"));
 * ```
 */
export function completionScript(
  shell: Shell,
  commands: readonly CompletionCommand[],
  data: CompletionData,
): string {
  const model = buildModel(commands, data);
  return shell === "bash" ? bash(model) : shell === "zsh" ? zsh(model) : fish(model);
}
