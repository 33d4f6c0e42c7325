// How a chart prints values into its YAML and how that YAML reads back: Go's printing of floats, maps and lists,
// `quote`, unquoted values, and the charts' `<chart>.resources` helper. Shared by every chart renderer.
import { isObject, truthy, type Json, type JsonObject } from "../../config/values.js";

/** A float64 as Go's `%v` prints it: shortest digits, exponent form from 1e+06 and below 1e-04. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [m, e] = n.toExponential().split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(n);
}

/** A value as `{{ . }}` prints it (Helm prints nil as nothing; maps and lists in Go's own notation). */
export function goPrint(v: Json | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return goFloat(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint(v[k])}`).join(" ")}]`;
}

/** `{{ X | quote }}`: the printed value as a string; nil prints nothing, which YAML reads as null. */
export function goQuote(v: Json | undefined): string | null {
  return v === undefined || v === null ? null : goPrint(v);
}

/** `{{ X }}` printed unquoted into YAML and read back: numbers and booleans come back typed. */
export function unquoted(v: Json | undefined): Json {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") return typeof v === "number" || typeof v === "boolean" ? v : goPrint(v);
  if (/^[-+]?(\d+|\d*\.\d+)([eE][-+]?\d+)?$/.test(v)) return Number(v);
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  if (v === "" || v === "~" || v === "null") return null;
  return v;
}

/** Helm's `<chart>.resources` helper: limits then requests, entries with an empty value left out. */
export function chartResourceBlock(res: unknown): JsonObject {
  const out: JsonObject = {};
  if (!isObject(res)) return out;
  for (const key of ["limits", "requests"]) {
    const m = res[key];
    if (!truthy(m) || !isObject(m)) continue;
    const kept = Object.keys(m).sort().filter((k) => truthy(m[k]));
    if (kept.length) out[key] = Object.fromEntries(kept.map((k) => [k, unquoted(goPrint(m[k]))]));
  }
  return out;
}

/** A Deployment's `resources:` as the charts write it: the helper over the component's own resources, else
 *  over `global.defaultResources`. */
export function chartResources(own: unknown, fallback: unknown): JsonObject {
  return chartResourceBlock(truthy(own) ? own : fallback);
}
