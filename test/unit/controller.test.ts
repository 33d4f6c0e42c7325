// The generic keyed controller (src/kube/controller.ts) on a fake clock: dedupe, per-key exclusivity, workers,
// backoff with jitter, requeueAfter, terminal errors, the reconcile time bound.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Controller, TerminalError, type Clock, type ControllerOptions, type Outcome } from "../../src/kube/controller.js";

class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.next;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await flush();
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

function deferred() {
  let resolve!: () => void;
  const p = new Promise<void>((r) => (resolve = r));
  return { p, resolve };
}

function harness(reconcile: ControllerOptions["reconcile"], opts: Partial<ControllerOptions> = {}) {
  const clock = new FakeClock();
  const outcomes: Outcome[] = [];
  const c = new Controller({ reconcile, clock, random: () => 1, baseBackoffMs: 1000, maxBackoffMs: 8000, onOutcome: (o) => outcomes.push(o), ...opts });
  return { c, clock, outcomes };
}

describe("generic controller", () => {
  it("deduplicates: a key added many times before a worker takes it is reconciled once", async () => {
    const runs: string[] = [];
    const { c } = harness(async (k) => void runs.push(k));
    for (let i = 0; i < 5; i++) c.add("ns/a");
    c.add("ns/b");
    c.start();
    await flush();
    assert.deepEqual(runs, ["ns/a", "ns/b"]);
  });

  it("never reconciles a key twice at once; added while running, it runs once more afterwards", async () => {
    let running = 0;
    let maxRunning = 0;
    const gates = [deferred(), deferred()];
    let n = 0;
    const { c } = harness(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gates[Math.min(n++, 1)].p;
      running--;
    }, { workers: 4 });
    c.start();
    c.add("a");
    await flush();
    c.add("a");
    c.add("a");
    await flush();
    assert.equal(n, 1, "the second add waits for the first reconcile");
    gates[0].resolve();
    await flush();
    assert.equal(n, 2, "then runs exactly once more");
    gates[1].resolve();
    await flush();
    assert.equal(n, 2);
    assert.equal(maxRunning, 1);
  });

  it("with several workers a slow key does not hold up the others; with one it does", async () => {
    for (const workers of [2, 1]) {
      const slow = deferred();
      const done: string[] = [];
      const { c } = harness(async (k) => {
        if (k === "slow") await slow.p;
        done.push(k);
      }, { workers });
      c.start();
      c.add("slow");
      c.add("b");
      c.add("c");
      await flush();
      assert.deepEqual(done, workers === 2 ? ["b", "c"] : [], `workers=${workers}`);
      slow.resolve();
      await flush();
      assert.deepEqual(done.sort(), ["b", "c", "slow"]);
    }
  });

  it("retries a failing key with exponential backoff (capped) and resets it after a success", async () => {
    const at: number[] = [];
    let fail = 4;
    const { c, clock, outcomes } = harness(async () => {
      at.push(clock.t);
      if (fail-- > 0) throw new Error("boom");
    });
    c.start();
    c.add("a");
    await clock.advance(60_000);
    assert.deepEqual(at, [0, 1000, 3000, 7000, 15_000], "1 s, 2 s, 4 s, 8 s (cap)");
    assert.deepEqual(outcomes.map((o) => o.result), ["error", "error", "error", "error", "success"]);
    assert.equal((outcomes[0] as { retryInMs?: number }).retryInMs, 1000);
    fail = 1;
    c.add("a");
    await clock.advance(60_000);
    assert.deepEqual(at.slice(5), [60_000, 61_000], "backoff starts again at 1 s");
  });

  it("jitters the backoff between half and all of the exponential delay", () => {
    const lo = new Controller({ reconcile: async () => undefined, baseBackoffMs: 1000, random: () => 0 });
    const hi = new Controller({ reconcile: async () => undefined, baseBackoffMs: 1000, random: () => 1 });
    assert.deepEqual([1, 2, 3].map((n) => lo.backoff(n)), [500, 1000, 2000]);
    assert.deepEqual([1, 2, 3].map((n) => hi.backoff(n)), [1000, 2000, 4000]);
  });

  it("requeueAfter brings the key back then, not before; an event meanwhile runs it at once, without a double run", async () => {
    const at: number[] = [];
    const { c, clock } = harness(async () => {
      at.push(clock.t);
      return at.length === 1 ? { requeueAfterMs: 5000 } : undefined;
    });
    c.start();
    c.add("a");
    await clock.advance(4999);
    assert.deepEqual(at, [0]);
    await clock.advance(1);
    assert.deepEqual(at, [0, 5000]);
    at.length = 0;
    const { c: c2, clock: clock2 } = harness(async () => {
      at.push(clock2.t);
      return { requeueAfterMs: 5000 };
    });
    c2.start();
    c2.add("a");
    await clock2.advance(1000);
    c2.add("a");
    await clock2.advance(4500);
    assert.deepEqual(at, [0, 1000], "the pending requeue was replaced by the event's run");
  });

  it("a terminal error is not retried", async () => {
    let runs = 0;
    const { c, clock, outcomes } = harness(async () => {
      runs++;
      throw new TerminalError("invalid spec");
    });
    c.start();
    c.add("a");
    await clock.advance(600_000);
    assert.equal(runs, 1);
    assert.equal(outcomes[0].result, "terminal");
  });

  it("aborts a reconcile that runs too long, frees its worker, and retries the key only after it really ended", async () => {
    const hang = deferred();
    const seen: string[] = [];
    let signal: AbortSignal | undefined;
    let runsOfA = 0;
    const { c, clock, outcomes } = harness(async (k, s) => {
      seen.push(k);
      if (k === "a" && runsOfA++ === 0) {
        signal = s;
        await hang.p;
      }
    }, { timeoutMs: 100 });
    c.start();
    c.add("a");
    c.add("b");
    await clock.advance(99);
    assert.deepEqual(seen, ["a"], "one worker, busy with a");
    await clock.advance(1);
    assert.equal(signal!.aborted, true);
    assert.equal(outcomes[0].result, "timeout");
    assert.deepEqual(seen, ["a", "b"], "the worker went on to b");
    await clock.advance(5000);
    assert.deepEqual(seen, ["a", "b"], "a's retry waits for a's hung reconcile to end");
    hang.resolve();
    await flush();
    assert.deepEqual(seen, ["a", "b", "a"]);
  });

  it("options given as undefined keep their defaults (no instant timeout)", async () => {
    let signal: AbortSignal | undefined;
    const outcomes: Outcome[] = [];
    const c = new Controller({
      reconcile: async (_k, s) => {
        signal = s;
        await new Promise((r) => setTimeout(r, 30)); // real timers here
      },
      timeoutMs: undefined,
      workers: undefined,
      onOutcome: (o) => outcomes.push(o),
    });
    c.start();
    c.add("a");
    await new Promise((r) => setTimeout(r, 10));
    await c.whenIdle();
    assert.equal(signal!.aborted, false);
    assert.deepEqual(outcomes.map((o) => o.result), ["success"]);
  });

  it("stop() cancels pending requeues and aborts running reconciles", async () => {
    let runs = 0;
    let signal: AbortSignal | undefined;
    const { c, clock } = harness(async (_k, s) => {
      runs++;
      signal = s;
      if (runs === 2) await new Promise((r) => s.addEventListener("abort", r));
      return { requeueAfterMs: 1000 };
    });
    c.start();
    c.add("a");
    await clock.advance(1000);
    assert.equal(runs, 2);
    await c.stop();
    assert.equal(signal!.aborted, true);
    await clock.advance(10_000);
    assert.equal(runs, 2);
  });
});
