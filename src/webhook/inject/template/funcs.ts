// The functions Istio 1.30.3's injector adds to sprig's for its templates (InjectionFuncmap,
// pkg/kube/inject/template.go), written for pilotfish's Go-value representation (go.ts, data.ts).
import { dump } from "js-yaml";
import { isObject, str } from "../../../config/values.js";
import { protoJsonUntyped, proxyConfigToJSON } from "../protojson.js";
import { durationString, jsonOf } from "./go.js";
import { GoFloat, goJsonData } from "../../../gotemplate/index.js";
import { durationNanos, protoTypeOf } from "./data.js";

type Fn = (...args: any[]) => unknown;

/** Go's fmt.Sprint of a template value (Stringers print through String()). */
function sprint(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "object" && typeof (v as { String?: unknown }).String === "function") return String((v as { String: () => unknown }).String());
  return str(v);
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) if (typeof x !== "function") out[k] = str(x);
  return out;
}

/** Go's encoding/json of a map[string]string: keys sorted, HTML-escaped as Go does. */
function goJsonStringMap(m: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) sorted[k] = m[k];
  return goJson(sorted);
}

/** Go's encoding/json of JSON data: map keys sorted, <, >, & and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

/**
 * Go struct field order (and omitempty zero values) of the Kubernetes types templates marshal with structToJSON,
 * recognised by a field only they have. Other objects keep their keys' order.
 */
const STRUCT_ORDER: { has: string; fields: [string, unknown][] }[] = [
  { has: "containerPort", fields: [["name", ""], ["hostPort", 0], ["containerPort", undefined], ["protocol", ""], ["hostIP", ""]] },
  { has: "mountPath", fields: [["name", undefined], ["readOnly", false], ["recursiveReadOnly", undefined], ["mountPath", undefined], ["subPath", ""], ["mountPropagation", undefined], ["subPathExpr", ""]] },
];

function goStructJson(j: unknown): string {
  if (j && typeof j === "object" && !Array.isArray(j)) {
    const o = j as Record<string, unknown>;
    const order = STRUCT_ORDER.find((t) => t.has in o);
    if (order) {
      const out: Record<string, unknown> = {};
      for (const [k, zero] of order.fields) if (o[k] !== undefined && o[k] !== null && o[k] !== zero) out[k] = o[k];
      for (const k of Object.keys(o)) if (!(k in out) && !order.fields.some(([f]) => f === k) && o[k] !== null) out[k] = o[k];
      return goJsonOrdered(out);
    }
  }
  return goJson(j);
}

