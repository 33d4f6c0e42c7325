// Hostile and malformed AdmissionReviews against the real HTTPS server, both /inject and /validate (fast-check,
// fixed seed): every answer is a well-formed AdmissionReview (200) or a 4xx with a reason, the process never
// throws, and a well-formed review sent after the storm is still answered.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import { Writable } from "node:stream";
import fc from "fast-check";
import { generateServingCert, type TlsMaterial } from "../../src/kube/certs.js";
import { startWebhookServer, type WebhookServer } from "../../src/webhook/server.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { admissionValidate } from "../../src/webhook/validate/index.js";
import { makeValidateHandler } from "../../src/webhook/validate-review.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";

const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });

function post(server: WebhookServer, ca: string, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${server.url}${path}`, { method: "POST", ca, agent, headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const wellFormed = (uid: string, kind: string, object: unknown, extra: object = {}) => ({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: { uid, kind: { group: kind === "Pod" ? "" : "networking.istio.io", version: "v1", kind }, resource: { group: "", version: "v1", resource: kind === "Pod" ? "pods" : "virtualservices" }, operation: "CREATE", namespace: "shop", object, ...extra },
});

// Anything JSON can hold, a little deeper than usual, with unicode keys and strings.
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: "grapheme", maxLength: 40 }), fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.string({ unit: "grapheme", maxLength: 12 }), tie("value"), { maxKeys: 5 })),
})).value;

// A pod-like object whose every level may have the wrong type.
const podish = fc.record({
  apiVersion: fc.oneof(fc.constant("v1"), anyJson),
  kind: fc.oneof(fc.constant("Pod"), anyJson),
  metadata: fc.oneof(fc.record({ name: fc.oneof(fc.string({ unit: "grapheme" }), anyJson), annotations: fc.oneof(fc.dictionary(fc.string({ unit: "grapheme", maxLength: 30 }), fc.string({ unit: "grapheme", maxLength: 80 })), anyJson), labels: anyJson }, { requiredKeys: [] }), anyJson),
  spec: fc.oneof(fc.record({ containers: fc.oneof(fc.array(fc.oneof(fc.record({ name: fc.oneof(fc.constant("app"), fc.constant("istio-proxy"), anyJson), image: anyJson, ports: anyJson, env: anyJson }, { requiredKeys: [] }), anyJson), { maxLength: 4 }), anyJson), initContainers: anyJson, volumes: anyJson }, { requiredKeys: [] }), anyJson),
}, { requiredKeys: [] });

const body = fc.oneof(
  // a review with a mangled object, request or envelope
  fc.tuple(fc.uuid(), fc.constantFrom("Pod", "VirtualService"), podish).map(([u, k, o]) => JSON.stringify(wellFormed(u, k, o))),
  fc.tuple(fc.uuid(), anyJson).map(([u, r]) => JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: r, uid: u })),
  anyJson.map((j) => JSON.stringify(j)),
  // truncated and corrupted JSON
  fc.tuple(fc.uuid(), podish, fc.nat()).map(([u, o, n]) => { const t = JSON.stringify(wellFormed(u, "Pod", o)); return t.slice(0, n % t.length); }),
  fc.string({ unit: "binary", maxLength: 200 }),
  // deep nesting
  fc.integer({ min: 100, max: 3000 }).map((d) => "[".repeat(d) + "]".repeat(d)),
).map((s) => Buffer.from(s, "utf8"));

describe("webhook under hostile AdmissionReviews (HTTPS)", () => {
  let tls: TlsMaterial;
  let server: WebhookServer;
  before(async () => {
    tls = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    const settings = settingsFromIstioOperator({}, { nativeSidecars: false });
    server = await startWebhookServer({
      port: 0, host: "127.0.0.1", tls, settings: { current: () => settings, synced: () => true },
      logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }), metrics: createMetrics({ defaultMetrics: false }),
      validate: makeValidateHandler(admissionValidate),
    });
  });
  after(async () => {
    agent.destroy();
    await server.close();
  });

  it("answers every review with a well-formed AdmissionReview or a 4xx with a reason", { timeout: 120_000 }, async () => {
    let reviews = 0;
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("/inject", "/validate"), async (b, path) => {
        reviews++;
        const r = await post(server, tls.ca, path, b);
        if (r.status === 200) {
          const out = JSON.parse(r.text);
          assert.equal(out.kind, "AdmissionReview");
          assert.equal(typeof out.response?.allowed, "boolean", r.text.slice(0, 300));
          assert.equal(typeof out.response.uid, "string");
          if (out.response.patch !== undefined) assert.ok(Array.isArray(JSON.parse(Buffer.from(out.response.patch, "base64").toString("utf8"))));
        } else {
          assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${r.text.slice(0, 300)}`);
          assert.ok(r.text.trim().length > 0, "a 4xx says why");
        }
      }),
      { seed: 20261201, numRuns: 2000 },
    );
    assert.equal(reviews >= 2000, true);
    // Still serving: a well-formed review after the storm is injected.
    const ok = await post(server, tls.ca, "/inject", Buffer.from(JSON.stringify(wellFormed("after", "Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop" }, spec: { containers: [{ name: "app", image: "a" }] } }))));
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.text).response.allowed, true);
  });

  it("refuses a 7 MiB body with 413 and keeps serving", async () => {
    const big = Buffer.from(JSON.stringify(wellFormed("big", "Pod", { metadata: { annotations: { a: "x".repeat(7 * 1024 * 1024) } } })));
    const r = await post(server, tls.ca, "/inject", big).catch((e) => ({ status: -1, text: String(e) }));
    assert.ok(r.status === 413 || r.status === -1, `status ${r.status}`);
    const ok = await post(server, tls.ca, "/validate", Buffer.from(JSON.stringify(wellFormed("v", "VirtualService", { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "r" }, spec: { hosts: ["r"], http: [{ route: [{ destination: { host: "r" } }] }] } }))));
    assert.equal(ok.status, 200);
  });
});
