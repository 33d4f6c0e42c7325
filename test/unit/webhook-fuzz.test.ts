// Hostile and malformed AdmissionReviews against the real HTTPS server, both /inject and /validate (fast-check,
// fixed seed unless PILOTFISH_FUZZ_SEED; PILOTFISH_FUZZ_RUNS reviews, 3,000 by default): mangled objects, wrong
// types, truncated/binary bodies, deep nesting, and well-formed reviews (pods and Istio resources) mutated at any
// level (fuzz-arbitraries.ts). Every answer is a well-formed AdmissionReview (200, the request's uid echoed, a
// patch only when allowed, base64 of a JSONPatch) or a 4xx with a reason, the process never throws, a well-formed
// review sent after the storm is still answered, and the heap returns to its baseline after a forced GC.
// Bodies at the 6 MiB limit are served, over it refused with 413.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import { Writable } from "node:stream";
import fc from "fast-check";
import v8 from "node:v8";
import vm from "node:vm";
import { FUZZ_SEED, fuzzRuns, fuzzTimeout, mutate, mutation, type Json } from "./fuzz-arbitraries.js";
import { generateServingCert, type TlsMaterial } from "../../src/kube/certs.js";
import { startWebhookServer, type WebhookServer } from "../../src/webhook/server.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { admissionValidate } from "../../src/webhook/validate/index.js";
import { makeValidateHandler } from "../../src/webhook/validate-review.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";

const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });

/** The uid a body carries, if it is a JSON AdmissionReview with a string uid. */
function uidOf(b: Buffer): string | undefined {
  try {
    const j = JSON.parse(b.toString("utf8"));
    return typeof j?.request?.uid === "string" ? j.request.uid : undefined;
  } catch {
    return undefined;
  }
}

/** A forced full GC (this file may run without --expose-gc). */
function gc(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}
const mib = (n: number) => Math.round(n / 1024 / 1024);

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

