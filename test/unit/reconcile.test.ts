// The IstioOperator reconciler against an in-memory client: apply order, status, requeue while not ready,
// no writes on a resync with nothing to change, prune, drift, invalid specs, apply errors, the finalizer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeKube } from "./reconcile-fake.js";
import { IstioOperatorReconciler } from "../../src/operator/reconcile/reconciler.js";
import { FINALIZER, L_COMPONENT } from "../../src/operator/reconcile/plan.js";
import { resolveIop } from "../../src/config/resolve.js";
import { render } from "../../src/operator/render/index.js";
import { createLogger } from "../../src/telemetry/logger.js";

const NS = "istio-system";
const KEY = `${NS}/main`;
const T0 = new Date("2026-01-01T00:00:00Z");

function setup(spec: object) {
  const kube = new FakeKube();
  kube.put({ apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", metadata: { name: "main", namespace: NS }, spec } as never);
  const rec = new IstioOperatorReconciler(kube, { logger: createLogger({ level: "silent" }), firstRecheckMs: 1000, maxRecheckMs: 8000, now: () => T0 });
  const iop = () => kube.obj("IstioOperator", NS, "main") as any;
  return { kube, rec, iop };
}

/** Component order as rendered for `spec`, and which component each object id belongs to. */
function rendered(spec: object) {
  const r = resolveIop({ docs: [{ source: "t", doc: { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", metadata: { name: "main" }, spec } as never }], sets: [] });
  return render(r).components;
}

const setSpec = (kube: FakeKube, spec: object) => {
  const cur = kube.obj("IstioOperator", NS, "main")!;
  kube.put({ ...cur, spec } as never);
};

const markReady = (kube: FakeKube) => {
  for (const o of kube.objects.values()) {
    if (o.kind === "Deployment") o.status = { observedGeneration: o.metadata.generation, readyReplicas: Number((o.spec as any).replicas ?? 1) };
  }
};

describe("IstioOperator reconciler", () => {
  it("applies component by component in render order, CRDs first, adds the finalizer, and says what it waits for", async () => {
    const { kube, rec, iop } = setup({ profile: "minimal" });
    const r = await rec.reconcile(KEY);
    const comps = rendered({ profile: "minimal" });
    const order = comps.map((c) => c.component);
    assert.deepEqual(order, ["Base", "Pilot"]);
    const applied = kube.writesOf("apply").map((w) => kube.obj(w.kind, w.id.split("/")[1] || undefined, w.id.split("/")[2])!);
    assert.equal(applied.length, comps.reduce((n, c) => n + c.objects.length, 0), "every rendered object applied once");
    const compIdx = applied.map((o) => order.indexOf((o.metadata.labels as any)[L_COMPONENT]));
    assert.deepEqual(compIdx, [...compIdx].sort((a, b) => a - b), "components applied in order");
    const firstNonCrd = applied.findIndex((o) => o.kind !== "CustomResourceDefinition");
    assert.ok(applied.slice(firstNonCrd).every((o) => o.kind !== "CustomResourceDefinition"), "Base's CRDs first");
    assert.ok(iop().metadata.finalizers.includes(FINALIZER));
    assert.equal(r.status!.status, "RECONCILING");
    assert.equal(iop().status.componentStatus.Base.status, "HEALTHY");
    assert.deepEqual(iop().status.componentStatus.Pilot, { status: "RECONCILING", message: "waiting for Deployment istio-system/istiod (0/1 replicas ready)" });
    assert.match(iop().status.message, /waiting for Pilot: waiting for Deployment istio-system\/istiod/);
    assert.equal(iop().status.observedGeneration, iop().metadata.generation);
    assert.equal(iop().status.conditions.find((c: any) => c.type === "Ready").status, "False");
    assert.equal(r.requeueAfterMs, 1000, "not ready: requeued, never waited for");
    assert.deepEqual(kube.events.map((e) => e.reason), ["Applied", "Applied"]);
  });

  it("a resync with nothing to change makes no write, and rechecks later and later (capped)", async () => {
    const { kube, rec } = setup({ profile: "minimal" });
    await rec.reconcile(KEY);
    const n = kube.writes.length;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) delays.push((await rec.reconcile(KEY)).requeueAfterMs!);
    assert.deepEqual(kube.writes.slice(n), [], "no write");
    assert.deepEqual(delays, [2000, 4000, 8000, 8000, 8000]);
  });

  it("once everything is ready the status turns HEALTHY with one status write, and no requeue", async () => {
    const { kube, rec, iop } = setup({ profile: "minimal" });
    await rec.reconcile(KEY);
    markReady(kube);
    const n = kube.writes.length;
    const r = await rec.reconcile(KEY);
    assert.deepEqual(kube.writes.slice(n), [{ verb: "patch", kind: "IstioOperator", id: `IstioOperator/${NS}/main`, subresource: "status" }]);
    assert.equal(r.requeueAfterMs, undefined);
    assert.equal(iop().status.status, "HEALTHY");
    assert.equal(iop().status.message, "all components healthy");
    assert.equal(iop().status.conditions.find((c: any) => c.type === "Ready").status, "True");
  });

  it("prunes what the spec no longer renders, says so in an Event, and drops the component from status", async () => {
    const { kube, rec, iop } = setup({ profile: "demo" });
    await rec.reconcile(KEY);
    assert.ok(kube.obj("Deployment", NS, "istio-egressgateway"));
    setSpec(kube, { profile: "demo", components: { egressGateways: [{ name: "istio-egressgateway", enabled: false }] } });
    const n = kube.writes.length;
    const r = await rec.reconcile(KEY);
    const deleted = kube.writes.slice(n).filter((w) => w.verb === "delete").map((w) => w.id);
    assert.ok(deleted.includes(`Deployment/${NS}/istio-egressgateway`), deleted.join(" "));
    assert.ok(deleted.every((d) => d.includes("egressgateway")), `only the egress gateway: ${deleted}`);
    assert.equal(r.pruned, deleted.length);
    assert.equal(kube.writes.slice(n).filter((w) => w.verb === "apply").length, 0, "nothing else changed");
    assert.equal(kube.obj("Deployment", NS, "istio-egressgateway"), undefined);
    assert.ok(!("EgressGateways" in iop().status.componentStatus));
    assert.match(String(kube.events.at(-1)!.message), /removed \d+ object\(s\) the spec no longer renders: .*Deployment\/istio-system\/istio-egressgateway/);
  });

  it("never prunes an object another controller owns, even when it carries the owner's labels (EndpointSlices of its Services)", async () => {
    const { kube, rec } = setup({ profile: "minimal" });
    await rec.reconcile(KEY);
    const labels = (kube.obj("Service", NS, "istiod")!.metadata as any).labels;
    kube.put({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "istiod-x1", namespace: NS, labels: { ...labels },
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "istiod", uid: "u", controller: true }] } } as never);
    const n = kube.writes.length;
    await rec.reconcile(KEY);
    assert.deepEqual(kube.writes.slice(n).filter((w) => w.verb === "delete").map((w) => w.id), []);
    assert.ok(kube.obj("EndpointSlice", NS, "istiod-x1"), "the EndpointSlice controller's slice is left alone");
  });

  it("puts back an owned object someone deleted, and only that one", async () => {
    const { kube, rec } = setup({ profile: "minimal" });
    await rec.reconcile(KEY);
    await kube.delete("v1", "ConfigMap", NS, "istio");
    const n = kube.writes.length;
    await rec.reconcile(KEY);
    assert.deepEqual(kube.writes.slice(n).filter((w) => w.verb === "apply").map((w) => w.id), [`ConfigMap/${NS}/istio`]);
  });

  it("an invalid spec is reported in status and an Event, is not requeued, and a repeat writes nothing", async () => {
    const { kube, rec, iop } = setup({ profile: "minimal", values: { pilot: { autoscalMin: 2 } } });
    const r = await rec.reconcile(KEY);
    assert.equal(r.requeueAfterMs, undefined);
    assert.equal(iop().status.status, "ERROR");
    assert.match(iop().status.message, /autoscalMin: unknown field "autoscalMin"; did you mean "autoscaleMin"/);
    assert.equal(kube.writesOf("apply").length, 0);
    assert.deepEqual(kube.events.map((e) => e.reason), ["InvalidSpec"]);
    const n = kube.writes.length;
    await rec.reconcile(KEY);
    assert.deepEqual(kube.writes.slice(n), []);
  });

  it("a component that fails to apply is ERROR in status with its error, the others still go on, and the queue retries it", async () => {
    const { kube, rec, iop } = setup({ profile: "minimal" });
    kube.failApply.set(`ConfigMap/${NS}/istio`, "admission webhook denied the request: nope");
    await assert.rejects(rec.reconcile(KEY), /Pilot failed to apply/);
    assert.equal(iop().status.status, "ERROR");
    assert.equal(iop().status.componentStatus.Pilot.status, "ERROR");
    assert.match(iop().status.componentStatus.Pilot.error, /denied the request: nope/);
    assert.ok(kube.obj("Deployment", NS, "istiod"), "the rest of Pilot is applied");
    assert.ok(kube.events.some((e) => e.reason === "ApplyFailed" && /Istiod: .*nope/.test(String(e.message))));
  });

  it("on delete removes every owned object but the CRDs, then releases the finalizer", async () => {
    const { kube, rec } = setup({ profile: "minimal" });
    await rec.reconcile(KEY);
    const crds = [...kube.objects.values()].filter((o) => o.kind === "CustomResourceDefinition").length;
    assert.ok(crds > 0);
    const cur = kube.obj("IstioOperator", NS, "main")!;
    (cur.metadata as any).deletionTimestamp = T0.toISOString();
    const r = await rec.reconcile(KEY);
    assert.ok(r.deleted! > 10);
    assert.equal(r.requeueAfterMs, undefined);
    const left = [...kube.objects.values()].filter((o) => (o.metadata.labels as any)?.["install.operator.istio.io/owning-resource"] === "main");
    assert.ok(left.every((o) => o.kind === "CustomResourceDefinition"), left.map((o) => o.kind).join(","));
    assert.equal(left.length, crds);
    assert.equal(kube.obj("IstioOperator", NS, "main"), undefined, "finalizer released: the IstioOperator is gone");
    assert.ok(kube.events.some((e) => e.reason === "Uninstalled"));
  });

  it("an aborted reconcile (leadership lost, too slow) stops before the next component", async () => {
    const { kube, rec } = setup({ profile: "minimal" });
    const abort = new AbortController();
    const apply = kube.apply.bind(kube);
    kube.apply = async (o) => {
      if (o.kind === "CustomResourceDefinition") abort.abort(new Error("lost the lease"));
      return apply(o);
    };
    await assert.rejects(rec.reconcile(KEY, abort.signal), /lost the lease/);
    const components = new Set(kube.writesOf("apply").map((w) => (kube.obj(w.kind, w.id.split("/")[1] || undefined, w.id.split("/")[2])!.metadata.labels as any)[L_COMPONENT]));
    assert.deepEqual([...components], ["Base"], "Pilot was not started");
  });

  it("an IstioOperator that does not exist (any more) is a no-op", async () => {
    const { kube, rec } = setup({ profile: "minimal" });
    const r = await rec.reconcile(`${NS}/other`);
    assert.deepEqual(r, { applied: 0, skipped: 0, pruned: 0 });
    assert.deepEqual(kube.writes, []);
  });
});
