// Real captures of every neighbour table a lab machine prints (net-tools, AIX, OpenBSD, Solaris,
// netsh, Windows arp -a in ten languages, UTF-16 files): each is detected as its own format, gives
// the entries tests/fixtures/arp/README.md says it must, and reports its bad lines by number.
import assert from "#assert";
import { decodeTableText, detectTableEncoding } from "../../lib/arp/decode_text.ts";
import type { NeighborEntry } from "../../lib/arp/neighbor.ts";
import {
  detectTableFormat,
  parseNeighborTable,
  type TableFormat,
  tableFormats,
} from "../../lib/arp/parse_neighbor_table.ts";
import { checkNeighborTables } from "../../lib/arp/spoof_check.ts";
import { windowsArpTypes, windowsLanguages } from "../../lib/arp/windows_words.ts";

const dir = new URL("../fixtures/arp/", import.meta.url);
const bytes = (name: string) => Deno.readFileSync(new URL(name, dir));
const parse = (name: string) => parseNeighborTable(decodeTableText(bytes(name)));
const row = (e: NeighborEntry) => [e.ip, e.mac, e.iface, e.state];
const byIp = (entries: NeighborEntry[], ip: string) => entries.find((e) => e.ip === ip)!;
const problemLines = (t: { problems: { line: number }[] }) => t.problems.map((p) => p.line);

/** Every real capture and the format it must be detected as. */
const captures: Record<string, TableFormat> = {
  "net_tools_arp_centos7.txt": "net-tools",
  "net_tools_arp_v_ubuntu1804.txt": "net-tools",
  "net_tools_arp_n_incomplete.txt": "net-tools",
  "net_tools_arp_an_pub.txt": "bsd",
  "net_tools_arp_a_ntc.txt": "bsd",
  "aix_arp_a.txt": "aix",
  "openbsd_arp_an.txt": "openbsd",
  "solaris_arp_an.txt": "solaris",
  "solaris11_arp_an.txt": "solaris",
  "netsh_ipv4_neighbors.txt": "netsh",
  "netsh_ipv6_neighbors.txt": "netsh",
  "windows_arp_a_fr.txt": "windows",
  "windows_arp_a_pt.txt": "windows",
  "windows_arp_a_it.txt": "windows",
  "windows_arp_a_it_xp.txt": "windows",
  "windows_arp_a_ru.txt": "windows",
  "windows_arp_a_zh.txt": "windows",
  "windows_arp_a_ko.txt": "windows",
  "windows_arp_a_ja.txt": "windows",
  "windows_arp_a_es.txt": "windows",
  "windows_arp_a_zh_utf16le.txt": "windows",
  "windows_arp_a_zh_utf16le_nobom.txt": "windows",
};

Deno.test("every capture is detected as its format, and no other format reads an entry of it", () => {
  for (const [file, format] of Object.entries(captures)) {
    const text = decodeTableText(bytes(file));
    assert.equal(detectTableFormat(text), format, file);
    for (const other of tableFormats) {
      // AIX's lines are BSD lines; its parser only adds the bucket statistics.
      if (other === format || (format === "bsd" && other === "aix")) continue;
      if (format === "aix" && other === "bsd") continue;
      let entries: NeighborEntry[] = [];
      try {
        entries = parseNeighborTable(text, other).entries;
      } catch {
        // ip-json refuses text that is not JSON: also not a confusion
      }
      assert.deepEqual(entries, [], `${file} read as ${other}`);
    }
  }
});

Deno.test("net-tools arp: columns, host names reported with the way out, -v footer, (incomplete)", () => {
  const centos = parse("net_tools_arp_centos7.txt");
  assert.deepEqual(centos.entries.map(row), [
    ["192.168.71.254", "00:50:56:fe:7a:b4", "ens33", "complete"],
  ]);
  assert.equal(centos.entries[0].detail, "flags C");
  assert.deepEqual(problemLines(centos), [2]);
  assert.match(centos.problems[0].reason, /^Host name "gateway" instead of an address: .*"arp -n"/);

  const ubuntu = parse("net_tools_arp_v_ubuntu1804.txt");
  assert.deepEqual(ubuntu.entries.map(row), [
    ["192.168.71.254", "00:50:56:fe:7a:b4", "ens33", "complete"],
  ]);
  assert.deepEqual(problemLines(ubuntu), [3], "the Entries/Skipped/Found footer is no problem");

  const incomplete = parse("net_tools_arp_n_incomplete.txt");
  assert.deepEqual(incomplete.entries.map(row), [
    ["192.168.56.1", "0a:00:27:00:00:00", "enp0s8", "complete"],
    ["10.0.2.2", null, "enp0s3", "incomplete"],
  ]);
  assert.deepEqual(incomplete.problems, []);
});

