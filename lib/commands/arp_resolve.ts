// `toolkit arp resolve IP`: make the kernel resolve a neighbour the way any first packet would,
// by sending one empty UDP datagram (to the discard port), then report the entry it learned.
// Nothing else is sent; the address must be within the run's network scope.
import { durationOption, parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, fromUserInput, userInputError } from "../cli/errors.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { parsePort } from "../net/address.ts";
import { openUdpClient, sendDatagram } from "../net/udp.ts";
import { ipNeighJson, readLiveNeighbors } from "../arp/live_table.ts";
import { checkIp, type NeighborEntry } from "../arp/neighbor.ts";
import { describeState, neighborJson, vendorsOf } from "./_arp.ts";
import { printable } from "../text/printable.ts";

/** Parsed `arp resolve` options. */
export interface ArpResolveOptions {
  ip: string;
  port: number;
  timeoutMs: number;
  vendor: boolean;
  json: boolean;
}

const name = "arp resolve";

const command: CommandModule<ArpResolveOptions> = {
  spec: {
    usage: "IP",
    description:
      "Sends one empty UDP datagram to IP (port 9, discard) so the kernel resolves its MAC with ARP (IPv4) or NDP (IPv6), then reads the neighbour table until the entry is complete or the timeout passes. Exit 0 with the entry, 1 when it stays incomplete or failed (no answer, or IP is not on a directly connected network: then the kernel resolves the gateway instead).",
    options: [
      {
        name: "timeout",
        short: "t",
        type: "string",
        value: "DURATION",
        default: "1s",
        description: "how long to wait for the entry",
      },
      {
        name: "port",
        short: "p",
        type: "string",
        value: "PORT",
        default: "9",
        description: "UDP port the empty datagram goes to",
      },
      { name: "no-vendor", type: "boolean", description: "do not look up the IEEE vendor" },
    ],
    examples: [
      "toolkit arp resolve 192.168.1.1",
      "toolkit arp resolve --json fe80::1%eth0",
      "toolkit --net 198.18.0.0/15 arp resolve 198.18.6.2",
    ],
    positionals: { min: 1, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const ip = fromUserInput(() => checkIp(positionals[0]), name);
    let port: number;
    try {
      port = parsePort(String(values.port ?? "9"));
    } catch (err) {
      throw userInputError(err, name, "--port: ");
    }
    return {
      ip,
      port,
      timeoutMs: durationOption(values, "timeout", {
        fallback: 1000,
        min: 1,
        command: name,
        max: 60_000,
      }),
      vendor: values["no-vendor"] !== true,
      json: globals.json,
    };
  },
  async run(o, io) {
    const ipv6 = o.ip.includes(":");
    const target = { host: o.ip, port: o.port, family: ipv6 ? "ipv6" : "ipv4" } as const;
    const sock = openUdpClient(target);
    try {
      await sendDatagram(sock, target, new Uint8Array(0));
    } finally {
      sock.close();
    }
    const address = o.ip.replace(/%.*$/, "");
    const lookup = async (): Promise<NeighborEntry | undefined> => {
      const table = ipv6
        ? await ipNeighJson({ family: 6, to: address })
        : await readLiveNeighbors({ ipv6: false });
      return table?.entries.find((e) => e.ip === address);
    };
    const deadline = Date.now() + o.timeoutMs;
    let entry = await lookup();
    while (
      !io.signal.aborted && Date.now() < deadline &&
      !(entry && (entry.state === "complete" || entry.state === "permanent" ||
        entry.state === "failed"))
    ) {
      await new Promise((r) => setTimeout(r, 25));
      entry = await lookup();
    }
    const resolved = entry !== undefined && entry.mac !== null &&
      (entry.state === "complete" || entry.state === "permanent");
    const vendor = resolved && o.vendor ? (await vendorsOf([entry!])).get(entry!.mac!) : undefined;
    if (o.json) {
      await writeJson(io, {
        address,
        resolved,
        neighbor: entry ? neighborJson(entry, o.vendor ? vendor ?? null : undefined) : null,
      });
    } else if (resolved) {
      await io.stdout.write(formatTable([
        ["IP", "MAC", "INTERFACE", "STATE", ...(vendor ? ["VENDOR"] : [])],
        [
          address,
          entry!.mac!,
          entry!.iface ?? "-",
          describeState(entry!),
          ...(vendor ? [vendor] : []),
        ].map((cell) => printable(cell)),
      ]));
    } else {
      const why = entry
        ? `${entry.state}${entry.iface ? ` on ${entry.iface}` : ""}`
        : "incomplete (no neighbour entry: is it on a directly connected network?)";
      await io.stdout.write(`${address} ${printable(why)}\n`);
    }
    return resolved ? ExitCode.ok : ExitCode.negative;
  },
};
export default command;
