// End-to-end: the real kube-apiserver calls pilotfish for pods the ReplicaSet controller creates.
// Runs against the local control plane (test/kind/cluster.ts) or any cluster given by KUBECONFIG with
// PILOTFISH_E2E_EXTERNAL=1 (pilotfish must then be reachable from the API server at PILOTFISH_E2E_URL).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type Cluster } from "./cluster.js";
import { generateServingCert, type TlsMaterial } from "../../src/kube/certs.js";
import { ClusterSettings } from "../../src/webhook/cluster-settings.js";
import { startWebhookServer, type WebhookServer } from "../../src/webhook/server.js";
import { buildMutatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";

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

describe("sidecar injection through the real admission chain", { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let admission: k8s.AdmissionregistrationV1Api;
  let tls: TlsMaterial;
  const servers: WebhookServer[] = [];
  const settingsWatches: ClusterSettings[] = [];

  async function startPilotfish(revision = ""): Promise<WebhookServer> {
    const settings = new ClusterSettings({ kc: cluster.kc, istioNamespace: "istio-system", revision, nativeMode: "auto", logger, nodeResyncMs: 3_600_000 });
    await settings.start();
    settingsWatches.push(settings);
    const s = await startWebhookServer({ port: 0, host: "127.0.0.1", tls, settings, revision, logger, metrics: createMetrics({ defaultMetrics: false }) });
    servers.push(s);
    return s;
  }

  async function applyMwc(obj: any): Promise<void> {
    try {
      await admission.deleteMutatingWebhookConfiguration({ name: obj.metadata.name });
    } catch {
      /* absent */
    }
    await admission.createMutatingWebhookConfiguration({ body: obj });
    // The API server picks webhook configurations up from an informer: give it a moment.
    await sleep(1500);
  }

  async function namespace(name: string, labels: Record<string, string>): Promise<void> {
    await core.createNamespace({ body: { metadata: { name, labels } } });
    await eventually(`default ServiceAccount in ${name}`, async () => (await core.readNamespacedServiceAccount({ name: "default", namespace: name })) ?? undefined);
  }

  async function deployAndGetPod(ns: string, name: string, template: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Promise<k8s.V1Pod> {
    const labels = { app: name, ...(template.labels ?? {}) };
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels, annotations: template.annotations }, spec: { containers: [{ name: "app", image: "example.com/app:1", ports: [{ containerPort: 8080 }] }] } },
        },
      },
    });
    return eventually(`a pod of ${ns}/${name}`, async () => {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` });
      return pods.items[0];
    });
  }

  const names = (list: { name: string }[] | undefined) => (list ?? []).map((c) => c.name);

  before(async () => {
    cluster = await startCluster();
    core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    apps = cluster.kc.makeApiClient(k8s.AppsV1Api);
    admission = cluster.kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    tls = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    await core.createNamespace({ body: { metadata: { name: "istio-system" } } }).catch(() => undefined);
    const main = await startPilotfish();
    await applyMwc(buildMutatingWebhookConfiguration({ clientConfig: { url: main.url, caBundle: tls.ca }, failurePolicy: "Fail", timeoutSeconds: 10 }));
  });

  after(async () => {
    for (const s of settingsWatches) s.stop();
    for (const s of servers) await s.close().catch(() => undefined);
    await cluster?.stop();
  });

  it("injects istio-init and istio-proxy into pods of a Deployment in a namespace labelled istio-injection=enabled", async () => {
    await namespace("e2e-labelled", { "istio-injection": "enabled" });
    const pod = await deployAndGetPod("e2e-labelled", "web");
    // No kubelets: `auto` resolves to classic sidecars, as istiod does with no nodes.
    assert.deepEqual(names(pod.spec?.initContainers), ["istio-init"]);
    assert.deepEqual(names(pod.spec?.containers), ["app", "istio-proxy"]);
    assert.equal(pod.metadata?.labels?.["security.istio.io/tlsMode"], "istio");
    const proxy = pod.spec!.containers.find((c) => c.name === "istio-proxy")!;
    const env = Object.fromEntries((proxy.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.ISTIO_META_WORKLOAD_NAME, "web", "the owner Deployment, found through the ReplicaSet");
    assert.equal(env.ISTIO_META_OWNER, "kubernetes://apis/apps/v1/namespaces/e2e-labelled/deployments/web");
    assert.ok(pod.metadata?.annotations?.["sidecar.istio.io/status"]);
    // The API server defaulted the volumes the template left without a source.
    assert.ok(pod.spec!.volumes!.find((v) => v.name === "workload-socket")?.emptyDir);
  });

  it("leaves pods alone in an unlabelled namespace", async () => {
    await namespace("e2e-plain", {});
    const pod = await deployAndGetPod("e2e-plain", "web");
    assert.deepEqual(names(pod.spec?.containers), ["app"]);
    assert.equal(pod.spec?.initContainers, undefined);
  });

  it("respects sidecar.istio.io/inject=false on the pod template (label and annotation)", async () => {
    await namespace("e2e-optout", { "istio-injection": "enabled" });
    const byAnnotation = await deployAndGetPod("e2e-optout", "by-annotation", { annotations: { "sidecar.istio.io/inject": "false" } });
    assert.deepEqual(names(byAnnotation.spec?.containers), ["app"]);
    const byLabel = await deployAndGetPod("e2e-optout", "by-label", { labels: { "sidecar.istio.io/inject": "false" } });
    assert.deepEqual(names(byLabel.spec?.containers), ["app"]);
  });

  it("selects the matching revision with istio.io/rev", async () => {
    const canary = await startPilotfish("canary");
    await applyMwc(buildMutatingWebhookConfiguration({ revision: "canary", clientConfig: { url: canary.url, caBundle: tls.ca } }));
    await namespace("e2e-canary", { "istio.io/rev": "canary" });
    const pod = await deployAndGetPod("e2e-canary", "web");
    assert.deepEqual(names(pod.spec?.containers), ["app", "istio-proxy"]);
    assert.equal(pod.metadata?.annotations?.["istio.io/rev"], "canary");
    await namespace("e2e-other-rev", { "istio.io/rev": "stable" });
    const other = await deployAndGetPod("e2e-other-rev", "web");
    assert.deepEqual(names(other.spec?.containers), ["app"], "no webhook serves revision stable");
  });

  it("never injects into kube-system, even when it is labelled", async () => {
    await core.patchNamespace({ name: "kube-system", body: [{ op: "add", path: "/metadata/labels/istio-injection", value: "enabled" }] });
    try {
      await eventually("default ServiceAccount in kube-system", async () => (await core.readNamespacedServiceAccount({ name: "default", namespace: "kube-system" })) ?? undefined);
      const pod = await core.createNamespacedPod({ namespace: "kube-system", body: { metadata: { name: "e2e-system-pod" }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } } });
      assert.deepEqual(names(pod.spec?.containers), ["app"]);
    } finally {
      await core.patchNamespace({ name: "kube-system", body: [{ op: "remove", path: "/metadata/labels/istio-injection" }] });
      await core.deleteNamespacedPod({ name: "e2e-system-pod", namespace: "kube-system" }).catch(() => undefined);
    }
  });

  it("with pilotfish unreachable: Fail rejects pod creation with the API server's webhook error, Ignore admits it uninjected", async () => {
    // A port nobody listens on.
    const dead = await new Promise<number>((resolve) => {
      const srv = https.createServer();
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const url = `https://127.0.0.1:${dead}`;
    await namespace("e2e-down", { "e2e-down": "yes" });
    const mwc = (name: string, failurePolicy: "Fail" | "Ignore") => {
      const m = buildMutatingWebhookConfiguration({ name, clientConfig: { url, caBundle: tls.ca }, failurePolicy, timeoutSeconds: 3 });
      m.webhooks = [{ ...m.webhooks[0], name: `down.sidecar-injector.istio.io`, namespaceSelector: { matchLabels: { "e2e-down": "yes" } }, objectSelector: {} }];
      return m;
    };
    await applyMwc(mwc("e2e-down-fail", "Fail"));
    try {
      await assert.rejects(
        core.createNamespacedPod({ namespace: "e2e-down", body: { metadata: { name: "p1" }, spec: { containers: [{ name: "app", image: "x" }] } } }),
        (e: any) => {
          const status = typeof e?.body === "string" ? JSON.parse(e.body) : e?.body;
          assert.equal(e.code, 500);
          assert.match(status.message, /failed calling webhook "down\.sidecar-injector\.istio\.io".*connection refused/);
          return true;
        },
      );
    } finally {
      await admission.deleteMutatingWebhookConfiguration({ name: "e2e-down-fail" });
    }
    await applyMwc(mwc("e2e-down-ignore", "Ignore"));
    try {
      const pod = await core.createNamespacedPod({ namespace: "e2e-down", body: { metadata: { name: "p2" }, spec: { containers: [{ name: "app", image: "x" }] } } });
      assert.deepEqual(names(pod.spec?.containers), ["app"]);
    } finally {
      await admission.deleteMutatingWebhookConfiguration({ name: "e2e-down-ignore" });
    }
  });

  it("does not inject twice when a later mutating webhook makes the API server re-invoke pilotfish", async () => {
    // A second webhook, ordered after pilotfish, that adds a label: reinvocationPolicy IfNeeded re-runs pilotfish.
    let labelled = 0;
    const labeler = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const review = JSON.parse(Buffer.concat(chunks).toString());
        const hasLabels = !!review.request.object.metadata.labels;
        const patch = hasLabels
          ? [{ op: "add", path: "/metadata/labels/relabelled", value: "yes" }]
          : [{ op: "add", path: "/metadata/labels", value: { relabelled: "yes" } }];
        labelled++;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: review.request.uid, allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") } }));
      });
    });
    await new Promise<void>((r) => labeler.listen(0, "127.0.0.1", () => r()));
    const port = (labeler.address() as AddressInfo).port;
    try {
      await applyMwc({
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "MutatingWebhookConfiguration",
        metadata: { name: "zz-e2e-labeler" },
        webhooks: [
          {
            name: "labeler.e2e.pilotfish.dev",
            clientConfig: { url: `https://127.0.0.1:${port}/`, caBundle: Buffer.from(tls.ca).toString("base64") },
            rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
            namespaceSelector: { matchLabels: { "e2e-reinvoke": "yes" } },
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
            reinvocationPolicy: "IfNeeded",
            failurePolicy: "Fail",
          },
        ],
      });
      await namespace("e2e-reinvoke", { "istio-injection": "enabled", "e2e-reinvoke": "yes" });
      const pod = await deployAndGetPod("e2e-reinvoke", "web");
      assert.equal(pod.metadata?.labels?.relabelled, "yes");
      assert.ok(labelled >= 1);
      assert.deepEqual(names(pod.spec?.containers), ["app", "istio-proxy"], "exactly one proxy");
      assert.deepEqual(names(pod.spec?.initContainers), ["istio-init"]);
      const volumeNames = names(pod.spec?.volumes as { name: string }[]);
      assert.equal(new Set(volumeNames).size, volumeNames.length, "no duplicated volumes");
    } finally {
      await admission.deleteMutatingWebhookConfiguration({ name: "zz-e2e-labeler" }).catch(() => undefined);
      labeler.close();
    }
  });

  it("shows the injected spec on kubectl apply --dry-run=server", async () => {
    await namespace("e2e-dryrun", { "istio-injection": "enabled" });
    const manifest = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "dry", namespace: "e2e-dryrun" }, spec: { containers: [{ name: "app", image: "x" }] } });
    const r = await cluster.kubectl(["apply", "--dry-run=server", "-o", "json", "-f", "-"], manifest);
    assert.equal(r.code, 0, r.stderr);
    const pod = JSON.parse(r.stdout);
    assert.deepEqual(names(pod.spec.containers), ["app", "istio-proxy"]);
    await assert.rejects(core.readNamespacedPod({ name: "dry", namespace: "e2e-dryrun" }), "a dry run creates nothing");
  });

  it("follows Istio's istio-sidecar-injector ConfigMap without a restart", async () => {
    await core.createNamespacedConfigMap({
      namespace: "istio-system",
      body: {
        metadata: { name: "istio-sidecar-injector" },
        data: { values: JSON.stringify({ global: { hub: "registry.example.com/mesh", tag: "9.9.9" } }), config: "policy: enabled\n" },
      },
    });
    await namespace("e2e-reload", { "istio-injection": "enabled" });
    const pod = await eventually("a pod with the new proxy image", async () => {
      const name = `web-${Date.now() % 100000}`;
      const p = await deployAndGetPod("e2e-reload", name);
      const img = p.spec?.containers.find((c) => c.name === "istio-proxy")?.image;
      return img === "registry.example.com/mesh/proxyv2:9.9.9" ? p : undefined;
    });
    assert.ok(pod);
    await core.deleteNamespacedConfigMap({ name: "istio-sidecar-injector", namespace: "istio-system" });
  });
});
