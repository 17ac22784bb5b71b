// The whole command line, from argv to exit code: global options, dispatch, the optional
// permission-narrowed Worker, help, parse, run, and every error mapped to its exit code.
// Help, scope and error reporting are imported only on the paths that need them: start-up of a
// plain `toolkit udp-send ...` is measured against a bare `deno run` (bench/).
import { registry } from "../commands/registry.ts";
import { resolveCommand } from "./dispatch.ts";
import { ExitCode, UsageError } from "./errors.ts";
import { type ExtractedGlobals, extractGlobals } from "./globals.ts";
import { denoIo, type GlobalOptions, type Io, OutputClosedError, wantColor } from "./io.ts";
import type { Narrowing } from "./scope.ts";

/** How {@linkcode runCli} is hosted. */
export interface RunContext {
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Builds the command's `Io`; defaults to the process's terminal. */
  makeIo?: (globals: GlobalOptions, signal: AbortSignal) => Io;
  /** Set inside the sandbox Worker: the narrowing already in force. */
  sandboxed?: Narrowing;
  /** Set inside the Worker that runs a command in its {@linkcode CommandModule.ownScope}. */
  ownScope?: boolean;
  /** Runs argv in a narrowed Worker (injected so this module does not load the sandbox). */
  runNarrowed?: (
    argv: readonly string[],
    narrowing: Narrowing,
    signal: AbortSignal,
    options?: { own?: boolean },
  ) => Promise<number>;
}

async function readNarrowing(g: ExtractedGlobals): Promise<Narrowing | undefined> {
  if (!g.net.length && g.scopeFile === undefined) return undefined;
  const { combineNarrowings, parseNetList, parseScopeFile } = await import("./scope.ts");
  let narrowing: Narrowing | undefined;
  if (g.net.length) narrowing = { net: parseNetList(g.net) };
  if (g.scopeFile !== undefined) {
    const fromFile = parseScopeFile(
      await Deno.readTextFile(g.scopeFile),
      `scope file ${g.scopeFile}`,
    );
    narrowing = narrowing ? combineNarrowings(narrowing, fromFile) : fromFile;
  }
  return narrowing;
}

/**
 * Runs one toolkit command line and resolves to its exit code. Never throws.
 *
 * @example
 * ```ts
 * const code = await runCli(["subnet", "same", "10.0.0.1", "10.0.0.2", "/24"], { signal });
 * ```
 */
export async function runCli(argv: readonly string[], ctx: RunContext): Promise<number> {
  const fallbackGlobals: GlobalOptions = {
    json: false,
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
    if (g.rest.length === 0) {
      const { topLevelHelp, version } = await help();
      if (g.version) {
        await io.stdout.write(g.json ? JSON.stringify({ version }) + "\n" : `toolkit ${version}\n`);
        return ExitCode.ok;
      }
      await (g.help ? io.stdout : io.stderr).write(topLevelHelp(registry));
      return g.help ? ExitCode.ok : ExitCode.usage;
    }
    const found = resolveCommand(registry, g.rest);
    if (found.kind === "unknown") {
      const hint = found.suggestion ? ` (did you mean '${found.suggestion}'?)` : "";
      throw new UsageError(`unknown command '${found.name}'${hint}`);
    }
    if (found.kind === "group") {
      const text = (await help()).groupHelp(found.prefix, found.entries);
      await (g.help ? io.stdout : io.stderr).write(text);
      return g.help ? ExitCode.ok : ExitCode.usage;
    }
    const { entry, args } = found;
    if (g.help) {
      await io.stdout.write((await help()).commandHelp(entry, await entry.load()));
      return ExitCode.ok;
    }
    if (ctx.sandboxed === undefined) {
      const narrowing = await readNarrowing(g);
      if (narrowing) {
        if (!ctx.runNarrowed) throw new Error("No sandbox runner for a narrowed scope");
        return await ctx.runNarrowed(argv, narrowing, ctx.signal);
      }
    } else (await import("./scope.ts")).setActiveNarrowing(ctx.sandboxed);
    const mod = await entry.load();
    const options = mod.parse(args, globals);
    if (mod.ownScope && !ctx.ownScope) {
      // Inside a --net/--scope Worker this nests: Deno refuses an own scope wider than that.
      if (!ctx.runNarrowed) throw new Error("No sandbox runner for the command's own scope");
      return await ctx.runNarrowed(argv, mod.ownScope(options), ctx.signal, { own: true });
    }
    const code = await mod.run(options, io);
    return ctx.signal.aborted ? ExitCode.interrupted : code;
  } catch (err) {
    if (ctx.signal.aborted) return ExitCode.interrupted;
    if (err instanceof OutputClosedError || (err as Error)?.cause instanceof OutputClosedError) {
      return ExitCode.outputClosed;
    }
    const { reportError } = await import("./report.ts");
    return await reportError(err, io.stderr, io.globals.debug);
  }
}
