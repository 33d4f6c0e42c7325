// The certificate controller's pure core (when to rotate, CA rollover, Secret encoding) and the Lease decision.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { applyPlan, bundleFromSecret, planCertificates, secretFromBundle, splitPem, validity, type CertBundle } from "../../src/kube/cert-controller.js";
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
