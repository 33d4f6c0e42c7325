// The certificate controller's pure core (when to rotate, CA rollover, Secret encoding) and the Lease decision.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import { CertController, applyPlan, bundleFromSecret, planCertificates, secretFromBundle, splitPem, validity, type CertBundle } from "../../src/kube/cert-controller.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { microTime } from "../../src/kube/leader.js";
import { durationFlag } from "../../src/config/duration.js";

const dnsNames = ["pilotfish.pilotfish-system.svc", "localhost"];
const issue = (now: number, validityMs = 60_000, caValidityMs = 3_600_000) => ({ dnsNames, ipAddresses: ["127.0.0.1"], validityMs, caValidityMs, now });
const plan = (b: CertBundle | undefined, now: number) => planCertificates(b, { now, dnsNames, propagationMs: 5_000 });

describe("certificate planning", () => {
  it("creates, then rotates the serving certificate at half its lifetime, keeping the CA", async () => {
    const t0 = Date.now();
    assert.equal(plan(undefined, t0).action, "create");
    const b = (await applyPlan(undefined, { action: "create", reason: "" }, issue(t0)))!;
    const leaf = validity(b.cert);
    assert.ok(leaf.notAfter - t0 <= 60_000 + 1000 && leaf.notAfter - t0 >= 59_000, "serving certificate lives the configured validity");
    assert.ok(new X509Certificate(b.cert).checkIssued(new X509Certificate(b.caCert)));
    assert.match(new X509Certificate(b.cert).subjectAltName!, /DNS:pilotfish\.pilotfish-system\.svc/);
    assert.equal(new X509Certificate(b.cert).verify(new X509Certificate(b.caCert).publicKey), true);
    const p1 = plan(b, t0 + 1000);
    assert.equal(p1.action, "none");
    const half = leaf.notBefore + (leaf.notAfter - leaf.notBefore) / 2;
    assert.equal((p1 as { nextCheck: number }).nextCheck, half);
    assert.equal(plan(b, half - 1).action, "none");
    assert.equal(plan(b, half).action, "rotate-serving");
    const b2 = (await applyPlan(b, plan(b, half), issue(half)))!;
    assert.equal(b2.caCert, b.caCert, "a serving rotation keeps the CA, so the caBundle does not change");
    assert.notEqual(b2.cert, b.cert);
    assert.equal(b2.trust, b.trust);
  });

  it("rolls the CA over in two steps: trusted first, signing after the propagation delay", async () => {
    const t0 = Date.now();
    const b = (await applyPlan(undefined, { action: "create", reason: "" }, issue(t0, 60_000, 100_000)))!;
    const ca = validity(b.caCert);
    const caHalf = ca.notBefore + (ca.notAfter - ca.notBefore) / 2;
    assert.equal(plan(b, caHalf).action, "stage-ca");
    const staged = (await applyPlan(b, plan(b, caHalf), issue(caHalf, 60_000, 100_000)))!;
    assert.equal(staged.caCert, b.caCert, "the old CA still signs");
    assert.equal(splitPem(staged.trust).length, 2, "both CAs trusted");
    assert.ok(staged.nextCaCert && staged.trust.includes(staged.nextCaCert.trim()));
    assert.notEqual(plan(staged, caHalf + 4_000).action, "promote-ca");
    assert.equal(plan(staged, caHalf + 5_000).action, "promote-ca");
    const promoted = (await applyPlan(staged, plan(staged, caHalf + 5_000), issue(caHalf + 5_000, 60_000, 100_000)))!;
    assert.equal(promoted.caCert, staged.nextCaCert);
    assert.equal(promoted.nextCaCert, undefined);
    assert.ok(new X509Certificate(promoted.cert).checkIssued(new X509Certificate(promoted.caCert)));
    assert.ok(promoted.trust.includes(b.caCert.trim()), "the retiring CA stays trusted until it expires");
    // Once the old CA expired, the next write drops it.
    const later = ca.notAfter + 1;
    const rotated = (await applyPlan(promoted, { action: "rotate-serving", reason: "" }, issue(later, 60_000, 100_000)))!;
    assert.equal(splitPem(rotated.trust).length, 1);
  });

  it("a serving certificate missing a SAN or signed by another CA is replaced", async () => {
    const t0 = Date.now();
    const b = (await applyPlan(undefined, { action: "create", reason: "" }, issue(t0)))!;
    const p = planCertificates(b, { now: t0, dnsNames: [...dnsNames, "other.svc"], propagationMs: 1000 });
    assert.equal(p.action, "rotate-serving");
    assert.match((p as { reason: string }).reason, /other\.svc/);
    const other = (await applyPlan(undefined, { action: "create", reason: "" }, issue(t0)))!;
    assert.equal(plan({ ...b, cert: other.cert, key: other.key }, t0).action, "rotate-serving");
    assert.equal(plan({ ...b, cert: "garbage" }, t0).action, "create");
  });

  it("round-trips through Secret data", async () => {
    const t0 = Date.now();
    const b = (await applyPlan(undefined, { action: "create", reason: "" }, issue(t0, 60_000, 100_000)))!;
    const staged = (await applyPlan(b, { action: "stage-ca", reason: "" }, issue(t0)))!;
    const { data, annotations } = secretFromBundle(staged);
    assert.deepEqual(Object.keys(data).sort(), ["ca-bundle.crt", "ca.crt", "ca.key", "next-ca.crt", "next-ca.key", "tls.crt", "tls.key"]);
    assert.deepEqual(bundleFromSecret(data, annotations), staged);
    assert.equal(bundleFromSecret({ "tls.crt": data["tls.crt"] }), undefined);
  });

  it("parses Go-style durations, naming the flag when one is wrong", () => {
    assert.equal(durationFlag("--cert-validity", "90s"), 90_000);
    assert.equal(durationFlag("--cert-validity", "1h30m"), 5_400_000);
    assert.equal(durationFlag("--cert-validity", "250ms"), 250);
    assert.equal(durationFlag("--readiness-timeout", "1m30s"), 90_000);
    assert.equal(durationFlag("--x", "1.5h"), 5_400_000);
    assert.throws(() => durationFlag("--cert-validity", "10"), /--cert-validity "10": not a duration/);
    assert.throws(() => durationFlag("--resync", "banana"), /--resync "banana": not a duration/);
    assert.throws(() => durationFlag("--cert-validity", "1d"), /not a duration/);
    assert.throws(() => durationFlag("--cert-validity", "-5s"), /must be a positive duration/);
  });
});

