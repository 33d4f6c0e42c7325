// The executor: walks parse trees over JS data with Go text/template semantics.

import { formatValue } from "./fmt.js";
import type { ActionNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, PipeNode, RangeNode, TemplateNode, Tree, VariableNode } from "./parse.js";
import { nodeString } from "./parse.js";
import { floatIn, GoFloat, isInt, isMap, isNil, isStruct, isTrue, NO_VALUE, sortedKeys, typeName, unFloat } from "./value.js";

/** Builtins that take a GoFloat as Go's float64 (printing it, or naming its type); others get a plain number. */
const FLOAT_AWARE = new Set(["print", "printf", "println", "index", "len", "not", "html", "js", "urlquery", "slice"]);

export type GoFunc = (...args: any[]) => unknown;
export type FuncMap = Record<string, GoFunc>;

/** A template parse or execution error, with Go's message text. */
export class TemplateError extends Error {
  readonly template: string;
  readonly line: number;
  constructor(message: string, template: string, line: number) {
    super(message);
    this.name = "TemplateError";
    this.template = template;
    this.line = line;
  }
}

/**
 * Thrown by a function to report a call error the way Go's executor does, without the "error calling NAME: " prefix:
 * a wrong argument count (reported at the function), or a wrong argument type (reported at that argument; `index`
 * counts the arguments as the function receives them, `expected` is the Go type name).
 */
export class ArgError extends Error {
  constructor(
    message: string,
    readonly index: number = -1,
    readonly expected: string = "",
  ) {
    super(message);
  }
}

const LITERAL_EXPECT: Record<string, string> = { string: "string", int: "integer", float64: "float", bool: "bool" };

const ARITY = Symbol.for("gotemplate.arity");

/**
 * Declares a function's Go parameter count, so the executor checks it before evaluating the arguments (as Go checks
 * the signature first): `fixed` parameters, plus any number more when `variadic`. Returns the function.
 */
export function withArity<F extends GoFunc>(f: F, fixed: number, variadic: boolean): F {
  Object.defineProperty(f, ARITY, { value: [fixed, variadic], enumerable: false, configurable: true });
  return f;
}

const PARAMS = Symbol.for("gotemplate.params");

/**
 * Declares a function's Go parameter types ("string", "int", "float", "bool", "map", "any"; a last "...T" for a
 * variadic one), so the executor checks each argument as Go's validateType does, in order, right after evaluating it
 * (same messages, same positions). Implies the arity. Returns the function.
 */
export function withParams<F extends GoFunc>(f: F, params: string[]): F {
  const variadic = params.length > 0 && params[params.length - 1]!.startsWith("...");
  withArity(f, variadic ? params.length - 1 : params.length, variadic);
  Object.defineProperty(f, PARAMS, { value: params, enumerable: false, configurable: true });
  return f;
}

const FLOATS = Symbol.for("gotemplate.floatAware");

/** Marks a function that takes a GoFloat as it is (it prints it or tests it as Go's float64). Returns the function. */
export function floatAware<F extends GoFunc>(f: F): F {
  Object.defineProperty(f, FLOATS, { value: true, enumerable: false, configurable: true });
  return f;
}

const GO_PARAM_TYPE: Record<string, string> = { string: "string", int: "int", float: "float64", bool: "bool", map: "map[string]interface {}" };

const MISSING: unique symbol = Symbol("gotemplate.missing");
type Final = unknown;

const BREAK = { brk: true };
const CONTINUE = { cont: true };

/** Go allows 100000 nested template calls; a JS stack holds far fewer, so the limit is lower (and a stack overflow
 * anywhere in execution is reported the same way). */
export const MAX_EXEC_DEPTH = 1000;

export interface ExecOptions {
  missingKey: "default" | "zero" | "error";
  maxOutput: number;
  maxRangeIterations: number;
}

interface Var {
  name: string;
  value: unknown;
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Reads a property the way the template sees it: own properties of maps; own or class-prototype members of structs. */
function readField(r: Record<string, unknown>, name: string, struct: boolean): unknown {
  if (hasOwn(r, name)) return r[name];
  if (struct && name in r && !(name in Object.prototype)) return r[name];
  return undefined;
}

export class ExecState {
  out = "";
  vars: Var[];
  depth = 0;
  node: Node | null = null;
  tree: Tree;

