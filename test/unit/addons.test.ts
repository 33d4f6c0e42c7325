// The observability addons (src/operator/render/addons/) against Istio 1.30.3's samples (test data in
// test/conformance/istio-addons/, see its README): Prometheus's scrape jobs and RBAC, every Service port and
// scrape annotation served by a container (and, for Jaeger, by a listener in its config), every dashboard query
// parsed by Prometheus's own PromQL grammar and using only metric names Istio emits and variables the dashboard
// defines, coverage of Istio's dashboards' metrics and variables, and Kiali's URLs resolving to rendered Services.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { load, loadAll } from "js-yaml";
import { parser } from "@prometheus-io/lezer-promql";
import { resolveIop } from "../../src/config/resolve.js";
import { render, manifestObjects } from "../../src/operator/render/index.js";
import type { K8sObject } from "../../src/operator/render/meta.js";

const DATA = path.join(path.dirname(fileURLToPath(import.meta.url)), "../conformance/istio-addons");
const sample = (name: string) => (loadAll(fs.readFileSync(path.join(DATA, "samples", `${name}.yaml`), "utf8")) as any[]).filter(Boolean) as K8sObject[];
const ISTIO_DASHBOARDS: Record<string, { title: string; variables: string[]; metrics: string[] }> = JSON.parse(fs.readFileSync(path.join(DATA, "dashboards.json"), "utf8"));
const METRICS = new Set(fs.readFileSync(path.join(DATA, "metric-names.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")));

const gen = (spec: object = { profile: "demo" }) => manifestObjects(render(resolveIop({ docs: [{ source: "t", doc: { kind: "IstioOperator", spec } as never }], sets: [] })));
const ADDON_KINDS = new Set(["prometheus", "grafana", "jaeger", "kiali"]);
const addonObjects = (objs: K8sObject[]) => objs.filter((o) => ADDON_KINDS.has(String(o.metadata.labels?.["app.kubernetes.io/name"] ?? "")) || ["zipkin", "tracing", "jaeger-collector", "istio-grafana-dashboards", "istio-services-grafana-dashboards"].includes(o.metadata.name));
const DEMO = gen();
const find = (objs: K8sObject[], kind: string, name: string, ns?: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name && (ns === undefined || x.metadata.namespace === ns));
  assert.ok(o, `${kind}/${name}${ns ? ` in ${ns}` : ""} rendered`);
  return o as any;
};
const configData = (objs: K8sObject[], name: string, key: string) => String(find(objs, "ConfigMap", name).data[key]);

// ---- Prometheus ----------------------------------------------------------------------------------------------

/** A relabel rule with Prometheus's defaults made explicit, so equal meaning compares equal. */
function normRelabel(r: any) {
  // Prometheus reads a YAML `regex: true` as the string "true".
  return { action: "replace", separator: ";", replacement: "$1", ...r, regex: String(r.regex ?? "(.*)"), source_labels: r.source_labels ?? [] };
}
function normJob(j: any) {
  return { ...j, relabel_configs: (j.relabel_configs ?? []).map(normRelabel) };
}

