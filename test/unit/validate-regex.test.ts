// Regexes as Istio 1.30.3 checks them (validateStringRegexp: length <= 1024, then Go's RE2 syntax), at every
// place Istio compiles one, in the core, in `validate -f` and at the webhook over HTTPS.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dump } from "js-yaml";
import { regexError } from "../../src/webhook/validate/common.js";
import https from "node:https";
import { Writable } from "node:stream";
import { validateResource, admissionValidate } from "../../src/webhook/validate/index.js";
import { makeValidateHandler } from "../../src/webhook/validate-review.js";
import { startWebhookServer } from "../../src/webhook/server.js";
import { generateServingCert } from "../../src/kube/certs.js";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createMetrics } from "../../src/telemetry/metrics.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");

// Valid in RE2 (Go's regexp), several of them not in JavaScript's engine.
const VALID = ["(?i:foo)", "(?s).*", "x(?i)y", "(?i)^/api/v[0-9]+", "(?P<ver>v\\d+)", "(?<ver>v\\d+)", "[[:alpha:]]+", "\\pL+", "\\p{Greek}", "\\Q.*\\E", "a{1000}", "\\bword\\b", "^\\\\1$", "[\\\\1]", "\\x{41}", "(?U)a+"];
// Invalid in RE2: lookaround, backreferences, repeat counts over 1000, broken syntax, over 1024 characters.
const INVALID: [string, RegExp][] = [
  ["(?=x)", /invalid or unsupported Perl syntax/],
  ["(?!x)y", /invalid or unsupported Perl syntax/],
  ["(?<=a)b", /invalid or unsupported Perl syntax|invalid named capture/],
  ["(a)\\1", /invalid escape sequence/],
  ["a{1001}", /invalid repeat count/],
  ["((a{100}){100}){100}", /invalid repeat count/],
  ["(a", /missing closing \)/],
  ["x**", /invalid nested repetition operator/],
  ["[z-a]", /invalid character class range/],
  ["a".repeat(1025), /regex is too large, max length allowed is 1024/],
];

const vs = (match: object, extra: object = {}) => ({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "r", namespace: "shop" },
  spec: { hosts: ["reviews"], http: [{ match: [match], route: [{ destination: { host: "reviews" } }], ...extra }] },
});