// Well-formed reviews, mutated anywhere (request, envelope or object): seeds of both endpoints.
const SEED_REVIEWS: Json[] = [
  wellFormed("seed-pod", "Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { app: "p" }, annotations: { "sidecar.istio.io/proxyCPU": "100m" } }, spec: { containers: [{ name: "app", image: "a", ports: [{ containerPort: 8080 }] }, { name: "side", image: "s" }], initContainers: [{ name: "init", image: "i" }] } }) as Json,
  wellFormed("seed-vs", "VirtualService", { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "r" }, spec: { hosts: ["r"], http: [{ match: [{ uri: { prefix: "/a" } }], route: [{ destination: { host: "r", subset: "v1" }, weight: 100 }] }] } }) as Json,
  wellFormed("seed-dr", "DestinationRule", { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "d" }, spec: { host: "r", subsets: [{ name: "v1", labels: { v: "1" } }], trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } } }) as Json,
];
const mutatedReview = fc.tuple(fc.nat(SEED_REVIEWS.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([i, m]) => JSON.stringify(mutate(SEED_REVIEWS[i], m)));

const body = fc.oneof(
  { weight: 3, arbitrary: mutatedReview },
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

  it("answers every review with a well-formed AdmissionReview or a 4xx with a reason", { timeout: fuzzTimeout(600_000) }, async () => {
    const runs = fuzzRuns(3000);
    const tally = { reviews: 0, ok: 0, allowed: 0, denied: 0, patched: 0, status4xx: 0, crashes: 0 };
    // Baseline after a warm-up (JIT, TLS sessions, the validators' lazily built tables) and a forced GC.
    for (const b of SEED_REVIEWS) for (const p of ["/inject", "/validate"]) await post(server, tls.ca, p, Buffer.from(JSON.stringify(b)));
    gc();
    const base = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
    const start = performance.now();
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("/inject", "/validate"), async (b, path) => {
        tally.reviews++;
        const r = await post(server, tls.ca, path, b);
        if (r.status === 200) {
          tally.ok++;
          const out = JSON.parse(r.text);
          assert.equal(out.kind, "AdmissionReview");
          assert.equal(typeof out.response?.allowed, "boolean", r.text.slice(0, 300));
          assert.equal(typeof out.response.uid, "string");
          const uid = uidOf(b);
          if (uid !== undefined) assert.equal(out.response.uid, uid, "the uid is echoed");
          if (out.response.allowed) tally.allowed++;
          else {
            tally.denied++;
            assert.ok(typeof out.response.status?.message === "string" && out.response.status.message.length > 0, "a denial says why");
          }
          if (out.response.patch !== undefined) {
            tally.patched++;
            assert.equal(out.response.allowed, true, "a patch only when allowed");
            assert.equal(out.response.patchType, "JSONPatch");
            assert.ok(Array.isArray(JSON.parse(Buffer.from(out.response.patch, "base64").toString("utf8"))));
          }
        } else {
          tally.status4xx++;
          if (r.status >= 500) tally.crashes++;
          assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${r.text.slice(0, 300)}`);
          assert.ok(r.text.trim().length > 0, "a 4xx says why");
        }
      }),
      { seed: FUZZ_SEED, numRuns: runs },
    );
    const secs = ((performance.now() - start) / 1000).toFixed(1);
    assert.equal(tally.reviews >= runs, true);
    // Still serving: a well-formed review after the storm is injected.
    const ok = await post(server, tls.ca, "/inject", Buffer.from(JSON.stringify(wellFormed("after", "Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop" }, spec: { containers: [{ name: "app", image: "a" }] } }))));
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.text).response.allowed, true);
    // Memory back to its baseline: nothing a review allocated is kept (generous bound: 48 MiB of heap).
    agent.destroy();
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const now = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
    const peak = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(`# webhook-fuzz: ${JSON.stringify(tally)} over HTTPS in ${secs}s, seed ${FUZZ_SEED}`);
    console.log(`# webhook-fuzz: heap ${mib(base.heap)} -> ${mib(now.heap)} MiB after GC, RSS ${mib(base.rss)} -> ${mib(now.rss)} MiB, peak RSS ${peak} MiB (server and client in one process)`);
    assert.equal(tally.crashes, 0);
    assert.ok(now.heap - base.heap < 48 * 1024 * 1024, `heap grew ${mib(now.heap - base.heap)} MiB over the run`);
  });

  it("serves a review just under the 6 MiB limit and refuses one just over it with 413", { timeout: 60_000 }, async () => {
    const padTo = (size: number) => {
      const skeleton = JSON.stringify(wellFormed("six", "Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", annotations: { pad: "" } }, spec: { containers: [{ name: "app", image: "a" }] } }));
      return Buffer.from(skeleton.replace('"pad":""', `"pad":"${"é".repeat(Math.floor((size - skeleton.length) / 2))}"`), "utf8");
    };
    const under = padTo(6 * 1024 * 1024 - 1024);
    assert.ok(under.length <= 6 * 1024 * 1024 && under.length > 6 * 1024 * 1024 - 4096, String(under.length));
    const a = await post(server, tls.ca, "/inject", under);
    assert.equal(a.status, 200, a.text.slice(0, 200));
    assert.equal(JSON.parse(a.text).response.uid, "six");
    const v = await post(server, tls.ca, "/validate", under);
    assert.equal(v.status, 200);
    const over = padTo(6 * 1024 * 1024 + 4096);
    const b = await post(server, tls.ca, "/inject", over).catch((e) => ({ status: -1, text: String(e) }));
    assert.ok(b.status === 413 || b.status === -1, `status ${b.status}`);
  });

  it("refuses a 7 MiB body with 413 and keeps serving", async () => {
    const big = Buffer.from(JSON.stringify(wellFormed("big", "Pod", { metadata: { annotations: { a: "x".repeat(7 * 1024 * 1024) } } })));
    const r = await post(server, tls.ca, "/inject", big).catch((e) => ({ status: -1, text: String(e) }));
    assert.ok(r.status === 413 || r.status === -1, `status ${r.status}`);
    const ok = await post(server, tls.ca, "/validate", Buffer.from(JSON.stringify(wellFormed("v", "VirtualService", { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "r" }, spec: { hosts: ["r"], http: [{ route: [{ destination: { host: "r" } }] }] } }))));
    assert.equal(ok.status, 200);
  });
});
