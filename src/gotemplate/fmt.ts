// Go's fmt (Sprintf, Sprint, Sprintln) over the value model in value.ts, for the verbs templates use.

import { floatIn, GoFloat, isInt, isMap, isStruct, NO_VALUE, sortedKeys, typeName } from "./value.js";

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

const noFlags = (): Flags => ({ plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false });
const PLAIN: Flags = noFlags();

// ---------- %v ----------

/** fmt.Sprint of one value (what a template action prints). */
export function formatValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return isInt(v) ? (v === 0 ? "0" : String(v)) : fmtFloat(v, "g", -1, PLAIN);
  if (v instanceof GoFloat) return fmtFloat(v.value, "g", -1, PLAIN);
  return printArg(v, "v", PLAIN);
}

function padString(s: string, f: Flags): string {
  if (!f.widPresent) return s;
  const n = runeCount(s);
  if (n >= f.wid) return s;
  const fill = (f.zero && !f.minus ? "0" : " ").repeat(f.wid - n);
  return f.minus ? s + fill : fill + s;
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c >= 0xdc00) n++;
  }
  return n;
}

function printArg(arg: unknown, verb: string, f: Flags, depth = 0): string {
  if (arg === null || arg === undefined || arg === NO_VALUE) {
    // a nil inside a slice, map or struct prints as <nil> whatever the verb
    if (depth > 0) return padString("<nil>", f);
    switch (verb) {
      case "T":
      case "v":
        return padString("<nil>", f);
      default:
        return badVerb(verb, arg, f);
    }
  }
  if (verb === "T") return padString(truncate(typeName(arg), f), f);
  if (arg instanceof GoFloat) return "vbgGxXeEfF".includes(verb) ? fmtFloatVerb(arg.value, verb, f) : badVerb(verb, arg, f);
  if (verb === "p") {
    // addresses exist for slices, maps and funcs only (and are not reproducible)
    if (Array.isArray(arg) || typeof arg === "function" || isMap(arg)) return padString("0xc000010000", f);
    return badVerb(verb, arg, f);
  }
  switch (typeof arg) {
    case "boolean":
      if (verb === "t" || verb === "v") return padString(arg ? "true" : "false", f);
      return badVerb(verb, arg, f);
    case "number":
      if (isInt(arg)) return fmtIntVerb(arg, verb, f);
      return fmtFloatVerb(arg, verb, f);
    case "bigint":
      return fmtIntVerb(Number(arg), verb, f);
    case "string":
      return fmtStringVerb(arg, verb, f);
    case "function":
      if (verb === "v") return padString("0x4d2c40", f);
      return badVerb(verb, arg, f);
  }
  if (Array.isArray(arg)) {
    if (f.sharpV) return "[]interface {}{" + arg.map((e) => printArg(floatIn(arg, e), verb, f, depth + 1)).join(", ") + "}";
    return "[" + arg.map((e) => printArg(floatIn(arg, e), verb, f, depth + 1)).join(" ") + "]";
  }
  if (arg instanceof Uint8Array) {
    if (verb === "s" || verb === "q" || verb === "x" || verb === "X") return fmtStringVerb(Buffer.from(arg).toString("latin1"), verb, f);
    return "[" + Array.from(arg, (e) => printArg(e, verb, f, depth + 1)).join(" ") + "]";
  }
  if (arg instanceof Date) return padString(goTimeString(arg), f);
  if (isStruct(arg)) {
    if (typeof arg.String === "function" && !f.sharpV && (verb === "v" || verb === "s" || verb === "q" || verb === "x" || verb === "X")) {
      return printArg(String((arg.String as () => unknown)()), verb, f);
    }
    const ks = Object.keys(arg).filter((k) => typeof arg[k] !== "function");
    if (f.sharpV) return typeName(arg) + "{" + ks.map((k) => `${k}:${printArg(arg[k], verb, f, depth + 1)}`).join(", ") + "}";
    return "{" + ks.map((k) => (f.plusV ? `${k}:` : "") + printArg(arg[k] === undefined ? null : arg[k], verb, f, depth + 1)).join(" ") + "}";
  }
  if (isMap(arg)) {
    const ks = sortedKeys(arg);
    if (f.sharpV) return "map[string]interface {}{" + ks.map((k) => `${printArg(k, verb, f, depth + 1)}:${printArg(floatIn(arg, arg[k]), verb, f, depth + 1)}`).join(", ") + "}";
    return "map[" + ks.map((k) => `${printArg(k, verb, f, depth + 1)}:${printArg(floatIn(arg, arg[k]), verb, f, depth + 1)}`).join(" ") + "]";
  }
  return padString(String(arg), f);
}

