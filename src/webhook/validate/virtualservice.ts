// VirtualService (networking.istio.io).
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import {
  checkDuration, checkExportTo, checkLabels, checkPort, headerNameError, isCIDR, isDnsLabel, isIP, isObj, list, regexError, wildcardDomainError, type Obj,
} from "./common.js";

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
  mirrorPercent: S.int(), mirrorPercentage: PERCENT,
  corsPolicy: S.obj({
    allowOrigins: S.arr(STRING_MATCH), allowOrigin: S.strs(), allowMethods: S.strs(), allowHeaders: S.strs(), exposeHeaders: S.strs(),
    maxAge: S.dur, allowCredentials: S.bool, unmatchedPreflights: S.en("UNSPECIFIED", "FORWARD", "IGNORE"),
  }),
  headers: HEADERS,
});

const L4_MATCH: Schema = S.obj({ destinationSubnets: S.strs(), port: S.int(), sourceLabels: S.map(), gateways: S.strs(), sourceNamespace: S.str(), sniHosts: S.strs() });

export const VIRTUAL_SERVICE_SPEC: Schema = S.obj({
  hosts: S.strs(), gateways: S.strs(), http: S.arr(HTTP_ROUTE),
  tls: S.arr(S.obj({ match: S.arr(L4_MATCH), route: S.arr(L4_DEST) }, { req: ["match"] })),
  tcp: S.arr(S.obj({ match: S.arr(L4_MATCH), route: S.arr(L4_DEST) })),
  exportTo: S.strs(),
});

const GRPC_CODES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];
const RETRY_ON = new Set(["5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"]);
const CORS_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"]);

function checkPercent(v: unknown, path: string, p: Problems): void {
  if (!isObj(v) || v.value === undefined) return;
  if (typeof v.value !== "number" || v.value < 0 || v.value > 100) p.error(at(path, "value"), "percentage must be in the range 0..100");
}

function checkDestination(d: unknown, path: string, p: Problems): void {
  if (!isObj(d)) return;
  if (typeof d.host === "string") {
    if (d.host === "*") p.error(at(path, "host"), `destination host "*" is not allowed: name a service`);
    else if (!isIP(d.host)) {
      const e = wildcardDomainError(d.host);
      if (e) p.error(at(path, "host"), e);
    }
  }
  if (d.subset !== undefined && (typeof d.subset !== "string" || !isDnsLabel(d.subset))) p.error(at(path, "subset"), `subset "${d.subset}" must be a DNS label`);
  if (isObj(d.port)) {
    if (d.port.number === undefined) p.error(at(at(path, "port"), "number"), "port number must be set when a port is given");
    else checkPort(d.port.number, at(at(path, "port"), "number"), p);
  }
}

function checkWeights(routes: any[], path: string, p: Problems): void {
  let total = 0;
  routes.forEach((r, i) => {
    if (!isObj(r)) return;
    checkDestination(r.destination, at(at(path, i), "destination"), p);
    if (r.weight !== undefined) {
      if (typeof r.weight === "number" && r.weight < 0) p.error(at(at(path, i), "weight"), "weight must not be negative");
      total += Number(r.weight) || 0;
    }
  });
  if (routes.length > 1 && total === 0) p.error(path, "total destination weight is 0: give at least one destination a weight");
}

function checkHeaderOps(h: unknown, path: string, p: Problems): void {
  if (!isObj(h)) return;
  for (const dir of ["request", "response"]) {
    const ops = h[dir];
    if (!isObj(ops)) continue;
    for (const op of ["set", "add"]) {
      if (!isObj(ops[op])) continue;
      for (const [name, value] of Object.entries(ops[op])) {
        const np = at(at(at(path, dir), op), name);
        if (name === "") p.error(np, "header name must not be empty");
        else if (name.startsWith(":") && !(dir === "request" && name.toLowerCase() === ":authority")) p.error(np, `pseudo-header "${name}" cannot be changed`);
        else if (headerNameError(name)) p.error(np, headerNameError(name)!);
        if (dir === "response" && name.toLowerCase() === "host") p.error(np, "the Host header cannot be set on responses");
        if (typeof value === "string" && /[\x00-\x1f\x7f]/.test(value.replace(/\t/g, ""))) p.error(np, "header value must not contain control characters");
        if (typeof value === "string" && /%[^%]*$/.test(value.replace(/%[A-Z_]+(\([^)]*\))?%/g, "")) && value.includes("%")) p.error(np, `invalid %VAR% escape in header value "${value}"`);
      }
    }
    for (const [i, name] of list(ops.remove).entries()) {
      if (name === "") p.error(at(at(at(path, dir), "remove"), i), "header name must not be empty");
      else if (String(name).toLowerCase() === "host") p.error(at(at(at(path, dir), "remove"), i), "the Host header cannot be removed");
    }
  }
}

