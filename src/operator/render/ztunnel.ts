// Component Ztunnel: ambient's node proxy (DaemonSet, ServiceAccount, and the optional OpenShift RBAC,
// NetworkPolicy and ResourceQuota), as Istio 1.30.3's ztunnel chart renders it from the values istioctl hands it:
// `values.global`, the scalar top-level values and the `ztunnel` subtree laid flat; the chart then lays the
// global values (its profile's, then the given ones) over its own top level.
import { isObject, str, truthy as goTruthy, type Json, type JsonObject } from "../../config/values.js";
import { componentLabels, obj, obj0, type K8sObject, type RenderContext } from "./meta.js";
import { chartEffectiveValues } from "../../config/chart-values.js";
import { chartResourceBlock, goPrint, goQuote, unquoted } from "./helm-print.js";
import { envFromMap, nodeCriticalQuota, printedMap, pullSecretNames, valuesWithComponentImage } from "./node-values.js";

/** The ztunnel chart's own defaults (its values.yaml). */
function ztunnelDefaults(): JsonObject {
  return {
    hub: "registry.istio.io/testing",
    tag: "latest",
    variant: "",
    image: "ztunnel",
    network: "",
    global: { networkPolicy: { enabled: false } },
    resourceName: "",
    labels: {},
    annotations: {},
    volumeMounts: [],
    volumes: [],
    tolerations: [{ effect: "NoSchedule", operator: "Exists" }, { key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }],
    podAnnotations: { "prometheus.io/port": "15020", "prometheus.io/scrape": "true" },
    podLabels: {},
    resources: { requests: { cpu: "200m", memory: "512Mi" } },
    resourceQuotas: { enabled: false, pods: 5000 },
    peerCaCrl: { enabled: false },
    imagePullSecrets: [],
    env: {},
    imagePullPolicy: "",
    multiCluster: { clusterName: "" },
    meshConfig: { defaultConfig: { proxyMetadata: {} } },
    terminationGracePeriodSeconds: 30,
    revision: "",
    caAddress: "",
    xdsAddress: "",
    istioNamespace: "istio-system",
    logLevel: "info",
    logAsJson: false,
    seLinuxOptions: {},
    resourceScope: "all",
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    dnsPolicy: "",
    dnsConfig: {},
  };
}

/** What istioctl hands the ztunnel chart: `global`, every non-map top-level value, then the `ztunnel` subtree. */
function passedValues(ctx: RenderContext): JsonObject {
  const vals = valuesWithComponentImage(ctx, "ztunnel");
  if (!isObject(vals.ztunnel)) return vals;
  const out: JsonObject = { global: vals.global ?? null };
  for (const [k, x] of Object.entries(vals)) if (!isObject(x)) out[k] = x;
  for (const [k, x] of Object.entries(vals.ztunnel)) out[k] = x;
  return out;
}

/** The values the ztunnel chart renders with. */
export function ztunnelChartValues(ctx: RenderContext): JsonObject {
  return chartEffectiveValues(passedValues(ctx), { defaults: ztunnelDefaults(), flattenGlobals: true });
}

export function renderZtunnel(ctx: RenderContext, ns: string): K8sObject[] {
  const v = ztunnelChartValues(ctx);
  const name = goPrint(goTruthy(v.resourceName) ? v.resourceName : "ztunnel");
  const scope = str(v.resourceScope);
  const revision = str(v.revision);
  const userLabels = printedMap(v.labels);
  const annotations = printedMap(v.annotations);
  if (revision) annotations["istio.io/rev"] = revision;
  const L = (extra: Record<string, string> = {}) => componentLabels(ctx, "Ztunnel", { "app.kubernetes.io/name": "ztunnel", ...extra });
  const out: K8sObject[] = [];
  if (scope === "all" || scope === "namespace") {
    out.push(daemonSet(ctx, v, name, ns, { ...L(), ...userLabels }, annotations));
    out.push(obj("v1", "ServiceAccount", name, ns, { ...L(), ...userLabels }, pullSecretNames(v.imagePullSecrets), annotations));
    if (goTruthy(obj0(v.resourceQuotas).enabled)) out.push(nodeCriticalQuota(name, ns, { ...L(), ...userLabels }, v.resourceQuotas));
  }
  if ((scope === "all" || scope === "cluster") && str(v.platform) === "openshift") {
    const labels = L({ app: "ztunnel", release: name });
    out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRole", name, undefined, labels, {
      rules: [{ apiGroups: ["security.openshift.io"], resources: ["securitycontextconstraints"], resourceNames: ["privileged"], verbs: ["use"] }],
    }, annotations));
    out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, undefined, labels, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
    }, annotations));
  }
  if (goTruthy(obj0(obj0(v.global).networkPolicy).enabled)) {
    out.push(obj("networking.k8s.io/v1", "NetworkPolicy", revision ? `${name}-${revision}` : name, ns, L({ app: "ztunnel", release: "istio" }), {
      spec: {
        podSelector: { matchLabels: { app: "ztunnel" } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [15021, 15020, 15000, 15008, 15001, 15006].map((port): Json => ({ ports: [{ protocol: "TCP", port }] }))
          .concat([{ ports: [{ protocol: "TCP", port: 15053 }, { protocol: "UDP", port: 15053 }] }]),
        egress: [{}],
      },
    }));
  }
  return out;
}

