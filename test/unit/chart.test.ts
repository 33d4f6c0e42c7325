// The Helm chart: lint, schema, and what `helm template` renders (helm built from Go modules, cached).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chartDir, helm, renderChart, type K8sObject } from "../kind/helm.js";
import { buildMutatingWebhookConfiguration, buildValidatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const one = (objs: K8sObject[], kind: string) => {
  const found = byKind(objs, kind);
  assert.equal(found.length, 1, `expected one ${kind}, got ${found.length}`);
  return found[0];
};
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
});