describe("RE2 regexes (Istio's validateStringRegexp)", () => {
  for (const re of VALID) it(`admits ${JSON.stringify(re)}`, () => assert.equal(regexError(re), undefined));
  for (const [re, why] of INVALID) it(`denies ${JSON.stringify(re.length > 40 ? re.slice(0, 20) + "..." : re)}`, () => assert.match(regexError(re) ?? "", why));

  it("checks every place Istio compiles a regex: uri, scheme, method, authority, headers, withoutHeaders, queryParams, CORS origins, regex rewrite", () => {
    const bad = { regex: "(?=x)" };
    const places: [object, object, string][] = [
      [{ uri: bad }, {}, "spec.http[0].match[0].uri.regex"],
      [{ scheme: bad }, {}, "spec.http[0].match[0].scheme.regex"],
      [{ method: bad }, {}, "spec.http[0].match[0].method.regex"],
      [{ authority: bad }, {}, "spec.http[0].match[0].authority.regex"],
      [{ headers: { "x-user": bad } }, {}, "spec.http[0].match[0].headers.x-user.regex"],
      [{ withoutHeaders: { "x-user": bad } }, {}, "spec.http[0].match[0].withoutHeaders.x-user.regex"],
      [{ queryParams: { v: bad } }, {}, "spec.http[0].match[0].queryParams.v.regex"],
      [{}, { corsPolicy: { allowOrigins: [bad] } }, "spec.http[0].corsPolicy.allowOrigins[0].regex"],
      [{}, { rewrite: { uriRegexRewrite: { match: "(?=x)", rewrite: "/" } } }, "spec.http[0].rewrite.uriRegexRewrite.match"],
    ];
    for (const [match, extra, where] of places) {
      const r = validateResource(vs(match, extra));
      assert.ok(r.errors.some((e) => e.path === where && /RE2/.test(e.message)), `${where}: ${JSON.stringify(r.errors)}`);
      const ok = JSON.parse(JSON.stringify({ match, extra }).replaceAll("(?=x)", "(?i:foo)"));
      assert.deepEqual(validateResource(vs(ok.match, ok.extra)).errors, [], `${where} with a valid RE2 regex`);
    }
  });

  it('admits regex "*" under withoutHeaders (Envoy present_match, not RE2), as Istio does', () => {
    assert.deepEqual(validateResource(vs({ withoutHeaders: { "x-debug": { regex: "*" } } })).errors, []);
    assert.ok(validateResource(vs({ headers: { "x-debug": { regex: "*" } } })).errors.length > 0, "under headers it is a regex and invalid");
  });

  it("the admission review allows a valid RE2 regex and denies an invalid one with the path", () => {
    const review = (obj: object) => ({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", kind: { group: "networking.istio.io", version: "v1", kind: "VirtualService" }, resource: { group: "networking.istio.io", version: "v1", resource: "virtualservices" }, operation: "CREATE", namespace: "shop", object: obj } });
    assert.equal((admissionValidate(review(vs({ uri: { regex: "(?i)^/api" } }))) as any).response.allowed, true);
    const denied = (admissionValidate(review(vs({ uri: { regex: "a{1001}" } }))) as any).response;
    assert.equal(denied.allowed, false);
    assert.match(denied.status.message, /spec\.http\[0\]\.match\[0\]\.uri\.regex/);
  });

  it("the webhook over HTTPS admits (?i:...) and denies a lookaround", async () => {
    const tls = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    const settings = settingsFromIstioOperator({}, { nativeSidecars: false });
    const metrics = createMetrics({ defaultMetrics: false });
    const server = await startWebhookServer({
      port: 0, host: "127.0.0.1", tls, settings: { current: () => settings, synced: () => true },
      logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }), metrics,
      validate: makeValidateHandler(admissionValidate),
    });
    try {
      const post = (obj: object) => new Promise<any>((resolve, reject) => {
        const body = JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", kind: { group: "networking.istio.io", version: "v1", kind: "VirtualService" }, resource: { group: "networking.istio.io", version: "v1", resource: "virtualservices" }, operation: "CREATE", namespace: "shop", object: obj } });
        const req = https.request(`${server.url}/validate`, { method: "POST", ca: tls.ca, headers: { "content-type": "application/json" } }, (res) => {
          let t = "";
          res.on("data", (d) => (t += d));
          res.on("end", () => resolve(JSON.parse(t)));
        });
        req.on("error", reject);
        req.end(body);
      });
      assert.equal((await post(vs({ uri: { regex: "(?i:/api)" }, headers: { "x-v": { regex: "x(?i)y" } } }))).response.allowed, true);
      const denied = (await post(vs({ uri: { regex: "/a(?=b)" } }))).response;
      assert.equal(denied.allowed, false);
      assert.match(denied.status.message, /uri\.regex.*RE2/);
      // Istio's own metric names, for its dashboards and alerts.
      const text = await metrics.registry.metrics();
      assert.match(text, /galley_validation_passed\{group="networking\.istio\.io",version="v1",resource="virtualservices"\} 1/);
      assert.match(text, /galley_validation_failed\{group="networking\.istio\.io",version="v1",resource="virtualservices",reason="invalid_resource"\} 1/);
    } finally {
      await server.close();
    }
  });

  it("validate -f admits the valid RE2 VirtualService and denies the invalid one", () => {
    const good = dump(vs({ uri: { regex: "(?i:/API)" }, headers: { "x-v": { regex: "(?s).*" } } }));
    const bad = dump(vs({ uri: { regex: "(a)\\1" } }));
    const ok = spawnSync(process.execPath, [bin, "validate", "-f", "-"], { input: good, encoding: "utf8", cwd: root });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const no = spawnSync(process.execPath, [bin, "validate", "-f", "-"], { input: bad, encoding: "utf8", cwd: root });
    assert.equal(no.status, 1);
    assert.match(no.stdout, /uri\.regex: .*invalid escape sequence/);
  });
});
