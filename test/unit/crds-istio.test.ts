// pilotfish's CRDs serve what Istio 1.30.3's serve: per kind and version, the versions (order, served, storage),
// names, scope, subresources, printer columns, CEL rules at the same schema paths, count/length bounds, the top-level
// `required` and the resource-policy annotation. Not compared, on purpose (see src/webhook/validate/crds.ts): required
// fields below `spec`, list-map keys, enums, patterns, number ranges, descriptions. Istio's CRDs: test/conformance/istio-crds/crd-all.gen.yaml (a copy
// of manifests/charts/base/files/crd-all.gen.yaml at tag 1.30.3). Where a CEL rule rejects an object, pilotfish's
// webhook rejects it too (test/conformance/istio-crds/cel-examples.json; each example was checked once against
// kube-apiserver 1.35 with Istio's CRDs and with pilotfish's: both reject it with the example's message).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import { CRDS_FILE } from "../../src/webhook/validate/crds.js";
import { validateResource } from "../../src/webhook/validate/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const here = path.join(root, "test/conformance/istio-crds");
const load = (file: string) => (yaml.loadAll(fs.readFileSync(file, "utf8")) as any[]).filter((d) => d && d.kind === "CustomResourceDefinition");
const ISTIO = load(path.join(here, "crd-all.gen.yaml"));
const OURS = load(path.join(root, CRDS_FILE));

const BOUNDS = ["minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength"];

