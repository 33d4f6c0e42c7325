// The Helm chart: lint, schema, and what `helm template` renders (helm built from Go modules, cached).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dump, loadAll } from "js-yaml";
import { chartDir, helm, renderChart, type K8sObject } from "../kind/helm.js";
import { buildMutatingWebhookConfiguration, buildValidatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";
import { createMetrics } from "../../src/telemetry/metrics.js";

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const one = (objs: K8sObject[], kind: string) => {
  const found = byKind(objs, kind);
  assert.equal(found.length, 1, `expected one ${kind}, got ${found.length}`);
  return found[0];
};
/** `helm template` with a values file (lists and maps that --set cannot spell well). */
function renderValues(values: object, namespace = "pilotfish-system"): K8sObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-chart-"));
  try {
    const file = path.join(dir, "values.yaml");
    fs.writeFileSync(file, dump(values));
    const r = helm(["template", "pf", chartDir, "--namespace", namespace, "-f", file]);
    if (r.code !== 0) throw new Error(r.stderr.trim());
    return parseDocs(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
function parseDocs(text: string): K8sObject[] {
  // The same parsing renderChart does (js-yaml loadAll, empty documents dropped).
  return (loadAll(text) as (K8sObject | null)[]).filter((o): o is K8sObject => !!o);
}
const deployment = (objs: K8sObject[]) => one(objs, "Deployment");
const container = (objs: K8sObject[]) => deployment(objs).spec.template.spec.containers[0];

/**
 * The metric names a PromQL expression reads: identifiers that are not functions (followed by "("), keywords,
 * label names (inside {...} or by/without/on/ignoring/group_x lists), strings or range durations.
 */
const PROMQL_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "Inf", "NaN"]);
function promqlMetricNames(expr: string): string[] {
  let e = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  e = e.replace(/\{[^}]*\}/g, " ");
  e = e.replace(/\[[^\]]*\]/g, " ");
  e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names: string[] = [];
  for (const m of e.matchAll(/(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    if (e.slice(m.index! + m[0].length).trimStart().startsWith("(")) continue;
    if (PROMQL_KEYWORDS.has(m[0])) continue;
    names.push(m[0]);
  }
  return names;
}
function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ("([{".includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}

const rbacRules = (objs: K8sObject[]) => objs.filter((o) => o.kind === "Role" || o.kind === "ClusterRole").flatMap((r) => (r.rules as any[]).map((rule) => ({ role: r.metadata.name, ...rule })));

describe("charts/pilotfish", () => {
  it("helm lint --strict is clean", () => {
    const r = helm(["lint", "--strict", chartDir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    assert.doesNotMatch(r.stdout, /\[(WARNING|ERROR)\]/);
  });

  it("rejects bad values with their path (values.schema.json)", () => {
    assert.throws(() => renderChart({ replicaCount: 0 }), /\/replicaCount/);
    assert.throws(() => renderChart({ "webhook.failurePolicy": "Sometimes" }), /\/webhook\/failurePolicy/);
    assert.throws(() => renderChart({ "webhook.timeoutSeconds": 60 }), /\/webhook\/timeoutSeconds/);
    assert.throws(() => renderChart({ "certificates.validity": "a year" }), /\/certificates\/validity/);
    assert.throws(() => renderChart({ "injector.enabeld": true }), /enabeld/);
  });

  it("defaults: 2 replicas with anti-affinity, PDB minAvailable 1, probes, restrictive securityContext", () => {
    const objs = renderChart();
    const d = one(objs, "Deployment");
    assert.equal(d.spec.replicas, 2);
    const pod = d.spec.template.spec;
    const anti = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    assert.equal(anti.topologyKey, "kubernetes.io/hostname");
    assert.deepEqual(anti.labelSelector.matchLabels, d.spec.selector.matchLabels);
    const pdb = one(objs, "PodDisruptionBudget");
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, d.spec.selector.matchLabels);
    const c = pod.containers[0];
    assert.equal(c.readinessProbe.httpGet.path, "/readyz");
    assert.equal(c.livenessProbe.httpGet.path, "/healthz");
    assert.equal(c.readinessProbe.httpGet.scheme, "HTTPS");
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
    assert.equal(c.securityContext.seccompProfile.type, "RuntimeDefault");
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(c.resources.requests.cpu && c.resources.limits.memory);
    // Drain (20 s timeout + grace) fits in the grace period.
    assert.ok(pod.terminationGracePeriodSeconds >= 30);
    const drain = c.args.find((a: string) => a.startsWith("--drain-timeout="));
    assert.ok(parseInt(drain.split("=")[1]) < pod.terminationGracePeriodSeconds, drain);
    const svc = one(objs, "Service");
    assert.equal(svc.spec.ports[0].port, 443);
    assert.equal(svc.spec.ports[0].targetPort, "https");
    assert.equal(c.ports.find((p: any) => p.name === "https").containerPort, 15017);
    assert.equal(pod.serviceAccountName, one(objs, "ServiceAccount").metadata.name);
    assert.ok(c.args.includes("--leader-elect"));
    assert.ok(c.args.includes("--cert-secret=pilotfish-webhook-tls"));
  });

  it("the MutatingWebhookConfiguration has Istio 1.30.3's selectors, the same as webhook-config.ts builds", () => {
    for (const [sets, rev] of [[{}, ""], [{ "injector.revision": "canary" }, "canary"], [{ "injector.enableNamespacesByDefault": true }, ""]] as const) {
      const objs = renderChart({ ...sets, "webhook.timeoutSeconds": 7, "webhook.failurePolicy": "Ignore" });
      const mwc = one(objs, "MutatingWebhookConfiguration");
      const want = buildMutatingWebhookConfiguration({
        revision: rev,
        clientConfig: { service: { name: "pf-pilotfish", namespace: "pilotfish-system", port: 443 } },
        excludedNamespaces: ["pilotfish-system"],
        timeoutSeconds: 7,
        failurePolicy: "Ignore",
        enableNamespacesByDefault: "injector.enableNamespacesByDefault" in sets,
      }) as any;
      assert.deepEqual(mwc.webhooks, want.webhooks, `revision ${rev || "default"}`);
      for (const w of mwc.webhooks) {
        assert.equal(w.reinvocationPolicy, "IfNeeded");
        assert.equal(w.sideEffects, "None");
        assert.deepEqual(w.admissionReviewVersions, ["v1"]);
        assert.equal(w.clientConfig.caBundle, undefined, "caBundle is pilotfish's to set, not the chart's");
        const excluded = w.namespaceSelector.matchExpressions.find((e: any) => e.key === "kubernetes.io/metadata.name");
        for (const ns of ["kube-system", "kube-public", "pilotfish-system"]) assert.ok(excluded.values.includes(ns), `${w.name} excludes ${ns}`);
      }
    }
    const vwc = one(renderChart(), "ValidatingWebhookConfiguration");
    const want = buildValidatingWebhookConfiguration({ clientConfig: { service: { name: "pf-pilotfish", namespace: "pilotfish-system", port: 443 } } }) as any;
    assert.deepEqual(vwc.webhooks, want.webhooks);
    assert.ok(vwc.webhooks[0].rules[0].apiGroups.includes("install.istio.io"));
  });

  it("failurePolicy per webhook: webhooks.injector / webhooks.validator, falling back to webhook.failurePolicy", () => {
    const policies = (sets: Record<string, string>) => {
      const objs = renderChart(sets);
      return [one(objs, "MutatingWebhookConfiguration").webhooks.map((w: any) => w.failurePolicy), one(objs, "ValidatingWebhookConfiguration").webhooks.map((w: any) => w.failurePolicy)];
    };
    assert.deepEqual(policies({}), [["Fail", "Fail", "Fail", "Fail"], ["Fail"]]);
    assert.deepEqual(policies({ "webhook.failurePolicy": "Ignore" }), [["Ignore", "Ignore", "Ignore", "Ignore"], ["Ignore"]], "the old single key sets both");
    assert.deepEqual(policies({ "webhooks.validator.failurePolicy": "Ignore" }), [["Fail", "Fail", "Fail", "Fail"], ["Ignore"]]);
    assert.deepEqual(policies({ "webhook.failurePolicy": "Ignore", "webhooks.injector.failurePolicy": "Fail" }), [["Fail", "Fail", "Fail", "Fail"], ["Ignore"]]);
    assert.throws(() => renderChart({ "webhooks.injector.failurePolicy": "Never" }), /\/webhooks\/injector\/failurePolicy/);
  });

  it("RBAC has no wildcard in any part, and is scoped by name where Kubernetes allows it", () => {
    const objs = renderChart({ "operator.enabled": true });
    const rules = rbacRules(objs);
    assert.ok(rules.length > 0);
    for (const r of rules) {
      for (const f of ["verbs", "resources", "apiGroups", "resourceNames"] as const) {
        assert.ok(!(r[f] ?? []).some((v: string) => v.includes("*")), `${r.role}: wildcard in ${f}: ${JSON.stringify(r)}`);
      }
      assert.equal(r.nonResourceURLs, undefined);
    }
    const secretRules = rules.filter((r) => r.resources.includes("secrets") && !r.role.endsWith("-operator"));
    assert.deepEqual(secretRules.map((r) => [r.verbs.join(","), r.resourceNames?.join(",") ?? ""]).sort(), [["create", ""], ["get,update", "pilotfish-webhook-tls"]]);
    const certRole = objs.find((o) => o.kind === "Role" && o.metadata.name === "pf-pilotfish-certs")!;
    assert.equal(certRole.metadata.namespace, "pilotfish-system");
    const whRules = rules.filter((r) => r.role === "pf-pilotfish-certs" && r.apiGroups.includes("admissionregistration.k8s.io"));
    assert.deepEqual(whRules.map((r) => [r.resources[0], r.resourceNames[0], r.verbs.join(",")]), [
      ["mutatingwebhookconfigurations", "pf-pilotfish-sidecar-injector", "get,patch"],
      ["validatingwebhookconfigurations", "pf-pilotfish-validator", "get,patch"],
    ]);
    const injector = objs.find((o) => o.kind === "Role" && o.metadata.name === "pf-pilotfish-injector")!;
    assert.equal(injector.metadata.namespace, "istio-system");
    assert.deepEqual(injector.rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
    const op = rules.filter((r) => r.role === "pf-pilotfish-operator");
    assert.ok(op.some((r) => r.resources.includes("istiooperators/status")));
    assert.ok(op.some((r) => r.resources.includes("istiooperators/finalizers")));
    // Every Role/ClusterRole is bound to the chart's ServiceAccount only.
    for (const b of objs.filter((o) => o.kind.endsWith("RoleBinding"))) assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: "pf-pilotfish", namespace: "pilotfish-system" }]);
  });

  it("parts switched off take their webhooks and RBAC with them", () => {
    const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);
    const all = names(renderChart({ "operator.enabled": true }));
    const noInjector = names(renderChart({ "operator.enabled": true, "injector.enabled": false }));
    assert.ok(all.includes("MutatingWebhookConfiguration/pf-pilotfish-sidecar-injector"));
    assert.ok(!noInjector.some((n) => n.startsWith("MutatingWebhookConfiguration/") || n.includes("-injector")), noInjector.join(" "));
    const noValidator = renderChart({ "validator.enabled": false });
    assert.equal(byKind(noValidator, "ValidatingWebhookConfiguration").length, 0);
    assert.ok(!JSON.stringify(rbacRules(noValidator)).includes("validatingwebhookconfigurations"));
    assert.ok(one(noValidator, "Deployment").spec.template.spec.containers[0].args.includes("--no-validation"));
    assert.ok(!names(renderChart()).some((n) => n.endsWith("-operator")));
    const certManager = renderChart({ "certificates.provider": "cert-manager" });
    assert.ok(!names(certManager).some((n) => n.endsWith("-certs")), "no certificate-controller RBAC under cert-manager");
    assert.ok(!names(certManager).some((n) => n.endsWith("-leader-election")), "no leader election without a singleton to run");
    assert.equal(one(certManager, "MutatingWebhookConfiguration").metadata.annotations["cert-manager.io/inject-ca-from"], "pilotfish-system/pf-pilotfish-serving");
    assert.equal(byKind(certManager, "Certificate").find((c) => c.metadata.name === "pf-pilotfish-serving")!.spec.secretName, "pilotfish-webhook-tls");
    const dArgs = one(certManager, "Deployment").spec.template.spec.containers[0].args;
    assert.ok(dArgs.includes("--tls-cert-file=/etc/pilotfish/tls/tls.crt") && !dArgs.some((a: string) => a.startsWith("--cert-secret")));
    const nothing = renderChart({ "injector.enabled": false, "validator.enabled": false });
    assert.equal(rbacRules(nothing).length, 0, "no part, no RBAC");
  });

  it("monitoring port: container port, --monitoring-port, Service port http-monitoring 15014, prometheus.io annotations; 0 turns all off", () => {
    const objs = renderChart();
    const c = container(objs);
    assert.ok(c.args.includes("--monitoring-port=15014"));
    assert.deepEqual(c.ports.find((p: any) => p.name === "http-monitoring"), { name: "http-monitoring", containerPort: 15014, protocol: "TCP" });
    const svcPort = one(objs, "Service").spec.ports.find((p: any) => p.name === "http-monitoring");
    assert.deepEqual(svcPort, { name: "http-monitoring", port: 15014, targetPort: "http-monitoring", protocol: "TCP" });
    const ann = deployment(objs).spec.template.metadata.annotations;
    assert.equal(ann["prometheus.io/scrape"], "true");
    assert.equal(ann["prometheus.io/port"], "15014");
    assert.equal(ann["prometheus.io/path"], "/metrics");
    assert.equal(ann["sidecar.istio.io/inject"], "false");

    const moved = renderChart({ "monitoring.port": 9102 });
    assert.equal(deployment(moved).spec.template.metadata.annotations["prometheus.io/port"], "9102");
    assert.ok(container(moved).args.includes("--monitoring-port=9102"));

    const off = renderChart({ "monitoring.port": 0 });
    assert.ok(container(off).args.includes("--monitoring-port=0"));
    assert.equal(container(off).ports.length, 1);
    assert.equal(one(off, "Service").spec.ports.length, 1);
    assert.equal(deployment(off).spec.template.metadata.annotations["prometheus.io/scrape"], undefined);
    assert.throws(() => renderChart({ "monitoring.port": 0, "monitoring.serviceMonitor.enabled": true }), /monitoring.serviceMonitor.enabled needs monitoring.port > 0/);

    const noAnn = renderChart({ "monitoring.scrapeAnnotations": false });
    assert.equal(deployment(noAnn).spec.template.metadata.annotations["prometheus.io/scrape"], undefined);
    assert.ok(container(noAnn).ports.some((p: any) => p.name === "http-monitoring"), "the port stays for a ServiceMonitor");
    assert.throws(() => renderChart({ "monitoring.port": 70000 }), /\/monitoring\/port/);
  });

  it("ServiceMonitor (monitoring.serviceMonitor.enabled) scrapes the Service's http-monitoring port", () => {
    assert.equal(byKind(renderChart(), "ServiceMonitor").length, 0);
    const objs = renderValues({ monitoring: { serviceMonitor: { enabled: true, interval: "15s", labels: { release: "kps" }, metricRelabelings: [{ action: "drop", regex: "nodejs_.*", sourceLabels: ["__name__"] }] } } });
    const sm = one(objs, "ServiceMonitor");
    const svc = one(objs, "Service");
    assert.equal(sm.apiVersion, "monitoring.coreos.com/v1");
    assert.equal(sm.metadata.labels.release, "kps");
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels[k], v, `the Service carries ${k}`);
    assert.deepEqual(sm.spec.namespaceSelector.matchNames, ["pilotfish-system"]);
    const ep = sm.spec.endpoints[0];
    assert.ok(svc.spec.ports.some((p: any) => p.name === ep.port));
    assert.equal(ep.path, "/metrics");
    assert.equal(ep.scheme, "http");
    assert.equal(ep.interval, "15s");
    assert.equal(ep.metricRelabelings[0].action, "drop");
  });

  it("Grafana dashboard ConfigMap (monitoring.dashboard.enabled), labelled for the Grafana sidecar", () => {
    assert.equal(byKind(renderChart(), "ConfigMap").length, 0);
    const cm = one(renderValues({ monitoring: { dashboard: { enabled: true, annotations: { grafana_folder: "Istio" } } } }), "ConfigMap");
    assert.equal(cm.metadata.labels.grafana_dashboard, "1");
    assert.equal(cm.metadata.annotations.grafana_folder, "Istio");
    assert.equal(cm.metadata.namespace, "pilotfish-system");
    const dash = JSON.parse(cm.data["pilotfish.json"]);
    assert.equal(dash.uid, "pilotfish");
    const titles = dash.panels.map((p: any) => p.title.toLowerCase());
    for (const want of ["admission rate by webhook and result", "admission latency p50 / p99", "injection failures", "denials by kind", "certificate expiry", "leader", "config sync age", "reconcile rate", "reconcile errors"]) {
      assert.ok(titles.some((t: string) => t.includes(want)), `a panel for ${want}: ${titles.join(", ")}`);
    }
    const elsewhere = one(renderValues({ monitoring: { dashboard: { enabled: true, namespace: "grafana", labels: { dashboards: "pilotfish" } } } }), "ConfigMap");
    assert.equal(elsewhere.metadata.namespace, "grafana");
    assert.equal(elsewhere.metadata.labels.dashboards, "pilotfish");
  });

  it("PrometheusRule (monitoring.prometheusRule.enabled): the alerts, with thresholds and labels from values", () => {
    assert.equal(byKind(renderChart(), "PrometheusRule").length, 0);
    const rule = one(renderValues({ monitoring: { prometheusRule: { enabled: true, labels: { release: "kps" }, alertLabels: { team: "mesh" }, thresholds: { errorRatio: 0.1, latencyP99Seconds: 0.25, certExpiryDays: 14, configSyncStaleSeconds: 600 } } } }), "PrometheusRule");
    assert.equal(rule.metadata.labels.release, "kps");
    const rules = rule.spec.groups.flatMap((g: any) => g.rules);
    const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r]));
    assert.deepEqual(Object.keys(byName).sort(), ["PilotfishCertificateExpiringSoon", "PilotfishConfigSyncStale", "PilotfishNoLeader", "PilotfishReconcileErrors", "PilotfishWebhookErrorRatioHigh", "PilotfishWebhookLatencyHigh"]);
    assert.match(byName.PilotfishWebhookErrorRatioHigh.expr, /> 0\.1,/);
    assert.match(byName.PilotfishWebhookErrorRatioHigh.annotations.description, /More than 10% of/);
    assert.match(byName.PilotfishWebhookLatencyHigh.expr, /> 0\.25,/);
    assert.match(byName.PilotfishCertificateExpiringSoon.expr, /< 14 \* 86400/);
    assert.match(byName.PilotfishConfigSyncStale.expr, /> 600$/);
    for (const r of rules) {
      assert.equal(r.labels.team, "mesh");
      assert.ok(["warning", "critical"].includes(r.labels.severity));
      assert.ok(r.annotations.summary && r.annotations.description, r.alert);
      assert.ok(/^\d+m$/.test(r.for), r.alert);
    }
    // Prometheus templates in the annotations reach Prometheus unexpanded by Helm.
    assert.match(byName.PilotfishNoLeader.annotations.summary, /\{\{ \$labels\.lease \}\}/);
    assert.throws(() => renderChart({ "monitoring.prometheusRule.thresholds.errorRatio": 2 }), /errorRatio/);
  });

  it("every PromQL expression in the alerts and the dashboard reads only metrics pilotfish registers", async () => {
    // The extractor itself: a name it cannot see would make this test pass vacuously.
    assert.deepEqual(promqlMetricNames('sum by (le, result) (rate(foo_bucket{a="b",c=~"x|y"}[5m])) / on(pod) group_left(x) bar_total > 1e3 * 86400 - time()'), ["foo_bucket", "bar_total"]);
    assert.ok(!balanced("rate(x{a=\"b\"},c=\"d\"}[5m])"));
    const registry = createMetrics().registry;
    const known = new Set<string>();
    for (const m of await registry.getMetricsAsJSON()) {
      known.add(m.name);
      if (m.type === ("histogram" as never)) for (const suffix of ["_bucket", "_count", "_sum"]) known.add(m.name + suffix);
    }
    const objs = renderValues({ monitoring: { prometheusRule: { enabled: true }, dashboard: { enabled: true } } });
    const exprs: [string, string][] = [];
    for (const r of one(objs, "PrometheusRule").spec.groups.flatMap((g: any) => g.rules)) exprs.push([`alert ${r.alert}`, r.expr]);
    const dash = JSON.parse(one(objs, "ConfigMap").data["pilotfish.json"]);
    for (const p of dash.panels) for (const t of p.targets ?? []) exprs.push([`panel ${p.title} ${t.refId}`, t.expr]);
    for (const v of dash.templating.list) if (v.type === "query") exprs.push([`variable ${v.name}`, /^label_values\(([^,)]+)/.exec(v.definition)![1]]);
    assert.ok(exprs.length >= 20, `${exprs.length} expressions`);
    const used = new Set<string>();
    for (const [where, expr] of exprs) {
      assert.ok(balanced(expr), `${where}: unbalanced brackets in ${expr}`);
      const names = promqlMetricNames(expr);
      assert.ok(names.length > 0, `${where}: no metric in ${expr}`);
      for (const n of names) {
        assert.ok(known.has(n), `${where}: ${n} is not a metric pilotfish registers`);
        used.add(n);
      }
    }
    for (const gauge of ["pilotfish_cert_expiry_timestamp_seconds", "pilotfish_leader", "pilotfish_config_sync_age_seconds", "pilotfish_build_info", "pilotfish_operator_reconciles_total"]) assert.ok(used.has(gauge), `${gauge} is used`);
  });

  it("topologySpreadConstraints: given as is; one without a labelSelector spreads pilotfish's pods", () => {
    assert.equal(deployment(renderChart()).spec.template.spec.topologySpreadConstraints, undefined);
    const objs = renderValues({
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
        { maxSkew: 2, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { tier: "webhook" } } },
      ],
    });
    const d = deployment(objs);
    const tsc = d.spec.template.spec.topologySpreadConstraints;
    assert.equal(tsc.length, 2);
    assert.deepEqual(tsc[0], { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: d.spec.selector.matchLabels } });
    assert.deepEqual(tsc[1].labelSelector, { matchLabels: { tier: "webhook" } });
    assert.throws(() => renderValues({ topologySpreadConstraints: [{ maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" }] }), /topologyKey/);
  });

  it("deploymentLabels, deploymentAnnotations, podLabels, podAnnotations", () => {
    const d = deployment(renderValues({ deploymentLabels: { team: "mesh" }, deploymentAnnotations: { "reloader.stakater.com/auto": "true" }, podLabels: { tier: "webhook" }, podAnnotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "true" } }));
    assert.equal(d.metadata.labels.team, "mesh");
    assert.equal(d.metadata.labels["app.kubernetes.io/name"], "pilotfish");
    assert.equal(d.metadata.annotations["reloader.stakater.com/auto"], "true");
    assert.equal(d.spec.template.metadata.labels.tier, "webhook");
    assert.equal(d.spec.template.metadata.labels.team, undefined, "deployment labels stay on the Deployment");
    assert.equal(d.spec.template.metadata.annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"], "true");
    assert.equal(d.spec.template.metadata.annotations["prometheus.io/scrape"], "true");
    assert.equal(deployment(renderChart()).metadata.annotations, undefined);
    assert.throws(() => renderValues({ deploymentLabels: { team: 1 } }), /deploymentLabels/);
  });

  it("extraEnv, extraVolumes, extraVolumeMounts are added to the chart's own", () => {
    const objs = renderValues({
      extraEnv: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=384" }, { name: "TZ", valueFrom: { configMapKeyRef: { name: "tz", key: "tz" } } }],
      extraVolumes: [{ name: "extra-ca", configMap: { name: "corp-ca" } }],
      extraVolumeMounts: [{ name: "extra-ca", mountPath: "/etc/ssl/corp", readOnly: true }],
    });
    const c = container(objs);
    const env = c.env.map((e: any) => e.name);
    assert.deepEqual(env.slice(-2), ["NODE_OPTIONS", "TZ"]);
    assert.ok(env.includes("POD_NAME") && env.includes("POD_NAMESPACE"));
    assert.deepEqual(c.volumeMounts.map((m: any) => m.name), ["tmp", "extra-ca"]);
    const vols = deployment(objs).spec.template.spec.volumes;
    assert.deepEqual(vols.map((v: any) => v.name), ["tmp", "extra-ca"]);
    assert.equal(vols[1].configMap.name, "corp-ca");
    assert.throws(() => renderValues({ extraVolumeMounts: [{ name: "x" }] }), /mountPath/);
  });

  it("NetworkPolicy (networkPolicy.enabled): webhook port from anywhere, metrics from a selector, egress to the API server and DNS", () => {
    assert.equal(byKind(renderChart(), "NetworkPolicy").length, 0);
    const objs = renderChart({ "networkPolicy.enabled": true });
    const np = one(objs, "NetworkPolicy");
    assert.deepEqual(np.spec.podSelector.matchLabels, deployment(objs).spec.selector.matchLabels);
    assert.deepEqual(np.spec.policyTypes, ["Ingress", "Egress"]);
    const [webhook, metrics] = np.spec.ingress;
    assert.equal(webhook.from, undefined, "the API server's address is not a pod's: any source");
    assert.deepEqual(webhook.ports, [{ port: 15017, protocol: "TCP" }]);
    assert.deepEqual(metrics.ports, [{ port: 15014, protocol: "TCP" }]);
    assert.deepEqual(metrics.from, [{ namespaceSelector: {} }]);
    const [api, dns] = np.spec.egress;
    assert.equal(api.to, undefined);
    assert.deepEqual(api.ports.map((p: any) => p.port), [443, 6443]);
    assert.deepEqual(dns.ports, [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }]);

    const custom = one(renderValues({
      networkPolicy: {
        enabled: true,
        metricsFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
        apiServer: { cidrs: ["172.18.0.2/32"], ports: [6443] },
        extraEgress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ port: 8443, protocol: "TCP" }] }],
      },
      server: { port: 16017 },
    }), "NetworkPolicy");
    assert.deepEqual(custom.spec.ingress[0].ports, [{ port: 16017, protocol: "TCP" }]);
    assert.equal(custom.spec.ingress[1].from[0].podSelector.matchLabels["app.kubernetes.io/name"], "prometheus");
    assert.deepEqual(custom.spec.egress[0], { to: [{ ipBlock: { cidr: "172.18.0.2/32" } }], ports: [{ port: 6443, protocol: "TCP" }] });
    assert.equal(custom.spec.egress.length, 3);
    assert.equal(custom.spec.egress[2].ports[0].port, 8443);

    const noScrape = one(renderValues({ networkPolicy: { enabled: true, metricsFrom: [] } }), "NetworkPolicy");
    assert.equal(noScrape.spec.ingress.length, 1, "metricsFrom [] lets nobody scrape");
    assert.equal(one(renderChart({ "networkPolicy.enabled": true, "monitoring.port": 0 }), "NetworkPolicy").spec.ingress.length, 1);
    assert.throws(() => renderValues({ networkPolicy: { enabled: true, apiServer: { cidrs: ["kubernetes"] } } }), /cidrs/);
  });
});
