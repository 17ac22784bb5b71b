// Neighbour tables and vendors at scale, against a Python 3 script doing the same work in the
// same run: parse a 100k-line table (`/proc/net/arp` and `ip neigh` text) into normalised entries,
// look up the IEEE vendor of 100k MACs in the same registry data (oui-data), and check a table
// where every MAC answers for two addresses (the table that once made `arp check` quadratic) at
// two sizes, so the note shows how its time grows. Rates exclude start-up and the registry load,
// which get a row of their own. The issue names no target, so the target is parity with Python (1x).
import { formatMac } from "../lib/arp/mac.ts";
import { loadVendorLookup } from "../lib/arp/oui.ts";
import { parseNeighborTable } from "../lib/arp/parse_neighbor_table.ts";
import { checkNeighborTables } from "../lib/arp/spoof_check.ts";
import { type BenchContext, type BenchRow, row } from "./rows.ts";
import { hasCommand as has } from "../tests/_support/harness.ts";

const python = `
import json, re, sys, time
kind, path, extra = sys.argv[1], sys.argv[2], sys.argv[3]
mac_re = re.compile(r"^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$", re.I)
def norm(m):
    if not mac_re.match(m): raise ValueError(m)
    return ":".join(p.zfill(2) for p in m.lower().split(":"))
if kind == "proc":
    text = open(path).read()
    t = time.perf_counter()
    out = []
    for line in text.splitlines()[1:]:
        f = line.split()
        flags = int(f[2], 16)
        out.append((f[0], norm(f[3]), f[5], "complete" if flags & 2 else "incomplete"))
    print(len(out), time.perf_counter() - t)
elif kind == "ip":
    text = open(path).read()
    t = time.perf_counter()
    out = []
    for line in text.splitlines():
        f = line.split()
        d = dict(zip(f[1::2], f[2::2]))
        out.append((f[0], norm(d["lladdr"]) if "lladdr" in d else None, d.get("dev"), f[-1]))
    print(len(out), time.perf_counter() - t)
elif kind == "check":
    rows = [l.split() for l in open(path).read().splitlines()]
    t = time.perf_counter()
    ips_of_mac, macs_of_ip = {}, {}
    for f in rows:
        ips_of_mac.setdefault(f[4], set()).add(f[0])
        macs_of_ip.setdefault((f[0], f[2]), set()).add(f[4])
    found = sum(len(v) > 1 for v in ips_of_mac.values()) + sum(len(v) > 1 for v in macs_of_ip.values())
    print(found, time.perf_counter() - t)
else:
    t0 = time.perf_counter()
    data = json.load(open(extra))
    load = time.perf_counter() - t0
    macs = open(path).read().split()
    t = time.perf_counter()
    found = 0
    for m in macs:
        k = m.replace(":", "").upper()
        v = data.get(k[:9]) or data.get(k[:7]) or data.get(k[:6])
        if v: found += 1; v.split("\\n", 1)[0]
    print(found, time.perf_counter() - t, load)
`;

function runPython(args: string[]): number[] {
  const out = new Deno.Command("python3", { args: ["-c", python, ...args], stdout: "piped" })
    .outputSync();
  if (!out.success) throw new Error(`python3 failed on ${args[0]}`);
  return new TextDecoder().decode(out.stdout).trim().split(/\s+/).map(Number);
}