  constructor(
    tree: Tree,
    dot: unknown,
    private readonly set: Map<string, Tree>,
    private readonly funcs: FuncMap,
    private readonly builtins: FuncMap,
    private readonly opts: ExecOptions,
  ) {
    this.tree = tree;
    this.vars = [{ name: "$", value: dot }];
  }

  // ---------- errors ----------

  errorf(msg: string): never {
    const name = this.tree.name;
    const n = this.node;
    if (n === null) throw new TemplateError(`template: ${name}: ${msg}`, name, 0);
    const text = this.tree.text;
    const pos = Math.min(n.pos, text.length);
    const nl = text.lastIndexOf("\n", pos - 1);
    let line = 1;
    for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) line++;
    // Go counts the column in bytes
    const col = Buffer.byteLength(text.slice(nl + 1, pos), "utf8");
    throw new TemplateError(`template: ${this.tree.parseName}:${line}:${col}: executing ${JSON.stringify(name)} at <${nodeString(n)}>: ${msg}`, name, line);
  }

  // ---------- variables ----------

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // ---------- walking ----------

  private write(s: string): void {
    this.out += s;
    if (this.out.length > this.opts.maxOutput) {
      this.node = null;
      this.errorf(`output exceeds the limit of ${this.opts.maxOutput} characters`);
    }
  }

  private iterations = 0;

  private countIteration(): void {
    if (++this.iterations > this.opts.maxRangeIterations) {
      this.errorf(`range: more than ${this.opts.maxRangeIterations} iterations in one execution`);
    }
  }

