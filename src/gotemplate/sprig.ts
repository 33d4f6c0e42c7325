// Sprig v3 (TxtFuncMap) functions with the semantics of Masterminds/sprig v3.3 as Helm and Istio use them,
// written anew over the value model of value.ts. Functions that need the environment, the network or secrets
// material are present (templates naming them still parse) but fail when called, or return "" (env).

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { RE2JS } from "re2js";
import { ArgError, floatAware, withParams, type FuncMap, type GoFunc } from "./exec.js";
import { formatValue, goPrintf } from "./fmt.js";
import { parseGoNumber } from "./parse.js";
import { compareSemver, parseSemver, semverCompare, semverString } from "./semver.js";
import { camelCaseToLowerCase, swapCase, toCamelCase } from "./xstrings.js";
import { compareStrings, goDecode, GoFloat, goJsonData, goStruct, isInt, isMap, isNil, isStruct, kindName, sortedKeys, typeName } from "./value.js";

// ---------- argument checking (Go's reflect-based call checks) ----------

export type Param = "string" | "int" | "float" | "any" | "map" | "bool" | "...any" | "...string" | "...int" | "...map" | "...float";

const GO_TYPE: Record<string, string> = {
  string: "string",
  int: "int",
  float: "float64",
  bool: "bool",
  map: "map[string]interface {}",
};

function checkArg(p: string, v: unknown, index = -1): unknown {
  switch (p) {
    case "any":
      return v;
    case "string":
      if (typeof v === "string") return v;
      break;
    case "int":
      if (typeof v === "number" && isInt(v)) return v;
      break;
    case "float":
      if (typeof v === "number") return v;
      break;
    case "bool":
      if (typeof v === "boolean") return v;
      break;
    case "map":
      if (isNil(v)) return null;
      if (isMap(v)) return v;
      break;
  }
  if (isNil(v)) throw new ArgError(`invalid value; expected ${GO_TYPE[p]}`, index, GO_TYPE[p]);
  throw new ArgError(`wrong type for value; expected ${GO_TYPE[p]}; got ${typeName(v)}`, index, GO_TYPE[p]);
}

/**
 * Wraps an implementation with Go's argument count and type checks for a parameter list, as Go checks a function's
 * signature when a template calls it: "string", "int", "float", "bool", "map" (map[string]interface{}, nil allowed),
 * "any", and a last "...T" for variadic ones. Errors read as Go's ("wrong number of args for NAME: want 2 got 1",
 * "wrong type for value; expected string; got int", "invalid value; expected string").
 */
export function typedFunc(name: string, params: Param[], impl: (...args: any[]) => unknown): GoFunc {
  return fn(name, params, impl);
}

function fn(name: string, params: Param[], impl: (...args: any[]) => unknown): GoFunc {
  const variadic = params.length > 0 && params[params.length - 1]!.startsWith("...");
  const fixed = variadic ? params.length - 1 : params.length;
  return withParams((...args: unknown[]) => {
    if (variadic ? args.length < fixed : args.length !== fixed) {
      throw new ArgError(`wrong number of args for ${name}: want ${variadic ? "at least " : ""}${fixed} got ${args.length}`);
    }
    const conv = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) {
      const p = i < fixed ? params[i]! : params[params.length - 1]!.slice(3);
      conv[i] = checkArg(p, args[i], i);
    }
    return impl(...conv);
  }, params);
}

function notSupported(name: string): GoFunc {
  return () => {
    throw new Error(`${name} is not supported by pilotfish`);
  };
}

// ---------- conversions (spf13/cast as sprig uses it) ----------

/** sprig's strval: fmt %v of anything, strings as they are. */
export function strval(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  return formatValue(isNil(v) ? null : v);
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === ".") {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === "0") foundZero = true;
    else return s;
  }
  return s;
}

/** cast.ToInt64: numbers truncate, strings parse as Go integer literals (base prefix allowed), bool 1/0, else 0. */
export function toInt64(v: unknown): number {
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? Math.trunc(v) || 0 : 0;
    case "bigint":
      return Number(v);
    case "boolean":
      return v ? 1 : 0;
    case "string": {
      const s = trimZeroDecimal(v);
      const p = parseGoNumber(s);
      if (p === null || !p.isInt || /[.eEpP]/.test(s.replace(/^[+-]?0[xX][0-9a-fA-F_]*$/, ""))) return 0;
      return p.value;
    }
  }
  return 0;
}

/** cast.ToFloat64. */
export function toFloat64(v: unknown): number {
  switch (typeof v) {
    case "number":
      return v;
    case "bigint":
      return Number(v);
    case "boolean":
      return v ? 1 : 0;
    case "string": {
      const s = v.trim() === v ? v : "";
      if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
      if (/^nan$/i.test(s)) return NaN;
      const p = parseGoNumber(s.replace(/^([+-]?)0+(?=\d)(?![0-7]*$)/, "$1"));
      if (p !== null) return /^[+-]?0[0-7]+$/.test(s) ? parseFloat(s) : p.value;
      return 0;
    }
  }
  return 0;
}

function listOf(name: string, v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (isNil(v)) throw new Error("runtime error: invalid memory address or nil pointer dereference");
  if (v instanceof Uint8Array) return Array.from(v);
  if (name === "") return [];
  throw new Error(`Cannot ${what} on type ${kindName(v) === "invalid" ? "invalid" : kindName(v)}`);
}

/** sprig/strslice: a list of strings from a list (nils dropped) or a single value. */
function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x) => !isNil(x)).map(strval);
  if (isNil(v)) return [];
  return [strval(v)];
}

// ---------- emptiness and equality ----------

/** sprig's empty: nil, zero numbers, false, and empty strings/lists/maps are empty; structs never. */
export function empty(v: unknown): boolean {
  if (isNil(v)) return true;
  switch (typeof v) {
    case "boolean":
      return !v;
    case "number":
      return v === 0;
    case "bigint":
      return v === 0n;
    case "string":
      return v.length === 0;
    case "function":
      return false;
  }
  if (v instanceof GoFloat) return v.value === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (isStruct(v) || v instanceof Date) return false;
  if (isMap(v)) {
    for (const k in v) if (v[k] !== undefined) return false;
    return true;
  }
  return false;
}

