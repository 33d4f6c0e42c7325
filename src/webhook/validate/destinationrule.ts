// DestinationRule (networking.istio.io): traffic policy, load balancing, outlier detection, client TLS.
import { S, type Schema } from "../../schema/schema.js";
import { parseGoDuration } from "../../config/duration.js";
import { Problems, at } from "../../schema/problems.js";
import { checkDuration, checkExportTo, checkLabels, checkSelector, isDnsLabel, isIP, isObj, list, wildcardDomainError, type Obj } from "./common.js";
import { fqdnError } from "../../schema/dns.js";

const CLIENT_TLS: Schema = S.obj({
  mode: S.en("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"), clientCertificate: S.str(), privateKey: S.str(), caCertificates: S.str(),
  credentialName: S.str(), subjectAltNames: S.strs(), sni: S.str(), insecureSkipVerify: S.bool, caCrl: S.str(),
});
const LB: Schema = S.obj({
  simple: S.en("UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"),
  consistentHash: S.obj({
    httpHeaderName: S.str(), httpCookie: S.obj({ name: S.str(), path: S.str(), ttl: S.dur, attributes: S.arr(S.obj({ name: S.str(), value: S.str() })) }, { req: ["name"] }),
    useSourceIp: S.bool, httpQueryParameterName: S.str(), ringHash: S.obj({ minimumRingSize: S.int() }), maglev: S.obj({ tableSize: S.int() }), minimumRingSize: S.int(),
  }),
  localityLbSetting: S.obj({
    distribute: S.arr(S.obj({ from: S.str(), to: S.map(S.int()) })), failover: S.arr(S.obj({ from: S.str(), to: S.str() })),
    failoverPriority: S.strs(), enabled: S.bool,
  }),
  warmupDurationSecs: S.dur,
  warmup: S.obj({ duration: S.dur, minimumPercent: S.num(0, 100), aggression: S.num(0) }, { req: ["duration"] }),
}, { oneOf: [["simple", "consistentHash"]] });
export const POOL: Schema = S.obj({
  tcp: S.obj({ maxConnections: S.int(), connectTimeout: S.dur, tcpKeepalive: S.obj({ probes: S.int(), time: S.dur, interval: S.dur }), maxConnectionDuration: S.dur, idleTimeout: S.dur }),
  http: S.obj({
    http1MaxPendingRequests: S.int(), http2MaxRequests: S.int(), maxRequestsPerConnection: S.int(), maxRetries: S.int(), idleTimeout: S.dur,
    h2UpgradePolicy: S.en("DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"), useClientProtocol: S.bool, maxConcurrentStreams: S.int(),
  }),
});
const OUTLIER: Schema = S.obj({
  splitExternalLocalOriginErrors: S.bool, consecutiveLocalOriginFailures: S.int(), consecutiveGatewayErrors: S.int(), consecutive5xxErrors: S.int(),
  interval: S.dur, baseEjectionTime: S.dur, maxEjectionPercent: S.int(), minHealthPercent: S.int(), consecutiveErrors: S.int(),
});
const PORT_POLICY: Schema = S.obj({ port: S.obj({ number: S.int() }), loadBalancer: LB, connectionPool: POOL, outlierDetection: OUTLIER, tls: CLIENT_TLS });
const TRAFFIC_POLICY: Schema = S.obj({
  loadBalancer: LB, connectionPool: POOL, outlierDetection: OUTLIER, tls: CLIENT_TLS, portLevelSettings: S.arr(PORT_POLICY),
  tunnel: S.obj({ protocol: S.str(), targetHost: S.str(), targetPort: S.int() }, { req: ["targetHost", "targetPort"] }),
  proxyProtocol: S.obj({ version: S.en("V1", "V2") }),
  retryBudget: S.obj({ percent: S.num(0, 100), minRetryConcurrency: S.int() }),
});
export const DESTINATION_RULE_SPEC: Schema = S.obj({
  host: S.str(), trafficPolicy: TRAFFIC_POLICY,
  subsets: S.arr(S.obj({ name: S.str(), labels: S.map(), trafficPolicy: TRAFFIC_POLICY }, { req: ["name"] })),
  exportTo: S.strs(), workloadSelector: S.obj({ matchLabels: S.map() }),
}, { req: ["host"] });

