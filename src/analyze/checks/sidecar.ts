// Sidecar resource checks: a workload selector that matches no pod, two Sidecars selecting the same pod,
// several namespace-wide Sidecars in one namespace, and Sidecars that cannot apply to ambient workloads.
import type { Analyzer, Resource } from "../types.js";
import { fullName, ISTIO_NETWORKING, obj, ofKind, selects, selectorString } from "../util.js";

const podInAmbient = (pod: Resource) => pod.annotations["ambient.istio.io/redirection"] === "enabled";
function namespaceInAmbient(ns: Resource | undefined): boolean {
  if (!ns) return false;
  if (ns.labels["istio-injection"] === "enabled" || ns.labels["istio.io/rev"]) return false;
  return ns.labels["istio.io/dataplane-mode"] === "ambient";
}

export const sidecarSelectors: Analyzer = {
  name: "sidecar.SelectorAnalyzer",
  description: "Validates that sidecars that define a workload selector match at least one pod, and that there aren't multiple sidecar resources that select overlapping pods",
  run(s, report) {
    const pods = ofKind(s, "Pod", "");
    const byPod = new Map<string, { pod: Resource; sidecars: Resource[] }>();
    const byNs = new Map<string, Resource[]>();
    for (const sc of ofKind(s, "Sidecar", ISTIO_NETWORKING)) {
      const labels = obj(obj(sc.spec.workloadSelector).labels) as Record<string, string>;
      if (Object.keys(labels).length === 0) {
        byNs.set(sc.namespace, [...(byNs.get(sc.namespace) ?? []), sc]);
        continue;
      }
      let found = false;
      for (const pod of pods) {
        if (pod.namespace !== sc.namespace || !selects(labels, pod.labels)) continue;
        found = true;
        const key = fullName(pod);
        if (!byPod.has(key)) byPod.set(key, { pod, sidecars: [] });
        byPod.get(key)!.sidecars.push(sc);
      }
      if (!found) {
        const first = Object.keys(labels).sort()[0];
        report({ code: "IST0101", resource: sc, args: ["selector", selectorString(labels)], path: `spec.workloadSelector.labels[${first}]` });
      }
    }
    const namespaces = new Map(ofKind(s, "Namespace", "").map((n) => [n.name, n]));
    const reported = new Set<string>();
    for (const { pod, sidecars } of byPod.values()) {
      const ambient = podInAmbient(pod);
      if (sidecars.length === 1 && !ambient) continue;
      const names = sidecars.map((x) => x.name).sort();
      for (const sc of sidecars) {
        if (ambient) {
          if (!reported.has(fullName(sc))) report({ code: "IST0167", resource: sc, args: ["selected workload is in ambient mode, the policy has no impact"] });
          reported.add(fullName(sc));
          continue;
        }
        report({ code: "IST0110", resource: sc, args: [names, pod.namespace, pod.name], path: "metadata.name" });
      }
    }
    for (const [ns, list] of byNs) {
      if (namespaceInAmbient(namespaces.get(ns))) {
        for (const sc of list) {
          if (!reported.has(fullName(sc))) report({ code: "IST0167", resource: sc, args: ["namespace is in ambient mode, the policy has no impact"] });
          reported.add(fullName(sc));
        }
        continue;
      }
      if (list.length > 1) {
        const names = list.map((x) => x.name).sort();
        for (const sc of list) report({ code: "IST0111", resource: sc, args: [names, ns] });
      }
    }
  },
};
