// A thin raw REST client for the operator: server-side apply, get, list, delete and status patches with the
// exact JSON we rendered (client-node's typed APIs drop fields they do not know on built-in kinds). Every write
// is counted, so tests and metrics can tell that a resync with no change wrote nothing. Like client-go's rest
// client it retries 429 (after Retry-After) on every call and 5xx / broken connections on idempotent ones, with
// jittered backoff, and lists page by page (limit/continue). It is pilotfish's one way to the API server: typed
// reads and writes, watches (newline-delimited JSON events, see `watch`) and the informers built on them
// (informer.ts). TLS and credentials come from the KubeConfig (`applyToHTTPSOptions`) on every request, so a
// rotated in-cluster token is picked up.
import https from "node:https";
import http from "node:http";
import type * as k8s from "@kubernetes/client-node";
import type { JsonObject } from "../config/values.js";

/** The loaded kubeconfig (kubeconfig.ts loads it); the rest of pilotfish names client-node only through here. */
export type KubeConfig = k8s.KubeConfig;

export class KubeError extends Error {
  constructor(readonly status: number, readonly body: string, what: string, readonly retryAfterMs?: number) {
    super(`${what}: HTTP ${status}: ${KubeError.reason(body)}`);
  }
  static reason(body: string): string {
    try {
      const s = JSON.parse(body) as { message?: string };
      return s.message ?? body.slice(0, 300);
    } catch {
      return body.slice(0, 300);
    }
  }
}

/** Where a kind lives in the API (for the kinds pilotfish renders). */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  Namespace: { plural: "namespaces", namespaced: false },
  ServiceAccount: { plural: "serviceaccounts", namespaced: true },
  ConfigMap: { plural: "configmaps", namespaced: true },
  Secret: { plural: "secrets", namespaced: true },
  Service: { plural: "services", namespaced: true },
  Event: { plural: "events", namespaced: true },
  Deployment: { plural: "deployments", namespaced: true },
  DaemonSet: { plural: "daemonsets", namespaced: true },
  Role: { plural: "roles", namespaced: true },
  RoleBinding: { plural: "rolebindings", namespaced: true },
  ClusterRole: { plural: "clusterroles", namespaced: false },
  ClusterRoleBinding: { plural: "clusterrolebindings", namespaced: false },
  HorizontalPodAutoscaler: { plural: "horizontalpodautoscalers", namespaced: true },
  PodDisruptionBudget: { plural: "poddisruptionbudgets", namespaced: true },
  NetworkPolicy: { plural: "networkpolicies", namespaced: true },
  EndpointSlice: { plural: "endpointslices", namespaced: true },
  ValidatingAdmissionPolicy: { plural: "validatingadmissionpolicies", namespaced: false },
  ValidatingAdmissionPolicyBinding: { plural: "validatingadmissionpolicybindings", namespaced: false },
  CustomResourceDefinition: { plural: "customresourcedefinitions", namespaced: false },
  MutatingWebhookConfiguration: { plural: "mutatingwebhookconfigurations", namespaced: false },
  ValidatingWebhookConfiguration: { plural: "validatingwebhookconfigurations", namespaced: false },
  IstioOperator: { plural: "istiooperators", namespaced: true },
  Node: { plural: "nodes", namespaced: false },
  Lease: { plural: "leases", namespaced: true },
};

/** The HTTP status of an error from `Kube` (undefined for connection errors and the like). */
export const statusOf = (e: unknown): number | undefined => (e instanceof KubeError ? e.status : undefined);

export function resourcePath(apiVersion: string, kind: string, namespace?: string, name?: string): string {
  const r = RESOURCES[kind];
  if (!r) throw new Error(`pilotfish does not know where ${apiVersion} ${kind} lives`);
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

export const isNamespaced = (kind: string) => RESOURCES[kind]?.namespaced ?? true;

export interface WriteCounts {
  apply: number;
  delete: number;
  create: number;
  patch: number;
  replace: number;
}
export type WriteVerb = keyof WriteCounts;

/** What the operator needs from the API server; `Kube` is the real one, tests pass a fake. */
export interface KubeClient {
  /** The server-side apply field manager (drift detection reads managedFields by it). */
  readonly fieldManager: string;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<JsonObject | undefined>;
  list(apiVersion: string, kind: string, labelSelector?: string): Promise<JsonObject[]>;
  /** Server-side apply, forced: pilotfish owns the fields it renders. */
  apply(obj: JsonObject & { apiVersion: string; kind: string; metadata: JsonObject }): Promise<JsonObject>;
  /** POST; `created: false` when it already exists. Events go through here. */
  create(apiVersion: string, kind: string, namespace: string | undefined, obj: JsonObject): Promise<{ created: boolean }>;
  /** False when it was already gone. */
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<boolean>;
  /** JSON merge patch, of the object or of a subresource ("status"). */
  mergePatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, patch: unknown, subresource?: string): Promise<JsonObject | undefined>;
  jsonPatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, ops: unknown[]): Promise<JsonObject | undefined>;
}

