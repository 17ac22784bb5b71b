// The drill file format: the JSON Schema that `toolkit drill schema` publishes and the loader
// (load.ts) validates against, so the published schema is the one in force, and the TypeScript
// shape of a validated drill. The types are written by hand beside the schema; the lists both
// use (step kinds, TCP state names, sys kinds) are shared constants.
import { parseDuration } from "../text/duration.ts";
import { type SysKind, sysKinds } from "../scope/types.ts";

/** Bytes to send or expect: UTF-8 text or hex (`de ad be ef`). A bare string is text. */
export type Payload = string | { text: string } | { hex: string };

/** What `expect` and `udp-expect` wait for. Exactly one key. */
export type Match =
  | { text: string }
  | { hex: string }
  | { regex: string }
  | { bytes: number }
  | { eof: true };

/**
 * One step: exactly one action key, plus an optional `name` label. Built from
 * {@linkcode StepActions}, so a step kind and the shape of its action are said once.
 */
export type Step = {
  [K in StepKind]: { name?: string } & { [A in K]: StepActions[A] };
}[StepKind];

/** The action each step kind carries (the value under its key). */
export interface StepActions {
  listen: ListenStep;
  accept: AcceptStep;
  connect: ConnectStep;
  send: SendStep;
  expect: ExpectStep;
  "close-write": ConnRef;
  close: ConnRef;
  "udp-send": UdpSendStep;
  "udp-expect": UdpExpectStep;
  sleep: string | number;
  run: RunStep;
  sockets: SocketsStep;
  "expect-denied": DeniedAction;
}

/** A step's kind with its action, typed together: a `switch` on `kind` narrows `action`. */
export type StepAction = { [K in StepKind]: { kind: K; action: StepActions[K] } }[StepKind];

/**
 * The kind and the action of a step, typed by the kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepAction } from "./schema.ts";
 *
 * const { kind, action } = stepAction({ name: "dial", connect: { as: "c", to: "127.0.0.1:9" } });
 * assert.equal(kind, "connect");
 * if (kind === "connect") assert.equal(action.to, "127.0.0.1:9"); // action is a ConnectStep here
 * ```
 */
export function stepAction(step: Step): StepAction {
  const kind = stepKind(step);
  // The one place a step is read by its kind's key: a Step has exactly that action key.
  return { kind, action: (step as Partial<StepActions>)[kind] } as StepAction;
}

/** A connection named bare (`close: client`) or as a mapping (`close: { conn: client }`). */
export type ConnRef = string | { conn: string };

/**
 * The connection a {@linkcode ConnRef} names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connName } from "./schema.ts";
 *
 * assert.equal(connName("client"), "client");
 * assert.equal(connName({ conn: "client" }), "client");
 * ```
 */
export function connName(ref: ConnRef): string {
  return typeof ref === "string" ? ref : ref.conn;
}

/** `accept`: the next connection on a listener that has no reply mode. */
export interface AcceptStep {
  listener: string;
  as: string;
  timeout?: string | number;
}

/** `send`: bytes written to a connection. */
export type SendStep = { conn: string } & PayloadFields;

/** `expect`: read from a connection until the bytes match. */
export type ExpectStep = { conn: string; timeout?: string | number } & MatchFields;

/** `udp-send`: one datagram (`to` defaults to the last sender seen on the socket). */
export type UdpSendStep = { socket: string; to?: string; bind?: string } & PayloadFields;

/** `udp-expect`: one datagram, matched whole. */
export type UdpExpectStep =
  & { socket: string; from?: string; timeout?: string | number }
  & MatchFields;

/** Payload fields of `send` and `udp-send`: exactly one of them. */
export interface PayloadFields {
  text?: string;
  hex?: string;
}

/** Match fields of `expect` and `udp-expect`: exactly one of them. */
export interface MatchFields {
  text?: string;
  hex?: string;
  regex?: string;
  bytes?: number;
  eof?: boolean;
}

