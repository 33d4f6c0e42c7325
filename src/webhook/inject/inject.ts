// The injection pipeline for one pod: decide, strip a previous injection, render the selected templates,
// merge them onto the pod, re-apply user overrides, then Istio's post-processing steps in Istio's order.
import { applyProxyConfig } from "../../config/mesh.js";
import type { MeshConfig, ProxyConfig } from "../../config/mesh-types.js";
import { isObject, str, truthy, type Obj } from "../../config/values.js";
import type { InjectionValues } from "../../config/values-types.js";
import { A, parseGoBool, validateAnnotations } from "./annotations.js";
import { proxyImage, type TemplateContext } from "./context.js";
import { injectRequired, type Decision } from "./decide.js";
import { renderGatewayTemplate } from "./gateway.js";
import { cloneJson, isObj, strategicMerge } from "./merge.js";
import { collectProbers, rewriteProbes } from "./probes.js";
import { parseProxyConfigAnnotation } from "./proxyconfig.js";
import { canonicalQuantity } from "./quantity.js";
import { renderSidecarTemplate } from "./sidecar.js";
import { renderTemplate } from "./template/render.js";
import { injectorTemplateTexts } from "../../config/inject-templates/index.js";
import { InjectionError, type InjectInput, type InjectionSettings } from "./types.js";

export const PROXY = "istio-proxy";

type Renderer = (t: TemplateContext) => Obj;
/** Templates built into the injector as code: what Istio's (and pilotfish's own) `sidecar` and `gateway` texts render. */
const BUILTIN: Record<string, Renderer> = { sidecar: renderSidecarTemplate, gateway: renderGatewayTemplate };

let shipped: Record<string, string> | undefined;
function shippedText(name: string): string | undefined {
  shipped ??= injectorTemplateTexts();
  return shipped[name];
}

/** Whether `text` is pilotfish's own text of template `name` (remembered per name for the settings' string). */
const shippedSeen = new Map<string, { text: string; shipped: boolean }>();
function isShipped(name: string, text: string): boolean {
  const seen = shippedSeen.get(name);
  if (seen && seen.text === text) return seen.shipped;
  const shipped = text.trimEnd() === shippedText(name)?.trimEnd();
  shippedSeen.set(name, { text, shipped });
  return shipped;
}

/**
 * The renderer of template `name`: the built-in code when the configuration has no text for it or has pilotfish's
 * own text; the template engine for any other text (a user's template, a modified one, Istio's own texts).
 */
function rendererFor(name: string, settings: InjectionSettings): Renderer {
  const text = settings.templates?.[name];
  const builtin = BUILTIN[name];
  if (builtin && (text === undefined || isShipped(name, text))) return builtin;
  if (text !== undefined) return (t) => renderTemplate(name, text, t);
  const have = [...new Set([...Object.keys(settings.templates ?? {}), ...Object.keys(BUILTIN)])].sort();
  throw new InjectionError(`requested template "${name}" not found; have ${have.join(", ")}`);
}

export interface InjectOutcome {
  injected: boolean;
  /** The resulting pod (a copy; the input is never modified). */
  pod: Obj;
  decision: Decision;
  warnings: string[];
}

interface InjectionStatus {
  initContainers: string[] | null;
  containers: string[] | null;
  volumes: string[] | null;
  imagePullSecrets: string[] | null;
  revision: string;
}

function parseStatus(s: string | undefined): InjectionStatus | undefined {
  if (!s) return undefined;
  try {
    const v = JSON.parse(s);
    return isObject(v) ? (v as unknown as InjectionStatus) : undefined;
  } catch {
    return undefined;
  }
}

function names(list: unknown): string[] {
  return Array.isArray(list) ? list.map((x) => (isObj(x) ? String(x.name) : "")).filter(Boolean) : [];
}

