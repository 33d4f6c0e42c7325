// The observability addons a spec can enable (spec.addonComponents.<name>.enabled; the demo profile enables
// all four): Prometheus scraping the mesh, Grafana with Istio dashboards, Jaeger as the tracing backend, and
// Kiali. Each lands in the Istio namespace unless the addon's namespace says otherwise.
import { dump } from "js-yaml";
import { str, type Json, type JsonObject } from "../../config/values.js";
import { componentLabels, obj, type ComponentName, type K8sObject, type RenderContext } from "./meta.js";

export const ADDONS = ["prometheus", "grafana", "jaeger", "kiali"] as const;
export type AddonName = (typeof ADDONS)[number];
export const ADDON_COMPONENT: Record<AddonName, ComponentName> = { kiali: "Kiali", prometheus: "Prometheus", grafana: "Grafana", jaeger: "Jaeger" };

const RO = ["get", "list", "watch"];
const noInject = { "sidecar.istio.io/inject": "false" };
const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

function labelsFor(ctx: RenderContext, addon: AddonName): Record<string, string> {
  return componentLabels(ctx, ADDON_COMPONENT[addon], { app: addon, "app.kubernetes.io/name": addon, "app.kubernetes.io/instance": addon });
}

function deployment(name: string, ns: string, labels: Record<string, string>, selector: Record<string, string>, pod: JsonObject, strategy?: JsonObject): K8sObject {
  return obj("apps/v1", "Deployment", name, ns, labels, {
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      ...(strategy ? { strategy } : {}),
      template: { metadata: { labels: { ...labels, ...noInject } }, spec: pod },
    },
  });
}

function clusterRbac(name: string, ns: string, labels: Record<string, string>, rules: Json[]): K8sObject[] {
  return [
    obj("rbac.authorization.k8s.io/v1", "ClusterRole", name, undefined, labels, { rules }),
    obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, undefined, labels, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
    }),
  ];
}

