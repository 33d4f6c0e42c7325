// Soak with restarts: the chart installed with failurePolicy Fail on both webhooks, two `pilotfish serve` replicas
// (the chart's arguments, its ServiceAccount's token) behind a balancer standing in for the Service, pods in an
// injection-enabled namespace and Istio resources (a quarter of them invalid) created continuously, while faults
// come on a schedule: each replica restarted in turn with SIGTERM, then with SIGKILL, the kube-apiserver restarted,
// etcd restarted. Every create is classified (admitted, denied, webhook failure, API server unavailable) and
// counted in the window of the fault it started in; at the end the pods and invalid resources stored are listed.
//   SOAK_DURATION   total load time (120s by default; `make soak` runs 10m)   SOAK_RECOVERY_S   recovery bound (60)
//   SOAK_DOWN_S     seconds etcd / the API server stay stopped (5)
//   SOAK_OUT        write the JSON report there (`make soak`: bench/results/soak.json)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type Cluster } from "./cluster.js";
import { chartDir, helm } from "./helm.js";
import { Balancer, Replicas, snapshotApp } from "./soak-replicas.js";
import { apiClient, byFault, classify, hasSidecar, istioBody, Load, podBody, resourcePath, windowStats, type ApiClient, type Window } from "./soak-load.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const NS = "pilotfish-system";
const LOAD_NS = "soak";
const MWC = "pf-pilotfish-sidecar-injector";
const VWC = "pf-pilotfish-validator";

function seconds(v: string | undefined, dflt: number): number {
  if (!v) return dflt;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(v.trim());
  if (!m) throw new Error(`SOAK_DURATION ${JSON.stringify(v)}: want 120, 120s, 10m`);
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] ?? "s"] ?? 1);
}

const DURATION_S = seconds(process.env.SOAK_DURATION, 120);
const RECOVERY_S = Number(process.env.SOAK_RECOVERY_S ?? 60);
/** How long etcd / the API server stay down between stop and start (a restarted static pod is not back at once). */
const DOWN_S = Number(process.env.SOAK_DOWN_S ?? 5);
const PODS_PER_S = Number(process.env.SOAK_PODS_PER_S ?? 3);
const ISTIO_PER_S = Number(process.env.SOAK_ISTIO_PER_S ?? 2);
const ALL_FAULTS = ["sigterm", "sigkill", "kube-apiserver", "etcd"] as const;
type Fault = (typeof ALL_FAULTS)[number];
/** SOAK_FAULTS=sigterm,sigkill runs only those (more windows of each in the same time); SOAK_SLOT_S: seconds per fault (25). */
const FAULTS: Fault[] = process.env.SOAK_FAULTS ? (process.env.SOAK_FAULTS.split(",").map((f) => f.trim()) as Fault[]) : [...ALL_FAULTS];
for (const f of FAULTS) if (!ALL_FAULTS.includes(f)) throw new Error(`SOAK_FAULTS: unknown fault ${f} (${ALL_FAULTS.join(", ")})`);
const SLOT_S = Number(process.env.SOAK_SLOT_S ?? 25);

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

