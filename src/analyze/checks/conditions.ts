// Status conditions that say a resource is not working (a waypoint not bound, a Gateway not programmed, a
// route not accepted), as the controllers wrote them.
import type { Analyzer, Obj, Resource } from "../types.js";
import { arr, ISTIO_NETWORKING, ISTIO_SECURITY, K8S_GATEWAY, obj, ofKind, str } from "../util.js";

const NEGATIVE: { kind: string; group: string; types: string[]; parents?: boolean }[] = [
  { kind: "Service", group: "", types: ["istio.io/WaypointBound"] },
  { kind: "ServiceEntry", group: ISTIO_NETWORKING, types: ["istio.io/WaypointBound"] },
  { kind: "WorkloadEntry", group: ISTIO_NETWORKING, types: ["istio.io/WaypointBound"] },
  { kind: "AuthorizationPolicy", group: ISTIO_SECURITY, types: ["ZtunnelAccepted", "WaypointAccepted"] },
  { kind: "Gateway", group: K8S_GATEWAY, types: ["Accepted", "Programmed", "ResolvedRefs"] },
  { kind: "HTTPRoute", group: K8S_GATEWAY, types: ["Accepted", "Programmed", "ResolvedRefs"], parents: true },
  { kind: "GRPCRoute", group: K8S_GATEWAY, types: ["Accepted", "Programmed", "ResolvedRefs"], parents: true },
];

function conditionsOf(r: Resource, parents: boolean): Obj[] {
  const st = obj(r.status);
  if (parents) return arr(st.parents).flatMap((p) => arr<Obj>(obj(p).conditions));
  return arr<Obj>(st.conditions);
}

export const negativeConditions: Analyzer = {
  name: "conditions.ConditionAnalyzer",
  description: "Checks for negative status conditions on resources",
  run(s, report) {
    for (const n of NEGATIVE) {
      for (const r of ofKind(s, n.kind, n.group)) {
        for (const c0 of conditionsOf(r, n.parents === true)) {
          const c = obj(c0);
          const args = [str(c.type), str(c.reason), str(c.message)];
          if (n.types.includes(str(c.type)) && str(c.status) === "False") report({ code: "IST0171", resource: r, args });
          if (n.kind === "AuthorizationPolicy" && c.type === "WaypointAccepted" && c.reason === "PartiallyInvalid") report({ code: "IST0171", resource: r, args });
        }
      }
    }
  },
};
