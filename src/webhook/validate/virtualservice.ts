// VirtualService (networking.istio.io).
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import {
  HEADER_NAME, checkDuration, checkExportTo, checkLabels, checkPort, isCIDR, isDnsLabel, isIP, isObj, list, regexError, wildcardDomainError, type Obj,
} from "./common.js";
import { parseGoDuration } from "../../config/duration.js";
import { fqdnError } from "../../schema/dns.js";

const STRING_MATCH: Schema = S.obj({ exact: S.str(), prefix: S.str(), regex: S.str() }, { oneOf: [["exact", "prefix", "regex"]] });
const DESTINATION: Schema = S.obj({ host: S.str(), subset: S.str(), port: S.obj({ number: S.int() }) }, { req: ["host"] });
const HEADER_OPS: Schema = S.obj({ set: S.map(), add: S.map(), remove: S.strs() });
const HEADERS: Schema = S.obj({ request: HEADER_OPS, response: HEADER_OPS });
const PERCENT: Schema = S.obj({ value: S.num() });
const ROUTE_DEST: Schema = S.obj({ destination: DESTINATION, weight: S.int(), headers: HEADERS }, { req: ["destination"] });
const L4_DEST: Schema = S.obj({ destination: DESTINATION, weight: S.int() }, { req: ["destination"] });

const HTTP_MATCH: Schema = S.obj({
  name: S.str(), uri: STRING_MATCH, scheme: STRING_MATCH, method: STRING_MATCH, authority: STRING_MATCH,
  headers: S.map(STRING_MATCH), port: S.int(), sourceLabels: S.map(), gateways: S.strs(), queryParams: S.map(STRING_MATCH),
  ignoreUriCase: S.bool, withoutHeaders: S.map(STRING_MATCH), sourceNamespace: S.str(), statPrefix: S.str(),
});

const HTTP_ROUTE: Schema = S.obj({
  name: S.str(), match: S.arr(HTTP_MATCH), route: S.arr(ROUTE_DEST),
  redirect: S.obj({ uri: S.str(), authority: S.str(), port: S.int(), derivePort: S.en("FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"), scheme: S.str(), redirectCode: S.int() }, { oneOf: [["port", "derivePort"]] }),
  directResponse: S.obj({ status: S.int(), body: S.obj({ string: S.str(), bytes: S.str() }, { oneOf: [["string", "bytes"]] }) }, { req: ["status"] }),
  delegate: S.obj({ name: S.str(), namespace: S.str() }),
  rewrite: S.obj({ uri: S.str(), authority: S.str(), uriRegexRewrite: S.obj({ match: S.str(), rewrite: S.str() }) }),
  timeout: S.dur,
  retries: S.obj({ attempts: S.int(), perTryTimeout: S.dur, retryOn: S.str(), retryRemoteLocalities: S.bool, retryIgnorePreviousHosts: S.bool, backoff: S.dur }),
  fault: S.obj({
    delay: S.obj({ fixedDelay: S.dur, exponentialDelay: S.dur, percentage: PERCENT, percent: S.int() }, { oneOf: [["fixedDelay", "exponentialDelay"]] }),
    abort: S.obj({ httpStatus: S.int(), grpcStatus: S.str(), http2Error: S.str(), percentage: PERCENT }, { oneOf: [["httpStatus", "grpcStatus", "http2Error"]] }),
  }),
  mirror: DESTINATION, mirrors: S.arr(S.obj({ destination: DESTINATION, percentage: PERCENT }, { req: ["destination"] })),
  mirrorPercent: S.int(), mirror_percent: S.int(), mirrorPercentage: PERCENT,
  corsPolicy: S.obj({
    allowOrigins: S.arr(STRING_MATCH), allowOrigin: S.strs(), allowMethods: S.strs(), allowHeaders: S.strs(), exposeHeaders: S.strs(),
    maxAge: S.dur, allowCredentials: S.bool, unmatchedPreflights: S.en("UNSPECIFIED", "FORWARD", "IGNORE"),
  }),
  headers: HEADERS,
});

const L4_MATCH: Schema = S.obj({ destinationSubnets: S.strs(), port: S.int(), sourceLabels: S.map(), gateways: S.strs(), sourceNamespace: S.str(), sniHosts: S.strs(), sourceSubnet: S.str() });

export const VIRTUAL_SERVICE_SPEC: Schema = S.obj({
  hosts: S.strs(), gateways: S.strs(), http: S.arr(HTTP_ROUTE),
  tls: S.arr(S.obj({ match: S.arr(L4_MATCH), route: S.arr(L4_DEST) }, { req: ["match"] })),
  tcp: S.arr(S.obj({ match: S.arr(L4_MATCH), route: S.arr(L4_DEST) })),
  exportTo: S.strs(),
});

const GRPC_CODES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];
const RETRY_ON = new Set(["5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"]);
const CORS_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"]);
/** The codes Go's http.StatusText knows (Istio accepts a retryOn entry that is one of them). */
const HTTP_STATUS_TEXT = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);
const PSEUDO_HEADERS = new Set([":method", ":scheme", ":authority", ":path", ":status"]);
const KB = 1024;
const MB = 1024 * KB;

