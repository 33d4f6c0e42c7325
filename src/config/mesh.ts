// MeshConfig and ProxyConfig: Istio's defaults, the ApplyMeshConfig overlay rules, and the protobuf-JSON
// rendering of the effective proxy config that the injector puts into PROXY_CONFIG.
import { clone, isObject, rawJson, type Json, type JsonObject } from "./values.js";
import type { MeshConfig, ProxyConfig } from "./mesh-types.js";
import { parseGoDuration } from "./duration.js";

/** The typed views of a mesh config and a proxy config tree (no copy: the trees stay open, see `rawJson`). */
export function toMeshConfig(json: JsonObject): MeshConfig {
  return json as MeshConfig;
}
export function toProxyConfig(json: JsonObject): ProxyConfig {
  return json as ProxyConfig;
}

export const DEFAULT_PROXY_CONFIG: JsonObject = {
  configPath: "./etc/istio/proxy",
  binaryPath: "/usr/local/bin/envoy",
  serviceCluster: "istio-proxy",
  drainDuration: "45s",
  terminationDrainDuration: "5s",
  discoveryAddress: "istiod.istio-system.svc:15012",
  proxyAdminPort: 15000,
  controlPlaneAuthPolicy: "MUTUAL_TLS",
  statNameLength: 189,
  statusPort: 15020,
};

export function defaultMeshConfig(): JsonObject {
  return {
    trustDomain: "cluster.local",
    rootNamespace: "istio-system",
    proxyListenPort: 15001,
    proxyInboundListenPort: 15006,
    enablePrometheusMerge: true,
    inboundTrafficPolicy: { mode: "PASSTHROUGH" },
    defaultConfig: clone(DEFAULT_PROXY_CONFIG),
    extensionProviders: [
      { name: "prometheus", prometheus: {} },
      { name: "stackdriver", stackdriver: {} },
      { name: "envoy", envoyFileAccessLog: { path: "/dev/stdout" } },
    ],
    defaultProviders: { metrics: ["prometheus"] },
  };
}

/**
 * Overlays a MeshConfig fragment as Istio's ApplyMeshConfig does: top-level fields replace, `defaultConfig`
 * merges field by field (`proxyMetadata` key by key), `extensionProviders` merge by name.
 */
export function applyMeshConfig(base: JsonObject, over: JsonObject): JsonObject {
  const out = clone(base);
  for (const [k, v] of Object.entries(over)) {
    if (k === "defaultConfig" && isObject(v)) {
      out.defaultConfig = rawJson(applyProxyConfig(isObject(out.defaultConfig) ? out.defaultConfig : {}, v));
    } else if (k === "extensionProviders" && Array.isArray(v)) {
      const list = Array.isArray(out.extensionProviders) ? [...out.extensionProviders] : [];
      for (const p of v) {
        const name = isObject(p) ? p.name : undefined;
        const i = list.findIndex((q) => isObject(q) && q.name === name);
        if (i >= 0) list[i] = clone(p);
        else list.push(clone(p));
      }
      out.extensionProviders = list;
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

/** ProxyConfig overlay (annotation over mesh default): fields replace, proxyMetadata merges by key. */
export function applyProxyConfig(base: ProxyConfig, over: ProxyConfig): ProxyConfig {
  const out = clone(rawJson(base));
  for (const [k, v] of Object.entries(rawJson(over))) {
    if (k === "proxyMetadata" && isObject(v) && isObject(out.proxyMetadata)) {
      out.proxyMetadata = { ...out.proxyMetadata, ...clone(v) };
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

// ProxyConfig fields held as google.protobuf.Duration (PROXY_CONFIG itself is printed by webhook/inject/protojson.ts).
export const DURATION_FIELDS = new Set([
  "drainDuration", "parentShutdownDuration", "discoveryRefreshDelay", "terminationDrainDuration", "fileFlushInterval",
]);

/** A Go/protobuf duration ("23s", "1m30s", "1.5s", "500ms") in seconds; NaN if malformed. */
export function parseDuration(s: string): number {
  const ms = parseGoDuration(s);
  return ms === undefined ? NaN : ms / 1000;
}

/** Map keys sorted at every level (as Go writes JSON), list order kept. */
export function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) {
    const o: JsonObject = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