/** A deterministic pseudo-random generator, so every run measures the same data. */
function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs the arp benchmarks. */
export default async function arpBench(ctx: BenchContext): Promise<BenchRow[]> {
  const n = ctx.quick ? 10_000 : 100_000;
  const rounds = ctx.quick ? 1 : 5;
  const rand = rng(42);
  const dir = await Deno.makeTempDir({ prefix: "tkarp-bench" });
  const rows: BenchRow[] = [];
  const peerOk = has("python3");
  try {
    const t0 = performance.now();
    const vendorOf = await loadVendorLookup();
    const loadMs = performance.now() - t0;
    const registry = (await import("oui-data", { with: { type: "json" } })).default as Record<
      string,
      string
    >;
    const ouis = Object.keys(registry).filter((k) => k.length === 6);
    const mac = () => {
      const oui = rand() < 0.5 ? ouis[Math.floor(rand() * ouis.length)] : "";
      const bytes = Array.from({ length: 6 }, () => Math.floor(rand() * 256));
      if (oui) { for (let i = 0; i < 3; i++) bytes[i] = parseInt(oui.slice(i * 2, i * 2 + 2), 16); }
      else bytes[0] &= 0xfe; // unicast; about half of these are locally administered
      return formatMac(Uint8Array.from(bytes));
    };
    const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    let proc = "IP address       HW type     Flags       HW address            Mask     Device\n";
    let ipText = "";
    const macs: string[] = [];
    for (let i = 0; i < n; i++) {
      const m = mac();
      macs.push(m);
      proc += `${ip(i).padEnd(17)}0x1         0x2         ${m}     *        eth0\n`;
      ipText += `${ip(i)} dev eth0 lladdr ${m} ${i % 3 ? "STALE" : "REACHABLE"}\n`;
    }
    await Deno.writeTextFile(`${dir}/proc.txt`, proc);
    await Deno.writeTextFile(`${dir}/ip.txt`, ipText);
    await Deno.writeTextFile(`${dir}/macs.txt`, macs.join("\n"));
    await Deno.writeTextFile(`${dir}/oui.json`, JSON.stringify(registry));

    for (const [format, text, file] of [["proc", proc, "proc.txt"], ["ip", ipText, "ip.txt"]]) {
      const ours: number[] = [], peer: number[] = [];
      parseNeighborTable(text, "auto"); // warm-up: measure compiled code, as CPython has no JIT
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        const table = parseNeighborTable(text, "auto");
        const s = (performance.now() - t) / 1000;
        if (table.entries.length !== n) throw new Error(`parsed ${table.entries.length} of ${n}`);
        ours.push(n / s);
        if (peerOk) peer.push(n / runPython([format, `${dir}/${file}`, ""])[1]);
      }
      ctx.log(`${format}: ${Math.round(median(ours))} lines/s`);
      rows.push(row({
        name: `arp parse ${n / 1000}k lines (${format === "proc" ? "/proc/net/arp" : "ip neigh"})`,
        peer: "python3 split parser",
        unit: "lines/s",
        higherIsBetter: true,
        ours: median(ours),
        peerValue: peerOk ? median(peer) : null,
        target: 1,
        note: peerOk
          ? "ours validates every IP and MAC and detects the format; the peer only splits"
          : "python3 is not installed",
      }));
    }

    // arp check: every MAC answers for two addresses, n and 4n entries.
    const paired = (count: number) => {
      let text = "";
      for (let i = 0; i < count; i++) {
        const m = formatMac(
          Uint8Array.of(0, 0x1a, 0, (i >> 17) & 255, (i >> 9) & 255, (i >> 1) & 255),
        );
        text += `${ip(i)} dev eth0 lladdr ${m} REACHABLE\n`;
      }
      return text;
    };
    const checkRate: Record<number, number> = {};
    let peerCheck: number | null = null;
    for (const count of [n, 4 * n]) {
      const text = paired(count);
      await Deno.writeTextFile(`${dir}/paired.txt`, text);
      const entries = parseNeighborTable(text, "ip").entries;
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        const findings = checkNeighborTables([{ name: "paired", entries }]);
        times.push((performance.now() - t) / 1000);
        if (findings.length !== count / 2) throw new Error(`${findings.length} findings`);
      }
      checkRate[count] = count / median(times);
      if (count === 4 * n && peerOk) {
        peerCheck = median(
          Array.from(
            { length: rounds },
            () => count / runPython(["check", `${dir}/paired.txt`, ""])[1],
          ),
        );
      }
    }
    ctx.log(`check: ${Math.round(checkRate[n])} and ${Math.round(checkRate[4 * n])} entries/s`);
    rows.push(row({
      name: `arp check ${(4 * n) / 1000}k entries, two addresses a MAC`,
      peer: "python3 dict grouping",
      unit: "entries/s",
      higherIsBetter: true,
      ours: checkRate[4 * n],
      peerValue: peerCheck,
      target: 1,
      note: `${n / 1000}k entries: ${Math.round(checkRate[n])}/s, ${(4 * n) / 1000}k: ${
        Math.round(checkRate[4 * n])
      }/s (the same rate is linear time); ours writes a finding with its message for each MAC, the peer only counts`,
    }));

    const bytes = macs.map((m) => Uint8Array.from(m.split(":"), (h) => parseInt(h, 16)));
    const ours: number[] = [], peer: number[] = [], peerLoad: number[] = [];
    let found = 0;
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      found = 0;
      for (const b of bytes) if (vendorOf(b)) found++;
      ours.push(n / ((performance.now() - t) / 1000));
      if (peerOk) {
        const [, s, load] = runPython(["vendor", `${dir}/macs.txt`, `${dir}/oui.json`]);
        peer.push(n / s);
        peerLoad.push(load);
      }
    }
    ctx.log(`vendors: ${found} of ${n} found, ${Math.round(median(ours))} lookups/s`);
    rows.push(row({
      name: `vendor lookup ${n / 1000}k MACs`,
      peer: "python3 dict",
      unit: "lookups/s",
      higherIsBetter: true,
      ours: median(ours),
      peerValue: peerOk ? median(peer) : null,
      target: 1,
      note: `${found} of ${n} had a vendor; the registry loaded lazily in ${
        Math.round(loadMs)
      } ms (python json.load ${peerOk ? Math.round(median(peerLoad) * 1000) : "?"} ms)`,
    }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}
