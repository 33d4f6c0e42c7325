// check-inject's pure core: which webhook selects a pod and why (istioctl x check-inject's analysis), the
// injector's decision and what decided it, the templates, and the provenance of injected settings.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { explain, type ExplainInput, type Explanation, type RevisionSettings } from "../../src/checkinject/explain.js";
import { analyzeWebhooks, webhookOwner } from "../../src/checkinject/webhooks.js";
import { formatExplanation } from "../../src/checkinject/format.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { buildMutatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";
import type { JsonObject } from "../../src/config/values.js";
import { main } from "../../src/cli/main.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

type Obj = Record<string, any>;

const pilotfishMwc = (revision = "default") => buildMutatingWebhookConfiguration({ revision, clientConfig: { service: { name: "pilotfish", namespace: "istio-system" } } });

/** istiod's own configuration: the same selectors, no pilotfish label, pointing at istiod. */
function istiodMwc(revision = "default"): Obj {
  const m = structuredClone(buildMutatingWebhookConfiguration({ revision, clientConfig: { service: { name: revision === "default" ? "istiod" : `istiod-${revision}`, namespace: "istio-system" } } }));
  m.metadata.labels = { "istio.io/rev": revision, app: "sidecar-injector" };
  return m;
}

/** A revision tag: selects namespaces labelled istio.io/rev=<tag>, injects with <revision>. */
function tagMwc(tag: string, revision: string): Obj {
  const m = istiodMwc(tag);
  m.metadata.name = `istio-revision-tag-${tag}`;
  m.metadata.labels = { "istio.io/rev": revision, "istio.io/tag": tag, app: "sidecar-injector" };
  return m;
}

const settingsCache = new Map<string, RevisionSettings>();
function rs(spec: JsonObject = {}, native = false): RevisionSettings {
  const key = JSON.stringify([spec, native]);
  let r = settingsCache.get(key);
  if (!r) {
    r = { settings: settingsFromIstioOperator(spec, { nativeSidecars: native }), valuesFrom: "CM-injector", meshFrom: "CM-mesh", nativeFrom: "ENV-native" };
    settingsCache.set(key, r);
  }
  return r;
}

function pod(labels: Record<string, string> = {}, annotations: Record<string, string> = {}, spec: Obj = {}): Obj {
  return { metadata: { name: "p", labels, annotations }, spec: { containers: [{ name: "app", image: "example.com/app:1", ports: [{ containerPort: 8080 }] }], ...spec } };
}

function check(p: Obj, nsLabels: Record<string, string>, o: Partial<ExplainInput> & { spec?: JsonObject; native?: boolean } = {}): Explanation {
  return explain({
    subject: "Pod shop/p",
    pod: p,
    namespace: { name: o.namespace?.name ?? "shop", labels: nsLabels },
    webhooks: o.webhooks ?? [pilotfishMwc()],
    settingsFor: o.settingsFor ?? (() => rs(o.spec, o.native)),
    running: o.running,
  });
}

const prov = (e: Explanation, setting: string) => {
  const p = e.provenance.find((x) => x.setting === setting);
  assert.ok(p, `no provenance for ${setting}: ${e.provenance.map((x) => x.setting).join(", ")}`);
  return p;
};

