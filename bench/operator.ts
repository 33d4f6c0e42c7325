// Operator benchmark (make bench): on the local control plane, the time from `kubectl apply` of the demo
// IstioOperator to every object applied, the operator's CPU and RSS at rest afterwards, and the in-process
// render time of the demo profile. Writes bench/results/operator.json and bench/results/operator.md.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster } from "../test/kind/cluster.js";
import { Kube } from "../src/kube/client.js";
import { ownerSelector, PRUNE_KINDS } from "../src/operator/reconcile/plan.js";
import { CRDS_FILE } from "../src/webhook/validate/crds.js";
import { resolveIop } from "../src/config/resolve.js";
import { manifestObjects, render } from "../src/operator/render/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const results = path.join(root, "bench", "results");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NS = "istio-system";
const ROUNDS = 3;

function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (100/s)
}
function rssMB(pid: number): number {
  return +(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024).toFixed(1);
}

// Render speed, in process.
const t0 = process.hrtime.bigint();
let n = 0;
while (Number(process.hrtime.bigint() - t0) < 2e9) {
  manifestObjects(render(resolveIop({ docs: [], sets: ["profile=demo"] })));
  n++;
}
const renderMs = Number(process.hrtime.bigint() - t0) / 1e6 / n;

const cluster = await startCluster();
const kube = new Kube(cluster.kc);
const out: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, renderDemoMs: +renderMs.toFixed(2) };
try {
  const crds = await cluster.kubectl(["apply", "--server-side", "-f", path.join(root, CRDS_FILE)]);
  if (crds.code !== 0) throw new Error(crds.stderr);
  await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "app.kubernetes.io/part-of=pilotfish"]);
  await cluster.kubectl(["create", "namespace", NS]);
  const child = spawn(process.execPath, [path.join(root, "bin/pilotfish.mjs"), "operator", "--kubeconfig", cluster.kubeconfigPath, "--log-level", "warn", "--metrics-port", "0"], { stdio: "ignore" });
  await sleep(3000);
  const total = manifestObjects(render(resolveIop({ docs: [], sets: ["profile=demo"] }))).length;
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const name = `bench-${i}`;
    const start = Date.now();
    const r = await cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", metadata: { name, namespace: NS }, spec: { profile: "demo" } }));
    if (r.code !== 0) throw new Error(r.stderr);
    for (;;) {
      let count = 0;
      for (const [av, kind] of [...PRUNE_KINDS, ["apiextensions.k8s.io/v1", "CustomResourceDefinition"] as [string, string]]) count += (await kube.list(av, kind, ownerSelector({ name, namespace: NS }))).length;
      if (count >= total) break;
      if (Date.now() - start > 120_000) throw new Error(`only ${count}/${total} objects after 120 s`);
      await sleep(20);
    }
    times.push(Date.now() - start);
    if (i === ROUNDS - 1) break;
    await cluster.kubectl(["delete", "istiooperator", name, "-n", NS, "--wait=true", "--timeout=60s"]);
  }
  // At rest: the last IstioOperator stays; the operator only watches (and rechecks readiness every 30 s).
  await sleep(5000);
  const c0 = cpuSeconds(child.pid!);
  const restS = 30;
  await sleep(restS * 1000);
  const cpu = cpuSeconds(child.pid!) - c0;
  Object.assign(out, {
    objects: total,
    applyDemoMs: times,
    applyDemoMedianMs: [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)],
    restCpuPercent: +((cpu / restS) * 100).toFixed(2),
    restRssMB: rssMB(child.pid!),
  });
  child.kill("SIGTERM");
} finally {
  await cluster.stop();
}
fs.writeFileSync(path.join(results, "operator.json"), JSON.stringify(out, null, 2));
const md = `Operator, measured ${out.date} on the local control plane (kube-apiserver + etcd + kube-controller-manager on this machine):

| what | value |
|---|---|
| render the demo profile in process (${out.objects} objects) | ${out.renderDemoMs} ms |
| \`kubectl apply\` of the demo IstioOperator -> all ${out.objects} objects applied (median of ${ROUNDS}) | ${out.applyDemoMedianMs} ms (${(out.applyDemoMs as number[]).join(", ")}) |
| operator CPU at rest (30 s, one IstioOperator, readiness rechecks every 30 s) | ${out.restCpuPercent} % of one core |
| operator RSS at rest (compiled dist/, as the image runs it) | ${out.restRssMB} MB |
`;
fs.writeFileSync(path.join(results, "operator.md"), md);
console.log(md);
