// Validation of Istio resources: the CRD schema's part (types, enums, required fields, unknown fields with a
// suggestion) and Istio's webhook rules, per kind. Pure: an object in, field-path errors and warnings out.
import { checkSchema, type Schema } from "../../schema/schema.js";
import { Problems, closest, type FieldError } from "../../schema/problems.js";
import { isObj, type Obj } from "./common.js";
import { GATEWAY_SPEC, validateGateway } from "./gateway.js";
import { VIRTUAL_SERVICE_SPEC, validateVirtualService } from "./virtualservice.js";
import { DESTINATION_RULE_SPEC, validateDestinationRule } from "./destinationrule.js";
import {
  ENVOY_FILTER_SPEC, PROXY_CONFIG_SPEC, SERVICE_ENTRY_SPEC, SIDECAR_SPEC, WORKLOAD_ENTRY_SPEC, WORKLOAD_GROUP_SPEC,
  validateEnvoyFilter, validateProxyConfig, validateServiceEntry, validateSidecar, validateWorkloadEntry, validateWorkloadGroup,
} from "./serviceentry.js";
import {
  AUTHORIZATION_POLICY_SPEC, PEER_AUTHENTICATION_SPEC, REQUEST_AUTHENTICATION_SPEC, validateAuthorizationPolicy, validatePeerAuthentication, validateRequestAuthentication,
} from "./security.js";
import { TELEMETRY_SPEC, TRAFFIC_EXTENSION_SPEC, WASM_PLUGIN_SPEC, validateTelemetry, validateTrafficExtension, validateWasmPlugin } from "./telemetry.js";
import { IOP_SPEC, validateIstioOperatorSpec } from "../../config/iop-schema.js";

export type { FieldError };

interface KindInfo {
  group: string;
  versions: string[];
  schema: Schema;
  validate: (spec: Obj, meta: Obj, p: Problems) => void;
}

const NET = ["v1", "v1beta1", "v1alpha3"];
export const KINDS: Record<string, KindInfo> = {
  Gateway: { group: "networking.istio.io", versions: NET, schema: GATEWAY_SPEC, validate: validateGateway },
  VirtualService: { group: "networking.istio.io", versions: NET, schema: VIRTUAL_SERVICE_SPEC, validate: validateVirtualService },
  DestinationRule: { group: "networking.istio.io", versions: NET, schema: DESTINATION_RULE_SPEC, validate: validateDestinationRule },
  ServiceEntry: { group: "networking.istio.io", versions: NET, schema: SERVICE_ENTRY_SPEC, validate: validateServiceEntry },
  Sidecar: { group: "networking.istio.io", versions: NET, schema: SIDECAR_SPEC, validate: validateSidecar },
  WorkloadEntry: { group: "networking.istio.io", versions: NET, schema: WORKLOAD_ENTRY_SPEC, validate: validateWorkloadEntry },
  WorkloadGroup: { group: "networking.istio.io", versions: NET, schema: WORKLOAD_GROUP_SPEC, validate: validateWorkloadGroup },
  EnvoyFilter: { group: "networking.istio.io", versions: ["v1alpha3"], schema: ENVOY_FILTER_SPEC, validate: validateEnvoyFilter },
  ProxyConfig: { group: "networking.istio.io", versions: ["v1beta1"], schema: PROXY_CONFIG_SPEC, validate: validateProxyConfig },
  PeerAuthentication: { group: "security.istio.io", versions: ["v1", "v1beta1"], schema: PEER_AUTHENTICATION_SPEC, validate: validatePeerAuthentication },
  RequestAuthentication: { group: "security.istio.io", versions: ["v1", "v1beta1"], schema: REQUEST_AUTHENTICATION_SPEC, validate: validateRequestAuthentication },
  AuthorizationPolicy: { group: "security.istio.io", versions: ["v1", "v1beta1"], schema: AUTHORIZATION_POLICY_SPEC, validate: validateAuthorizationPolicy },
  Telemetry: { group: "telemetry.istio.io", versions: ["v1", "v1alpha1"], schema: TELEMETRY_SPEC, validate: validateTelemetry },
  WasmPlugin: { group: "extensions.istio.io", versions: ["v1alpha1"], schema: WASM_PLUGIN_SPEC, validate: validateWasmPlugin },
  TrafficExtension: { group: "extensions.istio.io", versions: ["v1alpha1"], schema: TRAFFIC_EXTENSION_SPEC, validate: validateTrafficExtension },
  IstioOperator: { group: "install.istio.io", versions: ["v1alpha1"], schema: IOP_SPEC, validate: (spec, meta, p) => validateIstioOperatorSpec(spec as never, meta as never, p) },
};
export const ISTIO_GROUPS = [...new Set(Object.values(KINDS).map((k) => k.group))];

