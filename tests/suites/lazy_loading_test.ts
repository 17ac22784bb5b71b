// What a command does not need stays unloaded (STYLE.md, after lume: commands load lazily): a fresh
// process that runs the commands without vendors (arp check, sockets, ifaces) in process never
// loads the OUI vendor registry. That mac does load it is in tests/commands/mac_test.ts.
import assert from "#assert";

Deno.test("commands that need no vendor never load the registry", async () => {
  // A fresh process: import the modules of commands without vendors and run them.
  const code = `
    import { vendorDataLoaded } from "${new URL("../../lib/arp/oui.ts", import.meta.url)}";
    import { memoryIo } from "${new URL("../../lib/cli/io.ts", import.meta.url)}";
    const check = (await import("${new URL(
    "../../lib/commands/arp_check.ts",
    import.meta.url,
  )}")).default;
    const sockets = (await import("${new URL(
    "../../lib/commands/sockets.ts",
    import.meta.url,
  )}")).default;
    const ifaces = (await import("${new URL(
    "../../lib/commands/ifaces.ts",
    import.meta.url,
  )}")).default;
    const g = { json: true, quiet: false, debug: false, color: false };
    await check.run(check.parse(["--file", "${
    new URL("../fixtures/arp/clean.txt", import.meta.url).pathname
  }"], g), memoryIo());
    await sockets.run(sockets.parse([], g), memoryIo());
    await ifaces.run(ifaces.parse([], g), memoryIo());
    console.log(vendorDataLoaded());
  `;
  const out = await new Deno.Command("deno", {
    args: ["eval", "--config", new URL("../../deno.json", import.meta.url).pathname, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(
    new TextDecoder().decode(out.stdout).trim(),
    "false",
    new TextDecoder().decode(out.stderr),
  );
});
