// The IstioOperator reconciler under API faults, with the in-memory client (test/unit/reconcile-fake.ts): a write
// conflict (409) or throttling past the client's retries (429) on apply and on the status write, the API server
// going away mid-reconcile, an object refused for good (422), and two IstioOperators for one revision. What must
// hold: the reconcile never waits in itself (it fails and the queue retries with backoff), stops at the first
// transient failure instead of spending retries on every further object, leaves status truthful, and converges
// on the next pass. The same faults against a real API server: test/kind/operator-faults.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeKube } from "./reconcile-fake.js";
import { IstioOperatorReconciler, ReconcileIncomplete } from "../../src/operator/reconcile/reconciler.js";
import { transientError } from "../../src/operator/reconcile/apply.js";
import { Controller } from "../../src/kube/controller.js";
import { KubeError } from "../../src/kube/client.js";
import { createLogger } from "../../src/telemetry/logger.js";

const NS = "istio-system";
const T0 = new Date("2026-01-01T00:00:00Z");
const IOP = "install.istio.io/v1alpha1";

function setup(spec: object = { profile: "minimal" }) {
  const kube = new FakeKube();
  kube.put({ apiVersion: IOP, kind: "IstioOperator", metadata: { name: "main", namespace: NS, creationTimestamp: "2026-01-01T00:00:00Z" }, spec } as never);
  const rec = new IstioOperatorReconciler(kube, { logger: createLogger({ level: "silent" }), firstRecheckMs: 1000, maxRecheckMs: 8000, now: () => T0 });
  const iop = (name = "main") => kube.obj("IstioOperator", NS, name) as any;
  return { kube, rec, iop };
}

const status = (code: number, what = "x") => new KubeError(code, JSON.stringify({ kind: "Status", code, message: `injected ${code}` }), what);
const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
const reason = (st: any, type: string) => st.conditions.find((c: any) => c.type === type)?.reason;

