// `pilotfish check-inject`'s core: given a pod (or a workload's pod template), its namespace, the cluster's
// MutatingWebhookConfigurations and the injection settings of each revision, explains whether the pod is (or
// will be) injected, by which webhook and revision, why (the deciding label, annotation, selector or policy),
// with which templates, and where each injected setting comes from (Istio's default, the injector ConfigMap's
// values, the mesh config, or a pod annotation). The decision and the injected pod come from the injector's own
// code (injectRequired, injectPod); this module only reads them back. Pure: no I/O.
import { defaultMeshConfig } from "../config/mesh.js";
import { defaultInjectionValues, getPath, isObject, str, truthy, type JsonObject } from "../config/values.js";
import { A } from "../webhook/inject/annotations.js";
import { IGNORED_NAMESPACES, injectRequired, selectorMatches, type Decision } from "../webhook/inject/decide.js";
import { findContainer, injectPod, PROXY, selectedTemplates } from "../webhook/inject/inject.js";
import { parseProxyConfigAnnotation } from "../webhook/inject/proxyconfig.js";
import type { InjectionSettings, Obj, TypeMeta } from "../webhook/inject/types.js";
import { analyzeWebhooks, type WebhookVerdict } from "./webhooks.js";

/** The injection settings one revision's injector runs with, and where they were read. */
export interface RevisionSettings {
  settings: InjectionSettings;
  /** Where the injector's values and config come from, e.g. "ConfigMap istio-system/istio-sidecar-injector". */
  valuesFrom: string;
  /** Where the mesh config comes from, e.g. "ConfigMap istio-system/istio". */
  meshFrom: string;
  /** How native sidecars were decided, e.g. "ENABLE_NATIVE_SIDECARS auto: no node runs kubelet >= 1.33". */
  nativeFrom: string;
  /** Keys of the ConfigMaps that did not parse (the injector keeps Istio's defaults for them). */
  problems?: string[];
}

export interface ExplainInput {
  /** What is checked, for the report ("Deployment default/foo", "labels app=x in default"). */
  subject: string;
  /** A pod, or a pod template (metadata + spec). */
  pod: Obj;
  namespace: { name: string; labels: Record<string, string> };
  /** The cluster's (or the files') MutatingWebhookConfigurations; non-Istio ones are ignored. */
  webhooks: Obj[];
  settingsFor: (revision: string) => RevisionSettings;
  /** A running pod: its sidecar.istio.io/status means it was injected when it was created. */
  running?: boolean;
  typeMeta?: TypeMeta;
  workloadName?: string;
}

export type Source = "annotation" | "proxy.istio.io/config" | "meshConfig" | "values" | "injector config" | "environment" | "default" | "injector";

export interface Provenance {
  setting: string;
  value: string;
  source: Source;
  /** The key or field that supplied the value, and where it was read. */
  from: string;
}

export interface WebhookRow extends WebhookVerdict {
  /** Final answer for a pod this webhook sends to its injector (the selector matched and the injector agrees). */
  willInject: boolean;
  /** The selector's reason, then the injector's when the selector matched. */
  explanation: string;
}

export interface Explanation {
  subject: string;
  namespace: string;
  injected: boolean;
  summary: string;
  webhook?: string;
  injector?: WebhookVerdict["owner"];
  revision?: string;
  webhooks: WebhookRow[];
  decision?: { inject: boolean; reason: string; decidedBy: string; warnings: string[] };
  alreadyInjected?: { revision: string; containers: string[] };
  templates?: { names: string[]; source: Source; from: string };
  provenance: Provenance[];
  errors: string[];
}

let defaults: { values: JsonObject; mesh: JsonObject } | undefined;
const istioDefaults = () => (defaults ??= { values: defaultInjectionValues(), mesh: defaultMeshConfig() });
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const has = (m: Record<string, string>, k: string) => Object.prototype.hasOwnProperty.call(m, k);
const show = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) out[k] = str(x);
  return out;
}

