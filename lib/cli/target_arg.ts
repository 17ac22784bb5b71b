// A socket address given on the command line: `HOST:PORT` (or `[HOST:]PORT` for listeners) in one
// word, or nc's two words `HOST PORT`, with a malformed one reported as a usage error of the
// command that took it.
import {
  classifyHost,
  formatHostPort,
  type HostPort,
  parseHostPort,
  type ParseHostPortOptions,
} from "../net/address.ts";
import { looksLikeService, parsePortWord } from "../net/services.ts";
import { fromUserInput, UsageError } from "./errors.ts";

/**
 * Parses a `HOST:PORT` argument (or, with `defaultHost`, `[HOST:]PORT`), turning a malformed one
 * into a `UsageError` for `command`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetArg } from "./target_arg.ts";
 *
 * assert.deepEqual(targetArg("[::1]:9000", "tcp-connect"), { host: "::1", port: 9000, family: "ipv6" });
 * assert.throws(() => targetArg("localhost:", "tcp-connect"), {
 *   name: "UsageError",
 *   command: "tcp-connect",
 * });
 * ```
 */
export function targetArg(
  text: string,
  command: string,
  options: ParseHostPortOptions = {},
): HostPort {
  return fromUserInput(() => parseHostPort(text, options), command);
}

/**
 * A host written alone, without a port: an IPv4 literal, an IPv6 literal (brackets optional: an
 * unbracketed IPv6 literal never carries a port) or a DNS name. `undefined` for anything else,
 * a bare number included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bareHost } from "./target_arg.ts";
 *
 * assert.deepEqual(bareHost("::1"), { host: "::1", family: "ipv6" });
 * assert.equal(bareHost("127.0.0.1:9000"), undefined); // carries a port
 * ```
 */
export function bareHost(word: string): Pick<HostPort, "host" | "family"> | undefined {
  const host = /^\[(.*:.*)\]$/.exec(word)?.[1] ?? word;
  try {
    return { host, family: classifyHost(host) };
  } catch {
    return undefined;
  }
}

/** Options for {@linkcode targetWords}. */
export interface TargetWordsOptions extends ParseHostPortOptions {
  /** Whose service names a port word may be (/etc/services): `tcp` unless given. */
  protocol?: "tcp" | "udp";
  /** How many words may follow the target (DATA). Default 0. */
  maxRest?: number;
  /** What those words are, for the error when there are too many: `DATA`. */
  restName?: string;
}

/** The target of a command line and the words after it. */
export interface TargetWords {
  target: HostPort;
  rest: string[];
}

/**
 * Reads the target from the front of a command's positionals, in the forms users bring:
 * `HOST:PORT` or `[V6]:PORT` in one word (with `defaultHost`, also `PORT` and `:PORT`), or nc's
 * two words `HOST PORT`. The first word decides: a word that carries a port is the whole target
 * and every later word is data; a host without a port (an IPv4 or IPv6 literal, a name) takes
 * the next word as its port. Errors are `UsageError`s that show the one-word form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetWords } from "./target_arg.ts";
 *
 * // nc's two words, HOST PORT, then the data.
 * assert.deepEqual(targetWords(["127.0.0.1", "9000", "hi"], "udp-send", { maxRest: 1 }), {
 *   target: { host: "127.0.0.1", port: 9000, family: "ipv4" },
 *   rest: ["hi"],
 * });
 * ```
 */
export function targetWords(
  words: readonly string[],
  command: string,
  options: TargetWordsOptions = {},
): TargetWords {
  const [first, second] = words;
  let target: HostPort;
  let rest: string[];
  let oneWordError: Error | undefined;
  const protocol = options.protocol ?? "tcp";
  try {
    target = serviceTarget(first, protocol, command) ?? parseHostPort(first, options);
    rest = words.slice(1);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    oneWordError = err as Error;
    const host = bareHost(first);
    if (!host) {
      throw new UsageError(notATarget(first, second, oneWordError.message, options), command);
    }
    if (second === undefined) {
      throw new UsageError(
        `missing port after ${first}: write ${example(host.host, "PORT")} or ${first} PORT${
          v6PortHint(host.host)
        }`,
        command,
      );
    }
    const expected = (why: string) =>
      new UsageError(
        `expected a port after ${first} (got "${second}"${why}): write ${
          example(host.host, "PORT")
        } or ${first} PORT${v6PortHint(host.host)}`,
        command,
      );
    if (!/^\d+$/.test(second) && !looksLikeService(second)) throw expected("");
    let port: number;
    try {
      // nc's service names too: `tcp-connect 127.0.0.1 ssh`.
      port = parsePortWord(second, { allowZero: options.allowPortZero, protocol });
    } catch (portErr) {
      if (/^\d+$/.test(second)) throw new UsageError((portErr as Error).message, command);
      throw expected(`, ${serviceWhy(portErr as Error)}`);
    }
    target = { ...host, port };
    rest = words.slice(2);
  }
  const maxRest = options.maxRest ?? 0;
  if (rest.length > maxRest) {
    const extra = rest[maxRest];
    const hint = maxRest > 0 && options.restName
      ? `: ${options.restName} is one argument; quote it ('${rest.join(" ")}')`
      : oneWordError === undefined && /^\d+$/.test(extra)
      ? `: the port is already in ${first}`
      : "";
    throw new UsageError(`unexpected argument "${extra}"${hint}`, command);
  }
  return { target, rest };
}