describe("lease time format", () => {
  it("writes MicroTime with six fractional digits", () => {
    assert.equal(microTime(Date.parse("2026-01-01T00:00:01.234Z")), "2026-01-01T00:00:01.234000Z");
  });
});

describe("CertController against a scripted API server", () => {
  type Reply = { status: number; body: object };
  let server: http.Server;
  let kc: k8s.KubeConfig;
  const replies: Reply[] = [];
  const seen: { method: string; url: string; type?: string; body: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method!, url: req.url!, type: req.headers["content-type"], body });
        const r = replies.shift() ?? { status: 500, body: { message: "no reply scripted" } };
        res.writeHead(r.status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(r.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "c", user: "u" }],
      currentContext: "c",
    });
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("loses the create race to another replica and serves its certificate; a conflicting write re-reads; caBundles are JSON-patched behind a resourceVersion test", async () => {
    const t0 = Date.now();
    const theirs = (await applyPlan(undefined, { action: "create", reason: "" }, issue(t0)))!;
    const trust64 = Buffer.from(theirs.trust).toString("base64");
    const svc = { namespace: "ns", name: "pilotfish", port: 443 };
    const secret = (rv: string) => ({ metadata: { name: "tls", namespace: "ns", resourceVersion: rv, annotations: secretFromBundle(theirs).annotations }, data: secretFromBundle(theirs).data });
    let now = t0;
    const served: string[] = [];
    const c = new CertController({
      kc, namespace: "ns", secretName: "tls", dnsNames, ipAddresses: ["127.0.0.1"], validityMs: 60_000, caValidityMs: 3_600_000,
      mutatingWebhooks: ["mwc"], validatingWebhooks: ["gone"], logger: createLogger({ level: "silent" }),
      onCertificate: (m) => served.push(m.cert), isLeader: () => true, now: () => now,
    });
    replies.push({ status: 404, body: { message: "not found" } }, { status: 409, body: { message: "already exists" } }, { status: 200, body: secret("5") });
    const tls = await c.bootstrap();
    assert.equal(tls.cert, theirs.cert, "the other replica's certificate wins");
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), ["GET /api/v1/namespaces/ns/secrets/tls", "POST /api/v1/namespaces/ns/secrets", "GET /api/v1/namespaces/ns/secrets/tls"]);

    seen.length = 0;
    now = t0 + 31_000; // past half the serving certificate's life: rotate
    replies.push(
      { status: 200, body: secret("5") },
      { status: 409, body: { message: "the object has been modified" } },
      { status: 200, body: secret("6") },
      { status: 200, body: { metadata: { name: "mwc", resourceVersion: "9" }, webhooks: [{ name: "a", clientConfig: { caBundle: "old", service: svc } }, { name: "b", clientConfig: { caBundle: trust64, service: svc } }] } },
      { status: 404, body: { message: "not found" } },
      {
        status: 200,
        body: {
          metadata: { resourceVersion: "20" },
          items: [
            // A tag of this injector (`pilotfish tag set`): follows the CA. A tag of another pilotfish: left alone.
            { metadata: { name: "istio-revision-tag-prod", resourceVersion: "11" }, webhooks: [{ name: "t", clientConfig: { caBundle: "old", service: { ...svc, path: "/inject" } } }] },
            { metadata: { name: "istio-revision-tag-other", resourceVersion: "12" }, webhooks: [{ name: "t", clientConfig: { caBundle: "x", service: { ...svc, name: "elsewhere" } } }] },
          ],
        },
      },
      { status: 200, body: {} },
      { status: 200, body: {} },
    );
    await c.reconcile();
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
      "GET /api/v1/namespaces/ns/secrets/tls",
      "PUT /api/v1/namespaces/ns/secrets/tls",
      "GET /api/v1/namespaces/ns/secrets/tls",
      "GET /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/mwc",
      "GET /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gone",
      `GET /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?limit=500&${new URLSearchParams({ labelSelector: "istio.io/tag,app.kubernetes.io/managed-by=pilotfish" })}`,
      "PATCH /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/mwc",
      "PATCH /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-revision-tag-prod",
    ]);
    assert.equal(JSON.parse(seen[1].body).metadata.resourceVersion, "5", "the write carries the resourceVersion read");
    assert.equal(c.stats.conflicts, 1);
    assert.equal(c.stats.rotations, 0);
    assert.equal(seen[6].type, "application/json-patch+json");
    assert.deepEqual(JSON.parse(seen[6].body), [
      { op: "test", path: "/metadata/resourceVersion", value: "9" },
      { op: "add", path: "/webhooks/0/clientConfig/caBundle", value: trust64 },
    ]);
    assert.deepEqual(JSON.parse(seen[7].body), [
      { op: "test", path: "/metadata/resourceVersion", value: "11" },
      { op: "add", path: "/webhooks/0/clientConfig/caBundle", value: trust64 },
    ]);
    assert.equal(c.stats.caBundlePatches, 2);
    assert.deepEqual(served, [theirs.cert]);
  });
});
