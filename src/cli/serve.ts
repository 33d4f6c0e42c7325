// `pilotfish serve`: the admission webhook server (sidecar injection and validation) over HTTPS.
import fs from "node:fs";
import type * as k8sTypes from "@kubernetes/client-node";
import type { Command } from "commander";
import type { CliIO, ExitCode } from "./main.js";
import { generateServingCert, readCertFiles, serviceDnsNames, watchCertFiles, type TlsMaterial } from "../webhook/certs.js";
import type { ClusterSettings } from "../webhook/cluster-settings.js";
import { StaticSettings, startWebhookServer, type SettingsSource, type ValidateHandler } from "../webhook/server.js";
import { parseNativeSidecarsEnv, settingsFromIstioOperator } from "../webhook/inject/settings.js";
import { createLogger } from "../telemetry/logger.js";
import { createMetrics } from "../telemetry/metrics.js";
import { mergeValues, type JsonObject } from "../mesh/values.js";
import { applySetFlag, readOperatorFile } from "./overlay.js";

interface ServeOpts {
  port: string;
  host: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  caOut?: string;
  serviceName: string;
  serviceNamespace: string;
  configSource: string;
  kubeconfig?: string;
  istioNamespace: string;
  revision: string;
  set: string[];
  operatorFile: string[];
  validation: boolean;
  logLevel: string;
  registerWebhook?: string;
  failurePolicy: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerServe(program: Command, io: CliIO, exit: ExitCode): void {
  program
    .command("serve")
    .description("run the HTTPS admission webhook: /inject (sidecar injection), /validate, /healthz, /readyz, /metrics")
    .option("--port <port>", "HTTPS port", "15017")
    .option("--host <addr>", "listen address", "0.0.0.0")
    .option("--tls-cert-file <file>", "serving certificate (reloaded on change); generated when absent")
    .option("--tls-key-file <file>", "serving key")
    .option("--tls-ca-file <file>", "CA bundle of the serving certificate (for logging/caBundle)")
    .option("--ca-out <file>", "write the generated CA certificate (PEM) here, for a webhook caBundle")
    .option("--service-name <name>", "Service name in the generated certificate's SANs", "pilotfish")
    .option("--service-namespace <ns>", "Service namespace in the generated certificate's SANs", "pilotfish-system")
    .option("--config-source <src>", "where injection settings come from: cluster (Istio's ConfigMaps, watched) or local (flags/files)", "local")
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
    .option("--istio-namespace <ns>", "namespace of Istio's ConfigMaps", "istio-system")
    .option("--revision <rev>", "control-plane revision served", "")
    .option("--set <path=value>", "IstioOperator path for local settings (repeatable)", collect, [])
    .option("--operator-file <file>", "IstioOperator file for local settings (repeatable)", collect, [])
    .option("--no-validation", "do not serve /validate")
    .option("--register-webhook <url>", "create/update the MutatingWebhookConfiguration pointing at this URL with this server's CA (out-of-cluster or local use)")
    .option("--failure-policy <policy>", "failurePolicy of a registered webhook: Fail or Ignore", "Fail")
    .option("--log-level <level>", "log level", process.env.LOG_LEVEL ?? "info")
    .action(async (opts: ServeOpts) => {
      exit.code = await runServe(opts, io);
    });
}

// The Kubernetes client costs ~0.6 s to load: only `serve` pays for it, and only when it talks to a cluster.
async function loadKubeConfig(file: string | undefined): Promise<k8sTypes.KubeConfig> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}

