// Hostile annotation values stay data, on both injection paths (fast-check, fixed seeds): the built-in code, and the
// template path rendering Istio 1.30.3's own sidecar text (test data, see inject-template-corpus.ts) through the Go
// template engine. For each annotation the sidecar template reads, a pod injected with a hostile value (YAML and JSON
// fragments, newlines, quotes, `}`, `{{ }}`, very long strings) is either denied (an InjectionError) or differs from
// the same pod injected with a benign value only in the fields that annotation documents. Istio 1.30.3 itself fails
// this on its template (it pastes some values unescaped); pilotfish's template path refuses such values.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { injectPod } from "../../src/webhook/inject/inject.js";
import { InjectionError, type InjectionSettings, type Obj } from "../../src/webhook/inject/types.js";
import { renderTemplate } from "../../src/webhook/inject/template/render.js";
import type { TemplateContext } from "../../src/webhook/inject/context.js";
import { istioTemplateTexts } from "./inject-template-corpus.js";

const istio = istioTemplateTexts();
const builtin = settingsFromIstioOperator({}, { nativeSidecars: true });
const builtinCni = settingsFromIstioOperator({ components: { cni: { enabled: true } } }, { nativeSidecars: false });
const viaEngine = (s: InjectionSettings): InjectionSettings => ({ ...s, templates: { ...(s.templates ?? {}), sidecar: istio.sidecar, gateway: istio.gateway } });
const PATHS = [
  { name: "built-in", settings: builtin },
  { name: "built-in, CNI, classic", settings: builtinCni },
  { name: "template path (Istio's text)", settings: viaEngine(builtin) },
  { name: "template path (Istio's text), CNI, classic", settings: viaEngine(builtinCni) },
];

const HOSTILE = [
  "", " ", "\n", '"', "'", "\\", "}", "{", "]", "[", "{{", "}}", "{{ .Values.global.hub }}", "{{- end }}", ",", "#", "# x", "&a", "*a", "!!str",
  '"\n    privileged: true\n    x: "', "'\n  - name: evil\n    image: evil\n'", '"}],"containers":[{"name":"evil","image":"evil"}],"x":[{"',
  "\n- --evil", "\n    securityContext: {privileged: true}", "x\nspec:\n  hostNetwork: true", "a: b", "- x", "{a: 1}", '{"a":1}', "[1,2]",
  "null", "~", "true", "yes", "0", "-1", "1e3", "0x10", "--privileged", "docker.io/evil/proxy:1", "evil\nimage: x/y:z", "\u2028", "💥",
  '", "evil": "', "', 'evil': '",
];
const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...HOSTILE, "a", "1", " "), { minLength: 2, maxLength: 5 }).map((p) => p.join("")) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('"', "}", "\n", "{{", "a"), fc.integer({ min: 1000, max: 20000 })).map(([s, n]) => s.repeat(n)) },
);

const P = String.raw`spec\.(?:initContainers|containers)\[name="istio-proxy"\]`;
const I = String.raw`spec\.initContainers\[name="istio-(?:init|validation)"\]`;
const re = (...parts: string[]) => new RegExp(`^(?:${parts.join("|")})`);
const ARGS = re(`${P}\\.args\\[\\d+\\]$`, `${I}\\.args\\[\\d+\\]$`);
const TRAFFIC = re(`${I}\\.args\\[\\d+\\]$`);