export interface RetryOptions {
  /** Attempts per call, the first included (default 5). */
  attempts?: number;
  /** First backoff on 5xx / connection errors; doubles per attempt (default 200 ms, at most maxDelayMs). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is cut to it (default 30 s). */
  maxRetryAfterMs?: number;
  random?: () => number;
}

export interface KubeOptions {
  fieldManager?: string;
  retry?: RetryOptions;
  /** Page size of lists (default 500). */
  pageSize?: number;
  /** Called on every write call (metrics). */
  onWrite?: (verb: WriteVerb) => void;
}

type Response = { status: number; body: string; headers: http.IncomingHttpHeaders };

export interface ListOptions {
  /** Only this namespace (namespaced kinds); every namespace when unset. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  /** Where the watch starts (a list's or the last event's resourceVersion); unset: from "now", synthetic ADDEDs first. */
  resourceVersion?: string;
  /** The server ends the watch after this long (informers restart it; client-go picks 5-10 min). */
  timeoutSeconds?: number;
  /** Aborting ends the watch: the promise of `watch` then resolves. */
  signal?: AbortSignal;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
/** One line of a watch stream. For ERROR the object is a Status (`code` 410: the resourceVersion is too old). */
export interface WatchEvent {
  type: WatchEventType;
  object: JsonObject;
}

/** Safe to send twice: reads, deletes, PUTs and server-side applies (same content, same result). */
function idempotent(method: string, contentType: string): boolean {
  return ["GET", "HEAD", "PUT", "DELETE"].includes(method) || (method === "PATCH" && contentType === "application/apply-patch+yaml");
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export class Kube implements KubeClient {
  readonly writes: WriteCounts = { apply: 0, delete: 0, create: 0, patch: 0, replace: 0 };
  readonly fieldManager: string;
  private readonly server: URL;
  private readonly retry: Required<RetryOptions>;
  private readonly pageSize: number;
  private readonly onWrite?: (verb: WriteVerb) => void;

  constructor(private readonly kc: k8s.KubeConfig, fieldManagerOrOptions: string | KubeOptions = {}) {
    const o = typeof fieldManagerOrOptions === "string" ? { fieldManager: fieldManagerOrOptions } : fieldManagerOrOptions;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    this.server = new URL(cluster.server);
    this.fieldManager = o.fieldManager ?? "pilotfish-operator";
    this.retry = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000, random: Math.random, ...o.retry };
    this.pageSize = o.pageSize ?? 500;
    this.onWrite = o.onWrite;
  }

  totalWrites(): number {
    return this.writes.apply + this.writes.delete + this.writes.create + this.writes.patch + this.writes.replace;
  }

  private count(verb: WriteVerb): void {
    this.writes[verb]++;
    this.onWrite?.(verb);
  }

  /** Request options with the server's address, TLS and credentials from the KubeConfig. */
  private async options(method: string, path: string, headers: http.OutgoingHttpHeaders, timeoutMs: number): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = {
      method,
      hostname: this.server.hostname,
      port: this.server.port || (this.server.protocol === "https:" ? 443 : 80),
      path: this.server.pathname.replace(/\/$/, "") + path,
      headers: { Accept: "application/json", ...headers },
      timeout: timeoutMs,
    };
    await this.kc.applyToHTTPSOptions(opts);
    return opts;
  }

  private get transport(): typeof https | typeof http {
    return this.server.protocol === "https:" ? https : http;
  }

