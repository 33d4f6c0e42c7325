// PROXY_CONFIG: the effective ProxyConfig as Istio 1.30.3 prints it with `protoToJSON` (pkg/kube/inject/template.go):
// cleanProxyConfig clears the fields equal to mesh.DefaultProxyConfig()'s, then protomarshal.ToJSON marshals with
// github.com/golang/protobuf's jsonpb Marshaler (no indent, EmitDefaults off). Its rules, written here from the
// proto declarations (istio.io/api mesh/v1alpha1/proxy.proto and the networking messages it uses):
// - fields print in declaration order, under their JSON (lowerCamel) names, compact;
// - a proto3 scalar (string, number, bool, enum) at its zero value, an empty list and an empty map are left out;
// - a message field that is set prints, even when empty (`{}`); wrappers (BoolValue, Int32Value...) that are set
//   print their value, zero included; a oneof member that is set prints, zero included;
// - enums print as names, 64-bit integers as strings, durations as seconds ("1.500s"), map keys sorted;
// - strings are escaped as encoding/json escapes them (<, >, & as \u003c...).
import { goDurationNanos } from "../../config/duration.js";
import { isObject } from "../../config/values.js";

type Scalar = "string" | "bool" | "int32" | "uint32" | "int64" | "uint64" | "double" | "duration";
type Kind =
  | { t: "scalar"; s: Scalar }
  | { t: "wrapper"; s: Scalar }
  | { t: "enum"; values: string[] }
  | { t: "message"; name: string };
interface Field {
  json: string;
  kind: Kind;
  repeated?: boolean;
  map?: boolean;
  oneof?: string;
}

const S = (s: Scalar): Kind => ({ t: "scalar", s });
const W = (s: Scalar): Kind => ({ t: "wrapper", s });
const E = (...values: string[]): Kind => ({ t: "enum", values });
const M = (name: string): Kind => ({ t: "message", name });
const f = (json: string, kind: Kind, opts: Partial<Field> = {}): Field => ({ json, kind, ...opts });
const list = (json: string, kind: Kind): Field => f(json, kind, { repeated: true });
const map = (json: string, kind: Kind): Field => f(json, kind, { map: true });
const one = (oneof: string, json: string, kind: Kind): Field => f(json, kind, { oneof });

const str = S("string");
const bool = S("bool");
const i32 = S("int32");
const u32 = S("uint32");
const dur = S("duration");
const wbool = W("bool");
const FORWARD_CLIENT_CERT = E("UNDEFINED", "SANITIZE", "FORWARD_ONLY", "APPEND_FORWARD", "SANITIZE_SET", "ALWAYS_FORWARD_ONLY");

