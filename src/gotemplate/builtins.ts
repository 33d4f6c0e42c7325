// Go text/template's predefined functions.

import { ArgError, withArity, withParams, type FuncMap, type GoFunc } from "./exec.js";
import { goPrintf, goSprint, goSprintln } from "./fmt.js";
import { byteLen, floatIn, goDecode, isAscii, isInt, isMap, isNil, isTrue as truthOf, kindName, mapZero, NO_VALUE, typeName } from "./value.js";

function want(name: string, args: unknown[], n: number): void {
  if (args.length !== n) throw new ArgError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}
function wantAtLeast(name: string, args: unknown[], n: number): void {
  if (args.length < n) throw new ArgError(`wrong number of args for ${name}: want at least ${n} got ${args.length}`);
}

// ---------- comparison ----------

type BasicKind = "bool" | "int" | "float" | "string" | "complex" | "invalid";

function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return isInt(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "string";
  }
  return "invalid";
}

function numOf(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : (v as number);
}

function eq(...args: unknown[]): boolean {
  if (args.length === 0) throw new ArgError("wrong number of args for eq: want at least 1 got 0");
  const a1 = args[0];
  if (args.length === 1) throw new Error("missing argument for comparison");
  const k1 = basicKind(a1);
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    const k2 = basicKind(a);
    let truth = false;
    const numeric1 = k1 === "int" || k1 === "float";
    const numeric2 = k2 === "int" || k2 === "float";
    if (numeric1 && numeric2) {
      // A JS number does not keep Go's int/float64 type (1.0 and sprig's float results read as int): numbers compare
      // by value where Go would refuse int against float64.
      truth = numOf(a1) === numOf(a);
    } else if (k1 !== k2) {
      if (!isNil(a1) && !isNil(a)) throw new Error(`incompatible types for comparison: ${typeName(a1)} and ${typeName(a)}`);
    } else if (k1 === "invalid") {
      if (isNil(a1) || isNil(a)) truth = isNil(a1) === isNil(a);
      else if (kindName(a1) !== kindName(a)) {
        throw new Error(`non-comparable types ${goPrintf("%s", a1)}: ${typeName(a1)}, ${typeName(a)}: ${goPrintf("%s", a)}`);
      } else if (typeof a === "function" || Array.isArray(a) || isMap(a)) {
        throw new Error(`non-comparable type ${goPrintf("%s", a)}: ${typeName(a)}`);
      } else truth = a1 === a;
    } else truth = numeric1 ? numOf(a1) === numOf(a) : a1 === a;
    if (truth) return true;
  }
  return false;
}

