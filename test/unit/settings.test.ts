// Injection settings: Istio's ConfigMaps and IstioOperator overlays read into typed settings.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { injectorConfigOf as injectorConfigFromValues } from "../../src/config/configmaps.js";
import { parseInjectorConfigMap, parseMeshConfigMap } from "../../src/config/configmap-parse.js";
import { applyInjectorConfigMap, defaultInjectorState, injectionSettings, nativeFromKubeletVersions, settingsFromIstioOperator } from "../../src/config/injection.js";
import { parseNativeSidecarsEnv } from "../../src/config/env.js";
import { applySetFlag, parseSetValue, splitPath } from "../../src/config/setpath.js";
import { resolveIop } from "../../src/config/resolve.js";
import { render } from "../../src/operator/render/index.js";
import { buildMutatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";
import { selectorMatches } from "../../src/webhook/inject/decide.js";

describe("Istio ConfigMaps", () => {
  it("reads values JSON and the injector config YAML", () => {
    const p = parseInjectorConfigMap({
      values: JSON.stringify({ global: { hub: "h", proxy: { autoInject: "disabled" } } }),
      config: "policy: disabled\nneverInjectSelector:\n- matchLabels: {job: batch}\ndefaultTemplates: [sidecar]\n",
    });
    assert.deepEqual(p.errors, []);
    assert.equal((p.values as any).global.hub, "h");
    assert.equal(p.config?.policy, "disabled");
    assert.deepEqual(p.config?.neverInjectSelector, [{ matchLabels: { job: "batch" } }]);
  });

  it("reports a broken key and keeps the other", () => {
    const p = parseInjectorConfigMap({ values: "{not json", config: "policy: enabled\n" });
    assert.equal(p.values, undefined);
    assert.equal(p.config?.policy, "enabled");
    assert.match(p.errors[0], /^values: invalid JSON/);
  });

  it("applies the mesh key over Istio's defaults, merging defaultConfig field by field", () => {
    const m = parseMeshConfigMap({ mesh: "defaultConfig:\n  holdApplicationUntilProxyStarts: true\ntrustDomain: example.org\n" });
    assert.equal(m.error, undefined);
    assert.equal((m.mesh as any).trustDomain, "example.org");
    assert.equal((m.mesh as any).defaultConfig.holdApplicationUntilProxyStarts, true);
    assert.equal((m.mesh as any).defaultConfig.statusPort, 15020, "defaults kept");
    assert.match(parseMeshConfigMap({ mesh: "- a list" }).error ?? "", /not a YAML map/);
  });
});

describe("a broken ConfigMap key keeps its previous value", () => {
  const good = { values: JSON.stringify({ global: { proxy: { autoInject: "disabled" } } }), config: "policy: disabled\nneverInjectSelector:\n- matchLabels: {job: batch}\n" };
  it("config broken: policy and selectors stay as they were, values move on", () => {
    const first = applyInjectorConfigMap(defaultInjectorState(), good).state;
    assert.equal(first.config.policy, "disabled");
    const r = applyInjectorConfigMap(first, { values: JSON.stringify({ global: { hub: "new.example" } }), config: "policy: [unclosed" });
    assert.match(r.errors[0], /^config: invalid YAML/);
    assert.equal(r.state.config.policy, "disabled", "the previous policy is kept, not reset to the default");
    assert.deepEqual(r.state.config.neverInjectSelector, [{ matchLabels: { job: "batch" } }]);
    assert.equal((r.state.values as any).global.hub, "new.example");
  });
  it("values broken: the previous values stay", () => {
    const first = applyInjectorConfigMap(defaultInjectorState(), good).state;
    const r = applyInjectorConfigMap(first, { values: "{nope", config: "policy: enabled\n" });
    assert.equal((r.state.values as any).global.proxy.autoInject, "disabled");
    assert.equal(r.state.config.policy, "enabled");
  });
  it("an absent ConfigMap means Istio's defaults", () => {
    const first = applyInjectorConfigMap(defaultInjectorState(), good).state;
    assert.equal(applyInjectorConfigMap(first, undefined).state.config.policy, "enabled");
  });
});

describe("one resolution for every path", () => {
  const demo = () => resolveIop({ docs: [{ source: "demo.yaml", doc: { kind: "IstioOperator", spec: { profile: "demo" } } }], sets: [] });
  it("an IstioOperator with spec.profile demo gives the injector demo's proxy requests, as the rendered ConfigMap says", () => {
    const r = demo();
    const s = injectionSettings(r, { nativeSidecars: false });
    const rendered = render(r).components.flatMap((c) => c.objects).find((o) => o.kind === "ConfigMap" && o.metadata.name === "istio-sidecar-injector")!;
    const cmValues = JSON.parse((rendered.data as any).values);
    assert.deepEqual((s.values as any).global.proxy.resources, cmValues.global.proxy.resources);
    assert.deepEqual((s.values as any).global.proxy.resources.requests, { cpu: "10m", memory: "40Mi" });
  });
  it("--set profile=demo and a file with spec.profile demo give the same settings", () => {
    const viaSet = injectionSettings(resolveIop({ docs: [], sets: ["profile=demo"] }), { nativeSidecars: false });
    assert.deepEqual(viaSet, injectionSettings(demo(), { nativeSidecars: false }));
  });
  it("a revision sets the values' revision and the discovery address of that revision's istiod", () => {
    const s = injectionSettings(resolveIop({ docs: [], sets: ["revision=canary"] }), { nativeSidecars: false });
    assert.equal((s.values as any).revision, "canary");
    assert.equal((s.mesh as any).defaultConfig.discoveryAddress, "istiod-canary.istio-system.svc:15012");
  });
  it("a misspelt values path is refused, as manifest generate refuses it", () => {
    assert.throws(() => resolveIop({ docs: [], sets: ["values.pilot.autoscalMin=2"] }), /did you mean "autoscaleMin"/);
  });
});

describe("IstioOperator overlays", () => {
  it("types --set values as istioctl does", () => {
    assert.equal(parseSetValue("15"), 15);
    assert.equal(parseSetValue("1.5"), 1.5);
    assert.equal(parseSetValue("true"), true);
    assert.equal(parseSetValue("4,5,6"), "4,5,6");
    assert.equal(parseSetValue("a\\,b"), "a,b");
    assert.deepEqual(splitPath("values.gateways.istio-ingressgateway.ports[0].port"), ["values", "gateways", "istio-ingressgateway", "ports", "[0]", "port"]);
  });

  it("maps hub/tag, meshConfig and components.cni into injection settings", () => {
    let spec = applySetFlag({}, "hub=reg.example/istio");
    spec = applySetFlag(spec, "tag=1.2.3");
    spec = applySetFlag(spec, "components.cni.enabled=true");
    spec = applySetFlag(spec, "values.cni.provider=multus");
    spec = applySetFlag(spec, "meshConfig.defaultConfig.interceptionMode=TPROXY");
    const s = settingsFromIstioOperator(spec, { nativeSidecars: false });
    assert.equal((s.values as any).global.hub, "reg.example/istio");
    assert.equal((s.values as any).global.tag, "1.2.3");
    assert.deepEqual((s.values as any).pilot.cni, { enabled: true, provider: "multus" });
    assert.equal((s.mesh as any).defaultConfig.interceptionMode, "TPROXY");
    assert.equal((s.mesh as any).defaultConfig.discoveryAddress, "istiod.istio-system.svc:15012");
  });

  it("rejects unknown roots with a suggestion and non-map steps with the path", () => {
    assert.throws(() => applySetFlag({}, "meshconfig.x=1"), /did you mean "meshConfig"/);
    assert.throws(() => applySetFlag({ values: { a: 1 } }, "values.a.b=2"), /values\.a is not a map/);
    assert.throws(() => applySetFlag({}, "values"), /expected PATH=VALUE/);
  });

  it("derives the injector policy and selectors from values", () => {
    const c = injectorConfigFromValues({ global: { proxy: { autoInject: "disabled" } }, sidecarInjectorWebhook: { alwaysInjectSelector: [{ matchLabels: { a: "b" } }] } });
    assert.equal(c.policy, "disabled");
    assert.equal(c.alwaysInjectSelector.length, 1);
    assert.deepEqual(c.defaultTemplates, ["sidecar"]);
  });
});

describe("native sidecar mode", () => {
  it("follows ENABLE_NATIVE_SIDECARS and the kubelet rule", () => {
    assert.equal(parseNativeSidecarsEnv("true"), true);
    assert.equal(parseNativeSidecarsEnv("false"), false);
    assert.equal(parseNativeSidecarsEnv(undefined), "auto");
    assert.equal(parseNativeSidecarsEnv("yes"), false, "anything else is false, as in istiod");
    assert.equal(nativeFromKubeletVersions(["v1.33.0", "v1.34.1"]), true);
    assert.equal(nativeFromKubeletVersions(["v1.33.0", "v1.28.0"]), false);
    assert.equal(nativeFromKubeletVersions([]), false);
    assert.equal(nativeFromKubeletVersions(["garbage"]), false);
  });
});

describe("MutatingWebhookConfiguration", () => {
  const labelsMatch = (sel: any, labels: Record<string, string>) => selectorMatches(sel, labels);
  const mwc = buildMutatingWebhookConfiguration({ clientConfig: { url: "https://127.0.0.1:1/", caBundle: "PEM" }, excludedNamespaces: ["pilotfish-system"] });
  const byName = Object.fromEntries(mwc.webhooks.map((w: any) => [w.name, w]));

  it("has Istio's four default-revision entries with IfNeeded reinvocation and no side effects", () => {
    assert.deepEqual(Object.keys(byName).sort(), [
      "namespace.sidecar-injector.istio.io",
      "object.sidecar-injector.istio.io",
      "rev.namespace.sidecar-injector.istio.io",
      "rev.object.sidecar-injector.istio.io",
    ]);
    for (const w of mwc.webhooks) {
      assert.equal(w.reinvocationPolicy, "IfNeeded");
      assert.equal(w.sideEffects, "None");
      assert.equal(w.clientConfig.url, "https://127.0.0.1:1/inject");
      assert.equal(Buffer.from(w.clientConfig.caBundle, "base64").toString(), "PEM");
    }
  });

  it("selects namespaces as Istio does and never kube-system or pilotfish's own namespace", () => {
    const ns = byName["namespace.sidecar-injector.istio.io"].namespaceSelector;
    assert.equal(labelsMatch(ns, { "istio-injection": "enabled", "kubernetes.io/metadata.name": "shop" }), true);
    assert.equal(labelsMatch(ns, { "istio-injection": "disabled", "kubernetes.io/metadata.name": "shop" }), false);
    assert.equal(labelsMatch(ns, { "istio-injection": "enabled", "kubernetes.io/metadata.name": "kube-system" }), false);
    assert.equal(labelsMatch(ns, { "istio-injection": "enabled", "kubernetes.io/metadata.name": "pilotfish-system" }), false);
    const rev = byName["rev.namespace.sidecar-injector.istio.io"].namespaceSelector;
    assert.equal(labelsMatch(rev, { "istio.io/rev": "default", "kubernetes.io/metadata.name": "shop" }), true);
    assert.equal(labelsMatch(rev, { "istio.io/rev": "canary", "kubernetes.io/metadata.name": "shop" }), false);
    const obj = byName["object.sidecar-injector.istio.io"].objectSelector;
    assert.equal(labelsMatch(obj, { "sidecar.istio.io/inject": "true" }), true);
    assert.equal(labelsMatch(obj, { "sidecar.istio.io/inject": "false" }), false);
  });

  it("serves only the rev entries for a non-default revision", () => {
    const canary = buildMutatingWebhookConfiguration({ revision: "canary", clientConfig: { url: "https://x" } });
    assert.equal(canary.metadata.name, "istio-sidecar-injector-canary");
    assert.deepEqual(canary.webhooks.map((w: any) => w.name), ["rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io"]);
  });
});