/** Go's %!verb(type=value): the value printed with %v under the same flags. */
function badVerb(verb: string, arg: unknown, f: Flags): string {
  if (arg === null || arg === undefined || arg === NO_VALUE) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${printArg(arg, "v", f)})`;
}

// ---------- integers ----------

function fmtIntVerb(v: number, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
      if (f.sharpV) return fmtInteger(v, 10, "d", f, false);
      return fmtInteger(v, 10, "d", f, false);
    case "d":
      return fmtInteger(v, 10, "d", f, false);
    case "b":
      return fmtInteger(v, 2, "b", f, false);
    case "o":
    case "O":
      return fmtInteger(v, 8, verb, f, false);
    case "x":
      return fmtInteger(v, 16, "x", f, false);
    case "X":
      return fmtInteger(v, 16, "X", f, true);
    case "c":
      return padString(safeFromCodePoint(v), f);
    case "q":
      return padString(quoteRune(v, f), f);
    case "U": {
      const hex = v < 0 ? BigInt.asUintN(64, BigInt(v)).toString(16).toUpperCase() : v.toString(16).toUpperCase();
      let s = "U+" + hex.padStart(f.precPresent && f.prec > 4 ? f.prec : 4, "0");
      if (f.sharp && v >= 0 && v <= 0x10ffff && isPrintRune(v)) s += ` '${String.fromCodePoint(v)}'`;
      return padString(s, { ...f, zero: false });
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      // a JS number does not say whether it was a float: whole numbers take float verbs as float64 would
      return fmtFloatVerb(v, verb, f);
    default:
      return badVerb(verb, v, f);
  }
}

function safeFromCodePoint(v: number): string {
  if (v < 0 || v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return "\ufffd";
  return String.fromCodePoint(v);
}

function fmtInteger(v: number, base: number, verb: string, f: Flags, upper: boolean): string {
  const neg = v < 0;
  let digits = (neg ? -v : v).toString(base);
  if (upper) digits = digits.toUpperCase();
  let prec = -1;
  if (f.precPresent) {
    prec = f.prec;
    if (prec === 0 && v === 0) return padString("", { ...f, zero: false });
  } else if (f.zero && !f.minus && f.widPresent) {
    // zero padding is a precision: the sign counts, a 0x prefix does not (Go's fmtInteger)
    prec = f.wid;
    if (neg || f.plus || f.space) prec--;
  }
  if (prec > digits.length) digits = "0".repeat(prec - digits.length) + digits;
  let prefix = "";
  if (f.sharp) {
    if (base === 2) prefix = "0b";
    else if (base === 8 && digits[0] !== "0") prefix = "0";
    else if (base === 16) prefix = upper ? "0X" : "0x";
  }
  if (verb === "O") prefix = "0o" + prefix;
  const sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  return padString(sign + prefix + digits, { ...f, zero: false });
}

// ---------- floats ----------

function fmtFloatVerb(v: number, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
      return fmtFloat(v, "g", -1, f);
    case "b":
    case "g":
    case "G":
    case "x":
    case "X":
      return fmtFloat(v, verb, -1, f);
    case "e":
    case "E":
    case "f":
      return fmtFloat(v, verb, 6, f);
    case "F":
      return fmtFloat(v, "f", 6, f);
    default:
      return badVerb(verb, v, f);
  }
}

/** The IEEE-754 fields of a finite positive double: 53-bit mantissa (with the implicit bit) and binary exponent. */
function floatBits(abs: number): { mant: bigint; exp: number; subnormal: boolean } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, abs);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e === 0) return { mant: frac, exp: -1022, subnormal: true };
  return { mant: frac | (1n << 52n), exp: e - 1023, subnormal: false };
}

/** strconv 'x' format of |v|: 0x1.8p+00, with prec hex digits after the point (-1: as many as needed). */
function hexFloatDigits(abs: number, prec: number, upper: boolean): string {
  let out: string;
  if (abs === 0) {
    out = "0x0" + (prec > 0 ? "." + "0".repeat(prec) : "") + "p+00";
  } else {
    let { mant, exp: e } = floatBits(abs);
    // normalize subnormals so the leading bit is bit 52
    while ((mant & (1n << 52n)) === 0n) {
      mant <<= 1n;
      e--;
    }
    let lead = 1n;
    let fs: string;
    if (prec >= 0 && prec < 13) {
      const shift = BigInt(4 * (13 - prec));
      let q = mant >> shift;
      const rem = mant & ((1n << shift) - 1n);
      const half = 1n << (shift - 1n);
      if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
      const fracBits = BigInt(4 * prec);
      lead = q >> fracBits;
      let frac = q & ((1n << fracBits) - 1n);
      if (lead >= 2n) {
        lead = 1n;
        frac >>= 1n;
        e++;
      }
      fs = prec > 0 ? frac.toString(16).padStart(prec, "0") : "";
    } else {
      fs = (mant & ((1n << 52n) - 1n)).toString(16).padStart(13, "0");
      if (prec < 0) fs = fs.replace(/0+$/, "");
      else fs += "0".repeat(prec - 13);
    }
    const ae = Math.abs(e);
    out = "0x" + lead.toString(16) + (fs ? "." + fs : "") + "p" + (e < 0 ? "-" : "+") + (ae < 10 ? "0" + ae : String(ae));
  }
  return upper ? out.toUpperCase() : out;
}

/** strconv 'b' format of |v|: integer mantissa "p" binary exponent, as 6755399441055744p-52. */
function binaryFloatDigits(abs: number): string {
  const { mant, exp } = floatBits(abs);
  const e = exp - 52;
  return `${mant}p${e < 0 ? "-" : "+"}${Math.abs(e)}`;
}

/** Exact-ish decimal expansion of a finite positive double: 101 significant digits and the exponent. */
function exactDigits(abs: number): { d: string; exp: number } {
  const s = abs.toExponential(100);
  const ei = s.indexOf("e");
  return { d: s.slice(0, ei).replace(".", ""), exp: parseInt(s.slice(ei + 1), 10) };
}

/** Rounds a digit string to n digits, half to even (Go's strconv on exact ties); returns digits and carry. */
function roundTo(d: string, n: number): { d: string; carry: boolean } {
  if (n >= d.length) return { d, carry: false };
  if (n < 0) return { d: "", carry: false };
  const next = d.charCodeAt(n) - 48;
  let up = next > 5;
  if (next === 5) {
    const rest = d.slice(n + 1);
    if (/[1-9]/.test(rest)) up = true;
    else up = n > 0 ? (d.charCodeAt(n - 1) - 48) % 2 === 1 : false;
  }
  let head = d.slice(0, n);
  if (!up) return { d: head, carry: false };
  const digits = head.split("").map((c) => c.charCodeAt(0) - 48);
  let i = digits.length - 1;
  while (i >= 0) {
    if (digits[i]! < 9) {
      digits[i]!++;
      break;
    }
    digits[i] = 0;
    i--;
  }
  head = digits.join("");
  if (i < 0) return { d: "1" + head, carry: true };
  return { d: head, carry: false };
}

/** Decimal digits (no trailing zeros, at least "0") and decimal point position: v = 0.DIGITS * 10^dp. */
function decimalDigits(abs: number, sig: number): { d: string; dp: number } {
  if (abs === 0) return { d: "0", dp: 1 };
  let d: string;
  let exp: number;
  if (sig < 0) {
    const s = abs.toExponential();
    const ei = s.indexOf("e");
    d = s.slice(0, ei).replace(".", "");
    exp = parseInt(s.slice(ei + 1), 10);
  } else {
    const x = exactDigits(abs);
    const r = roundTo(x.d, Math.max(sig, 0));
    d = r.d;
    exp = x.exp + (r.carry ? 1 : 0);
    if (r.carry) d = d.slice(0, Math.max(sig, 1));
  }
  d = d.replace(/0+$/, "");
  if (d === "") return { d: "0", dp: exp + 1 };
  return { d, dp: exp + 1 };
}

/** Digits for %f with prec digits after the point. */
function fixedDigits(abs: number, prec: number): string {
  if (abs === 0) return fmtF("0", 1, prec);
  const x = exactDigits(abs);
  const dp = x.exp + 1;
  const n = dp + prec;
  if (n < 0) return fmtF("0", 1, prec);
  const r = roundTo(x.d, n);
  let d = r.d;
  let ndp = dp;
  if (r.carry) ndp++;
  if (d === "") d = "0";
  if (n === 0 && !r.carry) return fmtF("0", 1, prec);
  return fmtF(d, ndp, prec);
}

function fmtE(d: string, dp: number, prec: number, e: string): string {
  let s = d[0]!;
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += i < d.length ? d[i] : "0";
  }
  const exp = d === "0" ? 0 : dp - 1;
  const ae = Math.abs(exp);
  return s + e + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" + ae : String(ae));
}

function fmtF(d: string, dp: number, prec: number): string {
  let s = "";
  if (dp > 0) {
    for (let i = 0; i < dp; i++) s += i < d.length ? d[i] : "0";
  } else s = "0";
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) {
      const j = dp + i;
      s += j >= 0 && j < d.length ? d[j] : "0";
    }
  }
  return s;
}

/** Go's fmt.fmtFloat: verb as strconv takes it (g for %v), defPrec the default precision (-1: shortest). */
export function fmtFloat(v: number, verb: string, defPrec: number, f: Flags): string {
  let prec = f.precPresent ? f.prec : defPrec;
  let num: string;
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  if (Number.isNaN(v)) num = "NaN";
  else if (!Number.isFinite(v)) num = "Inf";
  else {
    switch (verb) {
      case "f":
        num = fixedDigits(abs, prec);
        break;
      case "e":
      case "E": {
        if (prec < 0) {
          const { d, dp } = decimalDigits(abs, -1);
          num = fmtE(d, dp, d.length - 1, verb);
        } else {
          const { d, dp } = decimalDigits(abs, prec + 1);
          num = fmtE(d, dp, prec, verb);
        }
        break;
      }
      case "x":
      case "X":
        num = hexFloatDigits(abs, prec, verb === "X");
        break;
      case "b":
        num = binaryFloatDigits(abs);
        break;
      default: {
        // g / G
        const shortest = prec < 0;
        if (prec === 0) prec = 1;
        const { d, dp } = decimalDigits(abs, shortest ? -1 : prec);
        const nd = d.length;
        let eprec = prec;
        if (shortest) {
          prec = nd;
          eprec = 6;
        } else if (eprec > nd && nd >= dp) eprec = nd;
        const exp = dp - 1;
        if (abs !== 0 && (exp < -4 || exp >= eprec)) {
          if (prec > nd) prec = nd;
          num = fmtE(d, dp, prec - 1, verb === "G" ? "E" : "e");
        } else {
          if (prec > dp) prec = nd;
          num = fmtF(d, abs === 0 ? 1 : dp, Math.max(prec - (abs === 0 ? 1 : dp), 0));
        }
      }
    }
  }
  if (num === "NaN" || num === "Inf") {
    let s = num === "NaN" ? "NaN" : (neg ? "-" : "+") + "Inf";
    if (num === "NaN" && (f.plus || f.space)) s = (f.plus ? "+" : " ") + s;
    else if (num === "Inf" && !neg && f.space && !f.plus) s = " Inf";
    return padString(s, { ...f, zero: false });
  }
  if (f.sharp && verb !== "b") {
    // Go's sharp flag: always a decimal point; %g/%v/%x keep trailing zeros up to the precision
    let digits = 0;
    if (verb === "g" || verb === "G" || verb === "x") digits = prec < 0 || !f.precPresent ? (f.precPresent ? f.prec : 6) : f.prec;
    if (verb === "g" && !f.precPresent) digits = 6;
    let tail = "";
    let body = num;
    const pi = body.search(verb === "x" || verb === "X" ? /[pP]/ : /[eEpP]/);
    if (pi >= 0) {
      tail = body.slice(pi);
      body = body.slice(0, pi);
    }
    let hasPoint = false;
    let saw = false;
    for (const c of body) {
      if (c === ".") {
        hasPoint = true;
        continue;
      }
      if (c !== "0") saw = true;
      if (saw) digits--;
    }
    if (!hasPoint) {
      if (body === "0") digits--;
      body += ".";
    }
    while (digits > 0) {
      body += "0";
      digits--;
    }
    num = body + tail;
  }
  const sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  if (f.zero && !f.minus && f.widPresent && f.wid > num.length + sign.length) {
    return sign + "0".repeat(f.wid - num.length - sign.length) + num;
  }
  return padString(sign + num, { ...f, zero: false });
}

// ---------- strings ----------

function fmtStringVerb(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
      if (f.sharpV) return padString(goQuote(truncate(s, f), false), f);
      return padString(truncate(s, f), f);
    case "s":
      return padString(truncate(s, f), f);
    case "q": {
      const t = truncate(s, f);
      if (f.sharp && canBackquote(t)) return padString("`" + t + "`", f);
      return padString(goQuote(t, f.plus), f);
    }
    case "x":
    case "X": {
      let bytes = Buffer.from(s, "utf8");
      if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
      let out = "";
      for (let i = 0; i < bytes.length; i++) {
        if (f.space && i > 0) out += " ";
        if (f.sharp && (f.space || i === 0)) out += verb === "x" ? "0x" : "0X";
        const h = bytes[i]!.toString(16).padStart(2, "0");
        out += verb === "X" ? h.toUpperCase() : h;
      }
      return padString(out, f);
    }
    default:
      return badVerb(verb, s, f);
  }
}

function truncate(s: string, f: Flags): string {
  if (!f.precPresent) return s;
  const cps = Array.from(s);
  return cps.length > f.prec ? cps.slice(0, f.prec).join("") : s;
}

function canBackquote(s: string): boolean {
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === "`" || c === "\ufeff") return false;
    if (cp < 0x20 && c !== "\t") return false;
    if (cp === 0x7f) return false;
  }
  return true;
}

