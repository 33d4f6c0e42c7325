// Policies that use a workload selector on pods of a Kubernetes Gateway: Istio ignores selectors there
// (targetRef is the way to attach policy to a Gateway).
import type { Analyzer } from "../types.js";
import { ISTIO_EXTENSIONS, ISTIO_SECURITY, ISTIO_TELEMETRY, obj, ofKind } from "../util.js";

const GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";
const POLICIES: [string, string][] = [
  ["AuthorizationPolicy", ISTIO_SECURITY],
  ["RequestAuthentication", ISTIO_SECURITY],
  ["Telemetry", ISTIO_TELEMETRY],
  ["WasmPlugin", ISTIO_EXTENSIONS],
];

export const k8sGatewaySelectors: Analyzer = {
  name: "k8sgateway.SelectorAnalyzer",
  description: "Check that selectors are effective for Kubernetes gateway",
  run(s, report) {
    const gatewayPods = ofKind(s, "Pod", "").filter((p) => GATEWAY_NAME in p.labels);
    for (const [kind, group] of POLICIES) {
      for (const r of ofKind(s, kind, group)) {
        if (r.spec.targetRef) continue;
        if (r.spec.selector === undefined || r.spec.selector === null) continue;
        const match = obj(obj(r.spec.selector).matchLabels) as Record<string, string>;
        for (const pod of gatewayPods) {
          if (pod.namespace !== r.namespace) continue;
          if (Object.entries(match).every(([k, v]) => pod.labels[k] === String(v))) {
            report({ code: "IST0166", resource: r, args: [pod.labels[GATEWAY_NAME]], path: "spec.selector" });
          }
        }
      }
    }
  },
};
