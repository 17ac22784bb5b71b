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
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { printDatagram } from "./_datagrams.ts";
 *
 * const data = new TextEncoder().encode("hi");
 * const json = memoryIo();
 * await printDatagram({ hex: false, json: true, verbose: false }, json, data, "127.0.0.1:40000");
 * assert.equal(
 *   json.stdoutText(),
 *   '{"event":"datagram","remote":"127.0.0.1:40000","size":2,"text":"hi","hex":"68 69"}\n',
 * );
 * const hex = memoryIo();
 * await printDatagram({ hex: true, json: false, verbose: true }, hex, data, "127.0.0.1:40000");
 * assert.equal(hex.stdoutText(), "68 69\n");
 * assert.equal(hex.stderrText(), "datagram from 127.0.0.1:40000, 2 bytes\n");
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
 * import assert from "node:assert/strict";
 * import { parseReplyOption } from "./_datagrams.ts";
 *
 * assert.deepEqual(parseReplyOption({ reply: "6869" }, true), new Uint8Array([0x68, 0x69]));
 * assert.deepEqual(parseReplyOption({ reply: "ok" }, false), new TextEncoder().encode("ok"));
 * assert.equal(parseReplyOption({}, false), undefined);
 * assert.throws(() => parseReplyOption({ reply: "6g" }, true), {
 *   name: "InputError",
 *   message: 'Cannot parse hex payload: "g" is not a hex digit',
 * });
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
 * import assert from "node:assert/strict";
 * import { parseCountOption } from "./_datagrams.ts";
 *
 * assert.equal(parseCountOption({ count: "5" }, "udp-listen"), 5);
 * assert.equal(parseCountOption({}, "udp-listen"), Infinity); // serve until stopped
 * ```
 */
export function parseCountOption(values: OptionValues, command: string): number {
  return values.count === undefined
    ? Infinity
    : intOption(values, "count", { min: 1, max: 1_000_000_000, fallback: 1, command });
}
