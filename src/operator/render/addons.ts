// The observability addons a spec can enable (spec.addonComponents.<name>.enabled; the demo profile enables
// all four), each modelled on Istio 1.30.3's samples/addons: Prometheus scraping the mesh and the cluster,
// Grafana with pilotfish's Istio dashboards, Jaeger as the tracing backend, and Kiali pointed at the others.
// Each lands in the Istio namespace unless the addon's namespace says otherwise. The renderers are in addons/.
import type { K8sObject, RenderContext } from "./meta.js";
import { ADDON_COMPONENT, ADDONS, type AddonName, type AddonPeers } from "./addons/common.js";
import { renderGrafana } from "./addons/grafana.js";
import { renderJaeger } from "./addons/jaeger.js";
import { renderKiali } from "./addons/kiali.js";
import { renderPrometheus } from "./addons/prometheus.js";

export { ADDON_COMPONENT, ADDONS, type AddonName, type AddonPeers };

/** One addon's objects in `ns`; `peers` are the addons the same spec enables (Kiali links to those). */
export function renderAddon(ctx: RenderContext, addon: AddonName, ns: string, peers: AddonPeers = { [addon]: ns }): K8sObject[] {
  switch (addon) {
    case "prometheus": return renderPrometheus(ctx, ns);
    case "grafana": return renderGrafana(ctx, ns, peers);
    case "jaeger": return renderJaeger(ctx, ns);
    case "kiali": return renderKiali(ctx, ns, peers);
  }
}
