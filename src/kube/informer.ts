// A small informer on `Kube.listWithVersion` + `Kube.watch`, the same loop as client-go's reflector: list (and
// remember the list's resourceVersion), then watch from it, keeping a local cache keyed by namespace/name and
// telling handlers what was ADDED, MODIFIED or DELETED. BOOKMARK events only move the resourceVersion on. When
// the resourceVersion is too old (410 Gone, as an HTTP status or an ERROR event) it relists at once; on any other
// failure it relists after a jittered backoff that doubles per failure and resets once a list succeeds. A relist
// diffs against the cache, so handlers see what changed while nobody was watching, deletions included.
// A watch the server ends normally (timeoutSeconds) is resumed from the last resourceVersion, without a list.
import type { ListOptions, WatchEvent, WatchOptions } from "./client.js";
import { KubeError } from "./client.js";
import type { JsonObject } from "../config/values.js";

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [k: string]: unknown;
}

/** What an informer needs of the client (`Kube` is the real one). */
export interface WatchSource {
  listWithVersion(apiVersion: string, kind: string, o?: ListOptions): Promise<{ items: JsonObject[]; resourceVersion: string }>;
  watch(apiVersion: string, kind: string, o: WatchOptions, onEvent: (e: WatchEvent) => void): Promise<void>;
}

export type InformerEventType = "ADDED" | "MODIFIED" | "DELETED";
/** `old` is the cached object before a MODIFIED. */
export type InformerHandler<T> = (obj: T, old?: T) => void;

export interface InformerOptions extends ListOptions {
  kube: WatchSource;
  apiVersion: string;
  kind: string;
  /** First delay after a failure, doubling per failure up to maxBackoffMs, jittered to [d/2, d) (defaults 1 s, 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Each watch asks the server to end it after a random time in [this, 2 x this) seconds (default 300). */
  watchTimeoutSeconds?: number;
  random?: () => number;
  /** A list or watch failed; the informer relists after `retryInMs`. */
  onError?: (err: Error, retryInMs: number) => void;
  /** A handler threw (the informer carries on). */
  onHandlerError?: (err: Error) => void;
  /** After every successful list (the first and each relist), once its events were delivered. */
  onList?: () => void;
}

