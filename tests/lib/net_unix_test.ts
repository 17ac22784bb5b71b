// lib/net/unix.ts on its own: which words parseSocketPath takes as a socket path.
import assert from "#assert";
import { parseSocketPath } from "../../lib/net/unix.ts";

Deno.test("socket paths: ports, blanks, control characters and over-long paths are refused", () => {
  for (const bad of ["9000", "0x7f.1", "", "  ", "a\u001bb", "x".repeat(200), "-"]) {
    assert.throws(() => parseSocketPath(bad), /socket path|bytes long/, JSON.stringify(bad));
  }
  assert.equal(parseSocketPath("./9000"), "./9000");
  assert.equal(parseSocketPath("app.sock"), "app.sock");
});
