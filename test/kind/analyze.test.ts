// End-to-end: `pilotfish analyze` reading the live cluster (the real local kube-apiserver with Istio's CRDs):
// findings on what is stored, files analysed over the cluster (a file can add what the cluster lacks), -n/-A,
// the mesh config from the istio ConfigMap, and exit codes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster } from "./cluster.js";
import { CRDS_FILE } from "../../src/webhook/validate/crds.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");
const NS = "e2e-analyze";

const objects = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "e2e-other", labels: { "istio-injection": "enabled", "istio.io/rev": "canary" } } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "reviews", namespace: NS }, spec: { selector: { app: "reviews" }, ports: [{ name: "web", port: 9080 }] } },
  {
    apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "reviews", namespace: NS },
    spec: { hosts: ["reviews.example.com"], gateways: ["bookinfo-gateway"], http: [{ route: [{ destination: { host: "reviews", subset: "v2" } }] }] },
  },
  { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "reviews", namespace: NS }, spec: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }] } },
];

describe("pilotfish analyze against a cluster", { timeout: 600_000 }, () => {
  let cluster: Cluster;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-e2e-analyze-"));
  const pf = (args: string[], input = "") => {
    const r = spawnSync(process.execPath, [bin, "analyze", ...args, "--kubeconfig", cluster.kubeconfigPath], { cwd: root, encoding: "utf8", input, timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const pairs = (stdout: string) => (JSON.parse(stdout) as { code: string; origin: string }[]).map((m) => `${m.code} ${m.origin}`).sort();

  before(async () => {
    const b = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
    assert.equal(b.status, 0, b.stderr);
    cluster = await startCluster();
    const crds = await cluster.kubectl(["apply", "--server-side", "-f", path.join(root, CRDS_FILE)]);
    assert.equal(crds.code, 0, crds.stderr);
    const est = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "app.kubernetes.io/part-of=pilotfish"]);
    assert.equal(est.code, 0, est.stderr);
    const r = await cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await cluster?.stop();
  });

  it("-n: the namespace's findings from what the cluster stores, exit 1 on Errors", () => {
    const r = pf(["-n", NS, "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual([...new Set(pairs(r.stdout))], [
      `IST0101 VirtualService ${NS}/reviews`,
      `IST0102 Namespace ${NS}`,
      `IST0118 Service ${NS}/reviews`,
      `IST0132 VirtualService ${NS}/reviews`,
      `IST0173 DestinationRule ${NS}/reviews`,
    ]);
    const log = pf(["-n", NS]);
    assert.match(log.stdout, new RegExp(`^Error \\[IST0101\\] \\(VirtualService ${NS}/reviews\\) Referenced host\\+subset in destinationrule not found: "reviews\\+v2"$`, "m"));
    assert.match(log.stdout, new RegExp(`^Error \\[IST0101\\] \\(VirtualService ${NS}/reviews\\) Referenced gateway not found: "bookinfo-gateway"$`, "m"));
  });

  it("files are analysed over the cluster: a Gateway and a subset from a file clear those findings", () => {
    const file = path.join(dir, "fix.yaml");
    fs.writeFileSync(
      file,
      [
        `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: bookinfo-gateway, namespace: ${NS}}\nspec: {selector: {app: none}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*.example.com"]}]}`,
        `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: ${NS}}\nspec: {host: reviews, subsets: [{name: v2, labels: {version: v2}}]}`,
      ].join("\n---\n"),
    );
    const r = pf(["-n", NS, "-o", "json", "--suppress", `IST0102=Namespace ${NS}`, file]);
    const got = pairs(r.stdout);
    assert.ok(!got.some((p) => p.startsWith("IST0101 VirtualService") || p.startsWith("IST0132")), got.join("\n"));
    assert.ok(!got.includes(`IST0102 Namespace ${NS}`));
    assert.ok(got.includes(`IST0118 Service ${NS}/reviews`));
  });

  it("-A: every namespace, cluster-scoped findings included", () => {
    const r = pf(["-A", "-o", "json"]);
    const got = pairs(r.stdout);
    assert.ok(got.includes("IST0123 Namespace e2e-other"), got.join("\n"));
    assert.ok(got.includes(`IST0101 VirtualService ${NS}/reviews`));
  });

  it("--failure-threshold and --output-threshold", () => {
    assert.equal(pf(["-n", NS, "--suppress", `IST0101=VirtualService reviews.${NS}`, "--suppress", `IST0173=DestinationRule *`]).code, 0);
    const r = pf(["-n", NS, "--output-threshold", "Error", "-o", "json"]);
    assert.ok(pairs(r.stdout).every((p) => p.startsWith("IST0101") || p.startsWith("IST0173")), r.stdout);
  });
});