Deno.test("net-tools arp -an: published entries without an address and <incomplete>", () => {
  const pub = parse("net_tools_arp_an_pub.txt");
  assert.deepEqual(pub.problems, []);
  assert.deepEqual(pub.entries.map(row), [
    ["140.252.1.4", "be:ba:0a:c7:36:d9", "eth1", "permanent"],
    ["140.252.1.4", null, "netbside", "proxy"],
    ["140.252.1.32", null, "netbside", "proxy"],
    ["140.252.1.29", null, "eth1", "proxy"],
    ["140.252.1.11", null, "netbside", "proxy"],
    ["140.252.1.92", null, "netbside", "proxy"],
  ]);
  // The older net-tools line for the same entry (`at *`), as issue 20 quotes it.
  const older = parseNeighborTable("? (10.0.0.5) at * PERM PUB on eth0\n", "bsd");
  assert.deepEqual(older.entries.map(row), [["10.0.0.5", null, "eth0", "proxy"]]);

  const ntc = parse("net_tools_arp_a_ntc.txt");
  assert.deepEqual(ntc.problems, []);
  // ntc-templates' expected parse (linux_arp_a.yml) lists the complete entries in this order.
  assert.deepEqual(ntc.entries.filter((e) => e.mac).map((e) => [e.ip, e.mac, e.iface]), [
    ["192.168.13.197", "00:04:4b:cc:9c:ba", "eth1.100"],
    ["192.168.13.252", "5c:e2:8c:fc:a4:74", "eth1.100"],
    ["192.168.13.5", "00:e0:67:05:9d:5a", "eth1.100"],
    ["192.168.13.253", "dc:f7:19:cd:d6:c4", "eth1.100"],
    ["192.168.123.199", "00:0f:c9:0e:c8:ec", "eth0.21"],
    ["192.168.10.7", "00:0c:29:02:3b:93", "eth1.10"],
    ["192.168.10.249", "00:0c:29:bb:5f:a2", "eth1.10"],
  ]);
  assert.deepEqual(ntc.entries.filter((e) => !e.mac).map(row), [
    ["192.168.10.100", null, "eth1.10", "incomplete"],
    ["192.168.10.52", null, "eth1.10", "incomplete"],
  ]);
});

Deno.test("net-tools columns of published rows, flags M and P, and a bad line by number", () => {
  // Lines as net-tools' arp_disp_2 prints them (`%-23.23s  %-8.8s%-20.20s%-6.6s%-15.15s %s`).
  const text =
    "Address                  HWtype  HWaddress           Flags Mask            Iface\n" +
    "10.0.0.7                 ether   52:54:00:12:34:56   CM                    eth0\n" +
    "10.0.0.8                 *       <from_interface>    MP                    eth0\n" +
    "10.0.0.0                 *       *                   MP    255.255.255.0   eth1\n" +
    "10.0.0.9                 ether   52:54:00:12:34                            eth0\n";
  const t = parseNeighborTable(text);
  assert.equal(t.format, "net-tools");
  assert.deepEqual(t.entries.map(row), [
    ["10.0.0.7", "52:54:00:12:34:56", "eth0", "permanent"],
    ["10.0.0.8", null, "eth0", "proxy"],
    ["10.0.0.0", null, "eth1", "proxy"],
  ]);
  assert.deepEqual(problemLines(t), [5]);
  assert.match(t.problems[0].reason, /5 octets/);
});

