// Components IngressGateways and EgressGateways: one set of objects per enabled list element (ServiceAccount,
// Deployment running the proxy as a router, Service, Role/RoleBinding for SDS, HPA/PDB, NetworkPolicy).
import { isObject, mergeValues, str, truthy, type Json, type JsonObject } from "../../config/values.js";
import type { GatewayComponentSpec } from "../../config/iop-types.js";
import type { GatewayValues } from "../../config/values-types.js";
import { componentLabels, envList, fieldEnv, gatewayAffinity, hpa, image, obj, obj0, pdb, pullSecrets, sortKeys, wantsHpa, wantsPdb, type ComponentName, type K8sObject, type RenderContext } from "./meta.js";
import { chartResources } from "./helm-print.js";

export interface GatewayElement {
  name: string;
  namespace: string;
  enabled: boolean;
  /** The element as given in spec.components.<list>[i]. */
  spec: GatewayComponentSpec;
}

export function gatewayValues(ctx: RenderContext, kind: "ingress" | "egress", el: GatewayElement): GatewayValues {
  const chart = obj0(ctx.values.gateways?.[`istio-${kind}gateway`]);
  // istioctl sets the chart's labels to the component's `label` (over the chart's defaults): values.gateways.<gw>.labels
  // never reach the objects.
  const labels = { app: `istio-${kind}gateway`, istio: `${kind}gateway`, ...obj0(el.spec.label) };
  const own: GatewayValues = { ...(mergeValues(chart, { name: el.name }) as JsonObject), labels };
  if (el.spec.hub !== undefined) own.hub = el.spec.hub;
  if (el.spec.tag !== undefined) own.tag = el.spec.tag;
  const k8sPorts = el.spec.k8s?.service?.ports;
  // istioctl reads k8s.service.ports through its ServicePort type, which always writes targetPort (0 when unset).
  if (Array.isArray(k8sPorts) && k8sPorts.length) own.ports = k8sPorts.map((p) => (isObject(p) ? { ...p, targetPort: p.targetPort ?? 0 } : p)) as GatewayValues["ports"];
  return own;
}

