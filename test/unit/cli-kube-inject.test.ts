// `pilotfish kube-inject` as a user runs it: the real bin, files and stdin, exit codes and messages.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadAll } from "js-yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");

function run(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", env: { ...process.env, ...env }, cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, version: v2}
    spec:
      containers:
      - name: web
        image: shop/web:2
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
`;
const service = `# a Service passes through untouched
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
`;

function tmp(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-cli-"));
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe("pilotfish kube-inject", () => {
  it("injects a Deployment read from stdin and passes a Service through verbatim", () => {
    const r = run(["kube-inject", "-f", "-"], `${deployment}---\n${service}`);
    assert.equal(r.code, 0, r.stderr);
    const docs = loadAll(r.stdout).filter(Boolean) as any[];
    assert.equal(docs.length, 2);
    const spec = docs[0].spec.template.spec;
    assert.deepEqual(spec.containers.map((c: any) => c.name), ["web", "istio-proxy"], "classic sidecar without a cluster");
    assert.deepEqual(spec.initContainers.map((c: any) => c.name), ["istio-init"]);
    assert.equal(spec.containers[1].image, "docker.io/istio/proxyv2:1.30.3");
    assert.deepEqual(spec.containers[0].readinessProbe.httpGet, { path: "/app-health/web/readyz", port: 15020 });
    assert.equal(docs[0].spec.template.metadata.labels["service.istio.io/canonical-revision"], "v2");
    assert.ok(r.stdout.includes("# a Service passes through untouched"), "unknown kinds are copied as text");
  });

  it("honours ENABLE_NATIVE_SIDECARS=true and --set / --operator-file overlays", () => {
    const iop = tmp("iop.yaml", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    defaultConfig:\n      interceptionMode: TPROXY\n");
    const r = run(["kube-inject", "-f", "-", "--set", "values.global.proxy.image=proxyTest", "--set", "hub=example.io/mesh", "--operator-file", iop], deployment, { ENABLE_NATIVE_SIDECARS: "true" });
    assert.equal(r.code, 0, r.stderr);
    const spec = (loadAll(r.stdout)[0] as any).spec.template.spec;
    assert.deepEqual(spec.initContainers.map((c: any) => c.name), ["istio-init", "istio-proxy"]);
    const proxy = spec.initContainers[1];
    assert.equal(proxy.restartPolicy, "Always");
    assert.equal(proxy.image, "example.io/mesh/proxyTest:1.30.3");
    assert.ok(spec.initContainers[0].args.includes("TPROXY"));
    assert.equal(proxy.securityContext.runAsUser, 0);
  });

  it("writes to -o FILE", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pf-out-")), "out.yaml");
    const r = run(["kube-inject", "-f", tmp("d.yaml", deployment), "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(fs.readFileSync(out, "utf8"), /istio-proxy/);
  });

  it("rejects an unknown --set path with a suggestion, before reading input", () => {
    const r = run(["kube-inject", "-f", "-", "--set", "valuez.global.proxy.image=x"], deployment);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown IstioOperator path "valuez"/);
    assert.match(r.stderr, /did you mean "values"/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack trace");
  });

  it("reports broken YAML with the file and line", () => {
    const f = tmp("broken.yaml", `${deployment}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n`);
    const r = run(["kube-inject", "-f", f]);
    assert.equal(r.code, 2, "broken YAML is an input error (exit 2)");
    assert.match(r.stderr, new RegExp(`${path.basename(f)}:2[0-9]:\\d+: invalid YAML`));
  });

  it("fails on an invalid annotation with Istio's message", () => {
    const bad = deployment.replace("labels: {app: web, version: v2}", "labels: {app: web}\n      annotations:\n        traffic.sidecar.istio.io/includeInboundPorts: bad");
    const r = run(["kube-inject", "-f", "-"], bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr.toLowerCase(), /includeinboundports invalid/);
  });

  it("reports a missing file as unreadable input", () => {
    const r = run(["kube-inject", "-f", "/nonexistent/x.yaml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read \/nonexistent\/x.yaml: ENOENT/);
  });

  it("leaves hostNetwork pods alone with a warning", () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: h\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: x\n";
    const r = run(["kube-inject", "-f", "-"], pod);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Skipping injection because Pod "h" has host networking enabled/);
    assert.doesNotMatch(r.stdout, /istio-proxy/);
  });
});
