// End-to-end: `pilotfish check-inject` reading a real API server: namespaces, MutatingWebhookConfigurations
// (pilotfish's default-revision injector and an istiod-style canary), each revision's injector ConfigMaps, a
// Deployment, a running pod already injected, label sets and namespaces. No injector needs to answer: the
// webhooks fail open and check-inject only reads.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startCluster, type Cluster } from "./cluster.js";
import { main } from "../../src/cli/main.js";
import { resolveIop } from "../../src/config/resolve.js";
import { injectionConfigMapData } from "../../src/config/configmaps.js";
import { buildMutatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";
import type { Explanation } from "../../src/checkinject/explain.js";

describe("pilotfish check-inject against a cluster", { timeout: 300_000 }, () => {
  let cluster: Cluster;
  async function pf(args: string[]) {
    let out = "";
    let err = "";
    const code = await main([...args, "--kubeconfig", cluster.kubeconfigPath], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), readStdin: async () => "" });
    return { code, out, err };
  }

  before(async () => {
    cluster = await startCluster();
    const cm = (name: string, data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "istio-system" }, data });
    const def = injectionConfigMapData(resolveIop({ docs: [], sets: ["values.global.hub=registry.example/istio", "meshConfig.defaultConfig.concurrency=2"] }));
    const canary = injectionConfigMapData(resolveIop({ docs: [], sets: ["revision=canary", "values.global.proxy.logLevel=debug"] }));
    const pilotfish = buildMutatingWebhookConfiguration({ clientConfig: { url: "https://127.0.0.1:1" }, failurePolicy: "Ignore" });
    const istiodCanary = buildMutatingWebhookConfiguration({ revision: "canary", clientConfig: { url: "https://127.0.0.1:2" }, failurePolicy: "Ignore" }) as Record<string, any>;
    istiodCanary.metadata.labels = { "istio.io/rev": "canary", app: "sidecar-injector" };
    const status = JSON.stringify({ initContainers: ["istio-init"], containers: ["istio-proxy"], volumes: null, imagePullSecrets: null, revision: "default" });
    const objects = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "istio-injection": "enabled" } } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "beta", labels: { "istio.io/rev": "canary" } } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "plain" } },
      cm("istio-sidecar-injector", def.injector),
      cm("istio", def.mesh),
      cm("istio-sidecar-injector-canary", canary.injector),
      cm("istio-canary", canary.mesh),
      pilotfish,
      istiodCanary,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop" },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" }, annotations: { "sidecar.istio.io/proxyCPU": "300m", "sidecar.istio.io/interceptionMode": "TPROXY" } }, spec: { containers: [{ name: "web", image: "example.com/web:1" }] } },
        },
      },
    ];
    const r = await cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    assert.equal(r.code, 0, r.stderr);
    // A pod needs its namespace's default ServiceAccount, which the controller manager makes: retry until it is there.
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "old", namespace: "shop", annotations: { "sidecar.istio.io/status": status } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } };
    let last = "";
    for (let i = 0; i < 60; i++) {
      const p = await cluster.kubectl(["apply", "-f", "-"], JSON.stringify(pod));
      if (p.code === 0) break;
      last = p.stderr;
      await new Promise((res) => setTimeout(res, 500));
      assert.ok(i < 59, last);
    }
  });

  after(async () => {
    await cluster?.stop();
  });

  it("a Deployment in an istio-injection=enabled namespace: pilotfish's injector, the ConfigMap's values and the pod's annotations", async (t) => {
    const r = await pf(["check-inject", "-n", "shop", "deploy/web"]);
    t.diagnostic("\n" + r.out);
    assert.equal(r.code, 0, r.err + cluster.logsTail());
    assert.match(r.out, /^WEBHOOK\s+INJECTOR\s+REVISION\s+INJECTED\s+REASON\n/);
    assert.match(r.out, /\nistio-sidecar-injector\s+pilotfish\s+default\s+✔\s+Namespace label istio-injection=enabled matches/);
    assert.match(r.out, /\nistio-sidecar-injector-canary\s+istiod\s+canary\s+✘\s+No matching namespace labels/);
    assert.match(r.out, /Deployment shop\/web \(namespace shop\): ✔ injected by istio-sidecar-injector \(pilotfish's injector, revision default\)/);
    assert.match(r.out, /proxy image\s+registry.example\/istio\/proxyv2:1.30.3\s+values\s+values.global.hub in ConfigMap istio-system\/istio-sidecar-injector\n/);
    assert.match(r.out, /proxy resources\s+\{"requests":\{"cpu":"300m"\}\}\s+annotation\s+sidecar.istio.io\/proxyCPU\n/);
    assert.match(r.out, /interception mode\s+TPROXY\s+annotation\s+sidecar.istio.io\/interceptionMode\n/);
    assert.match(r.out, /proxyConfig.concurrency\s+2\s+meshConfig\s+meshConfig.defaultConfig.concurrency in ConfigMap istio-system\/istio\n/);
    assert.match(r.out, /native sidecar\s+false\s+environment\s+ENABLE_NATIVE_SIDECARS=auto \(no nodes: not all >= 1.33\)/);
  });

  it("-l in a namespace labelled istio.io/rev=canary: istiod's canary webhook and the canary ConfigMaps", async () => {
    const r = await pf(["check-inject", "-n", "beta", "-l", "app=new", "-o", "json"]);
    assert.equal(r.code, 0, r.err);
    const e = JSON.parse(r.out) as Explanation;
    assert.deepEqual([e.injected, e.webhook, e.injector, e.revision], [true, "istio-sidecar-injector-canary", "istiod", "canary"]);
    const log = e.provenance.find((p) => p.setting === "proxy log level");
    assert.deepEqual([log?.value, log?.source, log?.from], ["debug", "values", "values.global.proxy.logLevel in ConfigMap istio-system/istio-sidecar-injector-canary"]);
  });

  it("a running pod already injected (NAME.NAMESPACE form), a namespace nothing selects, and input errors", async (t) => {
    const old = await pf(["check-inject", "old.shop", "-o", "json"]);
    assert.equal(old.code, 0, old.err);
    const e = JSON.parse(old.out) as Explanation;
    assert.equal(e.injected, true);
    assert.deepEqual(e.alreadyInjected, { revision: "default", containers: ["istio-proxy"] });
    const plain = await pf(["check-inject", "ns/plain"]);
    t.diagnostic("\n" + plain.out);
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /✘ not injected: no injection webhook selects it/);
    assert.equal((await pf(["check-inject", "-n", "shop", "deploy/missing"])).code, 2);
    assert.equal((await pf(["check-inject", "ns/nowhere"])).code, 2);
  });
});
