// `pilotfish install` / `uninstall`: apply a rendered installation straight to the cluster, as istioctl
// install does (server-side apply in component order, per-component progress, bounded readiness waits,
// prune), and remove it again. It runs the reconciler's plan (installStep) step after step until every
// component is ready or --readiness-timeout passes. Both ask before destroying something (install over a
// control plane that is already there, uninstall --purge) unless -y is given.
import type { Command } from "commander";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { collect, iopOptions, reportIopError, resolveFromFlags, type IopFlags } from "./iop-input.js";
import { clusterOptions, connectCluster, isUnreachable, reportClusterError, usableClusterFlags, type ClusterFlags, type ClusterFlagUse } from "./cluster.js";
import { confirm, confirmOption } from "./confirm.js";
import { diffAgainstCluster, INSTALL_USE, plannedInstall, printDiffReport } from "./diff.js";
import { statusOf, type Kube } from "../kube/client.js";
import { durationFlag } from "../config/duration.js";
import type { ResolvedIop } from "../config/resolve.js";
import type { JsonObject } from "../config/values.js";
import { PRUNE_KINDS, L_COMPONENT } from "../operator/reconcile/plan.js";
import { installStep, type ComponentStep } from "../operator/reconcile/apply.js";

interface InstallOpts extends IopFlags {
  dryRun: boolean;
  readinessTimeout: string;
  skipConfirmation: boolean;
}

/** How often `install` looks again while components are not ready. */
const INSTALL_POLL_MS = 2000;

const UNINSTALL_USE: ClusterFlagUse = {
  namespace: { unused: "it finds what to remove by its labels, in every namespace" },
  istioNamespace: { unused: "it finds what to remove by its labels, in every namespace" },
};

export function registerInstall(program: Command, io: CliIO, exit: ExitCode): void {
  const install = iopOptions(program.command("install").description("install Istio from a profile / IstioOperator straight into the cluster (as istioctl install)"), "install even if validation fails")
    .option("--dry-run", "print what would be created, changed and pruned (as `pilotfish diff`); change nothing", false)
    .option("--readiness-timeout <duration>", "how long to wait for each component to become ready", "300s");
  clusterOptions(confirmOption(install), INSTALL_USE).action(async (opts: InstallOpts, cmd: Command) => {
    const cluster = usableClusterFlags(cmd, "install", INSTALL_USE, io);
    exit.code = cluster ? await runInstall(opts, cluster, io) : EXIT.USAGE;
  });
  const uninstall = program
    .command("uninstall")
    .description("remove what `pilotfish install` (or the operator) installed")
    .option("-f, --filename <file>", "the IstioOperator file that was installed", collect, [])
    .option("-r, --revision <rev>", "remove only this revision's components")
    .option("--purge", "remove every Istio component pilotfish installed, whatever its owner or revision, and Istio's CRDs (asks first)", false)
    .option("--dry-run", "print what would be removed", false);
  clusterOptions(confirmOption(uninstall), UNINSTALL_USE).action(async (opts: UninstallOpts, cmd: Command) => {
    const cluster = usableClusterFlags(cmd, "uninstall", UNINSTALL_USE, io);
    exit.code = cluster ? await runUninstall(opts, cluster, io) : EXIT.USAGE;
  });
}

/** The control plane this install would overwrite: same-revision istiod Deployments and IstioOperators in its namespace. */
export async function existingInstall(kube: Kube, r: ResolvedIop): Promise<string[]> {
  const found: string[] = [];
  const revision = r.revision || "default";
  const deployments = await kube.listWithVersion("apps/v1", "Deployment", { namespace: r.namespace, labelSelector: "app=istiod" });
  for (const d of deployments.items) {
    const m = d.metadata as { name: string; labels?: Record<string, string> };
    const rev = m.labels?.["istio.io/rev"] || "default";
    if (rev !== revision) continue;
    const containers = ((d.spec as JsonObject)?.template as { spec?: { containers?: { name: string; image?: string }[] } })?.spec?.containers ?? [];
    const image = (containers.find((c) => c.name === "discovery") ?? containers[0])?.image;
    found.push(`Deployment ${r.namespace}/${m.name} (revision ${rev}${image ? `, image ${image}` : ""})`);
  }
  try {
    const iops = await kube.listWithVersion("install.istio.io/v1alpha1", "IstioOperator", { namespace: r.namespace });
    for (const o of iops.items) found.push(`IstioOperator ${r.namespace}/${(o.metadata as { name: string }).name} (an operator reconciling it will undo what this install changes)`);
  } catch (e) {
    if (statusOf(e) !== 404) throw e; // no IstioOperator CRD: no IstioOperator
  }
  return found;
}