export function renderGateway(ctx: RenderContext, kind: "ingress" | "egress", el: GatewayElement): K8sObject[] {
  const component: ComponentName = kind === "ingress" ? "IngressGateways" : "EgressGateways";
  const v = ctx.values;
  const own = gatewayValues(ctx, kind, el);
  const name = el.name;
  const ns = el.namespace;
  const selector = obj0(own.labels) as Record<string, string>;
  const L = (extra: Record<string, string> = {}) => componentLabels(ctx, component, { ...selector, ...extra });
  const ports = (Array.isArray(own.ports) ? own.ports : []).filter(isObject);
  const out: K8sObject[] = [];
  const sa = `${name}-service-account`;
  out.push(obj("v1", "ServiceAccount", sa, ns, L(), pullSecrets(v), obj0(own.serviceAccount?.annotations) as Record<string, string>));
  const dir = kind === "ingress" ? "ingressgateway" : "egressgateway";
  const g = v.global ?? {};
  const meshConfig = obj0(v.meshConfig);
  const trustDomain = str(meshConfig.trustDomain) || "cluster.local"; // the chart default
  const gwEnv = obj0(own.env);
  const proxyMetadata = obj0(obj0(meshConfig.defaultConfig).proxyMetadata);
  const secretVolumes = (Array.isArray(own.secretVolumes)
    ? own.secretVolumes
    : [
        { name: `${dir}-certs`, secretName: `istio-${dir}-certs`, mountPath: `/etc/istio/${dir}-certs` },
        { name: `${dir}-ca-certs`, secretName: `istio-${dir}-ca-certs`, mountPath: `/etc/istio/${dir}-ca-certs` },
      ]).filter(isObject);
  const configVolumes = (Array.isArray(own.configVolumes) ? own.configVolumes : []).filter(isObject);
  const istiodCA = str(g.pilotCertProvider) === "istiod";
  const ctb = obj0(v.pilot?.env).ENABLE_CLUSTER_TRUST_BUNDLE_API === true;
  const env: Json[] = [
    { name: "PILOT_CERT_PROVIDER", value: str(v.global?.pilotCertProvider) || "istiod" },
    { name: "CA_ADDR", value: str(v.global?.caAddress) || `istiod${ctx.revSuffix}.${ctx.istioNamespace}.svc:15012` },
    fieldEnv("NODE_NAME", "spec.nodeName"),
    fieldEnv("POD_NAME", "metadata.name"),
    fieldEnv("POD_NAMESPACE", "metadata.namespace"),
    fieldEnv("INSTANCE_IP", "status.podIP"),
    fieldEnv("HOST_IP", "status.hostIP"),
    { name: "ISTIO_CPU_LIMIT", valueFrom: { resourceFieldRef: { divisor: "1", resource: "limits.cpu" } } },
    { name: "SERVICE_ACCOUNT", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
    { name: "ISTIO_META_WORKLOAD_NAME", value: name },
    { name: "ISTIO_META_OWNER", value: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${name}` },
    ...(truthy(g.meshID) ? [{ name: "ISTIO_META_MESH_ID", value: str(g.meshID) }] : truthy(trustDomain) ? [{ name: "ISTIO_META_MESH_ID", value: trustDomain }] : []),
    ...(truthy(trustDomain) ? [{ name: "TRUST_DOMAIN", value: trustDomain }] : []),
    ...(own.runAsRoot === true ? [] : [{ name: "ISTIO_META_UNPRIVILEGED_POD", value: "true" }]),
    ...envList(gwEnv),
    ...envList(proxyMetadata),
    ...(!truthy(gwEnv.ISTIO_META_NETWORK) && truthy(g.network) ? [{ name: "ISTIO_META_NETWORK", value: str(g.network) }] : []),
    { name: "ISTIO_META_CLUSTER_ID", value: str(g.multiCluster?.clusterName) || "Kubernetes" },
    { name: "ISTIO_META_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
  ];
  const args: Json[] = ["proxy", "router", "--domain", `$(POD_NAMESPACE).svc.${str(g.proxy?.clusterDomain)}`];
  if (truthy(g.proxy?.logLevel)) args.push(`--proxyLogLevel=${str(g.proxy?.logLevel)}`);
  if (truthy(g.proxy?.componentLogLevel)) args.push(`--proxyComponentLogLevel=${str(g.proxy?.componentLogLevel)}`);
  if (truthy(g.logging?.level)) args.push(`--log_output_level=${str(g.logging?.level)}`);
  if (truthy(g.logAsJson)) args.push("--log_as_json");
  if (truthy(g.sts?.servicePort)) args.push(`--stsPort=${str(g.sts?.servicePort)}`);
  // The gateway charts read global.hub, the gateway's tag, and global.proxy.variant | global.variant.
  // A component's hub does not reach the image (the chart reads global.hub only).
  const proxyImage = image(v, { ...own, hub: undefined, image: own.image ?? v.global?.proxy?.image ?? "proxyv2", variant: str(v.global?.proxy?.variant) || str(v.global?.variant) }, "proxyv2");
  const containerPorts: Json[] = [
    ...ports.map((p) => ({ containerPort: Number(p.targetPort || p.port), protocol: str(p.protocol) || "TCP" })),
    { containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" },
  ];
  const podLabels = {
    ...L({ "istio.io/dataplane-mode": "none", "service.istio.io/canonical-name": name, "service.istio.io/canonical-revision": "latest", "sidecar.istio.io/inject": "false" }),
    ...(obj0(own.podLabels) as Record<string, string>),
  };
  const runAsRoot = truthy(own.runAsRoot);
  // The gateway charts have no default replicaCount (pilotfish's chart defaults give 1): only a count the
  // IstioOperator's values give makes `replicas`.
  const replicaCount = obj0(obj0(obj0(ctx.r.userValues).gateways)[`istio-${kind}gateway`]).replicaCount;
  const openshift = (str((v as JsonObject).platform) || str(g.platform)) === "openshift";
  const deploy: JsonObject = {
    ...(!truthy(own.autoscaleEnabled) && truthy(replicaCount) ? { replicas: replicaCount as Json } : {}),
    selector: { matchLabels: sortKeys(selector) },
    strategy: { rollingUpdate: { maxSurge: own.rollingMaxSurge ?? "100%", maxUnavailable: own.rollingMaxUnavailable ?? "25%" } },
    template: {
      metadata: {
        annotations: {
          "istio.io/rev": ctx.revLabel,
          ...(truthy(meshConfig.enablePrometheusMerge ?? true) ? { "prometheus.io/path": "/stats/prometheus", "prometheus.io/port": "15020", "prometheus.io/scrape": "true" } : {}),
          "sidecar.istio.io/inject": "false",
          ...(obj0(own.podAnnotations) as Record<string, string>),
        },
        labels: sortKeys(podLabels),
      },
      spec: {
        containers: [
          {
            args,
            env,
            image: proxyImage,
            ...(truthy(g.imagePullPolicy) ? { imagePullPolicy: g.imagePullPolicy } : {}),
            name: "istio-proxy",
            ports: containerPorts,
            readinessProbe: { failureThreshold: 30, httpGet: { path: "/healthz/ready", port: 15021, scheme: "HTTP" }, initialDelaySeconds: 1, periodSeconds: 2, successThreshold: 1, timeoutSeconds: 1 },
            resources: chartResources(own.resources, g.defaultResources),
            ...(runAsRoot ? {} : { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: false, readOnlyRootFilesystem: true } }),
            volumeMounts: [
              { mountPath: "/var/run/secrets/workload-spiffe-uds", name: "workload-socket" },
              { mountPath: "/var/run/secrets/credential-uds", name: "credential-socket" },
              { mountPath: "/var/run/secrets/workload-spiffe-credentials", name: "workload-certs" },
              { mountPath: "/etc/istio/proxy", name: "istio-envoy" },
              { mountPath: "/etc/istio/config", name: "config-volume" },
              ...(istiodCA ? [{ mountPath: "/var/run/secrets/istio", name: "istiod-ca-cert" }] : []),
              { mountPath: "/var/run/secrets/tokens", name: "istio-token", readOnly: true },
              ...(truthy(g.mountMtlsCerts) ? [{ mountPath: "/etc/certs", name: "istio-certs", readOnly: true }] : []),
              { mountPath: "/var/lib/istio/data", name: "istio-data" },
              { mountPath: "/etc/istio/pod", name: "podinfo" },
              ...secretVolumes.map((x) => ({ mountPath: str(x.mountPath), name: str(x.name), readOnly: true })),
              ...configVolumes.filter((x) => truthy(x.mountPath)).map((x) => ({ mountPath: str(x.mountPath), name: str(x.name), readOnly: true })),
            ],
          },
          ...((Array.isArray(own.additionalContainers) ? own.additionalContainers : []) as Json[]),
        ],
        ...(gatewayAffinity(v, own.nodeSelector) ? { affinity: gatewayAffinity(v, own.nodeSelector) as Json } : {}),
        ...(runAsRoot ? {} : { securityContext: openshift ? { runAsNonRoot: true } : { runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 } }),
        ...(truthy(g.priorityClassName) ? { priorityClassName: str(g.priorityClassName) } : {}),
        serviceAccountName: sa,
        ...(truthy(own.tolerations) ? { tolerations: own.tolerations as Json } : truthy(g.defaultTolerations) ? { tolerations: g.defaultTolerations as Json } : {}),
        volumes: [
          { emptyDir: {}, name: "workload-socket" },
          { emptyDir: {}, name: "credential-socket" },
          { emptyDir: {}, name: "workload-certs" },
          ...(istiodCA
            ? [ctb
                ? { name: "istiod-ca-cert", projected: { sources: [{ clusterTrustBundle: { name: `istio.io:istiod-ca:${str(g.trustBundleName) || "root-cert"}`, path: "root-cert.pem" } }] } }
                : { configMap: { name: str(g.trustBundleName) || "istio-ca-root-cert" }, name: "istiod-ca-cert" }]
            : []),
          { downwardAPI: { items: [{ fieldRef: { fieldPath: "metadata.labels" }, path: "labels" }, { fieldRef: { fieldPath: "metadata.annotations" }, path: "annotations" }] }, name: "podinfo" },
          { emptyDir: {}, name: "istio-envoy" },
          { emptyDir: {}, name: "istio-data" },
          { name: "istio-token", projected: { sources: [{ serviceAccountToken: { audience: str(v.global?.sds?.token?.aud) || "istio-ca", expirationSeconds: 43200, path: "istio-token" } }] } },
          ...(truthy(g.mountMtlsCerts) ? [{ name: "istio-certs", secret: { optional: true, secretName: `istio.${name}-service-account` } }] : []),
          { configMap: { name: `istio${ctx.revSuffix}`, optional: true }, name: "config-volume" },
          ...secretVolumes.map((x) => ({ name: str(x.name), secret: { optional: true, secretName: str(x.secretName) } })),
          ...configVolumes.map((x) => ({ configMap: { name: str(x.configMapName), optional: true }, name: str(x.name) })),
        ],
      },
    },
  };
  out.push(obj("apps/v1", "Deployment", name, ns, L({ "istio.io/dataplane-mode": "none" }), { spec: deploy }));
  // The chart's sds Role and RoleBinding do not carry the gateway's labels.
  const rbacLabels = componentLabels(ctx, component, {});
  out.push(obj("rbac.authorization.k8s.io/v1", "Role", `${name}-sds`, ns, rbacLabels, { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] }] }));
  out.push(obj("rbac.authorization.k8s.io/v1", "RoleBinding", `${name}-sds`, ns, rbacLabels, {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${name}-sds` },
    subjects: [{ kind: "ServiceAccount", name: sa }],
  }));
  // The gateway charts scale on CPU only (memory and behavior are not read).
  if (wantsHpa(own)) out.push(hpa(name, ns, L(), { ...own, memory: undefined, autoscaleBehavior: undefined }));
  if (wantsPdb(v, own)) out.push(pdb(name, ns, L(), selector));
  const svcAnn = { ...(obj0(own.serviceAnnotations) as Record<string, string>), ...(obj0(el.spec.k8s?.serviceAnnotations) as Record<string, string>) };
  if (own.customService !== true) {
    out.push(obj("v1", "Service", name, ns, L(), {
      spec: {
        ...(truthy(own.loadBalancerIP) ? { loadBalancerIP: str(own.loadBalancerIP) } : {}),
        ...(truthy(own.loadBalancerSourceRanges) ? { loadBalancerSourceRanges: own.loadBalancerSourceRanges as Json } : {}),
        ...(truthy(own.externalTrafficPolicy) ? { externalTrafficPolicy: own.externalTrafficPolicy as Json } : {}),
        ports: [
          ...ports.map((p) => ({ ...p })), // the chart copies each port entry key by key
          ...(Array.isArray(own.ingressPorts) ? own.ingressPorts : []).map((p) => ({ name: str(p.name), port: Number(p.port) })),
        ],
        selector: sortKeys(selector),
        type: str(own.type) || (kind === "ingress" ? "LoadBalancer" : "ClusterIP"),
        ...(truthy(own.ipFamilyPolicy) ? { ipFamilyPolicy: own.ipFamilyPolicy as Json } : {}),
        ...(truthy(own.ipFamilies) ? { ipFamilies: own.ipFamilies as Json } : {}),
      },
    }, svcAnn));
  }
  if (v.global?.networkPolicy?.enabled === true) {
    const tcp = (port: number) => ({ port, protocol: "TCP" });
    out.push(obj("networking.k8s.io/v1", "NetworkPolicy", `${name}${ctx.revSuffix}`, ns, L(), {
      spec: {
        podSelector: { matchLabels: sortKeys(selector) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { ports: [tcp(15021)] },
          { ports: [tcp(15020), tcp(15090)] },
          ...ports.map((p) => ({ ports: [{ port: Number(p.targetPort || p.port), protocol: str(p.protocol) || "TCP" }] })),
        ],
        egress: [{}],
      },
    }));
  }
  return out;
}
