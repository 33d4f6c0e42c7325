// Security policy checks: RequestAuthentication needs istiod to restrict where JWKS URIs may point
// (BLOCKED_CIDRS_IN_JWKS_URIS); AuthorizationPolicies that select no workload or name namespaces that do not exist.
import type { Analyzer, Obj } from "../types.js";
import { arr, fullName, ISTIO_SECURITY, obj, ofKind, selects, selectorString, str, workloadInMesh } from "../util.js";

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

function namespaceMatches(ns: string, exp: string): boolean {
  if (exp === "*") return true;
  if (exp.startsWith("*")) return ns.endsWith(exp.slice(1));
  if (exp.endsWith("*")) return ns.startsWith(exp.slice(0, -1));
  return ns.toLowerCase() === exp.toLowerCase();
}

export const authorizationPolicies: Analyzer = {
  name: "auth.AuthorizationPoliciesAnalyzer",
  description: "Checks the necessary conditions for Authorization Policies",
  run(s, report) {
    // Labels of the pods in the mesh (or in ambient), by namespace.
    const podLabels = new Map<string, Record<string, string>[]>();
    for (const p of ofKind(s, "Pod", "")) {
      const list = podLabels.get(p.namespace) ?? [];
      podLabels.set(p.namespace, list);
      const containers = [...arr<Obj>(p.spec.containers), ...arr<Obj>(p.spec.initContainers)];
      if (workloadInMesh(s, p.namespace, p.labels, p.annotations, containers)) list.push(p.labels);
      if (p.annotations["ambient.istio.io/redirection"] === "enabled") list.push(p.labels);
    }
    const namespaces = ofKind(s, "Namespace", "").map((n) => n.name);
    const root = str(s.mesh.rootNamespace) || s.istioNamespace;
    for (const ap of ofKind(s, "AuthorizationPolicy", ISTIO_SECURITY)) {
      const hasSelector = ap.spec.selector !== undefined && ap.spec.selector !== null;
      const sel = obj(obj(ap.spec.selector).matchLabels) as Record<string, string>;
      const any = (list: Record<string, string>[]) => list.some((l) => selects(sel, l));
      if (ap.namespace === root) {
        if (hasSelector && ![...podLabels.values()].some(any)) report({ code: "IST0127", resource: ap, args: [selectorString(sel)] });
      } else if (!hasSelector) {
        if ((podLabels.get(ap.namespace) ?? []).length === 0) report({ code: "IST0127", resource: ap, args: [""] });
      } else if (!any(podLabels.get(ap.namespace) ?? [])) report({ code: "IST0127", resource: ap, args: [selectorString(sel)] });
      arr<Obj>(ap.spec.rules).forEach((rule, i) =>
        arr<Obj>(rule.from).forEach((from, j) => {
          const src = obj(from.source);
          for (const ns of [...arr<string>(src.namespaces), ...arr<string>(src.notNamespaces)].map(str)) {
            if (!namespaces.some((n) => namespaceMatches(n, ns))) report({ code: "IST0101", resource: ap, args: ["namespace", ns], path: `spec.rules[${i}].from[${j}].source` });
          }
        }),
      );
    }
  },
};