describe("IstioOperator reconciler under API faults", () => {
  it("classifies errors: connection failures, 409, 429 and 5xx are worth a retry; other 4xx are about the object", () => {
    assert.ok(transientError(refused()));
    for (const c of [409, 429, 500, 503]) assert.ok(transientError(status(c)), String(c));
    for (const c of [400, 403, 404, 422]) assert.ok(!transientError(status(c)), String(c));
  });

  for (const code of [409, 429, 500]) {
    it(`a ${code} on one apply stops the pass there, says "retrying" in status (RECONCILING), and the next pass converges`, async () => {
      const { kube, rec, iop } = setup();
      await rec.reconcile(`${NS}/main`);
      const full = kube.writesOf("apply").length;
      // A new spec, so that every object is applied again; the third apply fails.
      kube.put({ ...iop(), spec: { profile: "minimal", values: { global: { logging: { level: "default:debug" } } } } } as never);
      let applies = 0;
      kube.fault = (c) => (c.verb === "apply" && ++applies === 3 ? status(code) : undefined);
      const err = await rec.reconcile(`${NS}/main`).then(() => undefined, (e) => e);
      assert.ok(err instanceof ReconcileIncomplete, String(err));
      assert.equal(err.generation, iop().metadata.generation);
      assert.equal(applies, 3, "no apply after the failing one");
      assert.equal(iop().status.status, "RECONCILING");
      assert.equal(reason(iop().status, "Reconciled"), "Retrying");
      assert.match(iop().status.message, new RegExp(`HTTP ${code}`));
      kube.fault = undefined;
      const r = await rec.reconcile(`${NS}/main`);
      assert.equal(r.status!.status, "RECONCILING", "istiod not ready (nothing runs it here)");
      assert.equal(reason(iop().status, "Reconciled"), "Applied");
      assert.equal(r.applied + r.skipped, full);
    });
  }

  it("a 409 on the status write fails the pass (the queue retries it) and the next pass writes it", async () => {
    const { kube, rec, iop } = setup();
    let writes = 0;
    // The first status write ("applying") goes through; the last one (what it waits for) conflicts.
    kube.fault = (c) => (c.verb === "patch" && c.subresource === "status" && ++writes === 2 ? status(409) : undefined);
    await assert.rejects(rec.reconcile(`${NS}/main`), (e: KubeError) => e.status === 409);
    assert.equal(iop().status.message, "waiting for Base: applying; Pilot: applying");
    kube.fault = undefined;
    const r = await rec.reconcile(`${NS}/main`);
    assert.equal(r.applied, 0, "everything was applied by the failed pass");
    assert.equal(iop().status.observedGeneration, iop().metadata.generation);
  });

  it("the API server going away mid-reconcile: one refused call, not one per remaining object; converges when it is back", async () => {
    const { kube, rec, iop } = setup({ profile: "demo" });
    let applies = 0;
    let down = false;
    kube.fault = (c) => {
      if (c.verb === "apply" && ++applies === 10) down = true;
      return down ? refused() : undefined;
    };
    const calls = kube.calls.length;
    await assert.rejects(rec.reconcile(`${NS}/main`), ReconcileIncomplete);
    // 10 applies reached the fake; after the refused one only the (refused) status write is tried.
    assert.equal(kube.calls.slice(calls).filter((c) => c.startsWith("apply")).length, 10);
    assert.deepEqual(kube.calls.slice(-1), ["patch IstioOperator/status"]);
    down = false;
    kube.fault = undefined;
    const r = await rec.reconcile(`${NS}/main`);
    assert.ok(r.applied > 0);
    assert.equal(iop().status.status, "RECONCILING");
    assert.equal(reason(iop().status, "Reconciled"), "Applied");
  });

  it("two IstioOperators for one revision: the younger is reported as conflicting and applies nothing; once the older is gone it installs", async () => {
    const { kube, rec, iop } = setup();
    kube.put({ apiVersion: IOP, kind: "IstioOperator", metadata: { name: "second", namespace: NS, creationTimestamp: "2026-01-01T00:05:00Z" }, spec: { profile: "minimal", values: { pilot: { replicaCount: 3 } } } } as never);
    await rec.reconcile(`${NS}/main`);
    const applies = kube.writesOf("apply").length;
    const r = await rec.reconcile(`${NS}/second`);
    assert.equal(r.conflictsWith, `${NS}/main`);
    assert.equal(kube.writesOf("apply").length, applies, "the second applies nothing");
    assert.equal(iop("second").status.status, "ERROR");
    assert.equal(reason(iop("second").status, "Reconciled"), "Conflict");
    assert.match(iop("second").status.message, /istio-system\/main already installs revision "default"/);
    assert.ok(kube.events.some((e) => e.reason === "Conflict"));
    // A repeat writes nothing (no event, no status): no fight, no noise.
    const writes = kube.writes.length;
    await rec.reconcile(`${NS}/second`);
    assert.equal(kube.writes.length, writes);
    // The first one still owns istiod with its values.
    assert.equal((kube.obj("Deployment", NS, "istiod")!.metadata.labels as any)["install.operator.istio.io/owning-resource"], "main");
    kube.objects.delete(`IstioOperator/${NS}/main`);
    const r2 = await rec.reconcile(`${NS}/second`);
    assert.equal(r2.conflictsWith, undefined);
    assert.ok(r2.applied > 0);
    assert.equal((kube.obj("Deployment", NS, "istiod")!.metadata.labels as any)["install.operator.istio.io/owning-resource"], "second");
  });

  it("two IstioOperators for different revisions both install", async () => {
    const { kube, rec } = setup();
    kube.put({ apiVersion: IOP, kind: "IstioOperator", metadata: { name: "canary", namespace: NS, creationTimestamp: "2026-01-01T00:05:00Z" }, spec: { profile: "minimal", revision: "canary" } } as never);
    await rec.reconcile(`${NS}/main`);
    const r = await rec.reconcile(`${NS}/canary`);
    assert.equal(r.conflictsWith, undefined);
    assert.ok(kube.obj("Deployment", NS, "istiod") && kube.obj("Deployment", NS, "istiod-canary"));
  });

  it("two revisions share Base's CRDs and reader ServiceAccount without moving them back and forth; uninstalling the holder hands them over", async () => {
    const { kube, rec, iop } = setup();
    kube.put({ apiVersion: IOP, kind: "IstioOperator", metadata: { name: "canary", namespace: NS, creationTimestamp: "2026-01-01T00:05:00Z" }, spec: { profile: "minimal", revision: "canary" } } as never);
    await rec.reconcile(`${NS}/main`);
    await rec.reconcile(`${NS}/canary`);
    const owner = () => (kube.obj("ServiceAccount", NS, "istio-reader-service-account")!.metadata.labels as any)["install.operator.istio.io/owning-resource"];
    assert.equal(owner(), "main");
    const before = kube.writesOf("apply").length;
    for (let i = 0; i < 2; i++) {
      await rec.reconcile(`${NS}/main`);
      await rec.reconcile(`${NS}/canary`);
    }
    assert.equal(kube.writesOf("apply").length, before, "no apply: neither takes the shared objects from the other");
    // Uninstall main: its finalizer removes its objects (the reader ServiceAccount with them); canary puts it back.
    kube.put({ ...iop(), metadata: { ...iop().metadata, deletionTimestamp: "2026-01-01T01:00:00Z" } } as never);
    await rec.reconcile(`${NS}/main`);
    assert.equal(kube.obj("IstioOperator", NS, "main"), undefined);
    assert.equal(kube.obj("ServiceAccount", NS, "istio-reader-service-account"), undefined);
    await rec.reconcile(`${NS}/canary`);
    assert.equal(owner(), "canary");
  });

  it("tells the controller the generation it works on before its first write (its own writes must not queue it again)", async () => {
    const kube = new FakeKube();
    kube.put({ apiVersion: IOP, kind: "IstioOperator", metadata: { name: "main", namespace: NS }, spec: { profile: "minimal" } } as never);
    const seen: string[] = [];
    const rec = new IstioOperatorReconciler(kube, { logger: createLogger({ level: "silent" }), now: () => T0, onObserved: (k, g) => seen.push(`${k}@${g} after ${kube.writes.length} writes`) });
    await rec.reconcile(`${NS}/main`);
    assert.deepEqual(seen, [`${NS}/main@1 after 0 writes`]);
  });

  it("through the queue: a pass that keeps failing is retried with growing backoff, never in a loop", async () => {
    const { kube, rec } = setup();
    kube.fault = (c) => (c.verb === "apply" ? status(500) : undefined);
    let runs = 0;
    const c = new Controller({ reconcile: async (k, s) => { runs++; await rec.reconcile(k, s); }, baseBackoffMs: 20, maxBackoffMs: 10_000 });
    c.start();
    c.add(`${NS}/main`);
    await new Promise((r) => setTimeout(r, 700));
    await c.stop();
    // Backoff 20, 40, 80, 160, 320 ms (jittered down to half): 5-8 runs in 0.7 s; a hot loop would make hundreds.
    assert.ok(runs >= 3 && runs <= 9, `runs ${runs}`);
  });
});
