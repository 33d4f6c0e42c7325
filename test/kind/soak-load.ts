// The soak's load: pods in an injection-enabled namespace and Istio resources (valid and invalid VirtualServices
// and DestinationRules) created at a fixed rate, straight over HTTPS to the API server (one request each, a
// timeout, no client retries), each outcome classified; and the per-window accounting of the report.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";

export type OpKind = "pod" | "vs" | "dr";
export type Outcome =
  | "ok" // created (a pod with its sidecar, a valid resource stored)
  | "denied" // an invalid resource denied by pilotfish's validating webhook
  | "webhookFailed" // the API server could not get an answer from the webhook (failurePolicy Fail)
  | "apiUnavailable" // no answer from the API server, or an error of its own (etcd down, starting, timeout)
  | "notInjected" // a pod created without the sidecar
  | "invalidAdmitted" // an invalid resource stored
  | "wronglyDenied" // a valid resource denied, or an invalid one denied by something else than the webhook
  | "other";

export interface Op {
  kind: OpKind;
  valid: boolean;
  name: string;
  /** ms since the soak's start */
  start: number;
  end: number;
  outcome: Outcome;
  status: number;
  message?: string;
}

export interface ApiClient {
  post(pathname: string, body: unknown, timeoutMs?: number): Promise<{ status: number; body: string } | { error: string }>;
  get(pathname: string, timeoutMs?: number): Promise<{ status: number; body: string } | { error: string }>;
  close(): void;
}

/** A bare HTTPS client with the admin certificate of the local control plane (cluster.dir). */
export function apiClient(server: string, dir: string): ApiClient {
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 64,
    ca: fs.readFileSync(path.join(dir, "ca.crt")),
    cert: fs.readFileSync(path.join(dir, "admin.crt")),
    key: fs.readFileSync(path.join(dir, "admin.key")),
  });
  const u = new URL(server);
  const request = (method: string, pathname: string, body: unknown, timeoutMs: number) =>
    new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        { agent, host: u.hostname, port: u.port, method, path: pathname, headers: { Accept: "application/json", ...(data ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {}) } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on("error", (e) => resolve({ error: e.message }));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`client timeout after ${timeoutMs} ms`)));
      req.on("error", (e) => resolve({ error: `${(e as NodeJS.ErrnoException).code ?? ""} ${e.message}`.trim() }));
      req.end(data);
    });
  return {
    post: (p, b, t = 20_000) => request("POST", p, b, t),
    get: (p, t = 20_000) => request("GET", p, undefined, t),
    close: () => agent.destroy(),
  };
}

export const SIDECAR = "istio-proxy";
export const hasSidecar = (pod: { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } }) =>
  [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === SIDECAR);

export function podBody(name: string) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { soak: "1" } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } };
}

/** Valid and invalid Istio resources: the invalid ones pass the CRD schema and only pilotfish's webhook denies them. */
export function istioBody(kind: "vs" | "dr", name: string, valid: boolean) {
  const metadata = { name, labels: { soak: "1", "soak-valid": String(valid) } };
  if (kind === "vs")
    return {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata,
      spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: valid ? 100 : -15 }] }] },
    };
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata,
    spec: valid
      ? { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }], trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }
      : { host: "reviews", subsets: [{ name: "v1" }, { name: "v1" }], trafficPolicy: { connectionPool: { tcp: { maxConnections: -3 } } } },
  };
}

export const resourcePath = (kind: OpKind, ns: string) =>
  kind === "pod" ? `/api/v1/namespaces/${ns}/pods` : `/apis/networking.istio.io/v1/namespaces/${ns}/${kind === "vs" ? "virtualservices" : "destinationrules"}`;

