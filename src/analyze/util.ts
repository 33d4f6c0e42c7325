// Small pure helpers shared by the checks: label selectors, host names, FQDNs and export scopes, as Istio's
// analyzers reason about them.
import type { Obj, Resource, Snapshot } from "./types.js";

export const MESH_GATEWAY = "mesh";
export const CLUSTER_DOMAIN = "svc.cluster.local";

export const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));
export const arr = <T = any>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

// Per-snapshot index by kind, so checks that look resources up inside loops stay linear on large clusters.
const INDEX = new WeakMap<Snapshot, Map<string, Resource[]>>();

/** The resources of one kind (and API group, when given). */
export function ofKind(s: Snapshot, kind: string, group?: string): Resource[] {
  let byKind = INDEX.get(s);
  if (!byKind || INDEX_SIZE.get(s) !== s.resources.length) {
    byKind = new Map();
    for (const r of s.resources) {
      const list = byKind.get(r.kind);
      if (list) list.push(r);
      else byKind.set(r.kind, [r]);
    }
    INDEX.set(s, byKind);
    INDEX_SIZE.set(s, s.resources.length);
  }
  const list = byKind.get(kind) ?? [];
  return group === undefined ? list : list.filter((r) => r.group === group);
}
const INDEX_SIZE = new WeakMap<Snapshot, number>();
export const ISTIO_NETWORKING = "networking.istio.io";
export const ISTIO_SECURITY = "security.istio.io";
export const ISTIO_TELEMETRY = "telemetry.istio.io";
export const ISTIO_EXTENSIONS = "extensions.istio.io";
export const K8S_GATEWAY = "gateway.networking.k8s.io";

/** `namespace/name`, or `name` without a namespace (Istio's resource.FullName.String()). */
export const fullName = (r: { namespace: string; name: string }): string => (r.namespace ? `${r.namespace}/${r.name}` : r.name);

/** A label set as Kubernetes prints an equality selector: keys sorted, `k=v` joined by commas ("" when empty). */
export function selectorString(sel: Record<string, string> | undefined): string {
  return Object.keys(sel ?? {})
    .sort()
    .map((k) => `${k}=${sel![k]}`)
    .join(",");
}

/** Whether an equality selector matches a label set (an empty selector matches everything). */
export function selects(sel: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(sel ?? {}).every(([k, v]) => labels[k] === String(v));
}