describe("addons: Prometheus", () => {
  const ours = load(configData(DEMO, "prometheus", "prometheus.yml")) as any;
  const theirs = load(String(sample("prometheus").find((o) => o.kind === "ConfigMap")!.data!["prometheus.yml"])) as any;

  it("has each scrape job of Istio's sample, by job_name, with the same discovery, TLS and relabelings", () => {
    const names = (c: any) => c.scrape_configs.map((j: any) => j.job_name).sort();
    assert.deepEqual(names(ours), names(theirs));
    assert.ok(names(ours).length >= 10);
    for (const job of theirs.scrape_configs) {
      const mine = ours.scrape_configs.find((j: any) => j.job_name === job.job_name);
      assert.deepEqual(normJob(mine), normJob(job), job.job_name);
    }
    assert.deepEqual(ours.global, theirs.global);
    assert.deepEqual([...ours.rule_files].sort(), [...theirs.rule_files].sort());
    const cm = find(DEMO, "ConfigMap", "prometheus");
    for (const f of ours.rule_files) assert.ok(path.basename(f) in cm.data, `rule file ${f} is in the ConfigMap`);
  });

  it("is granted every permission the sample's ClusterRole grants (nodes/metrics for the kubelet and cadvisor, /metrics)", () => {
    const grants = (rules: any[]) => new Set(rules.flatMap((r) => r.nonResourceURLs
      ? r.nonResourceURLs.flatMap((u: string) => r.verbs.map((v: string) => `url:${u}:${v}`))
      : r.apiGroups.flatMap((g: string) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${g}/${res}:${v}`)))));
    const mine = grants(find(DEMO, "ClusterRole", "prometheus").rules);
    const want = grants((sample("prometheus").find((o) => o.kind === "ClusterRole") as any).rules);
    for (const g of want) assert.ok(mine.has(g), g);
    for (const g of ["/nodes/metrics:get", "/nodes:list", "/services:watch", "/endpoints:list", "/pods:watch", "networking.k8s.io/ingresses:list", "url:/metrics:get"]) assert.ok(mine.has(g), g);
    const crb = find(DEMO, "ClusterRoleBinding", "prometheus");
    assert.deepEqual(crb.subjects, [{ kind: "ServiceAccount", name: "prometheus", namespace: "istio-system" }]);
    assert.equal(find(DEMO, "Deployment", "prometheus").spec.template.spec.serviceAccountName, "prometheus");
  });

  it("runs the sample's server and config reloader: images, args, probes on served ports", () => {
    const want = (sample("prometheus").find((o) => o.kind === "Deployment") as any).spec.template.spec.containers;
    const got = find(DEMO, "Deployment", "prometheus").spec.template.spec.containers;
    for (const c of want) {
      const m = got.find((x: any) => x.name === c.name);
      assert.ok(m, c.name);
      assert.equal(m.image, c.image);
      assert.deepEqual(m.args, c.args);
      for (const p of ["readinessProbe", "livenessProbe"]) assert.deepEqual(m[p]?.httpGet, c[p]?.httpGet, `${c.name} ${p}`);
    }
  });
});

// ---- Ports ---------------------------------------------------------------------------------------------------

/** The pod templates a Service selects. */
function podsOf(objs: K8sObject[], svc: any): any[] {
  const sel = svc.spec.selector ?? {};
  return objs.filter((o) => o.kind === "Deployment" && o.metadata.namespace === svc.metadata.namespace)
    .map((d: any) => d.spec.template)
    .filter((t) => Object.entries(sel).every(([k, v]) => t.metadata.labels?.[k] === v));
}
const containerPorts = (tpl: any) => tpl.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => ({ ...p, protocol: p.protocol ?? "TCP" })));
/** The ports Jaeger listens on according to its own config (receivers, extensions, telemetry). */
function jaegerListens(objs: K8sObject[]): Set<number> {
  const cfg = load(configData(objs, "jaeger", "config.yaml")) as any;
  const ports = new Set<number>();
  const walk = (v: any) => {
    if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) {
      if (k === "endpoint" && typeof x === "string") ports.add(Number(x.split(":").pop()));
      else walk(x);
    }
  };
  walk(cfg.receivers);
  for (const e of cfg.service.extensions) walk(cfg.extensions[e]);
  for (const r of cfg.service.telemetry.metrics.readers) ports.add(r.pull.exporter.prometheus.port);
  for (const r of cfg.service.pipelines.traces.receivers) assert.ok(r in cfg.receivers, `pipeline receiver ${r} configured`);
  return ports;
}

describe("addons: ports", () => {
  const objs = addonObjects(DEMO);
  const services = objs.filter((o) => o.kind === "Service");

  it("renders the Services of Istio's samples with their port names and numbers", () => {
    for (const a of ["prometheus", "grafana", "jaeger", "kiali"]) {
      for (const s of sample(a).filter((o) => o.kind === "Service") as any[]) {
        const mine = find(objs, "Service", s.metadata.name);
        for (const p of s.spec.ports) assert.ok(mine.spec.ports.some((q: any) => q.port === p.port && (p.name === undefined || q.name === p.name)), `${s.metadata.name} port ${p.name}/${p.port}`);
      }
    }
    assert.deepEqual(services.map((s) => s.metadata.name).sort(), ["grafana", "jaeger-collector", "kiali", "prometheus", "tracing", "zipkin"]);
  });

  it("every Service port has a container port in a selected pod that serves it", () => {
    for (const svc of services as any[]) {
      const pods = podsOf(objs, svc);
      assert.ok(pods.length, `${svc.metadata.name} selects a Deployment's pods`);
      for (const p of svc.spec.ports) {
        const target = p.targetPort ?? p.port;
        const served = pods.some((t) => containerPorts(t).some((c: any) => (typeof target === "number" ? c.containerPort === target : c.name === target) && c.protocol === (p.protocol ?? "TCP")));
        assert.ok(served, `${svc.metadata.name}:${p.name ?? p.port} -> ${target}`);
      }
    }
  });

  it("every prometheus.io/port annotation names a port the pod serves", () => {
    const annotated = objs.filter((o) => o.kind === "Deployment" && (o as any).spec.template.metadata.annotations?.["prometheus.io/port"]);
    assert.deepEqual(annotated.map((d) => d.metadata.name).sort(), ["jaeger", "kiali"]);
    for (const d of annotated as any[]) {
      const port = Number(d.spec.template.metadata.annotations["prometheus.io/port"]);
      assert.ok(containerPorts(d.spec.template).some((c: any) => c.containerPort === port), `${d.metadata.name} declares ${port}`);
    }
    for (const s of services as any[]) {
      const port = s.metadata.annotations?.["prometheus.io/port"];
      if (port) assert.ok(s.spec.ports.some((p: any) => String(p.port) === port), s.metadata.name);
    }
  });

  it("Jaeger listens on every port it declares (OTLP, Jaeger, Zipkin, query, health, metrics) and on nothing undeclared", () => {
    const listens = jaegerListens(objs);
    const declared = containerPorts(find(objs, "Deployment", "jaeger").spec.template).map((c: any) => c.containerPort);
    assert.deepEqual([...declared].sort((a, b) => a - b), [...listens].sort((a, b) => a - b));
    for (const p of [4317, 4318, 9411, 14250, 14268, 16685, 16686, 13133, 8888]) assert.ok(listens.has(p), String(p));
    assert.equal(find(objs, "Deployment", "jaeger").spec.template.metadata.annotations["prometheus.io/port"], "8888");
    const probe = find(objs, "Deployment", "jaeger").spec.template.spec.containers[0].readinessProbe.httpGet.port;
    assert.ok(listens.has(probe));
  });
});

// ---- Grafana -------------------------------------------------------------------------------------------------

const GRAFANA_BUILTINS = new Set(["__rate_interval", "__interval", "__range", "__interval_ms", "__range_s", "__all"]);
/** Replaces Grafana's variables by literals so the text parses as PromQL. */
const toPromql = (e: string) => e.replace(/\$__\w+/g, "5m").replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, "x");
const varsIn = (e: string) => [...e.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g)].map((m) => m[1] ?? m[2] ?? m[3]);
function parsePromql(expr: string): { errors: number; metrics: string[] } {
  const q = toPromql(expr);
  let errors = 0;
  const metrics: string[] = [];
  parser.parse(q).iterate({
    enter: (n) => {
      if (n.type.isError) errors++;
      if (n.name === "Identifier" && n.node.parent?.name === "VectorSelector") metrics.push(q.slice(n.from, n.to));
    },
  });
  return { errors, metrics };
}
const knownMetric = (m: string) => METRICS.has(m) || METRICS.has(m.replace(/_(bucket|sum|count)$/, ""));

