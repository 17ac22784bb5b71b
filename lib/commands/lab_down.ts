// `toolkit lab down`: removes a lab found from the kernel's state, namespaces carrying the prefix
// and anything named with it, so it also cleans up after a crashed `lab up`. Safe to repeat.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { teardownLab, type TeardownResult } from "../lab/mod.ts";
import { labErrorForCli, labPrefixOption, prefixOption } from "./_lab.ts";

/** Parsed `lab down` options. */
export interface LabDownOptions {
  prefix: string;
  json: boolean;
}

const name = "lab down";

const command: CommandModule<LabDownOptions> = {
  spec: {
    usage: "",
    description:
      "Deletes every network namespace named PREFIX-h*, PREFIX-r*, PREFIX-sw* (their veth pairs and bridges go with them) and any link in this namespace named PREFIX-*. Nothing to remove is not an error. A process still running inside a host keeps that host's network alive until it exits; such hosts are named. Needs root.",
    options: [prefixOption],
    examples: ["toolkit lab down", "toolkit lab down --prefix t1 --json"],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    const { values } = parseCommandArgs(name, this.spec, args);
    return { prefix: labPrefixOption(values, name), json: globals.json };
  },
  async run(o, io) {
    let result: TeardownResult;
    try {
      result = await teardownLab(o.prefix);
    } catch (err) {
      throw labErrorForCli(err);
    }
    if (o.json) {
      await writeJson(io, { prefix: o.prefix, ...result });
      return ExitCode.ok;
    }
    const removed = [...result.namespaces, ...result.links];
    if (removed.length === 0) {
      if (!io.globals.quiet) await io.stdout.write(`No lab "${o.prefix}" to remove\n`);
      return ExitCode.ok;
    }
    let text = `Removed ${removed.join(" ")}\n`;
    for (const b of result.busy) {
      text += `note: ${b.namespace} still had processes inside (pid ${b.pids.join(", ")}); ` +
        `its network goes when they exit\n`;
    }
    if (!io.globals.quiet) await io.stdout.write(text);
    return ExitCode.ok;
  },
};
export default command;
