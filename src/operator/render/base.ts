// Component Base: the Istio CRDs (the shipped charts/pilotfish/crds/istio.yaml, generated from pilotfish's validation schemas) and the
// istio-reader ServiceAccount.
import type { JsonObject } from "../../config/values.js";
import { shippedCrds } from "../../config/profiles.js";
import { componentLabels, obj, pullSecrets, type K8sObject, type RenderContext } from "./meta.js";

export function renderBase(ctx: RenderContext): K8sObject[] {
  const excluded = new Set((ctx.values.base?.excludedCRDs ?? []).map(String));
  const labels = componentLabels(ctx, "Base");
  const crds = [...shippedCrds().filter((c) => (c as JsonObject & { spec: { group: string } }).spec.group !== "install.istio.io")] as K8sObject[];
  const out: K8sObject[] = [];
  for (const c of crds) {
    if (excluded.has(c.metadata.name)) continue;
    out.push({ ...c, metadata: { name: c.metadata.name, labels: { ...labels }, annotations: { "helm.sh/resource-policy": "keep" } } } as K8sObject);
  }
  if (ctx.values.global?.enableReaderRBAC !== false) out.push(obj("v1", "ServiceAccount", "istio-reader-service-account", ctx.istioNamespace, componentLabels(ctx, "Base", { app: "istio-reader" }), pullSecrets(ctx.values)));
  return out;
}