async function runServe(opts: ServeOpts, io: CliIO): Promise<number> {

  const logger = createLogger({ level: opts.logLevel });
  const metrics = createMetrics();
  const nativeMode = parseNativeSidecarsEnv(process.env.ENABLE_NATIVE_SIDECARS);
  let settings: SettingsSource;
  let cluster: ClusterSettings | undefined;
  try {
    if (opts.configSource === "cluster") {
      const kc = await loadKubeConfig(opts.kubeconfig);
      const { ClusterSettings } = await import("../webhook/cluster-settings.js");
      cluster = new ClusterSettings({
        kc,
        istioNamespace: opts.istioNamespace,
        revision: opts.revision,
        nativeMode,
        compliancePolicy: process.env.COMPLIANCE_POLICY || undefined,
        platform: process.env.PLATFORM || undefined,
        logger,
      });
      settings = cluster;
    } else if (opts.configSource === "local") {
      let spec: JsonObject = {};
      for (const f of opts.operatorFile) spec = mergeValues(spec, readOperatorFile(f)) as JsonObject;
      for (const s of opts.set) spec = applySetFlag(spec, s);
      settings = new StaticSettings(
        settingsFromIstioOperator(spec, {
          nativeSidecars: nativeMode === true,
          compliancePolicy: process.env.COMPLIANCE_POLICY || undefined,
          platform: process.env.PLATFORM || undefined,
        }),
      );
    } else {
      io.stderr(`Error: --config-source must be "cluster" or "local", got "${opts.configSource}"\n`);
      return 2;
    }
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 2;
  }

  let tls: TlsMaterial;
  let stopWatching: (() => void) | undefined;
  if (opts.tlsCertFile || opts.tlsKeyFile) {
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

  const validate: ValidateHandler | undefined = opts.validation ? await loadValidator() : undefined;
  const server = await startWebhookServer({
    port: Number(opts.port),
    host: opts.host,
    tls,
    settings,
    revision: opts.revision,
    logger,
    metrics,
    validate,
  });
  if (opts.tlsCertFile && opts.tlsKeyFile) stopWatching = watchCertFiles(opts.tlsCertFile, opts.tlsKeyFile, opts.tlsCaFile, (m) => server.updateTls(m));
  logger.info({ url: server.url, configSource: opts.configSource, revision: opts.revision || "default" }, "pilotfish webhook listening");
  if (cluster) {
    cluster.start().catch((e) => logger.error({ error: (e as Error).message }, "cannot start the settings watch"));
  }
  if (opts.registerWebhook) {
    try {
      const kc = await loadKubeConfig(opts.kubeconfig);
      const { registerInjectionWebhook } = await import("../webhook/register.js");
      const name = await registerInjectionWebhook(kc, {
        revision: opts.revision,
        clientConfig: { url: opts.registerWebhook, caBundle: tls.ca },
        failurePolicy: opts.failurePolicy === "Ignore" ? "Ignore" : "Fail",
      });
      logger.info({ name, url: opts.registerWebhook }, "registered the injection webhook");
      if (validate) {
        const { registerValidationWebhook } = await import("../webhook/register.js");
        const vname = await registerValidationWebhook(kc, { clientConfig: { url: opts.registerWebhook, caBundle: tls.ca }, failurePolicy: opts.failurePolicy === "Ignore" ? "Ignore" : "Fail" });
        logger.info({ name: vname, url: opts.registerWebhook }, "registered the validation webhook");
      }
    } catch (e) {
      logger.error({ error: (e as Error).message }, "cannot register the injection webhook");
      await server.close();
      return 1;
    }
  }

  return await new Promise<number>((resolve) => {
    const shutdown = async (signal: string) => {
      logger.info({ signal }, "draining: readiness off, finishing in-flight reviews");
      stopWatching?.();
      cluster?.stop();
      await server.drain();
      logger.info("stopped");
      resolve(0);
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));
  });
}

/** The validation core, when this build has it. */
async function loadValidator(): Promise<ValidateHandler | undefined> {
  const { makeValidateHandler } = await import("../webhook/validate-review.js");
  const modulePath = "../webhook/validate/index.js";
  try {
    const mod = (await import(modulePath)) as { admissionValidate?: (review: unknown) => Record<string, unknown> };
    return mod.admissionValidate ? makeValidateHandler(mod.admissionValidate) : undefined;
  } catch {
    return undefined;
  }
}
