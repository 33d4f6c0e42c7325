// Typed view of Istio's Helm values (Istio 1.30.3's manifests/charts/istio-control/istio-discovery/values.yaml
// and the component charts): every key the injector and the renderer read. Everything is optional, as in a
// values tree a user writes; the tree itself stays open (`rawJson` gives the whole of it, keys the user --set
// included). Leaf types are Helm's; the core still coerces what it reads (str, truthy, Number) as the Go
// templates do, since user data may carry another scalar type.
import type { Json, JsonObject } from "./json.js";
import type { MeshConfig } from "./mesh-types.js";

/** A Kubernetes fragment the charts copy verbatim (securityContext, lifecycle, seccompProfile, ...). */
export type Fragment = JsonObject;
export type Scalar = string | number | boolean;

export interface ResourceValues {
  requests?: Record<string, Scalar | null>;
  limits?: Record<string, Scalar | null>;
}

/** `hub/image:tag[-variant]` of a component; empty hub/tag/variant fall back to `global`. */
export interface ImageValues {
  hub?: string;
  tag?: string;
  variant?: string;
  image?: string;
}

/** The Deployment knobs istiod and the gateways share (replicas, autoscaling, scheduling, pod metadata). */
export interface DeploymentValues extends ImageValues {
  enabled?: boolean;
  autoscaleEnabled?: boolean;
  autoscaleMin?: number;
  autoscaleMax?: number;
  autoscaleBehavior?: Fragment;
  replicaCount?: number;
  rollingMaxSurge?: string | number;
  rollingMaxUnavailable?: string | number;
  cpu?: { targetAverageUtilization?: number };
  memory?: { targetAverageUtilization?: number };
  resources?: ResourceValues;
  nodeSelector?: Record<string, string>;
  tolerations?: Fragment[];
  podAnnotations?: Record<string, string>;
  podLabels?: Record<string, string>;
  /** Environment variables: name -> value, or name -> a valueFrom-style fragment. */
  env?: Record<string, Json>;
}

export interface ProxyValues {
  image?: string;
  /** Image variant for the proxy only (overrides global.variant in the mesh's defaultConfig.image). */
  variant?: string;
  autoInject?: string;
  clusterDomain?: string;
  componentLogLevel?: string;
  logLevel?: string;
  excludeInboundPorts?: string;
  includeInboundPorts?: string;
  includeIPRanges?: string;
  excludeIPRanges?: string;
  includeOutboundPorts?: string;
  excludeOutboundPorts?: string;
  outlierLogPath?: string;
  privileged?: boolean;
  capNetBindService?: boolean;
  holdApplicationUntilProxyStarts?: boolean;
  lifecycle?: Fragment;
  seccompProfile?: Fragment;
  readinessFailureThreshold?: number;
  readinessInitialDelaySeconds?: number;
  readinessPeriodSeconds?: number;
  startupProbe?: { enabled?: boolean; failureThreshold?: number };
  resources?: ResourceValues;
  statusPort?: number;
  tracer?: string;
}

export interface ProxyInitValues {
  image?: string;
  forceApplyIptables?: boolean;
}

export interface GlobalValues extends ImageValues {
  istioNamespace?: string;
  /** Tracer settings per provider (lightstep, zipkin, datadog, stackdriver), read when proxy.tracer names one. */
  tracer?: Record<string, Record<string, Json> | undefined>;
  /** A remote cluster's pointer at the primary's istiod. */
  remotePilotAddress?: string;
  imagePullPolicy?: string;
  /** Secret names, or `{name}` references. */
  imagePullSecrets?: (string | { name?: string })[];
  logAsJson?: boolean;
  logging?: { level?: string };
  nativeNftables?: boolean;
  proxy?: ProxyValues;
  proxy_init?: ProxyInitValues;
  caAddress?: string;
  caName?: string;
  meshID?: string;
  meshNetworks?: Record<string, Json>;
  mountMtlsCerts?: boolean;
  multiCluster?: { clusterName?: string };
  network?: string;
  networkPolicy?: { enabled?: boolean };
  defaultPodDisruptionBudget?: { enabled?: boolean };
  omitSidecarInjectorConfigMap?: boolean;
  enableReaderRBAC?: boolean;
  pilotCertProvider?: string;
  platform?: string;
  sds?: { token?: { aud?: string } };
  sts?: { servicePort?: number };
  trustDomain?: string;
  trustBundleName?: string;
  priorityClassName?: string;
  defaultResources?: ResourceValues;
  defaultNodeSelector?: Record<string, string>;
  defaultTolerations?: Fragment[];
  /** Weights per CPU architecture (the gateway charts' node affinity). */
  arch?: Record<string, number>;
  externalIstiod?: boolean;
  istiod?: { enableAnalysis?: boolean };
  /** Signer names istiod may approve CSRs for (with an external CA). */
  certSigners?: string[];
  ipFamilyPolicy?: string;
  ipFamilies?: string[];
  /** This cluster holds the mesh config of a remote istiod (its ServiceAccount and RBAC stay). */
  configCluster?: boolean;
}

