// `make up`: the main job on a fresh machine. Starts the local control plane, runs pilotfish as its admission
// webhook, creates a Deployment in a namespace labelled istio-injection=enabled and prints the pod that the
// ReplicaSet controller created, as the API server admitted it. Everything keeps running; `make down` stops it.
import { spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { controlPlaneBinaries, startCluster } from "./cluster.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = path.join(root, "test/kind/.run");
const say = (s: string) => process.stdout.write(s + "\n");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (fs.existsSync(path.join(run, "pids"))) {
  say(`A local control plane is already up (${run}); run 'make down' first.`);
  process.exit(1);
}
fs.mkdirSync(run, { recursive: true });
const t0 = Date.now();
const cluster = await startCluster({ dir: run, detach: true, log: say });

// pilotfish: the webhook, reading Istio's ConfigMaps from the cluster, registering itself with the API server.
const port = 15017;
const caFile = path.join(run, "pilotfish-ca.pem");
const logFd = fs.openSync(path.join(run, "pilotfish.log"), "a");
const pf = spawn(
  process.execPath,
  [path.join(root, "bin/pilotfish.mjs"), "serve", "--config-source", "cluster", "--kubeconfig", cluster.kubeconfigPath, "--host", "127.0.0.1", "--port", String(port), "--ca-out", caFile, "--register-webhook", `https://127.0.0.1:${port}`],
  { stdio: ["ignore", logFd, logFd], detached: true },
);
pf.unref();
fs.appendFileSync(path.join(run, "pids"), `${pf.pid} pilotfish\n`);

const ready = () =>
  new Promise<boolean>((resolve) => {
    if (!fs.existsSync(caFile)) return resolve(false);
    https
      .get(`https://127.0.0.1:${port}/readyz`, { ca: fs.readFileSync(caFile) }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
      .on("error", () => resolve(false));
  });
const admission = cluster.kc.makeApiClient(k8s.AdmissionregistrationV1Api);
for (let i = 0; ; i++) {
  const registered = await admission.readMutatingWebhookConfiguration({ name: "istio-sidecar-injector" }).then(() => true, () => false);
  if (registered && (await ready())) break;
  if (i > 120) throw new Error(`pilotfish did not come up; see ${path.join(run, "pilotfish.log")}`);
  await sleep(250);
}
say(`pilotfish serving https://127.0.0.1:${port}/inject, registered as MutatingWebhookConfiguration istio-sidecar-injector`);
await sleep(1500); // the API server loads webhook configurations from an informer

const crdDir = path.join(root, "charts/pilotfish/crds");
if (fs.existsSync(crdDir)) {
  const r = await cluster.kubectl(["apply", "--server-side", "-f", crdDir]);
  say(r.code === 0 ? `applied the Istio CRDs in ${path.relative(root, crdDir)}` : `CRDs not applied: ${r.stderr.trim()}`);
  await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "app.kubernetes.io/part-of=pilotfish"]);
}

const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
await core.createNamespace({ body: { metadata: { name: "demo", labels: { "istio-injection": "enabled" } } } });
for (let i = 0; !(await core.readNamespacedServiceAccount({ name: "default", namespace: "demo" }).then(() => true, () => false)); i++) {
  if (i > 120) throw new Error("no default ServiceAccount in demo");
  await sleep(250);
}
const applied = await cluster.kubectl(["apply", "-n", "demo", "-f", path.join(root, "examples/bookinfo-details.yaml")]);
if (applied.code !== 0) throw new Error(applied.stderr);
say(`namespace demo (istio-injection=enabled): ${applied.stdout.trim().replace(/\n/g, ", ")}`);

// The validating webhook: a VirtualService with a misspelt field never reaches etcd.
const typo = JSON.stringify({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "details", namespace: "demo" },
  spec: { hosts: ["details"], http: [{ route: [{ destinations: { host: "details" } }] }] },
});
const denied = await cluster.kubectl(["apply", "-f", "-"], typo);
say("");
say(`kubectl apply of a VirtualService with "destinations:" (exit ${denied.code}):`);
say(denied.stderr.trim().replace(/^/gm, "  "));

let pod: k8s.V1Pod | undefined;
for (let i = 0; !pod; i++) {
  pod = (await core.listNamespacedPod({ namespace: "demo", labelSelector: "app=details" })).items[0];
  if (!pod && i > 120) throw new Error("the ReplicaSet controller created no pod");
  if (!pod) await sleep(250);
}
const owner = pod.metadata?.ownerReferences?.[0];
say("");
say(`pod ${pod.metadata?.name} (created by ${owner?.kind} ${owner?.name}, admitted through pilotfish):`);
for (const c of pod.spec?.initContainers ?? []) say(`  initContainer ${c.name.padEnd(12)} ${c.image}${c.restartPolicy ? ` restartPolicy=${c.restartPolicy}` : ""}  ${(c.args ?? []).slice(0, 12).join(" ")}`);
for (const c of pod.spec?.containers ?? []) say(`  container     ${c.name.padEnd(12)} ${c.image}`);
say(`  sidecar.istio.io/status: ${pod.metadata?.annotations?.["sidecar.istio.io/status"]}`);
say("");
say(`control plane + pilotfish up in ${((Date.now() - t0) / 1000).toFixed(1)}s. Try:`);
say(`  export KUBECONFIG=${cluster.kubeconfigPath}`);
say(`  ${path.join(controlPlaneBinaries(), "kubectl")} get pods -n demo -o yaml`);
say("  make down    # stops everything");