/** The messages PROXY_CONFIG can hold, fields in declaration order. */
const MESSAGES: Record<string, Field[]> = {
  ProxyConfig: [
    f("configPath", str), f("binaryPath", str),
    one("clusterName", "serviceCluster", str),
    one("clusterName", "tracingServiceName", E("APP_LABEL_AND_NAMESPACE", "CANONICAL_NAME_ONLY", "CANONICAL_NAME_AND_NAMESPACE")),
    f("drainDuration", dur), f("discoveryAddress", str), f("discoveryRefreshDelay", dur), f("zipkinAddress", str),
    f("statsdUdpAddress", str), f("envoyMetricsServiceAddress", str), f("proxyAdminPort", i32), f("availabilityZone", str),
    f("controlPlaneAuthPolicy", E("NONE", "MUTUAL_TLS")), f("customConfigFile", str), f("statNameLength", i32),
    f("concurrency", W("int32")), f("proxyBootstrapTemplatePath", str), f("interceptionMode", E("REDIRECT", "TPROXY", "NONE")),
    f("tracing", M("Tracing")), f("sds", M("SDS")), f("envoyAccessLogService", M("RemoteService")),
    f("envoyMetricsService", M("RemoteService")), map("proxyMetadata", str), map("runtimeValues", str), f("statusPort", i32),
    list("extraStatTags", str), f("gatewayTopology", M("Topology")), f("terminationDrainDuration", dur), f("meshId", str),
    f("readinessProbe", M("ReadinessProbe")), f("proxyStatsMatcher", M("ProxyStatsMatcher")),
    f("holdApplicationUntilProxyStarts", wbool), list("caCertificatesPem", str), f("image", M("ProxyImage")),
    f("privateKeyProvider", M("PrivateKeyProvider")), f("proxyHeaders", M("ProxyHeaders")), f("fileFlushInterval", dur),
    f("fileFlushMinSizeKb", u32), f("statsCompression", wbool),
  ],
  Tracing: [
    one("tracer", "zipkin", M("Zipkin")), one("tracer", "lightstep", M("Lightstep")), one("tracer", "datadog", M("Datadog")),
    one("tracer", "stackdriver", M("Stackdriver")), one("tracer", "openCensusAgent", M("OpenCensusAgent")),
    map("customTags", M("CustomTag")), f("maxPathTagLength", u32), f("sampling", S("double")),
    f("tlsSettings", M("ClientTLSSettings")), f("enableIstioTags", wbool),
  ],
  Zipkin: [f("address", str)],
  Lightstep: [f("address", str), f("accessToken", str)],
  Datadog: [f("address", str)],
  Stackdriver: [f("debug", bool), f("maxNumberOfAttributes", W("int64")), f("maxNumberOfAnnotations", W("int64")), f("maxNumberOfMessageEvents", W("int64"))],
  OpenCensusAgent: [f("address", str), list("context", E("UNSPECIFIED", "W3C_TRACE_CONTEXT", "GRPC_BIN", "CLOUD_TRACE_CONTEXT", "B3"))],
  CustomTag: [one("type", "literal", M("Literal")), one("type", "environment", M("Environment")), one("type", "header", M("RequestHeader"))],
  Literal: [f("value", str)],
  Environment: [f("name", str), f("defaultValue", str)],
  RequestHeader: [f("name", str), f("defaultValue", str)],
  SDS: [f("enabled", bool), f("k8sSaJwtPath", str)],
  Topology: [f("numTrustedProxies", u32), f("forwardClientCertDetails", FORWARD_CLIENT_CERT), f("proxyProtocol", M("Empty"))],
  Empty: [],
  RemoteService: [f("address", str), f("tlsSettings", M("ClientTLSSettings")), f("tcpKeepalive", M("TcpKeepalive"))],
  TcpKeepalive: [f("probes", u32), f("time", dur), f("interval", dur)],
  ClientTLSSettings: [
    f("mode", E("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL")), f("clientCertificate", str), f("privateKey", str),
    f("caCertificates", str), f("credentialName", str), list("subjectAltNames", str), f("sni", str),
    f("insecureSkipVerify", wbool), f("caCrl", str),
  ],
  ReadinessProbe: [
    f("initialDelaySeconds", i32), f("timeoutSeconds", i32), f("periodSeconds", i32), f("successThreshold", i32), f("failureThreshold", i32),
    one("healthCheckMethod", "httpGet", M("HTTPHealthCheckConfig")), one("healthCheckMethod", "tcpSocket", M("TCPHealthCheckConfig")),
    one("healthCheckMethod", "exec", M("ExecHealthCheckConfig")), one("healthCheckMethod", "grpc", M("GrpcHealthCheckConfig")),
  ],
  HTTPHealthCheckConfig: [f("path", str), f("port", u32), f("host", str), f("scheme", str), list("httpHeaders", M("HTTPHeader"))],
  HTTPHeader: [f("name", str), f("value", str)],
  TCPHealthCheckConfig: [f("host", str), f("port", u32)],
  ExecHealthCheckConfig: [list("command", str)],
  GrpcHealthCheckConfig: [f("port", u32), f("service", str)],
  ProxyStatsMatcher: [list("inclusionPrefixes", str), list("inclusionSuffixes", str), list("inclusionRegexps", str)],
  ProxyImage: [f("imageType", str)],
  PrivateKeyProvider: [one("provider", "cryptomb", M("PrivateKeyPoll")), one("provider", "qat", M("PrivateKeyPoll"))],
  PrivateKeyPoll: [f("pollDelay", dur), f("fallback", wbool)],
  ProxyHeaders: [
    f("forwardedClientCert", FORWARD_CLIENT_CERT), f("setCurrentClientCertDetails", M("SetCurrentClientCertDetails")),
    f("requestId", M("Disabled")), f("server", M("Server")), f("attemptCount", M("Disabled")), f("envoyDebugHeaders", M("Disabled")),
    f("metadataExchangeHeaders", M("MetadataExchangeHeaders")), f("preserveHttp1HeaderCase", wbool),
    f("xForwardedHost", M("Enabled")), f("xForwardedPort", M("Enabled")),
  ],
  SetCurrentClientCertDetails: [f("subject", wbool), f("cert", wbool), f("chain", wbool), f("dns", wbool), f("uri", wbool)],
  Disabled: [f("disabled", wbool)],
  Enabled: [f("enabled", wbool)],
  Server: [f("disabled", wbool), f("value", str)],
  MetadataExchangeHeaders: [f("mode", E("UNDEFINED", "IN_MESH"))],
};