export async function runInstall(opts: InstallOpts, cluster: ClusterFlags, io: CliIO): Promise<number> {
  let timeoutMs: number;
  try {
    timeoutMs = durationFlag("--readiness-timeout", opts.readinessTimeout, { allowZero: true });
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return EXIT.USAGE;
  }
  const planned = await plannedInstall(opts, io);
  if (typeof planned === "number") return planned;
  const { r, owner, desired } = planned;
  if (opts.dryRun) {
    // What `pilotfish diff` shows (create / change / prune); without a cluster, only what would be applied.
    try {
      const { kube } = await connectCluster(cluster, "pilotfish-install");
      printDiffReport(await diffAgainstCluster(kube, desired, owner), "text", io);
    } catch (e) {
      if (!isUnreachable(e)) return reportClusterError(e, io);
      io.stderr(`❗ dry run without a cluster (${(e as Error).message}): not compared with live objects\n`);
    }
    for (const c of desired) io.stderr(`✔ ${c.title} installed (dry run: ${c.objects.length} object(s))\n`);
    io.stderr("✔ Installation complete (dry run)\n");
    return 0;
  }
  let kube: Kube;
  try {
    kube = (await connectCluster(cluster, "pilotfish-install")).kube;
    const existing = await existingInstall(kube, r);
    if (existing.length) {
      const what = `Istio is already installed in ${r.namespace}:\n${existing.map((x) => `  ${x}\n`).join("")}This will install the ${JSON.stringify(r.profile || "default")} profile${r.revision ? ` (revision ${r.revision})` : ""} over it.`;
      const stop = await confirm({ message: what, skip: opts.skipConfirmation }, io);
      if (stop !== undefined) return stop;
    }
  } catch (e) {
    return reportClusterError(e, io);
  }
  const errors: string[] = [];
  try {
    // The reconciler's plan, step after step; the waiting between steps happens here, never inside a step.
    const deadline = Date.now() + timeoutMs;
    const done = new Set<string>();
    const lastWait = new Map<string, string>();
    let step = await installStep(kube, desired, owner, (c) => void io.stderr(`- Processing resources for ${c.title}.\n`));
    if (step.pruned.length) io.stderr("- Pruning removed resources\n");
    for (const id of step.pruned) io.stdout(`  Removed ${id}.\n`);
    for (;;) {
      for (const c of step.components) {
        if (done.has(c.component) || c.errors.length) continue;
        if (!c.waits.length) {
          done.add(c.component);
          io.stderr(`✔ ${c.title} installed\n`);
        } else if (lastWait.get(c.component) !== c.waits.join(", ")) {
          lastWait.set(c.component, c.waits.join(", "));
          io.stderr(`- Processing resources for ${c.title}. Waiting for ${c.waits.join(", ")}\n`);
        }
      }
      const pending = step.components.filter((c) => c.waits.length && !done.has(c.component));
      if (!pending.length || Date.now() + INSTALL_POLL_MS > deadline) break;
      await new Promise((res) => setTimeout(res, INSTALL_POLL_MS));
      step = await installStep(kube, desired, owner);
    }
    for (const c of step.components.filter((x: ComponentStep) => !done.has(x.component))) {
      const compErrors = [...c.errors, ...(c.waits.length ? [`resources not ready after ${opts.readinessTimeout}: ${c.waits.join(", ")}`] : [])];
      io.stderr(`✘ ${c.title} encountered an error: ${compErrors.join("; ")}\n`);
      errors.push(...compErrors);
    }
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (errors.length) {
    io.stderr(`Error: failed to install manifests: ${errors.length} error(s) occurred:\n${errors.map((e) => `\t* ${e}\n`).join("")}`);
    return EXIT.FINDINGS;
  }
  io.stderr("✔ Installation complete\n");
  return 0;
}

interface UninstallOpts {
  filename: string[];
  revision?: string;
  purge: boolean;
  dryRun: boolean;
  skipConfirmation: boolean;
}

/** What `uninstall --purge` destroys, said before it asks. */
export const PURGE_WARNING =
  "uninstall --purge removes every Istio component pilotfish installed, of every revision and owner, and Istio's " +
  "CustomResourceDefinitions: with them goes every VirtualService, DestinationRule, Gateway, AuthorizationPolicy and " +
  "other Istio resource in the cluster.";

export async function runUninstall(opts: UninstallOpts, cluster: ClusterFlags, io: CliIO): Promise<number> {
  if (!opts.purge && !opts.filename.length && !opts.revision) {
    io.stderr("Error: at least one of --revision, --filename or --purge must be set\n");
    return EXIT.USAGE;
  }
  // Asked before the cluster is touched: what --purge removes does not depend on what is there.
  if (opts.purge && !opts.dryRun) {
    const stop = await confirm({ message: PURGE_WARNING, skip: opts.skipConfirmation }, io);
    if (stop !== undefined) return stop;
  }
  let selector = `${L_COMPONENT},operator.istio.io/managed=Reconcile`;
  if (!opts.purge) {
    selector += `,${L_COMPONENT} in (Pilot,IngressGateways,EgressGateways,Cni,Ztunnel,Kiali,Prometheus,Grafana,Jaeger)`;
    if (opts.revision) selector += `,istio.io/rev=${opts.revision}`;
    if (opts.filename.length) {
      try {
        const r = await resolveFromFlags({ filename: opts.filename, set: [] }, io);
        selector += `,install.operator.istio.io/owning-resource=${r.name || "installed-state"}`;
      } catch (e) {
        return reportIopError(e, io);
      }
    }
  }
  try {
    const { kube } = await connectCluster(cluster, "pilotfish-install");
    const kinds = opts.purge ? [...PRUNE_KINDS, ["apiextensions.k8s.io/v1", "CustomResourceDefinition"] as [string, string]] : PRUNE_KINDS;
    let n = 0;
    for (const [av, kind] of kinds) {
      for (const o of await kube.list(av, kind, selector)) {
        const m = o.metadata as { name: string; namespace?: string };
        const id = `${kind}/${m.namespace ? m.namespace + "/" : ""}${m.name}`;
        if (opts.dryRun) io.stdout(`Not removing ${id} because of dry run.\n`);
        else if (await kube.delete(av, kind, m.namespace, m.name)) io.stdout(`  Removed ${id}.\n`);
        n++;
      }
    }
    if (!n) io.stderr("No resources will be pruned from the cluster. Please double check the input configs\n");
    else io.stderr("✔ Uninstall complete\n");
    return 0;
  } catch (e) {
    return reportClusterError(e, io);
  }
}
