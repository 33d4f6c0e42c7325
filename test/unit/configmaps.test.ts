// The istiod chart's ConfigMaps (`values[-rev]`, `istio-sidecar-injector[-rev]`) as istioctl 1.30.3 writes them:
// checked in-process against every golden of the two operator corpora, and by rule.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { load, loadAll } from "js-yaml";
import { parseIopFile, resolveIop, type ResolvedIop } from "../../src/config/resolve.js";
import { injectionConfigMapData, injectionValuesOf, TEMPLATE_MISMATCH_SENTINEL, valuesConfigMapData } from "../../src/config/configmaps.js";
import { istiodChartValues } from "../../src/config/istiod-values.js";
import { mergeOverwrite } from "../../src/config/chart-values.js";
import { injectorTemplateTexts } from "../../src/config/inject-templates/index.js";
import { isObject, type JsonObject } from "../../src/config/values.js";

const root = path.resolve(import.meta.dirname, "../..");
const CORPORA = [path.join(root, "test/conformance/istio-operator"), path.join(root, "test/conformance/istioctl-manifest")];
const runnerDir = path.join(root, "test/conformance/istio-operator");

function resolveArgs(args: string[], base: string): ResolvedIop {
  const docs: { source: string; doc: JsonObject }[] = [];
  const sets: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === "--set") sets.push(args[i + 1]);
    else if (args[i] === "-f") {
      const file = [base, runnerDir].map((d) => path.resolve(d, args[i + 1])).find((f) => fs.existsSync(f))!;
      docs.push({ source: file, doc: parseIopFile(fs.readFileSync(file, "utf8"), file) });
    } else throw new Error(`unexpected argument ${args[i]}`);
  }
  return resolveIop({ docs, sets });
}

interface Case {
  name: string;
  args: string[];
  golden?: string;
}

function goldenConfigMaps(file: string): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const d of loadAll(fs.readFileSync(file, "utf8"))) {
    if (isObject(d) && d.kind === "ConfigMap" && isObject(d.metadata) && isObject(d.data)) out.set(String(d.metadata.name), d.data as JsonObject);
  }
  return out;
}

const cases = CORPORA.flatMap((dir) => (JSON.parse(fs.readFileSync(path.join(dir, "cases.json"), "utf8")) as Case[]).filter((c) => c.golden).map((c) => ({ ...c, dir })));

describe("ConfigMaps equal istioctl's on every golden of the operator corpora", () => {
  assert.ok(cases.length >= 46, `corpus shrank: ${cases.length}`);
  for (const c of cases) {
    it(c.name, () => {
      const r = resolveArgs(c.args, c.dir);
      const golden = goldenConfigMaps(path.join(c.dir, c.golden!));
      const rs = r.revision ? `-${r.revision}` : "";
      const values = golden.get(`values${rs}`);
      if (values) {
        const got = valuesConfigMapData(r);
        assert.deepEqual(JSON.parse(got["original-values"]), JSON.parse(String(values["original-values"])), "original-values");
        assert.deepEqual(JSON.parse(got["merged-values"]), JSON.parse(String(values["merged-values"])), "merged-values");
      }
      const injector = golden.get(`istio-sidecar-injector${rs}`);
      if (injector) {
        const data = injectionConfigMapData(r).injector;
        assert.deepEqual(JSON.parse(data.values), JSON.parse(String(injector.values)), "injector values");
        const got = load(data.config) as JsonObject;
        const want = load(String(injector.config)) as JsonObject;
        // Everything but the template texts is istioctl's; the names are, once pilotfish has written the texts.
        const { templates: gotT, ...gotRest } = got;
        const { templates: wantT, ...wantRest } = want;
        assert.deepEqual(gotRest, wantRest, "injector config");
        const written = Object.keys(injectorTemplateTexts());
        assert.deepEqual(Object.keys(gotT as JsonObject).sort(), Object.keys(wantT as JsonObject).filter((n) => written.includes(n)).sort(), "template names");
      }
    });
  }
});

const resolve = (sets: string[]) => resolveIop({ docs: [], sets });

