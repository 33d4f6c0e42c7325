// `pilotfish serve`: the admission webhook server (sidecar injection and validation) over HTTPS.
import fs from "node:fs";
import os from "node:os";
import type { KubeConfig } from "../kube/client.js";
import type { Command } from "commander";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { certificateExpiry, generateServingCert, readCertFiles, serviceDnsNames, watchCertFiles, type TlsMaterial } from "../kube/certs.js";
import type { CertController } from "../kube/cert-controller.js";
import type { LeaderElector } from "../kube/leader.js";
import type { ClusterSettings } from "../webhook/cluster-settings.js";
import { DEFAULT_LIMITS, StaticSettings, startWebhookServer, type ServerLimits, type SettingsSource, type ValidateHandler, type WebhookServer } from "../webhook/server.js";
import { injectionSettings } from "../config/injection.js";
import { readEnv, type PilotfishEnv } from "../config/env.js";
import { durationFlag } from "../config/duration.js";
import { IopError } from "../config/resolve.js";
import { createLogger } from "../telemetry/logger.js";
import { createMetrics } from "../telemetry/metrics.js";
import { startMonitoringServer, type MonitoringServer } from "../telemetry/monitoring.js";
import { buildInfo } from "./version.js";
import { leaseOptions, reportIopError, resolveFromFlags } from "./iop-input.js";
import { clusterFlags, clusterOptions, isUnreachable, type ClusterFlags, type ClusterFlagUse } from "./cluster.js";
import { Option } from "commander";
import { admissionValidate } from "../webhook/validate/index.js";
import { makeValidateHandler } from "../webhook/validate-review.js";

