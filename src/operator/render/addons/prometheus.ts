// Prometheus as Istio's sample runs it: the scrape jobs of the prometheus community chart Istio renders
// (kubernetes API servers, nodes, cadvisor, annotated pods and service endpoints with their slow variants,
// blackbox-probed services, pushgateway, itself), the RBAC those discoveries need, and the config reloader.
import { dump } from "js-yaml";
import type { Json, JsonObject } from "../../../config/values.js";
import { obj, type K8sObject, type RenderContext } from "../meta.js";
import { clusterRbac, deployment, httpProbe, image, labelsFor, RO, selectorFor } from "./common.js";

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const inCluster = (insecure: boolean): JsonObject => ({
  scheme: "https",
  bearer_token_file: `${SA_DIR}/token`,
  tls_config: { ca_file: `${SA_DIR}/ca.crt`, ...(insecure ? { insecure_skip_verify: true } : {}) },
});
const keepTrue = (label: string): JsonObject => ({ action: "keep", regex: "true", source_labels: [label] });
const copy = (from: string, to: string): JsonObject => ({ action: "replace", source_labels: [from], target_label: to });

/** The relabelings of an annotation-driven job over `kind` (pod or service) annotations `prometheus.io/*`. */
function annotated(kind: "pod" | "service", slow: boolean): Json[] {
  const a = (n: string) => `__meta_kubernetes_${kind}_annotation_prometheus_io_${n}`;
  const port = a("port");
  const address: Json[] = kind === "pod"
    ? [
      // IPv6 pod IPs are bracketed; IPv4 ones are not.
      { action: "replace", source_labels: [port, "__meta_kubernetes_pod_ip"], regex: "(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})", replacement: "[$2]:$1", target_label: "__address__" },
      { action: "replace", source_labels: [port, "__meta_kubernetes_pod_ip"], regex: "(\\d+);((([0-9]+?)(\\.|$)){4})", replacement: "$2:$1", target_label: "__address__" },
    ]
    : [{ action: "replace", source_labels: ["__address__", port], regex: "(.+?)(?::\\d+)?;(\\d+)", replacement: "$1:$2", target_label: "__address__" }];
  return [
    keepTrue(a(slow ? "scrape_slow" : "scrape")),
    ...(slow ? [] : [{ action: "drop", regex: "true", source_labels: [a("scrape_slow")] }]),
    { action: "replace", regex: "(https?)", source_labels: [a("scheme")], target_label: "__scheme__" },
    { action: "replace", regex: "(.+)", source_labels: [a("path")], target_label: "__metrics_path__" },
    ...address,
    { action: "labelmap", regex: `__meta_kubernetes_${kind}_annotation_prometheus_io_param_(.+)`, replacement: "__param_$1" },
    { action: "labelmap", regex: `__meta_kubernetes_${kind}_label_(.+)` },
    copy("__meta_kubernetes_namespace", "namespace"),
    kind === "pod" ? copy("__meta_kubernetes_pod_name", "pod") : copy("__meta_kubernetes_service_name", "service"),
    ...(kind === "pod" ? [{ action: "drop", regex: "Pending|Succeeded|Failed|Completed", source_labels: ["__meta_kubernetes_pod_phase"] }] : []),
    copy("__meta_kubernetes_pod_node_name", "node"),
  ];
}

function annotatedJob(name: string, kind: "pod" | "service", slow: boolean): JsonObject {
  return {
    job_name: name,
    honor_labels: true,
    kubernetes_sd_configs: [{ role: kind === "pod" ? "pod" : "endpoints" }],
    relabel_configs: annotated(kind, slow),
    ...(slow ? { scrape_interval: "5m", scrape_timeout: "30s" } : {}),
  };
}

export const SCRAPE_JOBS = [
  "kubernetes-api-servers", "kubernetes-nodes", "kubernetes-nodes-cadvisor", "kubernetes-pods", "kubernetes-pods-slow",
  "kubernetes-service-endpoints", "kubernetes-service-endpoints-slow", "kubernetes-services", "prometheus", "prometheus-pushgateway",
] as const;

