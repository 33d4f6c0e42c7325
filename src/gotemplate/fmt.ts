// Go's fmt (Sprintf, Sprint, Sprintln) over the value model in value.ts, for the verbs templates use.

import { isInt, isMap, isStruct, NO_VALUE, sortedKeys, typeName } from "./value.js";

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
        return badVerb(verb, arg);
    }
  }
  if (verb === "T") return padString(typeName(arg), f);
  if (verb === "p") return padString("0xc000010000", f);
  switch (typeof arg) {
    case "boolean":
      if (verb === "t" || verb === "v") return padString(arg ? "true" : "false", f);
      return badVerb(verb, arg);
    case "number":
      if (isInt(arg)) return fmtIntVerb(arg, verb, f);
      return fmtFloatVerb(arg, verb, f);
    case "bigint":
      return fmtIntVerb(Number(arg), verb, f);
    case "string":
      return fmtStringVerb(arg, verb, f);
    case "function":
      if (verb === "v" || verb === "p") return padString("0x4d2c40", f);
      return badVerb(verb, arg);
  }
  if (Array.isArray(arg)) {
    if (f.sharpV) return "[]interface {}{" + arg.map((e) => printArg(e, verb, f, depth + 1)).join(", ") + "}";
    return "[" + arg.map((e) => printArg(e, verb, f, depth + 1)).join(" ") + "]";
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
    if (f.sharpV) return "map[string]interface {}{" + ks.map((k) => `${printArg(k, verb, f, depth + 1)}:${printArg(arg[k], verb, f, depth + 1)}`).join(", ") + "}";
    return "map[" + ks.map((k) => `${printArg(k, verb, f, depth + 1)}:${printArg(arg[k], verb, f, depth + 1)}`).join(" ") + "]";
  }
  return padString(String(arg), f);
}

