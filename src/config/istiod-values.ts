// The values as Istio 1.30.3's istiod chart (istio-discovery) sees them, which is what its `values[-rev]` ConfigMap
// records and what its `istio-sidecar-injector[-rev]` ConfigMap picks its `values` key from. istioctl hands the
// chart the IstioOperator's whole `spec.values` (recorded as `original-values`); the chart lays them over its own
// defaults and chart profiles as every chart does (chart-values.ts), and finally copies `pilot.*` over the top
// level (`merged-values`). pilotfish's own resolved values (ResolvedIop.values) are the union of every chart's
// defaults: they hold keys this chart does not (gateway and addon settings) and lack some it does
// (global.caAddress, ...), so this view is computed apart.
import { chartEffectiveValues, mergeOverwrite } from "./chart-values.js";
import { clone, defaultInjectionValues, isObject, type JsonObject } from "./values.js";
import type { ResolvedIop } from "./resolve.js";

// The istiod renderer reads the compatibility profile's istiod env from here.
export { compatibilityProfile } from "./chart-values.js";

/**
 * The istiod chart's defaults (a fresh tree on every call): what the injector reads of them (defaultInjectionValues:
 * `global`, `sidecarInjectorWebhook`, `revision`, the top-level `cni` and `env` it sees as `pilot.*`, the gateways'
 * security settings) and the rest of the chart's values.yaml.
 */
export function istiodChartDefaults(): JsonObject {
  const { pilot, ...injector } = defaultInjectionValues();
  return mergeOverwrite(injector, pilot, {
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
    extraContainerArgs: [],
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
    istiodRemote: { enabled: false, enabledLocalInjectorIstiod: false, injectionURL: "", injectionPath: "/inject", injectionCABundle: "" },
    telemetry: { enabled: true, v2: { enabled: true, prometheus: { enabled: true }, stackdriver: { enabled: false } } },
    revisionTags: [],
    ownerName: "",
    meshConfig: { enablePrometheusMerge: true },
    experimental: { stableValidationPolicy: false },
    base: { enableIstioConfigCRDs: true },
    gatewayClasses: {},
    global: {
      certSigners: [],
      defaultPodDisruptionBudget: { enabled: true },
      defaultResources: { requests: { cpu: "10m" } },
      istiod: { enableAnalysis: false },
      networkPolicy: { enabled: false },
      omitSidecarInjectorConfigMap: false,
      resourceScope: "all",
      operatorManageWebhooks: false,
      priorityClassName: "",
      remotePilotAddress: "",
      externalIstiod: false,
      configCluster: false,
      configValidation: true,
      meshNetworks: {},
      waypoint: {
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        affinity: {},
        topologySpreadConstraints: [],
        nodeSelector: {},
        tolerations: [],
      },
    },
  });
}

/** `original-values` and `merged-values` of the istiod chart for a resolved IstioOperator. */
export function istiodChartValues(r: ResolvedIop): { original: JsonObject; merged: JsonObject } {
  const original = clone(r.userValues);
  // istioctl hands the istiod chart the pilot component's own hub and tag as `pilot.hub`/`pilot.tag`.
  const comps = r.spec.components;
  const pilotC = isObject(comps) && isObject(comps.pilot) ? comps.pilot : {};
  for (const k of ["hub", "tag"]) {
    if (pilotC[k] !== undefined && pilotC[k] !== null && !(k === "hub" && pilotC[k] === "")) original.pilot = { ...(isObject(original.pilot) ? original.pilot : {}), [k]: pilotC[k] };
  }
  // The chart's last step lays everything under `pilot` also at the top level (so `pilot.env` is `.Values.env`).
  return { original, merged: chartEffectiveValues(original, { defaults: istiodChartDefaults(), descope: "pilot" }) };
}
