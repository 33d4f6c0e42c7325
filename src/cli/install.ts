// `pilotfish install` / `uninstall`: apply a rendered installation straight to the cluster, as istioctl
// install does (server-side apply in component order, per-component progress, bounded readiness waits,
// prune), and remove it again.
import type { Command } from "commander";
import * as k8s from "@kubernetes/client-node";
import type { CliIO, ExitCode } from "./io.js";
import { collect, iopOptions, reportIopError, resolveFromFlags, type IopFlags } from "./iop-input.js";
import { render } from "../operator/render/index.js";
import { Kube } from "../kube/client.js";
import { PRUNE_KINDS, desiredComponents, driftedSinceApply, L_COMPONENT, type Owner } from "../operator/reconcile/plan.js";
import { applyComponent, ensureNamespaces, listOwned, pendingReadiness, pruneOwned } from "../operator/reconcile/apply.js";

interface InstallOpts extends IopFlags {
  dryRun: boolean;
  readinessTimeout: string;
  kubeconfig?: string;
}

export function kubeConfig(path?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export function seconds(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new Error(`--readiness-timeout ${s}: expected a duration such as 300s or 5m`);
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

export function registerInstall(program: Command, io: CliIO, exit: ExitCode): void {
  iopOptions(program.command("install").description("install Istio from a profile / IstioOperator straight into the cluster (as istioctl install)"), "install even if validation fails")
    .option("--dry-run", "render and print progress; change nothing", false)
    .option("--readiness-timeout <duration>", "how long to wait for each component to become ready", "300s")
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
    .action(async (opts: InstallOpts) => {
      exit.code = await runInstall(opts, io);
    });
  program
    .command("uninstall")
    .description("remove what `pilotfish install` (or the operator) installed")
    .option("-f, --filename <file>", "the IstioOperator file that was installed", collect, [])
    .option("-r, --revision <rev>", "remove only this revision's components")
    .option("--purge", "remove every Istio component pilotfish installed, whatever its owner or revision", false)
    .option("--dry-run", "print what would be removed", false)
    .option("--kubeconfig <file>", "kubeconfig")
    .action(async (opts: { filename: string[]; revision?: string; purge: boolean; dryRun: boolean; kubeconfig?: string }) => {
      exit.code = await runUninstall(opts, io);
    });
}

export async function runInstall(opts: InstallOpts, io: CliIO): Promise<number> {
  let r;
  try {
    r = await resolveFromFlags(opts, io);
  } catch (e) {
    return reportIopError(e, io);
  }
  const rendered = render(r);
  for (const w of [...r.warnings, ...rendered.warnings]) io.stderr(`❗ ${w}\n`);
  const owner: Owner = { name: r.name || "installed-state", namespace: r.namespace };
  const desired = desiredComponents(rendered.components, owner, r.revision);
  if (opts.dryRun) {
    for (const c of desired) io.stderr(`✔ ${c.title} installed (dry run: ${c.objects.length} object(s))\n`);
    io.stderr("✔ Installation complete (dry run)\n");
    return 0;
  }
  let kube: Kube;
  let timeoutMs: number;
  try {
    kube = new Kube(kubeConfig(opts.kubeconfig), "pilotfish-install");
    timeoutMs = seconds(opts.readinessTimeout) * 1000;
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 1;
  }
  const errors: string[] = [];
  try {
    await ensureNamespaces(kube, desired);
    const live = await listOwned(kube, owner);
    for (const c of desired) {
      io.stderr(`- Processing resources for ${c.title}.\n`);
      const compErrors = (await applyComponent(kube, c, live, (_k, l) => driftedSinceApply(l, kube.fieldManager))).errors;
      const deadline = Date.now() + timeoutMs;
      let waits = await pendingReadiness(kube, c);
      while (waits.length && Date.now() + 2000 <= deadline) {
        io.stderr(`- Processing resources for ${c.title}. Waiting for ${waits.join(", ")}\n`);
        await new Promise((res) => setTimeout(res, 2000));
        waits = await pendingReadiness(kube, c);
      }
      if (waits.length) compErrors.push(`resources not ready after ${opts.readinessTimeout}: ${waits.join(", ")}`);
      if (compErrors.length) {
        io.stderr(`✘ ${c.title} encountered an error: ${compErrors.join("; ")}\n`);
        errors.push(...compErrors);
      } else io.stderr(`✔ ${c.title} installed\n`);
    }
    const removed = await pruneOwned(kube, live, desired);
    if (removed.length) io.stderr("- Pruning removed resources\n");
    for (const id of removed) io.stdout(`  Removed ${id}.\n`);
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (errors.length) {
    io.stderr(`Error: failed to install manifests: ${errors.length} error(s) occurred:\n${errors.map((e) => `\t* ${e}\n`).join("")}`);
    return 1;
  }
  io.stderr("✔ Installation complete\n");
  return 0;
}

export async function runUninstall(opts: { filename: string[]; revision?: string; purge: boolean; dryRun: boolean; kubeconfig?: string }, io: CliIO): Promise<number> {
  if (!opts.purge && !opts.filename.length && !opts.revision) {
    io.stderr("Error: at least one of --revision, --filename or --purge must be set\n");
    return 1;
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
    const kube = new Kube(kubeConfig(opts.kubeconfig), "pilotfish-install");
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
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 1;
  }
}
