// A thin raw REST client for the operator: server-side apply, get, list, delete and status patches with the
// exact JSON we rendered (client-node's typed APIs drop fields they do not know on built-in kinds). Every write
// is counted, so tests and metrics can tell that a resync with no change wrote nothing.
import https from "node:https";
import http from "node:http";
import type * as k8s from "@kubernetes/client-node";
import type { JsonObject } from "../config/values.js";

export class KubeError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) {
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
  CustomResourceDefinition: { plural: "customresourcedefinitions", namespaced: false },
  MutatingWebhookConfiguration: { plural: "mutatingwebhookconfigurations", namespaced: false },
  ValidatingWebhookConfiguration: { plural: "validatingwebhookconfigurations", namespaced: false },
  IstioOperator: { plural: "istiooperators", namespaced: true },
};

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
}

export class Kube {
  readonly writes: WriteCounts = { apply: 0, delete: 0, create: 0, patch: 0 };
  private readonly server: URL;
  constructor(private readonly kc: k8s.KubeConfig, readonly fieldManager = "pilotfish-operator") {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    this.server = new URL(cluster.server);
  }

  totalWrites(): number {
    return this.writes.apply + this.writes.delete + this.writes.create + this.writes.patch;
  }

  async request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: string }> {
    const opts: https.RequestOptions = {
      method,
      hostname: this.server.hostname,
      port: this.server.port || (this.server.protocol === "https:" ? 443 : 80),
      path: this.server.pathname.replace(/\/$/, "") + path,
      headers: { Accept: "application/json", ...(body !== undefined ? { "Content-Type": contentType } : {}) },
      timeout: 30_000,
    };
    await this.kc.applyToHTTPSOptions(opts);
    const mod = this.server.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      if (body !== undefined) req.end(typeof body === "string" ? body : JSON.stringify(body));
      else req.end();
    });
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

  async list(apiVersion: string, kind: string, labelSelector?: string): Promise<JsonObject[]> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    const r = await this.json("GET", resourcePath(apiVersion, kind) + q, `list ${kind}`);
    return ((r?.items as JsonObject[] | undefined) ?? []).map((o) => ({ apiVersion, kind, ...o }));
  }

  /** Server-side apply (force: pilotfish owns the fields it renders). */
  async apply(obj: JsonObject & { apiVersion: string; kind: string; metadata: JsonObject }): Promise<JsonObject> {
    const m = obj.metadata as { name: string; namespace?: string };
    this.writes.apply++;
    const path = `${resourcePath(obj.apiVersion, obj.kind, m.namespace, m.name)}?fieldManager=${encodeURIComponent(this.fieldManager)}&force=true`;
    return (await this.json("PATCH", path, `apply ${obj.kind} ${m.namespace ?? ""}/${m.name}`, obj, "application/apply-patch+yaml"))!;
  }

  async create(apiVersion: string, kind: string, namespace: string | undefined, obj: JsonObject): Promise<{ created: boolean }> {
    this.writes.create++;
    const r = await this.request("POST", resourcePath(apiVersion, kind, namespace), obj);
    if (r.status === 409) return { created: false };
    if (r.status < 200 || r.status >= 300) throw new KubeError(r.status, r.body, `create ${kind}`);
    return { created: true };
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    this.writes.delete++;
    const r = await this.request("DELETE", resourcePath(apiVersion, kind, namespace, name), { propagationPolicy: "Background" });
    if (r.status === 404) return false;
    if (r.status < 200 || r.status >= 300) throw new KubeError(r.status, r.body, `delete ${kind} ${namespace ?? ""}/${name}`);
    return true;
  }

  async mergePatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, patch: unknown, subresource = ""): Promise<JsonObject | undefined> {
    this.writes.patch++;
    const path = resourcePath(apiVersion, kind, namespace, name) + (subresource ? `/${subresource}` : "");
    return this.json("PATCH", path, `patch ${kind} ${namespace ?? ""}/${name}${subresource ? "/" + subresource : ""}`, patch, "application/merge-patch+json", true);
  }

  async jsonPatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, ops: unknown[]): Promise<JsonObject | undefined> {
    this.writes.patch++;
    return this.json("PATCH", resourcePath(apiVersion, kind, namespace, name), `patch ${kind} ${namespace ?? ""}/${name}`, ops, "application/json-patch+json", true);
  }
}
