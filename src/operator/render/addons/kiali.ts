// Kiali as Istio's sample runs it (anonymous auth, cluster-wide access, the sample's RBAC), pointed at the
// addons the same spec enables: Prometheus, Grafana (in-cluster URL, the browser URL `istioctl dashboard
// grafana` opens, the Istio dashboards by title) and Jaeger's query API over gRPC. An addon the spec does not
// enable is left disabled in Kiali's config (Istio's sample disables tracing for that reason).
import { dump } from "js-yaml";
import type { JsonObject } from "../../../config/values.js";
import { obj, type K8sObject, type RenderContext } from "../meta.js";
import { clusterRbac, deployment, httpProbe, image, labelsFor, restricted, RO, selectorFor, type AddonPeers } from "./common.js";
import { JAEGER_PORTS } from "./jaeger.js";
import { DASHBOARD_TITLES } from "./dashboards/index.js";

export const KIALI_PORT = 20001;
export const KIALI_METRICS_PORT = 9090;

export function kialiConfig(ctx: RenderContext, ns: string, peers: AddonPeers): JsonObject {
  const prometheusNs = peers.prometheus ?? ctx.istioNamespace;
  const rev = ctx.revSuffix;
  return {
    auth: { strategy: "anonymous" },
    deployment: { cluster_wide_access: true, namespace: ns, instance_name: "kiali", view_only_mode: false },
    external_services: {
      custom_dashboards: { enabled: true },
      istio: {
        root_namespace: ctx.istioNamespace,
        config_map_name: `istio${rev}`,
        istiod_deployment_name: `istiod${rev}`,
        istio_sidecar_injector_config_map_name: `istio-sidecar-injector${rev}`,
      },
      prometheus: { enabled: true, url: `http://prometheus.${prometheusNs}:9090` },
      grafana: peers.grafana
        ? {
          enabled: true,
          internal_url: `http://grafana.${peers.grafana}:3000`,
          external_url: "http://localhost:3000",
          dashboards: [
            { name: DASHBOARD_TITLES.service, variables: { service: "var-service", datasource: "var-datasource" } },
            { name: DASHBOARD_TITLES.workload, variables: { namespace: "var-namespace", workload: "var-workload", datasource: "var-datasource" } },
            { name: DASHBOARD_TITLES.mesh, variables: { datasource: "var-datasource" } },
            { name: DASHBOARD_TITLES["control-plane"], variables: { datasource: "var-datasource" } },
            { name: DASHBOARD_TITLES.performance, variables: { datasource: "var-datasource" } },
            { name: DASHBOARD_TITLES.wasm, variables: { datasource: "var-datasource" } },
            { name: DASHBOARD_TITLES.ztunnel, variables: { datasource: "var-datasource" } },
          ],
        }
        : { enabled: false },
      tracing: peers.jaeger
        ? {
          enabled: true,
          provider: "jaeger",
          use_grpc: true,
          internal_url: `http://tracing.${peers.jaeger}:${JAEGER_PORTS["query-grpc"]}/jaeger`,
          grpc_port: JAEGER_PORTS["query-grpc"],
          external_url: `http://localhost:${JAEGER_PORTS["query-http"]}/jaeger`,
        }
        : { enabled: false },
    },
    kiali_feature_flags: { validations: { ignore: ["KIA1301"] } },
    server: { port: KIALI_PORT, web_root: "/kiali", observability: { metrics: { enabled: true, port: KIALI_METRICS_PORT } } },
  };
}