Deno.test("AIX arp -a: the bucket statistics are part of the format, not unreadable lines", () => {
  const t = parse("aix_arp_a.txt");
  assert.equal(t.format, "aix");
  assert.deepEqual(t.problems, []);
  assert.deepEqual(t.entries.map(row), [
    ["1.2.3.4", "05:06:07:08:09:0a", null, "proxy"],
    ["9.3.63.1", "00:00:5e:00:01:5c", null, "complete"],
    ["9.3.63.2", "4c:96:14:59:d7:f0", null, "complete"],
    ["9.3.63.3", "3c:8a:b0:00:8f:f0", null, "complete"],
    ["9.3.63.4", null, null, "incomplete"],
    ["9.3.63.173", "b6:1b:da:7e:1f:02", null, "complete"],
  ]);
  // Read as plain BSD, the same statistics are 150 unreadable lines: the format name matters.
  const bsd = parseNeighborTable(decodeTableText(bytes("aix_arp_a.txt")), "bsd");
  assert.equal(bsd.entries.length, 6);
  assert.equal(bsd.problems.length, 150);
});

Deno.test("OpenBSD arp -an: expiry, permanent local address, incomplete expired", () => {
  const t = parse("openbsd_arp_an.txt");
  assert.deepEqual(t.problems, []);
  assert.deepEqual(t.entries.map(row), [
    ["10.61.0.254", "00:30:88:02:0e:0d", "carp1", "complete"],
    ["85.14.151.86", "00:00:5e:00:01:05", "carp5", "permanent"],
    ["91.226.28.0", null, "em0", "incomplete"],
  ]);
  assert.deepEqual(t.entries.map((e) => e.detail), [
    "expires in 8m38s",
    "permanent l",
    "expired",
  ]);
  assert.equal(byIp(t.entries, "85.14.151.86").local, true);
  // arp.c's other words: `static`, the `p` flag, and a host name (arp -a without -n).
  const more = parseNeighborTable(
    "Host                                 Ethernet Address    Netif Expire    Flags\n" +
      "10.0.0.9                             00:00:5e:00:01:09     em0 static    p\n" +
      "gw.example.org                       00:00:5e:00:01:01     em0 19m59s\n" +
      "10.0.0.10                            00:00:5e:00:01:0a     em0 soon\n",
  );
  assert.deepEqual(more.entries.map(row), [["10.0.0.9", "00:00:5e:00:01:09", "em0", "proxy"]]);
  assert.deepEqual(problemLines(more), [3, 4]);
  assert.match(more.problems[0].reason, /Host name "gw.example.org".*"arp -an"/);
  assert.match(more.problems[1].reason, /expiry "soon"/);
});

Deno.test("Solaris arp -an: published, mapping, local addresses; interfaces from Device", () => {
  const t = parse("solaris_arp_an.txt");
  assert.deepEqual(t.problems, []);
  assert.equal(t.entries.length, 16);
  assert.ok(t.entries.every((e) => e.iface === "rtls0"));
  assert.deepEqual(row(byIp(t.entries, "172.31.4.1")), [
    "172.31.4.1",
    "00:14:69:81:0b:c0",
    "rtls0",
    "complete",
  ]);
  assert.equal(byIp(t.entries, "172.31.4.103").state, "proxy");
  assert.equal(byIp(t.entries, "172.31.4.103").detail, "flags SP");
  assert.deepEqual(row(byIp(t.entries, "224.0.0.0")), [
    "224.0.0.0",
    "01:00:5e:00:00:00",
    "rtls0",
    "permanent",
  ]);
  const s11 = parse("solaris11_arp_an.txt");
  assert.deepEqual(s11.problems, []);
  assert.deepEqual(s11.entries.filter((e) => e.local).map(row), [
    ["10.10.0.31", "62:eb:6d:68:72:36", "net1", "permanent"],
    ["23.105.43.31", "92:14:77:92:7c:93", "net0", "permanent"],
  ]);
  assert.equal(s11.entries.filter((e) => !e.local && e.state === "complete").length, 4);
  // An unresolved row has flags U and no Phys Addr; netstat -p's IPv6 table is reported.
  const more = parseNeighborTable(
    "Net to Media Table: IPv4\n" +
      "Device   IP Address               Mask      Flags   Phys Addr\n" +
      "------ -------------------- --------------- ----- ---------------\n" +
      "elx1   192.168.1.1          255.255.255.255 U\n" +
      "\nNet to Media Table: IPv6\n",
  );
  assert.deepEqual(more.entries.map(row), [["192.168.1.1", null, "elx1", "incomplete"]]);
  assert.deepEqual(problemLines(more), [6]);
});

