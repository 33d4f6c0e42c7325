// The one place pilotfish loads a kubeconfig: --kubeconfig FILE, else client-node's defaults ($KUBECONFIG,
// ~/.kube/config, in-cluster), then --context. client-node falls back to a made-up `http://localhost:8080`
// cluster when it finds nothing, which later fails with "HTTP protocol is not allowed when skipTLSVerify is not
// set": we say what is actually wrong instead. client-node is imported lazily (it costs ~0.6 s to load), so
// commands that never talk to a cluster do not pay for it.
import type * as k8s from "@kubernetes/client-node";

export const NO_CLUSTER = "no cluster configured: set KUBECONFIG, pass --kubeconfig, or run in a cluster";

export class KubeConfigError extends Error {}

export interface KubeConfigOptions {
  /** A kubeconfig file (the --kubeconfig flag); default loading when unset. */
  kubeconfig?: string;
  /** A context of that kubeconfig (the --context flag); its current context when unset. */
  context?: string;
}

/** What client-node invents when there is no kubeconfig at all (see KubeConfig.loadFromDefault). */
function isMadeUpDefault(kc: k8s.KubeConfig): boolean {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  return kc.getContexts().length === 1 && kc.getCurrentContext() === "loaded-context" && cluster?.name === "cluster" && cluster.server === "http://localhost:8080" && user?.name === "user" && !user.token && !user.certData && !user.certFile;
}

/** Checks a loaded kubeconfig (exported for tests; loadKubeConfig calls it). */
export function checkKubeConfig(kc: k8s.KubeConfig, source: string, context?: string): k8s.KubeConfig {
  if (context) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(`--context ${context}: no such context in ${source}${known.length ? `; contexts: ${known.join(", ")}` : ""}`);
    }
    kc.setCurrentContext(context);
  }
  if (isMadeUpDefault(kc)) throw new KubeConfigError(NO_CLUSTER);
  const cluster = kc.getCurrentCluster();
  if (!cluster || !cluster.server) throw new KubeConfigError(`${source} has no current cluster (context ${JSON.stringify(kc.getCurrentContext())}): ${NO_CLUSTER}`);
  if (cluster.server.startsWith("http:") && !cluster.skipTLSVerify) {
    throw new KubeConfigError(`cluster ${cluster.name} in ${source} is served over plain http (${cluster.server}): use https, or set insecure-skip-tls-verify: true for it`);
  }
  return kc;
}

export async function loadKubeConfig(opts: KubeConfigOptions = {}): Promise<k8s.KubeConfig> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new KubeConfigError(`cannot load kubeconfig ${opts.kubeconfig ?? process.env.KUBECONFIG ?? ""}: ${(e as Error).message}`.replace(/  +/g, " "));
  }
  return checkKubeConfig(kc, opts.kubeconfig ?? (process.env.KUBECONFIG || "the default kubeconfig"), opts.context);
}