export interface ValidationResult {
  /** False for kinds pilotfish does not validate (the webhook allows them). */
  handled: boolean;
  errors: FieldError[];
  warnings: string[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateResource(obj: unknown, opts: { offline?: boolean } = {}): ValidationResult {
  const p = new Problems();
  if (!isObj(obj)) return { handled: true, errors: [{ path: "", message: "a resource must be a YAML/JSON map" }], warnings: [] };
  // Only strings are names: String() of a JSON object with a "toString" key throws.
  if (obj.apiVersion !== undefined && typeof obj.apiVersion !== "string") p.error("apiVersion", `must be a string, got ${jsonType(obj.apiVersion)}`);
  if (obj.kind !== undefined && typeof obj.kind !== "string") p.error("kind", `must be a string, got ${jsonType(obj.kind)}`);
  if (p.errors.length) return { handled: true, errors: p.errors, warnings: [] };
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const kind = typeof obj.kind === "string" ? obj.kind : "";
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  let info: KindInfo | undefined = KINDS[kind];
  if (info && info.group !== group) info = undefined;
  if (!info) {
    const known = ISTIO_GROUPS.includes(group) || Object.keys(KINDS).includes(kind) || closest(group, ISTIO_GROUPS) !== undefined && group.includes("istio");
    if (!known) return { handled: false, errors: [], warnings: [] };
    const kindHint = closest(kind, Object.keys(KINDS));
    const groupHint = KINDS[kind] ? KINDS[kind].group : closest(group, ISTIO_GROUPS);
    if (!KINDS[kind]) p.error("kind", `unknown kind "${kind}" in ${group || "this group"}${kindHint ? `; did you mean "${kindHint}"?` : ""}`);
    else p.error("apiVersion", `${kind} is not in group "${group}"${groupHint ? `; did you mean "${groupHint}/${KINDS[kind].versions[0]}"?` : ""}`);
    return { handled: true, errors: p.errors, warnings: p.warnings };
  }
  if (opts.offline && !info.versions.includes(version)) {
    const hint = closest(version, info.versions);
    p.error("apiVersion", `${group}/${version} does not serve ${kind}${hint ? `; did you mean "${group}/${hint}"?` : ""} (served: ${info.versions.map((v) => `${group}/${v}`).join(", ")})`);
  }
  for (const k of Object.keys(obj)) {
    if (!["apiVersion", "kind", "metadata", "spec", "status"].includes(k)) {
      const hint = closest(k, ["apiVersion", "kind", "metadata", "spec", "status"]);
      p.error(k, `unknown field "${k}"${hint ? `; did you mean "${hint}"?` : ""}`);
    }
  }
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (opts.offline) {
    if (!meta.name && !meta.generateName) p.error("metadata.name", "Required value");
    else if (meta.name && typeof meta.name !== "string") p.error("metadata.name", `must be a string, got ${Array.isArray(meta.name) ? "array" : typeof meta.name}`);
    else if (meta.name && (meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name))) p.error("metadata.name", `"${meta.name}" must be a lowercase DNS-1123 subdomain`);
  }
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  if (annotations["internal.istio.io/webhook-always-reject"] !== undefined) p.error("metadata.annotations", "internal.istio.io/webhook-always-reject annotation found, rejecting");
  for (const k of ["internal.istio.io/parents", "internal.istio.io/parent-namespace"]) if (annotations[k] !== undefined) p.error(`metadata.annotations[${k}]`, `${k} is set by Istio and cannot be set by users`);
  if (annotations["istio.io/dry-run"] !== undefined && kind !== "AuthorizationPolicy") p.error("metadata.annotations[istio.io/dry-run]", "istio.io/dry-run is only supported on AuthorizationPolicy");
  const spec = obj.spec === undefined || obj.spec === null ? {} : obj.spec;
  const before = p.errors.length;
  checkSchema(spec, info.schema, "spec", p);
  // Unknown fields: Istio's webhook lets them through (the API server prunes them, or refuses them only under strict
  // field validation); pilotfish refuses them, and says that this check is its own.
  if (kind !== "IstioOperator") {
    for (const e of p.errors.slice(before)) if (e.message.startsWith("unknown field")) e.message += " [pilotfish's own check: Istio's webhook lets unknown fields through]";
  }
  if (isObj(spec)) semanticPass(spec, meta, info, p, p.errors.slice(before).map((e) => e.path));
  return { handled: true, errors: p.errors, warnings: p.errors.length ? [] : p.warnings };
}

/**
 * Istio's rules run even when the schema found problems, so one answer lists everything (a user fixes a typo and
 * a bad regex in one round). A rule's error under a field the schema already rejected is left out (it would
 * only restate it), and a rule that trips over a structurally broken spec adds nothing: the schema errors say why.
 */
function semanticPass(spec: Obj, meta: Obj, info: KindInfo, p: Problems, schemaPaths: string[]): void {
  const sem = new Problems();
  try {
    info.validate(spec, meta, sem);
  } catch (e) {
    if (!schemaPaths.length) throw e;
    return;
  }
  // Indexed, not scanned: a list of thousands of items has thousands of errors on each side.
  const schemaSet = new Set(schemaPaths);
  const under = (path: string) => {
    for (let k = path.length - 1; k > 0; k--) if ((path[k] === "." || path[k] === "[") && schemaSet.has(path.slice(0, k))) return true;
    return false;
  };
  // On the same field a rule may add Istio's wording ("spec.Match[0] is nil"), but "required" twice says nothing new.
  const requiredAt = new Set(p.errors.filter((s) => /required/i.test(s.message)).map((s) => s.path));
  const requiredTwice = (e: { path: string; message: string }) => /required/i.test(e.message) && requiredAt.has(e.path);
  for (const e of sem.errors) {
    if (under(e.path) || requiredTwice(e)) continue;
    p.error(e.path, e.message);
    if (/required/i.test(e.message)) requiredAt.add(e.path);
  }
  for (const w of sem.warnings) p.warnings.push(w);
}

function jsonType(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;
}

/** A denial lists at most this many errors (then "and N more errors"): the answer stays bounded for any input. */
export const MAX_LISTED_ERRORS = 100;
/** Each listed error is cut at this many characters. */
const MAX_ERROR_CHARS = 500;

export function formatErrors(errors: FieldError[], max = Infinity): string {
  const cut = (s: string) => (max !== Infinity && s.length > MAX_ERROR_CHARS ? s.slice(0, MAX_ERROR_CHARS) + "..." : s);
  const lines = errors.slice(0, max).map((e) => cut(e.path ? `${e.path}: ${e.message}` : e.message));
  if (errors.length > max) lines.push(`and ${errors.length - max} more error${errors.length - max > 1 ? "s" : ""}`);
  return lines.join("\n");
}

/** The AdmissionReview v1 response for a validation review: every problem in one denial message. */
export function admissionValidate(review: unknown): Obj {
  const r = isObj(review) ? review : {};
  const req = isObj(r.request) ? r.request : {};
  const base = { apiVersion: r.apiVersion ?? "admission.k8s.io/v1", kind: r.kind ?? "AdmissionReview" };
  const uid = req.uid ?? "";
  if (req.operation !== "CREATE" && req.operation !== "UPDATE") return { ...base, response: { uid, allowed: true } };
  const result = validateResource(req.object);
  if (!result.handled) return { ...base, response: { uid, allowed: true } };
  if (result.errors.length === 0) {
    return { ...base, response: { uid, allowed: true, ...(result.warnings.length ? { warnings: result.warnings } : {}) } };
  }
  const o = isObj(req.object) ? req.object : {};
  const str = (v: unknown) => (typeof v === "string" ? v.slice(0, 300) : "");
  const m = isObj(o.metadata) ? o.metadata : {};
  const name = `${str(o.kind) || "resource"} ${str(m.namespace) ? str(m.namespace) + "/" : ""}${str(m.name)}`;
  const n = result.errors.length;
  const message = `configuration is invalid: ${name}: ${n} error${n > 1 ? "s" : ""}:\n${formatErrors(result.errors, MAX_LISTED_ERRORS).replace(/^/gm, "  * ")}`;
  return { ...base, response: { uid, allowed: false, status: { code: 400, reason: "Invalid", message } } };
}
