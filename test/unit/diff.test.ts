// `pilotfish diff`'s core: the rendered install against live objects (fixtures made from the render plus what
// an API server adds), reporting create / change (field by field) / prune, with server defaults, status and
// another manager's fields not counted; and the CLI's input errors and exit codes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveIop } from "../../src/config/resolve.js";
import { render } from "../../src/operator/render/index.js";
import { desiredComponents, L_OWNER, objectKey, type DesiredComponent, type Owner } from "../../src/operator/reconcile/plan.js";
import { diffInstall, formatDiff, hasChanges, lineChanges, mergeKey, objectChanges, readLiveState, type LiveState } from "../../src/operator/reconcile/diff.js";
import { diffAgainstCluster } from "../../src/cli/diff.js";
import { main } from "../../src/cli/main.js";
import type { JsonObject } from "../../src/config/values.js";
import { FakeKube } from "./reconcile-fake.js";

type Obj = Record<string, any>;
const owner: Owner = { name: "installed-state", namespace: "istio-system" };

function desiredFor(sets: string[]): DesiredComponent[] {
  const r = resolveIop({ docs: [], sets: ["profile=minimal", ...sets] });
  return desiredComponents(render(r).components, owner, r.revision);
}

/** The managedFields tree an apply of `o` leaves (f: fields, k: list elements by name, v: scalar lists). */
function fieldsOf(o: any): any {
  if (Array.isArray(o)) {
    const t: any = {};
    for (const e of o) {
      if (e && typeof e === "object" && !Array.isArray(e) && typeof e.name === "string") t[`k:${JSON.stringify({ name: e.name })}`] = { ".": {}, ...fieldsOf(e) };
      else if (typeof e === "string") t[`v:${JSON.stringify(e)}`] = {};
    }
    return t;
  }
  if (o && typeof o === "object") {
    const t: any = {};
    for (const [k, v] of Object.entries(o)) t[`f:${k}`] = v && typeof v === "object" ? fieldsOf(v) : {};
    return t;
  }
  return {};
}

/** What an API server makes of an applied object: defaults, canonical quantities, omitted zero values, metadata, status. */
function serverize(o: Obj, manager = "pilotfish-install"): Obj {
  const live = JSON.parse(JSON.stringify(o));
  const applied = fieldsOf(o);
  const walk = (v: any, parentKey: string): any => {
    if (Array.isArray(v)) return v.map((x) => walk(x, parentKey));
    if (v && typeof v === "object") {
      for (const k of Object.keys(v)) {
        if (v[k] === "" || v[k] === false || v[k] === null) delete v[k];
        else v[k] = walk(v[k], k);
      }
      if (parentKey === "containers" || parentKey === "initContainers") {
        v.terminationMessagePath ??= "/dev/termination-log";
        v.terminationMessagePolicy ??= "File";
        v.imagePullPolicy ??= "IfNotPresent";
      }
      if (parentKey === "ports" && (v.containerPort !== undefined || v.port !== undefined)) v.protocol ??= "TCP";
      if (parentKey === "requests" || parentKey === "limits") {
        for (const [k, q] of Object.entries(v)) if (typeof q === "string" && /^\d+000m$/.test(q)) v[k] = q.slice(0, -4);
      }
      return v;
    }
    return v;
  };
  walk(live, "");
  live.metadata.uid = "uid-1";
  live.metadata.resourceVersion = "42";
  live.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
  live.metadata.managedFields = [{ manager, operation: "Apply", apiVersion: live.apiVersion, time: "2026-01-01T00:00:00Z", fieldsType: "FieldsV1", fieldsV1: applied }];
  if (live.kind === "Deployment") {
    live.spec.revisionHistoryLimit = 10;
    live.spec.progressDeadlineSeconds = 600;
    live.spec.template.spec.restartPolicy ??= "Always";
    live.spec.template.spec.dnsPolicy ??= "ClusterFirst";
    live.status = { replicas: 1, readyReplicas: 1, observedGeneration: 1 };
  }
  if (live.kind === "Service") {
    live.spec.clusterIP = "10.96.0.10";
    live.spec.sessionAffinity = "None";
  }
  return live;
}