function dashboards(objs: K8sObject[]): Map<string, any> {
  const out = new Map<string, any>();
  for (const name of ["istio-grafana-dashboards", "istio-services-grafana-dashboards"]) {
    for (const [file, json] of Object.entries(find(objs, "ConfigMap", name).data as Record<string, string>)) out.set(file, JSON.parse(json));
  }
  return out;
}
function* targetsOf(panels: any[]): Generator<[any, any]> {
  for (const p of panels ?? []) {
    for (const t of p.targets ?? []) yield [p, t];
    yield* targetsOf(p.panels);
  }
}

describe("addons: Grafana dashboards", () => {
  const boards = dashboards(DEMO);

  it("the parser check can fail: a broken query and an unknown metric are caught", () => {
    assert.ok(parsePromql('sum(rate(istio_requests_total{reporter="source"}[$__rate_interval])').errors > 0);
    assert.ok(parsePromql("sum by (pod) (rate(foo[5m]) by").errors > 0);
    assert.equal(parsePromql("histogram_quantile(0.9, sum by (le) (rate(istio_request_duration_milliseconds_bucket[5m]))) or vector(1)").errors, 0);
    assert.ok(!knownMetric("istio_request_total"));
    assert.ok(knownMetric("pilot_xds_push_time_bucket") && knownMetric("istio_requests_total"));
  });

  it("provisions seven dashboards, one per topic of Istio's, through the providers' directories", () => {
    assert.equal(boards.size, 7);
    const titles = [...boards.values()].map((d) => d.title).sort();
    assert.deepEqual(titles, Object.values(ISTIO_DASHBOARDS).map((d) => d.title).sort());
    assert.equal(new Set([...boards.values()].map((d) => d.uid)).size, 7);
    const providers = (load(configData(DEMO, "grafana", "dashboardproviders.yaml")) as any).providers;
    const dep = find(DEMO, "Deployment", "grafana").spec.template.spec;
    const mounts = dep.containers[0].volumeMounts;
    for (const cm of ["istio-grafana-dashboards", "istio-services-grafana-dashboards"]) {
      const vol = dep.volumes.find((v: any) => v.configMap?.name === cm);
      assert.ok(vol, `${cm} is a volume`);
      const at = mounts.find((m: any) => m.name === vol.name).mountPath;
      assert.ok(providers.some((p: any) => p.type === "file" && p.options.path === at), `a provider reads ${at}`);
    }
    const ds = (load(configData(DEMO, "grafana", "datasources.yaml")) as any).datasources;
    assert.deepEqual(ds.map((d: any) => [d.type, d.url, d.isDefault]), [["prometheus", "http://prometheus:9090", true]]);
  });

  for (const [key, istio] of Object.entries(ISTIO_DASHBOARDS)) {
    it(`${key}: every query parses, selects only Istio's metrics, uses defined variables; covers Istio's metrics and variables`, () => {
      const d = [...boards.values()].find((b) => b.title === istio.title);
      assert.ok(d, istio.title);
      const defined = new Set<string>(d.templating.list.map((v: any) => v.name));
      const used = new Set<string>();
      const check = (expr: string, where: string) => {
        const { errors, metrics } = parsePromql(expr);
        assert.equal(errors, 0, `${where}: ${expr}`);
        assert.ok(metrics.length > 0, `${where} selects a metric`);
        for (const m of metrics) {
          assert.ok(knownMetric(m), `${where}: ${m} is not a metric Istio emits`);
          used.add(m);
        }
        for (const v of varsIn(expr)) assert.ok(defined.has(v) || GRAFANA_BUILTINS.has(v), `${where}: $${v} undefined`);
      };
      let n = 0;
      for (const [p, t] of targetsOf(d.panels)) {
        check(t.expr, `${istio.title} / ${p.title}`);
        for (const v of varsIn(JSON.stringify(t.datasource ?? p.datasource ?? {}))) assert.ok(defined.has(v), `datasource $${v}`);
        n++;
      }
      assert.ok(n > 0);
      d.templating.list.forEach((v: any, i: number) => {
        if (v.type !== "query") return;
        const q = String(v.query.query ?? v.query);
        const inner = q.replace(/^query_result\(([\s\S]*)\)$/, "$1");
        check(inner, `${istio.title} variable ${v.name}`);
        // A variable may only refer to variables before it (Grafana resolves them in order).
        for (const w of varsIn(q)) assert.ok(d.templating.list.slice(0, i).some((x: any) => x.name === w), `variable ${v.name} uses $${w} before it is defined`);
        new RegExp(v.regex.replace(/^\/(.*)\/$/, "$1"));
      });
      for (const m of istio.metrics) assert.ok(used.has(m), `${istio.title} covers ${m}`);
      for (const v of istio.variables) assert.ok(defined.has(v), `${istio.title} defines $${v}`);
      // Panels of a row sit inside the 24 columns.
      for (const p of d.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, p.title);
    });
  }
});