describe("check-inject: which webhook selects the pod, and why", () => {
  const cases: { name: string; pod: Obj; ns: Record<string, string>; webhooks?: Obj[]; spec?: JsonObject; namespace?: string; injected: boolean; revision?: string; reason: RegExp; owner?: string }[] = [
    { name: "namespace istio-injection=enabled", pod: pod(), ns: { "istio-injection": "enabled" }, injected: true, revision: "default", reason: /Namespace label istio-injection=enabled matches/, owner: "pilotfish" },
    { name: "namespace istio.io/rev=canary picks the canary webhook", pod: pod(), ns: { "istio.io/rev": "canary" }, webhooks: [istiodMwc(), istiodMwc("canary")], injected: true, revision: "canary", reason: /Namespace label istio.io\/rev=canary matches/, owner: "istiod" },
    { name: "pod label istio.io/rev picks the revision (no namespace label)", pod: pod({ "istio.io/rev": "canary" }), ns: {}, webhooks: [istiodMwc(), istiodMwc("canary")], injected: true, revision: "canary", reason: /Pod label istio.io\/rev=canary matches/ },
    { name: "pod label sidecar.istio.io/inject=true without namespace label", pod: pod({ "sidecar.istio.io/inject": "true" }), ns: {}, injected: true, revision: "default", reason: /Pod label sidecar.istio.io\/inject=true matches/ },
    { name: "pod label sidecar.istio.io/inject=false stops the webhook", pod: pod({ "sidecar.istio.io/inject": "false" }), ns: { "istio-injection": "enabled" }, injected: false, reason: /Pod has sidecar.istio.io\/inject=false label, preventing injection/ },
    { name: "namespace istio-injection=disabled beats a pod label", pod: pod({ "sidecar.istio.io/inject": "true" }), ns: { "istio-injection": "disabled" }, injected: false, reason: /Namespace has istio-injection=disabled label, preventing injection/ },
    { name: "no labels: nothing selects it", pod: pod(), ns: {}, injected: false, reason: /No matching namespace labels \(istio.io\/rev=default, istio-injection=enabled\) or pod labels/ },
    { name: "a revision tag selects and names its revision", pod: pod(), ns: { "istio.io/rev": "prod" }, webhooks: [istiodMwc(), tagMwc("prod", "1-30")], injected: true, revision: "1-30", reason: /istio.io\/rev=prod matches/, owner: "revision-tag" },
    { name: "pod annotation sidecar.istio.io/inject=false: selected, the injector skips", pod: pod({}, { "sidecar.istio.io/inject": "false" }), ns: { "istio-injection": "enabled" }, injected: false, revision: "default", reason: /pod annotation sidecar.istio.io\/inject=false \(sidecar injection disabled\)/ },
    { name: "host network", pod: pod({}, {}, { hostNetwork: true }), ns: { "istio-injection": "enabled" }, injected: false, reason: /spec.hostNetwork=true \(host networking enabled\)/ },
    { name: "neverInjectSelector", pod: pod({ app: "legacy" }), ns: { "istio-injection": "enabled" }, spec: { values: { sidecarInjectorWebhook: { neverInjectSelector: [{ matchLabels: { app: "legacy" } }] } } }, injected: false, reason: /neverInjectSelector\[0\] \{"matchLabels":\{"app":"legacy"\}\} matches/ },
    { name: "alwaysInjectSelector wins over a disabled policy", pod: pod({ app: "web" }), ns: { "istio-injection": "enabled" }, spec: { values: { global: { proxy: { autoInject: "disabled" } }, sidecarInjectorWebhook: { alwaysInjectSelector: [{ matchLabels: { app: "web" } }] } } }, injected: true, reason: /alwaysInjectSelector\[0\]/ },
    { name: "policy disabled", pod: pod(), ns: { "istio-injection": "enabled" }, spec: { values: { global: { proxy: { autoInject: "disabled" } } } }, injected: false, reason: /injector config policy=disabled \(CM-injector\) \(policy disabled\)/ },
    { name: "policy disabled, pod annotation inject=true", pod: pod({}, { "sidecar.istio.io/inject": "true" }), ns: { "istio-injection": "enabled" }, spec: { values: { global: { proxy: { autoInject: "disabled" } } } }, injected: true, reason: /pod annotation sidecar.istio.io\/inject=true \(explicitly enabled\)/ },
    { name: "kube-system: the webhook's excluded namespaces", pod: pod({ "sidecar.istio.io/inject": "true" }), ns: {}, namespace: "kube-system", injected: false, reason: /^not injected: no injection webhook selects it \(No matching namespace labels/ },
    { name: "kube-system: a webhook without exclusions selects it, the injector never injects there", pod: pod({ "sidecar.istio.io/inject": "true" }), ns: {}, namespace: "kube-system", webhooks: [{ metadata: { name: "bare", labels: { "istio.io/rev": "default" } }, webhooks: [{ name: "object.sidecar-injector.istio.io", objectSelector: { matchLabels: { "sidecar.istio.io/inject": "true" } } }] }], injected: false, reason: /selects it \(Pod label sidecar.istio.io\/inject=true matches\) but the injector skips it: namespace kube-system \(never injected\)/, owner: "istiod" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = check(c.pod, c.ns, { webhooks: c.webhooks, spec: c.spec, namespace: c.namespace ? { name: c.namespace, labels: {} } : undefined });
      assert.equal(e.injected, c.injected, e.summary);
      assert.match(e.summary, c.reason);
      if (c.revision) assert.equal(e.revision, c.revision);
      if (c.owner) assert.equal(e.injector, c.owner);
      assert.equal(e.errors.length, 0, e.errors.join("; "));
      // The table says the same as the summary.
      const text = formatExplanation(e);
      assert.match(text, /^WEBHOOK\s+INJECTOR\s+REVISION\s+INJECTED\s+REASON\n/);
      assert.equal(e.webhooks.some((w) => w.willInject), c.injected);
    });
  }

  it("two webhooks selecting the same pod is an error (Istio's 'multiple webhooks will inject')", () => {
    // istiod's default webhook and a "default" tag both select istio-injection=enabled (istioctl tag set default
    // deactivates the former): both would inject.
    const e = check(pod(), { "istio-injection": "enabled" }, { webhooks: [istiodMwc(), tagMwc("default", "1-30")] });
    assert.match(e.errors.join(), /multiple webhooks will inject \(istio-revision-tag-default, istio-sidecar-injector\)/);
    const canary = check(pod(), { "istio.io/rev": "canary" }, { webhooks: [istiodMwc(), tagMwc("default", "1-30"), istiodMwc("canary")] });
    assert.deepEqual([canary.errors, canary.revision], [[], "canary"]);
    const both = check(pod(), { "istio-injection": "enabled" }, { webhooks: [istiodMwc(), pilotfishMwc()].map((m, i) => ({ ...m, metadata: { ...m.metadata, name: `hook-${i}` } })) });
    assert.match(both.errors.join(), /multiple webhooks will inject \(hook-0, hook-1\)/);
  });

  it("a deactivated webhook says so", () => {
    const never = { matchExpressions: [{ key: "istio.io/deactivated", operator: "In", values: ["never-match"] }] };
    const m = istiodMwc();
    m.webhooks = m.webhooks.map((w: Obj) => ({ ...w, namespaceSelector: never, objectSelector: never }));
    const e = check(pod(), { "istio-injection": "enabled" }, { webhooks: [m] });
    assert.equal(e.injected, false);
    assert.match(e.webhooks[0].reason, /deactivated, and will never match/);
  });

  it("no Istio webhooks at all", () => {
    const e = check(pod(), { "istio-injection": "enabled" }, { webhooks: [{ metadata: { name: "other" }, webhooks: [{ name: "x.example.com" }] }] });
    assert.equal(e.injected, false);
    assert.deepEqual(e.webhooks, []);
    assert.match(e.errors.join(), /no Istio injection webhooks present/);
  });

  it("tells pilotfish's, istiod's and a tag's webhook configurations apart", () => {
    assert.equal(webhookOwner(pilotfishMwc()), "pilotfish");
    assert.equal(webhookOwner(istiodMwc()), "istiod");
    assert.equal(webhookOwner(tagMwc("prod", "x")), "revision-tag");
    const v = analyzeWebhooks([tagMwc("prod", "1-30")], {}, { "kubernetes.io/metadata.name": "a", "istio.io/rev": "prod" });
    assert.deepEqual([v[0].tag, v[0].revision, v[0].injected], ["prod", "1-30", true]);
  });

  it("already injected: a running pod with sidecar.istio.io/status", () => {
    const status = JSON.stringify({ initContainers: ["istio-init"], containers: ["istio-proxy"], volumes: null, imagePullSecrets: null, revision: "canary" });
    const p = pod({}, { "sidecar.istio.io/status": status });
    const running = check(p, {}, { running: true });
    assert.equal(running.injected, true);
    assert.deepEqual(running.alreadyInjected, { revision: "canary", containers: ["istio-proxy"] });
    assert.match(running.summary, /already injected \(revision canary\)/);
    // The same object as a template (kube-inject output): the webhook re-injects it.
    const tpl = check(p, { "istio-injection": "enabled" });
    assert.equal(tpl.injected, true);
    assert.match(tpl.summary, /the previous injection is replaced/);
  });
});

