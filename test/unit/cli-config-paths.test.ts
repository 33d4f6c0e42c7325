// One configuration path: `kube-inject --operator-file`, `manifest generate -f` and `serve --config-source local`
// resolve the same IstioOperator the same way, so the proxy they configure is the same. Runs the real bin.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadAll } from "js-yaml";
import jsonpatch from "fast-json-patch";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");
const run = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", cwd: root });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-paths-"));
const demoIop = path.join(dir, "demo.yaml");
fs.writeFileSync(demoIop, "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: demo\n");
const deployment = fs.readFileSync(path.join(root, "examples/bookinfo-details.yaml"), "utf8");

const proxyOf = (podSpec: any) => [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])].find((c: any) => c.name === "istio-proxy");
const env = (c: any, name: string) => c.env.find((e: any) => e.name === name)?.value;

function injectorValues(manifest: string, name = "istio-sidecar-injector"): any {
  const cm = (loadAll(manifest) as any[]).find((o) => o?.kind === "ConfigMap" && o.metadata.name === name);
  return JSON.parse(cm.data.values);
}

describe("one IstioOperator, one proxy, on every path", () => {
  it("kube-inject with an IstioOperator naming the demo profile injects demo's proxy resources, as manifest generate configures the injector", () => {
    const inj = run(["kube-inject", "-f", "-", "--operator-file", demoIop], deployment);
    assert.equal(inj.status, 0, inj.stderr);
    const pod = (loadAll(inj.stdout) as any[]).find((d) => d?.kind === "Deployment").spec.template.spec;
    const gen = run(["manifest", "generate", "-f", demoIop]);
    assert.equal(gen.status, 0, gen.stderr);
    const want = injectorValues(gen.stdout).global.proxy.resources;
    assert.deepEqual(want.requests, { cpu: "10m", memory: "40Mi" });
    assert.deepEqual(proxyOf(pod).resources.requests, want.requests);
    // Limits as the API server writes them back: 2000m -> 2, 1024Mi -> 1Gi (the golden's canonical form).
    assert.deepEqual(want.limits, { cpu: "2000m", memory: "1024Mi" });
    assert.deepEqual(proxyOf(pod).resources.limits, { cpu: "2", memory: "1Gi" });
  });

  it("--set profile=demo and --operator-file with spec.profile demo inject the same pod", () => {
    const a = run(["kube-inject", "-f", "-", "--operator-file", demoIop], deployment);
    const b = run(["kube-inject", "-f", "-", "--set", "profile=demo"], deployment);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
  });

  it("kube-inject --revision canary points the proxy at istiod-canary and records the revision", () => {
    const r = run(["kube-inject", "-f", "-", "--revision", "canary"], deployment);
    assert.equal(r.status, 0, r.stderr);
    const tmpl = (loadAll(r.stdout) as any[]).find((d) => d?.kind === "Deployment").spec.template;
    const proxy = proxyOf(tmpl.spec);
    assert.equal(env(proxy, "CA_ADDR"), "istiod-canary.istio-system.svc:15012");
    assert.equal(JSON.parse(env(proxy, "PROXY_CONFIG")).discoveryAddress, "istiod-canary.istio-system.svc:15012");
    assert.equal(tmpl.metadata.annotations["istio.io/rev"], "canary");
    assert.equal(JSON.parse(tmpl.metadata.annotations["sidecar.istio.io/status"]).revision, "canary");
  });

  it("a misspelt values path is refused by kube-inject as by manifest generate", () => {
    for (const args of [["kube-inject", "-f", "-"], ["manifest", "generate"]]) {
      const r = run([...args, "--set", "values.global.proxy.imag=foo"], deployment);
      assert.notEqual(r.status, 0, `${args.join(" ")} accepted a typo`);
      assert.match(r.stderr, /spec\.values\.global\.proxy\.imag: unknown field "imag"; did you mean "image"\?/);
    }
  });

  it("serve --config-source local with the same IstioOperator injects the same proxy resources", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, "serve", "--config-source", "local", "--operator-file", demoIop, "--port", String(port), "--host", "127.0.0.1", "--no-validation", "--log-level", "warn"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    try {
      await waitFor(() => get(port, "/readyz").then((s) => s === 200).catch(() => false), 20_000, () => stderr);
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "details", namespace: "shop", labels: { app: "details" } }, spec: { containers: [{ name: "details", image: "details:1" }] } };
      const review = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u1", kind: { group: "", version: "v1", kind: "Pod" }, resource: { group: "", version: "v1", resource: "pods" }, namespace: "shop", operation: "CREATE", object: pod } };
      const resp = JSON.parse(await post(port, "/inject", JSON.stringify(review)));
      const patch = JSON.parse(Buffer.from(resp.response.patch, "base64").toString());
      const injected = jsonpatch.applyPatch(structuredClone(pod), patch, false, false).newDocument as any;
      assert.deepEqual(proxyOf(injected.spec).resources.requests, { cpu: "10m", memory: "40Mi" });
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("serve refuses a bad duration flag at once, naming it", () => {
    const r = spawnSync(process.execPath, [bin, "serve", "--drain-timeout", "banana"], { encoding: "utf8", cwd: root, timeout: 20_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--drain-timeout "banana": not a duration/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
function request(port: number, p: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port, path: p, method, rejectUnauthorized: false, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
const get = (port: number, p: string) => request(port, p, "GET").then((r) => r.status);
const post = (port: number, p: string, body: string) => request(port, p, "POST", body).then((r) => r.text);
async function waitFor(cond: () => Promise<boolean>, ms: number, why: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`serve did not become ready: ${why()}`);
}
