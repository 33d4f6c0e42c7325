// The IstioOperator (install.istio.io/v1alpha1) spec: its structural schema (unknown fields are errors with
// a suggestion) and istioctl's semantic checks (revision, hub, tag, gateway names, CIDRs, quantities, ports).
// Used by `manifest generate`, `install`, the reconciler and the validating webhook alike.
import { S, type Schema } from "../schema/schema.js";
import type { Problems } from "../schema/problems.js";
import { isObject, type JsonObject } from "./values.js";
import { checkNodeAgentValues } from "./node-agent-values.js";

const any = S.any;
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const RESOURCES = S.obj({ limits: S.map(any), requests: S.map(any), claims: S.arr(any) });

export const K8S_SPEC = S.obj({
  affinity: any,
  env: S.arr(S.obj({ name: S.str(), value: S.str(), valueFrom: any }, { req: ["name"] })),
  hpaSpec: any,
  imagePullPolicy: S.en("Always", "Never", "IfNotPresent"),
  nodeSelector: S.map(),
  podDisruptionBudget: any,
  podAnnotations: S.map(),
  priorityClassName: S.str(),
  readinessProbe: any,
  replicaCount: S.int(0, 4294967295),
  resources: RESOURCES,
  service: any,
  strategy: any,
  tolerations: S.arr(any),
  serviceAnnotations: S.map(),
  securityContext: any,
  volumes: S.arr(any),
  volumeMounts: S.arr(any),
  overlays: S.arr(
    S.obj(
      { apiVersion: S.str(), kind: S.str(), name: S.str(), patches: S.arr(S.obj({ path: S.str(), value: any }, { req: ["path"] })) },
      { req: ["kind", "name"] },
    ),
  ),
});

const COMPONENT = S.obj({ enabled: S.bool, namespace: S.str(), hub: S.str(), tag: any, spec: any, k8s: K8S_SPEC });
const BASE_COMPONENT = S.obj({ enabled: S.bool, k8s: K8S_SPEC });
const GATEWAY = S.obj({ name: S.str(), label: S.map(), namespace: S.str(), enabled: S.bool, hub: S.str(), tag: any, k8s: K8S_SPEC });
const ADDON = S.obj({ enabled: S.bool, namespace: S.str(), k8s: K8S_SPEC });

