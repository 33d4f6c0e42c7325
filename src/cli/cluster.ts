// The flags of every command that talks to a cluster, istioctl's global flags: -c/--kubeconfig, --context,
// -n/--namespace, -i/--istioNamespace. They are declared here once (clusterOptions), read once into a typed
// ClusterFlags (clusterFlags) and handed down; each command says what -n and -i mean for it, and a command for
// which one means nothing refuses it when given (never accepted and dropped). connectCluster loads the
// kubeconfig and makes sure the API server answers, so "no cluster" and "unreachable" are told apart from
// everything else: both exit 3.
import { Option, type Command } from "commander";
import type { Kube } from "../kube/client.js";
import { KubeConfigError, type KubeConfigOptions } from "../kube/kubeconfig.js";
import { EXIT, type CliIO } from "./io.js";

export interface ClusterFlags extends KubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  /** -n/--namespace: what it selects is the command's (see its help); undefined when not given. */
  namespace?: string;
  /** -i/--istioNamespace: where Istio's control plane lives (default istio-system). */
  istioNamespace: string;
  /** Which of namespace / istioNamespace were given on the command line (not defaults). */
  given: { namespace: boolean; istioNamespace: boolean };
}

export const DEFAULT_ISTIO_NAMESPACE = "istio-system";
export const GLOBAL_GROUP = "Cluster flags (as istioctl's global flags):";

/** The long names of the cluster flags that take a value, with their short forms (main.ts hoists them). */
export const CLUSTER_FLAGS: readonly { long: string; short?: string }[] = [
  { long: "--kubeconfig", short: "-c" },
  { long: "--context" },
  { long: "--namespace", short: "-n" },
  { long: "--istioNamespace", short: "-i" },
];

/** What -n and -i mean for a command: a help text, or why the command has no use for it (then it is refused). */
export interface ClusterFlagUse {
  namespace: string | { unused: string };
  istioNamespace: string | { unused: string };
}

const helpText = (u: string | { unused: string }, what: string) => (typeof u === "string" ? u : `${what}: not used by this command (${u.unused}); refused when given`);

/** Adds the cluster flags to a command, in their own help group. */
export function clusterOptions(cmd: Command, use: ClusterFlagUse): Command {
  const group = (o: Option) => cmd.addOption(o.helpGroup(GLOBAL_GROUP));
  group(new Option("-c, --kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)"));
  group(new Option("--context <name>", "kubeconfig context (default: its current context)"));
  group(new Option("-n, --namespace <ns>", helpText(use.namespace, "Kubernetes namespace")));
  group(new Option("-i, --istioNamespace <ns>", helpText(use.istioNamespace, "Istio system namespace")).default(DEFAULT_ISTIO_NAMESPACE));
  return cmd;
}

/** The cluster flags of a parsed command. */
export function clusterFlags(cmd: Command): ClusterFlags {
  const o = cmd.opts<{ kubeconfig?: string; context?: string; namespace?: string; istioNamespace?: string }>();
  const given = (key: string) => cmd.getOptionValueSource(key) === "cli";
  return {
    kubeconfig: o.kubeconfig || undefined,
    context: o.context || undefined,
    namespace: o.namespace || undefined,
    istioNamespace: o.istioNamespace || DEFAULT_ISTIO_NAMESPACE,
    given: { namespace: given("namespace"), istioNamespace: given("istioNamespace") },
  };
}

/** The usage error for a cluster flag given to a command that has no use for it; undefined when there is none. */
export function unusedClusterFlag(flags: ClusterFlags, command: string, use: ClusterFlagUse): string | undefined {
  if (flags.given.namespace && typeof use.namespace !== "string") return `-n/--namespace: not used by \`pilotfish ${command}\`: ${use.namespace.unused}`;
  if (flags.given.istioNamespace && typeof use.istioNamespace !== "string") return `-i/--istioNamespace: not used by \`pilotfish ${command}\`: ${use.istioNamespace.unused}`;
  return undefined;
}

/** The cluster flags of a parsed command; undefined, after printing the usage error, when one it has no use for was given. */
export function usableClusterFlags(cmd: Command, command: string, use: ClusterFlagUse, io: CliIO): ClusterFlags | undefined {
  const flags = clusterFlags(cmd);
  const unused = unusedClusterFlag(flags, command, use);
  if (unused === undefined) return flags;
  io.stderr(`Error: ${unused}\n`);
  return undefined;
}

/** No cluster configured, or the configured one did not answer: exit 3. */
export class ClusterUnreachableError extends Error {}

const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EPIPE", "ECONNABORTED",
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID", "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/** Whether an error means the cluster could not be reached (as opposed to an answer pilotfish did not like). */
export function isUnreachable(e: unknown): boolean {
  if (e instanceof ClusterUnreachableError) return true;
  if (e instanceof KubeConfigError) return true;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && NETWORK_CODES.has(code)) return true;
  return /: timed out$/.test((e as Error)?.message ?? "");
}

/** Prints an error from a cluster command and returns its exit code: 3 when the cluster was out of reach, else 1. */
export function reportClusterError(e: unknown, io: CliIO): number {
  io.stderr(`Error: ${(e as Error)?.message ?? String(e)}\n`);
  return isUnreachable(e) ? EXIT.CLUSTER : EXIT.FINDINGS;
}

/**
 * The kubeconfig loaded and the API server's /version answered: a client for the command. Throws
 * ClusterUnreachableError (exit 3) when there is no cluster or it does not answer, naming the server.
 */
export async function connectCluster(flags: ClusterFlags, fieldManager: string): Promise<{ kube: Kube; server: string; serverVersion: string }> {
  const { loadKubeConfig } = await import("../kube/kubeconfig.js");
  const { Kube } = await import("../kube/client.js");
  let kc;
  try {
    kc = await loadKubeConfig(flags);
  } catch (e) {
    throw new ClusterUnreachableError((e as Error).message);
  }
  const server = kc.getCurrentCluster()?.server ?? "";
  const where = `the cluster at ${server} (context ${JSON.stringify(kc.getCurrentContext())})`;
  const probe = new Kube(kc, { fieldManager, retry: { attempts: 2, baseDelayMs: 250 } });
  let res;
  try {
    res = await probe.request("GET", "/version");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ClusterUnreachableError(`cannot reach ${where}: ${err.code && !err.message.includes(err.code) ? `${err.code}: ` : ""}${err.message}`);
  }
  if (res.status < 200 || res.status >= 300) throw new ClusterUnreachableError(`${where} answered GET /version with HTTP ${res.status}`);
  let serverVersion = "";
  try {
    serverVersion = (JSON.parse(res.body) as { gitVersion?: string }).gitVersion ?? "";
  } catch {
    // An API server always answers JSON here; without it the version is just unknown.
  }
  return { kube: new Kube(kc, fieldManager), server, serverVersion };
}
