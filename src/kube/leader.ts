// Leader election over a coordination.k8s.io/v1 Lease (client-node has no helper). Every replica serves
// admission reviews; only the leader runs the singletons: the certificate controller and, when enabled, the
// IstioOperator reconciler. Plug one in with `onStartedLeading(fn)`: `fn` gets an AbortSignal that fires when
// leadership is lost or the process stops.
//
// Same rules as client-go's leaderelection: a holder renews every retryPeriod; it gives up leadership when it
// could not renew within renewDeadline; every write carries the resourceVersion read, so two candidates never
// both win. Expiry is judged on the candidate's own clock, never on the holder's renewTime: a candidate notes
// when it last saw the Lease change (holder, renewTime or resourceVersion) and takes it only once leaseDuration
// has passed on its clock since then. Replicas whose clocks disagree therefore never steal a renewed Lease.
import type { Logger } from "../telemetry/logger.js";
import type { JsonObject } from "../config/values.js";
import { Kube, type KubeConfig } from "./client.js";

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type LeaseDecision = { action: "renew" } | { action: "acquire"; transitions: number } | { action: "wait"; holder: string; expiresAt: number };

/** What a candidate last saw of a Lease, and when by its own clock. */
export interface LeaseObservation {
  key: string;
  observedAt: number;
}

/** Pure: a fresh observation when the Lease changed since `prev` (holder, renewTime, resourceVersion), else `prev`. */
export function observeLease(prev: LeaseObservation | undefined, lease: LeaseRecord | undefined, resourceVersion: string | undefined, now: number): LeaseObservation {
  const key = JSON.stringify([lease?.holderIdentity ?? "", lease?.renewTime ?? "", resourceVersion ?? ""]);
  return prev && prev.key === key ? prev : { key, observedAt: now };
}

/**
 * Pure: what a candidate does with the Lease it read at local time `now`, given when (local time) it last saw
 * the Lease change. The holder's renewTime is another machine's clock and is never compared with `now`.
 */
export function decideLease(lease: LeaseRecord | undefined, identity: string, now: number, observedAt: number): LeaseDecision {
  if (!lease || !lease.holderIdentity) return { action: "acquire", transitions: (lease?.leaseTransitions ?? 0) + (lease ? 1 : 0) };
  if (lease.holderIdentity === identity) return { action: "renew" };
  const expiresAt = observedAt + (lease.leaseDurationSeconds ?? 15) * 1000;
  if (now > expiresAt) return { action: "acquire", transitions: (lease.leaseTransitions ?? 0) + 1 };
  return { action: "wait", holder: lease.holderIdentity, expiresAt };
}

/** RFC 3339 with microseconds: the API server's MicroTime rejects JavaScript's millisecond form. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export interface LeaderElectorOptions {
  /** Where the Lease lives; unused when `api` is given. */
  kc?: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger: Logger;
  /** The Lease API (tests pass a fake); made from `kc` when unset. */
  api?: LeaseApi;
  /** The local clock (tests pass a fake). */
  now?: () => number;
}

/** A Lease as the API server returns it (MicroTimes are strings). */
export interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** The Lease calls the elector makes. A concurrent write fails with an error whose `status` is 409 (KubeError). */
export interface LeaseApi {
  /** Undefined when there is no Lease. */
  read(namespace: string, name: string): Promise<LeaseObject | undefined>;
  create(namespace: string, body: LeaseObject): Promise<LeaseObject>;
  /** Carries body.metadata.resourceVersion: a Lease changed since it was read is a conflict. */
  replace(namespace: string, name: string, body: LeaseObject): Promise<LeaseObject>;
}

const LEASE_API = "coordination.k8s.io/v1";

/** The Lease API on the raw client. */
export function kubeLeaseApi(kube: Kube): LeaseApi {
  return {
    read: async (namespace, name) => (await kube.get(LEASE_API, "Lease", namespace, name)) as LeaseObject | undefined,
    create: async (namespace, body) => (await kube.createObject(LEASE_API, "Lease", namespace, body as unknown as JsonObject)) as LeaseObject,
    replace: async (namespace, name, body) => (await kube.replace(LEASE_API, "Lease", namespace, name, body as unknown as JsonObject)) as LeaseObject,
  };
}

const isConflict = (e: unknown) => (e as { status?: number } | undefined)?.status === 409;