describe("the istiod chart's view of the values", () => {
  it("holds the chart's own keys, pilot.* copied to the top level, and nothing pilotfish-only", () => {
    const { merged } = istiodChartValues(resolve(["values.pilot.autoscaleMin=3", "values.pilot.env.A=b"]));
    assert.equal(merged.autoscaleMin, 3);
    assert.deepEqual(merged.env, { A: "b" });
    assert.deepEqual((merged.pilot as JsonObject).env, { A: "b" });
    assert.equal(merged.autoscaleEnabled, true);
    assert.equal("addons" in merged, false);
    assert.deepEqual(merged.cni, { enabled: false, provider: "default" });
    assert.equal((merged.global as JsonObject).resourceScope, "all");
  });

  it("lays the openshift platform profile under the values: multus reaches the injector's pilot.cni", () => {
    const v = injectionValuesOf(resolve(["values.global.platform=openshift"]));
    const cni = (v.pilot as JsonObject).cni as JsonObject;
    assert.equal(cni.provider, "multus");
    assert.equal(cni.cniBinDir, "/var/lib/cni/bin");
    assert.equal(cni.enabled, false, "the IstioOperator's pilot.cni.enabled (from components.cni) wins over the profile");
  });

  it("lets values.cni show through pilot.cni unless values.pilot.cni sets the same key", () => {
    assert.equal(((injectionValuesOf(resolve(["values.cni.provider=multus"])).pilot as JsonObject).cni as JsonObject).provider, "multus");
    const both = injectionValuesOf(resolve(["values.cni.provider=multus", "values.pilot.cni.provider=default"]));
    assert.equal(((both.pilot as JsonObject).cni as JsonObject).provider, "default");
  });

  it("applies a compatibility version's profile and refuses an unknown one", () => {
    const env = (injectionValuesOf(resolve(["compatibilityVersion=1.26"])).pilot as JsonObject).env as JsonObject;
    assert.equal(env.ENABLE_NATIVE_SIDECARS, "false");
    assert.equal(env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE, "false");
    const env29 = (injectionValuesOf(resolve(["compatibilityVersion=1.29"])).pilot as JsonObject).env as JsonObject;
    assert.deepEqual(env29, { PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false" });
    assert.throws(() => injectionValuesOf(resolve(["compatibilityVersion=1.2"])), /unknown compatibility version "1.2"/);
  });

  it("merges as sprig's mergeOverwrite: maps by key, anything else replaced, empty values and lists too", () => {
    assert.deepEqual(mergeOverwrite({ a: [1], b: { c: 1, d: 2 }, e: "x" }, { a: [], b: { d: 3 }, e: "" }), { a: [], b: { c: 1, d: 3 }, e: "" });
    assert.deepEqual(mergeOverwrite({ a: [1] }, { a: [2, 3] }), { a: [2, 3] });
    assert.deepEqual(mergeOverwrite({ a: [] }, { a: [] }), { a: [] });
    assert.deepEqual(mergeOverwrite({ a: { b: 1 } }, { a: null }), { a: null });
    // istioctl 1.30.3 manifest generate (profile ambient, values.meshConfig.serviceScopeConfigs: []) writes [] here.
    const r = resolveIop({ docs: [{ source: "t", doc: { kind: "IstioOperator", spec: { profile: "ambient", values: { meshConfig: { serviceScopeConfigs: [] } } } } }], sets: [] });
    assert.deepEqual((istiodChartValues(r).merged.meshConfig as JsonObject).serviceScopeConfigs, []);
  });

  it("every pilot value set by the user is at the top level of merged-values (property)", () => {
    const int = fc.integer({ min: 1, max: 99 });
    const text = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const pilotValues = fc.record(
      { autoscaleMin: int, autoscaleMax: int, replicaCount: int, traceSampling: int, rollingMaxSurge: text, image: text, hub: text, keepaliveMaxServerConnectionAge: text },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(pilotValues, (pilot) => {
        const r = resolveIop({ docs: [{ source: "p", doc: { kind: "IstioOperator", spec: { values: { pilot } } } }], sets: [] });
        const { merged } = istiodChartValues(r);
        for (const [k, v] of Object.entries(pilot)) assert.equal(merged[k], v, k);
      }),
      { numRuns: 30 },
    );
  });
});

describe("the injector's config", () => {
  it("carries Istio's mismatch sentinel and every built-in template pilotfish has written", () => {
    const c = load(injectionConfigMapData(resolve([])).injector.config) as JsonObject;
    assert.equal(c.template, TEMPLATE_MISMATCH_SENTINEL);
    assert.deepEqual(c.templates ?? {}, injectorTemplateTexts());
    assert.deepEqual(c.defaultTemplates, ["sidecar"]);
    assert.equal(c.policy, "enabled");
  });

  it("adds the user's templates as given; one of a built-in name replaces it", () => {
    const r = resolveIop({ docs: [{ source: "t", doc: { kind: "IstioOperator", spec: { values: { sidecarInjectorWebhook: { templates: { sidecar: "spec: {}\n", custom: "metadata: {}\n" } } } } } }], sets: [] });
    const c = load(injectionConfigMapData(r).injector.config) as JsonObject;
    const t = c.templates as Record<string, string>;
    assert.equal(t.sidecar, "spec: {}\n");
    assert.equal(t.custom, "metadata: {}\n");
    for (const [name, text] of Object.entries(injectorTemplateTexts())) if (name !== "sidecar") assert.equal(t[name], text, name);
  });
});