/** `listen`: a TCP, UDP or Unix listener, serving by itself (echo, replies) or by later steps. */
export interface ListenStep {
  /** The name later steps use (`accept`, `udp-expect`, `close`). */
  as: string;
  proto?: "tcp" | "udp" | "unix";
  /** `HOST:PORT` for tcp and udp. */
  address?: string;
  /** Socket path for unix. */
  path?: string;
  /** `echo`: send back whatever arrives (TCP: half-close back after the peer's FIN). */
  reply?: "echo";
  /** Scripted replies: the n-th chunk or datagram received gets the n-th reply. */
  replies?: Payload[];
  /** TCP and Unix, after the last reply: `close` (default), `close-write` or `keep`. */
  then?: "close" | "close-write" | "keep";
}

/** `connect`: a TCP or Unix client connection. */
export interface ConnectStep {
  as: string;
  /** `HOST:PORT` (TCP). */
  to?: string;
  /** Socket path (Unix). */
  path?: string;
  timeout?: string | number;
}

/** `run`: another toolkit command, in process, inside the same sandbox. */
export interface RunStep {
  /** The command line after `toolkit`, split like a shell does (quotes allowed). */
  command: string | string[];
  stdin?: string;
  /** Exact expected stdout. */
  stdout?: string;
  /** A regular expression stdout must match. */
  "stdout-match"?: string;
  /** A regular expression stderr must match. */
  "stderr-match"?: string;
  /** A regular expression stdout and stderr together must match. */
  "output-match"?: string;
  /** Expected exit code (default 0). */
  exit?: number;
  timeout?: string | number;
}

/** `sockets`: expect a TCP state in the kernel's table. */
export interface SocketsStep {
  state: TcpStateName;
  /** Take local and remote addresses from this connection (it may be closed already). */
  conn?: string;
  /** Which end of `conn` to look at: `local` (default) or `peer` (the other end's socket). */
  side?: "local" | "peer";
  local?: string;
  remote?: string;
  /** Expect no such socket instead. */
  absent?: boolean;
  timeout?: string | number;
}

/** What `expect-denied` can attempt, in the order the schema lists them. */
export const deniedKinds = [
  "connect",
  "listen",
  "udp-send",
  "read",
  "write",
  "run",
  "env",
] as const;

/** One of {@linkcode deniedKinds}. */
export type DeniedKind = typeof deniedKinds[number];

/** `expect-denied`: an action that the sandbox must refuse. Exactly one key. */
export type DeniedAction = { [K in DeniedKind]: { [A in K]: string } }[DeniedKind];

/**
 * What an `expect-denied` step attempts, and on what.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deniedAction } from "./schema.ts";
 *
 * assert.deepEqual(deniedAction({ read: "/etc/shadow" }), { what: "read", target: "/etc/shadow" });
 * ```
 */
export function deniedAction(action: DeniedAction): { what: DeniedKind; target: string } {
  const [what, target] = Object.entries(action)[0] as [DeniedKind, string];
  return { what, target };
}

/** TCP states as Linux names them in /proc/net/tcp. */
export const tcpStateNames = [
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
] as const;

/** One of {@linkcode tcpStateNames}. */
export type TcpStateName = typeof tcpStateNames[number];

/** The access a drill declares; it runs with exactly this. */
export interface DrillScope {
  /** `HOST:PORT`, `HOST`, CIDR, a bare port meaning `127.0.0.1:PORT`, or `unix:PATH`. */
  net?: string[];
  read?: string[];
  write?: string[];
  run?: string[];
  env?: string[];
  /** System information kinds (`hostname`, `networkInterfaces`, ...), as Deno's --allow-sys. */
  sys?: SysKind[];
}

// The system information a drill may ask for: Deno's --allow-sys kinds, as the scope engine lists
// them.
export { type SysKind, sysKinds } from "../scope/types.ts";

/** A validated drill. */
export interface Drill {
  name: string;
  description?: string;
  /** Whole-drill limit (default 30s). */
  timeout?: string | number;
  /** Default: `127.0.0.1:PORT` for every `{{port.NAME}}` the drill uses, nothing else. */
  scope?: DrillScope;
  steps: Step[];
}

/** Every step kind, in the order the schema lists them. */
export const stepKinds = [
  "listen",
  "accept",
  "connect",
  "send",
  "expect",
  "close-write",
  "close",
  "udp-send",
  "udp-expect",
  "sleep",
  "run",
  "sockets",
  "expect-denied",
] as const;