type LeadingFn = (signal: AbortSignal) => void | Promise<void>;

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRenew = 0;
  private abort: AbortController | undefined;
  private readonly started: LeadingFn[] = [];
  private readonly stoppedFns: (() => void)[] = [];
  private api!: LeaseApi;
  private observed: LeaseObservation | undefined;
  private readonly now: () => number;
  private loop: Promise<void> | undefined;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  /** When this replica last became leader (ms since epoch). */
  acquiredAt: number | undefined;

  constructor(private readonly o: LeaderElectorOptions) {
    this.leaseDurationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = o.retryPeriodMs ?? 2_000;
    this.now = o.now ?? Date.now;
    if (o.api) this.api = o.api;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new Error(`leader election needs lease duration > renew deadline > retry period, got ${this.leaseDurationMs} / ${this.renewDeadlineMs} / ${this.retryPeriodMs} ms`);
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Runs `fn` each time this replica becomes leader (at once if it already is). */
  onStartedLeading(fn: LeadingFn): void {
    this.started.push(fn);
    if (this.leading && this.abort) void this.run(fn, this.abort.signal);
  }

  onStoppedLeading(fn: () => void): void {
    this.stoppedFns.push(fn);
  }

  async start(): Promise<void> {
    if (!this.api) {
      if (!this.o.kc) throw new Error("leader election needs a kubeconfig or a Lease API");
      // One attempt per call: the next pass (retryPeriod later) is the retry, as in client-go.
      this.api = kubeLeaseApi(new Kube(this.o.kc, { fieldManager: "pilotfish-leader", retry: { attempts: 1 } }));
    }
    const tick = async () => {
      if (this.stopped) return;
      await this.pass();
      if (!this.stopped) this.timer = setTimeout(() => (this.loop = tick()), this.retryPeriodMs);
    };
    this.loop = tick();
    await this.loop;
  }

  /** One election pass: read the Lease, then acquire, renew or wait. Public for tests. */
  async pass(): Promise<void> {
    await this.tryAcquireOrRenew().catch((e) => this.o.logger.warn({ error: (e as Error).message }, "leader election pass failed"));
    if (this.leading && this.now() - this.lastRenew > this.renewDeadlineMs) this.lose("could not renew the lease within the renew deadline");
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = this.now();
    const existing = await this.api.read(this.o.namespace, this.o.name);
    const spec = existing?.spec;
    const record: LeaseRecord | undefined = spec
      ? {
          holderIdentity: spec.holderIdentity,
          leaseDurationSeconds: spec.leaseDurationSeconds,
          renewTime: spec.renewTime || undefined,
          acquireTime: spec.acquireTime || undefined,
          leaseTransitions: spec.leaseTransitions,
        }
      : undefined;
    this.observed = observeLease(this.observed, record, existing?.metadata?.resourceVersion, now);
    const d = decideLease(record, this.o.identity, now, this.observed.observedAt);
    if (d.action === "wait") {
      if (this.leading) this.lose(`the lease is held by ${d.holder}`);
      return;
    }
    const renewTime = microTime(now);
    const body: LeaseObject = {
      apiVersion: LEASE_API,
      kind: "Lease",
      metadata: { name: this.o.name, namespace: this.o.namespace, ...(existing ? { resourceVersion: existing.metadata?.resourceVersion } : {}) },
      spec: {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: d.action === "acquire" ? renewTime : (record?.acquireTime ? microTime(new Date(record.acquireTime).getTime()) : renewTime),
        renewTime,
        leaseTransitions: d.action === "acquire" ? d.transitions : (record?.leaseTransitions ?? 0),
      },
    } as LeaseObject;
    try {
      if (existing) await this.api.replace(this.o.namespace, this.o.name, body);
      else await this.api.create(this.o.namespace, body);
    } catch (e) {
      if (isConflict(e)) return; // another candidate wrote first
      throw e;
    }
    this.lastRenew = now;
    if (!this.leading) this.win();
  }

  private win(): void {
    this.leading = true;
    this.acquiredAt = this.now();
    this.abort = new AbortController();
    this.o.logger.info({ lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity }, "became leader");
    for (const fn of this.started) void this.run(fn, this.abort.signal);
  }

  private async run(fn: LeadingFn, signal: AbortSignal): Promise<void> {
    try {
      await fn(signal);
    } catch (e) {
      this.o.logger.error({ error: (e as Error).message }, "leader task failed");
    }
  }

  private lose(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.abort?.abort();
    this.o.logger.warn({ reason }, "lost leadership");
    for (const fn of this.stoppedFns) fn();
  }

  /** Stops campaigning; a leader releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.loop?.catch(() => undefined);
    if (!this.leading) return;
    this.lose("stopping");
    try {
      const lease = await this.api.read(this.o.namespace, this.o.name);
      if (lease?.spec?.holderIdentity !== this.o.identity) return;
      const body = {
        apiVersion: LEASE_API,
        kind: "Lease",
        metadata: { name: this.o.name, namespace: this.o.namespace, resourceVersion: lease.metadata?.resourceVersion },
        // An empty holder is free for the taking (client-go's ReleaseOnCancel does the same).
        spec: { holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(Date.now()), acquireTime: microTime(Date.now()), leaseTransitions: lease.spec?.leaseTransitions ?? 0 },
      } as LeaseObject;
      await this.api.replace(this.o.namespace, this.o.name, body);
      this.o.logger.info("released the lease");
    } catch (e) {
      this.o.logger.warn({ error: (e as Error).message }, "could not release the lease; it expires by itself");
    }
  }
}
