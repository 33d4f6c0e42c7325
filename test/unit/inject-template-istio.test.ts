// Istio 1.30.3's own injection template texts, rendered by pilotfish's template path (the Go template engine with
// Istio's function map over SidecarTemplateData), against pilotfish's built-in code, for every kube-inject case of
// Istio's whole injection corpus (test/conformance/istio-inject-all): both must give the same objects.
// The texts are test data: the `istio-sidecar-injector` ConfigMap of the `istioctl manifest generate` golden
// test/conformance/istio-operator/goldens/profile-default.yaml (istioctl 1.30.3, see that corpus's README).
// A case's own templates (values.sidecarInjectorWebhook.templates: custom, spire) are kept; only the texts pilotfish
// ships (or lacks) are swapped for Istio's. Each case's settings are made as `pilotfish kube-inject` makes them
// (the corpus runner's flags), in process.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";

import fs from "node:fs";
import { loadAll } from "js-yaml";
import { caseSettings, corpus, corpusCases, firstDiff, injectFile, istioTemplateTexts, root, withIstioTexts } from "./inject-template-corpus.js";
import { applyInjectorConfigMap, applyMeshConfigMap, defaultInjectorState, settingsFromIstioOperator, settingsOf } from "../../src/config/injection.js";

// Cases whose two paths differ today, each with the reason. Empty = every case agrees.
const KNOWN_DIFFERENCES: Record<string, string> = {};

describe("Istio 1.30.3's template texts through the template path agree with the built-in code", () => {
  const istio = istioTemplateTexts();
  it("the golden ConfigMap holds Istio's templates", () => {
    assert.deepEqual(Object.keys(istio).sort(), ["agentgateway", "gateway", "grpc-agent", "grpc-simple", "kube-gateway", "sidecar", "waypoint"]);
  });

  it("every kube-inject case of the 133-case corpus", () => {
    const disagree: string[] = [];
    let agreed = 0;
    let total = 0;
    for (const c of corpusCases()) {
      if (c.skipInjection) continue;
      total++;
      const settings = caseSettings(c);
      const file = path.join(corpus, "testdata", c.in);
      const builtin = injectFile(file, settings);
      const engine = injectFile(file, withIstioTexts(settings, istio));
      let diff: string | undefined;
      if (builtin.ok !== engine.ok) diff = `built-in ${builtin.ok ? "injects" : "denies: " + (builtin as any).error}; template path ${engine.ok ? "injects" : "denies: " + (engine as any).error}`;
      else if (builtin.ok && engine.ok) diff = firstDiff(builtin.objects, engine.objects);
      if (diff) disagree.push(`${c.id}: ${diff}`);
      else agreed++;
    }
    console.log(`# Istio texts vs built-in: ${agreed}/${total} cases agree`);
    const unexpected = disagree.filter((d) => !Object.keys(KNOWN_DIFFERENCES).some((k) => d.startsWith(k + ":")));
    assert.deepEqual(unexpected, [], `${agreed}/${total} agree`);
    assert.equal(disagree.length, Object.keys(KNOWN_DIFFERENCES).length, "a known difference is gone: remove it from KNOWN_DIFFERENCES");
  });
});

describe("a cluster with Istio's own ConfigMaps", () => {
  it("pilotfish reading istioctl 1.30.3's istio-sidecar-injector and istio ConfigMaps injects what its own settings inject", () => {
    // The default profile's ConfigMaps as istioctl renders them (hub registry.istio.io/testing, tag latest).
    const docs = loadAll(fs.readFileSync(path.join(root, "test/conformance/istio-operator/goldens/profile-default.yaml"), "utf8")) as any[];
    const cm = (name: string) => docs.find((d) => d?.kind === "ConfigMap" && d.metadata?.name === name)?.data;
    let { state, errors } = applyInjectorConfigMap(defaultInjectorState(), cm("istio-sidecar-injector"));
    assert.deepEqual(errors, []);
    const m = applyMeshConfigMap(state, cm("istio"));
    assert.equal(m.error, undefined);
    state = m.state;
    const cluster = settingsOf(state, {}, true);
    assert.ok(cluster.templates?.sidecar?.includes("istio-iptables"), "Istio's sidecar text is read from config.templates");
    const own = settingsFromIstioOperator({ hub: "registry.istio.io/testing", tag: "latest" }, { nativeSidecars: true });
    let compared = 0;
    for (const c of corpusCases()) {
      if (c.skipInjection || c.setFlags.length || c.inFilePath || c.meshConfig || c.env.ENABLE_NATIVE_SIDECARS !== "true") continue;
      const file = path.join(corpus, "testdata", c.in);
      const a = injectFile(file, own);
      const b = injectFile(file, cluster);
      assert.equal(b.ok, a.ok, `${c.id}: ${JSON.stringify(b).slice(0, 300)}`);
      if (a.ok && b.ok) assert.equal(firstDiff(a.objects, b.objects), undefined, c.id);
      compared++;
    }
    assert.ok(compared > 60, `${compared} cases compared`);
  });
});