/** host.Name.Matches: wildcard-aware, symmetric suffix match. */
export function hostMatches(a: string, b: string): boolean {
  const aw = a.startsWith("*");
  const bw = b.startsWith("*");
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** A short host (no dot, no wildcard) completed with the namespace: `reviews` -> `reviews.ns.svc.cluster.local`. */
export function toFqdn(namespace: string, host: string): string {
  if (host.startsWith("*") || host.includes(".")) return host;
  return `${host}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** `name.ns.svc.cluster.local` -> {namespace, name}; anything else -> undefined. */
export function serviceOfFqdn(fqdn: string): { namespace: string; name: string } | undefined {
  const m = /^(.+)\.(.+)\.svc\.cluster\.local$/.exec(fqdn);
  return m ? { name: m[1], namespace: m[2] } : undefined;
}

/** Which (namespace, name) a destination host names, for matching against DestinationRules. */
export function resourceNameOfHost(defaultNs: string, host: string): string {
  const svc = serviceOfFqdn(host);
  return svc ? `${svc.namespace}/${svc.name}` : `${defaultNs}/${host}`;
}

/** A scoped FQDN: the export scope (`*` or a namespace) and the FQDN, as one key. */
export const scoped = (scope: string, namespace: string, host: string): string => `${scope}/${toFqdn(namespace, host)}`;
export function splitScoped(s: string): [string, string] {
  const i = s.indexOf("/");
  return [s.slice(0, i), s.slice(i + 1)];
}

export const isExportToAll = (exportTo: string[]): boolean => exportTo.length === 0 || exportTo.includes("*");

/** Istio's control plane resources (labelled `istio` or release=istio) are skipped by some checks. */
export const isIstioControlPlane = (r: Resource): boolean => "istio" in r.labels || r.labels.release === "istio";

/** The pod template of a workload kind (Deployment and friends) or the Pod's own spec. */
export function podSpecOf(r: Resource): Obj {
  if (r.kind === "Pod") return r.spec;
  return obj(obj(r.spec.template).spec);
}

/** Known services and service entries by scoped FQDN (Istio's InitServiceEntryHostMap). */
export function serviceEntryHosts(s: Snapshot): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const r of ofKind(s, "ServiceEntry", ISTIO_NETWORKING)) {
    const exportTo = arr<string>(r.spec.exportTo).map(str);
    for (const h of arr<string>(r.spec.hosts).map(str)) {
      if (isExportToAll(exportTo)) {
        out.set(scoped("*", r.namespace, h), r.spec);
        continue;
      }
      for (const e of exportTo) out.set(scoped(e === "." ? r.namespace : e, r.namespace, h), r.spec);
    }
  }
  for (const r of ofKind(s, "Service", "")) {
    const ports = arr(r.spec.ports).map((p: Obj) => ({ number: Number(p.port), name: str(p.name), protocol: str(p.protocol) }));
    const se = { hosts: [toFqdn(r.namespace, r.name)], ports };
    const anno = r.annotations["networking.istio.io/exportTo"];
    const scopes = anno ? anno.split(",").map((x) => (x.trim() === "." ? r.namespace : x.trim())) : ["*"];
    for (const sc of scopes) out.set(scoped(sc, r.namespace, r.name), se);
  }
  return out;
}

/** The ServiceEntry (or Service as one) a destination host resolves to from a namespace, or undefined. */
export function destinationHost(sourceNs: string, exportTo: string[], host: string, hosts: Map<string, Obj>): Obj | undefined {
  const all = hosts.get(scoped("*", sourceNs, host));
  if (all) return all;
  const scopes = exportTo.length === 0 ? [sourceNs] : exportTo.map((e) => (e === "." ? sourceNs : e));
  for (const sc of scopes) {
    const hit = hosts.get(scoped(sc, sourceNs, host));
    if (hit) return hit;
  }
  for (const [key, se] of hosts) {
    const [scope, seHost] = splitScoped(key);
    if (!seHost.startsWith("*")) continue;
    if (scope !== "*" && scope !== sourceNs) continue;
    if (host.replace(/^\*/, "").endsWith(seHost.slice(1))) return se;
  }
  return undefined;
}

/** Route destinations of a VirtualService with where they stand (tcp, tls, http in Istio's order). */
export interface RouteDestination {
  rule: "tcp" | "tls" | "http" | "http.mirror" | "http.mirrors";
  path: string;
  destination: Obj;
}

export function routeDestinations(vs: Obj): RouteDestination[] {
  const out: RouteDestination[] = [];
  for (const rule of ["tcp", "tls", "http"] as const) {
    arr(vs[rule]).forEach((r: Obj, i) =>
      arr(obj(r).route).forEach((rd: Obj, j) => out.push({ rule, path: `spec.${rule}[${i}].route[${j}].destination.host`, destination: obj(obj(rd).destination) })),
    );
  }
  return out;
}

export function mirrorDestinations(vs: Obj): RouteDestination[] {
  const out: RouteDestination[] = [];
  arr(vs.http).forEach((r: Obj, i) => {
    if (obj(r).mirror) out.push({ rule: "http.mirror", path: `spec.http[${i}].mirror.host`, destination: obj(r.mirror) });
    arr(obj(r).mirrors).forEach((m: Obj, j) =>
      out.push({ rule: "http.mirrors", path: `spec.http[${i}].mirrors[${j}].destination.host`, destination: obj(obj(m).destination) }),
    );
  });
  return out;
}

/** Whether a workload is in the mesh (Istio's inMesh): it runs a proxy, or its labels/annotations or namespace inject it. */
export function workloadInMesh(s: Snapshot, namespace: string, labels: Record<string, string>, annotations: Record<string, string>, containers: Obj[]): boolean {
  if (containers.some((c) => c.name === "istio-proxy" && str(c.image) !== "")) return true;
  for (const m of [labels, annotations]) if ("sidecar.istio.io/inject" in m) return m["sidecar.istio.io/inject"] === "true";
  const ns = ofKind(s, "Namespace", "").find((n) => n.name === namespace);
  return ns ? ns.labels["istio-injection"] === "enabled" : false;
}

/** A Kubernetes LabelSelector (matchLabels and matchExpressions) against a label set; an absent selector matches. */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (selector === undefined || selector === null) return true;
  const sel = obj(selector);
  if (!selects(obj(sel.matchLabels) as Record<string, string>, labels)) return false;
  return arr<Obj>(sel.matchExpressions).every((e) => {
    const key = str(e.key);
    const values = arr(e.values).map(str);
    switch (e.operator) {
      case "In":
        return key in labels && values.includes(labels[key]);
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key]);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        return false;
    }
  });
}

/**
 * The value at a field path (`spec.a[0].b`) of an object. istioctl places a message on a field's line only when the
 * field holds a scalar (its field map records scalars alone); otherwise on the resource's line.
 */
export function valueAt(o: unknown, path: string): unknown {
  let cur: any = o;
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[m[2] !== undefined ? Number(m[2]) : m[1]];
  }
  return cur;
}

export const isScalarAt = (o: unknown, path: string): boolean => {
  const v = valueAt(o, path);
  return v !== undefined && (v === null || typeof v !== "object");
};
