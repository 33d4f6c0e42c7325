// Fuzzing the validators in-process (fast-check, fixed seed unless PILOTFISH_FUZZ_SEED), every kind pilotfish
// validates: seeds are the 443 resources of the Istio validation corpus (test/conformance/istio-validate, taken from
// Istio 1.30.3's tests) and a minimal resource of each kind, mutated at any level (a value of the wrong type, a
// deleted field, a duplicated list item, a unicode key, huge strings and arrays, deep nesting), plus arbitrary JSON.
// Properties: validateResource and admissionValidate never throw; they are deterministic (the same answer twice, and
// for a copy); the input is not modified; the admission answer is well-formed (uid echoed, allowed a boolean, a
// denial with code 400 and a message, warnings a list of strings).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import YAML from "yaml";
import { KINDS, admissionValidate, validateResource } from "../../src/webhook/validate/index.js";
import { FUZZ_SEED, anyJson, clone, compact, fuzzRuns, fuzzTimeout, mutate, mutation, type Json } from "./fuzz-arbitraries.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.join(here, "../conformance/istio-validate");
const corpus: Json[] = (JSON.parse(fs.readFileSync(path.join(corpusDir, "cases.json"), "utf8")) as { file: string }[]).flatMap((c) =>
  YAML.parseAllDocuments(fs.readFileSync(path.join(corpusDir, c.file), "utf8")).map((d) => d.toJS() as Json).filter((d) => d && typeof d === "object"),
);
// A minimal resource of every kind (the corpus has no TrafficExtension or IstioOperator).
const minimal: Json[] = Object.entries(KINDS).map(([kind, k]) => ({ apiVersion: `${k.group}/${k.versions[0]}`, kind, metadata: { name: "x", namespace: "ns" }, spec: {} }));
const SEEDS = [...corpus, ...minimal];

const objectArb: fc.Arbitrary<{ obj: Json; from: string }> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.nat(SEEDS.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([i, m]) => ({ obj: mutate(SEEDS[i], m), from: `seed ${i}` })) },
  // a kind's envelope with an arbitrary spec or metadata
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...minimal), anyJson, anyJson).map(([m, spec, meta]) => ({ obj: { ...(m as object), spec, ...(meta !== null ? { metadata: meta } : {}) } as Json, from: "envelope" })) },
  { weight: 1, arbitrary: anyJson.map((obj) => ({ obj: clone(obj), from: "any" })) },
);

const kindOf = (o: Json) => (o && typeof o === "object" && !Array.isArray(o) && typeof o.kind === "string" ? o.kind : "?");

const hostileKind = { apiVersion: "networking.istio.io/v1", kind: [{ toString: null }], metadata: { name: "x" }, spec: {} };

