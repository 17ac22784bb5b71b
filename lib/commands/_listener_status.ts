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
 * await repeatedStatus(io, flags).report("dropped:loop", event, text);
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
 * try { await serve(); } finally { await endRepeatedStatus(io); }
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
 * await reportServeFailure(io, flags, "127.0.0.1:9000", failure);
 * // toolkit: warning: connection reset before it was accepted (127.0.0.1:9000)
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