/** The outcome of one create, from the API server's answer. */
export function classify(kind: OpKind, valid: boolean, r: { status: number; body: string } | { error: string }): { outcome: Outcome; status: number; message?: string } {
  if ("error" in r) return { outcome: "apiUnavailable", status: 0, message: r.error };
  let obj: { message?: string; spec?: unknown } = {};
  try {
    obj = JSON.parse(r.body);
  } catch {
    /* not JSON: an answer of a proxy or a half-started server */
  }
  const message = (obj.message ?? r.body).slice(0, 400);
  if (r.status === 201 || r.status === 200) {
    if (kind === "pod") return { outcome: hasSidecar(obj as never) ? "ok" : "notInjected", status: r.status };
    return { outcome: valid ? "ok" : "invalidAdmitted", status: r.status };
  }
  if (/failed calling webhook|failed to call webhook/i.test(message)) return { outcome: "webhookFailed", status: r.status, message };
  if (/admission webhook "[^"]+" denied the request/.test(message)) return { outcome: valid || kind === "pod" ? "wronglyDenied" : "denied", status: r.status, message };
  if (r.status === 422 || r.status === 400) return { outcome: "wronglyDenied", status: r.status, message };
  // 5xx of the API server itself (etcd unavailable, timeouts), 429, 403 "not yet ready to handle request" while
  // its webhook configurations load after a restart.
  if (r.status >= 500 || r.status === 429 || /not yet ready|etcdserver|the server is currently unable|timeout/i.test(message)) return { outcome: "apiUnavailable", status: r.status, message };
  return { outcome: "other", status: r.status, message };
}

export interface LoadOptions {
  api: ApiClient;
  namespace: string;
  t0: number;
  podsPerSecond: number;
  istioPerSecond: number;
  maxInFlight?: number;
}

/** Fires creates at fixed rates (independent of answers, so an outage does not slow the schedule) until stopped. */
export class Load {
  readonly ops: Op[] = [];
  skipped = 0;
  private inFlight = 0;
  private timers: NodeJS.Timeout[] = [];
  private pending = new Set<Promise<void>>();
  private seq = 0;
  private istioSeq = 0;
  constructor(private readonly o: LoadOptions) {}

  start(): void {
    this.timers.push(setInterval(() => this.fire("pod", true), 1000 / this.o.podsPerSecond));
    this.timers.push(
      setInterval(() => {
        // vs valid, dr valid, vs invalid, dr invalid, ...
        const i = this.istioSeq++;
        this.fire(i % 2 === 0 ? "vs" : "dr", i % 4 < 2);
      }, 1000 / this.o.istioPerSecond),
    );
  }

  private fire(kind: OpKind, valid: boolean): void {
    if (this.inFlight >= (this.o.maxInFlight ?? 200)) {
      this.skipped++;
      return;
    }
    const name = `${kind}-${valid ? "ok" : "bad"}-${this.seq++}`;
    const body = kind === "pod" ? podBody(name) : istioBody(kind, name, valid);
    const start = Date.now() - this.o.t0;
    this.inFlight++;
    const p = this.o.api.post(resourcePath(kind, this.o.namespace), body).then((r) => {
      this.inFlight--;
      this.ops.push({ kind, valid, name, start, end: Date.now() - this.o.t0, ...classify(kind, valid, r) });
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.pending]);
  }
}

export interface Window {
  name: string;
  fault: string;
  start: number;
  end: number;
  /** fault start -> pilotfish ready and a probe pod injected + a probe invalid resource denied again */
  recoveryMs?: number;
  detail?: unknown;
}

