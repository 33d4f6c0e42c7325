// The IstioOperator reconciler (the Kubernetes edge of the operator): watches install.istio.io/v1alpha1
// IstioOperators with a client-node informer and converges the cluster to each one: server-side apply in
// component order, bounded readiness waits reported in status, prune of what the spec no longer renders, a
// finalizer that removes everything on delete, status, Events, retries with backoff. A resync that finds
// nothing to change makes no write call (content hashes on applied objects; status written only on change).
import * as k8s from "@kubernetes/client-node";
import { isObject, type JsonObject } from "../../config/values.js";
import type { Logger } from "../../telemetry/logger.js";
import type { Metrics } from "../../telemetry/metrics.js";
import { Kube } from "../../kube/client.js";
import { FINALIZER, buildStatus, desiredComponents, driftedSinceApply, statusChanged, type ComponentStatus, type DesiredComponent, type IopStatus, type Owner } from "./plan.js";
import { applyComponent, deleteOwned, ensureNamespaces, listOwned, pendingReadiness, pruneOwned } from "./apply.js";
import { render } from "../render/index.js";
import { COMPONENT_PARENTS } from "../render/meta.js";
import { IopError, resolveIop } from "../../config/resolve.js";

const GROUP = "install.istio.io";
const VERSION = "v1alpha1";
const IOP_API = `${GROUP}/${VERSION}`;

export interface OperatorOptions {
  kc: k8s.KubeConfig;
  logger: Logger;
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  /** How long one reconcile waits for readiness before reporting what it waits for (default 60 s). */
  readinessTimeoutMs?: number;
  readinessPollMs?: number;
  /** When something is not ready yet, look again after this long (default 30 s). */
  recheckMs?: number;
  /** Periodic resync of every IstioOperator (default 5 min). */
  resyncMs?: number;
  fieldManager?: string;
  /** Where reconcile counts, durations and write calls are recorded. */
  metrics?: Metrics;
}

export interface ReconcileResult {
  applied: number;
  skipped: number;
  pruned: number;
  status?: IopStatus;
  deleted?: number;
}

function nullRemoved(prev: JsonObject, next: JsonObject): JsonObject {
  const out: JsonObject = { ...next };
  for (const [k, v] of Object.entries(prev)) {
    if (!(k in next)) out[k] = null;
    else if (isObject(v) && isObject(next[k])) out[k] = nullRemoved(v, next[k] as JsonObject);
  }
  return out;
}

export class IopController {
  readonly kube: Kube;
  private readonly log: Logger;
  private readonly o: Required<Omit<OperatorOptions, "namespace" | "kc" | "logger" | "metrics">> & { namespace?: string };
  private informer: k8s.Informer<k8s.KubernetesObject> | undefined;
  private readonly due = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly generations = new Map<string, number>();
  private wake: (() => void) | undefined;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Reconciles completed, for tests and metrics. */
  reconciles = 0;
  busy: string | undefined;

  constructor(private readonly opts: OperatorOptions) {
    this.kube = new Kube(opts.kc, opts.fieldManager ?? "pilotfish-operator");
    this.log = opts.logger;
    this.o = {
      namespace: opts.namespace,
      readinessTimeoutMs: opts.readinessTimeoutMs ?? 60_000,
      readinessPollMs: opts.readinessPollMs ?? 1_000,
      recheckMs: opts.recheckMs ?? 30_000,
      resyncMs: opts.resyncMs ?? 300_000,
      fieldManager: opts.fieldManager ?? "pilotfish-operator",
    };
  }

  enqueue(key: string, delayMs = 0): void {
    const at = Date.now() + delayMs;
    const cur = this.due.get(key);
    if (cur === undefined || at < cur) this.due.set(key, at);
    this.wake?.();
  }

