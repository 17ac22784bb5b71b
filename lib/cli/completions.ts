// Shell completion scripts generated from the registry and each command's option table, so a new
// command or option completes without anyone editing a script. Each script carries the tables as
// data and one walker, the same in bash, zsh and fish: it skips global options (and their values)
// wherever they stand, finds the command and subcommand, and completes the current word from what
// the table says it is: an option, an option's value, or a positional argument.
import type { CommandSpec, OptionSpec, ValueCompletion } from "./command.ts";
import type { CommandEntry, CommandModule } from "./command.ts";
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
 * const commands = await loadCompletionCommands(registry);
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
    const value: Kind | undefined = o.type === "boolean"
      ? undefined
      : o.choices
      ? choicesKind(o.choices, `a value of --${o.name}`)
      : o.complete ?? "none";
    const description = o.description.replace(/\s+/g, " ");
    return [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])].map((word) => ({
      word: plain(word, "an option"),
      option: o.name,
      description,
      value,
    }));
  });
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
      flags: flagsOf(c.spec.options),
      args: argsOf(c.spec),
      max: c.spec.positionals?.max ?? -1,
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
// bash

function bash(m: Model): string {
  const specCases = m.commands.map((c) => {
    const sets = [];
    if (c.flags.length) sets.push(`_tk_flags+=' ${words(c.flags)}'`);
    if (valued(c.flags).length) sets.push(`_tk_valued+='${words(valued(c.flags))} '`);
    sets.push(`_tk_args='${c.args.join(";")}'`, `_tk_max=${c.max}`);
    return `    '${c.name}') ${sets.join(" ")} ;;`;
  });
  const valueLines = valueCases(m).map((v) =>
    `    ${
      v.flags.map((f) => v.command ? `'${v.command} ${f}'` : `*' ${f}'`).join(" | ")
    }) _tk_kind='${v.kind}' ;;`
  );
  const groupLines = [...m.groups].map(([g, subs]) => `    ${g}) _tk_subs='${words(subs)}' ;;`);
  return `# bash completion for toolkit (generated by 'toolkit completions bash').
# Install: save as ~/.local/share/bash-completion/completions/toolkit (loaded on demand by the
# bash-completion package), or add 'source <(toolkit completions bash)' to ~/.bashrc.

# The options of command $1 ('' before one) with the global ones, those that take a value, what
# the positionals complete to (one kind per position, the last for the rest) and how many (-1: any).
_toolkit_spec() {
  _tk_flags='${words(m.globals)}' _tk_valued=' ${
    valued(m.globals).map((f) => `${f.word} `).join("")
  }' _tk_args=none _tk_max=-1
  case $1 in
${specCases.join("\n")}
  esac
}

# What the value of option $2 of command $1 completes to.
_toolkit_value() {
  case "$1 $2" in
${valueLines.join("\n")}
    *) _tk_kind=none ;;
  esac
}

# The subcommands of group $1 (empty when $1 is no group).
_toolkit_subs() {
  case $1 in
${groupLines.join("\n")}
    *) _tk_subs= ;;
  esac
}

# COMPREPLY for kind $1 (a list '=a b', file, drill, none), current text $2, prefix $3 ('--opt=').
_toolkit_reply() {
  local cur=$2
  case $1 in
    =*) mapfile -t COMPREPLY < <(compgen -P "$3" -W "\${1#=}" -- "$cur") ;;
    file | drill)
      compopt -o filenames 2>/dev/null
      cur=\${cur//\\\\/}
      cur=\${cur#[\\"\\']}
      mapfile -t COMPREPLY < <(
        [[ $1 == drill ]] && compgen -W '${m.drills.join(" ")}' -- "$cur"
        compgen -f -- "$cur"
      ) ;;
    *) COMPREPLY=() ;;
  esac
}

_toolkit() {
  local words=() cword i w line sp
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
  cword=$((\${#words[@]} - 1))

  local cur=\${words[cword]} cmd= group= pending= dd= first= kind= prefix= j
  local _tk_flags _tk_valued _tk_args _tk_max _tk_kind _tk_subs
  local -i n=0
  _toolkit_spec ''
  for ((i = 1; i < cword; i++)); do
    w=\${words[i]}
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
          if [[ $_tk_valued == *" -\${w:j:1} "* ]]; then
            ((j == \${#w} - 1)) && pending=-\${w:j:1}
            break
          fi
        done
      fi
      continue
    fi
    if [[ -z $cmd ]]; then
      if [[ -n $group ]]; then
        _toolkit_subs "$group"
        if [[ " $_tk_subs " == *" $w "* ]]; then cmd="$group $w"; else cmd='?'; fi
        _toolkit_spec "$cmd"
      else
        _toolkit_subs "$w"
        if [[ -n $_tk_subs ]]; then
          group=$w
        elif [[ " ${words(m.top)} " == *" $w "* ]]; then
          cmd=$w
          _toolkit_spec "$cmd"
        else
          cmd='?'
        fi
      fi
      continue
    fi
    ((n == 0)) && first=$w
    n+=1
  done

  if [[ -n $pending ]]; then
    _toolkit_value "$cmd" "$pending"
    kind=$_tk_kind
  elif [[ -z $dd && $cur == --*=* ]]; then
    w=\${cur%%=*}
    if [[ $_tk_valued == *" $w "* ]]; then
      _toolkit_value "$cmd" "$w"
      kind=$_tk_kind prefix=$w= cur=\${cur#*=}
    fi
  elif [[ -z $dd && $cur == -* ]]; then
    kind="=$_tk_flags"
  elif [[ -z $cmd && -n $group ]]; then
    _toolkit_subs "$group"
    kind="=$_tk_subs"
  elif [[ -z $cmd ]]; then
    kind='=${words(m.top)}'
  elif [[ $cmd != '?' ]] && ((_tk_max < 0 || n < _tk_max)); then
    IFS=';' read -ra w <<<"$_tk_args"
    kind=\${w[n]:-\${w[\${#w[@]} - 1]}}
    if [[ $kind == command ]]; then
      kind=
      if ((n == 0)); then
        kind='=${words(m.top)}'
      elif ((n == 1)); then
        _toolkit_subs "$first"
        kind="=$_tk_subs"
      fi
    fi
  fi
  _toolkit_reply "$kind" "$cur" "$prefix"
  # Readline replaces only the text after the word's last = or : (COMP_WORDBREAKS); drop the rest.
  w=\${words[cword]}
  w=\${w%"\${w##*[=:]}"}
  [[ -n $w ]] && COMPREPLY=("\${COMPREPLY[@]#"$w"}")
  return 0
}
complete -F _toolkit toolkit
`;
}

