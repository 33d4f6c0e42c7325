// Validation of the annotations Istio checks before injecting; a bad value aborts injection with
// `invalid value '<v>' for annotation '<k>': <reason>` (several problems joined).
import { isQuantity } from "./quantity.js";
import { parseProxyConfigAnnotation } from "./proxyconfig.js";
import { InjectionError } from "./types.js";

export const A = {
  inject: "sidecar.istio.io/inject",
  status: "sidecar.istio.io/status",
  rev: "istio.io/rev",
  templates: "inject.istio.io/templates",
  proxyConfig: "proxy.istio.io/config",
  overrides: "proxy.istio.io/overrides",
  proxyImage: "sidecar.istio.io/proxyImage",
  proxyImageType: "sidecar.istio.io/proxyImageType",
  interceptionMode: "sidecar.istio.io/interceptionMode",
  nativeSidecar: "sidecar.istio.io/nativeSidecar",
  proxyCPU: "sidecar.istio.io/proxyCPU",
  proxyMemory: "sidecar.istio.io/proxyMemory",
  proxyCPULimit: "sidecar.istio.io/proxyCPULimit",
  proxyMemoryLimit: "sidecar.istio.io/proxyMemoryLimit",
  logLevel: "sidecar.istio.io/logLevel",
  componentLogLevel: "sidecar.istio.io/componentLogLevel",
  agentLogLevel: "sidecar.istio.io/agentLogLevel",
  capNetBindService: "sidecar.istio.io/capNetBindService",
  bootstrapOverride: "sidecar.istio.io/bootstrapOverride",
  userVolume: "sidecar.istio.io/userVolume",
  userVolumeMount: "sidecar.istio.io/userVolumeMount",
  rewriteAppHTTPProbers: "sidecar.istio.io/rewriteAppHTTPProbers",
  statusPort: "status.sidecar.istio.io/port",
  readinessInitialDelay: "readiness.status.sidecar.istio.io/initialDelaySeconds",
  readinessPeriod: "readiness.status.sidecar.istio.io/periodSeconds",
  readinessFailureThreshold: "readiness.status.sidecar.istio.io/failureThreshold",
  includeOutboundIPRanges: "traffic.sidecar.istio.io/includeOutboundIPRanges",
  excludeOutboundIPRanges: "traffic.sidecar.istio.io/excludeOutboundIPRanges",
  includeInboundPorts: "traffic.sidecar.istio.io/includeInboundPorts",
  excludeInboundPorts: "traffic.sidecar.istio.io/excludeInboundPorts",
  includeOutboundPorts: "traffic.sidecar.istio.io/includeOutboundPorts",
  excludeOutboundPorts: "traffic.sidecar.istio.io/excludeOutboundPorts",
  kubevirtInterfaces: "traffic.sidecar.istio.io/kubevirtInterfaces",
  rerouteVirtualInterfaces: "istio.io/reroute-virtual-interfaces",
  excludeInterfaces: "traffic.sidecar.istio.io/excludeInterfaces",
  mergeMetrics: "prometheus.istio.io/merge-metrics",
  defaultContainer: "kubectl.kubernetes.io/default-container",
  defaultLogsContainer: "kubectl.kubernetes.io/default-logs-container",
  multusNetworks: "k8s.v1.cni.cncf.io/networks",
  datadogEnv: "apm.datadoghq.com/env",
} as const;

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

export function isIPv4(s: string): boolean {
  const p = s.split(".");
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255 && (x === "0" || !x.startsWith("0")));
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return false;
  const dbl = s.split("::");
  if (dbl.length > 2) return false;
  const groups = (x: string) => (x === "" ? [] : x.split(":"));
  let parts = [...groups(dbl[0]), ...(dbl.length === 2 ? groups(dbl[1]) : [])];
  let width = 8;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.includes(".")) {
    if (!isIPv4(last)) return false;
    parts = parts.slice(0, -1);
    width = 6;
  }
  if (!parts.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return dbl.length === 2 ? parts.length < width : parts.length === width;
}