Deno.test("netsh show neighbors: interfaces by name, no MAC on the loopback, a cut line reported", () => {
  const v4 = parse("netsh_ipv4_neighbors.txt");
  assert.deepEqual(v4.problems, []);
  assert.deepEqual(v4.entries.map(row), [
    ["10.10.10.10", "c0:f6:c2:aa:2d:3f", "Wi-Fi", "complete"],
    ["10.10.10.10", null, "Wi-Fi", "failed"],
    ["10.10.10.10", null, "Wi-Fi", "failed"],
    ["10.10.10.10", "00:11:22:33:44:55", "Ethernet", "complete"],
    ["10.10.10.10", "cc:90:70:da:49:3f", "Ethernet", "complete"],
  ]);
  assert.deepEqual(v4.entries.map((e) => e.detail), [
    "Reachable",
    "Unreachable",
    "Unreachable",
    "Reachable",
    "Stale",
  ]);

  const v6 = parse("netsh_ipv6_neighbors.txt");
  assert.equal(v6.entries.length, 11);
  const loopback = v6.entries.filter((e) => e.iface === "Loopback Pseudo-Interface 1");
  assert.equal(loopback.length, 8);
  assert.ok(loopback.every((e) => e.state === "permanent" && e.mac === null));
  assert.deepEqual(v6.entries.filter((e) => e.iface === "Ethernet 4").map(row), [
    ["fe80::72d7:25ab:dd8b:d69f", null, "Ethernet 4", "failed"],
    ["ff02::2", "33:33:00:00:00:02", "Ethernet 4", "permanent"],
    ["ff02::c", "33:33:00:00:00:0c", "Ethernet 4", "permanent"],
  ]);
  assert.deepEqual(problemLines(v6), [24]);
  assert.match(v6.problems[0].reason, /No neighbour type/);
  // A router's type carries `(Router)`; an unknown type word is reported, never guessed.
  const more = parseNeighborTable(
    "Interface 20: WiFi\r\n\r\nInternet Address                              Physical Address   Type\r\n" +
      "--------------------------------------------  -----------------  -----------\r\n" +
      "fe80::fc9c:a7ff:fec8:dc64                     fe-9c-a7-c8-dc-64  Reachable (Router)\r\n" +
      "fe80::1                                       fe-9c-a7-c8-dc-65  Erreichbar\r\n",
  );
  assert.equal(more.format, "netsh");
  assert.deepEqual(more.entries.map((e) => [e.state, e.router]), [["complete", true]]);
  assert.deepEqual(problemLines(more), [6]);
  assert.match(more.problems[0].reason, /Unknown entry type "Erreichbar"/);
});

Deno.test("Windows arp -a in French, Portuguese, Italian, Spanish, Chinese, Korean, Japanese", () => {
  const expect: Record<string, [string, number, number]> = {
    "windows_arp_a_fr.txt": ["10.33.65.120", 3, 6],
    "windows_arp_a_pt.txt": ["10.140.129.68", 5, 6],
    "windows_arp_a_it.txt": ["192.168.178.166", 6, 7],
    "windows_arp_a_it_xp.txt": ["192.168.0.40", 1, 0],
    "windows_arp_a_es.txt": ["192.168.1.15", 1, 0],
    "windows_arp_a_zh.txt": ["192.168.4.10", 5, 11],
    "windows_arp_a_ko.txt": ["172.30.1.57", 2, 13],
    "windows_arp_a_ja.txt": ["192.168.1.3", 1, 6],
  };
  for (const [file, [firstIface, dynamic, fixed]] of Object.entries(expect)) {
    const t = parse(file);
    assert.deepEqual(t.problems, [], file);
    assert.equal(t.entries[0].iface, firstIface, file);
    assert.equal(t.entries.filter((e) => e.state === "complete").length, dynamic, file);
    assert.equal(t.entries.filter((e) => e.state === "permanent").length, fixed, file);
    assert.ok(t.entries.every((e) => e.mac !== null), file);
  }
  const zh = parse("windows_arp_a_zh.txt");
  assert.deepEqual(row(byIp(zh.entries, "192.168.4.1")), [
    "192.168.4.1",
    "f4:f6:47:65:09:5c",
    "192.168.4.10",
    "complete",
  ]);
  assert.equal(byIp(zh.entries, "192.168.4.1").detail, "动态");
  assert.equal(byIp(zh.entries, "192.168.31.255").iface, "192.168.16.1");
  // Windows' own broadcast and multicast entries are no spoofing sign in any language.
  for (const file of Object.keys(expect)) {
    assert.deepEqual(checkNeighborTables([{ name: file, entries: parse(file).entries }]), [], file);
  }
});