function liveOf(desired: DesiredComponent[], edit: (o: Obj) => Obj | undefined = (o) => o): LiveState {
  const owned = new Map<string, JsonObject>();
  for (const o of desired.flatMap((c) => c.objects)) {
    const l = edit(serverize(o));
    if (l) owned.set(objectKey(o), l as JsonObject);
  }
  return { owned, unowned: new Map(), missingNamespaces: [] };
}

const find = (desired: DesiredComponent[], kind: string, name: string) => desired.flatMap((c) => c.objects).find((o) => o.kind === kind && o.metadata.name === name)!;

describe("diff: the render against live objects", () => {
  const desired = desiredFor(["values.pilot.resources.requests.cpu=1000m"]);

  it("nothing live: every object and the namespace are created", () => {
    const r = diffInstall(desired, { owned: new Map(), unowned: new Map(), missingNamespaces: ["istio-system"] });
    const total = desired.flatMap((c) => c.objects).length;
    assert.deepEqual(r.counts, { create: total + 1, change: 0, unchanged: 0, prune: 0 });
    assert.equal(r.objects[0].kind, "Namespace");
    assert.ok(hasChanges(r));
    assert.match(formatDiff(r), /^\+ create Namespace istio-system\n/);
  });

  it("server defaults, status, metadata and canonical quantities are not differences", () => {
    const live = liveOf(desired);
    const d = find(desired, "Deployment", "istiod");
    const l = live.owned.get(objectKey(d)) as Obj;
    assert.equal(l.spec.template.spec.containers[0].resources.requests.cpu, "1", "the fixture canonicalizes 1000m");
    assert.equal(l.spec.template.spec.containers[0].terminationMessagePath, "/dev/termination-log");
    const r = diffInstall(desired, live, "pilotfish-install");
    assert.deepEqual(r.objects.filter((o) => o.action !== "unchanged").map((o) => [o.kind, o.name, o.fields]), []);
    assert.equal(hasChanges(r), false);
    assert.match(formatDiff(r), /^0 to create, 0 to change, 0 to prune, \d+ unchanged\n$/);
  });

  it("a changed setting shows field by field, list elements by their merge key", () => {
    const next = desiredFor(["values.pilot.resources.requests.cpu=700m", "values.pilot.env.FOO=bar", "values.pilot.replicaCount=3", "values.pilot.autoscaleEnabled=false"]);
    const r = diffInstall(next, liveOf(desired), "pilotfish-install");
    const istiod = r.objects.find((o) => o.kind === "Deployment" && o.name === "istiod")!;
    assert.equal(istiod.action, "change");
    const byPath = new Map(istiod.fields.map((f) => [f.path, f]));
    assert.deepEqual(byPath.get("spec.template.spec.containers[name=discovery].resources.requests.cpu"), { path: "spec.template.spec.containers[name=discovery].resources.requests.cpu", op: "change", live: "1", desired: "700m" });
    assert.deepEqual(byPath.get("spec.template.spec.containers[name=discovery].env[name=FOO]"), { path: "spec.template.spec.containers[name=discovery].env[name=FOO]", op: "add", desired: { name: "FOO", value: "bar" } });
    assert.equal(byPath.get("spec.replicas")?.desired, 3);
    // The HPA is no longer rendered: owned, so pruned.
    assert.deepEqual(r.objects.filter((o) => o.action === "prune").map((o) => `${o.kind}/${o.name}`), ["HorizontalPodAutoscaler/istiod"]);
    const text = formatDiff(r);
    assert.match(text, /~ change Deployment istio-system\/istiod\n/);
    assert.match(text, /    ~ spec.template.spec.containers\[name=discovery\].resources.requests.cpu: "1" → "700m"\n/);
    assert.match(text, /    \+ spec.template.spec.containers\[name=discovery\].env\[name=FOO\]: \{"name":"FOO","value":"bar"\}\n/);
    assert.match(text, /- prune  HorizontalPodAutoscaler istio-system\/istiod\n/);
  });

  it("prune: owned objects the render no longer has, never CRDs", () => {
    const live = liveOf(desired);
    const extra = serverize({ ...find(desired, "Deployment", "istiod"), metadata: { ...find(desired, "Deployment", "istiod").metadata, name: "istio-egressgateway" } });
    live.owned.set(objectKey(extra), extra as JsonObject);
    const crd = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "old.istio.io", labels: { [L_OWNER]: owner.name } } };
    live.owned.set(objectKey(crd), crd);
    const r = diffInstall(desired, live);
    assert.deepEqual(r.objects.filter((o) => o.action === "prune").map((o) => `${o.kind}/${o.namespace}/${o.name}`), ["Deployment/istio-system/istio-egressgateway"]);
  });

  it("a field another manager set is not a difference; one this install applied and no longer renders is a removal", () => {
    const d = find(desired, "Deployment", "istiod");
    const l = serverize(d);
    const container = l.spec.template.spec.containers[0];
    container.env.push({ name: "FROM_KUBECTL", value: "1" }, { name: "OLD_SETTING", value: "x" });
    l.metadata.annotations["someone/else"] = "yes";
    l.metadata.managedFields = [
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"discovery"}': { "f:env": { 'k:{"name":"FROM_KUBECTL"}': { ".": {}, "f:name": {}, "f:value": {} } } } } } } } } },
      {
        manager: "pilotfish-install",
        operation: "Apply",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"discovery"}': { "f:env": { 'k:{"name":"OLD_SETTING"}': { ".": {}, "f:name": {}, "f:value": {} }, 'k:{"name":"PILOT_ENABLE_ANALYSIS"}': {} } } } } }, "f:minReadySeconds": {} },
        },
      },
    ];
    l.spec.minReadySeconds = 5;
    const fields = objectChanges(d, l as JsonObject, "pilotfish-install");
    assert.deepEqual(
      fields.map((f) => [f.op, f.path]),
      [
        ["remove", "spec.template.spec.containers[name=discovery].env[name=OLD_SETTING]"],
        ["remove", "spec.minReadySeconds"],
      ],
    );
    // Without the manager's entry, nothing is known removable.
    assert.deepEqual(objectChanges(d, l as JsonObject, "someone-else"), []);
  });

  it("zero values the server omits, and merge keys", () => {
    const d = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n", annotations: {} }, data: { a: "" }, spec: { flag: false, list: [] } } as never;
    assert.deepEqual(objectChanges(d, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n" } }), []);
    const changed = objectChanges(d, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n" }, data: { a: "set" } } as never);
    assert.deepEqual(changed, [{ path: "data.a", op: "change", live: "set", desired: "" }]);
    assert.equal(mergeKey([{ name: "a", mountPath: "/x" }, { name: "a", mountPath: "/y" }]), "mountPath");
    assert.equal(mergeKey([{ port: 80 }, { port: 443 }]), "port");
    assert.equal(mergeKey([{ apiGroups: [""] }]), undefined);
    // Lists without a merge key compare element by element, whole when the lengths differ.
    const rules = (verbs: string[][]) => ({ apiVersion: "v1", kind: "ClusterRole", metadata: { name: "r" }, rules: verbs.map((v) => ({ apiGroups: [""], verbs: v })) });
    assert.deepEqual(objectChanges(rules([["get"]]) as never, rules([["get"]]) as never), []);
    assert.deepEqual(objectChanges(rules([["get", "list"]]) as never, rules([["get"]]) as never).map((f) => f.path), ["rules[0].verbs"]);
    assert.deepEqual(objectChanges(rules([["get"], ["list"]]) as never, rules([["get"]]) as never).map((f) => f.path), ["rules"]);
  });

  it("multi-line values (ConfigMap data) show the lines that differ", () => {
    const a = "global:\n  hub: docker.io/istio\n  tag: 1.30.3\npilot:\n  autoscaleEnabled: true\n";
    const b = "global:\n  hub: docker.io/istio\n  tag: 1.30.3\npilot:\n  autoscaleEnabled: false\n  env: {FOO: bar}\n";
    assert.deepEqual(lineChanges(a, b), ["@@ line 5 @@", "  pilot:", "-   autoscaleEnabled: true", "+   autoscaleEnabled: false", "+   env: {FOO: bar}"]);
    assert.deepEqual(lineChanges("a\nb\nc\nd", "a\nB\nc\nd\ne"), ["@@ line 2 @@", "  a", "- b", "+ B", "@@ line 5 @@", "  d", "+ e"]);
    assert.deepEqual(lineChanges(a, a), []);
    const cm = (v: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "values", namespace: "istio-system" }, data: { values: v } });
    const r = diffInstall([{ component: "Pilot", title: "Istiod", objects: [cm(b) as never] }], { owned: new Map([["ConfigMap/istio-system/values", cm(a) as never]]), unowned: new Map(), missingNamespaces: [] });
    assert.equal(formatDiff(r), "~ change ConfigMap istio-system/values\n    ~ data.values:\n        @@ line 5 @@\n          pilot:\n        -   autoscaleEnabled: true\n        +   autoscaleEnabled: false\n        +   env: {FOO: bar}\n0 to create, 1 to change, 0 to prune, 0 unchanged\n");
  });

  it("reads the live state through the client: owned by labels, unowned by name, missing namespaces; writes nothing", async () => {
    const kube = new FakeKube();
    const objs = desired.flatMap((c) => c.objects);
    // istiod's ServiceAccount exists without the owner labels; the rest are owned and current.
    for (const o of objs) {
      const l = serverize(o);
      if (o.kind === "ServiceAccount" && o.metadata.name === "istiod") l.metadata.labels = { app: "istiod" };
      kube.put(l as never);
    }
    const r = await diffAgainstCluster(kube, desired, owner);
    assert.deepEqual(kube.writes, []);
    const sa = r.objects.find((o) => o.kind === "ServiceAccount" && o.name === "istiod")!;
    assert.equal(sa.adopted, true);
    assert.equal(sa.action, "change", "the owner labels are added");
    assert.ok(sa.fields.every((f) => f.path.startsWith("metadata.labels.")));
    assert.match(formatDiff(r), /~ change ServiceAccount istio-system\/istiod \(exists, not yet owned by this install: apply takes it over\)/);
    const state = await readLiveState(kube, desired, owner);
    assert.deepEqual(state.missingNamespaces, ["istio-system"]);
  });
});

