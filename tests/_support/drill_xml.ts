// A strict check that a report is well-formed XML, by CPython's expat-based parser (an oracle
// independent of ours), shared by the drill tests.
import assert from "#assert";
import { python } from "./harness.ts";

/** Checks XML well-formedness with CPython's expat parser (present wherever pyenv is). */
export async function assertWellFormedXml(xml: string): Promise<void> {
  const py = python("3.13") ?? python("3.12") ?? { cmd: "python3", env: {} };
  const out = await new Deno.Command(py.cmd, {
    env: py.env,
    args: [
      "-c",
      "import sys, xml.etree.ElementTree as ET\n" +
      "root = ET.fromstring(sys.stdin.buffer.read())\n" +
      "print(root.tag, len(root), sum(len(s.findall('testcase')) for s in root))",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = out.stdin.getWriter();
  await w.write(new TextEncoder().encode(xml));
  await w.close();
  const r = await out.output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  assert.match(new TextDecoder().decode(r.stdout), /^testsuites \d+ \d+\n$/);
}