interface ServeOpts {
  port: string;
  monitoringPort: string;
  host: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  caOut?: string;
  serviceName: string;
  serviceNamespace: string;
  configSource: string;
  revision: string;
  set: string[];
  operatorFile: string[];
  validation: boolean;
  logLevel: string;
  registerWebhook?: string;
  failurePolicy: string;
  certSecret?: string;
  certValidity: string;
  caValidity: string;
  mutatingWebhookConfig: string[];
  validatingWebhookConfig: string[];
  leaderElect?: boolean;
  operator?: boolean;
  leaseName: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  identity?: string;
  drainTimeout: string;
  drainGrace: string;
  maxConnections: string;
  maxHeaderSize: string;
  headersTimeout: string;
  requestTimeout: string;
  keepAliveTimeout: string;
  handshakeTimeout: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerServe(program: Command, io: CliIO, exit: ExitCode): void {
  const serve = leaseOptions(program.command("serve"))
    .description("run the HTTPS admission webhook: /inject (sidecar injection), /validate, /healthz, /readyz, /metrics")
    .option("--port <port>", "HTTPS port", "15017")
    .option("--monitoring-port <port>", "plain-HTTP port for /metrics and /healthz, for Prometheus (0: off; /metrics stays on the HTTPS port too)", "15014")
    .option("--host <addr>", "listen address", "0.0.0.0")
    .option("--tls-cert-file <file>", "serving certificate (reloaded on change); generated when absent")
    .option("--tls-key-file <file>", "serving key")
    .option("--tls-ca-file <file>", "CA bundle of the serving certificate (for logging/caBundle)")
    .option("--ca-out <file>", "write the generated CA certificate (PEM) here, for a webhook caBundle")
    .option("--service-name <name>", "Service name in the generated certificate's SANs", "pilotfish")
    .option("--service-namespace <ns>", "Service namespace in the generated certificate's SANs", "pilotfish-system")
    .option("--config-source <src>", "where injection settings come from: cluster (Istio's ConfigMaps, watched) or local (flags/files)", "local")
    // The chart's (and earlier releases') spelling of -i/--istioNamespace.
    .addOption(new Option("--istio-namespace <ns>").hideHelp())
    .option("--revision <rev>", "control-plane revision served", "")
    .option("--set <path=value>", "IstioOperator path for local settings (repeatable)", collect, [])
    .option("--operator-file <file>", "IstioOperator file for local settings (repeatable)", collect, [])
    .option("--no-validation", "do not serve /validate")
    .option("--register-webhook <url>", "create/update the MutatingWebhookConfiguration pointing at this URL with this server's CA (out-of-cluster or local use)")
    .option("--failure-policy <policy>", "failurePolicy of a registered webhook: Fail or Ignore", "Fail")
    .option("--cert-secret <name>", "keep the CA and serving certificate in this Secret (shared by replicas, rotated by the leader)")
    .option("--cert-validity <duration>", "lifetime of the serving certificate with --cert-secret; rotated at half of it", "8760h")
    .option("--ca-validity <duration>", "lifetime of the CA with --cert-secret", "87600h")
    .option("--mutating-webhook-config <name>", "MutatingWebhookConfiguration whose caBundle --cert-secret keeps in sync (repeatable)", collect, [])
    .option("--validating-webhook-config <name>", "ValidatingWebhookConfiguration whose caBundle --cert-secret keeps in sync (repeatable)", collect, [])
    .option("--leader-elect", "elect a leader (coordination.k8s.io Lease) to run the certificate controller")
    .option("--operator", "also run the IstioOperator controller (on the leader only, with --leader-elect)")
    .option("--lease-name <name>", "Lease used for leader election", "pilotfish-leader")
    .option("--identity <id>", "this replica's name in the Lease (default: $POD_NAME, else host-pid)")
    .option("--drain-timeout <duration>", "on SIGTERM, how long in-flight reviews may take", "20s")
    .option("--drain-grace <duration>", "on SIGTERM, how long to keep serving with /readyz false before closing", "3s")
    .option("--max-connections <n>", "open HTTPS connections at most; more are closed at once (0: no cap)", String(DEFAULT_LIMITS.maxConnections))
    .option("--max-header-size <bytes>", "request line and headers at most; more gets 431", String(DEFAULT_LIMITS.maxHeaderSize))
    .option("--headers-timeout <duration>", "a request's headers must arrive within this, else 408", `${DEFAULT_LIMITS.headersTimeoutMs / 1000}s`)
    .option("--request-timeout <duration>", "a whole request must arrive within this, else 408", `${DEFAULT_LIMITS.requestTimeoutMs / 1000}s`)
    .option("--keep-alive-timeout <duration>", "idle keep-alive connections are closed after this", `${DEFAULT_LIMITS.keepAliveTimeoutMs / 1000}s`)
    .option("--handshake-timeout <duration>", "a TLS handshake must complete within this, else the connection is closed", `${DEFAULT_LIMITS.handshakeTimeoutMs / 1000}s`)
    .option("--log-level <level>", "log level", process.env.LOG_LEVEL ?? "info");
  clusterOptions(serve, SERVE_USE).action(async (opts: ServeOpts, cmd: Command) => {
    exit.code = await runServe(opts, clusterFlags(cmd), io);
  });
}

const SERVE_USE: ClusterFlagUse = {
  namespace: "pilotfish's own namespace: certificate Secret and leader Lease (default: $POD_NAMESPACE, else --service-namespace)",
  istioNamespace: "Istio system namespace: where Istio's ConfigMaps are read with --config-source cluster",
};

// The Kubernetes client costs ~0.6 s to load: only `serve` pays for it, and only when it talks to a cluster.
async function loadKubeConfig(opts: { kubeconfig?: string; context?: string }): Promise<KubeConfig> {
  return (await import("../kube/kubeconfig.js")).loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
}

/** A whole number flag, at least `min`. */
function countFlag(flag: string, value: string, min: number): number {
  const n = /^\d+$/.test(String(value).trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${flag} ${JSON.stringify(value)}: must be a whole number, at least ${min}`);
  return n;
}

async function runServe(opts: ServeOpts, clusterFlags: ClusterFlags, io: CliIO, env: PilotfishEnv = readEnv(process.env)): Promise<number> {
  // Every flag is checked before anything starts: a bad one exits 2 at once, naming the flag.
  let limits: Partial<ServerLimits>;
  let durations: { certValidity: number; caValidity: number; leaseDuration: number; renewDeadline: number; retryPeriod: number; drainTimeout: number; drainGrace: number };
  try {
    durations = {
      certValidity: durationFlag("--cert-validity", opts.certValidity),
      caValidity: durationFlag("--ca-validity", opts.caValidity),
      leaseDuration: durationFlag("--lease-duration", opts.leaseDuration),
      renewDeadline: durationFlag("--renew-deadline", opts.renewDeadline),
      retryPeriod: durationFlag("--retry-period", opts.retryPeriod),
      drainTimeout: durationFlag("--drain-timeout", opts.drainTimeout, { allowZero: true }),
      drainGrace: durationFlag("--drain-grace", opts.drainGrace, { allowZero: true }),
    };
    limits = {
      maxConnections: countFlag("--max-connections", opts.maxConnections, 0),
      maxHeaderSize: countFlag("--max-header-size", opts.maxHeaderSize, 1024),
      headersTimeoutMs: durationFlag("--headers-timeout", opts.headersTimeout),
      requestTimeoutMs: durationFlag("--request-timeout", opts.requestTimeout),
      keepAliveTimeoutMs: durationFlag("--keep-alive-timeout", opts.keepAliveTimeout),
      handshakeTimeoutMs: durationFlag("--handshake-timeout", opts.handshakeTimeout),
    };
    if (limits.headersTimeoutMs! > limits.requestTimeoutMs!) throw new Error(`--headers-timeout ${opts.headersTimeout}: must not exceed --request-timeout ${opts.requestTimeout}`);
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${JSON.stringify(opts.port)}: not a port number (0-65535)`);
    if (!/^\d+$/.test(opts.monitoringPort) || Number(opts.monitoringPort) > 65535) throw new Error(`--monitoring-port ${JSON.stringify(opts.monitoringPort)}: not a port number (0-65535, 0: off)`);
    if (opts.failurePolicy !== "Fail" && opts.failurePolicy !== "Ignore") throw new Error(`--failure-policy ${JSON.stringify(opts.failurePolicy)}: must be Fail or Ignore`);
    if (opts.configSource !== "cluster" && opts.configSource !== "local") throw new Error(`--config-source must be "cluster" or "local", got "${opts.configSource}"`);
    if (opts.configSource === "cluster" && (opts.set.length || opts.operatorFile.length)) throw new Error("--set and --operator-file configure --config-source local; with --config-source cluster the settings come from Istio's ConfigMaps");
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 2;
  }

