// `pilotfish check-inject`: will this pod / workload / label set / namespace be injected, by which webhook and
// revision, why, with which templates, and where each injected setting comes from (istioctl x check-inject,
// plus the injector's own decision and the settings' provenance). Live (`deploy/foo`, `pod/bar`, `-l app=x`,
// `ns/foo`) reads the namespace, the MutatingWebhookConfigurations and each revision's injector ConfigMaps;
// from files (`-f`) it reads the workloads (and Namespace objects, MutatingWebhookConfigurations) in the
// files, takes the injector settings from the IstioOperator given by --set/--operator-file and, without a
// MutatingWebhookConfiguration in the files, the one pilotfish registers for that revision; no cluster. The explanation itself is src/checkinject (pure). Exit 0 report, 2 input error, 3 no cluster.
import type { Command } from "commander";
import { EXIT, inputName, readInput, type CliIO, type ExitCode } from "./io.js";
import { clusterFlags, clusterOptions, connectCluster, reportClusterError, type ClusterFlags, type ClusterFlagUse } from "./cluster.js";
import { collect, reportIopError, resolveFromFlags } from "./iop-input.js";
import { splitYamlDocuments, YamlInputError } from "./yamldocs.js";
import { toYaml } from "./kube-inject.js";
import { explain, type Explanation, type RevisionSettings } from "../checkinject/explain.js";
import { formatExplanation } from "../checkinject/format.js";
import { applyInjectorConfigMap, applyMeshConfigMap, defaultInjectorState, injectionSettings, nativeFromKubeletVersions, settingsOf } from "../config/injection.js";
import { readEnv } from "../config/env.js";
import { IopError } from "../config/resolve.js";
import { isObject, type JsonObject } from "../config/values.js";
import type { Obj } from "../webhook/inject/types.js";
import { buildMutatingWebhookConfiguration } from "../webhook/webhook-config.js";

interface Opts {
  labels?: string;
  filename: string[];
  namespaceLabels?: string;
  set: string[];
  operatorFile: string[];
  revision?: string;
  output: string;
}

const USE: ClusterFlagUse = {
  namespace: "namespace of the resource (or of -l / -f objects without one); default: default",
  istioNamespace: "where the injector ConfigMaps (istio-sidecar-injector[-REV], istio[-REV]) live",
};

export function registerCheckInject(program: Command, io: CliIO, exit: ExitCode): void {
  const cmd = program
    .command("check-inject")
    .description("explain whether a pod, workload or namespace is (or will be) injected: by which webhook and revision, why, and where each setting comes from")
    .argument("[resource]", "[<type>/]<name>[.<namespace>]: pod/NAME (or NAME), deploy/NAME, sts/, ds/, rs/, job/, cronjob/, ns/NAME")
    .option("-l, --labels <k=v,...>", "check a pod with these labels in the namespace (before it exists)")
    .option("-f, --filename <file>", "check the workloads in these manifests, offline (repeatable, - for stdin)", collect, [])
    .option("--namespace-labels <k=v,...>", "with -f: the namespace's labels (else a Namespace object in the files, else none)")
    .option("--operator-file <file>", "with -f: the IstioOperator whose injector and webhooks are checked (repeatable)", collect, [])
    .option("--set <path=value>", "with -f: IstioOperator path, e.g. values.global.proxy.logLevel=debug (repeatable)", collect, [])
    .option("-r, --revision <rev>", "with -f: control-plane revision (as --set revision=REV)")
    .option("-o, --output <format>", "table, json or yaml", "table");
  clusterOptions(cmd, USE).action(async (resource: string | undefined, opts: Opts, c: Command) => {
    exit.code = await runCheckInject(resource, opts, clusterFlags(c), io);
  });
}

function parseLabels(flag: string, s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? "").split(",").map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf("=");
    if (i <= 0) throw new InputError(`${flag} "${part}": expected key=value`);
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim().replace(/^=/, "");
  }
  return out;
}

class InputError extends Error {}

