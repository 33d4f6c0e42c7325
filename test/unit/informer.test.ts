// Kube.watch and the informer against a local HTTP server: a list, then a chunked watch stream (ADDED, MODIFIED,
// DELETED, BOOKMARK, a 410 ERROR event that must cause a relist), failures that relist after a backoff, stop().
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import { Kube, KubeError, type WatchEvent } from "../../src/kube/client.js";
import { Informer, type KubeObject } from "../../src/kube/informer.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

const cm = (name: string, rv: string, data: Record<string, string> = {}) => ({ metadata: { name, namespace: "ns", resourceVersion: rv }, data });
const listReply = (rv: string, items: object[]): Handler => (_req, res) => {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: rv }, items }));
};
const line = (type: string, object: object) => JSON.stringify({ type, object }) + "\n";
/** A chunked watch stream; each piece goes out in its own write, a few ms apart; `end: false` keeps it open. */
const watchReply = (pieces: string[], end = true): Handler => (req, res) => {
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i < pieces.length) {
      res.write(pieces[i++]);
      setTimeout(next, 5);
    } else if (end) res.end();
  };
  req.on("close", () => res.destroy());
  next();
};
const status = (code: number, body: object = { kind: "Status", code, message: `status ${code}` }): Handler => (_req, res) => {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};
/** Held open until the client goes away. */
const hang: Handler = (req, res) => {
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
  res.write("");
  req.on("close", () => res.destroy());
};

