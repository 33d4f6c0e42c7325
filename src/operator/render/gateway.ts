// Components IngressGateways and EgressGateways: one set of objects per enabled list element (ServiceAccount,
// Deployment running the proxy as a router, Service, Role/RoleBinding for SDS, HPA/PDB, NetworkPolicy).
import { isObject, mergeValues, str, type Json, type JsonObject } from "../../config/values.js";
import type { GatewayComponentSpec } from "../../config/iop-types.js";
import type { GatewayValues } from "../../config/values-types.js";
import { componentLabels, envList, fieldEnv, hpa, image, obj, obj0, pdb, sortKeys, wantsHpa, wantsPdb, type ComponentName, type K8sObject, type RenderContext } from "./meta.js";

export interface GatewayElement {
  name: string;
  namespace: string;
  enabled: boolean;
  /** The element as given in spec.components.<list>[i]. */
  spec: GatewayComponentSpec;
}

export function gatewayValues(ctx: RenderContext, kind: "ingress" | "egress", el: GatewayElement): GatewayValues {
  const chart = obj0(ctx.values.gateways?.[`istio-${kind}gateway`]);
  const labels = { ...obj0(chart.labels), ...obj0(el.spec.label) };
  const own: GatewayValues = mergeValues(chart, { name: el.name, labels }) as JsonObject;
  if (el.spec.hub !== undefined) own.hub = el.spec.hub;
  if (el.spec.tag !== undefined) own.tag = el.spec.tag;
  const k8sPorts = el.spec.k8s?.service?.ports;
  if (Array.isArray(k8sPorts) && k8sPorts.length) own.ports = k8sPorts;
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
  out.push(obj("v1", "ServiceAccount", sa, ns, L()));
  const dir = kind === "ingress" ? "ingressgateway" : "egressgateway";
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
    { name: "ISTIO_META_MESH_ID", value: str(v.global?.meshID) || "cluster.local" },
    { name: "TRUST_DOMAIN", value: str(v.meshConfig?.trustDomain) || "cluster.local" },
    { name: "ISTIO_META_UNPRIVILEGED_POD", value: "true" },
    { name: "ISTIO_META_CLUSTER_ID", value: str(v.global?.multiCluster?.clusterName) || "Kubernetes" },
    { name: "ISTIO_META_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    ...envList(own.env),
  ];
  const proxyImage = image(v, { ...own, image: own.image ?? v.global?.proxy?.image ?? "proxyv2" }, "proxyv2");
  const containerPorts: Json[] = [
    ...ports.map((p) => ({ containerPort: Number(p.targetPort || p.port), protocol: str(p.protocol) || "TCP" })),
    { containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" },
  ];
  const podLabels = {
    ...L({ "istio.io/dataplane-mode": "none", "service.istio.io/canonical-name": name, "service.istio.io/canonical-revision": "latest", "sidecar.istio.io/inject": "false" }),
    ...(obj0(own.podLabels) as Record<string, string>),
  };
  const runAsRoot = own.runAsRoot === true;
  const deploy: JsonObject = {
    ...(wantsHpa(own) ? {} : { replicas: Number(own.replicaCount ?? 1) }),
    selector: { matchLabels: sortKeys(selector) },
    strategy: { rollingUpdate: { maxSurge: str(own.rollingMaxSurge) || "100%", maxUnavailable: str(own.rollingMaxUnavailable) || "25%" } },
    template: {
      metadata: {
        annotations: { "istio.io/rev": ctx.revLabel, "prometheus.io/path": "/stats/prometheus", "prometheus.io/port": "15020", "prometheus.io/scrape": "true", "sidecar.istio.io/inject": "false", ...(obj0(own.podAnnotations) as Record<string, string>) },
        labels: sortKeys(podLabels),
      },
      spec: {
        containers: [
          {
            args: ["proxy", "router", "--domain", `$(POD_NAMESPACE).svc.${str(v.global?.proxy?.clusterDomain) || "cluster.local"}`, `--proxyLogLevel=${str(v.global?.proxy?.logLevel) || "warning"}`, `--proxyComponentLogLevel=${str(v.global?.proxy?.componentLogLevel) || "misc:error"}`, `--log_output_level=${str(v.global?.logging?.level) || "default:info"}`],
            env,
            image: proxyImage,
            name: "istio-proxy",
            ports: containerPorts,
            readinessProbe: { failureThreshold: 30, httpGet: { path: "/healthz/ready", port: 15021, scheme: "HTTP" }, initialDelaySeconds: 1, periodSeconds: 2, successThreshold: 1, timeoutSeconds: 1 },
            resources: obj0(own.resources),
            securityContext: runAsRoot
              ? { allowPrivilegeEscalation: false, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: false, runAsUser: 0 }
              : { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: false, readOnlyRootFilesystem: true },
            volumeMounts: [
              { mountPath: "/var/run/secrets/workload-spiffe-uds", name: "workload-socket" },
              { mountPath: "/var/run/secrets/credential-uds", name: "credential-socket" },
              { mountPath: "/var/run/secrets/workload-spiffe-credentials", name: "workload-certs" },
              { mountPath: "/etc/istio/proxy", name: "istio-envoy" },
              { mountPath: "/etc/istio/config", name: "config-volume" },
              { mountPath: "/var/run/secrets/istio", name: "istiod-ca-cert" },
              { mountPath: "/var/run/secrets/tokens", name: "istio-token", readOnly: true },
              { mountPath: "/var/lib/istio/data", name: "istio-data" },
              { mountPath: "/etc/istio/pod", name: "podinfo" },
              { mountPath: `/etc/istio/${dir}-certs`, name: `${dir}-certs`, readOnly: true },
              { mountPath: `/etc/istio/${dir}-ca-certs`, name: `${dir}-ca-certs`, readOnly: true },
            ],
          },
        ],
        ...(Object.keys(obj0(own.nodeSelector)).length ? { nodeSelector: own.nodeSelector } : {}),
        securityContext: runAsRoot ? {} : { runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
        serviceAccountName: sa,
        ...(Array.isArray(own.tolerations) && own.tolerations.length ? { tolerations: own.tolerations } : {}),
        volumes: [
          { emptyDir: {}, name: "workload-socket" },
          { emptyDir: {}, name: "credential-socket" },
          { emptyDir: {}, name: "workload-certs" },
          { configMap: { name: "istio-ca-root-cert" }, name: "istiod-ca-cert" },
          { downwardAPI: { items: [{ fieldRef: { fieldPath: "metadata.labels" }, path: "labels" }, { fieldRef: { fieldPath: "metadata.annotations" }, path: "annotations" }] }, name: "podinfo" },
          { emptyDir: {}, name: "istio-envoy" },
          { emptyDir: {}, name: "istio-data" },
          { name: "istio-token", projected: { sources: [{ serviceAccountToken: { audience: str(v.global?.sds?.token?.aud) || "istio-ca", expirationSeconds: 43200, path: "istio-token" } }] } },
          { configMap: { name: `istio${ctx.revSuffix}`, optional: true }, name: "config-volume" },
          { name: `${dir}-certs`, secret: { optional: true, secretName: `istio-${dir}-certs` } },
          { name: `${dir}-ca-certs`, secret: { optional: true, secretName: `istio-${dir}-ca-certs` } },
        ],
      },
    },
  };
  out.push(obj("apps/v1", "Deployment", name, ns, L({ "istio.io/dataplane-mode": "none" }), { spec: deploy }));
  out.push(obj("rbac.authorization.k8s.io/v1", "Role", `${name}-sds`, ns, L(), { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] }] }));
  out.push(obj("rbac.authorization.k8s.io/v1", "RoleBinding", `${name}-sds`, ns, L(), {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${name}-sds` },
    subjects: [{ kind: "ServiceAccount", name: sa }],
  }));
  if (wantsHpa(own)) out.push(hpa(name, ns, L(), own));
  if (wantsPdb(v, own)) out.push(pdb(name, ns, L(), selector));
  const svcAnn = { ...(obj0(own.serviceAnnotations) as Record<string, string>), ...(obj0(el.spec.k8s?.serviceAnnotations) as Record<string, string>) };
  out.push(obj("v1", "Service", name, ns, L(), {
    spec: {
      ports: ports.map((p) => ({ name: str(p.name), port: Number(p.port), protocol: str(p.protocol) || "TCP", targetPort: Number(p.targetPort || p.port) })),
      selector: sortKeys(selector),
      type: str(own.type) || (kind === "ingress" ? "LoadBalancer" : "ClusterIP"),
    },
  }, svcAnn));
  if (v.global?.networkPolicy?.enabled === true) {
    out.push(obj("networking.k8s.io/v1", "NetworkPolicy", name, ns, L(), {
      spec: { podSelector: { matchLabels: sortKeys(selector) }, policyTypes: ["Ingress"], ingress: [{}] },
    }));
  }
  return out;
}
