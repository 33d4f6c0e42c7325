// The raw API client against a local HTTP server (429 + Retry-After, 5xx and dropped connections retried only
// when idempotent, paged lists) and the kubeconfig loader's messages.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import { Kube, KubeError, retryAfterMs } from "../../src/kube/client.js";
import { NO_CLUSTER, loadKubeConfig } from "../../src/kube/kubeconfig.js";

type Reply = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const json = (status: number, body: object, headers: Record<string, string> = {}): Reply => (_req, res) => {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
const drop: Reply = (req) => req.socket.destroy();

describe("Kube client retries and paging", () => {
  let server: http.Server;
  let replies: Reply[] = [];
  const seen: { method: string; url: string; body: string }[] = [];
  let kube: Kube;

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method!, url: req.url!, body });
        (replies.shift() ?? json(500, { message: "no reply scripted" }))(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "c", user: "u" }],
      currentContext: "c",
    });
    kube = new Kube(kc, { retry: { baseDelayMs: 5, maxDelayMs: 20 }, pageSize: 2 });
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  const script = (...r: Reply[]) => {
    replies = r;
    seen.length = 0;
  };

  it("honours 429 Retry-After, then succeeds", async () => {
    script(json(429, { message: "slow down" }, { "Retry-After": "1" }), json(200, { metadata: { name: "x" } }));
    const t0 = Date.now();
    const o = await kube.get("v1", "ConfigMap", "ns", "x");
    assert.equal((o!.metadata as { name: string }).name, "x");
    assert.equal(seen.length, 2);
    assert.ok(Date.now() - t0 >= 950, "waited for Retry-After (1 s) before retrying");
  });

  it("retries a 429 even on a create (the server did not act on it)", async () => {
    script(json(429, {}, { "Retry-After": "0" }), json(201, {}));
    assert.deepEqual(await kube.create("v1", "ConfigMap", "ns", { metadata: { name: "x" } }), { created: true });
    assert.deepEqual(seen.map((s) => s.method), ["POST", "POST"]);
  });

  it("retries 5xx and dropped connections on idempotent calls (GET, apply, DELETE)", async () => {
    script(json(503, {}), drop, json(500, {}), json(200, { metadata: { name: "x" } }));
    await kube.get("v1", "ConfigMap", "ns", "x");
    assert.equal(seen.length, 4);
    script(json(502, {}), json(200, { kind: "ConfigMap" }));
    await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "ns" } });
    assert.deepEqual(seen.map((s) => s.method), ["PATCH", "PATCH"]);
    assert.match(seen[0].url, /fieldManager=pilotfish-operator&force=true/);
    script(drop, json(200, {}));
    assert.equal(await kube.delete("v1", "ConfigMap", "ns", "x"), true);
    assert.deepEqual(JSON.parse(seen[1].body), { propagationPolicy: "Background" }, "the DELETE body arrives whole");
  });

  it("does not retry a 5xx on a create or a merge patch (not idempotent)", async () => {
    script(json(503, { message: "unavailable" }), json(201, {}));
    await assert.rejects(kube.create("v1", "ConfigMap", "ns", { metadata: { name: "x" } }), (e: KubeError) => e.status === 503);
    assert.equal(seen.length, 1);
    script(json(500, { message: "oops" }), json(200, {}));
    await assert.rejects(kube.mergePatch("v1", "ConfigMap", "ns", "x", { data: {} }), /HTTP 500: oops/);
    assert.equal(seen.length, 1);
  });

  it("gives up after the attempt limit", async () => {
    script(...Array.from({ length: 10 }, () => json(500, { message: "down" })));
    await assert.rejects(kube.get("v1", "ConfigMap", "ns", "x"), /HTTP 500: down/);
    assert.equal(seen.length, 5);
  });

  it("lists page by page with limit and continue", async () => {
    script(
      json(200, { items: [{ metadata: { name: "a" } }, { metadata: { name: "b" } }], metadata: { continue: "tok 1" } }),
      json(200, { items: [{ metadata: { name: "c" } }], metadata: {} }),
    );
    const items = await kube.list("v1", "ConfigMap", "app=x");
    assert.deepEqual(items.map((o) => (o.metadata as { name: string }).name), ["a", "b", "c"]);
    assert.ok(items.every((o) => o.kind === "ConfigMap" && o.apiVersion === "v1"));
    assert.equal(seen[0].url, "/api/v1/configmaps?limit=2&labelSelector=app%3Dx");
    assert.equal(seen[1].url, "/api/v1/configmaps?limit=2&labelSelector=app%3Dx&continue=tok%201");
  });

  it("an expired continue token (410) restarts the list once, unpaged", async () => {
    script(
      json(200, { items: [{ metadata: { name: "a" } }, { metadata: { name: "b" } }], metadata: { continue: "old" } }),
      json(410, { message: "expired" }),
      json(200, { items: [{ metadata: { name: "a" } }, { metadata: { name: "b" } }, { metadata: { name: "c" } }], metadata: {} }),
    );
    const items = await kube.list("v1", "ConfigMap");
    assert.equal(items.length, 3);
    assert.equal(seen[2].url, "/api/v1/configmaps");
  });

  it("createObject and replace return the object; a conflict is a KubeError 409, not retried", async () => {
    script(json(201, { metadata: { name: "x", resourceVersion: "7" } }));
    const made = await kube.createObject("coordination.k8s.io/v1", "Lease", "ns", { metadata: { name: "x" } });
    assert.equal((made.metadata as { resourceVersion: string }).resourceVersion, "7");
    assert.deepEqual([seen[0].method, seen[0].url], ["POST", "/apis/coordination.k8s.io/v1/namespaces/ns/leases"]);
    script(json(409, { message: "the object has been modified" }), json(200, {}));
    await assert.rejects(kube.replace("v1", "Secret", "ns", "x", { metadata: { name: "x", resourceVersion: "6" } }), (e: KubeError) => e.status === 409 && /has been modified/.test(e.message));
    assert.deepEqual([seen.length, seen[0].method, seen[0].url], [1, "PUT", "/api/v1/namespaces/ns/secrets/x"]);
    script(json(409, { message: "exists" }));
    await assert.rejects(kube.createObject("v1", "Secret", "ns", { metadata: { name: "x" } }), (e: KubeError) => e.status === 409);
    assert.equal(kube.writes.replace, 1);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    assert.equal(retryAfterMs("3"), 3000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(retryAfterMs("soon"), undefined);
    assert.equal(retryAfterMs(undefined), undefined);
  });
});

