// PeerAuthentication, RequestAuthentication, AuthorizationPolicy (security.istio.io).
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { checkDuration, checkSelector, checkTargetRefs, isCIDR, isIP, isObj, list, type Obj } from "./common.js";

const SELECTOR: Schema = S.obj({ matchLabels: S.map() });
const TARGET_REF: Schema = S.obj({ group: S.str(), kind: S.str(), name: S.str(), namespace: S.str() });
const MTLS: Schema = S.obj({ mode: S.en("UNSET", "DISABLE", "PERMISSIVE", "STRICT") });

export const PEER_AUTHENTICATION_SPEC: Schema = S.obj({ selector: SELECTOR, mtls: MTLS, portLevelMtls: S.map(MTLS) });

export function validatePeerAuthentication(spec: Obj, _meta: Obj, p: Problems): void {
  checkSelector(spec.selector, "spec.selector", p);
  if (isObj(spec.portLevelMtls)) {
    const ml = isObj(spec.selector) ? spec.selector.matchLabels : undefined;
    if (!isObj(ml) || Object.keys(ml).length === 0) p.error("spec.portLevelMtls", "portLevelMtls requires a selector with labels");
    if (Object.keys(spec.portLevelMtls).length === 0) p.error("spec.portLevelMtls", "portLevelMtls must have at least one entry");
    for (const port of Object.keys(spec.portLevelMtls)) {
      if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) p.error(at("spec.portLevelMtls", port), `port ${port} must be in the range 1..65535`);
    }
  }
}

const JWT_RULE: Schema = S.obj({
  issuer: S.str(), audiences: S.strs(), jwksUri: S.str({ max: 2048 }), jwks: S.str(),
  fromHeaders: S.arr(S.obj({ name: S.str(), prefix: S.str() }, { req: ["name"] })), fromParams: S.strs(), fromCookies: S.strs(),
  outputPayloadToHeader: S.str(), forwardOriginalToken: S.bool,
  outputClaimToHeaders: S.arr(S.obj({ header: S.str(), claim: S.str() })), timeout: S.dur, spaceDelimitedClaims: S.arr(S.str({ min: 1 }), { max: 64 }),
}, { oneOf: [["jwks", "jwksUri"]] });
export const REQUEST_AUTHENTICATION_SPEC: Schema = S.obj({ selector: SELECTOR, targetRef: TARGET_REF, targetRefs: S.arr(TARGET_REF, { max: 16 }), jwtRules: S.arr(JWT_RULE, { max: 4096 }) });

