// Deprecated Istio fields and removed resource types still in use.
import type { Analyzer } from "../types.js";
import { arr, ISTIO_NETWORKING, obj, ofKind, str } from "../util.js";

const REMOVED_RBAC_KINDS = new Set(["ClusterRbacConfig", "RbacConfig", "ServiceRole", "ServiceRoleBinding"]);

export const deprecatedFields: Analyzer = {
  name: "deprecation.DeprecationAnalyzer",
  description: "Checks for deprecated Istio types and fields",
  run(s, report) {
    for (const vs of ofKind(s, "VirtualService", ISTIO_NETWORKING)) {
      arr(vs.spec.http).forEach((h, i) => {
        if (Number(obj(obj(obj(h).fault).delay).percent ?? 0) > 0) {
          report({ code: "IST0002", resource: vs, args: ["HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage"] });
        }
      });
    }
    for (const sc of ofKind(s, "Sidecar", ISTIO_NETWORKING)) {
      if (obj(sc.spec.outboundTrafficPolicy).egressProxy) report({ code: "IST0002", resource: sc, args: ["OutboundTrafficPolicy.EgressProxy ignored"] });
    }
    for (const crd of ofKind(s, "CustomResourceDefinition")) {
      const group = str(crd.spec.group);
      const kind = str(obj(crd.spec.names).kind);
      if (group === "rbac.istio.io" && REMOVED_RBAC_KINDS.has(kind)) report({ code: "IST0002", resource: crd, args: [`Custom resource type ${group} ${kind} is removed`] });
    }
  },
};