/** Keys of the istiod chart's values (`values.pilot.*`). */
const PILOT_KEYS = [
  "affinity", "autoscaleBehavior", "autoscaleEnabled", "autoscaleMax", "autoscaleMin", "cni", "configMap", "cpu",
  "deploymentAnnotations", "deploymentLabels", "enabled", "env", "envVarFrom", "extraContainerArgs", "hub", "image",
  "initContainers", "ipFamilies", "ipFamilyPolicy", "jwksResolverExtraRootCA", "keepaliveMaxServerConnectionAge", "memory",
  "nodeSelector", "pdb", "podAnnotations", "podLabels", "replicaCount", "resources", "rollingMaxSurge", "rollingMaxUnavailable",
  "seccompProfile", "serviceAccountAnnotations", "serviceAnnotations", "sidecarInjectorWebhookAnnotations", "tag", "taint",
  "tolerations", "topologySpreadConstraints", "traceSampling", "trustedZtunnelName", "trustedZtunnelNamespace", "variant",
  "volumeMounts", "volumes", "ipv6", "crlConfigMapName", "istiodRemote",
];
const GLOBAL_KEYS = [
  "caAddress", "caName", "certSigners", "configCluster", "configValidation", "defaultPodDisruptionBudget", "defaultResources",
  "externalIstiod", "hub", "imagePullPolicy", "imagePullSecrets", "istioNamespace", "istiod", "logAsJson", "logging", "meshID",
  "meshNetworks", "mountMtlsCerts", "multiCluster", "nativeNftables", "network", "networkPolicy", "omitSidecarInjectorConfigMap",
  "operatorManageWebhooks", "pilotCertProvider", "priorityClassName", "proxy", "proxy_init", "remotePilotAddress",
  "resourceScope", "sds", "sts", "tag", "variant", "waypoint", "platform", "ipFamilies", "ipFamilyPolicy", "jwtPolicy",
  "defaultNodeSelector", "defaultTolerations", "tracer", "autoscalingv2API", "enableProxyDecorators", "enableReaderRBAC",
  "trustBundleName", "agentgateway", "revision", "podDNSSearchNamespaces",
];
/** `values.global.proxy` (Istio 1.30.3's values_types.proto ProxyConfig): a misspelt key is refused, as istioctl does. */
const PROXY_KEYS = [
  "autoInject", "clusterDomain", "componentLogLevel", "enableCoreDump", "excludeInboundPorts", "excludeIPRanges", "image",
  "includeIPRanges", "logLevel", "outlierLogPath", "privileged", "readinessInitialDelaySeconds", "readinessPeriodSeconds",
  "readinessFailureThreshold", "seccompProfile", "startupProbe", "statusPort", "resources", "tracer", "excludeOutboundPorts",
  "lifecycle", "holdApplicationUntilProxyStarts", "includeInboundPorts", "includeOutboundPorts",
];
/** `values.cni` (CNIConfig; protojson takes the proto names of snake_case fields too). */
const CNI_KEYS = [
  "enabled", "hub", "tag", "variant", "image", "pullPolicy", "cniBinDir", "cniConfDir", "cniConfFileName", "cniNetnsDir",
  "excludeNamespaces", "affinity", "env", "daemonSetLabels", "podAnnotations", "podLabels", "psp_cluster_role", "pspClusterRole",
  "logLevel", "logging", "repair", "chained", "resource_quotas", "resourceQuotas", "resources", "privileged", "seccompProfile",
  "ambient", "provider", "rollingMaxUnavailable", "istioOwnedCNIConfig", "istioOwnedCNIConfigFileName", "useAppArmorAnnotation",
];
const CNI_AMBIENT_KEYS = ["enabled", "configDir", "dnsCapture", "ipv6", "reconcileIptablesOnStartup"];
/** `values.global.waypoint` (WaypointConfig: `toleration`, singular). */
const WAYPOINT_KEYS = ["resources", "affinity", "topologySpreadConstraints", "nodeSelector", "toleration"];
const obj = (keys: string[], overrides: Record<string, Schema> = {}) => S.obj({ ...Object.fromEntries(keys.map((k) => [k, any])), ...overrides });

export const VALUES_SPEC = S.obj({
  base: any,
  cni: obj(CNI_KEYS, { ambient: obj(CNI_AMBIENT_KEYS) }),
  compatibilityVersion: S.str(),
  defaultRevision: S.str(),
  experimental: any,
  gatewayClasses: any,
  gateways: S.map(any),
  global: obj(GLOBAL_KEYS, {
    hub: S.str(),
    tag: any,
    istioNamespace: S.str(),
    proxy: obj(PROXY_KEYS),
    proxy_init: obj(["image", "resources"]),
    waypoint: obj(WAYPOINT_KEYS),
  }),
  istio_cni: any,
  istiodRemote: any,
  meshConfig: any,
  ownerName: S.str(),
  pilot: obj(PILOT_KEYS, {
    autoscaleEnabled: S.bool,
    autoscaleMin: S.int(0),
    autoscaleMax: S.int(0),
    replicaCount: S.int(0),
    enabled: S.bool,
    env: S.map(any),
    // A list of google.protobuf.Struct in istioctl's PilotConfig: plain strings are refused.
    extraContainerArgs: S.arr(S.map(any)),
    traceSampling: S.num(0, 100),
  }),
  platform: S.str(),
  profile: S.str(),
  revision: S.str(),
  revisionTags: S.arr(S.str()),
  sidecarInjectorWebhook: any,
  telemetry: any,
  ztunnel: any,
  configMap: any,
  addons: any,
});

