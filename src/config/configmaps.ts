// Istio's injection ConfigMaps as data: what the Pilot component writes into `istio-sidecar-injector[-rev]`
// (keys `values`, `config`) and `istio[-rev]` (key `mesh`), and how the injector reads them back. Every way
// pilotfish gets injection settings (a cluster's ConfigMaps, an IstioOperator file for kube-inject or
// `serve --config-source local`) goes through these functions, so the paths cannot disagree.
import { dump } from "js-yaml";
import { clone, isObject, mergeValues, str, toInjectionValues, type Json, type JsonObject } from "./values.js";
import { istiodChartValues } from "./istiod-values.js";
import { injectorTemplateTexts } from "./inject-templates/index.js";
import type { ResolvedIop } from "./resolve.js";
import { sortKeys } from "./mesh.js";
import type { InjectorConfig, LabelSelector } from "./injection-types.js";

const obj0 = (v: unknown): JsonObject => (isObject(v) ? v : {});
const revSuffix = (r: ResolvedIop) => (r.revision ? `-${r.revision}` : "");

/** The istio namespace the control plane lives in (`values.global.istioNamespace`, else the IstioOperator's). */
export function istioNamespaceOf(r: ResolvedIop): string {
  return str(toInjectionValues(r.values).global?.istioNamespace) || r.namespace;
}

/** The mesh config istiod and the injector read (`istio` ConfigMap, key `mesh`): the istiod chart's "mesh" template, then `meshConfig` over it. */
export function meshConfigOf(r: ResolvedIop, pilotNamespace = r.namespace): JsonObject {
  const v = toInjectionValues(r.values);
  const g = v.global ?? {};
  const userMesh = obj0(v.meshConfig);
  const defaultConfig: JsonObject = {};
  if (g.meshID) defaultConfig.meshId = str(g.meshID);
  const variant = str(g.proxy?.variant) || str(g.variant);
  if (variant) defaultConfig.image = { imageType: variant };
  const tracer = str(g.proxy?.tracer);
  if (tracer !== "none") defaultConfig.tracing = tracingOf(tracer, obj0(g.tracer), istioNamespaceOf(r));
  defaultConfig.discoveryAddress = discoveryAddressOf(r, pilotNamespace);
  const mesh: JsonObject = { trustDomain: "cluster.local", rootNamespace: str(userMesh.rootNamespace) || istioNamespaceOf(r) };
  const telemetry = obj0(v.telemetry);
  const v2 = obj0(telemetry.v2);
  const on = (x: unknown) => !userMesh.defaultProviders && telemetry.enabled === true && v2.enabled === true && obj0(x).enabled === true;
  const prom = on(v2.prometheus);
  const sd = on(v2.stackdriver);
  if (prom || sd) mesh.defaultProviders = { metrics: [...(prom ? ["prometheus"] : []), ...(sd ? ["stackdriver"] : [])], ...(sd ? { accessLogging: ["stackdriver"] } : {}) };
  mesh.defaultConfig = defaultConfig;
  return mergeValues(mesh, userMesh) as JsonObject;
}

function tracingOf(tracer: string, t: JsonObject, istioNamespace: string): JsonObject {
  const sub = (k: string) => obj0(t[k]);
  switch (tracer) {
    case "lightstep":
      return { lightstep: { address: sub("lightstep").address ?? null, accessToken: sub("lightstep").accessToken ?? null } };
    case "zipkin":
      return { zipkin: { address: str(sub("zipkin").address) || `zipkin.${istioNamespace}:9411` } };
    case "datadog":
      return { datadog: { address: str(sub("datadog").address) || "$(HOST_IP):8126" } };
    case "stackdriver": {
      const sd = sub("stackdriver");
      const n = (k: string) => Number(str(sd[k]) || "200");
      return { stackdriver: { debug: String(sd.debug ?? "false") === "true", maxNumberOfAttributes: n("maxNumberOfAttributes"), maxNumberOfAnnotations: n("maxNumberOfAnnotations"), maxNumberOfMessageEvents: n("maxNumberOfMessageEvents") } };
    }
    default:
      return {};
  }
}

/** istiod's address as the chart writes it: a remote pilot address points at the primary's istiod (or istiod-remote). */
function discoveryAddressOf(r: ResolvedIop, pilotNamespace: string): string {
  const v = toInjectionValues(r.values);
  if (str(v.global?.remotePilotAddress)) {
    const remote = obj0(v.istiodRemote);
    return `${remote.enabled && remote.enabledLocalInjectorIstiod ? "istiod-remote" : "istiod"}.${pilotNamespace}.svc:15012`;
  }
  return `istiod${revSuffix(r)}.${pilotNamespace}.svc:15012`;
}

/**
 * The injection values (`istio-sidecar-injector` ConfigMap, key `values`): as the istiod chart writes them, its
 * view of `global`, `sidecarInjectorWebhook` and `revision`, with `pilot: {cni, env}` (the chart's top-level `cni`
 * and `env`, i.e. `values.cni` with `values.pilot.cni` over it) and `gateways: {securityContext, seccompProfile}`.
 */
