// Hand-worked derivations, written the way the course notes work them: the merge formula, then
// one line per head looked at (taken, or skipped because some list's tail holds it), then the
// remaining merge, until the lists are empty or the merge is stuck. The plain re-scan here is
// the textbook algorithm; `linearizeC3` must (and is tested to) reach the same answer.
import { c3ErrorMessage, firstDuplicate } from "./linearize_c3.ts";

const list = (items: readonly string[]) => `[${items.join(", ")}]`;

/** The left margin of a derivation: `L[C] = `, the `=` column under it, and the notes column. */
function margins(c: string) {
  const lhs = `L[${c}] = `;
  return { lhs, pad: " ".repeat(lhs.length - 2) + "= ", note: " ".repeat(lhs.length) };
}

/**
 * Explains `L[cls] = cls + merge(L[B1], ..., L[Bn], [B1, ..., Bn])` step by step. The last line
 * is the MRO, or on failure CPython's `TypeError` message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainC3 } from "./explain.ts";
 *
 * const mros = new Map([["C1", ["C1", "object"]], ["C2", ["C2", "object"]]]);
 * assert.deepEqual(explainC3("C4", ["C1", "C2"], (b) => mros.get(b)!, (c) => c), [
 *   "L[C4] = C4 + merge(L[C1], L[C2], [C1, C2])",
 *   "      = C4 + merge([C1, object], [C2, object], [C1, C2])",
 *   "        take C1: head of L[C1], in no tail",
 *   "      = C4, C1 + merge([object], [C2, object], [C2])",
 *   "        skip object: head of L[C1], in the tail of L[C2]",
 *   "        take C2: head of L[C2], in no tail",
 *   "      = C4, C1, C2 + merge([object], [object])",
 *   "        take object: head of L[C1], in no tail",
 *   "      = C4, C1, C2, object",
 * ]);
 * ```
 */
export function explainC3<T>(
  cls: T,
  bases: readonly T[],
  mroOf: (base: T) => readonly T[],
  nameOf: (cls: T) => string,
): string[] {
  const c = nameOf(cls);
  const { lhs, pad, note } = margins(c);
  const baseLabels = bases.map((b) => `L[${nameOf(b)}]`);
  const labels = [...baseLabels, "the bases list"];
  const lines = [`${lhs}${c} + merge(${[...baseLabels, list(bases.map(nameOf))].join(", ")})`];
  const duplicate = firstDuplicate(bases);
  if (bases.length > 1 && duplicate) {
    lines.push(`TypeError: ${c3ErrorMessage({ ok: false, duplicate: duplicate.value }, nameOf)}`);
    return lines;
  }
  const lists = [...bases.map((b) => [...mroOf(b)]), [...bases]];
  const acc = [cls];
  const show = () => {
    const rest = lists.filter((l) => l.length).map((l) => list(l.map(nameOf)));
    const done = acc.map(nameOf).join(", ");
    return rest.length ? `${pad}${done} + merge(${rest.join(", ")})` : `${pad}${done}`;
  };
  lines.push(show());
  for (;;) {
    if (lists.every((l) => l.length === 0)) return lines;
    const skipped = new Set<T>();
    let taken: T | undefined;
    for (let i = 0; i < lists.length && taken === undefined; i++) {
      if (!lists[i].length) continue;
      const head = lists[i][0];
      const holder = lists.findIndex((l) => l.indexOf(head) > 0);
      if (holder < 0) {
        taken = head;
        lines.push(`${note}take ${nameOf(head)}: head of ${labels[i]}, in no tail`);
      } else if (!skipped.has(head)) {
        skipped.add(head);
        lines.push(
          `${note}skip ${nameOf(head)}: head of ${labels[i]}, in the tail of ${labels[holder]}`,
        );
      }
    }
    if (taken === undefined) {
      lines.push(`${note}stuck: every head is in the tail of another list`);
      const stuck = [...new Set(lists.filter((l) => l.length).map((l) => l[0]))];
      lines.push(`TypeError: ${c3ErrorMessage({ ok: false, stuck }, nameOf)}`);
      return lines;
    }
    acc.push(taken);
    for (const l of lists) if (l[0] === taken) l.shift();
    lines.push(show());
  }
}

/**
 * Explains a classic (Python 2 old-style) order: the class, then each base's order depth-first,
 * dropping classes already listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainClassic } from "./explain.ts";
 *
 * const mros = new Map([["B", ["B", "A"]], ["C", ["C", "A"]]]);
 * assert.deepEqual(explainClassic("D", ["B", "C"], (b) => mros.get(b)!, (c) => c), [
 *   "L[D] = D + L[B] + L[C]  (depth-first, left to right, first occurrence kept)",
 *   "     = D + [B, A] + [C, A]",
 *   "       drop A from L[C]: already listed",
 *   "     = D, B, A, C",
 * ]);
 * ```
 */
export function explainClassic<T>(
  cls: T,
  bases: readonly T[],
  mroOf: (base: T) => readonly T[],
  nameOf: (cls: T) => string,
): string[] {
  const c = nameOf(cls);
  const { lhs, pad, note } = margins(c);
  const terms = bases.map((b) => `L[${nameOf(b)}]`);
  const lines = [
    `${lhs}${[c, ...terms].join(" + ")}  (depth-first, left to right, first occurrence kept)`,
  ];
  if (bases.length) {
    lines.push(`${pad}${[c, ...bases.map((b) => list(mroOf(b).map(nameOf)))].join(" + ")}`);
  }
  const seen = new Set<T>([cls]);
  const out = [cls];
  bases.forEach((b, i) => {
    for (const x of mroOf(b)) {
      if (!seen.has(x)) {
        seen.add(x);
        out.push(x);
      } else lines.push(`${note}drop ${nameOf(x)} from ${terms[i]}: already listed`);
    }
  });
  lines.push(`${pad}${out.map(nameOf).join(", ")}`);
  return lines;
}