describe("fuzz: the validators (in-process, every kind)", () => {
  it("never throw, are deterministic, leave the input alone and answer well-formed reviews", { timeout: fuzzTimeout(300_000) }, () => {
    const runs = fuzzRuns(2000);
    const perKind: Record<string, number> = {};
    let allowed = 0;
    let denied = 0;
    let crashes = 0;
    const slow: [number, string][] = [];
    const start = performance.now();
    const result = fc.check(
      fc.property(objectArb, fc.uuid(), fc.constantFrom("CREATE", "UPDATE", "DELETE"), ({ obj }, uid, operation) => {
        const t0 = performance.now();
        // PILOTFISH_FUZZ_TRACE=file: each object before it is validated (the culprit of a hang or an OOM is the last).
        if (process.env.PILOTFISH_FUZZ_TRACE) fs.writeFileSync(process.env.PILOTFISH_FUZZ_TRACE, compact(obj, 3000) + "\n");
        const kind = kindOf(obj);
        perKind[KINDS[kind] ? kind : "other"] = (perKind[KINDS[kind] ? kind : "other"] ?? 0) + 1;
        const before = JSON.stringify(obj);
        const copy = clone(obj);
        let a, b, offline, review;
        const reviewOf = (o: Json) => ({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid, operation, kind: { kind }, namespace: "ns", object: o } });
        try {
          a = validateResource(obj);
          b = validateResource(copy);
          offline = validateResource(obj, { offline: true });
          review = admissionValidate(reviewOf(obj));
        } catch (e) {
          crashes++;
          throw e;
        }
        assert.equal(JSON.stringify(obj), before, "the input was modified");
        assert.equal(JSON.stringify(a), JSON.stringify(b), "not deterministic");
        assert.equal(JSON.stringify(admissionValidate(reviewOf(copy))), JSON.stringify(review), "the admission answer is not deterministic");
        for (const r of [a, offline]) {
          assert.equal(typeof r.handled, "boolean");
          assert.ok(r.errors.every((e) => typeof e.path === "string" && typeof e.message === "string" && e.message.length > 0));
          assert.ok(r.warnings.every((w) => typeof w === "string"));
        }
        if (KINDS[kind] && obj && typeof obj === "object" && !Array.isArray(obj) && typeof obj.apiVersion === "string" && obj.apiVersion.startsWith(KINDS[kind].group + "/")) assert.equal(a.handled, true, `${kind} not handled`);
        const res = review.response;
        assert.equal(review.kind, "AdmissionReview");
        assert.equal(res.uid, uid);
        assert.equal(typeof res.allowed, "boolean");
        if (res.allowed) allowed++;
        else {
          denied++;
          assert.equal(res.status.code, 400);
          assert.ok(typeof res.status.message === "string" && res.status.message.length > 0);
        }
        if (res.warnings !== undefined) assert.ok(Array.isArray(res.warnings) && res.warnings.every((w: unknown) => typeof w === "string"));
        if (operation === "DELETE") assert.equal(res.allowed, true, "DELETE is not validated");
        assert.doesNotThrow(() => JSON.stringify(review));
        const took = performance.now() - t0;
        if (took > 200) slow.push([Math.round(took), compact(obj, 200)]);
      }),
      { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true },
    );
    if (result.failed) {
      const e = result.errorInstance;
      const err = e instanceof Error ? `${e.message.split("\n").slice(0, 10).join("\n")}\n${(e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l)).slice(0, 6).join("\n")}` : String(e);
      const [c, , op] = (result.counterexample ?? []) as [{ obj: Json; from: string }, string, string];
      assert.fail(`${err}\n  ${c?.from}, ${op}: ${compact(c?.obj, 1500)}\n  fast-check seed ${FUZZ_SEED}, path ${result.counterexamplePath}`);
    }
    const secs = ((performance.now() - start) / 1000).toFixed(1);
    console.log(`# validate-fuzz: ${runs} objects (${allowed} allowed, ${denied} denied), crashes ${crashes}, in ${secs}s, seed ${FUZZ_SEED}, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
    console.log(`# validate-fuzz: per kind ${JSON.stringify(perKind)}`);
    slow.sort((x, y) => y[0] - x[0]);
    for (const [t, o] of slow.slice(0, 5)) console.log(`# validate-fuzz: slow (${t} ms): ${o}`);
    assert.equal(crashes, 0);
    for (const kind of Object.keys(KINDS)) assert.ok((perKind[kind] ?? 0) > 0, `${kind} was not fuzzed`);
  });

  it("a resource whose kind is an object with a toString key is answered, not thrown (finding V1)", () => {
    const r = admissionValidate({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "v1", operation: "CREATE", object: hostileKind } });
    assert.equal(typeof r.response.allowed, "boolean");
  });

  it("a VirtualService with 3,000 equal hosts (18 KB; it once ran serve out of memory) gets a bounded answer at once (finding V2)", () => {
    const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "v" }, spec: { hosts: Array.from({ length: 3000 }, () => "a.b"), http: [{ route: [{ destination: { host: "a.b" } }] }] } };
    const start = performance.now();
    const r = admissionValidate({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "v2", operation: "CREATE", object: vs } });
    const ms = performance.now() - start;
    assert.equal(r.response.allowed, false);
    assert.ok(r.response.status.message.length < 64 * 1024, `denial of ${r.response.status.message.length} characters`);
    assert.ok(ms < 3000, `${Math.round(ms)} ms`);
  });

  it("offline validation of a name that is an object with a toString key answers, not throws (finding V4, make fuzz seed 4242)", () => {
    const r = validateResource({ apiVersion: "telemetry.istio.io/v1", kind: "Telemetry", metadata: { name: { toString: 3 } }, spec: {} }, { offline: true });
    assert.ok(r.errors.some((e) => e.path === "metadata.name"));
  });
});
