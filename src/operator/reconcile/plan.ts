// Pure parts of reconciling: the install labels pilotfish puts on what it applies, the content hash that lets
// a resync skip unchanged objects, which live objects to prune, readiness of applied objects, and the
// IstioOperator status.
import { createHash } from "node:crypto";
import { isObject, type JsonObject } from "../../config/values.js";
import type { ComponentName, K8sObject, RenderedComponent } from "../render/meta.js";

export const FINALIZER = "istio-finalizer.install.istio.io";
export const HASH_ANNOTATION = "operator.pilotfish.io/applied-hash";
export const L_MANAGED = "operator.istio.io/managed";
export const L_VERSION = "operator.istio.io/version";
export const L_OWNER = "install.operator.istio.io/owning-resource";
export const L_OWNER_NS = "install.operator.istio.io/owning-resource-namespace";
export const L_COMPONENT = "operator.istio.io/component";
export const OPERATOR_VERSION = "1.30.3";

/** Kinds pruned when the spec stops rendering them. CRDs are never pruned (that would delete users' Istio config). */
export const PRUNE_KINDS: [string, string][] = [
  ["apps/v1", "Deployment"], ["apps/v1", "DaemonSet"], ["v1", "Service"], ["v1", "ConfigMap"], ["v1", "ServiceAccount"],
  ["rbac.authorization.k8s.io/v1", "Role"], ["rbac.authorization.k8s.io/v1", "RoleBinding"],
  ["rbac.authorization.k8s.io/v1", "ClusterRole"], ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding"],
  ["autoscaling/v2", "HorizontalPodAutoscaler"], ["policy/v1", "PodDisruptionBudget"], ["networking.k8s.io/v1", "NetworkPolicy"],
  ["discovery.k8s.io/v1", "EndpointSlice"], ["admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"],
  ["admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"],
];

export interface Owner {
  name: string;
  namespace: string;
  uid?: string;
}

export const ownerSelector = (o: Owner) => `${L_MANAGED}=Reconcile,${L_OWNER}=${o.name},${L_OWNER_NS}=${o.namespace}`;

