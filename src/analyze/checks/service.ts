// Service checks: port names (or appProtocol) that give Istio no protocol, and ExternalName services whose
// ports are named plain `tcp`.
import type { Analyzer, Obj } from "../types.js";
import { arr, isIstioControlPlane, obj, ofKind, str } from "../util.js";

const PROTOCOLS = new Set(["tcp", "udp", "grpc", "grpc-web", "http", "http_proxy", "http2", "https", "tls", "mongo", "redis", "mysql"]);
const WELL_KNOWN_PORTS = new Set([25, 53, 3306, 27017]);
const GATEWAY_MANAGED = new Set(["istio.io-gateway-controller", "istio.io-mesh-controller", "istio.io-eastwest-controller"]);

/** Whether Istio can tell a protocol from the port (Istio's kube.ConvertProtocol is not "unsupported"). */
export function portProtocolKnown(p: Obj): boolean {
  if (str(p.protocol) === "UDP") return true;
  let name = str(p.name);
  if (p.appProtocol !== undefined && p.appProtocol !== null) {
    name = str(p.appProtocol);
    if (["kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss"].includes(name)) return true;
  }
  if (name.toLowerCase().startsWith("grpc-web")) return true;
  const i = name.indexOf("-");
  if (i >= 0) name = name.slice(0, i);
  if (PROTOCOLS.has(name.toLowerCase())) return true;
  return WELL_KNOWN_PORTS.has(Number(p.port));
}

export const portNames: Analyzer = {
  name: "service.PortNameAnalyzer",
  description: "Checks the port names associated with each service",
  run(s, report) {
    for (const svc of ofKind(s, "Service", "")) {
      if (isIstioControlPlane(svc)) continue;
      if (GATEWAY_MANAGED.has(svc.labels["gateway.istio.io/managed"] ?? "")) continue;
      const external = svc.spec.type === "ExternalName";
      arr(svc.spec.ports).forEach((p0, i) => {
        const p = obj(p0);
        if (portProtocolKnown(p) && !(str(p.name) === "tcp" && external)) return;
        const path = `spec.ports[${i}]`;
        if (external) report({ code: "IST0150", resource: svc, args: [], path });
        else report({ code: "IST0118", resource: svc, args: [str(p.name), Number(p.port), p.targetPort === undefined ? "0" : String(p.targetPort)], path });
      });
    }
  },
};