/** `pilot.cni`: whether pods are redirected by the CNI node agent instead of an init container. */
export interface PilotCniValues {
  enabled?: boolean;
  provider?: string;
}

export interface PilotValues extends DeploymentValues {
  cni?: PilotCniValues;
  /** istiod's feature flags (ENABLE_CLUSTER_TRUST_BUNDLE_API, ...), also read by the injection template. */
  env?: Record<string, Json>;
  traceSampling?: number;
  keepaliveMaxServerConnectionAge?: string;
  crlConfigMapName?: string;
  /** false: no mesh ConfigMap `istio` is rendered. */
  configMap?: boolean;
  deploymentLabels?: Record<string, string>;
  serviceAnnotations?: Record<string, string>;
  serviceAccountAnnotations?: Record<string, string>;
  seccompProfile?: Fragment;
  affinity?: Fragment;
  topologySpreadConstraints?: Fragment[];
  extraContainerArgs?: Json[];
  volumes?: Fragment[];
  volumeMounts?: Fragment[];
  envVarFrom?: Fragment[];
  jwksResolverExtraRootCA?: string;
  ipFamilyPolicy?: string;
  ipFamilies?: string[];
  trafficDistribution?: string;
  trustedZtunnelNamespace?: string;
  /** The node untaint controller (`--cniNamespace`, PILOT_ENABLE_NODE_UNTAINT_CONTROLLERS). */
  taint?: { enabled?: boolean; namespace?: string; name?: string };
}

/** The istio-cni chart's values (top-level `cni`). */
export interface CniValues extends ImageValues {
  ambient?: { enabled?: boolean };
  excludeNamespaces?: string[];
  cniConfDir?: string;
  cniBinDir?: string;
  logLevel?: string;
  resources?: ResourceValues;
}

export interface ZtunnelValues extends ImageValues {
  resourceName?: string;
  logLevel?: string;
  resources?: ResourceValues;
}

export interface GatewayPort {
  name?: string;
  port?: number;
  targetPort?: number;
  protocol?: string;
}

/** One gateway's chart values (`gateways.istio-ingressgateway`, `gateways.istio-egressgateway`). */
export interface GatewayValues extends DeploymentValues {
  name?: string;
  labels?: Record<string, string>;
  ports?: GatewayPort[];
  type?: string;
  serviceAnnotations?: Record<string, string>;
  runAsRoot?: boolean;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  externalTrafficPolicy?: string;
  ipFamilyPolicy?: string;
  ipFamilies?: string[];
  serviceAccount?: { annotations?: Record<string, string> };
  secretVolumes?: { name?: string; secretName?: string; mountPath?: string }[];
  configVolumes?: { name?: string; configMapName?: string; mountPath?: string }[];
  additionalContainers?: Fragment[];
  /** No Service is rendered: the user brings their own. */
  customService?: boolean;
  /** Extra Service ports (port and name only). */
  ingressPorts?: { name?: string; port?: number }[];
}

export interface GatewaysValues {
  securityContext?: Fragment;
  seccompProfile?: Fragment;
  "istio-ingressgateway"?: GatewayValues;
  "istio-egressgateway"?: GatewayValues;
}

export interface SidecarInjectorWebhookValues {
  alwaysInjectSelector?: Fragment[];
  neverInjectSelector?: Fragment[];
  injectedAnnotations?: Record<string, string>;
  defaultTemplates?: string[];
  enableNamespacesByDefault?: boolean;
  reinvocationPolicy?: string;
  rewriteAppHTTPProbe?: boolean;
  templates?: Record<string, string>;
}

export interface AddonValues {
  image?: string;
}

export interface AddonsValues {
  kiali?: AddonValues;
  prometheus?: AddonValues & { configReloaderImage?: string };
  grafana?: AddonValues;
  jaeger?: AddonValues;
}

/**
 * The values tree: the `values` key of the istio-sidecar-injector ConfigMap (what the injector reads) and the
 * effective chart values of a resolved IstioOperator (what the renderer reads) have this one shape.
 */
export interface TelemetryValues {
  enabled?: boolean;
  v2?: { enabled?: boolean; prometheus?: { enabled?: boolean }; stackdriver?: { enabled?: boolean } };
}

export interface InjectionValues {
  telemetry?: TelemetryValues;
  global?: GlobalValues;
  pilot?: PilotValues;
  gateways?: GatewaysValues;
  sidecarInjectorWebhook?: SidecarInjectorWebhookValues;
  revision?: string;
  /** Revision tags: istiod renders a Service `istiod-revision-tag-<tag>` for each. */
  revisionTags?: string[];
  /** Per GatewayClass, per kind: overlays for the objects istiod deploys for a Gateway (a ConfigMap each class). */
  gatewayClasses?: Record<string, Record<string, Json>>;
  experimental?: { stableValidationPolicy?: boolean };
  cni?: CniValues;
  ztunnel?: ZtunnelValues;
  meshConfig?: MeshConfig;
  base?: { excludedCRDs?: string[] };
  istiodRemote?: { enabled?: boolean; enabledLocalInjectorIstiod?: boolean };
  addons?: AddonsValues;
}
