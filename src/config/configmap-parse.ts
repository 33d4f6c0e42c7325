// How the injector reads Istio's injection ConfigMaps back (`istio-sidecar-injector[-rev]` keys `values` and
// `config`, `istio[-rev]` key `mesh`): the inverse of configmaps.ts. A broken key is reported, never guessed.
import { load } from "js-yaml";
import { applyMeshConfig, defaultMeshConfig } from "./mesh.js";
import { isObject, type JsonObject } from "./values.js";
import type { InjectorConfig, LabelSelector } from "./injection-types.js";

export interface ParsedInjectorConfigMap {
  values?: JsonObject;
  config?: Partial<InjectorConfig>;
  errors: string[];
}

/** Parses the `istio-sidecar-injector` ConfigMap data; a broken key is reported and left out (undefined). */
export function parseInjectorConfigMap(data: Record<string, string> | undefined): ParsedInjectorConfigMap {
  const out: ParsedInjectorConfigMap = { errors: [] };
  if (!data) return out;
  if (data.values !== undefined) {
    try {
      const v = JSON.parse(data.values);
      if (isObject(v)) out.values = v;
      else out.errors.push("values: not a JSON object");
    } catch (e) {
      out.errors.push(`values: invalid JSON: ${(e as Error).message}`);
    }
  }
  if (data.config !== undefined) {
    try {
      const c = load(data.config);
      if (isObject(c)) out.config = parseInjectorConfig(c);
      else out.errors.push("config: not a YAML map");
    } catch (e) {
      out.errors.push(`config: invalid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return out;
}

function parseInjectorConfig(c: JsonObject): Partial<InjectorConfig> {
  const cfg: Partial<InjectorConfig> = {};
  if (typeof c.policy === "string") cfg.policy = c.policy;
  if (Array.isArray(c.alwaysInjectSelector)) cfg.alwaysInjectSelector = c.alwaysInjectSelector.filter(isObject) as unknown as LabelSelector[];
  if (Array.isArray(c.neverInjectSelector)) cfg.neverInjectSelector = c.neverInjectSelector.filter(isObject) as unknown as LabelSelector[];
  if (isObject(c.injectedAnnotations)) cfg.injectedAnnotations = c.injectedAnnotations as Record<string, string>;
  if (Array.isArray(c.defaultTemplates)) cfg.defaultTemplates = c.defaultTemplates.map(String);
  // `templates` is what Istio's injector renders. The chart's legacy `template` key only holds a sentinel
  // ("{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}") for injectors older than 1.9;
  // Istio 1.30.3 has no field for it and ignores it, and so does pilotfish.
  if (isObject(c.templates)) {
    const t: Record<string, string> = {};
    for (const [name, text] of Object.entries(c.templates)) if (typeof text === "string") t[name] = text;
    cfg.templates = t;
  }
  return cfg;
}

/**
 * The injection templates of a parsed injector state: the user's `values.sidecarInjectorWebhook.templates` (which the
 * istiod chart writes into `config.templates`, so a ConfigMap from Istio's chart has them twice) under the ConfigMap's
 * own `config.templates`, which win as in Istio, whose injector reads only those.
 */
export function templatesOf(values: JsonObject, config: Partial<InjectorConfig>): Record<string, string> {
  const out: Record<string, string> = {};
  const sw = values.sidecarInjectorWebhook;
  const fromValues = isObject(sw) && isObject(sw.templates) ? sw.templates : {};
  for (const [name, text] of Object.entries(fromValues)) if (typeof text === "string") out[name] = text;
  for (const [name, text] of Object.entries(config.templates ?? {})) out[name] = text;
  return out;
}

/** Parses the `istio` ConfigMap's `mesh` key over Istio's defaults; an absent key means the defaults. */
export function parseMeshConfigMap(data: Record<string, string> | undefined): { mesh?: JsonObject; error?: string } {
  if (!data?.mesh) return {};
  try {
    const m = load(data.mesh);
    if (m === null || m === undefined) return { mesh: defaultMeshConfig() };
    if (!isObject(m)) return { error: "mesh: not a YAML map" };
    return { mesh: applyMeshConfig(defaultMeshConfig(), m) };
  } catch (e) {
    return { error: `mesh: invalid YAML: ${(e as Error).message.split("\n")[0]}` };
  }
}
