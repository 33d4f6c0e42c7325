// `pilotfish version`: the client's version (baked in by scripts/build.mjs: package version, git commit, build
// time), the Istio release it follows, and, from the cluster, the pilotfish Deployments and istiod revisions
// running there, as `istioctl version` prints client and control plane. Like istioctl, --short and --remote are
// on by default (`--short=false` for the long form, `--remote=false` for the client alone).
//
// Without a cluster it differs from istioctl on purpose: istioctl prints the client version, complains on stderr
// and exits 0; pilotfish prints the client version, says why there is no remote part on stderr and exits 3, so
// a script can tell "no cluster" from "cluster checked". `--remote=false` never touches a cluster and exits 0.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, Option, type Command } from "commander";
import { dump } from "js-yaml";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { clusterFlags, clusterOptions, connectCluster, isUnreachable, type ClusterFlags, type ClusterFlagUse } from "./cluster.js";
import { DEFAULT_TAG } from "../config/values.js";
import type { Kube } from "../kube/client.js";
import type { JsonObject } from "../config/values.js";

/** What scripts/build.mjs defines at bundle time; undefined when run from the TypeScript sources. */
declare const __PILOTFISH_BUILD__: { version: string; gitCommit: string; buildDate: string } | undefined;

export interface ClientVersion {
  version: string;
  gitCommit: string;
  buildDate: string;
  /** The Istio release pilotfish is compatible with (its specification). */
  istioVersion: string;
  nodeVersion: string;
}

/** A Deployment of pilotfish or istiod found in the cluster. */
export interface DeployedVersion {
  component: "pilotfish" | "istiod";
  namespace: string;
  name: string;
  /** The image's tag (its digest when it has no tag, "latest" when it has neither). */
  version: string;
  image: string;
  /** istiod: the istio.io/rev label ("default" without one). */
  revision?: string;
  replicas: number;
  readyReplicas: number;
}

export interface VersionReport {
  clientVersion: ClientVersion;
  kubernetesVersion?: string;
  pilotfishVersion?: DeployedVersion[];
  meshVersion?: DeployedVersion[];
}

function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function clientVersion(): ClientVersion {
  const built = typeof __PILOTFISH_BUILD__ !== "undefined" ? __PILOTFISH_BUILD__ : undefined;
  return {
    version: built?.version ?? packageVersion(),
    gitCommit: built?.gitCommit ?? "unknown (run from source)",
    buildDate: built?.buildDate ?? "unknown (run from source)",
    istioVersion: DEFAULT_TAG,
    nodeVersion: process.version,
  };
}

/** Labels of pilotfish_build_info: version and commit as baked by scripts/build.mjs ("unknown" from source). */
export function buildInfo(): { version: string; commit: string; istioVersion: string } {
  const built = typeof __PILOTFISH_BUILD__ !== "undefined" ? __PILOTFISH_BUILD__ : undefined;
  return { version: built?.version ?? packageVersion(), commit: built?.gitCommit ?? "unknown", istioVersion: DEFAULT_TAG };
}

/** The tag of an image reference: `repo/name:tag[@digest]` -> tag; digest only -> the digest; neither -> latest. */
export function imageTag(image: string): string {
  const [ref, digest] = image.split("@");
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  const colon = last.lastIndexOf(":");
  if (colon >= 0) return last.slice(colon + 1);
  return digest ?? "latest";
}

function deployed(component: DeployedVersion["component"], d: JsonObject, containerName: string): DeployedVersion {
  const m = d.metadata as { name: string; namespace: string; labels?: Record<string, string> };
  const spec = d.spec as { replicas?: number; template?: { spec?: { containers?: { name: string; image?: string }[] } } };
  const containers = spec?.template?.spec?.containers ?? [];
  const image = (containers.find((c) => c.name === containerName) ?? containers[0])?.image ?? "";
  const status = (d.status ?? {}) as { readyReplicas?: number };
  return {
    component,
    namespace: m.namespace,
    name: m.name,
    version: image ? imageTag(image) : "unknown",
    image,
    ...(component === "istiod" ? { revision: m.labels?.["istio.io/rev"] || "default" } : {}),
    replicas: spec?.replicas ?? 1,
    readyReplicas: status.readyReplicas ?? 0,
  };
}

const byName = (a: DeployedVersion, b: DeployedVersion) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);

