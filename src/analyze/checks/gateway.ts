// Istio Gateway checks: a selector that matches no gateway pod, server ports the gateway's Service does not
// expose, two Gateways claiming the same host on the same port of the same workload, and one TLS certificate
// served by several Gateways of the same workload.
import type { Analyzer, Obj, Resource, Snapshot } from "../types.js";
import { arr, fullName, ISTIO_NETWORKING, obj, ofKind, selects, selectorString, str } from "../util.js";

const labelsOf = (g: Resource): Record<string, string> => obj(g.spec.selector) as Record<string, string>;
const selectorPath = (g: Resource): string => {
  const keys = Object.keys(labelsOf(g)).sort();
  return keys.length ? `spec.selector[${keys[0]}]` : "spec.selector";
};

export const gatewayPorts: Analyzer = {
  name: "gateway.IngressGatewayPortAnalyzer",
  description: "Checks a gateway's ports against the gateway's Kubernetes service ports",
  run(s, report) {
    const pods = ofKind(s, "Pod", "");
    const services = ofKind(s, "Service", "");
    for (const gw of ofKind(s, "Gateway", ISTIO_NETWORKING)) {
      const sel = labelsOf(gw);
      const targetPorts = new Set<number>();
      const servicePorts = new Set<number>();
      let matched = 0;
      for (const pod of pods) {
        if (!selects(sel, pod.labels)) continue;
        matched++;
        for (const svc of services) {
          if (svc.namespace !== pod.namespace) continue;
          if (!selects(obj(svc.spec.selector) as Record<string, string>, pod.labels)) continue;
          for (const p of arr(svc.spec.ports)) {
            if ((str(p.protocol) || "TCP") !== "TCP") continue;
            const tp = typeof p.targetPort === "number" ? p.targetPort : /^\d+$/.test(str(p.targetPort)) ? Number(p.targetPort) : 0;
            if (tp) {
              targetPorts.add(tp);
              servicePorts.add(Number(p.port));
            } else targetPorts.add(Number(p.port));
          }
        }
      }
      const selStr = selectorString(sel);
      if (matched === 0) {
        report({ code: "IST0101", resource: gw, args: ["selector", selStr], path: selectorPath(gw) });
        continue;
      }
      for (const server of arr(gw.spec.servers)) {
        const port = obj(server).port;
        if (!port) continue;
        const n = Number(obj(port).number);
        if (!targetPorts.has(n) && !servicePorts.has(n)) report({ code: "IST0162", resource: gw, args: [n, selStr], path: selectorPath(gw) });
      }
    }
  },
};

/** Equality selector text back to labels ("a=b,c=d"). */
function parseSelector(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const kv = pair.split("=");
    if (kv.length === 2) out[kv[0]] = kv[1];
  }
  return out;
}

export const conflictingGateways: Analyzer = {
  name: "gateway.ConflictingGatewayAnalyzer",
  description: "Checks a gateway's selector, port number and hosts",
  run(s: Snapshot, report) {
    const gateways = ofKind(s, "Gateway", ISTIO_NETWORKING);
    const pods = ofKind(s, "Pod", "");
    // selector~port -> gateway -> host -> bind
    const index = new Map<string, Map<string, Map<string, string>>>();
    for (const gw of gateways) {
      const sel = selectorString(labelsOf(gw));
      for (const server of arr(gw.spec.servers)) {
        const key = `${sel}~${Number(obj(obj(server).port).number ?? 0)}`;
        if (!index.has(key)) index.set(key, new Map());
        const hb = new Map<string, string>();
        for (const h of arr<string>(obj(server).hosts).map(str)) hb.set(h, str(obj(server).bind));
        index.get(key)!.set(fullName(gw), hb);
      }
    }
    for (const gw of gateways) {
      const labels = labelsOf(gw);
      const sel = selectorString(labels);
      const same = new Map<string, Map<string, Map<string, string>>>();
      for (const [key, v] of index) {
        const xsel = key.slice(0, key.lastIndexOf("~"));
        let matched = sel === xsel;
        if (!matched && (xsel.includes(sel) || sel.includes(xsel))) {
          const xl = parseSelector(xsel);
          matched = pods.some((p) => selects(labels, p.labels) && selects(xl, p.labels));
        }
        if (matched) same.set(key, v);
      }
      if (sel !== "" && same.size === 0) {
        report({ code: "IST0101", resource: gw, args: ["selector", sel], path: selectorPath(gw) });
        continue;
      }
      for (const server of arr(gw.spec.servers)) {
        const port = String(Number(obj(obj(server).port).number ?? 0));
        const hosts = arr<string>(obj(server).hosts).map(str);
        const bind = str(obj(server).bind);
        const conflicts: string[] = [];
        for (const [key, byGw] of same) {
          if (key.slice(key.lastIndexOf("~") + 1) !== port) continue;
          for (const [other, hb] of byGw) {
            if (other === fullName(gw)) continue;
            if (hosts.some((h) => hb.has(h) && hb.get(h) === bind)) conflicts.push(other);
          }
        }
        if (conflicts.length) report({ code: "IST0145", resource: gw, args: [conflicts.sort().join(","), sel, port, hosts.join(",")] });
      }
    }
  },
};

/** Whether every key of x is in y with the same value (Istio's selectorSubset). */
function selectorSubset(x: Record<string, string>, y: Record<string, string>): boolean {
  return Object.entries(x).every(([k, v]) => k in y && y[k] === v);
}

function sameCertificate(a: Obj, b: Obj): boolean {
  const ac = str(a.credentialName);
  const bc = str(b.credentialName);
  if (ac && bc) return ac === bc;
  if (!ac && !bc && str(a.serverCertificate) && str(b.serverCertificate) && a.serverCertificate === b.serverCertificate) {
    return Boolean(str(a.privateKey) && str(b.privateKey) && a.privateKey === b.privateKey);
  }
  return false;
}

export const duplicateCertificates: Analyzer = {
  name: "gateway.CertificateAnalyzer",
  description: "Checks a gateway certificate",
  run(s, report) {
    const gateways = ofKind(s, "Gateway", ISTIO_NETWORKING);
    for (const gw of gateways) {
      const sel = labelsOf(gw);
      // Istio scopes gateways to their namespace only with PILOT_SCOPE_GATEWAY_TO_NAMESPACE (off by default).
      const peers = gateways.filter((o) => Object.keys(sel).length === 0 || selectorSubset(sel, labelsOf(o)));
      for (const other of peers) {
        if (other === gw) continue;
        for (const a of arr<Obj>(gw.spec.servers)) {
          for (const b of arr<Obj>(other.spec.servers)) {
            if (!a.tls || !b.tls) continue;
            if (sameCertificate(obj(a.tls), obj(b.tls))) report({ code: "IST0138", resource: gw, args: [[fullName(gw), fullName(other)]], path: "metadata.name" });
          }
        }
      }
    }
  },
};