function lt(...args: unknown[]): boolean {
  want("lt", args, 2);
  const [a, b] = args;
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid") throw new Error("invalid type for comparison");
  const n1 = k1 === "int" || k1 === "float";
  const n2 = k2 === "int" || k2 === "float";
  if (n1 && n2) return numOf(a) < numOf(b); // by value, see eq
  if (k1 !== k2) throw new Error(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (k1 === "bool") throw new Error("invalid type for comparison");
  if (k1 === "int" || k1 === "float") return numOf(a) < numOf(b);
  return compareBytes(a as string, b as string) < 0;
}

function compareBytes(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

// ---------- indexing ----------

function indexArg(idx: unknown, cap: number): number {
  if (isNil(idx)) throw new Error("cannot index slice/array with nil");
  if (typeof idx !== "number" || !isInt(idx)) throw new Error(`cannot index slice/array with type ${typeName(idx)}`);
  if (idx < 0 || idx >= cap) throw new Error(`index out of range: ${idx}`);
  return idx;
}

function index(...args: unknown[]): unknown {
  wantAtLeast("index", args, 1);
  let item = args[0];
  if (isNil(item)) throw new Error("index of untyped nil");
  for (let i = 1; i < args.length; i++) {
    const idx = args[i];
    if (isNil(item)) throw new Error("index of nil pointer");
    if (Array.isArray(item)) {
      const list = item;
      item = floatIn(list, list[indexArg(idx, list.length)]);
      if (item === undefined) item = null;
    } else if (typeof item === "string") {
      const bytes = isAscii(item) ? null : Buffer.from(item);
      const n = bytes ? bytes.length : item.length;
      const x = indexArg(idx, n);
      item = bytes ? bytes[x]! : item.charCodeAt(x);
    } else if (isMap(item)) {
      if (isNil(idx)) throw new Error("value is nil; should be of type string");
      if (typeof idx !== "string") throw new Error(`value has type ${typeName(idx)}; should be string`);
      const v = Object.prototype.hasOwnProperty.call(item, idx) ? (item as Record<string, unknown>)[idx] : undefined;
      item = v === undefined ? mapZero(item) : floatIn(item, v);
    } else {
      throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(...args: unknown[]): unknown {
  wantAtLeast("slice", args, 1);
  const item = args[0];
  const idx = args.slice(1);
  if (isNil(item)) throw new Error("slice of untyped nil");
  if (idx.length > 3) throw new Error(`too many slice indexes: ${idx.length}`);
  let len: number;
  if (typeof item === "string") {
    if (idx.length === 3) throw new Error("cannot 3-index slice a string");
    len = isAscii(item) ? item.length : Buffer.byteLength(item);
  } else if (Array.isArray(item)) len = item.length;
  else throw new Error(`can't slice item of type ${typeName(item)}`);
  const cap = len;
  const bounds = [0, len];
  for (let i = 0; i < idx.length; i++) {
    const x = idx[i];
    if (isNil(x)) throw new Error("cannot index slice/array with nil");
    if (typeof x !== "number" || !isInt(x)) throw new Error(`cannot index slice/array with type ${typeName(x)}`);
    if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
    bounds[i] = x;
  }
  if (bounds[0]! > bounds[1]!) throw new Error(`invalid slice index: ${bounds[0]} > ${bounds[1]}`);
  if (idx.length === 3 && bounds[1]! > (idx[2] as number)) throw new Error(`invalid slice index: ${bounds[1]} > ${idx[2]}`);
  if (typeof item === "string") {
    if (isAscii(item)) return item.slice(bounds[0], bounds[1]);
    return goDecode(Buffer.from(item).subarray(bounds[0], bounds[1]));
  }
  return (item as unknown[]).slice(bounds[0], bounds[1]);
}

function len(...args: unknown[]): number {
  want("len", args, 1);
  const item = args[0];
  if (item === NO_VALUE) throw new Error("reflect: call of reflect.Value.Type on zero Value");
  if (isNil(item)) throw new Error("len of nil pointer");
  if (typeof item === "string") return byteLen(item);
  if (Array.isArray(item)) return item.length;
  if (item instanceof Uint8Array) return item.length;
  if (isMap(item)) {
    let n = 0;
    for (const k in item) if (Object.prototype.hasOwnProperty.call(item, k) && item[k] !== undefined) n++;
    return n;
  }
  throw new Error(`len of type ${typeName(item)}`);
}

/** call: the executor passes the callee's node text first, as Go does for its messages. */
function call(calleeName: unknown, ...args: unknown[]): unknown {
  if (args.length < 1) throw new ArgError(`wrong number of args for call: want at least 1 got 0`);
  const fn = args[0];
  if (isNil(fn)) throw new Error("call of nil");
  if (typeof fn !== "function") throw new Error(`non-function ${String(calleeName)} of type ${typeName(fn)}`);
  return (fn as GoFunc)(...args.slice(1).map((a) => (a === NO_VALUE ? null : a)));
}

// ---------- escaping ----------

function evalArgsString(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  // Go's evalArgs prints nil as "<no value>" (printableValue), then fmt.Sprint
  let out = "";
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isString = typeof a === "string" || isNil(a);
    if (i > 0 && !isString && !prevString) out += " ";
    out += isNil(a) ? "<no value>" : goSprint([a]);
    prevString = isString;
  }
  return out;
}

export function htmlEscapeString(s: string): string {
  let out = "";
  for (const c of s) {
    switch (c) {
      case "\0": out += "\uFFFD"; break;
      case '"': out += "&#34;"; break;
      case "'": out += "&#39;"; break;
      case "&": out += "&amp;"; break;
      case "<": out += "&lt;"; break;
      case ">": out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

export function jsEscapeString(s: string): string {
  let out = "";
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    switch (c) {
      case "\\": out += "\\\\"; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case "<": out += "\\u003C"; continue;
      case ">": out += "\\u003E"; continue;
      case "&": out += "\\u0026"; continue;
      case "=": out += "\\u003D"; continue;
    }
    if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || cp === 0x2028 || cp === 0x2029) {
      out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
    } else out += c;
  }
  return out;
}

export function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

const noNil = (a: unknown): unknown => (a === NO_VALUE ? null : a);

const notFn: GoFunc = (...args: unknown[]) => {
  want("not", args, 1);
  return !truthOf(args[0]);
};


const builtins: FuncMap = {
  and: (...args: unknown[]) => {
    wantAtLeast("and", args, 1);
    for (const a of args) if (!truthOf(a)) return a;
    return args[args.length - 1];
  },
  or: (...args: unknown[]) => {
    wantAtLeast("or", args, 1);
    for (const a of args) if (truthOf(a)) return a;
    return args[args.length - 1];
  },
  not: notFn,
  len,
  index,
  slice,
  call,
  print: (...args: unknown[]) => goSprint(args.map(noNil)),
  printf: (...args: unknown[]) => {
    wantAtLeast("printf", args, 1);
    if (typeof args[0] !== "string") {
      if (isNil(args[0])) throw new ArgError("invalid value; expected string", 0, "string");
      throw new ArgError(`wrong type for value; expected string; got ${typeName(args[0])}`, 0, "string");
    }
    return goPrintf(args[0], ...args.slice(1).map(noNil));
  },
  println: (...args: unknown[]) => goSprintln(args.map(noNil)),
  html: (...args: unknown[]) => htmlEscapeString(evalArgsString(args)),
  js: (...args: unknown[]) => jsEscapeString(evalArgsString(args)),
  urlquery: (...args: unknown[]) => queryEscape(evalArgsString(args)),
  eq,
  ne: (...args: unknown[]) => {
    want("ne", args, 2);
    return !eq(args[0], args[1]);
  },
  lt,
  le: (...args: unknown[]) => {
    want("le", args, 2);
    return lt(args[0], args[1]) || eq(args[0], args[1]);
  },
  gt: (...args: unknown[]) => {
    want("gt", args, 2);
    return !lt(args[0], args[1]) && !eq(args[0], args[1]);
  },
  ge: (...args: unknown[]) => {
    want("ge", args, 2);
    return !lt(args[0], args[1]);
  },
};

// Go's signatures: [fixed parameters, variadic]
const ARITIES: Record<string, [number, boolean]> = {
  and: [1, true], or: [1, true], not: [1, false], len: [1, false], index: [1, true], slice: [1, true], call: [1, true],
  print: [0, true], printf: [1, true], println: [0, true], html: [0, true], js: [0, true], urlquery: [0, true],
  eq: [1, true], ne: [2, false], lt: [2, false], le: [2, false], gt: [2, false], ge: [2, false],
};
for (const [k, [n, v]] of Object.entries(ARITIES)) withArity(builtins[k]!, n, v);
withParams(builtins.printf!, ["string", "...any"]);

/** Go's predefined template functions. `and`/`or` short-circuit in the executor; these bodies serve direct calls. */
export const builtinFuncs: FuncMap = builtins;