// ---------------------------------------------------------------------------------------------
// zsh

/** A single-quoted zsh/bash word. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function zsh(m: Model): string {
  const described = (list: readonly Described[]) =>
    list.map((d) => sq(`${d.word.replace(/:/g, "\\:")}:${d.description}`)).join(" ");
  const specCases = m.commands.map((c) =>
    `    (${sq(c.name)}) _tk_flags+=(${described(c.flags)})
      _tk_valued+=(${words(valued(c.flags))}) _tk_args=(${
      c.args.map(sq).join(" ")
    }) _tk_max=${c.max} ;;`
  );
  const valueLines = valueCases(m).map((v) =>
    `    (${
      v.flags.map((f) => v.command ? sq(`${v.command} ${f}`) : `*' ${f}'`).join("|")
    }) _tk_kind=${sq(v.kind)} ;;`
  );
  const groupLines = [...m.groups].map(([g, subs]) =>
    `    (${g}) _tk_subs=(${described(subs)}) ;;`
  );
  return `#compdef toolkit
# zsh completion for toolkit (generated by 'toolkit completions zsh').
# Install: save as _toolkit in a directory on $fpath before compinit runs (for example
# fpath=(~/.zfunc $fpath) in ~/.zshrc), or add 'source <(toolkit completions zsh)' after compinit.

# The options of command $1 ('' before one) with the global ones, those that take a value, what
# the positionals complete to (one kind per position, the last for the rest) and how many (-1: any).
_toolkit_spec() {
  _tk_flags=(${described(m.globals)})
  _tk_valued=(${words(valued(m.globals))}) _tk_args=(none) _tk_max=-1
  case $1 in
${specCases.join("\n")}
  esac
}

# What the value of option $2 of command $1 completes to.
_toolkit_value() {
  case "$1 $2" in
${valueLines.join("\n")}
    (*) _tk_kind=none ;;
  esac
}

# The subcommands of group $1 (none when $1 is no group).
_toolkit_subs() {
  case $1 in
${groupLines.join("\n")}
    (*) _tk_subs=() ;;
  esac
}

_toolkit() {
  local -a _tk_flags _tk_valued _tk_args _tk_subs
  local -a _tk_top=(${described(m.top)})
  local _tk_max _tk_kind cmd= group= pending= dd= first= kind= w cur=$PREFIX
  integer i j n=0
  _toolkit_spec ''
  for (( i = 2; i < CURRENT; i++ )); do
    w=\${(Q)words[i]}
    if [[ -n $pending ]]; then
      pending=
      continue
    fi
    if [[ -z $dd && $w == -?* ]]; then
      if [[ $w == -- ]]; then
        dd=1
      elif [[ $w == --* ]]; then
        [[ $w != *=* ]] && (( \${_tk_valued[(Ie)$w]} )) && pending=$w
      else
        # -abc: a letter that takes a value ends the group; its value is the rest or the next word
        for (( j = 2; j <= \${#w}; j++ )); do
          if (( \${_tk_valued[(Ie)-\${w[j]}]} )); then
            (( j == \${#w} )) && pending=-\${w[j]}
            break
          fi
        done
      fi
      continue
    fi
    if [[ -z $cmd ]]; then
      if [[ -n $group ]]; then
        _toolkit_subs "$group"
        if (( \${\${(@)_tk_subs%%:*}[(Ie)$w]} )); then cmd="$group $w"; else cmd='?'; fi
        _toolkit_spec "$cmd"
      else
        _toolkit_subs "$w"
        if (( $#_tk_subs )); then
          group=$w
        elif (( \${\${(@)_tk_top%%:*}[(Ie)$w]} )); then
          cmd=$w
          _toolkit_spec "$cmd"
        else
          cmd='?'
        fi
      fi
      continue
    fi
    (( n == 0 )) && first=$w
    n+=1
  done

  if [[ -n $pending ]]; then
    _toolkit_value "$cmd" "$pending"
    kind=$_tk_kind
  elif [[ -z $dd && $cur == --*=* ]]; then
    if (( \${_tk_valued[(Ie)\${cur%%=*}]} )); then
      _toolkit_value "$cmd" "\${cur%%=*}"
      kind=$_tk_kind
      compset -P '*='
    fi
  elif [[ -z $dd && $cur == -* ]]; then
    _describe -t options option _tk_flags
    return
  elif [[ -z $cmd && -n $group ]]; then
    _toolkit_subs "$group"
    _describe -t subcommands subcommand _tk_subs
    return
  elif [[ -z $cmd ]]; then
    _describe -t commands command _tk_top
    return
  elif [[ $cmd != '?' ]] && (( _tk_max < 0 || n < _tk_max )); then
    kind=\${_tk_args[n + 1]:-\${_tk_args[-1]}}
    if [[ $kind == command ]]; then
      if (( n == 0 )); then
        _describe -t commands command _tk_top
      elif (( n == 1 )); then
        _toolkit_subs "$first"
        _describe -t subcommands subcommand _tk_subs
      fi
      return
    fi
  fi
  case $kind in
    ('='*) local -a values=(\${=kind#=}); compadd -a values ;;
    (file) _files ;;
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
    switch "$argv[1]"
${specCases.join("\n")}
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
 * const script = completionScript("bash", await loadCompletionCommands(registry), { drills: [] });
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
