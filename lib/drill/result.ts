// What a drill run produces, shared by the sandbox Worker (which fills it), the runner and the
// reports: per-step outcomes with the denied resource or a byte diff when a step failed.
import { toHex, utf8OrUndefined } from "../net/payload.ts";
import {
  connName,
  deniedAction,
  type MatchFields,
  type PayloadFields,
  type Step,
  stepAction,
  type StepKind,
} from "./schema.ts";

/** Expected and received bytes of a failed match, as both text and hex. */
export interface ByteDiff {
  /** Text (or `/regex/`) expected; hex when the bytes are not UTF-8. */
  expected: string;
  expectedHex: string;
  received: string;
  receivedHex: string;
  /** Byte offset of the first difference, or -1 when one is a prefix of the other. */
  offset: number;
}

/** The outcome of one step. */
export interface StepResult {
  /** 1-based position in the drill. */
  index: number;
  kind: StepKind;
  title: string;
  status: "pass" | "fail" | "skip";
  durationMs: number;
  /** Why it failed (or, for a passing `expect-denied`, what was refused). */
  message?: string;
  /** The resource the sandbox refused. */
  denied?: { kind: string; resource: string };
  diff?: ByteDiff;
}

/** The outcome of one drill. */
export interface DrillResult {
  name: string;
  /** `built-in` or the file it came from. */
  source: string;
  status: "pass" | "fail";
  durationMs: number;
  /**
   * What the drill's sandbox allowed, as bound for this run: the entries it listed (paths
   * resolved), and the implicit grants its sandbox added (local binds, toolkit's modules).
   */
  scope: {
    net: string[];
    read: string[];
    write: string[];
    run: string[];
    env: string[];
    sys: string[];
    implicit?: { kind: string; entry: string; reason: string }[];
  };
  steps: StepResult[];
  /** A failure outside any step (the sandbox could not start, the drill timed out). */
  error?: string;
}

/**
 * A one-line description of a step for reports: its label, or what it does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepTitle } from "./result.ts";
 *
 * assert.equal(stepTitle({ connect: { as: "c", to: "127.0.0.1:9" } }), "connect c to 127.0.0.1:9");
 * assert.equal(stepTitle({ expect: { conn: "c", regex: "^OK" } }), "expect c /^OK/");
 * assert.equal(stepTitle({ name: "the FIN", expect: { conn: "c", eof: true } }), "the FIN");
 * ```
 */
export function stepTitle(step: Step): string {
  if (step.name) return step.name;
  const payload = (x: PayloadFields) =>
    x.text !== undefined ? JSON.stringify(x.text) : `hex ${x.hex}`;
  const match = (x: MatchFields) =>
    x.text !== undefined
      ? JSON.stringify(x.text)
      : x.hex !== undefined
      ? `hex ${x.hex}`
      : x.regex !== undefined
      ? `/${x.regex}/`
      : x.bytes !== undefined
      ? `${x.bytes} bytes`
      : "end of stream";
  const { kind, action: a } = stepAction(step);
  switch (kind) {
    case "listen": {
      const proto = a.proto ?? "tcp";
      const mode = a.reply ? " (echo)" : a.replies ? ` (${a.replies.length} replies)` : "";
      return `listen ${a.as} ${proto} ${a.address ?? a.path}${mode}`;
    }
    case "accept":
      return `accept ${a.as} on ${a.listener}`;
    case "connect":
      return `connect ${a.as} to ${a.to ?? a.path}`;
    case "send":
      return `send ${a.conn} ${payload(a)}`;
    case "expect":
      return `expect ${a.conn} ${match(a)}`;
    case "close-write":
      return `close-write ${connName(a)}`;
    case "close":
      return `close ${connName(a)}`;
    case "udp-send":
      return `udp-send ${a.socket}${a.to ? ` to ${a.to}` : ""} ${payload(a)}`;
    case "udp-expect":
      return `udp-expect ${a.socket} ${match(a)}`;
    case "sleep":
      return `sleep ${a}`;
    case "run": {
      const cmd = Array.isArray(a.command) ? a.command.join(" ") : a.command;
      return `run toolkit ${cmd}`;
    }
    case "sockets": {
      const who = a.conn ? `${a.conn}${a.side === "peer" ? " (peer)" : ""}` : [a.local, a.remote]
        .filter(Boolean).join(" -> ");
      return `sockets ${who} ${a.absent ? "not " : ""}in ${a.state}`;
    }
    case "expect-denied": {
      const { what, target } = deniedAction(a);
      return `expect-denied ${what} ${target}`;
    }
  }
}

function showBytes(bytes: Uint8Array): string {
  const text = utf8OrUndefined(bytes);
  return text === undefined ? `(not UTF-8) ${toHex(bytes)}` : JSON.stringify(text);
}

/**
 * Compares expected and received bytes for a report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { byteDiff } from "./result.ts";
 *
 * const enc = new TextEncoder();
 * assert.deepEqual(byteDiff(enc.encode("hi"), enc.encode("ho")), {
 *   expected: '"hi"',
 *   expectedHex: "68 69",
 *   received: '"ho"',
 *   receivedHex: "68 6f",
 *   offset: 1,
 * });
 * // Bytes that are not UTF-8 are shown in hex.
 * assert.equal(byteDiff(new Uint8Array([0xff]), new Uint8Array()).expected, "(not UTF-8) ff");
 * ```
 */
export function byteDiff(expected: Uint8Array, received: Uint8Array): ByteDiff {
  let offset = -1;
  for (let i = 0; i < Math.min(expected.length, received.length); i++) {
    if (expected[i] !== received[i]) {
      offset = i;
      break;
    }
  }
  if (offset < 0 && expected.length !== received.length) {
    offset = Math.min(expected.length, received.length);
  }
  return {
    expected: showBytes(expected),
    expectedHex: toHex(expected),
    received: showBytes(received),
    receivedHex: toHex(received),
    offset,
  };
}

/**
 * The diff of a regular expression that did not match: the pattern as `/regex/` against the
 * bytes received, with no byte offset (a pattern has none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regexDiff } from "./result.ts";
 *
 * const diff = regexDiff("^HTTP/1\\.[01] 200", new TextEncoder().encode("HTTP/1.1 404"));
 * assert.equal(diff.expected, "/^HTTP/1\\.[01] 200/");
 * assert.equal(diff.received, '"HTTP/1.1 404"');
 * assert.equal(diff.offset, -1);
 * ```
 */
export function regexDiff(pattern: string, received: Uint8Array): ByteDiff {
  return {
    ...byteDiff(new Uint8Array(0), received),
    expected: `/${pattern}/`,
    expectedHex: "",
    offset: -1,
  };
}
