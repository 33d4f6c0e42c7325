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

/** The Gateway API bundle version each CRD must be at for Istio 1.30 to serve its kind. */
export const MINIMUM_CRD_VERSIONS: Readonly<Record<string, [number, number, number]>> = {
  "grpcroutes.gateway.networking.k8s.io": [1, 1, 0],
  "backendtlspolicies.gateway.networking.k8s.io": [1, 4, 0],
  "tlsroutes.gateway.networking.k8s.io": [1, 5, 0],
};

/** A semantic version "v1.2.3-rc.1" -> its numbers and its text without the "v" (undefined when not one). */
function parseSemver(v: string): { nums: [number, number, number]; text: string } | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  if (!m) return undefined;
  const nums: [number, number, number] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  return { nums, text: `${nums.join(".")}${m[4] ?? ""}${m[5] ?? ""}` };
}

export const gatewayCrdVersions: Analyzer = {
  name: "k8sgateway.CRDVersionAnalyzer",
  description: "Checks Gateway API CRDs are at the minimum version required by this Istio version",
  run(s, report) {
    for (const crd of ofKind(s, "CustomResourceDefinition")) {
      const min = MINIMUM_CRD_VERSIONS[crd.name];
      const bv = crd.annotations["gateway.networking.k8s.io/bundle-version"];
      if (!min || bv === undefined) continue;
      const v = parseSemver(bv);
      if (!v) continue;
      const below = v.nums[0] !== min[0] ? v.nums[0] < min[0] : v.nums[1] !== min[1] ? v.nums[1] < min[1] : v.nums[2] < min[2];
      if (below) report({ code: "IST0176", resource: crd, args: [crd.name, v.text, min.join(".")] });
    }
  },
};