const NOT_PRINT = /[\p{C}\p{Z}]/u;

/** Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrintRune(cp: number): boolean {
  if (cp >= 0x20 && cp < 0x7f) return true;
  if (cp < 0x20 || cp === 0x7f || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return false;
  return !NOT_PRINT.test(String.fromCodePoint(cp));
}


function escapeRune(cp: number, quote: string, asciiOnly: boolean): string {
  const c = String.fromCodePoint(cp);
  if (c === quote || c === "\\") return "\\" + c;
  if (asciiOnly ? cp < 0x7f && cp >= 0x20 : isPrintRune(cp)) return c;
  switch (cp) {
    case 7: return "\\a";
    case 8: return "\\b";
    case 12: return "\\f";
    case 10: return "\\n";
    case 13: return "\\r";
    case 9: return "\\t";
    case 11: return "\\v";
  }
  if (cp < 0x20 || cp === 0x7f) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp < 0x10000) return "\\u" + cp.toString(16).padStart(4, "0");
  return "\\U" + cp.toString(16).padStart(8, "0");
}

/** Go's strconv.Quote (or QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const cu = s.charCodeAt(i);
    if (cu >= 0x20 && cu < 0x7f && cu !== 0x22 && cu !== 0x5c) {
      out += s[i];
      continue;
    }
    let cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    else if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd; // lone surrogate
    out += escapeRune(cp, '"', asciiOnly);
  }
  return out + '"';
}

function quoteRune(v: number, f: Flags): string {
  const cp = v < 0 || v > 0x10ffff || (v >= 0xd800 && v < 0xe000) ? 0xfffd : v;
  return "'" + escapeRune(cp, "'", f.plus) + "'";
}

function goTimeString(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  let s = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  if (ms) s += "." + p(ms, 3).replace(/0+$/, "");
  return s + " +0000 UTC";
}

// ---------- Sprintf / Sprint / Sprintln ----------

/** Go's fmt.Sprintf. */
export function goPrintf(format: string, ...args: unknown[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  let afterIndex = false;
  const end = format.length;
  let i = 0;
  while (i < end) {
    const lasti = i;
    while (i < end && format.charCodeAt(i) !== 37 /* % */) i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++; // skip %
    const f = noFlags();
    // flags
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case "#": f.sharp = true; break;
        case "0": f.zero = true; break;
        case "+": f.plus = true; break;
        case "-": f.minus = true; break;
        case " ": f.space = true; break;
        default: break flags;
      }
    }
    // argument index
    const argIndex = (): void => {
      afterIndex = false;
      if (i >= end || format[i] !== "[") return;
      reordered = true;
      const close = format.indexOf("]", i);
      if (close < 0) {
        badArgNum = true;
        i = end;
        return;
      }
      const n = Number(format.slice(i + 1, close));
      if (!/^[0-9]+$/.test(format.slice(i + 1, close)) || n < 1 || n > args.length) {
        badArgNum = true;
        i = close + 1;
        return;
      }
      argNum = n - 1;
      i = close + 1;
      afterIndex = true;
    };
    let badArgNum = false;
    argIndex();
    // width
    if (i < end && format[i] === "*") {
      i++;
      if (argNum < args.length) {
        const w = args[argNum++];
        if (typeof w === "number" && Number.isInteger(w) && Math.abs(w) <= 1e6) {
          f.wid = w;
          f.widPresent = true;
          if (w < 0) {
            f.minus = true;
            f.wid = -w;
          }
        } else out += "%!(BADWIDTH)";
      } else out += "%!(BADWIDTH)";
      afterIndex = false;
    } else {
      const s = i;
      while (i < end && format[i]! >= "0" && format[i]! <= "9") i++;
      if (i > s) {
        f.wid = parseInt(format.slice(s, i), 10);
        f.widPresent = true;
        if (afterIndex) badArgNum = true;
      }
    }
    // precision
    if (i + 1 <= end && format[i] === ".") {
      i++;
      if (afterIndex) badArgNum = true;
      argIndex();
      if (i < end && format[i] === "*") {
        i++;
        if (argNum < args.length) {
          const p = args[argNum++];
          if (typeof p === "number" && Number.isInteger(p) && p >= 0 && p <= 1e6) {
            f.prec = p;
            f.precPresent = true;
          } else out += "%!(BADPREC)";
        } else out += "%!(BADPREC)";
        afterIndex = false;
      } else {
        const s = i;
        while (i < end && format[i]! >= "0" && format[i]! <= "9") i++;
        f.prec = i > s ? parseInt(format.slice(s, i), 10) : 0;
        f.precPresent = true;
      }
    }
    if (!afterIndex) argIndex();
    if (i >= end) {
      out += "%!(NOVERB)";
      break;
    }
    const cp = format.codePointAt(i)!;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (badArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === "w") {
      // Sprintf does not support %w
      out += badVerb("w", args[argNum++], f);
      continue;
    }
    if (verb === "v") {
      if (f.sharp) {
        f.sharp = false;
        f.sharpV = true;
      }
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
    }
    out += printArg(args[argNum++], verb, f);
  }
  if (!reordered && argNum < args.length) {
    out += "%!(EXTRA ";
    out += args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${printArg(a, "v", PLAIN)}`))
      .join(", ");
    out += ")";
  }
  return out;
}

/** Go's fmt.Sprint: spaces between operands when neither side is a string. */
export function goSprint(args: unknown[]): string {
  let out = "";
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isString = typeof a === "string";
    if (i > 0 && !isString && !prevString) out += " ";
    out += formatValue(a);
    prevString = isString;
  }
  return out;
}

/** Go's fmt.Sprintln. */
export function goSprintln(args: unknown[]): string {
  return args.map(formatValue).join(" ") + "\n";
}
