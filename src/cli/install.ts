// `pilotfish install` / `uninstall`: apply a rendered installation straight to the cluster, as istioctl
// install does (server-side apply in component order, per-component progress, bounded readiness waits,
// prune), and remove it again. It runs the reconciler's plan (installStep) step after step until every
// component is ready or --readiness-timeout passes.
import type { Command } from "commander";
import type { CliIO, ExitCode } from "./io.js";
import { collect, iopOptions, kubeOptions, reportIopError, resolveFromFlags, type IopFlags } from "./iop-input.js";
import { render } from "../operator/render/index.js";
import { Kube } from "../kube/client.js";
import { loadKubeConfig } from "../kube/kubeconfig.js";
import { durationFlag } from "../config/duration.js";
import { PRUNE_KINDS, desiredComponents, L_COMPONENT, type Owner } from "../operator/reconcile/plan.js";
import { installStep, type ComponentStep } from "../operator/reconcile/apply.js";

interface InstallOpts extends IopFlags {
  dryRun: boolean;
  readinessTimeout: string;
  kubeconfig?: string;
  context?: string;
}

/** How often `install` looks again while components are not ready. */
const INSTALL_POLL_MS = 2000;

export function registerInstall(program: Command, io: CliIO, exit: ExitCode): void {
  kubeOptions(iopOptions(program.command("install").description("install Istio from a profile / IstioOperator straight into the cluster (as istioctl install)"), "install even if validation fails"))
    .option("--dry-run", "render and print progress; change nothing", false)
    .option("--readiness-timeout <duration>", "how long to wait for each component to become ready", "300s")
    .action(async (opts: InstallOpts) => {
      exit.code = await runInstall(opts, io);
    });
  kubeOptions(program.command("uninstall"))
    .description("remove what `pilotfish install` (or the operator) installed")
    .option("-f, --filename <file>", "the IstioOperator file that was installed", collect, [])
    .option("-r, --revision <rev>", "remove only this revision's components")
    .option("--purge", "remove every Istio component pilotfish installed, whatever its owner or revision", false)
    .option("--dry-run", "print what would be removed", false)
    .action(async (opts: UninstallOpts) => {
      exit.code = await runUninstall(opts, io);
    });
}

export async function runInstall(opts: InstallOpts, io: CliIO): Promise<number> {
  let timeoutMs: number;
  try {
    timeoutMs = durationFlag("--readiness-timeout", opts.readinessTimeout, { allowZero: true });
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 1;
  }
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
  try {
    kube = new Kube(await loadKubeConfig(opts), "pilotfish-install");
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 1;
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
    return 1;
  }
  io.stderr("✔ Installation complete\n");
  return 0;
}

interface UninstallOpts {
  filename: string[];
  revision?: string;
  purge: boolean;
  dryRun: boolean;
  kubeconfig?: string;
  context?: string;
}

export async function runUninstall(opts: UninstallOpts, io: CliIO): Promise<number> {
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
    const kube = new Kube(await loadKubeConfig(opts), "pilotfish-install");
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
