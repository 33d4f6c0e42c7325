// Istio's injection ConfigMaps as data: what the Pilot component writes into `istio-sidecar-injector[-rev]`
// (keys `values`, `config`) and `istio[-rev]` (key `mesh`), and how the injector reads them back. Every way
// pilotfish gets injection settings (a cluster's ConfigMaps, an IstioOperator file for kube-inject or
// `serve --config-source local`) goes through these functions, so the paths cannot disagree.
import { dump } from "js-yaml";
import { isObject, mergeValues, str, toInjectionValues, type JsonObject } from "./values.js";
import type { ResolvedIop } from "./resolve.js";
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

/** The injection values (`istio-sidecar-injector` ConfigMap, key `values`). */
export function injectionValuesOf(r: ResolvedIop): JsonObject {
  const v = toInjectionValues(r.values);
  return {
    global: obj0(v.global),
    pilot: { cni: injectorCni(r), env: obj0(v.pilot?.env) },
    gateways: { seccompProfile: obj0(v.gateways?.seccompProfile), securityContext: obj0(v.gateways?.securityContext) },
    revision: r.revision,
    sidecarInjectorWebhook: obj0(v.sidecarInjectorWebhook),
  };
}

/**
 * `pilot.cni` as the istiod chart sees it: istioctl roots the chart's values at `values` and lays `values.pilot`
 * over them, so the user's `values.cni` (e.g. provider: multus) shows through unless `values.pilot.cni` sets it.
 */
function injectorCni(r: ResolvedIop): JsonObject {
  const cni = { ...obj0(toInjectionValues(r.values).pilot?.cni) };
  const user = toInjectionValues(r.userValues);
  const userCni = obj0(user.cni);
  const userPilotCni = obj0(user.pilot?.cni);
  if (userCni.provider !== undefined && userPilotCni.provider === undefined) cni.provider = userCni.provider;
  return cni;
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

/** The `data` of `istio-sidecar-injector[-rev]` and `istio[-rev]` for a resolved IstioOperator. */
export function injectionConfigMapData(r: ResolvedIop, pilotNamespace = r.namespace): { injector: Record<string, string>; mesh: Record<string, string> } {
  const values = injectionValuesOf(r);
  const config = injectorConfigOf(r.values);
  return {
    injector: {
      config: "# Injection policy; the sidecar, gateway and grpc templates are built into pilotfish's injector.\n" + dump(config, { sortKeys: true, lineWidth: -1 }),
      values: JSON.stringify(values, null, 2),
    },
    mesh: {
      mesh: dump(meshConfigOf(r, pilotNamespace), { sortKeys: true, lineWidth: -1, seqNoIndent: true }).trimEnd(),
      meshNetworks: dump({ networks: obj0(toInjectionValues(r.values).global?.meshNetworks) }, { flowLevel: 1 }).trimEnd(),
    },
  };
}
