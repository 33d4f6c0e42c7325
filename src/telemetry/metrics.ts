// Prometheus metrics on a private registry (no globals: each server owns one). Istio's injector metric names
// are kept verbatim so existing dashboards work; a finer histogram shows millisecond latencies.
//
// State gauges (certificate expiry, leadership, config sync age) are read when scraped, from getters the
// process registers (watchCertificates, watchLeader, watchConfigSync): nothing has to remember to set them.
// Names here are the contract of the chart's dashboard and alert rules (test/unit/observability.test.ts checks
// every PromQL expression there against the names this file registers).
import { X509Certificate } from "node:crypto";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** What pilotfish_build_info reports: scripts/build.mjs bakes version and commit; istioVersion is the release followed. */
export interface BuildInfo {
  version: string;
  commit: string;
  istioVersion: string;
}

/** The PEMs a process serves now: the serving certificate (leaf first) and the CA bundle that signs it. */
export interface ServedCertificates {
  cert?: string;
  ca?: string;
}

/** A watched configuration source: when it was last known current, and whether it is current now (watch up). */
export interface SyncState {
  /** ms since epoch of the last list, change or confirmation; undefined before the first. */
  lastSync?: number;
  /** True while the source is being watched without error: its data is current as of now. */
  current: boolean;
}

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
  validateLatency: Histogram<"result">;
  operatorReconciles: Counter<"result">;
  operatorReconcileTime: Histogram;
  operatorWrites: Counter<"verb">;
  operatorPruned: Counter;
  buildInfo: Gauge<"version" | "commit" | "istio_version">;
  certExpiry: Gauge<"cert">;
  leader: Gauge<"lease">;
  configSyncAge: Gauge<"source">;
  configLastSync: Gauge<"source">;
  /** Sets pilotfish_build_info{version,commit,istio_version} 1 (the previous labels are dropped). */
  setBuildInfo(info: BuildInfo): void;
  /** pilotfish_cert_expiry_timestamp_seconds{cert="serving"|"ca"} from what `get` returns at scrape time. */
  watchCertificates(get: () => ServedCertificates | undefined): void;
  /** pilotfish_leader{lease} 1 while `isLeader()`, else 0. */
  watchLeader(lease: string, isLeader: () => boolean): void;
  /** pilotfish_config_sync_age_seconds{source} and pilotfish_config_last_sync_timestamp_seconds{source}. */
  watchConfigSync(source: string, get: () => SyncState): void;
}

/** Seconds since epoch of the certificate's notAfter, and whether it issued `leaf`; cached per PEM. */
const parsed = new Map<string, X509Certificate | null>();
function x509(pem: string): X509Certificate | undefined {
  if (!parsed.has(pem)) {
    if (parsed.size > 64) parsed.clear();
    try {
      parsed.set(pem, new X509Certificate(pem));
    } catch {
      parsed.set(pem, null);
    }
  }
  return parsed.get(pem) ?? undefined;
}
const pems = (bundle: string | undefined) => bundle?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => c + "\n") ?? [];
const notAfterSeconds = (x: X509Certificate) => Math.floor(new Date(x.validTo).getTime() / 1000);

/**
 * Pure: the expiry (seconds since epoch) of the serving certificate (the first of `cert`) and of the CA that
 * issued it (among `ca`; the soonest-expiring CA when none can be matched). A CA bundle in rotation holds an
 * old and a new CA: only the one that signs what is served matters for an expiry alert.
 */
export function certificateExpiries(served: ServedCertificates | undefined): { serving?: number; ca?: number } {
  const out: { serving?: number; ca?: number } = {};
  const leaf = pems(served?.cert).map(x509)[0];
  if (leaf) out.serving = notAfterSeconds(leaf);
  const cas = pems(served?.ca).map(x509).filter((x): x is X509Certificate => !!x);
  const issuer = leaf ? cas.find((c) => leaf.checkIssued(c)) : undefined;
  const ca = issuer ?? cas.sort((a, b) => notAfterSeconds(a) - notAfterSeconds(b))[0];
  if (ca) out.ca = notAfterSeconds(ca);
  return out;
}

export function createMetrics(opts: { defaultMetrics?: boolean; now?: () => number; build?: BuildInfo } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const now = opts.now ?? Date.now;
  const certSources: (() => ServedCertificates | undefined)[] = [];
  const leaders = new Map<string, () => boolean>();
  const syncs = new Map<string, () => SyncState>();
  const syncState = (source: string, get: () => SyncState) => {
    const s = get();
    const at = s.current ? now() : s.lastSync;
    return { source, at, age: at === undefined ? undefined : Math.max(0, (now() - at) / 1000) };
  };
  const buildInfo = new Gauge({
    name: "pilotfish_build_info",
    help: "Always 1; the labels say which pilotfish build runs (version, git commit) and the Istio release it follows.",
    labelNames: ["version", "commit", "istio_version"],
    registers,
  });
  const m: Metrics = {
    registry,
    buildInfo,
    certExpiry: new Gauge({
      name: "pilotfish_cert_expiry_timestamp_seconds",
      help: "When the certificate served on the webhook port expires (notAfter, seconds since epoch): cert=serving is the leaf, cert=ca the CA that signed it.",
      labelNames: ["cert"],
      registers,
      collect() {
        this.reset();
        for (const get of certSources) {
          const e = certificateExpiries(get());
          if (e.serving !== undefined) this.set({ cert: "serving" }, e.serving);
          if (e.ca !== undefined) this.set({ cert: "ca" }, e.ca);
        }
      },
    }),
    leader: new Gauge({
      name: "pilotfish_leader",
      help: "1 while this replica holds the Lease (namespace/name) and runs the singletons (certificate rotation, IstioOperator reconciles), else 0.",
      labelNames: ["lease"],
      registers,
      collect() {
        for (const [lease, isLeader] of leaders) this.set({ lease }, isLeader() ? 1 : 0);
      },
    }),
    configSyncAge: new Gauge({
      name: "pilotfish_config_sync_age_seconds",
      help: "Seconds since a configuration source (injector: the istio-sidecar-injector ConfigMap, mesh: the istio ConfigMap) was last known current; 0 while its watch is up.",
      labelNames: ["source"],
      registers,
      collect() {
        this.reset();
        for (const [source, get] of syncs) {
          const s = syncState(source, get);
          if (s.age !== undefined) this.set({ source }, s.age);
        }
      },
    }),
    configLastSync: new Gauge({
      name: "pilotfish_config_last_sync_timestamp_seconds",
      help: "When a configuration source was last known current (seconds since epoch; now while its watch is up).",
      labelNames: ["source"],
      registers,
      collect() {
        this.reset();
        for (const [source, get] of syncs) {
          const s = syncState(source, get);
          if (s.at !== undefined) this.set({ source }, s.at / 1000);
        }
      },
    }),
    setBuildInfo(info) {
      buildInfo.reset();
      buildInfo.set({ version: info.version, commit: info.commit, istio_version: info.istioVersion }, 1);
    },
    watchCertificates(get) {
      certSources.push(get);
    },
    watchLeader(lease, isLeader) {
      leaders.set(lease, isLeader);
    },
    watchConfigSync(source, get) {
      syncs.set(source, get);
    },
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
      help: "Time to answer a validation review, by result (allowed, denied, error).",
      labelNames: ["result"],
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
  if (opts.build) m.setBuildInfo(opts.build);
  return m;
}
