// Reads injection settings once into typed objects: the injector values (Helm values tree), the mesh config
// and the injector config, from an IstioOperator-shaped overlay (files and --set paths, or the ConfigMaps).
import { applyMeshConfig, defaultMeshConfig } from "./mesh.js";
import { defaultInjectionValues, getPath, isObject, mergeValues, str, type JsonObject } from "./values.js";
import type { InjectionSettings, InjectorConfig, LabelSelector } from "./injection-types.js";

/** Istio's ENABLE_NATIVE_SIDECARS: true/false, or "auto" (decided from the nodes' kubelet versions). */
export type NativeMode = boolean | "auto";

export function parseNativeSidecarsEnv(v: string | undefined): NativeMode {
  if (v === undefined || v === "" || v === "auto") return "auto";
  return v === "true";
}

/** Native sidecars when every kubelet is at least 1.33 (Istio's `auto` rule). */
export function nativeFromKubeletVersions(versions: string[]): boolean {
  if (versions.length === 0) return false;
  return versions.every((v) => {
    const m = /^v?(\d+)\.(\d+)/.exec(v);
    return !!m && (Number(m[1]) > 1 || Number(m[2]) >= 33);
  });
}

/**
 * Turns an IstioOperator spec (already merged from files and --set) into injection settings, the way
 * Istio's chart renders the istio-sidecar-injector and istio ConfigMaps from it.
 */
export function settingsFromIstioOperator(spec: JsonObject, env: { nativeSidecars: boolean; compliancePolicy?: string; platform?: string }): InjectionSettings {
  let values = defaultInjectionValues();
  const userValues = isObject(spec.values) ? spec.values : {};
  values = mergeValues(values, userValues) as JsonObject;
  const global = values.global as JsonObject;
  if (spec.hub !== undefined) global.hub = spec.hub;
  if (spec.tag !== undefined) global.tag = spec.tag;
  // The istiod chart reads CNI settings from values.pilot.cni, which the operator fills from components.cni
  // and values.cni.
  const pilot = (isObject(values.pilot) ? values.pilot : (values.pilot = {})) as JsonObject;
  const cni = (isObject(pilot.cni) ? pilot.cni : (pilot.cni = {})) as JsonObject;
  const cniEnabled = getPath(spec, "components.cni.enabled");
  if (cniEnabled !== undefined) cni.enabled = cniEnabled;
  const userCni = getPath(userValues, "cni");
  if (isObject(userCni) && userCni.provider !== undefined) cni.provider = userCni.provider;
  if (isObject(userCni) && userCni.enabled !== undefined && cniEnabled === undefined) cni.enabled = userCni.enabled;
  // User spec.values are applied once more at the end, as Istio does.
  values = mergeValues(values, isObject(userValues.pilot) ? { pilot: userValues.pilot } : {}) as JsonObject;

  let mesh = defaultMeshConfig();
  const valuesMesh = getPath(values, "meshConfig");
  if (isObject(valuesMesh)) mesh = applyMeshConfig(mesh, valuesMesh);
  if (isObject(spec.meshConfig)) mesh = applyMeshConfig(mesh, spec.meshConfig);

  return {
    values,
    mesh,
    config: injectorConfigFromValues(values),
    nativeSidecars: env.nativeSidecars,
    compliancePolicy: env.compliancePolicy,
    platform: env.platform,
  };
}

export function injectorConfigFromValues(values: JsonObject): InjectorConfig {
  const sel = (p: string) => {
    const v = getPath(values, p);
    return (Array.isArray(v) ? v.filter(isObject) : []) as unknown as LabelSelector[];
  };
  const injected = getPath(values, "sidecarInjectorWebhook.injectedAnnotations");
  const templates = getPath(values, "sidecarInjectorWebhook.defaultTemplates");
  return {
    policy: str(getPath(values, "global.proxy.autoInject") ?? "enabled") || "enabled",
    neverInjectSelector: sel("sidecarInjectorWebhook.neverInjectSelector"),
    alwaysInjectSelector: sel("sidecarInjectorWebhook.alwaysInjectSelector"),
    injectedAnnotations: (isObject(injected) ? injected : {}) as Record<string, string>,
    defaultTemplates: Array.isArray(templates) && templates.length ? templates.map(String) : ["sidecar"],
  };
}
