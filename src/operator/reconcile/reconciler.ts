// The IstioOperator reconciler: one IstioOperator key in, the cluster converged one step towards it out.
// It talks to the API server only through a KubeClient and never sleeps: what is not ready yet is written into
// status ("waiting for ...") and the result asks to be requeued. Server-side apply in component order, prune of
// what the spec no longer renders, the finalizer (everything removed on delete), status per component, Events;
// a resync that finds nothing to change makes no write (content hashes; status written only when it changes).
import { isObject, type JsonObject } from "../../config/values.js";
import type { Logger } from "../../telemetry/logger.js";
import type { KubeClient } from "../../kube/client.js";
import { FINALIZER, buildStatus, desiredComponents, statusChanged, type ComponentStatus, type DesiredComponent, type IopStatus, type Owner } from "./plan.js";
import { deleteOwned, installStep, transientError, type ComponentStep } from "./apply.js";
import { render } from "../render/index.js";
import { COMPONENT_PARENTS } from "../render/meta.js";
import { IopError, resolveIop } from "../../config/resolve.js";

export const IOP_API = "install.istio.io/v1alpha1";

export interface IopReconcileResult {
  applied: number;
  skipped: number;
  pruned: number;
  status?: IopStatus;
  deleted?: number;
  /** The generation reconciled (the controller skips status-only updates of it). */
  generation?: number;
  /** Look again after this long: something is not ready yet. */
  requeueAfterMs?: number;
  /** Another IstioOperator ("namespace/name") installs the same revision: this one applied nothing. */
  conflictsWith?: string;
}

/**
 * The reconcile did not finish (the API server was away, a write conflicted or was throttled past the client's
 * retries) or some object was refused: the queue retries it with backoff. `generation` is the one it worked on,
 * so that its own status write does not queue it again at once.
 */