/** A CIDR prefix as Go's netip.ParsePrefix accepts it. */
export function isCIDR(s: string): boolean {
  const i = s.indexOf("/");
  if (i < 0) return false;
  const ip = s.slice(0, i);
  const bits = s.slice(i + 1);
  if (!/^\d{1,3}$/.test(bits) || (bits.length > 1 && bits.startsWith("0"))) return false;
  if (isIPv4(ip)) return Number(bits) <= 32;
  return !ip.includes("%") && isIPv6(ip) && Number(bits) <= 128;
}

function validateCIDRList(v: string, allowStar: boolean): string | undefined {
  if (v === "" || (allowStar && v === "*")) return undefined;
  for (const part of v.split(",")) {
    const c = part.trim();
    if (c === "") continue;
    if (!isCIDR(c)) return `"${c}" is not a valid CIDR`;
  }
  return undefined;
}

function validatePortList(v: string, allowStar: boolean): string | undefined {
  if (v.trim() === "" || (allowStar && v.trim() === "*")) return undefined;
  for (const part of v.split(",")) {
    const p = part.trim();
    if (!/^\d+$/.test(p) || Number(p) > 65535) return `port "${p}" is not a number between 0 and 65535`;
  }
  return undefined;
}

function validateUint32(v: string): string | undefined {
  return /^\d+$/.test(v) && Number(v) <= 4294967295 ? undefined : "not an unsigned 32-bit integer";
}

function validateInterfaces(v: string): string | undefined {
  for (const part of v.split(",")) {
    const n = part.trim();
    if (n === "") continue;
    if (n.length > 15 || !/^[^\s/:]+$/.test(n)) return `"${n}" is not a valid interface name`;
  }
  return undefined;
}

type Check = (v: string) => string | undefined;
const CHECKS: Record<string, Check> = {
  [A.interceptionMode]: (v) => (["REDIRECT", "TPROXY", "NONE"].includes(v) ? undefined : "interceptionMode must be REDIRECT, TPROXY or NONE"),
  [A.statusPort]: (v) => (/^\d+$/.test(v) && Number(v) <= 65535 ? undefined : "status port must be a number between 0 and 65535"),
  [A.readinessInitialDelay]: validateUint32,
  [A.readinessPeriod]: validateUint32,
  [A.readinessFailureThreshold]: validateUint32,
  [A.includeOutboundIPRanges]: (v) => prefix("includeIPRanges invalid", validateCIDRList(v, true)),
  [A.excludeOutboundIPRanges]: (v) => prefix("excludeIPRanges invalid", validateCIDRList(v, false)),
  [A.includeInboundPorts]: (v) => prefix("includeInboundPorts invalid", validatePortList(v, true)),
  [A.excludeInboundPorts]: (v) => prefix("excludeInboundPorts invalid", validatePortList(v, false)),
  [A.excludeOutboundPorts]: (v) => prefix("excludeOutboundPorts invalid", validatePortList(v, false)),
  [A.kubevirtInterfaces]: validateInterfaces,
  [A.rerouteVirtualInterfaces]: validateInterfaces,
  [A.excludeInterfaces]: validateInterfaces,
  [A.mergeMetrics]: (v) => (parseGoBool(v) === undefined ? "not a boolean" : undefined),
  [A.proxyConfig]: (v) => {
    try {
      parseProxyConfigAnnotation(v);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  },
  [A.proxyCPU]: quantityCheck,
  [A.proxyMemory]: quantityCheck,
  [A.proxyCPULimit]: quantityCheck,
  [A.proxyMemoryLimit]: quantityCheck,
};

function quantityCheck(v: string): string | undefined {
  return isQuantity(v) ? undefined : "not a valid resource quantity";
}

function prefix(p: string, r: string | undefined): string | undefined {
  return r === undefined ? undefined : `${p}: ${r}`;
}

/** Throws an InjectionError listing every invalid annotation Istio validates. */
export function validateAnnotations(annotations: Record<string, string> | undefined): void {
  if (!annotations) return;
  const problems: string[] = [];
  for (const key of Object.keys(annotations).sort()) {
    const check = CHECKS[key];
    if (!check) continue;
    const reason = check(String(annotations[key]));
    if (reason) problems.push(`invalid value '${annotations[key]}' for annotation '${key}': ${reason}`);
  }
  if (problems.length) throw new InjectionError(problems.join("; "));
}