/** Decides and, when required, injects. Pure: no I/O, never mutates its input. */
export function injectPod(input: InjectInput, settings: InjectionSettings): InjectOutcome {
  const pod: Obj = cloneJson(input.pod ?? {});
  if (!isObj(pod.metadata)) pod.metadata = {};
  if (!isObj(pod.spec)) pod.spec = {};
  delete pod.metadata.managedFields;
  const namespace = pod.metadata.namespace || input.deployMeta.namespace || "";
  const decision = injectRequired(pod, namespace, settings.config);
  if (!decision.inject) return { injected: false, pod, decision, warnings: decision.warnings };
  const result = buildInjectedPod(pod, input, settings);
  return { injected: true, pod: result, decision, warnings: decision.warnings };
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) out[k] = str(x);
  return out;
}

function openshiftIds(ns: Record<string, string> | undefined): { uid: number; gid: number } {
  const max = (s: string | undefined): number | undefined => {
    if (!s) return undefined;
    const first = s.split(",")[0].trim();
    let m = /^(\d+)\/(\d+)$/.exec(first);
    if (m) return Number(m[1]) + Number(m[2]) - 1;
    m = /^(\d+)-(\d+)$/.exec(first);
    return m ? Number(m[2]) : undefined;
  };
  const uid = max(ns?.["openshift.io/sa.scc.uid-range"]) ?? 1337;
  const gid = max(ns?.["openshift.io/sa.scc.supplemental-groups"]) ?? max(ns?.["openshift.io/sa.scc.uid-range"]) ?? 1337;
  return { uid, gid };
}