  const logger = createLogger({ level: opts.logLevel });
  const metrics = createMetrics({ build: buildInfo() });
  let settings: SettingsSource;
  let cluster: ClusterSettings | undefined;
  try {
    if (opts.configSource === "cluster") {
      const kc = await loadKubeConfig(clusterFlags);
      const { ClusterSettings } = await import("../webhook/cluster-settings.js");
      cluster = new ClusterSettings({
        kc,
        istioNamespace: clusterFlags.istioNamespace,
        revision: opts.revision,
        nativeMode: env.nativeSidecars,
        compliancePolicy: env.compliancePolicy,
        platform: env.platform,
        logger,
      });
      settings = cluster;
    } else {
      // The same resolution as kube-inject and manifest generate: profile, files, --set, revision.
      const resolved = await resolveFromFlags({ filename: opts.operatorFile, set: opts.set, revision: opts.revision || undefined }, io);
      for (const w of resolved.warnings) logger.warn({ warning: w }, "IstioOperator input");
      settings = new StaticSettings(injectionSettings(resolved, env));
    }
  } catch (e) {
    if (e instanceof IopError) reportIopError(e, io);
    else io.stderr(`Error: ${(e as Error).message}\n`);
    return isUnreachable(e) ? EXIT.CLUSTER : EXIT.USAGE;
  }

  const namespace = clusterFlags.namespace || env.podNamespace || opts.serviceNamespace;
  const identity = opts.identity || env.podName || `${os.hostname()}-${process.pid}`;

