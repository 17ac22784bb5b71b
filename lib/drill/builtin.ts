// The drills that ship inside the binary, from the course notes: the TCP and UDP client/server
// programs with their UTF-8 messages, half-close and the four-way close, the subnet-mask AND, the
// C1..C8 MRO example and the inconsistent hierarchy, and a drill that tries to escape its scope.
// Kept as source text (not files read at run time) so `deno compile` carries them.

/** A built-in drill: its name and YAML source. */
export interface BuiltinDrill {
  name: string;
  source: string;
}

const tcpEcho = `name: tcp-echo
description: >-
  An echo server on a port chosen at run time; the client sends the course's UTF-8 messages
  and gets every byte back.
scope:
  net: ["127.0.0.1:{{port.echo}}"]
steps:
  - listen: { as: echo, proto: tcp, address: "127.0.0.1:{{port.echo}}", reply: echo }
  - connect: { as: client, to: "127.0.0.1:{{port.echo}}" }
  - send: { conn: client, text: 我是客户端 }
  - expect: { conn: client, text: 我是客户端 }
  - send: { conn: client, hex: "e6 88 91 e6 98 af e6 9c 8d e5 8a a1 e7 ab af" }
  - expect: { conn: client, text: 我是服务端 }
  - close: client
  - close: echo
`;

const tcpHello = `name: tcp-hello
description: >-
  The course's TCP server and client: the client sends 我是客户端, the server reads it
  (recv), answers 我是服务端 and closes; the client then reads end-of-file.
scope:
  net: ["127.0.0.1:{{port.server}}"]
steps:
  - listen: { as: server, address: "127.0.0.1:{{port.server}}" }
  - connect: { as: client, to: "127.0.0.1:{{port.server}}" }
  - accept: { listener: server, as: conn }
  - send: { conn: client, text: 我是客户端 }
  - expect: { conn: conn, text: 我是客户端 }
  - send: { conn: conn, text: 我是服务端 }
  - expect: { conn: client, text: 我是服务端 }
  - close: conn
  - expect: { conn: client, eof: true }
  - close: client
  - close: server
`;

const udpEcho = `name: udp-echo
description: >-
  The course's UDP server and client (sendto/recvfrom, no connection): an echo server, then a
  server that reads 我是客户端 and answers 我是服务端 to the sender's address.
scope:
  # A UDP server's reply is a send to the client's address, so the client's port is in the
  # scope too (a TCP server answers on the accepted connection and needs no such entry).
  net: ["127.0.0.1:{{port.echo}}", "127.0.0.1:{{port.server}}", "127.0.0.1:{{port.client}}"]
steps:
  - listen: { as: echo, proto: udp, address: "127.0.0.1:{{port.echo}}", reply: echo }
  - udp-send:
      socket: client
      bind: "127.0.0.1:{{port.client}}"
      to: "127.0.0.1:{{port.echo}}"
      text: 我是客户端
  - udp-expect: { socket: client, from: "127.0.0.1:{{port.echo}}", text: 我是客户端 }
  - listen: { as: server, proto: udp, address: "127.0.0.1:{{port.server}}" }
  - udp-send: { socket: client, to: "127.0.0.1:{{port.server}}", text: 我是客户端 }
  - udp-expect: { socket: server, text: 我是客户端 }
  - name: the server answers whoever sent the last datagram (recvfrom's addr)
    udp-send: { socket: server, text: 我是服务端 }
  - udp-expect: { socket: client, from: "127.0.0.1:{{port.server}}", text: 我是服务端 }
  - close: client
  - close: server
  - close: echo
`;

const halfClose = `name: half-close
description: >-
  TCP half-close: the client sends its request and shuts down its sending side (FIN); the
  server reads the request and end-of-file, and its reply still reaches the client.
scope:
  net: ["127.0.0.1:{{port.server}}"]
steps:
  - listen: { as: server, address: "127.0.0.1:{{port.server}}" }
  - connect: { as: client, to: "127.0.0.1:{{port.server}}" }
  - accept: { listener: server, as: peer }
  - send: { conn: client, text: "request, then FIN" }
  - close-write: client
  - expect: { conn: peer, text: "request, then FIN" }
  - name: the server reads end-of-file (recv returns b'')
    expect: { conn: peer, eof: true }
  - name: data still flows from the passive side to the half-closed client
    send: { conn: peer, text: "reply after your FIN" }
  - expect: { conn: client, text: "reply after your FIN" }
  - close: peer
  - expect: { conn: client, eof: true }
  - close: client
  - close: server
`;

