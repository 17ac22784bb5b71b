// `toolkit help [COMMAND]`: the same help as `--help`, for people who type it the git way.
import type { CommandModule } from "../cli/command.ts";
import { resolveCommand, unknownMessage } from "../cli/dispatch.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import {
  commandHelp,
  commandHelpJson,
  groupHelp,
  topLevelHelp,
  topLevelHelpJson,
} from "../cli/help.ts";
import { writeJson } from "../cli/output.ts";
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
    const json = io.globals.json;
    if (words.length === 0) {
      if (json) await writeJson(io, topLevelHelpJson(registry));
      else await io.stdout.write(topLevelHelp(registry));
      return ExitCode.ok;
    }
    const found = resolveCommand(registry, words);
    if (found.kind === "unknown") throw new UsageError(unknownMessage(found), "help");
    if (found.kind === "group") {
      if (json) await writeJson(io, topLevelHelpJson(found.entries));
      else await io.stdout.write(groupHelp(found.prefix, found.entries));
    } else {
      const mod = await found.entry.load();
      if (json) await writeJson(io, commandHelpJson(found.entry, mod));
      else await io.stdout.write(commandHelp(found.entry, mod));
    }
    return ExitCode.ok;
  },
};
export default command;