/** The JSON names of ProxyConfig's fields (declaration order): what `proxy.istio.io/config` may set. */
export const PROXY_CONFIG_JSON_FIELDS: readonly string[] = MESSAGES.ProxyConfig.map((x) => x.json);

/** Go's encoding/json string: HTML characters and U+2028/9 escaped. */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** A durationpb.Duration in jsonpb's form: seconds, nanos to 9 digits, trailing "000" groups trimmed. */
function durationJson(v: unknown): string | undefined {
  let ns: bigint | undefined;
  if (typeof v === "string") ns = goDurationNanos(v);
  else if (isObject(v)) ns = BigInt(Math.trunc(Number(v.seconds ?? 0))) * 1_000_000_000n + BigInt(Math.trunc(Number(v.nanos ?? 0)));
  if (ns === undefined) return undefined;
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  let x = `${neg ? "-" : ""}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, "0")}`;
  for (const suffix of ["000", "000", ".000"]) if (x.endsWith(suffix)) x = x.slice(0, -suffix.length);
  return `"${x}s"`;
}

function isZero(s: Scalar, v: unknown): boolean {
  if (s === "string") return v === "";
  if (s === "bool") return v === false;
  if (s === "duration") return false;
  return Number(v) === 0;
}

/** A scalar's JSON (undefined when the value has no JSON form). */
function scalarJson(s: Scalar, v: unknown): string | undefined {
  switch (s) {
    case "string":
      return goString(typeof v === "string" ? v : String(v));
    case "bool":
      return v === true || v === "true" ? "true" : "false";
    case "int64":
    case "uint64":
      return `"${typeof v === "bigint" ? v : Math.trunc(Number(v))}"`;
    case "int32":
    case "uint32":
      return String(Math.trunc(Number(v)));
    case "double": {
      const n = Number(v);
      if (Number.isNaN(n)) return '"NaN"';
      if (!Number.isFinite(n)) return n > 0 ? '"Infinity"' : '"-Infinity"';
      return JSON.stringify(n);
    }
    case "duration":
      return durationJson(v);
  }
}

function enumName(kind: { values: string[] }, v: unknown): string {
  return typeof v === "number" ? (kind.values[v] ?? String(v)) : String(v);
}

/** A value of `kind` (not a list or map), or undefined when left out (scalars at zero, unless `present`). */
function valueJson(kind: Kind, v: unknown, present: boolean): string | undefined {
  switch (kind.t) {
    case "scalar":
      if (!present && isZero(kind.s, v)) return undefined;
      return scalarJson(kind.s, v);
    case "wrapper":
      // protojson writes a wrapper as its value; a `{value: x}` form reads the same.
      return scalarJson(kind.s, isObject(v) ? (v.value ?? zeroOf(kind.s)) : v);
    case "enum": {
      const name = enumName(kind, v);
      if (!present && name === kind.values[0]) return undefined;
      return goString(name);
    }
    case "message":
      return messageJson(kind.name, isObject(v) ? v : {});
  }
}

function zeroOf(s: Scalar): unknown {
  return s === "string" ? "" : s === "bool" ? false : 0;
}

