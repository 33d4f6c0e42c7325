// `pilotfish analyze [FILE|DIR|-]...`: cross-resource checks (istioctl analyze): files, directories
// (recursive), stdin and/or the live cluster. The checks are pure (src/analyze); this edge reads the inputs,
// lists the cluster's resources, prints messages as istioctl does and picks the exit code:
// 0 nothing at/above --failure-threshold, 1 something is, 2 bad flags or unreadable input, 3 no cluster.
import fs from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { dump, load } from "js-yaml";
import type { CliIO, ExitCode } from "./io.js";
import { EXIT } from "./io.js";
import { clusterFlags, clusterOptions, connectCluster, reportClusterError, type ClusterFlags, type ClusterFlagUse } from "./cluster.js";
import { splitYamlDocuments, YamlInputError } from "./yamldocs.js";
import { fieldPosition } from "./yamlpos.js";
import {
  ANALYZERS, MINIMUM_CRD_VERSIONS, NOT_IMPLEMENTED, RUNTIME_INPUTS, analyze, isRuntimeKind, atOrAbove, buildSnapshot, messageJson, messageLine, parseLevel, parseSuppression,
  schemaAnalyzers, selectAnalyzers, type InputObject, type Level, type Suppression,
} from "../analyze/index.js";
import { validateResource } from "../webhook/validate/index.js";
import type { Obj } from "../analyze/types.js";
import { isScalarAt } from "../analyze/util.js";

interface Opts {
  filename: string[];
  recursive?: boolean;
  useKube: boolean | string;
  allNamespaces?: boolean;
  output: string;
  failureThreshold: string;
  outputThreshold: string;
  suppress: string[];
  analyzer: string[];
  listAnalyzers?: boolean;
  meshConfigFile?: string;
  meshNetworksFile?: string;
  filesRuntimeKinds: boolean | string;
}

