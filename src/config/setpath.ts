// IstioOperator `--set PATH=VALUE` paths (pure): istioctl's value typing, path splitting (`a.b[0]`, `[key:value]`,
// `\.` escapes) and setting a value inside a spec. Used by the operator core, its overlays and the CLI.
import { isObject, type Json, type JsonObject } from "./values.js";
import { closest } from "../schema/problems.js";

export const SPEC_FIELDS = [
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

const UNCOERCED = [/^tag$/, /^values\.global\.tag$/, /^compatibilityVersion$/, /^values\.compatibilityVersion$/, /^(values\.)?meshConfig\.defaultConfig\.proxyMetadata\./];

export function applySetFlag(spec: JsonObject, flag: string): JsonObject {
  const eq = flag.indexOf("=");
  if (eq <= 0) throw new Error(`--set ${flag}: expected PATH=VALUE`);
  let path = flag.slice(0, eq).trim();
  if (path.startsWith("spec.")) path = path.slice(5);
  const raw = flag.slice(eq + 1).trim();
  // istioctl never types tags, versions or proxyMetadata: `--set tag=1.30` stays "1.30".
  const value = UNCOERCED.some((r) => r.test(path)) ? raw.replace(/\\,/g, ",") : parseSetValue(raw);
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

/** The closest known name, when close enough to be a likely typo (shared with the validator). */
export const suggest = closest;