/** reflect.DeepEqual over the value model. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return a === b && isInt(a) === isInt(b as number);
  if (typeof a !== "object") return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (isStruct(a) !== isStruct(b)) return false;
  const ka = sortedKeys(a as Record<string, unknown>);
  const kb = sortedKeys(b as Record<string, unknown>);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!deepEqual((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}

function deepCopyChecked(v: unknown): unknown {
  if (isNil(v)) throw new Error("reflect: call of reflect.Value.Type on zero Value");
  return deepCopy(v);
}

function deepCopy(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(deepCopy);
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof Uint8Array) return new Uint8Array(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setKey(out, k, deepCopy((v as Record<string, unknown>)[k]));
  if (isStruct(v)) goStruct(out);
  return out;
}

// ---------- JSON (encoding/json) ----------

function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 0x20) {
      switch (c) {
        case 8: esc = "\\b"; break;
        case 9: esc = "\\t"; break;
        case 10: esc = "\\n"; break;
        case 12: esc = "\\f"; break;
        case 13: esc = "\\r"; break;
        default: esc = "\\u00" + c.toString(16).padStart(2, "0");
      }
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) esc = "\\u00" + c.toString(16);
    else if (c === 0x2028 || c === 0x2029) esc = "\\u" + c.toString(16);
    else if (c >= 0xd800 && c < 0xe000) {
      const hi = c < 0xdc00 && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) < 0xe000;
      if (hi) {
        i++;
        continue;
      }
      esc = "\\ufffd";
    }
    if (esc !== null) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

class JsonError extends Error {}

function jsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new JsonError(`json: unsupported value: ${formatValue(n)}`);
  if (Object.is(n, -0)) return "-0";
  return String(n);
}

/** Go's json.Marshal / MarshalIndent over the value model (map keys sorted, struct fields in order). */
export function goJson(v: unknown, indent: string, escapeHTML: boolean): string {
  const seen = new Set<object>();
  const enc = (x: unknown, pre: string): string => {
    if (x === null || x === undefined) return "null";
    switch (typeof x) {
      case "boolean":
        return x ? "true" : "false";
      case "number":
        return jsonNumber(x);
      case "bigint":
        return x.toString();
      case "string":
        return jsonString(x, escapeHTML);
      case "function":
        throw new JsonError("json: unsupported type: func(...interface {}) interface {}");
      case "object":
        break;
      default:
        throw new JsonError(`json: unsupported type: ${typeof x}`);
    }
    if (x instanceof Date) return jsonString(x.toISOString(), escapeHTML);
    if (x instanceof Uint8Array) return jsonString(Buffer.from(x).toString("base64"), escapeHTML);
    if (seen.has(x as object)) throw new JsonError("json: unsupported value: encountered a cycle");
    seen.add(x as object);
    const inner = pre + indent;
    try {
      if (Array.isArray(x)) {
        if (x.length === 0) return "[]";
        const parts = x.map((e) => enc(e, inner));
        return indent ? "[\n" + inner + parts.join(",\n" + inner) + "\n" + pre + "]" : "[" + parts.join(",") + "]";
      }
      const o = x as Record<string, unknown>;
      const ks = isStruct(o) ? Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== "function") : sortedKeys(o);
      if (ks.length === 0) return "{}";
      const sep = indent ? ": " : ":";
      const parts = ks.map((k) => jsonString(k, escapeHTML) + sep + enc(o[k], inner));
      return indent ? "{\n" + inner + parts.join(",\n" + inner) + "\n" + pre + "}" : "{" + parts.join(",") + "}";
    } finally {
      seen.delete(x as object);
    }
  };
  return enc(v, "");
}

function toJsonSafe(v: unknown, indent: string, escapeHTML: boolean): string {
  try {
    return goJson(v, indent, escapeHTML);
  } catch (e) {
    if (e instanceof JsonError) return "";
    throw e;
  }
}

function mustJson(v: unknown, indent: string, escapeHTML: boolean): string {
  return goJson(v, indent, escapeHTML);
}

/** encoding/json Unmarshal into interface{}; errors worded as Go's for the common cases. */
function fromJson(s: string): unknown {
  try {
    // Go decodes every JSON number into interface{} as a float64.
    const v = JSON.parse(s) as unknown;
    return typeof v === "number" ? new GoFloat(v) : goJsonData(v);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/end of (JSON )?input|Unterminated/i.test(msg) || s.trim() === "") throw new Error("unexpected end of JSON input");
    const m = /position (\d+)/.exec(msg);
    let pos = m ? parseInt(m[1]!, 10) : -1;
    if (pos < 0) {
      const t = /Unexpected token '?(.)'?/.exec(msg);
      pos = t ? s.indexOf(t[1]!) : 0;
    }
    const c = s[pos] ?? "";
    const ctx = /^\s*$/.test(s.slice(0, pos)) ? "looking for beginning of value" : "after top-level value";
    throw new Error(`invalid character '${c}' ${ctx}`);
  }
}

// ---------- merging (dario.cat/mergo as sprig calls it) ----------

/** Sets an own property, "__proto__" included (a map key is data, never the object's prototype). */
function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function mergeInto(dst: Record<string, unknown>, src: Record<string, unknown>, overwrite: boolean, depth = 0): void {
  if (depth > 1000) throw new Error("merge: too deep");
  for (const k of Object.keys(src)) {
    const s = src[k];
    if (s === undefined) continue;
    const d = Object.prototype.hasOwnProperty.call(dst, k) ? dst[k] : undefined;
    if (isNil(s)) {
      // mergo skips a nil source value unless overwriting
      if (overwrite) setKey(dst, k, null);
      continue;
    }
    if (isMap(s) && isMap(d)) {
      mergeInto(d, s, overwrite, depth + 1);
      if (!empty(d)) continue;
    } else if (Object.prototype.hasOwnProperty.call(dst, k) && d !== undefined && !empty(d)) {
      if (Array.isArray(s) && !overwrite) continue;
    }
    if (overwrite || d === undefined || !Object.prototype.hasOwnProperty.call(dst, k) || empty(d)) setKey(dst, k, s);
  }
}

// ---------- regular expressions (RE2, Go's regexp) ----------

