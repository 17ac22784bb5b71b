// The class-statement reader: it must find every class statement that runs, with its bases and
// line, and never one inside a string, a comment, an f-string or a function body.
import assert from "#assert";
import { readClassStatements } from "../lib/mro/read_classes.ts";
import { resolveClasses } from "../lib/mro/resolve.ts";
import { tokenizePython } from "../lib/mro/tokenize.ts";

function mros(source: string): Record<string, string> {
  return Object.fromEntries(
    resolveClasses(readClassStatements(source)).map((o) => [
      `${o.statement.qualname}@${o.statement.line}`,
      o.cls ? o.cls.mro.map((c) => c.qualname).join(", ") : `${o.error!.type}: ${o.error!.message}`,
    ]),
  );
}

Deno.test("class A:, class A(): and class A(object): are the same class shape", () => {
  assert.deepEqual(mros("class A:\n    pass\nclass B():\n    pass\nclass C(object): pass\n"), {
    "A@1": "A, object",
    "B@3": "B, object",
    "C@5": "C, object",
  });
});

Deno.test("strings, docstrings, comments and f-strings that say 'class' are not read", () => {
  const src = `'''
class InTriple(A):
    pass
'''
"""class InDouble: pass"""
s = "class InString(A): pass"  # class InComment(A):
r = r"\\"class InRaw(A):"
b = b'class InBytes(A):'
f = f"{s!r:>{10}} {'class InField'} {s:#>5} {{class InBraces}} {f"{s}"} {s["a" if s else 'b']}"
g = f'''
class InFString({s}):
'''
class Real(object):
    """class InDocstring(A):
    """
    # class InBodyComment(A):
    x = 'class InBodyString:'
`;
  assert.deepEqual(mros(src), { "Real@13": "Real, object" });
});

Deno.test("decorators, continuations and bases split over lines", () => {
  const src = `extra = {}
class A: pass
@decorator(
    "class Fake(A):",
    key=lambda x: x,
)
@other
class B(
    A,  # the only base
    metaclass=type,
    **extra,
):
    pass
class C(B, \\
        A):
    pass
class \\
  D(C): pass
`;
  assert.deepEqual(mros(src), {
    "A@2": "A, object",
    "B@8": "B, A, object",
    "C@14": "C, B, A, object",
    "D@17": "D, C, B, A, object",
  });
});

Deno.test("nested classes are Outer.Inner; function bodies do not run; blocks do", () => {
  const src = `import contextlib
class Outer:
    class Inner:
        class Deepest: pass
    def method(self):
        class NotRun(Missing): pass
    async def coro(self):
        class NotRunEither(Missing): pass
    @property
    def prop(self): return 1
    class After(Inner): pass
def f():
    class Local(Missing): pass
if True:
    class InIf(Outer.Inner): pass
with contextlib.suppress(Exception):
    class InWith: pass
for _ in range(1):
    class InFor: pass
try:
    class InTry(InIf): pass
except Exception:
    pass
`;
  assert.deepEqual(mros(src), {
    "Outer@2": "Outer, object",
    "Outer.Inner@3": "Outer.Inner, object",
    "Outer.Inner.Deepest@4": "Outer.Inner.Deepest, object",
    "Outer.After@11": "Outer.After, Outer.Inner, object",
    "InIf@15": "InIf, Outer.Inner, object",
    "InWith@17": "InWith, object",
    "InFor@19": "InFor, object",
    "InTry@21": "InTry, InIf, Outer.Inner, object",
  });
});

Deno.test("one-line bodies, semicolons, CRLF line ends, tabs and a byte-order mark", () => {
  const src =
    "\uFEFFclass A: x = 1; y = 2\r\nclass B(A):\r\n\tclass C(A): pass\r\n\tz = 3\r\nclass D(B.C): pass\r\n";
  assert.deepEqual(mros(src), {
    "A@1": "A, object",
    "B@2": "B, A, object",
    "B.C@3": "B.C, A, object",
    "D@5": "D, B.C, A, object",
  });
});

Deno.test("what toolkit cannot evaluate is an error for that class, with its line", () => {
  const out = resolveClasses(
    readClassStatements(
      "from helpers import mixins\nclass A: pass\nclass B(A, *mixins): pass\nclass C(type(A)): pass\nclass D(B): pass\nclass E(A if A else B): pass\nclass F(*missing): pass\n",
    ),
  );
  assert.deepEqual(out.map((o) => [o.statement.line, o.error?.type, o.error?.message]), [
    [2, undefined, undefined],
    [
      3,
      "UnsupportedSyntax",
      "cannot evaluate '*mixins': what it unpacks is only known when the module runs",
    ],
    [
      4,
      "UnsupportedSyntax",
      "cannot read base 'type(A)': a call (only names, subscripts, literals and displays are read)",
    ],
    [5, "UnsupportedSyntax", "cannot use 'B': its class statement on line 3 could not be read"],
    [
      6,
      "UnsupportedSyntax",
      "cannot read base 'A if A else B': an expression other than a name, a literal or a display (only names, subscripts, literals and displays are read)",
    ],
    // Python evaluates `*missing` first: the name is not defined.
    [7, "NameError", "name 'missing' is not defined"],
  ]);
});

Deno.test("imports, aliases, del and rebinding follow Python's binding rules", () => {
  const src = `from abc import ABC as Base
import collections.abc
from somewhere.unknown import Model
class A(Base): pass
class M(collections.abc.Sized, Model): pass
Alias = A
class B(Alias): pass
del Alias
class C(Alias): pass
class A(A): pass
class D(A): pass
`;
  assert.deepEqual(mros(src), {
    "A@4": "A, ABC, object",
    "M@5": "M, Sized, Model, object",
    "B@7": "B, A, ABC, object",
    "C@9": "NameError: name 'Alias' is not defined",
    "A@10": "A, A, ABC, object",
    "D@11": "D, A, A, ABC, object",
  });
});

Deno.test("source that cannot be tokenized is a SyntaxError naming the line", () => {
  assert.throws(() => tokenizePython("x = '''never closed\nclass A: pass\n"), {
    name: "SyntaxError",
    message: "Cannot read line 1: unterminated triple-quoted string literal (detected at line 3)",
  });
  assert.throws(() => tokenizePython("class A(B:\n    pass\n"), {
    name: "SyntaxError",
    message: "Cannot read line 1: '(' was never closed",
  });
  assert.throws(() => tokenizePython("x = 1)\n"), {
    name: "SyntaxError",
    message: "Cannot read line 1: unmatched ')'",
  });
  assert.throws(() => readClassStatements("class (A): pass\n"), {
    name: "SyntaxError",
    message: "Cannot read the class statement on line 1: invalid syntax",
  });
});

Deno.test("constant branch conditions decide which class statements run", () => {
  const src = `from typing import TYPE_CHECKING
if TYPE_CHECKING:
    class OnlyForTypes: pass
else:
    class AtRuntime: pass
if False:
    class Never: pass
elif True:
    class Taken: pass
elif flag:
    class AfterTaken: pass
else:
    class ElseAfterTaken: pass
if flag:
    class Maybe1: pass
else:
    class Maybe2: pass
if __name__ == "__main__":
    class Main: pass
while 0:
    class Loop: pass
for i in []:
    pass
else:
    class ForElse: pass
if not (False):
    class NotFalse: pass
`;
  assert.deepEqual(Object.keys(mros(src)), [
    "AtRuntime@5",
    "Taken@9",
    "Maybe1@15",
    "Maybe2@17",
    "Main@19",
    "ForElse@25",
    "NotFalse@27",
  ]);
});
