// PeerAuthentication, RequestAuthentication, AuthorizationPolicy (security.istio.io), ported rule by rule from Istio
// 1.30.3 (pkg/config/validation/validation.go, pkg/config/security/security.go) and the CRD schema. Messages contain
// Istio's wording. Istio's webhook reads an empty list as unset, so `x: []` counts as absent everywhere here.
// Also the selector / targetRef / ParseBool / IP helpers shared with telemetry.ts (Telemetry, WasmPlugin).
import { isIPv4, isIPv6 } from "node:net";
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { checkDuration, isObj, list, type Obj } from "./common.js";

/** Non-empty list: the webhook's JSON decoder reads `[]` as an unset field. */
export const set = (v: unknown): v is any[] => Array.isArray(v) && v.length > 0;

/**
 * Istio's validateWorkloadSelector plus the CRD's matchLabels rules: empty key and `*` denied, values <= 63 characters
 * (CRD), a selector without labels is a warning. Label syntax is otherwise not checked (Istio does not).
 */
export function checkWorkloadSelector(sel: unknown, path: string, p: Problems): void {
  if (!isObj(sel)) return;
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  const entries = Object.entries(ml).filter(([, v]) => v !== null);
  for (const [k, v] of entries) {
    const lp = `${path}.matchLabels[${k}]`;
    if (k === "") p.error(`${path}.matchLabels`, `empty key is not supported in selector: "=${v}" (CRD: key must not be empty)`);
    if (k.includes("*") || String(v).includes("*")) {
      const crd = k.includes("*") ? "wildcard not allowed in label key match" : "wildcard not allowed in label value match";
      p.error(lp, `wildcard is not supported in selector: "${k}=${v}" (CRD: ${crd})`);
    }
    if (typeof v === "string" && v.length > 63) p.error(lp, `Too long: may not be more than 63 bytes (CRD schema)`);
  }
  if (entries.length > 4096) p.error(`${path}.matchLabels`, "Too many: must have at most 4096 items (CRD schema)");
  if (entries.length === 0) p.warn(path, "workload selector specified without labels");
}

const ALLOWED_TARGETS = ["core/Service", "networking.istio.io/ServiceEntry", "gateway.networking.k8s.io/Gateway", "gateway.networking.k8s.io/GatewayClass"];
const ALLOWED_TARGETS_TEXT = "[core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass]";
const GROUP_PATTERN = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND_PATTERN = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

function checkTargetRef(r: unknown, rp: string, p: Problems): void {
  if (!isObj(r)) return;
  const group = typeof r.group === "string" ? r.group : "";
  const kind = typeof r.kind === "string" ? r.kind : "";
  if (!r.name) p.error(at(rp, "name"), "targetRef name must be set");
  else if (String(r.name).length > 253) p.error(at(rp, "name"), "Too long: may not be more than 253 bytes (CRD schema)");
  if (r.namespace) p.error(at(rp, "namespace"), "targetRef namespace must not be set; cross namespace referencing is not supported (CRD: cross namespace referencing is not currently supported)");
  if (!kind) p.error(at(rp, "kind"), "Required value (CRD schema)");
  else if (kind.length > 63 || !KIND_PATTERN.test(kind)) p.error(at(rp, "kind"), `Invalid value: "${kind}": should match '${KIND_PATTERN.source}' (CRD schema)`);
  if (group.length > 253 || !GROUP_PATTERN.test(group)) p.error(at(rp, "group"), `Invalid value: "${group}": should match '${GROUP_PATTERN.source}' (CRD schema)`);
  if (!ALLOWED_TARGETS.includes(`${group === "" ? "core" : group}/${kind}`)) {
    p.error(rp, `targetRef must be to one of ${ALLOWED_TARGETS_TEXT} but was ${group}/${kind}`);
  }
}

/** Istio's validateOneOfSelectorType + validatePolicyTargetReference(s), with the CRD's targetRef rules. */
export function checkPolicyTargeting(spec: Obj, path: string, p: Problems): void {
  let n = 0;
  if (spec.selector != null) n++;
  if (spec.targetRef != null) n++;
  if (set(spec.targetRefs)) n++;
  if (n > 1) p.error(path, "only one of targetRefs or workloadSelector can be set (CRD: only one of targetRefs or selector can be set)");
  checkWorkloadSelector(spec.selector, at(path, "selector"), p);
  checkTargetRef(spec.targetRef, at(path, "targetRef"), p);
  list(spec.targetRefs).forEach((r, i) => checkTargetRef(r, at(at(path, "targetRefs"), i), p));
}

