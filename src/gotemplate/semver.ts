// Semantic versions and constraints with the behaviour of Masterminds/semver v3.3 (what sprig's semver and
// semverCompare call), written anew. The patterns are RE2 (re2js), as Go's regexp runs them, so odd inputs match
// or fail the same way.

import { RE2JS } from "re2js";

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string;
  meta: string;
  original: string;
}

const SEMVER = String.raw`v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?` + String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` + String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
// Masterminds' own pattern: the character classes include a literal '|'.
const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?` + String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` + String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;

const versionRe = RE2JS.compile(`^${SEMVER}$`);
const constraintRe = RE2JS.compile(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const rangeRe = RE2JS.compile(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`);
const findRe = RE2JS.compile(String.raw`(${OPS})\s*(${CV})`);
const validRe = RE2JS.compile(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);

/** Go's FindStringSubmatch: groups ("" for unmatched), or null. */
function submatch(re: RE2JS, s: string): string[] | null {
  const m = re.matcher(s);
  if (!m.find()) return null;
  const out: string[] = [];
  for (let g = 0; g <= m.groupCount(); g++) out.push(m.group(g) ?? "");
  return out;
}

/** Go's FindAllStringSubmatch (non-overlapping, leftmost-first). */
function allSubmatches(re: RE2JS, s: string): string[][] {
  const m = re.matcher(s);
  const out: string[][] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && m.find(pos)) {
    const a = m.start();
    const b = m.end();
    if (a === b && a === prevEnd) {
      pos = a + 1;
      continue;
    }
    const groups: string[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? "");
    out.push(groups);
    prevEnd = b;
    pos = b > a ? b : b + 1;
  }
  return out;
}

const ALLOWED = /^[A-Za-z0-9-]*$/;
const NUM = /^[0-9]*$/;