function badVerb(verb: string, arg: unknown): string {
  if (arg === null || arg === undefined || arg === NO_VALUE) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${printArg(arg, "v", PLAIN)})`;
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
      let s = "U+" + Math.abs(v).toString(16).toUpperCase().padStart(f.precPresent ? Math.max(f.prec, 4) : 4, "0");
      if (v < 0) s = "U+" + (BigInt.asUintN(64, BigInt(v))).toString(16).toUpperCase();
      if (f.sharp && v >= 0 && v <= 0x10ffff && isPrintRune(v)) s += ` '${String.fromCodePoint(v)}'`;
      return padString(s, f);
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
      return badVerb(verb, v);
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
  let zeroPad = false;
  if (f.precPresent) {
    prec = f.prec;
    if (prec === 0 && v === 0) return padString("", { ...f, zero: false });
  } else if (f.zero && !f.minus && f.widPresent) {
    zeroPad = true;
  }
  if (prec > digits.length) digits = "0".repeat(prec - digits.length) + digits;
  let prefix = "";
  if (f.sharp) {
    if (base === 2) prefix = "0b";
    else if (base === 8 && verb === "o" && digits[0] !== "0") prefix = "0";
    else if (base === 16) prefix = upper ? "0X" : "0x";
  }
  if (verb === "O") prefix = "0o";
  let sign = "";
  if (neg) sign = "-";
  else if (f.plus) sign = "+";
  else if (f.space) sign = " ";
  if (zeroPad) {
    const w = f.wid - sign.length;
    if (digits.length < w) digits = "0".repeat(w - digits.length) + digits;
    return sign + prefix + digits;
  }
  return padString(sign + prefix + digits, { ...f, zero: false });
}

// ---------- floats ----------

function fmtFloatVerb(v: number, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
      return fmtFloat(v, "g", -1, f);
    case "g":
    case "G":
      return fmtFloat(v, verb, -1, f);
    case "e":
    case "E":
    case "f":
      return fmtFloat(v, verb, 6, f);
    case "F":
      return fmtFloat(v, "f", 6, f);
    case "x":
    case "X":
      return padString(hexFloat(v, verb === "X"), f);
    case "b":
      return fmtFloat(v, "g", -1, f);
    default:
      return badVerb(verb, v);
  }
}

/** Go's %x of a float64 (shortest): 0x1.8p+00. */
function hexFloat(v: number, upper: boolean): string {
  let out: string;
  if (Number.isNaN(v)) out = "NaN";
  else if (!Number.isFinite(v)) out = v < 0 ? "-Inf" : "+Inf";
  else {
    const neg = v < 0 || Object.is(v, -0);
    let a = Math.abs(v);
    let e = 0;
    if (a === 0) out = "0x0p+00";
    else {
      e = Math.floor(Math.log2(a));
      let m = a / Math.pow(2, e);
      if (m >= 2) {
        m /= 2;
        e++;
      } else if (m < 1) {
        m *= 2;
        e--;
      }
      let frac = Math.round((m - 1) * 2 ** 52).toString(16).padStart(13, "0").replace(/0+$/, "");
      a = 0;
      const ae = Math.abs(e);
      out = "0x1" + (frac ? "." + frac : "") + "p" + (e < 0 ? "-" : "+") + (ae < 10 ? "0" + ae : String(ae));
      frac = "";
    }
    if (neg) out = "-" + out;
  }
  return upper ? out.toUpperCase() : out;
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
        const { d, dp } = decimalDigits(abs, prec + 1);
        num = fmtE(d, dp, prec, verb);
        break;
      }
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
        if (f.sharp) {
          // keep a decimal point and trailing zeros up to the precision
          let digits = f.precPresent ? f.prec : 6;
          const ei = num.search(/[eE]/);
          let tail = "";
          if (ei >= 0) {
            tail = num.slice(ei);
            num = num.slice(0, ei);
          }
          let saw = false;
          for (const c of num) {
            if (c === ".") continue;
            if (c !== "0") saw = true;
            if (saw) digits--;
          }
          if (!num.includes(".")) {
            if (num === "0") digits--;
            num += ".";
          }
          while (digits-- > 0) num += "0";
          num += tail;
        }
      }
    }
  }
  if (num === "NaN") {
    const s = f.plus ? "+NaN" : f.space ? " NaN" : "NaN";
    return padString(s, { ...f, zero: false });
  }
  let sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  if (num === "Inf") return padString(sign === "" ? "+Inf" : sign + "Inf", { ...f, zero: false });
  if (neg && /^[0.]*$/.test(num) && !Object.is(v, -0) && v === 0) sign = "";
  if (f.zero && !f.minus && f.widPresent && f.wid > num.length + sign.length) {
    return sign + "0".repeat(f.wid - num.length - sign.length) + num;
  }
  return padString(sign + num, { ...f, zero: false });
}

// ---------- strings ----------

function fmtStringVerb(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
      if (f.sharpV) return goQuote(s, false);
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
      return badVerb(verb, s);
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

function isPrintRune(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad) return false;
  if (cp >= 0xd800 && cp < 0xe000) return false;
  if (cp === 0xfeff || cp === 0xfffe || cp === 0xffff) return false;
  if (cp >= 0x2028 && cp <= 0x202e) return false;
  if (cp >= 0x2060 && cp <= 0x206f) return false;
  if (cp >= 0x200b && cp <= 0x200f) return false;
  if (cp >= 0xe000 && cp < 0xf900) return false; // private use
  if (cp >= 0xf0000) return false; // supplementary private use
  if ((cp & 0xfffe) === 0xfffe) return false; // noncharacters
  if (cp >= 0xfdd0 && cp <= 0xfdef) return false;
  if (cp > 0x10ffff) return false;
  return true;
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
  if (f.sharp && isPrintRune(cp) && cp !== 39) return "'" + String.fromCodePoint(cp) + "'";
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
      out += badVerb("w", args[argNum++]);
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
