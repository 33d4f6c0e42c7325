// The JS <-> Go value model shared by the executor, fmt and the function libraries.
//
//   null / undefined      Go nil (an interface holding nothing)
//   boolean, string       bool, string
//   number                int when an integer (|n| < 1e21), float64 otherwise
//   array                 []interface{}
//   plain object          map[string]interface{} (missing key: "no value")
//   goStruct(object)      a struct (missing field: zero value, nil)
//   function              a method when found as a field; a func value otherwise
//   NO_VALUE              the executor's invalid reflect.Value ("<no value>"); never reaches a function

//   GoFloat               a float64 read out of JSON data (goJsonData): prints as Go's %v of a float64 (1e+06)
//
// JSON data that Go decodes into interface{} (encoding/json) holds float64 numbers only. goJsonData marks its maps
// and lists (deeply, non-enumerable): a number read out of them (a field, `index`, `range`) is a GoFloat on the
// executor's side; functions other than Go's printing builtins get it back as a plain number.

export const NO_VALUE: unique symbol = Symbol("gotemplate.noValue");

const GO_FLOATS = Symbol.for("gotemplate.float64Numbers");

/** A float64 out of JSON data (see goJsonData). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** Marks JSON data (plain maps and lists, deeply) as Go's encoding/json decodes it into interface{}: numbers are float64. */
export function goJsonData<T>(v: T): T {
  if (typeof v !== "object" || v === null || (v as Record<symbol, unknown>)[GO_FLOATS] !== undefined) return v;
  if (!Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype) return v;
  Object.defineProperty(v, GO_FLOATS, { value: true, enumerable: false, configurable: true, writable: true });
  for (const x of Array.isArray(v) ? v : Object.values(v)) goJsonData(x);
  return v;
}

/** Whether a map or list holds float64 numbers (goJsonData). */
export function holdsFloats(container: unknown): boolean {
  return typeof container === "object" && container !== null && (container as Record<symbol, unknown>)[GO_FLOATS] === true;
}

/** An element read out of `container`: a GoFloat when it is a number of JSON data. */
export function floatIn(container: unknown, v: unknown): unknown {
  return typeof v === "number" && holdsFloats(container) ? new GoFloat(v) : v;
}

/** A plain number for a GoFloat; anything else as it is. */
export function unFloat(v: unknown): unknown {
  return v instanceof GoFloat ? v.value : v;
}
export type NoValue = typeof NO_VALUE;

const GO_STRUCT = Symbol.for("gotemplate.struct");
const GO_MAP_ZERO = Symbol.for("gotemplate.mapZero");

/** Marks a JS object as a Go struct: a missing field reads as nil instead of "no value". Returns the object. */
export function goStruct<T extends object>(o: T, typeName = "struct"): T {
  Object.defineProperty(o, GO_STRUCT, { value: typeName, enumerable: false, configurable: true, writable: true });
  return o;
}

/**
 * Marks a JS object as a typed Go map (e.g. map[string]string) whose missing keys read as `zero` through
 * `index` (Go returns the element type's zero value there). Returns the object.
 */
export function goMap<T extends object>(o: T, zero: unknown): T {
  Object.defineProperty(o, GO_MAP_ZERO, { value: zero, enumerable: false, configurable: true, writable: true });
  return o;
}

export function isStruct(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[GO_STRUCT] !== undefined;
}

export function structTypeName(v: object): string {
  return String((v as Record<symbol, unknown>)[GO_STRUCT]);
}

export function mapZero(v: object): unknown {
  const z = (v as Record<symbol, unknown>)[GO_MAP_ZERO];
  return z === undefined ? null : z;
}

/** A Go map: any non-array, non-struct object. */
export function isMap(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<symbol, unknown>)[GO_STRUCT] === undefined && !(v instanceof Date) && !ArrayBuffer.isView(v) && !(v instanceof GoFloat)
  );
}

export function isNil(v: unknown): v is null | undefined | NoValue {
  return v === null || v === undefined || v === NO_VALUE;
}

export function isInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 1e21 && !Object.is(n, -0);
}

/** Go's type name of a value, as %T and error messages print it. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined || v === NO_VALUE) return "<nil>";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return isInt(v) ? "int" : "float64";
    case "bigint":
      return "int64";
    case "string":
      return "string";
    case "function":
      return "func(...interface {}) interface {}";
    case "object":
      if (v instanceof GoFloat) return "float64";
      if (Array.isArray(v)) return "[]interface {}";
      if (v instanceof Date) return "time.Time";
      if (v instanceof Uint8Array) return "[]uint8";
      if (isStruct(v)) return structTypeName(v);
      return "map[string]interface {}";
  }
  return "interface {}";
}

/** Go's reflect.Kind name, as sprig's kindOf prints it. */
export function kindName(v: unknown): string {
  if (v === null || v === undefined || v === NO_VALUE) return "invalid";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return isInt(v) ? "int" : "float64";
    case "bigint":
      return "int64";
    case "string":
      return "string";
    case "function":
      return "func";
    case "object":
      if (v instanceof GoFloat) return "float64";
      if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
      if (v instanceof Date || isStruct(v)) return "struct";
      return "map";
  }
  return "invalid";
}

/** Go's template.IsTrue. */
export function isTrue(v: unknown): boolean {
  if (v === null || v === undefined || v === NO_VALUE) return false;
  switch (typeof v) {
    case "boolean":
      return v;
    case "number":
      return v !== 0;
    case "string":
      return v.length > 0;
    case "object":
      if (v instanceof GoFloat) return v.value !== 0;
      if (Array.isArray(v)) return v.length > 0;
      if (isStruct(v) || v instanceof Date) return true;
      if (ArrayBuffer.isView(v)) return (v as Uint8Array).length > 0;
      for (const k in v) if ((v as Record<string, unknown>)[k] !== undefined) return true;
      return false;
  }
  return true;
}

/** Own keys of a map that hold a value (undefined counts as absent), sorted like Go's fmt/range do. */
export function sortedKeys(m: Record<string, unknown>): string[] {
  const ks: string[] = [];
  for (const k of Object.keys(m)) if (m[k] !== undefined) ks.push(k);
  return ks.sort(compareStrings);
}

/** Byte-wise (UTF-8) string order, as Go compares strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // surrogates (astral code points) sort above the BMP in UTF-8
      const xs = x >= 0xd800 && x < 0xe000;
      const ys = y >= 0xd800 && y < 0xe000;
      if (xs !== ys) return xs ? (y >= 0xe000 ? -1 : 1) : x >= 0xe000 ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** Number of UTF-8 bytes of a string (Go's len). */
export function byteLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Whether every char is ASCII (then byte offsets equal JS string offsets). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** UTF-8 bytes to a string as Go reads them: each byte of an invalid or cut sequence is one U+FFFD. */
export function goDecode(buf: Uint8Array): string {
  let out = "";
  let start = 0;
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len = 0;
    let min = 0;
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      min = 0x10000;
    }
    let ok = len > 0 && i + len <= n;
    if (ok) {
      let cp = b & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
      for (let k = 1; k < len; k++) {
        const c = buf[i + k]!;
        if ((c & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (c & 0x3f);
      }
      if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))) ok = false;
    }
    if (ok) {
      i += len;
      continue;
    }
    out += Buffer.from(buf.subarray(start, i)).toString("utf8") + "\ufffd";
    i++;
    start = i;
  }
  return out + Buffer.from(buf.subarray(start, n)).toString("utf8");
}
