// What the node-agent charts (istio-cni, ztunnel) share: the values istioctl passes them, their env maps and the
// objects both write alike. How values print into the charts: ./helm-print.ts. How the charts lay those values over
// their defaults: ../../config/chart-values.ts.
import { isObject, type Json, type JsonObject } from "../../config/values.js";
import { goPrint, goQuote, unquoted } from "./helm-print.js";
import { obj, obj0, type K8sObject, type RenderContext } from "./meta.js";

/** `range $key, $val := MAP` emitting `name: KEY, value: "VAL"` (keys in sorted order). */
export function envFromMap(m: Json | undefined): Json[] {
  if (!isObject(m)) return [];
  return Object.keys(m).sort().map((k): Json => ({ name: k, value: goPrint(m[k]) }));
}

/** A map of labels or annotations from the values, each value as `{{ . }}` prints it. */
export function printedMap(m: Json | undefined): Record<string, string> {
  if (!isObject(m)) return {};
  return Object.fromEntries(Object.entries(m).map(([k, x]) => [k, goPrint(x)]));
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
