// The `proxy.istio.io/config` annotation: a ProxyConfig fragment in YAML or JSON.
import { load } from "js-yaml";
import { isObject, type JsonObject } from "../../mesh/values.js";
import { parseDuration } from "../../mesh/mesh.js";

const KNOWN = new Set([
  "configPath", "binaryPath", "serviceCluster", "drainDuration", "parentShutdownDuration", "discoveryAddress",
  "discoveryRefreshDelay", "zipkinAddress", "statsdUdpAddress", "envoyMetricsServiceAddress", "proxyAdminPort",
  "availabilityZone", "controlPlaneAuthPolicy", "customConfigFile", "statNameLength", "concurrency",
  "proxyBootstrapTemplatePath", "interceptionMode", "tracing", "sds", "envoyAccessLogService", "envoyMetricsService",
  "proxyMetadata", "runtimeValues", "statusPort", "extraStatTags", "gatewayTopology", "terminationDrainDuration",
  "meshId", "readinessProbe", "proxyStatsMatcher", "holdApplicationUntilProxyStarts", "caCertificatesPem", "image",
  "privateKeyProvider", "proxyHeaders", "fileFlushInterval", "fileFlushMinSizeKb", "serviceClusterProvider",
]);
const DURATIONS = ["drainDuration", "parentShutdownDuration", "discoveryRefreshDelay", "terminationDrainDuration", "fileFlushInterval"];
const PORTS = ["proxyAdminPort", "statusPort"];

/** Parses and checks a ProxyConfig fragment; throws with the offending field named. */
export function parseProxyConfigAnnotation(text: string): JsonObject {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    throw new Error(`not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isObject(doc)) throw new Error("must be a ProxyConfig map");
  for (const [k, v] of Object.entries(doc)) {
    if (!KNOWN.has(k)) throw new Error(`unknown field "${k}" in ProxyConfig`);
    if (DURATIONS.includes(k) && (typeof v !== "string" || Number.isNaN(parseDuration(v)))) {
      throw new Error(`${k}: invalid duration ${JSON.stringify(v)}`);
    }
    if (PORTS.includes(k) && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535)) {
      throw new Error(`${k}: must be a port number`);
    }
    if (k === "concurrency" && !(Number.isInteger(v) && (v as number) >= 0)) throw new Error("concurrency: must be a non-negative integer");
    if (k === "interceptionMode" && !["REDIRECT", "TPROXY", "NONE"].includes(String(v))) {
      throw new Error("interceptionMode: must be REDIRECT, TPROXY or NONE");
    }
    if (k === "proxyMetadata" && !isObject(v)) throw new Error("proxyMetadata: must be a map of strings");
  }
  return doc;
}
