// End-to-end: `pilotfish version` reading the cluster (pilotfish's Deployments and istiod's revisions, with
// their image tags and replicas), the cluster flags that steer it, and `install`'s confirmation when a control
// plane is already there. Against the real local kube-apiserver (no kubelet: no replica is ever ready).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster } from "./cluster.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");

function deployment(namespace: string, name: string, labels: Record<string, string>, container: string, image: string, replicas: number) {
  const app = { app: name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: { replicas, selector: { matchLabels: app }, template: { metadata: { labels: app }, spec: { containers: [{ name: container, image }] } } },
  };
}

describe("pilotfish version against a cluster", () => {
  let cluster: Cluster;
  const pf = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args, "--kubeconfig", cluster.kubeconfigPath], { cwd: root, encoding: "utf8", input: "", timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(async () => {
    const b = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
    assert.equal(b.status, 0, b.stderr);
    cluster = await startCluster();
    const objects = [
      ...["istio-system", "pilotfish-system", "elsewhere"].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
      deployment("pilotfish-system", "pilotfish", { "app.kubernetes.io/name": "pilotfish", "app.kubernetes.io/instance": "pilotfish" }, "pilotfish", "ghcr.io/example/pilotfish:0.1.0", 2),
      deployment("istio-system", "istiod", { app: "istiod" }, "discovery", "docker.io/istio/pilot:1.30.3", 1),
      deployment("istio-system", "istiod-canary", { app: "istiod", "istio.io/rev": "canary" }, "discovery", "docker.io/istio/pilot:1.30.2-distroless", 1),
      deployment("elsewhere", "istiod", { app: "istiod" }, "discovery", "docker.io/istio/pilot:1.29.0", 3),
    ];
    const r = await cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await cluster?.stop();
  });

  it("lists pilotfish and every istiod revision in the Istio namespace, with image tags and replicas", () => {
    const r = pf(["version"]);
    assert.equal(r.code, 0, r.stderr + cluster.logsTail());
    assert.equal(
      r.stdout.split("\n").slice(2).join("\n"),
      [
        "pilotfish version: 0.1.0 (pilotfish-system/pilotfish, 0/2 replicas ready)",
        "control plane version: 1.30.3 (revision default, istio-system/istiod, 0/1 replicas ready)",
        "control plane version: 1.30.2-distroless (revision canary, istio-system/istiod-canary, 0/1 replicas ready)",
        "",
      ].join("\n"),
    );
    assert.match(r.stdout, /^client version: \S+\nistio compatibility: 1\.30\.3\n/);
    assert.equal(r.stderr, "");
    const long = pf(["version", "--short=false"]);
    assert.match(long.stdout, /kubernetes version: v1\.\d+/);
    assert.match(long.stdout, /image docker\.io\/istio\/pilot:1\.30\.3/);
  });

  it("-o json has the same, machine-readable", () => {
    const r = pf(["version", "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    assert.match(v.kubernetesVersion, /^v1\./);
    assert.deepEqual(v.pilotfishVersion, [{ component: "pilotfish", namespace: "pilotfish-system", name: "pilotfish", version: "0.1.0", image: "ghcr.io/example/pilotfish:0.1.0", replicas: 2, readyReplicas: 0 }]);
    assert.deepEqual(v.meshVersion.map((m: { revision: string; version: string }) => [m.revision, m.version]), [["default", "1.30.3"], ["canary", "1.30.2-distroless"]]);
  });

  it("-i and -n say where to look (before or after the command)", () => {
    const other = pf(["-i", "elsewhere", "version", "-o", "json"]);
    assert.equal(other.code, 0, other.stderr);
    assert.deepEqual(JSON.parse(other.stdout).meshVersion.map((m: { namespace: string; version: string; replicas: number }) => [m.namespace, m.version, m.replicas]), [["elsewhere", "1.29.0", 3]]);
    const none = pf(["version", "-n", "elsewhere", "-i", "pilotfish-system"]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /pilotfish is not present in the cluster \(no Deployment labelled app\.kubernetes\.io\/name=pilotfish in elsewhere\)/);
    assert.match(none.stderr, /Istio is not present in the cluster \(no Deployment labelled app=istiod in pilotfish-system\)/);
  });

  it("--context naming no context exits 3", () => {
    const r = pf(["version", "--context", "nope"]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /--context nope: no such context/);
  });

  it("install over an istiod that is already there asks first: without a terminal and -y it refuses (exit 2), changing nothing", async () => {
    const r = pf(["install", "--set", "profile=minimal", "--readiness-timeout", "1s"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Istio is already installed in istio-system:\n {2}Deployment istio-system\/istiod \(revision default, image docker\.io\/istio\/pilot:1\.30\.3\)/);
    assert.match(r.stderr, /pass -y\/--skip-confirmation/);
    const cm = await cluster.kubectl(["get", "configmap", "istio", "-n", "istio-system"]);
    assert.notEqual(cm.code, 0, "nothing was applied");
    // Another revision is not "over" it: a canary install does not ask.
    const canary = pf(["install", "--set", "profile=minimal", "--revision", "blue", "--readiness-timeout", "1s"]);
    assert.doesNotMatch(canary.stderr, /already installed/);
    assert.equal(canary.code, 1, "no kubelet: istiod-blue never becomes ready");
  });
});
