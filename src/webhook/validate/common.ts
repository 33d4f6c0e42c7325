// Rules shared by several kinds: hosts, durations, ports, selectors, exportTo, regexes, header names.
import { isCIDR, isIPv4, isIPv6 } from "../inject/annotations.js";
import { Problems, at } from "../../schema/problems.js";
import { parseGoDuration } from "../../config/duration.js";
import { RE2JS } from "re2js";
import { isDnsLabel } from "../../schema/dns.js";

export type Obj = Record<string, any>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export { isCIDR };
export const isIP = (s: string): boolean => isIPv4(s) || isIPv6(s);

export { isDnsLabel };
export const isDns1123Label = (s: string): boolean => s.length <= 63 && /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/.test(s);

export function isFQDN(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  const t = s.endsWith(".") ? s.slice(0, -1) : s;
  return t.split(".").every(isDnsLabel);
}

const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

/** Istio's wildcard-domain rule: a wildcard only in the first label (`*`, `*.x`, `*x.y`, `*-x.y`), DNS labels elsewhere. */
export function wildcardDomainError(host: string): string | undefined {
  if (host === "") return "domain name must not be empty";
  if (host.length > 255) return `domain name "${host}" too long (max 255)`;
  const dot = host.indexOf(".");
  const first = dot < 0 ? host : host.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) return `domain name "${host}" invalid (label "${first}" invalid)`;
  if (dot >= 0) {
    const rest = host.slice(dot + 1);
    const all = rest.split(".");
    // Istio's ValidateDNS1123Labels: the top-level domain cannot be all-numeric (strconv.Atoi succeeds).
    if (/^[+-]?[0-9]+$/.test(all[all.length - 1])) return `domain name "${rest}" invalid (top level domain "${all[all.length - 1]}" cannot be all-numeric)`;
    const labels = (rest.endsWith(".") ? rest.slice(0, -1) : rest).split(".");
    const bad = labels.find((l) => !isDnsLabel(l));
    if (bad !== undefined) return `domain name "${host}" invalid (label "${bad}" invalid)`;
  }
  return undefined;
}

/** Hosts that gateways may carry: no partial wildcards (`*bar.com`). */
export function gatewayDomainError(host: string): string | undefined {
  if (/^\*[^.]/.test(host)) return `domain name "${host}" invalid (partial wildcard "${host.split(".")[0]}" not allowed)`;
  return wildcardDomainError(host);
}

/** Durations: at least 1ms and whole milliseconds (the webhook's rule on top of the schema's). */
export function checkDuration(v: unknown, path: string, p: Problems, opts: { allowZero?: boolean } = {}): void {
  if (v === undefined || v === null) return;
  if (typeof v !== "string") return p.error(path, `must be a duration such as "1s"`);
  const ms = parseGoDuration(v);
  if (ms === undefined) return p.error(path, `invalid duration "${v}": use Go syntax such as 500ms, 2s, 1m30s`);
  if (ms === 0 && opts.allowZero) return;
  // The CRD's CEL rule (API server) and then agent.ValidateDuration (webhook), with their messages.
  if (ms < 1) return p.error(path, `must be a valid duration greater than 1ms (got "${v}")`);
  if (Math.abs(ms - Math.round(ms)) > 1e-9) p.error(path, `only durations to ms precision are supported (got "${v}")`);
}

export function checkPort(v: unknown, path: string, p: Problems): void {
  if (v === undefined || v === null) return;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) p.error(path, `port number ${JSON.stringify(v)} must be in the range 1..65535 (port must be between 1-65535)`);
}