export const keyOf = (o: KubeObject): string => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata?.name}`);

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: Record<InformerEventType, InformerHandler<T>[]> = { ADDED: [], MODIFIED: [], DELETED: [] };
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private failures = 0;
  /** A list request cannot be aborted: stop() does not wait for one (its result is dropped). */
  private listing = false;
  /** Settles start()'s promise (once). */
  private firstOk: (() => void) | undefined;
  /** Where the next watch starts. */
  resourceVersion = "";
  /** Lists done (the first one included), for tests and logs. */
  lists = 0;
  /** Whether a list succeeded since start. */
  synced = false;

  constructor(private readonly o: InformerOptions) {}

  on(type: InformerEventType, fn: InformerHandler<T>): this {
    this.handlers[type].push(fn);
    return this;
  }

  /** The cached objects. */
  list(): T[] {
    return [...this.cache.values()];
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  /**
   * Starts listing and watching. Resolves once the first list was delivered to the handlers (or on `stop()`
   * before that); rejects if that first list fails, but keeps retrying (with backoff) until `stop()`.
   */
  start(): Promise<void> {
    if (this.abort && !this.abort.signal.aborted) throw new Error("informer already started");
    this.abort = new AbortController();
    const signal = this.abort.signal;
    return new Promise<void>((resolve, reject) => {
      this.firstOk = resolve;
      this.loop = this.run(signal, resolve, reject);
    });
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.firstOk?.(); // stopped before the first list: start() must not hang
    if (!this.listing) await this.loop;
  }

  private emit(type: InformerEventType, obj: T, old?: T): void {
    for (const fn of this.handlers[type]) {
      try {
        fn(obj, old);
      } catch (e) {
        this.o.onHandlerError?.(e as Error);
      }
    }
  }

  private async run(signal: AbortSignal, firstOk: () => void, firstFailed: (e: Error) => void): Promise<void> {
    let first = true;
    let needList = true;
    while (!signal.aborted) {
      const listing = needList;
      try {
        if (needList) {
          await this.relist(signal);
          if (signal.aborted) break;
          needList = false;
          this.failures = 0;
          if (first) {
            first = false;
            firstOk();
          }
        }
        const started = Date.now();
        const r = await this.watchOnce(signal);
        if (r.gone) needList = true;
        // A server that ends watches at once must not make us spin.
        else if (!r.events && Date.now() - started < 1000) await sleep(this.jitter(this.o.backoffMs ?? 1000), signal);
      } catch (e) {
        if (signal.aborted) break;
        const err = e as Error;
        needList = true;
        // The watch's resourceVersion is too old: relist at once (a list answering 410 is an ordinary failure).
        if (!listing && err instanceof KubeError && err.status === 410) continue;
        const delay = this.nextDelay(err);
        if (first) {
          first = false;
          firstFailed(err);
        }
        this.o.onError?.(err, delay);
        await sleep(delay, signal);
      }
    }
  }

  private jitter(d: number): number {
    const random = this.o.random ?? Math.random;
    return d / 2 + (random() * d) / 2;
  }

  private nextDelay(err: Error): number {
    const base = this.o.backoffMs ?? 1000;
    const d = this.jitter(Math.min(this.o.maxBackoffMs ?? 30_000, base * 2 ** this.failures++));
    return err instanceof KubeError && err.retryAfterMs !== undefined ? Math.max(d, err.retryAfterMs) : d;
  }

  private selectors(): ListOptions {
    return { namespace: this.o.namespace, labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector };
  }

  /** Lists and brings the cache to it: DELETED for what vanished, ADDED for what is new, MODIFIED for what changed. */
  private async relist(signal: AbortSignal): Promise<void> {
    this.listing = true;
    let listed: { items: JsonObject[]; resourceVersion: string };
    try {
      listed = await this.o.kube.listWithVersion(this.o.apiVersion, this.o.kind, this.selectors());
    } finally {
      this.listing = false;
    }
    if (signal.aborted) return;
    const { items, resourceVersion } = listed;
    this.lists++;
    const fresh = new Map<string, T>();
    for (const i of items) fresh.set(keyOf(i as T), i as unknown as T);
    for (const [k, old] of [...this.cache]) {
      if (fresh.has(k)) continue;
      this.cache.delete(k);
      this.emit("DELETED", old);
    }
    for (const [k, obj] of fresh) {
      const old = this.cache.get(k);
      this.cache.set(k, obj);
      if (!old) this.emit("ADDED", obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit("MODIFIED", obj, old);
    }
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.o.onList?.();
  }

  /** One watch from `resourceVersion`; `gone` when the server said it is too old (ERROR 410). */
  private async watchOnce(signal: AbortSignal): Promise<{ gone: boolean; events: number }> {
    const own = new AbortController();
    const onAbort = () => own.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    let gone = false;
    let failure: Error | undefined;
    let events = 0;
    const min = this.o.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(min + (this.o.random ?? Math.random)() * min);
    try {
      await this.o.kube.watch(this.o.apiVersion, this.o.kind, { ...this.selectors(), resourceVersion: this.resourceVersion, timeoutSeconds, signal: own.signal }, (e) => {
        if (own.signal.aborted) return;
        events++;
        const obj = e.object as unknown as T;
        switch (e.type) {
          case "ADDED":
          case "MODIFIED": {
            const k = keyOf(obj);
            const old = this.cache.get(k);
            this.cache.set(k, obj);
            this.moveTo(obj);
            this.emit(e.type, obj, old);
            break;
          }
          case "DELETED": {
            const k = keyOf(obj);
            const old = this.cache.get(k);
            this.cache.delete(k);
            this.moveTo(obj);
            this.emit("DELETED", obj, old);
            break;
          }
          case "BOOKMARK":
            this.moveTo(obj);
            break;
          case "ERROR": {
            const status = e.object as { code?: number; message?: string; reason?: string };
            if (status.code === 410) gone = true;
            else failure = new KubeError(status.code ?? 500, JSON.stringify(e.object), `watch ${this.o.kind}`);
            own.abort();
            break;
          }
          default:
            failure = new Error(`watch ${this.o.kind}: unknown event type ${JSON.stringify((e as { type?: unknown }).type)}`);
            own.abort();
        }
      });
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    if (failure) throw failure;
    return { gone, events };
  }

  private moveTo(obj: KubeObject): void {
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