/** Envoy's (and Istio's) isPrime: 1, 2 and 3 count as prime. */
const isPrime = (n: number) => {
  if (n !== 0 && n < 4) return true;
  if (n % 2 === 0) return false;
  for (let i = 3; i * i <= n; i += 2) if (n % i === 0) return false;
  return true;
};


/** Istio 1.30.3 agent.ValidateTLS (client TLS settings), with its messages. */
function checkTLS(t: Obj, path: string, namespace: string, p: Problems): void {
  const cred = typeof t.credentialName === "string" ? t.credentialName : "";
  if (cred.startsWith("configmap://")) {
    const rest = cred.slice("configmap://".length);
    const parts = rest.split("/");
    if (rest === "" || parts.length > 2 || parts.some((x) => x === "")) p.error(at(path, "credentialName"), `invalid configmap:// credentialName: invalid resource name "${cred}". Expected configmap://[namespace/]name`);
    else if ((parts.length === 2 ? parts[0] : namespace) !== namespace || namespace === "") p.error(at(path, "credentialName"), `invalid configmap:// credentialName: namespace must match the configuration namespace "${namespace}"`);
  }
  const sans = Array.isArray(t.subjectAltNames) && t.subjectAltNames.length > 0;
  if (t.insecureSkipVerify === true) {
    if (t.mode === "SIMPLE" && (t.caCertificates || cred || sans)) p.error(at(path, "insecureSkipVerify"), "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true");
    if (t.mode === "MUTUAL" && (t.caCertificates || sans)) p.error(at(path, "insecureSkipVerify"), "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
  }
  if ((t.mode === "SIMPLE" || t.mode === "MUTUAL") && cred) {
    if (t.clientCertificate || t.caCertificates || t.privateKey || t.caCrl) p.error(path, "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
    return;
  }
  if (t.mode === "MUTUAL") {
    if (!t.clientCertificate) p.error(at(path, "clientCertificate"), "client certificate required for mutual tls");
    if (!t.privateKey) p.error(at(path, "privateKey"), "private key required for mutual tls");
  }
}

/** validateOutlierDetection. */
function checkOutlier(od: Obj, op: string, p: Problems): void {
  checkDuration(od.baseEjectionTime, at(op, "baseEjectionTime"), p);
  if (typeof od.consecutiveErrors === "number" && od.consecutiveErrors !== 0) p.warn(at(op, "consecutiveErrors"), "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead");
  if (!od.splitExternalLocalOriginErrors && typeof od.consecutiveLocalOriginFailures === "number" && od.consecutiveLocalOriginFailures > 0) {
    p.error(at(op, "consecutiveLocalOriginFailures"), "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false");
  }
  checkDuration(od.interval, at(op, "interval"), p);
  for (const k of ["maxEjectionPercent", "minHealthPercent"]) if (typeof od[k] === "number" && (od[k] < 0 || od[k] > 100)) p.error(at(op, k), `percentage ${od[k]} is not in range 0..100`);
}

/** validateConnectionPool. */
export function checkConnectionPool(cp: Obj, pp: string, p: Problems): void {
  if (!isObj(cp.http) && !isObj(cp.tcp)) return p.error(pp, "connection pool must have at least one field");
  const neg = (o: Obj, k: string, msg: string, sect: string) => typeof o[k] === "number" && o[k] < 0 && p.error(at(at(pp, sect), k), msg);
  if (isObj(cp.http)) {
    const h = cp.http;
    neg(h, "http1MaxPendingRequests", "http1 max pending requests must be non-negative", "http");
    neg(h, "http2MaxRequests", "http2 max requests must be non-negative", "http");
    neg(h, "maxRequestsPerConnection", "max requests per connection must be non-negative", "http");
    neg(h, "maxRetries", "max retries must be non-negative", "http");
    checkDuration(h.idleTimeout, at(at(pp, "http"), "idleTimeout"), p);
    if (h.h2UpgradePolicy === "UPGRADE" && h.useClientProtocol === true) p.error(at(pp, "http"), "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
    neg(h, "maxConcurrentStreams", "max concurrent streams must be non-negative", "http");
  }
  if (isObj(cp.tcp)) {
    const t = cp.tcp;
    const tp = at(pp, "tcp");
    neg(t, "maxConnections", "max connections must be non-negative", "tcp");
    checkDuration(t.connectTimeout, at(tp, "connectTimeout"), p);
    checkDuration(t.maxConnectionDuration, at(tp, "maxConnectionDuration"), p);
    // Istio skips the check when the timeout truncates to 0 ms (0s disables it); there is no CEL rule on this field.
    const idle = typeof t.idleTimeout === "string" ? parseGoDuration(t.idleTimeout) : undefined;
    if (idle === undefined || Math.trunc(idle) !== 0) checkDuration(t.idleTimeout, at(tp, "idleTimeout"), p);
    if (isObj(t.tcpKeepalive)) for (const k of ["time", "interval"]) checkDuration(t.tcpKeepalive[k], at(at(tp, "tcpKeepalive"), k), p);
  }
}

/** validateLocalities: wildcards only trailing and single, no empty parts, no overlaps. */
function localitiesError(locs: string[]): string | undefined {
  const m = new Map<string, Map<string, Map<string, boolean>>>();
  for (const loc of locs) {
    const n = loc.split("*").length - 1;
    if (n > 0 && (n > 1 || !loc.endsWith("*"))) return `locality ${loc} wildcard '*' number can not exceed 1 and must be in the end`;
    if (m.has("*")) return `locality ${loc} overlap with previous specified ones`;
    const items = loc.split("/");
    const parts = items.length > 3 ? [items[0], items[1], items.slice(2).join("/")] : items;
    if (parts.some((x) => x === "")) return `locality ${loc} must not contain empty region/zone/subzone info`;
    const [region, zone, sub] = parts;
    const idx = parts.length - 1;
    const r = m.get(region);
    if (idx === 0) {
      if (r) return `locality ${loc} overlap with previous specified ones`;
      m.set(region, new Map([["*", new Map([["*", true]])]]));
    } else if (idx === 1) {
      if (r) {
        if (r.has("*") || r.has(zone)) return `locality ${loc} overlap with previous specified ones`;
        r.set(zone, new Map([["*", true]]));
      } else m.set(region, new Map([[zone, new Map([["*", true]])]]));
    } else {
      if (r) {
        if (r.has("*")) return `locality ${loc} overlap with previous specified ones`;
        const z = r.get(zone);
        if (z) {
          if (z.get("*") || z.get(sub)) return `locality ${loc} overlap with previous specified ones`;
          z.set(sub, true);
        } else r.set(zone, new Map([[sub, true]]));
      } else m.set(region, new Map([[zone, new Map([[sub, true]])]]));
    }
  }
  return undefined;
}

const TOPOLOGY_LABELS = new Set(["topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"]);

/** agent.ValidateLocalityLbSetting (returns after its first error, as Istio does). */
function checkLocality(loc: Obj, lcp: string, outlier: unknown, p: Problems): void {
  const distribute = list(loc.distribute);
  const failover = list(loc.failover);
  const prio = list(loc.failoverPriority);
  if (distribute.length && failover.length) return p.error(lcp, "can not simultaneously specify 'distribute' and 'failover'");
  if (failover.length && prio.length) {
    const topo = prio.find((l) => TOPOLOGY_LABELS.has(String(l)));
    if (topo !== undefined) return p.error(lcp, `can not simultaneously set 'failover' and topology label '${topo}' in 'failover_priority'`);
  }
  const src: string[] = [];
  for (const [i, d] of distribute.entries()) {
    if (!isObj(d)) continue;
    const dp = at(at(lcp, "distribute"), i);
    src.push(String(d.from ?? ""));
    let total = 0;
    const dest: string[] = [];
    for (const [to, w] of Object.entries(isObj(d.to) ? d.to : {})) {
      dest.push(to);
      if (typeof w !== "number" || w <= 0 || w > 100) return p.error(at(dp, "to"), "locality weight must be in range [1, 100]");
      total += w;
    }
    if (total !== 100) return p.error(at(dp, "to"), `total locality weight ${total} != 100`);
    const e = localitiesError(dest);
    if (e) p.error(at(dp, "to"), e);
  }
  const e = localitiesError(src);
  if (e) p.error(at(lcp, "distribute"), e);
  if ((failover.length || prio.length) && !isObj(outlier)) p.warn(lcp, "outlier detection policy must be provided for failover");
  failover.forEach((f, i) => {
    if (!isObj(f)) return;
    const fp = at(at(lcp, "failover"), i);
    const from = String(f.from ?? "");
    const to = String(f.to ?? "");
    if (from === to) p.error(fp, "locality lb failover settings must specify different regions");
    if (from.includes("/") || to.includes("/")) p.error(fp, "locality lb failover only specify region");
    if (from.includes("*") || to.includes("*")) p.error(fp, "locality lb failover region should not contain '*' wildcard");
  });
}

/** validateLoadBalancer. */
function checkLoadBalancer(lb: Obj, lp: string, outlier: unknown, p: Problems): void {
  const ch = lb.consistentHash;
  if (isObj(ch)) {
    const chp = at(lp, "consistentHash");
    if (isObj(ch.httpCookie)) {
      const cp = at(chp, "httpCookie");
      if (!ch.httpCookie.name) p.error(at(cp, "name"), "name required for HttpCookie");
      const names = new Set<string>();
      list(ch.httpCookie.attributes).forEach((a, i) => {
        const name = isObj(a) ? String(a.name ?? "") : "";
        if (name === "") p.error(at(at(cp, "attributes"), i), "cookie attribute name cannot be empty");
        else if (names.has(name)) p.error(at(at(cp, "attributes"), i), `duplicate cookie attribute name: ${name}`);
        else names.add(name);
      });
    }
    if (typeof ch.minimumRingSize === "number" && ch.minimumRingSize !== 0) {
      p.warn(at(chp, "minimumRingSize"), "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead");
      if (isObj(ch.ringHash) || isObj(ch.maglev)) p.error(at(chp, "minimumRingSize"), "only one of MinimumRingSize or Maglev/Ringhash can be specified");
    }
    if (isObj(ch.maglev)) {
      const ts = Number(ch.maglev.tableSize ?? 0);
      const tp = at(at(chp, "maglev"), "tableSize");
      if (ts === 0) p.error(tp, "tableSize must be set for maglev");
      if (ts >= 5000011) p.error(tp, "tableSize must be less than 5000011 for maglev");
      if (!isPrime(ts)) p.error(tp, "tableSize must be a prime number for maglev");
    }
  }
  if (isObj(lb.localityLbSetting)) checkLocality(lb.localityLbSetting, at(lp, "localityLbSetting"), outlier, p);
  if (isObj(lb.warmup)) {
    const w = lb.warmup;
    const wp = at(lp, "warmup");
    if (w.duration === undefined || w.duration === null) p.error(at(wp, "duration"), "duration is required");
    else checkDuration(w.duration, at(wp, "duration"), p);
    if (typeof w.minimumPercent === "number" && w.minimumPercent > 100) p.error(at(wp, "minimumPercent"), "minimumPercent value should be less than or equal to 100");
    if (typeof w.aggression === "number" && w.aggression < 1) p.error(at(wp, "aggression"), "aggression should be greater than or equal to 1");
  }
  // Only the CRD's CEL rule (>= 1ms) applies here: Istio's webhook does not validate warmupDurationSecs.
  if (typeof lb.warmupDurationSecs === "string") {
    const ms = parseGoDuration(lb.warmupDurationSecs);
    if (ms === undefined) checkDuration(lb.warmupDurationSecs, at(lp, "warmupDurationSecs"), p);
    else if (ms < 1) p.error(at(lp, "warmupDurationSecs"), `must be a valid duration greater than 1ms (got "${lb.warmupDurationSecs}")`);
  }
}

const POLICY_KEYS = ["outlierDetection", "connectionPool", "loadBalancer", "tls", "portLevelSettings", "tunnel", "proxyProtocol", "retryBudget"];
const PORT_POLICY_KEYS = ["outlierDetection", "connectionPool", "loadBalancer", "tls"];
const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** Istio 1.30.3 validateTrafficPolicy, with its messages. */
function checkTrafficPolicy(tp: unknown, path: string, namespace: string, p: Problems): void {
  if (!isObj(tp)) return;
  if (!POLICY_KEYS.some((k) => present(tp[k]))) return p.error(path, "traffic policy must have at least one field");
  if (present(tp.tunnel) && present(tp.proxyProtocol)) return p.error(path, "tunnel and proxyProtocol must not be set together");
  checkPolicyParts(tp, path, namespace, p);
  list(tp.portLevelSettings).forEach((pl, i) => {
    const pp = at(at(path, "portLevelSettings"), i);
    if (!isObj(pl)) return p.error(pp, "traffic policy may not be null");
    if (!isObj(pl.port)) p.error(at(pp, "port"), "portTrafficPolicy must have valid port");
    if (!PORT_POLICY_KEYS.some((k) => present(pl[k]))) p.error(pp, "port traffic policy must have at least one field");
    else checkPolicyParts(pl, pp, namespace, p);
  });
  if (isObj(tp.tunnel)) {
    const tn = tp.tunnel;
    const tnp = at(path, "tunnel");
    if (tn.protocol !== undefined && tn.protocol !== "" && tn.protocol !== "CONNECT" && tn.protocol !== "POST") p.error(at(tnp, "protocol"), `tunnel protocol must be "CONNECT" or "POST"`);
    const host = String(tn.targetHost ?? "");
    const fe = fqdnError(host);
    if (fe && !isIP(host)) p.error(at(tnp, "targetHost"), `tunnel target host must be valid FQDN or IP address: ${fe}; ${host} is not a valid IP`);
    const port = tn.targetPort ?? 0;
    if (!Number.isInteger(port) || port < 1 || port > 65535) p.error(at(tnp, "targetPort"), `tunnel target port is invalid: port number ${port} must be in the range 1..65535`);
  }
}

function checkPolicyParts(tp: Obj, path: string, namespace: string, p: Problems): void {
  if (isObj(tp.outlierDetection)) checkOutlier(tp.outlierDetection, at(path, "outlierDetection"), p);
  if (isObj(tp.connectionPool)) checkConnectionPool(tp.connectionPool, at(path, "connectionPool"), p);
  if (isObj(tp.loadBalancer)) checkLoadBalancer(tp.loadBalancer, at(path, "loadBalancer"), tp.outlierDetection, p);
  if (isObj(tp.tls)) checkTLS(tp.tls, at(path, "tls"), namespace, p);
}

/** Istio 1.30.3 ValidateDestinationRule, with its messages. */
export function validateDestinationRule(spec: Obj, meta: Obj, p: Problems): void {
  const e = wildcardDomainError(typeof spec.host === "string" ? spec.host : "");
  if (e) p.error("spec.host", e);
  const ns = meta.namespace ?? "";
  checkTrafficPolicy(spec.trafficPolicy, "spec.trafficPolicy", ns, p);
  const names = new Set<string>();
  list(spec.subsets).forEach((s, i) => {
    const sp = at("spec.subsets", i);
    if (!isObj(s)) return p.error(sp, "subset may not be null");
    const name = typeof s.name === "string" ? s.name : "";
    if (names.has(name)) p.error(at(sp, "name"), `duplicate subset names: ${name}`);
    names.add(name);
    if (name === "") p.error(at(sp, "name"), "subset name cannot be empty");
    else if (!isDnsLabel(name)) p.error(at(sp, "name"), `subset name is invalid: ${name}`);
    checkLabels(s.labels, at(sp, "labels"), p);
    checkTrafficPolicy(s.trafficPolicy, at(sp, "trafficPolicy"), ns, p);
  });
  checkExportTo(spec.exportTo, ns, "spec.exportTo", p, { drWithSelector: isObj(spec.workloadSelector) });
  checkSelector(spec.workloadSelector, "spec.workloadSelector", p);
}
