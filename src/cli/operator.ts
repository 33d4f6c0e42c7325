// `pilotfish operator`: the IstioOperator controller as its own process, optionally under leader election,
// with /metrics and /healthz on a plain-HTTP port.
import os from "node:os";
import { Option, type Command } from "commander";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { leaseOptions } from "./iop-input.js";
import { clusterFlags, clusterOptions, type ClusterFlagUse } from "./cluster.js";
import { durationFlag } from "../config/duration.js";
import { loadKubeConfig } from "../kube/kubeconfig.js";
import type { LeaderElector } from "../kube/leader.js";
import { createLogger } from "../telemetry/logger.js";
import { createMetrics } from "../telemetry/metrics.js";
import { startMonitoringServer } from "../telemetry/monitoring.js";
import { buildInfo } from "./version.js";

interface OperatorFlags {
  monitoringPort: string;
  /** The earlier spelling of --monitoring-port (hidden; wins when given). */
  metricsPort?: string;
  leaderElect: boolean;
  leaseNamespace?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  recheck: string;
  resync: string;
  workers: string;
  logLevel: string;
}

const OPERATOR_USE: ClusterFlagUse = {
  namespace: "watch only IstioOperators in this namespace (default: all namespaces)",
  istioNamespace: "Istio system namespace: where the leader Lease lives unless --lease-namespace says otherwise",
};

/** Every flag checked before anything starts, so a typo fails at once, naming the flag. */
export function operatorSettings(o: OperatorFlags) {
  const int = (flag: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!/^\d+$/.test(String(v).trim()) || n < min || n > max) throw new Error(`${flag} ${JSON.stringify(v)}: expected a whole number from ${min} to ${max}`);
    return n;
  };
  return {
    leaseDurationMs: durationFlag("--lease-duration", o.leaseDuration),
    renewDeadlineMs: durationFlag("--renew-deadline", o.renewDeadline),
    retryPeriodMs: durationFlag("--retry-period", o.retryPeriod),
    recheckMs: durationFlag("--recheck", o.recheck),
    resyncMs: durationFlag("--resync", o.resync),
    workers: int("--workers", o.workers, 1, 64),
    metricsPort: o.metricsPort !== undefined ? int("--metrics-port", o.metricsPort, 0, 65535) : int("--monitoring-port", o.monitoringPort, 0, 65535),
  };
}

export function registerOperator(program: Command, io: CliIO, exit: ExitCode): void {
  const operator = leaseOptions(program.command("operator"))
    .description("run the IstioOperator controller (reconciles install.istio.io/v1alpha1 IstioOperator resources)")
    .option("--leader-elect", "take a coordination.k8s.io Lease so that only one replica reconciles", false)
    .option("--lease-namespace <ns>", "namespace of the Lease (default: the -i/--istioNamespace namespace)")
    .option("--recheck <duration>", "while components are not ready, look again at most this long later", "30s")
    .option("--resync <duration>", "periodic resync of every IstioOperator", "300s")
    .option("--workers <n>", "IstioOperators reconciled at the same time", "1")
    .option("--log-level <level>", "log level", "info")
    .option("--monitoring-port <port>", "plain-HTTP port for /metrics and /healthz (0: off)", "15014")
    .addOption(new Option("--metrics-port <port>", "the earlier name of --monitoring-port").hideHelp());
  clusterOptions(operator, OPERATOR_USE)
    .action(async (opts: OperatorFlags, cmd: Command) => {
      const cluster = clusterFlags(cmd);
      let settings: ReturnType<typeof operatorSettings>;
      let kc;
      try {
        settings = operatorSettings(opts);
      } catch (e) {
        io.stderr(`Error: ${(e as Error).message}\n`);
        exit.code = EXIT.USAGE;
        return;
      }
      try {
        kc = await loadKubeConfig(cluster);
      } catch (e) {
        io.stderr(`Error: ${(e as Error).message}\n`);
        exit.code = EXIT.CLUSTER;
        return;
      }
      const logger = createLogger({ level: opts.logLevel });
      const metrics = createMetrics({ build: buildInfo() });
      const port = settings.metricsPort;
      const http = port > 0 ? await startMonitoringServer({ metrics, port, logger }).catch((e) => void logger.warn({ port, error: (e as Error).message }, "monitoring port not started")) : undefined;
      const { IopController } = await import("../operator/reconcile/controller.js");
      const controller = new IopController({ kc, logger, metrics, namespace: cluster.namespace, recheckMs: settings.recheckMs, resyncMs: settings.resyncMs, workers: settings.workers });
      let elector: LeaderElector | undefined;
      if (opts.leaderElect) {
        const { LeaderElector } = await import("../kube/leader.js");
        const leaseNamespace = opts.leaseNamespace ?? cluster.istioNamespace;
        elector = new LeaderElector({ kc, namespace: leaseNamespace, name: "pilotfish-operator", identity: `${os.hostname()}-${process.pid}`, logger,
          leaseDurationMs: settings.leaseDurationMs, renewDeadlineMs: settings.renewDeadlineMs, retryPeriodMs: settings.retryPeriodMs });
        const lead = elector;
        metrics.watchLeader(`${leaseNamespace}/pilotfish-operator`, () => lead.isLeader());
        elector.onStartedLeading((signal) => void controller.start(signal));
        await elector.start();
      } else await controller.start();
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      await controller.stop();
      await elector?.stop();
      await http?.close();
      exit.code = 0;
    });
}
