// Injection values: the `values` key of Istio's `istio-sidecar-injector` ConfigMap, i.e. the Helm values the
// sidecar template reads. Kept as a plain JSON tree (users may --set any path); the cores read it through the
// typed view `InjectionValues` (values-types.ts). Defaults are Istio 1.30.3's default profile with release images.
import type { InjectionValues } from "./values-types.js";

import type { Json, JsonObject } from "./json.js";
export type { Json, JsonObject } from "./json.js";
/** A Kubernetes object being built or patched (pods, containers, rendered manifests): any shape. */
export type Obj = Record<string, any>;

/** The typed view of a values tree (no copy, no check: every typed key is optional, so any tree is one). */
export function toInjectionValues(json: JsonObject): InjectionValues {
  return json as InjectionValues;
}

/** The escape hatch from a typed view back to the whole JSON tree, keys the types do not name included. */
export function rawJson(typed: object): JsonObject {
  return typed as JsonObject;
}

export const DEFAULT_HUB = "docker.io/istio";
export const DEFAULT_TAG = "1.30.3";

export function defaultInjectionValues(): JsonObject {
  return {
    gateways: { seccompProfile: {}, securityContext: {} },
    global: {
      caAddress: "",
      caName: "",
      hub: DEFAULT_HUB,
      tag: DEFAULT_TAG,
      variant: "",
      imagePullPolicy: "",
      imagePullSecrets: [],
      istioNamespace: "istio-system",
      logAsJson: false,
      logging: { level: "default:info" },
      meshID: "",
      mountMtlsCerts: false,
      multiCluster: { clusterName: "" },
      nativeNftables: false,
      network: "",
      pilotCertProvider: "istiod",
      proxy: {
        autoInject: "enabled",
        clusterDomain: "cluster.local",
        componentLogLevel: "misc:error",
        excludeIPRanges: "",
        excludeInboundPorts: "",
        excludeOutboundPorts: "",
        image: "proxyv2",
        includeIPRanges: "*",
        includeInboundPorts: "*",
        includeOutboundPorts: "",
        logLevel: "warning",
        outlierLogPath: "",
        privileged: false,
        readinessFailureThreshold: 4,
        readinessInitialDelaySeconds: 0,
        readinessPeriodSeconds: 15,
        resources: { limits: { cpu: "2000m", memory: "1024Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
        seccompProfile: {},
        startupProbe: { enabled: true, failureThreshold: 600 },
        statusPort: 15020,
        tracer: "none",
      },
      proxy_init: { forceApplyIptables: false, image: "proxyv2" },
      sds: { token: { aud: "istio-ca" } },
      sts: { servicePort: 0 },
    },
    pilot: { cni: { enabled: false, provider: "default" }, env: {} },
    revision: "",
    sidecarInjectorWebhook: {
      alwaysInjectSelector: [],
      defaultTemplates: [],
      enableNamespacesByDefault: false,
      injectedAnnotations: {},
      neverInjectSelector: [],
      reinvocationPolicy: "Never",
      rewriteAppHTTPProbe: true,
      templates: {},
    },
  };
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a dotted path from a JSON tree; undefined when any step is missing. */
export function getPath(root: unknown, path: string): Json | undefined {
  let cur: unknown = root;
  for (const k of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur as Json | undefined;
}

/** Helm-style merge: maps merge recursively, everything else (lists included) is replaced. Returns a new tree. */
export function mergeValues(base: Json | undefined, over: Json | undefined): Json {
  if (over === undefined) return clone(base ?? null);
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = { ...(clone(base) as JsonObject) };
    for (const [k, v] of Object.entries(over)) out[k] = mergeValues(base[k], v);
    return out;
  }
  return clone(over);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Go template truthiness: false, 0, "", nil, empty list/map are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** Stringifies a value as Go's fmt/template would print it (numbers as written, nil as empty). */
export function str(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}