/** jwt.ToRoutingClaim(name).Match: `@request.auth.claims.a.b` or `@request.auth.claims[a][b]`. */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith("@request.auth.claims")) return false;
  const rest = name.slice("@request.auth.claims".length);
  return (rest.startsWith(".") && rest.length > 1) || (rest.startsWith("[") && rest.endsWith("]") && rest.length > 2);
}

/** ValidateHTTPHeaderNameOrJwtClaimRoute (header matches). */
function matchHeaderNameError(name: string): string | undefined {
  if (name === "") return "header name cannot be empty";
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name)) return undefined;
  return HEADER_NAME.test(name) ? undefined : `header name ${name} is not a valid header name`;
}

const isInternalHeader = (k: string) => k.startsWith(":") || k.toLowerCase() === "host";
const isAuthorityHeader = (k: string) => k.toLowerCase() === ":authority" || k.toLowerCase() === "host";

/** ValidateHTTPHeaderWithAuthorityOperationName (request add/set) and ValidateHTTPHeaderOperationName (the rest). */
function headerOpNameError(name: string, allowAuthority: boolean): string | undefined {
  if (name === "") return "header name cannot be empty";
  if (allowAuthority) return isInternalHeader(name) && !isAuthorityHeader(name) ? `invalid header "${name}": header cannot have ":" prefix` : undefined;
  if (name.toLowerCase() === "host") return `invalid header "${name}": cannot set Host header`;
  if (isInternalHeader(name)) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

/** Istio's ValidateHTTPHeaderValue: no control characters (tab allowed), and Envoy's `%VAR%` / `%VAR(args)%` / `%%` syntax. */
export function headerValueError(value: string): string | undefined {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return `header value configuration ${value} is invalid`;
  const e = envoyHeaderFormatError(value);
  return e ? `header value configuration: ${e}` : undefined;
}

/** A port of Istio's header_value_validator.go state machine. */
function envoyHeaderFormatError(v: string): string | undefined {
  const isSpace = (c: string) => c === " " || c === "\t";
  let state = "literal";
  for (let pos = 0; pos < v.length; pos++) {
    const ch = v[pos];
    const hasNext = pos + 1 < v.length;
    switch (state) {
      case "literal":
        if (ch !== "%") break;
        if (!hasNext) return "invalid header configuration. Un-escaped %";
        if (v[pos + 1] === "%") { pos++; break; }
        state = "varName";
        break;
      case "varName":
        if (ch === "%") state = "literal";
        else if (ch === "(") state = "expectArray";
        break;
      case "expectArray":
        if (ch === "[") state = "expectString";
        else if (!isSpace(ch)) state = "string";
        break;
      case "expectDelimOrEnd":
        if (ch === ",") state = "expectString";
        else if (ch === "]") state = "expectArgsEnd";
        else if (!isSpace(ch)) return "invalid header configuration. Expecting ',', ']', or whitespace";
        break;
      case "expectString":
        if (ch === '"') state = "string";
        else if (!isSpace(ch)) return `invalid header configuration. Expecting '"'`;
        break;
      case "string":
        if (ch === "\\") {
          if (!hasNext) return "invalid header configuration. Un-terminated backslash in JSON string";
          pos++;
        } else if (ch === '"') state = "expectDelimOrEnd";
        else if (ch === ")") state = "expectVarEnd";
        break;
      case "expectArgsEnd":
        if (ch === ")") state = "expectVarEnd";
        else if (!isSpace(ch)) return "invalid header configuration. Expecting ')' or whitespace after '{}', but found '" + ch + "'";
        break;
      case "expectVarEnd":
        if (ch !== "%") return "invalid header configuration. Expecting % after ')', but found '" + ch + "'";
        state = "literal";
        break;
    }
  }
  if (state !== "literal") return "invalid header configuration. Un-terminated variable expression '" + v + "'";
  return undefined;
}

function percentageError(v: unknown): string | undefined {
  if (!isObj(v) || typeof v.value !== "number") return undefined;
  const x = v.value;
  if (x < 0 || x > 100 || (x > 0 && x < 0.0001)) return `percentage ${x} is neither 0.0, nor in range [0.0001, 100.0]`;
  return undefined;
}

/** validateDestination. */
function checkDestination(d: unknown, path: string, p: Problems): void {
  if (!isObj(d)) return;
  const h = typeof d.host === "string" ? d.host : "";
  if (h === "*") p.error(at(path, "host"), `invalid destination host ${h}`);
  else {
    const e = wildcardDomainError(h);
    if (e) p.error(at(path, "host"), e);
  }
  if (typeof d.subset === "string" && d.subset !== "" && !isDnsLabel(d.subset)) p.error(at(path, "subset"), `subset name is invalid: ${d.subset}`);
  if (isObj(d.port)) checkPort(d.port.number ?? 0, at(at(path, "port"), "number"), p);
}

/** validateHTTPRouteDestinations / validateRouteDestinations. */
function checkWeights(routes: any[], path: string, p: Problems, http: boolean, gatewaySemantics = false): void {
  let total = 0;
  routes.forEach((r, i) => {
    const rp = at(path, i);
    if (!isObj(r)) return p.error(rp, "weight may not be nil");
    if (!isObj(r.destination)) p.error(at(rp, "destination"), "destination is required");
    if (http) checkHeaderOps(r.headers, at(rp, "headers"), p);
    if (!gatewaySemantics) checkDestination(r.destination, at(rp, "destination"), p);
    const w = typeof r.weight === "number" ? r.weight : 0;
    if (w < 0) p.error(at(rp, "weight"), `weight ${w} < 0`);
    total += w;
  });
  if (routes.length > 1 && total === 0) p.error(path, "total destination weight = 0");
}

function checkHeaderOps(h: unknown, path: string, p: Problems): void {
  if (!isObj(h)) return;
  for (const dir of ["request", "response"]) {
    const ops = h[dir];
    if (!isObj(ops)) continue;
    for (const op of ["add", "set"]) {
      if (!isObj(ops[op])) continue;
      for (const [name, value] of Object.entries(ops[op])) {
        const np = at(at(at(path, dir), op), name);
        const ne = headerOpNameError(name, dir === "request");
        if (ne) p.error(np, ne);
        const ve = headerValueError(typeof value === "string" ? value : "");
        if (ve) p.error(np, ve);
      }
    }
    for (const [i, name] of list(ops.remove).entries()) {
      const ne = headerOpNameError(String(name ?? ""), false);
      if (ne) p.error(at(at(at(path, dir), "remove"), i), ne);
    }
  }
}

/** validateStringMatch (prefix non-empty, regex valid) or, for uri, validateStringMatchRegexp (regex only). */
function checkStringMatch(m: unknown, path: string, where: string, p: Problems, opts: { regexOnly?: boolean } = {}): void {
  if (!isObj(m)) return;
  if (m.prefix !== undefined && !opts.regexOnly) {
    if (m.prefix === "") p.error(at(path, "prefix"), `"${where}": prefix string match should not be empty`);
  } else if (m.regex !== undefined && m.prefix === undefined && m.exact === undefined) {
    if (m.regex === "") p.error(at(path, "regex"), `"${where}": regex string match should not be empty`);
    else {
      const e = regexError(String(m.regex));
      if (e) p.error(at(path, "regex"), `"${where}": ${e}`);
    }
  }
}

/** validateGatewayNames. */
function checkGatewayNames(gateways: any[], path: string, p: Problems, gatewaySemantics = false): void {
  for (const [i, g] of gateways.entries()) {
    if (typeof g !== "string") continue;
    const gp = at(path, i);
    const slash = g.indexOf("/");
    if (slash < 0) {
      if (g.includes(".")) {
        const parts = g.split(".");
        p.warn(gp, `using legacy gatewayName format "${g}"; prefer the <namespace>/<name> format: "${parts[1]}/${parts[0]}"`);
      }
      const e = g === "" ? "empty domain name not allowed" : fqdnError(g);
      if (e) p.error(gp, e);
      return; // Istio returns after the first name without a slash
    }
    const ns = g.slice(0, slash);
    const name = g.slice(slash + 1);
    if (ns === "" || name === "") p.error(gp, "config namespace and gateway name cannot be empty");
    if (!isDnsLabel(ns)) p.error(gp, `invalid value for namespace: "${ns}"`);
    if (!isDnsLabel(name) && !gatewaySemantics) p.error(gp, `invalid value for gateway name: "${name}"`);
  }
}


/** agent.ValidateWildcardDomainForVirtualServiceBoundToGateway. */
function gatewayBoundHostError(sni: boolean, h: string): string | undefined {
  if (h.length > 255) return `domain name "${h}" too long (max 255)`;
  if (h === "") return "empty domain name not allowed";
  if (sni && h.startsWith("outbound_")) {
    const parts = h.split("_");
    if (parts.length < 4) return `domain name ${h} invalid, should follow 'outbound_.<port>_._.<hostname>' format`;
    const port = parts[1].replace(/^\.+|\.+$/g, "");
    const hostname = parts[3].replace(/^\.+|\.+$/g, "");
    if (parts[0] !== "outbound") return `domain name "${h}" invalid (label "${parts[0]}" invalid)`;
    if (!/[0-9]/.test(port)) return `domain name "${h}" invalid (label "${port}" invalid). should follow outbound_.<port>_._.<hostname> format`;
    if (!/[a-zA-Z]/.test(hostname)) return `domain name "${h}" invalid (label "${hostname}" invalid). should follow outbound_.<port>_._.<hostname> format`;
    return undefined;
  }
  return wildcardDomainError(h);
}

/** Pairs of hosts compared (wildcards only, about 300 ms) before pilotfish refuses the list instead of checking on:
 * 4,000 distinct wildcard hosts fit, 5,000 do not. */
export const MAX_WILDCARD_HOST_COMPARISONS = 10_000_000;

/**
 * Istio's duplicate-host rule, reported once per duplicate: host j gets Istio's message naming the first earlier
 * host it matches. (Istio reports every matching pair, which is quadratic in errors: 4,000 equal hosts would be
 * 8 million errors.) Equal hosts are found through a Map; only pairs involving a wildcard are compared, within a
 * budget past which the list is refused rather than left unchecked.
 */
function duplicateHosts(hosts: string[], p: Problems): void {
  const firstOf = new Map<string, number>();
  const unique: number[] = [];
  hosts.forEach((h, j) => {
    const i = firstOf.get(h);
    if (i !== undefined) p.error(at("spec.hosts", j), `duplicate hosts in virtual service: ${hosts[i]} & ${h}`);
    else {
      firstOf.set(h, j);
      unique.push(j);
    }
  });
  const wild = unique.filter((j) => hosts[j].startsWith("*"));
  if (!wild.length) return;
  let budget = MAX_WILDCARD_HOST_COMPARISONS;
  for (const j of unique) {
    // the first earlier unique host that matches host j, where one of the two is a wildcard
    let first = -1;
    if (hosts[j].startsWith("*")) {
      for (const i of unique) {
        if (i >= j) break;
        if (--budget < 0) break;
        if (hostMatches(hosts[i], hosts[j])) { first = i; break; }
      }
    } else {
      for (const i of wild) {
        if (i >= j) break;
        if (--budget < 0) break;
        if (hostMatches(hosts[i], hosts[j])) { first = i; break; }
      }
    }
    if (budget < 0) {
      p.error("spec.hosts", `too many wildcard hosts to check for duplicates (${hosts.length} hosts, ${wild.length} wildcards) [pilotfish's own limit]`);
      return;
    }
    if (first >= 0) p.error(at("spec.hosts", j), `duplicate hosts in virtual service: ${hosts[first]} & ${hosts[j]}`);
  }
}

/** host.Name.Matches / SubsetOf. */
function hostMatches(n: string, o: string): boolean {
  const nw = n.startsWith("*");
  const ow = o.startsWith("*");
  if (nw) {
    if (ow) return n.length < o.length ? o.slice(1).endsWith(n.slice(1)) : n.slice(1).endsWith(o.slice(1));
    return o.endsWith(n.slice(1));
  }
  if (ow) return n.endsWith(o.slice(1));
  return n === o;
}
function hostSubsetOf(n: string, o: string): boolean {
  const nw = n.startsWith("*");
  const ow = o.startsWith("*");
  if (nw) {
    if (ow) return n.length >= o.length && n.slice(1).endsWith(o.slice(1));
    return false;
  }
  if (ow) return n.endsWith(o.slice(1));
  return n === o;
}

/** Istio 1.30.3 validateHTTPRoute, with its messages (delegate: the route is in a delegate VirtualService). */
function checkHttpRoute(r: Obj, path: string, p: Problems, delegate: boolean, gatewaySemantics: boolean): void {
  // validateHTTPRouteConflict
  const hasRoute = list(r.route).length > 0;
  const root = !delegate && r.delegate !== undefined && r.delegate !== null;
  if (root) {
    if (r.redirect) p.error(at(path, "redirect"), `root HTTP route ${r.name ?? ""} must not specify redirect`);
    if (hasRoute) p.error(at(path, "route"), `root HTTP route ${r.name ?? ""} must not specify route`);
  } else {
    if (delegate && r.delegate) p.error(at(path, "delegate"), "delegate HTTP route cannot contain delegate");
    if (r.redirect) {
      if (hasRoute) p.error(path, "HTTP route cannot contain both route and redirect");
      if (r.fault) p.error(path, "HTTP route cannot contain both fault and redirect");
      if (r.rewrite) p.error(path, "HTTP route rule cannot contain both rewrite and redirect");
      if (r.directResponse) p.error(path, "HTTP route rule cannot contain both direct_response and redirect");
    } else if (r.directResponse) {
      if (hasRoute) p.error(path, "HTTP route cannot contain both route and direct_response");
      if (r.fault) p.error(path, "HTTP route cannot contain both fault and direct_response");
      if (r.rewrite) p.error(path, "HTTP route rule cannot contain both rewrite and direct_response");
    } else if (!hasRoute) p.error(path, "HTTP route, redirect or direct_response is required");
    if (r.mirror && list(r.mirrors).length) p.error(path, "HTTP route cannot contain both mirror and mirrors");
  }
  // validateHTTPRouteMatchRequest
  for (const [i, m] of list(r.match).entries()) {
    const mp = at(at(path, "match"), i);
    if (!isObj(m)) continue;
    if (isObj(m.headers)) {
      for (const [name, sm] of Object.entries(m.headers)) {
        const hp = at(at(mp, "headers"), name);
        // Istio's Go check "header match %v cannot be null" is unreachable through the API server and the webhook's
        // decoder, which both drop map entries whose value is null: such an entry is absent, so it is skipped here.
        if (sm === null || sm === undefined) continue;
        const e = matchHeaderNameError(name);
        if (e) p.error(hp, e);
        checkStringMatch(sm, hp, "headers", p);
      }
    }
    if (isObj(m.withoutHeaders)) {
      for (const [name, sm] of Object.entries(m.withoutHeaders)) {
        const hp = at(at(mp, "withoutHeaders"), name);
        const e = matchHeaderNameError(name);
        if (e) p.error(hp, e);
        // `*` is not RE2 here: Envoy's present_match, as Istio reads it.
        if (isObj(sm) && sm.regex !== "*") checkStringMatch(sm, hp, "withoutHeaders", p);
      }
    }
    checkStringMatch(m.uri, at(mp, "uri"), "uri", p, { regexOnly: true });
    for (const k of ["scheme", "method", "authority"]) checkStringMatch(m[k], at(mp, k), k, p);
    if (isObj(m.queryParams)) for (const [k, sm] of Object.entries(m.queryParams)) checkStringMatch(sm, at(at(mp, "queryParams"), k), "queryParams", p);
    if (m.port !== undefined && m.port !== 0) checkPort(m.port, at(mp, "port"), p);
    checkLabels(m.sourceLabels, at(mp, "sourceLabels"), p);
    checkGatewayNames(list(m.gateways), at(mp, "gateways"), p);
    if (typeof m.sourceNamespace === "string" && m.sourceNamespace !== "" && !isDnsLabel(m.sourceNamespace)) p.error(at(mp, "sourceNamespace"), `sourceNamespace match ${m.sourceNamespace} is invalid`);
  }
  checkHeaderOps(r.headers, at(path, "headers"), p);
  // validateCORSPolicy
  if (isObj(r.corsPolicy)) {
    const c = r.corsPolicy;
    const cp = at(path, "corsPolicy");
    list(c.allowOrigins).forEach((o, i) => {
      const op = at(at(cp, "allowOrigins"), i);
      const m = isObj(o) ? (o.exact ?? o.prefix ?? o.regex ?? "") : "";
      if (m === "") p.error(op, `'${m}' is not a valid match type for CORS allow origins`);
      else checkStringMatch(o, op, "corsPolicy.allowOrigins", p, { regexOnly: true });
    });
    list(c.allowMethods).forEach((m, i) => !CORS_METHODS.has(m) && p.error(at(at(cp, "allowMethods"), i), `"${m}" is not a supported HTTP method`));
    for (const k of ["allowHeaders", "exposeHeaders"]) {
      list(c[k]).forEach((h, i) => {
        const name = String(h ?? "");
        if (name === "") p.error(at(at(cp, k), i), "header name cannot be empty");
        else if (name !== "*" && !HEADER_NAME.test(name)) p.error(at(at(cp, k), i), `header name ${name} is not a valid header name`);
      });
    }
    checkDuration(c.maxAge, at(cp, "maxAge"), p);
    if (typeof c.maxAge === "string") {
      const ms = parseGoDuration(c.maxAge);
      if (ms !== undefined && ms % 1000 !== 0) p.error(at(cp, "maxAge"), "max_age duration is accurate only to seconds precision");
    }
  }
  // validateHTTPFaultInjection
  if (isObj(r.fault)) {
    const f = r.fault;
    const fp = at(path, "fault");
    if (!isObj(f.abort) && !isObj(f.delay)) p.error(fp, "HTTP fault injection must have an abort and/or a delay");
    if (isObj(f.abort)) {
      const a = f.abort;
      const ap = at(fp, "abort");
      const pe = percentageError(a.percentage);
      if (pe) p.error(at(at(ap, "percentage"), "value"), pe);
      if (a.grpcStatus !== undefined) {
        if (!GRPC_CODES.includes(a.grpcStatus)) p.error(at(ap, "grpcStatus"), `gRPC status "${a.grpcStatus}" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`);
      } else if (a.http2Error !== undefined) p.error(at(ap, "http2Error"), "HTTP/2 abort fault injection not supported yet");
      else if (a.httpStatus !== undefined) {
        if (a.httpStatus < 200 || a.httpStatus > 600) p.error(at(ap, "httpStatus"), `HTTP status ${a.httpStatus} is not in range 200-599 (Istio accepts 200..600)`);
      } else p.warn(ap, "abort configured, but error type not set");
    }
    if (isObj(f.delay)) {
      const d = f.delay;
      const dp = at(fp, "delay");
      const pe = percentageError(d.percentage);
      if (pe) p.error(at(at(dp, "percentage"), "value"), pe);
      if (d.fixedDelay !== undefined) checkDuration(d.fixedDelay, at(dp, "fixedDelay"), p);
      else if (d.exponentialDelay !== undefined) {
        checkDuration(d.exponentialDelay, at(dp, "exponentialDelay"), p);
        p.error(at(dp, "exponentialDelay"), "exponentialDelay not supported yet");
      }
    }
  }
  // mirror_percent is the same proto field under its original name (the CRD lists both spellings).
  const mp = r.mirrorPercent ?? r.mirror_percent;
  if (mp !== undefined && mp !== null) {
    const v = typeof mp === "number" ? mp : isObj(mp) ? Number(mp.value ?? 0) : 0;
    if (v > 100) p.error(at(path, "mirrorPercent"), `mirror_percent must have a max value of 100 (it has ${v})`);
    p.warn(at(path, "mirrorPercent"), `using deprecated setting "mirrorPercent", use "mirrorPercentage" instead`);
  }
  if (isObj(r.mirrorPercentage)) {
    const v = Number(r.mirrorPercentage.value ?? 0);
    if (v > 100) p.error(at(path, "mirrorPercentage"), `mirror_percentage must have a max value of 100 (it has ${v.toFixed(6)})`);
    if (v < 0) p.error(at(path, "mirrorPercentage"), `mirror_percentage must have a min value of 0 (it has ${v.toFixed(6)})`);
  }
  checkDestination(r.mirror, at(path, "mirror"), p);
  list(r.mirrors).forEach((m, i) => {
    const mp = at(at(path, "mirrors"), i);
    if (!isObj(m)) return p.error(mp, "mirror cannot be null");
    if (!isObj(m.destination)) return p.error(at(mp, "destination"), "destination is required for mirrors");
    checkDestination(m.destination, at(mp, "destination"), p);
    if (isObj(m.percentage)) {
      const v = Number(m.percentage.value ?? 0);
      if (v > 100) p.error(at(mp, "percentage"), `mirror percentage must have a max value of 100 (it has ${v.toFixed(6)})`);
      if (v < 0) p.error(at(mp, "percentage"), `mirror percentage must have a min value of 0 (it has ${v.toFixed(6)})`);
    }
  });
  // validateHTTPRedirect (returns its first error)
  if (isObj(r.redirect)) {
    const rd = r.redirect;
    const rp = at(path, "redirect");
    const port = typeof rd.port === "number" ? rd.port : 0;
    if (!rd.uri && !rd.authority && rd.port === undefined && rd.derivePort === undefined && !rd.scheme) p.error(rp, "redirect must specify URI, authority, scheme, or port");
    else if (rd.redirectCode && (rd.redirectCode < 300 || rd.redirectCode > 399)) p.error(at(rp, "redirectCode"), `${rd.redirectCode} is not a valid redirect code, must be 3xx`);
    else if (rd.scheme && rd.scheme !== "http" && rd.scheme !== "https") p.error(at(rp, "scheme"), `invalid redirect scheme, must be "http" or "https"`);
    else if (port > 0) checkPort(port, at(rp, "port"), p);
  }
  // validateHTTPDirectResponse
  if (isObj(r.directResponse)) {
    const dr = r.directResponse;
    const dp = at(path, "directResponse");
    if (isObj(dr.body)) {
      const size = typeof dr.body.string === "string" ? Buffer.byteLength(dr.body.string, "utf8") : typeof dr.body.bytes === "string" ? Buffer.from(dr.body.bytes, "base64").length : 0;
      if (size > MB) p.error(at(dp, "body"), "large direct_responses may impact control plane performance, must be less than 1MB");
      else if (size > 100 * KB) p.warn(at(dp, "body"), "large direct_responses may impact control plane performance");
    }
    const s = typeof dr.status === "number" ? dr.status : 0;
    if (s < 200 || s > 600) p.error(at(dp, "status"), `HTTP status ${s} is not in range 200-599 (Istio accepts 200..600)`);
  }
  // validateHTTPRetry
  if (isObj(r.retries)) {
    const rt = r.retries;
    const rp = at(path, "retries");
    const attempts = typeof rt.attempts === "number" ? rt.attempts : 0;
    if (attempts < 0) p.error(at(rp, "attempts"), "attempts cannot be negative");
    if (attempts === 0 && (rt.perTryTimeout !== undefined || (rt.retryOn ?? "") !== "" || rt.retryRemoteLocalities !== undefined)) p.error(rp, "http retry policy configured when attempts are set to 0 (disabled)");
    checkDuration(rt.perTryTimeout, at(rp, "perTryTimeout"), p);
    if (typeof rt.retryOn === "string" && rt.retryOn !== "") {
      for (const cond of rt.retryOn.split(",")) {
        const n = /^[+-]?[0-9]+$/.test(cond) ? Number(cond) : 0;
        if (!HTTP_STATUS_TEXT.has(n) && !RETRY_ON.has(cond)) p.error(at(rp, "retryOn"), `"${cond}" is not a valid retryOn policy`);
      }
    }
    checkDuration(rt.backoff, at(rp, "backoff"), p);
  }
  // validateHTTPRewrite
  if (isObj(r.rewrite)) {
    const rw = r.rewrite;
    const wp = at(path, "rewrite");
    const rr = rw.uriRegexRewrite;
    if (rw.uri && isObj(rr)) p.error(wp, "rewrite may only contain one of URI or UriRegexRewrite");
    else if (!rw.uri && !isObj(rr) && !rw.authority) p.error(wp, "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified");
    else if (isObj(rr)) {
      if (!rr.match || !rr.rewrite) p.error(at(wp, "uriRegexRewrite"), "UriRegexRewrite has errors\nUriRegexRewrite requires both Rewrite and Match fields to be specified");
      else {
        const e = regexError(String(rr.match));
        if (e) p.error(at(at(wp, "uriRegexRewrite"), "match"), `UriRegexRewrite has errors\n"HTTPRewrite.UriRegexRewrite.Match": ${e}`);
      }
    }
  }
  // validateAuthorityRewrite: the authority is rewritten in one place only
  let current = isObj(r.rewrite) && typeof r.rewrite.authority === "string" ? r.rewrite.authority : "";
  const req = isObj(r.headers) && isObj(r.headers.request) ? r.headers.request : {};
  outer: for (const op of ["set", "add"]) {
    if (!isObj(req[op])) continue;
    for (const [k, v] of Object.entries(req[op])) {
      if (!isAuthorityHeader(k)) continue;
      if (current !== "") {
        p.error(at(at(at(path, "headers.request"), op), k), `authority header cannot be set multiple times: have "${current}", attempting to set "${v}"`);
        break outer;
      }
      current = String(v);
    }
  }
  checkWeights(list(r.route), at(path, "route"), p, true, gatewaySemantics);
  checkDuration(r.timeout, at(path, "timeout"), p);
}

const MAP_FIELDS = new Set(["headers", "withoutHeaders", "queryParams", "sourceLabels"]);
/** Istio compares matches by their Go JSON (omitempty): zero values, empty lists and empty maps do not count. */
const matchKey = (m: unknown, dropName: boolean): string => {
  const zero = (k: string, v: unknown) => v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) || (MAP_FIELDS.has(k) && isObj(v) && Object.keys(v).length === 0);
  const canon = (v: unknown): unknown => (Array.isArray(v) ? v.map(canon) : isObj(v) ? Object.fromEntries(Object.keys(v).sort().filter((k) => !zero(k, v[k])).map((k) => [k, canon(v[k])])) : v);
  if (dropName && isObj(m)) {
    const { name: _n, ...rest } = m;
    return JSON.stringify(canon(rest));
  }
  return JSON.stringify(canon(m ?? null));
};
const exactOrPrefix = (sm: unknown): string => (isObj(sm) ? (sm.exact ? `exact:${sm.exact}` : sm.prefix ? `prefix:${sm.prefix}` : "") : "");

