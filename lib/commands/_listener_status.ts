// What the listeners (tcp-listen, unix-listen, udp-listen, perf-server) write on stderr about
// failures they ride out: an accept or receive error, a reply that could not be sent, a dropped
// datagram. A peer can make these repeat without bound, so they go through one RepeatedStatus a
// run: the first 10 of a kind as they come, then a count a second.
import type { Io } from "../cli/io.ts";
import { RepeatedStatus } from "../cli/repeats.ts";
import type { ServeFailure } from "../net/accept.ts";

const repeatsByIo = new WeakMap<Io, RepeatedStatus>();

/**
 * The limit on repeated status lines of a listener's run (one per `io`): see
 * {@linkcode RepeatedStatus}. {@linkcode endRepeatedStatus} writes what it holds back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { endRepeatedStatus, repeatedStatus } from "./_listener_status.ts";
 *
 * const io = memoryIo();
 * // One limiter a run: every call with the same io gets the same one.
 * assert.equal(repeatedStatus(io, { json: false }), repeatedStatus(io, { json: false }));
 * await repeatedStatus(io, { json: false }).report("dropped:loop", { event: "dropped" }, "dropped");
 * await endRepeatedStatus(io);
 * assert.equal(io.stderrText(), "dropped\n");
 * ```
 */
export function repeatedStatus(io: Io, flags: { json: boolean }): RepeatedStatus {
  let repeats = repeatsByIo.get(io);
  if (!repeats) repeatsByIo.set(io, repeats = new RepeatedStatus(io, flags));
  return repeats;
}

/**
 * Writes the summaries {@linkcode repeatedStatus} still holds back; for the end of a run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { endRepeatedStatus, repeatedStatus } from "./_listener_status.ts";
 *
 * const io = memoryIo();
 * const repeats = repeatedStatus(io, { json: false });
 * for (let i = 0; i < 12; i++) await repeats.report("dropped:loop", { event: "dropped" }, "dropped");
 * await endRepeatedStatus(io); // writes the count held back
 * assert.equal(io.stderrText(), "dropped\n".repeat(10) + "… 2 more like it: dropped\n");
 * assert.notEqual(repeatedStatus(io, { json: false }), repeats); // the next run starts afresh
 * ```
 */
export async function endRepeatedStatus(io: Io): Promise<void> {
  const repeats = repeatsByIo.get(io);
  repeatsByIo.delete(io);
  await repeats?.close().catch(() => {});
}

/**
 * Reports an accept or receive failure the server rode out: one warning line on stderr, or with
 * `--json` an NDJSON event (`accept-error` / `receive-error`) with the errno name. A flood of one
 * kind is limited ({@linkcode repeatedStatus}): the first 10, then a count a second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { endRepeatedStatus, reportServeFailure } from "./_listener_status.ts";
 *
 * const failure = {
 *   kind: "peer",
 *   code: "ECONNRESET",
 *   message: "connection reset before it was accepted",
 *   cause: undefined,
 * } as const;
 * const text = memoryIo();
 * await reportServeFailure(text, { json: false }, "127.0.0.1:9000", failure);
 * await endRepeatedStatus(text);
 * assert.equal(
 *   text.stderrText(),
 *   "toolkit: warning: connection reset before it was accepted (127.0.0.1:9000)\n",
 * );
 * const json = memoryIo();
 * await reportServeFailure(json, { json: true }, "127.0.0.1:9000", failure);
 * await endRepeatedStatus(json);
 * assert.deepEqual(JSON.parse(json.stderrText()), {
 *   event: "accept-error",
 *   address: "127.0.0.1:9000",
 *   code: "ECONNRESET",
 *   error: "connection reset before it was accepted",
 * });
 * ```
 */
export async function reportServeFailure(
  io: Io,
  flags: { json: boolean },
  address: string,
  failure: ServeFailure,
  stage: "accept" | "receive" = "accept",
): Promise<void> {
  const retry = failure.retryInMs === undefined ? "" : `; retrying in ${failure.retryInMs} ms`;
  await repeatedStatus(io, flags).report(
    `${stage}-error:${failure.code}`,
    {
      event: `${stage}-error`,
      address,
      code: failure.code,
      error: failure.message,
      ...(failure.retryInMs === undefined ? {} : { retryInMs: failure.retryInMs }),
    },
    `toolkit: warning: ${failure.message} (${address})${retry}`,
  );
}