interface Doc {
  key: string;
  benign: string;
  /** Paths whose content the value may change (besides its own annotation). */
  content?: RegExp;
  /** Paths the value may add or remove. */
  structure?: RegExp;
  /** Values with a documented other meaning: left out. */
  documented?: (v: string) => boolean;
  values?: fc.Arbitrary<string>;
}
const DOCS: Doc[] = [
  { key: "sidecar.istio.io/proxyImage", benign: "docker.io/istio/proxyv2:1.30.3", content: re(`${P}\\.image$`, `${I}\\.image$`) },
  { key: "sidecar.istio.io/logLevel", benign: "debug", content: ARGS },
  { key: "sidecar.istio.io/componentLogLevel", benign: "misc:error", content: ARGS },
  { key: "sidecar.istio.io/agentLogLevel", benign: "default:debug", content: ARGS },
  { key: "sidecar.istio.io/capNetBindService", benign: "false", documented: (v) => v === "true" },
  {
    key: "sidecar.istio.io/bootstrapOverride",
    benign: "custom-bootstrap",
    content: re(String.raw`spec\.volumes\[name="custom-bootstrap-volume"\]\.configMap\.name$`),
    // An empty ConfigMap name is Go's zero value: the reference prints as `configMap: {}`.
    structure: re(String.raw`spec\.volumes\[name="custom-bootstrap-volume"\]\.configMap(\.name|\{\})$`),
  },
  {
    key: "sidecar.istio.io/userVolume",
    benign: '{"uv":{"emptyDir":{}}}',
    content: re(String.raw`spec\.volumes\[`, String.raw`metadata\.annotations\["sidecar\.istio\.io/status"\]`),
    structure: re(String.raw`spec\.volumes\[`),
    values: fc.oneof(hostile, hostile.map((h) => JSON.stringify({ uv: { hostPath: { path: h } }, [h]: { emptyDir: {} } }))),
  },
  {
    key: "sidecar.istio.io/userVolumeMount",
    benign: '{"uv":{"mountPath":"/uv"}}',
    content: re(`${P}\\.volumeMounts\\[`),
    structure: re(`${P}\\.volumeMounts\\[`),
    values: fc.oneof(hostile, hostile.map((h) => JSON.stringify({ uv: { mountPath: "/" + h, subPath: h } }))),
  },
  { key: "traffic.sidecar.istio.io/includeOutboundPorts", benign: "443", content: TRAFFIC, structure: TRAFFIC },
  { key: "traffic.sidecar.istio.io/kubevirtInterfaces", benign: "net1", content: TRAFFIC, structure: TRAFFIC },
  { key: "istio.io/reroute-virtual-interfaces", benign: "net1", content: TRAFFIC, structure: TRAFFIC },
  { key: "traffic.sidecar.istio.io/excludeInterfaces", benign: "eth1", content: TRAFFIC, structure: TRAFFIC },
  { key: "apm.datadoghq.com/env", benign: "prod" },
  { key: "kubectl.kubernetes.io/default-container", benign: "app" },
  { key: "sidecar.istio.io/nativeSidecar", benign: "on", documented: (v) => v === "true" || v === "false" || v === "" },
  { key: "some.example.com/unrelated", benign: "x" },
];

const segment = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
/** Every leaf with its path; items of lists of objects keyed by their name/mountPath. */
function leaves(v: unknown, path = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v)) {
    if (v.length === 0) out.set(path + "[]", "[]");
    v.forEach((x, i) => {
      const key = x && typeof x === "object" && !Array.isArray(x) ? ["name", "mountPath"].find((k) => (x as Obj)[k] !== undefined) : undefined;
      leaves(x, key ? `${path}[${key}=${JSON.stringify((x as Obj)[key])}]` : `${path}[${i}]`, out);
    });
  } else if (v && typeof v === "object") {
    if (Object.keys(v).length === 0) out.set(path + "{}", "{}");
    for (const [k, x] of Object.entries(v)) leaves(x, path === "" ? segment(k).replace(/^\./, "") : path + segment(k), out);
  } else out.set(path, v);
  return out;
}
function undocumented(doc: Doc, a: Obj, b: Obj): string[] {
  const la = leaves(a);
  const lb = leaves(b);
  const self = new RegExp(`^metadata\\.annotations\\[${JSON.stringify(doc.key).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\]$`);
  const structure = [...[...la.keys()].filter((k) => !lb.has(k)), ...[...lb.keys()].filter((k) => !la.has(k))];
  const content = [...la.keys()].filter((k) => lb.has(k) && !Object.is(la.get(k), lb.get(k)));
  return [
    ...structure.filter((p) => !doc.structure?.test(p) && !self.test(p)).map((p) => `structure ${p}`),
    ...content.filter((p) => !self.test(p) && !doc.content?.test(p)).map((p) => `content ${p}`),
  ];
}

