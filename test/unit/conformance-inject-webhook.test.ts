// Istio's webhook comparisons of its whole injection corpus (test/conformance/istio-inject-all), in process: what
// Istio 1.30.3's TestInjection does after kube-inject (pkg/kube/inject/inject_test.go runWebhook, webhook_test.go
// objectToPod/getInjectableYamlDocs/normalizeAndCompareDeployments). Each injectable document of the input and of the
// golden becomes the Pod its controller would create (generateName, a controller ownerReference; a Deployment's pod
// is owned by ReplicaSet <name>-fake with pod-template-hash "fake"), the input Pod is sent through pilotfish's
// admission path (revision "default", the namespace of the input document, the fake cluster's test-ns annotations),
// the JSON patch is applied to the Pod as sent, and the result must equal the golden Pod, compared as Istio compares
// (status annotation dropped on both sides, fieldRef.apiVersion cleared in got's containers, both sides as Go's
// typed round trip prints them: nulls and empty maps dropped, quantities canonical). This covers the three
// OpenShift cases Istio runs through its webhook only.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadAll } from "js-yaml";
import jsonpatch from "fast-json-patch";

import { handleInjectReview, parseAdmissionReview } from "../../src/webhook/admission.js";
import { canonicalQuantity } from "../../src/webhook/inject/quantity.js";
import { caseSettings, corpus, corpusCases, firstDiff, istioTemplateTexts, withIstioTexts } from "./inject-template-corpus.js";
import type { InjectionSettings } from "../../src/config/injection-types.js";

type Obj = Record<string, any>;
const INJECTABLE = new Set(["Deployment", "DeploymentConfig", "DaemonSet", "StatefulSet", "Job", "ReplicaSet", "ReplicationController", "CronJob", "Pod"]);
/** The fake cluster's namespace test-ns (Istio's TestInjection fixture). */
const NAMESPACES: Record<string, Record<string, string>> = {
  "test-ns": { "openshift.io/sa.scc.uid-range": "1000620000/10000", "openshift.io/sa.scc.supplemental-groups": "1000620000/10000" },
};

/** Istio's splitYamlBytes + getInjectableYamlDocs: split on "\n---", keep injectable kinds, expand Lists. */
function injectableDocs(text: string): Obj[] {
  const out: Obj[] = [];
  const visit = (d: any) => {
    if (!d || typeof d !== "object") return;
    if (INJECTABLE.has(d.kind)) out.push(d);
    else if (d.kind === "List") for (const i of d.items ?? []) visit(i);
  };
  for (const part of text.split("\n---")) for (const d of loadAll(part.replace(/^-*/, ""))) visit(d);
  return out;
}

const GROUP_VERSION: Record<string, string> = {
  Deployment: "apps/v1", DaemonSet: "apps/v1", StatefulSet: "apps/v1", ReplicaSet: "apps/v1", Job: "batch/v1", CronJob: "batch/v1",
  ReplicationController: "v1", DeploymentConfig: "apps.openshift.io/v1",
};

/** Istio's objectToPod. */
function objectToPod(o: Obj): Obj {
  const owned = (meta: Obj | undefined, name: string, apiVersion: string, kind: string): Obj => ({
    ...(meta ?? {}),
    generateName: name,
    ownerReferences: [{ apiVersion, kind, name, controller: true }],
  });
  const gv = o.apiVersion ?? GROUP_VERSION[o.kind];
  switch (o.kind) {
    case "Pod":
      return structuredClone(o);
    case "CronJob": {
      const t = o.spec.jobTemplate.spec.template;
      return { metadata: owned(t.metadata, o.metadata.name, gv, o.kind), spec: structuredClone(t.spec) };
    }
    case "Deployment": {
      const t = o.spec.template;
      const meta = owned(t.metadata, o.metadata.name + "-fake", "apps/v1", "ReplicaSet");
      meta.generateName += "-";
      meta.labels = { ...(meta.labels ?? {}), "pod-template-hash": "fake" };
      return { metadata: meta, spec: structuredClone(t.spec) };
    }
    default: {
      const t = o.spec.template;
      return { metadata: owned(t.metadata, o.metadata.name, gv, o.kind), spec: structuredClone(t.spec) };
    }
  }
}

/** Go's typed round trip as the comparison sees it. */
function normalise(v: any, key = ""): any {
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v && typeof v === "object") {
    const o: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) continue;
      let y = (key === "limits" || key === "requests") && (typeof x === "string" || typeof x === "number") ? canonicalQuantity(x) : normalise(x, k);
      if (typeof y === "string" && (k === "value" || k.startsWith("sidecar.istio.io/") || k === "proxy.istio.io/overrides") && /^\s*[[{]/.test(y)) {
        try {
          y = { json: JSON.parse(y) };
        } catch {
          /* not JSON */
        }
      }
      if (y && typeof y === "object" && !Array.isArray(y) && Object.keys(y).length === 0 && k !== "emptyDir") continue;
      if (k === "readOnly" && y === false) continue;
      o[k] = y;
    }
    return o;
  }
  return v;
}

function scrub(pod: Obj, got: boolean): Obj {
  const p = structuredClone(pod);
  if (p.metadata?.annotations) delete p.metadata.annotations["sidecar.istio.io/status"];
  if (got) for (const c of p.spec?.containers ?? []) for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) delete e.valueFrom.fieldRef.apiVersion;
  return normalise(p);
}

function webhookCases(label: string, settingsOf: (s: InjectionSettings) => InjectionSettings): void {
  it(`every case Istio runs through its webhook (${label})`, () => {
    const failures: string[] = [];
    let checked = 0;
    for (const c of corpusCases()) {
      if ((c as Obj).skipWebhook || c.expectedError || !c.want) continue;
      const settings = settingsOf(caseSettings(c));
      const inputs = injectableDocs(fs.readFileSync(path.join(corpus, "testdata", c.in), "utf8"));
      const wants = injectableDocs(fs.readFileSync(path.join(corpus, "testdata", c.want), "utf8"));
      assert.equal(inputs.length, wants.length, `${c.id}: documents`);
      inputs.forEach((input, i) => {
        const pod = objectToPod(input);
        const namespace = input.metadata?.namespace ?? "";
        const review = parseAdmissionReview({
          apiVersion: "admission.k8s.io/v1",
          kind: "AdmissionReview",
          request: { uid: "00000000-0000-4000-8000-000000000001", kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE", namespace, object: pod },
        });
        const res = handleInjectReview(review, settings, { revision: "default", namespaceAnnotations: NAMESPACES[namespace] });
        const body = res.body as Obj;
        let got = pod;
        if (body.response?.patch) got = jsonpatch.applyPatch(structuredClone(pod), JSON.parse(Buffer.from(body.response.patch, "base64").toString("utf8"))).newDocument;
        else if (body.response?.allowed === false) failures.push(`${c.id} [${i}]: denied: ${body.response.status?.message}`);
        const d = firstDiff(scrub(got, true), scrub(objectToPod(wants[i]), false));
        if (d) failures.push(`${c.id} [${i}]: ${d}`);
      });
      checked++;
    }
    console.log(`# webhook path, ${label}: ${checked - new Set(failures.map((f) => f.split(" [")[0])).size}/${checked} cases identical`);
    assert.deepEqual(failures, []);
  });
}

describe("Istio's webhook comparisons of its whole injection corpus", () => {
  webhookCases("built-in templates", (s) => s);
  const istio = istioTemplateTexts();
  webhookCases("Istio 1.30.3's template texts through the template path", (s) => withIstioTexts(s, istio));
});
