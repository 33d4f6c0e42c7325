// End-to-end: the addon objects (Prometheus, Grafana, Jaeger, Kiali) as the demo renders them, applied to the
// real local kube-apiserver with strict field validation: every object is schema-valid and stored. Pods never
// run there (no kubelet); what the addons do once running is checked by test/unit/addons.test.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dump } from "js-yaml";
import { startCluster, type Cluster } from "./cluster.js";
import { resolveIop } from "../../src/config/resolve.js";
import { manifestObjects, render } from "../../src/operator/render/index.js";

const ADDONS = new Set(["Prometheus", "Grafana", "Jaeger", "Kiali"]);

describe("addons on a real API server", { timeout: 600_000 }, () => {
  let cluster: Cluster;
  before(async () => { cluster = await startCluster(); });
  after(async () => { await cluster?.stop(); });

  it("accepts every addon object of the demo (addons spread over two namespaces) with --validate=strict", async () => {
    const spec = { profile: "demo", addonComponents: { jaeger: { enabled: true, namespace: "observability" } } };
    const r = render(resolveIop({ docs: [{ source: "e2e", doc: { kind: "IstioOperator", spec } as never }], sets: [] }));
    const objs = manifestObjects({ ...r, components: r.components.filter((c) => ADDONS.has(c.component)) });
    assert.ok(objs.length >= 20, `${objs.length} addon objects`);
    for (const ns of ["istio-system", "observability"]) {
      const c = await cluster.kubectl(["create", "namespace", ns]);
      assert.equal(c.code, 0, c.stderr);
    }
    const yaml = objs.map((o) => dump(o, { lineWidth: -1 })).join("---\n");
    const applied = await cluster.kubectl(["apply", "--validate=strict", "-f", "-"], yaml);
    assert.equal(applied.code, 0, applied.stderr);
    for (const o of objs) {
      const args = ["get", `${o.kind.toLowerCase()}.${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}`.replace(/\.$/, ""), o.metadata.name, "-o", "name"];
      if (o.metadata.namespace) args.push("-n", o.metadata.namespace);
      const got = await cluster.kubectl(args);
      assert.equal(got.code, 0, `${o.kind}/${o.metadata.name}: ${got.stderr}`);
    }
    console.log(`# ${objs.length} addon objects applied and stored`);
  });
});