describe("pilotfish diff (CLI)", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "diff-"));
  const unreachable = path.join(tmp, "unreachable.kubeconfig");
  fs.writeFileSync(
    unreachable,
    "apiVersion: v1\nkind: Config\nclusters:\n- name: n\n  cluster: {server: \"https://127.0.0.1:1\", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: n\n  context: {cluster: n, user: u}\ncurrent-context: n\n",
  );
  async function run(args: string[]) {
    let out = "";
    let err = "";
    const code = await main(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), readStdin: async () => "" });
    return { code, out, err };
  }

  it("input errors exit 2 before any cluster is touched; an unreachable cluster exits 3", async () => {
    assert.equal((await run(["diff", "--set", "profile=nonsense", "--kubeconfig", unreachable])).code, 2);
    assert.equal((await run(["diff", "-f", path.join(tmp, "missing.yaml"), "--kubeconfig", unreachable])).code, 2);
    assert.equal((await run(["diff", "-o", "html", "--kubeconfig", unreachable])).code, 2);
    assert.equal((await run(["diff", "-n", "x", "--kubeconfig", unreachable])).code, 2);
    const r = await run(["diff", "--set", "profile=minimal", "--kubeconfig", unreachable]);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /cannot reach the cluster at https:\/\/127.0.0.1:1/);
  });

  it("install --dry-run without a reachable cluster still renders, says it did not compare, writes nothing", async () => {
    const r = await run(["install", "--dry-run", "--set", "profile=minimal", "--kubeconfig", unreachable]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /dry run without a cluster .*not compared with live objects/);
    assert.match(r.err, /Installation complete \(dry run\)/);
  });
});