/**
 * The target of a listener with nc's `-p PORT` given: at most one word after it, a host without a
 * port (`-p 9000 0.0.0.0`); without `-p`, the words as {@linkcode targetWords} reads them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenWords } from "./target_arg.ts";
 *
 * assert.deepEqual(
 *   listenWords([], "9000", "tcp-listen", { defaultHost: "127.0.0.1", allowPortZero: true }),
 *   { host: "127.0.0.1", port: 9000, family: "ipv4" },
 * );
 * ```
 */
export function listenWords(
  words: readonly string[],
  portOption: string | undefined,
  command: string,
  options: ParseHostPortOptions & { defaultHost: string; protocol?: "tcp" | "udp" },
): HostPort {
  if (portOption === undefined) {
    if (words.length === 0) {
      throw new UsageError("missing argument: expected [HOST:]PORT, HOST PORT or -p PORT", command);
    }
    return targetWords(words, command, options).target;
  }
  let port: number;
  try {
    port = parsePortWord(portOption, {
      allowZero: options.allowPortZero,
      protocol: options.protocol ?? "tcp",
    });
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(`--port: ${message[0].toLowerCase()}${message.slice(1)}`, command);
  }
  if (words.length > 1) throw new UsageError(`unexpected argument "${words[1]}"`, command);
  if (words.length === 0) {
    return { host: options.defaultHost, port, family: classifyHost(options.defaultHost) };
  }
  const host = bareHost(words[0]);
  if (!host) {
    throw new UsageError(
      `with -p ${portOption}, give only a host to listen on (got "${
        words[0]
      }"): -p PORT HOST, or [HOST:]PORT without -p`,
      command,
    );
  }
  return { ...host, port };
}

/**
 * `HOST:NAME` or `[V6]:NAME` with a service name for a port (`127.0.0.1:ssh`), or `undefined` when
 * the word is not of that shape; an unknown name is a `UsageError` saying so.
 */
function serviceTarget(
  word: string,
  protocol: "tcp" | "udp",
  command: string,
): HostPort | undefined {
  const m = /^(\[[^\]]*\]|[^:[\]]+):([^:]+)$/.exec(word);
  if (!m || /^\d+$/.test(m[2]) || !looksLikeService(m[2])) return undefined;
  const host = bareHost(m[1]);
  if (!host) return undefined;
  try {
    return { ...host, port: parsePortWord(m[2], { protocol }) };
  } catch (err) {
    throw new UsageError(
      `cannot parse port "${m[2]}" of ${word}: ${serviceWhy(err as Error)}`,
      command,
    );
  }
}

/** The reason in a service lookup's error: `no service of that name in /etc/services`. */
function serviceWhy(err: Error): string {
  return err.message.replace(/^Cannot parse port "[^"]*": not a number, and /, "");
}

function example(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** For `::1:9000`: the user probably meant `[::1]:9000`, which only brackets can say. */
function v6PortHint(host: string): string {
  if (!host.includes(":")) return "";
  const m = /^(.*):(\d{1,5})$/.exec(host);
  if (!m) return "";
  try {
    classifyHost(m[1]);
  } catch {
    return "";
  }
  return ` (for port ${m[2]} of ${m[1]}, write ${formatHostPort(m[1], Number(m[2]))})`;
}

/**
 * Why `word` is neither a target nor a host: a lone port where a host is needed gets both forms
 * spelled out; a word without a colon followed by more words was meant as a host (`0x7f.1 9000`),
 * so the host's own error says what is wrong with it; otherwise the one-word form's error (a
 * listener's lone port out of range, a bad octet in `10.0.0.256:80`).
 */
function notATarget(
  word: string,
  next: string | undefined,
  message: string,
  options: ParseHostPortOptions,
): string {
  if (/^\d{1,5}$/.test(word) && options.defaultHost === undefined) {
    return `missing host before port ${word}: write HOST:${word} or HOST ${word}`;
  }
  if (next !== undefined && !word.includes(":")) {
    try {
      classifyHost(word);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return message;
}