/** The injector's decision, with the pod field, label, annotation, selector or policy that made it. */
export function explainDecision(pod: Obj, namespace: string, rs: RevisionSettings): { decision: Decision; decidedBy: string } {
  const cfg = rs.settings.config;
  const decision = injectRequired(pod, namespace, cfg);
  const labels = stringMap(pod?.metadata?.labels);
  const annotations = stringMap(pod?.metadata?.annotations);
  const explicit = has(labels, A.inject) ? `pod label ${A.inject}=${labels[A.inject]}` : has(annotations, A.inject) ? `pod annotation ${A.inject}=${annotations[A.inject]}` : "";
  let decidedBy: string;
  const r = decision.reason;
  if (r === "host networking enabled") decidedBy = "pod spec.hostNetwork=true";
  else if (IGNORED_NAMESPACES.has(namespace) && r.startsWith("namespace")) decidedBy = `namespace ${namespace} (never injected)`;
  else if (r === "matched neverInjectSelector" || r === "matched alwaysInjectSelector") {
    const key = r === "matched neverInjectSelector" ? "neverInjectSelector" : "alwaysInjectSelector";
    const i = cfg[key].findIndex((s) => selectorMatches(s, labels));
    decidedBy = `injector config ${key}[${i}] ${JSON.stringify(cfg[key][i])} matches the pod's labels (${rs.valuesFrom})`;
  } else if (r === "explicitly enabled" || r === "sidecar injection disabled") decidedBy = explicit;
  else decidedBy = `injector config policy=${cfg.policy} (${rs.valuesFrom})${explicit ? `; ${explicit} is not "true"/"false"` : ""}`;
  return { decision, decidedBy };
}

function valuesProv(setting: string, rs: RevisionSettings, path: string, value?: string): Provenance {
  const v = getPath(rs.settings.values, path);
  const d = getPath(istioDefaults().values, path);
  const val = value ?? show(v);
  if (same(v, d)) return { setting, value: val, source: "default", from: `values.${path} (Istio's default)` };
  return { setting, value: val, source: "values", from: `values.${path} in ${rs.valuesFrom}` };
}

function annotationOrValues(setting: string, annotations: Record<string, string>, key: string, rs: RevisionSettings, path: string, value?: string): Provenance {
  if (has(annotations, key)) return { setting, value: value ?? annotations[key], source: "annotation", from: key };
  return valuesProv(setting, rs, path, value);
}

/** A ProxyConfig field: the pod's proxy.istio.io/config, else meshConfig.defaultConfig, else Istio's default. */
function proxyConfigProv(setting: string, field: string, pcAnn: JsonObject, rs: RevisionSettings, fallback: string): Provenance {
  if (has(pcAnn as Record<string, string>, field)) return { setting, value: show(pcAnn[field]), source: "proxy.istio.io/config", from: `${A.proxyConfig} ${field}` };
  const mesh = isObject(rs.settings.mesh.defaultConfig) ? (rs.settings.mesh.defaultConfig as JsonObject) : {};
  const dflt = (istioDefaults().mesh.defaultConfig as JsonObject)[field];
  if (mesh[field] !== undefined && !same(mesh[field], dflt)) return { setting, value: show(mesh[field]), source: "meshConfig", from: `meshConfig.defaultConfig.${field} in ${rs.meshFrom}` };
  return { setting, value: show(mesh[field] ?? fallback), source: "default", from: `meshConfig.defaultConfig.${field} (Istio's default)` };
}

/** The value after a flag in the istio-init / istio-validation arguments (what iptables is set up with). */
function initArg(pod: Obj, flag: string): string | undefined {
  const init = findContainer(pod, "istio-init") ?? findContainer(pod, "istio-validation");
  const args: unknown[] = Array.isArray(init?.args) ? init.args : [];
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? String(args[i + 1]) : undefined;
}

