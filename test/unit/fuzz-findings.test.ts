// Regression tests for the defects fuzzing found (README "Reliability", pilotfish issue #14): F1-F3 in the
// injection path, V1-V3 in the validators. The reproducers are the ones of that file; each test asserts the
// right answer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import jsonpatch from "fast-json-patch";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { handleInjectReview, parseAdmissionReview } from "../../src/webhook/admission.js";
import { admissionValidate, validateResource } from "../../src/webhook/validate/index.js";
import { podShapeError } from "../../src/webhook/inject/shape.js";

const settings = settingsFromIstioOperator({}, { nativeSidecars: false });
const review = (object: unknown, uid = "u") =>
  parseAdmissionReview({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid, operation: "CREATE", namespace: "ns", object } });
const vreview = (object: unknown) => ({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "v", operation: "CREATE", object } });
const container = { name: "a", image: "a" };

function nested(depth: number): unknown {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe("injection path (F1-F3)", () => {
  it("F1: a pod name that is an object with a toString key is answered (denied as undecodable), not thrown", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: { toString: "x" } }, spec: { containers: [container] } };
    const r = handleInjectReview(review(pod), settings);
    assert.equal(r.body.response.uid, "u");
    assert.equal(r.body.response.allowed, false);
    assert.equal(r.pod, "");
    assert.match(String((r.body.response.status as { message: string }).message), /cannot unmarshal object into Go struct field ObjectMeta\.metadata\.name of type string/);
  });

  it("F1: a generateName or request name is used when metadata.name is not a string", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { generateName: "g-" }, spec: { containers: [container] } };
    assert.equal(handleInjectReview(review(pod), settings).pod, "g-");
  });

  it("F2: wrong-typed pods are denied with the field path, as Go's decoder words it, not admitted without a sidecar", () => {
    const cases: [unknown, RegExp][] = [
      [{ spec: { containers: 7 } }, /json: cannot unmarshal number into Go struct field PodSpec\.spec\.containers of type \[\]v1\.Container/],
      [{ metadata: { name: "p", ownerReferences: {} }, spec: { containers: [container] } }, /cannot unmarshal object into Go struct field ObjectMeta\.metadata\.ownerReferences of type \[\]v1\.OwnerReference/],
      [{ spec: { containers: [{ name: 7, image: "a" }] } }, /cannot unmarshal number into Go struct field Container\.spec\.containers\.name of type string \(at spec\.containers\[0\]\.name\)/],
      [{ spec: { containers: [container], initContainers: "x" } }, /cannot unmarshal string into Go struct field PodSpec\.spec\.initContainers of type \[\]v1\.Container/],
      [{ metadata: { name: "p", labels: { a: 1 } }, spec: { containers: [container] } }, /cannot unmarshal number into Go struct field ObjectMeta\.metadata\.labels\.a of type string/],
      [{ metadata: { name: "p", ownerReferences: [{ name: 3 }] }, spec: { containers: [container] } }, /OwnerReference\.metadata\.ownerReferences\.name of type string/],
      [{ spec: { containers: [{ ...container, env: [{ name: "E", value: 1 }] }] } }, /EnvVar\.spec\.containers\.env\.value of type string/],
      [{ spec: { containers: [container], volumes: [7] } }, /cannot unmarshal number into Go struct field PodSpec\.spec\.volumes of type v1\.Volume/],
      [{ metadata: "m", spec: { containers: [container] } }, /Pod\.metadata of type v1\.ObjectMeta/],
      [{ spec: { containers: [container], nodeSelector: nested(3000) } }, /exceeded max depth/],
    ];
    for (const [extra, want] of cases) {
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, ...(extra as object) };
      const r = handleInjectReview(review(pod, "f2"), settings);
      assert.equal(r.result, "denied", `${JSON.stringify(extra).slice(0, 200)}: ${r.reason}`);
      assert.equal(r.body.response.allowed, false);
      assert.match(String((r.body.response.status as { message: string }).message), want);
    }
  });

  it("F2: a well-typed pod (nulls as Go's zero values included) passes the shape check and is injected", () => {
    assert.equal(podShapeError({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: null, annotations: { a: "b" } }, spec: { containers: [container], volumes: null } }), undefined);
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { app: "a" } }, spec: { containers: [{ ...container, ports: [{ containerPort: 80 }] }] } };
    assert.equal(handleInjectReview(review(pod), settings).result, "injected");
  });

  it("F2: an owner reference without a name is read as Go reads it (\"\"), not an internal fault that admits the pod", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { generateName: "c-", labels: { "pod-template-hash": "1" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", controller: true, uid: "u1" }] }, spec: { containers: [container] } };
    const r = handleInjectReview(review(pod), settings);
    assert.equal(r.result, "injected", r.reason);
  });

  it("F3: the patch for a pod sent without metadata applies to it (it adds /metadata first)", () => {
    const pod = { apiVersion: "v1", kind: "Pod", spec: { containers: [container] } };
    const r = handleInjectReview(review(pod), settings);
    assert.equal(r.result, "injected");
    const patch = JSON.parse(Buffer.from(String(r.body.response.patch), "base64").toString());
    assert.ok(!patch.some((op: { path: string }) => op.path.startsWith("/metadata/")), "no op under a /metadata the pod does not have");
    const out = jsonpatch.applyPatch(structuredClone(pod), patch, true, false).newDocument as { metadata: { labels: Record<string, string> }; spec: { containers: { name: string }[] } };
    assert.ok(out.spec.containers.some((c) => c.name === "istio-proxy"));
    assert.ok(out.metadata.labels["security.istio.io/tlsMode"]);
  });
});

