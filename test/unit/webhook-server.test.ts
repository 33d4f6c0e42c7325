// The admission server over real HTTPS with real AdmissionReview bodies.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import fs from "node:fs";
import { Writable } from "node:stream";
import tls from "node:tls";
import jsonpatch from "fast-json-patch";
import { generateServingCert, type TlsMaterial } from "../../src/kube/certs.js";
import { startWebhookServer, type SettingsSource, type WebhookServer } from "../../src/webhook/server.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";
import type { InjectionSettings } from "../../src/webhook/inject/types.js";

interface Reply {
  status: number;
  body: string;
  json?: any;
}

function request(server: WebhookServer, ca: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${server.url}${path}`, { method, ca, headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: text, json });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function review(pod: object, extra: object = {}) {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: { uid: "3f1c6a2e-0000-4000-8000-000000000001", kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE", namespace: "shop", object: pod, ...extra },
  });
}

const appPod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { generateName: "cart-7d9f8-", labels: { app: "cart", "pod-template-hash": "7d9f8" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "cart-7d9f8", controller: true, uid: "u1" }] },
  spec: { containers: [{ name: "cart", image: "shop/cart:1", ports: [{ containerPort: 8080, name: "http" }] }] },
};

function applyPatch(obj: object, reply: Reply): any {
  const patch = JSON.parse(Buffer.from(reply.json.response.patch, "base64").toString("utf8"));
  return jsonpatch.applyPatch(structuredClone(obj), patch, true, false).newDocument;
}

describe("webhook server over HTTPS", () => {
  let tlsMaterial: TlsMaterial;
  let server: WebhookServer;
  let synced = false;
  const logLines: string[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  let current: InjectionSettings = settingsFromIstioOperator({}, { nativeSidecars: false });
  const source: SettingsSource = { current: () => current, synced: () => synced };

  before(async () => {
    tlsMaterial = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    const destination = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    });
    server = await startWebhookServer({ port: 0, host: "127.0.0.1", tls: tlsMaterial, settings: source, logger: createLogger({ destination }), metrics, bodyLimit: 512 * 1024 });
  });
  after(async () => {
    await server.close();
  });

  it("injects a Deployment's pod: the JSON patch applied to the request object yields istio-init and istio-proxy", async () => {
    const r = await request(server, tlsMaterial.ca, "POST", "/inject", review(appPod));
    assert.equal(r.status, 200);
    assert.equal(r.json.apiVersion, "admission.k8s.io/v1");
    assert.equal(r.json.response.uid, "3f1c6a2e-0000-4000-8000-000000000001");
    assert.equal(r.json.response.allowed, true);
    assert.equal(r.json.response.patchType, "JSONPatch");
    const pod = applyPatch(appPod, r);
    assert.deepEqual(pod.spec.initContainers.map((c: any) => c.name), ["istio-init"]);
    assert.deepEqual(pod.spec.containers.map((c: any) => c.name), ["cart", "istio-proxy"]);
    const proxy = pod.spec.containers[1];
    const env = Object.fromEntries(proxy.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
    assert.equal(env.ISTIO_META_WORKLOAD_NAME, "cart", "owner is the Deployment behind the ReplicaSet");
    assert.equal(env.ISTIO_META_OWNER, "kubernetes://apis/apps/v1/namespaces/shop/deployments/cart");
    assert.equal(pod.metadata.labels["service.istio.io/canonical-name"], "cart");
    assert.equal(pod.metadata.annotations["sidecar.istio.io/status"].includes('"containers":["istio-proxy"]'), true);
    assert.equal(pod.metadata.namespace, undefined, "the patch does not add fields the API server sets itself");
  });

  it("injects an already-injected pod idempotently (reinvocation)", async () => {
    const first = applyPatch(appPod, await request(server, tlsMaterial.ca, "POST", "/inject", review(appPod)));
    const r2 = await request(server, tlsMaterial.ca, "POST", "/inject", review(first));
    const second = applyPatch(first, r2);
    assert.deepEqual(second, first);
  });

  it("native sidecar mode puts istio-proxy in initContainers with restartPolicy Always", async () => {
    current = settingsFromIstioOperator({}, { nativeSidecars: true });
    try {
      const pod = applyPatch(appPod, await request(server, tlsMaterial.ca, "POST", "/inject", review(appPod)));
      assert.deepEqual(pod.spec.initContainers.map((c: any) => c.name), ["istio-init", "istio-proxy"]);
      assert.equal(pod.spec.initContainers[1].restartPolicy, "Always");
      assert.deepEqual(pod.spec.containers.map((c: any) => c.name), ["cart"]);
    } finally {
      current = settingsFromIstioOperator({}, { nativeSidecars: false });
    }
  });

  it("takes cluster and network from the /inject/cluster/X/net/Y path", async () => {
    const pod = applyPatch(appPod, await request(server, tlsMaterial.ca, "POST", "/inject/cluster/east/net/net1", review(appPod)));
    const proxy = pod.spec.containers.find((c: any) => c.name === "istio-proxy");
    const env = Object.fromEntries(proxy.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
    assert.equal(env.ISTIO_META_CLUSTER_ID, "east");
    assert.equal(env.ISTIO_META_NETWORK, "net1");
    assert.equal(pod.metadata.labels["topology.istio.io/network"], "net1");
  });

  it("skips a pod that opts out, without a patch", async () => {
    const pod = { ...appPod, metadata: { ...appPod.metadata, annotations: { "sidecar.istio.io/inject": "false" } } };
    const r = await request(server, tlsMaterial.ca, "POST", "/inject", review(pod));
    assert.equal(r.json.response.allowed, true);
    assert.equal(r.json.response.patch, undefined);
  });

  it("denies a pod with an invalid traffic annotation, naming the annotation", async () => {
    const pod = { ...appPod, metadata: { ...appPod.metadata, annotations: { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/33" } } };
    const r = await request(server, tlsMaterial.ca, "POST", "/inject", review(pod));
    assert.equal(r.status, 200);
    assert.equal(r.json.response.allowed, false);
    assert.match(r.json.response.status.message, /traffic\.sidecar\.istio\.io\/excludeOutboundIPRanges/);
  });

  it("answers malformed requests with the reason and the right status", async () => {
    const wrongType = await request(server, tlsMaterial.ca, "POST", "/inject", review(appPod), { "content-type": "text/plain" });
    assert.equal(wrongType.status, 415);
    assert.match(wrongType.body, /application\/json/);
    const badJson = await request(server, tlsMaterial.ca, "POST", "/inject", "{not json");
    assert.equal(badJson.status, 400);
    assert.match(badJson.body, /not valid JSON/);
    const notReview = await request(server, tlsMaterial.ca, "POST", "/inject", JSON.stringify({ kind: "Pod" }));
    assert.equal(notReview.status, 400);
    assert.match(notReview.body, /kind: expected "AdmissionReview"/);
    const empty = await request(server, tlsMaterial.ca, "POST", "/inject", "");
    assert.equal(empty.status, 400);
    const big = await request(server, tlsMaterial.ca, "POST", "/inject", Buffer.alloc(600 * 1024, 32));
    assert.equal(big.status, 413);
    const get = await request(server, tlsMaterial.ca, "GET", "/inject");
    assert.equal(get.status, 405);
    // The server is still answering after all of that.
    const ok = await request(server, tlsMaterial.ca, "POST", "/inject", review(appPod));
    assert.equal(ok.json.response.allowed, true);
  });

  it("denies a pod whose spec has the wrong types, as Istio denies a pod it cannot decode (no crash)", async () => {
    const r = await request(server, tlsMaterial.ca, "POST", "/inject", review({ metadata: { name: "x" }, spec: { containers: "oops" } }));
    assert.equal(r.status, 200);
    assert.equal(r.json.response.allowed, false);
    assert.match(r.json.response.status.message, /cannot unmarshal string into Go struct field PodSpec\.spec\.containers of type \[\]v1\.Container/);
  });

  it("exposes Istio's injection metrics and logs one line per review without env values", async () => {
    const r = await request(server, tlsMaterial.ca, "GET", "/metrics");
    for (const name of ["sidecar_injection_requests_total", "sidecar_injection_success_total", "sidecar_injection_skip_total", "sidecar_injection_failure_total", "sidecar_injection_time_seconds_bucket"]) {
      assert.match(r.body, new RegExp(`^${name}`, "m"), name);
    }
    const requests = Number(/^sidecar_injection_requests_total (\d+)/m.exec(r.body)![1]);
    const skips = Number(/^sidecar_injection_skip_total (\d+)/m.exec(r.body)![1]);
    assert.ok(requests >= 10);
    assert.ok(skips >= 1);
    const reviews = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === "injection review");
    assert.ok(reviews.some((l) => l.namespace === "shop" && l.pod === "cart-7d9f8-" && l.decision === "injected" && typeof l.durationMs === "number"));
    assert.ok(!logLines.some((l) => l.includes("shop/cart:1")), "pod specs are not logged");
  });

  it("reports readiness from the settings source", async () => {
    synced = false;
    assert.equal((await request(server, tlsMaterial.ca, "GET", "/readyz")).status, 503);
    synced = true;
    assert.equal((await request(server, tlsMaterial.ca, "GET", "/readyz")).status, 200);
    assert.equal((await request(server, tlsMaterial.ca, "GET", "/healthz")).status, 200);
  });

  it("refuses TLS below 1.2", async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = tls.connect({ host: "127.0.0.1", port: server.port, ca: tlsMaterial.ca, maxVersion: "TLSv1.1", minVersion: "TLSv1" }, () => resolve(s));
        s.on("error", reject);
      }),
    );
  });

  it("serves a rotated certificate on new connections", async () => {
    const next = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    server.updateTls(next);
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = https.request(`${server.url}/healthz`, { ca: next.ca, agent: new https.Agent({ keepAlive: false }) }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: "" }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(r.status, 200);
    // A new connection trusting only the old CA no longer verifies.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = https.request(`${server.url}/healthz`, { ca: tlsMaterial.ca, agent: new https.Agent({ keepAlive: false }) }, resolve);
        req.on("error", reject);
        req.end();
      }),
      /self[- ]signed|unable to verify|certificate/i,
    );
  });
});

describe("webhook server with the Istio benchmark body", () => {
  it("injects Istio's BenchmarkInjectServePC0 review (uid empty, as Istio's test sends it)", async () => {
    const file = new URL("../../../shared/bench/inputs/serve-review.json", import.meta.url);
    if (!fs.existsSync(file)) return;
    const material = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    const settings = settingsFromIstioOperator({}, { nativeSidecars: true });
    const server = await startWebhookServer({ port: 0, host: "127.0.0.1", tls: material, settings: { current: () => settings, synced: () => true }, logger: createLogger({ level: "silent" }), metrics: createMetrics({ defaultMetrics: false }) });
    try {
      const body = fs.readFileSync(file, "utf8");
      const r = await request(server, material.ca, "POST", "/inject", body);
      assert.equal(r.json.response.allowed, true);
      const pod = applyPatch(JSON.parse(body).request.object, r);
      assert.deepEqual(pod.spec.initContainers.map((c: any) => c.name), ["istio-init", "istio-proxy", "c0"]);
      assert.deepEqual(pod.spec.imagePullSecrets, [{ name: "p0" }]);
    } finally {
      await server.close();
    }
  });
});