/** fc.assert, reporting the property's own error and the counterexample (fast-check alone drops the message). */
function check<T extends unknown[]>(prop: fc.IProperty<T>, params: fc.Parameters<T>): void {
  const r = fc.check(prop, params);
  if (!r.failed) return;
  const err = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
  assert.fail(`${err.split("\n").slice(0, 14).join("\n")}\n  counterexample: ${JSON.stringify(r.counterexample).slice(0, 300)} (seed ${params.seed})`);
}

function inject(settings: InjectionSettings, key: string, value: string): Obj | undefined {
  const pod: Obj = {
    metadata: { name: "p", namespace: "ns", labels: { app: "a" }, annotations: { [key]: value } },
    spec: { containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/r", port: 8080 } } }] },
  };
  try {
    return injectPod({ pod, typeMeta: { kind: "Pod", apiVersion: "v1" }, deployMeta: { name: "p", namespace: "ns" } }, settings).pod;
  } catch (e) {
    if (e instanceof InjectionError) return undefined;
    throw e;
  }
}

describe("an annotation value changes only the field it documents, on both injection paths", () => {
  for (const path of PATHS) {
    it(path.name, () => {
      let compared = 0;
      let denied = 0;
      for (const [i, doc] of DOCS.entries()) {
        const benign = inject(path.settings, doc.key, doc.benign);
        assert.ok(benign, `${doc.key}: the benign value ${doc.benign} is denied`);
        check(
          fc.property(doc.values ?? hostile, (value) => {
            fc.pre(!doc.documented?.(value));
            const evil = inject(path.settings, doc.key, value);
            if (evil === undefined) {
              denied++;
              return;
            }
            compared++;
            assert.deepEqual(undocumented(doc, benign, evil), [], `${doc.key}=${JSON.stringify(value).slice(0, 160)}`);
          }),
          { seed: 0x7e3_0000 + i, numRuns: 25 },
        );
      }
      // The property is not vacuous: most hostile values were injected and compared, not denied.
      console.log(`# ${path.name}: ${compared} hostile values compared, ${denied} denied`);
      assert.ok(compared > denied, `${compared} compared, ${denied} denied`);
    });
  }
});

describe("the guard catches a template that pastes a value unquoted", () => {
  const T = 'spec:\n  containers:\n  - name: istio-proxy\n    args: [--level={{ annotation .ObjectMeta "lvl" "info" }}]\n    env:\n    - name: X\n      value: {{ annotation .ObjectMeta "x" "" }}\n';
  const ctx = (annotations: Record<string, string>): TemplateContext => ({
    pod: { metadata: { annotations }, spec: { containers: [] } },
    annotations,
    labels: {},
    typeMeta: {},
    deployMeta: { name: "p", namespace: "ns" },
    proxyConfig: {},
    mesh: {},
    values: {},
    revision: "",
    native: true,
    proxyImage: "",
    proxyUID: 1337,
    proxyGID: 1337,
    compliancePolicy: "",
  });
  it("any value: rendered as data or refused, never a new field", () => {
    const base = renderTemplate("t", T, ctx({ lvl: "info", x: "v" }));
    check(
      fc.property(hostile, hostile, (lvl, x) => {
        let out: Obj;
        try {
          out = renderTemplate("t", T, ctx({ lvl, x }));
        } catch (e) {
          if (e instanceof InjectionError) return;
          throw e;
        }
        const la = [...leaves(base).keys()].sort();
        const lb = [...leaves(out).keys()].sort();
        assert.deepEqual(lb, la);
      }),
      { seed: 0x7e3_1000, numRuns: 300 },
    );
  });
});
