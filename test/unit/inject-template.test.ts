// The injector's template path (src/webhook/inject/template): Istio's injection functions, the ConfigMap's
// templates, which renderer a template name gets, and render/parse failures as denials naming the template.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { injectionFuncs } from "../../src/webhook/inject/template/funcs.js";
import { durationString } from "../../src/webhook/inject/template/go.js";
import { parsedTemplate, renderTemplate } from "../../src/webhook/inject/template/render.js";
import { sidecarTemplateData } from "../../src/webhook/inject/template/data.js";
import { parseInjectorConfigMap, templatesOf } from "../../src/config/configmap-parse.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { injectPod } from "../../src/webhook/inject/inject.js";
import { InjectionError, type InjectionSettings, type Obj } from "../../src/webhook/inject/types.js";
import type { TemplateContext } from "../../src/webhook/inject/context.js";
import { istioTemplateTexts } from "./inject-template-corpus.js";

const F = injectionFuncs();

describe("Istio's injection functions (template.go)", () => {
  it("excludeInboundPort adds the status port once, never 0 or empty", () => {
    assert.equal(F.excludeInboundPort("15020", ""), "15020");
    assert.equal(F.excludeInboundPort(15020, "1,2"), "1,2,15020");
    assert.equal(F.excludeInboundPort("15020", "15020"), "15020");
    assert.equal(F.excludeInboundPort("0", "1"), "1");
    assert.equal(F.excludeInboundPort("", "1, 2"), "1, 2");
    assert.equal(F.excludeInboundPort("3", " 1 ,,2"), "1,2,3");
  });
  it("appendMultusNetwork appends to a flat list or JSON, once", () => {
    assert.equal(F.appendMultusNetwork("", "default/istio-cni"), "default/istio-cni");
    assert.equal(F.appendMultusNetwork("a, b", "default/istio-cni"), "a, b, default/istio-cni");
    assert.equal(F.appendMultusNetwork("a, default/istio-cni", "default/istio-cni"), "a, default/istio-cni");
    assert.equal(F.appendMultusNetwork('[{"name": "a"}]', "default/istio-cni"), '[{"name": "a"}, {"name": "istio-cni", "namespace": "default"}]');
    assert.equal(F.appendMultusNetwork('[{"name": "istio-cni", "namespace": "default"}]', "default/istio-cni"), '[{"name": "istio-cni", "namespace": "default"}]');
    assert.equal(F.appendMultusNetwork("[not json]", "default/istio-cni"), "[not json]");
  });
  it("formatDuration prints Go's time.Duration.String()", () => {
    assert.equal(durationString(23_000_000_000n), "23s");
    assert.equal(durationString(90_000_000_000n), "1m30s");
    assert.equal(durationString(3_600_000_000_000n), "1h0m0s");
    assert.equal(durationString(1_500_000_000n), "1.5s");
    assert.equal(durationString(100_000_000n), "100ms");
    assert.equal(durationString(0n), "0s");
    assert.equal(F.formatDuration("45s"), "45s");
  });
  it("maps: strdict, omit, mergeMaps, toJsonMap, toJSON; annotation; valueOrDefault; directory; contains", () => {
    assert.deepEqual(F.strdict("a", "1", "b"), { a: "1", b: "" });
    assert.deepEqual(F.omit({ a: "1", b: "2" }, "b"), { a: "1" });
    assert.deepEqual(F.mergeMaps({ a: "1" }, { a: "2", b: "3" }), { a: "2", b: "3" });
    assert.equal(F.toJsonMap({ b: "2" }, { a: "<1>" }), '{"a":"\\u003c1\\u003e","b":"2"}');
    assert.equal(F.toJsonMap(), "null");
    assert.equal(F.toJSON(null), "{}");
    assert.equal(F.annotation({ Annotations: { x: "1" } }, "x", "d"), "1");
    assert.equal(F.annotation({ Annotations: {} }, "x", 15020), "15020");
    assert.equal(F.valueOrDefault("", "d"), "d");
    assert.equal(F.valueOrDefault(0, "d"), 0);
    assert.equal(F.directory("/etc/certs/root.pem"), "/etc/certs/");
    assert.equal(F.contains("/", "a/b"), true);
    assert.equal(F.includeInboundPorts([{ Ports: [{ ContainerPort: 80 }, { ContainerPort: 53, Protocol: "UDP" }] }, { Name: "istio-proxy", Ports: [{ ContainerPort: 15090 }] }]), "80,15090");
    assert.equal(F.applicationPorts([{ Name: "app", Ports: [{ ContainerPort: 80 }] }, { Name: "istio-proxy", Ports: [{ ContainerPort: 15090 }] }]), "80");
  });
  it("has exactly Istio 1.30.3's InjectionFuncmap names", () => {
    assert.deepEqual(Object.keys(F).sort(), [
      "annotation", "appendMultusNetwork", "applicationPorts", "contains", "directory", "env", "excludeInboundPort", "excludeInterfaces",
      "formatDuration", "fromJSON", "includeInboundPorts", "indent", "isset", "kubevirtInterfaces", "mergeMaps", "omit", "omitNil",
      "otelResourceAttributes", "protoToJSON", "strdict", "structToJSON", "toJSON", "toJsonMap", "toLower", "toYaml", "valueOrDefault",
    ]);
  });
});