/** Workload kinds and where their pod template lives. */
const KINDS: Record<string, { kind: string; apiVersion: string; plural: string }> = {};
for (const [aliases, kind, apiVersion, plural] of [
  [["pod", "pods", "po"], "Pod", "v1", "pods"],
  [["deployment", "deployments", "deploy"], "Deployment", "apps/v1", "deployments"],
  [["statefulset", "statefulsets", "sts"], "StatefulSet", "apps/v1", "statefulsets"],
  [["daemonset", "daemonsets", "ds"], "DaemonSet", "apps/v1", "daemonsets"],
  [["replicaset", "replicasets", "rs"], "ReplicaSet", "apps/v1", "replicasets"],
  [["replicationcontroller", "replicationcontrollers", "rc"], "ReplicationController", "v1", "replicationcontrollers"],
  [["job", "jobs"], "Job", "batch/v1", "jobs"],
  [["cronjob", "cronjobs", "cj"], "CronJob", "batch/v1", "cronjobs"],
  [["namespace", "namespaces", "ns"], "Namespace", "v1", "namespaces"],
] as [string[], string, string, string][]) {
  for (const a of aliases) KINDS[a] = { kind, apiVersion, plural };
}

/** The pod (or pod template) of a workload object: metadata + spec. */
export function podTemplateOf(obj: Obj): Obj | undefined {
  switch (obj?.kind) {
    case "Pod":
      return obj;
    case "CronJob":
      return obj.spec?.jobTemplate?.spec?.template;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "ReplicationController":
    case "Job":
    case "DeploymentConfig":
      return obj.spec?.template;
    default:
      return undefined;
  }
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

export async function runCheckInject(resource: string | undefined, opts: Opts, cluster: ClusterFlags, io: CliIO): Promise<number> {
  if (!["table", "json", "yaml"].includes(opts.output)) {
    io.stderr(`Error: -o/--output "${opts.output}": expected table, json or yaml\n`);
    return EXIT.USAGE;
  }
  const offline = opts.filename.length > 0;
  const given = [resource !== undefined, opts.labels !== undefined, offline].filter(Boolean).length;
  if (given !== 1) {
    io.stderr("Error: check-inject needs exactly one of [<type>/]<name>[.<namespace>], -l/--labels or -f/--filename\n");
    return EXIT.USAGE;
  }
  if (!offline) {
    for (const [flag, v] of [["--namespace-labels", opts.namespaceLabels], ["--operator-file", opts.operatorFile.length ? "x" : undefined], ["--set", opts.set.length ? "x" : undefined], ["-r/--revision", opts.revision]] as const) {
      if (v !== undefined) {
        io.stderr(`Error: ${flag}: only used with -f (a live check reads the cluster's namespace and injector ConfigMaps)\n`);
        return EXIT.USAGE;
      }
    }
  }
  let results: Explanation[];
  try {
    results = offline ? await fromFiles(opts, cluster, io) : await live(resource, opts, cluster);
  } catch (e) {
    if (e instanceof IopError) return reportIopError(e, io);
    if (e instanceof InputError || e instanceof YamlInputError) {
      io.stderr(`Error: ${e.message}\n`);
      return EXIT.USAGE;
    }
    return reportClusterError(e, io);
  }
  if (opts.output === "json") io.stdout(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + "\n");
  else if (opts.output === "yaml") io.stdout(toYaml(results.length === 1 ? results[0] : results));
  else io.stdout(results.map(formatExplanation).join("\n"));
  return EXIT.OK;
}

async function fromFiles(opts: Opts, cluster: ClusterFlags, io: CliIO): Promise<Explanation[]> {
  const resolved = await resolveFromFlags({ filename: opts.operatorFile, set: opts.set, revision: opts.revision }, io);
  for (const w of resolved.warnings) io.stderr(`Warning: ${w}\n`);
  const env = readEnv(process.env);
  const settings = injectionSettings(resolved, env);
  const iop = opts.operatorFile.length || opts.set.length || opts.revision ? "--operator-file/--set" : "the default profile";
  const rsFor = (rev: string): RevisionSettings => ({
    settings,
    valuesFrom: `the istio-sidecar-injector ConfigMap of ${iop}${rev !== (resolved.revision || "default") ? ` (revision ${resolved.revision || "default"}; the webhook's ${rev} is not rendered)` : ""}`,
    meshFrom: `the istio ConfigMap of ${iop}`,
    nativeFrom: `ENABLE_NATIVE_SIDECARS=${env.nativeSidecars === true ? "true" : "false"} (no cluster: kubelets unknown, classic sidecars unless set)`,
  });
  const docs: Obj[] = [];
  for (const f of opts.filename.flatMap((x) => x.split(",")).filter(Boolean)) {
    let text: string;
    try {
      text = await readInput(f, io);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    for (const d of splitYamlDocuments(text, inputName(f))) {
      const v = d.value as Obj;
      if (isObject(v) && v.kind === "List" && Array.isArray(v.items)) docs.push(...v.items.filter(isObject));
      else if (isObject(v)) docs.push(v);
    }
  }
  const namespaces = new Map(docs.filter((d) => d.kind === "Namespace").map((d) => [String(d.metadata?.name), stringMap(d.metadata?.labels)]));
  const nsFlag = opts.namespaceLabels !== undefined ? parseLabels("--namespace-labels", opts.namespaceLabels) : undefined;
  let webhooks = docs.filter((d) => d.kind === "MutatingWebhookConfiguration");
  // Without one in the files: the configuration pilotfish registers for this revision (serve --register-webhooks).
  if (!webhooks.length) webhooks = [buildMutatingWebhookConfiguration({ revision: resolved.revision, clientConfig: { service: { name: "pilotfish", namespace: resolved.namespace } } })];
  const results: Explanation[] = [];
  for (const d of docs) {
    const pod = podTemplateOf(d);
    if (!pod) continue;
    const ns = d.metadata?.namespace || cluster.namespace || "default";
    const name = String(d.metadata?.name ?? "");
    results.push(
      explain({
        subject: `${d.kind} ${ns}/${name}`,
        pod: { ...pod, metadata: { ...(pod.metadata ?? {}), name: pod.metadata?.name ?? name } },
        namespace: { name: ns, labels: nsFlag ?? namespaces.get(ns) ?? {} },
        webhooks,
        settingsFor: rsFor,
        typeMeta: { apiVersion: d.apiVersion, kind: d.kind },
        workloadName: name,
      }),
    );
  }
  if (!results.length) throw new InputError(`no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ...) in ${opts.filename.join(", ")}`);
  return results;
}

async function live(resource: string | undefined, opts: Opts, cluster: ClusterFlags): Promise<Explanation[]> {
  let ns = cluster.namespace || "default";
  let kind = KINDS.pod;
  let name = "";
  if (resource !== undefined) {
    const slash = resource.indexOf("/");
    if (slash >= 0) {
      const k = KINDS[resource.slice(0, slash).toLowerCase()];
      if (!k) throw new InputError(`"${resource}": unknown resource type "${resource.slice(0, slash)}" (pod, deploy, sts, ds, rs, rc, job, cronjob, ns)`);
      kind = k;
      name = resource.slice(slash + 1);
    } else name = resource;
    // istioctl's NAME.NAMESPACE form (only without -n: pod names may contain dots).
    if (!cluster.namespace && kind.kind !== "Namespace" && name.includes(".")) {
      const dot = name.lastIndexOf(".");
      ns = name.slice(dot + 1);
      name = name.slice(0, dot);
    }
    if (!name) throw new InputError(`"${resource}": no name`);
    if (kind.kind === "Namespace") ns = name;
  }
  const podLabels = opts.labels !== undefined ? parseLabels("-l/--labels", opts.labels) : {};

  const { kube } = await connectCluster(cluster, "pilotfish-check-inject");
  const nsObj = await kube.get("v1", "Namespace", undefined, ns);
  if (!nsObj) throw new InputError(`namespace ${ns} not found`);
  let pod: Obj;
  let subject: string;
  let typeMeta = { apiVersion: "v1", kind: "Pod" };
  let running = false;
  if (resource === undefined) {
    pod = { metadata: { labels: podLabels }, spec: { containers: [{ name: "app", image: "app" }] } };
    subject = `a pod with labels ${Object.entries(podLabels).map(([k, v]) => `${k}=${v}`).join(",") || "(none)"}`;
  } else if (kind.kind === "Namespace") {
    pod = { metadata: {}, spec: { containers: [{ name: "app", image: "app" }] } };
    subject = `a pod without labels`;
  } else {
    const base = kind.apiVersion.includes("/") ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
    const res = await kube.request("GET", `${base}/namespaces/${encodeURIComponent(ns)}/${kind.plural}/${encodeURIComponent(name)}`);
    if (res.status === 404) throw new InputError(`${kind.kind} ${ns}/${name} not found`);
    if (res.status < 200 || res.status >= 300) throw new Error(`GET ${kind.kind} ${ns}/${name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    const obj = JSON.parse(res.body) as Obj;
    const tpl = podTemplateOf(obj);
    if (!tpl) throw new InputError(`${kind.kind} ${ns}/${name} has no pod template`);
    pod = tpl;
    running = kind.kind === "Pod";
    subject = `${kind.kind} ${ns}/${name}`;
    typeMeta = { apiVersion: kind.apiVersion, kind: kind.kind };
  }
  const webhooks = (await kube.list("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration")) as Obj[];
  let nodes: string[] | undefined;
  const cache = new Map<string, RevisionSettings>();
  const loaded = new Map<string, { injector?: JsonObject; mesh?: JsonObject; kubelets: string[] }>();
  const istioNs = cluster.istioNamespace;
  // Fetched before explain() (which is synchronous): every revision a webhook names.
  const revisions = new Set(webhooks.map((w) => String(w.metadata?.labels?.["istio.io/rev"] || "default")));
  for (const rev of revisions) {
    const suffix = rev === "default" ? "" : `-${rev}`;
    const injector = await kube.get("v1", "ConfigMap", istioNs, `istio-sidecar-injector${suffix}`);
    const mesh = await kube.get("v1", "ConfigMap", istioNs, `istio${suffix}`);
    nodes ??= ((await kube.list("v1", "Node")) as Obj[]).map((n) => String(n.status?.nodeInfo?.kubeletVersion ?? ""));
    loaded.set(rev, { injector, mesh, kubelets: nodes });
  }
  const settingsFor = (rev: string): RevisionSettings => {
    const hit = cache.get(rev);
    if (hit) return hit;
    const l = loaded.get(rev) ?? { kubelets: nodes ?? [] };
    const suffix = rev === "default" ? "" : `-${rev}`;
    const inj = applyInjectorConfigMap(defaultInjectorState(), l.injector ? stringMap(l.injector.data) : undefined);
    const mesh = applyMeshConfigMap(inj.state, l.mesh ? stringMap(l.mesh.data) : undefined);
    const state = mesh.state;
    const problems = [...inj.errors.map((e) => `ConfigMap ${istioNs}/istio-sidecar-injector${suffix} ${e}`), ...(mesh.error ? [`ConfigMap ${istioNs}/istio${suffix} ${mesh.error}`] : [])];
    const native = nativeFromKubeletVersions(l.kubelets);
    const rs: RevisionSettings = {
      settings: settingsOf(state, readEnv(process.env), native),
      valuesFrom: l.injector ? `ConfigMap ${istioNs}/istio-sidecar-injector${suffix}` : `Istio's defaults (no ConfigMap ${istioNs}/istio-sidecar-injector${suffix})`,
      meshFrom: l.mesh ? `ConfigMap ${istioNs}/istio${suffix}` : `Istio's defaults (no ConfigMap ${istioNs}/istio${suffix})`,
      problems,
      nativeFrom: `ENABLE_NATIVE_SIDECARS=auto (${l.kubelets.length ? `kubelets ${[...new Set(l.kubelets)].join(", ")}` : "no nodes"}: ${native ? "all" : "not all"} >= 1.33)`,
    };
    cache.set(rev, rs);
    return rs;
  };
  const nsLabels = stringMap((nsObj.metadata as JsonObject | undefined)?.labels);
  return [
    explain({
      subject,
      pod,
      namespace: { name: ns, labels: nsLabels },
      webhooks,
      settingsFor,
      running,
      typeMeta,
      workloadName: name || undefined,
    }),
  ];
}