  private async send(method: string, path: string, body: unknown, contentType: string): Promise<Response> {
    // Content-Length always: node sends a DELETE body neither chunked nor with a length otherwise.
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const headers = payload !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {};
    const opts = await this.options(method, path, headers, 30_000);
    const mod = this.transport;
    return new Promise((resolve, reject) => {
      const req = mod.request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** One call, retried: 429 always (the server did not act on it), 5xx and connection errors when idempotent. */
  async request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Response> {
    const r = this.retry;
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      let err: Error | undefined;
      try {
        res = await this.send(method, path, body, contentType);
      } catch (e) {
        err = e as Error;
      }
      const last = attempt >= r.attempts;
      const backoff = () => {
        const d = Math.min(r.maxDelayMs, r.baseDelayMs * 2 ** (attempt - 1));
        return d / 2 + (r.random() * d) / 2;
      };
      let delay: number | undefined;
      if (res?.status === 429) delay = Math.min(retryAfterMs(res.headers["retry-after"]) ?? backoff(), r.maxRetryAfterMs);
      else if (idempotent(method, contentType) && (err || (res && res.status >= 500))) {
        delay = res ? Math.min(retryAfterMs(res.headers["retry-after"]) ?? backoff(), r.maxRetryAfterMs) : backoff();
      }
      if (delay === undefined || last) {
        if (err) throw err;
        return res!;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async json(method: string, path: string, what: string, body?: unknown, contentType?: string, okMissing = false): Promise<JsonObject | undefined> {
    const r = await this.request(method, path, body, contentType);
    if (okMissing && r.status === 404) return undefined;
    if (r.status < 200 || r.status >= 300) throw new KubeError(r.status, r.body, what);
    return r.body ? (JSON.parse(r.body) as JsonObject) : {};
  }

  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    return this.json("GET", resourcePath(apiVersion, kind, namespace, name), `get ${kind} ${namespace ?? ""}/${name}`, undefined, undefined, true);
  }

  /** Every item, page by page; a continue token that expired (410) restarts the list once, unpaged. */
  async list(apiVersion: string, kind: string, labelSelector?: string): Promise<JsonObject[]> {
    return (await this.listWithVersion(apiVersion, kind, { labelSelector })).items;
  }

  /** `list` with a namespace and field selector, and the list's resourceVersion (where a watch starts from). */
  async listWithVersion(apiVersion: string, kind: string, o: ListOptions = {}): Promise<{ items: JsonObject[]; resourceVersion: string }> {
    const items: JsonObject[] = [];
    const base = resourcePath(apiVersion, kind, o.namespace);
    const sel = selectors(o);
    const typed = (list: JsonObject[]) => list.map((x) => ({ apiVersion, kind, ...x }));
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const q = `?limit=${this.pageSize}${sel}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`;
      const r = await this.request("GET", base + q);
      if (r.status === 410 && cont) {
        const all = (await this.json("GET", `${base}${sel ? `?${sel.slice(1)}` : ""}`, `list ${kind}`)) as { items?: JsonObject[]; metadata?: { resourceVersion?: string } };
        return { items: typed(all.items ?? []), resourceVersion: all.metadata?.resourceVersion ?? "" };
      }
      if (r.status < 200 || r.status >= 300) throw new KubeError(r.status, r.body, `list ${kind}`);
      const page = JSON.parse(r.body) as { items?: JsonObject[]; metadata?: { continue?: string; resourceVersion?: string } };
      items.push(...(page.items ?? []));
      // Every page of a paged list is read at the first page's resourceVersion.
      resourceVersion ||= page.metadata?.resourceVersion ?? "";
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items: typed(items), resourceVersion };
  }

  /**
   * Watches a collection, calling `onEvent` for each event in order. Resolves when the server ends the stream
   * (timeoutSeconds, API server restart) or `signal` aborts; rejects on a non-2xx answer (a KubeError: 410 when
   * the resourceVersion is too old) or a broken connection. Not retried: informers decide what comes next.
   */
  async watch(apiVersion: string, kind: string, o: WatchOptions, onEvent: (e: WatchEvent) => void): Promise<void> {
    const q = `?watch=1&allowWatchBookmarks=true${o.resourceVersion ? `&resourceVersion=${encodeURIComponent(o.resourceVersion)}` : ""}${o.timeoutSeconds ? `&timeoutSeconds=${o.timeoutSeconds}` : ""}${selectors(o)}`;
    const path = resourcePath(apiVersion, kind, o.namespace) + q;
    const what = `watch ${kind}${o.namespace ? ` in ${o.namespace}` : ""}`;
    if (o.signal?.aborted) return;
    // A socket silent for longer than the server's own timeout (plus bookmarks' slack) is dead.
    const opts = await this.options("GET", path, {}, ((o.timeoutSeconds ?? 600) + 60) * 1000);
    const mod = this.transport;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        o.signal?.removeEventListener("abort", onAbort);
        if (err && !o.signal?.aborted) reject(err);
        else resolve();
      };
      const onAbort = () => {
        req.destroy();
        done();
      };
      const req = mod.request(opts, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done(new KubeError(status, Buffer.concat(chunks).toString("utf8"), what, retryAfterMs(res.headers["retry-after"]))));
          res.on("error", (e) => done(e));
          return;
        }
        res.setEncoding("utf8");
        let buf = "";
        const emit = (line: string) => {
          if (!line.trim()) return;
          let e: WatchEvent;
          try {
            e = JSON.parse(line) as WatchEvent;
          } catch {
            req.destroy();
            done(new Error(`${what}: unreadable event: ${line.slice(0, 200)}`));
            return;
          }
          try {
            onEvent(e);
          } catch (err) {
            req.destroy();
            done(err as Error);
          }
        };
        res.on("data", (chunk: string) => {
          buf += chunk;
          let nl: number;
          while (!settled && (nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            emit(line);
          }
        });
        res.on("end", () => {
          if (!settled) emit(buf);
          done();
        });
        res.on("error", (e) => done(e));
        res.on("close", () => done(res.complete ? undefined : new Error(`${what}: connection closed mid-stream`)));
      });
      req.on("timeout", () => req.destroy(new Error(`${what}: no data for ${opts.timeout} ms`)));
      req.on("error", (e) => done(e));
      // Checked here too: the signal may have fired while the credentials were being read.
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener("abort", onAbort, { once: true });
      req.end();
    });
  }

  async apply(obj: JsonObject & { apiVersion: string; kind: string; metadata: JsonObject }): Promise<JsonObject> {
    const m = obj.metadata as { name: string; namespace?: string };
    this.count("apply");
    const path = `${resourcePath(obj.apiVersion, obj.kind, m.namespace, m.name)}?fieldManager=${encodeURIComponent(this.fieldManager)}&force=true`;
    return (await this.json("PATCH", path, `apply ${obj.kind} ${m.namespace ?? ""}/${m.name}`, obj, "application/apply-patch+yaml"))!;
  }

  async create(apiVersion: string, kind: string, namespace: string | undefined, obj: JsonObject): Promise<{ created: boolean }> {
    this.count("create");
    const r = await this.request("POST", resourcePath(apiVersion, kind, namespace), obj);
    if (r.status === 409) return { created: false };
    if (r.status < 200 || r.status >= 300) throw new KubeError(r.status, r.body, `create ${kind}`);
    return { created: true };
  }

  /** POST, returning the created object; an existing one is an error here (KubeError 409). */
  async createObject(apiVersion: string, kind: string, namespace: string | undefined, obj: JsonObject): Promise<JsonObject> {
    this.count("create");
    return (await this.json("POST", resourcePath(apiVersion, kind, namespace), `create ${kind}`, obj))!;
  }

  /** PUT the whole object; with metadata.resourceVersion set, a concurrent change is a KubeError 409. */
  async replace(apiVersion: string, kind: string, namespace: string | undefined, name: string, obj: JsonObject): Promise<JsonObject> {
    this.count("replace");
    return (await this.json("PUT", resourcePath(apiVersion, kind, namespace, name), `replace ${kind} ${namespace ?? ""}/${name}`, obj))!;
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    this.count("delete");
    const r = await this.request("DELETE", resourcePath(apiVersion, kind, namespace, name), { propagationPolicy: "Background" });
    if (r.status === 404) return false;
    if (r.status < 200 || r.status >= 300) throw new KubeError(r.status, r.body, `delete ${kind} ${namespace ?? ""}/${name}`);
    return true;
  }

  async mergePatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, patch: unknown, subresource = ""): Promise<JsonObject | undefined> {
    this.count("patch");
    const path = resourcePath(apiVersion, kind, namespace, name) + (subresource ? `/${subresource}` : "");
    return this.json("PATCH", path, `patch ${kind} ${namespace ?? ""}/${name}${subresource ? "/" + subresource : ""}`, patch, "application/merge-patch+json", true);
  }

  async jsonPatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, ops: unknown[]): Promise<JsonObject | undefined> {
    this.count("patch");
    return this.json("PATCH", resourcePath(apiVersion, kind, namespace, name), `patch ${kind} ${namespace ?? ""}/${name}`, ops, "application/json-patch+json", true);
  }
}

function selectors(o: ListOptions): string {
  return (o.labelSelector ? `&labelSelector=${encodeURIComponent(o.labelSelector)}` : "") + (o.fieldSelector ? `&fieldSelector=${encodeURIComponent(o.fieldSelector)}` : "");
}