/** encoding/json escaping, keys in the given order. */
function goJsonOrdered(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function splitPorts(s: string): string[] {
  return s.split(",").filter((p) => p !== "");
}

function containerPorts(containers: unknown, include: (c: Record<string, unknown>) => boolean): string {
  const parts: string[] = [];
  for (const c of Array.isArray(containers) ? containers : []) {
    if (!c || typeof c !== "object" || !include(c)) continue;
    for (const p of Array.isArray(c.Ports) ? c.Ports : []) {
      const proto = sprint(p?.Protocol ?? "");
      if (proto === "UDP" || proto === "SCTP") continue;
      parts.push(String(Math.trunc(Number(p?.ContainerPort ?? 0))));
    }
  }
  return parts.join(",");
}

/** k8s.io/utils/strings SplitQualifiedName: "ns/name" -> [ns, name]; "name" -> ["", name]. */
function splitQualifiedName(s: string): [string, string] {
  const parts = s.split("/");
  return parts.length < 2 ? ["", s] : [parts[0], parts[1]];
}

function appendMultusNetwork(existing: unknown, network: unknown): string {
  const existingValue = str(existing);
  const istioCniNetwork = str(network);
  if (existingValue === "") return istioCniNetwork;
  const i = existingValue.lastIndexOf("]");
  if (i !== -1) {
    let networks: unknown;
    try {
      networks = JSON.parse(existingValue);
    } catch {
      return existingValue;
    }
    if (!Array.isArray(networks) || !networks.every(isObject)) return existingValue;
    const [ns, name] = splitQualifiedName(istioCniNetwork);
    for (const net of networks) if (net.name === name && (net.namespace ?? "") === ns) return existingValue;
    const add = ns === "" ? `, {"name": "${name}"}` : `, {"name": "${name}", "namespace": "${ns}"}`;
    return existingValue.slice(0, i) + add + existingValue.slice(i);
  }
  for (const net of existingValue.split(",")) if (net.trim() === istioCniNetwork) return existingValue;
  return existingValue + ", " + istioCniNetwork;
}

function mergeMaps(...maps: unknown[]): Record<string, string> | undefined {
  if (maps.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const m of maps) Object.assign(out, stringMap(m));
  return out;
}

function omitNil(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const out = v.map(omitNil).filter((x) => x !== undefined);
    return out.length ? out : undefined;
  }
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const f = omitNil(x);
      if (f !== undefined) out[k] = f;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

/** sigs.k8s.io/yaml.Marshal: JSON names, map keys sorted, 2-space indent, list items not indented. */
export function goYaml(v: unknown): string {
  const j = jsonOf(v);
  if (j === undefined || j === null) return "null\n";
  return dump(j, { sortKeys: true, lineWidth: -1, noRefs: true, seqNoIndent: true });
}

function parseImageTagDigest(image: string): { tag: string; digest: string } {
  let digest = "";
  const at = image.indexOf("@");
  if (at >= 0) {
    digest = image.slice(at + 1);
    image = image.slice(0, at);
  }
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return { tag: colon > slash ? image.slice(colon + 1) : "", digest };
}

function otelResourceAttributes(mc: unknown, annotations: unknown, labels: unknown, namespace: unknown, containers: unknown): string {
  const mesh = jsonOf(mc);
  const providers = isObject(mesh) && Array.isArray(mesh.extensionProviders) ? mesh.extensionProviders : [];
  const on = providers.some((p) => isObject(p) && isObject(p.opentelemetry) && p.opentelemetry.serviceAttributeEnrichment === "OTEL_SEMANTIC_CONVENTIONS");
  if (!on) return "";
  const a = stringMap(annotations);
  const l = stringMap(labels);
  const ns = str(namespace);
  const cs = Array.isArray(containers) ? containers : [];
  const attrs: string[] = [];
  if (a["resource.opentelemetry.io/service.namespace"]) attrs.push("service.namespace=" + a["resource.opentelemetry.io/service.namespace"]);
  else if (ns !== "") attrs.push("service.namespace=" + ns);
  if (a["resource.opentelemetry.io/service.version"]) attrs.push("service.version=" + a["resource.opentelemetry.io/service.version"]);
  else if (l["app.kubernetes.io/version"]) attrs.push("service.version=" + l["app.kubernetes.io/version"]);
  else if (cs.length === 1) {
    const { tag, digest } = parseImageTagDigest(str(cs[0]?.Image ?? ""));
    if (tag && digest) attrs.push(`service.version=${tag}@${digest}`);
    else if (digest) attrs.push("service.version=" + digest);
    else if (tag) attrs.push("service.version=" + tag);
  }
  if (a["resource.opentelemetry.io/service.instance.id"]) attrs.push("service.instance.id=" + a["resource.opentelemetry.io/service.instance.id"]);
  else if (cs.length > 0) attrs.push(`service.instance.id=${ns}.$(POD_NAME).${str(cs[0]?.Name ?? "")}`);
  return attrs.join(",");
}

/** Istio's InjectionFuncmap, name for name. */
export function injectionFuncs(): Record<string, Fn> {
  return {
    formatDuration: (d: unknown) => {
      const ns = durationNanos(d);
      return ns === undefined ? "0s" : durationString(ns);
    },
    isset: (m: unknown, key: unknown) => !!m && typeof m === "object" && Object.prototype.hasOwnProperty.call(m, str(key)),
    excludeInboundPort: (port: unknown, excluded: unknown) => {
      const portStr = sprint(port).trim();
      const list = str(excluded);
      if (portStr === "" || portStr === "0") return list;
      const out: string[] = [];
      for (const p of splitPorts(list)) {
        if (p === portStr) return list;
        if (p.trim() !== "") out.push(p.trim());
      }
      out.push(portStr);
      return out.join(",");
    },
    includeInboundPorts: (containers: unknown) => containerPorts(containers, () => true),
    kubevirtInterfaces: (s: unknown) => str(s),
    excludeInterfaces: (s: unknown) => str(s),
    applicationPorts: (containers: unknown) => containerPorts(containers, (c) => c.Name !== "istio-proxy"),
    annotation: (meta: unknown, name: unknown, dflt: unknown) => {
      const ann = meta && typeof meta === "object" ? (meta as { Annotations?: Record<string, string> }).Annotations : undefined;
      return ann && Object.prototype.hasOwnProperty.call(ann, str(name)) ? ann[str(name)] : sprint(dflt);
    },
    valueOrDefault: (value: unknown, dflt: unknown) => (value === "" || value === null || value === undefined ? dflt : value),
    toJSON: (m: unknown) => (m === null || m === undefined ? "{}" : goJsonStringMap(stringMap(m))),
    fromJSON: (j: unknown) => {
      try {
        // json.Unmarshal into interface{}: numbers are float64.
        const v = JSON.parse(str(j));
        return typeof v === "number" ? new GoFloat(v) : goJsonData(v);
      } catch {
        return "{}";
      }
    },
    structToJSON: (v: unknown) => (v === null || v === undefined ? "{}" : goStructJson(jsonOf(v))),
    protoToJSON: (v: unknown) => {
      const j = jsonOf(v);
      if (!isObject(j)) return "{}";
      // Istio strips a ProxyConfig of its default-valued fields first (cleanProxyConfig); PROXY_CONFIG is that.
      const type = protoTypeOf(v);
      return type === undefined || type === "ProxyConfig" ? proxyConfigToJSON(j) : protoJsonUntyped(j);
    },
    toYaml: (v: unknown) => goYaml(v),
    indent: (spaces: unknown, source: unknown) => {
      const pad = " ".repeat(Math.max(0, Math.trunc(Number(spaces))));
      return str(source)
        .split("\n")
        .map((line, i) => (i > 0 ? pad + line : line))
        .join("\n");
    },
    directory: (p: unknown) => {
      const s = str(p);
      const i = s.lastIndexOf("/");
      return i >= 0 ? s.slice(0, i + 1) : "";
    },
    contains: (needle: unknown, haystack: unknown) => str(haystack).includes(str(needle)),
    toLower: (s: unknown) => str(s).toLowerCase(),
    appendMultusNetwork,
    env: (key: unknown, dflt: unknown) => {
      const v = process.env[str(key)];
      return v === undefined || v === "" ? str(dflt) : v;
    },
    omit: (dict: unknown, ...keys: unknown[]) => {
      const out = stringMap(dict);
      for (const k of keys) delete out[str(k)];
      return out;
    },
    strdict: (...v: unknown[]) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < v.length; i += 2) out[str(v[i])] = i + 1 < v.length ? str(v[i + 1]) : "";
      return out;
    },
    toJsonMap: (...maps: unknown[]) => {
      const m = mergeMaps(...maps);
      return m === undefined ? "null" : goJsonStringMap(m);
    },
    mergeMaps,
    omitNil,
    otelResourceAttributes,
  };
}
