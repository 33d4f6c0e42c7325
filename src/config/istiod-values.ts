// The values as Istio 1.30.3's istiod chart (istio-discovery) sees them, which is what its `values[-rev]` ConfigMap
// records and what its `istio-sidecar-injector[-rev]` ConfigMap picks its `values` key from. istioctl hands the
// chart the IstioOperator's whole `spec.values` (recorded as `original-values`); the chart lays them over its own
// defaults and chart profiles as every chart does (chart-values.ts), and finally copies `pilot.*` over the top
// level (`merged-values`). pilotfish's own resolved values (ResolvedIop.values) are the union of every chart's
// defaults: they hold keys this chart does not (gateway and addon settings) and lack some it does
// (global.caAddress, ...), so this view is computed apart.
import { chartEffectiveValues } from "./chart-values.js";
import { DEFAULT_HUB, DEFAULT_TAG, clone, type JsonObject } from "./values.js";
import type { ResolvedIop } from "./resolve.js";

// The istiod renderer reads the compatibility profile's istiod env from here.
export { compatibilityProfile } from "./chart-values.js";

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

/** `original-values` and `merged-values` of the istiod chart for a resolved IstioOperator. */
export function istiodChartValues(r: ResolvedIop): { original: JsonObject; merged: JsonObject } {
  const original = clone(r.userValues);
  // The chart's last step lays everything under `pilot` also at the top level (so `pilot.env` is `.Values.env`).
  return { original, merged: chartEffectiveValues(original, { defaults: istiodChartDefaults(), descope: "pilot" }) };
}