function checkStringMatch(m: unknown, path: string, p: Problems, opts: { allowEmptyPrefix?: boolean } = {}): void {
  if (!isObj(m)) return;
  if (m.prefix === "" && !opts.allowEmptyPrefix) p.error(at(path, "prefix"), "prefix match must not be empty");
  if (m.regex !== undefined) {
    if (m.regex === "") p.error(at(path, "regex"), "regex match must not be empty");
    else {
      const e = regexError(String(m.regex));
      if (e) p.error(at(path, "regex"), e);
    }
  }
}

function checkHttpRoute(r: Obj, path: string, p: Problems, ctx: { delegate: boolean; gatewayBound: boolean }): void {
  const hasRoute = list(r.route).length > 0;
  const targets = [hasRoute && "route", r.redirect && "redirect", r.directResponse && "directResponse", r.delegate && "delegate"].filter(Boolean);
  if (r.delegate) {
    if (ctx.delegate) p.error(at(path, "delegate"), "a delegate VirtualService cannot delegate again");
    if (hasRoute || r.redirect) p.error(path, "a delegating route cannot also have route or redirect");
  } else if (targets.length === 0) p.error(path, "HTTP route must have one of route, redirect or directResponse");
  else if (targets.length > 1) p.error(path, `HTTP route may have only one of route, redirect, directResponse (found ${targets.join(", ")})`);
  if ((r.redirect || r.directResponse) && (r.fault || r.rewrite)) p.error(path, "fault and rewrite cannot be used with redirect or directResponse");
  if (r.mirror && list(r.mirrors).length) p.error(path, "only one of mirror or mirrors may be set");
  checkWeights(list(r.route), at(path, "route"), p);
  list(r.route).forEach((d, i) => isObj(d) && checkHeaderOps(d.headers, at(at(at(path, "route"), i), "headers"), p));
  checkHeaderOps(r.headers, at(path, "headers"), p);
  for (const [i, m] of list(r.match).entries()) {
    if (!isObj(m)) continue;
    const mp = at(at(path, "match"), i);
    checkStringMatch(m.uri, at(mp, "uri"), p, { allowEmptyPrefix: true });
    for (const k of ["scheme", "method", "authority"]) checkStringMatch(m[k], at(mp, k), p);
    for (const hk of ["headers", "withoutHeaders"]) {
      if (!isObj(m[hk])) continue;
      for (const [name, sm] of Object.entries(m[hk])) {
        const claim = name.startsWith("@request.auth.claims.");
        if (claim) {
          if (!ctx.gatewayBound) p.error(at(at(mp, hk), name), "@request.auth.claims matches are only supported on gateway-bound VirtualServices");
        } else {
          const e = headerNameError(name);
          if (e) p.error(at(at(mp, hk), name), e);
        }
        // In withoutHeaders, regex "*" is not RE2: Envoy's present_match ("header absent"), as Istio reads it.
        if (hk === "withoutHeaders" && isObj(sm) && sm.regex === "*") continue;
        checkStringMatch(sm, at(at(mp, hk), name), p);
      }
    }
    if (isObj(m.queryParams)) for (const [k, sm] of Object.entries(m.queryParams)) checkStringMatch(sm, at(at(mp, "queryParams"), k), p);
    if (m.port !== undefined) checkPort(m.port, at(mp, "port"), p);
    checkLabels(m.sourceLabels, at(mp, "sourceLabels"), p);
    if (m.sourceNamespace !== undefined && !isDnsLabel(String(m.sourceNamespace))) p.error(at(mp, "sourceNamespace"), "must be a DNS label");
  }
  if (isObj(r.redirect)) {
    const rd = r.redirect;
    if (!rd.uri && !rd.authority && !rd.scheme && rd.port === undefined && !rd.derivePort) p.error(at(path, "redirect"), "redirect must specify uri, authority, scheme or port");
    if (rd.redirectCode !== undefined && (rd.redirectCode < 300 || rd.redirectCode > 399)) p.error(at(at(path, "redirect"), "redirectCode"), `redirect code ${rd.redirectCode} must be in the range 300..399`);
    if (rd.scheme !== undefined && !["http", "https"].includes(rd.scheme)) p.error(at(at(path, "redirect"), "scheme"), `scheme must be http or https`);
    if (rd.port !== undefined) checkPort(rd.port, at(at(path, "redirect"), "port"), p);
  }
  if (isObj(r.directResponse)) {
    const s = r.directResponse.status;
    if (typeof s === "number" && (s < 200 || s > 599)) p.error(at(at(path, "directResponse"), "status"), `status ${s} must be in the range 200..599`);
    const body = r.directResponse.body;
    if (isObj(body) && typeof body.string === "string" && body.string.length > 100 * 1024) p.warn(at(path, "directResponse.body"), "body over 100 KiB");
  }
  if (isObj(r.rewrite)) {
    const rw = r.rewrite;
    if (rw.uri !== undefined && rw.uriRegexRewrite) p.error(at(path, "rewrite"), "only one of uri or uriRegexRewrite may be set");
    if (rw.uri === undefined && !rw.uriRegexRewrite && rw.authority === undefined) p.error(at(path, "rewrite"), "rewrite must specify uri, uriRegexRewrite or authority");
    if (isObj(rw.uriRegexRewrite)) {
      if (!rw.uriRegexRewrite.match) p.error(at(path, "rewrite.uriRegexRewrite.match"), "Required value");
      else if (regexError(rw.uriRegexRewrite.match)) p.error(at(path, "rewrite.uriRegexRewrite.match"), regexError(rw.uriRegexRewrite.match)!);
      if (rw.uriRegexRewrite.rewrite === undefined) p.error(at(path, "rewrite.uriRegexRewrite.rewrite"), "Required value");
    }
  }
  checkDuration(r.timeout, at(path, "timeout"), p);
  if (isObj(r.retries)) {
    const rt = r.retries;
    const rp = at(path, "retries");
    if (typeof rt.attempts === "number" && rt.attempts < 0) p.error(at(rp, "attempts"), "attempts must not be negative");
    if (rt.attempts === 0 && (rt.perTryTimeout !== undefined || rt.retryOn !== undefined || rt.retryRemoteLocalities !== undefined)) p.error(rp, "attempts 0 disables retries: perTryTimeout, retryOn and retryRemoteLocalities cannot be set with it");
    checkDuration(rt.perTryTimeout, at(rp, "perTryTimeout"), p);
    checkDuration(rt.backoff, at(rp, "backoff"), p);
    if (typeof rt.retryOn === "string" && rt.retryOn !== "") {
      for (const cond of rt.retryOn.split(",").map((s: string) => s.trim())) {
        if (RETRY_ON.has(cond)) continue;
        if (/^\d+$/.test(cond) && Number(cond) >= 100 && Number(cond) <= 599) continue;
        p.error(at(rp, "retryOn"), `"${cond}" is not a valid retryOn condition or HTTP status code`);
      }
    }
  }
  if (isObj(r.fault)) {
    const f = r.fault;
    const fp = at(path, "fault");
    if (!f.abort && !f.delay) p.error(fp, "fault must have an abort and/or a delay");
    if (isObj(f.abort)) {
      const a = f.abort;
      checkPercent(a.percentage, at(at(fp, "abort"), "percentage"), p);
      if (a.http2Error !== undefined) p.error(at(at(fp, "abort"), "http2Error"), "HTTP/2 abort fault injection is not supported");
      if (a.httpStatus !== undefined && (a.httpStatus < 200 || a.httpStatus > 600)) p.error(at(at(fp, "abort"), "httpStatus"), `httpStatus ${a.httpStatus} must be in the range 200..600`);
      if (a.grpcStatus !== undefined && !GRPC_CODES.includes(a.grpcStatus)) p.error(at(at(fp, "abort"), "grpcStatus"), `"${a.grpcStatus}" is not a gRPC status code name`);
      if (a.httpStatus === undefined && a.grpcStatus === undefined && a.http2Error === undefined) p.warn(at(fp, "abort"), "abort has no error type");
    }
    if (isObj(f.delay)) {
      const d = f.delay;
      checkPercent(d.percentage, at(at(fp, "delay"), "percentage"), p);
      if (d.percent !== undefined && (d.percent < 0 || d.percent > 100)) p.error(at(at(fp, "delay"), "percent"), "percent must be in the range 0..100");
      if (d.exponentialDelay !== undefined) p.error(at(at(fp, "delay"), "exponentialDelay"), "exponentialDelay is not supported");
      checkDuration(d.fixedDelay, at(at(fp, "delay"), "fixedDelay"), p);
      if (d.fixedDelay === undefined && d.exponentialDelay === undefined) p.error(at(fp, "delay"), "delay must set fixedDelay");
    }
  }
  if (r.mirror) checkDestination(r.mirror, at(path, "mirror"), p);
  if (r.mirrorPercent !== undefined) {
    if (r.mirrorPercent > 100 || r.mirrorPercent < 0) p.error(at(path, "mirrorPercent"), "mirrorPercent must be in the range 0..100");
    p.warn(at(path, "mirrorPercent"), "mirrorPercent is deprecated; use mirrorPercentage");
  }
  checkPercent(r.mirrorPercentage, at(path, "mirrorPercentage"), p);
  list(r.mirrors).forEach((m, i) => {
    if (!isObj(m)) return;
    checkDestination(m.destination, at(at(at(path, "mirrors"), i), "destination"), p);
    checkPercent(m.percentage, at(at(at(path, "mirrors"), i), "percentage"), p);
  });
  if (isObj(r.corsPolicy)) {
    const c = r.corsPolicy;
    const cp = at(path, "corsPolicy");
    list(c.allowOrigins).forEach((o, i) => {
      if (isObj(o) && Object.keys(o).length === 0) p.error(at(at(cp, "allowOrigins"), i), "origin matcher must not be empty");
      checkStringMatch(o, at(at(cp, "allowOrigins"), i), p);
    });
    list(c.allowMethods).forEach((m, i) => !CORS_METHODS.has(m) && p.error(at(at(cp, "allowMethods"), i), `"${m}" is not an HTTP method`));
    for (const k of ["allowHeaders", "exposeHeaders"]) list(c[k]).forEach((h, i) => h !== "*" && headerNameError(String(h)) && p.error(at(at(cp, k), i), headerNameError(String(h))!));
    checkDuration(c.maxAge, at(cp, "maxAge"), p);
    if (typeof c.maxAge === "string" && !/^\d+s$|^\d+m$|^\d+h$/.test(c.maxAge) && !p.errors.some((e) => e.path === at(cp, "maxAge"))) {
      const ms = c.maxAge.endsWith("ms") ? Number(c.maxAge.slice(0, -2)) : NaN;
      if (!Number.isNaN(ms) && ms % 1000 !== 0) p.error(at(cp, "maxAge"), "maxAge must be whole seconds");
    }
  }
}