function prometheusConfig(): string {
  const podScrape = (job: string, keep: string) => ({
    job_name: job,
    kubernetes_sd_configs: [{ role: "pod" }],
    relabel_configs: [
      { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: keep },
      { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"], action: "replace", target_label: "__metrics_path__", regex: "(.+)" },
      { source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"], action: "replace", regex: "([^:]+)(?::\\d+)?;(\\d+)", replacement: "$1:$2", target_label: "__address__" },
      { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
      { source_labels: ["__meta_kubernetes_namespace"], action: "replace", target_label: "namespace" },
      { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "pod" },
    ],
  });
  return dump({
    global: { evaluation_interval: "1m", scrape_interval: "15s", scrape_timeout: "10s" },
    rule_files: ["/etc/config/recording_rules.yml", "/etc/config/alerting_rules.yml"],
    scrape_configs: [
      { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
      podScrape("kubernetes-pods", "true"),
      {
        job_name: "kubernetes-apiservers",
        kubernetes_sd_configs: [{ role: "endpoints" }],
        scheme: "https",
        tls_config: { ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt" },
        bearer_token_file: "/var/run/secrets/kubernetes.io/serviceaccount/token",
        relabel_configs: [{ source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"], action: "keep", regex: "default;kubernetes;https" }],
      },
    ],
  }, { lineWidth: -1 });
}

function dashboard(title: string, uid: string, panels: [string, string][]): string {
  return JSON.stringify({
    title,
    uid,
    schemaVersion: 39,
    time: { from: "now-30m", to: "now" },
    refresh: "10s",
    panels: panels.map(([t, expr], i) => ({
      id: i + 1,
      type: "timeseries",
      title: t,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      datasource: { type: "prometheus", uid: "prometheus" },
      targets: [{ expr, refId: "A" }],
    })),
  });
}

export function renderAddon(ctx: RenderContext, addon: AddonName, ns: string): K8sObject[] {
  const L = labelsFor(ctx, addon);
  const sel = { "app.kubernetes.io/name": addon, "app.kubernetes.io/instance": addon };
  const img = (def: string) => str(ctx.values.addons?.[addon]?.image) || def;
  switch (addon) {
    case "prometheus":
      return [
        obj("v1", "ServiceAccount", "prometheus", ns, L),
        obj("v1", "ConfigMap", "prometheus", ns, L, { data: { "prometheus.yml": prometheusConfig(), "recording_rules.yml": "{}\n", "alerting_rules.yml": "{}\n" } }),
        ...clusterRbac("prometheus", ns, L, [
          { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods", "configmaps"], verbs: RO },
          { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: RO },
          { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: RO },
          { nonResourceURLs: ["/metrics"], verbs: ["get"] },
        ]),
        obj("v1", "Service", "prometheus", ns, L, { spec: { ports: [{ name: "http", port: 9090, protocol: "TCP", targetPort: 9090 }], selector: sel, type: "ClusterIP" } }),
        deployment("prometheus", ns, L, sel, {
          serviceAccountName: "prometheus",
          terminationGracePeriodSeconds: 300,
          containers: [
            {
              name: "prometheus-server-configmap-reload",
              image: str(ctx.values.addons?.prometheus?.configReloaderImage) || "ghcr.io/prometheus-operator/prometheus-config-reloader:v0.89.0",
              args: ["--watched-dir=/etc/config", "--listen-address=0.0.0.0:8080", "--reload-url=http://127.0.0.1:9090/-/reload"],
              ports: [{ containerPort: 8080, name: "metrics" }],
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/config", readOnly: true }],
            },
            {
              name: "prometheus-server",
              image: img("docker.io/prom/prometheus:v3.10.0"),
              args: ["--storage.tsdb.retention.time=15d", "--config.file=/etc/config/prometheus.yml", "--storage.tsdb.path=/data", "--web.enable-lifecycle"],
              ports: [{ containerPort: 9090 }],
              readinessProbe: { httpGet: { path: "/-/ready", port: 9090 }, periodSeconds: 5, timeoutSeconds: 4 },
              livenessProbe: { httpGet: { path: "/-/healthy", port: 9090 }, initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10 },
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/config" }, { name: "storage-volume", mountPath: "/data" }],
            },
          ],
          volumes: [{ name: "config-volume", configMap: { name: "prometheus" } }, { name: "storage-volume", emptyDir: {} }],
        }, { type: "Recreate" }),
      ];
    case "grafana": {
      const prom = `http://prometheus:9090`;
      return [
        obj("v1", "ServiceAccount", "grafana", ns, L),
        obj("v1", "ConfigMap", "grafana", ns, L, {
          data: {
            "grafana.ini": "[analytics]\ncheck_for_updates = false\n[auth.anonymous]\nenabled = true\norg_role = Admin\n[paths]\ndata = /var/lib/grafana/\nlogs = /var/log/grafana\nplugins = /var/lib/grafana/plugins\nprovisioning = /etc/grafana/provisioning\n",
            "datasources.yaml": dump({ apiVersion: 1, datasources: [{ name: "Prometheus", uid: "prometheus", type: "prometheus", access: "proxy", url: prom, isDefault: true, editable: true }] }),
            "dashboardproviders.yaml": dump({ apiVersion: 1, providers: [
              { name: "istio", orgId: 1, folder: "istio", type: "file", disableDeletion: false, options: { path: "/var/lib/grafana/dashboards/istio" } },
              { name: "istio-services", orgId: 1, folder: "istio", type: "file", disableDeletion: false, options: { path: "/var/lib/grafana/dashboards/istio-services" } },
            ] }),
          },
        }),
        obj("v1", "ConfigMap", "istio-grafana-dashboards", ns, L, {
          data: {
            "istio-mesh-dashboard.json": dashboard("Istio Mesh", "istio-mesh", [
              ["Global request volume", 'round(sum(irate(istio_requests_total{reporter=~"source|waypoint"}[1m])), 0.001)'],
              ["Global success rate", 'sum(rate(istio_requests_total{reporter=~"source|waypoint", response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{reporter=~"source|waypoint"}[1m]))'],
            ]),
            "pilot-dashboard.json": dashboard("Istio Control Plane", "istio-control-plane", [
              ["Pushes", "sum(irate(pilot_xds_pushes[1m])) by (type)"],
              ["Connected proxies", "sum(pilot_xds) by (pod)"],
            ]),
          },
        }),
        obj("v1", "ConfigMap", "istio-services-grafana-dashboards", ns, L, {
          data: {
            "istio-service-dashboard.json": dashboard("Istio Service", "istio-service", [
              ["Requests by service", 'sum(rate(istio_requests_total{reporter=~"destination|waypoint"}[1m])) by (destination_service)'],
              ["P99 latency by service", 'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter=~"destination|waypoint"}[1m])) by (le, destination_service))'],
            ]),
            "istio-workload-dashboard.json": dashboard("Istio Workload", "istio-workload", [
              ["Requests by workload", 'sum(rate(istio_requests_total{reporter=~"destination|waypoint"}[1m])) by (destination_workload)'],
              ["Failures by workload", 'sum(rate(istio_requests_total{reporter=~"destination|waypoint", response_code=~"5.*"}[1m])) by (destination_workload)'],
            ]),
          },
        }),
        obj("v1", "Service", "grafana", ns, L, { spec: { type: "ClusterIP", ports: [{ name: "service", port: 3000, protocol: "TCP", targetPort: 3000 }], selector: sel } }),
        deployment("grafana", ns, L, sel, {
          serviceAccountName: "grafana",
          securityContext: { fsGroup: 472, runAsGroup: 472, runAsNonRoot: true, runAsUser: 472 },
          containers: [{
            name: "grafana",
            image: img("docker.io/grafana/grafana:12.0.1"),
            ports: [{ name: "grafana", containerPort: 3000, protocol: "TCP" }],
            env: [{ name: "GF_PATHS_DATA", value: "/var/lib/grafana/" }, { name: "GF_PATHS_PROVISIONING", value: "/etc/grafana/provisioning" }],
            readinessProbe: { httpGet: { path: "/api/health", port: 3000 } },
            securityContext: { ...restricted, readOnlyRootFilesystem: false },
            volumeMounts: [
              { name: "config", mountPath: "/etc/grafana/grafana.ini", subPath: "grafana.ini" },
              { name: "config", mountPath: "/etc/grafana/provisioning/datasources/datasources.yaml", subPath: "datasources.yaml" },
              { name: "config", mountPath: "/etc/grafana/provisioning/dashboards/dashboardproviders.yaml", subPath: "dashboardproviders.yaml" },
              { name: "dashboards-istio", mountPath: "/var/lib/grafana/dashboards/istio" },
              { name: "dashboards-istio-services", mountPath: "/var/lib/grafana/dashboards/istio-services" },
              { name: "storage", mountPath: "/var/lib/grafana" },
            ],
          }],
          volumes: [
            { name: "config", configMap: { name: "grafana" } },
            { name: "dashboards-istio", configMap: { name: "istio-grafana-dashboards" } },
            { name: "dashboards-istio-services", configMap: { name: "istio-services-grafana-dashboards" } },
            { name: "storage", emptyDir: {} },
          ],
        }, { type: "RollingUpdate" }),
      ];
    }
    case "jaeger": {
      const jsel = { app: "jaeger" };
      const svc = (name: string, ports: Json[]) => obj("v1", "Service", name, ns, L, { spec: { type: "ClusterIP", ports, selector: jsel } });
      return [
        obj("v1", "ConfigMap", "jaeger", ns, L, {
          data: {
            "config.yaml": dump({
              service: { extensions: ["jaeger_storage", "jaeger_query"], pipelines: { traces: { receivers: ["otlp", "zipkin"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] } } },
              extensions: { jaeger_query: { storage: { traces: "memstore" } }, jaeger_storage: { backends: { memstore: { memory: { max_traces: 100000 } } } } },
              receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } }, zipkin: { endpoint: "0.0.0.0:9411" } },
              processors: { batch: {} },
              exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
            }),
          },
        }),
        obj("apps/v1", "Deployment", "jaeger", ns, L, {
          spec: {
            replicas: 1,
            selector: { matchLabels: jsel },
            template: {
              metadata: { labels: { ...L, ...jsel, ...noInject }, annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "14269" } },
              spec: {
                containers: [{
                  name: "jaeger",
                  image: img("docker.io/jaegertracing/jaeger:2.14.0"),
                  args: ["--config", "/jaeger/config.yaml"],
                  ports: [{ containerPort: 16686 }, { containerPort: 4317 }, { containerPort: 4318 }, { containerPort: 9411 }],
                  readinessProbe: { httpGet: { path: "/", port: 16686 } },
                  resources: { requests: { cpu: "10m" } },
                  volumeMounts: [{ name: "config", mountPath: "/jaeger" }, { name: "data", mountPath: "/tmp" }],
                }],
                volumes: [{ name: "config", configMap: { name: "jaeger" } }, { name: "data", emptyDir: {} }],
              },
            },
          },
        }),
        svc("tracing", [{ name: "http-query", port: 80, protocol: "TCP", targetPort: 16686 }, { name: "grpc-query", port: 16685, protocol: "TCP", targetPort: 16685 }]),
        svc("zipkin", [{ name: "http-query", port: 9411, targetPort: 9411 }]),
        svc("jaeger-collector", [
          { name: "jaeger-collector-grpc", port: 14250, targetPort: 14250, protocol: "TCP" },
          { name: "http-zipkin", port: 9411, targetPort: 9411, protocol: "TCP" },
          { name: "grpc-otel", port: 4317, targetPort: 4317, protocol: "TCP" },
          { name: "http-otel", port: 4318, targetPort: 4318, protocol: "TCP" },
        ]),
      ];
    }
    case "kiali": {
      const config = dump({
        auth: { strategy: "anonymous" },
        deployment: { accessible_namespaces: ["**"], namespace: ns, view_only_mode: false },
        external_services: {
          custom_dashboards: { enabled: true },
          istio: { root_namespace: ctx.istioNamespace, config_map_name: `istio${ctx.revSuffix}`, istiod_deployment_name: `istiod${ctx.revSuffix}`, istio_sidecar_injector_config_map_name: `istio-sidecar-injector${ctx.revSuffix}` },
          prometheus: { url: `http://prometheus.${ns}:9090` },
          grafana: { enabled: true, internal_url: `http://grafana.${ns}:3000` },
          tracing: { enabled: true, internal_url: `http://tracing.${ns}:16685/jaeger`, use_grpc: true },
        },
        server: { port: 20001, web_root: "/kiali", observability: { metrics: { enabled: true, port: 9090 } } },
      });
      return [
        obj("v1", "ServiceAccount", "kiali", ns, L),
        obj("v1", "ConfigMap", "kiali", ns, L, { data: { "config.yaml": config } }),
        ...clusterRbac("kiali", ns, L, [
          { apiGroups: [""], resources: ["configmaps", "endpoints", "pods/log"], verbs: RO },
          { apiGroups: [""], resources: ["namespaces", "pods", "replicationcontrollers", "services"], verbs: [...RO, "patch"] },
          { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create", "post"] },
          { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "replicasets", "statefulsets"], verbs: [...RO, "patch"] },
          { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: [...RO, "patch"] },
          { apiGroups: ["networking.istio.io", "security.istio.io", "extensions.istio.io", "telemetry.istio.io", "gateway.networking.k8s.io"], resources: ["*"], verbs: [...RO, "create", "delete", "patch"] },
          { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
          { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: RO },
        ]),
        obj("v1", "Service", "kiali", ns, L, { spec: { ports: [{ name: "http", appProtocol: "http", protocol: "TCP", port: 20001 }, { name: "http-metrics", appProtocol: "http", protocol: "TCP", port: 9090 }], selector: sel } }),
        deployment("kiali", ns, L, sel, {
          serviceAccountName: "kiali",
          containers: [{
            name: "kiali",
            image: img("quay.io/kiali/kiali:v2.26"),
            command: ["/opt/kiali/kiali", "-config", "/kiali-configuration/config.yaml"],
            env: [{ name: "ACTIVE_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }, { name: "LOG_LEVEL", value: "info" }],
            ports: [{ name: "api-port", containerPort: 20001 }, { name: "http-metrics", containerPort: 9090 }],
            readinessProbe: { httpGet: { path: "/kiali/healthz", port: "api-port" }, initialDelaySeconds: 5, periodSeconds: 30 },
            livenessProbe: { httpGet: { path: "/kiali/healthz", port: "api-port" }, initialDelaySeconds: 5, periodSeconds: 30 },
            resources: { limits: { memory: "1Gi" }, requests: { cpu: "10m", memory: "64Mi" } },
            securityContext: restricted,
            volumeMounts: [{ name: "kiali-configuration", mountPath: "/kiali-configuration" }],
          }],
          volumes: [{ name: "kiali-configuration", configMap: { name: "kiali" } }],
        }, { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 }, type: "RollingUpdate" }),
      ];
    }
  }
}
