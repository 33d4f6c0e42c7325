// Jaeger v2 all-in-one as Istio's sample runs it: OTLP (gRPC 4317, HTTP 4318), Jaeger (gRPC 14250, Thrift
// HTTP 14268, Thrift UDP 6831/6832) and Zipkin (9411) receivers into a Badger store on an emptyDir; the query
// UI/API under /jaeger (HTTP 16686, gRPC 16685); remote sampling (5778/5779); health (13133); its own metrics
// (8888, the port the scrape annotation names). Services `tracing`, `zipkin` and `jaeger-collector`.
import { dump } from "js-yaml";
import type { Json } from "../../../config/values.js";
import { obj, type K8sObject, type RenderContext } from "../meta.js";
import { deployment, httpProbe, image, labelsFor } from "./common.js";

/** Every port the Jaeger container listens on, by name. */
export const JAEGER_PORTS = {
  "otlp-grpc": 4317, "otlp-http": 4318, "jaeger-grpc": 14250, "thrift-http": 14268, "thrift-compact": 6831, "thrift-binary": 6832,
  zipkin: 9411, "query-http": 16686, "query-grpc": 16685, "sampling-http": 5778, "sampling-grpc": 5779, health: 13133, metrics: 8888,
  expvar: 27777, zpages: 27778,
} as const;
const UDP = new Set(["thrift-compact", "thrift-binary"]);
const P = JAEGER_PORTS;
const at = (port: number) => `0.0.0.0:${port}`;

export function jaegerConfig(): string {
  return dump({
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "remote_sampling", "healthcheckv2", "expvar", "zpages"],
      pipelines: { traces: { receivers: ["otlp", "jaeger", "zipkin"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] } },
      telemetry: {
        resource: { "service.name": "jaeger" },
        metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: P.metrics } } } }] },
        logs: { level: "info" },
      },
    },
    extensions: {
      jaeger_query: { base_path: "/jaeger", storage: { traces: "badger_main" }, http: { endpoint: at(P["query-http"]) }, grpc: { endpoint: at(P["query-grpc"]) } },
      jaeger_storage: { backends: { badger_main: { badger: { ephemeral: false, directories: { keys: "/badger/key", values: "/badger/data" } } } } },
      remote_sampling: { file: { default_sampling_probability: 1, reload_interval: "1s" }, http: { endpoint: at(P["sampling-http"]) }, grpc: { endpoint: at(P["sampling-grpc"]) } },
      healthcheckv2: { use_v2: true, http: { endpoint: at(P.health) } },
      expvar: { endpoint: at(P.expvar) },
      zpages: { endpoint: at(P.zpages) },
    },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: at(P["otlp-grpc"]) }, http: { endpoint: at(P["otlp-http"]) } } },
      jaeger: {
        protocols: {
          grpc: { endpoint: at(P["jaeger-grpc"]) }, thrift_http: { endpoint: at(P["thrift-http"]) },
          thrift_compact: { endpoint: at(P["thrift-compact"]) }, thrift_binary: { endpoint: at(P["thrift-binary"]) },
        },
      },
      zipkin: { endpoint: at(P.zipkin) },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: "badger_main" } },
  }, { lineWidth: -1 });
}

export function renderJaeger(ctx: RenderContext, ns: string): K8sObject[] {
  const L = labelsFor(ctx, "jaeger");
  const sel = { app: "jaeger" };
  const svc = (name: string, ports: Json[], labels = L) => obj("v1", "Service", name, ns, labels, { spec: { type: "ClusterIP", ports, selector: sel } });
  const port = (name: string, p: number, target: keyof typeof JAEGER_PORTS = name as keyof typeof JAEGER_PORTS) => ({ name, port: p, protocol: "TCP", targetPort: P[target] });
  return [
    obj("v1", "ConfigMap", "jaeger", ns, L, { data: { "config.yaml": jaegerConfig() } }),
    deployment("jaeger", ns, L, sel, {
      containers: [{
        name: "jaeger",
        image: image(ctx, "jaeger", "docker.io/jaegertracing/jaeger:2.14.0"),
        args: ["--config", "/jaeger-configuration/config.yaml"],
        ports: Object.entries(P).map(([name, containerPort]) => ({ name, containerPort, protocol: UDP.has(name) ? "UDP" : "TCP" })),
        livenessProbe: httpProbe("/status", P.health),
        readinessProbe: httpProbe("/status", P.health),
        resources: { requests: { cpu: "10m" } },
        volumeMounts: [{ name: "data", mountPath: "/badger" }, { name: "jaeger-configuration", mountPath: "/jaeger-configuration" }],
      }],
      volumes: [{ name: "data", emptyDir: {} }, { name: "jaeger-configuration", configMap: { name: "jaeger" } }],
    }, undefined, { "prometheus.io/scrape": "true", "prometheus.io/port": String(P.metrics) }),
    // The query UI on port 80 and its gRPC API (Kiali's tracing URL).
    svc("tracing", [port("http-query", 80, "query-http"), port("grpc-query", P["query-grpc"], "query-grpc")]),
    // Jaeger speaks the Zipkin API: a Service named zipkin lets the mesh's default zipkin tracer reach it.
    svc("zipkin", [port("http-query", P.zipkin, "zipkin")], { ...L, name: "zipkin" }),
    svc("jaeger-collector", [
      port("jaeger-collector-http", P["thrift-http"], "thrift-http"),
      port("jaeger-collector-grpc", P["jaeger-grpc"], "jaeger-grpc"),
      port("http-zipkin", P.zipkin, "zipkin"),
      port("grpc-otel", P["otlp-grpc"], "otlp-grpc"),
      port("http-otel", P["otlp-http"], "otlp-http"),
    ]),
  ];
}
