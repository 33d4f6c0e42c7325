// Unit tests of the operator's pure core: resolution (profiles, merge rules, --set, validation), rendering
// (components, names, revision, k8s patches, overlays, HPA/PDB rules) and reconcile planning.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveIop, parseIopFile, IopError } from "../../src/config/resolve.js";
import { render, manifestObjects } from "../../src/operator/render/index.js";
import { applyOverlayPatch } from "../../src/operator/render/k8s.js";
import { buildStatus, contentHash, desiredObject, driftedSinceApply, notReady, statusChanged, toPrune, upToDate } from "../../src/operator/reconcile/plan.js";
import { listProfiles } from "../../src/config/profiles.js";
import type { K8sObject } from "../../src/operator/render/meta.js";
import { main } from "../../src/cli/main.js";

const gen = (sets: string[], docs: object[] = []) => {
  const r = resolveIop({ docs: docs.map((doc, i) => ({ source: `f${i}`, doc: doc as never })), sets });
  return { r, objs: manifestObjects(render(r)) };
};
const find = (objs: K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const ids = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);
const container = (d: K8sObject | undefined, name: string) => ((d!.spec as any).template.spec.containers as any[]).find((c) => c.name === name);

describe("profiles and resolution", () => {
  it("ships Istio's profiles", () => {
    assert.deepEqual(listProfiles(), ["ambient", "default", "demo", "empty", "minimal", "preview", "remote", "stable"]);
  });

  it("demo turns off autoscaling, enables egress and the addons; default keeps HPAs", () => {
    const d = gen(["profile=demo"]).objs;
    assert.ok(find(d, "Deployment", "istio-egressgateway"));
    assert.ok(!d.some((o) => o.kind === "HorizontalPodAutoscaler"));
    for (const a of ["kiali", "prometheus", "grafana", "jaeger"]) assert.ok(find(d, "Deployment", a), a);
    assert.equal((find(d, "Deployment", "istiod")!.spec as any).replicas, 1);
    const def = gen([]).objs;
    assert.ok(find(def, "HorizontalPodAutoscaler", "istiod"));
    assert.equal((find(def, "Deployment", "istiod")!.spec as any).replicas, undefined, "the HPA owns replicas");
    assert.ok(!find(def, "Deployment", "kiali"));
  });

  it("lists replace and maps merge between profile and user files", () => {
    const { r } = gen([], [{ kind: "IstioOperator", spec: { components: { ingressGateways: [{ name: "gw-c" }] }, values: { pilot: { env: { A: "1" } } } } }, { kind: "IstioOperator", spec: { values: { pilot: { env: { B: "2" } } } } }]);
    assert.deepEqual((r.spec.components as any).ingressGateways.map((g: any) => g.name), ["gw-c"]);
    assert.deepEqual((r.values.pilot as any).env, { A: "1", B: "2" });
  });

  it("keeps tags as strings and coerces other --set values", () => {
    const { r } = gen(["tag=1.30", "values.pilot.autoscaleMin=2", "values.pilot.autoscaleEnabled=true"]);
    assert.equal((r.values.global as any).tag, "1.30");
    assert.equal((r.values.pilot as any).autoscaleMin, 2);
  });

  it("names the path of bad input, with a suggestion", () => {
    assert.throws(() => gen(["values.pilot.autoscalMin=2"]), (e: IopError) => /spec\.values\.pilot\.autoscalMin: unknown field "autoscalMin"; did you mean "autoscaleMin"/.test(e.message));
    assert.throws(() => gen(["components.pilot.enabled=yes"]), /spec\.components\.pilot\.enabled: must be true or false/);
    assert.throws(() => gen(["revision=Foo_bar"]), /spec\.revision: invalid revision "Foo_bar"/);
    assert.throws(() => gen(["profile=nope"]), /profile "nope" not found; available profiles: ambient, default/);
    assert.throws(() => gen(["hub=UPPER/x"]), /spec\.hub: bad hub "UPPER\/x"/);
    assert.throws(() => gen(["values.global.proxy.includeIPRanges=10.0.0.0/33"]), /includeIPRanges: "10\.0\.0\.0\/33" is not a CIDR/);
    assert.throws(() => gen(["components.ingressGateways[0].k8s.service.ports[0].port=80"]), /targetPort \(unset\) requires root/);
    assert.throws(() => gen(["values.foo=1", "values.foo.bar=2"]), /values\.foo is not a map/);
  });

  it("parses -f files: one IstioOperator, no status, YAML errors with line", () => {
    assert.throws(() => parseIopFile("kind: IstioOperator\nspec:\n  a: [\n", "x.yaml"), /x\.yaml:\d+:\d+: invalid YAML/);
    assert.throws(() => parseIopFile("kind: IstioOperator\nstatus: {}\n", "x.yaml"), /status is written by the operator/);
    assert.throws(() => parseIopFile("kind: IstioOperator\n---\nkind: IstioOperator\n", "x.yaml"), /only one IstioOperator per file/);
    assert.throws(() => parseIopFile("kind: Deployment\n", "x.yaml"), /expected kind IstioOperator/);
  });
});