export function prometheusConfig(): string {
  const nodeLabels = { action: "labelmap", regex: "__meta_kubernetes_node_label_(.+)" };
  const jobs: JsonObject[] = [
    {
      job_name: "kubernetes-api-servers",
      ...inCluster(false),
      kubernetes_sd_configs: [{ role: "endpoints" }],
      relabel_configs: [{ action: "keep", regex: "default;kubernetes;https", source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"] }],
    },
    // The kubelets, scraped directly on their node addresses (nodes/metrics); their certificates are self-signed.
    { job_name: "kubernetes-nodes", ...inCluster(true), kubernetes_sd_configs: [{ role: "node" }], relabel_configs: [nodeLabels] },
    {
      job_name: "kubernetes-nodes-cadvisor",
      ...inCluster(true),
      kubernetes_sd_configs: [{ role: "node" }],
      metrics_path: "/metrics/cadvisor",
      relabel_configs: [nodeLabels, { source_labels: ["__metrics_path__"], target_label: "metrics_path" }],
    },
    annotatedJob("kubernetes-pods", "pod", false),
    annotatedJob("kubernetes-pods-slow", "pod", true),
    annotatedJob("kubernetes-service-endpoints", "service", false),
    annotatedJob("kubernetes-service-endpoints-slow", "service", true),
    {
      // Services annotated prometheus.io/probe=true, probed through a blackbox exporter at `blackbox`.
      job_name: "kubernetes-services",
      honor_labels: true,
      kubernetes_sd_configs: [{ role: "service" }],
      metrics_path: "/probe",
      params: { module: ["http_2xx"] },
      relabel_configs: [
        keepTrue("__meta_kubernetes_service_annotation_prometheus_io_probe"),
        { source_labels: ["__address__"], target_label: "__param_target" },
        { replacement: "blackbox", target_label: "__address__" },
        { source_labels: ["__param_target"], target_label: "instance" },
        { action: "labelmap", regex: "__meta_kubernetes_service_label_(.+)" },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
        { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
      ],
    },
    { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
    {
      job_name: "prometheus-pushgateway",
      honor_labels: true,
      kubernetes_sd_configs: [{ role: "service" }],
      relabel_configs: [{ action: "keep", regex: "pushgateway", source_labels: ["__meta_kubernetes_service_annotation_prometheus_io_probe"] }],
    },
  ];
  return dump({
    global: { evaluation_interval: "1m", scrape_interval: "15s", scrape_timeout: "10s" },
    rule_files: ["/etc/config/recording_rules.yml", "/etc/config/alerting_rules.yml", "/etc/config/rules", "/etc/config/alerts"],
    scrape_configs: jobs,
  }, { lineWidth: -1 });
}

export function renderPrometheus(ctx: RenderContext, ns: string): K8sObject[] {
  const L = labelsFor(ctx, "prometheus");
  const sel = selectorFor("prometheus");
  return [
    obj("v1", "ServiceAccount", "prometheus", ns, L),
    obj("v1", "ConfigMap", "prometheus", ns, L, {
      data: { "prometheus.yml": prometheusConfig(), "recording_rules.yml": "{}\n", "alerting_rules.yml": "{}\n", rules: "{}\n", alerts: "{}\n" },
    }),
    ...clusterRbac("prometheus", ns, L, [
      // nodes/metrics: the kubelet's /metrics and /metrics/cadvisor, scraped on the node address.
      { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods", "ingresses", "configmaps"], verbs: RO },
      { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status", "ingresses"], verbs: RO },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: RO },
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ]),
    obj("v1", "Service", "prometheus", ns, L, { spec: { ports: [{ name: "http", port: 9090, protocol: "TCP", targetPort: 9090 }], selector: sel, sessionAffinity: "None", type: "ClusterIP" } }),
    deployment("prometheus", ns, L, sel, {
      serviceAccountName: "prometheus",
      terminationGracePeriodSeconds: 300,
      containers: [
        {
          name: "prometheus-server-configmap-reload",
          image: image(ctx, "prometheus", "ghcr.io/prometheus-operator/prometheus-config-reloader:v0.89.0", "configReloaderImage"),
          args: ["--watched-dir=/etc/config", "--listen-address=0.0.0.0:8080", "--reload-url=http://127.0.0.1:9090/-/reload"],
          ports: [{ containerPort: 8080, name: "metrics" }],
          livenessProbe: httpProbe("/healthz", "metrics", { initialDelaySeconds: 2, periodSeconds: 10 }),
          readinessProbe: httpProbe("/healthz", "metrics", { periodSeconds: 10 }),
          volumeMounts: [{ name: "config-volume", mountPath: "/etc/config", readOnly: true }],
        },
        {
          name: "prometheus-server",
          image: image(ctx, "prometheus", "docker.io/prom/prometheus:v3.10.0"),
          args: [
            "--storage.tsdb.retention.time=15d", "--config.file=/etc/config/prometheus.yml", "--storage.tsdb.path=/data",
            "--web.console.libraries=/etc/prometheus/console_libraries", "--web.console.templates=/etc/prometheus/consoles", "--web.enable-lifecycle",
          ],
          ports: [{ containerPort: 9090 }],
          readinessProbe: httpProbe("/-/ready", 9090, { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 4, failureThreshold: 3, successThreshold: 1 }),
          livenessProbe: httpProbe("/-/healthy", 9090, { initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 3, successThreshold: 1 }),
          volumeMounts: [{ name: "config-volume", mountPath: "/etc/config" }, { name: "storage-volume", mountPath: "/data" }],
        },
      ],
      volumes: [{ name: "config-volume", configMap: { name: "prometheus" } }, { name: "storage-volume", emptyDir: {} }],
    }, { type: "Recreate" }),
  ];
}
