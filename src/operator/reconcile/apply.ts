// Applying a rendered installation to a cluster, shared by the reconciler and `pilotfish install`:
// namespaces, owned objects, server-side apply of a component (skipping objects whose content hash is already
// live), readiness, and prune. `installStep` is the one plan both run: it never waits; callers that want to
// wait for readiness (the CLI) call it again, the reconciler asks to be requeued.
import { isObject, type JsonObject } from "../../config/values.js";
import { KubeError, type KubeClient } from "../../kube/client.js";
import { L_MANAGED, L_OWNER, L_OWNER_NS, PRUNE_KINDS, driftedSinceApply, notReady, objectKey, ownerSelector, toPrune, upToDate, type DesiredComponent, type Owner } from "./plan.js";
import type { K8sObject } from "../render/meta.js";

const CRD: [string, string] = ["apiextensions.k8s.io/v1", "CustomResourceDefinition"];

/** Creates the namespaces the objects live in (never pruned). */
export async function ensureNamespaces(kube: KubeClient, desired: DesiredComponent[]): Promise<void> {
  const namespaces = new Set(desired.flatMap((c) => c.objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n)));
  for (const ns of namespaces) {
    if (!(await kube.get("v1", "Namespace", undefined, ns))) await kube.create("v1", "Namespace", undefined, { metadata: { name: ns } });
  }
}

/** Every live object carrying this owner's labels (CRDs included), by kind/namespace/name. */
export async function listOwned(kube: KubeClient, owner: Owner): Promise<Map<string, JsonObject>> {
  const out = new Map<string, JsonObject>();
  for (const [apiVersion, kind] of [...PRUNE_KINDS, CRD]) {
    for (const o of await listLabelled(kube, apiVersion, kind, owner)) out.set(objectKey(o as { kind: string; metadata: unknown }), o);
  }
  return out;
}

/**
 * Every live object pilotfish manages, this owner's (`mine`, as listOwned) and other IstioOperators' (`others`),
 * with the same number of lists as listOwned.
 */
export async function listManaged(kube: KubeClient, owner: Owner): Promise<{ mine: Map<string, JsonObject>; others: Map<string, JsonObject> }> {
  const mine = new Map<string, JsonObject>();
  const others = new Map<string, JsonObject>();
  for (const [apiVersion, kind] of [...PRUNE_KINDS, CRD]) {
    for (const o of await kube.list(apiVersion, kind, `${L_MANAGED}=Reconcile`)) {
      const m = (isObject(o.metadata) ? o.metadata : {}) as { labels?: Record<string, string>; ownerReferences?: unknown[] };
      if ((m.ownerReferences ?? []).some((r) => isObject(r) && r.controller === true)) continue;
      const l = m.labels ?? {};
      const key = objectKey(o as { kind: string; metadata: unknown });
      if (l[L_OWNER] === owner.name && l[L_OWNER_NS] === owner.namespace) mine.set(key, o);
      else others.set(key, o);
    }
  }
  return { mine, others };
}

/** "namespace/name" of the IstioOperator a managed object's labels name. */
export function ownerOf(o: JsonObject | undefined): string | undefined {
  const l = (isObject(o?.metadata) && isObject((o!.metadata as JsonObject).labels) ? (o!.metadata as JsonObject).labels : {}) as Record<string, string>;
  return l[L_OWNER] && l[L_OWNER_NS] ? `${l[L_OWNER_NS]}/${l[L_OWNER]}` : undefined;
}

/**
 * Objects carrying the owner's labels that no other controller owns. Labels spread: the EndpointSlice controller
 * copies a Service's labels onto the slices it makes (with an ownerReference to the Service); those are its, never ours
 * to prune or delete.
 */
async function listLabelled(kube: KubeClient, apiVersion: string, kind: string, owner: Owner): Promise<JsonObject[]> {
  const items = await kube.list(apiVersion, kind, ownerSelector(owner));
  return items.filter((o) => {
    const refs = isObject(o.metadata) && Array.isArray(o.metadata.ownerReferences) ? o.metadata.ownerReferences : [];
    return !refs.some((r) => isObject(r) && r.controller === true);
  });
}

/**
 * An error another attempt may not meet (the client already retried it): no answer at all (connection refused or
 * reset, timeout), a conflict (409), throttling (429) or a server error (5xx). Anything else (a 4xx: invalid, denied
 * by a webhook, forbidden) is about the object.
 */
export function transientError(e: unknown): boolean {
  if (!(e instanceof KubeError)) return true;
  return e.status === 409 || e.status === 429 || e.status >= 500;
}

export interface ApplyOutcome {
  applied: number;
  skipped: number;
  errors: string[];
}

/**
 * Server-side applies a component's objects, CRDs first. An object whose live copy carries the same content
 * hash is skipped, unless `stale(key, live)` says it drifted.
 */
