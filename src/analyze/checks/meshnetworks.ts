// Mesh networks: an endpoint `fromRegistry` that names no service registry (Kubernetes, External, Mock, or a
// remote cluster of a multi-cluster secret) routes nothing.
import type { Analyzer, Obj } from "../types.js";
import { arr, obj, ofKind, str } from "../util.js";

const BUILT_IN = ["Mock", "Kubernetes", "External"];

export const meshNetworks: Analyzer = {
  name: "meshnetworks.MeshNetworksAnalyzer",
  description: "Check the validity of MeshNetworks in the cluster",
  run(s, report) {
    const registries = new Set(BUILT_IN);
    for (const sec of ofKind(s, "Secret", "")) {
      if (sec.labels["istio/multiCluster"] === "true") for (const k of Object.keys(obj(sec.object.data))) registries.add(k);
    }
    for (const mn of ofKind(s, "MeshNetworks")) {
      for (const [network, n] of Object.entries(obj(mn.spec.networks))) {
        for (const e of arr<Obj>(obj(n).endpoints)) {
          const reg = e.fromRegistry;
          if (reg !== undefined && !registries.has(str(reg))) report({ code: "IST0126", resource: mn, args: [str(reg), network] });
        }
      }
    }
  },
};
