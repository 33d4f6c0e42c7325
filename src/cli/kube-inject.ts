// `pilotfish kube-inject`: offline injection of workload manifests, with istioctl's flags.
import fs from "node:fs";
import type { Command } from "commander";
import { load, dump } from "js-yaml";
import type { CliIO, ExitCode } from "./io.js";
import { injectWorkload } from "../webhook/inject/workload.js";
import { settingsFromIstioOperator, parseNativeSidecarsEnv } from "../config/injection.js";
import { isObject, mergeValues, type JsonObject } from "../config/values.js";
import { applySetFlag, readOperatorFile } from "./overlay.js";
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
    .option("--set <path=value>", "IstioOperator path, e.g. values.global.proxy.image=proxyTest (repeatable)", collect, [])
    .option("--operator-file <file>", "IstioOperator file whose spec adjusts the injection settings (repeatable)", collect, [])
    .option("--mesh-config <file>", "MeshConfig YAML applied over the defaults")
    .option("--revision <rev>", "control-plane revision to record on the pod", "")
    .action(async (opts: Opts) => {
      exit.code = await runKubeInject(opts, io);
    });
}

export async function runKubeInject(opts: Opts, io: CliIO): Promise<number> {
  let spec: JsonObject = {};
  try {
    for (const f of opts.operatorFile) spec = mergeValues(spec, readOperatorFile(f)) as JsonObject;
    for (const s of opts.set) spec = applySetFlag(spec, s);
    if (opts.meshConfig) {
      const text = readText(opts.meshConfig);
      const mc = load(text);
      if (mc !== undefined && mc !== null && !isObject(mc)) throw new Error(`${opts.meshConfig}: mesh config must be a YAML map`);
      spec = mergeValues(spec, { meshConfig: (mc ?? {}) as JsonObject }) as JsonObject;
    }
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 2;
  }
  const native = parseNativeSidecarsEnv(process.env.ENABLE_NATIVE_SIDECARS);
  const settings = settingsFromIstioOperator(spec, {
    // Without a cluster to ask, `auto` means classic sidecars (istioctl's rule).
    nativeSidecars: native === true,
    compliancePolicy: process.env.COMPLIANCE_POLICY || undefined,
    platform: process.env.PLATFORM || undefined,
  });

  let text: string;
  try {
    text = opts.filename === "-" ? await io.readStdin() : readText(opts.filename);
  } catch (e) {
    io.stderr(`Error: ${(e as Error).message}\n`);
    return 2;
  }
  const source = opts.filename === "-" ? "<stdin>" : opts.filename;
  let out = "";
  try {
    for (const doc of splitYamlDocuments(text, source)) {
      if (doc.value === null || doc.value === undefined) continue;
      const r = injectWorkload(doc.value as JsonObject, settings, opts.revision);
      for (const w of r.warnings) io.stderr(w + "\n");
      out += r.passthrough ? doc.text.replace(/\s+$/, "") + "\n---\n" : toYaml(r.object) + "---\n";
    }
  } catch (e) {
    const msg = e instanceof YamlInputError ? e.message : `${source}: ${(e as Error).message}`;
    io.stderr(`Error: ${msg}\n`);
    return 1;
  }
  if (opts.output) fs.writeFileSync(opts.output, out);
  else io.stdout(out);
  return 0;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** YAML as Kubernetes tools print it: keys sorted, no line folding. */
export function toYaml(obj: unknown): string {
  return dump(obj, { sortKeys: true, lineWidth: -1, noRefs: true });
}
