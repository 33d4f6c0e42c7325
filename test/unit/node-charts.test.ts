// The node-agent charts (istio-cni, ztunnel) as pilotfish renders them: Helm's value merging, Go's printing of
// values, and the chart rules istioctl 1.30.3 follows (checked field by field against istioctl in the
// test/conformance/istioctl-manifest corpus, cases cni-* and ztunnel-*).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { resolveIop, IopError } from "../../src/config/resolve.js";
import { render, manifestObjects } from "../../src/operator/render/index.js";
import { goFloat, goQuote, unquoted } from "../../src/operator/render/helm-print.js";
import { mergeOverwrite } from "../../src/config/chart-values.js";
import type { K8sObject } from "../../src/operator/render/meta.js";

const gen = (sets: string[]) => manifestObjects(render(resolveIop({ docs: [], sets })));
const find = (objs: K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const pod = (d: K8sObject | undefined) => (d!.spec as any).template;
const env = (d: K8sObject | undefined) => Object.fromEntries((pod(d).spec.containers[0].env as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));

describe("Go and Helm value handling", () => {
  it("prints floats as Go's %v does", () => {
    assert.equal(goFloat(30), "30");
    assert.equal(goFloat(123456), "123456");
    assert.equal(goFloat(1000000), "1e+06");
    assert.equal(goFloat(1234567), "1.234567e+06");
    assert.equal(goFloat(1.5), "1.5");
    assert.equal(goFloat(0.00001), "1e-05");
    assert.equal(goFloat(0.0001), "0.0001");
    assert.equal(goFloat(1e23), "1e+23");
  });

  it("printed floats read back as the same number", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => Object.is(Number(goFloat(n)), n) || (n === 0 && Number(goFloat(n)) === 0)));
  });

  it("mergeOverwrite: maps merge, everything else (empty values, lists) replaces", () => {
    const dst = { a: { b: 1, c: [1, 2] }, s: "x", t: true };
    mergeOverwrite(dst, { a: { c: [] }, s: "", t: false });
    assert.deepEqual(dst, { a: { b: 1, c: [] }, s: "", t: false });
  });

  it("quote and unquoted output", () => {
    assert.equal(goQuote(true), "true");
    assert.equal(goQuote(null), null);
    assert.equal(unquoted("15"), 15);
    assert.equal(unquoted("istiod.istio-system.svc:15012"), "istiod.istio-system.svc:15012");
  });
});