function provenance(pod: Obj, injected: Obj, rs: RevisionSettings): Provenance[] {
  const s = rs.settings;
  const annotations = stringMap(pod?.metadata?.annotations);
  const injAnn = stringMap(injected?.metadata?.annotations);
  let pcAnn: JsonObject = {};
  if (annotations[A.proxyConfig]) {
    try {
      pcAnn = parseProxyConfigAnnotation(annotations[A.proxyConfig]) as JsonObject;
    } catch {
      pcAnn = {};
    }
  }
  const proxy = findContainer(injected, PROXY);
  const out: Provenance[] = [];

  // Proxy image: the annotation (a full reference), else hub/image:tag from values, the variant from an annotation or ProxyConfig.
  const image = show(proxy?.image);
  if (has(annotations, A.proxyImage) && annotations[A.proxyImage].includes("/")) out.push({ setting: "proxy image", value: image, source: "annotation", from: A.proxyImage });
  else if (has(annotations, A.proxyImageType)) out.push({ setting: "proxy image", value: image, source: "annotation", from: `${A.proxyImageType} (variant); hub/tag from values.global.hub/tag` });
  else if (isObject(pcAnn.image) && pcAnn.image.imageType) out.push({ setting: "proxy image", value: image, source: "proxy.istio.io/config", from: `${A.proxyConfig} image.imageType (variant)` });
  else {
    const parts = ["global.hub", "global.tag", "global.proxy.image", "global.variant"];
    const changed = parts.filter((p) => !same(getPath(s.values, p), getPath(istioDefaults().values, p)));
    out.push(
      changed.length
        ? { setting: "proxy image", value: image, source: "values", from: `${changed.map((p) => `values.${p}`).join(", ")} in ${rs.valuesFrom}` }
        : { setting: "proxy image", value: image, source: "default", from: "values.global.hub/tag/proxy.image (Istio's defaults)" },
    );
  }

  // Resources: any of the four annotations replace values.global.proxy.resources entirely.
  const resKeys = [A.proxyCPU, A.proxyMemory, A.proxyCPULimit, A.proxyMemoryLimit].filter((k) => has(annotations, k));
  const res = show(proxy?.resources ?? {});
  out.push(resKeys.length ? { setting: "proxy resources", value: res, source: "annotation", from: resKeys.join(", ") } : valuesProv("proxy resources", rs, "global.proxy.resources", res));

  // Interception mode: annotation, else ProxyConfig (pod annotation, then mesh), else REDIRECT.
  if (has(annotations, A.interceptionMode)) out.push({ setting: "interception mode", value: annotations[A.interceptionMode], source: "annotation", from: A.interceptionMode });
  else out.push(proxyConfigProv("interception mode", "interceptionMode", pcAnn, rs, "REDIRECT"));

  // Traffic capture: the annotation or values.global.proxy.*, as istio-init (or the CNI annotations) receive them.
  const capture: [string, string, string, string][] = [
    ["excluded inbound ports", A.excludeInboundPorts, "global.proxy.excludeInboundPorts", "-d"],
    ["included inbound ports", A.includeInboundPorts, "global.proxy.includeInboundPorts", "-b"],
    ["excluded outbound ports", A.excludeOutboundPorts, "global.proxy.excludeOutboundPorts", "-o"],
    ["included outbound IP ranges", A.includeOutboundIPRanges, "global.proxy.includeIPRanges", "-i"],
    ["excluded outbound IP ranges", A.excludeOutboundIPRanges, "global.proxy.excludeIPRanges", "-x"],
  ];
  for (const [setting, key, path, flag] of capture) {
    const value = initArg(injected, flag) ?? injAnn[key];
    if (value === undefined && !has(annotations, key)) continue;
    const p = annotationOrValues(setting, annotations, key, rs, path, value ?? "");
    if (flag === "-d") p.from += " (15090, 15021 and the status port are always excluded)";
    out.push(p);
  }

  out.push(annotationOrValues("proxy log level", annotations, A.logLevel, rs, "global.proxy.logLevel"));
  if (has(annotations, A.componentLogLevel) || getPath(s.values, "global.proxy.componentLogLevel") !== undefined) {
    out.push(annotationOrValues("proxy component log level", annotations, A.componentLogLevel, rs, "global.proxy.componentLogLevel"));
  }
  out.push(annotationOrValues("status port", annotations, A.statusPort, rs, "global.proxy.statusPort"));
  out.push(annotationOrValues("rewrite app HTTP probes", annotations, A.rewriteAppHTTPProbers, rs, "sidecarInjectorWebhook.rewriteAppHTTPProbe"));

  // holdApplicationUntilProxyStarts: ProxyConfig (annotation or mesh) or values.global.proxy; either turns it on.
  const holdPc = proxyConfigProv("holdApplicationUntilProxyStarts", "holdApplicationUntilProxyStarts", pcAnn, rs, "false");
  const holdValues = truthy(getPath(s.values, "global.proxy.holdApplicationUntilProxyStarts"));
  if (holdPc.source === "default" && holdValues) out.push(valuesProv("holdApplicationUntilProxyStarts", rs, "global.proxy.holdApplicationUntilProxyStarts"));
  else out.push(holdPc);

  // Native sidecar: the annotation, else the injector's ENABLE_NATIVE_SIDECARS.
  const native = (injected?.spec?.initContainers ?? []).some((c: Obj) => c?.name === PROXY);
  if (has(annotations, A.nativeSidecar)) out.push({ setting: "native sidecar", value: String(native), source: "annotation", from: `${A.nativeSidecar}=${annotations[A.nativeSidecar]}` });
  else out.push({ setting: "native sidecar", value: String(native), source: "environment", from: rs.nativeFrom });

  // Every other ProxyConfig field that is not Istio's default: from the pod's annotation or the mesh config.
  const shown = new Set(["interceptionMode", "holdApplicationUntilProxyStarts"]);
  const mesh = isObject(s.mesh.defaultConfig) ? (s.mesh.defaultConfig as JsonObject) : {};
  const dflt = istioDefaults().mesh.defaultConfig as JsonObject;
  const fields = [...new Set([...Object.keys(pcAnn), ...Object.keys(mesh).filter((k) => !same(mesh[k], dflt[k]))])].filter((f) => !shown.has(f)).sort();
  for (const f of fields) out.push(proxyConfigProv(`proxyConfig.${f}`, f, pcAnn, rs, ""));
  return out;
}

