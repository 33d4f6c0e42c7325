// `pilotfish manifest generate`: renders an IstioOperator (profile + files + --set) to Kubernetes YAML, in
// istioctl's order, without touching a cluster.
import type { Command } from "commander";
import { dump } from "js-yaml";
import type { CliIO, ExitCode } from "./io.js";
import { iopOptions, reportIopError, resolveFromFlags, type IopFlags } from "./iop-input.js";
import { manifestObjects, render } from "../operator/render/index.js";
import type { K8sObject } from "../operator/render/meta.js";

export function objectsYaml(objs: K8sObject[]): string {
  return objs.map((o) => dump(o, { sortKeys: true, lineWidth: -1, noRefs: true }) + "---\n").join("");
}

export function registerManifest(program: Command, io: CliIO, exit: ExitCode): void {
  const manifest = program.command("manifest").description("render Istio installation manifests from an IstioOperator");
  iopOptions(
    manifest.command("generate").description("print the Kubernetes objects of an installation (profile, -f files and --set flags), as istioctl manifest generate"),
    "render even if validation fails (errors become warnings)",
  ).action(async (opts: IopFlags) => {
      exit.code = await runManifestGenerate(opts, io);
    });
}

export async function runManifestGenerate(opts: IopFlags, io: CliIO): Promise<number> {
  try {
    const r = await resolveFromFlags(opts, io);
    const rendered = render(r);
    for (const w of [...r.warnings, ...rendered.warnings]) io.stderr(`Warning: ${w}\n`);
    io.stdout(objectsYaml(manifestObjects(rendered)));
    return 0;
  } catch (e) {
    return reportIopError(e, io);
  }
}