/** The API server's wording for a CRD `minLength: 1` failure. */
export const tooShort = (path: string): string => `Invalid value: "": ${path} in body should be at least 1 chars long (CRD schema)`;
/** checkDuration with the CRD's message added. */
export function checkDurationCrd(v: unknown, path: string, p: Problems): void {
  const q = new Problems();
  checkDuration(v, path, q);
  for (const e of q.errors) p.error(e.path, `${e.message} (CRD: must be a valid duration greater than 1ms)`);
}

/** Go's strconv.ParseBool. */
export const goParseBool = (s: string): boolean | undefined =>
  ["1", "t", "T", "TRUE", "true", "True"].includes(s) ? true : ["0", "f", "F", "FALSE", "false", "False"].includes(s) ? false : undefined;

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const v4ok = (s: string): boolean => {
  const m = V4.exec(s);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && !(o.length > 1 && o.startsWith("0")));
};
/** Go's netip.ParseAddr: dotted-quad IPv4 without leading zeros, IPv6 with an optional zone. */
export function goParseAddr(s: string, allowZone = true): boolean {
  if (v4ok(s)) return true;
  if (!s.includes(":")) return false;
  let a = s;
  const z = s.indexOf("%");
  if (z >= 0) {
    if (!allowZone || z === s.length - 1) return false;
    a = s.slice(0, z);
  }
  const dot = a.lastIndexOf(":");
  if (a.slice(dot + 1).includes(".") && !v4ok(a.slice(dot + 1))) return false;
  return isIPv6(a) && !isIPv4(a);
}
/** Go's netip.ParsePrefix. */
export function goParsePrefix(s: string): boolean {
  const i = s.lastIndexOf("/");
  if (i < 0) return false;
  const addr = s.slice(0, i);
  const bits = s.slice(i + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits) || !goParseAddr(addr, false)) return false;
  return Number(bits) <= (v4ok(addr) ? 32 : 128);
}

const SELECTOR: Schema = S.obj({ matchLabels: S.map() });
export const TARGET_REF: Schema = S.obj({ group: S.str(), kind: S.str(), name: S.str(), namespace: S.str() });
const MTLS: Schema = S.obj({ mode: S.en("UNSET", "DISABLE", "PERMISSIVE", "STRICT") });

export const PEER_AUTHENTICATION_SPEC: Schema = S.obj({ selector: SELECTOR, mtls: MTLS, portLevelMtls: S.map(MTLS) });

