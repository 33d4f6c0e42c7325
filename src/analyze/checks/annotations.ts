// Istio annotations on Kubernetes resources: names Istio does not know, annotations on a kind they do not apply
// to, deprecated ones, and values the injector would refuse.
import { load } from "js-yaml";
import type { Analyzer } from "../types.js";
import { ANNOTATIONS } from "../annotation-registry.js";
import { ofKind } from "../util.js";

const IGNORED = new Set(["sidecar.istio.io/status", "gateway.istio.io/controller-version", "istio.io/rev"]);
const INJECT = "sidecar.istio.io/inject";
const DEPRECATION_EXTRA: Record<string, string> = { [INJECT]: ` in favor of the "sidecar.istio.io/inject" label` };

const isIstioAnnotation = (a: string) => a === "kubernetes.io/ingress.class" || a.split("/")[0].endsWith("istio.io");

// Value checks, with the reasons Go's parsers give where Istio passes them through.
const parseUint = (v: string, bits: number): string | undefined => {
  if (!/^\d+$/.test(v)) return `strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`;
  return BigInt(v) >= 1n << BigInt(bits) ? `strconv.ParseUint: parsing ${JSON.stringify(v)}: value out of range` : undefined;
};
const port = (p: string): string | undefined => {
  const e = parseUint(p.trim(), 16);
  return e && `failed parsing port '${p}': ${e}`;
};
const ports = (name: string, allowStar: boolean) => (v: string): string | undefined => {
  if (allowStar && v === "*") return undefined;
  const t = v.trim();
  if (!t) return undefined;
  for (const p of t.split(",")) {
    const e = port(p);
    if (e) return `${name} invalid: failed parsing port '${p}': ${e}`;
  }
  return undefined;
};
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const cidrs = (name: string, allowStar: boolean) => (v: string): string | undefined => {
  if ((allowStar && v === "*") || v === "") return undefined;
  for (const c of v.split(",")) {
    const [ip, bits, extra] = c.split("/");
    const ok = extra === undefined && bits !== undefined && /^\d{1,3}$/.test(bits) &&
      ((IPV4.test(ip) && Number(bits) <= 32) || (ip.includes(":") && /^[0-9a-fA-F:.]+$/.test(ip) && Number(bits) <= 128));
    if (!ok) return `${name} invalid: failed parsing cidr '${c}': netip.ParsePrefix(${JSON.stringify(c)}): invalid prefix`;
  }
  return undefined;
};
const interfaces = (v: string): string | undefined => {
  for (const n of v.split(",")) {
    const t = n.trim();
    if (t && (t.length > 15 || !/^[^\s/:]+$/.test(t))) return `interface name ${t} is invalid`;
  }
  return undefined;
};
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const quantity = (v: string) => (QUANTITY.test(v) ? undefined : "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
const bool = (v: string) => (["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].includes(v) ? undefined : `strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);

const VALIDATE: Record<string, (v: string) => string | undefined> = {
  "sidecar.istio.io/interceptionMode": (v) => (["REDIRECT", "TPROXY", "NONE"].includes(v) ? undefined : `interceptionMode invalid, use REDIRECT,TPROXY,NONE: ${v}`),
  "status.sidecar.istio.io/port": (v) => {
    const e = port(v);
    return e && `excludeInboundPorts invalid: ${e}`;
  },
  "readiness.status.sidecar.istio.io/initialDelaySeconds": (v) => parseUint(v, 32),
  "readiness.status.sidecar.istio.io/periodSeconds": (v) => parseUint(v, 32),
  "readiness.status.sidecar.istio.io/failureThreshold": (v) => parseUint(v, 32),
  "traffic.sidecar.istio.io/includeOutboundIPRanges": cidrs("includeIPRanges", true),
  "traffic.sidecar.istio.io/excludeOutboundIPRanges": cidrs("excludeIPRanges", false),
  "traffic.sidecar.istio.io/includeInboundPorts": ports("includeInboundPorts", true),
  "traffic.sidecar.istio.io/excludeInboundPorts": ports("excludeInboundPorts", false),
  "traffic.sidecar.istio.io/excludeOutboundPorts": ports("excludeOutboundPorts", false),
  "traffic.sidecar.istio.io/excludeInterfaces": interfaces,
  "traffic.sidecar.istio.io/kubevirtInterfaces": interfaces,
  "istio.io/reroute-virtual-interfaces": interfaces,
  "prometheus.istio.io/merge-metrics": bool,
  "proxy.istio.io/config": (v) => {
    try {
      const o = load(v);
      return o === null || o === undefined || (typeof o === "object" && !Array.isArray(o)) ? undefined : "failed to convert to apply proxy config: not a ProxyConfig mapping";
    } catch (e) {
      return `failed to convert to apply proxy config: ${((e as Error).message ?? "").split("\n")[0]}`;
    }
  },
  "sidecar.istio.io/proxyCPU": quantity,
  "sidecar.istio.io/proxyMemory": quantity,
  "sidecar.istio.io/proxyCPULimit": quantity,
  "sidecar.istio.io/proxyMemoryLimit": quantity,
};

export const k8sAnnotations: Analyzer = {
  name: "annotations.K8sAnalyzer",
  description: "Checks for misplaced and invalid Istio annotations in Kubernetes resources",
  run(s, report) {
    for (const [kind, group] of [["Namespace", ""], ["Service", ""], ["Pod", ""], ["Deployment", "apps"]]) {
      for (const r of ofKind(s, kind, group)) {
        for (const [ann, value] of Object.entries(r.annotations)) {
          if (!isIstioAnnotation(ann) || IGNORED.has(ann)) continue;
          const path = `metadata.annotations[${ann}]`;
          const info = ANNOTATIONS.get(ann);
          if (!info) {
            report({ code: "IST0108", resource: r, args: [ann], path });
            continue;
          }
          if (info.deprecated && !(ann === INJECT && INJECT in r.labels)) report({ code: "IST0135", resource: r, args: [ann, DEPRECATION_EXTRA[ann] ?? ""], path });
          if (info.kinds.includes("Any")) continue;
          if (!info.kinds.includes(kind)) {
            report({ code: "IST0107", resource: r, args: [ann, info.kinds.join(", ")], path });
            continue;
          }
          const why = VALIDATE[ann]?.(value);
          if (why) report({ code: "IST0125", resource: r, args: [ann, why], path });
        }
      }
    }
  },
};
