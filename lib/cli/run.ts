// The whole command line, from argv to exit code: global options, dispatch, the optional
// permission-narrowed Worker, help, parse, run, and every error mapped to its exit code.
// Help, scope and error reporting are imported only on the paths that need them: start-up of a
// plain `toolkit udp-send ...` is measured against a bare `deno run` (bench/).
import { registry } from "../commands/registry.ts";
import { expandGlobalAliases, resolveCommand, unknownMessage } from "./dispatch.ts";
import { ExitCode, fromUserInput, UsageError } from "./errors.ts";
import { type ExtractedGlobals, extractGlobals, jsonRequested } from "./globals.ts";
import { denoIo, type GlobalOptions, type Io, OutputClosedError, wantColor } from "./io.ts";
import type { Narrowing } from "../scope/mod.ts";

/** How {@linkcode runCli} is hosted. */
export interface RunContext {
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Builds the command's `Io`; defaults to the process's terminal. */
  makeIo?: (globals: GlobalOptions, signal: AbortSignal) => Io;
  /** Set inside the sandbox Worker: the narrowing on the command line is already in force. */
  sandboxed?: boolean;
  /** Set inside the Worker that runs a command in its {@linkcode CommandModule.ownScope}. */
  ownScope?: boolean;
  /** Runs argv in a narrowed Worker (injected so this module does not load the sandbox). */
  runNarrowed?: (
    argv: readonly string[],
    narrowing: Narrowing,
    signal: AbortSignal,
    options?: { base?: string; own?: boolean },
  ) => Promise<number>;
}

/** The narrowing asked for with `--net` and `--scope`, and where a scope file's paths start. */
async function readNarrowing(
  g: ExtractedGlobals,
): Promise<{ narrowing: Narrowing; base?: string } | undefined> {
  if (!g.net.length && g.scopeFile === undefined) return undefined;
  const { combineNarrowings, parseNetList, parseScopeFile, readInputText } = await import(
    "../scope/mod.ts"
  );
  let narrowing: Narrowing | undefined;
  if (g.net.length) {
    try {
      narrowing = { net: parseNetList(g.net) };
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof RangeError)) throw err;
      const message = err.message;
      throw new UsageError(`--net: ${message[0].toLowerCase()}${message.slice(1)}`);
    }
  }
  if (g.scopeFile === undefined) return { narrowing: narrowing! };
  const { dirname, resolve } = await import("node:path");
  const text = await readInputText(g.scopeFile, { limit: 1 << 20 });
  const fromFile = fromUserInput(() => parseScopeFile(text, `scope file ${g.scopeFile}`));
  return {
    narrowing: narrowing ? combineNarrowings(narrowing, fromFile) : fromFile,
    // Relative paths in a scope file are relative to the file, as in a drill.
    base: dirname(resolve(g.scopeFile)),
  };
}

/**
 * Runs one toolkit command line and resolves to its exit code. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo, type MemoryIo } from "./io.ts";
 * import { runCli } from "./run.ts";
 *
 * let io: MemoryIo | undefined;
 * const ctx = {
 *   signal: new AbortController().signal,
 *   makeIo: (globals: MemoryIo["globals"]) => (io = memoryIo({ globals })),
 * };
 * const code = await runCli(["subnet", "same", "10.0.0.1", "10.0.0.2", "/24"], ctx);
 * assert.equal(code, 0);
 * assert.equal(io?.stdoutText(), "same network: 10.0.0.1 and 10.0.0.2 are both in 10.0.0.0/24\n");
 * // A negative answer is exit 1.
 * assert.equal(await runCli(["subnet", "same", "10.0.0.1", "10.0.1.2", "/24"], ctx), 1);
 * ```
 */
export async function runCli(argv: readonly string[], ctx: RunContext): Promise<number> {
  // An interrupted run is exit 130, whatever the command was doing when it came, unless its code
  // is meant to stand: a command that ends on Ctrl-C (tcp-ping without a count, as ping), or the
  // sandbox Worker's answer, which already went through this rule inside.
  const outcome = { codeStands: false };
  // A peer tool's letter for a global option (iperf3's -J) is that option from here on, also in
  // a sandbox Worker, which is handed these words.
  const code = await runCommandLine(expandGlobalAliases(registry, argv), ctx, outcome);
  return ctx.signal.aborted && !outcome.codeStands ? ExitCode.interrupted : code;
}

