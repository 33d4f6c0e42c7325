// A fault-injecting proxy in front of the test cluster's kube-apiserver, for the e2e fault scenarios.
// It serves HTTPS (its own CA; no client authentication), forwards every request to the API server over HTTPS as
// the cluster's admin (client certificate from the cluster directory), streams bodies both ways (watches too), and
// counts requests by verb and resource ("list deployments", "watch istiooperators", "patch istiooperators/status").
// Rules, checked in order, can answer a matching request themselves instead: an HTTP status (429 with Retry-After,
// 409, 500, 410), a watch answered with an ERROR event (410 "too old resource version"), a delay, or a connection
// reset. A rule fires for a given number of requests (`times`) or a fraction of them (`probability`).
import https from "node:https";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import type net from "node:net";
import * as k8s from "@kubernetes/client-node";
import { generateServingCert } from "../../src/kube/certs.js";

/** What the proxy knows of a request, as the API server's audit log would say it. */
export interface RequestInfo {
  method: string;
  path: string;
  /** get list watch create update patch apply delete deletecollection */
  verb: string;
  /** Plural, with "/subresource" when there is one: "istiooperators/status". */
  resource: string;
  namespace?: string;
  name?: string;
}

export type FaultAction =
  | { status: number; retryAfter?: number; message?: string }
  | { watchGone: true }
  | { delayMs: number }
  | { reset: true };

export interface FaultRule {
  match: (r: RequestInfo) => boolean;
  action: FaultAction;
  /** Fire for this many matching requests, then stop (default: always). */
  times?: number;
  /** Fire for this fraction of matching requests (default 1). */
  probability?: number;
  /** How often it fired. */
  fired?: number;
}

/** Verb and resource of an API path, like the API server's RequestInfoFactory (enough for the tests). */
export function requestInfo(method: string, rawPath: string, contentType = ""): RequestInfo {
  const u = new URL(rawPath, "https://x");
  const parts = u.pathname.split("/").filter(Boolean);
  // /api/v1/... or /apis/group/version/...
  let rest = parts[0] === "api" ? parts.slice(2) : parts[0] === "apis" ? parts.slice(3) : parts;
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = parts.join("/"), name, sub] = rest;
  const resource = sub ? `${plural}/${sub}` : plural;
  const watch = u.searchParams.get("watch") === "1" || u.searchParams.get("watch") === "true";
  let verb = method.toLowerCase();
  if (method === "GET") verb = watch ? "watch" : name ? "get" : "list";
  else if (method === "POST") verb = "create";
  else if (method === "PUT") verb = "update";
  else if (method === "PATCH") verb = contentType.startsWith("application/apply-patch") ? "apply" : "patch";
  else if (method === "DELETE") verb = name ? "delete" : "deletecollection";
  return { method, path: rawPath, verb, resource, namespace, name };
}

export interface FaultProxy {
  /** https://127.0.0.1:<port> */
  url: string;
  /** A KubeConfig that talks to the API server through the proxy. */
  kc: k8s.KubeConfig;
  /** Writes a kubeconfig file for processes (kubectl, the CLI) and returns its path. */
  kubeconfigFile(dir: string): string;
  rules: FaultRule[];
  /** Requests seen since the last reset, by "verb resource". */
  counts: Map<string, number>;
  /** Requests seen since the last reset, in order. */
  log: RequestInfo[];
  resetCounts(): void;
  /** Sum of counts, leaving out verbs given (e.g. ["watch"]). */
  total(exceptVerbs?: string[]): number;
  /** Destroys every open connection (watches included): as if the API server went away for a moment. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(opts: { server: string; clusterDir: string; random?: () => number }): Promise<FaultProxy> {
  const upstream = new URL(opts.server);
  const ca = fs.readFileSync(path.join(opts.clusterDir, "ca.crt"));
  const cert = fs.readFileSync(path.join(opts.clusterDir, "admin.crt"));
  const key = fs.readFileSync(path.join(opts.clusterDir, "admin.key"));
  const agent = new https.Agent({ ca, cert, key, keepAlive: true });
  const tls = await generateServingCert({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  const random = opts.random ?? Math.random;
  const rules: FaultRule[] = [];
  const counts = new Map<string, number>();
  const log: RequestInfo[] = [];
  const sockets = new Set<net.Socket>();
  const upstreams = new Set<http.ClientRequest>();

  const pick = (info: RequestInfo): FaultRule | undefined => {
    for (const r of rules) {
      if (r.times !== undefined && (r.fired ?? 0) >= r.times) continue;
      if (!r.match(info)) continue;
      if (r.probability !== undefined && random() >= r.probability) continue;
      r.fired = (r.fired ?? 0) + 1;
      return r;
    }
    return undefined;
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const headers = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    const up = https.request({ hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
      ur.on("error", () => res.destroy());
    });
    upstreams.add(up);
    up.on("close", () => upstreams.delete(up));
    // The API server away: the client sees its connection fail, as it would without the proxy.
    up.on("error", () => res.destroy());
    res.on("close", () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const info = requestInfo(req.method ?? "GET", req.url ?? "/", String(req.headers["content-type"] ?? ""));
    const k = `${info.verb} ${info.resource}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    log.push(info);
    const rule = pick(info);
    const a = rule?.action;
    if (!a) return forward(req, res);
    if ("reset" in a) {
      req.socket.destroy();
      return;
    }
    if ("delayMs" in a) {
      setTimeout(() => forward(req, res), a.delayMs);
      return;
    }
    // Read the body first: a client still sending must not see a reset.
    req.resume();
    req.on("end", () => {
      if ("watchGone" in a) {
        res.writeHead(200, { "Content-Type": "application/json" });
        const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "too old resource version: 1 (2)", reason: "Expired", code: 410 };
        res.end(JSON.stringify({ type: "ERROR", object: status }) + "\n");
        return;
      }
      const reasons: Record<number, string> = { 409: "Conflict", 410: "Expired", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable" };
      const body = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: a.message ?? `injected ${a.status} by the fault proxy`, reason: reasons[a.status] ?? "Unknown", code: a.status };
      const h: http.OutgoingHttpHeaders = { "Content-Type": "application/json" };
      if (a.retryAfter !== undefined) h["Retry-After"] = String(a.retryAfter);
      res.writeHead(a.status, h);
      res.end(JSON.stringify(body));
    });
  });
  server.on("secureConnection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "proxy", server: url, caData: Buffer.from(tls.ca).toString("base64") }],
    users: [{ name: "proxy" }],
    contexts: [{ name: "proxy", cluster: "proxy", user: "proxy" }],
    currentContext: "proxy",
  });
  return {
    url,
    kc,
    kubeconfigFile(dir) {
      const f = path.join(dir, `proxy-${port}.kubeconfig`);
      fs.writeFileSync(f, kc.exportConfig());
      return f;
    },
    rules,
    counts,
    log,
    resetCounts() {
      counts.clear();
      log.length = 0;
    },
    total(exceptVerbs = []) {
      let n = 0;
      for (const [k, v] of counts) if (!exceptVerbs.includes(k.split(" ")[0])) n += v;
      return n;
    },
    dropConnections() {
      for (const u of upstreams) u.destroy();
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const u of upstreams) u.destroy();
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
