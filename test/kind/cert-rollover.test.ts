// End-to-end: a CA rollover (not only a serving-certificate rotation) while pods are created continuously.
// The new CA is added to the caBundle first and signs only after the propagation delay, so the API server
// never sees a certificate it does not trust. Short lifetimes: CA 60 s, serving certificate 20 s.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type Cluster } from "./cluster.js";
import { CertController, splitPem } from "../../src/kube/cert-controller.js";
import { StaticSettings, startWebhookServer, type WebhookServer } from "../../src/webhook/server.js";
import { registerInjectionWebhook } from "../../src/webhook/register.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";

const logger = createLogger({ level: process.env.E2E_LOG_LEVEL ?? "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("CA rollover under load", { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let server: WebhookServer | undefined;
  let certs: CertController;

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await certs?.stop();
    await server?.close();
    await cluster?.stop();
  });

  it("stages, then promotes a new CA with zero failed admissions", async () => {
    const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "pilotfish-system" } } });
    await core.createNamespace({ body: { metadata: { name: "load", labels: { "istio-injection": "enabled" } } } });
    const mwcName = "pilotfish-rollover";
    certs = new CertController({
      kc: cluster.kc,
      namespace: "pilotfish-system",
      secretName: "webhook-tls",
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1"],
      validityMs: 20_000,
      caValidityMs: 60_000,
      propagationMs: 4_000,
      mutatingWebhooks: [mwcName],
      validatingWebhooks: [],
      logger,
      onCertificate: (m) => server?.updateTls(m),
      isLeader: () => true,
    });
    const tls = await certs.bootstrap();
    server = await startWebhookServer({ port: 0, host: "127.0.0.1", tls, settings: new StaticSettings(settingsFromIstioOperator({}, { nativeSidecars: false })), logger, metrics: createMetrics({ defaultMetrics: false }) });
    // Registered without a caBundle: the controller must set it.
    await registerInjectionWebhook(cluster.kc, { name: mwcName, clientConfig: { url: server.url }, failurePolicy: "Fail" });
    certs.start();
    const admission = cluster.kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    for (let i = 0; i < 100; i++) {
      const m = await admission.readMutatingWebhookConfiguration({ name: mwcName });
      if (m.webhooks!.every((w) => w.clientConfig.caBundle)) break;
      await sleep(100);
    }
    await eventuallyServiceAccount(core, "load");
    await sleep(1500);

    const firstCa = certs.current()!.caCert;
    let running = true;
    let seq = 0;
    const counts = { ok: 0, failed: 0, errors: [] as string[] };
    const worker = async () => {
      while (running) {
        try {
          const p = await core.createNamespacedPod({ namespace: "load", body: { metadata: { name: `p-${seq++}` }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } } });
          assert.ok(p.spec!.containers.some((c) => c.name === "istio-proxy"));
          counts.ok++;
        } catch (e) {
          counts.failed++;
          if (counts.errors.length < 5) counts.errors.push(String((e as { body?: string }).body ?? e).slice(0, 300));
        }
      }
    };
    const workers = [worker(), worker()];
    const t0 = Date.now();
    let staged = 0;
    while (Date.now() - t0 < 90_000) {
      const b = certs.current()!;
      if (b.nextCaCert && !staged) staged = Date.now() - t0;
      if (b.caCert !== firstCa) break;
      await sleep(200);
    }
    const promoted = Date.now() - t0;
    await sleep(8000); // a serving rotation under the new CA, and the loop keeps going
    running = false;
    await Promise.all(workers);
    const b = certs.current()!;
    process.stdout.write(`# CA rollover: staged after ${(staged / 1000).toFixed(1)}s, promoted after ${(promoted / 1000).toFixed(1)}s; ${counts.ok} admissions, ${counts.failed} failed\n`);
    assert.notEqual(b.caCert, firstCa, "the CA was replaced");
    assert.ok(staged > 0 && staged < promoted, "the new CA was trusted before it signed");
    assert.equal(splitPem(b.trust).length, 2, "the retiring CA stays trusted until it expires");
    const m = await admission.readMutatingWebhookConfiguration({ name: mwcName });
    assert.ok(m.webhooks!.every((w) => w.clientConfig.caBundle === Buffer.from(b.trust).toString("base64")));
    assert.equal(counts.failed, 0, counts.errors.join("\n"));
    assert.ok(counts.ok > 20);
  });
});

async function eventuallyServiceAccount(core: k8s.CoreV1Api, ns: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await core.readNamespacedServiceAccount({ name: "default", namespace: ns });
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`no default ServiceAccount in ${ns}`);
}
