// What the node-agent charts (istio-cni, ztunnel) share: the values istioctl passes them, how they print values
// into their templates (Go's printing of floats, maps and lists, `quote`, Helm's resources helper, env maps) and
// the objects both write alike. How the charts lay those values over their defaults: ../../config/chart-values.ts.
import { isObject, truthy as goTruthy, type Json, type JsonObject } from "../../config/values.js";
import { obj, obj0, type K8sObject, type RenderContext } from "./meta.js";

/** Go template truthiness (config/values' `truthy`, under the name the chart renderers use). */
export { goTruthy };

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
export function chartResourceBlock(res: Json | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isObject(res)) return out;
  for (const key of ["limits", "requests"]) {
    const m = res[key];
    if (!goTruthy(m) || !isObject(m)) continue;
    const kept = Object.keys(m).sort().filter((k) => goTruthy(m[k]));
    if (kept.length) out[key] = Object.fromEntries(kept.map((k) => [k, unquoted(goPrint(m[k]))]));
  }
  return out;
}

/** `range $key, $val := MAP` emitting `name: KEY, value: "VAL"` (keys in sorted order). */
export function envFromMap(m: Json | undefined): Json[] {
  if (!isObject(m)) return [];
  return Object.keys(m).sort().map((k): Json => ({ name: k, value: goPrint(m[k]) }));
}

/** The IstioOperator's values as istioctl passes them to a node-agent chart: the component's hub and tag written to `values.<key>`. */
export function valuesWithComponentImage(ctx: RenderContext, key: "cni" | "ztunnel"): JsonObject {
  const vals = structuredClone(obj0(ctx.r.userValues));
  const spec = obj0(obj0(ctx.r.spec.components)[key]);
  if (typeof spec.hub === "string" && spec.hub !== "") vals[key] = { ...obj0(vals[key]), hub: spec.hub };
  if (spec.tag !== undefined && spec.tag !== null) vals[key] = { ...obj0(vals[key]), tag: goPrint(spec.tag) };
  return vals;
}

/** A ServiceAccount's `imagePullSecrets` (`- name: {{ . }}` for each name in the list; none for an empty list). */
export function pullSecretNames(list: Json | undefined): JsonObject {
  const names = Array.isArray(list) ? list : [];
  return names.length ? { imagePullSecrets: names.map((s) => ({ name: unquoted(goPrint(s)) })) } : {};
}

/** The ResourceQuota both charts write when `resourceQuotas.enabled`: how many system-node-critical pods may run. */
export function nodeCriticalQuota(name: string, ns: string, labels: Record<string, string>, quotas: Json | undefined): K8sObject {
  return obj("v1", "ResourceQuota", name, ns, labels, {
    spec: {
      hard: { pods: goQuote(obj0(quotas).pods) },
      scopeSelector: { matchExpressions: [{ operator: "In", scopeName: "PriorityClass", values: ["system-node-critical"] }] },
    },
  });
}
