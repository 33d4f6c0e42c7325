// `pilotfish diff`: what `pilotfish install` with the same IstioOperator / --set flags would create, change (field
// by field) and prune in the cluster, without writing (src/operator/reconcile/diff.ts says what counts as a
// difference). Exit codes as kubectl diff: 0 no differences, 1 differences, 2 input error, 3 no cluster.
import type { Command } from "commander";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { iopOptions, reportIopError, resolveFromFlags, type IopFlags } from "./iop-input.js";
import { clusterOptions, connectCluster, reportClusterError, usableClusterFlags, type ClusterFlags, type ClusterFlagUse } from "./cluster.js";
import { toYaml } from "./kube-inject.js";
import { render } from "../operator/render/index.js";
import { desiredComponents, type DesiredComponent, type Owner } from "../operator/reconcile/plan.js";
import type { ResolvedIop } from "../config/resolve.js";
import { diffInstall, formatDiff, hasChanges, readLiveState, type DiffReport } from "../operator/reconcile/diff.js";
import type { KubeClient } from "../kube/client.js";

interface DiffOpts extends IopFlags {
  output: string;
  fieldManager: string;
  showUnchanged: boolean;
}

const NAMESPACE_FROM_IOP = "the Istio namespace comes from the IstioOperator (--set values.global.istioNamespace=NS)";
/** What -n and -i mean for `pilotfish install` and `pilotfish diff`: nothing (the IstioOperator says where). */
export const INSTALL_USE: ClusterFlagUse = { namespace: { unused: NAMESPACE_FROM_IOP }, istioNamespace: { unused: NAMESPACE_FROM_IOP } };
/** The field manager `pilotfish install` applies with (its removals are what the diff shows). */
export const INSTALL_FIELD_MANAGER = "pilotfish-install";

export function registerDiff(program: Command, io: CliIO, exit: ExitCode): void {
  const cmd = iopOptions(
    program.command("diff").description("show what `pilotfish install` would create, change (field by field) and prune in the cluster, without writing"),
    "compare even if validation fails",
  )
    .option("-o, --output <format>", "text, json or yaml", "text")
    .option("--field-manager <name>", "the server-side apply field manager whose fields the apply removes when no longer rendered (pilotfish-operator for an operator's install)", INSTALL_FIELD_MANAGER)
    .option("--show-unchanged", "list unchanged objects too (json/yaml always do)", false);
  clusterOptions(cmd, INSTALL_USE).action(async (opts: DiffOpts, c: Command) => {
    const cluster = usableClusterFlags(c, "diff", INSTALL_USE, io);
    exit.code = cluster ? await runDiff(opts, cluster, io) : EXIT.USAGE;
  });
}

/** The comparison, read from the cluster. */
export async function diffAgainstCluster(kube: Pick<KubeClient, "get" | "list">, desired: DesiredComponent[], owner: Owner, manager = INSTALL_FIELD_MANAGER): Promise<DiffReport> {
  return diffInstall(desired, await readLiveState(kube, desired, owner), manager);
}

export function printDiffReport(r: DiffReport, output: string, io: CliIO, showUnchanged = false): void {
  if (output === "json") io.stdout(JSON.stringify(r, null, 2) + "\n");
  else if (output === "yaml") io.stdout(toYaml(r));
  else {
    io.stdout(formatDiff(r));
    if (showUnchanged) for (const o of r.objects.filter((x) => x.action === "unchanged")) io.stdout(`  unchanged ${o.kind} ${o.namespace ? o.namespace + "/" : ""}${o.name}\n`);
  }
}

/** What `pilotfish install` with these flags would put in the cluster: the resolved IstioOperator, the owner of its
 *  objects and the rendered components (warnings printed); an exit code when the IstioOperator is wrong. */
export async function plannedInstall(opts: IopFlags, io: CliIO): Promise<{ r: ResolvedIop; owner: Owner; desired: DesiredComponent[] } | number> {
  let r;
  try {
    r = await resolveFromFlags(opts, io);
  } catch (e) {
    return reportIopError(e, io);
  }
  const rendered = render(r);
  for (const w of [...r.warnings, ...rendered.warnings]) io.stderr(`❗ ${w}\n`);
  const owner: Owner = { name: r.name || "installed-state", namespace: r.namespace };
  return { r, owner, desired: desiredComponents(rendered.components, owner, r.revision) };
}

export async function runDiff(opts: DiffOpts, cluster: ClusterFlags, io: CliIO): Promise<number> {
  if (!["text", "json", "yaml"].includes(opts.output)) {
    io.stderr(`Error: -o/--output "${opts.output}": expected text, json or yaml\n`);
    return EXIT.USAGE;
  }
  const planned = await plannedInstall(opts, io);
  if (typeof planned === "number") return planned;
  const { owner, desired } = planned;
  let report: DiffReport;
  try {
    const { kube } = await connectCluster(cluster, opts.fieldManager);
    report = await diffAgainstCluster(kube, desired, owner, opts.fieldManager);
  } catch (e) {
    return reportClusterError(e, io);
  }
  printDiffReport(report, opts.output, io, opts.showUnchanged);
  return hasChanges(report) ? EXIT.FINDINGS : EXIT.OK;
}
