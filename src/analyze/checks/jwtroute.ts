// VirtualServices that route on JWT claims (`@request.auth.claims.*` headers) need a RequestAuthentication on the
// gateway pods, or the claims are never there to route on.
import type { Analyzer, Obj } from "../types.js";
import { arr, ISTIO_NETWORKING, ISTIO_SECURITY, MESH_GATEWAY, obj, ofKind, selects, str } from "../util.js";

const CLAIM = "@request.auth.claims";

function isClaimHeader(key: string): boolean {
  if (!key.toLowerCase().startsWith(CLAIM)) return false;
  const rest = key.slice(CLAIM.length);
  return (rest.startsWith(".") && rest.length > 1) || (rest.startsWith("[") && rest.endsWith("]") && rest.length > 2);
}

function claimKey(vs: Obj): string {
  for (const h of arr<Obj>(vs.http)) {
    for (const m of arr<Obj>(h.match)) {
      for (const k of [...Object.keys(obj(m.headers)), ...Object.keys(obj(m.withoutHeaders))]) if (isClaimHeader(k)) return k;
    }
  }
  return "";
}

export const jwtClaimRoutes: Analyzer = {
  name: "virtualservice.JWTClaimRouteAnalyzer",
  description: "Checks the VirtualService using JWT claim based routing has corresponding RequestAuthentication",
  run(s, report) {
    const raByNs = new Map<string, Record<string, string>[]>();
    for (const ra of ofKind(s, "RequestAuthentication", ISTIO_SECURITY)) {
      raByNs.set(ra.namespace, [...(raByNs.get(ra.namespace) ?? []), obj(obj(ra.spec.selector).matchLabels) as Record<string, string>]);
    }
    const gateways = ofKind(s, "Gateway", ISTIO_NETWORKING);
    const pods = ofKind(s, "Pod", "");
    for (const vs of ofKind(s, "VirtualService", ISTIO_NETWORKING)) {
      const key = claimKey(vs.spec);
      if (!key) continue;
      for (const ref of arr<string>(vs.spec.gateways).map(str)) {
        if (ref === MESH_GATEWAY) continue;
        const [ns, name] = ref.includes("/") ? [ref.slice(0, ref.indexOf("/")), ref.slice(ref.indexOf("/") + 1)] : [vs.namespace, ref];
        const gw = gateways.find((g) => g.namespace === ns && g.name === name);
        if (!gw) continue;
        const sel = obj(gw.spec.selector) as Record<string, string>;
        for (const pod of pods) {
          if (!selects(sel, pod.labels)) continue;
          const ras = [...(raByNs.get("istio-system") ?? []), ...(raByNs.get(pod.namespace) ?? [])];
          if (!ras.some((r) => selects(r, pod.labels))) report({ code: "IST0149", resource: vs, args: [key, `${ns}/${name}`, pod.name] });
        }
      }
    }
  },
};