/** `*.bar` covers `*.foo.bar` and `x.bar`. */
function wildcardCovers(wild: string, host: string): boolean {
  if (wild === "*" ) return false;
  if (!wild.startsWith("*.")) return false;
  return host.endsWith(wild.slice(1)) && host.length > wild.length - 1;
}

export function validateVirtualService(spec: Obj, meta: Obj, p: Problems): void {
  const hosts = list(spec.hosts);
  const gateways = list(spec.gateways);
  const delegate = hosts.length === 0;
  const gatewayBound = gateways.some((g) => g !== "mesh");
  const meshBound = gateways.length === 0 || gateways.includes("mesh");
  if (delegate) {
    if (gateways.length) p.error("spec.gateways", "a delegate VirtualService (no hosts) cannot have gateways");
    if (list(spec.tcp).length || list(spec.tls).length) p.error("spec", "a delegate VirtualService (no hosts) can only have http routes");
  }
  const seen = new Set<string>();
  hosts.forEach((h, i) => {
    if (typeof h !== "string") return;
    const hp = at("spec.hosts", i);
    if (seen.has(h)) p.error(hp, `duplicate host "${h}"`);
    for (const other of seen) {
      if (other !== h && (wildcardCovers(other, h) || wildcardCovers(h, other))) p.error(hp, `host "${h}" overlaps with host "${other}"`);
    }
    seen.add(h);
    if (h === "*" && meshBound) p.error(hp, `wildcard host "*" is not allowed for VirtualServices bound to the mesh`);
    else if (!isIP(h) && !(gatewayBound && isAutoGeneratedSni(h))) {
      const e = wildcardDomainError(h);
      if (e) p.error(hp, e);
    }
  });
  gateways.forEach((g, i) => {
    if (typeof g !== "string") return;
    const gp = at("spec.gateways", i);
    if (g === "mesh") return;
    const parts = g.split("/");
    if (parts.length === 2) {
      if (!isDnsLabel(parts[0]) || !isDnsLabel(parts[1])) p.error(gp, `invalid gateway reference "${g}": use namespace/name`);
    } else if (parts.length === 1) {
      const dots = g.split(".");
      if (dots.length >= 2 && dots.every(isDnsLabel)) p.warn(gp, `gateway reference "${g}" uses the legacy name.namespace form; use namespace/name`);
      else if (!isDnsLabel(g)) p.error(gp, `invalid gateway name "${g}"`);
    } else p.error(gp, `invalid gateway reference "${g}"`);
  });
  if (list(spec.http).length === 0 && list(spec.tcp).length === 0 && list(spec.tls).length === 0) p.error("spec", "http, tcp or tls must be provided in a VirtualService");
  list(spec.http).forEach((r, i) => isObj(r) && checkHttpRoute(r, at("spec.http", i), p, { delegate, gatewayBound }));
  for (const proto of ["tcp", "tls"]) {
    list(spec[proto]).forEach((r, i) => {
      if (!isObj(r)) return;
      const rp = at(`spec.${proto}`, i);
      if (list(r.route).length === 0) p.error(at(rp, "route"), "route is required");
      checkWeights(list(r.route), at(rp, "route"), p);
      list(r.match).forEach((m, j) => {
        if (!isObj(m)) return;
        const mp = at(at(rp, "match"), j);
        if (proto === "tls" && list(m.sniHosts).length === 0) p.error(at(mp, "sniHosts"), "TLS match must have at least one SNI host");
        list(m.sniHosts).forEach((h, k) => {
          if (typeof h === "string" && isIP(h)) {
            p.warn(at(at(mp, "sniHosts"), k), `IP address "${h}" used as an SNI host: clients rarely send IPs as SNI`);
            return;
          }
          const e = typeof h === "string" && !(gatewayBound && isAutoGeneratedSni(h)) ? wildcardDomainError(h) : undefined;
          if (e) p.error(at(at(mp, "sniHosts"), k), e);
          else if (typeof h === "string" && !hosts.some((vh) => vh === "*" || vh === h || (vh.startsWith("*.") && h.endsWith(vh.slice(1))) || (h.startsWith("*.") && vh.endsWith(h.slice(1))))) {
            p.error(at(at(mp, "sniHosts"), k), `SNI host "${h}" is not a compatible subset of any of the VirtualService hosts`);
          }
        });
        list(m.destinationSubnets).forEach((s, k) => !(isIP(String(s)) || isCIDR(String(s))) && p.error(at(at(mp, "destinationSubnets"), k), `"${s}" is not an IP address or CIDR`));
        if (m.port !== undefined) checkPort(m.port, at(mp, "port"), p);
        checkLabels(m.sourceLabels, at(mp, "sourceLabels"), p);
      });
    });
  }
  checkExportTo(spec.exportTo, meta.namespace ?? "", "spec.exportTo", p);
}

/** Istio's auto-generated SNI names, `outbound_.<port>_.<subset>_.<host>` (also `inbound_`), valid on gateway-bound routes. */
export function isAutoGeneratedSni(h: string): boolean {
  const parts = h.split("_.");
  if (parts.length !== 4 || (parts[0] !== "outbound" && parts[0] !== "inbound")) return false;
  const port = Number(parts[1]);
  return /^[0-9]+$/.test(parts[1]) && port >= 1 && port <= 65535 && parts[3] !== "" && wildcardDomainError(parts[3]) === undefined;
}
