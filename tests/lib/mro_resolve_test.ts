// The hooks a class statement runs after the merge: every `__init_subclass__` and metaclass
// `__new__` recorded from CPython is one lib/mro/resolve.ts models. What `toolkit mro` answers for
// class statements beyond plain names is in tests/commands/mro_test.ts; every public name of the
// recorded modules against CPython in tests/suites/mro_module_names_test.ts.
import assert from "#assert";
import { initSubclassHooks, metaclassNew } from "../../lib/mro/resolve.ts";
import { pythonTypes } from "../../lib/mro/python_types.ts";

Deno.test("every recorded __init_subclass__ and metaclass __new__ is one toolkit models", () => {
  const types = pythonTypes("3").types;
  for (const [id, t] of Object.entries(types)) {
    if (t.initSubclass) {
      assert.ok(id in initSubclassHooks, `${id}.__init_subclass__ is not modeled`);
    }
    if (t.metaHooks?.includes("__new__")) {
      assert.ok(id in metaclassNew, `${id}.__new__ is not modeled`);
    }
  }
});
