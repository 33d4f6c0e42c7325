// Istio's agent checks of a ProxyConfig (pkg/config/validation/agent ValidateMeshConfigProxyConfig), as the injector
// runs them on the `proxy.istio.io/config` annotation: the annotation is laid over Istio's default ProxyConfig and
// the result validated. Errors deny the injection; the DNS auto-allocation notice is a warning.
import { isIP } from "node:net";
import { isObject, type JsonObject } from "../../config/values.js";
import { goDurationNanos } from "../../config/duration.js";
import { fqdnError } from "../../schema/dns.js";

/** Istio's mesh.DefaultProxyConfig(), the fields the checks read. */
const DEFAULTS: JsonObject = {
  configPath: "./etc/istio/proxy",
  binaryPath: "/usr/local/bin/envoy",
  serviceCluster: "istio-proxy",
  drainDuration: "45s",
  discoveryAddress: "istiod.istio-system.svc:15012",
  proxyAdminPort: 15000,
  controlPlaneAuthPolicy: "MUTUAL_TLS",
  statusPort: 15020,
};

function validatePort(port: unknown): string | undefined {
  const n = Number(port);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : `port number ${String(port)} must be in the range 1..65535`;
}


/** Go's net.SplitHostPort. */
function splitHostPort(addr: string): { host: string; port: string } | string {
  if (addr.startsWith("[")) {
    const end = addr.indexOf("]");
    if (end < 0) return `address ${addr}: missing ']' in address`;
    if (end + 1 === addr.length) return `address ${addr}: missing port in address`;
    if (addr[end + 1] !== ":") return `address ${addr}: missing port in address`;
    const host = addr.slice(1, end);
    const port = addr.slice(end + 2);
    if (port.includes(":") || host.includes("[") || host.includes("]")) return `address ${addr}: too many colons in address`;
    return { host, port };
  }
  const i = addr.lastIndexOf(":");
  if (i < 0) return `address ${addr}: missing port in address`;
  const host = addr.slice(0, i);
  if (host.includes(":")) return `address ${addr}: too many colons in address`;
  return { host, port: addr.slice(i + 1) };
}

/** Istio's ValidateProxyAddress: host:port with a valid hostname or IP and a port in 1..65535. */
export function proxyAddressError(addr: string): string | undefined {
  const hp = splitHostPort(addr);
  if (typeof hp === "string") return `unable to split "${addr}": ${hp}`;
  if (!/^[+-]?\d+$/.test(hp.port)) return `port (${hp.port}) is not a number`;
  const portErr = validatePort(Number(hp.port));
  if (portErr) return portErr;
  if (fqdnError(hp.host) && isIP(hp.host) === 0) return `"${hp.host}" is not a valid hostname or an IP address`;
  return undefined;
}

function drainDurationError(v: unknown): string | undefined {
  const ns = typeof v === "string" ? goDurationNanos(v) : undefined;
  if (ns === undefined) return `invalid drain duration: ${JSON.stringify(v)} is not a duration`;
  if (ns < 1_000_000n) return "invalid drain duration: duration must be greater than 1ms";
  if (ns % 1_000_000n !== 0n) return "invalid drain duration: only durations to ms precision are supported";
  if (ns % 1_000_000_000n !== 0n) return "drain time only supports durations to seconds precision";
  return undefined;
}

const AUTH_POLICIES = new Set(["NONE", "MUTUAL_TLS", 0, 1]);

function pollDelayError(kind: string, conf: unknown): string | undefined {
  if (!isObject(conf)) return `${kind} configuration is required`;
  const d = conf.pollDelay;
  if (d === undefined || d === null) return "pollDelay is required";
  const ns = typeof d === "string" ? goDurationNanos(d) : isObject(d) ? BigInt(Number(d.seconds ?? 0)) * 1_000_000_000n + BigInt(Number(d.nanos ?? 0)) : undefined;
  return ns === 0n ? "pollDelay must be non zero" : undefined;
}