export function injectionValuesOf(r: ResolvedIop): JsonObject {
  return injectionValuesFromChart(istiodChartValues(r).merged);
}

/** sprig's `pick`: the keys of `m` that are present, in the order given. */
function pick(m: JsonObject, keys: string[]): JsonObject {
  return Object.fromEntries(keys.filter((k) => k in m).map((k) => [k, clone(m[k])]));
}

function injectionValuesFromChart(merged: JsonObject): JsonObject {
  const out = pick(merged, ["global", "sidecarInjectorWebhook", "revision"]);
  out.pilot = pick(merged, ["cni", "env"]);
  out.gateways = pick(obj0(merged.gateways), ["securityContext", "seccompProfile"]);
  return out;
}

/** The injector's `config` (policy, selectors, annotations, default templates) from the values. */
export function injectorConfigOf(values: JsonObject): InjectorConfig {
  const v = toInjectionValues(values);
  const sel = (list: unknown) => (Array.isArray(list) ? list.filter(isObject) : []) as unknown as LabelSelector[];
  const injected = v.sidecarInjectorWebhook?.injectedAnnotations;
  const templates = v.sidecarInjectorWebhook?.defaultTemplates;
  return {
    policy: str(v.global?.proxy?.autoInject ?? "enabled") || "enabled",
    alwaysInjectSelector: sel(v.sidecarInjectorWebhook?.alwaysInjectSelector),
    neverInjectSelector: sel(v.sidecarInjectorWebhook?.neverInjectSelector),
    injectedAnnotations: (isObject(injected) ? injected : {}) as Record<string, string>,
    defaultTemplates: Array.isArray(templates) && templates.length ? templates.map(String) : ["sidecar"],
  };
}

/** The sentinel Istio's chart writes under `config.template`: an injector too old for `templates` fails on it loudly. */
export const TEMPLATE_MISMATCH_SENTINEL = "{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}";

/**
 * The injector's `templates`: pilotfish's own text of each built-in template, except those the user gives under
 * `values.sidecarInjectorWebhook.templates`, whose entries (built-in names or new ones) are added as written.
 */
export function injectorTemplatesOf(values: JsonObject): Record<string, Json> {
  const user = obj0(obj0(values.sidecarInjectorWebhook).templates);
  const out: Record<string, Json> = {};
  for (const [name, text] of Object.entries(injectorTemplateTexts())) if (!(name in user)) out[name] = text;
  // As the chart does (toYaml): a user entry that is not a string is written as it is, for the injector to refuse.
  for (const [name, text] of Object.entries(user)) out[name] = clone(text);
  return out;
}

/** The `data` of `istio-sidecar-injector[-rev]` and `istio[-rev]` for a resolved IstioOperator. */
export function injectionConfigMapData(r: ResolvedIop, pilotNamespace = r.namespace): { injector: Record<string, string>; mesh: Record<string, string> } {
  const merged = istiodChartValues(r).merged;
  const policy = injectorConfigOf(merged);
  // The chart writes no entries under an empty injectedAnnotations (YAML null); the rest as the chart does.
  const injectedAnnotations = Object.keys(policy.injectedAnnotations).length ? policy.injectedAnnotations : null;
  const config = { ...policy, injectedAnnotations, template: TEMPLATE_MISMATCH_SENTINEL, templates: injectorTemplatesOf(merged) };
  return {
    injector: {
      config: "# Injection policy and templates (pilotfish's own texts of Istio's templates, unless the values give them).\n" + dump(config, { sortKeys: true, lineWidth: -1 }),
      values: JSON.stringify(sortKeys(injectionValuesFromChart(merged)), null, 2),
    },
    mesh: {
      mesh: dump(meshConfigOf(r, pilotNamespace), { sortKeys: true, lineWidth: -1, seqNoIndent: true }).trimEnd(),
      meshNetworks: dump({ networks: obj0(toInjectionValues(r.values).global?.meshNetworks) }, { flowLevel: 1 }).trimEnd(),
    },
  };
}

/** The annotation of the `values[-rev]` ConfigMap, as the istiod chart words it (tools may look for it). */
export const VALUES_CONFIGMAP_DESCRIPTION =
  "This ConfigMap contains the Helm values used during chart rendering. This ConfigMap is rendered for debugging purposes and external tooling; modifying these values has no effect.";

/** The `data` of the `values[-rev]` ConfigMap: the IstioOperator's values and the istiod chart's merged view of them. */
export function valuesConfigMapData(r: ResolvedIop): Record<string, string> {
  const { original, merged } = istiodChartValues(r);
  return { "original-values": JSON.stringify(sortKeys(original), null, 2), "merged-values": JSON.stringify(sortKeys(merged), null, 2) };
}
