// From Kubernetes objects (read from files or listed from the cluster) to the snapshot the checks read:
// namespaces defaulted as istioctl does, system namespaces left out, and the default resources istioctl adds
// when it analyses files alone.
import { applyMeshConfig, defaultMeshConfig } from "../config/mesh.js";
import type { JsonObject } from "../config/json.js";
import type { Obj, Origin, Resource, Snapshot } from "./types.js";
import { obj, str } from "./util.js";

/** Namespaces whose resources istioctl never analyses. */
export const IGNORED_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease", "local-path-storage"]);

/** Kinds without a namespace. */
const CLUSTER_SCOPED = new Set([
  "Namespace", "Node", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "CustomResourceDefinition", "ClusterRole",
  "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass", "GatewayClass", "IngressClass",
]);

export const isClusterScoped = (kind: string): boolean => CLUSTER_SCOPED.has(kind);

export interface InputObject {
  object: Obj;
  origin: Origin;
}

export interface SnapshotOptions {
  /** Namespace given to namespaced resources written without one; "" keeps them without (istioctl -A). */
  defaultNamespace: string;
  istioNamespace: string;
  /** A MeshConfig fragment merged over Istio's defaults. */
  meshConfig?: Obj;
  meshNetworks?: Obj;
  /** Add istioctl's default ingress gateway Pod and Service (files-only analysis). */
  addDefaults: boolean;
  /** The time certificates are checked against (ms since the epoch). */
  now?: number;
}

export function toResource(o: Obj, origin: Origin, defaultNamespace: string): Resource {
  const md = obj(o.metadata);
  const apiVersion = str(o.apiVersion);
  const kind = str(o.kind);
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const namespace = isClusterScoped(kind) ? "" : str(md.namespace) || defaultNamespace;
  const strings = (m: unknown): Record<string, string> =>
    Object.fromEntries(Object.entries(obj(m)).map(([k, v]) => [k, v === null || v === undefined ? "" : String(v)]));
  return {
    apiVersion, group, kind, namespace, name: str(md.name), labels: strings(md.labels), annotations: strings(md.annotations),
    spec: obj(o.spec), status: o.status === undefined ? undefined : obj(o.status), object: o, origin,
  };
}

/** The ingress gateway Pod and Service istioctl assumes in files-only analysis. */
function defaultResources(istioNamespace: string, ingressService: string): Resource[] {
  const origin: Origin = {};
  const pod = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: `${ingressService}-dummypod`, namespace: istioNamespace, labels: { istio: "ingressgateway" } },
    spec: { containers: [{ name: "istio-proxy" }] },
  };
  const port = (name: string, n: number) => ({ name, port: n, protocol: "TCP", targetPort: n });
  const svc = {
    apiVersion: "v1", kind: "Service",
    metadata: { name: ingressService, namespace: istioNamespace },
    spec: { selector: { istio: "ingressgateway" }, ports: [port("http2", 80), port("https", 443), port("tcp", 31400), port("tls", 15443)] },
  };
  return [toResource(pod, origin, istioNamespace), toResource(svc, origin, istioNamespace)];
}

export function buildSnapshot(inputs: InputObject[], o: SnapshotOptions): Snapshot {
  const mesh = applyMeshConfig(defaultMeshConfig(), (o.meshConfig ?? {}) as JsonObject) as Obj;
  const resources: Resource[] = [];
  const seen = new Map<string, number>();
  for (const input of inputs) {
    const r = toResource(input.object, input.origin, o.defaultNamespace);
    if (!r.kind || !r.name) continue;
    if (IGNORED_NAMESPACES.has(r.namespace) || (r.kind === "Namespace" && IGNORED_NAMESPACES.has(r.name))) continue;
    // A later source (a file over the cluster) replaces the same object.
    const key = `${r.group}/${r.kind}/${r.namespace}/${r.name}`;
    const at = seen.get(key);
    if (at !== undefined) resources[at] = r;
    else {
      seen.set(key, resources.length);
      resources.push(r);
    }
  }
  if (o.addDefaults && str(mesh.ingressControllerMode) !== "OFF") {
    const ingress = str(mesh.ingressService) || "istio-ingressgateway";
    for (const d of defaultResources(o.istioNamespace, ingress)) {
      const key = `${d.group}/${d.kind}/${d.namespace}/${d.name}`;
      if (!seen.has(key)) resources.push(d);
    }
  }
  // Istio holds the mesh networks as a resource of their own (findings about them name it).
  if (o.meshNetworks) {
    const mn = { apiVersion: "install.istio.io/v1alpha1", kind: "MeshNetworks", metadata: { name: "meshnetworks", namespace: o.istioNamespace }, spec: o.meshNetworks };
    resources.push(toResource(mn, {}, o.istioNamespace));
  }
  return { resources, istioNamespace: o.istioNamespace, mesh, meshNetworks: o.meshNetworks, now: o.now };
}
