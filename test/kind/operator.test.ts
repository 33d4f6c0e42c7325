// End-to-end: the IstioOperator controller against the real local kube-apiserver (+ kube-controller-manager).
// Pods never run there (no kubelet), so readiness never comes: the status must say what it waits for.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import net from "node:net";
import { helm, chartDir } from "./helm.js";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type Cluster } from "./cluster.js";
import { IopController } from "../../src/operator/reconcile/controller.js";
import { resolveIop } from "../../src/config/resolve.js";
import { render } from "../../src/operator/render/index.js";
import { PRUNE_KINDS, ownerSelector } from "../../src/operator/reconcile/plan.js";
import { Kube } from "../../src/kube/client.js";
import { CRDS_FILE } from "../../src/webhook/validate/crds.js";
import { generateServingCert } from "../../src/kube/certs.js";
import { StaticSettings, startWebhookServer, type WebhookServer } from "../../src/webhook/server.js";
import { makeValidateHandler } from "../../src/webhook/validate-review.js";
import { admissionValidate } from "../../src/webhook/validate/index.js";
import { buildValidatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// The CLI from the TypeScript sources (what this checkout says), not whatever dist/ was last built.
const CLI = ["--import", "tsx", "--input-type=module", "-e", `const { main } = await import(${JSON.stringify(path.join(root, "src/cli/main.ts"))}); process.exitCode = await main(process.argv.slice(1));`];
const pilotfish = (args: string[], opts: Parameters<typeof spawn>[2] = {}) => spawn(process.execPath, [...CLI, ...args], { cwd: root, ...opts });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NS = "istio-system";

const iop = (name: string, spec: object) => JSON.stringify({ apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", metadata: { name, namespace: NS }, spec });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, pollMs = 250): Promise<T> {
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

/** Objects (kind/ns/name) pilotfish should have made for this spec. */
function expected(name: string, spec: object): string[] {
  const r = resolveIop({ docs: [{ source: "test", doc: { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", metadata: { name }, spec } as never }], sets: [] });
  return render(r).components.flatMap((c) => c.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`)).sort();
}

describe("IstioOperator controller on a real API server", { timeout: 900_000 }, () => {
  let cluster: Cluster;
  let controller: IopController | undefined;
  let server: WebhookServer;
  let child: ChildProcess | undefined;

  const getIop = async (name: string) => {
    const r = await cluster.kubectl(["get", "istiooperator", name, "-n", NS, "-o", "json"]);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };
  /** Every object carrying this owner's labels, as kind/ns/name (CRDs left out: they are never pruned). */
  const owned = async (name: string) => {
    const out: string[] = [];
    for (const [av, kind] of PRUNE_KINDS) {
      const items = await new Kube(cluster.kc).list(av, kind, ownerSelector({ name, namespace: NS }));
      for (const o of items) {
        // EndpointSlices the EndpointSlice controller made from our Services carry our labels but are its (ownerReference).
        if (((o.metadata as { ownerReferences?: { controller?: boolean }[] }).ownerReferences ?? []).some((r) => r.controller)) continue;
        out.push(`${kind}/${(o.metadata as { namespace?: string }).namespace ?? ""}/${(o.metadata as { name: string }).name}`);
      }
    }
    return out.sort();
  };
  const startController = async () => {
    controller = new IopController({ kc: cluster.kc, logger: createLogger({ level: "silent" }), readinessPollMs: 500, recheckMs: 3_600_000, resyncMs: 3_600_000 });
    await controller.start();
  };

  before(async () => {
    cluster = await startCluster();
    const crds = await cluster.kubectl(["apply", "--server-side", "-f", path.join(root, CRDS_FILE)]);
    assert.equal(crds.code, 0, crds.stderr);
    const est = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "app.kubernetes.io/part-of=pilotfish"]);
    assert.equal(est.code, 0, est.stderr);
    const tls = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    server = await startWebhookServer({
      port: 0, host: "127.0.0.1", tls,
      settings: new StaticSettings(settingsFromIstioOperator({}, { nativeSidecars: false })),
      logger: createLogger({ level: "silent" }),
      metrics: createMetrics({ defaultMetrics: false }),
      validate: makeValidateHandler(admissionValidate),
    });
    await cluster.kc.makeApiClient(k8s.AdmissionregistrationV1Api).createValidatingWebhookConfiguration({ body: buildValidatingWebhookConfiguration({ clientConfig: { url: server.url, caBundle: tls.ca } }) as k8s.V1ValidatingWebhookConfiguration });
    await cluster.kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
    await sleep(1500);
    await startController();
  });

  after(async () => {
    child?.kill("SIGKILL");
    await controller?.stop().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await cluster?.stop();
  });

  it("rejects a misspelt IstioOperator at kubectl apply, naming the field and the fix", async () => {
    const r = await cluster.kubectl(["apply", "-f", "-"], iop("typo", { profile: "demo", components: { pilot: { k8s: { replicaCont: 2 } } } }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.components\.pilot\.k8s\.replicaCont: unknown field "replicaCont"; did you mean "replicaCount"\?/);
    assert.equal(await getIop("typo"), undefined);
  });

  it("applies the demo IstioOperator: every rendered object exists, status reports each component and what it waits for", async () => {
    const t0 = Date.now();
    const r = await cluster.kubectl(["apply", "-f", "-"], iop("demo", { profile: "demo" }));
    assert.equal(r.code, 0, r.stderr);
    const want = expected("demo", { profile: "demo" }).filter((k) => !k.startsWith("CustomResourceDefinition/"));
    const got = await until("all demo objects", async () => {
      const o = await owned("demo");
      return o.length >= want.length ? o : undefined;
    });
    const elapsed = Date.now() - t0;
    assert.deepEqual(got, want);
    const cr = await until("status with every component", async () => {
      const c = await getIop("demo");
      const cs = c?.status?.componentStatus;
      // Past the first status ("applying"): every component applied, readiness checked.
      return cs && Object.keys(cs).length === 8 && /waiting for/.test(cs.Pilot?.message ?? "") ? c : undefined;
    });
    assert.deepEqual(Object.keys(cr.status.componentStatus).sort(), ["Base", "EgressGateways", "Grafana", "IngressGateways", "Jaeger", "Kiali", "Pilot", "Prometheus"]);
    assert.equal(cr.status.status, "RECONCILING", "no kubelet here: nothing becomes ready");
    assert.equal(cr.status.componentStatus.Base.status, "HEALTHY", "CRDs are Established");
    assert.match(cr.status.componentStatus.Pilot.message, /waiting for Deployment istio-system\/istiod \(0\/1 replicas ready\)/);
    assert.ok(cr.metadata.finalizers.includes("istio-finalizer.install.istio.io"));
    const ready = cr.status.conditions.find((c: { type: string }) => c.type === "Ready");
    assert.equal(ready.status, "False");
    const ev = await cluster.kubectl(["get", "events", "-n", NS, "--field-selector", "involvedObject.name=demo,reason=Applied", "-o", "json"]);
    assert.equal(JSON.parse(ev.stdout).items.length, 8, "one Applied event per component");
    const dep = JSON.parse((await cluster.kubectl(["get", "deploy", "istiod", "-n", NS, "-o", "json", "--show-managed-fields"])).stdout);
    assert.equal(dep.metadata.labels["install.operator.istio.io/owning-resource"], "demo");
    assert.equal(dep.metadata.labels["operator.istio.io/component"], "Pilot");
    const mf = dep.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}:${m.operation}`);
    assert.ok(mf.includes("pilotfish-operator:Apply"), `server-side applied: ${mf}`);
    console.log(`# demo IstioOperator: ${got.length} objects applied ${elapsed} ms after kubectl apply`);
  });

  it("a resync with no change makes zero write calls", async () => {
    await until("controller idle", async () => controller!.busy === undefined);
    const before = controller!.kube.totalWrites();
    const w0 = JSON.stringify(controller!.kube.writes);
    const s0 = (await getIop("demo")).status;
    const r = await controller!.reconcile(NS, "demo");
    const s1 = (await getIop("demo")).status;
    assert.equal(controller!.kube.totalWrites() - before, 0, `${w0} -> ${JSON.stringify(controller!.kube.writes)}\n${JSON.stringify(s0)}\n${JSON.stringify(s1)}`);
    assert.equal(r.applied, 0);
    assert.ok(r.skipped > 50, `skipped ${r.skipped}`);
    assert.ok(controller!.reconciles > 0);
    assert.equal(controller!.failed, 0, "no reconcile failed or timed out");
  });

  it("an edit to an object it manages is put back on the next reconcile, also by a restarted operator (one write, then none)", async () => {
    await until("controller idle", async () => controller!.busy === undefined);
    const r = await cluster.kubectl(["set", "image", "deployment/istiod", "-n", NS, "discovery=example.com/not-istio:1"]);
    assert.equal(r.code, 0, r.stderr);
    // A fresh controller (as after a restart) knows nothing but what the API server says.
    const fresh = new IopController({ kc: cluster.kc, logger: createLogger({ level: "silent" }) });
    await fresh.reconcile(NS, "demo");
    assert.equal(fresh.kube.writes.apply, 1, "only the edited Deployment is applied again");
    const img = await cluster.kubectl(["get", "deploy", "istiod", "-n", NS, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]);
    assert.match(img.stdout, /\/pilot:/);
    await sleep(1100); // managedFields times have one-second resolution
    const before = fresh.kube.totalWrites();
    await fresh.reconcile(NS, "demo");
    assert.equal(fresh.kube.totalWrites() - before, 0, "once put back, a resync writes nothing");
  });

  it("editing the spec prunes the egress gateway and updates istiod", async () => {
    const patch = { spec: { components: { egressGateways: [{ name: "istio-egressgateway", enabled: false }], pilot: { k8s: { replicaCount: 2 } } } } };
    const r = await cluster.kubectl(["patch", "istiooperator", "demo", "-n", NS, "--type", "merge", "-p", JSON.stringify(patch)]);
    assert.equal(r.code, 0, r.stderr);
    await until("egress objects pruned and istiod scaled", async () => {
      const o = await owned("demo");
      const dep = JSON.parse((await cluster.kubectl(["get", "deploy", "istiod", "-n", NS, "-o", "json"])).stdout);
      return !o.some((k) => k.includes("egressgateway")) && dep.spec.replicas === 2;
    });
    const want = expected("demo", { profile: "demo", ...patch.spec }).filter((k) => !k.startsWith("CustomResourceDefinition/"));
    assert.deepEqual(await owned("demo"), want);
    const cr = await until("status without EgressGateways", async () => {
      const c = await getIop("demo");
      return c.status.observedGeneration === c.metadata.generation && !("EgressGateways" in c.status.componentStatus) ? c : undefined;
    });
    assert.equal(cr.status.componentStatus.Pilot.status, "RECONCILING");
    const pruned = await until("a Pruned event", async () => {
      const ev = await cluster.kubectl(["get", "events", "-n", NS, "--field-selector", "involvedObject.name=demo,reason=Pruned", "-o", "json"]);
      return JSON.parse(ev.stdout).items[0];
    });
    assert.match(pruned.message, /Deployment\/istio-system\/istio-egressgateway/);
  });

  it("deleting the IstioOperator removes everything it made (the CRDs stay) and releases the finalizer", async () => {
    const r = await cluster.kubectl(["delete", "istiooperator", "demo", "-n", NS, "--wait=true", "--timeout=60s"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await getIop("demo"), undefined);
    assert.deepEqual(await owned("demo"), []);
    const crd = await cluster.kubectl(["get", "crd", "virtualservices.networking.istio.io"]);
    assert.equal(crd.code, 0, "Istio CRDs are kept so that no user configuration is lost");
  });

  it("killed in the middle of a reconcile and restarted, the operator converges with nothing orphaned", async () => {
    await controller!.stop();
    controller = undefined;
    const r = await cluster.kubectl(["apply", "-f", "-"], iop("crash", { profile: "demo" }));
    assert.equal(r.code, 0, r.stderr);
    child = pilotfish(["operator", "--kubeconfig", cluster.kubeconfigPath, "--recheck", "1s", "--log-level", "warn", "--metrics-port", "0"], { stdio: "ignore" });
    // Kill it as soon as Base's ServiceAccount (right after the CRDs) exists, long before the demo's ~60 objects are done.
    const lister = new Kube(cluster.kc);
    const tstart = Date.now();
    await until("first object applied", async () => (await lister.list("v1", "ServiceAccount", ownerSelector({ name: "crash", namespace: NS }))).length > 0, 120_000, 5);
    const tk = Date.now();
    child.kill("SIGKILL");
    console.log(`# operator killed ${tk - tstart} ms after it was started`);
    await new Promise((res) => child!.once("exit", res));
    child = undefined;
    const partial = await owned("crash");
    const full = expected("crash", { profile: "demo" }).filter((k) => !k.startsWith("CustomResourceDefinition/"));
    console.log(`# killed after ${partial.length}/${full.length} objects`);
    assert.ok(partial.length > 0 && partial.length < full.length, `killed mid-reconcile (${partial.length}/${full.length} applied)`);
    // While it was down the user turned the egress gateway off: the restarted operator must prune what the
    // killed one may have made, and finish the rest.
    const patch = { spec: { components: { egressGateways: [{ name: "istio-egressgateway", enabled: false }] } } };
    assert.equal((await cluster.kubectl(["patch", "istiooperator", "crash", "-n", NS, "--type", "merge", "-p", JSON.stringify(patch)])).code, 0);
    await startController();
    const want = expected("crash", { profile: "demo", ...patch.spec }).filter((k) => !k.startsWith("CustomResourceDefinition/"));
    await until("converged", async () => JSON.stringify(await owned("crash")) === JSON.stringify(want), 120_000);
    const cr = await until("status after restart", async () => {
      const c = await getIop("crash");
      return c.status?.observedGeneration === c.metadata.generation && c.status.componentStatus?.Pilot ? c : undefined;
    });
    assert.equal(cr.status.status, "RECONCILING");
    assert.equal(await cluster.kubectl(["delete", "istiooperator", "crash", "-n", NS, "--wait=true", "--timeout=60s"]).then((x) => x.code), 0);
    assert.deepEqual(await owned("crash"), []);
  });

  it("two operators with --leader-elect: one leader reconciles; when it dies the other takes over within the lease", async () => {
    await controller?.stop();
    controller = undefined;
    const args = ["operator", "--kubeconfig", cluster.kubeconfigPath, "--leader-elect", "--lease-namespace", NS, "--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "1s", "--recheck", "1s", "--log-level", "info"];
    const ports = [await freePort(), await freePort()];
    const logs = ports.map((_, i) => path.join(cluster.dir, `operator-${i}.log`));
    const procs = ports.map((port, i) => pilotfish([...args, "--metrics-port", String(port)], { stdio: ["ignore", fs.openSync(logs[i], "w"), fs.openSync(logs[i], "a")] }));
    const tails = () => logs.map((l) => `${l}:\n${fs.readFileSync(l, "utf8").split("\n").slice(-15).join("\n")}`).join("\n");
    try {
      const holder = async () => {
        const r = await cluster.kubectl(["get", "lease", "pilotfish-operator", "-n", NS, "-o", "jsonpath={.spec.holderIdentity}"]);
        return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      };
      const first = await until("a leader", holder, 60_000);
      const leaderIdx = procs.findIndex((p) => first.endsWith(`-${p.pid}`));
      assert.ok(leaderIdx >= 0, `leader ${first} is one of the two processes`);
      assert.equal((await cluster.kubectl(["apply", "-f", "-"], iop("ha", { profile: "minimal" }))).code, 0);
      const want = expected("ha", { profile: "minimal" }).filter((k) => !k.startsWith("CustomResourceDefinition/"));
      await until("minimal installed by the leader", async () => JSON.stringify(await owned("ha")) === JSON.stringify(want), 60_000);
      const tKill = Date.now();
      procs[leaderIdx].kill("SIGKILL");
      const second = await until("a new leader", async () => {
        const h = await holder();
        return h && h !== first ? h : undefined;
      }, 60_000);
      const takeover = Date.now() - tKill;
      assert.ok(second.endsWith(`-${procs[1 - leaderIdx].pid}`));
      console.log(`# operator leader takeover after SIGKILL: ${takeover} ms (lease 4 s)`);
      const patch = { spec: { values: { pilot: { autoscaleEnabled: false, replicaCount: 3 } } } };
      assert.equal((await cluster.kubectl(["patch", "istiooperator", "ha", "-n", NS, "--type", "merge", "-p", JSON.stringify(patch)])).code, 0);
      await until("the new leader reconciles the change", async () => {
        const d = await cluster.kubectl(["get", "deploy", "istiod", "-n", NS, "-o", "jsonpath={.spec.replicas}"]);
        return d.stdout.trim() === "3";
      }, 60_000);
      // Counted when the reconcile ends (it never waits for readiness: it asks to be requeued).
      const metrics = await until("the new leader's metrics", async () => {
        const metrics = await (await fetch(`http://127.0.0.1:${ports[1 - leaderIdx]}/metrics`)).text();
        return /pilotfish_operator_reconciles_total\{result="reconciling"\} [1-9]/.test(metrics) && /pilotfish_operator_writes_total\{verb="apply"\} [1-9]/.test(metrics) ? metrics : undefined;
      }, 30_000).catch((e: Error) => assert.fail(`${e.message}\n${tails()}`));
      assert.doesNotMatch(metrics, /pilotfish_operator_reconciles_total\{result="failed"\} [1-9]/, "no reconcile failed or timed out");
      assert.equal((await cluster.kubectl(["delete", "istiooperator", "ha", "-n", NS, "--wait=true", "--timeout=60s"])).code, 0);
      assert.deepEqual(await owned("ha"), []);
    } finally {
      for (const p of procs) p.kill("SIGKILL");
    }
  });

  it("the chart's operator RBAC is enough: as the chart's ServiceAccount it installs, prunes and removes the demo; other writes are refused", async () => {
    await controller?.stop();
    controller = undefined;
    const PF = "pilotfish-system";
    const r = helm(["install", "pf", chartDir, "--namespace", PF, "--create-namespace", "--set", "operator.enabled=true", "--set", "injector.enabled=false", "--set", "validator.enabled=false"], { KUBECONFIG: cluster.kubeconfigPath });
    assert.equal(r.code, 0, r.stderr);
    const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    const token = await core.createNamespacedServiceAccountToken({ name: "pf-pilotfish", namespace: PF, body: { spec: { expirationSeconds: 3600, audiences: [] } } });
    const saKc = new k8s.KubeConfig();
    saKc.loadFromOptions({
      clusters: [{ name: "c", server: cluster.server, caData: fs.readFileSync(path.join(cluster.dir, "ca.crt")).toString("base64") }],
      users: [{ name: "sa", token: token.status!.token }],
      contexts: [{ name: "c", cluster: "c", user: "sa" }],
      currentContext: "c",
    });
    const asSa = new IopController({ kc: saKc, logger: createLogger({ level: "silent" }), readinessPollMs: 500, recheckMs: 3_600_000, resyncMs: 3_600_000 });
    await asSa.start();
    try {
      assert.equal((await cluster.kubectl(["apply", "-f", "-"], iop("rbac", { profile: "demo" }))).code, 0);
      const want = expected("rbac", { profile: "demo" }).filter((k) => !k.startsWith("CustomResourceDefinition/"));
      await until("demo installed as the ServiceAccount", async () => JSON.stringify(await owned("rbac")) === JSON.stringify(want), 60_000);
      const cr = await until("status written", async () => {
        const c = await getIop("rbac");
        return c?.status?.componentStatus?.Pilot ? c : undefined;
      });
      assert.notEqual(cr.status.status, "ERROR", JSON.stringify(cr.status));
      const patch = { spec: { components: { egressGateways: [{ name: "istio-egressgateway", enabled: false }] } } };
      assert.equal((await cluster.kubectl(["patch", "istiooperator", "rbac", "-n", NS, "--type", "merge", "-p", JSON.stringify(patch)])).code, 0);
      await until("egress pruned as the ServiceAccount", async () => !(await owned("rbac")).some((k) => k.includes("egressgateway")), 60_000);
      assert.equal((await cluster.kubectl(["delete", "istiooperator", "rbac", "-n", NS, "--wait=true", "--timeout=60s"])).code, 0);
      assert.deepEqual(await owned("rbac"), []);
      // Least privilege: no Secrets, no webhook configurations, no pods.
      const saKube = new Kube(saKc);
      for (const [what, call] of [
        ["list secrets", () => saKube.list("v1", "Secret")],
        ["delete a webhook configuration", () => saKube.delete("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", undefined, "anything")],
        ["create a pod", () => saKube.request("POST", "/api/v1/namespaces/default/pods", { metadata: { name: "x" }, spec: { containers: [{ name: "c", image: "i" }] } }).then((x) => { if (x.status >= 300) throw new Error(String(x.status)); })],
      ] as const) {
        await assert.rejects(call() as Promise<unknown>, /403|forbidden/i, `${what} must be refused`);
      }
    } finally {
      await asSa.stop();
    }
  });

  it("pilotfish install applies component by component with progress, reports what is not ready, and uninstall removes it", async () => {
    const run = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const p = pilotfish([...args, "-y", "--kubeconfig", cluster.kubeconfigPath]); // -y: the second install goes over the first
      let stdout = "", stderr = "";
      p.stdout.on("data", (d) => (stdout += d));
      p.stderr.on("data", (d) => (stderr += d));
      p.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
    const r = await run(["install", "--set", "profile=minimal", "--readiness-timeout", "3s"]);
    assert.equal(r.code, 1, "no kubelet: istiod never becomes ready");
    assert.match(r.stderr, /✔ Istio core installed/);
    assert.match(r.stderr, /Waiting for Deployment istio-system\/istiod \(0\/1 replicas ready\)/);
    assert.match(r.stderr, /✘ Istiod encountered an error: resources not ready after 3s/);
    const want = expected("installed-state", { profile: "minimal" }).filter((k) => !k.startsWith("CustomResourceDefinition/"));
    assert.deepEqual(await owned("installed-state"), want);
    const again = await run(["install", "--set", "profile=empty", "--readiness-timeout", "1s"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Removed Deployment\/istio-system\/istiod\./);
    assert.deepEqual(await owned("installed-state"), []);
    await run(["install", "--set", "profile=minimal", "--readiness-timeout", "1s"]);
    const un = await run(["uninstall", "--revision", "default"]);
    assert.equal(un.code, 0, un.stderr);
    assert.match(un.stdout, /Removed Deployment\/istio-system\/istiod\./);
    assert.deepEqual((await owned("installed-state")).filter((k) => !k.includes("istio-reader-service-account")), [], "only Base (reader ServiceAccount, CRDs) is kept without --purge");
  });
});
