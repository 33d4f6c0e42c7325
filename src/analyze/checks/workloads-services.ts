// Deployments and the Services that select them: one port offered with two protocols, one target port reached
// through two different service ports. Only Deployments in the mesh (with a proxy, or injected) are checked.
import type { Analyzer, Obj, Resource, Snapshot } from "../types.js";
import { arr, fullName, obj, ofKind, selects, str, workloadInMesh } from "../util.js";

function inMesh(s: Snapshot, d: Resource): boolean {
  const tpl = obj(d.spec.template);
  const md = obj(tpl.metadata);
  return workloadInMesh(s, d.namespace, obj(md.labels) as Record<string, string>, obj(md.annotations) as Record<string, string>, arr<Obj>(obj(tpl.spec).containers));
}

export const multiService: Analyzer = {
  name: "deployment.MultiServiceAnalyzer",
  description: "Checks association between services and pods",
  run(s, report) {
    const services = ofKind(s, "Service", "");
    for (const d of ofKind(s, "Deployment", "apps")) {
      if (d.labels["gateway.istio.io/managed"] === "istio.io-mesh-controller") continue;
      if (!inMesh(s, d)) continue;
      const podLabels = obj(obj(obj(d.spec.template).metadata).labels) as Record<string, string>;
      const matching = services.filter((svc) => {
        const sel = obj(svc.spec.selector) as Record<string, string>;
        return Object.keys(sel).length > 0 && selects(sel, podLabels) && svc.namespace === d.namespace;
      });
      const byPort = new Map<number, Map<string, string[]>>();
      const byTarget = new Map<string, Map<number, string>>();
      for (const svc of matching) {
        for (const p of arr<Obj>(svc.spec.ports)) {
          const port = Number(p.port);
          const proto = str(p.protocol) || "TCP";
          if (!byPort.has(port)) byPort.set(port, new Map());
          const pm = byPort.get(port)!;
          pm.set(proto, [...(pm.get(proto) ?? []), fullName(svc)]);
          let tp = p.targetPort === undefined || p.targetPort === null ? "" : String(p.targetPort);
          if (tp === "0" || tp === "") tp = String(port);
          if (!byTarget.has(tp)) byTarget.set(tp, new Map());
          byTarget.get(tp)!.set(port, fullName(svc));
        }
      }
      for (const [port, pm] of byPort) {
        if (pm.size < 2) continue;
        report({ code: "IST0116", resource: d, args: [d.name, port, [...pm.values()].flat().sort()] });
      }
      for (const [tp, ports] of byTarget) {
        if (ports.size < 2) continue;
        report({ code: "IST0137", resource: d, args: [d.name, [...ports.values()].sort(), tp, [...ports.keys()].sort((a, b) => a - b)] });
      }
    }
  },
};