function messageJson(type: string, o: Record<string, unknown>): string {
  const fields = MESSAGES[type] ?? [];
  const parts: string[] = [];
  const known = new Set(fields.map((x) => x.json));
  for (const fd of fields) {
    const v = o[fd.json];
    if (v === undefined || v === null) continue;
    let out: string | undefined;
    if (fd.map) {
      if (!isObject(v) || Object.keys(v).length === 0) continue;
      const entries = Object.keys(v)
        .sort()
        .filter((k) => v[k] !== null && v[k] !== undefined)
        .map((k) => `${goString(k)}:${valueJson(fd.kind, v[k], true)}`);
      out = `{${entries.join(",")}}`;
    } else if (fd.repeated) {
      if (!Array.isArray(v) || v.length === 0) continue;
      out = `[${v.map((x) => valueJson(fd.kind, x, true) ?? "null").join(",")}]`;
    } else {
      out = valueJson(fd.kind, v, fd.oneof !== undefined);
    }
    if (out !== undefined) parts.push(`${goString(fd.json)}:${out}`);
  }
  // Fields outside the schema (none pass validation): printed as given, in their order, so nothing is dropped.
  for (const [k, v] of Object.entries(o)) if (!known.has(k) && v !== null && v !== undefined) parts.push(`${goString(k)}:${JSON.stringify(v)}`);
  return `{${parts.join(",")}}`;
}

/** mesh.DefaultProxyConfig()'s values of the fields cleanProxyConfig clears when equal. */
const CLEARED_WHEN_DEFAULT: [string, unknown][] = [
  ["configPath", "./etc/istio/proxy"],
  ["binaryPath", "/usr/local/bin/envoy"],
  ["controlPlaneAuthPolicy", "MUTUAL_TLS"],
  ["serviceCluster", "istio-proxy"],
  ["drainDuration", '"45s"'],
  ["terminationDrainDuration", '"5s"'],
  ["discoveryAddress", "istiod.istio-system.svc:15012"],
  ["proxyAdminPort", 15000],
  ["statNameLength", 189],
  ["statusPort", 15020],
];

/** Istio's cleanProxyConfig: the ProxyConfig without the fields equal to the defaults (a shallow copy). */
function cleanProxyConfig(pc: Record<string, unknown>): Record<string, unknown> {
  const out = { ...pc };
  for (const [k, dflt] of CLEARED_WHEN_DEFAULT) {
    const v = out[k];
    if (v === undefined || v === null) continue;
    const same = k.endsWith("Duration") ? durationJson(v) === dflt : k === "controlPlaneAuthPolicy" ? enumName({ values: ["NONE", "MUTUAL_TLS"] }, v) === dflt : v === dflt || Number(v) === dflt;
    if (same) delete out[k];
  }
  // envoyMetricsService, envoyAccessLogService, tracing and concurrency default to unset: proto.Equal clears only
  // an unset one. An empty proxyMetadata is unset (and an empty map prints nothing anyway).
  return out;
}

/** PROXY_CONFIG's value: the ProxyConfig as `protoToJSON` prints it (without the template's trailing newline). */
export function proxyConfigToJSON(pc: unknown): string {
  if (!isObject(pc)) return "{}";
  return messageJson("ProxyConfig", cleanProxyConfig(pc));
}

/**
 * A message without a schema here (MeshConfig): jsonpb's rules as far as the JSON form tells them: fields whose
 * value is a zero scalar ("", 0, false) or an empty list are left out, objects print with their fields (maps with
 * keys sorted cannot be told from messages: both keep their order as given). Enums at their zero name and unset
 * wrappers cannot be told apart from set ones; they print as given.
 */
export function protoJsonUntyped(o: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined || v === "" || v === 0 || v === false || (Array.isArray(v) && v.length === 0)) continue;
    parts.push(`${goString(k)}:${untypedValue(v)}`);
  }
  return `{${parts.join(",")}}`;
}

function untypedValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(untypedValue).join(",")}]`;
  if (isObject(v)) return protoJsonUntyped(v);
  if (typeof v === "string") return goString(v);
  return JSON.stringify(v) ?? "null";
}
