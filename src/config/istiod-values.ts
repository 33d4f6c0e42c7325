// The values as Istio 1.30.3's istiod chart (istio-discovery) sees them, which is what its `values[-rev]` ConfigMap
// records and what its `istio-sidecar-injector[-rev]` ConfigMap picks its `values` key from. istioctl hands the
// chart the IstioOperator's whole `spec.values` (recorded as `original-values`); the chart then lays, in order:
// its own defaults < the chart profiles the values name (`profile`, `compatibilityVersion`, `platform`) < those
// values, and finally copies `pilot.*` over the top level (`merged-values`). pilotfish's own resolved values
// (ResolvedIop.values) are the union of every chart's defaults: they hold keys this chart does not (cni, ztunnel,
// gateway and addon settings) and lack some it does (global.caAddress, ...), so this view is computed apart.
import { chartValues } from "./profiles.js";
import { DEFAULT_HUB, DEFAULT_TAG, clone, isObject, type Json, type JsonObject } from "./values.js";
import type { ResolvedIop } from "./resolve.js";

/** The istiod chart's defaults (a fresh tree on every call). */
export function istiodChartDefaults(): JsonObject {
  const proxyResources = { limits: { cpu: "2000m", memory: "1024Mi" }, requests: { cpu: "100m", memory: "128Mi" } };
  return {
    // istiod's own Deployment, HPA and PDB settings (IstioOperator users write them under values.pilot).
    autoscaleEnabled: true,
    autoscaleMin: 1,
    autoscaleMax: 5,
    autoscaleBehavior: {},
    replicaCount: 1,
    rollingMaxSurge: "100%",
    rollingMaxUnavailable: "25%",
    hub: "",
    tag: "",
    variant: "",
    image: "pilot",
    traceSampling: 1,
    resources: { requests: { cpu: "500m", memory: "2048Mi" } },
    seccompProfile: {},
    cni: { enabled: false, provider: "default" },
    extraContainerArgs: [],
    env: {},
    envVarFrom: [],
    taint: { enabled: false, namespace: "", name: "cni.istio.io/not-ready" },
    affinity: {},
    tolerations: [],
    cpu: { targetAverageUtilization: 80 },
    memory: {},
    volumeMounts: [],
    volumes: [],
    initContainers: [],
    nodeSelector: {},
    podAnnotations: {},
    serviceAnnotations: {},
    serviceAccountAnnotations: {},
    sidecarInjectorWebhookAnnotations: {},
    topologySpreadConstraints: [],
    jwksResolverExtraRootCA: "",
    keepaliveMaxServerConnectionAge: "30m",
    deploymentLabels: {},
    deploymentAnnotations: {},
    configMap: true,
    podLabels: {},
    ipFamilyPolicy: "",
    ipFamilies: [],
    trustedZtunnelNamespace: "",
    trustedZtunnelName: "",
    pdb: { minAvailable: 1, unhealthyPodEvictionPolicy: "" },
    // Shared with the other charts.
    sidecarInjectorWebhook: {
      neverInjectSelector: [],
      alwaysInjectSelector: [],
      injectedAnnotations: {},
      enableNamespacesByDefault: false,
      reinvocationPolicy: "Never",
      rewriteAppHTTPProbe: true,
      templates: {},
      defaultTemplates: [],
    },
    istiodRemote: { enabled: false, enabledLocalInjectorIstiod: false, injectionURL: "", injectionPath: "/inject", injectionCABundle: "" },
    telemetry: { enabled: true, v2: { enabled: true, prometheus: { enabled: true }, stackdriver: { enabled: false } } },
    revision: "",
    revisionTags: [],
    ownerName: "",
    meshConfig: { enablePrometheusMerge: true },
    experimental: { stableValidationPolicy: false },
    base: { enableIstioConfigCRDs: true },
    gateways: { securityContext: {}, seccompProfile: {} },
    gatewayClasses: {},
    global: {
      istioNamespace: "istio-system",
      certSigners: [],
      defaultPodDisruptionBudget: { enabled: true },
      defaultResources: { requests: { cpu: "10m" } },
      hub: DEFAULT_HUB,
      tag: DEFAULT_TAG,
      variant: "",
      imagePullPolicy: "",
      imagePullSecrets: [],
      istiod: { enableAnalysis: false },
      logAsJson: false,
      nativeNftables: false,
      logging: { level: "default:info" },
      networkPolicy: { enabled: false },
      omitSidecarInjectorConfigMap: false,
      resourceScope: "all",
      operatorManageWebhooks: false,
      priorityClassName: "",
      proxy: {
        image: "proxyv2",
        autoInject: "enabled",
        clusterDomain: "cluster.local",
        componentLogLevel: "misc:error",
        excludeInboundPorts: "",
        includeInboundPorts: "*",
        includeIPRanges: "*",
        excludeIPRanges: "",
        includeOutboundPorts: "",
        excludeOutboundPorts: "",
        logLevel: "warning",
        outlierLogPath: "",
        privileged: false,
        seccompProfile: {},
        readinessFailureThreshold: 4,
        readinessInitialDelaySeconds: 0,
        readinessPeriodSeconds: 15,
        startupProbe: { enabled: true, failureThreshold: 600 },
        resources: proxyResources,
        statusPort: 15020,
        tracer: "none",
      },
      proxy_init: { image: "proxyv2", forceApplyIptables: false },
      remotePilotAddress: "",
      caAddress: "",
      externalIstiod: false,
      configCluster: false,
      configValidation: true,
      meshID: "",
      meshNetworks: {},
      mountMtlsCerts: false,
      multiCluster: { clusterName: "" },
      network: "",
      pilotCertProvider: "istiod",
      sds: { token: { aud: "istio-ca" } },
      sts: { servicePort: 0 },
      caName: "",
      waypoint: {
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        affinity: {},
        topologySpreadConstraints: [],
        nodeSelector: {},
        tolerations: [],
      },
    },
  };
}