describe(`soak with restarts (${DURATION_S}s)`, { timeout: (DURATION_S + 900) * 1000 }, () => {
  let cluster: Cluster;
  let api: ApiClient;
  let replicas: Replicas | undefined;
  const balancer = new Balancer(200);

  before(async () => {
    cluster = await startCluster();
    api = apiClient(cluster.server, cluster.dir);
    await balancer.start();
  });

  after(async () => {
    replicas?.killAll();
    balancer.stop();
    api?.close();
    if (process.exitCode && cluster) {
      log(cluster.logsTail(20));
      for (const f of fs.readdirSync(cluster.dir).filter((f) => f.startsWith("pilotfish-") && f.endsWith(".log")))
        log(`--- ${f} ---\n${fs.readFileSync(path.join(cluster.dir, f), "utf8").split("\n").slice(-15).join("\n")}`);
    }
    await cluster?.stop();
  });

  it("no pod without a sidecar, no invalid resource admitted, no failed admission across graceful restarts; recovery after every fault", async (t) => {
    if (cluster.external || !cluster.restart) return t.skip("needs the local control plane (restarts etcd and the API server)");
    const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    const admission = cluster.kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    await core.createNamespace({ body: { metadata: { name: "istio-system" } } });
    const env = { KUBECONFIG: cluster.kubeconfigPath };
    const inst = helm(
      ["install", "pf", chartDir, "--namespace", NS, "--create-namespace",
        "--set-string", `webhook.url=https://127.0.0.1:${balancer.port}`,
        "--set-string", "webhook.failurePolicy=Fail",
        "--set", "leaderElection.leaseDurationSeconds=6", "--set", "leaderElection.renewDeadlineSeconds=4", "--set", "leaderElection.retryPeriodSeconds=1",
        "--set-string", "server.logLevel=info"],
      env,
    );
    assert.equal(inst.code, 0, inst.stderr);
    for (const w of (await admission.readMutatingWebhookConfiguration({ name: MWC })).webhooks!) assert.equal(w.failurePolicy, "Fail", w.name);
    for (const w of (await admission.readValidatingWebhookConfiguration({ name: VWC })).webhooks!) assert.equal(w.failurePolicy, "Fail", w.name);
    const manifest = helm(["get", "manifest", "pf", "--namespace", NS], env).stdout;
    const deployment = manifest.split(/^---$/m).find((d) => /kind: Deployment/.test(d))!;
    const args = [...deployment.matchAll(/^\s+- (--[a-z-]+(=.*)?|serve)$/gm)].map((m) => m[1].replace(/^"|"$/g, ""));
    const token = await core.createNamespacedServiceAccountToken({ name: "pf-pilotfish", namespace: NS, body: { spec: { expirationSeconds: 7200, audiences: [] } } });
    const ca = fs.readFileSync(path.join(cluster.dir, "ca.crt")).toString("base64");
    const saKubeconfig = path.join(cluster.dir, "pilotfish-sa.kubeconfig");
    fs.writeFileSync(saKubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.server}\n    certificate-authority-data: ${ca}\nusers:\n- name: sa\n  user:\n    token: ${token.status!.token}\ncontexts:\n- name: c\n  context: {cluster: c, user: sa}\ncurrent-context: c\n`);
    const set = new Replicas({ repo: snapshotApp(repo, cluster.dir), dir: cluster.dir, args, kubeconfig: saKubeconfig, namespace: NS, balancer });
    replicas = set;
    await Promise.all([set.start("pf-a"), set.start("pf-b")]);
    const trust = await eventually("the Secret", async () => (await core.readNamespacedSecret({ name: "pilotfish-webhook-tls", namespace: NS })).data?.["ca-bundle.crt"]);
    await eventually("caBundles", async () =>
      (await admission.readMutatingWebhookConfiguration({ name: MWC })).webhooks!.every((w) => w.clientConfig.caBundle === trust) &&
      (await admission.readValidatingWebhookConfiguration({ name: VWC })).webhooks!.every((w) => w.clientConfig.caBundle === trust));
    await core.createNamespace({ body: { metadata: { name: LOAD_NS, labels: { "istio-injection": "enabled" } } } });
    await eventually("default ServiceAccount", async () => core.readNamespacedServiceAccount({ name: "default", namespace: LOAD_NS }));

    // Probes: a pod must come back injected and an invalid VirtualService denied by the webhook.
    let probeSeq = 0;
    const probe = async (): Promise<boolean> => {
      const p = classify("pod", true, await api.post(resourcePath("pod", LOAD_NS), podBody(`probe-${probeSeq++}`), 12_000));
      if (p.outcome !== "ok") return false;
      const v = classify("vs", false, await api.post(resourcePath("vs", LOAD_NS), istioBody("vs", `probe-${probeSeq++}`, false), 12_000));
      return v.outcome === "denied";
    };
    await eventually("a first injected pod and a denied invalid VirtualService", probe, 30_000);

    const warmupS = 10;
    const tailS = 10;
    const cycles = Math.max(1, Math.floor((DURATION_S - warmupS - tailS) / (FAULTS.length * SLOT_S)));
    const slotMs = Math.max(SLOT_S * 1000, ((DURATION_S - warmupS - tailS) * 1000) / (FAULTS.length * cycles));
    log(`soak: ${DURATION_S}s, ${cycles} cycle(s) of ${FAULTS.join(", ")}, ${(slotMs / 1000).toFixed(1)}s per fault; ${PODS_PER_S} pods/s + ${ISTIO_PER_S} Istio resources/s`);

    const t0 = Date.now();
    const now = () => Date.now() - t0;
    const load = new Load({ api, namespace: LOAD_NS, t0, podsPerSecond: PODS_PER_S, istioPerSecond: ISTIO_PER_S });
    const windows: Window[] = [];
    load.start();
    await sleep(warmupS * 1000);
    windows.push({ name: "baseline (warm-up)", fault: "none", start: 0, end: now() });

    const inject = async (fault: Fault): Promise<unknown> => {
      switch (fault) {
        case "sigterm":
        case "sigkill": {
          const out = [];
          for (const r of [...set.live]) out.push(await set.restart(r, fault === "sigterm" ? "SIGTERM" : "SIGKILL", now));
          return out;
        }
        default:
          return await cluster.restart!(fault, { downMs: DOWN_S * 1000 });
      }
    };
    for (let c = 1; c <= cycles; c++) {
      for (const fault of FAULTS) {
        const start = now();
        const detail = fault === "sigterm" || fault === "sigkill" ? await inject(fault) : { signalAt: start, ...((await inject(fault)) as object) };
        let recoveryMs: number | undefined;
        try {
          await eventually(`recovery after ${fault}`, async () => (await set.allReady()) && (await probe()), RECOVERY_S * 1000 * 2);
          recoveryMs = now() - start;
        } catch (e) {
          log(`${fault}#${c}: ${(e as Error).message}`);
        }
        const wait = start + slotMs - now();
        if (wait > 0) await sleep(wait);
        // For etcd and the API server: how long after the API server answered /readyz again pilotfish worked.
        if (recoveryMs !== undefined && detail && typeof detail === "object" && "readyMs" in detail) Object.assign(detail, { pilotfishAfterApiReadyMs: recoveryMs - (detail as { readyMs: number }).readyMs });
        windows.push({ name: `${fault}#${c}`, fault, start, end: now(), recoveryMs, detail });
        log(`${fault}#${c}: recovered after ${recoveryMs ?? "-"} ms; ${JSON.stringify(detail)}`);
      }
    }
    const tailStart = now();
    await sleep(Math.max(tailS * 1000, DURATION_S * 1000 - tailStart));
    windows.push({ name: "baseline (tail)", fault: "none", start: tailStart, end: now() });
    await load.stop();
    const elapsedS = now() / 1000;

    // What is stored, whatever the create calls answered (a create cut off mid-way may have been stored).
    const list = async (p: string) => {
      const items: { metadata?: { name?: string }; spec?: never }[] = [];
      let cont = "";
      do {
        const r = await api.get(`${p}${p.includes("?") ? "&" : "?"}limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`, 60_000);
        if ("error" in r || r.status !== 200) throw new Error(`list ${p}: ${JSON.stringify(r).slice(0, 300)}`);
        const body = JSON.parse(r.body);
        items.push(...body.items);
        cont = body.metadata?.continue ?? "";
      } while (cont);
      return items;
    };
    const pods = await list(resourcePath("pod", LOAD_NS));
    const podsWithoutSidecar = pods.filter((p) => !hasSidecar(p as never)).map((p) => p.metadata?.name);
    const invalidStored = [...(await list(`${resourcePath("vs", LOAD_NS)}?labelSelector=soak-valid%3Dfalse`)), ...(await list(`${resourcePath("dr", LOAD_NS)}?labelSelector=soak-valid%3Dfalse`))].map((o) => o.metadata?.name);

    const stats = windows.map((w) => windowStats(w, load.ops));
    const faults = byFault(stats);
    const total = byFault(stats.map((s) => ({ ...s, fault: "all" }))).all;
    const report = {
      date: new Date().toISOString(),
      durationS: +elapsedS.toFixed(1),
      rates: { podsPerSecond: PODS_PER_S, istioResourcesPerSecond: ISTIO_PER_S, invalidShareOfIstio: 0.5 },
      faults: FAULTS,
      cycles,
      slotS: +(slotMs / 1000).toFixed(1),
      webhook: { failurePolicy: "Fail", replicas: 2, timeoutSeconds: 10, balancerPollMs: 200, drainGraceS: 3 },
      controlPlaneDownS: DOWN_S,
      totals: total,
      stored: { pods: pods.length, podsWithoutSidecar: podsWithoutSidecar.length, invalidResources: invalidStored.length },
      skippedAtInFlightCap: load.skipped,
      balancerRefusedConnections: balancer.refused,
      byFault: faults,
      windows: stats,
    };
    if (process.env.SOAK_OUT) {
      fs.mkdirSync(path.dirname(path.resolve(repo, process.env.SOAK_OUT)), { recursive: true });
      fs.writeFileSync(path.resolve(repo, process.env.SOAK_OUT), JSON.stringify(report, null, 2) + "\n");
      log(`report written to ${process.env.SOAK_OUT}`);
    }
    log(`soak: ${elapsedS.toFixed(0)}s, ${total.attempted} creates (${total.ok} admitted, ${total.denied} invalid denied), ${total.webhookFailed} webhook failures, ${total.apiUnavailable} API unavailable, ${total.other} other; stored: ${pods.length} pods, ${podsWithoutSidecar.length} without sidecar, ${invalidStored.length} invalid resources`);
    for (const s of Object.values(faults))
      log(`  ${s.fault.padEnd(15)} windows ${s.windows}: ${s.attempted} attempted, ${s.webhookFailed} webhook-failed (max window ${s.maxWebhookFailureWindowMs} ms), ${s.apiUnavailable} API-unavailable (max window ${s.maxApiUnavailableWindowMs} ms), ${s.notInjected} not injected, ${s.invalidAdmitted} invalid admitted, ${s.other + s.wronglyDenied} other; max latency ${s.maxLatencyMs} ms; max recovery ${s.maxRecoveryMs ?? "-"} ms`);
    for (const s of stats) if (s.samples.length) log(`  ${s.name}: ${s.samples.join(" | ")}; failed at ${s.failures.map((f) => f.at).join(", ")} ms`);
    if (!process.env.SOAK_OUT) log(JSON.stringify(report.byFault));

    assert.deepEqual(podsWithoutSidecar, [], "pods stored without a sidecar in the injection-enabled namespace");
    assert.deepEqual(invalidStored, [], "invalid Istio resources stored");
    assert.equal(total.notInjected, 0);
    assert.equal(total.invalidAdmitted, 0);
    assert.equal(total.wronglyDenied, 0, "valid resources denied");
    for (const s of stats.filter((s) => s.fault === "sigterm" || s.fault === "none"))
      assert.equal(s.webhookFailed + s.apiUnavailable + s.other, 0, `${s.name}: no create may fail: ${s.samples.join(" | ")}`);
    for (const w of windows.filter((w) => w.fault === "sigterm"))
      for (const r of w.detail as { id: string; exit: { code: number | null } }[]) assert.equal(r.exit.code, 0, `${r.id}: a SIGTERM'd replica exits 0 after draining`);
    for (const s of stats.filter((s) => s.fault !== "none")) assert.ok(s.recoveryMs !== undefined && s.recoveryMs <= RECOVERY_S * 1000, `${s.name}: recovered after ${s.recoveryMs ?? "never"} ms (bound ${RECOVERY_S} s)`);
    assert.ok(total.ok > DURATION_S, `only ${total.ok} admissions`);
  });
});
