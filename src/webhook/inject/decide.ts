// Whether a received pod gets a sidecar (Istio's injectRequired). Namespace labels are not read here: the
// MutatingWebhookConfiguration's selectors decide which pods the API server sends.
import type { InjectorConfig, LabelSelector, Obj } from "./types.js";
import { A } from "./annotations.js";

export const IGNORED_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease", "local-path-storage"]);

export interface Decision {
  inject: boolean;
  reason: string;
  warnings: string[];
}

/** Kubernetes label-selector matching; an empty selector matches nothing here (Istio's rule). */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string>): boolean {
  const ml = sel.matchLabels ?? {};
  const me = sel.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && me.length === 0) return false;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of me) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !vals.includes(labels[e.key])) return false;
        break;
      case "NotIn":
        if (has && vals.includes(labels[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false; // invalid selectors are ignored (never match)
    }
  }
  return true;
}

export function injectRequired(pod: Obj, namespace: string, config: InjectorConfig): Decision {
  const warnings: string[] = [];
  const spec = pod.spec ?? {};
  const meta = pod.metadata ?? {};
  if (spec.hostNetwork === true) return { inject: false, reason: "host networking enabled", warnings };
  if (IGNORED_NAMESPACES.has(namespace)) return { inject: false, reason: `namespace ${namespace} is never injected`, warnings };
  const labels: Record<string, string> = meta.labels ?? {};
  const annotations: Record<string, string> = meta.annotations ?? {};
  let value: string | undefined;
  if (Object.prototype.hasOwnProperty.call(labels, A.inject)) value = String(labels[A.inject]);
  else if (Object.prototype.hasOwnProperty.call(annotations, A.inject)) value = String(annotations[A.inject]);
  let explicit: boolean | undefined;
  if (value === "true") explicit = true;
  else if (value === "false") explicit = false;
  else if (value !== undefined && value !== "") warnings.push(`invalid value "${value}" for ${A.inject}: want "true" or "false"; using the default policy`);

  if (explicit === undefined) {
    if (config.neverInjectSelector.some((s) => selectorMatches(s, labels))) {
      return { inject: false, reason: "matched neverInjectSelector", warnings };
    }
    if (config.alwaysInjectSelector.some((s) => selectorMatches(s, labels))) {
      return { inject: true, reason: "matched alwaysInjectSelector", warnings };
    }
  }
  switch (config.policy) {
    case "enabled":
      return explicit === false
        ? { inject: false, reason: "sidecar injection disabled", warnings }
        : { inject: true, reason: explicit ? "explicitly enabled" : "policy enabled", warnings };
    case "disabled":
      return explicit === true
        ? { inject: true, reason: "explicitly enabled", warnings }
        : { inject: false, reason: "policy disabled", warnings };
    default:
      return { inject: false, reason: `invalid injection policy "${config.policy}"`, warnings };
  }
}
