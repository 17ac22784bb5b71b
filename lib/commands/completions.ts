// `toolkit completions bash|zsh|fish`: a completion script from the same tables that parse.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import {
  completionScript,
  loadCompletionCommands,
  type Shell,
  shells,
} from "../cli/completions.ts";
import { writeJson } from "../cli/output.ts";
import { builtinDrills } from "../drill/builtin.ts";
import { registry } from "./registry.ts";

const command: CommandModule<{ shell: Shell }> = {
  spec: {
    usage: "bash|zsh|fish",
    description:
      "The script completes commands and subcommands (also after global options), options once - is typed, option values from their lists, files only where an argument or option takes a file, built-in drill names, command names after 'help'. Install it once: bash: save it as ~/.local/share/bash-completion/completions/toolkit (or source it from ~/.bashrc); zsh: save it as _toolkit in a directory on $fpath before compinit runs (or source it after); fish: save it as ~/.config/fish/completions/toolkit.fish.",
    options: [],
    examples: [
      "toolkit completions bash > ~/.local/share/bash-completion/completions/toolkit",
      "toolkit completions zsh > ~/.zfunc/_toolkit   # with fpath=(~/.zfunc $fpath) before compinit",
      "toolkit completions fish > ~/.config/fish/completions/toolkit.fish",
    ],
    positionals: { min: 1, max: 1, choices: shells },
  },
  parse(args) {
    const { positionals } = parseCommandArgs("completions", this.spec, args);
    return { shell: positionals[0] as Shell };
  },
  async run({ shell }, io) {
    const commands = await loadCompletionCommands(registry);
    const drills = builtinDrills.map((d) => d.name);
    const script = completionScript(shell, commands, { drills });
    // Under --json the script is a string in a document, like every other command's output.
    if (io.globals.json) await writeJson(io, { shell, script });
    else await io.stdout.write(script);
    return ExitCode.ok;
  },
};
export default command;
