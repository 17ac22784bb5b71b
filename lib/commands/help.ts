// `toolkit help [COMMAND]`: the same help as `--help`, for people who type it the git way.
import type { CommandModule } from "../cli/command.ts";
import { resolveCommand, unknownMessage } from "../cli/dispatch.ts";
import { UsageError } from "../cli/errors.ts";
import { commandHelp, groupHelp, topLevelHelp } from "../cli/help.ts";
import { registry } from "./registry.ts";

const command: CommandModule<{ words: string[] }> = {
  spec: {
    usage: "[COMMAND]",
    options: [],
    examples: ["toolkit help", "toolkit help udp-send", "toolkit help subnet"],
    positionals: { complete: "command" },
  },
  parse: (args) => ({ words: [...args] }),
  async run({ words }, io) {
    if (words.length === 0) {
      await io.stdout.write(topLevelHelp(registry));
      return 0;
    }
    const found = resolveCommand(registry, words);
    if (found.kind === "unknown") throw new UsageError(unknownMessage(found), "help");
    if (found.kind === "group") {
      await io.stdout.write(groupHelp(found.prefix, found.entries));
    } else {
      await io.stdout.write(commandHelp(found.entry, await found.entry.load()));
    }
    return 0;
  },
};
export default command;