describe("loadKubeConfig", () => {
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-kc-"));
  after(() => {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, server: string, extra = "") => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n${extra}users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: one\n  context: {cluster: c, user: u}\n- name: two\n  context: {cluster: c, user: u}\ncurrent-context: one\n`);
    return file;
  };

  it("says that no cluster is configured instead of client-node's http complaint", async () => {
    delete process.env.KUBECONFIG;
    process.env.HOME = dir; // no .kube/config there
    if (fs.existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token")) return; // running in a pod
    await assert.rejects(loadKubeConfig(), (e: Error) => e.message === NO_CLUSTER && !/skipTLSVerify/.test(e.message));
    assert.equal(NO_CLUSTER, "no cluster configured: set KUBECONFIG, pass --kubeconfig, or run in a cluster");
  });

  it("loads --kubeconfig and selects --context; an unknown context names the known ones", async () => {
    const file = write("ok.yaml", "https://127.0.0.1:6443");
    const kc = await loadKubeConfig({ kubeconfig: file, context: "two" });
    assert.equal(kc.getCurrentContext(), "two");
    assert.equal(kc.getCurrentCluster()!.server, "https://127.0.0.1:6443");
    await assert.rejects(loadKubeConfig({ kubeconfig: file, context: "three" }), /--context three: no such context in .*ok\.yaml; contexts: one, two/);
  });

  it("explains a plain-http server and a missing file", async () => {
    await assert.rejects(loadKubeConfig({ kubeconfig: write("http.yaml", "http://10.0.0.1:8080") }), /served over plain http \(http:\/\/10\.0\.0\.1:8080\): use https, or set insecure-skip-tls-verify/);
    const insecure = await loadKubeConfig({ kubeconfig: write("insecure.yaml", "http://10.0.0.1:8080", "    insecure-skip-tls-verify: true\n") });
    assert.equal(insecure.getCurrentCluster()!.server, "http://10.0.0.1:8080");
    await assert.rejects(loadKubeConfig({ kubeconfig: path.join(dir, "missing.yaml") }), /cannot load kubeconfig .*missing\.yaml/);
  });
});
