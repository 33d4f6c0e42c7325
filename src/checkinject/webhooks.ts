// Which MutatingWebhookConfiguration would send a pod to an injector, as `istioctl x check-inject` reads them:
// each configuration whose webhooks are Istio's (names ending in istio.io), its revision (label istio.io/rev),
// whose it is (pilotfish's injector, istiod's, or a revision tag's), and whether the namespace's and the pod's
// labels pass one of its webhooks' selectors, with the label that decided. Pure: no I/O.
import type { LabelSelector, Obj } from "../webhook/inject/types.js";
import { selectorMatches as k8sSelectorMatches } from "../webhook/tags.js";

export type WebhookOwner = "pilotfish" | "istiod" | "revision-tag";

export interface WebhookVerdict {
  /** The MutatingWebhookConfiguration's name. */
  name: string;
  owner: WebhookOwner;
  /** Its istio.io/rev label ("" when absent). */
  revision: string;
  /** The tag's name (istio.io/tag) when owner is revision-tag. */
  tag?: string;
  injected: boolean;
  reason: string;
  /** The webhook entry that matched. */
  matchedWebhook?: string;
}

const labelsOf = (o: Obj): Record<string, string> => (o?.metadata?.labels && typeof o.metadata.labels === "object" ? o.metadata.labels : {});

export function isIstioWebhookConfiguration(mwc: Obj): boolean {
  return Array.isArray(mwc?.webhooks) && mwc.webhooks.some((w: Obj) => typeof w?.name === "string" && w.name.endsWith("istio.io"));
}

/** pilotfish's configuration: made by `serve --register-webhook` (managed-by pilotfish), by its Helm chart (name pilotfish), or pointing at a pilotfish Service or URL. */
export function webhookOwner(mwc: Obj): WebhookOwner {
  const labels = labelsOf(mwc);
  if (labels["istio.io/tag"]) return "revision-tag";
  if (labels["app.kubernetes.io/managed-by"] === "pilotfish" || labels["app.kubernetes.io/name"] === "pilotfish") return "pilotfish";
  const pointsAtPilotfish = (mwc.webhooks ?? []).some((w: Obj) => /pilotfish/.test(String(w?.clientConfig?.service?.name ?? "")) || /pilotfish/.test(String(w?.clientConfig?.url ?? "")));
  return pointsAtPilotfish ? "pilotfish" : "istiod";
}

/** The label (key=value) of an In/NotIn expression the object carries: what istioctl names as the deciding label. */
function decidingLabel(sel: LabelSelector | undefined | null, labels: Record<string, string>): string {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
  const me = sel?.matchExpressions ?? [];
  // An In expression names the label that asked for injection; a NotIn on the namespace's own name only says it is
  // not an excluded namespace, named last (istioctl's "enabled in all namespaces" case).
  for (const e of me) if (e.operator === "In" && has(e.key)) return `${e.key}=${labels[e.key]}`;
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (labels[k] === v) return `${k}=${v}`;
  for (const e of me) if (e.operator === "NotIn" && e.key !== NAME_LABEL && has(e.key)) return `${e.key}=${labels[e.key]}`;
  for (const e of me) if (e.operator === "NotIn" && has(e.key)) return `${e.key}=${labels[e.key]}`;
  return "";
}

const NAME_LABEL = "kubernetes.io/metadata.name";

/** istioctl's never-match selector: a deactivated webhook (a tag or revision switched off). */
function isNeverMatch(sel: LabelSelector | undefined | null): boolean {
  const me = sel?.matchExpressions ?? [];
  return me.length === 1 && me[0].key === "istio.io/deactivated" && me[0].operator === "In" && (me[0].values ?? []).length === 1 && me[0].values![0] === "never-match";
}

function analyze(webhooks: Obj[], podLabels: Record<string, string>, nsLabels: Record<string, string>): { injected: boolean; reason: string; matched?: string } {
  for (const wh of webhooks) {
    const nsSel = wh.namespaceSelector as LabelSelector | undefined;
    const objSel = wh.objectSelector as LabelSelector | undefined;
    const nsOk = k8sSelectorMatches(nsSel, nsLabels);
    const objOk = k8sSelectorMatches(objSel, podLabels);
    if (nsOk && objOk) {
      let nl = decidingLabel(nsSel, nsLabels);
      const pl = decidingLabel(objSel, podLabels);
      if (nl.startsWith(`${NAME_LABEL}=`) && pl) nl = "";
      let reason: string;
      if (nl && pl) reason = `Namespace label ${nl} matches, and pod label ${pl} matches`;
      else if (nl) reason = `Namespace label ${nl} matches${nl.startsWith(NAME_LABEL) ? " (automatic injection is enabled in all namespaces)" : ""}`;
      else if (pl) reason = `Pod label ${pl} matches`;
      else reason = "Namespace and pod selectors match";
      return { injected: true, reason, matched: wh.name };
    }
    if (nsOk) {
      for (const e of objSel?.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(podLabels, e.key);
        if (!has) continue;
        if (e.operator === "DoesNotExist" || (e.operator === "NotIn" && (e.values ?? []).includes(podLabels[e.key]))) {
          return { injected: false, reason: `Pod has ${e.key}=${podLabels[e.key]} label, preventing injection` };
        }
      }
    } else if (objOk) {
      const v = nsLabels["istio-injection"];
      if (v !== undefined && v !== "enabled") return { injected: false, reason: `Namespace has istio-injection=${v} label, preventing injection` };
    }
  }
  if (webhooks.some((w) => isNeverMatch(w.namespaceSelector) && isNeverMatch(w.objectSelector))) {
    return { injected: false, reason: "The injection webhook is deactivated, and will never match labels." };
  }
  const inLabels = (sel: LabelSelector | undefined) =>
    (sel?.matchExpressions ?? []).filter((e) => e.operator === "In").flatMap((e) => (e.values ?? []).map((v) => `${e.key}=${v}`));
  const ns = webhooks.flatMap((w) => inLabels(w.namespaceSelector));
  const pod = webhooks.flatMap((w) => inLabels(w.objectSelector));
  return { injected: false, reason: `No matching namespace labels (${ns.join(", ")}) or pod labels (${pod.join(", ")})` };
}

/**
 * One verdict per Istio MutatingWebhookConfiguration, sorted by name. `nsLabels` should carry
 * kubernetes.io/metadata.name (the API server sets it on every namespace).
 */
export function analyzeWebhooks(mwcs: Obj[], podLabels: Record<string, string>, nsLabels: Record<string, string>): WebhookVerdict[] {
  const out: WebhookVerdict[] = [];
  for (const mwc of mwcs) {
    if (!isIstioWebhookConfiguration(mwc)) continue;
    const labels = labelsOf(mwc);
    const owner = webhookOwner(mwc);
    const r = analyze(mwc.webhooks, podLabels, nsLabels);
    out.push({
      name: String(mwc.metadata?.name ?? ""),
      owner,
      revision: labels["istio.io/rev"] ?? "",
      ...(owner === "revision-tag" ? { tag: labels["istio.io/tag"] } : {}),
      injected: r.injected,
      reason: r.reason,
      ...(r.matched ? { matchedWebhook: r.matched } : {}),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