  /** Starts the informer and the worker; stops when `signal` aborts (e.g. leadership lost). */
  async start(signal?: AbortSignal): Promise<void> {
    this.stopped = false;
    signal?.addEventListener("abort", () => void this.stop());
    const custom = this.opts.kc.makeApiClient(k8s.CustomObjectsApi);
    const ns = this.o.namespace;
    const path = ns ? `/apis/${IOP_API}/namespaces/${ns}/istiooperators` : `/apis/${IOP_API}/istiooperators`;
    const list = () =>
      (ns
        ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: "istiooperators" })
        : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "istiooperators" })) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
    const informer = k8s.makeInformer(this.opts.kc, path, list);
    this.informer = informer;
    const keyOf = (o: k8s.KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
    informer.on("add", (o) => this.enqueue(keyOf(o)));
    informer.on("update", (o) => {
      // Our own status writes do not need a reconcile: only spec (generation), deletion or finalizer changes.
      const m = o.metadata ?? {};
      const seen = this.generations.get(keyOf(o));
      if (m.deletionTimestamp || seen === undefined || seen !== m.generation || !(m.finalizers ?? []).includes(FINALIZER)) this.enqueue(keyOf(o));
    });
    informer.on("delete", (o) => this.generations.delete(keyOf(o)));
    informer.on("error", (err) => {
      if (this.stopped) return;
      this.log.warn({ err: String(err) }, "IstioOperator watch failed; restarting in 2s");
      setTimeout(() => !this.stopped && informer.start().catch(() => undefined), 2000);
    });
    await informer.start();
    this.resyncTimer = setInterval(() => {
      for (const o of informer.list()) this.enqueue(keyOf(o));
    }, this.o.resyncMs);
    this.loop = this.work();
    this.log.info({ namespace: ns ?? "(all)" }, "IstioOperator controller started");
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.resyncTimer);
    await this.informer?.stop();
    this.wake?.();
    await this.loop;
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      let next: [string, number] | undefined;
      for (const e of this.due) if (!next || e[1] < next[1]) next = e;
      if (!next || next[1] > now) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, next ? Math.min(next[1] - now, 1000) : 1000);
          this.wake = () => (clearTimeout(t), resolve());
        });
        this.wake = undefined;
        continue;
      }
      const key = next[0];
      this.due.delete(key);
      const [ns, name] = key.split("/");
      this.busy = key;
      const m = this.opts.metrics;
      const writes0 = { ...this.kube.writes };
      const stopTimer = m?.operatorReconcileTime.startTimer();
      try {
        const r = await this.reconcile(ns, name);
        this.failures.delete(key);
        m?.operatorReconciles.inc({ result: (r.status?.status ?? "none").toLowerCase() });
        m?.operatorPruned.inc(r.pruned);
        if (r.status && r.status.status === "RECONCILING") this.enqueue(key, this.o.recheckMs);
      } catch (e) {
        m?.operatorReconciles.inc({ result: "failed" });
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const delay = Math.min(1000 * 2 ** (n - 1), 60_000);
        this.log.error({ err: (e as Error).message, iop: key, retryInMs: delay }, "reconcile failed");
        this.enqueue(key, delay);
      } finally {
        stopTimer?.();
        if (m) for (const verb of ["apply", "create", "patch", "delete"] as const) m.operatorWrites.inc({ verb }, this.kube.writes[verb] - writes0[verb]);
        this.busy = undefined;
        this.reconciles++;
      }
    }
  }

  private async event(cr: JsonObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const m = cr.metadata as { name: string; namespace: string; uid?: string };
    const now = new Date().toISOString();
    try {
      await this.kube.create("v1", "Event", m.namespace, {
        metadata: { generateName: `${m.name}.`, namespace: m.namespace },
        involvedObject: { apiVersion: IOP_API, kind: "IstioOperator", name: m.name, namespace: m.namespace, uid: m.uid ?? "" },
        reason,
        message: message.slice(0, 1024),
        type,
        source: { component: "pilotfish-operator" },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (e) {
      this.log.warn({ err: (e as Error).message, reason }, "could not record event");
    }
  }

  private async writeStatus(cr: JsonObject, next: IopStatus): Promise<void> {
    const m = cr.metadata as { name: string; namespace: string };
    const prev = cr.status;
    if (!statusChanged(prev, next)) return;
    // A JSON merge patch keeps keys it does not mention: null out what the new status no longer has.
    const patch = nullRemoved(isObject(prev) ? prev : {}, JSON.parse(JSON.stringify(next)) as JsonObject);
    await this.kube.mergePatch(IOP_API, "IstioOperator", m.namespace, m.name, { status: patch }, "status");
    cr.status = JSON.parse(JSON.stringify(next));
  }

  /** One reconcile of one IstioOperator. Public so tests can drive it and count its writes. */
  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const result: ReconcileResult = { applied: 0, skipped: 0, pruned: 0 };
    const cr = await this.kube.get(IOP_API, "IstioOperator", namespace, name);
    if (!cr) return result;
    const meta = cr.metadata as { name: string; namespace: string; uid: string; generation?: number; deletionTimestamp?: string; finalizers?: string[]; annotations?: Record<string, string> };
    const owner: Owner = { name, namespace, uid: meta.uid };
    const key = `${namespace}/${name}`;
    const finalizers = meta.finalizers ?? [];

    if (meta.deletionTimestamp) {
      if (!finalizers.includes(FINALIZER)) return result;
      result.pruned = await deleteOwned(this.kube, owner);
      result.deleted = result.pruned;
      await this.event(cr, "Normal", "Uninstalled", `removed ${result.pruned} object(s); the Istio CRDs are kept so that no Istio configuration is lost`);
      const idx = finalizers.indexOf(FINALIZER);
      await this.kube.jsonPatch(IOP_API, "IstioOperator", namespace, name, [
        { op: "test", path: `/metadata/finalizers/${idx}`, value: FINALIZER },
        { op: "remove", path: `/metadata/finalizers/${idx}` },
      ]);
      this.generations.delete(key);
      this.log.info({ iop: key, removed: result.pruned }, "IstioOperator deleted; its objects are removed");
      return result;
    }
    if (meta.annotations?.["install.istio.io/ignoreReconcile"] === "true") return result;
    if (!finalizers.includes(FINALIZER)) {
      await this.kube.mergePatch(IOP_API, "IstioOperator", namespace, name, { metadata: { finalizers: [...finalizers, FINALIZER] } });
    }
    this.generations.set(key, meta.generation ?? 0);
    const now = () => new Date().toISOString();

    // Resolve and render; a bad spec is reported in status and as an Event, and not retried until it changes.
    let desired: DesiredComponent[];
    try {
      const doc = { apiVersion: IOP_API, kind: "IstioOperator", metadata: { name }, spec: isObject(cr.spec) ? cr.spec : {} } as JsonObject;
      const r = resolveIop({ docs: [{ source: `IstioOperator ${key}`, doc }], sets: [] });
      const rendered = render(r);
      for (const w of [...r.warnings, ...rendered.warnings]) this.log.warn({ iop: key }, w);
      desired = desiredComponents(rendered.components, owner, r.revision);
    } catch (e) {
      const msg = e instanceof IopError ? e.message : `render failed: ${(e as Error).message}`;
      const st = buildStatus(cr.status, {}, meta.generation, now(), msg);
      if (statusChanged(cr.status, st)) await this.event(cr, "Warning", "InvalidSpec", msg);
      await this.writeStatus(cr, st);
      result.status = st;
      return result;
    }

    const comps: Record<string, ComponentStatus> = {};
    const prevGen = isObject(cr.status) ? cr.status.observedGeneration : undefined;
    if (prevGen !== meta.generation) {
      for (const c of desired) comps[c.component] = { status: "RECONCILING", message: "applying" };
      await this.writeStatus(cr, buildStatus(cr.status, comps, meta.generation, now()));
    }

    await ensureNamespaces(this.kube, desired);
    const live = await listOwned(this.kube, owner);
    const failed = new Set<string>();
    // An object someone else edited since our last apply is applied again (read from managedFields).
    const drifted = (_k: string, l: JsonObject | undefined) => driftedSinceApply(l, this.kube.fieldManager);
    for (const c of desired) {
      const parentFailed = COMPONENT_PARENTS[c.component].filter((p) => failed.has(p));
      const { applied, skipped, errors } = await applyComponent(this.kube, c, live, drifted);
      result.applied += applied;
      result.skipped += skipped;
      if (errors.length) {
        failed.add(c.component);
        comps[c.component] = { status: "ERROR", error: errors.slice(0, 3).join("; ") + (errors.length > 3 ? ` (and ${errors.length - 3} more)` : "") };
        await this.event(cr, "Warning", "ApplyFailed", `${c.title}: ${comps[c.component].error}`);
      } else {
        comps[c.component] = { status: "RECONCILING", message: "applied" };
        if (applied) await this.event(cr, "Normal", "Applied", `${c.title}: applied ${applied} object(s)${parentFailed.length ? ` (after ${parentFailed.join(", ")} failed)` : ""}`);
      }
    }

    // Prune what the spec no longer renders (all components, disabled ones included).
    const prunedNames = await pruneOwned(this.kube, live, desired);
    result.pruned += prunedNames.length;
    if (prunedNames.length) await this.event(cr, "Normal", "Pruned", `removed ${prunedNames.length} object(s) the spec no longer renders: ${prunedNames.slice(0, 10).join(", ")}${prunedNames.length > 10 ? ", ..." : ""}`);

    // Readiness: bounded; the status says what is still awaited.
    const deadline = Date.now() + this.o.readinessTimeoutMs;
    let status: IopStatus;
    for (;;) {
      for (const c of desired) {
        if (comps[c.component].status === "ERROR") continue;
        const waits = await pendingReadiness(this.kube, c);
        comps[c.component] = waits.length ? { status: "RECONCILING", message: `waiting for ${waits.join(", ")}` } : { status: "HEALTHY" };
      }
      status = buildStatus(cr.status, comps, meta.generation, now());
      await this.writeStatus(cr, status);
      if (status.status !== "RECONCILING" || Date.now() + this.o.readinessPollMs > deadline || this.stopped) break;
      await new Promise((r) => setTimeout(r, this.o.readinessPollMs));
    }
    result.status = status;
    this.log.info({ iop: key, applied: result.applied, unchanged: result.skipped, pruned: result.pruned, status: status.status }, "reconciled");
    return result;
  }
}
