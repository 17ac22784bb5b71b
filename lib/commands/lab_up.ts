// `toolkit lab up`: builds a small network of Linux namespaces to watch broadcast and multicast
// on: hosts on a bridge in 198.18.1.0/24, and with --router a second segment (198.18.2.0/24)
// behind a forwarding router, which is where a broadcast stops.
import { intOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { writeJson, writeStatus } from "../cli/output.ts";
import { buildLab, discoverLab, type LabPlan, maxHostsPerSegment, planLab } from "../lab/mod.ts";
import { labErrorForCli, labJson, labPrefixOption, prefixOption, printLab } from "./_lab.ts";

/** Parsed `lab up` options. */
export interface LabUpOptions {
  plan: LabPlan;
  dryRun: boolean;
  verbose: boolean;
  json: boolean;
}

const name = "lab up";

const command: CommandModule<LabUpOptions> = {
  spec: {
    usage: "",
    description:
      "Each host is a network namespace (PREFIX-h1, PREFIX-h2, ...) with eth0 on a bridge that lives in a switch namespace (PREFIX-sw1), so nothing is added to this machine's own interfaces. Host hN gets 198.18.S.N/24 and 2001:2:0:S::N/64 on segment S; the router (PREFIX-r1) has .254 on both segments, forwards IPv4 and IPv6, and is every host's default gateway. A failed or interrupted build removes what it created; `lab down` removes a lab even after a crash. Needs root.",
    options: [
      {
        name: "hosts",
        short: "n",
        type: "string",
        value: "N",
        default: "2",
        description: `hosts on the first segment (1-${maxHostsPerSegment})`,
      },
      {
        name: "router",
        short: "r",
        type: "boolean",
        description: "add a router namespace and a second segment behind it",
      },
      {
        name: "behind",
        short: "b",
        type: "string",
        value: "N",
        description: "hosts on the second segment, behind the router [default with --router: 1]",
      },
      prefixOption,
      {
        name: "dry-run",
        type: "boolean",
        description: "print the ip commands that would build the lab, change nothing",
      },
      { name: "verbose", short: "v", type: "boolean", description: "print each ip command run" },
    ],
    examples: [
      "toolkit lab up                        # h1, h2 on 198.18.1.0/24",
      "toolkit lab up --hosts 3 --router     # plus h4 on 198.18.2.0/24 behind tklab-r1",
      "toolkit lab up --dry-run --router --behind 2",
      "ip netns exec tklab-h1 toolkit udp-send --broadcast 198.18.1.255:9000 hi",
    ],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    const { values } = parseCommandArgs(name, this.spec, args);
    const router = values.router === true;
    if (!router && values.behind !== undefined) {
      throw new UsageError("--behind needs --router (hosts behind a router)", name);
    }
    const bounds = { min: 1, max: maxHostsPerSegment, command: name };
    const plan = planLab({
      prefix: labPrefixOption(values, name),
      hosts: intOption(values, "hosts", { ...bounds, fallback: 2 }),
      router,
      behind: router ? intOption(values, "behind", { ...bounds, fallback: 1 }) : undefined,
    });
    return {
      plan,
      dryRun: values["dry-run"] === true,
      verbose: values.verbose === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    if (o.dryRun) {
      if (o.json) await writeJson(io, o.plan);
      else await io.stdout.write(o.plan.steps.map((s) => `ip ${s.join(" ")}\n`).join(""));
      return ExitCode.ok;
    }
    const started = performance.now();
    let logged = Promise.resolve();
    try {
      await buildLab(o.plan, {
        signal: io.signal,
        // Under --json each step is an event on stderr, as every status line is.
        onStep: o.verbose
          ? (s) =>
            void (logged = logged.then(() =>
              writeStatus(io, { event: "step", command: `ip ${s.join(" ")}` }, `ip ${s.join(" ")}`)
            ))
          : undefined,
      });
    } catch (err) {
      await logged;
      if (io.signal.aborted) return ExitCode.interrupted;
      throw labErrorForCli(err);
    }
    await logged;
    const state = await discoverLab(o.plan.prefix).catch((err) => {
      throw labErrorForCli(err);
    });
    if (o.json) {
      await writeJson(io, labJson(state));
    } else {
      await printLab(io, state);
      if (!io.globals.quiet) {
        const ms = Math.round(performance.now() - started);
        await io.stderr.write(
          `lab "${o.plan.prefix}" is up (${o.plan.steps.length} steps, ${ms} ms)\n`,
        );
      }
    }
    return ExitCode.ok;
  },
};
export default command;
