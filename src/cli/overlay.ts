// IstioOperator overlays given on the command line: `--set PATH=VALUE` and IstioOperator files.
import fs from "node:fs";
import { load } from "js-yaml";
import { isObject, type Json, type JsonObject } from "../mesh/values.js";

const SPEC_FIELDS = [
  "profile", "installPackagePath", "hub", "tag", "namespace", "revision", "compatibilityVersion", "meshConfig",
  "components", "addonComponents", "values", "unvalidatedValues",
];

/** Typed as istioctl types --set values: integer, float, Go bool, else string (`\,` means `,`). */
export function parseSetValue(raw: string): Json {
  if (/^[+-]?\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return Number(raw);
  if (["true", "True", "TRUE"].includes(raw)) return true;
  if (["false", "False", "FALSE"].includes(raw)) return false;
  return raw.replace(/\\,/g, ",");
}

/** Splits `a.b[0].c` / `a.b.[name:x]` into path steps; dots inside `[...]` or escaped as `\.` do not split. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === "\\" && path[i + 1] === ".") {
      cur += ".";
      i++;
    } else if (ch === "[") {
      if (cur) out.push(cur);
      cur = "[";
      depth++;
    } else if (ch === "]") {
      cur += "]";
      depth--;
      out.push(cur);
      cur = "";
    } else if (ch === "." && depth === 0) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

export function applySetFlag(spec: JsonObject, flag: string): JsonObject {
  const eq = flag.indexOf("=");
  if (eq <= 0) throw new Error(`--set ${flag}: expected PATH=VALUE`);
  let path = flag.slice(0, eq).trim();
  const value = parseSetValue(flag.slice(eq + 1));
  if (path.startsWith("spec.")) path = path.slice(5);
  const steps = splitPath(path);
  if (!SPEC_FIELDS.includes(steps[0])) {
    const hint = suggest(steps[0], SPEC_FIELDS);
    throw new Error(`--set ${flag}: unknown IstioOperator path "${steps[0]}"${hint ? `; did you mean "${hint}"?` : ""} (valid roots: ${SPEC_FIELDS.join(", ")})`);
  }
  const out = structuredClone(spec);
  let cur: Json = out;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const last = i === steps.length - 1;
    if (step.startsWith("[")) {
      const inner = step.slice(1, -1);
      if (!Array.isArray(cur)) throw new Error(`--set ${flag}: ${steps.slice(0, i).join(".")} is not a list`);
      let idx: number;
      // An index past the end appends one element, as istioctl does (no padding).
      if (/^\d+$/.test(inner)) idx = Math.min(Number(inner), cur.length);
      else {
        const [k, v] = inner.split(":");
        idx = cur.findIndex((x) => isObject(x) && String(x[k]) === v);
        if (idx < 0) throw new Error(`--set ${flag}: no list element with ${k}=${v}`);
      }
      if (last) cur[idx] = value;
      else {
        if (cur[idx] === undefined || cur[idx] === null) cur[idx] = steps[i + 1].startsWith("[") ? [] : {};
        cur = cur[idx];
      }
      continue;
    }
    if (!isObject(cur)) throw new Error(`--set ${flag}: ${steps.slice(0, i).join(".")} is not a map`);
    if (last) cur[step] = value;
    else {
      const next = cur[step];
      if (next !== undefined && next !== null && typeof next !== "object") {
        throw new Error(`--set ${flag}: ${steps.slice(0, i + 1).join(".")} is not a map (it holds ${JSON.stringify(next)})`);
      }
      if (next === undefined || next === null) cur[step] = steps[i + 1].startsWith("[") ? [] : {};
      cur = cur[step];
    }
  }
  return out;
}

export function readOperatorFile(file: string): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    const mark = (e as { mark?: { line: number } }).mark;
    throw new Error(`${file}${mark ? ":" + (mark.line + 1) : ""}: invalid YAML: ${((e as { reason?: string }).reason ?? (e as Error).message).split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc) || doc.kind !== "IstioOperator") throw new Error(`${file}: not an IstioOperator (kind: ${isObject(doc) ? String(doc.kind) : typeof doc})`);
  const spec = doc.spec ?? {};
  if (!isObject(spec)) throw new Error(`${file}: spec must be a map`);
  for (const k of Object.keys(spec)) {
    if (!SPEC_FIELDS.includes(k)) {
      const hint = suggest(k, SPEC_FIELDS);
      throw new Error(`${file}: spec.${k}: unknown field${hint ? `; did you mean "${hint}"?` : ""}`);
    }
  }
  return spec;
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

export function suggest(word: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = levenshtein(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