describe("check-inject: templates and the provenance of injected settings", () => {
  const ns = { "istio-injection": "enabled" };

  it("templates: the pod annotation, values.defaultTemplates, or the built-in sidecar", () => {
    assert.deepEqual(check(pod({}, { "inject.istio.io/templates": "sidecar" }), ns).templates, { names: ["sidecar"], source: "annotation", from: "inject.istio.io/templates" });
    const v = check(pod(), ns, { spec: { values: { sidecarInjectorWebhook: { defaultTemplates: ["sidecar"] } } } }).templates;
    assert.equal(v?.source, "values");
    assert.equal(check(pod(), ns).templates?.source, "default");
    const gw = check(pod({}, { "inject.istio.io/templates": "gateway" }), ns);
    assert.deepEqual(gw.templates?.names, ["gateway"]);
  });

  it("defaults: every setting comes from Istio's defaults", () => {
    const e = check(pod(), ns);
    assert.deepEqual(prov(e, "proxy image"), { setting: "proxy image", value: "docker.io/istio/proxyv2:1.30.3", source: "default", from: "values.global.hub/tag/proxy.image (Istio's defaults)" });
    assert.equal(prov(e, "interception mode").value, "REDIRECT");
    assert.equal(prov(e, "interception mode").source, "default");
    assert.equal(prov(e, "proxy log level").value, "warning");
    assert.equal(prov(e, "native sidecar").source, "environment");
    assert.equal(prov(e, "native sidecar").from, "ENV-native");
    assert.ok(e.provenance.filter((p) => p.source !== "default" && p.setting !== "native sidecar").length === 0, JSON.stringify(e.provenance));
  });

  it("values from the injector ConfigMap vs pod annotations", () => {
    const spec = { values: { global: { hub: "example.com/istio", tag: "1.30.3-custom", proxy: { logLevel: "info", resources: { requests: { cpu: "50m" } }, excludeOutboundPorts: "9000" } } } };
    const plain = check(pod(), ns, { spec });
    assert.deepEqual(prov(plain, "proxy image"), { setting: "proxy image", value: "example.com/istio/proxyv2:1.30.3-custom", source: "values", from: "values.global.hub, values.global.tag in CM-injector" });
    assert.equal(prov(plain, "proxy log level").source, "values");
    assert.equal(prov(plain, "proxy resources").source, "values");
    assert.match(prov(plain, "proxy resources").value, /"cpu":"50m"/);
    assert.deepEqual([prov(plain, "excluded outbound ports").value, prov(plain, "excluded outbound ports").source], ["9000", "values"]);

    const annotated = check(
      pod({}, {
        "sidecar.istio.io/proxyImage": "registry.example/proxy:dev",
        "sidecar.istio.io/proxyCPU": "300m",
        "sidecar.istio.io/proxyMemoryLimit": "1Gi",
        "sidecar.istio.io/logLevel": "debug",
        "traffic.sidecar.istio.io/excludeOutboundPorts": "5432",
        "traffic.sidecar.istio.io/excludeInboundPorts": "9901",
        "sidecar.istio.io/interceptionMode": "TPROXY",
        "status.sidecar.istio.io/port": "15021",
      }),
      ns,
      { spec },
    );
    assert.deepEqual(prov(annotated, "proxy image"), { setting: "proxy image", value: "registry.example/proxy:dev", source: "annotation", from: "sidecar.istio.io/proxyImage" });
    assert.deepEqual(prov(annotated, "proxy resources"), { setting: "proxy resources", value: '{"limits":{"memory":"1Gi"},"requests":{"cpu":"300m"}}', source: "annotation", from: "sidecar.istio.io/proxyCPU, sidecar.istio.io/proxyMemoryLimit" });
    assert.deepEqual([prov(annotated, "proxy log level").value, prov(annotated, "proxy log level").source], ["debug", "annotation"]);
    assert.deepEqual([prov(annotated, "excluded outbound ports").value, prov(annotated, "excluded outbound ports").source], ["5432", "annotation"]);
    // Istio's template always excludes 15090 and 15021, and adds the status port.
    assert.deepEqual([prov(annotated, "excluded inbound ports").value, prov(annotated, "excluded inbound ports").source], ["15090,15021,9901,15021", "annotation"]);
    assert.deepEqual([prov(annotated, "interception mode").value, prov(annotated, "interception mode").source], ["TPROXY", "annotation"]);
    assert.deepEqual([prov(annotated, "status port").value, prov(annotated, "status port").source], ["15021", "annotation"]);
  });

  it("ProxyConfig fields: the pod's proxy.istio.io/config over meshConfig.defaultConfig", () => {
    const spec = { meshConfig: { defaultConfig: { holdApplicationUntilProxyStarts: true, concurrency: 2, interceptionMode: "TPROXY" } } };
    const mesh = check(pod(), ns, { spec });
    assert.deepEqual(prov(mesh, "holdApplicationUntilProxyStarts"), { setting: "holdApplicationUntilProxyStarts", value: "true", source: "meshConfig", from: "meshConfig.defaultConfig.holdApplicationUntilProxyStarts in CM-mesh" });
    assert.deepEqual(prov(mesh, "proxyConfig.concurrency"), { setting: "proxyConfig.concurrency", value: "2", source: "meshConfig", from: "meshConfig.defaultConfig.concurrency in CM-mesh" });
    assert.deepEqual([prov(mesh, "interception mode").value, prov(mesh, "interception mode").source], ["TPROXY", "meshConfig"]);

    const annotated = check(pod({}, { "proxy.istio.io/config": "concurrency: 4\ninterceptionMode: REDIRECT\nholdApplicationUntilProxyStarts: false\n" }), ns, { spec });
    assert.deepEqual([prov(annotated, "proxyConfig.concurrency").value, prov(annotated, "proxyConfig.concurrency").source], ["4", "proxy.istio.io/config"]);
    assert.deepEqual([prov(annotated, "interception mode").value, prov(annotated, "interception mode").source], ["REDIRECT", "proxy.istio.io/config"]);
    assert.deepEqual([prov(annotated, "holdApplicationUntilProxyStarts").value, prov(annotated, "holdApplicationUntilProxyStarts").source], ["false", "proxy.istio.io/config"]);

    const values = check(pod(), ns, { spec: { values: { global: { proxy: { holdApplicationUntilProxyStarts: true } } } } });
    assert.deepEqual([prov(values, "holdApplicationUntilProxyStarts").value, prov(values, "holdApplicationUntilProxyStarts").source], ["true", "values"]);
  });

  it("native sidecar: the annotation over the injector's environment, read from the injected pod", () => {
    assert.deepEqual(prov(check(pod(), ns, { native: true }), "native sidecar"), { setting: "native sidecar", value: "true", source: "environment", from: "ENV-native" });
    assert.deepEqual(prov(check(pod({}, { "sidecar.istio.io/nativeSidecar": "true" }), ns), "native sidecar"), { setting: "native sidecar", value: "true", source: "annotation", from: "sidecar.istio.io/nativeSidecar=true" });
    assert.deepEqual(prov(check(pod({}, { "sidecar.istio.io/nativeSidecar": "false" }), ns, { native: true }), "native sidecar").value, "false");
  });

  it("a broken injector ConfigMap key is reported with the explanation", () => {
    const e = check(pod(), ns, { settingsFor: () => ({ ...rs(), problems: ["values: not JSON"] }) });
    assert.deepEqual(e.errors, ["injector configuration of revision default: values: not JSON"]);
    assert.match(formatExplanation(e), /\nERROR: injector configuration of revision default: values: not JSON\n/);
  });

  it("an annotation the injector refuses is reported, not thrown", () => {
    const e = check(pod({}, { "sidecar.istio.io/proxyCPU": "lots" }), ns);
    assert.match(e.errors.join(), /the injector refuses this pod: .*proxyCPU/);
  });

  it("the text report lists every provenance line", () => {
    const e = check(pod({}, { "sidecar.istio.io/logLevel": "debug" }), ns);
    const text = formatExplanation(e);
    assert.match(text, /\nSETTING\s+VALUE\s+SOURCE\s+FROM\n/);
    assert.match(text, /proxy log level\s+debug\s+annotation\s+sidecar.istio.io\/logLevel\n/);
    assert.equal(text.split("\n").filter((l) => /^(proxy|interception|excluded|included|status|rewrite|hold|native)/.test(l)).length, e.provenance.length);
  });
});

