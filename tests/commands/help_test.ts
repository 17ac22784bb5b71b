// `toolkit help` and `--help` as users meet them: help for every registered command (in process,
// the same text either way), the overview under its groups from a real process, no command at all
// (help on stderr, exit 2), group names, an unknown name; and help's parse in process.
import assert from "#assert";
import { registry } from "../../lib/commands/registry.ts";
import { runToolkit } from "../_support/harness.ts";
import { runInProcess as inProcess } from "../_support/in_process.ts";
import helpCommand from "../../lib/commands/help.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("every registered command has help with usage, options and examples", async () => {
  for (const entry of registry) {
    const r = await inProcess([...entry.name.split(" "), "--help"]);
    assert.equal(r.code, 0, `${entry.name} --help exited ${r.code}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: toolkit ${entry.name}`), entry.name);
    assert.match(
      r.stdout,
      new RegExp(`Examples:\\n(  .*\\n)*  .*toolkit ${entry.name}`),
      `${entry.name} has examples`,
    );
    const mod = await entry.load();
    for (const o of mod.spec.options) {
      assert.ok(r.stdout.includes(`--${o.name}`), `${entry.name} --${o.name}`);
    }
    const viaHelp = await inProcess(["help", ...entry.name.split(" ")]);
    assert.equal(viaHelp.stdout, r.stdout, `toolkit help ${entry.name}`);
  }
});

Deno.test("toolkit --help lists every command under its group, from a real process", async () => {
  const r = await runToolkit(["--help"]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  for (const entry of registry) {
    assert.match(
      r.stdout,
      new RegExp(`^  ${entry.name} +${entry.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"),
    );
  }
  assert.match(r.stdout, /^Sockets \(TCP, UDP, Unix\):$/m);
  assert.match(r.stdout, /Exit codes: 0 success/);
});

Deno.test("toolkit with no command prints help to stderr and exits 2", async () => {
  const r = await inProcess([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^toolkit \d+\.\d+\.\d+/);
  assert.equal(r.stdout, "");
});

Deno.test("group names show their subcommands", async () => {
  const groups = [
    ...new Set(registry.filter((e) => e.name.includes(" ")).map((e) => e.name.split(" ")[0])),
  ];
  for (const g of groups) {
    const r = await inProcess([g, "--help"]);
    assert.equal(r.code, 0, g);
    for (const e of registry.filter((e) => e.name.startsWith(g + " "))) {
      assert.ok(r.stdout.includes(`  ${e.name}`), `${g} lists ${e.name}`);
    }
    const bare = await inProcess([g]);
    assert.equal(bare.code, 2, `bare ${g}`);
  }
});

Deno.test("help parse: the words after help name the command or group, none is the overview", () => {
  assert.deepEqual(helpCommand.parse([], noGlobals), { words: [] });
  assert.deepEqual(helpCommand.parse(["subnet", "split"], noGlobals), {
    words: ["subnet", "split"],
  });
});

Deno.test("toolkit help COMMAND is the command's --help; an unknown name is exit 2 with a suggestion", async () => {
  const viaHelp = await runToolkit(["help", "udp-send"]);
  const viaOption = await runToolkit(["udp-send", "--help"]);
  assert.equal(viaHelp.code, 0, viaHelp.stderr);
  assert.equal(viaHelp.stdout, viaOption.stdout);
  const unknown = await runToolkit(["help", "udp-sned"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /^toolkit: error: .*udp-sned.*\n/);
  assert.match(unknown.stderr, /udp-send/);
});
