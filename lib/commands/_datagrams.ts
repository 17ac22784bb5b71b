// What the commands that receive datagrams share (udp-listen, udp-connect, unix-listen
// --datagram): printing a datagram as it arrives (raw, a line of hex, or an NDJSON object with its
// sender), and the servers' --reply TEXT and --count N.
import { intOption, type OptionValues } from "../cli/args.ts";
import { fromUserInput } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeNdjson } from "../cli/output.ts";
import { parsePayload, toHex, utf8OrUndefined } from "../net/payload.ts";
import { printable } from "../text/printable.ts";

/**
 * Writes one received datagram to stdout: raw, a line of hex, or an NDJSON object with its
 * sender (`remote`, `null` for an unbound Unix sender); with `verbose` also a line on stderr (not
 * under --json: the object says it all).
 *
 * @example
 * ```ts
 * await printDatagram({ hex: false, json: true, verbose: false }, io, data, "127.0.0.1:40000");
 * ```
 */
export async function printDatagram(
  o: { hex: boolean; json: boolean; verbose: boolean },
  io: Io,
  data: Uint8Array,
  remote: string | null,
): Promise<void> {
  if (o.verbose && !o.json) {
    const sender = printable(remote ?? "(unbound)");
    await io.stderr.write(`datagram from ${sender}, ${data.length} bytes\n`);
  }
  if (o.json) {
    await writeNdjson(io, {
      event: "datagram",
      remote,
      size: data.length,
      text: utf8OrUndefined(data) ?? null,
      hex: toHex(data),
    });
  } else if (o.hex) {
    await io.stdout.write(toHex(data) + "\n");
  } else {
    await io.stdout.write(data);
  }
}

/**
 * `--reply TEXT`: the bytes a datagram server answers with (hex with `--hex`), if given.
 *
 * @example
 * ```ts
 * const reply = parseReplyOption(values, values.hex === true);
 * ```
 */
export function parseReplyOption(values: OptionValues, hex: boolean): Uint8Array | undefined {
  const text = values.reply;
  if (typeof text !== "string") return undefined;
  return fromUserInput(() => parsePayload(text, hex));
}

/**
 * `--count N`: how many datagrams a server takes before it exits; `Infinity` without the option.
 *
 * @example
 * ```ts
 * const count = parseCountOption(values, "udp-listen");
 * ```
 */
export function parseCountOption(values: OptionValues, command: string): number {
  return values.count === undefined
    ? Infinity
    : intOption(values, "count", { min: 1, max: 1_000_000_000, fallback: 1, command });
}
