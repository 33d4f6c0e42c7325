// DestinationRule checks: client TLS (SIMPLE/MUTUAL) without a CA to verify the server, and (pilotfish) TLS
// settings that contradict the PeerAuthentication of the destination's workloads.
import type { Analyzer, Obj, Resource, Snapshot } from "../types.js";
import { arr, fullName, ISTIO_NETWORKING, ISTIO_SECURITY, obj, ofKind, serviceOfFqdn, str, toFqdn } from "../util.js";

const needsCa = (mode: string) => mode === "SIMPLE" || mode === "MUTUAL";

export const caCertificates: Analyzer = {
  name: "destinationrule.CaCertificateAnalyzer",
  description: "Checks if caCertificates is set when TLS mode is SIMPLE/MUTUAL",
  run(s, report) {
    for (const dr of ofKind(s, "DestinationRule", ISTIO_NETWORKING)) {
      const tp = obj(dr.spec.trafficPolicy);
      const selected = dr.spec.workloadSelector !== undefined && dr.spec.workloadSelector !== null;
      const unverified = (tls: Obj) => needsCa(str(tls.mode)) && !str(tls.caCertificates) && !(str(tls.credentialName) && selected);
      const tls = obj(tp.tls);
      if (unverified(tls)) {
        report({ code: "IST0128", resource: dr, args: [fullName(dr), dr.namespace, str(tls.mode), str(dr.spec.host)], path: "spec.trafficPolicy.tls.caCertificates" });
      }
      arr(tp.portLevelSettings).forEach((p0, i) => {
        const p = obj(p0);
        const ptls = obj(p.tls);
        if (!unverified(ptls)) return;
        const port = obj(p.port).number !== undefined ? `number:${Number(obj(p.port).number)}` : "";
        report({ code: "IST0129", resource: dr, args: [fullName(dr), dr.namespace, str(ptls.mode), str(dr.spec.host), port], path: `spec.trafficPolicy.portLevelSettings[${i}].tls.caCertificates` });
      });
    }
  },
};

/** The PeerAuthentication in force for a namespace's workloads: the namespace's own, else the mesh-wide one. */
function peerAuthenticationFor(s: Snapshot, namespace: string): Resource | undefined {
  const wide = ofKind(s, "PeerAuthentication", ISTIO_SECURITY).filter((p) => Object.keys(obj(obj(p.spec.selector).matchLabels)).length === 0);
  const root = str(s.mesh.rootNamespace) || s.istioNamespace;
  const mode = (p: Resource) => str(obj(p.spec.mtls).mode);
  const pick = (ns: string) => wide.filter((p) => p.namespace === ns && mode(p) !== "" && mode(p) !== "UNSET").sort((a, b) => a.name.localeCompare(b.name))[0];
  return pick(namespace) ?? pick(root);
}

export const mtlsConflicts: Analyzer = {
  name: "pilotfish.MTLSConflictAnalyzer",
  description: "Checks DestinationRule TLS modes against the PeerAuthentication mTLS mode of the destination's namespace",
  run(s, report) {
    for (const dr of ofKind(s, "DestinationRule", ISTIO_NETWORKING)) {
      const host = str(dr.spec.host);
      const svc = serviceOfFqdn(toFqdn(dr.namespace, host));
      if (!svc) continue; // Not a mesh service: PeerAuthentication does not apply.
      const pa = peerAuthenticationFor(s, svc.namespace);
      if (!pa) continue;
      const paMode = str(obj(pa.spec.mtls).mode);
      const tp = obj(dr.spec.trafficPolicy);
      const settings: { mode: string; path: string }[] = [];
      if (obj(tp.tls).mode) settings.push({ mode: str(obj(tp.tls).mode), path: "spec.trafficPolicy.tls.mode" });
      arr(tp.portLevelSettings).forEach((p, i) => {
        if (obj(obj(p).tls).mode) settings.push({ mode: str(obj(obj(p).tls).mode), path: `spec.trafficPolicy.portLevelSettings[${i}].tls.mode` });
      });
      for (const { mode, path } of settings) {
        const conflict = (paMode === "STRICT" && mode === "DISABLE") || (paMode === "DISABLE" && mode === "ISTIO_MUTUAL");
        if (conflict) report({ code: "PF0001", resource: dr, args: [fullName(dr), host, mode, fullName(pa), paMode], path });
      }
    }
  },
};