  walk(dot: unknown, node: Node): void {
    switch (node.k) {
      case "text":
        this.write(node.text);
        return;
      case "list": {
        const ns = node.nodes;
        for (let i = 0; i < ns.length; i++) this.walk(dot, ns[i]!);
        return;
      }
      case "action":
        this.walkAction(dot, node);
        return;
      case "if":
      case "with": {
        const mark = this.vars.length;
        const val = this.evalPipeline(dot, node.pipe);
        if (isTrue(val)) this.walk(node.k === "with" ? val : dot, node.list);
        else if (node.elseList) this.walk(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case "range":
        this.walkRange(dot, node);
        return;
      case "template":
        this.walkTemplate(dot, node);
        return;
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      default:
        this.node = node;
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkAction(dot: unknown, node: ActionNode): void {
    const val = this.evalPipeline(dot, node.pipe);
    if (node.pipe.decl.length !== 0) return;
    if (typeof val === "string") {
      this.write(val);
      return;
    }
    if (isNil(val)) {
      this.write("<no value>");
      return;
    }
    if (typeof val === "function") {
      this.node = node;
      this.errorf(`can't print ${nodeString(node)} of type ${typeName(val)}`);
    }
    this.write(formatValue(val));
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    this.node = r;
    const mark0 = this.vars.length;
    const val = this.evalPipeline(dot, r.pipe);
    const mark = this.vars.length;
    const decl = r.pipe.decl;
    const oneIteration = (index: unknown, elem: unknown): void => {
      if (decl.length > 0) {
        if (r.pipe.isAssign) {
          if (decl.length > 1) this.setVar(decl[0]!.ident[0]!, index);
          else this.setVar(decl[0]!.ident[0]!, elem);
        } else this.vars[this.vars.length - 1]!.value = elem;
      }
      if (decl.length > 1) {
        if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
        else this.vars[this.vars.length - 2]!.value = index;
      }
      try {
        this.walk(elem, r.list);
      } catch (e) {
        if (e !== CONTINUE) throw e;
      } finally {
        this.vars.length = mark;
      }
    };
    let ran = false;
    try {
      if (isNil(val)) {
        // nil acts like an empty map
      } else if (Array.isArray(val)) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          this.countIteration();
          oneIteration(i, floatIn(val, val[i]));
        }
      } else if (typeof val === "number" && isInt(val)) {
        if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        for (let i = 0; i < val; i++) {
          ran = true;
          this.countIteration();
          oneIteration(NO_VALUE, i);
        }
      } else if (isMap(val)) {
        const ks = sortedKeys(val);
        for (const k of ks) {
          ran = true;
          this.countIteration();
          oneIteration(k, floatIn(val, val[k]));
        }
      } else {
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
    } catch (e) {
      if (e !== BREAK) throw e;
    }
    if (!ran && r.elseList) this.walk(dot, r.elseList);
    this.vars.length = mark0;
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.node = t;
    const tmpl = this.set.get(t.name);
    if (tmpl === undefined) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = t.pipe === null ? NO_VALUE : this.evalPipeline(dot, t.pipe);
    const savedVars = this.vars;
    const savedTree = this.tree;
    this.vars = [{ name: "$", value: newDot }];
    this.tree = tmpl;
    this.depth++;
    try {
      this.walk(newDot, tmpl.root);
    } catch (e) {
      if (e instanceof RangeError) {
        // the JS stack ran out before MAX_EXEC_DEPTH: report it as Go does its depth limit
        this.node = t;
        this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
      }
      throw e;
    } finally {
      this.depth--;
      this.vars = savedVars;
      this.tree = savedTree;
    }
  }

  // ---------- evaluation ----------

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.node = pipe;
    let value: unknown = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i]!, value);
      // Go unwraps interface{} results: a nil one becomes the invalid value ("no value")
      if (value === null || value === undefined) value = NO_VALUE;
    }
    const decl = pipe.decl;
    for (let i = 0; i < decl.length; i++) {
      const name = decl[i]!.ident[0]!;
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.k) {
      case "field":
        this.node = first;
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.k) {
      case "bool":
        return first.val;
      case "dot":
        return dot;
      case "nil":
        return this.errorf("nil is not a command");
      case "number":
        return first.value;
      case "string":
        return first.text;
    }
    return this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[], final: Final): unknown {
    this.node = chain;
    if (chain.node.k === "nil") this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Node[], final: Final): unknown {
    this.node = v;
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Node[] | null, final: Final): unknown {
    const n = ident.length;
    let iface = false;
    for (let i = 0; i < n - 1; i++) {
      const fromMap = isMap(receiver);
      receiver = this.evalField(dot, ident[i]!, node, null, MISSING, receiver, iface);
      iface = fromMap;
    }
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver, iface);
  }

  /** Go reports errors here at the node last visited (no s.at in evalField); `iface`: the receiver came out of a map. */
  private evalField(dot: unknown, name: string, node: Node, args: Node[] | null, final: Final, receiver: unknown, iface: boolean): unknown {
    if (receiver === NO_VALUE) {
      if (this.opts.missingKey === "error") this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`);
      return NO_VALUE;
    }
    if (receiver === null || receiver === undefined) this.errorf(`nil pointer evaluating interface {}.${name}`);
    if (typeof receiver === "object" && !Array.isArray(receiver)) {
      const r = receiver as Record<string, unknown>;
      const struct = isStruct(r);
      const v = readField(r, name, struct);
      if (typeof v === "function") return this.evalCall(dot, v as GoFunc, false, node, name, args, final, r);
      const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
      if (struct) {
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return v === undefined ? null : v;
      }
      if (isMap(r)) {
        if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
        if (v === undefined) {
          switch (this.opts.missingKey) {
            case "default":
              return NO_VALUE;
            case "zero":
              return null;
            case "error":
              this.errorf(`map has no entry for key ${JSON.stringify(name)}`);
          }
        }
        return floatIn(r, v);
      }
    }
    return this.errorf(`can't evaluate field ${name} in type ${iface ? "interface {}" : typeName(receiver)}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[] | null, final: Final): unknown {
    this.node = node;
    const name = node.ident;
    let fn: GoFunc | undefined = this.funcs[name];
    let isBuiltin = false;
    if (fn === undefined || !hasOwn(this.funcs, name)) {
      fn = hasOwn(this.builtins, name) ? this.builtins[name] : undefined;
      isBuiltin = true;
    }
    if (typeof fn !== "function") this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, fn, isBuiltin, cmd, name, args, final, undefined);
  }

  private evalCall(dot: unknown, fn: GoFunc, isBuiltin: boolean, node: Node, name: string, args: Node[] | null, final: Final, self: unknown): unknown {
    const nargs = args === null ? 0 : args.length - 1;
    const arity = (fn as unknown as Record<symbol, [number, boolean] | undefined>)[ARITY];
    if (arity !== undefined) {
      const numIn = nargs + (final !== MISSING ? 1 : 0);
      const [fixed, variadic] = arity;
      if (variadic ? numIn < fixed : numIn !== fixed) {
        this.node = args !== null ? args[0]! : node;
        this.errorf(`wrong number of args for ${name}: want ${variadic ? "at least " : ""}${fixed} got ${variadic ? nargs : numIn}`);
      }
    }
    if (isBuiltin && (name === "and" || name === "or")) {
      const total = nargs + (final !== MISSING ? 1 : 0);
      if (total < 1) {
        this.node = node;
        this.errorf(`wrong number of args for ${name}: want at least 1 got 0`);
      }
      let v: unknown = NO_VALUE;
      for (let i = 1; i <= nargs; i++) {
        v = this.evalArg(dot, args![i]!);
        if (isTrue(v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: unknown[] = new Array(nargs + (final !== MISSING ? 1 : 0));
    // Go's own functions see missing values as such; other functions get nil.
    const raw = isBuiltin;
    // A GoFloat reaches Go's printing builtins (and those that report its type) as it is, other functions as a number.
    const keepFloat = isBuiltin ? FLOAT_AWARE.has(name) : (fn as unknown as Record<symbol, unknown>)[FLOATS] === true;
    const rawv: unknown[] = new Array(nargs);
    const params = (fn as unknown as Record<symbol, string[] | undefined>)[PARAMS];
    for (let i = 0; i < nargs; i++) {
      const an = args![i + 1]!;
      const a = this.evalArg(dot, an);
      if (params !== undefined) this.checkParam(paramAt(params, i), a, an);
      rawv[i] = a;
      // Go's builtins take reflect.Values: a nil constant reaches them as the invalid value
      argv[i] = raw ? (an.k === "nil" ? NO_VALUE : a === undefined ? null : keepFloat ? a : unFloat(a)) : a === NO_VALUE || a === undefined ? null : keepFloat ? a : unFloat(a);
    }
    if (final !== MISSING) {
      if (params !== undefined) this.checkParam(paramAt(params, nargs), final, null);
      argv[nargs] = raw ? (final === undefined ? null : keepFloat ? final : unFloat(final)) : final === NO_VALUE || final === undefined ? null : keepFloat ? final : unFloat(final);
    }
    if (isBuiltin && name === "call") {
      // Go names the callee by its node text
      argv.unshift(nargs > 0 ? nodeString(args![1]!) : formatValue(argv[0]));
    }
    let result: unknown;
    try {
      result = fn.apply(self, argv);
    } catch (e) {
      if (e instanceof ArgError) this.argError(e, node, args, nargs, rawv, isBuiltin && name === "call" ? 1 : 0);
      if (e === BREAK || e === CONTINUE) throw e;
      this.node = node;
      const msg = e instanceof Error ? e.message : String(e);
      this.errorf(`error calling ${name}: ${msg}`);
    }
    return result === undefined ? null : result;
  }

  /** Go's validateType / evalArg checks of one argument against a declared parameter type. */
  private checkParam(p: string, v: unknown, n: Node | null): void {
    if (p === "any") return;
    const T = GO_PARAM_TYPE[p] ?? p;
    if (n !== null && (n.k === "number" || n.k === "string" || n.k === "bool" || n.k === "nil")) {
      this.node = n;
      if (n.k === "nil") {
        if (p !== "map") this.errorf(`cannot assign nil to ${T}`);
        return;
      }
      const text = nodeString(n);
      switch (p) {
        case "string":
          if (n.k !== "string") this.errorf(`expected string; found ${text}`);
          return;
        case "int":
          if (n.k !== "number" || !Number.isInteger(n.value)) this.errorf(`expected integer; found ${text}`);
          return;
        case "float":
          if (n.k !== "number") this.errorf(`expected float; found ${text}`);
          return;
        case "bool":
          if (n.k !== "bool") this.errorf(`expected bool; found ${text}`);
          return;
        default:
          this.errorf(`can't handle ${text} for arg of type ${T}`);
      }
    }
    if (v === NO_VALUE || v === undefined) {
      if (p !== "map") this.errorf(`invalid value; expected ${T}`);
      return;
    }
    if (v === null) this.errorf(`wrong type for value; expected ${T}; got interface {}`);
    let ok: boolean;
    switch (p) {
      case "string":
        ok = typeof v === "string";
        break;
      case "int":
        ok = typeof v === "number" && isInt(v);
        break;
      case "float":
        ok = typeof v === "number" || v instanceof GoFloat;
        break;
      case "bool":
        ok = typeof v === "boolean";
        break;
      case "map":
        ok = isMap(v);
        break;
      default:
        ok = true;
    }
    if (!ok) this.errorf(`wrong type for value; expected ${T}; got ${typeName(v)}`);
  }

  private argError(e: ArgError, node: Node, args: Node[] | null, nargs: number, rawv: unknown[], shift: number): never {
    const idx = e.index - shift;
    if (idx < 0) {
      // argument count: Go reports it at the function's name
      this.node = args !== null ? args[0]! : node;
      this.errorf(e.message);
    }
    if (idx < nargs) {
      const an = args![idx + 1]!;
      this.node = an;
      const exp = e.expected;
      switch (an.k) {
        case "number":
        case "string":
        case "bool":
          if (LITERAL_EXPECT[exp]) this.errorf(`expected ${LITERAL_EXPECT[exp]}; found ${nodeString(an)}`);
          if (exp) this.errorf(`can't handle ${nodeString(an)} for arg of type ${exp}`);
          break;
        case "nil":
          if (exp) this.errorf(`cannot assign nil to ${exp}`);
          break;
        case "field":
        case "chain":
          // a nil held in a map is an interface {} value, not a missing one
          if (rawv[idx] === null && exp && /^invalid value/.test(e.message)) {
            this.errorf(`wrong type for value; expected ${exp}; got interface {}`);
          }
          break;
      }
    }
    this.errorf(e.message);
  }

  private evalArg(dot: unknown, n: Node): unknown {
    this.node = n;
    switch (n.k) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "field":
        return this.evalFieldChain(dot, dot, n, (n as FieldNode).ident, [n], MISSING);
      case "variable":
        return this.evalVariableNode(dot, n, [n], MISSING);
      case "pipe":
        return this.evalPipeline(dot, n);
      case "identifier":
        return this.evalFunction(dot, n, n, null, MISSING);
      case "chain":
        return this.evalChainNode(dot, n, [n], MISSING);
      case "bool":
        return n.val;
      case "number":
        return n.value;
      case "string":
        return n.text;
    }
    return this.errorf(`can't handle ${nodeString(n)} for arg of type interface {}`);
  }
}

function paramAt(params: string[], i: number): string {
  const last = params[params.length - 1];
  if (last !== undefined && last.startsWith("...") && i >= params.length - 1) return last.slice(3);
  return params[i] ?? "any";
}

export function runTree(tree: Tree, data: unknown, set: Map<string, Tree>, funcs: FuncMap, builtins: FuncMap, opts: ExecOptions): string {
  const dot = data === undefined || data === null ? NO_VALUE : data;
  const st = new ExecState(tree, dot, set, funcs, builtins, opts);
  try {
    st.walk(dot, tree.root as ListNode);
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    if (e instanceof RangeError) st.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    if (e === BREAK || e === CONTINUE) st.errorf("break or continue outside range");
    const msg = e instanceof Error ? e.message : String(e);
    st.errorf(`internal error: ${msg}`);
  }
  return st.out;
}