function templatesOf(pod: Obj, rs: RevisionSettings): Explanation["templates"] {
  const annotations = stringMap(pod?.metadata?.annotations);
  const names = selectedTemplates(annotations, rs.settings);
  if (has(annotations, A.templates)) return { names, source: "annotation", from: A.templates };
  const fromValues = rs.settings.values.sidecarInjectorWebhook?.defaultTemplates;
  if (Array.isArray(fromValues) && fromValues.length) return { names, source: "values", from: `values.sidecarInjectorWebhook.defaultTemplates in ${rs.valuesFrom}` };
  const cfg = rs.settings.config.defaultTemplates;
  if (cfg.length && !(cfg.length === 1 && cfg[0] === "sidecar")) return { names, source: "injector config", from: `config.defaultTemplates in ${rs.valuesFrom}` };
  return { names, source: "default", from: "the built-in sidecar template" };
}

function statusOf(pod: Obj): { revision: string; containers: string[] } | undefined {
  const s = pod?.metadata?.annotations?.[A.status];
  if (typeof s !== "string" || !s) return undefined;
  try {
    const v = JSON.parse(s);
    return { revision: str(v?.revision) || "default", containers: Array.isArray(v?.containers) ? v.containers.map(String) : [] };
  } catch {
    return { revision: "unknown", containers: [] };
  }
}

