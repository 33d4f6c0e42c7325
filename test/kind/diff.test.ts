// End-to-end: `pilotfish diff` and `install --dry-run` against a real API server: everything to create on an
// empty cluster; after `install`, no difference at all (the server's defaults, status and another manager's
// fields are not differences); a changed setting shows field by field; a component turned off is pruned; and
// neither command writes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startCluster, type Cluster } from "./cluster.js";
import { main } from "../../src/cli/main.js";
import type { DiffReport } from "../../src/operator/reconcile/diff.js";

describe("pilotfish diff against a cluster", { timeout: 600_000 }, () => {
  let cluster: Cluster;
  async function pf(args: string[]) {
    let out = "";
    let err = "";
    const code = await main([...args, "--kubeconfig", cluster.kubeconfigPath], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), readStdin: async () => "" });
    return { code, out, err };
  }
  const istiod = async () => JSON.parse((await cluster.kubectl(["get", "deploy", "istiod", "-n", "istio-system", "-o", "json"])).stdout);

  before(async () => {
    cluster = await startCluster();
  });

  after(async () => {
    await cluster?.stop();
  });

  it("an empty cluster: everything is created, exit 1; nothing is written", async () => {
    const r = await pf(["diff", "--set", "profile=minimal"]);
    assert.equal(r.code, 1, r.err + cluster.logsTail());
    assert.match(r.out, /^\+ create Namespace istio-system\n/);
    assert.match(r.out, /\+ create Deployment istio-system\/istiod\n/);
    assert.match(r.out, /\n\d+ to create, 0 to change, 0 to prune, 0 unchanged\n$/);
    const ns = await cluster.kubectl(["get", "ns", "istio-system"]);
    assert.notEqual(ns.code, 0, "diff created the namespace");
  });

  it("after install: no differences (exit 0), server defaults and status ignored", async () => {
    const inst = await pf(["install", "--set", "profile=minimal", "-y", "--readiness-timeout", "0s"]);
    // No kubelet: istiod never becomes ready, so install reports the wait; everything was applied.
    assert.ok((await istiod()).metadata.uid, inst.err);
    const r = await pf(["diff", "--set", "profile=minimal", "-o", "json"]);
    const report = JSON.parse(r.out) as DiffReport;
    const changed = report.objects.filter((o) => o.action !== "unchanged");
    assert.deepEqual(changed.map((o) => ({ kind: o.kind, name: o.name, action: o.action, fields: o.fields })), []);
    assert.equal(r.code, 0, r.err);
    assert.ok(report.counts.unchanged > 10);
    // Another manager's label is not a difference either.
    assert.equal((await cluster.kubectl(["label", "deploy", "istiod", "-n", "istio-system", "team=mesh"])).code, 0);
    assert.equal((await pf(["diff", "--set", "profile=minimal"])).code, 0);
  });

  it("a changed setting field by field, a component turned off pruned; install --dry-run prints the same and writes nothing", async (t) => {
    const before = await istiod();
    const sets = ["--set", "profile=minimal", "--set", "values.pilot.env.FOO=bar", "--set", "values.pilot.resources.requests.cpu=250m", "--set", "values.pilot.autoscaleEnabled=false"];
    const r = await pf(["diff", ...sets]);
    t.diagnostic("\n" + r.out);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /~ change Deployment istio-system\/istiod\n/);
    assert.match(r.out, /    \+ spec.template.spec.containers\[name=discovery\].env\[name=FOO\]: \{"name":"FOO","value":"bar"\}\n/);
    assert.match(r.out, /    ~ spec.template.spec.containers\[name=discovery\].resources.requests.cpu: "500m" → "250m"\n/);
    assert.match(r.out, /- prune  HorizontalPodAutoscaler istio-system\/istiod\n/);
    const dry = await pf(["install", "--dry-run", ...sets]);
    assert.equal(dry.code, 0, dry.err);
    assert.equal(dry.out, r.out);
    const after = await istiod();
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, "dry run wrote istiod");
    assert.equal((await cluster.kubectl(["get", "hpa", "istiod", "-n", "istio-system"])).code, 0, "dry run pruned the HPA");
    // Applied for real, the same flags leave nothing to diff; dropping FOO again is a removal (managedFields).
    await pf(["install", ...sets, "-y", "--readiness-timeout", "0s"]);
    assert.equal((await pf(["diff", ...sets])).code, 0);
    const back = await pf(["diff", "--set", "profile=minimal", "--set", "values.pilot.resources.requests.cpu=250m", "--set", "values.pilot.autoscaleEnabled=false"]);
    t.diagnostic("\n" + back.out);
    assert.equal(back.code, 1);
    assert.match(back.out, /    - spec.template.spec.containers\[name=discovery\].env\[name=FOO\]: \{"name":"FOO","value":"bar"\} \(no longer rendered\)\n/);
  });
});
