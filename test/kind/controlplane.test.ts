// The local control plane itself: the API server answers, the controller manager turns a Deployment into a
// ReplicaSet and a Pod through admission, and stopping leaves no process behind.
import { it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as k8s from "@kubernetes/client-node";
import { startCluster } from "./cluster.js";

it("runs Deployments through the ReplicaSet controller and stops cleanly", { timeout: 300_000 }, async (t) => {
  const cluster = await startCluster();
  try {
    const version = await cluster.kubectl(["version", "-o", "json"]);
    assert.equal(version.code, 0, version.stderr);
    assert.match(JSON.parse(version.stdout).serverVersion.gitVersion, /^v1\.\d+\.\d+/);
    const apps = cluster.kc.makeApiClient(k8s.AppsV1Api);
    const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: { metadata: { name: "smoke" }, spec: { replicas: 2, selector: { matchLabels: { app: "smoke" } }, template: { metadata: { labels: { app: "smoke" } }, spec: { containers: [{ name: "c", image: "x" }] } } } },
    });
    let pods: k8s.V1Pod[] = [];
    for (let i = 0; i < 240 && pods.length < 2; i++) {
      pods = (await core.listNamespacedPod({ namespace: "default", labelSelector: "app=smoke" })).items;
      if (pods.length < 2) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(pods.length, 2);
    assert.equal(pods[0].metadata?.ownerReferences?.[0]?.kind, "ReplicaSet");
    assert.equal(pods[0].status?.phase, "Pending", "no kubelet or scheduler here");
  } catch (e) {
    t.diagnostic(cluster.logsTail(30));
    throw e;
  } finally {
    await cluster.stop();
  }
  const dir = cluster.dir;
  let left = "";
  try {
    left = execFileSync("pgrep", ["-af", dir], { encoding: "utf8" });
  } catch {
    left = ""; // pgrep exits 1 when nothing matches
  }
  assert.equal(left.trim(), "", "no control-plane process left behind");
});