function buildInjectedPod(original: Obj, input: InjectInput, settings: InjectionSettings): Obj {
  const annotations = stringMap(original.metadata.annotations);
  validateAnnotations(annotations);
  const { mesh, values } = settings;
  const meshDefault: ProxyConfig = isObject(mesh.defaultConfig) ? mesh.defaultConfig : {};
  const proxyConfig = annotations[A.proxyConfig] ? applyProxyConfig(meshDefault, parseProxyConfigAnnotation(annotations[A.proxyConfig])) : meshDefault;
  const nativeAnn = annotations[A.nativeSidecar];
  const nativeFlag = nativeAnn === "true" ? true : nativeAnn === "false" ? false : settings.nativeSidecars;
  const nativeTemplate = nativeAnn ? nativeAnn !== "false" : settings.nativeSidecars;
  const revision = input.revision ?? "";
  const meshStatusPort = Number(meshDefault.statusPort ?? 15020);

  let uid = 1337;
  let gid = 1337;
  if (settings.platform === "openshift" && input.namespaceAnnotations) {
    ({ uid, gid } = openshiftIds(input.namespaceAnnotations));
    const userProxy = findContainer(original, PROXY);
    const apps = (original.spec.containers ?? []).filter((c: Obj) => c?.name !== PROXY);
    const appUid = apps[0]?.securityContext?.runAsUser;
    if (userProxy?.securityContext && appUid !== undefined && userProxy.securityContext.runAsUser === appUid) {
      delete userProxy.securityContext.runAsUser;
      delete userProxy.securityContext.runAsGroup;
    }
  }

  // Template input: the pod without what a previous injection added.
  const prevStatus = parseStatus(annotations[A.status]);
  const overrides = parseOverrides(annotations[A.overrides]);
  // `original` is this call's own copy; the template input only needs a copy of its own when it differs.
  const stripped: Obj = prevStatus ? cloneJson(original) : original;
  if (prevStatus) {
    const sa = stringMap(stripped.metadata.annotations);
    stripped.spec.containers = (stripped.spec.containers ?? []).filter((c: Obj) => !(prevStatus.containers ?? []).includes(c?.name));
    stripped.spec.initContainers = (stripped.spec.initContainers ?? []).filter((c: Obj) => !(prevStatus.initContainers ?? []).includes(c?.name));
    if (stripped.spec.initContainers.length === 0) delete stripped.spec.initContainers;
    if (findAnnotation(sa, "prometheus_io_port") === String(meshStatusPort)) {
      for (const k of Object.keys(sa)) if (/^prometheus_io_(scrape|port|path)$/.test(sanitize(k))) delete stripped.metadata.annotations[k];
    }
    delete stripped.metadata.annotations[A.status];
    for (const kind of ["containers", "initContainers"] as const) {
      for (const c of overrides[kind] ?? []) {
        const list = (stripped.spec[kind] ??= []);
        if (!list.some((x: Obj) => x?.name === c.name)) list.push(cloneJson(c));
      }
    }
  }

  const ctx: TemplateContext = {
    pod: stripped,
    annotations: stringMap(stripped.metadata.annotations),
    labels: stringMap(stripped.metadata.labels),
    typeMeta: input.typeMeta,
    deployMeta: input.deployMeta,
    proxyConfig,
    mesh,
    values,
    revision,
    native: nativeTemplate,
    proxyImage: proxyImage(values, proxyConfig, annotations),
    proxyUID: uid,
    proxyGID: gid,
    compliancePolicy: settings.compliancePolicy ?? "",
  };

  // Render and merge every selected template.
  let templatePod: Obj = {};
  // strategicMerge never modifies its inputs, and everything later mutates only what the merge created.
  let merged: Obj = original;
  for (const name of selectedTemplates(annotations, settings)) {
    const rendered = rendererFor(name, settings)(ctx);
    templatePod = strategicMerge(templatePod, rendered);
    if (nativeFlag && (rendered.spec?.initContainers ?? []).some((c: Obj) => c.name === PROXY)) {
      merged = moveProxyToInit(merged);
    }
    merged = strategicMerge(merged, rendered);
  }

  // Re-apply the user's own settings for containers the templates also define.
  const reapplied: { containers: Obj[]; initContainers: Obj[] } = { containers: [], initContainers: [] };
  for (const kind of ["containers", "initContainers"] as const) {
    for (const tc of templatePod.spec?.[kind] ?? []) {
      if ((prevStatus?.[kind] ?? []).includes(tc.name)) continue;
      let user: Obj | undefined = (overrides[kind] ?? []).find((c) => c.name === tc.name);
      if (!user) {
        user = (original.spec.containers ?? []).find((c: Obj) => c?.name === tc.name);
        if (!user && kind === "initContainers") user = (original.spec.initContainers ?? []).find((c: Obj) => c?.name === tc.name);
      }
      if (!user) continue;
      const u = cloneJson(user);
      if (u.image === "auto") delete u.image;
      merged = strategicMerge(merged, kind === "containers" ? { spec: { containers: [u] } } : { spec: { initContainers: [u] } });
      reapplied[kind].push(u);
    }
  }
  if (!prevStatus && (reapplied.containers.length || reapplied.initContainers.length)) {
    const rec: Obj = {};
    if (reapplied.containers.length) rec.containers = reapplied.containers.map(goContainer);
    if (reapplied.initContainers.length) rec.initContainers = reapplied.initContainers.map(goContainer);
    merged.metadata.annotations = { ...(merged.metadata.annotations ?? {}), [A.overrides]: JSON.stringify(rec) };
  }
  adjustUserIds(merged, original, ctx);

  applyClusterNetwork(merged, input, settings);
  // Istio reads these switches from the merged pod: a template may set them (custom templates turn the metrics
  // merge and the probe rewrite off with prometheus.istio.io/merge-metrics, sidecar.istio.io/rewriteAppHTTPProbers).
  const mergedAnnotations = stringMap(merged.metadata.annotations);
  applyPrometheusMerge(merged, mergedAnnotations, mesh, meshStatusPort);
  applyProbeRewrite(merged, mergedAnnotations, settings, meshStatusPort, !!prevStatus);

  // Metadata: status annotation (last), injectedAnnotations on top.
  const status: InjectionStatus = {
    initContainers: nullIfEmpty(names(templatePod.spec?.initContainers)),
    containers: nullIfEmpty(names(templatePod.spec?.containers)),
    volumes: nullIfEmpty(names(templatePod.spec?.volumes)),
    imagePullSecrets: nullIfEmpty(names(templatePod.spec?.imagePullSecrets)),
    revision: revision || "default",
  };
  const ann = (merged.metadata.annotations ??= {});
  delete ann[A.status];
  ann[A.status] = JSON.stringify(status);
  const injectedAnnotations = values.sidecarInjectorWebhook?.injectedAnnotations;
  if (isObject(injectedAnnotations)) for (const [k, v] of Object.entries(injectedAnnotations)) ann[k] = str(v);
  for (const kind of ["containers", "initContainers"] as const) {
    for (const c of merged.spec[kind] ?? []) if (isObj(c?.resources)) c.resources = canonicalResources(c.resources);
  }
  reorderContainers(merged, nativeFlag, holdApplication(proxyConfig, values));
  const proxy = findContainer(merged, PROXY);
  // Go omits empty strings: an env var with an empty value has no `value` key.
  if (Array.isArray(proxy?.env)) for (const e of proxy.env) if (isObj(e) && e.value === "") delete e.value;
  return merged;
}

