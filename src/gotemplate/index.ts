// A Go text/template engine: parse once, execute many, over JSON-ish JS data. Pure package: imports nothing from
// the rest of src. Checked against real Go 1.26 text/template + Masterminds/sprig v3.3.0 (test/gotemplate).
//
// Value model (value.ts): null/undefined = nil; plain objects = map[string]interface{} (a missing key is "no value",
// ranged in sorted key order); goStruct(o) = a struct (a missing field reads nil; function fields are methods,
// called with `this` = the struct, and may take arguments); goMap(o, zero) = a typed map whose missing keys `index`
// reads as `zero` (map[string]string -> ""); numbers are ints when whole, else float64 (a whole float prints as an int,
// and numbers compare by value); a struct with a String method prints through it.
//
// Functions: plain JS functions get their arguments as they are (missing values as null); wrap them with typedFunc /
// withParams to have Go's argument count and type checks, with Go's messages and positions. A function throws to fail:
// the error reads "error calling NAME: <message>"; throw ArgError for a message without that prefix.

import { builtinFuncs } from "./builtins.js";
import { runTree, TemplateError, type ExecOptions, type FuncMap } from "./exec.js";
import { ParseFailure, parseInto, type Tree } from "./parse.js";

export { builtinFuncs } from "./builtins.js";
export { sprigFuncs, typedFunc, type Param } from "./sprig.js";
export { goPrintf, goSprint, goSprintln, formatValue } from "./fmt.js";
export { goStruct, goMap, goJsonData, GoFloat, isTrue, NO_VALUE } from "./value.js";
export { TemplateError, ArgError, withParams, withArity } from "./exec.js";
export type { GoFunc, FuncMap } from "./exec.js";

export interface Template {
  readonly name: string;
  /** Runs this template over data and returns the output; throws TemplateError. */
  execute(data: unknown): string;
  /** A template of the same set ({{define}}d or {{block}}), or undefined. */
  lookup(name: string): Template | undefined;
  /** Names of all templates in the set. */
  templateNames(): string[];
}

export interface ParseOptions {
  /** Go's Option("missingkey=..."). */
  missingKey?: "default" | "zero" | "error";
  /** Output limit in characters; execution fails past it. Default 64 MiB. */
  maxOutput?: number;
  /** Limit on range iterations in one execution (Go has none); execution fails past it. Default 10,000,000. */
  maxRangeIterations?: number;
}

class TemplateImpl implements Template {
  constructor(
    readonly name: string,
    private readonly set: Map<string, Tree>,
    private readonly funcs: FuncMap,
    private readonly opts: ExecOptions,
  ) {}

  execute(data: unknown): string {
    const tree = this.set.get(this.name);
    if (tree === undefined) {
      throw new TemplateError(`template: ${this.name}: ${JSON.stringify(this.name)} is an incomplete or empty template`, this.name, 0);
    }
    return runTree(tree, data, this.set, this.funcs, builtinFuncs, this.opts);
  }

  lookup(name: string): Template | undefined {
    if (!this.set.has(name)) return undefined;
    return new TemplateImpl(name, this.set, this.funcs, this.opts);
  }

  templateNames(): string[] {
    return [...this.set.keys()];
  }
}

/** Parses text as the template `name` (plus any {{define}}d ones). Throws TemplateError on a parse error. */
export function parseTemplate(name: string, text: string, funcs?: FuncMap, options?: ParseOptions): Template {
  const fm: FuncMap = funcs ?? {};
  for (const [k, v] of Object.entries(fm)) {
    if (typeof v !== "function") throw new TypeError(`value for ${k} not a function`);
    if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(k)) throw new TypeError(`function name ${JSON.stringify(k)} is not a valid identifier`);
  }
  const set = new Map<string, Tree>();
  const hasFunc = (n: string): boolean => Object.prototype.hasOwnProperty.call(fm, n) || Object.prototype.hasOwnProperty.call(builtinFuncs, n);
  try {
    parseInto(name, text, hasFunc, set);
  } catch (e) {
    if (e instanceof ParseFailure) throw new TemplateError(e.message, name, e.line);
    if (e instanceof RangeError) throw new TemplateError(`template: ${name}: max expression depth exceeded`, name, 0);
    throw e;
  }
  const opts: ExecOptions = {
    missingKey: options?.missingKey ?? "default",
    maxOutput: options?.maxOutput ?? 64 * 1024 * 1024,
    maxRangeIterations: options?.maxRangeIterations ?? 10_000_000,
  };
  return new TemplateImpl(name, set, { ...fm }, opts);
}