const OWNER_TEXT: Record<WebhookVerdict["owner"], string> = { pilotfish: "pilotfish's injector", istiod: "istiod", "revision-tag": "revision tag" };

export function explain(input: ExplainInput): Explanation {
  const pod = input.pod ?? {};
  const nsLabels = { "kubernetes.io/metadata.name": input.namespace.name, ...input.namespace.labels };
  const podLabels = stringMap(pod.metadata?.labels);
  const verdicts = analyzeWebhooks(input.webhooks, podLabels, nsLabels);
  const errors: string[] = [];
  const out: Explanation = { subject: input.subject, namespace: input.namespace.name, injected: false, summary: "", webhooks: [], provenance: [], errors };

  const already = statusOf(pod);
  if (already) out.alreadyInjected = already;

  const selecting = verdicts.filter((v) => v.injected);
  if (!verdicts.length) errors.push("no Istio injection webhooks present");
  if (selecting.length > 1) errors.push(`multiple webhooks will inject (${selecting.map((v) => v.name).join(", ")}), which can lead to errors`);

  for (const v of verdicts) {
    const row: WebhookRow = { ...v, willInject: false, explanation: v.reason };
    if (v.injected) {
      const rs = input.settingsFor(v.revision || "default");
      const { decision, decidedBy } = explainDecision(pod, input.namespace.name, rs);
      row.willInject = decision.inject;
      row.explanation = `${v.reason}; injector: ${decision.inject ? "injects" : "skips"} (${decision.reason}: ${decidedBy})`;
    }
    out.webhooks.push(row);
  }

  const chosen = selecting[0];
  if (!chosen) {
    out.summary = already && input.running
      ? `already injected (revision ${already.revision}) when it was created; no webhook would select it now`
      : `not injected: no injection webhook selects it${verdicts.length ? ` (${verdicts.map((v) => v.reason).join("; ")})` : ""}`;
    out.injected = !!(already && input.running);
    return out;
  }
  const rs = input.settingsFor(chosen.revision || "default");
  for (const p of rs.problems ?? []) errors.push(`injector configuration of revision ${chosen.revision || "default"}: ${p}`);
  const { decision, decidedBy } = explainDecision(pod, input.namespace.name, rs);
  out.webhook = chosen.name;
  out.injector = chosen.owner;
  out.revision = chosen.revision || "default";
  out.decision = { inject: decision.inject, reason: decision.reason, decidedBy, warnings: decision.warnings };
  const by = `${chosen.name} (${OWNER_TEXT[chosen.owner]}${chosen.tag ? ` ${chosen.tag}` : ""}, revision ${out.revision})`;
  if (already && input.running) {
    out.injected = true;
    out.summary = `already injected (revision ${already.revision}) when it was created; a new pod would ${decision.inject ? "" : "not "}be injected by ${by}`;
  } else {
    out.injected = decision.inject;
    out.summary = decision.inject
      ? `injected by ${by}: ${chosen.reason}; ${decidedBy} (${decision.reason})${already ? "; the previous injection is replaced" : ""}`
      : `not injected: ${by} selects it (${chosen.reason}) but the injector skips it: ${decidedBy} (${decision.reason})`;
  }
  if (!decision.inject) return out;

  out.templates = templatesOf(pod, rs);
  const ns = input.namespace.name;
  const meta = { ...(pod.metadata ?? {}), namespace: pod.metadata?.namespace || ns };
  try {
    const r = injectPod(
      {
        pod: { ...pod, metadata: meta },
        typeMeta: input.typeMeta ?? { apiVersion: "v1", kind: "Pod" },
        deployMeta: { name: input.workloadName ?? str(meta.name), namespace: ns },
        revision: chosen.revision && chosen.revision !== "default" ? chosen.revision : "",
      },
      rs.settings,
    );
    out.provenance = provenance(pod, r.pod, rs);
  } catch (e) {
    errors.push(`the injector refuses this pod: ${(e as Error).message}`);
  }
  return out;
}