/** One of {@linkcode stepKinds}. */
export type StepKind = typeof stepKinds[number];

/**
 * The action key of a step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepKind } from "./schema.ts";
 *
 * assert.equal(stepKind({ "close-write": "client" }), "close-write");
 * assert.equal(stepKind({ name: "pause", sleep: "1s" }), "sleep");
 * ```
 */
export function stepKind(step: Step): StepKind {
  return stepKinds.find((k) => k in step)!;
}

/** The longest duration a drill may name (a whole drill, a step's timeout, a sleep): one hour. */
export const maxDrillDurationMs = 3_600_000;

/**
 * A drill duration in milliseconds: a `sleep` from 0, a timeout from 1 ms, both at most
 * {@linkcode maxDrillDurationMs}. Throws `SyntaxError` or `RangeError` with the reason. The one
 * reading of durations that `drill check` validates with and `drill run` runs with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drillDurationMs } from "./schema.ts";
 *
 * assert.equal(drillDurationMs("250ms", "timeout"), 250);
 * assert.equal(drillDurationMs(1.5, "timeout"), 1500); // a bare number is seconds
 * assert.equal(drillDurationMs(0, "sleep"), 0);
 * assert.throws(() => drillDurationMs(0, "timeout"), RangeError);
 * assert.throws(() => drillDurationMs("61m", "timeout"), RangeError); // past an hour
 * assert.throws(() => drillDurationMs("2h", "timeout"), SyntaxError); // units: ms, s, m
 * ```
 */
export function drillDurationMs(value: string | number, use: "sleep" | "timeout"): number {
  return parseDuration(String(value), {
    min: use === "sleep" ? 0 : 1,
    max: maxDrillDurationMs,
  });
}

const duration = {
  type: ["string", "number"],
  pattern: "^\\d+(\\.\\d+)?(ms|s|m)?$",
  description:
    "seconds (2, 1.5) or with a unit: 250ms, 2s, 1m; at most 60m, and more than 0 for a timeout",
};
const ident = { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_.-]*$" };
const hex = { type: "string", pattern: "^(0x)?[0-9a-fA-F\\s:-]*$" };
const stringList = { type: "array", items: { type: "string" } };
const payloadFields = { text: { type: "string" }, hex };
const matchFields = {
  ...payloadFields,
  regex: { type: "string" },
  bytes: { type: "integer", minimum: 0 },
  eof: { const: true },
};
const onlyOne = (keys: string[]) => ({ "x-exactly-one-of": keys });

function stepDef(kind: string, body: Record<string, unknown>, description: string) {
  return {
    type: "object",
    description,
    required: [kind],
    properties: { name: { type: "string" }, [kind]: body },
    additionalProperties: false,
  };
}

function obj(
  properties: Record<string, unknown>,
  required: string[] = [],
  extra: Record<string, unknown> = {},
) {
  return { type: "object", properties, required, additionalProperties: false, ...extra };
}

/**
 * The JSON Schema (draft 2020-12) of a drill file. `x-exactly-one-of` marks objects where exactly
 * one of the listed keys must be present (the loader enforces it; plain validators ignore it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drillSchema, stepKinds } from "./schema.ts";
 *
 * assert.deepEqual(drillSchema.required, ["name", "steps"]);
 * assert.equal(drillSchema.properties.steps.type, "array");
 * // One definition per step kind, each requiring its own action key.
 * assert.deepEqual(stepKinds.map((k) => drillSchema.$defs[k].required), stepKinds.map((k) => [k]));
 * ```
 */
