// Prometheus metrics on a private registry (no globals: each server owns one). Istio's injector metric names
// are kept verbatim so existing dashboards work; a finer histogram shows millisecond latencies.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  injectRequests: Counter;
  injectSuccess: Counter;
  injectSkip: Counter;
  injectFailure: Counter;
  injectTime: Histogram;
  injectLatency: Histogram<"result">;
  validateRequests: Counter<"kind" | "result">;
  /** Istio's validation metrics, under Istio's names and labels, for its dashboards and alerts. */
  galleyPassed: Counter<"group" | "version" | "resource">;
  galleyFailed: Counter<"group" | "version" | "resource" | "reason">;
  galleyHttpError: Counter<"status">;
  validateLatency: Histogram;
  operatorReconciles: Counter<"result">;
  operatorReconcileTime: Histogram;
  operatorWrites: Counter<"verb">;
  operatorPruned: Counter;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    injectRequests: new Counter({ name: "sidecar_injection_requests_total", help: "Total number of sidecar injection requests.", registers }),
    injectSuccess: new Counter({ name: "sidecar_injection_success_total", help: "Total number of successful sidecar injection requests.", registers }),
    injectSkip: new Counter({ name: "sidecar_injection_skip_total", help: "Total number of skipped sidecar injection requests.", registers }),
    injectFailure: new Counter({ name: "sidecar_injection_failure_total", help: "Total number of failed sidecar injection requests.", registers }),
    injectTime: new Histogram({
      name: "sidecar_injection_time_seconds",
      help: "Total time taken for injection in seconds.",
      buckets: [0.1, 1, 3, 5, 10, 20, 30, 60],
      registers,
    }),
    injectLatency: new Histogram({
      name: "pilotfish_injection_duration_seconds",
      help: "Time to answer an injection review, by result (millisecond buckets).",
      labelNames: ["result"],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    validateRequests: new Counter({
      name: "pilotfish_validation_requests_total",
      help: "Validation reviews answered, by resource kind and result (allowed, denied, error).",
      labelNames: ["kind", "result"],
      registers,
    }),
    validateLatency: new Histogram({
      name: "pilotfish_validation_duration_seconds",
      help: "Time to answer a validation review.",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    galleyPassed: new Counter({ name: "galley_validation_passed", help: "Resource is valid", labelNames: ["group", "version", "resource"], registers }),
    galleyFailed: new Counter({ name: "galley_validation_failed", help: "Resource validation failed", labelNames: ["group", "version", "resource", "reason"], registers }),
    galleyHttpError: new Counter({ name: "galley_validation_http_error", help: "Resource validation http serve errors", labelNames: ["status"], registers }),
    operatorReconciles: new Counter({
      name: "pilotfish_operator_reconciles_total",
      help: "IstioOperator reconciles, by result (healthy, reconciling, error, failed: an exception that is retried).",
      labelNames: ["result"],
      registers,
    }),
    operatorReconcileTime: new Histogram({
      name: "pilotfish_operator_reconcile_duration_seconds",
      help: "Time of one IstioOperator reconcile (a reconcile never waits for readiness: it requeues).",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    operatorWrites: new Counter({
      name: "pilotfish_operator_writes_total",
      help: "Write calls the operator made to the API server, by verb (apply, create, patch, delete); a resync with nothing to change adds none.",
      labelNames: ["verb"],
      registers,
    }),
    operatorPruned: new Counter({ name: "pilotfish_operator_pruned_objects_total", help: "Objects removed because the IstioOperator no longer renders them.", registers }),
  };
}
