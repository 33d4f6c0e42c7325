// `pilotfish operator`: the IstioOperator controller as its own process, optionally under leader election,
// with /metrics and /healthz on a plain-HTTP port.
import os from "node:os";
import { createServer, type Server } from "node:http";
import type { Command } from "commander";
import type { CliIO, ExitCode } from "./io.js";
import { leaseOptions } from "./iop-input.js";
import { kubeConfig, seconds } from "./install.js";
import { IopController } from "../operator/reconcile/controller.js";
import { LeaderElector } from "../kube/leader.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { createMetrics, type Metrics } from "../telemetry/metrics.js";

/** A plain-HTTP /metrics and /healthz endpoint for the standalone operator. */
async function serveMetrics(metrics: Metrics, port: number, logger: Logger): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("Content-Type", metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    } else if (req.url === "/healthz") res.end("ok");
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, resolve));
  logger.info({ port }, "operator metrics on /metrics");
  return server;
}

export function registerOperator(program: Command, _io: CliIO, exit: ExitCode): void {
  leaseOptions(program.command("operator"))
    .description("run the IstioOperator controller (reconciles install.istio.io/v1alpha1 IstioOperator resources)")
    .option("--namespace <ns>", "watch only this namespace (default: all)")
    .option("--leader-elect", "take a coordination.k8s.io Lease so that only one replica reconciles", false)
    .option("--lease-namespace <ns>", "namespace of the Lease", "istio-system")
    .option("--readiness-timeout <duration>", "how long one reconcile waits for readiness before reporting what it waits for", "60s")
    .option("--resync <duration>", "periodic resync of every IstioOperator", "300s")
    .option("--kubeconfig <file>", "kubeconfig")
    .option("--log-level <level>", "log level", "info")
    .option("--metrics-port <port>", "serve /metrics and /healthz on this port (0: off)", "15014")
    .action(async (opts: { metricsPort: string; namespace?: string; leaderElect: boolean; leaseNamespace: string; leaseDuration: string; renewDeadline: string; retryPeriod: string; readinessTimeout: string; resync: string; kubeconfig?: string; logLevel: string }) => {
      const logger = createLogger({ level: opts.logLevel });
      const kc = kubeConfig(opts.kubeconfig);
      const metrics = createMetrics();
      const port = Number(opts.metricsPort);
      const http = port > 0 ? await serveMetrics(metrics, port, logger).catch((e) => void logger.warn({ port, err: (e as Error).message }, "metrics endpoint not started")) : undefined;
      const controller = new IopController({ kc, logger, metrics, namespace: opts.namespace, readinessTimeoutMs: seconds(opts.readinessTimeout) * 1000, resyncMs: seconds(opts.resync) * 1000 });
      let elector: LeaderElector | undefined;
      if (opts.leaderElect) {
        elector = new LeaderElector({ kc, namespace: opts.leaseNamespace, name: "pilotfish-operator", identity: `${os.hostname()}-${process.pid}`, logger,
          leaseDurationMs: seconds(opts.leaseDuration) * 1000, renewDeadlineMs: seconds(opts.renewDeadline) * 1000, retryPeriodMs: seconds(opts.retryPeriod) * 1000 });
        elector.onStartedLeading((signal) => void controller.start(signal));
        await elector.start();
      } else await controller.start();
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      await controller.stop();
      await elector?.stop?.();
      http?.close();
      exit.code = 0;
    });
}