export function validateRequestAuthentication(spec: Obj, _meta: Obj, p: Problems): void {
  checkSelector(spec.selector, "spec.selector", p);
  checkTargetRefs(spec, "spec", p);
  list(spec.jwtRules).forEach((r, i) => {
    if (!isObj(r)) return;
    const rp = at("spec.jwtRules", i);
    if (!r.issuer && !r.jwksUri) p.error(at(rp, "issuer"), "issuer or jwksUri must be set");
    if (r.issuer === "") p.error(at(rp, "issuer"), "issuer must not be empty");
    if (r.jwksUri !== undefined) {
      let u: URL | undefined;
      try {
        u = new URL(r.jwksUri);
      } catch {
        u = undefined;
      }
      if (!u || !/^https?:$/.test(u.protocol)) p.error(at(rp, "jwksUri"), "url must have scheme http:// or https://");
      else if (!u.hostname) p.error(at(rp, "jwksUri"), "url must have a host");
      else if (u.port && (Number(u.port) < 1 || Number(u.port) > 65535)) p.error(at(rp, "jwksUri"), "url has an invalid port");
    }
    if (r.jwks !== undefined) {
      try {
        const set = JSON.parse(r.jwks);
        if (!isObj(set) || !Array.isArray(set.keys)) throw new Error("not a JWK set");
        if (set.keys.some((k: Obj) => isObj(k) && (k.d !== undefined || k.p !== undefined))) p.warn(at(rp, "jwks"), "the inline JWKS holds private key material");
      } catch (e) {
        p.error(at(rp, "jwks"), `jwks must be a JSON Web Key Set: ${(e as Error).message}`);
      }
    }
    list(r.audiences).forEach((a, j) => a === "" && p.error(at(at(rp, "audiences"), j), "audience must not be empty"));
    list(r.fromHeaders).forEach((h, j) => isObj(h) && !h.name && p.error(at(at(at(rp, "fromHeaders"), j), "name"), "header name must not be empty"));
    list(r.fromParams).forEach((h, j) => h === "" && p.error(at(at(rp, "fromParams"), j), "query parameter name must not be empty"));
    list(r.fromCookies).forEach((h, j) => h === "" && p.error(at(at(rp, "fromCookies"), j), "cookie name must not be empty"));
    list(r.outputClaimToHeaders).forEach((h, j) => {
      const hp = at(at(rp, "outputClaimToHeaders"), j);
      if (!isObj(h)) return p.error(hp, "must not be null");
      if (!h.claim) p.error(at(hp, "claim"), "claim must not be empty");
      if (!h.header) p.error(at(hp, "header"), "header must not be empty");
      else if (!/^[-_A-Za-z0-9]+$/.test(h.header)) p.error(at(hp, "header"), `header "${h.header}" should match ^[-_A-Za-z0-9]+$`);
    });
    checkDuration(r.timeout, at(rp, "timeout"), p);
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
  rules: S.arr(S.obj({ from: S.arr(S.obj({ source: SOURCE })), to: S.arr(S.obj({ operation: OPERATION })), when: S.arr(S.obj({ key: S.str(), values: S.strs(), notValues: S.strs() }, { req: ["key"] })) }), { max: 512 }),
  action: S.en("ALLOW", "DENY", "AUDIT", "CUSTOM"), provider: S.obj({ name: S.str() }),
});

const WHEN_KEYS = [
  /^request\.headers\[.+\]$/, /^source\.ip$/, /^remote\.ip$/, /^source\.namespace$/, /^source\.serviceAccount$/, /^source\.principal$/, /^source\.trustDomain$/,
  /^request\.auth\.principal$/, /^request\.auth\.audiences$/, /^request\.auth\.presenter$/, /^request\.auth\.claims\[.+\]$/,
  /^destination\.ip$/, /^destination\.port$/, /^connection\.sni$/, /^experimental\.envoy\.filters\..+\[.+\]$/,
];
const HTTP_ONLY_OPS = ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"];

function checkPath(path: string, where: string, p: Problems): void {
  if (!path.includes("{")) return;
  const segs = path.split("/");
  segs.forEach((s, i) => {
    if (!s.includes("{")) return;
    if (s !== "{*}" && s !== "{**}") p.error(where, `invalid path template "${path}": a segment must be exactly {*} or {**}`);
    if (s === "{**}" && i !== segs.length - 1 && segs.slice(i + 1).some((x) => x === "{**}")) p.error(where, `invalid path template "${path}": {**} may appear only once`);
  });
}

export function validateAuthorizationPolicy(spec: Obj, meta: Obj, p: Problems): void {
  const ap = "spec";
  checkSelector(spec.selector, "spec.selector", p);
  checkTargetRefs(spec, "spec", p);
  const action = spec.action ?? "ALLOW";
  const rules = list(spec.rules);
  if (action === "CUSTOM") {
    if (!isObj(spec.provider) || !spec.provider.name) p.error("spec.provider.name", "CUSTOM action requires a provider name");
    if (spec.rules === undefined) p.error("spec.rules", "CUSTOM action requires rules (use [{}] to apply to all traffic)");
  } else if (spec.provider !== undefined) p.error("spec.provider", "provider can only be used with the CUSTOM action");
  if (action === "DENY" && spec.rules === undefined) p.error("spec.rules", "DENY action requires at least one rule");
  rules.forEach((r, i) => {
    const rp = at("spec.rules", i);
    if (!isObj(r)) return p.error(rp, "rule must not be null");
    list(r.from).forEach((f, j) => {
      const fp = at(at(rp, "from"), j);
      if (!isObj(f) || !isObj(f.source)) return p.error(fp, "from.source must not be empty");
      const s = f.source;
      if (Object.values(s).every((v) => list(v).length === 0)) p.error(at(fp, "source"), "source must not be empty");
      for (const [k, v] of Object.entries(s)) {
        list(v).forEach((x, n) => x === "" && p.error(at(at(at(fp, "source"), k), n), "empty value is not allowed"));
        if (/ipblocks/i.test(k)) list(v).forEach((x, n) => x && !(isIP(String(x)) || isCIDR(String(x))) && p.error(at(at(at(fp, "source"), k), n), `"${x}" is not a valid IP address or CIDR`));
      }
      for (const k of ["serviceAccounts", "notServiceAccounts"]) {
        list(s[k]).forEach((sa, n) => {
          const parts = String(sa).split("/");
          if (parts.length > 2 || String(sa).includes("*") || parts.some((x) => x === "")) p.error(at(at(at(fp, "source"), k), n), `service account "${sa}" must be "name" or "namespace/name", without *`);
        });
        if (list(s[k]).length && (list(s.principals).length || list(s.notPrincipals).length || list(s.namespaces).length || list(s.notNamespaces).length)) {
          p.error(at(fp, "source"), "serviceAccounts cannot be used together with principals or namespaces");
        }
      }
      for (const k of ["trustDomains", "notTrustDomains"]) list(s[k]).forEach((td, n) => String(td).includes("/") && p.error(at(at(at(fp, "source"), k), n), "trust domain must not contain /"));
      if (action === "CUSTOM") {
        for (const k of ["principals", "notPrincipals", "namespaces", "notNamespaces", "requestPrincipals", "notRequestPrincipals", "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains"]) {
          if (list(s[k]).length) p.error(at(at(fp, "source"), k), `${k} is not supported with the CUSTOM action`);
        }
      }
    });
    let httpOnly = false;
    list(r.to).forEach((t, j) => {
      const tp = at(at(rp, "to"), j);
      if (!isObj(t) || !isObj(t.operation)) return p.error(tp, "to.operation must not be empty");
      const o = t.operation;
      if (Object.values(o).every((v) => list(v).length === 0)) p.error(at(tp, "operation"), "operation must not be empty");
      for (const [k, v] of Object.entries(o)) list(v).forEach((x, n) => x === "" && p.error(at(at(at(tp, "operation"), k), n), "empty value is not allowed"));
      for (const k of ["ports", "notPorts"]) list(o[k]).forEach((x, n) => (!/^\d+$/.test(String(x)) || Number(x) > 65535) && p.error(at(at(at(tp, "operation"), k), n), `port "${x}" must be a number in the range 0..65535`));
      for (const k of ["paths", "notPaths"]) list(o[k]).forEach((x, n) => checkPath(String(x), at(at(at(tp, "operation"), k), n), p));
      if (HTTP_ONLY_OPS.some((k) => list(o[k]).length)) httpOnly = true;
    });
    list(r.when).forEach((w, j) => {
      const wp = at(at(rp, "when"), j);
      if (!isObj(w)) return;
      const key = String(w.key ?? "");
      if (["destination.labels", "destination.name", "destination.namespace", "destination.user"].some((d) => key.startsWith(d))) p.error(at(wp, "key"), `key "${key}" is no longer supported`);
      else if (!WHEN_KEYS.some((re) => re.test(key))) p.error(at(wp, "key"), `unknown attribute "${key}"`);
      if (list(w.values).length === 0 && list(w.notValues).length === 0) p.error(wp, "condition must have values or notValues");
      for (const k of ["values", "notValues"]) list(w[k]).forEach((x, n) => {
        if (x === "") p.error(at(at(wp, k), n), "empty value is not allowed");
        if (/ip$/.test(key) && x && !(isIP(String(x)) || isCIDR(String(x)))) p.error(at(at(wp, k), n), `"${x}" is not a valid IP address or CIDR`);
        if (key === "destination.port" && !/^\d+$/.test(String(x))) p.error(at(at(wp, k), n), `"${x}" is not a port number`);
      });
      if (action === "CUSTOM" && /^(source\.(namespace|serviceAccount|trustDomain|principal)|request\.auth\.)/.test(key)) p.error(at(wp, "key"), `${key} is not supported with the CUSTOM action`);
      if (/^request\./.test(key)) httpOnly = true;
    });
    if (action === "DENY" && httpOnly) p.warn(rp, "DENY rule uses HTTP-only attributes: for TCP traffic it denies every request in scope");
  });
  const dry = meta.annotations?.["istio.io/dry-run"];
  if (dry !== undefined) {
    if (!["true", "false", "1", "0", "t", "f", "TRUE", "FALSE", "True", "False"].includes(dry)) p.error("metadata.annotations[istio.io/dry-run]", `"${dry}" is not a boolean`);
    if (!["ALLOW", "DENY"].includes(action)) p.error("metadata.annotations[istio.io/dry-run]", "dry-run is only supported with the ALLOW and DENY actions");
  }
  void ap;
}