function parseUint(s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`Error parsing version segment: strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

function validatePrerelease(p: string): void {
  for (const part of p.split(".")) {
    if (NUM.test(part)) {
      if (part.length > 1 && part[0] === "0") throw new Error("Version segment starts with 0");
    } else if (!ALLOWED.test(part)) throw new Error("Invalid Prerelease string");
  }
}

/** Masterminds NewVersion: lenient (v prefix, missing minor/patch). */
export function parseSemver(v: string): SemVer {
  const m = submatch(versionRe, v);
  if (m === null) throw new Error("Invalid Semantic Version");
  const sv: SemVer = { major: parseUint(m[1]!), minor: 0, patch: 0, pre: m[5]!, meta: m[8]!, original: v };
  if (m[2]) sv.minor = parseUint(m[2].slice(1));
  if (m[3]) sv.patch = parseUint(m[3].slice(1));
  if (sv.pre) validatePrerelease(sv.pre);
  if (sv.meta) for (const part of sv.meta.split(".")) if (!ALLOWED.test(part)) throw new Error("Invalid Metadata string");
  return sv;
}

export function semverString(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre ? "-" + v.pre : ""}${v.meta ? "+" + v.meta : ""}`;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return o !== "" ? -1 : 1;
  if (o === "") return s !== "" ? 1 : -1;
  const sNum = /^[0-9]+$/.test(s) && Number.isSafeInteger(Number(s));
  const oNum = /^[0-9]+$/.test(o) && Number.isSafeInteger(Number(o));
  if (!oNum && !sNum) return s > o ? 1 : -1;
  if (!oNum) return -1;
  if (!sNum) return 1;
  return Number(s) > Number(o) ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split(".");
  const op = o.split(".");
  const l = Math.max(sp.length, op.length);
  for (let i = 0; i < l; i++) {
    const d = comparePrePart(sp[i] ?? "", op[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

export function compareSemver(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.pre === "" && b.pre === "") return 0;
  if (a.pre === "") return 1;
  if (b.pre === "") return -1;
  return comparePrerelease(a.pre, b.pre);
}

interface Constraint {
  con: SemVer;
  orig: string;
  op: string;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

const isX = (x: string): boolean => x === "x" || x === "*" || x === "X";

function parseConstraint(c: string): Constraint {
  if (c.length === 0) {
    return { con: parseSemver("0.0.0"), orig: c, op: "", minorDirty: false, patchDirty: false, dirty: true };
  }
  const m = submatch(constraintRe, c);
  if (m === null) throw new Error(`improper constraint: ${c}`);
  let ver = m[2]!;
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(m[3]!) || m[3] === "") {
    ver = `0.0.0${m[6]}`;
    dirty = true;
  } else if (isX(m[4]!.replace(/^\./, "")) || m[4] === "") {
    minorDirty = true;
    dirty = true;
    ver = `${m[3]}.0.0${m[6]}`;
  } else if (isX(m[5]!.replace(/^\./, "")) || m[5] === "") {
    dirty = true;
    patchDirty = true;
    ver = `${m[3]}${m[4]}.0${m[6]}`;
  }
  let con: SemVer;
  try {
    con = parseSemver(ver);
  } catch {
    throw new Error("constraint Parser Error");
  }
  return { con, orig: m[2]!, op: m[1]!, minorDirty, patchDirty, dirty };
}

function tilde(v: SemVer, c: Constraint): boolean {
  if (v.pre !== "" && c.con.pre === "") return false;
  if (compareSemver(v, c.con) < 0) return false;
  if (c.con.major === 0 && c.con.minor === 0 && c.con.patch === 0 && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function check(v: SemVer, c: Constraint): boolean {
  const con = c.con;
  const preBlocked = v.pre !== "" && con.pre === "";
  switch (c.op) {
    case "":
    case "=":
      if (preBlocked) return false;
      if (c.dirty) return tilde(v, c);
      return compareSemver(v, con) === 0;
    case "!=":
      if (c.dirty) {
        if (preBlocked) return false;
        if (con.major !== v.major) return true;
        if (con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== "" || con.pre !== "") return comparePrerelease(v.pre, con.pre) !== 0;
          return false;
        }
      }
      return compareSemver(v, con) !== 0;
    case ">":
      if (preBlocked) return false;
      if (!c.dirty) return compareSemver(v, con) === 1;
      if (v.major > con.major) return true;
      if (v.major < con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return compareSemver(v, con) === 1;
    case "<":
      if (preBlocked) return false;
      return compareSemver(v, con) < 0;
    case ">=":
    case "=>":
      if (preBlocked) return false;
      return compareSemver(v, con) >= 0;
    case "<=":
    case "=<":
      if (preBlocked) return false;
      if (!c.dirty) return compareSemver(v, con) <= 0;
      if (v.major > con.major) return false;
      if (v.major === con.major && v.minor > con.minor && !c.minorDirty) return false;
      return true;
    case "~":
    case "~>":
      return tilde(v, c);
    case "^": {
      if (preBlocked) return false;
      if (compareSemver(v, con) < 0) return false;
      if (con.major > 0 || c.minorDirty) return v.major === con.major;
      if (con.major === 0 && v.major > 0) return false;
      if (con.minor > 0 || c.patchDirty) return v.minor === con.minor;
      if (con.minor === 0 && v.minor > 0) return false;
      return con.patch === v.patch;
    }
  }
  return false;
}

function rewriteRange(s: string): string {
  let o = s;
  for (const m of allSubmatches(rangeRe, s)) {
    const t = `>= ${m[1]}, <= ${m[11]} `;
    const i = o.indexOf(m[0]!);
    if (i >= 0) o = o.slice(0, i) + t + o.slice(i + m[0]!.length);
  }
  return o;
}

/** Masterminds NewConstraint(...).Check(version). */
export function semverCompare(constraint: string, version: string): boolean {
  const ors: Constraint[][] = [];
  for (const part of rewriteRange(constraint).split("||")) {
    if (!validRe.matcher(part).find()) throw new Error(`improper constraint: ${part}`);
    let found = allSubmatches(findRe, part).map((g) => g[0]!);
    if (found.length === 0) found = [part];
    ors.push(found.map(parseConstraint));
  }
  const v = parseSemver(version);
  return ors.some((and) => and.every((c) => check(v, c)));
}
