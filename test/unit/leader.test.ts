// Lease decisions on locally observed time (as client-go): a holder's renewTime is another machine's clock and
// must never decide an expiry; only how long this candidate has seen the Lease unchanged does.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LeaderElector, decideLease, observeLease, type LeaseApi, type LeaseObject, type LeaseObservation, type LeaseRecord } from "../../src/kube/leader.js";
import { createLogger } from "../../src/telemetry/logger.js";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe("lease decision", () => {
  it("acquires a missing or released Lease, renews its own", () => {
    assert.deepEqual(decideLease(undefined, "a", 0, 0), { action: "acquire", transitions: 0 });
    assert.deepEqual(decideLease({ holderIdentity: "", leaseTransitions: 3 }, "a", 0, 0), { action: "acquire", transitions: 4 });
    assert.deepEqual(decideLease({ holderIdentity: "a", renewTime: iso(0), leaseDurationSeconds: 5 }, "a", 10 * HOUR, 0), { action: "renew" });
  });

  it("never takes over a holder that keeps renewing, however far in the past its clock says renewTime is", () => {
    let obs: LeaseObservation | undefined;
    const local0 = Date.parse("2026-06-01T12:00:00Z");
    for (let t = 0; t <= 120_000; t += 2000) {
      // The holder's clock is an hour behind ours; it renews every 2 s (renewTime and resourceVersion change).
      const lease: LeaseRecord = { holderIdentity: "b", renewTime: iso(local0 - HOUR + t), leaseDurationSeconds: 15, leaseTransitions: 1 };
      obs = observeLease(obs, lease, String(100 + t), local0 + t);
      const d = decideLease(lease, "a", local0 + t, obs.observedAt);
      assert.equal(d.action, "wait", `at +${t} ms`);
    }
  });

  it("takes over a holder that stops renewing once leaseDuration has passed on the local clock", () => {
    const local0 = Date.parse("2026-06-01T12:00:00Z");
    // The holder's clock is an hour ahead: its renewTime looks fresh for an hour, which must not matter either.
    const lease: LeaseRecord = { holderIdentity: "b", renewTime: iso(local0 + HOUR), leaseDurationSeconds: 15, leaseTransitions: 1 };
    let obs = observeLease(undefined, lease, "7", local0);
    const at = (ms: number) => {
      obs = observeLease(obs, lease, "7", local0 + ms);
      return decideLease(lease, "a", local0 + ms, obs.observedAt);
    };
    assert.deepEqual(at(0), { action: "wait", holder: "b", expiresAt: local0 + 15_000 });
    assert.equal(at(14_000).action, "wait");
    assert.equal(at(15_000).action, "wait");
    assert.deepEqual(at(15_001), { action: "acquire", transitions: 2 });
  });

  it("a change of holder or resourceVersion alone restarts the local clock", () => {
    const a = observeLease(undefined, { holderIdentity: "b", renewTime: "x" }, "1", 1000);
    assert.equal(observeLease(a, { holderIdentity: "b", renewTime: "x" }, "1", 9000), a);
    assert.equal(observeLease(a, { holderIdentity: "b", renewTime: "x" }, "2", 9000).observedAt, 9000);
    assert.equal(observeLease(a, { holderIdentity: "c", renewTime: "x" }, "1", 9000).observedAt, 9000);
  });
});

/** A Lease API in memory, with resourceVersion conflicts (409, as KubeError reports them). */
function fakeLeaseApi() {
  let lease: LeaseObject | undefined;
  let rv = 0;
  const conflict = (msg: string) => Object.assign(new Error(msg), { status: 409 });
  const api: LeaseApi = {
    read: async () => (lease ? structuredClone(lease) : undefined),
    create: async (_ns, body) => {
      if (lease) throw conflict("exists");
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      return structuredClone(lease);
    },
    replace: async (_ns, _name, body) => {
      if (!lease || body.metadata?.resourceVersion !== lease.metadata?.resourceVersion) throw conflict("conflict");
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      return structuredClone(lease);
    },
  };
  return { api, holder: () => lease?.spec?.holderIdentity };
}

describe("LeaderElector with skewed clocks", () => {
  it("a candidate whose clock runs an hour ahead does not steal a renewed Lease, and takes it after the holder stops", async () => {
    const { api, holder } = fakeLeaseApi();
    let t = Date.parse("2026-06-01T12:00:00Z");
    const logger = createLogger({ level: "silent" });
    const opts = { namespace: "ns", name: "l", logger, api, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
    const b = new LeaderElector({ ...opts, identity: "b", now: () => t });
    const a = new LeaderElector({ ...opts, identity: "a", now: () => t + HOUR });
    await b.pass();
    assert.equal(holder(), "b");
    for (let i = 0; i < 30; i++) {
      t += 2000;
      await b.pass();
      await a.pass();
      assert.equal(holder(), "b", `round ${i}`);
    }
    assert.equal(a.isLeader(), false);
    for (let i = 0; i < 7; i++) {
      t += 2000;
      await a.pass();
    }
    assert.equal(holder(), "b", "14 s unrenewed: not yet");
    t += 2000;
    await a.pass();
    assert.equal(holder(), "a");
    assert.equal(a.isLeader(), true);
  });
});
