// The IstioOperator controller: an informer (src/kube/informer.ts) on install.istio.io/v1alpha1 IstioOperators feeds the
// generic keyed controller (src/kube/controller.ts), whose workers run the IstioOperatorReconciler. This file is
// only wiring: the informer (it relists with backoff when its watch fails), the periodic resync, metrics.
import type { Logger } from "../../telemetry/logger.js";
import type { Metrics } from "../../telemetry/metrics.js";
import { Kube, type KubeConfig } from "../../kube/client.js";
import { Controller, type Outcome } from "../../kube/controller.js";
import { Informer, keyOf, type KubeObject } from "../../kube/informer.js";
import { FINALIZER, L_MANAGED, L_OWNER, L_OWNER_NS } from "./plan.js";
import { IOP_API, IstioOperatorReconciler, ReconcileIncomplete, type IopReconcileResult } from "./reconciler.js";

/**
 * Owned kinds watched (label operator.istio.io/managed=Reconcile) so that one deleted under the operator is put
 * back at once rather than at the next resync; the rarer kinds wait for the resync.
 */
export const WATCHED_OWNED: [string, string][] = [
  ["apps/v1", "Deployment"], ["apps/v1", "DaemonSet"], ["v1", "Service"], ["v1", "ConfigMap"], ["v1", "ServiceAccount"],
  ["apiextensions.k8s.io/v1", "CustomResourceDefinition"],
];

/** Whether an IstioOperator's status says it lost to another one installing the same revision. */
const conflicting = (o: KubeObject) => {
  const st = o.status as { conditions?: { reason?: string }[] } | undefined;
  return (st?.conditions ?? []).some((c) => c.reason === "Conflict");
};

export interface OperatorOptions {
  kc: KubeConfig;
  logger: Logger;
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  /** While something is not ready, look again after this long at first, doubling up to recheckMs (defaults 1 s, 30 s). */
  readinessPollMs?: number;
  recheckMs?: number;
  /** Periodic resync of every IstioOperator (default 5 min). */
  resyncMs?: number;
  /** IstioOperators reconciled at the same time (default 1). */
  workers?: number;
  /** One reconcile running longer is aborted and retried (default 5 min). */
  reconcileTimeoutMs?: number;
  fieldManager?: string;
  /** Where reconcile counts, durations and write calls are recorded. */
  metrics?: Metrics;
}

export class IopController {
  readonly kube: Kube;
  readonly reconciler: IstioOperatorReconciler;
  readonly queue: Controller;
  private readonly log: Logger;
  private informer: Informer | undefined;
  private owned: Informer[] = [];
  /** Generation last reconciled per key: status-only updates (our own writes) need no reconcile. */
  private readonly generations = new Map<string, number>();
  private stopped = true;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Reconciles ended, and those that failed (error or timeout), for tests. */
  reconciles = 0;
  failed = 0;

  constructor(private readonly opts: OperatorOptions) {
    const m = opts.metrics;
    this.kube = new Kube(opts.kc, { fieldManager: opts.fieldManager ?? "pilotfish-operator", onWrite: (verb) => m?.operatorWrites.inc({ verb }) });
    this.log = opts.logger;
    // The generation is noted as soon as a reconcile has read it: its own writes (finalizer, "applying" status)
    // then queue nothing, and a failed pass is retried by the queue's backoff alone.
    this.reconciler = new IstioOperatorReconciler(this.kube, {
      logger: opts.logger,
      firstRecheckMs: opts.readinessPollMs,
      maxRecheckMs: opts.recheckMs,
      onObserved: (key, generation) => {
        if (generation !== undefined) this.generations.set(key, generation);
      },
    });
    this.queue = new Controller({
      workers: opts.workers ?? 1,
      timeoutMs: opts.reconcileTimeoutMs,
      reconcile: async (key, signal) => this.reconcileKey(key, signal),
      onOutcome: (o) => this.outcome(o),
    });
  }

  /** The key being reconciled, if any (the first one with several workers). */
  get busy(): string | undefined {
    return this.queue.busyKeys()[0];
  }

  private async reconcileKey(key: string, signal: AbortSignal): Promise<IopReconcileResult> {
    let r: IopReconcileResult;
    try {
      r = await this.reconciler.reconcile(key, signal);
    } catch (e) {
      // Its own status write must not queue it again at once: the retry is the queue's, with backoff.
      if (e instanceof ReconcileIncomplete && e.generation !== undefined) this.generations.set(key, e.generation);
      throw e;
    }
    if (r.generation !== undefined && !r.deleted) this.generations.set(key, r.generation);
    else this.generations.delete(key);
    const m = this.opts.metrics;
    m?.operatorReconciles.inc({ result: (r.status?.status ?? "none").toLowerCase() });
    m?.operatorPruned.inc(r.pruned);
    return r;
  }