export class ReconcileIncomplete extends Error {
  constructor(message: string, readonly generation?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The revision an IstioOperator installs, as resolve reads it (spec.revision, else values.revision); "" is default. */
function revisionOf(cr: JsonObject): string {
  const spec = isObject(cr.spec) ? cr.spec : {};
  const values = isObject(spec.values) ? spec.values : {};
  const rev = typeof spec.revision === "string" ? spec.revision : typeof values.revision === "string" ? values.revision : "";
  return rev === "default" ? "" : rev;
}

export interface IopReconcilerOptions {
  logger: Logger;
  /** First look again after this long while something is not ready; doubles up to maxRecheckMs (defaults 1 s, 30 s). */
  firstRecheckMs?: number;
  maxRecheckMs?: number;
  /** The clock for status timestamps (tests pass a fixed one). */
  now?: () => Date;
  /** Told the generation a reconcile works on, as soon as it read the IstioOperator (before its own writes). */
  onObserved?: (key: string, generation: number | undefined) => void;
}

type IopMeta = { name: string; namespace: string; uid: string; generation?: number; deletionTimestamp?: string; finalizers?: string[]; annotations?: Record<string, string> };

/** A merge patch keeps keys it does not mention: null out what `next` no longer has. */
function nullRemoved(prev: JsonObject, next: JsonObject): JsonObject {
  const out: JsonObject = { ...next };
  for (const [k, v] of Object.entries(prev)) {
    if (!(k in next)) out[k] = null;
    else if (isObject(v) && isObject(next[k])) out[k] = nullRemoved(v, next[k] as JsonObject);
  }
  return out;
}

/** "a: x; b: y (and 2 more)" from up to three errors. */
const summarize = (errors: string[]) => errors.slice(0, 3).join("; ") + (errors.length > 3 ? ` (and ${errors.length - 3} more)` : "");

export class IstioOperatorReconciler {
  /** Consecutive not-ready results per key, for the growing recheck delay. */
  private readonly waiting = new Map<string, number>();
  private readonly now: () => Date;

  constructor(readonly client: KubeClient, private readonly o: IopReconcilerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  private async event(cr: JsonObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const m = cr.metadata as IopMeta;
    const at = this.now().toISOString();
    try {
      await this.client.create("v1", "Event", m.namespace, {
        metadata: { generateName: `${m.name}.`, namespace: m.namespace },
        involvedObject: { apiVersion: IOP_API, kind: "IstioOperator", name: m.name, namespace: m.namespace, uid: m.uid ?? "" },
        reason,
        message: message.slice(0, 1024),
        type,
        source: { component: "pilotfish-operator" },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      });
    } catch (e) {
      this.o.logger.warn({ err: (e as Error).message, reason }, "could not record event");
    }
  }

  private async writeStatus(cr: JsonObject, next: IopStatus): Promise<void> {
    const m = cr.metadata as IopMeta;
    if (!statusChanged(cr.status, next)) return;
    const patch = nullRemoved(isObject(cr.status) ? cr.status : {}, JSON.parse(JSON.stringify(next)) as JsonObject);
    await this.client.mergePatch(IOP_API, "IstioOperator", m.namespace, m.name, { status: patch }, "status");
    cr.status = JSON.parse(JSON.stringify(next));
  }

  private recheckAfter(key: string): number {
    const n = (this.waiting.get(key) ?? 0) + 1;
    this.waiting.set(key, n);
    return Math.min(this.o.maxRecheckMs ?? 30_000, (this.o.firstRecheckMs ?? 1_000) * 2 ** (n - 1));
  }

  /** One reconcile of the IstioOperator `namespace/name`; `signal` (leadership lost, timeout) stops it between components. */
  async reconcile(key: string, signal?: AbortSignal): Promise<IopReconcileResult> {
    const [namespace, name] = key.split("/");
    const result: IopReconcileResult = { applied: 0, skipped: 0, pruned: 0 };
    const cr = await this.client.get(IOP_API, "IstioOperator", namespace, name);
    if (!cr) {
      this.waiting.delete(key);
      return result;
    }
    const meta = cr.metadata as IopMeta;
    const finalizers = meta.finalizers ?? [];
    result.generation = meta.generation;
    if (!meta.deletionTimestamp) this.o.onObserved?.(key, meta.generation);
    if (meta.deletionTimestamp) return this.finalize(cr, key, result);
    if (meta.annotations?.["install.istio.io/ignoreReconcile"] === "true") return result;
    if (!finalizers.includes(FINALIZER)) {
      await this.client.mergePatch(IOP_API, "IstioOperator", namespace, name, { metadata: { finalizers: [...finalizers, FINALIZER] } });
    }
    const owner: Owner = { name, namespace, uid: meta.uid };
    const now = () => this.now().toISOString();

    // A bad spec is reported in status and as an Event, and not retried until it changes.
    let desired: DesiredComponent[];
    try {
      const doc = { apiVersion: IOP_API, kind: "IstioOperator", metadata: { name }, spec: isObject(cr.spec) ? cr.spec : {} } as JsonObject;
      const r = resolveIop({ docs: [{ source: `IstioOperator ${key}`, doc }], sets: [] });
      const rendered = render(r);
      for (const w of [...r.warnings, ...rendered.warnings]) this.o.logger.warn({ iop: key }, w);
      desired = desiredComponents(rendered.components, owner, r.revision);
    } catch (e) {
      const msg = e instanceof IopError ? e.message : `render failed: ${(e as Error).message}`;
      const st = buildStatus(cr.status, {}, meta.generation, now(), msg);
      if (statusChanged(cr.status, st)) await this.event(cr, "Warning", "InvalidSpec", msg);
      await this.writeStatus(cr, st);
      this.waiting.delete(key);
      return { ...result, status: st };
    }

    // Two IstioOperators installing one revision would take the same objects from each other on every pass: the
    // oldest one installs it, the others say so in status and apply nothing until it is gone or changes revision.
    const { rival, live: liveOwners } = await this.rival(cr);
    if (rival) {
      const msg = `IstioOperator ${rival} already installs revision "${revisionOf(cr) || "default"}": this one is not applied (delete one of them, or give this one another revision)`;
      const st = buildStatus(cr.status, {}, meta.generation, now(), msg, { reason: "Conflict" });
      if (statusChanged(cr.status, st)) await this.event(cr, "Warning", "Conflict", msg);
      await this.writeStatus(cr, st);
      this.waiting.delete(key);
      this.o.logger.warn({ iop: key, rival }, "another IstioOperator installs the same revision; not applied");
      return { ...result, status: st, conflictsWith: rival };
    }

    const comps: Record<string, ComponentStatus> = {};
    if ((isObject(cr.status) ? cr.status.observedGeneration : undefined) !== meta.generation) {
      for (const c of desired) comps[c.component] = { status: "RECONCILING", message: "applying" };
      await this.writeStatus(cr, buildStatus(cr.status, comps, meta.generation, now(), undefined, { applying: true }));
      this.waiting.delete(key);
    }

    const failed = new Set<string>();
    const onComponent = async (c: ComponentStep) => {
      signal?.throwIfAborted();
      result.applied += c.applied;
      result.skipped += c.skipped;
      const parentFailed = COMPONENT_PARENTS[c.component].filter((p) => failed.has(p));
      if (c.errors.length) {
        failed.add(c.component);
        await this.event(cr, "Warning", "ApplyFailed", `${c.title}: ${summarize(c.errors)}`);
      } else if (c.applied) {
        await this.event(cr, "Normal", "Applied", `${c.title}: applied ${c.applied} object(s)${parentFailed.length ? ` (after ${parentFailed.join(", ")} failed)` : ""}`);
      }
    };
    let step: Awaited<ReturnType<typeof installStep>>;
    try {
      step = await installStep(this.client, desired, owner, onComponent, { abortOnTransient: true, liveOwners });
    } catch (e) {
      if (signal?.aborted || !transientError(e)) throw e;
      // Say so (if the API server takes the write), then leave the retry to the queue: never wait in here.
      const msg = `interrupted, retrying: ${(e as Error).message}`;
      for (const c of desired) comps[c.component] ??= { status: "RECONCILING", message: "applying" };
      await this.writeStatus(cr, buildStatus(cr.status, comps, meta.generation, now(), msg, { reason: "Retrying", state: "RECONCILING" })).catch(() => undefined);
      throw new ReconcileIncomplete(`reconcile of ${key} interrupted: ${(e as Error).message}`, meta.generation, { cause: e });
    }
    result.pruned = step.pruned.length;
    if (step.pruned.length) {
      await this.event(cr, "Normal", "Pruned", `removed ${step.pruned.length} object(s) the spec no longer renders: ${step.pruned.slice(0, 10).join(", ")}${step.pruned.length > 10 ? ", ..." : ""}`);
    }
    for (const c of step.components) {
      comps[c.component] = c.errors.length ? { status: "ERROR", error: summarize(c.errors) } : c.waits.length ? { status: "RECONCILING", message: `waiting for ${c.waits.join(", ")}` } : { status: "HEALTHY" };
    }
    const status = buildStatus(cr.status, comps, meta.generation, now());
    await this.writeStatus(cr, status);
    result.status = status;
    if (status.status === "RECONCILING") result.requeueAfterMs = this.recheckAfter(key);
    else this.waiting.delete(key);
    this.o.logger.info({ iop: key, applied: result.applied, unchanged: result.skipped, pruned: result.pruned, status: status.status, recheckInMs: result.requeueAfterMs }, "reconciled");
    // Refused objects stay in status as ERROR; the queue tries them again with growing backoff (a webhook that was
    // down, a quota freed), so an ERROR is never final until the next resync.
    if (failed.size) throw Object.assign(new ReconcileIncomplete(`reconcile of ${key}: ${[...failed].join(", ")} failed to apply`, meta.generation), { result });
    return result;
  }

  /** The IstioOperator ("namespace/name") that installs the same revision and came first, if any; and every one that exists. */
  private async rival(cr: JsonObject): Promise<{ rival?: string; live: Set<string> }> {
    const me = cr.metadata as IopMeta & { creationTimestamp?: string };
    const rev = revisionOf(cr);
    const order = (o: JsonObject) => {
      const m = o.metadata as IopMeta & { creationTimestamp?: string };
      return [m.creationTimestamp ?? "", `${m.namespace}/${m.name}`] as const;
    };
    const [myTime, myKey] = order(cr);
    let first: string | undefined;
    let firstOrder: readonly [string, string] | undefined;
    const live = new Set<string>();
    for (const o of await this.client.list(IOP_API, "IstioOperator")) {
      const m = o.metadata as IopMeta;
      if (!m.deletionTimestamp) live.add(`${m.namespace}/${m.name}`);
      if (`${m.namespace}/${m.name}` === `${me.namespace}/${me.name}` || revisionOf(o) !== rev) continue;
      if (m.annotations?.["install.istio.io/ignoreReconcile"] === "true") continue;
      const [t, k] = order(o);
      const before = t < myTime || (t === myTime && k < myKey);
      if (before && (!firstOrder || t < firstOrder[0] || (t === firstOrder[0] && k < firstOrder[1]))) {
        first = k;
        firstOrder = [t, k];
      }
    }
    return { rival: first, live };
  }

  /** Deletion: remove everything owned (never the CRDs), then release the finalizer. */
  private async finalize(cr: JsonObject, key: string, result: IopReconcileResult): Promise<IopReconcileResult> {
    const meta = cr.metadata as IopMeta;
    const finalizers = meta.finalizers ?? [];
    this.waiting.delete(key);
    if (!finalizers.includes(FINALIZER)) return result;
    result.pruned = await deleteOwned(this.client, { name: meta.name, namespace: meta.namespace, uid: meta.uid });
    result.deleted = result.pruned;
    await this.event(cr, "Normal", "Uninstalled", `removed ${result.pruned} object(s); the Istio CRDs are kept so that no Istio configuration is lost`);
    const idx = finalizers.indexOf(FINALIZER);
    await this.client.jsonPatch(IOP_API, "IstioOperator", meta.namespace, meta.name, [
      { op: "test", path: `/metadata/finalizers/${idx}`, value: FINALIZER },
      { op: "remove", path: `/metadata/finalizers/${idx}` },
    ]);
    this.o.logger.info({ iop: key, removed: result.pruned }, "IstioOperator deleted; its objects are removed");
    return result;
  }
}