/** pilotfish's Deployments (its chart's app.kubernetes.io/name label; -n or every namespace) and istiod's (app=istiod in -i). */
export async function remoteVersions(kube: Kube, flags: ClusterFlags): Promise<{ pilotfish: DeployedVersion[]; istiod: DeployedVersion[] }> {
  const pf = await kube.listWithVersion("apps/v1", "Deployment", { namespace: flags.namespace, labelSelector: "app.kubernetes.io/name=pilotfish" });
  const istiod = await kube.listWithVersion("apps/v1", "Deployment", { namespace: flags.istioNamespace, labelSelector: "app=istiod" });
  return {
    pilotfish: pf.items.map((d) => deployed("pilotfish", d, "pilotfish")).sort(byName),
    istiod: istiod.items.map((d) => deployed("istiod", d, "discovery")).sort(byName),
  };
}

/** Go's strconv.ParseBool, for `--short=false` / `--remote=false` as istioctl spells them. */
export function parseBool(v: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  throw new InvalidArgumentError(`${JSON.stringify(v)} is not a boolean (true or false)`);
}

export function formatVersion(r: VersionReport, short: boolean): string {
  const c = r.clientVersion;
  const ready = (d: DeployedVersion) => `${d.readyReplicas}/${d.replicas} replicas ready`;
  const lines = [short ? `client version: ${c.version}` : `client version: ${c.version} (git commit ${c.gitCommit}, built ${c.buildDate}, Node.js ${c.nodeVersion})`];
  lines.push(`istio compatibility: ${c.istioVersion}`);
  if (r.kubernetesVersion !== undefined && !short) lines.push(`kubernetes version: ${r.kubernetesVersion || "unknown"}`);
  for (const d of r.pilotfishVersion ?? []) {
    lines.push(`pilotfish version: ${d.version} (${d.namespace}/${d.name}${short ? "" : `, image ${d.image}`}, ${ready(d)})`);
  }
  for (const d of r.meshVersion ?? []) {
    lines.push(`control plane version: ${d.version} (revision ${d.revision}, ${d.namespace}/${d.name}${short ? "" : `, image ${d.image}`}, ${ready(d)})`);
  }
  return lines.join("\n") + "\n";
}

interface VersionOpts {
  output?: string;
  short: boolean;
  remote: boolean;
}

const VERSION_USE: ClusterFlagUse = {
  namespace: "where to look for pilotfish's Deployments (default: every namespace)",
  istioNamespace: "where to look for istiod's Deployments",
};

export function registerVersion(program: Command, io: CliIO, exit: ExitCode): void {
  const cmd = program
    .command("version")
    .description("print the client version and the pilotfish and istiod versions running in the cluster")
    .option("-o, --output <format>", "yaml or json (default: text)")
    .addOption(new Option("-s, --short [bool]", "use --short=false for the full version information").default(true).argParser(parseBool))
    .addOption(new Option("--remote [bool]", "use --remote=false to print the client version only (no cluster)").default(true).argParser(parseBool));
  clusterOptions(cmd, VERSION_USE).action(async (opts: VersionOpts, c: Command) => {
    exit.code = await runVersion(opts, clusterFlags(c), io);
  });
}

export async function runVersion(opts: VersionOpts, flags: ClusterFlags, io: CliIO): Promise<number> {
  if (opts.output !== undefined && opts.output !== "yaml" && opts.output !== "json") {
    io.stderr(`Error: --output must be 'yaml' or 'json', got ${JSON.stringify(opts.output)}\n`);
    return EXIT.USAGE;
  }
  const report: VersionReport = { clientVersion: clientVersion() };
  let failure: unknown;
  if (opts.remote) {
    try {
      const { kube, serverVersion } = await connectCluster(flags, "pilotfish-version");
      const found = await remoteVersions(kube, flags);
      report.kubernetesVersion = serverVersion;
      report.pilotfishVersion = found.pilotfish;
      report.meshVersion = found.istiod;
    } catch (e) {
      failure = e;
    }
  }
  if (opts.output === "json") io.stdout(JSON.stringify(report, null, 2) + "\n");
  else if (opts.output === "yaml") io.stdout(dump(report, { lineWidth: -1, noRefs: true }));
  else io.stdout(formatVersion(report, opts.short));
  if (failure !== undefined) {
    io.stderr(`Error: no version from the cluster: ${(failure as Error).message ?? String(failure)} (--remote=false prints the client version only)\n`);
    return isUnreachable(failure) ? EXIT.CLUSTER : EXIT.FINDINGS;
  }
  if (opts.remote && !opts.output) {
    if (!report.pilotfishVersion?.length) io.stderr(`pilotfish is not present in the cluster (no Deployment labelled app.kubernetes.io/name=pilotfish${flags.namespace ? ` in ${flags.namespace}` : ""})\n`);
    if (!report.meshVersion?.length) io.stderr(`Istio is not present in the cluster (no Deployment labelled app=istiod in ${flags.istioNamespace})\n`);
  }
  return EXIT.OK;
}