const USE: ClusterFlagUse = {
  namespace: "namespace to analyse, and the one given to file resources written without one (default: default)",
  istioNamespace: "Istio's namespace: its mesh config ConfigMap and injector ConfigMaps are read there",
};

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * Per-kind schema validation (istioctl's schema.ValidationAnalyzer.<Kind>): the webhook's validator on the spec,
 * not in its offline (API-server-like) mode: istioctl checks neither metadata.name nor the served versions there.
 */
const SCHEMA = schemaAnalyzers((o) => validateResource(o));
const FILE_EXT = /\.(ya?ml|json)$/;

export function registerAnalyze(program: Command, io: CliIO, exit: ExitCode): void {
  const cmd = program
    .command("analyze")
    .description("analyze Istio configuration across resources (files, directories, stdin and/or the live cluster), as istioctl analyze")
    .argument("[files...]", "files, directories (recursive: *.yaml, *.yml, *.json) or - for stdin")
    .option("-f, --filename <path>", "an input file, directory or - (repeatable; same as a positional argument)", collect, [])
    .option("-R, --recursive", "process directories recursively (always on, as istioctl)")
    .addOption(new Option("-k, --use-kube [bool]", "analyse the live cluster too (false: files only)").default(true).argParser(parseBool))
    .option("-A, --all-namespaces", "analyse every namespace; file resources without a namespace keep none")
    .option("-o, --output <format>", "output format: log, json or yaml", "log")
    .option("--failure-threshold <level>", "exit 1 when a message is at or above this level: Info, Warning, Error", "Error")
    .option("--output-threshold <level>", "print messages at or above this level: Info, Warning, Error", "Info")
    .option("-S, --suppress <code=resource>", 'suppress a message code on a resource, e.g. "IST0102=Namespace frod" or "IST0107=Pod *.baz" (repeatable)', collect, [])
    .option("--analyzer <name>", "run only this analyzer (repeatable; see -L)", collect, [])
    .option("-L, --list-analyzers", "list the analyzers and exit")
    .option("--meshConfigFile <file>", "a MeshConfig YAML merged over Istio's defaults (over the cluster's when analysing it)")
    .option("--meshNetworksFile <file>", "a MeshNetworks YAML (networks: ...)")
    .addOption(
      new Option(
        "--files-runtime-kinds [bool]",
        "with --use-kube=false, the files are the whole cluster: Pods, Services, Namespaces, Nodes and Secrets are read from them " +
          "and the analyzers that need them run, as in Istio's analyzer tests (default). false: istioctl's files-only mode, which " +
          "ignores those kinds in files and skips those analyzers",
      )
        .default(true)
        .argParser(parseBool),
    );
  clusterOptions(cmd, USE).action(async (files: string[], opts: Opts, c: Command) => {
    exit.code = await runAnalyze(files, opts, clusterFlags(c), c.getOptionValueSource("useKube") === "cli", io);
  });
}

function parseBool(v: string | undefined): boolean | string {
  if (v === undefined) return true;
  const l = v.toLowerCase();
  if (["true", "1", "t"].includes(l)) return true;
  if (["false", "0", "f"].includes(l)) return false;
  return v; // refused in runAnalyze with the flag's name
}

function expand(target: string): string[] {
  if (target === "-") return ["-"];
  const st = fs.statSync(target);
  if (!st.isDirectory()) return [target];
  const out: string[] = [];
  for (const e of fs.readdirSync(target, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(target, e.name);
    if (e.isDirectory()) out.push(...expand(p));
    else if (FILE_EXT.test(e.name)) out.push(p);
  }
  return out;
}

/** Every object of the inputs (List items unwrapped), with file and line. */
async function readInputs(targets: string[], io: CliIO): Promise<{ objects: InputObject[]; errors: string[]; files: string[] }> {
  const objects: InputObject[] = [];
  const errors: string[] = [];
  const files: string[] = [];
  for (const target of targets) {
    let list: string[];
    try {
      list = expand(target);
    } catch (e) {
      errors.push(`cannot read ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    for (const file of list) {
      const source = file === "-" ? "<stdin>" : file;
      let text: string;
      try {
        text = file === "-" ? await io.readStdin() : fs.readFileSync(file, "utf8");
      } catch (e) {
        errors.push(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        continue;
      }
      files.push(source);
      try {
        const lines = text.split("\n");
        for (const d of splitYamlDocuments(text, source)) {
          const v = d.value as Obj | null;
          if (!v || typeof v !== "object") continue;
          const items = v.kind === "List" && Array.isArray(v.items) ? v.items : [v];
          for (const item of items) {
            if (item && typeof item === "object") {
              objects.push({ object: item, origin: { file: source, ...istioLines(lines, d.line), textLine: d.line, text: items.length === 1 ? d.text : undefined } });
            }
          }
        }
      } catch (e) {
        errors.push(e instanceof YamlInputError ? e.message : `${source}: ${(e as Error).message}`);
      }
    }
  }
  return { objects, errors, files };
}

/**
 * A document's lines as istioctl counts them (Istio's kubeyaml.YAMLReader and file.KubeSource): the resource's line is
 * the first line after the separator that is neither empty nor `---`; and when the separator before the document
 * opens istioctl's chunk (the file starts with it, or it follows another separator: an empty document), that
 * separator stays in the chunk, so istioctl's field lines are too high by the lines from it to the resource's line.
 */
function istioLines(lines: string[], textLine: number): { line: number; fieldShift?: number } {
  let line = textLine;
  while (line < lines.length && (lines[line - 1] === "" || lines[line - 1] === "---")) line++;
  const sep = textLine - 1;
  const isSep = (n: number) => n >= 1 && /^---\s*$/.test(lines[n - 1] ?? "");
  const opensChunk = isSep(sep) && (sep === 1 || isSep(sep - 1));
  return opensChunk ? { line, fieldShift: line - sep } : { line };
}

function readYamlFile(file: string, what: string): Obj {
  const v = load(fs.readFileSync(file, "utf8"));
  if (v === null || v === undefined) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new Error(`${what} ${file}: not a YAML mapping`);
  return v as Obj;
}

/** What analyze lists from a cluster: [apiVersion, plural, namespaced]. A kind whose CRD is absent is skipped. */
const CLUSTER_KINDS: [string, string, boolean][] = [
  ["v1", "namespaces", false],
  ["v1", "pods", true],
  ["v1", "services", true],
  ["apps/v1", "deployments", true],
  ["admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", false],
  ["admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", false],
  ["networking.istio.io/v1", "virtualservices", true],
  ["networking.istio.io/v1", "destinationrules", true],
  ["networking.istio.io/v1", "gateways", true],
  ["networking.istio.io/v1", "serviceentries", true],
  ["networking.istio.io/v1", "sidecars", true],
  ["networking.istio.io/v1", "workloadentries", true],
  ["networking.istio.io/v1alpha3", "envoyfilters", true],
  ["security.istio.io/v1", "peerauthentications", true],
  ["security.istio.io/v1", "authorizationpolicies", true],
  ["security.istio.io/v1", "requestauthentications", true],
  ["telemetry.istio.io/v1", "telemetries", true],
  ["extensions.istio.io/v1alpha1", "wasmplugins", true],
  ["gateway.networking.k8s.io/v1", "gateways", true],
  ["gateway.networking.k8s.io/v1", "httproutes", true],
  ["gateway.networking.k8s.io/v1", "grpcroutes", true],
];

interface ClusterRead {
  objects: InputObject[];
  mesh?: Obj;
  meshNetworks?: Obj;
  target: string;
}

async function readCluster(flags: ClusterFlags): Promise<ClusterRead> {
  const { kube, server } = await connectCluster(flags, "pilotfish-analyze");
  const objects: InputObject[] = [];
  const getList = async (p: string): Promise<Obj[] | undefined> => {
    const items: Obj[] = [];
    let cont = "";
    do {
      const r = await kube.request("GET", `${p}${p.includes("?") ? "&" : "?"}limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
      if (r.status === 404) return undefined;
      if (r.status < 200 || r.status >= 300) throw new Error(`GET ${p}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
      const page = JSON.parse(r.body) as { kind?: string; items?: Obj[]; metadata?: { continue?: string } };
      items.push(...(page.items ?? []));
      cont = page.metadata?.continue ?? "";
    } while (cont);
    return items;
  };
  for (const [apiVersion, plural] of CLUSTER_KINDS) {
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const items = await getList(`${base}/${plural}`);
    if (!items) continue;
    const kind = KIND_OF[plural] ?? plural;
    for (const it of items) objects.push({ object: { apiVersion, kind, ...it }, origin: {} });
  }
  // ConfigMaps only from Istio's namespace: the mesh config and the injectors' settings.
  const cms = (await getList(`/api/v1/namespaces/${encodeURIComponent(flags.istioNamespace)}/configmaps`)) ?? [];
  let mesh: Obj | undefined;
  let meshNetworks: Obj | undefined;
  for (const cm of cms) {
    objects.push({ object: { apiVersion: "v1", kind: "ConfigMap", ...cm }, origin: {} });
    if (cm.metadata?.name === "istio" && typeof cm.data?.mesh === "string") {
      const v = load(cm.data.mesh);
      if (v && typeof v === "object") mesh = v as Obj;
    }
    if (cm.metadata?.name === "istio" && typeof cm.data?.meshNetworks === "string") {
      const v = load(cm.data.meshNetworks);
      if (v && typeof v === "object") meshNetworks = v as Obj;
    }
  }
  // The Secrets the Istio Gateways' credentialNames name (in their workload's namespace), read one by one: no other
  // Secret is read.
  const pods = objects.filter((o) => o.object.kind === "Pod").map((o) => o.object);
  const wanted = new Set<string>();
  for (const { object: gw } of objects.filter((o) => o.object.kind === "Gateway" && String(o.object.apiVersion).startsWith("networking.istio.io/"))) {
    const sel = (gw.spec?.selector ?? {}) as Record<string, string>;
    const pod = pods.find((p) => Object.entries(sel).every(([k, v]) => p.metadata?.labels?.[k] === v));
    if (!pod) continue;
    for (const srv of gw.spec?.servers ?? []) {
      const cn = String(srv?.tls?.credentialName ?? "");
      if (cn) wanted.add(cn.includes("/") ? cn : `${pod.metadata?.namespace}/${cn}`);
    }
  }
  for (const ref of wanted) {
    const [ns, name] = [ref.slice(0, ref.indexOf("/")), ref.slice(ref.indexOf("/") + 1)];
    const r = await kube.request("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(name)}`);
    if (r.status === 404) continue;
    if (r.status < 200 || r.status >= 300) throw new Error(`GET secret ${ref}: HTTP ${r.status}`);
    objects.push({ object: { apiVersion: "v1", kind: "Secret", ...(JSON.parse(r.body) as Obj) }, origin: {} });
  }
  // The Gateway API CRDs Istio needs at a minimum version (by name: CRDs are large, the rest are not read).
  for (const name of Object.keys(MINIMUM_CRD_VERSIONS)) {
    const r = await kube.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    if (r.status === 404) continue;
    if (r.status < 200 || r.status >= 300) throw new Error(`GET customresourcedefinition ${name}: HTTP ${r.status}`);
    const crd = JSON.parse(r.body) as Obj;
    objects.push({ object: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: crd.metadata, spec: { group: crd.spec?.group, names: crd.spec?.names } }, origin: {} });
  }
  // Multi-cluster secrets: only which remote clusters they name (their data keys), for the mesh networks check.
  const secrets = (await getList(`/api/v1/namespaces/${encodeURIComponent(flags.istioNamespace)}/secrets?labelSelector=${encodeURIComponent("istio/multiCluster=true")}`)) ?? [];
  for (const sec of secrets) {
    const data = Object.fromEntries(Object.keys(sec.data ?? {}).map((k) => [k, ""]));
    objects.push({ object: { apiVersion: "v1", kind: "Secret", metadata: sec.metadata, data }, origin: {} });
  }
  return { objects, mesh, meshNetworks, target: server };
}

const KIND_OF: Record<string, string> = {
  namespaces: "Namespace", pods: "Pod", services: "Service", deployments: "Deployment",
  mutatingwebhookconfigurations: "MutatingWebhookConfiguration", validatingwebhookconfigurations: "ValidatingWebhookConfiguration",
  virtualservices: "VirtualService", destinationrules: "DestinationRule", gateways: "Gateway", serviceentries: "ServiceEntry",
  sidecars: "Sidecar", workloadentries: "WorkloadEntry", envoyfilters: "EnvoyFilter", peerauthentications: "PeerAuthentication",
  authorizationpolicies: "AuthorizationPolicy", requestauthentications: "RequestAuthentication", telemetries: "Telemetry",
  wasmplugins: "WasmPlugin", httproutes: "HTTPRoute", grpcroutes: "GRPCRoute",
};

export async function runAnalyze(positional: string[], opts: Opts, flags: ClusterFlags, useKubeGiven: boolean, io: CliIO): Promise<number> {
  const usage = (m: string) => {
    io.stderr(`Error: ${m}\n`);
    return EXIT.USAGE;
  };
  if (opts.listAnalyzers) {
    const lines = [...ANALYZERS, ...SCHEMA].sort((a, b) => a.name.localeCompare(b.name)).map((a) => `* ${a.name}:\n    ${a.description}\n`);
    io.stdout(`Available analyzers:\n${lines.join("")}Not implemented by pilotfish: ${NOT_IMPLEMENTED.join(", ")}\n`);
    return EXIT.OK;
  }
  const format = opts.output.toLowerCase();
  if (!["log", "json", "yaml"].includes(format)) return usage(`${opts.output} not a valid option for format: log, json or yaml`);
  if (typeof opts.useKube === "string") return usage(`--use-kube: ${JSON.stringify(opts.useKube)} is not true or false`);
  const failAt = parseLevel(opts.failureThreshold);
  if (!failAt) return usage(`--failure-threshold: ${JSON.stringify(opts.failureThreshold)} is not Info, Warning or Error`);
  const showAt = parseLevel(opts.outputThreshold);
  if (!showAt) return usage(`--output-threshold: ${JSON.stringify(opts.outputThreshold)} is not Info, Warning or Error`);
  const suppressions: Suppression[] = [];
  for (const s of opts.suppress) {
    const p = parseSuppression(s);
    if (!p) return usage(`${s} is not a valid suppression value: use CODE=Kind name (e.g. "IST0102=Namespace frod")`);
    suppressions.push(p);
  }
  try {
    selectAnalyzers(opts.analyzer, SCHEMA);
  } catch (e) {
    return usage((e as Error).message);
  }
  if (opts.allNamespaces && flags.given.namespace) return usage("-A/--all-namespaces and -n/--namespace: give one of them");

  let meshConfig: Obj | undefined;
  let meshNetworks: Obj | undefined;
  try {
    if (opts.meshConfigFile) meshConfig = readYamlFile(opts.meshConfigFile, "--meshConfigFile");
    if (opts.meshNetworksFile) meshNetworks = readYamlFile(opts.meshNetworksFile, "--meshNetworksFile");
  } catch (e) {
    return usage((e as NodeJS.ErrnoException).code ? `cannot read ${(e as NodeJS.ErrnoException).path}: ${(e as NodeJS.ErrnoException).code}` : (e as Error).message);
  }

  const targets = [...positional, ...opts.filename];
  const input = await readInputs(targets, io);
  if (input.errors.length) {
    for (const e of input.errors) io.stderr(`Error: ${e}\n`);
    return EXIT.USAGE;
  }

  let useKube = opts.useKube === true;
  let cluster: ClusterRead | undefined;
  if (useKube) {
    try {
      cluster = await readCluster(flags);
    } catch (e) {
      const msg = (e as Error).message ?? "";
      // No cluster configured at all: files alone are analysed, unless the cluster was asked for.
      if (!useKubeGiven && targets.length > 0 && msg.includes("no cluster configured")) {
        io.stderr("No cluster configured: analysing the files only (--use-kube=false).\n");
        useKube = false;
      } else return reportClusterError(e, io);
    }
  } else if (targets.length === 0) {
    return usage("nothing to analyse: give files, directories or - (stdin), or analyse the cluster (--use-kube)");
  }

  if (typeof opts.filesRuntimeKinds === "string") return usage(`--files-runtime-kinds: ${opts.filesRuntimeKinds} is not true or false`);
  // Files alone as istioctl's files-only mode reads them (--files-runtime-kinds=false): runtime kinds are not read,
  // the analyzers that need them do not run. By default the files are the whole cluster, as in Istio's analyzer tests.
  const withoutRuntimeKinds = !useKube && opts.filesRuntimeKinds === false;
  const fileObjects = withoutRuntimeKinds ? input.objects.filter((o) => !isRuntimeKind(String(o.object.apiVersion ?? ""), String(o.object.kind ?? ""))) : input.objects;
  if (withoutRuntimeKinds) {
    for (const a of opts.analyzer.filter((n) => RUNTIME_INPUTS[n])) {
      io.stderr(`Skipping analyzer ${a}: it needs ${RUNTIME_INPUTS[a].join(", ")}, which --files-runtime-kinds=false does not read from files (as istioctl's files-only mode)\n`);
    }
  }
  const namespace = opts.allNamespaces ? undefined : (flags.namespace ?? "default");
  const snapshot = buildSnapshot([...(cluster?.objects ?? []), ...fileObjects], {
    defaultNamespace: namespace ?? "",
    istioNamespace: flags.istioNamespace,
    meshConfig: { ...(cluster?.mesh ?? {}), ...(meshConfig ?? {}) },
    meshNetworks: meshNetworks ?? cluster?.meshNetworks,
    addDefaults: !useKube && !withoutRuntimeKinds,
    now: Date.now(),
  });
  const messages = analyze(snapshot, {
    analyzers: opts.analyzer,
    extraAnalyzers: SCHEMA,
    withoutRuntimeKinds,
    namespace,
    suppressions,
    locate: (f) => {
      const o = f.resource.origin;
      if (!o.text || !o.line || !f.path || !isScalarAt(f.resource.object, f.path)) return undefined;
      const pos = fieldPosition(o.text, f.path);
      return pos ? (o.textLine ?? o.line) + pos.line - 1 + (o.fieldShift ?? 0) : undefined;
    },
  });
  const shown = messages.filter((m) => atOrAbove(m.level, showAt as Level));
  if (format === "json") io.stdout(JSON.stringify(shown.map(messageJson), null, 2) + "\n");
  else if (format === "yaml") io.stdout(shown.length ? dump(shown.map(messageJson), { lineWidth: -1 }) : "[]\n");
  else for (const m of shown) io.stdout(messageLine(m) + "\n");
  if (shown.length === 0) {
    const what = input.files.length && !useKube
      ? input.files.length > 1 ? `:\n  - ${input.files.join("\n  - ")}` : ` ${input.files[0]}.`
      : ` ${namespace === undefined ? "all namespaces" : `namespace: ${namespace}`}.`;
    io.stderr(`\u2714 No validation issues found when analyzing${what}\n`);
  }
  const failed = messages.some((m) => atOrAbove(m.level, failAt));
  if (failed && format === "log") {
    io.stderr(`Error: Analyzers found issues when analyzing ${namespace === undefined ? "all namespaces" : `namespace: ${namespace}`}.\nSee https://istio.io/v1.30/docs/reference/config/analysis for more information about causes and resolutions.\n`);
  }
  return failed ? EXIT.FINDINGS : EXIT.OK;
}