function nullIfEmpty(a: string[]): string[] | null {
  return a.length ? a : null;
}

export function selectedTemplates(annotations: Record<string, string>, settings: InjectionSettings): string[] {
  // Istio keeps every name, empty ones too (an empty name is then a "not found" denial, not a silent no-op).
  const requested = annotations[A.templates];
  if (requested !== undefined) return requested.split(",").map((s) => s.trim());
  const fromValues = settings.values.sidecarInjectorWebhook?.defaultTemplates;
  if (Array.isArray(fromValues) && fromValues.length) return fromValues.map(String);
  return settings.config.defaultTemplates.length ? settings.config.defaultTemplates : ["sidecar"];
}

function parseOverrides(s: string | undefined): { containers?: Obj[]; initContainers?: Obj[] } {
  if (!s) return {};
  try {
    const v = JSON.parse(s);
    if (!isObj(v)) return {};
    return {
      containers: Array.isArray(v.containers) ? v.containers.filter(isObj) : undefined,
      initContainers: Array.isArray(v.initContainers) ? v.initContainers.filter(isObj) : undefined,
    };
  } catch {
    return {};
  }
}

const CONTAINER_FIELDS = [
  "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy", "restartPolicy",
  "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
  "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
];
const SECURITY_CONTEXT_FIELDS = [
  "capabilities", "privileged", "seLinuxOptions", "windowsOptions", "runAsUser", "runAsGroup", "runAsNonRoot",
  "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount", "seccompProfile", "appArmorProfile",
];

/** A container as Go's encoding/json prints the typed struct (field order, `resources` always present). */
function goContainer(c: Obj): Obj {
  const o: Obj = {};
  for (const k of CONTAINER_FIELDS) {
    let v = c[k];
    // Go marshals resource.Quantity in canonical form: the record says "3" for a user's "3000m", as Istio's does.
    if (k === "resources") v = canonicalResources(isObj(v) ? v : {});
    if (v === undefined || v === null || v === "" || v === false) continue;
    if (k === "securityContext" && isObj(v)) {
      const sc: Obj = {};
      for (const f of SECURITY_CONTEXT_FIELDS) if (v[f] !== undefined) sc[f] = v[f];
      v = sc;
    }
    o[k] = v;
  }
  return o;
}

export function findContainer(pod: Obj, name: string): Obj | undefined {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c: Obj) => c?.name === name);
}

/** Native mode: a user-supplied istio-proxy moves from containers to the end of initContainers (new objects). */
function moveProxyToInit(pod: Obj): Obj {
  const cs: Obj[] = pod.spec.containers ?? [];
  const proxy = cs.find((c) => c?.name === PROXY);
  if (!proxy) return pod;
  const spec = { ...pod.spec, containers: cs.filter((c) => c !== proxy), initContainers: [...(pod.spec.initContainers ?? []), proxy] };
  return { ...pod, spec };
}

