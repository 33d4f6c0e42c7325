// A generic controller in controller-runtime's shape: a deduplicating work queue keyed by object
// ("namespace/name"), N workers, and one reconcile function per key. The queue follows client-go's workqueue:
// a key waiting is queued once however often it is added; a key is never reconciled twice at once (added while
// in progress, it runs again after); failures back off exponentially with jitter per key; a result may ask for
// `requeueAfterMs`; a TerminalError is not retried. Every wait is a timer: nothing polls.

export interface ReconcileResult {
  /** Reconcile this key again after this long (success: the failure count is reset). */
  requeueAfterMs?: number;
}

/** An error a retry cannot fix (e.g. an invalid spec): logged, counted, not requeued. */
export class TerminalError extends Error {}

export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>;

export type Outcome = { key: string; durationMs: number } & ({ result: "success"; requeueAfterMs?: number } | { result: "error" | "terminal" | "timeout"; error: Error; retryInMs?: number });

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
};

export interface ControllerOptions {
  reconcile: Reconciler;
  /** Keys reconciled at the same time (default 1); one slow key never holds the others up when > 1. */
  workers?: number;
  /** First retry after a failure, doubled per consecutive failure up to maxBackoffMs (defaults 1 s and 5 min). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A reconcile running longer is aborted (its signal fires) and retried with backoff (default 5 min). */
  timeoutMs?: number;
  /** Told of every reconcile's end (metrics, logs). */
  onOutcome?: (o: Outcome) => void;
  clock?: Clock;
  random?: () => number;
}

export class Controller {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { at: number; timer: unknown }>();
  private readonly failures = new Map<string, number>();
  private readonly inflight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly o: Required<Omit<ControllerOptions, "onOutcome">> & Pick<ControllerOptions, "onOutcome">;
  private active = 0;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: ControllerOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as ControllerOptions; // unset means default
    this.o = { workers: 1, baseBackoffMs: 1000, maxBackoffMs: 300_000, timeoutMs: 300_000, clock: realClock, random: Math.random, ...given };
    if (!(this.o.workers >= 1)) throw new Error(`workers must be at least 1, got ${this.o.workers}`);
  }

  start(): void {
    this.running = true;
    this.dispatch();
  }

  /** Stops handing out keys, cancels timers, aborts running reconciles and waits for them to end. */
  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.waiting.values()) this.o.clock.clearTimeout(w.timer);
    this.waiting.clear();
    for (const f of this.inflight.values()) f.abort.abort();
    await Promise.all([...this.inflight.values()].map((f) => f.done));
  }

  /** Queues a key (once, however often it is added before a worker takes it). */
  add(key: string): void {
    const w = this.waiting.get(key);
    if (w) {
      this.o.clock.clearTimeout(w.timer);
      this.waiting.delete(key);
    }
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again when the running reconcile ends
    this.queue.push(key);
    this.dispatch();
  }

  /** Queues a key after `ms`; an earlier pending time for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (ms <= 0) return this.add(key);
    const at = this.o.clock.now() + ms;
    const w = this.waiting.get(key);
    if (w && w.at <= at) return;
    if (w) this.o.clock.clearTimeout(w.timer);
    const timer = this.o.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  /** Keys being reconciled right now. */
  busyKeys(): string[] {
    return [...this.processing];
  }

  /** Nothing queued and nothing running (timers for later may be pending). */
  idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0;
  }

  /** Resolves once idle(). */
  whenIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The jittered backoff before the `n`th retry of a key (between half and all of base·2^(n-1), capped). */
  backoff(n: number): number {
    const d = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** Math.min(n - 1, 40));
    return Math.round(d / 2 + (this.o.random() * d) / 2);
  }

  private dispatch(): void {
    while (this.running && this.active < this.o.workers && this.queue.length) {
      const key = this.queue.shift()!;
      this.dirty.delete(key);
      this.processing.add(key);
      this.active++;
      this.process(key);
    }
    if (this.idle()) for (const fn of this.idleWaiters.splice(0)) fn();
  }

  private process(key: string): void {
    const abort = new AbortController();
    const start = this.o.clock.now();
    let slotFreed = false;
    const freeSlot = () => {
      if (slotFreed) return;
      slotFreed = true;
      this.active--;
    };
    let timedOut = false;
    // On timeout the worker slot is handed on, but the key stays "processing" until the reconcile really ends:
    // two reconciles of one key never overlap.
    const timer = this.o.clock.setTimeout(() => {
      timedOut = true;
      abort.abort(new Error(`reconcile of ${key} exceeded ${this.o.timeoutMs} ms`));
      this.fail(key, start, "timeout", abort.signal.reason as Error);
      freeSlot();
      this.dispatch();
    }, this.o.timeoutMs);
    const done = (async () => {
      let outcome: { ok: ReconcileResult | void } | { err: Error };
      try {
        outcome = { ok: await this.o.reconcile(key, abort.signal) };
      } catch (e) {
        outcome = { err: e instanceof Error ? e : new Error(String(e)) };
      }
      this.o.clock.clearTimeout(timer);
      if (!timedOut && this.running) {
        if ("ok" in outcome) this.succeed(key, start, outcome.ok);
        else this.fail(key, start, outcome.err instanceof TerminalError ? "terminal" : "error", outcome.err);
      }
      this.inflight.delete(key);
      this.processing.delete(key);
      if (this.dirty.has(key)) this.queue.push(key);
      freeSlot();
      this.dispatch();
    })();
    this.inflight.set(key, { abort, done });
  }

  private succeed(key: string, start: number, r: ReconcileResult | void): void {
    this.failures.delete(key);
    const requeueAfterMs = r && r.requeueAfterMs !== undefined && r.requeueAfterMs >= 0 ? r.requeueAfterMs : undefined;
    if (requeueAfterMs !== undefined) this.addAfter(key, requeueAfterMs);
    this.o.onOutcome?.({ key, durationMs: this.o.clock.now() - start, result: "success", requeueAfterMs });
  }

  private fail(key: string, start: number, result: "error" | "terminal" | "timeout", error: Error): void {
    let retryInMs: number | undefined;
    if (result === "terminal") this.failures.delete(key);
    else if (this.running) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      retryInMs = this.backoff(n);
      this.addAfter(key, retryInMs);
    }
    this.o.onOutcome?.({ key, durationMs: this.o.clock.now() - start, result, error, retryInMs });
  }
}