/** The errors (and warnings) of Istio's ValidateMeshConfigProxyConfig for the annotation laid over the defaults. */
export function agentProxyConfigProblems(annotation: JsonObject): { errors: string[]; warnings: string[] } {
  const c: JsonObject = { ...DEFAULTS, ...annotation };
  if ("tracingServiceName" in annotation && !("serviceCluster" in annotation)) delete c.serviceCluster;
  const errors: string[] = [];
  const warnings: string[] = [];
  const add = (prefix: string, e: string | undefined) => e && errors.push(prefix ? `${prefix} ${e}` : e);
  if (c.configPath === "") errors.push("config path must be set");
  if (c.binaryPath === "") errors.push("binary path must be set");
  if ("serviceCluster" in c && c.serviceCluster === "") errors.push("service cluster must be specified");
  add("", drainDurationError(c.drainDuration));
  if (c.discoveryAddress === "" || c.discoveryAddress === null) errors.push("discovery address must be set to the proxy discovery service");
  else add("invalid discovery address:", proxyAddressError(String(c.discoveryAddress)));
  const tracing = isObject(c.tracing) ? c.tracing : {};
  if (isObject(tracing.lightstep)) {
    const ls = tracing.lightstep;
    if (!ls.address) errors.push("invalid lightstep config: address is required");
    add("invalid lightstep config: invalid lightstep address:", proxyAddressError(String(ls.address ?? "")));
    if (!ls.accessToken) errors.push("invalid lightstep config: access token is required");
  }
  for (const t of ["zipkin", "datadog"]) {
    const tr = tracing[t];
    if (isObject(tr)) add(`invalid ${t} config:`, proxyAddressError(String(tr.address ?? "").replace("$(HOST_IP)", "127.0.0.1")));
  }
  if (isObject(tracing.customTags)) {
    for (const [k, v] of Object.entries(tracing.customTags)) if (v === null) errors.push(`invalid tracing custom tags: encountered nil value for custom tag: ${k}`);
  }
  if (c.statsdUdpAddress) add(`invalid statsd udp address "${c.statsdUdpAddress}":`, proxyAddressError(String(c.statsdUdpAddress)));
  if (c.envoyMetricsServiceAddress) add(`invalid envoy metrics service address "${c.envoyMetricsServiceAddress}":`, proxyAddressError(String(c.envoyMetricsServiceAddress)));
  const proxyMetadata = isObject(c.proxyMetadata) ? c.proxyMetadata : {};
  if ("ISTIO_META_DNS_AUTO_ALLOCATE" in proxyMetadata) {
    warnings.push("'ISTIO_META_DNS_AUTO_ALLOCATE' is deprecated; review https://istio.io/latest/docs/ops/configuration/traffic-management/dns-proxy/#dns-auto-allocation-v2 for information about replacement functionality");
  }
  for (const [k, what] of [["envoyMetricsService", "envoy metrics service"], ["envoyAccessLogService", "envoy access log service"]] as const) {
    const svc = c[k];
    if (isObject(svc) && svc.address) add(`invalid ${what} address "${svc.address}":`, proxyAddressError(String(svc.address)));
  }
  add("invalid proxy admin port:", validatePort(c.proxyAdminPort));
  if (!AUTH_POLICIES.has(c.controlPlaneAuthPolicy as string | number)) errors.push(`invalid authentication policy: unrecognized control plane auth policy "${String(c.controlPlaneAuthPolicy)}"`);
  add("invalid status port:", validatePort(c.statusPort));
  if ("privateKeyProvider" in c && c.privateKeyProvider !== null) {
    const pkp = isObject(c.privateKeyProvider) ? c.privateKeyProvider : {};
    const kind = ["cryptomb", "qat"].find((k) => k in pkp);
    if (!kind) errors.push("invalid private key provider configuration: private key provider configuration is required; unknown private key provider");
    else add("invalid private key provider configuration:", pollDelayError(kind, pkp[kind]));
  }
  return { errors, warnings };
}