  private outcome(o: Outcome): void {
    this.reconciles++;
    this.opts.metrics?.operatorReconcileTime.observe(o.durationMs / 1000);
    if (o.result === "success") return;
    this.failed++;
    this.opts.metrics?.operatorReconciles.inc({ result: "failed" });
    this.log.error({ err: o.error.message, iop: o.key, retryInMs: o.retryInMs, result: o.result }, "reconcile failed");
  }

  /** Queues an IstioOperator key ("namespace/name"). */
  enqueue(key: string, delayMs = 0): void {
    this.queue.addAfter(key, delayMs);
  }

  /** One reconcile outside the queue (tests: count its writes). */
  reconcile(namespace: string, name: string): Promise<IopReconcileResult> {
    return this.reconciler.reconcile(`${namespace}/${name}`);
  }

  /** Starts the informer and the workers; stops when `signal` aborts (e.g. leadership lost). */
  async start(signal?: AbortSignal): Promise<void> {
    this.stopped = false;
    signal?.addEventListener("abort", () => void this.stop());
    const ns = this.opts.namespace;
    const informer = new Informer({
      kube: this.kube,
      apiVersion: IOP_API,
      kind: "IstioOperator",
      namespace: ns,
      backoffMs: 2000,
      maxBackoffMs: 60_000,
      onError: (err, retryInMs) => {
        if (!this.stopped) this.log.warn({ err: err.message, retryInMs }, "IstioOperator watch failed; restarting");
      },
      onHandlerError: (err) => this.log.error({ err: err.message }, "IstioOperator event handler failed"),
    });
    this.informer = informer;
    // One that lost a revision to another is looked at again when any other goes away or changes its spec.
    const wakeConflicting = (except: string) => {
      for (const o of informer.list()) if (keyOf(o) !== except && conflicting(o)) this.queue.add(keyOf(o));
    };
    informer.on("ADDED", (o) => this.queue.add(keyOf(o)));
    informer.on("MODIFIED", (o: KubeObject, old?: KubeObject) => {
      const m = o.metadata ?? {};
      const seen = this.generations.get(keyOf(o));
      if (m.deletionTimestamp || seen === undefined || seen !== m.generation || !(m.finalizers ?? []).includes(FINALIZER)) this.queue.add(keyOf(o));
      if (old && old.metadata?.generation !== m.generation) wakeConflicting(keyOf(o));
    });
    informer.on("DELETED", (o) => {
      this.generations.delete(keyOf(o));
      wakeConflicting(keyOf(o));
    });
    // An owned object deleted by someone else queues its IstioOperator (ADDED/MODIFIED are our own applies, or
    // status: drift is found by the resync).
    this.owned = WATCHED_OWNED.map(([apiVersion, kind]) => {
      const inf = new Informer({
        kube: this.kube,
        apiVersion,
        kind,
        labelSelector: `${L_MANAGED}=Reconcile`,
        backoffMs: 2000,
        maxBackoffMs: 60_000,
        onError: (err, retryInMs) => {
          if (!this.stopped) this.log.warn({ err: err.message, kind, retryInMs }, "watch of owned objects failed; restarting");
        },
      });
      // Every IstioOperator is queued, not only the one the labels name: an object two of them render (Base's, for
      // two revisions) is put back by the other when its holder is uninstalled.
      inf.on("DELETED", (o: KubeObject) => {
        const l = o.metadata?.labels ?? {};
        if (!l[L_OWNER] || !l[L_OWNER_NS]) return;
        for (const i of informer.list()) if (!i.metadata?.deletionTimestamp) this.queue.add(keyOf(i));
      });
      return inf;
    });
    for (const inf of this.owned) inf.start().catch(() => undefined); // retries by itself; errors are logged
    // A first list that fails is not fatal: the informer keeps retrying with backoff (logged by onError) and its
    // events reach the queue once a list succeeds, so a controller started while the API server is down converges
    // when it comes back (no unhandled rejection, no dead controller).
    this.queue.start();
    this.resyncTimer = setInterval(() => {
      for (const o of informer.list()) this.queue.add(keyOf(o));
    }, this.opts.resyncMs ?? 300_000);
    try {
      await informer.start();
    } catch (e) {
      if (!this.stopped) this.log.warn({ err: (e as Error).message }, "first IstioOperator list failed; retrying in the background");
      return;
    }
    this.log.info({ namespace: ns ?? "(all)" }, "IstioOperator controller started");
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.resyncTimer);
    await this.informer?.stop();
    await Promise.all(this.owned.map((i) => i.stop()));
    await this.queue.stop();
  }
}