describe("rendering", () => {
  it("empty renders nothing; minimal renders no gateway", () => {
    assert.deepEqual(gen(["profile=empty"]).objs, []);
    assert.ok(!gen(["profile=minimal"]).objs.some((o) => o.kind === "Deployment" && o.metadata.name.includes("gateway")));
  });

  it("suffixes istiod's objects with the revision and labels everything with it", () => {
    const objs = gen(["revision=canary"]).objs;
    for (const n of ["istiod-canary", "istio-canary", "istio-sidecar-injector-canary", "istiod-clusterrole-canary-istio-system"]) assert.ok(objs.some((o) => o.metadata.name === n), n);
    assert.ok(objs.every((o) => (o.metadata.labels as any)["istio.io/rev"] === "canary"));
  });

  it("applies k8s settings: resources merge per key, env by name with new entries first, nodeSelector, hpaSpec, service", () => {
    const objs = gen([], [{ kind: "IstioOperator", spec: { components: { pilot: { k8s: { resources: { requests: { cpu: "1" } }, env: [{ name: "NEW", value: "x" }, { name: "PILOT_ENABLE_ANALYSIS", value: "true" }], nodeSelector: { a: "b" }, hpaSpec: { maxReplicas: 9 } } }, ingressGateways: [{ name: "istio-ingressgateway", k8s: { service: { externalTrafficPolicy: "Local" }, serviceAnnotations: { x: "y" } } }] } } }]).objs;
    const c = container(find(objs, "Deployment", "istiod"), "discovery");
    assert.deepEqual(c.resources.requests, { cpu: "1", memory: "2048Mi" });
    assert.equal(c.env[0].name, "NEW", "a new entry before any existing one goes first");
    assert.equal(c.env.find((e: any) => e.name === "PILOT_ENABLE_ANALYSIS").value, "true");
    assert.equal(c.env.filter((e: any) => e.name === "PILOT_ENABLE_ANALYSIS").length, 1);
    assert.deepEqual((find(objs, "Deployment", "istiod")!.spec as any).template.spec.nodeSelector, { a: "b" });
    assert.equal((find(objs, "HorizontalPodAutoscaler", "istiod")!.spec as any).maxReplicas, 9);
    const svc = find(objs, "Service", "istio-ingressgateway")!;
    assert.equal((svc.spec as any).externalTrafficPolicy, "Local");
    assert.equal((svc.metadata.annotations as any).x, "y");
  });

  it("k8s.env keeps a strategic merge patch's order: new entries follow the patch entry before them", () => {
    const objs = gen([], [{ kind: "IstioOperator", spec: { components: { pilot: { k8s: { env: [{ name: "POD_NAME", value: "x" }, { name: "A", value: "1" }, { name: "B", value: "2" }] } } } } }]).objs;
    const names = container(find(objs, "Deployment", "istiod"), "discovery").env.map((e: any) => e.name);
    assert.deepEqual(names.slice(0, 5), ["REVISION", "PILOT_CERT_PROVIDER", "POD_NAME", "A", "B"]);
  });

  it("gateway service ports from k8s replace the chart's and drive container ports", () => {
    const objs = gen([], [{ kind: "IstioOperator", spec: { components: { ingressGateways: [{ name: "gw", namespace: "edge", k8s: { service: { ports: [{ port: 15011, name: "grpc" }] } } }] } } }]).objs;
    const svc = find(objs, "Service", "gw")!;
    assert.equal(svc.metadata.namespace, "edge");
    assert.deepEqual((svc.spec as any).ports.map((p: any) => p.port), [15011]);
    assert.deepEqual(container(find(objs, "Deployment", "gw"), "istio-proxy").ports.map((p: any) => p.containerPort), [15011, 15090]);
  });

  it("adds a PodDisruptionBudget only when more than one replica is guaranteed", () => {
    assert.ok(!find(gen([]).objs, "PodDisruptionBudget", "istiod"));
    assert.ok(find(gen(["values.pilot.autoscaleMin=2"]).objs, "PodDisruptionBudget", "istiod"));
    const objs = gen(["values.pilot.autoscaleEnabled=false", "values.pilot.replicaCount=2"]).objs;
    assert.ok(find(objs, "PodDisruptionBudget", "istiod"));
    assert.ok(!find(objs, "HorizontalPodAutoscaler", "istiod"));
  });

  it("overlays: select by key, append past the end, delete with a null value, graft YAML maps", () => {
    const d: any = { spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }, { name: "Y", value: "2" }], args: ["--foo", "--bar=30m"] }] } };
    assert.equal(applyOverlayPatch(d, "spec.containers.[name:a].env.[name:X].value", "9"), undefined);
    assert.equal(d.spec.containers[0].env[0].value, "9");
    applyOverlayPatch(d, "spec.containers.[name:a].env.[name:Y]", null);
    assert.deepEqual(d.spec.containers[0].env.map((e: any) => e.name), ["X"]);
    applyOverlayPatch(d, "spec.containers[5].image", "img");
    assert.equal(d.spec.containers.length, 2);
    applyOverlayPatch(d, "spec.containers.[name:a].args.[30m]", "--bar=1h");
    assert.deepEqual(d.spec.containers[0].args, ["--foo", "--bar=1h"]);
    applyOverlayPatch(d, "spec.extra", "a: 1\nb: 2");
    assert.deepEqual(d.spec.extra, { a: 1, b: 2 });
    assert.match(applyOverlayPatch(d, "spec.containers.[name:zzz].image", "x")!, /no element matches/);
  });

  it("orders output as istioctl: CRDs, then ServiceAccounts/ClusterRoles, ..., Services last", () => {
    const kinds = gen([]).objs.map((o) => o.kind);
    assert.equal(kinds[0], "CustomResourceDefinition");
    assert.equal(kinds[kinds.length - 1], "Service");
    assert.ok(kinds.indexOf("ConfigMap") < kinds.indexOf("Deployment"));
    assert.ok(kinds.lastIndexOf("Deployment") < kinds.indexOf("HorizontalPodAutoscaler"));
  });

  it("the injector ConfigMap carries values pilotfish's injector reads", () => {
    const cm = find(gen(["values.global.proxy.logLevel=debug"]).objs, "ConfigMap", "istio-sidecar-injector")!;
    assert.equal(JSON.parse((cm.data as any).values).global.proxy.logLevel, "debug");
    const mesh = find(gen(["meshConfig.accessLogFile=/dev/stdout"]).objs, "ConfigMap", "istio")!;
    assert.match((mesh.data as any).mesh, /accessLogFile: \/dev\/stdout/);
  });
});