export function validatePeerAuthentication(spec: Obj, _meta: Obj, p: Problems): void {
  const ml = isObj(spec.selector) && isObj(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  const emptySelector = Object.keys(ml).length === 0;
  if (isObj(spec.portLevelMtls)) {
    const ports = Object.keys(spec.portLevelMtls);
    if (emptySelector && ports.length) p.error("spec.portLevelMtls", "mesh/namespace peer authentication cannot have port level mTLS (CRD: portLevelMtls requires selector)");
    if (ports.length === 0) p.error("spec.portLevelMtls", "port level mTLS, if defined, must have at least one element (CRD: should have at least 1 properties)");
    for (const port of ports) {
      if (/^0\d+$/.test(port)) p.error(`spec.portLevelMtls[${port}]`, `error decoding configuration: invalid map key "${port}" (a port number with a leading zero is not a JSON number)`);
      else if (!/^\d+$/.test(port)) p.error(`spec.portLevelMtls[${port}]`, `port must be in range 1..65535 (CRD: type conversion error from string to int: "${port}")`);
      else if (Number(port) < 1 || Number(port) > 65535) p.error(`spec.portLevelMtls[${port}]`, `port must be in range 1..65535 (CRD: port must be between 1-65535)`);
    }
  }
  checkWorkloadSelector(spec.selector, "spec.selector", p);
}

const JWT_RULE: Schema = S.obj({
  issuer: S.str(), audiences: S.strs(), jwksUri: S.str({ max: 2048 }), jwks_uri: S.str({ max: 2048 }), jwks: S.str(),
  fromHeaders: S.arr(S.obj({ name: S.str(), prefix: S.str() }, { req: ["name"] })), fromParams: S.strs(), fromCookies: S.strs(),
  outputPayloadToHeader: S.str(), forwardOriginalToken: S.bool,
  outputClaimToHeaders: S.arr(S.obj({ header: S.str(), claim: S.str() })), timeout: S.dur, spaceDelimitedClaims: S.arr(S.str(), { max: 64 }),
}, { oneOf: [["jwks", "jwksUri", "jwks_uri"]] });
export const REQUEST_AUTHENTICATION_SPEC: Schema = S.obj({ selector: SELECTOR, targetRef: TARGET_REF, targetRefs: S.arr(TARGET_REF, { max: 16 }), jwtRules: S.arr(JWT_RULE, { max: 4096 }) });

const CTL = /[\x00-\x1f\x7f]/;
const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;
/** Go's url.getScheme. */
function goGetScheme(raw: string): { scheme: string; rest: string; error?: string } {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return { scheme: "", rest: raw };
      continue;
    }
    if (c === ":") return i === 0 ? { scheme: "", rest: "", error: "missing protocol scheme" } : { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    return { scheme: "", rest: raw };
  }
  return { scheme: "", rest: raw };
}
const HOST_OK = /^[a-zA-Z0-9\-_.~!$&'()*+,;=:[\]<>"%]*$/;
/** Go's net/url parse (url.Parse when viaRequest is false, url.ParseRequestURI when true): the scheme, or Go's error. */
export function goParseURL(rawURL: string, viaRequest = false): { scheme: string; error?: string } {
  let raw = rawURL;
  const fail = (m: string) => ({ scheme: "", error: `parse ${JSON.stringify(rawURL)}: ${m}` });
  if (!viaRequest) {
    const h = raw.indexOf("#");
    if (h >= 0) {
      if (BAD_ESCAPE.test(raw.slice(h + 1))) return fail("invalid URL escape");
      raw = raw.slice(0, h);
    }
  }
  if (CTL.test(raw)) return fail("net/url: invalid control character in URL");
  if (raw === "" && viaRequest) return fail("empty url");
  if (raw === "*") return { scheme: "" };
  const g = goGetScheme(raw);
  if (g.error) return fail(g.error);
  const scheme = g.scheme.toLowerCase();
  let rest = g.rest;
  if (rest.endsWith("?") && rest.split("?").length === 2) rest = rest.slice(0, -1);
  else rest = rest.split("?")[0];
  if (!rest.startsWith("/")) {
    if (scheme !== "") return { scheme };
    if (viaRequest) return fail("invalid URI for request");
    if (rest.split("/")[0].includes(":")) return fail("first path segment in URL cannot contain colon");
  }
  if ((scheme !== "" || (!viaRequest && !rest.startsWith("///"))) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    const i = authority.indexOf("/");
    rest = i >= 0 ? authority.slice(i) : "";
    if (i >= 0) authority = authority.slice(0, i);
    const at = authority.lastIndexOf("@");
    const host = at >= 0 ? authority.slice(at + 1) : authority;
    if (at >= 0 && !/^[a-zA-Z0-9\-._:~!$&'()*+,;=%@]*$/.test(authority.slice(0, at))) return fail("net/url: invalid userinfo");
    if (host.startsWith("[")) {
      const close = host.lastIndexOf("]");
      if (close < 0) return fail("missing ']' in host");
      const port = host.slice(close + 1);
      if (port !== "" && !/^:[0-9]*$/.test(port)) return fail(`invalid port ${JSON.stringify(port)} after host`);
    } else {
      const c = host.lastIndexOf(":");
      if (c >= 0 && !/^:[0-9]*$/.test(host.slice(c))) return fail(`invalid port ${JSON.stringify(host.slice(c))} after host`);
    }
    if (BAD_ESCAPE.test(host)) return fail("invalid URL escape");
    const bad = [...host].find((ch) => ch.charCodeAt(0) < 0x80 && !HOST_OK.test(ch));
    if (bad !== undefined) return fail(`invalid character ${JSON.stringify(bad)} in host name`);
  }
  if (BAD_ESCAPE.test(rest)) return fail("invalid URL escape");
  return { scheme };
}

/** The first JSON value of `s` (Go's json.Decoder stops there; trailing text is ignored). */
function firstJSONValue(s: string): unknown {
  const t = s.trimStart();
  if (t[0] !== "{" && t[0] !== "[") return JSON.parse(s);
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      if (--depth === 0) return JSON.parse(t.slice(0, i + 1));
    }
  }
  return JSON.parse(t);
}
const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const JWK_FIELDS: Record<string, { required: string[]; bytes: string[] }> = {
  RSA: { required: ["n", "e"], bytes: ["n", "e", "d", "p", "q", "dp", "dq", "qi"] },
  EC: { required: ["crv", "x", "y"], bytes: ["x", "y", "d"] },
  OKP: { required: ["crv", "x"], bytes: ["x", "d"] },
  oct: { required: ["k"], bytes: ["k"] },
};
/**
 * A JWK set (or a single JWK) as lestrrat-go/jwx's jwk.Parse reads it for Istio: each key's kty known, its required
 * fields present and its byte fields base64; no check of the key material itself. Private keys (d, or oct) are listed.
 */
function jwkSetError(jwks: string): { error?: string; privateAt: number[] } {
  let parsed: unknown;
  try {
    parsed = firstJSONValue(jwks);
  } catch (e) {
    return { error: `failed to unmarshal JWK set: ${(e as Error).message}`, privateAt: [] };
  }
  if (!isObj(parsed)) return { error: "failed to unmarshal JWK set: not a JSON object", privateAt: [] };
  if (parsed.keys !== undefined && !Array.isArray(parsed.keys)) return { error: `failed to unmarshal JWK set: failed to decode "keys"`, privateAt: [] };
  const keys: unknown[] = Array.isArray(parsed.keys) ? parsed.keys : [parsed];
  const privateAt: number[] = [];
  for (const [i, k] of keys.entries()) {
    const where = `failed to unmarshal JWK set: failed to decode key #${i} in "keys"`;
    if (!isObj(k)) return { error: `${where}: not an object`, privateAt };
    const spec = typeof k.kty === "string" ? JWK_FIELDS[k.kty] : undefined;
    if (!spec) return { error: `${where}: invalid key type from JSON (${typeof k.kty === "string" ? k.kty : ""})`, privateAt };
    const missing = spec.required.find((f) => k[f] === undefined);
    if (missing) return { error: `${where}: required field ${missing} is missing`, privateAt };
    const bad = spec.bytes.find((f) => k[f] !== undefined && (typeof k[f] !== "string" || !B64.test(k[f]) || k[f].replace(/=+$/, "").length % 4 === 1));
    if (bad) return { error: `${where}: failed to decode value for key ${bad}: expected base64 encoded []byte (string)`, privateAt };
    if (k.kty === "oct" || k.d !== undefined) privateAt.push(i);
  }
  return { privateAt };
}

export function validateRequestAuthentication(spec: Obj, _meta: Obj, p: Problems): void {
  checkPolicyTargeting(spec, "spec", p);
  list(spec.jwtRules).forEach((r, i) => {
    if (!isObj(r)) return;
    const rp = at("spec.jwtRules", i);
    list(r.audiences).forEach((a, j) => a === "" && p.error(at(at(rp, "audiences"), j), `audience must be non-empty string; ${tooShort(at(at(rp, "audiences"), j))}`));
    const jwksUri = r.jwksUri ?? r.jwks_uri;
    if (!r.issuer && !jwksUri) p.error(rp, "issuer or jwksUri must be non-empty string");
    if (r.issuer === "") p.error(at(rp, "issuer"), tooShort(at(rp, "issuer")));
    if (jwksUri === "") p.error(at(rp, "jwksUri"), tooShort(at(rp, "jwksUri")));
    if (typeof jwksUri === "string" && jwksUri !== "") {
      const u = goParseURL(jwksUri);
      if (u.error) p.error(at(rp, "jwksUri"), `${u.error} (CRD: url must have scheme http:// or https://)`);
      else if (u.scheme !== "http" && u.scheme !== "https") p.error(at(rp, "jwksUri"), `URI scheme "${u.scheme}" is not supported (CRD: url must have scheme http:// or https://)`);
    }
    if (typeof r.jwks === "string" && r.jwks !== "") {
      const res = jwkSetError(r.jwks);
      if (res.error) p.error(at(rp, "jwks"), `jwks parse error: ${res.error}`);
      for (const k of res.privateAt) p.warn(at(rp, "jwks"), `jwks key at index ${k} contains private key material; only public keys are used for verification`);
    }
    list(r.fromHeaders).forEach((h, j) => isObj(h) && !h.name && p.error(at(at(at(rp, "fromHeaders"), j), "name"), `location header name must be non-empty string; ${tooShort(at(at(at(rp, "fromHeaders"), j), "name"))}`));
    list(r.fromParams).forEach((h, j) => h === "" && p.error(at(at(rp, "fromParams"), j), `location query must be non-empty string; ${tooShort(at(at(rp, "fromParams"), j))}`));
    list(r.fromCookies).forEach((h, j) => h === "" && p.error(at(at(rp, "fromCookies"), j), `cookie name must be non-empty string; ${tooShort(at(at(rp, "fromCookies"), j))}`));
    list(r.spaceDelimitedClaims).forEach((c, j) => c === "" && p.error(at(at(rp, "spaceDelimitedClaims"), j), tooShort(at(at(rp, "spaceDelimitedClaims"), j))));
    list(r.outputClaimToHeaders).forEach((h, j) => {
      const hp = at(at(rp, "outputClaimToHeaders"), j);
      if (!isObj(h)) return p.error(hp, "outputClaimToHeaders must not be null");
      if (!h.claim || !h.header) {
        const which = !h.header ? "header" : "claim";
        return p.error(at(hp, which), `outputClaimToHeaders header and claim value must be non-empty string; ${h[which] === "" ? tooShort(at(hp, which)) : "Required value (CRD schema)"}`);
      }
      if (!/^[-_A-Za-z0-9]+$/.test(h.header)) p.error(at(hp, "header"), `header name ${h.header} is not a valid header name (CRD: should match '^[-_A-Za-z0-9]+$')`);
    });
    checkDurationCrd(r.timeout, at(rp, "timeout"), p);
  });
}

const SOURCE: Schema = S.obj({
  principals: S.strs(), notPrincipals: S.strs(), requestPrincipals: S.strs(), notRequestPrincipals: S.strs(),
  namespaces: S.strs(), notNamespaces: S.strs(), ipBlocks: S.strs(), notIpBlocks: S.strs(), remoteIpBlocks: S.strs(), notRemoteIpBlocks: S.strs(),
  serviceAccounts: S.arr(S.str({ max: 320 }), { max: 16 }), notServiceAccounts: S.arr(S.str({ max: 320 }), { max: 16 }), trustDomains: S.strs(), notTrustDomains: S.strs(),
});
const OPERATION: Schema = S.obj({ hosts: S.strs(), notHosts: S.strs(), ports: S.strs(), notPorts: S.strs(), methods: S.strs(), notMethods: S.strs(), paths: S.strs(), notPaths: S.strs() });
export const AUTHORIZATION_POLICY_SPEC: Schema = S.obj({
  selector: SELECTOR, targetRef: TARGET_REF, targetRefs: S.arr(TARGET_REF, { max: 16 }),
  rules: S.arr(S.obj({ from: S.arr(S.obj({ source: SOURCE }), { max: 512 }), to: S.arr(S.obj({ operation: OPERATION })), when: S.arr(S.obj({ key: S.str(), values: S.strs(), notValues: S.strs() }, { req: ["key"] })) }), { max: 512 }),
  action: S.en("ALLOW", "DENY", "AUDIT", "CUSTOM"), provider: S.obj({ name: S.str() }),
});

// pkg/config/security/security.go, one function each.
const strs = (v: unknown): string[] => list(v).map((x) => String(x));
export function checkEmptyValues(key: string, values: string[]): string | undefined {
  return values.includes("") ? `empty value not allowed, found in ${key}` : undefined;
}
export function checkWildcardValues(key: string, values: string[]): string | undefined {
  const e = checkEmptyValues(key, values);
  if (e) return e;
  for (const v of values) {
    const n = v.split("*").length - 1;
    if (n > 1) return `at most one wildcard is allowed, found in ${key}: ${JSON.stringify(v)}`;
    if (n === 1 && v !== "*" && !v.startsWith("*") && !v.endsWith("*")) return `wildcard is only allowed at the start or end, found in ${key}: ${JSON.stringify(v)}`;
  }
  return undefined;
}
export function checkTrustDomainValues(key: string, values: string[]): string | undefined {
  const e = checkWildcardValues(key, values);
  if (e) return e;
  const bad = values.find((v) => v.includes("/"));
  return bad === undefined ? undefined : `trust domain must not contain '/', found in ${key}: ${JSON.stringify(bad)}`;
}
export function checkServiceAccount(key: string, values: string[]): string | undefined {
  if (values.length > 16) return "may not have more than 16 values";
  for (const v of values) {
    if (v === "") return `empty value not allowed, found in ${key}`;
    if (v.includes("*")) return `wildcard not allowed, found in ${key}`;
    const slashes = v.split("/").length - 1;
    if (slashes > 1) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(v)} in ${key}`;
    if (v.length > 320) return `value cannot exceed 320 characters, found ${JSON.stringify(v)} in ${key}`;
    if (slashes === 1) {
      const [ns, sa] = v.split("/");
      if (ns === "") return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace ${JSON.stringify(v)} in ${key}`;
      if (sa === "") return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount ${JSON.stringify(v)} in ${key}`;
    }
  }
  return undefined;
}
const VALID_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;
export const isValidLiteral = (glob: string): boolean => VALID_LITERAL.test(glob);
export const containsPathTemplate = (v: string): boolean => v.includes("{*}") || v.includes("{**}");
export function checkValidPathTemplate(key: string, paths: string[]): string | undefined {
  for (const original of paths) {
    const hasTemplate = containsPathTemplate(original);
    let foundAny = false;
    const path = original.replace(/^\/+/, "").replace(/\/+$/, "");
    for (const glob of path.split("/")) {
      if (glob === "{*}" && !foundAny) continue;
      if (glob === "{**}" && !foundAny) {
        foundAny = true;
        continue;
      }
      if ((glob === "{**}" || glob === "{*}") && foundAny) return `invalid or unsupported path ${path}, found in ${key}. {**} is not the last operator`;
      if (/[{}]/.test(glob)) return `invalid or unsupported path ${path}, found in ${key}. Contains '{' or '}' beyond a supported path template`;
      if (hasTemplate && !isValidLiteral(glob)) return `invalid or unsupported path ${path}, found in ${key}. Contains segment ${glob} with invalid string literal`;
    }
  }
  return undefined;
}
export function validateIPs(ips: string[]): string | undefined {
  const errs: string[] = [];
  for (const v of ips) {
    if (v.includes("/")) {
      if (!goParsePrefix(v)) errs.push(`bad CIDR range (${v})`);
    } else if (!goParseAddr(v)) errs.push(`bad IP address (${v})`);
  }
  return errs.length ? errs.join("; ") : undefined;
}
export function validatePorts(ports: string[]): string | undefined {
  const errs = ports.filter((p) => !/^[0-9]+$/.test(p) || Number(p) > 65535).map((p) => `bad port (${p})`);
  return errs.length ? errs.join("; ") : undefined;
}
function validateMapKey(key: string): string | undefined {
  const open = key.indexOf("[");
  return key.endsWith("]") && open > 0 && open < key.length - 2 ? undefined : `bad key (${key}): should have format a[b]`;
}
/** security.ValidateAttribute: a `when` key and its values. */
export function validateAttribute(key: string, values: string[]): string | undefined {
  const e = checkEmptyValues(key, values);
  if (e) return e;
  if (key.startsWith("request.headers")) return validateMapKey(key);
  if (key === "source.ip" || key === "remote.ip" || key === "destination.ip") return validateIPs(values);
  if (key === "source.serviceAccount") return checkServiceAccount(key, values);
  if (key === "source.trustDomain") return checkWildcardValues(key, values);
  if (["source.namespace", "source.principal", "request.auth.principal", "request.auth.audiences", "request.auth.presenter", "connection.sni"].includes(key)) return undefined;
  if (key.startsWith("request.auth.claims")) return validateMapKey(key);
  if (key === "destination.port") return validatePorts(values);
  if (key.startsWith("experimental.envoy.filters.")) return validateMapKey(key);
  if (key === "destination.namespace") return `attribute ${key} is replaced by the metadata.namespace`;
  if (key.startsWith("destination.labels")) return `attribute ${key} is replaced by the workload selector`;
  if (key === "destination.name" || key === "destination.user") return `deprecated attribute ${key}: only supported in v1alpha1`;
  return `unknown attribute: ${key}`;
}

const SOURCE_EMPTY_CHECKS: [string, string, (k: string, v: string[]) => string | undefined][] = [
  ["principals", "Principals", checkEmptyValues], ["requestPrincipals", "RequestPrincipals", checkEmptyValues], ["namespaces", "Namespaces", checkEmptyValues],
  ["serviceAccounts", "ServiceAccounts", checkServiceAccount], ["trustDomains", "TrustDomains", checkTrustDomainValues], ["ipBlocks", "IpBlocks", checkEmptyValues],
  ["remoteIpBlocks", "RemoteIpBlocks", checkEmptyValues], ["notPrincipals", "NotPrincipals", checkEmptyValues], ["notRequestPrincipals", "NotRequestPrincipals", checkEmptyValues],
  ["notNamespaces", "NotNamespaces", checkEmptyValues], ["notServiceAccounts", "NotServiceAccounts", checkServiceAccount], ["notTrustDomains", "NotTrustDomains", checkTrustDomainValues],
  ["notIpBlocks", "NotIpBlocks", checkEmptyValues], ["notRemoteIpBlocks", "NotRemoteIpBlocks", checkEmptyValues],
];
const CUSTOM_UNSUPPORTED: [string, string][] = [
  ["namespaces", "From.Namespaces"], ["notNamespaces", "From.NotNamespaces"], ["serviceAccounts", "From.ServiceAccounts"], ["notServiceAccounts", "From.NotServiceAccounts"],
  ["trustDomains", "From.TrustDomains"], ["notTrustDomains", "From.NotTrustDomains"], ["principals", "From.Principals"], ["notPrincipals", "From.NotPrincipals"],
  ["requestPrincipals", "From.RequestPrincipals"], ["notRequestPrincipals", "From.NotRequestPrincipals"],
];
const TCP_SOURCE = ["principals", "notPrincipals", "ipBlocks", "notIpBlocks", "namespaces", "notNamespaces", "remoteIpBlocks", "notRemoteIpBlocks", "serviceAccounts", "notServiceAccounts"];
const OPERATION_KEYS: [string, string][] = [["ports", "Ports"], ["methods", "Methods"], ["paths", "Paths"], ["hosts", "Hosts"], ["notPorts", "NotPorts"], ["notMethods", "NotMethods"], ["notPaths", "NotPaths"], ["notHosts", "NotHosts"]];
const NEVER_TRIGGERED = "without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request";
export const DENY_HTTP_ONLY_WARNING = "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port";

export function validateAuthorizationPolicy(spec: Obj, meta: Obj, p: Problems): void {
  const action = spec.action ?? "ALLOW";
  const dry = isObj(meta.annotations) ? meta.annotations["istio.io/dry-run"] : undefined;
  if (dry !== undefined && dry !== null) {
    const ap = "metadata.annotations[istio.io/dry-run]";
    if (action !== "ALLOW" && action !== "DENY") return p.error(ap, `the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action ${action}`);
    if (goParseBool(String(dry)) === undefined) return p.error(ap, `has annotation istio.io/dry-run with invalid value (${dry}): strconv.ParseBool: parsing ${JSON.stringify(String(dry))}: invalid syntax`);
  }
  checkPolicyTargeting(spec, "spec", p);
  const rules = list(spec.rules);
  if (action === "CUSTOM") {
    if (!set(spec.rules)) p.error("spec.rules", `CUSTOM action ${NEVER_TRIGGERED}`);
    else if (!isObj(spec.provider) || !spec.provider.name) p.error("spec.provider.name", "`provider.name` must not be empty");
    rules.forEach((r, i) => {
      if (!isObj(r)) return;
      list(r.from).forEach((f, j) => {
        if (!isObj(f) || !isObj(f.source)) return;
        for (const [k, name] of CUSTOM_UNSUPPORTED) if (set(f.source[k])) p.error(at(at(at(at("spec.rules", i), "from"), j), `source.${k}`), `${name} is currently not supported with CUSTOM action`);
      });
      list(r.when).forEach((w, j) => {
        if (!isObj(w)) return;
        const key = String(w.key ?? "");
        if (["source.namespace", "source.serviceAccount", "source.trustDomain", "source.principal"].includes(key) || key.startsWith("request.auth.")) {
          p.error(at(at(at("spec.rules", i), "when"), j), `${key} is currently not supported with CUSTOM action`);
        }
      });
    });
  }
  if (spec.provider != null && action !== "CUSTOM") p.error("spec.provider", `\`provider\` must not be with non CUSTOM action, found ${action}`);
  if (action === "DENY" && !set(spec.rules)) p.error("spec.rules", `DENY action ${NEVER_TRIGGERED}`);

  rules.forEach((r, i) => {
    const rp = at("spec.rules", i);
    if (!isObj(r)) return p.error(rp, `\`rule\` must not be nil, found at rule ${i}`);
    let tcpInFrom = false;
    let tcpInTo = false;
    let fromExists = false;
    let toExists = false;
    list(r.from).forEach((f, j) => {
      const fp = at(at(rp, "from"), j);
      if (!isObj(f)) return p.error(fp, `\`from\` must not be nil, found at rule ${i}`);
      if (!isObj(f.source)) return p.error(at(fp, "source"), `\`from.source\` must not be nil, found at rule ${i}`);
      fromExists = true;
      const s = f.source;
      const sp = at(fp, "source");
      if ((set(s.principals) || set(s.notPrincipals) || set(s.namespaces) || set(s.notNamespaces)) && (set(s.serviceAccounts) || set(s.notServiceAccounts))) {
        p.error(sp, `cannot set serviceAccounts with namespaces or principals, found at rule ${i}`);
      }
      if (SOURCE_EMPTY_CHECKS.every(([k]) => !set(s[k]))) p.error(sp, `\`from.source\` must not be empty, found at rule ${i}`);
      for (const k of ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"]) {
        const e = validateIPs(strs(s[k]));
        if (e) p.error(at(sp, k), e);
      }
      for (const [k, name, fn] of SOURCE_EMPTY_CHECKS) {
        const e = fn(name, strs(s[k]));
        if (e) p.error(at(sp, k), e);
      }
      if (TCP_SOURCE.some((k) => set(s[k]))) tcpInFrom = true;
    });
    list(r.to).forEach((t, j) => {
      const tp = at(at(rp, "to"), j);
      if (!isObj(t)) return p.error(tp, `\`to\` must not be nil, found at rule ${i}`);
      if (!isObj(t.operation)) return p.error(at(tp, "operation"), `\`to.operation\` must not be nil, found at rule ${i}`);
      toExists = true;
      const o = t.operation;
      const op = at(tp, "operation");
      if (OPERATION_KEYS.every(([k]) => !set(o[k]))) p.error(op, `\`to.operation\` must not be empty, found at rule ${i}`);
      for (const k of ["ports", "notPorts"]) {
        const e = validatePorts(strs(o[k]));
        if (e) p.error(at(op, k), e);
      }
      for (const [k, name] of OPERATION_KEYS) {
        const e = checkEmptyValues(name, strs(o[k]));
        if (e) p.error(at(op, k), e);
      }
      for (const [k, name] of [["paths", "Paths"], ["notPaths", "NotPaths"]]) {
        const e = checkValidPathTemplate(name, strs(o[k]));
        if (e) p.error(at(op, k), e);
      }
      if (set(o.ports) || set(o.notPorts)) tcpInTo = true;
    });
    list(r.when).forEach((w, j) => {
      const wp = at(at(rp, "when"), j);
      if (!isObj(w)) return;
      const key = String(w.key ?? "");
      if (key === "") return p.error(at(wp, "key"), "`key` must not be empty");
      if (!set(w.values) && !set(w.notValues)) return p.error(wp, `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
      const ev = validateAttribute(key, strs(w.values));
      if (ev) p.error(at(wp, "values"), `invalid \`value\` for \`key\` ${key}: ${ev}`);
      const en = validateAttribute(key, strs(w.notValues));
      if (en) p.error(at(wp, "notValues"), `invalid \`notValue\` for \`key\` ${key}: ${en}`);
    });
    if (action === "DENY" && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) p.warn(rp, DENY_HTTP_ONLY_WARNING);
  });
}
