// Injection settings, resolved once into the typed object the injection core takes. Two sources, one path:
// a resolved IstioOperator (kube-inject, `serve --config-source local`) is first turned into the ConfigMap data
// the operator would write, and both it and a cluster's ConfigMaps are read by `settingsFromConfigMaps`.
import { defaultMeshConfig } from "./mesh.js";
import { defaultInjectionValues, isObject, mergeValues, type JsonObject } from "./values.js";
import type { InjectionSettings, InjectorConfig } from "./injection-types.js";
import type { ResolvedIop } from "./resolve.js";
import { injectionConfigMapData, injectorConfigOf } from "./configmaps.js";
import { parseInjectorConfigMap, parseMeshConfigMap, templatesOf } from "./configmap-parse.js";
import type { PilotfishEnv } from "./env.js";
import { resolveIop } from "./resolve.js";

/** Native sidecars when every kubelet is at least 1.33 (Istio's `auto` rule). */
export function nativeFromKubeletVersions(versions: string[]): boolean {
  if (versions.length === 0) return false;
  return versions.every((v) => {
    const m = /^v?(\d+)\.(\d+)/.exec(v);
    return !!m && (Number(m[1]) > 1 || Number(m[2]) >= 33);
  });
}

/** The injector's view of its ConfigMaps: values over Istio's defaults, config over the values' defaults. */
export interface InjectorState {
  values: JsonObject;
  config: InjectorConfig;
  mesh: JsonObject;
}

export function defaultInjectorState(): InjectorState {
  const values = defaultInjectionValues();
  return { values, config: injectorConfigOf(values), mesh: defaultMeshConfig() };
}

/** Why an injection template's text does not parse (undefined when it does). */
export type TemplateCheck = (name: string, text: string) => string | undefined;

/**
 * Applies the `istio-sidecar-injector` ConfigMap's data to the previous state. A key that fails to parse keeps
 * its previous value (and is reported); an absent ConfigMap means Istio's defaults. With `checkTemplate`, a template
 * text that does not parse breaks the `config` key as a YAML error does: Istio's injector parses every template when
 * it reads the ConfigMap (UnmarshalConfig -> ParseTemplates) and on a failure keeps the configuration it had.
 */
export function applyInjectorConfigMap(
  prev: InjectorState,
  data: Record<string, string> | undefined,
  checkTemplate?: TemplateCheck,
): { state: InjectorState; errors: string[] } {
  if (!data) {
    const d = defaultInjectorState();
    return { state: { ...prev, values: d.values, config: d.config }, errors: [] };
  }
  const p = parseInjectorConfigMap(data);
  const valuesBroken = p.errors.some((e) => e.startsWith("values:"));
  let configBroken = p.errors.some((e) => e.startsWith("config:"));
  const values = valuesBroken ? prev.values : p.values ? (mergeValues(defaultInjectionValues(), p.values) as JsonObject) : defaultInjectionValues();
  if (!configBroken && checkTemplate) {
    const texts = templatesOf(values, p.config ?? {});
    for (const name of Object.keys(texts).sort()) {
      const why = checkTemplate(name, texts[name]);
      if (why === undefined) continue;
      p.errors.push(`config: template "${name}" does not parse: ${why}`);
      configBroken = true;
      break;
    }
  }
  const config = configBroken ? prev.config : { ...injectorConfigOf(values), ...(p.config ?? {}) };
  // A broken config keeps the previous templates too: those of the previous values stay with the previous config.
  const state = configBroken && !valuesBroken ? { ...prev, values: withTemplatesOf(values, prev.values), config } : { ...prev, values, config };
  return { state, errors: p.errors };
}

/** `values` with `from`'s sidecarInjectorWebhook.templates (the templates the previous configuration rendered). */
function withTemplatesOf(values: JsonObject, from: JsonObject): JsonObject {
  const sw = isObject(values.sidecarInjectorWebhook) ? values.sidecarInjectorWebhook : {};
  const prevSw = isObject(from.sidecarInjectorWebhook) ? from.sidecarInjectorWebhook : {};
  const next: JsonObject = { ...sw };
  if (prevSw.templates !== undefined) next.templates = prevSw.templates;
  else delete next.templates;
  return { ...values, sidecarInjectorWebhook: next };
}

/** Applies the `istio` ConfigMap's data; a broken `mesh` key keeps the previous mesh config. */
export function applyMeshConfigMap(prev: InjectorState, data: Record<string, string> | undefined): { state: InjectorState; error?: string } {
  const p = parseMeshConfigMap(data);
  if (p.error) return { state: prev, error: p.error };
  return { state: { ...prev, mesh: p.mesh ?? defaultMeshConfig() } };
}

/** The settings the core takes, from the injector state and pilotfish's environment. */
export function settingsOf(state: InjectorState, env: Pick<PilotfishEnv, "compliancePolicy" | "platform">, nativeSidecars: boolean): InjectionSettings {
  const templates = templatesOf(state.values, state.config);
  return { values: state.values, mesh: state.mesh, config: state.config, nativeSidecars, compliancePolicy: env.compliancePolicy, platform: env.platform, templates };
}

/**
 * Injection settings for a resolved IstioOperator: exactly what the injector would read from the ConfigMaps the
 * operator renders for it. Without a cluster to ask, native-sidecar mode `auto` means classic sidecars
 * (istioctl's rule for kube-inject).
 */
export function injectionSettings(r: ResolvedIop, env: Pick<PilotfishEnv, "nativeSidecars" | "compliancePolicy" | "platform">, mesh?: JsonObject): InjectionSettings {
  const data = injectionConfigMapData(r);
  let { state, errors } = applyInjectorConfigMap(defaultInjectorState(), data.injector);
  const m = applyMeshConfigMap(state, data.mesh);
  if (errors.length || m.error) throw new Error(`internal: rendered injection ConfigMaps do not parse: ${[...errors, m.error].join("; ")}`);
  state = mesh ? { ...m.state, mesh } : m.state;
  return settingsOf(state, env, env.nativeSidecars === true);
}

/** Injection settings for an IstioOperator spec given as an object (tests, benchmarks): resolved like a `-f` file. */
export function settingsFromIstioOperator(spec: JsonObject, env: Pick<PilotfishEnv, "nativeSidecars" | "compliancePolicy" | "platform">): InjectionSettings {
  const r = resolveIop({ docs: [{ source: "<spec>", doc: { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", spec } }], sets: [] });
  return injectionSettings(r, env);
}
