// Injection settings, resolved once into the typed object the injection core takes. Two sources, one path:
// a resolved IstioOperator (kube-inject, `serve --config-source local`) is first turned into the ConfigMap data
// the operator would write, and both it and a cluster's ConfigMaps are read by `settingsFromConfigMaps`.
import { defaultMeshConfig } from "./mesh.js";
import { defaultInjectionValues, mergeValues, type JsonObject } from "./values.js";
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

/**
 * Applies the `istio-sidecar-injector` ConfigMap's data to the previous state. A key that fails to parse keeps
 * its previous value (and is reported); an absent ConfigMap means Istio's defaults.
 */
export function applyInjectorConfigMap(prev: InjectorState, data: Record<string, string> | undefined): { state: InjectorState; errors: string[] } {
  if (!data) {
    const d = defaultInjectorState();
    return { state: { ...prev, values: d.values, config: d.config }, errors: [] };
  }
  const p = parseInjectorConfigMap(data);
  const valuesBroken = p.errors.some((e) => e.startsWith("values:"));
  const configBroken = p.errors.some((e) => e.startsWith("config:"));
  const values = valuesBroken ? prev.values : p.values ? (mergeValues(defaultInjectionValues(), p.values) as JsonObject) : defaultInjectionValues();
  const config = configBroken ? prev.config : { ...injectorConfigOf(values), ...(p.config ?? {}) };
  return { state: { ...prev, values, config }, errors: p.errors };
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
