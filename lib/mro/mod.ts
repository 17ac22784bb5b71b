// Python method resolution order as a library: read class statements, run them with Python's
// rules, linearize (C3 as CPython 3.13, classic as Python 2), explain, render.
export {
  c3ErrorMessage,
  type C3Result,
  firstDuplicate,
  linearizeC3,
  type LinearizeOptions,
} from "./linearize_c3.ts";
export { linearizeClassic } from "./linearize_classic.ts";
export { explainC3, explainClassic } from "./explain.ts";
export {
  type BaseExpr,
  type BoundValue,
  type ClassStatement,
  type KeywordArg,
  readClassStatements,
  type ReadOptions,
  type Statement,
  type ValueExpr,
} from "./read_classes.ts";
export {
  type ClassError,
  type ClassOutcome,
  type MroAlgorithm,
  type PyClass,
  resolveClasses,
  type ResolveOptions,
  type Value,
} from "./resolve.ts";
export {
  type ClassEntry,
  errorLine,
  type ModuleResult,
  renderDot,
  renderMermaid,
  renderText,
  toEntries,
} from "./render.ts";
export { type LogicalLine, type Token, tokenizePython } from "./tokenize.ts";
