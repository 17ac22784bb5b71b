// `toolkit completions bash|zsh|fish`: a completion script from the same tables that parse.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { UsageError } from "../cli/errors.ts";
import {
  completionScript,
  loadCompletionCommands,
  type Shell,
  shells,
} from "../cli/completions.ts";
import { registry } from "./registry.ts";

const command: CommandModule<{ shell: Shell }> = {
  spec: {
    usage: "bash|zsh|fish",
    options: [],
    examples: [
      "toolkit completions bash > /etc/bash_completion.d/toolkit",
      "toolkit completions zsh > ~/.zfunc/_toolkit",
      "toolkit completions fish > ~/.config/fish/completions/toolkit.fish",
    ],
    positionals: { min: 1, max: 1 },
  },
  parse(args) {
    const { positionals } = parseCommandArgs("completions", this.spec, args);
    const shell = positionals[0] as Shell;
    if (!shells.includes(shell)) {
      throw new UsageError(`unsupported shell "${shell}" (bash, zsh, fish)`, "completions");
    }
    return { shell };
  },
  async run({ shell }, io) {
    await io.stdout.write(completionScript(shell, await loadCompletionCommands(registry)));
    return 0;
  },
};
export default command;