export interface WindowStats {
  name: string;
  fault: string;
  lengthMs: number;
  attempted: number;
  ok: number;
  denied: number;
  webhookFailed: number;
  apiUnavailable: number;
  notInjected: number;
  invalidAdmitted: number;
  wronglyDenied: number;
  other: number;
  /** first failing create's start to last failing create's end (0 when none failed) */
  webhookFailureWindowMs: number;
  apiUnavailableWindowMs: number;
  /** latency of the creates that succeeded (admitted or denied as they should be) */
  p50LatencyMs: number;
  maxLatencyMs: number;
  recoveryMs?: number;
  samples: string[];
  /** the failed creates: start (ms since the soak's start), outcome, what was created */
  failures: { at: number; outcome: Outcome; kind: OpKind; latencyMs: number }[];
  detail?: unknown;
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function span(ops: Op[]): number {
  if (!ops.length) return 0;
  return Math.max(...ops.map((o) => o.end)) - Math.min(...ops.map((o) => o.start));
}

export function windowStats(w: Window, ops: Op[]): WindowStats {
  const mine = ops.filter((o) => o.start >= w.start && o.start < w.end);
  const count = (k: Outcome) => mine.filter((o) => o.outcome === k).length;
  const bad = mine.filter((o) => o.outcome !== "ok" && o.outcome !== "denied");
  const good = mine.filter((o) => o.outcome === "ok" || o.outcome === "denied").map((o) => o.end - o.start);
  const samples = [...new Set(bad.map((o) => `${o.outcome} ${o.status}: ${o.message ?? ""}`.slice(0, 300)))].slice(0, 4);
  return {
    name: w.name,
    fault: w.fault,
    lengthMs: w.end - w.start,
    attempted: mine.length,
    ok: count("ok"),
    denied: count("denied"),
    webhookFailed: count("webhookFailed"),
    apiUnavailable: count("apiUnavailable"),
    notInjected: count("notInjected"),
    invalidAdmitted: count("invalidAdmitted"),
    wronglyDenied: count("wronglyDenied"),
    other: count("other"),
    webhookFailureWindowMs: span(mine.filter((o) => o.outcome === "webhookFailed")),
    apiUnavailableWindowMs: span(mine.filter((o) => o.outcome === "apiUnavailable")),
    p50LatencyMs: quantile(good, 0.5),
    maxLatencyMs: quantile(good, 1),
    recoveryMs: w.recoveryMs,
    samples,
    failures: bad.slice(0, 30).map((o) => ({ at: o.start, outcome: o.outcome, kind: o.kind, latencyMs: o.end - o.start })),
    detail: w.detail,
  };
}

/** Sums of the windows of one fault kind. */
export function byFault(stats: WindowStats[]): Record<string, Omit<WindowStats, "name" | "samples" | "failures" | "detail" | "recoveryMs" | "p50LatencyMs"> & { windows: number; maxRecoveryMs?: number; maxWebhookFailureWindowMs: number; maxApiUnavailableWindowMs: number }> {
  const out: Record<string, ReturnType<typeof byFault>[string]> = {};
  for (const s of stats) {
    const a = (out[s.fault] ??= { fault: s.fault, windows: 0, lengthMs: 0, attempted: 0, ok: 0, denied: 0, webhookFailed: 0, apiUnavailable: 0, notInjected: 0, invalidAdmitted: 0, wronglyDenied: 0, other: 0, webhookFailureWindowMs: 0, apiUnavailableWindowMs: 0, maxLatencyMs: 0, maxWebhookFailureWindowMs: 0, maxApiUnavailableWindowMs: 0 });
    a.windows++;
    for (const k of ["lengthMs", "attempted", "ok", "denied", "webhookFailed", "apiUnavailable", "notInjected", "invalidAdmitted", "wronglyDenied", "other", "webhookFailureWindowMs", "apiUnavailableWindowMs"] as const) a[k] += s[k];
    a.maxLatencyMs = Math.max(a.maxLatencyMs, s.maxLatencyMs);
    a.maxWebhookFailureWindowMs = Math.max(a.maxWebhookFailureWindowMs, s.webhookFailureWindowMs);
    a.maxApiUnavailableWindowMs = Math.max(a.maxApiUnavailableWindowMs, s.apiUnavailableWindowMs);
    if (s.recoveryMs !== undefined) a.maxRecoveryMs = Math.max(a.maxRecoveryMs ?? 0, s.recoveryMs);
  }
  return out;
}
