// End-to-end fault scenarios for the IstioOperator controller on the real local control plane. The controller
// talks to the API server only through test/kind/fault-proxy.ts, which injects faults by rule and counts every
// request it forwards; the test's own reads go straight to the API server and are not counted.
// Scenarios: (1) kube-apiserver restarted mid-reconcile; (2) watches expiring (ERROR 410) and resuming from a
// list; (3) 409 on apply and on the status write; (4) 429 with Retry-After on 30% of requests; (5) owned objects
// deleted (a Deployment, a ConfigMap, an Istio CRD) and the IstioOperator CRD removed and restored; (6) two
// IstioOperators for one revision (the second reported as Conflict, no fight) and for two revisions (both install).
// After each: the owned objects are exactly the render (same keys, same content hash: nothing orphaned, nothing
// lost), status is truthful, and over a quiet window (15 s in make test; `make operator-faults` and the README figures use 60 s; OPERATOR_FAULTS_QUIET_MS) the controller makes
// no write and a bounded number of reads (its readiness rechecks: nothing runs istiod here). Numbers are printed
// as a Markdown table at the end (README "Reliability / Operator faults").
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster } from "./cluster.js";
import { startFaultProxy, type FaultProxy } from "./fault-proxy.js";
import { IopController, WATCHED_OWNED } from "../../src/operator/reconcile/controller.js";
import { resolveIop } from "../../src/config/resolve.js";
import { render } from "../../src/operator/render/index.js";
import { HASH_ANNOTATION, PRUNE_KINDS, desiredComponents, ownerSelector } from "../../src/operator/reconcile/plan.js";
import { Kube } from "../../src/kube/client.js";
import { CRDS_FILE } from "../../src/webhook/validate/crds.js";
import { createLogger } from "../../src/telemetry/logger.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NS = "istio-system";
const QUIET_MS = Number(process.env.OPERATOR_FAULTS_QUIET_MS ?? 15_000);
/**
 * Reads allowed in the quiet window. Nothing runs istiod here, so the controller rechecks readiness after 1, 2, 4,
 * 8, 16, then every 30 s (about 35 reads each: the IstioOperator, the owned lists, readiness gets): up to six
 * rechecks in the first minute. A hot loop makes thousands.
 */
