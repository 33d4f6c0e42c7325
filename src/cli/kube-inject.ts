// `pilotfish kube-inject`: offline injection of workload manifests, with istioctl's flags.
import fs from "node:fs";
import type { Command } from "commander";
import { load, dump } from "js-yaml";
import { inputName, readFileText, readInput, type CliIO, type ExitCode } from "./io.js";
import { injectWorkload } from "../webhook/inject/workload.js";
import { injectionSettings } from "../config/injection.js";
import { IopError } from "../config/resolve.js";
import { readEnv } from "../config/env.js";
import { applyMeshConfig, defaultMeshConfig } from "../config/mesh.js";
import { isObject, type JsonObject } from "../config/values.js";
import { reportIopError, resolveFromFlags } from "./iop-input.js";
import { splitYamlDocuments, YamlInputError } from "./yamldocs.js";

interface Opts {
  filename: string;
  output?: string;
  set: string[];
  operatorFile: string[];
  meshConfig?: string;
  revision: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerKubeInject(program: Command, io: CliIO, exit: ExitCode): void {
  program
    .command("kube-inject")
    .description("inject the Istio sidecar into Kubernetes workload manifests (offline, as istioctl kube-inject)")
    .requiredOption("-f, --filename <file>", "input manifest file, or - for stdin")
    .option("-o, --output <file>", "write the result to a file instead of stdout")
    .option("--set <path=value>", "IstioOperator path, e.g. profile=demo or values.global.proxy.image=proxyTest (repeatable)", collect, [])
    .option("--operator-file <file>", "IstioOperator file, resolved as `manifest generate -f` resolves it (repeatable)", collect, [])
    .option("--mesh-config <file>", "MeshConfig YAML used instead of the IstioOperator's (over Istio's defaults), as istioctl's --meshConfigFile")
    .option("--revision <rev>", "control-plane revision (as --set revision=REV): the pod is injected for that revision's istiod", "")
    .action(async (opts: Opts) => {
      exit.code = await runKubeInject(opts, io);
    });
}

export async function runKubeInject(opts: Opts, io: CliIO, env = readEnv(process.env)): Promise<number> {
  // The same resolution as `manifest generate` (profile, files, --set, validation), then the settings the
  // injector would read from the ConfigMaps that resolution renders.
  let settings;
  try {
    const resolved = await resolveFromFlags({ filename: opts.operatorFile, set: opts.set, revision: opts.revision || undefined }, io);
    for (const w of resolved.warnings) io.stderr(`Warning: ${w}\n`);
    let mesh: JsonObject | undefined;
    if (opts.meshConfig) {
      const mc = load(readFileText(opts.meshConfig));
      if (mc !== undefined && mc !== null && !isObject(mc)) throw new Error(`${opts.meshConfig}: mesh config must be a YAML map`);
      mesh = applyMeshConfig(defaultMeshConfig(), (mc ?? {}) as JsonObject);
    }
    // Without a cluster to ask, `auto` means classic sidecars (istioctl's rule).
    settings = injectionSettings(resolved, env, mesh);
  } catch (e) {
    if (e instanceof IopError) reportIopError(e, io);
    else io.stderr(`Error: ${(e as Error).message}\n`);
    return 2;
  }
  const revision = settings.values.revision;

  let text: string;
  try {
    text = await readInput(opts.filename, io);
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 2;
  }
  const source = inputName(opts.filename);
  let out = "";
  try {
    for (const doc of splitYamlDocuments(text, source)) {
      if (doc.value === null || doc.value === undefined) continue;
      const r = injectWorkload(doc.value as JsonObject, settings, typeof revision === "string" ? revision : "");
      for (const w of r.warnings) io.stderr(w + "\n");
      out += r.passthrough ? doc.text.replace(/\s+$/, "") + "\n---\n" : toYaml(r.object) + "---\n";
    }
  } catch (e) {
    // Broken YAML is an input error (2); a workload the injector refuses (a bad annotation) is a finding (1).
    const msg = e instanceof YamlInputError ? e.message : `${source}: ${(e as Error).message}`;
    io.stderr(`Error: ${msg}\n`);
    return e instanceof YamlInputError ? 2 : 1;
  }
  if (opts.output) fs.writeFileSync(opts.output, out);
  else io.stdout(out);
  return 0;
}

/** YAML as Kubernetes tools print it: keys sorted, no line folding. */
export function toYaml(obj: unknown): string {
  return dump(obj, { sortKeys: true, lineWidth: -1, noRefs: true });
}
