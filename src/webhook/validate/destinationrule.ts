// DestinationRule (networking.istio.io): traffic policy, load balancing, outlier detection, client TLS.
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { checkDuration, checkExportTo, checkLabels, checkPort, checkSelector, isDnsLabel, isIP, isObj, list, wildcardDomainError, type Obj } from "./common.js";

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
const POOL: Schema = S.obj({
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

const isPrime = (n: number) => {
  if (n < 2) return false;
  for (let i = 2; i * i <= n; i++) if (n % i === 0) return false;
  return true;
};

function checkTLS(t: Obj, path: string, namespace: string, p: Problems): void {
  if (t.mode === "MUTUAL" && !t.credentialName) {
    if (!t.clientCertificate) p.error(at(path, "clientCertificate"), "client certificate required for mutual TLS (or credentialName)");
    if (!t.privateKey) p.error(at(path, "privateKey"), "private key required for mutual TLS (or credentialName)");
  }
  if (t.credentialName) {
    for (const k of ["clientCertificate", "privateKey", "caCertificates", "caCrl"]) if (t[k]) p.error(at(path, k), `cannot be set together with credentialName`);
    if (String(t.credentialName).startsWith("configmap://")) {
      const rest = String(t.credentialName).slice(12);
      if (rest.includes("/") && rest.split("/")[0] !== namespace) p.error(at(path, "credentialName"), "configmap:// credentials must be in the DestinationRule's namespace");
    }
  }
  if (t.insecureSkipVerify === true && (t.caCertificates || list(t.subjectAltNames).length)) p.error(path, "insecureSkipVerify cannot be used with caCertificates or subjectAltNames");
}

function checkTrafficPolicy(tp: unknown, path: string, namespace: string, p: Problems, portLevel = false): void {
  if (!isObj(tp)) return;
  const keys = Object.keys(tp).filter((k) => !(portLevel && k === "port"));
  if (keys.length === 0) p.error(path, portLevel ? "port traffic policy must set at least one field" : "traffic policy must set at least one field");
  if (tp.tunnel && tp.proxyProtocol) p.error(path, "tunnel and proxyProtocol cannot be used together");
  if (isObj(tp.tunnel)) {
    const tn = tp.tunnel;
    if (tn.protocol !== undefined && !["CONNECT", "POST"].includes(tn.protocol)) p.error(at(at(path, "tunnel"), "protocol"), "tunnel protocol must be CONNECT or POST");
    if (typeof tn.targetHost === "string" && !isIP(tn.targetHost) && wildcardDomainError(tn.targetHost)) p.error(at(at(path, "tunnel"), "targetHost"), "target host must be an FQDN or IP address");
    checkPort(tn.targetPort, at(at(path, "tunnel"), "targetPort"), p);
  }
  const od = tp.outlierDetection;
  if (isObj(od)) {
    const op = at(path, "outlierDetection");
    for (const k of ["interval", "baseEjectionTime"]) checkDuration(od[k], at(op, k), p);
    for (const k of ["maxEjectionPercent", "minHealthPercent"]) if (od[k] !== undefined && (od[k] < 0 || od[k] > 100)) p.error(at(op, k), `${k} must be in the range 0..100`);
    for (const k of ["consecutiveErrors", "consecutiveGatewayErrors", "consecutive5xxErrors", "consecutiveLocalOriginFailures"]) if (typeof od[k] === "number" && od[k] < 0) p.error(at(op, k), `${k} must not be negative`);
    if (od.consecutiveLocalOriginFailures !== undefined && !od.splitExternalLocalOriginErrors) p.error(at(op, "consecutiveLocalOriginFailures"), "requires splitExternalLocalOriginErrors: true");
    if (od.consecutiveErrors !== undefined) p.warn(at(op, "consecutiveErrors"), "consecutiveErrors is deprecated; use consecutive5xxErrors");
  }
  const cp = tp.connectionPool;
  if (isObj(cp)) {
    const pp = at(path, "connectionPool");
    if (!cp.http && !cp.tcp) p.error(pp, "connection pool must set http or tcp settings");
    for (const sect of ["tcp", "http"]) {
      const s = cp[sect];
      if (!isObj(s)) continue;
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === "number" && v < 0) p.error(at(at(pp, sect), k), `${k} must not be negative`);
      }
      for (const k of ["connectTimeout", "maxConnectionDuration"]) checkDuration(s[k], at(at(pp, sect), k), p);
      checkDuration(s.idleTimeout, at(at(pp, sect), "idleTimeout"), p, { allowZero: sect === "tcp" });
      if (isObj(s.tcpKeepalive)) for (const k of ["time", "interval"]) checkDuration(s.tcpKeepalive[k], at(at(at(pp, sect), "tcpKeepalive"), k), p);
    }
    if (isObj(cp.http) && cp.http.h2UpgradePolicy === "UPGRADE" && cp.http.useClientProtocol) p.error(at(pp, "http"), "useClientProtocol cannot be used with h2UpgradePolicy UPGRADE");
  }
  const lb = tp.loadBalancer;
  if (isObj(lb)) {
    const lp = at(path, "loadBalancer");
    const ch = lb.consistentHash;
    if (isObj(ch)) {
      const chp = at(lp, "consistentHash");
      if (isObj(ch.httpCookie)) {
        if (!ch.httpCookie.name) p.error(at(at(chp, "httpCookie"), "name"), "cookie name is required");
        const names = new Set<string>();
        list(ch.httpCookie.attributes).forEach((a, i) => {
          if (!isObj(a) || !a.name) p.error(at(at(at(chp, "httpCookie"), "attributes"), i), "attribute name is required");
          else if (names.has(a.name)) p.error(at(at(at(chp, "httpCookie"), "attributes"), i), `duplicate attribute "${a.name}"`);
          else names.add(a.name);
        });
        checkDuration(ch.httpCookie.ttl, at(at(chp, "httpCookie"), "ttl"), p, { allowZero: true });
      }
      if (ch.minimumRingSize !== undefined) {
        if (ch.ringHash || ch.maglev) p.error(at(chp, "minimumRingSize"), "minimumRingSize cannot be used with ringHash or maglev");
        p.warn(at(chp, "minimumRingSize"), "minimumRingSize is deprecated; use ringHash.minimumRingSize");
      }
      if (isObj(ch.maglev)) {
        const ts = ch.maglev.tableSize;
        if (ts === undefined || ts === 0) p.error(at(at(chp, "maglev"), "tableSize"), "tableSize must be set");
        else if (!isPrime(ts)) p.error(at(at(chp, "maglev"), "tableSize"), `tableSize ${ts} must be a prime number`);
        else if (ts >= 5000011) p.error(at(at(chp, "maglev"), "tableSize"), "tableSize must be less than 5000011");
      }
    }
    const loc = lb.localityLbSetting;
    if (isObj(loc)) {
      const lcp = at(lp, "localityLbSetting");
      if (list(loc.distribute).length && list(loc.failover).length) p.error(lcp, "only one of distribute or failover may be set");
      if (list(loc.failoverPriority).length && list(loc.failover).length) {
        const topo = list(loc.failoverPriority).every((l) => String(l).startsWith("topology.") || String(l).startsWith("failure-domain."));
        if (topo) p.error(lcp, "failoverPriority with only topology labels cannot be used together with failover");
      }
      list(loc.distribute).forEach((d, i) => {
        if (!isObj(d)) return;
        const dp = at(at(lcp, "distribute"), i);
        const from = String(d.from ?? "");
        if (from.includes("*") && !from.endsWith("*")) p.error(at(dp, "from"), "wildcard is only allowed at the end");
        let sum = 0;
        for (const [to, w] of Object.entries(isObj(d.to) ? d.to : {})) {
          if (typeof w !== "number" || w < 1 || w > 100) p.error(at(at(dp, "to"), to), "weight must be in the range 1..100");
          sum += Number(w) || 0;
          if (to.includes("*") && !to.endsWith("*")) p.error(at(at(dp, "to"), to), "wildcard is only allowed at the end");
        }
        if (sum !== 100) p.error(at(dp, "to"), `weights must sum to 100 (got ${sum})`);
      });
      list(loc.failover).forEach((f, i) => {
        if (!isObj(f)) return;
        const fp = at(at(lcp, "failover"), i);
        if (f.from === f.to) p.error(fp, "failover from and to must be different regions");
        for (const k of ["from", "to"]) if (String(f[k] ?? "").includes("/") || String(f[k] ?? "").includes("*")) p.error(at(fp, k), "failover regions cannot contain / or *");
      });
      if (list(loc.failover).length && !tp.outlierDetection) p.warn(lcp, "failover requires outlierDetection to take effect");
    }
    if (isObj(lb.warmup) && typeof lb.warmup.aggression === "number" && lb.warmup.aggression < 1) p.error(at(at(lp, "warmup"), "aggression"), "aggression must be at least 1");
    if (isObj(lb.warmup)) checkDuration(lb.warmup.duration, at(at(lp, "warmup"), "duration"), p);
    checkDuration(lb.warmupDurationSecs, at(lp, "warmupDurationSecs"), p);
  }
  if (isObj(tp.tls)) checkTLS(tp.tls, at(path, "tls"), namespace, p);
  list(tp.portLevelSettings).forEach((pl, i) => {
    const pp = at(at(path, "portLevelSettings"), i);
    if (!isObj(pl)) return;
    if (!isObj(pl.port)) p.error(at(pp, "port"), "port is required");
    else checkPort(pl.port.number, at(at(pp, "port"), "number"), p);
    checkTrafficPolicy(pl, pp, namespace, p, true);
  });
}