/** Istio's analyzeUnreachable{HTTP,TCP,TLS}Rules: warnings only. */
function analyzeUnreachable(routes: any[], path: string, p: Problems, http: boolean): void {
  const seen = new Map<string, number>();
  let emptyAt = -1;
  const routeName = (r: Obj, n: number) => (http && r.name ? `"${r.name}"` : `#${n}`);
  const reqName = (m: Obj, n: number) => (http && isObj(m) && m.name ? `"${m.name}"` : `#${n}`);
  const unused = (i: number, ruleno: string, reason: string) => p.warn(at(path, i), `virtualService rule ${ruleno} not used (${reason})`);
  const ineffective = (i: number, ruleno: string, matchno: string, dupno: string) => p.warn(at(path, i), `virtualService rule ${ruleno} match ${matchno} is not used (duplicate/overlapping match in rule ${dupno})`);
  interface PM { i: number; route: string; match: string; prefix: string; port: unknown; method: string; authority: string; headers: Record<string, string>; qp: Record<string, string>; nh: Record<string, string> }
  const prefixes: PM[] = [];
  routes.forEach((r, rn) => {
    if (!isObj(r)) return;
    const matches = list(r.match);
    if (matches.length === 0) {
      if (emptyAt >= 0) unused(rn, routeName(r, rn), "only the last rule can have no matches");
      emptyAt = rn;
      return;
    }
    let dups = 0;
    matches.forEach((m, mn) => {
      if (emptyAt >= 0) return unused(rn, routeName(r, rn), "route without matches defined before");
      const key = matchKey(m, http);
      if (seen.has(key)) {
        const dn = seen.get(key)!;
        ineffective(rn, routeName(r, rn), reqName(m, mn), routeName(routes[dn], dn));
        dups++;
        return;
      }
      seen.set(key, rn);
      if (http && isObj(m) && isObj(m.uri) && m.uri.prefix) {
        const kv = (o: unknown) => Object.fromEntries(Object.entries(isObj(o) ? o : {}).map(([k, v]) => [k, exactOrPrefix(v)]));
        prefixes.push({
          i: rn, route: routeName(r, rn), match: reqName(m, mn), prefix: m.uri.prefix, port: m.port ?? 0,
          method: exactOrPrefix(m.method) || "exact:GET", authority: exactOrPrefix(m.authority), headers: kv(m.headers), qp: kv(m.queryParams), nh: kv(m.withoutHeaders),
        });
      }
    });
    if (dups === matches.length) unused(rn, routeName(r, rn), "all matches used by prior rules");
  });
  const mapCovered = (a: Record<string, string>, b: Record<string, string>) => {
    if (Object.keys(a).length !== Object.keys(b).length) return false;
    return Object.entries(a).every(([k, v]) => k in b && (v === b[k] || v.startsWith(b[k])));
  };
  const covered = (a: PM, b: PM) => b.prefix.startsWith(a.prefix) && b.port === a.port
    && (a.method === b.method || a.method.startsWith(b.method)) && (a.authority === b.authority || a.authority.startsWith(b.authority))
    && mapCovered(a.headers, b.headers) && mapCovered(a.qp, b.qp) && mapCovered(a.nh, b.nh);
  for (let x = 0; x < prefixes.length; x++) {
    for (let y = x + 1; y < prefixes.length; y++) {
      if (prefixes[y].prefix === prefixes[x].prefix) continue;
      if (covered(prefixes[x], prefixes[y])) ineffective(prefixes[y].i, prefixes[y].route, `${prefixes[y].match} of prefix ${prefixes[y].prefix}`, `${prefixes[x].match} of prefix ${prefixes[x].prefix} on ${prefixes[x].route}`);
    }
  }
}