// Two IstioOperators (scenario 6b) recheck twice as much: 118 reads in the first 15 s, 172 in a minute; a hot loop
// makes thousands. The early rechecks (1, 2, 4, 8 s) crowd a short window, hence the floor of 200.
const QUIET_READS_MAX = Math.max(200, Math.ceil((QUIET_MS / 60_000) * 400));
const IOP_API = "install.istio.io/v1alpha1";
/** Informers the controller runs: the IstioOperators' and one per watched owned kind. */
const WATCHED = WATCHED_OWNED.length + 1;
const iop = (name: string, spec: object) => JSON.stringify({ apiVersion: IOP_API, kind: "IstioOperator", metadata: { name, namespace: NS }, spec });

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000, pollMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(pollMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/** kind/ns/name -> content hash of what pilotfish should have applied for this IstioOperator (CRDs left out). */
function desiredHashes(name: string, spec: object): Map<string, string> {
  const r = resolveIop({ docs: [{ source: "test", doc: { apiVersion: IOP_API, kind: "IstioOperator", metadata: { name }, spec } as never }], sets: [] });
  const out = new Map<string, string>();
  for (const c of desiredComponents(render(r).components, { name, namespace: NS }, r.revision)) {
    for (const o of c.objects) {
      if (o.kind === "CustomResourceDefinition") continue;
      out.set(`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, (o.metadata.annotations as Record<string, string>)[HASH_ANNOTATION]);
    }
  }
  return out;
}

interface Row {
  scenario: string;
  survived: string;
  convergeMs?: number;
  quiet?: string;
  notes: string;
}

describe("IstioOperator controller under API faults", { timeout: 1_800_000 }, () => {
  let cluster: Cluster;
  let proxy: FaultProxy;
  let controller: IopController;
  let direct: Kube;
  const rows: Row[] = [];

  const getIop = async (name: string) => direct.get(IOP_API, "IstioOperator", NS, name) as Promise<any>;
  /** Live objects carrying this owner's labels (CRDs and other controllers' objects left out), key -> hash. */
  const owned = async (name: string) => {
    const out = new Map<string, string>();
    for (const [av, kind] of PRUNE_KINDS) {
      for (const o of await direct.list(av, kind, ownerSelector({ name, namespace: NS }))) {
        const m = o.metadata as any;
        if ((m.ownerReferences ?? []).some((r: any) => r.controller)) continue;
        out.set(`${kind}/${m.namespace ?? ""}/${m.name}`, m.annotations?.[HASH_ANNOTATION] ?? "");
      }
    }
    return out;
  };
  /**
   * Undefined until the owned objects are exactly the render and status says so for the current generation.
   * `sharedWith`: another IstioOperator (another revision) that holds the objects both render (Base's reader
   * ServiceAccount): those must exist, held by it.
   */
  const converged = async (name: string, spec: object, sharedWith?: string) => {
    const want = desiredHashes(name, spec);
    const live = await owned(name);
    const theirs = sharedWith ? await owned(sharedWith) : new Map<string, string>();
    for (const k of want.keys()) if (!live.has(k) && theirs.has(k)) want.delete(k);
    if (live.size !== want.size || [...want].some(([k, h]) => live.get(k) !== h)) return undefined;
    const cr = await getIop(name);
    const st = cr?.status;
    if (!st || st.observedGeneration !== cr.metadata.generation) return undefined;
    const rec = (st.conditions ?? []).find((c: any) => c.type === "Reconciled");
    if (rec?.status !== "True" || rec.reason !== "Applied") return undefined;
    return cr;
  };
  /** Status truthful: nothing runs istiod here, so it is RECONCILING and says it waits for istiod. */
  const assertTruthful = (cr: any, deploy = "istiod") => {
    assert.equal(cr.status.status, "RECONCILING", JSON.stringify(cr.status));
    assert.match(cr.status.message, new RegExp(`waiting for .*Deployment istio-system/${deploy} \\(0/1 replicas ready\\)`));
    const ready = cr.status.conditions.find((c: any) => c.type === "Ready");
    assert.equal(ready.status, "False");
  };
  /** Counts the controller's requests over a quiet window: no write at all, reads bounded. */
  const quiet = async (what: string): Promise<string> => {
    await until("controller idle", async () => controller.queue.idle());
    proxy.resetCounts();
    const failedBefore = controller.failed;
    await sleep(QUIET_MS);
    const byKey = [...proxy.counts].sort((a, b) => b[1] - a[1]);
    const writes = byKey.filter(([k]) => /^(apply|patch|create|update|delete)/.test(k));
    const reads = proxy.total(["watch", "apply", "patch", "create", "update", "delete"]);
    const watches = proxy.counts.size ? [...proxy.counts].filter(([k]) => k.startsWith("watch")).reduce((n, [, v]) => n + v, 0) : 0;
    console.log(`# quiet ${QUIET_MS / 1000}s after ${what}: ${reads} reads, ${writes.length ? writes.map(([k, v]) => `${k}=${v}`).join(" ") : "0 writes"}, ${watches} watch (re)starts; ${byKey.map(([k, v]) => `${k}=${v}`).join(", ")}`);
    assert.deepEqual(writes, [], `no write in the quiet window after ${what}`);
    assert.ok(reads <= QUIET_READS_MAX, `${reads} reads in ${QUIET_MS} ms after ${what} (at most ${QUIET_READS_MAX}): a hot loop?`);
    assert.equal(controller.failed, failedBefore, "no reconcile failed in the quiet window");
    return `${reads} reads, ${writes.length} writes, ${watches} watch starts`;
  };
  /** Replaces the spec (merge patch of `spec`; the specs here only add keys). */
  const patchIop = async (name: string, spec: object) => {
    const r = await cluster.kubectl(["patch", "istiooperator", name, "-n", NS, "--type", "merge", "-p", JSON.stringify({ spec })]);
    assert.equal(r.code, 0, r.stderr);
  };
  const specOf = async (name: string) => (await getIop(name)).spec as object;

  before(async () => {
    cluster = await startCluster();
    const crds = await cluster.kubectl(["apply", "--server-side", "-f", path.join(root, CRDS_FILE)]);
    assert.equal(crds.code, 0, crds.stderr);
    const est = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "app.kubernetes.io/part-of=pilotfish"]);
    assert.equal(est.code, 0, est.stderr);
    assert.equal((await cluster.kubectl(["create", "namespace", NS])).code, 0);
    direct = new Kube(cluster.kc);
    proxy = await startFaultProxy({ server: cluster.server, clusterDir: cluster.dir });
    // Production's recheck and resync (30 s cap, 5 min): the quiet windows measure what a real operator does.
    controller = new IopController({ kc: proxy.kc, logger: createLogger({ level: process.env.OPERATOR_FAULTS_LOG ?? "silent" }), readinessPollMs: 1000 });
    await controller.start();
  });

  after(async () => {
    await controller?.stop();
    await proxy?.close();
    await cluster?.stop();
    if (rows.length) {
      console.log("# | scenario | survived? | time to converge | API calls in the quiet minute after | notes |");
      console.log("# |---|---|---|---|---|");
      for (const r of rows) console.log(`# | ${r.scenario} | ${r.survived} | ${r.convergeMs === undefined ? "-" : `${(r.convergeMs / 1000).toFixed(1)} s`} | ${r.quiet ?? "-"} | ${r.notes} |`);
    }
  });

  const SPEC = { profile: "minimal" };

  it("baseline: installs minimal, converges, then stays quiet", async () => {
    const t0 = Date.now();
    assert.equal((await cluster.kubectl(["apply", "-f", "-"], iop("main", SPEC))).code, 0);
    const cr = await until("main converged", () => converged("main", SPEC));
    const ms = Date.now() - t0;
    assertTruthful(cr);
    rows.push({ scenario: "baseline install (minimal)", survived: "yes", convergeMs: ms, quiet: await quiet("baseline"), notes: "no faults" });
  });

  it("(1) kube-apiserver restarted mid-reconcile: converges with nothing orphaned or lost", async (t) => {
    if (!cluster.restart) return t.skip("external cluster: cannot restart the API server");
    const spec = { profile: "minimal", values: { global: { logging: { level: "default:debug" } } } };
    proxy.resetCounts();
    const failed = controller.failed;
    const t0 = Date.now();
    await patchIop("main", spec);
    // Every object's content changes: wait for the first apply of the pass, then take the API server away.
    await until("the pass started applying", async () => proxy.log.some((r) => r.verb === "apply"), 60_000, 5);
    const timing = await cluster.restart("kube-apiserver", { downMs: 3000 });
    const cr = await until("converged after the restart", () => converged("main", spec), 180_000);
    const ms = Date.now() - t0;
    assertTruthful(cr);
    const note = `API server down ${(timing.readyMs / 1000).toFixed(1)} s; ${controller.failed - failed} failed passes retried by the queue`;
    console.log(`# (1) ${note}; converged ${ms} ms after the spec change`);
    rows.push({ scenario: "(1) kube-apiserver restarted mid-reconcile", survived: "yes", convergeMs: ms, quiet: await quiet("the restart"), notes: note });
  });

  it("(2) watches expire (ERROR 410 Gone) and resume from a list; changes made meanwhile are seen", async () => {
    const rule = { match: (r: { verb: string }) => r.verb === "watch", action: { watchGone: true as const }, times: WATCHED };
    proxy.rules.push(rule);
    proxy.resetCounts();
    // Drop every connection: each informer watches again (from its resourceVersion) and is told it is too old.
    proxy.dropConnections();
    await until("every watch answered 410", async () => (rule as { fired?: number }).fired === WATCHED, 60_000);
    const t0 = Date.now();
    const spec = { profile: "minimal", values: { global: { logging: { level: "default:info" } } } };
    await patchIop("main", spec);
    await direct.delete("v1", "ConfigMap", NS, "istio");
    const cr = await until("converged after the relists", () => converged("main", spec));
    const ms = Date.now() - t0;
    proxy.rules.splice(proxy.rules.indexOf(rule), 1);
    assertTruthful(cr);
    const lists = [...proxy.counts].filter(([k]) => k.startsWith("list ")).map(([k, v]) => `${k}=${v}`);
    assert.ok(proxy.counts.get("list istiooperators")! >= 1, "the IstioOperator informer relisted");
    const note = `${WATCHED} watches answered 410, relisted (${proxy.counts.get("list istiooperators")} IstioOperator lists); spec change and a deleted ConfigMap picked up`;
    console.log(`# (2) ${note}; ${lists.join(" ")}`);
    rows.push({ scenario: "(2) watch expired (410) → relist", survived: "yes", convergeMs: ms, quiet: await quiet("the 410s"), notes: note });
  });

  it("(3) 409 Conflict on apply and on the status write: retried through the queue, converges", async () => {
    const onApply = { match: (r: { verb: string }) => r.verb === "apply", action: { status: 409 }, times: 3 };
    const onStatus = { match: (r: { verb: string; resource: string }) => r.verb === "patch" && r.resource === "istiooperators/status", action: { status: 409 }, times: 2 };
    proxy.rules.push(onApply, onStatus);
    const failed = controller.failed;
    const t0 = Date.now();
    const spec = { profile: "minimal", values: { global: { logging: { level: "default:warn" } } } };
    await patchIop("main", spec);
    const cr = await until("converged after the conflicts", () => converged("main", spec));
    const ms = Date.now() - t0;
    proxy.rules.length = 0;
    assertTruthful(cr);
    assert.equal((onApply as { fired?: number }).fired, 3);
    assert.equal((onStatus as { fired?: number }).fired, 2);
    const note = `3 applies and 2 status writes answered 409; ${controller.failed - failed} failed passes, retried with backoff`;
    console.log(`# (3) ${note}`);
    rows.push({ scenario: "(3) 409 on apply and on status", survived: "yes", convergeMs: ms, quiet: await quiet("the 409s"), notes: note });
  });

  it("(4) 429 with Retry-After: 1 on 30% of requests: converges, honouring Retry-After", async () => {
    const rule = { match: (r: { verb: string }) => r.verb !== "watch", action: { status: 429, retryAfter: 1 }, probability: 0.3 };
    proxy.rules.push(rule);
    proxy.resetCounts();
    const failed = controller.failed;
    const t0 = Date.now();
    const spec = { profile: "minimal", values: { global: { logging: { level: "default:error" } } } };
    await patchIop("main", spec);
    const cr = await until("converged while throttled", () => converged("main", spec), 300_000);
    const ms = Date.now() - t0;
    proxy.rules.length = 0;
    assertTruthful(cr);
    const fired = (rule as { fired?: number }).fired ?? 0;
    const total = proxy.total();
    // Retry-After is honoured: the pass takes at least a second per throttled call on its path.
    assert.ok(fired > 0);
    const note = `${fired} of ${total} requests answered 429 (Retry-After: 1); ${controller.failed - failed} passes gave up and were retried`;
    console.log(`# (4) ${note}; converged in ${ms} ms`);
    rows.push({ scenario: "(4) 429 + Retry-After on 30%", survived: "yes", convergeMs: ms, quiet: await quiet("the throttling"), notes: note });
  });

  it("(5a) owned objects deleted (istiod's Deployment, a ConfigMap, an Istio CRD) are put back at once", async () => {
    const spec = await specOf("main");
    const t0 = Date.now();
    await direct.delete("apps/v1", "Deployment", NS, "istiod");
    await direct.delete("v1", "ConfigMap", NS, "istio-sidecar-injector");
    await direct.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, "wasmplugins.extensions.istio.io");
    const cr = await until("put back", async () => {
      const crd = await direct.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, "wasmplugins.extensions.istio.io");
      return crd && !(crd.metadata as any).deletionTimestamp ? converged("main", spec) : undefined;
    });
    const ms = Date.now() - t0;
    assertTruthful(cr);
    assert.ok(ms < 30_000, `put back in ${ms} ms: by the owned-object watch, not the 5 min resync`);
    rows.push({ scenario: "(5a) owned Deployment, ConfigMap, CRD deleted", survived: "yes", convergeMs: ms, quiet: await quiet("the deletions"), notes: "seen by the owned-object watches, not the 5 min resync" });
  });

  it("(5b) the IstioOperator CRD removed: the IstioOperator is finalized (everything it made removed), no hot loop while the CRD is gone; restored, it installs again", async () => {
    const spec = await specOf("main");
    const t0 = Date.now();
    const del = await cluster.kubectl(["delete", "crd", "istiooperators.install.istio.io", "--wait=false"]);
    assert.equal(del.code, 0, del.stderr);
    await until("the CRD and everything the IstioOperator made gone", async () => {
      const crd = await direct.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, "istiooperators.install.istio.io");
      return !crd && (await owned("main")).size === 0;
    });
    const gone = Date.now() - t0;
    // The controller's informer now gets 404s: it must back off, not spin.
    proxy.resetCounts();
    await sleep(QUIET_MS);
    const whileGone = proxy.total();
    const iopCalls = [...proxy.counts].filter(([k]) => k.includes("istiooperators")).map(([k, v]) => `${k}=${v}`);
    console.log(`# (5b) CRD gone: ${whileGone} requests in ${QUIET_MS / 1000}s (${[...proxy.counts].map(([k, v]) => `${k}=${v}`).join(", ")})`);
    assert.ok(whileGone <= 20, `${whileGone} requests while the CRD is gone: the informer must back off`);
    const t1 = Date.now();
    // The operator owns the Istio CRDs' labels now (its Base applied them): take them back for this apply.
    const crds = await cluster.kubectl(["apply", "--server-side", "--force-conflicts", "-f", path.join(root, CRDS_FILE)]);
    assert.equal(crds.code, 0, crds.stderr);
    await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "istiooperators.install.istio.io"]);
    assert.equal((await cluster.kubectl(["apply", "-f", "-"], iop("main", spec))).code, 0);
    const cr = await until("installed again", () => converged("main", spec), 180_000);
    const ms = Date.now() - t1;
    assertTruthful(cr);
    const note = `uninstalled ${(gone / 1000).toFixed(1)} s after the CRD delete (finalizer); ${whileGone} requests in ${QUIET_MS / 1000} s while it was gone (${iopCalls.join(" ")}); time is from the CRD's return (informer backoff ≤ 60 s)`;
    rows.push({ scenario: "(5b) IstioOperator CRD removed, then restored", survived: "yes", convergeMs: ms, quiet: await quiet("the CRD came back"), notes: note });
  });

  it("(6a) a second IstioOperator for the same revision is reported as Conflict and takes nothing", async () => {
    const spec = await specOf("main");
    const t0 = Date.now();
    assert.equal((await cluster.kubectl(["apply", "-f", "-"], iop("second", { profile: "minimal", values: { pilot: { env: { SECOND: "1" } } } }))).code, 0);
    const cr = await until("second reported as Conflict", async () => {
      const c = await getIop("second");
      return c?.status?.conditions?.some((x: any) => x.reason === "Conflict") ? c : undefined;
    });
    const ms = Date.now() - t0;
    assert.equal(cr.status.status, "ERROR");
    assert.match(cr.status.message, /istio-system\/main already installs revision "default"/);
    assert.equal((await owned("second")).size, 0, "the second owns nothing");
    assert.ok(await converged("main", spec), "the first is untouched");
    const q = await quiet("the conflicting IstioOperator");
    assert.ok(await converged("main", spec), "still untouched after the quiet window: no fight");
    rows.push({ scenario: "(6a) two IstioOperators, same revision", survived: "yes", convergeMs: ms, quiet: q, notes: "the second: status ERROR, condition Reconciled=False reason Conflict, applies nothing; the first untouched" });
  });

  it("(6b) a third for another revision installs beside the first; deleting the first lets the conflicting one take over", async () => {
    const spec = await specOf("main");
    const canary = { profile: "minimal", revision: "canary" };
    const t0 = Date.now();
    assert.equal((await cluster.kubectl(["apply", "-f", "-"], iop("canary", canary))).code, 0);
    const c = await until("canary converged", () => converged("canary", canary, "main"));
    const ms = Date.now() - t0;
    assertTruthful(c, "istiod-canary");
    assert.ok(await converged("main", spec), "the first is untouched");
    const t1 = Date.now();
    assert.equal((await cluster.kubectl(["delete", "istiooperator", "main", "-n", NS, "--wait=true", "--timeout=120s"])).code, 0);
    const secondSpec = await specOf("second");
    const s = await until("second took over", () => converged("second", secondSpec, "canary"), 180_000);
    const ms2 = Date.now() - t1;
    assertTruthful(s);
    assert.equal((await owned("main")).size, 0, "nothing of the first is left");
    const q = await quiet("two revisions installed");
    const reader = `ServiceAccount/${NS}/istio-reader-service-account`;
    const holder = (await owned("second")).has(reader) ? "second" : (await owned("canary")).has(reader) ? "canary" : "nobody";
    assert.notEqual(holder, "nobody", "the shared reader ServiceAccount is put back by one of the two left");
    rows.push({ scenario: "(6b) two IstioOperators, two revisions", survived: "yes", convergeMs: ms, quiet: q, notes: `both converge (Base's shared CRDs and reader ServiceAccount stay with the first: no back and forth); deleting the first, the conflicting one took over in ${(ms2 / 1000).toFixed(1)} s, the reader ServiceAccount now held by ${holder}` });
    for (const n of ["second", "canary"]) assert.equal((await cluster.kubectl(["delete", "istiooperator", n, "-n", NS, "--wait=true", "--timeout=120s"])).code, 0);
    assert.equal((await owned("second")).size + (await owned("canary")).size, 0);
  });
});