export const drillSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://toolkit.invalid/drill.schema.json",
  title: "toolkit drill",
  description: "A scripted network exercise that runs confined to its declared scope.",
  type: "object",
  required: ["name", "steps"],
  additionalProperties: false,
  properties: {
    name: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$" },
    description: { type: "string" },
    timeout: duration,
    scope: obj({
      net: stringList,
      read: stringList,
      write: stringList,
      run: stringList,
      env: stringList,
      sys: { type: "array", items: { enum: [...sysKinds] } },
    }),
    steps: { type: "array", minItems: 1, items: { $ref: "#/$defs/step" } },
  },
  $defs: {
    payload: {
      oneOf: [
        { type: "string" },
        obj({ text: { type: "string" } }, ["text"]),
        obj({ hex }, ["hex"]),
      ],
    },
    step: {
      oneOf: stepKinds.map((k) => ({ $ref: `#/$defs/${k}` })),
      "x-discriminator": "one action key per step",
    },
    listen: stepDef(
      "listen",
      obj({
        as: ident,
        proto: { enum: ["tcp", "udp", "unix"] },
        address: { type: "string" },
        path: { type: "string" },
        reply: { enum: ["echo"] },
        replies: { type: "array", items: { $ref: "#/$defs/payload" } },
        then: { enum: ["close", "close-write", "keep"] },
      }, ["as"]),
      "Listen on a TCP/UDP address or a Unix path; serve by echo, scripted replies, or later steps.",
    ),
    accept: stepDef(
      "accept",
      obj({ listener: ident, as: ident, timeout: duration }, ["listener", "as"]),
      "Accept the next connection on a listener that has no reply mode.",
    ),
    connect: stepDef(
      "connect",
      obj({ as: ident, to: { type: "string" }, path: { type: "string" }, timeout: duration }, [
        "as",
      ], onlyOne(["to", "path"])),
      "Open a TCP (to: HOST:PORT) or Unix (path) connection.",
    ),
    send: stepDef(
      "send",
      obj({ conn: ident, ...payloadFields }, ["conn"], onlyOne(["text", "hex"])),
      "Write bytes to a connection.",
    ),
    expect: stepDef(
      "expect",
      obj(
        { conn: ident, ...matchFields, timeout: duration },
        ["conn"],
        onlyOne(["text", "hex", "regex", "bytes", "eof"]),
      ),
      "Read from a connection until the bytes match, or fail with a diff at the timeout.",
    ),
    "close-write": stepDef(
      "close-write",
      { oneOf: [ident, obj({ conn: ident }, ["conn"])] },
      "Half-close: send FIN, keep reading.",
    ),
    close: stepDef(
      "close",
      { oneOf: [ident, obj({ conn: ident }, ["conn"])] },
      "Close a connection, listener or UDP socket.",
    ),
    "udp-send": stepDef(
      "udp-send",
      obj(
        { socket: ident, to: { type: "string" }, bind: { type: "string" }, ...payloadFields },
        ["socket"],
        onlyOne(["text", "hex"]),
      ),
      "Send one datagram (to defaults to the last sender seen on the socket).",
    ),
    "udp-expect": stepDef(
      "udp-expect",
      obj(
        {
          socket: ident,
          from: { type: "string" },
          timeout: duration,
          text: matchFields.text,
          hex,
          regex: matchFields.regex,
          bytes: matchFields.bytes,
        },
        ["socket"],
        onlyOne(["text", "hex", "regex", "bytes"]),
      ),
      "Wait for one datagram and match it whole.",
    ),
    sleep: stepDef("sleep", duration, "Pause."),
    run: stepDef(
      "run",
      obj({
        command: { oneOf: [{ type: "string" }, stringList] },
        stdin: { type: "string" },
        stdout: { type: "string" },
        "stdout-match": { type: "string" },
        "stderr-match": { type: "string" },
        "output-match": { type: "string" },
        exit: { type: "integer", minimum: 0, maximum: 255 },
        timeout: duration,
      }, ["command"]),
      "Run a toolkit command in the same sandbox and check its output and exit code.",
    ),
    sockets: stepDef(
      "sockets",
      obj({
        state: { enum: [...tcpStateNames] },
        conn: ident,
        side: { enum: ["local", "peer"] },
        local: { type: "string" },
        remote: { type: "string" },
        absent: { type: "boolean" },
        timeout: duration,
      }, ["state"]),
      "Expect a TCP socket in a state (TIME_WAIT, CLOSE_WAIT...) in the kernel's table.",
    ),
    "expect-denied": stepDef(
      "expect-denied",
      obj(
        Object.fromEntries(deniedKinds.map((k) => [k, { type: "string" }])),
        [],
        onlyOne([...deniedKinds]),
      ),
      "An action outside the scope: passes only when the sandbox refuses it.",
    ),
  },
} as const;