function adjustUserIds(merged: Obj, original: Obj, t: TemplateContext): void {
  const userProxy = findContainer(original, PROXY);
  const userUid = userProxy?.securityContext?.runAsUser;
  const userGid = userProxy?.securityContext?.runAsGroup;
  const tproxy = (t.annotations[A.interceptionMode] ?? str(t.proxyConfig.interceptionMode || "REDIRECT")) === "TPROXY";
  const init = findContainer(merged, "istio-init") ?? findContainer(merged, "istio-validation");
  if (init && typeof userUid === "number" && userUid !== 0 && Array.isArray(init.args)) {
    const i = init.args.indexOf("-u");
    if (i >= 0) init.args[i + 1] = String(userUid);
  }
  const proxy = findContainer(merged, PROXY);
  if (tproxy && userUid !== undefined && proxy?.securityContext) proxy.securityContext.runAsUser = 0;
  const validation = findContainer(merged, "istio-validation");
  if (validation?.securityContext && !tproxy) {
    if (userUid !== undefined) validation.securityContext.runAsUser = userUid;
    if (userGid !== undefined) validation.securityContext.runAsGroup = userGid;
  }
}

function holdApplication(proxyConfig: ProxyConfig, values: InjectionValues): boolean {
  return truthy(proxyConfig.holdApplicationUntilProxyStarts) || truthy(values.global?.proxy?.holdApplicationUntilProxyStarts);
}

function applyClusterNetwork(pod: Obj, input: InjectInput, settings: InjectionSettings): void {
  const env: Record<string, string> = { ...(input.urlEnv ?? {}) };
  const cluster = env.ISTIO_META_CLUSTER_ID || str(settings.values.global?.multiCluster?.clusterName);
  let network = env.ISTIO_META_NETWORK || str(settings.values.global?.network);
  const labelNet = pod.metadata.labels?.["topology.istio.io/network"];
  if (labelNet) network = labelNet;
  if (cluster) env.ISTIO_META_CLUSTER_ID = cluster;
  if (network) env.ISTIO_META_NETWORK = network;
  const keys = Object.keys(env).filter((k) => env[k] !== "");
  if (keys.length === 0) return;
  const proxy = findContainer(pod, PROXY);
  if (proxy) {
    const list: Obj[] = (proxy.env ?? []).filter((e: Obj) => !keys.includes(e?.name));
    for (const k of keys.sort()) list.push({ name: k, value: env[k] });
    proxy.env = list;
  }
  if (network) pod.metadata.labels = { ...(pod.metadata.labels ?? {}), "topology.istio.io/network": network };
}

function sanitize(k: string): string {
  return k.replace(/[^a-zA-Z0-9_]/g, "_");
}

function findAnnotation(a: Record<string, string>, sanitized: string): string | undefined {
  for (const [k, v] of Object.entries(a)) if (sanitize(k) === sanitized) return v;
  return undefined;
}

function applyPrometheusMerge(pod: Obj, originalAnnotations: Record<string, string>, mesh: MeshConfig, meshStatusPort: number): void {
  const ann: Record<string, string> = (pod.metadata.annotations ??= {});
  const scrape = findAnnotation(ann, "prometheus_io_scrape");
  if (scrape !== undefined && parseGoBool(scrape) === false) return;
  const mergeAnn = originalAnnotations[A.mergeMetrics];
  const enabled = mergeAnn !== undefined ? parseGoBool(mergeAnn) !== false : mesh.enablePrometheusMerge !== false;
  if (!enabled) return;
  const port = String(meshStatusPort);
  if (findAnnotation(ann, "prometheus_io_port") === port) return;
  const user = { scrape, path: findAnnotation(ann, "prometheus_io_path"), port: findAnnotation(ann, "prometheus_io_port") };
  const proxy = findContainer(pod, PROXY);
  if (proxy && (user.scrape !== undefined || user.path !== undefined || user.port !== undefined)) {
    const value: Obj = {};
    for (const k of ["scrape", "path", "port"] as const) if (user[k]) value[k] = user[k];
    proxy.env = [...(proxy.env ?? []), { name: "ISTIO_PROMETHEUS_ANNOTATIONS", value: JSON.stringify(value) }];
  }
  for (const k of Object.keys(ann)) if (/^prometheus_io_(scrape|port|path)$/.test(sanitize(k))) delete ann[k];
  ann["prometheus.io/port"] = port;
  ann["prometheus.io/path"] = "/stats/prometheus";
  ann["prometheus.io/scrape"] = "true";
}