  let tls: TlsMaterial;
  /** What the HTTPS port serves now (for pilotfish_cert_expiry_timestamp_seconds). */
  let served: TlsMaterial | undefined;
  let stopWatching: (() => void) | undefined;
  let server: WebhookServer | undefined;
  let certs: CertController | undefined;
  let leader: LeaderElector | undefined;
  if (opts.certSecret && (opts.tlsCertFile || opts.tlsKeyFile)) {
    io.stderr("Error: --cert-secret and --tls-cert-file/--tls-key-file are two certificate sources: choose one\n");
    return 2;
  }
  if (opts.leaderElect && !opts.certSecret) {
    logger.info("leader election on without --cert-secret: the leader has no certificate work to do");
  }
  if (opts.certSecret || opts.leaderElect) {
    try {
      const kc = await loadKubeConfig(clusterFlags);
      if (opts.leaderElect) {
        const { LeaderElector } = await import("../kube/leader.js");
        leader = new LeaderElector({ kc, namespace, name: opts.leaseName, identity, leaseDurationMs: durations.leaseDuration, renewDeadlineMs: durations.renewDeadline, retryPeriodMs: durations.retryPeriod, logger });
      }
      if (opts.certSecret) {
        const { CertController } = await import("../kube/cert-controller.js");
        const elector = leader;
        certs = new CertController({
          kc,
          namespace,
          secretName: opts.certSecret,
          dnsNames: [...serviceDnsNames(opts.serviceName, opts.serviceNamespace), "localhost"],
          ipAddresses: ["127.0.0.1", "::1"],
          validityMs: durations.certValidity,
          caValidityMs: durations.caValidity,
          mutatingWebhooks: opts.mutatingWebhookConfig,
          validatingWebhooks: opts.validatingWebhookConfig,
          logger,
          onCertificate: (m) => {
            served = m;
            server?.updateTls(m);
          },
          isLeader: () => (elector ? elector.isLeader() : true),
        });
        tls = await certs.bootstrap();
        logger.info({ secret: `${namespace}/${opts.certSecret}`, notAfter: certificateExpiry(tls.cert).toISOString() }, "serving certificate loaded from its Secret");
      }
    } catch (e) {
      io.stderr(`Error: ${(e as Error).message}\n`);
      return isUnreachable(e) ? EXIT.CLUSTER : EXIT.FINDINGS;
    }
  }
  if (certs) {
    // The Secret is the source (loaded above).
  } else if (opts.tlsCertFile || opts.tlsKeyFile) {
    if (!opts.tlsCertFile || !opts.tlsKeyFile) {
      io.stderr("Error: --tls-cert-file and --tls-key-file go together\n");
      return 2;
    }
    try {
      tls = readCertFiles(opts.tlsCertFile, opts.tlsKeyFile, opts.tlsCaFile);
    } catch (e) {
      io.stderr(`Error: cannot read TLS files: ${(e as Error).message}\n`);
      return 2;
    }
  } else {
    tls = await generateServingCert({
      dnsNames: [...serviceDnsNames(opts.serviceName, opts.serviceNamespace), "localhost"],
      ipAddresses: ["127.0.0.1", "::1"],
    });
    if (opts.caOut) fs.writeFileSync(opts.caOut, tls.ca);
    logger.info({ service: `${opts.serviceName}.${opts.serviceNamespace}.svc` }, "generated a self-signed CA and serving certificate");
  }
  if (certs && opts.caOut) fs.writeFileSync(opts.caOut, tls!.ca);

  // Metrics for Prometheus: what is served now, who leads, how fresh the ConfigMaps are.
  served = tls!;
  metrics.watchCertificates(() => served);
  if (leader) metrics.watchLeader(`${namespace}/${opts.leaseName}`, () => leader!.isLeader());
  const settingsWatch = cluster;
  if (settingsWatch) for (const source of ["injector", "mesh"] as const) metrics.watchConfigSync(source, () => settingsWatch.syncState(source));

