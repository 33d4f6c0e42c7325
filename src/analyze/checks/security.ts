// RequestAuthentication needs istiod to restrict where JWKS URIs may point (BLOCKED_CIDRS_IN_JWKS_URIS).
import type { Analyzer, Obj } from "../types.js";
import { arr, fullName, ISTIO_SECURITY, obj, ofKind, str } from "../util.js";

export const blockedCidrs: Analyzer = {
  name: "authn.BlockedCIDRsAnalyzer",
  description: "Checks that BLOCKED_CIDRS_IN_JWKS_URIS is configured on istiod when RequestAuthentication resources exist",
  run(s, report) {
    const names = ofKind(s, "RequestAuthentication", ISTIO_SECURITY).map(fullName);
    if (names.length === 0) return;
    const shown = names.length <= 5 ? names.join(", ") : `${names.slice(0, 5).join(", ")}, and ${names.length - 5} more`;
    for (const d of ofKind(s, "Deployment", "apps")) {
      if (d.labels.app !== "istiod") continue;
      const containers = arr<Obj>(obj(obj(d.spec.template).spec).containers);
      const set = containers.some((c) => arr<Obj>(c.env).some((e) => e.name === "BLOCKED_CIDRS_IN_JWKS_URIS" && str(e.value) !== ""));
      if (!set) report({ code: "IST0175", resource: d, args: [names.length, shown] });
    }
  },
};
