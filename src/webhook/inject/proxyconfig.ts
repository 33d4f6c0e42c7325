// The `proxy.istio.io/config` annotation: a ProxyConfig fragment in YAML or JSON.
import { load } from "js-yaml";
import { isObject } from "../../config/values.js";
import { DURATION_FIELDS, parseDuration, toProxyConfig } from "../../config/mesh.js";
import { PROXY_CONFIG_JSON_FIELDS } from "./protojson.js";
import type { ProxyConfig } from "../../config/mesh-types.js";
import { agentProxyConfigProblems } from "./proxyconfig-agent.js";

/** ProxyConfig's fields in Istio 1.30.3 (istio.io/api mesh/v1alpha1/proxy.proto). */
const KNOWN = new Set(PROXY_CONFIG_JSON_FIELDS);

/** Parses and checks a ProxyConfig fragment; throws with the offending field named. */
export function parseProxyConfigAnnotation(text: string): ProxyConfig {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    throw new Error(`not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isObject(doc)) throw new Error("must be a ProxyConfig map");
  for (const [k, v] of Object.entries(doc)) {
    if (!KNOWN.has(k)) throw new Error(`unknown field "${k}" in ProxyConfig`);
    if (DURATION_FIELDS.has(k) && (typeof v !== "string" || Number.isNaN(parseDuration(v)))) {
      throw new Error(`${k}: invalid duration ${JSON.stringify(v)}`);
    }
    if (k === "concurrency" && !(Number.isInteger(v) && (v as number) >= 0)) throw new Error("concurrency: must be a non-negative integer");
    if (k === "interceptionMode" && !["REDIRECT", "TPROXY", "NONE"].includes(String(v))) {
      throw new Error("interceptionMode: must be REDIRECT, TPROXY or NONE");
    }
    if (k === "proxyMetadata" && !isObject(v)) throw new Error("proxyMetadata: must be a map of strings");
  }
  const agent = agentProxyConfigProblems(doc);
  if (agent.errors.length) throw new Error(agent.errors.join("; "));
  return toProxyConfig(doc);
}