export const IOP_SPEC = S.obj({
  profile: S.str(),
  installPackagePath: S.str(),
  hub: S.str(),
  tag: any,
  namespace: S.str(),
  revision: S.str(),
  compatibilityVersion: S.str(),
  meshConfig: any,
  components: S.obj({
    base: BASE_COMPONENT,
    pilot: COMPONENT,
    cni: COMPONENT,
    ztunnel: COMPONENT,
    istiodRemote: COMPONENT,
    ingressGateways: S.arr(GATEWAY),
    egressGateways: S.arr(GATEWAY),
  }),
  addonComponents: S.obj({ kiali: ADDON, prometheus: ADDON, grafana: ADDON, jaeger: ADDON }),
  values: VALUES_SPEC,
  unvalidatedValues: any,
});

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const REPO_CHARS = /^[a-z0-9_\-./:]+$/;

function checkQuantities(res: unknown, path: string, p: Problems): void {
  if (!isObject(res)) return;
  for (const part of ["limits", "requests"]) {
    const m = res[part];
    if (!isObject(m)) continue;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v === "number") continue;
      if (typeof v !== "string" || !QUANTITY.test(v)) p.error(`${path}.${part}.${k}`, `"${String(v)}" is not a quantity (e.g. 100m, 1, 128Mi, 2Gi)`);
    }
  }
}

function checkCidrs(v: unknown, path: string, p: Problems): void {
  if (typeof v !== "string" || v === "" || v === "*") return;
  for (const c of v.split(",")) {
    const m = /^([0-9a-fA-F:.]+)\/(\d+)$/.exec(c.trim());
    const max = m && m[1].includes(":") ? 128 : 32;
    if (!m || Number(m[2]) > max) p.error(path, `"${c.trim()}" is not a CIDR such as 10.0.0.0/8 (prefix length 0..${max})`);
  }
}

/**
 * Values the schema takes but pilotfish does not render as istioctl 1.30.3 does: refused rather than dropped.
 * The pilot and global keys here are also refused by istioctl 1.30.3 itself (unknown fields of its PilotConfig and
 * GlobalConfig), though the istiod chart reads some of them.
 */
const UNRENDERED_PILOT = ["pdb", "initContainers", "trustedZtunnelName", "deploymentAnnotations", "ipv6", "sidecarInjectorWebhookAnnotations"];
const UNRENDERED_GLOBAL = ["autoscalingv2API", "enableProxyDecorators"];
/** istioctl 1.30.3 refuses any key in values.global.waypoint.nodeSelector (it checks it against a misspelt schema). */
const UNRENDERED_WAYPOINT = ["nodeSelector"];
const UNRENDERED_GATEWAY = ["podAntiAffinityLabelSelector", "podAntiAffinityTermLabelSelector", "injectionTemplate"];
const NOT_SUPPORTED = "not supported by pilotfish";
/** Values the istiod chart of Istio 1.30.3 refuses as removed. */
const REMOVED_VALUES = [
  "telemetry.v2.prometheus.configOverride", "telemetry.v2.stackdriver.disableOutbound",
  ...["debug", "maxNumberOfAttributes", "maxNumberOfAnnotations", "maxNumberOfMessageEvents"].flatMap((k) => [`global.tracer.stackdriver.${k}`, `meshConfig.defaultConfig.tracing.stackdriver.${k}`]),
];
/** The fields of istioctl 1.30.3's IngressGatewayConfig. */
const GATEWAY_KEYS = new Set([
  "autoscaleEnabled", "autoscaleMax", "autoscaleMin", "memory", "cpu", "customService", "enabled", "env", "labels", "loadBalancerIP",
  "loadBalancerSourceRanges", "name", "nodeSelector", "podAnnotations", "podAntiAffinityLabelSelector", "podAntiAffinityTermLabelSelector",
  "ports", "replicaCount", "resources", "secretVolumes", "serviceAnnotations", "type", "rollingMaxSurge", "rollingMaxUnavailable",
  "externalTrafficPolicy", "tolerations", "ingressPorts", "additionalContainers", "configVolumes", "runAsRoot", "injectionTemplate",
  "serviceAccount", "ipFamilies", "ipFamilyPolicy",
]);
/** EgressGatewayConfig has no load balancer fields, externalTrafficPolicy or ingressPorts. */
const EGRESS_GATEWAY_KEYS = new Set([...GATEWAY_KEYS].filter((k) => !["loadBalancerIP", "loadBalancerSourceRanges", "externalTrafficPolicy", "ingressPorts"].includes(k)));