/** Istio 1.30.3 ValidateVirtualService, with its messages. */
export function validateVirtualService(spec: Obj, meta: Obj, p: Problems): void {
  const hosts = list(spec.hosts);
  const gateways = list(spec.gateways);
  const tcp = list(spec.tcp);
  const tls = list(spec.tls);
  const http = list(spec.http);
  const delegate = hosts.length === 0;
  // VirtualServices converted from Gateway API routes carry this annotation; Istio then skips destination and gateway-name checks.
  const gatewaySemantics = isObj(meta.annotations) && meta.annotations["internal.istio.io/route-semantics"] === "gateway";
  if (delegate) {
    if (gateways.length) p.error("spec.gateways", "delegate virtual service must have no gateways specified");
    if (tls.length) p.error("spec.tls", "delegate virtual service must have no tls route specified");
    if (tcp.length) p.error("spec.tcp", "delegate virtual service must have no tcp route specified");
  }
  let appliesToGateway = false;
  let appliesToMesh = true;
  if (gateways.length) {
    checkGatewayNames(gateways, "spec.gateways", p, gatewaySemantics);
    appliesToGateway = !gateways.includes("mesh");
    appliesToMesh = !appliesToGateway;
  }
  if (!appliesToGateway) {
    http.forEach((r, i) => {
      if (!isObj(r)) return;
      list(r.match).forEach((m, j) => {
        if (!isObj(m)) return;
        for (const hk of ["headers", "withoutHeaders"]) {
          for (const key of Object.keys(isObj(m[hk]) ? m[hk] : {})) {
            if (isJwtClaimRoute(key)) p.error(at(at(at(at("spec.http", i), "match"), j), hk), `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: [${gateways.join(" ")}]`);
          }
        }
      });
    });
  }
  const sni = tls.some((t) => isObj(t) && list(t.match).some((m) => isObj(m) && list(m.sniHosts).length > 0));
  let allValid = true;
  hosts.forEach((h, i) => {
    const s = typeof h === "string" ? h : "";
    const e = appliesToGateway ? gatewayBoundHostError(sni, s) : wildcardDomainError(s);
    if (e) {
      if (!isIP(s)) {
        p.error(at("spec.hosts", i), e);
        allValid = false;
      }
    } else if (appliesToMesh && s === "*") {
      p.error(at("spec.hosts", i), "wildcard host * is not allowed for virtual services bound to the mesh gateway");
      allValid = false;
    }
  });
  if (allValid) duplicateHosts(hosts.map((h) => (typeof h === "string" ? h : "")), p);
  if (http.length === 0 && tcp.length === 0 && tls.length === 0) p.error("spec", "http, tcp or tls must be provided in virtual service");
  http.forEach((r, i) => {
    if (!isObj(r)) return p.error(at("spec.http", i), "http route may not be null");
    checkHttpRoute(r, at("spec.http", i), p, delegate, gatewaySemantics);
  });
  tls.forEach((r, i) => {
    if (!isObj(r)) return;
    const rp = at("spec.tls", i);
    if (list(r.match).length === 0) p.error(at(rp, "match"), "TLS route must have at least one match condition");
    list(r.match).forEach((m, j) => {
      const mp = at(at(rp, "match"), j);
      if (!isObj(m)) return p.error(mp, "TLS match may not be null");
      if (list(m.sniHosts).length === 0) p.error(at(mp, "sniHosts"), "TLS match must have at least one SNI host");
      list(m.sniHosts).forEach((h, k) => {
        const s = typeof h === "string" ? h : "";
        const hp = at(at(mp, "sniHosts"), k);
        const e = appliesToGateway ? gatewayBoundHostError(true, s) : wildcardDomainError(s);
        if (e) {
          if (isIP(s)) p.warn(hp, `using an IP address ("${s}") goes against SNI spec and most clients do not support this`);
          else p.error(hp, e);
          return;
        }
        if (!hosts.some((vh) => hostSubsetOf(s, String(vh)))) p.error(hp, `SNI host "${s}" is not a compatible subset of any of the virtual service hosts: [${hosts.join(", ")}]`);
      });
      checkL4Match(m, mp, p);
    });
    if (list(r.route).length === 0) p.error(at(rp, "route"), "TLS route is required");
    checkWeights(list(r.route), at(rp, "route"), p, false, gatewaySemantics);
  });
  tcp.forEach((r, i) => {
    if (!isObj(r)) return;
    const rp = at("spec.tcp", i);
    list(r.match).forEach((m, j) => {
      const mp = at(at(rp, "match"), j);
      if (!isObj(m)) return p.error(mp, "tcp match may not be nil");
      checkL4Match(m, mp, p);
    });
    if (list(r.route).length === 0) p.error(at(rp, "route"), "TCP route is required");
    checkWeights(list(r.route), at(rp, "route"), p, false, gatewaySemantics);
  });
  checkExportTo(spec.exportTo, meta.namespace ?? "", "spec.exportTo", p);
  analyzeUnreachable(http, "spec.http", p, true);
  analyzeUnreachable(tcp, "spec.tcp", p, false);
  analyzeUnreachable(tls, "spec.tls", p, false);
}

function checkL4Match(m: Obj, mp: string, p: Problems): void {
  list(m.destinationSubnets).forEach((s, k) => {
    const str = String(s ?? "");
    if (!(str.split("/").length === 2 ? isCIDR(str) : isIP(str))) p.error(at(at(mp, "destinationSubnets"), k), `${str} is not a valid IP`);
  });
  if (m.port !== undefined && m.port !== 0) checkPort(m.port, at(mp, "port"), p);
  checkLabels(m.sourceLabels, at(mp, "sourceLabels"), p);
  checkGatewayNames(list(m.gateways), at(mp, "gateways"), p);
}