// ---- Kiali ---------------------------------------------------------------------------------------------------

/** The Service and port a cluster-local URL (http://name.ns[:port][/path]) reaches, with the pods serving it. */
function resolveUrl(objs: K8sObject[], url: string, defaultNs: string) {
  const u = new URL(url);
  const [name, ns = defaultNs] = u.hostname.split(".");
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  const svc = find(objs, "Service", name, ns);
  const sp = svc.spec.ports.find((p: any) => p.port === port);
  assert.ok(sp, `${url}: Service ${name}.${ns} has port ${port}`);
  const target = sp.targetPort ?? sp.port;
  const cp = podsOf(objs, svc).flatMap(containerPorts).find((c: any) => (typeof target === "number" ? c.containerPort === target : c.name === target));
  assert.ok(cp, `${url}: a pod serves ${target}`);
  return { svc, port: sp, containerPort: cp.containerPort as number, path: u.pathname };
}
const kialiConfig = (objs: K8sObject[], ns = "istio-system") => load(String(find(objs, "ConfigMap", "kiali", ns).data["config.yaml"])) as any;

describe("addons: Kiali", () => {
  it("points at the rendered Prometheus, Grafana and Jaeger query (gRPC) Services", () => {
    const es = kialiConfig(DEMO).external_services;
    assert.equal(es.istio.root_namespace, "istio-system");
    assert.equal(resolveUrl(DEMO, es.prometheus.url, "istio-system").containerPort, 9090);
    assert.equal(es.grafana.enabled, true);
    assert.equal(resolveUrl(DEMO, es.grafana.internal_url, "istio-system").containerPort, 3000);
    assert.match(es.grafana.external_url, /^http:\/\/localhost:3000/);
    assert.equal(es.tracing.enabled, true);
    assert.equal(es.tracing.use_grpc, true);
    const t = resolveUrl(DEMO, es.tracing.internal_url, "istio-system");
    assert.equal(t.svc.metadata.name, "tracing");
    assert.equal(t.port.port, es.tracing.grpc_port);
    const jcfg = load(configData(DEMO, "jaeger", "config.yaml")) as any;
    assert.equal(jcfg.extensions.jaeger_query.grpc.endpoint, `0.0.0.0:${t.containerPort}`, "the URL reaches Jaeger's query gRPC listener");
    assert.equal(t.path, jcfg.extensions.jaeger_query.base_path);
    assert.match(es.tracing.external_url, new RegExp(`:${jcfg.extensions.jaeger_query.http.endpoint.split(":")[1]}/jaeger$`));
  });

  it("names Grafana dashboards that exist, with variables they define", () => {
    const boards = [...dashboards(DEMO).values()];
    for (const d of kialiConfig(DEMO).external_services.grafana.dashboards) {
      const b = boards.find((x) => x.title === d.name);
      assert.ok(b, d.name);
      for (const v of Object.values(d.variables ?? {}) as string[]) assert.ok(b.templating.list.some((x: any) => `var-${x.name}` === v), `${d.name} ${v}`);
    }
  });

  it("follows the addons' namespaces, and leaves Grafana and tracing off when the spec does not enable them", () => {
    const objs = gen({ profile: "demo", addonComponents: { jaeger: { enabled: true, namespace: "tracing-ns" }, prometheus: { enabled: true, namespace: "metrics" } } });
    const es = kialiConfig(objs).external_services;
    assert.equal(resolveUrl(objs, es.tracing.internal_url, "istio-system").svc.metadata.namespace, "tracing-ns");
    assert.equal(resolveUrl(objs, es.prometheus.url, "istio-system").svc.metadata.namespace, "metrics");
    const ds = (load(configData(objs, "grafana", "datasources.yaml")) as any).datasources[0];
    assert.equal(resolveUrl(objs, ds.url, "istio-system").svc.metadata.namespace, "metrics");
    const alone = gen({ profile: "default", addonComponents: { kiali: { enabled: true } } });
    const es2 = kialiConfig(alone).external_services;
    assert.equal(es2.tracing.enabled, false);
    assert.equal(es2.grafana.enabled, false);
    assert.equal(es2.prometheus.url, "http://prometheus.istio-system:9090");
  });

  it("is granted every permission of the sample's ClusterRole; probes and Service name served ports", () => {
    const grants = (rules: any[]) => new Set(rules.flatMap((r) => r.apiGroups.flatMap((g: string) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${g}/${res}:${v}`)))));
    const mine = grants(find(DEMO, "ClusterRole", "kiali").rules);
    for (const g of grants((sample("kiali").find((o) => o.kind === "ClusterRole") as any).rules)) assert.ok(mine.has(g), g);
    const c = find(DEMO, "Deployment", "kiali").spec.template.spec.containers[0];
    for (const p of ["readinessProbe", "livenessProbe", "startupProbe"]) assert.ok(c.ports.some((x: any) => x.name === c[p].httpGet.port), p);
    assert.equal(kialiConfig(DEMO).server.port, c.ports.find((x: any) => x.name === "api-port").containerPort);
  });
});