const reCache = new Map<string, RE2JS>();
/** Compiles RE2 syntax; `mustCompile`: fail as Go's regexp.MustCompile panics, else as regexp.Compile errors. */
function compileRe(expr: string, mustCompile = false): RE2JS {
  let r = reCache.get(expr);
  if (r === undefined) {
    try {
      r = RE2JS.compile(expr);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!mustCompile) throw new Error(msg);
      const q = /^[^`\x00-\x08\x0a-\x1f\x7f]*$/.test(expr) ? "`" + expr + "`" : goPrintf("%q", expr);
      throw new Error(`regexp: Compile(${q}): ${msg}`);
    }
    if (reCache.size > 500) reCache.clear();
    reCache.set(expr, r);
  }
  return r;
}

/** All non-overlapping matches as [start, end, ...group bounds] (UTF-16 offsets), Go's FindAll rules. */
function findAll(re: RE2JS, s: string, n: number): number[][] {
  const out: number[][] = [];
  if (n === 0) return out;
  const m = re.matcher(s);
  const groups = m.groupCount();
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (n < 0 || out.length < n)) {
    if (!m.find(pos)) break;
    const a = m.start();
    const b = m.end();
    if (a === b && a === prevEnd) {
      // an empty match right after the previous match is ignored
      pos = a + (a < s.length && s.charCodeAt(a) >= 0xd800 && s.charCodeAt(a) < 0xdc00 ? 2 : 1);
      if (a >= s.length) break;
      continue;
    }
    const rec = [a, b];
    for (let g = 1; g <= groups; g++) rec.push(m.start(g), m.end(g));
    out.push(rec);
    prevEnd = b;
    pos = b > a ? b : b + (b < s.length && s.charCodeAt(b) >= 0xd800 && s.charCodeAt(b) < 0xdc00 ? 2 : 1);
    if (a === b && b >= s.length) break;
  }
  return out;
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$. */
function expand(tpl: string, s: string, rec: number[], named: Record<string, number>): string {
  let out = "";
  for (let i = 0; i < tpl.length; ) {
    const d = tpl.indexOf("$", i);
    if (d < 0) {
      out += tpl.slice(i);
      break;
    }
    out += tpl.slice(i, d);
    i = d + 1;
    if (tpl[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    let name = "";
    let brace = false;
    let j = i;
    if (tpl[j] === "{") {
      brace = true;
      j++;
    }
    const st = j;
    while (j < tpl.length && /[A-Za-z0-9_]/.test(tpl[j]!)) j++;
    name = tpl.slice(st, j);
    if (name === "" || (brace && tpl[j] !== "}")) {
      out += "$";
      continue;
    }
    if (brace) j++;
    i = j;
    let g = -1;
    if (/^[0-9]+$/.test(name)) g = parseInt(name, 10);
    else if (Object.prototype.hasOwnProperty.call(named, name)) g = named[name]!;
    if (g >= 0 && 2 * g + 1 < rec.length && rec[2 * g]! >= 0) out += s.slice(rec[2 * g], rec[2 * g + 1]);
  }
  return out;
}

function regexReplace(expr: string, s: string, repl: string, literal: boolean, must = true): string {
  const re = compileRe(expr, must);
  const named = (re.namedGroups() ?? {}) as Record<string, number>;
  let out = "";
  let last = 0;
  for (const rec of findAll(re, s, -1)) {
    out += s.slice(last, rec[0]) + (literal ? repl : expand(repl, s, rec, named));
    last = rec[1]!;
  }
  return out + s.slice(last);
}

function regexSplit(expr: string, s: string, n: number, must = true): string[] {
  const re = compileRe(expr, must);
  if (n === 0) return [];
  if (expr.length > 0 && s.length === 0) return [""];
  const matches = findAll(re, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m[0]!;
    if (m[1] !== 0) out.push(s.slice(beg, end));
    beg = m[1]!;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

// ---------- strings ----------

/** strings.ToUpper/ToLower: Go's simple (one rune to one rune) case mapping, unlike JS's full mapping (ß stays ß). */
function goCaseMap(s: string, upper: boolean): string {
  if (isAsciiString(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = "";
  for (const c of s) {
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    out += m.length === c.length || Array.from(m).length === 1 ? m : c;
  }
  return out;
}

const TITLE_DIGRAPHS: Record<string, string> = { Ǆ: "ǅ", ǅ: "ǅ", ǆ: "ǅ", Ǉ: "ǈ", ǈ: "ǈ", ǉ: "ǈ", Ǌ: "ǋ", ǋ: "ǋ", ǌ: "ǋ", Ǳ: "ǲ", ǲ: "ǲ", ǳ: "ǲ" };

/** unicode.ToTitle of one character. */
function goToTitle(c: string): string {
  const d = TITLE_DIGRAPHS[c];
  if (d !== undefined) return d;
  const m = c.toUpperCase();
  return Array.from(m).length === 1 ? m : c;
}

function isTitleSeparator(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

function goTitle(s: string): string {
  // strings.Title: upper-case the first letter after each separator
  let out = "";
  let prevSep = true;
  for (const c of s) {
    out += prevSep ? goToTitle(c) : c;
    prevSep = isTitleSeparator(c);
  }
  return out;
}

function goTrimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, "");
}

function goTrim(s: string, cutset: string): string {
  if (s === "" || cutset === "") return s;
  const set = new Set(Array.from(cutset));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && set.has(cps[a]!)) a++;
  while (b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join("");
}

function byteSlice(s: string, a: number, b?: number): string {
  const buf = Buffer.from(s, "utf8");
  return goDecode(buf.subarray(a, b));
}


function goLen(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Go's s[a:b] on the UTF-8 bytes, with Go's panic text when out of range. */
function sliceStr(s: string, a: number, b?: number): string {
  const n = goLen(s);
  const end = b === undefined ? n : b;
  if (end > n) throw new Error(`runtime error: slice bounds out of range [:${end}] with length ${n}`);
  if (a < 0 || a > end) throw new Error(`runtime error: slice bounds out of range [${a}:${end}]`);
  return n === s.length ? s.slice(a, end) : byteSlice(s, a, end);
}

function abbrev(width: number, s: string): string {
  if (width < 4) return s;
  // goutils.Abbreviate(s, width) = AbbreviateFull(s, 0, width)
  return abbrevFull(s, 0, width);
}

function abbrevFull(s: string, offset: number, maxWidth: number): string {
  // goutils works on bytes: a multi-byte character cut in two comes out as U+FFFD
  if (isAsciiString(s)) return abbrevBytes(s, offset, maxWidth);
  return goDecode(Buffer.from(abbrevBytes(Buffer.from(s, "utf8").toString("latin1"), offset, maxWidth), "latin1"));
}

function abbrevBytes(str: string, offset: number, maxWidth: number): string {
  if (str === "") return "";
  if (maxWidth < 4) return str;
  if (str.length <= maxWidth) return str;
  if (offset > str.length) offset = str.length;
  if (str.length - offset < maxWidth - 3) offset = str.length - (maxWidth - 3);
  const abrevMarker = "...";
  if (offset <= 4) return str.slice(0, maxWidth - 3) + abrevMarker;
  if (maxWidth < 7) return str;
  if (offset + maxWidth - 3 < str.length) return abrevMarker + abbrevBytes(str.slice(offset), 0, maxWidth - 3);
  return abrevMarker + str.slice(str.length - (maxWidth - 3));
}

/** goutils.DeleteWhiteSpace: works byte by byte (so non-ASCII text comes out as Latin-1 mojibake, as in Go). */
function nospace(s: string): string {
  if (isAsciiString(s)) return s.replace(/[\t\n\v\f\r ]/g, "");
  let out = "";
  let removed = false;
  for (const b of Buffer.from(s, "utf8")) {
    if ((b >= 9 && b <= 13) || b === 32 || b === 0x85 || b === 0xa0) {
      removed = true;
      continue;
    }
    out += String.fromCharCode(b);
  }
  // goutils returns the string untouched when nothing was removed
  return removed ? out : s;
}

/** Runs a byte-oriented Go string function (goutils) on the UTF-8 bytes of s. */
function onBytes(s: string, f: (bytes: string) => string): string {
  if (isAsciiString(s)) return f(s);
  return goDecode(Buffer.from(f(Buffer.from(s, "utf8").toString("latin1")), "latin1"));
}

function isAsciiString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** goutils Initials: byte by byte, the first byte after whitespace (so non-ASCII initials come out as Latin-1). */
function initials(s: string): string {
  let out = "";
  let gap = true;
  for (const b of Buffer.from(s, "utf8")) {
    if ((b >= 9 && b <= 13) || b === 32 || b === 0x85 || b === 0xa0) gap = true;
    else if (gap) {
      out += String.fromCharCode(b);
      gap = false;
    }
  }
  return out;
}



function wrap(s: string, width: number, sep = "\n", longWords = false): string {
  // goutils.WrapCustom: wrap at spaces, optionally breaking long words
  if (width < 1) width = 1;
  const lines = s.split("\n");
  const out: string[] = [];
  for (const line of lines) {
    let rest = line;
    const parts: string[] = [];
    while (rest.length > width) {
      if (rest[0] === " ") {
        rest = rest.slice(1);
        continue;
      }
      let sp = rest.lastIndexOf(" ", width);
      if (sp > 0) {
        parts.push(rest.slice(0, sp));
        rest = rest.slice(sp + 1);
      } else if (longWords) {
        parts.push(rest.slice(0, width));
        rest = rest.slice(width);
      } else {
        sp = rest.indexOf(" ", width);
        if (sp < 0) break;
        parts.push(rest.slice(0, sp));
        rest = rest.slice(sp + 1);
      }
    }
    parts.push(rest);
    out.push(parts.join(sep));
  }
  return out.join("\n");
}

function expandEnv(s: string): string {
  // os.ExpandEnv with an empty environment: every $VAR / ${VAR} expands to ""
  return s.replace(/\$(\{[^}]*\}|[A-Za-z0-9_]+|[*#$@!?\-0-9])/g, "");
}

// ---------- paths (Go's path package) ----------

export function pathClean(p: string): string {
  if (p === "") return ".";
  const rooted = p[0] === "/";
  const parts = p.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}

function pathBase(p: string): string {
  if (p === "") return ".";
  p = p.replace(/\/+$/, "");
  const i = p.lastIndexOf("/");
  if (i >= 0) p = p.slice(i + 1);
  return p === "" ? "/" : p;
}

function pathDir(p: string): string {
  const i = p.lastIndexOf("/");
  return pathClean(p.slice(0, i + 1));
}

function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

// ---------- dates ----------

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** sprig's dateInZone argument: a time, or whole seconds since the epoch; anything else means now. */
function toDateValue(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === "number" && isInt(v)) return new Date(v * 1000);
  return new Date();
}

/** Go's Time.Format for a layout (UTC). */
export function goFormatDate(layout: string, d: Date): string {
  const p2 = (n: number) => String(n).padStart(2, "0");
  const Y = d.getUTCFullYear();
  const M = d.getUTCMonth();
  const D = d.getUTCDate();
  const h = d.getUTCHours();
  const m = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  const ms = d.getUTCMilliseconds();
  const tokens: [string, () => string][] = [
    ["January", () => MONTHS[M]!],
    ["Monday", () => DAYS[d.getUTCDay()]!],
    ["2006", () => String(Y)],
    ["-07:00:00", () => "+00:00:00"],
    ["-0700", () => "+0000"],
    ["-07:00", () => "+00:00"],
    ["-07", () => "+00"],
    ["Z07:00", () => "Z"],
    ["Z0700", () => "Z"],
    ["Z07", () => "Z"],
    ["Jan", () => MONTHS[M]!.slice(0, 3)],
    ["Mon", () => DAYS[d.getUTCDay()]!.slice(0, 3)],
    ["MST", () => "UTC"],
    ["01", () => p2(M + 1)],
    ["02", () => p2(D)],
    ["_2", () => String(D).padStart(2, " ")],
    ["002", () => String(Math.floor((Date.UTC(Y, M, D) - Date.UTC(Y, 0, 1)) / 86400000) + 1).padStart(3, "0")],
    ["03", () => p2(h % 12 === 0 ? 12 : h % 12)],
    ["04", () => p2(m)],
    ["05", () => p2(s)],
    ["06", () => p2(Y % 100)],
    ["15", () => p2(h)],
    [".000000000", () => "." + String(ms).padStart(3, "0") + "000000"],
    [".000000", () => "." + String(ms).padStart(3, "0") + "000"],
    [".000", () => "." + String(ms).padStart(3, "0")],
    [".999999999", () => (ms ? "." + String(ms).padStart(3, "0").replace(/0+$/, "") : "")],
    [".999", () => (ms ? "." + String(ms).padStart(3, "0").replace(/0+$/, "") : "")],
    ["PM", () => (h >= 12 ? "PM" : "AM")],
    ["pm", () => (h >= 12 ? "pm" : "am")],
    ["1", () => String(M + 1)],
    ["2", () => String(D)],
    ["3", () => String(h % 12 === 0 ? 12 : h % 12)],
    ["4", () => String(m)],
    ["5", () => String(s)],
  ];
  let out = "";
  let i = 0;
  outer: while (i < layout.length) {
    for (const [tok, f] of tokens) {
      if (layout.startsWith(tok, i)) {
        out += f();
        i += tok.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}

/** Go's time.Duration String for a number of seconds. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const neg = seconds < 0;
  let rest = Math.abs(seconds);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  let out = "";
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${rest}s`;
  return (neg ? "-" : "") + out;
}

function semverObject(s: string): Record<string, unknown> {
  const v = parseSemver(s);
  const str = semverString(v);
  return goStruct(
    {
      Major: () => v.major,
      Minor: () => v.minor,
      Patch: () => v.patch,
      Prerelease: () => v.pre,
      Metadata: () => v.meta,
      Original: () => v.original,
      String: () => str,
      Compare: (o: unknown) => {
        const other = o !== null && typeof o === "object" && typeof (o as Record<string, unknown>).String === "function" ? parseSemver(String(((o as Record<string, unknown>).String as () => string)())) : parseSemver(String(o));
        return compareSemver(v, other);
      },
    },
    "*semver.Version",
  );
}

// ---------- url ----------

function urlParse(s: string): Record<string, unknown> {
  const firstSeg = /^[^/?#]*/.exec(s)![0];
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && firstSeg.includes(":")) {
    throw new Error(`unable to parse url: parse ${goPrintf("%q", s)}: first path segment in URL cannot contain colon`);
  }
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/(?:([^@/?#]*)@)?([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
  if (m === null) throw new Error(`unable to parse url: ${s}`);
  const host = m[3] ?? "";
  const hostname = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:[0-9]*$/, "");
  let path = m[4] ?? "";
  let opaque = "";
  if (m[1] && m[3] === undefined && !path.startsWith("/")) {
    opaque = path;
    path = "";
  }
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    /* keep */
  }
  return {
    scheme: m[1] ?? "",
    host,
    hostname,
    path: decoded,
    query: m[5] ?? "",
    opaque,
    fragment: m[6] ? safeDecode(m[6]) : "",
    userinfo: m[2] ?? "",
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function urlJoin(d: Record<string, unknown> | null): string {
  const g = (k: string): string => (d && typeof d[k] === "string" ? (d[k] as string) : "");
  let out = "";
  const scheme = g("scheme");
  if (scheme) out += scheme + ":";
  if (g("opaque")) out += g("opaque");
  else {
    if (scheme || g("host") || g("userinfo")) {
      if (g("host") || g("path") || g("userinfo")) out += "//";
      if (g("userinfo")) out += g("userinfo") + "@";
      out += g("host");
    }
    let p = g("path");
    if (p && p[0] !== "/" && g("host")) p = "/" + p;
    out += encodeURI(p).replace(/%25([0-9A-Fa-f]{2})/g, "%$1");
  }
  if (g("query")) out += "?" + g("query");
  if (g("fragment")) out += "#" + encodeURIComponent(g("fragment")).replace(/%2F/g, "/");
  return out;
}

// ---------- the map ----------

function intsToString(xs: number[]): string {
  return xs.join(" ");
}

function untilStep(start: number, stop: number, step: number): number[] {
  const v: number[] = [];
  const LIMIT = 10_000_000;
  if (stop < start) {
    if (step >= 0) return v;
    for (let i = start; i > stop; i += step) {
      v.push(i);
      if (v.length > LIMIT) throw new Error("untilStep: too many elements");
    }
    return v;
  }
  if (step <= 0) return v;
  for (let i = start; i < stop; i += step) {
    v.push(i);
    if (v.length > LIMIT) throw new Error("untilStep: too many elements");
  }
  return v;
}

function seq(...params: number[]): string {
  let inc = 1;
  switch (params.length) {
    case 0:
      return "";
    case 1: {
      const start = 1;
      const end = params[0]!;
      if (end < start) inc = -1;
      return intsToString(untilStep(start, end + inc, inc));
    }
    case 2: {
      const [start, end] = params as [number, number];
      const step = end < start ? -1 : 1;
      return intsToString(untilStep(start, end + step, step));
    }
    case 3: {
      const [start, step, end] = params as [number, number, number];
      if (end < start) {
        inc = -1;
        if (step > 0) return "";
      }
      return intsToString(untilStep(start, end + inc, step));
    }
  }
  return "";
}

function goRound(a: unknown, p: number, roundOn = 0.5): number {
  const val = toFloat64(a);
  const pow = Math.pow(10, p);
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

/** An int64 result: no negative zero. */
function i64(n: number): number {
  return n === 0 ? 0 : n;
}

function intDiv(a: number, b: number): number {
  if (b === 0) throw new Error("runtime error: integer divide by zero");
  return Math.trunc(a / b);
}

function intMod(a: number, b: number): number {
  if (b === 0) throw new Error("runtime error: integer divide by zero");
  return a % b;
}

function decimalOp(a: unknown, bs: unknown[], op: (x: number, y: number) => number): number {
  // shopspring/decimal on float64 inputs: round the result to 15 significant digits to drop binary noise
  let r = toFloat64(a);
  for (const b of bs) r = op(r, toFloat64(b));
  return Number.isFinite(r) ? parseFloat(r.toPrecision(15)) : r;
}

const NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference";

function listFn(name: string, what: string, f: (l: unknown[]) => unknown): GoFunc {
  return fn(name, ["any"], (l: unknown) => {
    if (isNil(l)) throw new Error(NIL_DEREF);
    return f(listOf(name, l, what));
  });
}


function pickMaps(name: string, vs: unknown[]): Record<string, unknown>[] {
  return vs.map((v) => (isNil(v) ? {} : (checkArg("map", v) as Record<string, unknown>)));
}

const sprig: FuncMap = {
  hello: fn("hello", [], () => "Hello!"),

  // dates (deterministic only when given a time)
  now: fn("now", [], () => new Date()),
  date: fn("date", ["string", "any"], (layout: string, d: unknown) => goFormatDate(layout, toDateValue(d))),
  dateInZone: fn("dateInZone", ["string", "any", "string"], (layout: string, d: unknown, zone: string) => {
    if (zone !== "UTC" && zone !== "") throw new Error(`unknown time zone ${zone}`);
    return goFormatDate(layout, toDateValue(d));
  }),
  htmlDate: fn("htmlDate", ["any"], (d: unknown) => goFormatDate("2006-01-02", toDateValue(d))),
  htmlDateInZone: fn("htmlDateInZone", ["any", "string"], (d: unknown) => goFormatDate("2006-01-02", toDateValue(d))),
  unixEpoch: fn("unixEpoch", ["any"], (d: unknown) => String(Math.floor(toDateValue(d).getTime() / 1000))),
  // sprig reads only a string or an int64: an int (every template number) is 0
  duration: fn("duration", ["any"], (s: unknown) => goDuration(typeof s === "string" && /^[+-]?[0-9]+$/.test(s) ? parseInt(s, 10) : 0)),
  ago: fn("ago", ["any"], (d: unknown) => goDuration(Math.round((Date.now() - toDateValue(d).getTime()) / 1000))),
  toDate: notSupported("toDate"),
  mustToDate: notSupported("mustToDate"),
  dateModify: notSupported("dateModify"),
  date_modify: notSupported("date_modify"),
  mustDateModify: notSupported("mustDateModify"),
  must_date_modify: notSupported("must_date_modify"),
  durationRound: notSupported("durationRound"),

  // strings
  abbrev: fn("abbrev", ["int", "string"], abbrev),
  abbrevboth: fn("abbrevboth", ["int", "int", "string"], (l: number, r: number, s: string) => (r < 4 || (l > 0 && r < 7) ? s : abbrevFull(s, l, r))),
  trunc: fn("trunc", ["int", "string"], (c: number, s: string) => {
    const n = goLen(s);
    if (c < 0 && n + c > 0) return sliceStr(s, n + c, undefined);
    if (c >= 0 && n > c) return sliceStr(s, 0, c);
    return s;
  }),
  trim: fn("trim", ["string"], goTrimSpace),
  upper: fn("upper", ["string"], (s: string) => goCaseMap(s, true)),
  lower: fn("lower", ["string"], (s: string) => goCaseMap(s, false)),
  title: fn("title", ["string"], goTitle),
  untitle: fn("untitle", ["string"], (s: string) => s.replace(/(^|\s)(\S)/gu, (_m, a: string, b: string) => a + b.toLowerCase())),
  substr: fn("substr", ["int", "int", "string"], (start: number, end: number, s: string) => {
    if (start < 0) return sliceStr(s, 0, end);
    if (end < 0 || end > goLen(s)) return sliceStr(s, start, undefined);
    return sliceStr(s, start, end);
  }),
  repeat: fn("repeat", ["int", "string"], (count: number, s: string) => {
    if (count < 0) throw new Error("strings: negative Repeat count");
    if (s.length * count > 64 * 1024 * 1024) throw new Error("strings: Repeat output length overflow");
    return s.repeat(count);
  }),
  trimall: fn("trimall", ["string", "string"], (a: string, b: string) => goTrim(b, a)),
  trimAll: fn("trimAll", ["string", "string"], (a: string, b: string) => goTrim(b, a)),
  trimSuffix: fn("trimSuffix", ["string", "string"], (a: string, b: string) => (a !== "" && b.endsWith(a) ? b.slice(0, b.length - a.length) : b)),
  trimPrefix: fn("trimPrefix", ["string", "string"], (a: string, b: string) => (b.startsWith(a) ? b.slice(a.length) : b)),
  nospace: fn("nospace", ["string"], nospace),
  initials: fn("initials", ["string"], initials),
  randAlphaNum: fn("randAlphaNum", ["int"], (n: number) => randomString(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
  randAlpha: fn("randAlpha", ["int"], (n: number) => randomString(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")),
  randAscii: fn("randAscii", ["int"], (n: number) => randomString(n, Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(""))),
  randNumeric: fn("randNumeric", ["int"], (n: number) => randomString(n, "0123456789")),
  swapcase: fn("swapcase", ["string"], swapCase),
  shuffle: fn("shuffle", ["string"], (s: string) => {
    const a = Array.from(s);
    for (let i = a.length - 1; i > 0; i--) {
      const j = randomBytes(4).readUInt32BE(0) % (i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.join("");
  }),
  snakecase: fn("snakecase", ["string"], (s: string) => camelCaseToLowerCase(s, "_")),
  camelcase: fn("camelcase", ["string"], (s: string) => toCamelCase(s, true)),
  kebabcase: fn("kebabcase", ["string"], (s: string) => camelCaseToLowerCase(s, "-")),
  wrap: fn("wrap", ["int", "string"], (l: number, s: string) => onBytes(s, (b) => wrap(b, l))),
  wrapWith: fn("wrapWith", ["int", "string", "string"], (l: number, sep: string, s: string) => onBytes(s, (b) => wrap(b, l, Buffer.from(sep, "utf8").toString("latin1"), true))),
  contains: fn("contains", ["string", "string"], (sub: string, s: string) => s.includes(sub)),
  hasPrefix: fn("hasPrefix", ["string", "string"], (sub: string, s: string) => s.startsWith(sub)),
  hasSuffix: fn("hasSuffix", ["string", "string"], (sub: string, s: string) => s.endsWith(sub)),
  quote: fn("quote", ["...any"], (...xs: unknown[]) =>
    xs
      .filter((x) => !isNil(x))
      .map((x) => goPrintf("%q", strval(x)))
      .join(" "),
  ),
  squote: fn("squote", ["...any"], (...xs: unknown[]) =>
    xs
      .filter((x) => !isNil(x))
      .map((x) => `'${formatValue(x)}'`)
      .join(" "),
  ),
  cat: fn("cat", ["...any"], (...xs: unknown[]) =>
    xs
      .filter((x) => !isNil(x))
      .map((x) => formatValue(x))
      .join(" "),
  ),
  indent: fn("indent", ["int", "string"], (n: number, s: string) => {
    const pad = " ".repeat(Math.max(0, n));
    return pad + s.split("\n").join("\n" + pad);
  }),
  nindent: fn("nindent", ["int", "string"], (n: number, s: string) => {
    const pad = " ".repeat(Math.max(0, n));
    return "\n" + pad + s.split("\n").join("\n" + pad);
  }),
  replace: fn("replace", ["string", "string", "string"], (old: string, nw: string, src: string) => goReplaceAll(src, old, nw)),
  plural: fn("plural", ["string", "string", "int"], (one: string, many: string, count: number) => (count === 1 ? one : many)),
  sha1sum: fn("sha1sum", ["string"], (s: string) => createHash("sha1").update(s, "utf8").digest("hex")),
  sha256sum: fn("sha256sum", ["string"], (s: string) => createHash("sha256").update(s, "utf8").digest("hex")),
  sha512sum: fn("sha512sum", ["string"], (s: string) => createHash("sha512").update(s, "utf8").digest("hex")),
  adler32sum: fn("adler32sum", ["string"], (s: string) => {
    let a = 1;
    let b = 0;
    for (const byte of Buffer.from(s, "utf8")) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
    return String((b * 65536 + a) >>> 0);
  }),
  toString: fn("toString", ["any"], strval),
  atoi: fn("atoi", ["string"], (s: string) => (/^[+-]?[0-9]+$/.test(s) ? parseInt(s, 10) : 0)),
  int64: fn("int64", ["any"], toInt64),
  int: fn("int", ["any"], toInt64),
  float64: fn("float64", ["any"], toFloat64),
  seq: fn("seq", ["...int"], seq),
  toDecimal: fn("toDecimal", ["any"], (v: unknown) => {
    const s = formatValue(isNil(v) ? null : v);
    return /^[+-]?[0-7]+$/.test(s) ? parseInt(s, 8) : 0;
  }),
  split: fn("split", ["string", "string"], (sep: string, orig: string) => {
    const res: Record<string, unknown> = {};
    goSplit(orig, sep, -1).forEach((p, i) => (res["_" + i] = p));
    return res;
  }),
  splitList: fn("splitList", ["string", "string"], (sep: string, orig: string) => goSplit(orig, sep, -1)),
  splitn: fn("splitn", ["string", "int", "string"], (sep: string, n: number, orig: string) => {
    const res: Record<string, unknown> = {};
    goSplit(orig, sep, n).forEach((p, i) => (res["_" + i] = p));
    return res;
  }),
  toStrings: fn("toStrings", ["any"], strslice),
  until: fn("until", ["int"], (n: number) => untilStep(0, n, n < 0 ? -1 : 1)),
  untilStep: fn("untilStep", ["int", "int", "int"], untilStep),

  // numbers
  add1: fn("add1", ["any"], (i: unknown) => i64(toInt64(i) + 1)),
  add: fn("add", ["...any"], (...xs: unknown[]) => i64(xs.reduce<number>((a, b) => a + toInt64(b), 0))),
  sub: fn("sub", ["any", "any"], (a: unknown, b: unknown) => i64(toInt64(a) - toInt64(b))),
  div: fn("div", ["any", "any"], (a: unknown, b: unknown) => i64(intDiv(toInt64(a), toInt64(b)))),
  mod: fn("mod", ["any", "any"], (a: unknown, b: unknown) => i64(intMod(toInt64(a), toInt64(b)))),
  mul: fn("mul", ["any", "...any"], (a: unknown, ...xs: unknown[]) => i64(xs.reduce<number>((acc, b) => acc * toInt64(b), toInt64(a)))),
  randInt: fn("randInt", ["int", "int"], (min: number, max: number) => {
    if (max - min <= 0) throw new Error("invalid argument to Intn");
    return min + (randomBytes(4).readUInt32BE(0) % (max - min));
  }),
  add1f: fn("add1f", ["any"], (i: unknown) => decimalOp(i, [1], (x, y) => x + y)),
  addf: fn("addf", ["...any"], (...xs: unknown[]) => decimalOp(0, xs, (x, y) => x + y)),
  subf: fn("subf", ["any", "...any"], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, (x, y) => x - y)),
  divf: fn("divf", ["any", "...any"], (a: unknown, ...xs: unknown[]) =>
    decimalOp(a, xs, (x, y) => {
      if (y === 0) throw new Error("decimal division by 0");
      return x / y;
    }),
  ),
  mulf: fn("mulf", ["any", "...any"], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, (x, y) => x * y)),
  biggest: fn("biggest", ["any", "...any"], (a: unknown, ...xs: unknown[]) => xs.reduce<number>((m, b) => Math.max(m, toInt64(b)), toInt64(a))),
  max: fn("max", ["any", "...any"], (a: unknown, ...xs: unknown[]) => xs.reduce<number>((m, b) => Math.max(m, toInt64(b)), toInt64(a))),
  min: fn("min", ["any", "...any"], (a: unknown, ...xs: unknown[]) => xs.reduce<number>((m, b) => Math.min(m, toInt64(b)), toInt64(a))),
  maxf: fn("maxf", ["any", "...any"], (a: unknown, ...xs: unknown[]) => xs.reduce<number>((m, b) => Math.max(m, toFloat64(b)), toFloat64(a))),
  minf: fn("minf", ["any", "...any"], (a: unknown, ...xs: unknown[]) => xs.reduce<number>((m, b) => Math.min(m, toFloat64(b)), toFloat64(a))),
  ceil: fn("ceil", ["any"], (a: unknown) => Math.ceil(toFloat64(a))),
  floor: fn("floor", ["any"], (a: unknown) => Math.floor(toFloat64(a))),
  round: fn("round", ["any", "int", "...float"], (a: unknown, p: number, ...r: number[]) => goRound(a, p, r.length > 0 ? r[0] : 0.5)),

  // lists and joins
  join: fn("join", ["string", "any"], (sep: string, v: unknown) => strslice(v).join(sep)),
  sortAlpha: fn("sortAlpha", ["any"], (v: unknown) => (Array.isArray(v) ? strslice(v).sort(compareStrings) : [strval(v)])),

  // defaults / flow
  default: fn("default", ["any", "...any"], (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0])),
  empty: fn("empty", ["any"], empty),
  coalesce: fn("coalesce", ["...any"], (...xs: unknown[]) => {
    for (const x of xs) if (!empty(x)) return x;
    return null;
  }),
  all: fn("all", ["...any"], (...xs: unknown[]) => xs.every((x) => !empty(x))),
  any: fn("any", ["...any"], (...xs: unknown[]) => xs.some((x) => !empty(x))),
  compact: listFn("compact", "compact", (l) => l.filter((x) => !empty(x))),
  mustCompact: listFn("mustCompact", "compact", (l) => l.filter((x) => !empty(x))),
  fromJson: fn("fromJson", ["string"], (s: string) => {
    try {
      return fromJson(s);
    } catch {
      return null;
    }
  }),
  mustFromJson: fn("mustFromJson", ["string"], fromJson),
  toJson: fn("toJson", ["any"], (v: unknown) => toJsonSafe(v, "", true)),
  toPrettyJson: fn("toPrettyJson", ["any"], (v: unknown) => toJsonSafe(v, "  ", true)),
  toRawJson: fn("toRawJson", ["any"], (v: unknown) => mustJson(v, "", false)),
  mustToJson: fn("mustToJson", ["any"], (v: unknown) => mustJson(v, "", true)),
  mustToPrettyJson: fn("mustToPrettyJson", ["any"], (v: unknown) => mustJson(v, "  ", true)),
  mustToRawJson: fn("mustToRawJson", ["any"], (v: unknown) => mustJson(v, "", false)),
  ternary: fn("ternary", ["any", "any", "bool"], (t: unknown, f: unknown, c: boolean) => (c ? t : f)),
  deepCopy: fn("deepCopy", ["any"], deepCopyChecked),
  mustDeepCopy: fn("mustDeepCopy", ["any"], deepCopyChecked),

  // reflection
  typeOf: fn("typeOf", ["any"], typeName),
  typeIs: fn("typeIs", ["string", "any"], (t: string, v: unknown) => t === typeName(v)),
  typeIsLike: fn("typeIsLike", ["string", "any"], (t: string, v: unknown) => t === typeName(v) || "*" + t === typeName(v)),
  kindOf: fn("kindOf", ["any"], kindName),
  kindIs: fn("kindIs", ["string", "any"], (t: string, v: unknown) => t === kindName(v)),
  deepEqual: fn("deepEqual", ["any", "any"], deepEqual),

  // environment and network: none here
  env: fn("env", ["string"], () => ""),
  expandenv: fn("expandenv", ["string"], expandEnv),
  getHostByName: notSupported("getHostByName"),

  // paths
  base: fn("base", ["string"], pathBase),
  dir: fn("dir", ["string"], pathDir),
  clean: fn("clean", ["string"], pathClean),
  ext: fn("ext", ["string"], pathExt),
  isAbs: fn("isAbs", ["string"], (p: string) => p.startsWith("/")),
  osBase: fn("osBase", ["string"], pathBase),
  osClean: fn("osClean", ["string"], pathClean),
  osDir: fn("osDir", ["string"], pathDir),
  osExt: fn("osExt", ["string"], pathExt),
  osIsAbs: fn("osIsAbs", ["string"], (p: string) => p.startsWith("/")),

  // encodings
  b64enc: fn("b64enc", ["string"], (s: string) => Buffer.from(s, "utf8").toString("base64")),
  b64dec: fn("b64dec", ["string"], (s: string) => {
    if (!/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
      const bad = s.search(/[^A-Za-z0-9+/=]/);
      return `illegal base64 data at input byte ${bad >= 0 ? bad : Math.max(0, s.length - (s.length % 4 || 4))}`;
    }
    return goDecode(Buffer.from(s, "base64"));
  }),
  b32enc: fn("b32enc", ["string"], (s: string) => base32Encode(Buffer.from(s, "utf8"))),
  b32dec: fn("b32dec", ["string"], (s: string) => base32Decode(s)),

  // dicts
  tuple: fn("tuple", ["...any"], (...xs: unknown[]) => xs),
  list: fn("list", ["...any"], (...xs: unknown[]) => xs),
  dict: fn("dict", ["...any"], (...xs: unknown[]) => {
    const d: Record<string, unknown> = {};
    for (let i = 0; i < xs.length; i += 2) {
      const k = strval(xs[i]);
      setKey(d, k, i + 1 >= xs.length ? "" : xs[i + 1]);
    }
    return d;
  }),
  get: fn("get", ["map", "string"], (d: Record<string, unknown> | null, k: string) => (d !== null && Object.prototype.hasOwnProperty.call(d, k) && d[k] !== undefined ? d[k] : "")),
  set: fn("set", ["map", "string", "any"], (d: Record<string, unknown> | null, k: string, v: unknown) => {
    if (d === null) throw new Error("assignment to entry in nil map");
    setKey(d, k, v);
    return d;
  }),
  unset: fn("unset", ["map", "string"], (d: Record<string, unknown> | null, k: string) => {
    if (d !== null) delete d[k];
    return d;
  }),
  hasKey: fn("hasKey", ["map", "string"], (d: Record<string, unknown> | null, k: string) => d !== null && Object.prototype.hasOwnProperty.call(d, k) && d[k] !== undefined),
  pluck: fn("pluck", ["string", "...map"], (k: string, ...ds: (Record<string, unknown> | null)[]) => {
    const res: unknown[] = [];
    for (const d of ds) if (d !== null && Object.prototype.hasOwnProperty.call(d, k) && d[k] !== undefined) res.push(d[k]);
    return res;
  }),
  keys: fn("keys", ["...map"], (...ds: (Record<string, unknown> | null)[]) => {
    const res: string[] = [];
    for (const d of ds) if (d !== null) res.push(...sortedKeys(d));
    return res;
  }),
  pick: fn("pick", ["map", "...string"], (d: Record<string, unknown> | null, ...ks: string[]) => {
    const res: Record<string, unknown> = {};
    if (d !== null) for (const k of ks) if (Object.prototype.hasOwnProperty.call(d, k) && d[k] !== undefined) setKey(res, k, d[k]);
    return res;
  }),
  omit: fn("omit", ["map", "...string"], (d: Record<string, unknown> | null, ...ks: string[]) => {
    const res: Record<string, unknown> = {};
    const drop = new Set(ks);
    if (d !== null) for (const k of sortedKeys(d)) if (!drop.has(k)) setKey(res, k, d[k]);
    return res;
  }),
  merge: fn("merge", ["map", "...map"], (dst: Record<string, unknown> | null, ...srcs: unknown[]) => {
    const d = dst ?? {};
    for (const s of pickMaps("merge", srcs)) mergeInto(d, s, false);
    return d;
  }),
  mergeOverwrite: fn("mergeOverwrite", ["map", "...map"], (dst: Record<string, unknown> | null, ...srcs: unknown[]) => {
    const d = dst ?? {};
    for (const s of pickMaps("mergeOverwrite", srcs)) mergeInto(d, s, true);
    return d;
  }),
  mustMerge: fn("mustMerge", ["map", "...map"], (dst: Record<string, unknown> | null, ...srcs: unknown[]) => {
    const d = dst ?? {};
    for (const s of pickMaps("mustMerge", srcs)) mergeInto(d, s, false);
    return d;
  }),
  mustMergeOverwrite: fn("mustMergeOverwrite", ["map", "...map"], (dst: Record<string, unknown> | null, ...srcs: unknown[]) => {
    const d = dst ?? {};
    for (const s of pickMaps("mustMergeOverwrite", srcs)) mergeInto(d, s, true);
    return d;
  }),
  values: fn("values", ["map"], (d: Record<string, unknown> | null) => (d === null ? [] : sortedKeys(d).map((k) => d[k]))),
  dig: (...ps: unknown[]) => {
    if (ps.length < 3) throw new Error("dig needs at least three arguments");
    let dict = ps[ps.length - 1];
    const def = ps[ps.length - 2];
    const conv = (v: unknown, want: string) => `interface conversion: interface {} is ${isNil(v) ? "nil" : typeName(v)}, not ${want}`;
    if (!isMap(dict)) throw new Error(conv(dict, "map[string]interface {}"));
    const ks = ps.slice(0, -2);
    for (const k of ks) if (typeof k !== "string") throw new Error(conv(k, "string"));
    for (const k of ks as string[]) {
      if (!isMap(dict)) throw new Error(conv(dict, "map[string]interface {}"));
      if (!Object.prototype.hasOwnProperty.call(dict, k) || dict[k] === undefined) return def;
      dict = dict[k];
    }
    return dict;
  },

  // lists
  append: fn("append", ["any", "any"], (l: unknown, v: unknown) => [...listOf("append", l, "push"), v]),
  push: fn("push", ["any", "any"], (l: unknown, v: unknown) => [...listOf("push", l, "push"), v]),
  mustAppend: fn("mustAppend", ["any", "any"], (l: unknown, v: unknown) => [...listOf("mustAppend", l, "push"), v]),
  mustPush: fn("mustPush", ["any", "any"], (l: unknown, v: unknown) => [...listOf("mustPush", l, "push"), v]),
  prepend: fn("prepend", ["any", "any"], (l: unknown, v: unknown) => [v, ...listOf("prepend", l, "prepend")]),
  mustPrepend: fn("mustPrepend", ["any", "any"], (l: unknown, v: unknown) => [v, ...listOf("mustPrepend", l, "prepend")]),
  first: listFn("first", "find first", (l) => (l.length === 0 ? null : l[0])),
  mustFirst: listFn("mustFirst", "find first", (l) => (l.length === 0 ? null : l[0])),
  rest: listFn("rest", "find rest", (l) => l.slice(1)),
  mustRest: listFn("mustRest", "find rest", (l) => l.slice(1)),
  last: listFn("last", "find last", (l) => (l.length === 0 ? null : l[l.length - 1])),
  mustLast: listFn("mustLast", "find last", (l) => (l.length === 0 ? null : l[l.length - 1])),
  initial: listFn("initial", "find initial", (l) => l.slice(0, -1)),
  mustInitial: listFn("mustInitial", "find initial", (l) => l.slice(0, -1)),
  reverse: listFn("reverse", "find reverse", (l) => [...l].reverse()),
  mustReverse: listFn("mustReverse", "find reverse", (l) => [...l].reverse()),
  uniq: listFn("uniq", "find uniq", uniq),
  mustUniq: listFn("mustUniq", "find uniq", uniq),
  without: fn("without", ["any", "...any"], (l: unknown, ...omit: unknown[]) => {
    return listOf("without", l, "find without").filter((x) => !omit.some((o) => deepEqual(o, x)));
  }),
  mustWithout: fn("mustWithout", ["any", "...any"], (l: unknown, ...omit: unknown[]) => listOf("mustWithout", l, "find without").filter((x) => !omit.some((o) => deepEqual(o, x)))),
  has: fn("has", ["any", "any"], (needle: unknown, hay: unknown) => {
    if (isNil(hay)) return false;
    if (!Array.isArray(hay)) throw new Error(`Cannot find has on type ${kindName(hay)}`);
    return hay.some((x) => deepEqual(needle, x));
  }),
  mustHas: fn("mustHas", ["any", "any"], (needle: unknown, hay: unknown) => {
    if (isNil(hay)) return false;
    if (!Array.isArray(hay)) throw new Error(`Cannot find has on type ${kindName(hay)}`);
    return hay.some((x) => deepEqual(needle, x));
  }),
  slice: fn("slice", ["any", "...any"], sprigSlice),
  mustSlice: fn("mustSlice", ["any", "...any"], sprigSlice),
  concat: fn("concat", ["...any"], (...ls: unknown[]) => {
    const res: unknown[] = [];
    for (const l of ls) {
      if (isNil(l)) throw new Error(NIL_DEREF);
      if (!Array.isArray(l)) throw new Error(`Cannot concat type ${kindName(l)} as list`);
      res.push(...l);
    }
    return res;
  }),
  chunk: fn("chunk", ["int", "any"], chunk),
  mustChunk: fn("mustChunk", ["int", "any"], chunk),

  // crypto material: not here
  bcrypt: notSupported("bcrypt"),
  htpasswd: notSupported("htpasswd"),
  genPrivateKey: notSupported("genPrivateKey"),
  derivePassword: notSupported("derivePassword"),
  buildCustomCert: notSupported("buildCustomCert"),
  genCA: notSupported("genCA"),
  genCAWithKey: notSupported("genCAWithKey"),
  genSelfSignedCert: notSupported("genSelfSignedCert"),
  genSelfSignedCertWithKey: notSupported("genSelfSignedCertWithKey"),
  genSignedCert: notSupported("genSignedCert"),
  genSignedCertWithKey: notSupported("genSignedCertWithKey"),
  encryptAES: notSupported("encryptAES"),
  decryptAES: notSupported("decryptAES"),
  randBytes: fn("randBytes", ["int"], (n: number) => randomBytes(Math.max(0, n)).toString("base64")),
  uuidv4: fn("uuidv4", [], () => randomUUID()),

  // semver
  semver: fn("semver", ["string"], semverObject),
  semverCompare: fn("semverCompare", ["string", "string"], semverCompare),

  fail: fn("fail", ["string"], (msg: string) => {
    throw new Error(msg);
  }),

  // regular expressions (RE2)
  regexMatch: fn("regexMatch", ["string", "string"], (re: string, s: string) => {
    try {
      return findAll(compileRe(re), s, 1).length > 0;
    } catch {
      return false;
    }
  }),
  mustRegexMatch: fn("mustRegexMatch", ["string", "string"], (re: string, s: string) => findAll(compileRe(re), s, 1).length > 0),
  regexFindAll: fn("regexFindAll", ["string", "string", "int"], (re: string, s: string, n: number) => {
    return findAll(compileRe(re, true), s, n).map((m) => s.slice(m[0], m[1]));
  }),
  mustRegexFindAll: fn("mustRegexFindAll", ["string", "string", "int"], (re: string, s: string, n: number) => {
    return findAll(compileRe(re), s, n).map((m) => s.slice(m[0], m[1]));
  }),
  regexFind: fn("regexFind", ["string", "string"], (re: string, s: string) => {
    const m = findAll(compileRe(re, true), s, 1)[0];
    return m ? s.slice(m[0], m[1]) : "";
  }),
  mustRegexFind: fn("mustRegexFind", ["string", "string"], (re: string, s: string) => {
    const m = findAll(compileRe(re), s, 1)[0];
    return m ? s.slice(m[0], m[1]) : "";
  }),
  regexReplaceAll: fn("regexReplaceAll", ["string", "string", "string"], (re: string, s: string, repl: string) => regexReplace(re, s, repl, false)),
  mustRegexReplaceAll: fn("mustRegexReplaceAll", ["string", "string", "string"], (re: string, s: string, repl: string) => regexReplace(re, s, repl, false, false)),
  regexReplaceAllLiteral: fn("regexReplaceAllLiteral", ["string", "string", "string"], (re: string, s: string, repl: string) => regexReplace(re, s, repl, true)),
  mustRegexReplaceAllLiteral: fn("mustRegexReplaceAllLiteral", ["string", "string", "string"], (re: string, s: string, repl: string) => regexReplace(re, s, repl, true, false)),
  regexSplit: fn("regexSplit", ["string", "string", "int"], (re: string, s: string, n: number) => regexSplit(re, s, n, true)),
  mustRegexSplit: fn("mustRegexSplit", ["string", "string", "int"], (re: string, s: string, n: number) => regexSplit(re, s, n, false)),
  regexQuoteMeta: fn("regexQuoteMeta", ["string"], (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")),

  urlParse: fn("urlParse", ["string"], urlParse),
  urlJoin: fn("urlJoin", ["map"], urlJoin),
};

sprig.date_in_zone = sprig.dateInZone!;

function uniq(l: unknown[]): unknown[] {
  const dest: unknown[] = [];
  for (const x of l) if (!dest.some((d) => deepEqual(d, x))) dest.push(x);
  return dest;
}

function sprigSlice(l: unknown, ...idx: unknown[]): unknown {
  if (isNil(l)) throw new Error("runtime error: invalid memory address or nil pointer dereference");
  if (!Array.isArray(l)) throw new Error(`list should be type of slice or array but ${kindName(l)}`);
  if (l.length === 0) return null;
  const start = idx.length > 0 ? toInt64(idx[0]) : 0;
  const end = idx.length < 2 ? l.length : toInt64(idx[1]);
  if (start < 0 || end > l.length || start > end) throw new Error("reflect.Value.Slice: slice index out of bounds");
  return l.slice(start, end);
}

function chunk(size: number, l: unknown): unknown[][] {
  if (isNil(l)) throw new Error(NIL_DEREF);
  if (!Array.isArray(l)) throw new Error(`Cannot chunk type ${kindName(l)}`);
  const xs = l;
  if (size <= 0) throw new Error("runtime error: integer divide by zero");
  const out: unknown[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));

  return out;
}

function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const cps = Array.from(s);
    if (n < 0 || n >= cps.length) return cps;
    return [...cps.slice(0, n - 1), cps.slice(n - 1).join("")];
  }
  if (n < 0) return s.split(sep);
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

function goReplaceAll(s: string, old: string, nw: string): string {
  if (old === "") {
    // Go inserts at every rune boundary
    const cps = Array.from(s);
    return nw + cps.map((c) => c + nw).join("");
  }
  return s.split(old).join(nw);
}

function randomString(n: number, alphabet: string): string {
  if (n < 0) throw new Error("count must be non-negative");
  let out = "";
  const bytes = randomBytes(n * 2);
  for (let i = 0; i < n; i++) out += alphabet[bytes.readUInt16BE(i * 2) % alphabet.length];
  return out;
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32Encode(buf: Buffer): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}
function base32Decode(s: string): string {
  const clean = s.replace(/=+$/, "");
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (let i = 0; i < clean.length; i++) {
    const idx = B32.indexOf(clean[i]!);
    if (idx < 0) return `illegal base32 data at input byte ${i}`;
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return goDecode(Buffer.from(out));
}

/** Sprig's TxtFuncMap functions. */
// Functions that print or test a float64 out of JSON data as Go does (strval, empty): they get it as a GoFloat.
for (const name of ["toString", "quote", "squote", "cat", "default", "empty", "coalesce", "all", "any", "typeOf", "kindOf", "typeIs", "kindIs"]) {
  const f = sprig[name];
  if (typeof f === "function") floatAware(f);
}
export const sprigFuncs: FuncMap = sprig;
