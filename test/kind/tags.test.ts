// End-to-end: revision tags (`pilotfish tag`) on a real kube-apiserver. Two pilotfish injectors run, one for the
// default revision and one for `canary` (each with its own ConfigMaps, canary's asking for a 123m proxy CPU request),
// each registered as `serve --register-webhook` registers it. `pilotfish tag set prod --revision canary` must then make
// a namespace labelled istio.io/rev=prod get pods injected by pilotfish with canary's settings; `tag list` shows it;
// `tag remove` is refused while the namespace uses the tag and no -y is given, and removes it with -y.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type Cluster } from "./cluster.js";
import { generateServingCert, type TlsMaterial } from "../../src/kube/certs.js";
import { ClusterSettings } from "../../src/webhook/cluster-settings.js";
import { startWebhookServer, type WebhookServer } from "../../src/webhook/server.js";
import { registerInjectionWebhook } from "../../src/webhook/register.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";
import { resolveIop } from "../../src/config/resolve.js";
import { injectionConfigMapData } from "../../src/config/configmaps.js";
import { main, type CliIO } from "../../src/cli/main.js";

const logger = createLogger({ level: process.env.E2E_LOG_LEVEL ?? "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(300);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

describe("revision tags through the real admission chain", { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let admission: k8s.AdmissionregistrationV1Api;
  let tls: TlsMaterial;
  const servers: WebhookServer[] = [];
  const watches: ClusterSettings[] = [];

  async function pilotfish(cmd: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), readStdin: async () => "", isInteractive: () => false };
    const code = await main([...cmd, "--kubeconfig", cluster.kubeconfigPath], io);
    // The API server picks webhook configurations up from an informer: give it a moment.
    await sleep(1500);
    return { code, out, err };
  }

  async function startInjector(revision: string): Promise<void> {
    const settings = new ClusterSettings({ kc: cluster.kc, istioNamespace: "istio-system", revision, nativeMode: false, logger });
    await settings.start();
    watches.push(settings);
    const s = await startWebhookServer({ port: 0, host: "127.0.0.1", tls, settings, revision, logger, metrics: createMetrics({ defaultMetrics: false }) });
    servers.push(s);
    await registerInjectionWebhook(cluster.kc, { revision, clientConfig: { url: s.url, caBundle: tls.ca }, failurePolicy: "Fail" });
  }

  async function namespace(name: string, labels: Record<string, string>): Promise<void> {
    await core.createNamespace({ body: { metadata: { name, labels } } });
    await eventually(`default ServiceAccount in ${name}`, async () => (await core.readNamespacedServiceAccount({ name: "default", namespace: name })) ?? undefined);
  }

  async function podOf(ns: string, name: string, labels: Record<string, string> = {}): Promise<k8s.V1Pod> {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name, ...labels } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } },
        },
      },
    });
    return eventually(`a pod of ${ns}/${name}`, async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` })).items[0]);
  }

  const proxyOf = (pod: k8s.V1Pod) => pod.spec?.containers.find((c) => c.name === "istio-proxy");
  const cpuRequest = (pod: k8s.V1Pod) => proxyOf(pod)?.resources?.requests?.cpu;

  before(async () => {
    cluster = await startCluster();
    core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    apps = cluster.kc.makeApiClient(k8s.AppsV1Api);
    admission = cluster.kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    tls = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    await core.createNamespace({ body: { metadata: { name: "istio-system" } } });
    const canary = injectionConfigMapData(resolveIop({ docs: [], sets: ["revision=canary", "values.global.proxy.resources.requests.cpu=123m"] }), "istio-system");
    await core.createNamespacedConfigMap({ namespace: "istio-system", body: { metadata: { name: "istio-sidecar-injector-canary" }, data: canary.injector } });
    await core.createNamespacedConfigMap({ namespace: "istio-system", body: { metadata: { name: "istio-canary" }, data: canary.mesh } });
    await startInjector("");
    await startInjector("canary");
    await sleep(1500);
  });

  after(async () => {
    for (const w of watches) w.stop();
    for (const s of servers) await s.close().catch(() => undefined);
    await cluster?.stop();
  });

  it("tag set prod --revision canary: a namespace labelled istio.io/rev=prod is injected with canary's settings", async () => {
    const set = await pilotfish(["tag", "set", "prod", "--revision", "canary"]);
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /Revision tag "prod" created, referencing control plane revision "canary"/);
    const mwc = await admission.readMutatingWebhookConfiguration({ name: "istio-revision-tag-prod" });
    assert.equal(mwc.metadata?.labels?.["istio.io/rev"], "canary");
    assert.ok((await core.readNamespacedService({ name: "istiod-revision-tag-prod", namespace: "istio-system" })).spec?.selector?.["istio.io/rev"] === "canary");

    await namespace("tagged", { "istio.io/rev": "prod" });
    const pod = await podOf("tagged", "web");
    assert.ok(proxyOf(pod), "injected");
    assert.equal(cpuRequest(pod), "123m", "canary's ConfigMap, not the default revision's");
    assert.equal(pod.metadata?.annotations?.["istio.io/rev"], "canary");
    assert.equal(JSON.parse(pod.metadata!.annotations!["sidecar.istio.io/status"]).revision, "canary");
    const env = Object.fromEntries((proxyOf(pod)!.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.CA_ADDR, "istiod-canary.istio-system.svc:15012");

    // The same pod asking by its own label in an unlabelled namespace (the rev.object entry).
    await namespace("plain", {});
    const byLabel = await podOf("plain", "web", { "istio.io/rev": "prod" });
    assert.equal(cpuRequest(byLabel), "123m");
    // The default revision still injects as before.
    await namespace("enabled", { "istio-injection": "enabled" });
    const dflt = await podOf("enabled", "web");
    assert.ok(proxyOf(dflt));
    assert.notEqual(cpuRequest(dflt), "123m");
    assert.equal(dflt.metadata?.annotations?.["istio.io/rev"], "default");
  });

  it("tag set again needs --overwrite; a tag may not take a revision's name", async () => {
    const again = await pilotfish(["tag", "set", "prod", "--revision", "default"]);
    assert.equal(again.code, 1);
    assert.equal(again.err, 'Error: revision tag "prod" already exists, and --overwrite is false\n');
    const collide = await pilotfish(["tag", "set", "canary", "--revision", "default"]);
    assert.equal(collide.code, 1);
    assert.match(collide.err, /found existing control plane revision with same name/);
    const generate = await pilotfish(["tag", "generate", "prod", "--revision", "default", "--overwrite"]);
    assert.equal(generate.code, 0, generate.err);
    assert.match(generate.out, /name: istio-revision-tag-prod/);
    assert.equal((await admission.readMutatingWebhookConfiguration({ name: "istio-revision-tag-prod" })).metadata?.labels?.["istio.io/rev"], "canary", "generate changes nothing");
  });

  it("tag list shows the tag, its revision and the namespace using it", async () => {
    const list = await pilotfish(["tag", "list"]);
    assert.equal(list.code, 0, list.err);
    assert.equal(list.out, "TAG  REVISION NAMESPACES\nprod canary   tagged\n     default  \n");
    const json = JSON.parse((await pilotfish(["tag", "list", "-o", "json"])).out);
    assert.deepEqual(json.find((r: { tag: string }) => r.tag === "prod"), { tag: "prod", revision: "canary", namespaces: ["tagged"] });
  });

  it("tag remove is refused while a namespace uses the tag (no terminal, no -y), and done with -y", async () => {
    const refused = await pilotfish(["tag", "remove", "prod"]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /Caution, found 1 namespace\(s\) still injected by tag "prod": tagged/);
    assert.match(refused.err, /pass -y\/--skip-confirmation/);
    assert.ok(await admission.readMutatingWebhookConfiguration({ name: "istio-revision-tag-prod" }));
    const removed = await pilotfish(["tag", "remove", "prod", "-y"]);
    assert.equal(removed.code, 0, removed.err);
    assert.equal(removed.out, "Revision tag prod removed\n");
    await assert.rejects(admission.readMutatingWebhookConfiguration({ name: "istio-revision-tag-prod" }));
    await assert.rejects(core.readNamespacedService({ name: "istiod-revision-tag-prod", namespace: "istio-system" }));
    const after = await podOf("tagged", "after-remove");
    assert.equal(proxyOf(after), undefined, "no webhook selects istio.io/rev=prod any more");
    const gone = await pilotfish(["tag", "remove", "prod", "-y"]);
    assert.equal(gone.code, 1);
    assert.equal(gone.err, 'Error: cannot remove tag "prod": cannot find MutatingWebhookConfiguration or Service for tag\n');
  });

  it("tag set default --revision canary takes istio-injection=enabled over from the default revision", async () => {
    const set = await pilotfish(["tag", "set", "default", "--revision", "canary"]);
    assert.equal(set.code, 0, set.err);
    assert.match(set.err, /istio-sidecar-injector \(revision default\) deactivated/);
    const dflt = await admission.readMutatingWebhookConfiguration({ name: "istio-sidecar-injector" });
    for (const w of dflt.webhooks ?? []) assert.deepEqual(w.namespaceSelector?.matchLabels, { "istio.io/deactivated": "never-match" });
    const pod = await podOf("enabled", "after-default-tag");
    assert.equal(cpuRequest(pod), "123m", "istio-injection=enabled now goes to canary's injector");
    assert.equal(pod.metadata?.annotations?.["istio.io/rev"], "canary");
    assert.equal((await pilotfish(["tag", "list"])).out, "TAG     REVISION NAMESPACES\ndefault canary   \n        default  \n");
  });
});