export const PROTOCOLS = ["HTTP", "HTTPS", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY", "TCP", "TLS", "UDP", "MONGO", "REDIS", "MYSQL"];
export const isProtocol = (s: unknown): boolean => typeof s === "string" && PROTOCOLS.includes(s.toUpperCase());

const LABEL_NAME = "(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_DNS = "[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?";
const LABEL_KEY = new RegExp(`^(${LABEL_DNS}(?:\\.${LABEL_DNS})*/)?(${LABEL_NAME})$`);
const LABEL_VALUE = new RegExp(`^(${LABEL_NAME})?$`);

/** Istio's labels.Instance.Validate (subset labels, sourceLabels, workload labels), with its messages. */
export function checkLabels(labels: unknown, path: string, p: Problems): void {
  if (!isObj(labels)) return;
  for (const [k, v] of Object.entries(labels)) {
    const m = LABEL_KEY.exec(k);
    if (!m) p.error(at(path, k), `invalid tag key: "${k}"`);
    else if (m[1] && m[1].length - 1 > 253) p.error(at(path, k), `invalid tag key: "${k}" (DNS prefix is too long)`);
    else if (m[2].length > 63) p.error(at(path, k), `invalid tag key: "${k}" (name is too long)`);
    if (typeof v === "string" && !LABEL_VALUE.test(v)) p.error(at(path, k), `invalid tag value: "${v}"`);
  }
}

/** Istio's validateWorkloadSelector (type.v1beta1 selectors): empty keys and `*` are rejected, an empty selector warns. */
export function checkSelector(sel: unknown, path: string, p: Problems): void {
  if (!isObj(sel)) return;
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) {
    // Istio's messages, with the CRD's CEL wording (the API server checks first) in front.
    if (k === "") p.error(at(path, "matchLabels"), `key must not be empty (empty key is not supported in selector: "${k}=${v}")`);
    if (k.includes("*")) p.error(at(path, "matchLabels"), `wildcard not allowed in label key match (wildcard is not supported in selector: "${k}=${v}")`);
    else if (String(v ?? "").includes("*")) p.error(at(path, "matchLabels"), `wildcard not allowed in label value match (wildcard is not supported in selector: "${k}=${v}")`);
    if (String(v ?? "").length > 63) p.error(at(at(path, "matchLabels"), k), "Too long: may not be longer than 63 (the CRD's maxLength for selector values)");
  }
  if (Object.keys(ml).length === 0) p.warn(path, "workload selector specified without labels");
}

const TARGET_KINDS = new Set(["/Service", "networking.istio.io/ServiceEntry", "gateway.networking.k8s.io/Gateway", "gateway.networking.k8s.io/GatewayClass"]);
export function checkTargetRefs(spec: Obj, path: string, p: Problems): void {
  const refs = [...(spec.targetRef ? [["targetRef", spec.targetRef]] : []), ...list(spec.targetRefs).map((r, i) => [`targetRefs[${i}]`, r])] as [string, Obj][];
  const set = ["selector", "targetRef", "targetRefs"].filter((k) => spec[k] !== undefined && spec[k] !== null && !(k === "targetRefs" && list(spec[k]).length === 0));
  if (set.length > 1) p.error(path, `only one of selector, targetRef or targetRefs may be set (found ${set.join(", ")})`);
  for (const [name, r] of refs) {
    if (!isObj(r)) continue;
    const rp = at(path, name);
    if (!r.kind) p.error(at(rp, "kind"), "Required value");
    if (!r.name) p.error(at(rp, "name"), "Required value");
    if (r.namespace) p.error(at(rp, "namespace"), "cross-namespace references are not supported; leave namespace empty");
    const gk = `${r.group ?? ""}/${r.kind ?? ""}`;
    if (r.kind && !TARGET_KINDS.has(gk)) {
      p.error(rp, `targetRef must be to one of ${[...TARGET_KINDS].join(", ")} but was ${gk}`);
    }
  }
}

/** Istio's validateExportTo, with its messages (`~` only for ServiceEntry; a DR with a selector only to its own namespace). */
export function checkExportTo(exportTo: unknown, namespace: string, path: string, p: Problems, opts: { allowTilde?: boolean; drWithSelector?: boolean } = {}): void {
  const l = list(exportTo).map((e) => String(e ?? ""));
  if (l.length === 0) return;
  const set = new Set<string>();
  for (const [i, e] of l.entries()) {
    const ep = at(path, i);
    const key = e === "." ? namespace : e;
    if (set.has(key)) {
      p.error(ep, key !== e ? `duplicate entries in exportTo: . and current namespace ${namespace}` : `duplicate entries in exportTo for entry ${e}`);
    } else if (opts.allowTilde && e === "~") set.add(key);
    else if (key === "~") p.error(ep, "exportTo ~ (none) is not allowed for Istio configuration objects");
    else if (key !== "." && key !== "*" && !isDnsLabel(key)) p.error(ep, "only .,*, or a valid DNS 1123 label is allowed as exportTo entry");
    else set.add(key);
  }
  if (opts.drWithSelector && set.size > 0) {
    if (set.has(namespace)) {
      if (set.size > 1) p.error(path, "destination rule with workload selector cannot have multiple entries in exportTo");
    } else p.error(path, "destination rule with workload selector cannot have exportTo beyond current namespace");
  }
  if (set.has("*") && l.length > 1) p.error(path, "cannot have both public (*) and non-public exportTo values for a resource");
  if (set.has("~") && l.length > 1) p.error(path, "cannot export service entry to no one (~) and someone");
}

/**
 * A regex as Istio 1.30.3 checks it (validateStringRegexp): at most 1024 characters (Envoy's program-size guard,
 * approximated by length as Istio does), then compiled with RE2 syntax (re2js, a port of Go's regexp): `(?i:x)`,
 * `(?s)`, `\pL`, `[[:alpha:]]` pass; lookaround, backreferences and repeat counts over 1000 fail.
 */
export function regexError(re: string, opts: { maxLength?: number } = { maxLength: 1024 }): string | undefined {
  if (opts.maxLength !== undefined && re.length > opts.maxLength) return `regex is too large, max length allowed is ${opts.maxLength}`;
  try {
    RE2JS.compile(re);
    return undefined;
  } catch (e) {
    return `${(e as Error).message}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
  }
}

export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/;
export function headerNameError(name: string): string | undefined {
  if (name === "") return "header name must not be empty";
  if (name.startsWith(":")) return HEADER_NAME.test(name.slice(1)) ? undefined : `invalid header name "${name}"`;
  return HEADER_NAME.test(name) ? undefined : `invalid header name "${name}"`;
}