  const validate: ValidateHandler | undefined = opts.validation ? makeValidateHandler(admissionValidate) : undefined;
  server = await startWebhookServer({
    port: Number(opts.port),
    host: opts.host,
    tls: tls!,
    settings,
    revision: opts.revision,
    logger,
    metrics,
    validate,
    limits,
    readiness: () => (tls! && tls!.cert ? [] : ["serving certificate not loaded"]),
  });
  const webhook = server;
  // After the webhook port: a webhook that cannot listen must not leave this one holding the process open.
  let monitoring: MonitoringServer | undefined;
  if (Number(opts.monitoringPort) > 0) {
    monitoring = await startMonitoringServer({ metrics, port: Number(opts.monitoringPort), host: opts.host, logger }).catch((e) => {
      logger.warn({ port: Number(opts.monitoringPort), error: (e as Error).message }, "monitoring port not started; /metrics is still on the HTTPS port");
      return undefined;
    });
  }
  if (opts.tlsCertFile && opts.tlsKeyFile)
    stopWatching = watchCertFiles(opts.tlsCertFile, opts.tlsKeyFile, opts.tlsCaFile, (m) => {
      served = m;
      webhook.updateTls(m);
    });
  logger.info({ url: webhook.url, configSource: opts.configSource, revision: opts.revision || "default" }, "pilotfish webhook listening");
  if (cluster) {
    cluster.start().catch((e) => logger.error({ error: (e as Error).message }, "cannot start the settings watch"));
  }
  if (opts.registerWebhook) {
    try {
      const kc = await loadKubeConfig(clusterFlags);
      const { registerInjectionWebhook } = await import("../webhook/register.js");
      const name = await registerInjectionWebhook(kc, {
        revision: opts.revision,
        clientConfig: { url: opts.registerWebhook, caBundle: tls!.ca },
        failurePolicy: opts.failurePolicy as "Fail" | "Ignore",
      });
      logger.info({ name, url: opts.registerWebhook }, "registered the injection webhook");
      if (validate) {
        const { registerValidationWebhook } = await import("../webhook/register.js");
        const vname = await registerValidationWebhook(kc, { clientConfig: { url: opts.registerWebhook, caBundle: tls!.ca }, failurePolicy: opts.failurePolicy as "Fail" | "Ignore" });
        logger.info({ name: vname, url: opts.registerWebhook }, "registered the validation webhook");
      }
    } catch (e) {
      logger.error({ error: (e as Error).message }, "cannot register the injection webhook");
      await webhook.close();
      await monitoring?.close();
      return isUnreachable(e) ? EXIT.CLUSTER : EXIT.FINDINGS;
    }
  }
  // Every replica follows the Secret; the leader (or every replica, without election) also rotates and
  // keeps the caBundles in sync. More singletons (the IstioOperator reconciler) plug in with
  // leader.onStartedLeading(fn): fn receives an AbortSignal that fires when leadership ends.
  certs?.start();
  let operator: { stop(): Promise<void> } | undefined;
  if (opts.operator) {
    const { IopController } = await import("../operator/reconcile/controller.js");
    const controller = new IopController({ kc: await loadKubeConfig(clusterFlags), logger, metrics });
    operator = controller;
    if (leader) leader.onStartedLeading((signal) => void controller.start(signal));
    else await controller.start();
  }
  if (leader) {
    leader.onStartedLeading(() => certs?.kick());
    leader.start().catch((e) => logger.error({ error: (e as Error).message }, "leader election did not start"));
  }

  return await new Promise<number>((resolve) => {
    const shutdown = async (signal: string) => {
      logger.info({ signal }, "draining: readiness off, finishing in-flight reviews");
      stopWatching?.();
      // Readiness off first; meanwhile hand leadership over so a successor starts at once.
      const drained = webhook.drain(durations.drainTimeout, durations.drainGrace);
      await certs?.stop();
      await operator?.stop();
      await leader?.stop();
      cluster?.stop();
      await drained;
      await monitoring?.close();
      // Whatever handle a library keeps open (a watch), the process ends once drained.
      setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
      logger.info("stopped");
      resolve(0);
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));
  });
}
