// The shipped CRDs are generated from the validator's schemas; they must be current and structural.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import { CRDS_FILE, istioCrds, renderCrdsYaml, toOpenApi } from "../../src/webhook/validate/crds.js";
import { S } from "../../src/schema/schema.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Kubernetes' structural-schema rule: every node has a type unless it preserves unknown fields. */
function nonStructural(node: any, at: string, out: string[]): string[] {
  if (!node.type && !node["x-kubernetes-preserve-unknown-fields"] && !node["x-kubernetes-int-or-string"]) out.push(at);
  for (const [k, v] of Object.entries(node.properties ?? {})) nonStructural(v, `${at}.${k}`, out);
  if (node.items) nonStructural(node.items, `${at}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === "object") nonStructural(node.additionalProperties, `${at}{}`, out);
  return out;
}

describe("Istio CRDs", () => {
  it("the committed charts/pilotfish/crds/istio.yaml is what `make crds` generates", () => {
    const committed = fs.readFileSync(path.join(root, CRDS_FILE), "utf8");
    assert.equal(committed, renderCrdsYaml((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 })), "run `make crds` and commit the result");
  });

  it("covers the 15 Istio kinds (TrafficExtension included) and IstioOperator with Istio's served versions and one storage version each", () => {
    const crds = istioCrds() as any[];
    const byName = Object.fromEntries(crds.map((c) => [c.metadata.name, c]));
    assert.equal(crds.length, 16);
    assert.deepEqual(byName["trafficextensions.extensions.istio.io"].spec.versions.map((v: any) => v.name), ["v1alpha1"]);
    assert.deepEqual(byName["virtualservices.networking.istio.io"].spec.versions.map((v: any) => [v.name, v.storage]), [["v1", true], ["v1alpha3", false], ["v1beta1", false]]);
    assert.deepEqual(byName["envoyfilters.networking.istio.io"].spec.versions.map((v: any) => v.name), ["v1alpha3"]);
    assert.deepEqual(byName["authorizationpolicies.security.istio.io"].spec.versions.map((v: any) => v.name), ["v1", "v1beta1"]);
    assert.deepEqual(byName["telemetries.telemetry.istio.io"].spec.versions.map((v: any) => [v.name, v.storage]), [["v1", false], ["v1alpha1", true]]);
    assert.equal(byName["istiooperators.install.istio.io"].spec.names.shortNames[0], "iop");
    for (const c of crds) {
      assert.equal(c.spec.versions.filter((v: any) => v.storage).length, 1, c.metadata.name);
      assert.equal(c.metadata.name, `${c.spec.names.plural}.${c.spec.group}`);
      for (const v of c.spec.versions) assert.deepEqual(nonStructural(v.schema.openAPIV3Schema, "", []), [], `${c.metadata.name} ${v.name} is not structural`);
    }
  });

  it("maps validator types to OpenAPI types, keeping unknown fields for the webhook to name", () => {
    const o = toOpenApi(S.obj({ port: S.int(1, 65535), hosts: S.strs(), labels: S.map(), timeout: S.dur, on: S.bool, any: S.any, refs: S.arr(S.str({ min: 1, max: 253 }), { max: 16 }) })) as any;
    assert.equal(o.type, "object");
    assert.equal(o["x-kubernetes-preserve-unknown-fields"], true);
    assert.deepEqual(o.properties.port, { type: "integer" });
    assert.deepEqual(o.properties.hosts, { type: "array", items: { type: "string" } });
    assert.deepEqual(o.properties.labels, { type: "object", additionalProperties: { type: "string" } });
    assert.deepEqual(o.properties.timeout, { type: "string" });
    assert.deepEqual(o.properties.on, { type: "boolean" });
    assert.deepEqual(o.properties.any, { "x-kubernetes-preserve-unknown-fields": true });
    // Count and length bounds go to the API server (they bound the CEL rules' cost); number ranges stay the webhook's.
    assert.deepEqual(o.properties.refs, { type: "array", maxItems: 16, items: { type: "string", minLength: 1, maxLength: 253 } });
  });
});