Deno.test("Windows arp -a in Russian: masked MACs are reported, the type words are known", () => {
  const t = parse("windows_arp_a_ru.txt");
  assert.deepEqual(t.entries, []);
  assert.deepEqual(problemLines(t), [4, 5]);
  for (const p of t.problems) assert.match(p.reason, /Cannot parse MAC address "xx-xx/);
});

Deno.test("Windows type words: a table of languages, each with a fixture; unknown words reported", () => {
  for (const l of windowsLanguages) {
    for (const file of l.source.match(/[\w.-]+\.txt/g) ?? []) {
      if (file.includes("*")) continue;
      assert.ok(Deno.statSync(new URL(file, dir)).isFile, `${l.language}: ${file}`);
    }
  }
  assert.equal(windowsArpTypes.get("dynamique"), "complete");
  assert.equal(windowsArpTypes.get("静态"), "permanent");
  const unknown = parseNeighborTable(
    "Interfaz: 192.168.1.50 --- 0x8\n  Dirección Internet  Dirección física  Tipo\n" +
      "  192.168.1.1  aa-bb-cc-dd-ee-01  dinámica\n",
  );
  assert.deepEqual(problemLines(unknown), [3]);
  assert.equal(unknown.problems[0].reason, 'Unknown entry type "dinámica"');
  // A file in a Windows code page (here GBK's 动态, read as UTF-8) says so instead.
  const gbk = new Uint8Array([
    ...new TextEncoder().encode("Interface: 10.0.0.5 --- 0x3\n  10.0.0.1  00-11-22-33-44-55  "),
    0xb6,
    0xaf,
    0xcc,
    0xac,
    0x0a,
  ]);
  const cp = parseNeighborTable(decodeTableText(gbk));
  assert.deepEqual(problemLines(cp), [2]);
  assert.match(cp.problems[0].reason, /Windows code page, not UTF-8 or UTF-16/);
});

Deno.test("UTF-16 tables: BOM or NUL pattern, little or big endian, read like UTF-8", () => {
  const le = bytes("windows_arp_a_zh_utf16le.txt");
  assert.deepEqual([...le.subarray(0, 2)], [0xff, 0xfe]);
  assert.equal(detectTableEncoding(le), "utf-16le");
  assert.equal(detectTableEncoding(bytes("windows_arp_a_zh_utf16le_nobom.txt")), "utf-16le");
  const utf8 = parse("windows_arp_a_zh.txt").entries.map(row);
  assert.deepEqual(parse("windows_arp_a_zh_utf16le.txt").entries.map(row), utf8);
  assert.deepEqual(parse("windows_arp_a_zh_utf16le_nobom.txt").entries.map(row), utf8);
  // Big endian, with and without a BOM, built from the little-endian file.
  const swapped = new Uint8Array(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) [swapped[i], swapped[i + 1]] = [le[i + 1], le[i]];
  assert.equal(detectTableEncoding(swapped), "utf-16be");
  assert.deepEqual(parseNeighborTable(decodeTableText(swapped)).entries.map(row), utf8);
  assert.equal(detectTableEncoding(swapped.subarray(2)), "utf-16be");
  // UTF-8 with and without a BOM, and binary noise that is no UTF-16.
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes("windows_arp_a_zh.txt")]);
  assert.deepEqual(parseNeighborTable(decodeTableText(bom)).entries.map(row), utf8);
  assert.equal(detectTableEncoding(new Uint8Array([0, 0, 0, 0, 1, 2])), "utf-8");
  assert.equal(detectTableEncoding(new Uint8Array([0x31])), "utf-8");
});