function daemonSet(ctx: RenderContext, v: JsonObject, name: string, ns: string, labels: Record<string, string>, annotations: Record<string, string>): K8sObject {
  const revision = str(v.revision);
  const img = goPrint(v.image);
  const image = img.includes("/") ? img : `${goPrint(v.hub)}/${img || "ztunnel"}:${goPrint(v.tag)}${goTruthy(v.variant) ? `-${goPrint(v.variant)}` : ""}`;
  const istiod = `istiod${revision ? `-${revision}` : ""}.${goPrint(v.istioNamespace)}.svc:15012`;
  const fieldRef = (n: string, fieldPath: string): Json => ({ name: n, valueFrom: { fieldRef: { fieldPath } } });
  const env: Json[] = [
    { name: "CA_ADDRESS", value: goTruthy(v.caAddress) ? unquoted(goPrint(v.caAddress)) : istiod },
    { name: "XDS_ADDRESS", value: goTruthy(v.xdsAddress) ? unquoted(goPrint(v.xdsAddress)) : istiod },
    ...(goTruthy(v.logAsJson) ? [{ name: "LOG_FORMAT", value: "json" }] : []),
    ...(goTruthy(v.network) ? [{ name: "NETWORK", value: goQuote(v.network) }] : []),
    { name: "RUST_LOG", value: goQuote(v.logLevel) },
    { name: "RUST_BACKTRACE", value: "1" },
    { name: "ISTIO_META_CLUSTER_ID", value: unquoted(goPrint(goTruthy(obj0(v.multiCluster).clusterName) ? obj0(v.multiCluster).clusterName : "Kubernetes")) },
    { name: "INPOD_ENABLED", value: "true" },
    { name: "TERMINATION_GRACE_PERIOD_SECONDS", value: goPrint(v.terminationGracePeriodSeconds) },
    fieldRef("POD_NAME", "metadata.name"),
    fieldRef("POD_NAMESPACE", "metadata.namespace"),
    fieldRef("NODE_NAME", "spec.nodeName"),
    fieldRef("INSTANCE_IP", "status.podIP"),
    fieldRef("SERVICE_ACCOUNT", "spec.serviceAccountName"),
    ...envFromMap(obj0(obj0(obj0(v.meshConfig).defaultConfig).proxyMetadata)),
    { name: "ZTUNNEL_CPU_LIMIT", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1" } } },
    ...envFromMap(v.env),
    ...(goTruthy(obj0(v.peerCaCrl).enabled) ? [{ name: "CRL_PATH", value: "/var/run/secrets/istio/crl/ca-crl.pem" }] : []),
  ];
  const securityContext: JsonObject = {
    allowPrivilegeEscalation: true,
    privileged: false,
    capabilities: { drop: ["ALL"], add: ["NET_ADMIN", "SYS_ADMIN", "NET_RAW"] },
    readOnlyRootFilesystem: true,
    runAsGroup: 1337,
    runAsNonRoot: false,
    runAsUser: 0,
  };
  if (goTruthy(v.seLinuxOptions)) securityContext.seLinuxOptions = structuredClone(v.seLinuxOptions);
  const crl = goTruthy(obj0(v.peerCaCrl).enabled);
  const container: JsonObject = {
    name: "istio-proxy",
    image,
    ports: [{ containerPort: 15020, name: "ztunnel-stats", protocol: "TCP" }],
    resources: goTruthy(v.resources) ? chartResourceBlock(v.resources) : null,
    ...(goTruthy(v.imagePullPolicy) ? { imagePullPolicy: unquoted(goPrint(v.imagePullPolicy)) } : {}),
    securityContext,
    readinessProbe: { httpGet: { port: 15021, path: "/healthz/ready" } },
    args: ["proxy", "ztunnel"],
    env,
    volumeMounts: [
      { mountPath: "/var/run/secrets/istio", name: "istiod-ca-cert" },
      { mountPath: "/var/run/secrets/tokens", name: "istio-token" },
      { mountPath: "/var/run/ztunnel", name: "cni-ztunnel-sock-dir" },
      { mountPath: "/tmp", name: "tmp" },
      ...(crl ? [{ mountPath: "/var/run/secrets/istio/crl", name: "crl-volume", readOnly: true }] : []),
      ...(Array.isArray(v.volumeMounts) ? structuredClone(v.volumeMounts) : []),
    ],
  };
  const trustBundle = obj0(v.env).ENABLE_CLUSTER_TRUST_BUNDLE_API === true;
  const podSpec: JsonObject = {
    nodeSelector: { "kubernetes.io/os": "linux", ...(goTruthy(v.nodeSelector) && isObject(v.nodeSelector) ? structuredClone(v.nodeSelector) : {}) },
    ...(goTruthy(v.affinity) ? { affinity: structuredClone(v.affinity) } : {}),
    serviceAccountName: name,
    ...(goTruthy(v.tolerations) ? { tolerations: structuredClone(v.tolerations) } : {}),
    ...(goTruthy(v.dnsPolicy) ? { dnsPolicy: unquoted(goPrint(v.dnsPolicy)) } : {}),
    ...(goTruthy(v.dnsConfig) ? { dnsConfig: structuredClone(v.dnsConfig) } : {}),
    containers: [container],
    priorityClassName: "system-node-critical",
    terminationGracePeriodSeconds: unquoted(goPrint(v.terminationGracePeriodSeconds)),
    volumes: [
      { name: "istio-token", projected: { sources: [{ serviceAccountToken: { path: "istio-token", expirationSeconds: 43200, audience: "istio-ca" } }] } },
      trustBundle
        ? { name: "istiod-ca-cert", projected: { sources: [{ clusterTrustBundle: { name: `istio.io:istiod-ca:${goTruthy(v.trustBundleName) ? goPrint(v.trustBundleName) : "root-cert"}`, path: "root-cert.pem" } }] } }
        : { name: "istiod-ca-cert", configMap: { name: unquoted(goPrint(goTruthy(v.trustBundleName) ? v.trustBundleName : "istio-ca-root-cert")) } },
      { name: "cni-ztunnel-sock-dir", hostPath: { path: "/var/run/ztunnel", type: "DirectoryOrCreate" } },
      { name: "tmp", emptyDir: {} },
      ...(crl ? [{ name: "crl-volume", configMap: { name: "istio-ca-crl", optional: true } }] : []),
      ...(Array.isArray(v.volumes) ? structuredClone(v.volumes) : []),
    ],
  };
  const podAnnotations: JsonObject = { "sidecar.istio.io/inject": "false" };
  if (revision) podAnnotations["istio.io/rev"] = revision;
  if (isObject(v.podAnnotations)) Object.assign(podAnnotations, structuredClone(v.podAnnotations));
  const podLabels: Record<string, string> = {
    ...componentLabels(ctx, "Ztunnel", { "app.kubernetes.io/name": "ztunnel" }),
    "sidecar.istio.io/inject": "false",
    "istio.io/dataplane-mode": "none",
    app: "ztunnel",
    ...printedMap(v.podLabels),
  };
  return obj("apps/v1", "DaemonSet", name, ns, labels, {
    spec: {
      ...(goTruthy(v.updateStrategy) ? { updateStrategy: structuredClone(v.updateStrategy) } : {}),
      selector: { matchLabels: { app: "ztunnel" } },
      template: { metadata: { labels: podLabels, annotations: podAnnotations }, spec: podSpec },
    },
  }, annotations);
}
