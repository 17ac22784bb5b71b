// Service names for ports, as nc takes them (`nc 127.0.0.1 ssh`): read from /etc/services, the
// file getservbyname(3) reads. The file is read once, synchronously, the first time a port word is
// not a number (a command line is parsed before anything runs); a number never touches it.
import { parsePort } from "./address.ts";

/** Ports by service name (aliases included), per protocol. */
export type ServiceTable = Map<string, { tcp?: number; udp?: number }>;

/**
 * Parses the text of /etc/services: `name port/protocol [aliases...] [# comment]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseServices } from "./services.ts";
 *
 * const table = parseServices("ssh 22/tcp\ndomain 53/tcp\ndomain 53/udp  # DNS\nhttp 80/tcp www\n");
 * assert.deepEqual(table.get("ssh"), { tcp: 22 });
 * assert.deepEqual(table.get("domain"), { tcp: 53, udp: 53 });
 * assert.deepEqual(table.get("www"), { tcp: 80 }); // an alias
 * ```
 */
export function parseServices(text: string): ServiceTable {
  const table: ServiceTable = new Map();
  for (const raw of text.split("\n")) {
    const [name, portProto, ...aliases] = raw.replace(/#.*/, "").trim().split(/\s+/);
    const m = /^(\d{1,5})\/(tcp|udp)$/.exec(portProto ?? "");
    if (!name || !m || Number(m[1]) > 65535) continue;
    for (const n of [name, ...aliases]) {
      const entry = table.get(n) ?? {};
      // The first line for a name wins, as getservbyname's does.
      entry[m[2] as "tcp" | "udp"] ??= Number(m[1]);
      table.set(n, entry);
    }
  }
  return table;
}

let loaded: { table?: ServiceTable; why?: string } | undefined;

/** /etc/services, read once; `why` says why there is no table. */
function services(): { table?: ServiceTable; why?: string } {
  if (loaded) return loaded;
  try {
    loaded = { table: parseServices(Deno.readTextFileSync("/etc/services")) };
  } catch (err) {
    loaded = {
      why: err instanceof Deno.errors.NotCapable
        ? "/etc/services is outside the read scope"
        : err instanceof Deno.errors.NotFound
        ? "there is no /etc/services"
        : `cannot read /etc/services: ${(err as Error).message}`,
    };
  }
  return loaded;
}

/** Whether `word` could be a service name (and so is looked up rather than refused at once). */
export function looksLikeService(word: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+_.-]{0,31}$/.test(word);
}

/**
 * A port word as nc reads it: decimal digits (0 only with `allowZero`), or a service name from
 * /etc/services for `protocol` (the other protocol's entry when this one has none). Throws a
 * `SyntaxError` naming the word for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePortWord } from "./services.ts";
 *
 * assert.equal(parsePortWord("ssh", { protocol: "tcp" }), 22); // from /etc/services
 * assert.equal(parsePortWord("9000", { protocol: "udp" }), 9000);
 * assert.throws(() => parsePortWord("no-such-service", { protocol: "tcp" }), SyntaxError);
 * ```
 */
export function parsePortWord(
  word: string,
  options: { allowZero?: boolean; protocol: "tcp" | "udp" },
): number {
  if (/^\d+$/.test(word) || !looksLikeService(word)) {
    return parsePort(word, { allowZero: options.allowZero });
  }
  const { table, why } = services();
  const entry = table?.get(word) ?? table?.get(word.toLowerCase());
  const port = entry?.[options.protocol] ?? entry?.[options.protocol === "tcp" ? "udp" : "tcp"];
  if (port === undefined) {
    throw new SyntaxError(
      `Cannot parse port "${word}": not a number, and ${
        why ?? `no service of that name in /etc/services`
      }`,
    );
  }
  return port;
}