export function validateDestinationRule(spec: Obj, meta: Obj, p: Problems): void {
  if (typeof spec.host === "string") {
    const e = isIP(spec.host) ? "host must be a service name, not an IP address (invalid)" : wildcardDomainError(spec.host);
    if (e) p.error("spec.host", e);
  }
  checkTrafficPolicy(spec.trafficPolicy, "spec.trafficPolicy", meta.namespace ?? "", p);
  const names = new Set<string>();
  list(spec.subsets).forEach((s, i) => {
    if (!isObj(s)) return;
    const sp = at("spec.subsets", i);
    if (typeof s.name === "string") {
      if (!isDnsLabel(s.name)) p.error(at(sp, "name"), `subset name "${s.name}" must be a DNS label`);
      if (names.has(s.name)) p.error(at(sp, "name"), `duplicate subset name "${s.name}"`);
      names.add(s.name);
    }
    checkLabels(s.labels, at(sp, "labels"), p);
    checkTrafficPolicy(s.trafficPolicy, at(sp, "trafficPolicy"), meta.namespace ?? "", p);
  });
  checkExportTo(spec.exportTo, meta.namespace ?? "", "spec.exportTo", p);
  if (isObj(spec.workloadSelector)) {
    checkSelector(spec.workloadSelector, "spec.workloadSelector", p);
    if (list(spec.exportTo).some((e) => e !== "." && e !== meta.namespace)) p.error("spec.exportTo", "a DestinationRule with a workloadSelector can only be exported to its own namespace");
  }
  void isDnsLabel;
}
