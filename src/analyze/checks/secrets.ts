// Gateway TLS credentials: the Secret a server's credentialName names must exist in the gateway workload's
// namespace and hold a certificate and key (cert/key or tls.crt/tls.key) whose certificate parses and is valid now.
import { X509Certificate } from "node:crypto";
import type { Analyzer, Obj, Resource } from "../types.js";
import { arr, ISTIO_NETWORKING, obj, ofKind, selects, selectorString, str } from "../util.js";

function certificateOf(secret: Resource): Buffer | undefined {
  const data = obj(secret.object.data);
  const value = (k: string) => (typeof data[k] === "string" && data[k] !== "" ? Buffer.from(data[k], "base64") : undefined);
  for (const [c, k] of [["cert", "key"], ["tls.crt", "tls.key"]]) {
    const cert = value(c);
    if (cert && cert.length && value(k)?.length) return cert;
  }
  return undefined;
}

/** Whether the PEM certificate(s) parse and are within their validity period at `now`. */
export function certificateValid(pem: Buffer, now: number): boolean {
  const blocks = pem.toString("latin1").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return false;
  try {
    const cert = new X509Certificate(blocks[0]);
    return now >= Date.parse(cert.validFrom) && now <= Date.parse(cert.validTo);
  } catch {
    return false;
  }
}

export const gatewaySecrets: Analyzer = {
  name: "gateway.SecretAnalyzer",
  description: "Checks a gateway's referenced secrets for correctness",
  run(s, report) {
    const pods = ofKind(s, "Pod", "");
    const secrets = ofKind(s, "Secret", "");
    const now = s.now ?? 0;
    for (const gw of ofKind(s, "Gateway", ISTIO_NETWORKING)) {
      const sel = obj(gw.spec.selector) as Record<string, string>;
      const pod = pods.find((p) => selects(sel, p.labels));
      if (!pod) {
        report({ code: "IST0101", resource: gw, args: ["selector", selectorString(sel)], path: "spec.selector" });
        continue;
      }
      arr<Obj>(gw.spec.servers).forEach((srv, i) => {
        const cn = str(obj(srv.tls).credentialName);
        if (!cn) return;
        const [ns, name] = cn.includes("/") ? [cn.slice(0, cn.indexOf("/")), cn.slice(cn.indexOf("/") + 1)] : [pod.namespace, cn];
        const secret = secrets.find((x) => x.namespace === ns && x.name === name);
        if (!secret) {
          report({ code: "IST0101", resource: gw, args: ["credentialName", cn], path: `spec.servers[${i}].tls.credentialName` });
          return;
        }
        const cert = certificateOf(secret);
        if (!cert || !certificateValid(cert, now)) report({ code: "IST0161", resource: gw, args: [gw.name, pod.namespace] });
      });
    }
  },
};