export async function applyComponent(kube: KubeClient, c: DesiredComponent, live: Map<string, JsonObject>, stale?: (key: string, live: JsonObject | undefined) => boolean, onApplied?: (key: string, result: JsonObject) => void, abortOnTransient = false, heldByOther?: (key: string) => boolean): Promise<ApplyOutcome> {
  const out: ApplyOutcome = { applied: 0, skipped: 0, errors: [] };
  const ordered = [...c.objects.filter((o) => o.kind === "CustomResourceDefinition"), ...c.objects.filter((o) => o.kind !== "CustomResourceDefinition")];
  for (const o of ordered) {
    const key = objectKey(o);
    const l = live.get(key);
    if ((upToDate(l, o) && !stale?.(key, l)) || (!l && heldByOther?.(key))) {
      out.skipped++;
      continue;
    }
    try {
      const result = await kube.apply(o); // not inside `onApplied?.(...)`: an absent callback would skip the call
      onApplied?.(key, result);
      out.applied++;
    } catch (e) {
      // With the API server away every further object would spend the client's retries too: stop, and let the
      // caller retry the whole step later (the reconciler: through the queue, with backoff).
      if (abortOnTransient && transientError(e)) throw e;
      out.errors.push((e as Error).message);
    }
  }
  return out;
}

/**
 * What a component still waits for (Deployments, DaemonSets, CRDs); empty when ready. `live` (this pass's list,
 * with what it applied put in) saves a GET per object: a readiness recheck then costs only the lists.
 */
export async function pendingReadiness(kube: KubeClient, c: DesiredComponent, live?: Map<string, JsonObject>): Promise<string[]> {
  const waits: string[] = [];
  for (const o of c.objects) {
    if (!["Deployment", "DaemonSet", "CustomResourceDefinition"].includes(o.kind)) continue;
    const known = live?.get(objectKey(o));
    const w = notReady(known ?? (await kube.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)), o as K8sObject);
    if (w) waits.push(w);
  }
  return waits;
}

/** Deletes owned objects the desired set no longer has (never CRDs); returns kind/ns/name of each removed. */
export async function pruneOwned(kube: KubeClient, live: Map<string, JsonObject>, desired: DesiredComponent[]): Promise<string[]> {
  const removed: string[] = [];
  const prune = toPrune([...live.values()], desired.flatMap((c) => c.objects)).filter((o) => o.kind !== "CustomResourceDefinition");
  for (const o of prune) {
    const m = (isObject(o.metadata) ? o.metadata : {}) as { name: string; namespace?: string };
    if (await kube.delete(String(o.apiVersion), String(o.kind), m.namespace, m.name)) removed.push(`${o.kind}/${m.namespace ? m.namespace + "/" : ""}${m.name}`);
  }
  return removed;
}

/** Deletes every owned object (never CRDs): the IstioOperator's finalizer and `uninstall`. */
export async function deleteOwned(kube: KubeClient, owner: Owner): Promise<number> {
  let n = 0;
  for (const [apiVersion, kind] of PRUNE_KINDS) {
    for (const o of await listLabelled(kube, apiVersion, kind, owner)) {
      const m = o.metadata as { name: string; namespace?: string };
      if (await kube.delete(apiVersion, kind, m.namespace, m.name)) n++;
    }
  }
  return n;
}

export interface ComponentStep extends ApplyOutcome {
  component: DesiredComponent["component"];
  title: string;
  /** What the component still waits for (empty: ready); not checked when it failed to apply. */
  waits: string[];
}

export interface StepResult {
  components: ComponentStep[];
  /** kind/ns/name of each object removed because the spec no longer renders it. */
  pruned: string[];
}

/**
 * One pass of the install plan: namespaces, then server-side apply component by component in render order
 * (objects already live with the same content hash and not edited by anyone else are skipped), prune of what
 * the spec no longer renders, then readiness of every component. Makes no write when nothing changed.
 */
export async function installStep(
  kube: KubeClient,
  desired: DesiredComponent[],
  owner: Owner,
  onComponent?: (c: ComponentStep) => void | Promise<void>,
  opts: {
    abortOnTransient?: boolean;
    /**
     * IstioOperators ("namespace/name") that exist. Objects two installs both render (Base's CRDs and reader
     * ServiceAccount for two revisions) are left to the one whose labels they carry while it exists: applying them
     * again would move them back and forth between the two on every pass.
     */
    liveOwners?: Set<string>;
  } = {},
): Promise<StepResult> {
  await ensureNamespaces(kube, desired);
  let live: Map<string, JsonObject>;
  let others = new Map<string, JsonObject>();
  if (opts.liveOwners) ({ mine: live, others } = await listManaged(kube, owner));
  else live = await listOwned(kube, owner);
  const held = (key: string) => {
    const who = ownerOf(others.get(key));
    return !!who && who !== `${owner.namespace}/${owner.name}` && !!opts.liveOwners?.has(who);
  };
  const drifted = (_key: string, l: JsonObject | undefined) => driftedSinceApply(l, kube.fieldManager);
  const components: ComponentStep[] = [];
  for (const c of desired) {
    const step: ComponentStep = { component: c.component, title: c.title, ...(await applyComponent(kube, c, live, drifted, (key, result) => live.set(key, result), opts.abortOnTransient, held)), waits: [] };
    components.push(step);
    await onComponent?.(step);
  }
  const pruned = await pruneOwned(kube, live, desired);
  for (const [i, c] of desired.entries()) if (!components[i].errors.length) components[i].waits = await pendingReadiness(kube, c, new Map([...others, ...live]));
  return { components, pruned };
}