describe("templates in the injector's configuration", () => {
  it("config.templates is read; the legacy `template` sentinel is ignored", () => {
    const p = parseInjectorConfigMap({
      config: 'policy: enabled\ntemplate: "{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}"\ntemplates:\n  custom: |\n    spec: {}\n',
    });
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.config?.templates, { custom: "spec: {}\n" });
    assert.equal((p.config as Record<string, unknown>).template, undefined);
  });
  it("the ConfigMap's templates win over values.sidecarInjectorWebhook.templates, which fill in the rest", () => {
    const values = { sidecarInjectorWebhook: { templates: { a: "from values", b: "from values" } } };
    assert.deepEqual(templatesOf(values, { templates: { a: "from config" } }), { a: "from config", b: "from values" });
  });
  it("an IstioOperator's values.sidecarInjectorWebhook.templates reach kube-inject's settings", () => {
    const s = settingsFromIstioOperator({ values: { sidecarInjectorWebhook: { templates: { hello: "metadata: {}\n" } } } }, { nativeSidecars: true });
    assert.equal(s.templates?.hello, "metadata: {}\n");
  });
});

const POD: Obj = { metadata: { name: "p", namespace: "ns", labels: { app: "a" }, annotations: {} }, spec: { containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 80 }] }] } };
const base = settingsFromIstioOperator({}, { nativeSidecars: true });
function inject(settings: InjectionSettings, annotations: Record<string, string> = {}): Obj {
  const pod = structuredClone(POD);
  pod.metadata.annotations = annotations;
  return injectPod({ pod, typeMeta: { kind: "Pod", apiVersion: "v1" }, deployMeta: { name: "p", namespace: "ns" } }, settings).pod;
}
const withTemplates = (t: Record<string, string>): InjectionSettings => ({ ...base, templates: { ...(base.templates ?? {}), ...t } });

describe("template selection", () => {
  it("an unknown template name is a denial with Istio's message", () => {
    assert.throws(() => inject(base, { "inject.istio.io/templates": "nope" }), (e: unknown) => e instanceof InjectionError && /requested template "nope" not found; have .*sidecar/.test(e.message));
  });
  it("a custom template is rendered by the engine and merged after the sidecar", () => {
    const pod = inject(withTemplates({ extra: 'metadata:\n  labels:\n    extra: "{{ .DeploymentMeta.Name }}-{{ len .Spec.Containers }}"\n' }), { "inject.istio.io/templates": "sidecar,extra" });
    assert.equal(pod.metadata.labels.extra, "p-1");
    assert.ok(pod.spec.initContainers.some((c: Obj) => c.name === "istio-proxy"));
  });
  it("Istio's own sidecar text, rendered by the engine, gives the built-in code's pod", () => {
    const istio = istioTemplateTexts();
    assert.deepEqual(inject(withTemplates({ sidecar: istio.sidecar })), inject(base));
    assert.deepEqual(inject(withTemplates({ sidecar: istio.sidecar, gateway: istio.gateway }), { "inject.istio.io/templates": "gateway" }), inject(base, { "inject.istio.io/templates": "gateway" }));
  });
  it("a modified sidecar text is rendered as written", () => {
    const pod = inject(withTemplates({ sidecar: "spec:\n  containers:\n  - name: istio-proxy\n    image: mine\n" }));
    assert.equal(pod.spec.containers.find((c: Obj) => c.name === "istio-proxy").image, "mine");
  });
});

function ctx(annotations: Record<string, string> = {}): TemplateContext {
  return {
    pod: { metadata: { name: "p", annotations }, spec: { containers: [{ name: "app" }] } },
    annotations,
    labels: {},
    typeMeta: { kind: "Pod", apiVersion: "v1" },
    deployMeta: { name: "p", namespace: "ns" },
    proxyConfig: {},
    mesh: {},
    values: {},
    revision: "",
    native: true,
    proxyImage: "hub/proxyv2:tag",
    proxyUID: 1337,
    proxyGID: 1337,
    compliancePolicy: "",
  };
}
const denied = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof InjectionError && re.test(e.message));

