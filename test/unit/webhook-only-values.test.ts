// Values that only shape istiod's webhook configurations (pilotfish issue #16): accepted at the charts' default,
// refused with `PATH: not supported by pilotfish: <what to use>` when the user sets anything else; a profile's own
// defaults never trip the check (resolution judges the user's layer only).
import { it } from "node:test";
import assert from "node:assert/strict";
import { IopError, resolveIop } from "../../src/config/resolve.js";
import { validateIstioOperatorSpec } from "../../src/config/iop-schema.js";
import { Problems } from "../../src/schema/problems.js";

function resolve(spec: Record<string, unknown>, sets: string[] = []): string {
  try {
    resolveIop({ docs: [{ source: "<t>", doc: { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", spec: spec as never } }], sets });
    return "ok";
  } catch (e) {
    if (e instanceof IopError) return e.message;
    throw e;
  }
}

const REFUSED: [string, unknown, string][] = [
  ["base.validationURL", "https://x:15017/validate", "webhook.url"],
  ["base.validationCABundle", "Zm9v", "certificates.provider"],
  ["istiodRemote.injectionURL", "https://x:15017/inject", "webhook.url"],
  ["istiodRemote.injectionPath", "/inject/cluster/c1/net/n1", "webhook.url"],
  ["istiodRemote.injectionCABundle", "Zm9v", "certificates.provider"],
  ["pilot.istiodRemote.injectionURL", "https://x:15017/inject", "webhook.url"],
  ["pilot.istiodRemote.injectionPath", "/other", "webhook.url"],
  ["pilot.istiodRemote.injectionCABundle", "Zm9v", "certificates.provider"],
  ["sidecarInjectorWebhook.reinvocationPolicy", "IfNeeded", "webhook.reinvocationPolicy"],
  ["sidecarInjectorWebhook.enableNamespacesByDefault", true, "injector.enableNamespacesByDefault"],
  ["global.configValidation", false, "validator.enabled"],
  ["global.operatorManageWebhooks", true, "injector.enabled"],
  ["defaultRevision", "canary", "tag set default"],
];

function nested(path: string, v: unknown): Record<string, unknown> {
  return path.split(".").reduceRight<Record<string, unknown>>((acc, k) => ({ [k]: acc }), v as never) as Record<string, unknown>;
}

it("refuses each webhook-only value set by the user, naming the pilotfish setting to use", () => {
  for (const [path, v, instead] of REFUSED) {
    for (const profile of ["default", "remote"]) {
      const msg = resolve({ profile, values: nested(path, v) });
      assert.match(msg, new RegExp(`^spec\\.values\\.${path.replace(/\./g, "\\.")}: not supported by pilotfish: .*${instead.replace(/\./g, "\\.")}`), `${path} (${profile})`);
    }
    // The same through --set and through unvalidatedValues.
    assert.match(resolve({}, [`values.${path}=${String(v)}`]), new RegExp(`spec\\.values\\.${path.replace(/\./g, "\\.")}: not supported by pilotfish`), `--set ${path}`);
    assert.match(resolve({ unvalidatedValues: nested(path, v) }), new RegExp(`spec\\.unvalidatedValues\\.${path.replace(/\./g, "\\.")}: not supported by pilotfish`), `unvalidatedValues ${path}`);
  }
});

it("accepts the charts' defaults written out, and every profile as it is", () => {
  const defaults = {
    defaultRevision: "",
    base: { validationURL: "", validationCABundle: "" },
    istiodRemote: { injectionURL: "", injectionPath: "/inject", injectionCABundle: "" },
    pilot: { istiodRemote: { injectionPath: "/inject" } },
    sidecarInjectorWebhook: { reinvocationPolicy: "Never", enableNamespacesByDefault: false },
    global: { configValidation: true, operatorManageWebhooks: false },
  };
  for (const profile of ["default", "demo", "minimal", "remote", "ambient", "empty", "preview", "stable"]) {
    assert.equal(resolve({ profile }), "ok", profile);
    assert.equal(resolve({}, [`profile=${profile}`]), "ok", `--set profile=${profile}`);
    assert.equal(resolve({ profile, values: defaults }), "ok", `${profile} with defaults written out`);
  }
});

it("refuses them in an IstioOperator the validating webhook reviews (the user's spec as applied)", () => {
  const p = new Problems();
  validateIstioOperatorSpec({ profile: "remote", values: { global: { operatorManageWebhooks: true } } }, {}, p);
  assert.deepEqual(p.errors.map((e) => e.path), ["spec.values.global.operatorManageWebhooks"]);
  const q = new Problems();
  validateIstioOperatorSpec({ profile: "remote", values: { global: { configValidation: true } } }, {}, q);
  assert.deepEqual(q.errors, []);
});