export function objectKey(o: { kind: string; metadata?: unknown }): string {
  const m = (isObject(o.metadata) ? o.metadata : {}) as { name?: string; namespace?: string };
  return `${o.kind}/${m.namespace ?? ""}/${m.name ?? ""}`;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

export function contentHash(o: unknown): string {
  return createHash("sha256").update(stable(o)).digest("hex").slice(0, 32);
}

/** The object as pilotfish applies it: install labels (owner, component, revision) and the content hash. */
export function desiredObject(o: K8sObject, component: ComponentName, owner: Owner, revision: string): K8sObject {
  const labels = {
    ...((o.metadata.labels as Record<string, string> | undefined) ?? {}),
    [L_MANAGED]: "Reconcile",
    [L_VERSION]: OPERATOR_VERSION,
    [L_OWNER]: owner.name,
    [L_OWNER_NS]: owner.namespace,
    [L_COMPONENT]: component,
    "istio.io/rev": revision || "default",
  };
  const out = { ...o, metadata: { ...o.metadata, labels } } as K8sObject;
  const hash = contentHash(out);
  out.metadata.annotations = { ...((o.metadata.annotations as Record<string, string> | undefined) ?? {}), [HASH_ANNOTATION]: hash };
  return out;
}

export interface DesiredComponent {
  component: ComponentName;
  title: string;
  objects: K8sObject[];
}

export function desiredComponents(rendered: RenderedComponent[], owner: Owner, revision: string): DesiredComponent[] {
  return rendered.map((c) => ({ component: c.component, title: c.title, objects: c.objects.map((o) => desiredObject(o, c.component, owner, revision)) }));
}

/** True when the live object already carries what we would apply (no write needed). */
export function upToDate(live: JsonObject | undefined, desired: K8sObject): boolean {
  if (!live) return false;
  const ann = isObject(live.metadata) && isObject(live.metadata.annotations) ? live.metadata.annotations : {};
  return ann[HASH_ANNOTATION] === (desired.metadata.annotations as Record<string, string>)[HASH_ANNOTATION];
}

/** Live owned objects the desired set no longer contains. */
export function toPrune(live: JsonObject[], desired: K8sObject[]): JsonObject[] {
  const want = new Set(desired.map(objectKey));
  return live.filter((o) => !want.has(objectKey(o as { kind: string; metadata: unknown })));
}

/** Readiness of an applied object: undefined when ready, else what we are waiting for. */
export function notReady(o: JsonObject | undefined, want: K8sObject): string | undefined {
  const id = `${want.kind} ${want.metadata.namespace ? want.metadata.namespace + "/" : ""}${want.metadata.name}`;
  if (!o) return `${id} (not found)`;
  const status = isObject(o.status) ? o.status : {};
  const spec = isObject(o.spec) ? o.spec : {};
  const meta = isObject(o.metadata) ? o.metadata : {};
  switch (want.kind) {
    case "Deployment": {
      const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
      const ready = Number(status.readyReplicas ?? 0);
      if (Number(status.observedGeneration ?? 0) < Number(meta.generation ?? 0) || ready < replicas) return `${id} (${ready}/${replicas} replicas ready)`;
      return undefined;
    }
    case "DaemonSet": {
      const desired = Number(status.desiredNumberScheduled ?? 0);
      const ready = Number(status.numberReady ?? 0);
      if (desired === 0 || ready < desired || Number(status.updatedNumberScheduled ?? 0) < desired) return `${id} (${ready}/${desired} pods ready)`;
      return undefined;
    }
    case "CustomResourceDefinition": {
      const conds = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
      return conds.some((c) => c.type === "Established" && c.status === "True") ? undefined : `${id} (not Established)`;
    }
    default:
      return undefined;
  }
}

export type ComponentState = "RECONCILING" | "HEALTHY" | "ERROR";
export interface ComponentStatus {
  status: ComponentState;
  /** What the component waits for, or its error. */
  message?: string;
  error?: string;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface IopStatus {
  status: "HEALTHY" | "RECONCILING" | "ERROR";
  message?: string;
  observedGeneration?: number;
  componentStatus: Record<string, ComponentStatus>;
  conditions: Condition[];
}

/** Overall state: ERROR if any component failed, else RECONCILING if any is not ready, else HEALTHY. */
export function overall(components: Record<string, ComponentStatus>, error?: string): IopStatus["status"] {
  if (error || Object.values(components).some((c) => c.status === "ERROR")) return "ERROR";
  if (Object.values(components).some((c) => c.status === "RECONCILING")) return "RECONCILING";
  return "HEALTHY";
}

/** Builds the status; conditions keep their lastTransitionTime while their status does not change. */
export function buildStatus(prev: unknown, components: Record<string, ComponentStatus>, generation: number | undefined, now: string, error?: string, opts: { reason?: string; state?: IopStatus["status"]; applying?: boolean } = {}): IopStatus {
  const state = opts.state ?? overall(components, error);
  const waiting = Object.entries(components).filter(([, c]) => c.status === "RECONCILING").map(([n, c]) => `${n}: ${c.message ?? "reconciling"}`);
  const failed = Object.entries(components).filter(([, c]) => c.status === "ERROR").map(([n, c]) => `${n}: ${c.error ?? "error"}`);
  const message = error ?? (failed.length ? failed.join("; ") : waiting.length ? `waiting for ${waiting.join("; ")}` : "all components healthy");
  const prevConds = (isObject(prev) && Array.isArray(prev.conditions) ? prev.conditions : []) as unknown as Condition[];
  const cond = (type: string, ok: boolean, reason: string, msg: string): Condition => {
    const old = prevConds.find((c) => c.type === type);
    const st = ok ? "True" : "False";
    return { type, status: st, reason, message: msg, lastTransitionTime: old && old.status === st ? old.lastTransitionTime : now, observedGeneration: generation };
  };
  return {
    status: state,
    message,
    observedGeneration: generation,
    componentStatus: components,
    conditions: [
      opts.applying
        ? cond("Reconciled", false, "Applying", "applying the rendered objects")
        : cond("Reconciled", !error && !failed.length, error ? (opts.reason ?? "InvalidSpec") : failed.length ? "ApplyFailed" : "Applied", error ?? (failed.length ? failed.join("; ") : "every rendered object is applied")),
      cond("Ready", state === "HEALTHY", state === "HEALTHY" ? "ComponentsReady" : state === "ERROR" ? "Error" : "Waiting", message),
    ],
  };
}

/** Whether two statuses differ (so an unchanged resync writes nothing). */
export function statusChanged(prev: unknown, next: IopStatus): boolean {
  return stable(prev ?? null) !== stable(JSON.parse(JSON.stringify(next)));
}

/** Leaf paths of a managedFields `fieldsV1` tree (`f:spec.f:replicas`, `...k:{"name":"x"}...`). */
export function fieldPaths(tree: unknown, prefix = "", out: Set<string> = new Set()): Set<string> {
  if (!isObject(tree)) return out;
  const keys = Object.keys(tree).filter((k) => k !== ".");
  if (!keys.length) out.add(prefix);
  for (const k of keys) fieldPaths(tree[k], prefix ? `${prefix}/${k}` : k, out);
  return out;
}

/**
 * Drift: since pilotfish's last apply, another field manager changed the object's content (anything outside
 * metadata; status and scale subresource writes excepted). An edit moves the edited fields' ownership to the
 * editor, so their managedFields entry is newer than ours. After we apply again ours is the newest, so a field
 * someone added beside ours costs one re-apply, not one per resync. Survives restarts (it reads the object).
 */
export function driftedSinceApply(live: JsonObject | undefined, manager: string): boolean {
  const mfs = isObject(live?.metadata) && Array.isArray((live!.metadata as JsonObject).managedFields) ? ((live!.metadata as JsonObject).managedFields as JsonObject[]) : [];
  const ours = mfs.find((m) => m.manager === manager && m.operation === "Apply" && !m.subresource);
  if (!ours || typeof ours.time !== "string") return false;
  const since = Date.parse(ours.time);
  return mfs.some(
    (m) => m.manager !== manager && !m.subresource && typeof m.time === "string" && Date.parse(m.time) > since && [...fieldPaths(m.fieldsV1)].some((p) => !p.startsWith("f:metadata")),
  );
}
