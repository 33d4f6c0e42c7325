// DestinationRule subsets that select no pod (traffic to them gets 503 UH), and DestinationRule hosts that
// name no service or ServiceEntry. Pods carry their node's topology labels, as the proxies report them.
import type { Analyzer, Obj } from "../types.js";
import { arr, destinationHost, ISTIO_NETWORKING, obj, ofKind, selects, serviceEntryHosts, str } from "../util.js";

const REGION = "topology.kubernetes.io/region";
const ZONE = "topology.kubernetes.io/zone";
const SUBZONE = "topology.istio.io/subzone";

export const subsetPods: Analyzer = {
  name: "destinationrule.SubsetSelectPodAnalyzer",
  description: "Checks if pods are selected by subsets in destination rules.",
  run(s, report) {
    const hosts = serviceEntryHosts(s);
    const nodes = new Map(ofKind(s, "Node", "").map((n) => [n.name, n.labels]));
    const pods = ofKind(s, "Pod", "").map((p) => {
      const labels = { ...p.labels };
      const nodeName = str(p.spec.nodeName);
      const nl = nodes.get(nodeName);
      if (nl) {
        if (nl[REGION]) labels[REGION] = nl[REGION];
        if (nl[REGION] && nl[ZONE]) labels[ZONE] = nl[ZONE];
        if (nl[REGION] && nl[ZONE] && nl[SUBZONE]) labels[SUBZONE] = nl[SUBZONE];
      }
      if (nodeName) labels["kubernetes.io/hostname"] = nodeName;
      return labels;
    });
    for (const dr of ofKind(s, "DestinationRule", ISTIO_NETWORKING)) {
      const host = str(dr.spec.host);
      const se = destinationHost(dr.namespace, arr<string>(dr.spec.exportTo).map(str), host, hosts);
      if (!se) {
        report({ code: "IST0174", resource: dr, args: [host], path: "spec.host" });
        continue;
      }
      const base = obj(obj(se.workloadSelector).labels) as Record<string, string>;
      arr<Obj>(dr.spec.subsets).forEach((ss, i) => {
        const sel = { ...base, ...(obj(ss.labels) as Record<string, string>) };
        if (!pods.some((l) => selects(sel, l))) report({ code: "IST0173", resource: dr, args: [str(ss.name)], path: `spec.subsets[${i}]` });
      });
    }
  },
};