/** Every schema node's CEL rules and bounds, by path (`.spec.a[].b{}`). */
function schemaFacts(node: any, at = "", out: { rules: Record<string, string[]>; bounds: Record<string, string> } = { rules: {}, bounds: {} }) {
  if (!node || typeof node !== "object") return out;
  if (node["x-kubernetes-validations"]) out.rules[at] = node["x-kubernetes-validations"].map((v: any) => `${v.rule} => ${v.message}`);
  const b = BOUNDS.filter((k) => node[k] !== undefined).map((k) => `${k}=${node[k]}`);
  if (b.length) out.bounds[at] = b.join(" ");
  for (const [k, v] of Object.entries(node.properties ?? {})) schemaFacts(v, `${at}.${k}`, out);
  if (node.items) schemaFacts(node.items, `${at}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === "object") schemaFacts(node.additionalProperties, `${at}{}`, out);
  return out;
}

/** What the API server serves for a CRD, in a form two CRDs can be compared by. */
function served(crd: any) {
  const s = crd.spec;
  return {
    group: s.group,
    scope: s.scope,
    names: s.names,
    annotation: crd.metadata.annotations?.["helm.sh/resource-policy"],
    versions: s.versions.map((v: any) => {
      const schema = v.schema.openAPIV3Schema;
      const facts = schemaFacts(schema.properties?.spec, ".spec");
      return {
        name: v.name,
        served: v.served,
        storage: v.storage,
        deprecated: v.deprecated ?? false,
        subresources: v.subresources ?? {},
        // Descriptions are each project's own words; what kubectl shows is name, type, path, priority and format.
        columns: (v.additionalPrinterColumns ?? []).map((c: any) => ({ name: c.name, type: c.type, jsonPath: c.jsonPath, priority: c.priority ?? 0, format: c.format })),
        required: schema.required ?? [],
        ruleCount: Object.values(facts.rules).flat().length,
        rules: facts.rules,
        bounds: facts.bounds,
      };
    }),
  };
}

/** The differences between two CRDs' served facts, as readable lines (empty when equal). */
function differences(a: unknown, b: unknown, at = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences((a as any)[k], (b as any)[k], `${at}/${k}`));
  }
  return [`${at}: pilotfish ${JSON.stringify(a)}, Istio ${JSON.stringify(b)}`];
}

describe("CRDs equal to Istio 1.30.3's in what the API server serves", () => {
  it("the test data holds Istio's 15 CRDs and pilotfish ships each of them (plus IstioOperator)", () => {
    assert.equal(ISTIO.length, 15);
    const ours = new Set(OURS.map((c) => c.metadata.name));
    for (const c of ISTIO) assert.ok(ours.has(c.metadata.name), `pilotfish ships no ${c.metadata.name}`);
    assert.deepEqual(OURS.map((c) => c.metadata.name).filter((n) => !ISTIO.some((c) => c.metadata.name === n)), ["istiooperators.install.istio.io"]);
  });

  for (const istio of ISTIO) {
    const kind = istio.spec.names.kind;
    it(`${kind}: versions, served/storage, names, scope, subresources, printer columns, CEL rules, bounds`, () => {
      const ours = OURS.find((c) => c.metadata.name === istio.metadata.name);
      const diff = differences(served(ours), served(istio));
      assert.deepEqual(diff, [], `${kind} differs from Istio 1.30.3's CRD:\n  ${diff.join("\n  ")}`);
      assert.ok(served(istio).versions.every((v: any) => v.ruleCount === served(ours).versions[0].ruleCount));
    });
  }

  it("the comparison notices a changed storage version, printer column, shortName, rule and bound", () => {
    const istio = ISTIO.find((c) => c.spec.names.kind === "ServiceEntry");
    const mutations: ((c: any) => void)[] = [
      (c) => { c.spec.versions[0].storage = false; c.spec.versions[1].storage = true; },
      (c) => c.spec.versions[0].additionalPrinterColumns.pop(),
      (c) => (c.spec.names.shortNames = []),
      (c) => c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.hosts.items["x-kubernetes-validations"][0].rule = "true",
      (c) => delete c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.ports.maxItems,
      (c) => delete c.metadata.annotations,
      (c) => delete c.spec.versions[0].schema.openAPIV3Schema.required,
    ];
    for (const m of mutations) {
      const changed = structuredClone(istio);
      m(changed);
      assert.notDeepEqual(differences(served(changed), served(istio)), [], String(m));
    }
  });

  it("Telemetry is stored as v1alpha1, as Istio stores it (a cluster with Istio's CRDs keeps reading its objects)", () => {
    for (const istio of ISTIO) {
      const ours = OURS.find((c) => c.metadata.name === istio.metadata.name);
      const storage = (c: any) => c.spec.versions.find((v: any) => v.storage).name;
      assert.equal(storage(ours), storage(istio), istio.metadata.name);
    }
  });

  describe("where a CEL rule rejects, pilotfish's webhook rejects too", () => {
    const examples = JSON.parse(fs.readFileSync(path.join(here, "cel-examples.json"), "utf8")) as { name: string; apiVersion: string; kind: string; spec: unknown; message: string; webhook?: boolean }[];
    it("the examples cover every kind with CEL rules and every distinct rule message", () => {
      const messages = new Set(ISTIO.flatMap((c) => Object.values(schemaFacts(c.spec.versions[0].schema.openAPIV3Schema.properties.spec, ".spec").rules).flat().map((r) => r.split(" => ").pop())));
      const covered = new Set(examples.map((e) => e.message));
      assert.deepEqual([...messages].filter((m) => !covered.has(m!)), []);
      assert.deepEqual([...new Set(ISTIO.map((c) => c.spec.names.kind))].filter((k) => !examples.some((e) => e.kind === k)), []);
    });
    for (const e of examples) {
      it(`${e.name}: ${e.message}`, () => {
        const crd = OURS.find((c) => c.spec.names.kind === e.kind && c.spec.versions.some((v: any) => `${c.spec.group}/${v.name}` === e.apiVersion));
        assert.ok(crd, `no CRD serves ${e.apiVersion} ${e.kind}`);
        const rules = Object.values(schemaFacts(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec, ".spec").rules).flat();
        assert.ok(rules.some((r) => r.endsWith(` => ${e.message}`)), `the ${e.kind} CRD has no rule with message "${e.message}"`);
        const r = validateResource({ apiVersion: e.apiVersion, kind: e.kind, metadata: { name: e.name, namespace: "default" }, spec: e.spec });
        if (e.webhook === false) assert.deepEqual(r.errors, [], "expected the webhook to leave this to the CRD, as Istio's webhook does");
        else assert.ok(r.errors.length > 0, `the webhook allows what the CRD rule "${e.message}" rejects`);
      });
    }
  });
});
