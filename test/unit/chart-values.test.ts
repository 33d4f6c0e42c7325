// The charts' values layering shared by the istiod, istio-cni and ztunnel renderers (src/config/chart-values.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chartEffectiveValues, chartProfile, compatibilityProfile, COMPATIBILITY_VERSIONS, mergeOverwrite } from "../../src/config/chart-values.js";

describe("chart profiles", () => {
  it("a compatibility version undoes every later release's changes (Istio 1.30.3's profile-compatibility-version-1.25.yaml)", () => {
    assert.deepEqual(COMPATIBILITY_VERSIONS, ["1.25", "1.26", "1.27", "1.28", "1.29"]);
    assert.deepEqual(compatibilityProfile("1.25"), {
      pilot: {
        env: {
          ENABLE_NATIVE_SIDECARS: "false",
          DISABLE_SHADOW_HOST_SUFFIX: "false",
          PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false",
          DISABLE_TRACK_REMAINING_CB_METRICS: "false",
          PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false",
        },
      },
      cni: { ambient: { reconcileIptablesOnStartup: false } },
      ambient: { shareHostNetworkNamespace: true },
    });
    assert.deepEqual(compatibilityProfile("1.29"), { pilot: { env: { PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false" } } });
    assert.equal(compatibilityProfile("1.30"), undefined);
  });

  it("profile, then compatibility version, then platform; global.profile/platform when the top-level ones are empty", () => {
    const p = chartProfile({ global: { profile: "ambient", platform: "openshift" }, compatibilityVersion: "1.28", platform: "" });
    assert.equal((p.global as any).variant, "distroless");
    assert.equal((p.cni as any).ambient.enabled, true);
    assert.equal((p.cni as any).ambient.reconcileIptablesOnStartup, false);
    assert.equal((p.cni as any).provider, "multus");
    assert.equal((p.pilot as any).env.PILOT_ENABLE_AMBIENT, "true");
    assert.equal((p.pilot as any).env.DISABLE_TRACK_REMAINING_CB_METRICS, "false");
    assert.deepEqual(chartProfile({}), {});
  });

  it("an unknown name fails, as the charts fail", () => {
    assert.throws(() => chartProfile({ compatibilityVersion: "1.2" }), /unknown compatibility version "1.2"/);
    assert.throws(() => chartProfile({ platform: "toString" }), /unknown platform "toString"/);
    assert.throws(() => chartProfile({ profile: "nope" }), /unknown profile "nope"/);
  });
});

describe("chart layout", () => {
  it("defaults < profile < passed values; the descoped subtree over the top level last", () => {
    const v = chartEffectiveValues({ platform: "gke", cni: { cniBinDir: "/x", logLevel: "debug" }, logLevel: "info" }, { defaults: { cniBinDir: "/opt/cni/bin", logLevel: "warn", resourceQuotas: { enabled: false, pods: 5 } }, descope: "cni" });
    assert.equal(v.cniBinDir, "/x");
    assert.equal(v.logLevel, "debug");
    assert.deepEqual(v.resourceQuotas, { enabled: true, pods: 5 });
  });

  it("flattened globals: the profile's global, then the passed global over the top level, then the passed values", () => {
    const passed = { profile: "ambient", global: { hub: "h", tag: "t" }, tag: "own" };
    const v = chartEffectiveValues(passed, { defaults: { hub: "", tag: "", variant: "" }, flattenGlobals: true });
    assert.equal(v.variant, "distroless");
    assert.equal(v.hub, "h");
    assert.equal(v.tag, "own");
    assert.deepEqual(passed, { profile: "ambient", global: { hub: "h", tag: "t" }, tag: "own" }, "the passed values are not changed");
  });

  it("mergeOverwrite copies what it merges in (later changes to the source do not show)", () => {
    const src = { a: { b: [1] } };
    const dst = mergeOverwrite({}, src);
    src.a.b.push(2);
    assert.deepEqual(dst, { a: { b: [1] } });
  });
});