describe("reconcile planning", () => {
  const owner = { name: "demo", namespace: "istio-system" };
  const o = (name: string): K8sObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "istio-system", labels: {} }, data: { a: "1" } });

  it("labels applied objects with the owner and a content hash that changes with content only", () => {
    const a = desiredObject(o("x"), "Pilot", owner, "");
    assert.equal((a.metadata.labels as any)["install.operator.istio.io/owning-resource"], "demo");
    assert.equal((a.metadata.labels as any)["operator.istio.io/component"], "Pilot");
    const b = desiredObject(o("x"), "Pilot", owner, "");
    assert.equal(contentHash(a), contentHash(b));
    const c = desiredObject({ ...o("x"), data: { a: "2" } }, "Pilot", owner, "");
    assert.notEqual((a.metadata.annotations as any)["operator.pilotfish.io/applied-hash"], (c.metadata.annotations as any)["operator.pilotfish.io/applied-hash"]);
    assert.ok(upToDate(structuredClone(a) as never, b));
    assert.ok(!upToDate(structuredClone(a) as never, c));
  });

  it("prunes only what the desired set lacks", () => {
    const live = [o("keep"), o("gone")] as never[];
    assert.deepEqual(toPrune(live, [o("keep")]).map((x: any) => x.metadata.name), ["gone"]);
  });

  it("reports what a Deployment waits for", () => {
    const want = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "istiod", namespace: "istio-system" } } as K8sObject;
    assert.equal(notReady({ metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, readyReplicas: 1 } }, want), "Deployment istio-system/istiod (1/2 replicas ready)");
    assert.equal(notReady({ metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, readyReplicas: 2 } }, want), undefined);
  });

  it("status: ERROR beats RECONCILING beats HEALTHY; conditions keep their transition time; unchanged status is not rewritten", () => {
    const s1 = buildStatus(undefined, { Base: { status: "HEALTHY" }, Pilot: { status: "RECONCILING", message: "waiting" } }, 1, "t1");
    assert.equal(s1.status, "RECONCILING");
    const s2 = buildStatus(JSON.parse(JSON.stringify(s1)), { Base: { status: "HEALTHY" }, Pilot: { status: "RECONCILING", message: "waiting" } }, 1, "t2");
    assert.equal(s2.conditions[1].lastTransitionTime, "t1");
    assert.ok(!statusChanged(JSON.parse(JSON.stringify(s1)), s2));
    const s3 = buildStatus(s1, { Base: { status: "ERROR", error: "x" }, Pilot: { status: "RECONCILING" } }, 1, "t3");
    assert.equal(s3.status, "ERROR");
    assert.equal(buildStatus(undefined, { Base: { status: "HEALTHY" } }, 1, "t").status, "HEALTHY");
  });

  it("drift: a newer non-metadata edit by another manager, not status/scale writes or annotation updates", () => {
    const mf = (...entries: object[]) => ({ metadata: { managedFields: entries } }) as never;
    const ours = { manager: "pilotfish-operator", operation: "Apply", time: "2026-12-01T10:00:00Z", fieldsV1: { "f:spec": { "f:template": {} } } };
    const edit = (time: string, fieldsV1: object, extra: object = {}) => ({ manager: "kubectl-edit", operation: "Update", time, fieldsV1, ...extra });
    assert.ok(driftedSinceApply(mf(ours, edit("2026-12-01T10:00:05Z", { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"discovery"}': { "f:image": {} } } } } } })), "pilotfish-operator"));
    assert.ok(!driftedSinceApply(mf(ours, edit("2026-12-01T09:59:00Z", { "f:spec": { "f:x": {} } })), "pilotfish-operator"), "older than our apply");
    assert.ok(!driftedSinceApply(mf(ours, edit("2026-12-01T10:00:05Z", { "f:metadata": { "f:annotations": { "f:deployment.kubernetes.io/revision": {} } } })), "pilotfish-operator"));
    assert.ok(!driftedSinceApply(mf(ours, edit("2026-12-01T10:00:05Z", { "f:status": {} }, { subresource: "status" })), "pilotfish-operator"));
    assert.ok(!driftedSinceApply(mf(ours, edit("2026-12-01T10:00:05Z", { "f:spec": { "f:replicas": {} } }, { subresource: "scale" })), "pilotfish-operator"));
    assert.ok(!driftedSinceApply(mf(edit("2026-12-01T10:00:05Z", { "f:spec": {} })), "pilotfish-operator"), "never applied by us: the content hash decides");
  });
});

describe("operator and install flags", () => {
  const run = async (args: string[]) => {
    let out = "";
    let err = "";
    const code = await main(args, { stdout: (x) => void (out += x), stderr: (x) => void (err += x), readStdin: async () => "" });
    return { code, out, err };
  };

  it("a bad duration flag stops `operator` at once, naming the flag, before any cluster is touched", async () => {
    for (const flag of ["--resync", "--recheck", "--lease-duration", "--renew-deadline", "--retry-period"]) {
      const r = await run(["operator", "--kubeconfig", "/nonexistent/kubeconfig", flag, "banana"]);
      assert.notEqual(r.code, 0, flag);
      assert.match(r.err, new RegExp(`^Error: ${flag} "banana": not a duration`), flag);
    }
    const port = await run(["operator", "--kubeconfig", "/nonexistent/kubeconfig", "--metrics-port", "http"]);
    assert.notEqual(port.code, 0);
    assert.match(port.err, /--metrics-port "http": expected a whole number from 0 to 65535/);
    const kc = await run(["operator", "--kubeconfig", "/nonexistent/kubeconfig", "--resync", "1m30s"]);
    assert.notEqual(kc.code, 0);
    assert.match(kc.err, /cannot load kubeconfig \/nonexistent\/kubeconfig/, "good flags: on to the kubeconfig");
  });

  it("install takes Go durations for --readiness-timeout and names the flag when it is not one", async () => {
    const ok = await run(["install", "--dry-run", "--set", "profile=minimal", "--readiness-timeout", "1m30s"]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.err, /Installation complete \(dry run\)/);
    const bad = await run(["install", "--dry-run", "--set", "profile=minimal", "--readiness-timeout", "90 seconds"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--readiness-timeout "90 seconds": not a duration/);
  });
});
