// The perf engine on its own (lib/net/perf_*): the UDP receiver's loss, reordering and jitter, the
// iperf3 wire formats and parameters, the control reader's limits, and the summaries.
import assert from "#assert";
import { assertRounded } from "../_support/perf_support.ts";
import { roundTo, UdpReceiver } from "../../lib/net/perf_stats.ts";
import {
  ControlReader,
  cookieSize,
  encodeJson,
  isUdpConnect,
  isUdpConnectReply,
  makeCookie,
  paramsFromWire,
  paramsToWire,
  PerfProtocolError,
  PerfRefusal,
  readUdpHeader,
  udpConnectMessage,
  udpConnectReply,
  writeUdpHeader,
} from "../../lib/net/perf_protocol.ts";
import { summarizePerf } from "../../lib/net/perf_session.ts";

Deno.test("UDP receiver: loss, reordering, duplicates and RFC 3550 jitter", () => {
  const rx = new UdpReceiver();
  // Transit times 1, 3, 1, 1 ms: |D| = 2, 2, 0 -> J = 2/16, then +(2-J)/16, then -(J)/16.
  rx.record(0, 64, 0, 1);
  rx.record(2, 64, 10, 13);
  rx.record(1, 64, 5, 6); // late: out of order
  rx.record(1, 64, 5, 6); // duplicate
  rx.record(4, 64, 20, 21);
  const r = rx.report();
  assert.equal(r.received, 4);
  // 3 is a gap; whatever the sender sent after 4 was never expected (iperf3's rule).
  assert.equal(r.lost, 1);
  assert.equal(r.outOfOrder, 1);
  assert.equal(r.duplicates, 1);
  let j = 0;
  for (const d of [2, 2, 0]) j += (d - j) / 16;
  assert.ok(Math.abs(r.jitterMs - j) < 1e-9, `${r.jitterMs} != ${j}`);
  assert.equal(r.lossPercent, 20);
});

Deno.test("iperf3 wire formats: UDP header (32 and 64-bit counters), hello magics, cookie", () => {
  const buf = new Uint8Array(64);
  const view = new DataView(buf.buffer);
  writeUdpHeader(view, { sec: 1_700_000_000, usec: 999_999, seq: 2 ** 33 + 5 }, true);
  assert.deepEqual(readUdpHeader(view, 64, true), {
    sec: 1_700_000_000,
    usec: 999_999,
    seq: 2 ** 33 + 5,
  });
  // iperf3's 32-bit layout: sec, usec, count, big-endian, 12 bytes.
  writeUdpHeader(view, { sec: 1, usec: 2, seq: 3 }, false);
  assert.deepEqual([...buf.subarray(0, 12)], [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
  assert.equal(readUdpHeader(view, 11, false), undefined);
  // On the wire from an x86 iperf3: "9876" from the client, "6789" back (iperf_udp.c).
  assert.equal(new TextDecoder().decode(udpConnectMessage), "9876");
  assert.equal(new TextDecoder().decode(udpConnectReply), "6789");
  assert.ok(isUdpConnect(udpConnectMessage) && isUdpConnectReply(udpConnectReply));
  assert.ok(isUdpConnectReply(new Uint8Array([0xb1, 0x68, 0xde, 0x3a])), "legacy 987654321");
  assert.ok(!isUdpConnect(new Uint8Array([1, 2, 3, 4])) && !isUdpConnect(buf));
  const cookie = makeCookie();
  assert.equal(cookie.length, cookieSize);
  assert.equal(cookie[36], 0);
  assert.match(new TextDecoder().decode(cookie.subarray(0, 36)), /^[a-z2-7]{36}$/);
});

Deno.test("iperf3 parameters: round trip, iperf3's names, refusals with iperf3's error numbers", () => {
  const params = {
    protocol: "udp" as const,
    reverse: true,
    parallel: 4,
    length: 1200,
    timeMs: 2500,
    bytes: null,
    rateBps: 5_000_000,
    udpCounters64: true,
  };
  const wire = paramsToWire(params);
  assert.equal(wire.udp, true);
  assert.equal(wire.time, 3, "iperf3 reads whole seconds; the client ends the test");
  assert.equal(wire.bandwidth, 5_000_000);
  assert.equal(wire.len, 1200);
  assert.equal(wire.reverse, true);
  const back = paramsFromWire(JSON.parse(JSON.stringify(wire)));
  assert.deepEqual({ ...back, timeMs: 2500, omitSeconds: undefined }, {
    ...params,
    omitSeconds: undefined,
  });
  const refused = (json: Record<string, unknown>) => {
    try {
      paramsFromWire(json);
    } catch (err) {
      if (err instanceof PerfRefusal) return err.ierrno;
      throw err;
    }
    assert.fail(`accepted ${JSON.stringify(json)}`);
  };
  assert.equal(refused({ tcp: true, parallel: 129 }), 6);
  assert.equal(refused({ tcp: true, len: 2 * 1024 * 1024 }), 7);
  assert.equal(refused({ udp: true, len: 8 }), 20);
  assert.equal(refused({ tcp: true, bidirectional: true }), 13);
  assert.equal(refused({ sctp: true }), 13);
  assert.equal(refused({ time: 10 }), 131);
  assert.equal(refused({ tcp: true, time: "10" }), 114);
  assert.equal(refused({ tcp: true, time: -1 }), 114);
});

Deno.test("control reader: exact lengths, JSON limits, a peer that closes or goes silent", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    const client = await Deno.connect({ hostname: "127.0.0.1", port });
    const server = await listener.accept();
    const reader = new ControlReader(server);
    await client.write(new Uint8Array([0xfe]));
    assert.equal(await reader.state(1000), -2, "state bytes are signed (SERVER_ERROR)");
    await client.write(encodeJson({ tcp: true }));
    assert.deepEqual(await reader.json(1000), { tcp: true });
    await assert.rejects(() => reader.state(150), Deno.errors.TimedOut);
    const huge = new Uint8Array([0x7f, 0xff, 0xff, 0xff]);
    await client.write(huge);
    await assert.rejects(() => reader.json(1000), PerfProtocolError);
    await client.write(new Uint8Array([0, 0, 0, 3, 0x7b, 0x7b, 0x7b]));
    await assert.rejects(() => reader.json(1000), PerfProtocolError, "does not parse");
    client.close();
    await assert.rejects(() => reader.state(1000), PerfProtocolError);
    server.close();
  } finally {
    listener.close();
  }
});