describe("render and parse failures are denials naming the template", () => {
  it("a template that does not parse", () => denied(() => renderTemplate("broken", "a: b\n{{ if }}\n", ctx()), /injection template "broken": .*(line 2|broken:2:)/));
  it("a template that fails to execute", () => denied(() => renderTemplate("exec", "a: {{ index .Values.nope.deeper 1 }}\n", ctx()), /injection template "exec"/));
  it("an unknown function", () => denied(() => renderTemplate("fn", "a: {{ nosuch 1 }}\n", ctx()), /injection template "fn"/));
  it("output that is not YAML", () => denied(() => renderTemplate("yaml", "a: [1, 2\nb: c\n", ctx()), /injection template "yaml": its output is not YAML/));
  it("output that is not a map", () => denied(() => renderTemplate("list", "- a\n", ctx()), /not a YAML map/));
  it("output Go cannot decode into a Pod (an unquoted bool annotation, a numeric env value)", () => {
    denied(() => renderTemplate("typed", "metadata:\n  annotations:\n    a: true\n", ctx()), /injection template "typed": its output is not a Pod: metadata.annotations\["a"\]: true is not a string/);
    denied(() => renderTemplate("typed", "spec:\n  containers:\n  - name: c\n    env:\n    - name: X\n      value: 1\n", ctx()), /spec.containers\[0\].env\[0\].value: 1 is not a string/);
  });
  it("empty output is an empty overlay", () => assert.deepEqual(renderTemplate("empty", "{{/* nothing */}}\n", ctx()), {}));
});

describe("annotation values stay data on the template path", () => {
  const T = 'spec:\n  containers:\n  - name: istio-proxy\n    args:\n    - --level={{ annotation .ObjectMeta "lvl" "info" }}\n    image: "{{ annotation .ObjectMeta "img" "x" }}"\n';
  it("plain values render as written", () => {
    const out = renderTemplate("t", T, ctx({ lvl: "debug", img: "a/b:c" }));
    assert.deepEqual(out.spec.containers[0].args, ["--level=debug"]);
    assert.equal(out.spec.containers[0].image, "a/b:c");
  });
  it("a value with YAML syntax that would add a field is refused, naming the annotation", () => {
    denied(() => renderTemplate("t", T, ctx({ lvl: "debug\n    - --privileged" })), /annotation lvl would change/);
    denied(() => renderTemplate("t", T, ctx({ img: 'x"\n    securityContext: {privileged: true}\n    y: "' })), /annotation img/);
  });
  it("a value with YAML syntax that stays inside its scalar is kept", () => {
    const out = renderTemplate("t", T, ctx({ lvl: "misc:error,upstream:debug", img: "a/b:c # not a comment?" }));
    assert.deepEqual(out.spec.containers[0].args, ["--level=misc:error,upstream:debug"]);
    assert.equal(out.spec.containers[0].image, "a/b:c # not a comment?");
  });
  it("template syntax in a value is never executed", () => {
    const out = renderTemplate("t", T, ctx({ img: "{{ .Values.global.hub }}" }));
    assert.equal(out.spec.containers[0].image, "{{ .Values.global.hub }}");
  });
});

describe("template data reads as Go reads SidecarTemplateData", () => {
  const run = (t: string, c: TemplateContext) => parsedTemplate("data", t).execute(sidecarTemplateData(c));
  const unset = ctx();
  const set: TemplateContext = {
    ...ctx(),
    proxyConfig: { holdApplicationUntilProxyStarts: true, concurrency: 2, drainDuration: "90s", interceptionMode: "TPROXY", tracing: { tlsSettings: { caCertificates: "/etc/ca/root.pem" } } },
  };
  it("proto wrappers: an unset one is a nil pointer (false) whose GetValue still answers the zero value", () => {
    assert.equal(run("{{ if .ProxyConfig.HoldApplicationUntilProxyStarts }}set{{ else }}unset{{ end }} {{ .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue }} {{ .ProxyConfig.Concurrency.GetValue }}", unset), "unset false 0");
    assert.equal(run("{{ if .ProxyConfig.HoldApplicationUntilProxyStarts }}set{{ else }}unset{{ end }} {{ .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue }} {{ .ProxyConfig.Concurrency.GetValue }}", set), "set true 2");
  });
  it("proto getters chain through unset messages; enums print their names; durations", () => {
    const t = "{{ if .ProxyConfig.GetTracing.GetTlsSettings }}{{ directory .ProxyConfig.GetTracing.GetTlsSettings.GetCaCertificates }}{{ else }}none{{ end }} {{ .ProxyConfig.InterceptionMode }} {{ .ProxyConfig.InterceptionMode.String }} {{ formatDuration .ProxyConfig.DrainDuration }}";
    assert.equal(run(t, unset), "none REDIRECT REDIRECT 0s");
    assert.equal(run(t, set), "/etc/ca/ TPROXY TPROXY 1m30s");
  });
  it("Kubernetes structs: Go field names, zero values for unset strings, typed string maps, canonical quantities", () => {
    const c: TemplateContext = {
      ...ctx({ a: "1" }),
      pod: { metadata: { name: "p", annotations: { a: "1" } }, spec: { containers: [{ name: "app", ports: [{ containerPort: 80 }], resources: { limits: { cpu: "2000m" } } }] } },
    };
    assert.equal(
      run('{{ printf "%q" .Spec.ServiceAccountName }} {{ (index .Spec.Containers 0).Name }} {{ (index (index .Spec.Containers 0).Ports 0).ContainerPort }} {{ printf "%q" (index .ObjectMeta.Labels "x") }} {{ (index .Spec.Containers 0).Resources.Limits.cpu }} {{ .ObjectMeta.Name }}', c),
      '"" app 80 "" 2 p',
    );
  });
});