function present(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

function refuseUnrendered(values: JsonObject, p: Problems): void {
  const pilot = isObject(values.pilot) ? values.pilot : {};
  for (const k of UNRENDERED_PILOT) if (present(pilot[k])) p.error(`spec.values.pilot.${k}`, NOT_SUPPORTED);
  const global = isObject(values.global) ? values.global : {};
  for (const k of UNRENDERED_GLOBAL) if (present(global[k])) p.error(`spec.values.global.${k}`, NOT_SUPPORTED);
  const waypoint = isObject(global.waypoint) ? global.waypoint : {};
  for (const k of UNRENDERED_WAYPOINT) if (present(waypoint[k])) p.error(`spec.values.global.waypoint.${k}`, NOT_SUPPORTED);
  // "cluster" or "namespace" leave out half of each chart; pilotfish renders every object.
  if (global.resourceScope !== undefined && global.resourceScope !== "all") p.error("spec.values.global.resourceScope", NOT_SUPPORTED);
  const gateways = isObject(values.gateways) ? values.gateways : {};
  for (const [name, gw] of Object.entries(gateways)) {
    // istioctl's GatewaysConfig: the two gateways, enabled, securityContext and seccompProfile (the last two unread).
    if (!["istio-ingressgateway", "istio-egressgateway", "enabled", "securityContext", "seccompProfile"].includes(name)) p.error(`spec.values.gateways.${name}`, NOT_SUPPORTED);
    if (!isObject(gw)) continue;
    for (const k of UNRENDERED_GATEWAY) if (present(gw[k])) p.error(`spec.values.gateways.${name}.${k}`, NOT_SUPPORTED);
    // Keys istioctl's IngressGatewayConfig/EgressGatewayConfig do not have (hub, tag, podLabels, autoscaleBehavior,
    // ...): istioctl refuses them and the gateway charts do not read them.
    const known = name === "istio-egressgateway" ? EGRESS_GATEWAY_KEYS : GATEWAY_KEYS;
    if (name.startsWith("istio-")) for (const k of Object.keys(gw)) if (!known.has(k)) p.error(`spec.values.gateways.${name}.${k}`, NOT_SUPPORTED);
  }
}

/**
 * Values that only shape istiod's webhook configurations (Istio 1.30.3's base and istiod charts), which pilotfish does
 * not render: it serves injection and validation itself and registers its own webhooks (its chart, or `install`).
 * Each is accepted at the value that leaves istioctl's render as without it (the charts' default), refused otherwise
 * with the pilotfish setting to use instead. Paths are relative to `values`.
 */
const WEBHOOK_ONLY: { path: string[]; accepted: unknown; instead: string }[] = [
  { path: ["base", "validationURL"], accepted: "", instead: "pilotfish's validating webhook calls pilotfish's own Service; for a pilotfish outside the cluster set its chart value webhook.url" },
  { path: ["base", "validationCABundle"], accepted: "", instead: "pilotfish writes its webhooks' caBundle itself (chart value certificates.provider: pilotfish or cert-manager)" },
  ...["istiodRemote", "pilot.istiodRemote"].flatMap((root) => [
    { path: [...root.split("."), "injectionURL"], accepted: "", instead: "pilotfish's injection webhook calls pilotfish's own Service; for a pilotfish outside the cluster set its chart value webhook.url" },
    { path: [...root.split("."), "injectionPath"], accepted: "/inject", instead: "pilotfish serves injection at /inject of its own Service (chart value webhook.url for another base URL)" },
    { path: [...root.split("."), "injectionCABundle"], accepted: "", instead: "pilotfish writes its webhooks' caBundle itself (chart value certificates.provider: pilotfish or cert-manager)" },
  ]),
  { path: ["sidecarInjectorWebhook", "reinvocationPolicy"], accepted: "Never", instead: "set pilotfish's chart value webhook.reinvocationPolicy (IfNeeded by default)" },
  { path: ["sidecarInjectorWebhook", "enableNamespacesByDefault"], accepted: false, instead: "set pilotfish's chart value injector.enableNamespacesByDefault" },
  { path: ["global", "configValidation"], accepted: true, instead: "pilotfish's validating webhook is switched off with its chart value validator.enabled=false" },
  { path: ["global", "operatorManageWebhooks"], accepted: false, instead: "pilotfish registers its own webhooks (chart values injector.enabled, validator.enabled)" },
  { path: ["defaultRevision"], accepted: "", instead: "make a revision the default with `pilotfish tag set default --revision <revision>`" },
];

/**
 * Refuses the webhook-only values (WEBHOOK_ONLY) set to anything but their accepted value. `spec` is the user's own
 * IstioOperator spec (before the profile is laid under it), so a profile's defaults never trip it.
 */
export function refuseWebhookOnlyValues(spec: JsonObject, p: Problems): void {
  for (const root of ["values", "unvalidatedValues"]) {
    for (const { path, accepted, instead } of WEBHOOK_ONLY) {
      let cur: unknown = spec[root];
      for (const k of path) cur = isObject(cur) ? cur[k] : undefined;
      if (cur === undefined || cur === null || cur === accepted) continue;
      p.error(`spec.${root}.${path.join(".")}`, `${NOT_SUPPORTED}: it only shapes istiod's webhook configurations, which pilotfish does not render; ${instead}`);
    }
  }
}

/**
 * istioctl's checks beyond the schema. `spec` has passed the schema. `user` is the user's own spec when `spec` has a
 * profile merged under it (resolution); the webhook-only values are judged on it alone.
 */
export function validateIstioOperatorSpec(spec: JsonObject, _meta: JsonObject, p: Problems, user: JsonObject = spec): void {
  const rev = spec.revision;
  if (typeof rev === "string" && rev !== "" && (!DNS_LABEL.test(rev) || rev.length > 63)) {
    p.error("spec.revision", `invalid revision "${rev}": a revision must be a lowercase DNS-1123 label (a-z, 0-9, '-')`);
  }
  const values = isObject(spec.values) ? spec.values : {};
  const global = isObject(values.global) ? values.global : {};
  for (const [path, v] of [["spec.hub", spec.hub], ["spec.values.global.hub", global.hub]] as const) {
    if (typeof v === "string" && v !== "" && !REPO_CHARS.test(v)) {
      p.error(path, `bad hub "${v}": a repository may contain only a-z, 0-9, '_', '-', '.', '/' and ':'`);
    }
  }
  for (const [path, v] of [["spec.tag", spec.tag], ["spec.values.global.tag", global.tag]] as const) {
    if (v !== undefined && v !== null && !/^[\w][\w.-]{0,127}$/.test(String(v))) p.error(path, `bad tag "${String(v)}": a tag may contain only letters, digits, '_', '.' and '-'`);
  }
  const comps = isObject(spec.components) ? spec.components : {};
  for (const list of ["ingressGateways", "egressGateways"] as const) {
    const gws = Array.isArray(comps[list]) ? comps[list] : [];
    gws.forEach((g, i) => {
      if (!isObject(g)) return;
      if (typeof g.name === "string" && g.name !== "" && !DNS_LABEL.test(g.name)) p.error(`spec.components.${list}[${i}].name`, `invalid gateway name "${g.name}": must be a lowercase DNS-1123 label`);
      if (g.enabled !== false && (g.name === undefined || g.name === "")) p.error(`spec.components.${list}[${i}].name`, "Required value: an enabled gateway needs a name (objects would be named \"null\")");
      if (isObject(g.k8s)) checkQuantities(g.k8s.resources, `spec.components.${list}[${i}].k8s.resources`, p);
      const ports = isObject(g.k8s) && isObject(g.k8s.service) && Array.isArray(g.k8s.service.ports) ? g.k8s.service.ports : [];
      ports.forEach((port, j) => {
        if (!isObject(port)) return;
        const target = Number(port.targetPort ?? 0);
        if (Number(port.port) < 1024 && (!target || target < 1024)) {
          p.error(`spec.components.${list}[${i}].k8s.service.ports[${j}].targetPort`, `port ${String(port.name ?? "")}/${String(port.port)}: targetPort ${target || "(unset)"} requires root; set targetPort above 1024 or values.gateways.<gateway>.runAsRoot=true`);
        }
      });
    });
  }
  for (const c of ["base", "pilot", "cni", "ztunnel"]) {
    const cs = comps[c];
    if (isObject(cs) && isObject(cs.k8s)) checkQuantities(cs.k8s.resources, `spec.components.${c}.k8s.resources`, p);
    if (isObject(cs) && typeof cs.namespace === "string" && !DNS_LABEL.test(cs.namespace)) p.error(`spec.components.${c}.namespace`, `"${cs.namespace}" is not a valid namespace name`);
  }
  // Settings the istiod chart fails on as removed (templates/NOTES.txt), whatever their value.
  if (!(isObject(comps.pilot) && comps.pilot.enabled === false)) {
    for (const dep of REMOVED_VALUES) {
      let cur: unknown = values;
      for (const k of dep.split(".")) cur = isObject(cur) ? cur[k] : undefined;
      if (cur !== undefined && cur !== null) p.error(`spec.values.${dep}`, `${dep} is removed`);
    }
  }
  // The istiod chart fails on it (templates/NOTES.txt).
  if (global.pilotCertProvider === "kubernetes") p.error("spec.values.global.pilotCertProvider", "pilotCertProvider=kubernetes is not supported (use istiod, custom or a cert-manager signer)");
  const proxy = isObject(global.proxy) ? global.proxy : {};
  checkCidrs(proxy.includeIPRanges, "spec.values.global.proxy.includeIPRanges", p);
  checkCidrs(proxy.excludeIPRanges, "spec.values.global.proxy.excludeIPRanges", p);
  if (isObject(spec.meshConfig)) for (const [k, v] of Object.entries(spec.meshConfig)) {
    if (["accessLogFile", "accessLogFormat", "rootNamespace", "trustDomain", "ingressClass", "ingressService"].includes(k) && typeof v !== "string") {
      p.error(`spec.meshConfig.${k}`, `must be a string, got ${JSON.stringify(v)}`);
    }
  }
  const pilot = isObject(values.pilot) ? values.pilot : {};
  refuseUnrendered(values, p);
  refuseWebhookOnlyValues(user, p);
  checkNodeAgentValues(values, p);
  const pilotK8s = isObject(comps.pilot) && isObject(comps.pilot.k8s) ? comps.pilot.k8s : {};
  if (pilotK8s.replicaCount !== undefined && pilot.autoscaleEnabled !== false) {
    p.warn("spec.components.pilot.k8s.replicaCount", "should not be set when values.pilot.autoscaleEnabled is true (the HorizontalPodAutoscaler overrides it)");
  }
}