describe("validators (V1-V3)", () => {
  it("V1: a kind or apiVersion that is not a string is an error with its path, not a throw", () => {
    const r = admissionValidate(vreview({ apiVersion: "networking.istio.io/v1", kind: [{ toString: null }], metadata: { name: "x" }, spec: {} }));
    const resp = r.response as { allowed: boolean; status: { message: string } };
    assert.equal(resp.allowed, false);
    assert.match(resp.status.message, /kind: must be a string, got array/);
    const v = validateResource({ apiVersion: { toString: 1 }, kind: "Gateway", metadata: { name: "x" }, spec: {} });
    assert.deepEqual(v.errors.map((e) => e.path), ["apiVersion"]);
  });

  it("V2: 4,000 equal VirtualService hosts validate in well under 1 s, each duplicate reported once, the denial bounded", () => {
    const n = 4000;
    const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "v" }, spec: { hosts: Array.from({ length: n }, () => "a.b"), http: [{ route: [{ destination: { host: "a.b" } }] }] } };
    const t = performance.now();
    const v = validateResource(vs);
    const r = admissionValidate(vreview(vs));
    const ms = performance.now() - t;
    assert.ok(ms < 1000, `${ms} ms`);
    assert.equal(v.errors.length, n - 1, "one error per duplicate host, not per pair");
    assert.deepEqual(v.errors[0], { path: "spec.hosts[1]", message: "duplicate hosts in virtual service: a.b & a.b" });
    const message = (r.response as { status: { message: string } }).status.message;
    assert.ok(message.length < 64 * 1024, `${message.length} chars`);
    assert.match(message, /and 3899 more errors$/);
  });

  it("V2: wildcard duplicates keep Istio's wording; a duplicate is found across wildcard and literal hosts", () => {
    const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "v" }, spec: { hosts: ["*.foo.com", "a.com", "x.foo.com", "*.com"], http: [{ route: [{ destination: { host: "a.b" } }] }] } };
    assert.deepEqual(validateResource(vs).errors.map((e) => `${e.path}: ${e.message}`).sort(), [
      "spec.hosts[2]: duplicate hosts in virtual service: *.foo.com & x.foo.com",
      "spec.hosts[3]: duplicate hosts in virtual service: *.foo.com & *.com",
    ]);
  });

  it("V2: distinct wildcard hosts are compared within a budget: 4,000 are checked, 6,000 are refused, not accepted unchecked", () => {
    const vs = (n: number) => ({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "v" }, spec: { hosts: Array.from({ length: n }, (_, i) => `*.a${i}.com`), http: [{ route: [{ destination: { host: "a.b" } }] }] } });
    let t = performance.now();
    assert.deepEqual(validateResource(vs(4000)).errors, []);
    assert.ok(performance.now() - t < 1000, `${performance.now() - t} ms`);
    t = performance.now();
    assert.match(validateResource(vs(6000)).errors.map((e) => e.message).join("\n"), /too many wildcard hosts to check for duplicates \(6000 hosts/);
    assert.ok(performance.now() - t < 1000, `${performance.now() - t} ms`);
  });

  it("V2: 4,000 empty Gateway servers validate in well under 1 s with a bounded denial", () => {
    const gw = { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "g" }, spec: { servers: Array.from({ length: 4000 }, () => ({})) } };
    const t = performance.now();
    const r = admissionValidate(vreview(gw));
    const ms = performance.now() - t;
    assert.ok(ms < 1000, `${ms} ms`);
    const message = (r.response as { status: { message: string } }).status.message;
    assert.ok(message.length < 64 * 1024, `${message.length} chars`);
    assert.match(message, /and \d+ more errors$/);
  });

  it("V2: a denial's error lines are cut, so a megabyte string does not make a megabyte answer", () => {
    const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "v" }, spec: { hosts: Array.from({ length: 50 }, () => "a".repeat(20000)), http: [] } };
    const message = ((admissionValidate(vreview(vs)).response as { status: { message: string } }).status.message);
    assert.ok(message.length < 64 * 1024, `${message.length} chars`);
  });

  it("V3: a megabyte-long kind gets no suggestion and is answered at once", () => {
    const t = performance.now();
    const v = validateResource({ apiVersion: "networking.istio.io/v1", kind: "Gateway" + "x".repeat(1_000_000), metadata: { name: "x" }, spec: {} });
    assert.ok(performance.now() - t < 200, `${performance.now() - t} ms`);
    assert.equal(v.errors.length, 1);
    assert.doesNotMatch(v.errors[0].message, /did you mean/);
    assert.match(validateResource({ apiVersion: "networking.istio.io/v1", kind: "Gatewey", metadata: { name: "x" }, spec: {} }).errors[0].message, /did you mean "Gateway"/);
  });
});
