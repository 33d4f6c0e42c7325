// Workload check: application containers (or the pod) running as UID 1337, the sidecar proxy's own UID.
import type { Analyzer, Obj } from "../types.js";
import { arr, isIstioControlPlane, obj, ofKind, podSpecOf } from "../util.js";

const PROXY_UID = 1337;

export const applicationUID: Analyzer = {
  name: "applicationUID.Analyzer",
  description: "Checks invalid application UID",
  run(s, report) {
    for (const kind of ["Pod", "Deployment"]) {
      for (const r of ofKind(s, kind)) {
        if (kind === "Deployment" && r.group !== "apps") continue;
        if (kind === "Pod" && r.group !== "") continue;
        if (isIstioControlPlane(r)) continue;
        const spec = podSpecOf(r);
        if (Number(obj(spec.securityContext).runAsUser) === PROXY_UID) report({ code: "IST0144", resource: r, args: [] });
        for (const c of arr(spec.containers)) {
          const name = obj(c).name;
          if (name === "istio-proxy" || name === "istio-operator") continue;
          if (Number(obj((c as Obj).securityContext).runAsUser) === PROXY_UID) report({ code: "IST0144", resource: r, args: [] });
        }
      }
    }
  },
};