describe("istio-cni chart", () => {
  it("repair mode picks the repair role's extra rule", () => {
    const rules = (sets: string[]) => (find(gen(["components.cni.enabled=true", ...sets]), "ClusterRole", "istio-cni-repair-role") as any)?.rules;
    assert.equal(rules([]).length, 2);
    assert.deepEqual(rules(["values.cni.repair.repairPods=false", "values.cni.repair.deletePods=true"])[2], { apiGroups: [""], resources: ["pods"], verbs: ["delete"] });
    assert.deepEqual(rules(["values.cni.repair.repairPods=false", "values.cni.repair.labelPods=true"])[2].resources, ["pods/status"]);
    assert.equal(rules(["values.cni.repair.enabled=false"]), undefined);
  });

  it("ambient adds the ambient role, the netns and ztunnel mounts, and the distroless image of the ambient chart profile", () => {
    const objs = gen(["profile=ambient"]);
    assert.ok(find(objs, "ClusterRole", "istio-cni-ambient"));
    const ds = find(objs, "DaemonSet", "istio-cni-node");
    const c = pod(ds).spec.containers[0];
    assert.ok(c.image.endsWith("-distroless"), c.image);
    assert.ok(c.volumeMounts.some((m: any) => m.name === "cni-netns-dir"));
    assert.equal((find(objs, "ConfigMap", "istio-cni-config") as any).data.AMBIENT_ENABLED, "true");
  });

  it("compatibilityVersion 1.25 shares the host network namespace", () => {
    const ds = find(gen(["profile=ambient", "compatibilityVersion=1.25"]), "DaemonSet", "istio-cni-node");
    assert.equal(pod(ds).spec.hostNetwork, true);
    assert.equal(env(ds).ALLOW_SWITCH_TO_HOST_NS, undefined);
    assert.equal((find(gen(["profile=ambient", "compatibilityVersion=1.25"]), "ConfigMap", "istio-cni-config") as any).data.AMBIENT_RECONCILE_POD_RULES_ON_STARTUP, "false");
  });

  it("openshift: multus, unchained, SELinux spc_t, the SCC rule", () => {
    const objs = gen(["components.cni.enabled=true", "values.global.platform=openshift"]);
    assert.ok(find(objs, "NetworkAttachmentDefinition", "istio-cni"));
    assert.equal((find(objs, "ConfigMap", "istio-cni-config") as any).data.CHAINED_CNI_PLUGIN, "false");
    assert.deepEqual(pod(find(objs, "DaemonSet", "istio-cni-node")).spec.containers[0].securityContext.seLinuxOptions, { type: "spc_t" });
    assert.equal((find(objs, "ClusterRole", "istio-cni") as any).rules.length, 2);
  });

  it("refuses values istioctl refuses", () => {
    assert.throws(() => gen(["components.cni.enabled=true", "values.cni.repair.foo=1"]), IopError);
    assert.throws(() => gen(["components.cni.enabled=true", "values.cni.chained=maybe"]), IopError);
    // istioctl reads cni.affinity and cni.seccompProfile into Kubernetes' types strictly.
    assert.throws(() => gen(["components.cni.enabled=true", "values.cni.affinity.nodeAfinity.x=1"]), /nodeAfinity: unknown field/);
    assert.throws(() => gen(["components.cni.enabled=true", "values.cni.seccompProfile.typ=RuntimeDefault"]), /typ: unknown field/);
  });
});

describe("ztunnel chart", () => {
  it("takes the global values laid flat, its own over them", () => {
    const ds = find(gen(["profile=ambient", "values.global.network=n1", "values.global.logAsJson=true", "values.ztunnel.logAsJson=false", "values.global.multiCluster.clusterName=c1"]), "DaemonSet", "ztunnel");
    const e = env(ds);
    assert.equal(e.NETWORK, "n1");
    assert.equal(e.LOG_FORMAT, undefined);
    assert.equal(e.ISTIO_META_CLUSTER_ID, "c1");
    assert.equal(e.ISTIO_META_ENABLE_HBONE, "true", "the ambient chart profile's proxyMetadata");
  });

  it("a revision names istiod and annotates the objects", () => {
    const objs = gen(["profile=ambient", "revision=canary"]);
    const ds = find(objs, "DaemonSet", "ztunnel");
    assert.equal(env(ds).CA_ADDRESS, "istiod-canary.istio-system.svc:15012");
    assert.equal((ds!.metadata.annotations as any)["istio.io/rev"], "canary");
    assert.equal(pod(ds).metadata.annotations["istio.io/rev"], "canary");
    assert.equal((find(objs, "ServiceAccount", "ztunnel")!.metadata.annotations as any)["istio.io/rev"], "canary");
  });

  it("grace period: printed into env as Go prints it", () => {
    const ds = find(gen(["profile=ambient", "values.ztunnel.terminationGracePeriodSeconds=1000000"]), "DaemonSet", "ztunnel");
    assert.equal(env(ds).TERMINATION_GRACE_PERIOD_SECONDS, "1e+06");
    assert.equal(pod(ds).spec.terminationGracePeriodSeconds, 1000000);
  });

  it("refuses values the ztunnel chart fails on", () => {
    assert.throws(() => gen(["profile=ambient", "values.ztunnel.env.ENABLE_CLUSTER_TRUST_BUNDLE_API=1"]), IopError);
  });
});