const fourWayClose = `name: four-way-close
description: >-
  The four segments of a TCP close, seen in the kernel's socket table: the active closer goes
  through FIN_WAIT2 to TIME_WAIT, the passive side sits in CLOSE_WAIT until it closes too.
scope:
  net: ["127.0.0.1:{{port.server}}"]
  # The socket table: /proc/net/tcp, or \`ss -tan\` where Deno refuses /proc (short of -A).
  read: ["/proc/net"]
  run: ["ss"]
steps:
  - listen: { as: server, address: "127.0.0.1:{{port.server}}" }
  - connect: { as: client, to: "127.0.0.1:{{port.server}}" }
  - accept: { listener: server, as: peer }
  - sockets: { conn: client, state: ESTABLISHED }
  - name: "1: the client closes (active close) and sends FIN"
    close: client
  - name: "2: the server's TCP acknowledges; its application reads end-of-file"
    expect: { conn: peer, eof: true }
  - sockets: { conn: client, state: FIN_WAIT2 }
  - sockets: { conn: peer, state: CLOSE_WAIT }
  - name: "3: the server closes and sends its FIN"
    close: peer
  - name: "4: the client acknowledges and waits 2MSL in TIME_WAIT"
    sockets: { conn: client, state: TIME_WAIT }
  - sockets: { conn: peer, state: CLOSE_WAIT, absent: true }
  - close: server
`;

const sameSubnet = `name: same-subnet
description: >-
  The course's mask AND: 172.16.10.1 and 172.16.10.2 under 255.255.255.0 both give 172.16.10.0,
  so they are in the same network; 172.16.11.2 is not.
scope: {}
steps:
  - run:
      command: subnet same 172.16.10.1 172.16.10.2 255.255.255.0 --explain
      output-match: 172\\.16\\.10\\.0
      exit: 0
  - run:
      command: subnet same 172.16.10.1 172.16.10.2 /24
      exit: 0
  - run:
      command: subnet same 172.16.10.1 172.16.11.2 /24
      exit: 1
`;

const mroC8 = `name: mro-c8
description: >-
  The course's C3 example: C8(C6, C7) resolves to C8, C6, C3, C7, C4, C1, C5, C2, object.
scope: {}
steps:
  - run:
      command: mro -
      stdin: |
        class C1:
            pass
        class C2:
            pass
        class C3(C1):
            pass
        class C4(C1, C2):
            pass
        class C5(C2):
            pass
        class C6(C3, C4):
            pass
        class C7(C4, C5):
            pass
        class C8(C6, C7):
            pass
      stdout-match: "^C8: C8, C6, C3, C7, C4, C1, C5, C2, object$"
      exit: 0
  - run:
      command: mro --class C7 -
      stdin: |
        class C1: pass
        class C2: pass
        class C4(C1, C2): pass
        class C5(C2): pass
        class C7(C4, C5): pass
      stdout-match: "C7, C4, C1, C5, C2, object"
      exit: 0
`;

const mroInconsistent = `name: mro-inconsistent
description: >-
  class C3(C1, C2) where C2 already inherits from C1: Python refuses it with "Cannot create a
  consistent method resolution order (MRO)"; so must toolkit, with exit 1.
scope: {}
steps:
  - run:
      command: mro -
      stdin: |
        class C1:
            pass
        class C2(C1):
            pass
        class C3(C1, C2):
            pass
      output-match: "Cannot create a consistent method resolution\\\\s+order \\\\(MRO\\\\) for bases C1, C2"
      exit: 1
`;