describe("pilotfish check-inject (CLI, file fixtures)", () => {
  const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/check-inject/workloads.yaml");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-inject-"));
  const unreachable = path.join(tmp, "unreachable.kubeconfig");
  fs.writeFileSync(
    unreachable,
    "apiVersion: v1\nkind: Config\nclusters:\n- name: n\n  cluster: {server: \"https://127.0.0.1:1\", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: n\n  context: {cluster: n, user: u}\ncurrent-context: n\n",
  );
  async function run(args: string[], stdin = "") {
    let out = "";
    let err = "";
    const code = await main(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), readStdin: async () => stdin });
    return { code, out, err };
  }

  it("explains every workload in the files, with the IstioOperator's settings", async () => {
    const r = await run(["check-inject", "-f", fixture, "--set", "values.global.hub=example.com/istio"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^WEBHOOK\s+INJECTOR\s+REVISION\s+INJECTED\s+REASON\nistio-sidecar-injector\s+pilotfish\s+default\s+✔\s+Namespace label istio-injection=enabled matches/);
    assert.match(r.out, /Deployment shop\/web \(namespace shop\): ✔ injected by istio-sidecar-injector/);
    assert.match(r.out, /proxy image\s+example.com\/istio\/proxyv2:1.30.3\s+values\s+values.global.hub in the istio-sidecar-injector ConfigMap of --operator-file\/--set/);
    assert.match(r.out, /proxy resources\s+\{"requests":\{"cpu":"250m"\}\}\s+annotation\s+sidecar.istio.io\/proxyCPU/);
    assert.match(r.out, /holdApplicationUntilProxyStarts\s+true\s+proxy.istio.io\/config/);
    assert.match(r.out, /Pod shop\/batch \(namespace shop\): ✘ not injected: .* pod annotation sidecar.istio.io\/inject=false/);
  });

  it("-o json / yaml, --namespace-labels over the files' Namespace, -r picks the revision's webhook", async () => {
    const j = await run(["check-inject", "-f", fixture, "-o", "json"]);
    assert.equal(j.code, 0, j.err);
    const list = JSON.parse(j.out) as Explanation[];
    assert.deepEqual(list.map((e) => [e.subject, e.injected]), [["Deployment shop/web", true], ["Pod shop/batch", false]]);
    const y = await run(["check-inject", "-f", fixture, "-o", "yaml"]);
    assert.match(y.out, /subject: Deployment shop\/web/);
    const off = await run(["check-inject", "-f", fixture, "--namespace-labels", "istio-injection=disabled", "-o", "json"]);
    assert.deepEqual((JSON.parse(off.out) as Explanation[]).map((e) => e.injected), [false, false]);
    const rev = await run(["check-inject", "-f", fixture, "--namespace-labels", "istio.io/rev=canary", "-r", "canary", "-o", "json"]);
    const e = (JSON.parse(rev.out) as Explanation[])[0];
    assert.deepEqual([e.injected, e.revision, e.webhook], [true, "canary", "istio-sidecar-injector-canary"]);
  });

  it("input errors exit 2, an unreachable cluster exits 3", async () => {
    for (const args of [
      ["check-inject"],
      ["check-inject", "pod/x", "-f", fixture],
      ["check-inject", "-f", fixture, "-o", "wide"],
      ["check-inject", "pod/x", "--namespace-labels", "a=b"],
      ["check-inject", "-f", path.join(tmp, "missing.yaml")],
      ["check-inject", "-f", fixture, "--namespace-labels", "novalue"],
      ["check-inject", "-f", fixture, "--set", "values.global.nonsense=1"],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, /Error/);
    }
    const broken = await run(["check-inject", "-f", "-"], "kind: Pod\nmetadata:\n  name: [unclosed\n");
    assert.equal(broken.code, 2);
    const none = await run(["check-inject", "-f", "-"], "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
    assert.equal(none.code, 2);
    assert.match(none.err, /no workload/);
    const live = await run(["check-inject", "deploy/web", "-n", "shop", "--kubeconfig", unreachable]);
    assert.equal(live.code, 3, live.err);
    const type = await run(["check-inject", "widget/web", "--kubeconfig", unreachable]);
    assert.equal(type.code, 2, type.err);
  });
});