Deno.test("summary: TCP has no datagrams, values are rounded, an interrupted run has one side", () => {
  const params = {
    protocol: "tcp" as const,
    reverse: false,
    parallel: 2,
    length: 1000,
    timeMs: 1000,
    bytes: null,
    rateBps: 0,
  };
  const s = summarizePerf({
    params,
    sender: { seconds: 0.9902840090000001, streams: [{ bytes: 1001 }, { bytes: 2002 }] },
    receiver: { seconds: 1.0000000001, streams: [{ bytes: 1001 }, { bytes: 2001 }] },
  });
  assert.deepEqual(s.sender, { durationMs: 990, bytes: 3003, bitsPerSecond: 24260 });
  assert.deepEqual(s.receiver, { durationMs: 1000, bytes: 3002, bitsPerSecond: 24016 });
  assert.equal(s.streams?.length, 2);
  assertRounded(s);
  const partial = summarizePerf({
    params: { ...params, protocol: "udp", parallel: 1 },
    sender: { seconds: 1.23456, streams: [{ bytes: 2000, packets: 2 }] },
    interrupted: true,
  });
  assert.equal(partial.receiver, undefined);
  assert.equal(partial.interrupted, true);
  assert.deepEqual(partial.sender, {
    durationMs: 1235,
    bytes: 2000,
    bitsPerSecond: 12960,
    datagrams: 2,
  });
});

Deno.test("summary: UDP loss is the receiver's own count, as iperf3's (in-flight datagrams are not lost)", () => {
  // The sender sent 100 and 50 datagrams; the receivers saw up to 98 and 50, missing 1 and 0 below
  // that: 2 and 0 were still in flight when the test ended (iperf3 -s reports lost 1 of 148).
  const s = summarizePerf({
    params: {
      protocol: "udp",
      reverse: false,
      parallel: 2,
      length: 100,
      timeMs: 1000,
      bytes: null,
      rateBps: 1e6,
    },
    sender: {
      seconds: 1,
      streams: [{ bytes: 10_000, packets: 100 }, { bytes: 5000, packets: 50 }],
    },
    receiver: {
      seconds: 1,
      streams: [
        { bytes: 9700, packets: 97, lost: 1, outOfOrder: 0, jitterMs: 0.01 },
        { bytes: 5000, packets: 50, lost: 0, outOfOrder: 0, jitterMs: 0.03 },
      ],
    },
  });
  assert.equal(s.sender?.datagrams, 150);
  assert.deepEqual(
    [s.receiver?.datagrams, s.receiver?.lost, s.receiver?.lossPercent],
    [147, 1, roundTo(100 / 148, 3)],
  );
  assert.deepEqual(s.streams?.map((x) => x.receiver?.lost), [1, 0]);
  assert.deepEqual(s.streams?.map((x) => x.receiver?.lossPercent), [roundTo(100 / 98, 3), 0]);
});
