// End-to-end: the chart installed with helm into the real local control plane, pilotfish processes running
// with the identity the chart gives them (a token of its ServiceAccount, not an admin certificate), shared
// self-managed certificates rotated under load, leader election and failover, helm upgrade and uninstall.
// Pods do not run here, so pilotfish runs as local processes behind a small TCP balancer standing in for the
// Service (it sends new connections to ready replicas only, as endpoints do); the chart's webhook.url points
// the API server at it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type Cluster } from "./cluster.js";
import { chartDir, helm } from "./helm.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NS = "pilotfish-system";
const RELEASE = "pf";
const FULL = "pf-pilotfish";
const MWC = `${FULL}-sidecar-injector`;
const VWC = `${FULL}-validator`;
const SECRET = "pilotfish-webhook-tls";
const VALIDITY_S = 40;
const log = (msg: string) => process.stdout.write(`# ${msg}\n`);

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

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
  });
}

/** The Service stand-in: new connections go round-robin to replicas whose /readyz answers 200. */
class Balancer {
  readonly backends = new Map<number, boolean>();
  private rr = 0;
  private server = net.createServer((client) => {
    const ready = [...this.backends].filter(([, ok]) => ok).map(([p]) => p);
    if (!ready.length) return client.destroy();
    const upstream = net.connect(ready[this.rr++ % ready.length], "127.0.0.1");
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  });
  private timer: NodeJS.Timeout | undefined;
  port = 0;
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as net.AddressInfo).port;
    const poll = async () => {
      await Promise.all([...this.backends.keys()].map(async (p) => this.backends.set(p, (await get(`https://127.0.0.1:${p}/readyz`)) === 200)));
      this.timer = setTimeout(poll, 200);
    };
    void poll();
  }
  stop(): void {
    clearTimeout(this.timer);
    this.server.close();
  }
}