async function runCommandLine(
  argv: readonly string[],
  ctx: RunContext,
  outcome: { codeStands: boolean },
): Promise<number> {
  const fallbackGlobals: GlobalOptions = {
    json: jsonRequested(argv),
    quiet: false,
    debug: argv.includes("--debug"),
    color: false,
  };
  const makeIo = ctx.makeIo ?? denoIo;
  let io = makeIo(fallbackGlobals, ctx.signal);
  try {
    const g = extractGlobals(argv);
    const globals: GlobalOptions = {
      json: g.json,
      quiet: g.quiet,
      debug: g.debug,
      color: wantColor({ noColor: g.noColor, terminal: io.stdout.isTerminal() }),
    };
    io = makeIo(globals, ctx.signal);
    const help = () => import("./help.ts");
    // A global option is one anywhere: `toolkit perf-server -V` prints the version and runs nothing.
    if (g.version) {
      const { version } = await help();
      await io.stdout.write(g.json ? JSON.stringify({ version }) + "\n" : `toolkit ${version}\n`);
      return ExitCode.ok;
    }
    if (g.rest.length === 0) {
      const { topLevelHelp, topLevelHelpJson } = await help();
      if (g.help && g.json) return await writeJsonDocument(io, topLevelHelpJson(registry));
      if (g.json) throw new UsageError("missing command");
      await (g.help ? io.stdout : io.stderr).write(topLevelHelp(registry));
      return g.help ? ExitCode.ok : ExitCode.usage;
    }
    const found = resolveCommand(registry, g.rest);
    if (found.kind === "unknown") throw new UsageError(unknownMessage(found));
    if (found.kind === "group") {
      const { groupHelp, topLevelHelpJson } = await help();
      if (g.help && g.json) return await writeJsonDocument(io, topLevelHelpJson(found.entries));
      if (g.json) {
        const names = found.entries.map((e) => e.name).join(", ");
        throw new UsageError(`missing subcommand: ${names}`, found.prefix);
      }
      await (g.help ? io.stdout : io.stderr).write(groupHelp(found.prefix, found.entries));
      return g.help ? ExitCode.ok : ExitCode.usage;
    }
    const { entry, args } = found;
    if (g.help) {
      const { commandHelp, commandHelpJson } = await help();
      const mod = await entry.load();
      if (g.json) return await writeJsonDocument(io, commandHelpJson(entry, mod));
      await io.stdout.write(commandHelp(entry, mod));
      return ExitCode.ok;
    }
    if (!ctx.sandboxed) {
      const asked = await readNarrowing(g);
      if (asked) {
        if (!ctx.runNarrowed) throw new Error("No sandbox runner for a narrowed scope");
        const code = await ctx.runNarrowed(argv, asked.narrowing, ctx.signal, {
          base: asked.base,
        });
        outcome.codeStands = true;
        return await reportInterrupted(ctx, io, code);
      }
    }
    const mod = await entry.load();
    const options = mod.parse(args, globals);
    if (mod.ownScope && !ctx.ownScope) {
      // Inside a --net/--scope Worker this nests: Deno refuses an own scope wider than that.
      if (!ctx.runNarrowed) throw new Error("No sandbox runner for the command's own scope");
      outcome.codeStands = true;
      const own = await mod.ownScope(options);
      const code = await ctx.runNarrowed(argv, own, ctx.signal, { own: true });
      return await reportInterrupted(ctx, io, code);
    }
    const code = await mod.run(options, io);
    outcome.codeStands = mod.endsOnInterrupt?.(options) ?? false;
    const final = ctx.signal.aborted && !outcome.codeStands ? ExitCode.interrupted : code;
    return await reportInterrupted(ctx, io, final);
  } catch (err) {
    if (ctx.signal.aborted) return await reportInterrupted(ctx, io, ExitCode.interrupted);
    if (err instanceof OutputClosedError || (err as Error)?.cause instanceof OutputClosedError) {
      return ExitCode.outputClosed;
    }
    const { reportError } = await import("./report.ts");
    return await reportError(err, io.stderr, io.globals);
  }
}

/** Prints help as one JSON document under `--json` and succeeds. */
async function writeJsonDocument(io: Io, value: unknown): Promise<number> {
  const { writeJson } = await import("./output.ts");
  await writeJson(io, value);
  return ExitCode.ok;
}

/**
 * Under `--json`, an interrupted run ends stderr with the error object like every other failure
 * (for people, Ctrl-C stays silent, as in nc). Inside the sandbox the parent reports it, once.
 */
async function reportInterrupted(ctx: RunContext, io: Io, code: number): Promise<number> {
  if (code !== ExitCode.interrupted || !io.globals.json || ctx.sandboxed) return code;
  const { formatError, interrupted } = await import("./report.ts");
  await io.stderr.write(formatError(interrupted, io.globals)).catch(() => {});
  return code;
}