const broadcast = `name: broadcast
description: >-
  A broadcast reaches every host on the segment, so toolkit asks before sending one: udp-send
  refuses 255.255.255.255 without --broadcast, IPv6 has no broadcast at all, multicast options
  are for groups only, and a scope confined to loopback refuses a broadcast even with the flag.
  To watch one reach a segment and stop at a router, build the lab (sudo toolkit lab up --hosts 3
  --router) and follow docs/lab.md.
scope:
  net: ["127.0.0.1:{{port.own}}"]
steps:
  - name: the limited broadcast is refused without --broadcast, before anything is sent
    run:
      command: udp-send 255.255.255.255:{{port.own}} hello
      exit: 2
      stderr-match: "limited broadcast address: add --broadcast"
  - name: with --broadcast, this drill's loopback-only scope refuses it
    run:
      command: udp-send --broadcast 255.255.255.255:{{port.own}} hello
      exit: 4
      stderr-match: outside the permission scope
  - expect-denied: { udp-send: "255.255.255.255:{{port.own}}" }
  - name: IPv6 has no broadcast (its all-nodes multicast group ff02::1 plays that part)
    run:
      command: udp-send --broadcast [::1]:{{port.own}} hello
      exit: 2
      stderr-match: IPv6 has no broadcast
  - name: a TTL is for multicast groups, which routers may forward; a broadcast never is
    run:
      command: udp-send --ttl 2 127.0.0.1:{{port.own}} hello
      exit: 2
      stderr-match: --ttl is for multicast groups
  - listen: { as: own, proto: udp, address: "127.0.0.1:{{port.own}}" }
  - name: unicast to one host needs no flag
    run: { command: "udp-send 127.0.0.1:{{port.own}} unicast", exit: 0 }
  - udp-expect: { socket: own, text: unicast }
  - close: own
`;

const scopeEscape = `name: scope-escape
description: >-
  A drill that tries to reach outside its declared scope (another port, another host, files,
  programs, the environment); every attempt must be refused by the sandbox, including through a
  toolkit command run inside it.
scope:
  net: ["127.0.0.1:{{port.inside}}"]
steps:
  - listen: { as: inside, address: "127.0.0.1:{{port.inside}}", reply: echo }
  - connect: { as: client, to: "127.0.0.1:{{port.inside}}" }
  - send: { conn: client, text: inside }
  - expect: { conn: client, text: inside }
  - expect-denied: { connect: "127.0.0.1:{{port.outside}}" }
  - expect-denied: { listen: "127.0.0.1:{{port.outside}}" }
  - expect-denied: { udp-send: "127.0.0.1:{{port.outside}}" }
  - expect-denied: { connect: "127.0.0.2:{{port.inside}}" }
  - expect-denied: { read: /etc/passwd }
  - expect-denied: { write: /tmp }
  - expect-denied: { run: sh }
  - expect-denied: { env: HOME }
  - run:
      command: udp-send 127.0.0.1:{{port.outside}} escape
      exit: 4
      stderr-match: outside the permission scope
  - close: client
`;

/**
 * Every built-in drill, in the order `drill list` shows them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinDrills } from "./builtin.ts";
 *
 * const names = builtinDrills.map((d) => d.name);
 * assert.deepEqual(names.slice(0, 3), ["tcp-echo", "tcp-hello", "udp-echo"]);
 * ```
 */
export const builtinDrills: readonly BuiltinDrill[] = [
  { name: "tcp-echo", source: tcpEcho },
  { name: "tcp-hello", source: tcpHello },
  { name: "udp-echo", source: udpEcho },
  { name: "half-close", source: halfClose },
  { name: "four-way-close", source: fourWayClose },
  { name: "same-subnet", source: sameSubnet },
  { name: "mro-c8", source: mroC8 },
  { name: "mro-inconsistent", source: mroInconsistent },
  { name: "broadcast", source: broadcast },
  { name: "scope-escape", source: scopeEscape },
];

/**
 * Finds a built-in drill by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findBuiltinDrill } from "./builtin.ts";
 *
 * assert.ok(findBuiltinDrill("udp-echo")?.source.startsWith("name: udp-echo\n"));
 * assert.equal(findBuiltinDrill("no-such-drill"), undefined);
 * ```
 */
export function findBuiltinDrill(name: string): BuiltinDrill | undefined {
  return builtinDrills.find((d) => d.name === name);
}