interface Replica {
  id: string;
  port: number;
  proc: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

describe("helm install, self-managed certificates, high availability", { timeout: 900_000 }, () => {
  let cluster: Cluster;
  let core: k8s.CoreV1Api;
  let admission: k8s.AdmissionregistrationV1Api;
  let coordination: k8s.CoordinationV1Api;
  let saKubeconfig: string;
  let chartArgs: string[];
  const balancer = new Balancer();
  const replicas: Replica[] = [];
  const env = () => ({ KUBECONFIG: cluster.kubeconfigPath });

  const chartValues = () => [
    "--set-string", `webhook.url=https://127.0.0.1:${balancer.port}`,
    "--set-string", `certificates.validity=${VALIDITY_S}s`,
    "--set-string", "certificates.caValidity=2h",
    "--set", "leaderElection.leaseDurationSeconds=6",
    "--set", "leaderElection.renewDeadlineSeconds=4",
    "--set", "leaderElection.retryPeriodSeconds=1",
    "--set-string", "server.logLevel=info",
  ];

  async function startReplica(id: string): Promise<Replica> {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const logFile = path.join(cluster.dir, `pilotfish-${id}.log`);
    const fd = fs.openSync(logFile, "a");
    // The Deployment's own arguments, plus what a pod would get from its environment and the Service.
    const args = [path.join(repo, "bin/pilotfish.mjs"), ...chartArgs.filter((a) => !a.startsWith("--port=")), `--port=${port}`, "--host=127.0.0.1", `--kubeconfig=${saKubeconfig}`, `--identity=${id}`];
    const proc = spawn(process.execPath, args, { cwd: repo, stdio: ["ignore", fd, fd], env: { ...process.env, POD_NAMESPACE: NS, POD_NAME: id, KUBECONFIG: "" } });
    fs.closeSync(fd);
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    const r = { id, port, proc, logFile, exited };
    replicas.push(r);
    balancer.backends.set(port, false);
    await eventually(`replica ${id} /readyz`, async () => (proc.exitCode !== null ? Promise.reject(new Error(`exited ${proc.exitCode}: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`)) : (await get(`https://127.0.0.1:${port}/readyz`)) === 200), 60_000);
    return r;
  }

  async function stopReplica(r: Replica, signal: NodeJS.Signals): Promise<void> {
    r.proc.kill(signal);
    await r.exited;
    balancer.backends.delete(r.port);
  }

  const leaseHolder = async () => (await coordination.readNamespacedLease({ name: "pilotfish-leader", namespace: NS })).spec?.holderIdentity;
  const secretData = async () => (await core.readNamespacedSecret({ name: SECRET, namespace: NS })).data!;
  const pem = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

  /** The serial of the certificate a replica presents right now. */
  function servedSerial(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false, servername: "localhost" }, () => {
        resolve(s.getPeerX509Certificate()!.serialNumber);
        s.end();
      });
      s.on("error", reject);
    });
  }

  let podSeq = 0;
  async function createPod(ns: string): Promise<k8s.V1Pod> {
    return core.createNamespacedPod({ namespace: ns, body: { metadata: { name: `p-${podSeq++}`, labels: { app: "load" } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } } });
  }
  const injected = (p: k8s.V1Pod) => [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].some((c) => c.name === "istio-proxy");

  /** Creates pods back to back (2 at a time) until `stop()`; every pod must be admitted and injected. */
  function podLoop(ns: string) {
    let running = true;
    const counts = { ok: 0, failed: 0, notInjected: 0, errors: [] as string[] };
    const worker = async () => {
      while (running) {
        try {
          const p = await createPod(ns);
          if (injected(p)) counts.ok++;
          else counts.notInjected++;
        } catch (e) {
          counts.failed++;
          const err = e as { body?: string; message?: string };
          if (counts.errors.length < 5) counts.errors.push(String(err.body ?? err.message).slice(0, 300));
        }
      }
    };
    const workers = [worker(), worker()];
    return {
      counts,
      stop: async () => {
        running = false;
        await Promise.all(workers);
        return counts;
      },
    };
  }

  before(async () => {
    cluster = await startCluster();
    core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    admission = cluster.kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    coordination = cluster.kc.makeApiClient(k8s.CoordinationV1Api);
    await core.createNamespace({ body: { metadata: { name: "istio-system" } } });
    await balancer.start();
  });

  after(async () => {
    for (const r of replicas) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill("SIGKILL");
    balancer.stop();
    if (process.exitCode && cluster) {
      for (const r of replicas) log(`--- ${r.id} ---\n${fs.readFileSync(r.logFile, "utf8").split("\n").slice(-30).join("\n")}`);
    }
    await cluster?.stop();
  });

  it("helm install creates the chart's objects; the webhooks start without a caBundle", async () => {
    const r = helm(["install", RELEASE, chartDir, "--namespace", NS, "--create-namespace", ...chartValues()], env());
    assert.equal(r.code, 0, r.stderr);
    const mwc = await admission.readMutatingWebhookConfiguration({ name: MWC });
    assert.equal(mwc.webhooks?.length, 4);
    assert.ok(mwc.webhooks!.every((w) => !w.clientConfig.caBundle));
    await admission.readValidatingWebhookConfiguration({ name: VWC });
    await core.readNamespacedServiceAccount({ name: FULL, namespace: NS });
    const manifest = helm(["get", "manifest", RELEASE, "--namespace", NS], env());
    const deployment = manifest.stdout.split(/^---$/m).find((d) => /kind: Deployment/.test(d))!;
    chartArgs = [...deployment.matchAll(/^\s+- (--[a-z-]+(=.*)?|serve)$/gm)].map((m) => m[1].replace(/^"|"$/g, ""));
    assert.equal(chartArgs[0], "serve");
    assert.ok(chartArgs.includes("--leader-elect"), chartArgs.join(" "));
    // A token of the chart's ServiceAccount (TokenRequest API), as a pod would have mounted.
    const token = await core.createNamespacedServiceAccountToken({ name: FULL, namespace: NS, body: { spec: { expirationSeconds: 7200, audiences: [] } } });
    const ca = fs.readFileSync(path.join(cluster.dir, "ca.crt")).toString("base64");
    saKubeconfig = path.join(cluster.dir, "pilotfish-sa.kubeconfig");
    fs.writeFileSync(
      saKubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.server}\n    certificate-authority-data: ${ca}\nusers:\n- name: sa\n  user:\n    token: ${token.status!.token}\ncontexts:\n- name: c\n  context: {cluster: c, user: sa}\ncurrent-context: c\n`,
    );
  });

  it("two replicas started as the ServiceAccount share one certificate, exactly one leads, and the caBundle is patched", async () => {
    const t0 = Date.now();
    await Promise.all([startReplica("pf-a"), startReplica("pf-b")]);
    log(`two replicas ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const holder = await eventually("a leader", leaseHolder);
    assert.ok(["pf-a", "pf-b"].includes(holder!));
    await sleep(3000);
    assert.equal(await leaseHolder(), holder, "leadership is stable");
    const leaders = replicas.filter((r) => /"became leader"/.test(fs.readFileSync(r.logFile, "utf8")));
    assert.deepEqual(leaders.map((r) => r.id), [holder], "exactly one replica became leader");
    const data = await secretData();
    const trust = data["ca-bundle.crt"];
    for (const name of [MWC, VWC]) {
      await eventually(`caBundle on ${name}`, async () => {
        const obj = name === MWC ? await admission.readMutatingWebhookConfiguration({ name }) : await admission.readValidatingWebhookConfiguration({ name });
        return obj.webhooks!.every((w) => w.clientConfig.caBundle === trust);
      });
    }
    const serial = new X509Certificate(pem(data["tls.crt"])).serialNumber;
    for (const r of replicas) assert.equal(await servedSerial(r.port), serial, `${r.id} serves the Secret's certificate`);
  });

  it("a Deployment in a labelled namespace gets injected pods (the chart's RBAC suffices)", async () => {
    await core.createNamespace({ body: { metadata: { name: "e2e-app", labels: { "istio-injection": "enabled" } } } });
    await eventually("default ServiceAccount", async () => core.readNamespacedServiceAccount({ name: "default", namespace: "e2e-app" }));
    const apps = cluster.kc.makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: "e2e-app",
      body: { metadata: { name: "web" }, spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } } } },
    });
    const pods = await eventually("2 pods", async () => {
      const l = await core.listNamespacedPod({ namespace: "e2e-app", labelSelector: "app=web" });
      return l.items.length === 2 ? l.items : undefined;
    });
    for (const p of pods) assert.ok(injected(p), `${p.metadata?.name} has istio-proxy`);
  });

  it("the ServiceAccount is refused what the chart does not grant", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(saKubeconfig);
    const saCore = kc.makeApiClient(k8s.CoreV1Api);
    const saAdmission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    const forbidden = async (what: string, p: Promise<unknown>) => {
      await assert.rejects(p, (e: { code?: number }) => e.code === 403, `${what} must be forbidden`);
    };
    await core.createNamespacedSecret({ namespace: "kube-system", body: { metadata: { name: "victim" }, stringData: { a: "b" } } });
    await forbidden("deleting a Secret in kube-system", saCore.deleteNamespacedSecret({ name: "victim", namespace: "kube-system" }));
    await forbidden("reading a Secret in kube-system", saCore.readNamespacedSecret({ name: "victim", namespace: "kube-system" }));
    await forbidden("reading another Secret in its own namespace", saCore.readNamespacedSecret({ name: "other", namespace: NS }));
    await forbidden("listing Secrets in its own namespace", saCore.listNamespacedSecret({ namespace: NS }));
    await forbidden("deleting its own Secret", saCore.deleteNamespacedSecret({ name: SECRET, namespace: NS }));
    await forbidden("creating pods", saCore.createNamespacedPod({ namespace: NS, body: { metadata: { name: "x" }, spec: { containers: [{ name: "x", image: "x" }] } } }));
    await forbidden("deleting its MutatingWebhookConfiguration", saAdmission.deleteMutatingWebhookConfiguration({ name: MWC }));
    await forbidden("reading another MutatingWebhookConfiguration", saAdmission.readMutatingWebhookConfiguration({ name: "istio-sidecar-injector" }));
    await forbidden("reading ConfigMaps outside the Istio namespace", saCore.listNamespacedConfigMap({ namespace: "kube-system" }));
    // ... and has what it needs.
    await saCore.readNamespacedSecret({ name: SECRET, namespace: NS });
    await saCore.listNamespacedConfigMap({ namespace: "istio-system" });
  });

  it(`rotates the serving certificate (validity ${VALIDITY_S}s) under continuous pod creation with zero failed admissions`, async () => {
    await core.createNamespace({ body: { metadata: { name: "e2e-load", labels: { "istio-injection": "enabled" } } } });
    await eventually("default ServiceAccount", async () => core.readNamespacedServiceAccount({ name: "default", namespace: "e2e-load" }));
    const first = (await secretData())["tls.crt"];
    const caBefore = (await secretData())["ca.crt"];
    const seen = [first];
    const loop = podLoop("e2e-load");
    const t0 = Date.now();
    await eventually(
      "two rotations",
      async () => {
        const cur = (await secretData())["tls.crt"];
        if (cur !== seen[seen.length - 1]) {
          seen.push(cur);
          log(`rotation ${seen.length - 1} after ${((Date.now() - t0) / 1000).toFixed(1)}s (admissions so far: ${loop.counts.ok})`);
        }
        return seen.length >= 3;
      },
      VALIDITY_S * 3 * 1000,
    );
    // Keep creating pods while the followers pick the new certificate up.
    await sleep(4000);
    const counts = await loop.stop();
    log(`rotation under load: ${counts.ok} admissions, ${counts.failed} failed, ${counts.notInjected} not injected, ${seen.length - 1} rotations in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    assert.equal(counts.failed, 0, counts.errors.join("\n"));
    assert.equal(counts.notInjected, 0);
    assert.ok(counts.ok > 20, `only ${counts.ok} pods created`);
    assert.equal((await secretData())["ca.crt"], caBefore, "serving rotations keep the CA (and so the caBundle)");
    const serial = new X509Certificate(pem((await secretData())["tls.crt"])).serialNumber;
    for (const r of replicas) {
      await eventually(`${r.id} serves the rotated certificate`, async () => (await servedSerial(r.port)) === serial, 10_000);
    }
  });

  it("when the leader stops, the other replica takes over and pod creation keeps working", async () => {
    const holder = (await leaseHolder())!;
    const leader = replicas.find((r) => r.id === holder)!;
    const follower = replicas.find((r) => r.id !== holder && r.proc.exitCode === null)!;
    // Graceful stop (SIGTERM): readiness off, lease released, in-flight reviews drained.
    const loop = podLoop("e2e-load");
    await sleep(1000);
    let t0 = Date.now();
    leader.proc.kill("SIGTERM");
    await eventually("the follower to lead", async () => (await leaseHolder()) === follower.id, 30_000);
    const graceful = Date.now() - t0;
    const code = await leader.exited;
    balancer.backends.delete(leader.port);
    await sleep(2000);
    const counts = await loop.stop();
    log(`graceful leader stop: takeover in ${graceful} ms; exit code ${code}; ${counts.ok} admissions, ${counts.failed} failed during the handover`);
    assert.equal(code, 0);
    assert.equal(counts.failed, 0, counts.errors.join("\n"));
    assert.ok(counts.ok > 0);

    // A leader that dies without a word (SIGKILL): its lease must expire first (6 s here).
    const back = await startReplica(`${leader.id}-2`);
    await sleep(1500);
    assert.equal(await leaseHolder(), follower.id, "a new replica does not steal a live lease");
    t0 = Date.now();
    follower.proc.kill("SIGKILL");
    await follower.exited;
    balancer.backends.delete(follower.port);
    await eventually("the restarted replica to lead", async () => (await leaseHolder()) === back.id, 30_000);
    const crash = Date.now() - t0;
    log(`killed leader: takeover in ${crash} ms (lease duration 6 s)`);
    assert.ok(crash <= 6000 + 2 * 1000 + 1000, `takeover within lease duration + retry: ${crash} ms`);
    // The new leader runs the certificate controller: the next rotation happens, pods still get injected.
    const before = (await secretData())["tls.crt"];
    await eventually("a rotation by the new leader", async () => (await secretData())["tls.crt"] !== before, VALIDITY_S * 1000);
    assert.ok(injected(await createPod("e2e-load")));
  });

  it("helm upgrade with changed values keeps the caBundle and the new values; helm uninstall leaves no webhook behind", async () => {
    const up = helm(["upgrade", RELEASE, chartDir, "--namespace", NS, ...chartValues(), "--set", "webhook.timeoutSeconds=5", "--set-string", "webhook.excludedNamespaces[0]=e2e-excluded"], env());
    assert.equal(up.code, 0, up.stderr);
    const trust = (await secretData())["ca-bundle.crt"];
    const mwc = await eventually("upgraded MWC with caBundle", async () => {
      const o = await admission.readMutatingWebhookConfiguration({ name: MWC });
      return o.webhooks!.every((w) => w.timeoutSeconds === 5 && w.clientConfig.caBundle === trust) ? o : undefined;
    }, 30_000);
    assert.ok(mwc.webhooks![0].namespaceSelector!.matchExpressions!.some((e) => e.values?.includes("e2e-excluded")));
    assert.ok(injected(await createPod("e2e-load")), "injection works right after the upgrade");

    // Switching the injector off removes its webhook (and its RBAC).
    const off = helm(["upgrade", RELEASE, chartDir, "--namespace", NS, ...chartValues(), "--set", "injector.enabled=false"], env());
    assert.equal(off.code, 0, off.stderr);
    await assert.rejects(admission.readMutatingWebhookConfiguration({ name: MWC }), (e: { code?: number }) => e.code === 404);
    // The API server sees webhook configurations through an informer: allow it a moment.
    await eventually("pods admitted without injection", async () => !injected(await createPod("e2e-load")), 15_000);

    const un = helm(["uninstall", RELEASE, "--namespace", NS], env());
    assert.equal(un.code, 0, un.stderr);
    const pointingAtUs = (cc: k8s.AdmissionregistrationV1WebhookClientConfig) => cc.url?.includes(`127.0.0.1:${balancer.port}`) || cc.service?.namespace === NS;
    const mwcs = (await admission.listMutatingWebhookConfiguration()).items.filter((o) => o.webhooks?.some((w) => pointingAtUs(w.clientConfig)));
    const vwcs = (await admission.listValidatingWebhookConfiguration()).items.filter((o) => o.webhooks?.some((w) => pointingAtUs(w.clientConfig)));
    assert.deepEqual([...mwcs, ...vwcs].map((o) => o.metadata?.name), []);
    // With pilotfish still running but uninstalled, nothing in the cluster depends on it: pods are admitted.
    for (const r of replicas) if (r.proc.exitCode === null) await stopReplica(r, "SIGTERM");
    const after = await createPod("e2e-load");
    assert.ok(!injected(after));
  });
});