describe("Kube.watch and the informer", () => {
  let server: http.Server;
  let kube: Kube;
  const lists: Handler[] = [];
  const watches: Handler[] = [];
  const seen: URL[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, "http://x");
      seen.push(url);
      const h = url.searchParams.get("watch") ? watches.shift() : lists.shift();
      (h ?? (url.searchParams.get("watch") ? hang : status(500)))(req, res, url);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "c", user: "u" }],
      currentContext: "c",
    });
    kube = new Kube(kc, { retry: { attempts: 1 } });
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    lists.length = 0;
    watches.length = 0;
    seen.length = 0;
  });

  it("watch parses events split across chunks, sends the query, and ends when the server does", async () => {
    const all = line("ADDED", cm("a", "11")) + line("MODIFIED", cm("a", "12", { k: "é" })) + line("BOOKMARK", { metadata: { resourceVersion: "20" } });
    // Split inside a line and inside a multi-byte character.
    const cut1 = 17;
    const cut2 = Buffer.from(all).indexOf(Buffer.from("é")) + 1;
    const bytes = Buffer.from(all);
    watches.push((req, res) => {
      res.writeHead(200, { "Transfer-Encoding": "chunked" });
      res.write(bytes.subarray(0, cut1));
      setTimeout(() => res.write(bytes.subarray(cut1, cut2)), 5);
      setTimeout(() => res.end(bytes.subarray(cut2)), 10);
    });
    const events: WatchEvent[] = [];
    await kube.watch("v1", "ConfigMap", { namespace: "ns", resourceVersion: "10", labelSelector: "a=b", timeoutSeconds: 30 }, (e) => events.push(e));
    assert.deepEqual(events.map((e) => e.type), ["ADDED", "MODIFIED", "BOOKMARK"]);
    assert.equal((events[1].object.data as Record<string, string>).k, "é");
    const u = seen[0];
    assert.equal(u.pathname, "/api/v1/namespaces/ns/configmaps");
    assert.equal(u.searchParams.get("watch"), "1");
    assert.equal(u.searchParams.get("resourceVersion"), "10");
    assert.equal(u.searchParams.get("allowWatchBookmarks"), "true");
    assert.equal(u.searchParams.get("labelSelector"), "a=b");
    assert.equal(u.searchParams.get("timeoutSeconds"), "30");
  });

  it("watch rejects with the HTTP status, and an abort ends it quietly", async () => {
    watches.push(status(410, { kind: "Status", code: 410, reason: "Expired", message: "too old resource version" }));
    await assert.rejects(kube.watch("v1", "ConfigMap", { resourceVersion: "1" }, () => undefined), (e: KubeError) => e.status === 410 && /too old/.test(e.message));
    watches.push(hang);
    const ac = new AbortController();
    const events: WatchEvent[] = [];
    const w = kube.watch("v1", "ConfigMap", { signal: ac.signal }, (e) => events.push(e));
    setTimeout(() => ac.abort(), 50);
    await w;
    assert.equal(events.length, 0);
  });

  it("informer: list, then ADDED/MODIFIED/DELETED/BOOKMARK from the watch, a 410 ERROR relists and diffs the cache", async () => {
    lists.push(listReply("10", [cm("a", "5")]));
    watches.push(
      watchReply([
        line("ADDED", cm("b", "11")),
        line("MODIFIED", cm("a", "12")).slice(0, 20),
        line("MODIFIED", cm("a", "12")).slice(20),
        line("DELETED", cm("b", "13")),
        line("BOOKMARK", { kind: "ConfigMap", metadata: { resourceVersion: "20" } }),
      ]),
    );
    // The resumed watch (from the bookmark) is told its resourceVersion is too old.
    watches.push(watchReply([line("ERROR", { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: "too old resource version: 20 (25)" })], false));
    // The relist: a changed, b still gone, c new; then a quiet watch from 30.
    lists.push(listReply("30", [cm("a", "28"), cm("c", "29")]));

    const log: string[] = [];
    const errors: Error[] = [];
    const inf = new Informer<KubeObject>({ kube, apiVersion: "v1", kind: "ConfigMap", namespace: "ns", backoffMs: 10, onError: (e) => errors.push(e) });
    inf.on("ADDED", (o) => log.push(`ADDED ${o.metadata!.name}@${o.metadata!.resourceVersion}`));
    inf.on("MODIFIED", (o, old) => log.push(`MODIFIED ${o.metadata!.name}@${old?.metadata?.resourceVersion}->${o.metadata!.resourceVersion}`));
    inf.on("DELETED", (o) => log.push(`DELETED ${o.metadata!.name}`));
    await inf.start();
    assert.deepEqual(log, ["ADDED a@5"], "start() resolves after the first list");
    assert.equal(inf.resourceVersion, "10");
    await waitFor(() => inf.lists === 2 && seen.filter((u) => u.searchParams.get("watch")).length === 3);
    await inf.stop();
    assert.deepEqual(log, ["ADDED a@5", "ADDED b@11", "MODIFIED a@5->12", "DELETED b", "MODIFIED a@12->28", "ADDED c@29"]);
    const watchRvs = seen.filter((u) => u.searchParams.get("watch")).map((u) => u.searchParams.get("resourceVersion"));
    assert.deepEqual(watchRvs, ["10", "20", "30"], "watches start from the list, then the bookmark, then the relist");
    assert.deepEqual(inf.list().map((o) => o.metadata!.name).sort(), ["a", "c"]);
    assert.equal(inf.get("ns", "c")?.metadata?.resourceVersion, "29");
    assert.equal(inf.get("ns", "b"), undefined);
    assert.deepEqual(errors, [], "a 410 is not an error: no backoff");
    assert.equal(seen.filter((u) => !u.searchParams.get("watch")).every((u) => u.pathname === "/api/v1/namespaces/ns/configmaps"), true);
  });

  it("informer: a failed watch or list relists after a growing, jittered backoff, reset by a successful list", async () => {
    lists.push(listReply("10", [cm("a", "5")]));
    watches.push(status(500)); // watch fails: backoff, relist
    lists.push(status(503)); // relist fails: longer backoff
    lists.push(listReply("40", [])); // relist succeeds: a is gone
    watches.push(watchReply([line("ERROR", { kind: "Status", code: 500, message: "internal error" })])); // ERROR event (not 410)
    lists.push(listReply("41", [cm("d", "41")]));
    const delays: number[] = [];
    const log: string[] = [];
    const inf = new Informer({ kube, apiVersion: "v1", kind: "ConfigMap", backoffMs: 40, maxBackoffMs: 1000, random: () => 1, onError: (_e, d) => delays.push(d) });
    inf.on("ADDED", (o) => log.push(`ADDED ${o.metadata!.name}`));
    inf.on("DELETED", (o) => log.push(`DELETED ${o.metadata!.name}`));
    await inf.start();
    await waitFor(() => inf.lists === 3);
    await inf.stop();
    assert.deepEqual(delays, [40, 80, 40], "doubles per failure, back to the base after a list succeeded");
    assert.deepEqual(log, ["ADDED a", "DELETED a", "ADDED d"]);
    assert.equal(seen[0].pathname, "/api/v1/configmaps", "all namespaces");
  });

  it("informer: start() rejects when the first list fails but keeps retrying until stop(); stop() ends a hanging watch", async () => {
    lists.push(status(403, { kind: "Status", code: 403, message: "forbidden" }));
    lists.push(listReply("7", [cm("x", "7")]));
    const inf = new Informer({ kube, apiVersion: "v1", kind: "ConfigMap", namespace: "ns", backoffMs: 10 });
    let synced = 0;
    const inf2 = new Informer({ kube, apiVersion: "v1", kind: "ConfigMap", namespace: "ns", backoffMs: 10, onList: () => synced++ });
    await assert.rejects(inf.start(), /HTTP 403: forbidden/);
    await waitFor(() => inf.synced);
    assert.equal(inf.get("ns", "x")?.metadata?.name, "x");
    const t0 = Date.now();
    await inf.stop();
    assert.ok(Date.now() - t0 < 1000, "stop() does not wait for the watch to end by itself");
    lists.push(listReply("8", []));
    await inf2.start();
    assert.equal(synced, 1);
    await inf2.stop();
  });

  it("informer: stop() during the first list resolves start() at once and delivers nothing", async () => {
    lists.push((_req, res) => setTimeout(() => listReply("3", [cm("late", "3")])(_req, res, new URL("http://x")), 300));
    const log: string[] = [];
    const inf = new Informer({ kube, apiVersion: "v1", kind: "ConfigMap", namespace: "ns" });
    inf.on("ADDED", (o) => log.push(o.metadata!.name!));
    const started = inf.start();
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    await inf.stop();
    await started;
    assert.ok(Date.now() - t0 < 200, "neither waits for the list");
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(log, []);
    assert.equal(inf.synced, false);
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}
