// Every neighbour-table format parses to the same normalised entries; awkward lines of each
// format are read right, and malformed lines are reported by line number without stopping the rest.
import assert from "#assert";
import { detectTableFormat, parseNeighborTable } from "../../lib/arp/parse_neighbor_table.ts";
import { parseProcNetRoute } from "../../lib/arp/live_table.ts";

const dir = new URL("../fixtures/arp/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, dir));

const common = [
  ["192.168.1.1", "00:1a:2b:3c:4d:5e", "complete"],
  ["192.168.1.10", "3c:22:fb:0a:0b:0c", "complete"],
  ["192.168.1.30", "52:54:00:12:34:56", "permanent"],
  ["192.168.1.40", "da:a1:19:05:06:07", "complete"],
];

const files = {
  "proc_net_arp.txt": "proc",
  "ip_neigh.txt": "ip",
  "ip_neigh.json": "ip-json",
  "bsd_arp_an.txt": "bsd",
  "linux_net_tools_arp_an.txt": "bsd",
  "windows_arp_a.txt": "windows",
} as const;

for (const [file, format] of Object.entries(files)) {
  Deno.test(`${file}: detected as ${format} and normalised like every other format`, () => {
    const text = read(file);
    assert.equal(detectTableFormat(text), format);
    const t = parseNeighborTable(text);
    const seen = t.entries.filter((e) => common.some(([ip]) => ip === e.ip))
      .map((e) => [e.ip, e.mac, e.state]);
    assert.deepEqual(seen, common);
    if (format !== "windows") {
      const inc = t.entries.find((e) => e.ip === "192.168.1.20");
      assert.deepEqual([inc?.mac, inc?.state], [null, "incomplete"]);
    }
  });
}

Deno.test("proc: flags 0x6 permanent, 0xc proxy, 0x0 incomplete; InfiniBand and bad IP reported", () => {
  const t = parseNeighborTable(read("proc_net_arp.txt"), "proc");
  assert.equal(t.entries.find((e) => e.ip === "192.168.1.99")?.state, "proxy");
  assert.equal(t.entries.find((e) => e.ip === "192.168.1.30")?.detail, "flags 0x6");
  assert.equal(t.entries.find((e) => e.ip === "172.17.0.2")?.iface, "docker0");
  assert.deepEqual(t.problems.map((p) => p.line), [8, 9]);
  assert.match(t.problems[0].reason, /20 octets, not a 48-bit MAC/);
  assert.match(t.problems[1].reason, /192\.168\.1\.300/);
});

Deno.test("ip neigh: states, router, FAILED without lladdr, proxy, bad lines by number", () => {
  const t = parseNeighborTable(read("ip_neigh.txt"));
  const by = (ip: string) => t.entries.find((e) => e.ip === ip)!;
  assert.equal(by("192.168.1.50").state, "failed");
  assert.equal(by("192.168.1.50").mac, null);
  assert.equal(by("172.17.0.2").detail, "PROBE");
  assert.equal(by("fe80::1a2b:3cff:fe4d:5e6f").router, true);
  assert.equal(by("2001:db8::20").state, "failed");
  assert.equal(by("192.168.1.99").state, "proxy");
  assert.deepEqual(t.problems.map((p) => p.line), [11, 12]);
  assert.match(t.problems[0].reason, /5 octets/);
});

Deno.test("ip -j neigh: same entries as the text form; an element without dst is reported", () => {
  const text = parseNeighborTable(read("ip_neigh.txt")).entries;
  const json = parseNeighborTable(read("ip_neigh.json"));
  const strip = (es: typeof text) => es.map(({ line: _l, ...e }) => e);
  assert.deepEqual(strip(json.entries), strip(text));
  assert.deepEqual(json.problems.map((p) => p.line), [11]);
  assert.throws(() => parseNeighborTable("[{", "ip-json"), SyntaxError);
});

Deno.test("BSD arp -an: unpadded octets, ifscope, permanent, published, expires, hostnames", () => {
  const t = parseNeighborTable(read("bsd_arp_an.txt"));
  const by = (ip: string) => t.entries.find((e) => e.ip === ip)!;
  assert.equal(by("224.0.0.251").mac, "01:00:5e:00:00:fb");
  assert.equal(by("224.0.0.251").state, "permanent");
  assert.equal(by("192.168.1.77").detail, "expires in 1197s");
  assert.equal(by("192.168.1.99").state, "proxy");
  assert.equal(by("192.168.1.1").iface, "en0");
  assert.equal(by("169.254.169.254").state, "incomplete");
  assert.deepEqual(t.problems.map((p) => p.line), [11]);
});

Deno.test("Windows arp -a: CRLF, interface blocks, static group entries, unknown type reported", () => {
  const t = parseNeighborTable(read("windows_arp_a.txt"));
  assert.equal(t.entries.find((e) => e.ip === "172.17.0.2")?.iface, "172.17.0.1");
  assert.equal(t.entries.find((e) => e.ip === "192.168.1.1")?.iface, "192.168.1.5");
  assert.equal(t.entries.find((e) => e.ip === "255.255.255.255")?.state, "permanent");
  assert.deepEqual(t.problems.map((p) => p.line), [16]);
  assert.match(t.problems[0].reason, /sometimes/);
  const de = parseNeighborTable(read("windows_arp_a_de.txt"));
  assert.equal(de.format, "windows");
  assert.deepEqual(de.entries.map((e) => e.state), ["complete", "permanent"]);
});

Deno.test("detection refuses text that is no neighbour table", () => {
  assert.throws(() => detectTableFormat("hello world\n"), /Cannot detect the table format/);
});

Deno.test("/proc/net/route: default gateways decoded from little-endian hex", () => {
  const text = "Iface\tDestination\tGateway\tFlags\neth0\t00000000\t0101A8C0\t0003\n" +
    "eth0\t0001A8C0\t00000000\t0001\n";
  assert.deepEqual(parseProcNetRoute(text), [{ ip: "192.168.1.1", iface: "eth0" }]);
});