function applyProbeRewrite(pod: Obj, annotations: Record<string, string>, settings: InjectionSettings, meshStatusPort: number, reinjected: boolean): void {
  const proxy = findContainer(pod, PROXY);
  if (!proxy) return;
  const a = annotations[A.rewriteAppHTTPProbers];
  const parsed = a !== undefined ? parseGoBool(a) : undefined;
  const should = parsed ?? settings.values.sidecarInjectorWebhook?.rewriteAppHTTPProbe !== false;
  if (!should) return;
  let probers = collectProbers(pod, meshStatusPort);
  // No env list is made when there is nothing to add (Go's nil slice stays nil).
  const env: Obj[] = Array.isArray(proxy.env) ? proxy.env : [];
  if (probers && !Array.isArray(proxy.env)) proxy.env = env;
  const existing = env.findIndex((e) => e?.name === "ISTIO_KUBE_APP_PROBERS");
  if (reinjected && existing >= 0) {
    try {
      const old = JSON.parse(env[existing].value ?? "{}");
      const mergedProbers = { ...(probers ?? {}), ...(isObj(old) ? old : {}) };
      const sorted: Obj = {};
      for (const k of Object.keys(mergedProbers).sort()) sorted[k] = mergedProbers[k];
      env[existing] = { name: "ISTIO_KUBE_APP_PROBERS", value: JSON.stringify(sorted) };
    } catch {
      if (probers) env[existing] = { name: "ISTIO_KUBE_APP_PROBERS", value: JSON.stringify(probers) };
    }
    probers = undefined;
  } else if (probers) {
    env.push({ name: "ISTIO_KUBE_APP_PROBERS", value: JSON.stringify(probers) });
  }
  const portAnn = annotations[A.statusPort];
  const target = portAnn !== undefined ? (/^\d+$/.test(portAnn) ? Number(portAnn) : 0) : meshStatusPort;
  rewriteProbes(pod, target);
}

function canonicalResources(r: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(r)) {
    if (isObj(v)) {
      const inner: Obj = {};
      for (const [rk, rv] of Object.entries(v)) inner[rk] = typeof rv === "string" || typeof rv === "number" ? canonicalQuantity(rv) : rv;
      out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

function reorderContainers(pod: Obj, native: boolean, hold: boolean): void {
  const spec = pod.spec;
  const inits: Obj[] = spec.initContainers ?? [];
  const pick = (list: Obj[], name: string): Obj[] => {
    const i = list.findIndex((c) => c?.name === name);
    return i >= 0 ? list.splice(i, 1) : [];
  };
  if (native) {
    const head = [...pick(inits, "istio-init"), ...pick(inits, "istio-validation"), ...pick(inits, PROXY), ...pick(inits, "enable-core-dump")];
    if (spec.initContainers) spec.initContainers = [...head, ...inits];
  } else {
    const first = pick(inits, "istio-validation");
    const last = [...pick(inits, "istio-init"), ...pick(inits, "enable-core-dump")];
    if (spec.initContainers) spec.initContainers = [...first, ...inits, ...last];
  }
  const cs: Obj[] = spec.containers ?? [];
  const proxy = pick(cs, PROXY);
  if (spec.containers) spec.containers = hold && !native ? [...proxy, ...cs] : [...cs, ...proxy];
}