export function renderKiali(ctx: RenderContext, ns: string, peers: AddonPeers): K8sObject[] {
  const L = labelsFor(ctx, "kiali");
  const sel = selectorFor("kiali");
  const probe = (extra: JsonObject) => httpProbe("/kiali/healthz", "api-port", extra);
  const optional = (name: string, mountPath: string, source: JsonObject) => ({ mount: { name, mountPath, readOnly: true }, volume: { name, ...source } });
  const extras = [
    optional("kiali-cert", "/kiali-cert", { secret: { secretName: "istio.kiali-service-account", optional: true } }),
    optional("kiali-secret", "/kiali-secret", { secret: { secretName: "kiali", optional: true } }),
    optional("kiali-cabundle", "/kiali-cabundle", { configMap: { name: "kiali-cabundle", optional: true } }),
    optional("kiali-multi-cluster-secret", "/kiali-remote-cluster-secrets/kiali-multi-cluster-secret", { secret: { secretName: "kiali-multi-cluster-secret", optional: true } }),
  ];
  return [
    obj("v1", "ServiceAccount", "kiali", ns, L),
    obj("v1", "ConfigMap", "kiali", ns, L, { data: { "config.yaml": dump(kialiConfig(ctx, ns, peers), { lineWidth: -1 }) } }),
    ...clusterRbac("kiali", ns, L, [
      { apiGroups: [""], resources: ["configmaps", "endpoints", "pods/log"], verbs: RO },
      { apiGroups: [""], resources: ["namespaces", "pods", "replicationcontrollers", "services"], verbs: [...RO, "patch"] },
      { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create", "post"] },
      { apiGroups: ["extensions", "apps"], resources: ["daemonsets", "deployments", "replicasets", "statefulsets"], verbs: [...RO, "patch"] },
      { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: [...RO, "patch"] },
      {
        apiGroups: ["networking.istio.io", "security.istio.io", "extensions.istio.io", "telemetry.istio.io", "gateway.networking.k8s.io", "inference.networking.k8s.io"],
        resources: ["*"], verbs: [...RO, "create", "delete", "patch"],
      },
      { apiGroups: ["apps.openshift.io"], resources: ["deploymentconfigs"], verbs: [...RO, "patch"] },
      { apiGroups: ["route.openshift.io"], resources: ["routes"], verbs: ["get"] },
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["oauth.openshift.io"], resources: ["oauthclients"], resourceNames: [`kiali-${ns}`], verbs: ["get"] },
      { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: RO },
    ]),
    obj("v1", "Service", "kiali", ns, L, {
      spec: {
        ports: [
          { name: "http", appProtocol: "http", protocol: "TCP", port: KIALI_PORT, targetPort: "api-port" },
          { name: "http-metrics", appProtocol: "http", protocol: "TCP", port: KIALI_METRICS_PORT, targetPort: "http-metrics" },
        ],
        selector: sel,
      },
    }),
    deployment("kiali", ns, L, sel, {
      serviceAccountName: "kiali",
      containers: [{
        name: "kiali",
        image: image(ctx, "kiali", "quay.io/kiali/kiali:v2.26"),
        command: ["/opt/kiali/kiali", "-config", "/kiali-configuration/config.yaml"],
        terminationMessagePolicy: "FallbackToLogsOnError",
        env: [
          { name: "ACTIVE_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
          { name: "LOG_LEVEL", value: "info" },
          { name: "LOG_FORMAT", value: "text" },
          { name: "LOG_TIME_FIELD_FORMAT", value: "2006-01-02T15:04:05Z07:00" },
          { name: "LOG_SAMPLER_RATE", value: "1" },
        ],
        ports: [{ name: "api-port", containerPort: KIALI_PORT }, { name: "http-metrics", containerPort: KIALI_METRICS_PORT }],
        readinessProbe: probe({ initialDelaySeconds: 5, periodSeconds: 30 }),
        livenessProbe: probe({ initialDelaySeconds: 5, periodSeconds: 30 }),
        startupProbe: probe({ failureThreshold: 6, initialDelaySeconds: 30, periodSeconds: 10 }),
        resources: { limits: { memory: "1Gi" }, requests: { cpu: "10m", memory: "64Mi" } },
        securityContext: { ...restricted, privileged: false },
        volumeMounts: [{ name: "kiali-configuration", mountPath: "/kiali-configuration" }, ...extras.map((e) => e.mount)],
      }],
      volumes: [{ name: "kiali-configuration", configMap: { name: "kiali" } }, ...extras.map((e) => e.volume)],
    }, { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 }, type: "RollingUpdate" }, {
      "prometheus.io/scrape": "true",
      "prometheus.io/port": String(KIALI_METRICS_PORT),
      "prometheus.io/scheme": "http",
      "kiali.io/dashboards": "go,kiali",
    }),
  ];
}