/** The chart profile of each `platform` (the same in every Istio chart): mostly where the node's CNI lives. */
export const PLATFORM_PROFILES: Record<string, JsonObject> = {
  gke: { cni: { cniBinDir: "", resourceQuotas: { enabled: true } }, resourceQuotas: { enabled: true } },
  k3d: { cni: { cniConfDir: "/var/lib/rancher/k3s/agent/etc/cni/net.d", cniBinDir: "/bin" } },
  k3s: { cni: { cniConfDir: "/var/lib/rancher/k3s/agent/etc/cni/net.d", cniBinDir: "/var/lib/rancher/k3s/data/cni" } },
  microk8s: { cni: { cniConfDir: "/var/snap/microk8s/current/args/cni-network", cniBinDir: "/var/snap/microk8s/current/opt/cni/bin" } },
  minikube: { cni: { cniNetnsDir: "/var/run/docker/netns" } },
  openshift: {
    cni: { cniBinDir: "/var/lib/cni/bin", cniConfDir: "/etc/cni/multus/net.d", chained: false, cniConfFileName: "istio-cni.conf", provider: "multus" },
    pilot: { cni: { enabled: true, provider: "multus" } },
    seLinuxOptions: { type: "spc_t" },
    trustedZtunnelNamespace: "kube-system",
  },
};

/** The chart profile of each `compatibilityVersion`: the behaviour changes since that release, turned back. */
export function compatibilityProfile(version: string): JsonObject | undefined {
  // Each release's changes, newest first; a version undoes those of every release after it.
  const changes: [string, JsonObject, JsonObject?][] = [
    ["1.29", { PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false" }],
    ["1.28", { DISABLE_TRACK_REMAINING_CB_METRICS: "false" }, { cni: { ambient: { reconcileIptablesOnStartup: false } } }],
    ["1.27", { DISABLE_SHADOW_HOST_SUFFIX: "false", PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false" }],
    ["1.26", { ENABLE_NATIVE_SIDECARS: "false" }],
    ["1.25", {}, { ambient: { shareHostNetworkNamespace: true } }],
  ];
  const i = changes.findIndex(([v]) => v === version);
  if (i < 0) return undefined;
  let out: JsonObject = {};
  for (const [, env, extra] of changes.slice(0, i + 1)) out = chartMerge(chartMerge(out, { pilot: { env } }), extra ?? {}) as JsonObject;
  return out;
}

/** Known `compatibilityVersion`s, oldest first. */
export const COMPATIBILITY_VERSIONS = ["1.25", "1.26", "1.27", "1.28", "1.29"];

/**
 * The merge the chart uses (sprig's mergeOverwrite): maps merge key by key, anything else is replaced, except that
 * an empty list never replaces a non-empty one.
 */
export function chartMerge(base: Json | undefined, over: Json | undefined): Json {
  if (over === undefined) return clone(base ?? null);
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = clone(base);
    for (const [k, v] of Object.entries(over)) out[k] = chartMerge(base[k], v);
    return out;
  }
  if (Array.isArray(over) && over.length === 0 && Array.isArray(base) && base.length > 0) return clone(base);
  return clone(over);
}

const s = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));

/** The chart profiles the values select, merged in the chart's order (profile, compatibility version, platform). */
export function istiodChartProfile(values: JsonObject): JsonObject {
  const g = isObject(values.global) ? values.global : {};
  let profile: JsonObject = {};
  const name = s(values.profile) || s(g.profile);
  if (name) profile = chartValues(name).profile;
  const compat = s(values.compatibilityVersion);
  if (compat) {
    const c = compatibilityProfile(compat);
    if (!c) throw new Error(`values.compatibilityVersion: unknown compatibility version "${compat}"; known: ${COMPATIBILITY_VERSIONS.join(", ")}`);
    profile = chartMerge(profile, c) as JsonObject;
  }
  const platform = s(values.platform) || s(g.platform);
  if (platform) {
    const p = PLATFORM_PROFILES[platform];
    if (!p) throw new Error(`values.global.platform: unknown platform "${platform}"; known: ${Object.keys(PLATFORM_PROFILES).join(", ")}`);
    profile = chartMerge(profile, p) as JsonObject;
  }
  return profile;
}

/** `original-values` and `merged-values` of the istiod chart for a resolved IstioOperator. */
export function istiodChartValues(r: ResolvedIop): { original: JsonObject; merged: JsonObject } {
  const original = clone(r.userValues);
  const merged = chartMerge(chartMerge(istiodChartDefaults(), istiodChartProfile(original)), original) as JsonObject;
  // The chart's last step: everything under `pilot` also at the top level (so `pilot.env` is `.Values.env`).
  const out = isObject(merged.pilot) ? (chartMerge(merged, merged.pilot) as JsonObject) : merged;
  return { original, merged: out };
}
