// ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter, ProxyConfig (networking.istio.io).
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { SERVER_TLS, checkServerTLS } from "./gateway.js";
import {
  checkDuration, checkExportTo, checkLabels, checkPort, checkSelector, isCIDR, isDnsLabel, isFQDN, isIP, isObj, isProtocol, list, regexError, wildcardDomainError, type Obj,
} from "./common.js";

const SE_PORT: Schema = S.obj({ number: S.int(), protocol: S.str(), name: S.str(), targetPort: S.int() }, { req: ["number", "name"] });
const WORKLOAD_ENTRY: Schema = S.obj({ address: S.str(), ports: S.map(S.int()), labels: S.map(), network: S.str(), locality: S.str(), weight: S.int(), serviceAccount: S.str() });
export const SERVICE_ENTRY_SPEC: Schema = S.obj({
  hosts: S.arr(S.str(), { min: 1, max: 256 }), addresses: S.arr(S.str({ max: 64 }), { max: 256 }), ports: S.arr(SE_PORT),
  location: S.en("MESH_EXTERNAL", "MESH_INTERNAL"), resolution: S.en("NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"),
  endpoints: S.arr(WORKLOAD_ENTRY), workloadSelector: S.obj({ labels: S.map() }), exportTo: S.strs(), subjectAltNames: S.strs(),
}, { req: ["hosts"] });
export const WORKLOAD_ENTRY_SPEC: Schema = WORKLOAD_ENTRY;

function checkPortName(name: unknown, path: string, p: Problems): void {
  if (typeof name === "string" && !isDnsLabel(name)) p.error(path, `invalid port name "${name}": must be a DNS label`);
}

export function validateServiceEntry(spec: Obj, meta: Obj, p: Problems): void {
  const res = spec.resolution ?? "NONE";
  const hosts = list(spec.hosts);
  hosts.forEach((h, i) => {
    if (typeof h !== "string") return;
    const hp = at("spec.hosts", i);
    if (h === "*") return p.error(hp, `host "*" is not allowed in a ServiceEntry`);
    const partial = /^[^*]+\*|^\*[^.]/.test(h);
    if (partial && res !== "DYNAMIC_DNS") {
      p.warn(hp, `partial wildcard host "${h}" is not supported and may behave unexpectedly`);
      return;
    }
    const e = wildcardDomainError(h);
    if (e && !isIP(h)) p.error(hp, e);
  });
  list(spec.addresses).forEach((a, i) => {
    if (!(isIP(String(a)) || isCIDR(String(a)))) p.error(at("spec.addresses", i), `"${a}" is not a valid IP address or CIDR`);
    else if (String(a).includes("/") && !["NONE", "STATIC"].includes(res)) p.error(at("spec.addresses", i), `CIDR addresses are only allowed with resolution NONE or STATIC`);
  });
  const numbers = new Set<number>();
  const names = new Set<string>();
  const portNumbers = new Set<number>();
  list(spec.ports).forEach((pt, i) => {
    if (!isObj(pt)) return;
    const pp = at("spec.ports", i);
    checkPort(pt.number, at(pp, "number"), p);
    if (pt.targetPort !== undefined) checkPort(pt.targetPort, at(pp, "targetPort"), p);
    checkPortName(pt.name, at(pp, "name"), p);
    if (pt.protocol !== undefined && !isProtocol(pt.protocol)) p.error(at(pp, "protocol"), `unrecognized protocol "${pt.protocol}"`);
    if (numbers.has(pt.number)) p.error(at(pp, "number"), `port number cannot be duplicated: ${pt.number}`);
    if (names.has(pt.name)) p.error(at(pp, "name"), `port name cannot be duplicated: ${pt.name}`);
    numbers.add(pt.number);
    names.add(pt.name);
    portNumbers.add(pt.number);
  });
  const endpoints = list(spec.endpoints);
  if (spec.workloadSelector && endpoints.length) p.error("spec", "only one of workloadSelector or endpoints may be set");
  if (spec.workloadSelector && res === "NONE") p.warn("spec.workloadSelector", "workloadSelector has no effect with resolution NONE");
  if (isObj(spec.workloadSelector)) checkLabels(spec.workloadSelector.labels, "spec.workloadSelector.labels", p);
  if (res === "NONE" && endpoints.length) p.error("spec.endpoints", "no endpoints may be given with resolution NONE");
  if (res === "DNS_ROUND_ROBIN" && endpoints.length > 1) p.error("spec.endpoints", "DNS_ROUND_ROBIN allows at most one endpoint");
  if ((res === "DNS" || res === "DNS_ROUND_ROBIN") && endpoints.length === 0) {
    hosts.forEach((h, i) => typeof h === "string" && (h.startsWith("*") || !isFQDN(h)) && p.error(at("spec.hosts", i), `host "${h}" must be an FQDN for DNS resolution without endpoints`));
  }
  if (res === "DYNAMIC_DNS") {
    hosts.forEach((h, i) => typeof h === "string" && !h.startsWith("*") && p.error(at("spec.hosts", i), "DYNAMIC_DNS requires wildcard hosts"));
    if (list(spec.addresses).length) p.error("spec.addresses", "DYNAMIC_DNS does not allow addresses");
    if (endpoints.length) p.error("spec.endpoints", "DYNAMIC_DNS does not allow endpoints");
  }
  endpoints.forEach((ep, i) => {
    if (!isObj(ep)) return;
    const epp = at("spec.endpoints", i);
    const addr = String(ep.address ?? "");
    if (!ep.address && !ep.network) p.error(epp, "endpoint must have an address or a network");
    if (addr.startsWith("unix://")) {
      const sock = addr.slice(7);
      if (!(sock.startsWith("/") || sock.startsWith("@"))) p.error(at(epp, "address"), "unix socket path must be absolute or abstract");
      if (isObj(ep.ports) && Object.keys(ep.ports).length) p.error(at(epp, "ports"), "unix socket endpoints cannot have ports");
      if (list(spec.ports).length !== 1) p.error("spec.ports", "a unix socket endpoint requires exactly one service port");
      if (res !== "STATIC") p.error(at(epp, "address"), "unix socket endpoints require resolution STATIC");
    } else if (addr) {
      if (res === "STATIC" && !isIP(addr)) p.error(at(epp, "address"), `endpoint address "${addr}" must be an IP address for STATIC resolution`);
      if ((res === "DNS" || res === "DNS_ROUND_ROBIN") && !isIP(addr) && !isFQDN(addr)) p.error(at(epp, "address"), `endpoint address "${addr}" must be an IP address or FQDN`);
    }
    if (isObj(ep.ports)) {
      for (const [name, num] of Object.entries(ep.ports)) {
        checkPort(num, at(at(epp, "ports"), name), p);
        checkPortName(name, at(at(epp, "ports"), name), p);
        if (res === "STATIC" && !names.has(name)) p.error(at(at(epp, "ports"), name), `endpoint port "${name}" is not a declared service port`);
      }
    }
    checkLabels(ep.labels, at(epp, "labels"), p);
  });
  checkExportTo(spec.exportTo, meta.namespace ?? "", "spec.exportTo", p, { allowTilde: true });
}

export const SIDECAR_SPEC: Schema = S.obj({
  workloadSelector: S.obj({ labels: S.map() }),
  ingress: S.arr(S.obj({
    port: S.obj({ number: S.int(), protocol: S.str(), name: S.str(), targetPort: S.int() }), bind: S.str(),
    captureMode: S.en("DEFAULT", "IPTABLES", "NONE"), defaultEndpoint: S.str(), tls: SERVER_TLS, connectionPool: S.any,
  }, { req: ["port"] })),
  egress: S.arr(S.obj({ port: S.obj({ number: S.int(), protocol: S.str(), name: S.str(), targetPort: S.int() }), bind: S.str(), captureMode: S.en("DEFAULT", "IPTABLES", "NONE"), hosts: S.strs() }, { req: ["hosts"] })),
  inboundConnectionPool: S.any,
  outboundTrafficPolicy: S.obj({ mode: S.en("REGISTRY_ONLY", "ALLOW_ANY"), egressProxy: S.obj({ host: S.str(), subset: S.str(), port: S.obj({ number: S.int() }) }) }),
});

export function validateSidecar(spec: Obj, _meta: Obj, p: Problems): void {
  if (!spec.ingress && !spec.egress && !spec.outboundTrafficPolicy && !spec.inboundConnectionPool) p.error("spec", "sidecar: empty configuration provided");
  if (isObj(spec.workloadSelector)) checkLabels(spec.workloadSelector.labels, "spec.workloadSelector.labels", p);
  const ingressPorts = new Set<number>();
  list(spec.ingress).forEach((ing, i) => {
    if (!isObj(ing)) return;
    const ip = at("spec.ingress", i);
    if (isObj(ing.port)) {
      checkPort(ing.port.number, at(ip, "port.number"), p);
      if (ingressPorts.has(ing.port.number)) p.error(at(ip, "port"), `duplicate ingress port ${ing.port.number}`);
      ingressPorts.add(ing.port.number);
      if (ing.port.protocol !== undefined && !isProtocol(ing.port.protocol)) p.error(at(ip, "port.protocol"), `unrecognized protocol "${ing.port.protocol}"`);
      if (ing.port.name !== undefined && !isDnsLabel(ing.port.name)) p.error(at(ip, "port.name"), "port name must be a DNS label");
      if (ing.port.targetPort !== undefined) p.error(at(ip, "port.targetPort"), "targetPort is not supported");
    }
    if (ing.bind !== undefined && !isIP(ing.bind)) p.error(at(ip, "bind"), "bind must be an IP address");
    const de = ing.defaultEndpoint;
    if (de !== undefined && de !== "") {
      const ok = /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]):\d+$/.test(de) || String(de).startsWith("unix://");
      if (!ok) p.error(at(ip, "defaultEndpoint"), `defaultEndpoint must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>`);
      const m = /:(\d+)$/.exec(de);
      if (ok && m) checkPort(Number(m[1]), at(ip, "defaultEndpoint"), p);
    }
    if (isObj(ing.tls)) {
      const t = ing.tls;
      const tp = at(ip, "tls");
      for (const k of ["httpsRedirect", "credentialName", "credentialNames", "tlsCertificates", "subjectAltNames"]) if (t[k] !== undefined) p.error(at(tp, k), `${k} is not supported for sidecar ingress TLS`);
      if (t.mode === "ISTIO_MUTUAL" || t.mode === "AUTO_PASSTHROUGH") p.error(at(tp, "mode"), `TLS mode ${t.mode} is not supported for sidecar ingress`);
      const proto = String(ing.port?.protocol ?? "").toUpperCase();
      if (!["HTTPS", "TLS", "GRPC", "HTTP2"].includes(proto) || !["HTTPS", "TLS"].includes(proto)) {
        if (!["HTTPS", "TLS"].includes(proto)) p.error(tp, "TLS settings require an HTTPS or TLS port protocol");
      }
      checkServerTLS(t, tp, p);
    }
  });
  const egress = list(spec.egress);
  const ports = new Set<string>();
  egress.forEach((eg, i) => {
    if (!isObj(eg)) return;
    const ep = at("spec.egress", i);
    if (!eg.port) {
      if (i !== egress.length - 1) p.error(ep, "the egress listener without a port must be the last one (at most one is allowed)");
    } else if (isObj(eg.port)) {
      const bind = String(eg.bind ?? "");
      if (eg.port.number === 0) {
        if (!bind.startsWith("unix://")) p.error(at(ep, "port.number"), "port 0 requires a unix:// bind");
        if (eg.captureMode && !["DEFAULT", "NONE"].includes(eg.captureMode)) p.error(at(ep, "captureMode"), "unix sockets require captureMode DEFAULT or NONE");
      } else checkPort(eg.port.number, at(ep, "port.number"), p);
      const key = `${bind}:${eg.port.number}`;
      if (ports.has(key)) p.error(at(ep, "port"), `duplicate egress port ${eg.port.number}`);
      ports.add(key);
      if (eg.port.protocol !== undefined && !isProtocol(eg.port.protocol)) p.error(at(ep, "port.protocol"), `unrecognized protocol "${eg.port.protocol}"`);
      if (bind && !bind.startsWith("unix://") && !isIP(bind)) p.error(at(ep, "bind"), "bind must be an IP address or unix:// socket");
    }
    const hosts = list(eg.hosts);
    if (hosts.length === 0) p.error(at(ep, "hosts"), "egress listener must have at least one host");
    hosts.forEach((h, j) => {
      if (typeof h !== "string") return;
      const hp = at(at(ep, "hosts"), j);
      const parts = h.split("/");
      if (parts.length !== 2) return p.error(hp, `host "${h}" must be of the form namespace/dnsName`);
      const [ns, name] = parts;
      if (ns !== "*" && ns !== "." && ns !== "~" && !isDnsLabel(ns)) p.error(hp, `invalid namespace "${ns}" in "${h}"`);
      if (name !== "*" && !isIP(name) && wildcardDomainError(name)) p.error(hp, wildcardDomainError(name)!);
    });
  });
  const otp = spec.outboundTrafficPolicy;
  if (isObj(otp) && isObj(otp.egressProxy)) {
    if (otp.mode !== "ALLOW_ANY") p.error("spec.outboundTrafficPolicy.egressProxy", "egressProxy requires mode ALLOW_ANY");
    if (!otp.egressProxy.host || wildcardDomainError(String(otp.egressProxy.host))) p.error("spec.outboundTrafficPolicy.egressProxy.host", "egressProxy needs an FQDN host");
    if (!isObj(otp.egressProxy.port)) p.error("spec.outboundTrafficPolicy.egressProxy.port", "egressProxy needs a port");
  }
}

export function validateWorkloadEntry(spec: Obj, _meta: Obj, p: Problems): void {
  const addr = String(spec.address ?? "");
  if (!spec.address && !spec.network) p.error("spec.address", "address is required (or a network)");
  if (addr.startsWith("unix://")) {
    const sock = addr.slice(7);
    if (!(sock.startsWith("/") || sock.startsWith("@")) || sock.endsWith("/")) p.error("spec.address", "unix socket path must be absolute or abstract, without a trailing /");
    if (isObj(spec.ports) && Object.keys(spec.ports).length) p.error("spec.ports", "unix socket addresses cannot have ports");
  } else if (addr && !isIP(addr) && !isFQDN(addr)) p.error("spec.address", `address "${addr}" must be an IP address, FQDN or unix:// socket`);
  if (isObj(spec.ports)) for (const [n, v] of Object.entries(spec.ports)) {
    checkPort(v, at("spec.ports", n), p);
    checkPortName(n, at("spec.ports", n), p);
  }
  checkLabels(spec.labels, "spec.labels", p);
  if (!spec.address && spec.network) p.warn("spec.address", "address is unset: the workload is only reachable through its network's gateway");
}

const PROBE: Schema = S.obj({
  initialDelaySeconds: S.int(0), timeoutSeconds: S.int(0), periodSeconds: S.int(0), successThreshold: S.int(0), failureThreshold: S.int(0),
  httpGet: S.obj({ path: S.str(), port: S.int(), host: S.str(), scheme: S.str(), httpHeaders: S.arr(S.obj({ name: S.str(), value: S.str() })) }, { req: ["port"] }),
  tcpSocket: S.obj({ host: S.str(), port: S.int() }, { req: ["port"] }),
  exec: S.obj({ command: S.strs() }, { req: ["command"] }),
  grpc: S.obj({ port: S.int(), service: S.str() }),
}, { oneOf: [["httpGet", "tcpSocket", "exec", "grpc"]] });
export const WORKLOAD_GROUP_SPEC: Schema = S.obj({ metadata: S.obj({ labels: S.map(), annotations: S.map() }), template: WORKLOAD_ENTRY, probe: PROBE }, { req: ["template"] });

export function validateWorkloadGroup(spec: Obj, _meta: Obj, p: Problems): void {
  if (isObj(spec.metadata)) checkLabels(spec.metadata.labels, "spec.metadata.labels", p);
  if (isObj(spec.template)) {
    if (isObj(spec.template.ports)) for (const [n, v] of Object.entries(spec.template.ports)) checkPort(v, at("spec.template.ports", n), p);
    checkLabels(spec.template.labels, "spec.template.labels", p);
  }
  const pr = spec.probe;
  if (isObj(pr)) {
    if (!pr.httpGet && !pr.tcpSocket && !pr.exec && !pr.grpc) p.error("spec.probe", "probe must name a method: httpGet, tcpSocket, exec or grpc");
    if (isObj(pr.httpGet)) {
      checkPort(pr.httpGet.port, "spec.probe.httpGet.port", p);
      if (pr.httpGet.scheme !== undefined && !["", "HTTP", "HTTPS"].includes(pr.httpGet.scheme)) p.error("spec.probe.httpGet.scheme", "scheme must be HTTP or HTTPS");
      list(pr.httpGet.httpHeaders).forEach((h, i) => isObj(h) && !/^[-_A-Za-z0-9]+$/.test(String(h.name ?? "")) && p.error(at("spec.probe.httpGet.httpHeaders", i), `invalid header name "${h.name}"`));
    }
    if (isObj(pr.tcpSocket)) checkPort(pr.tcpSocket.port, "spec.probe.tcpSocket.port", p);
    if (isObj(pr.exec) && list(pr.exec.command).length === 0) p.error("spec.probe.exec.command", "command must not be empty");
  }
}

const APPLY_TO = ["INVALID", "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER", "ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE", "CLUSTER", "EXTENSION_CONFIG", "BOOTSTRAP", "LISTENER_FILTER"];
export const ENVOY_FILTER_SPEC: Schema = S.obj({
  workloadSelector: S.obj({ labels: S.map() }), targetRefs: S.arr(S.any), priority: S.int(),
  configPatches: S.arr(S.obj({
    applyTo: S.en(...APPLY_TO),
    match: S.obj({ context: S.en("ANY", "SIDECAR_INBOUND", "SIDECAR_OUTBOUND", "GATEWAY", "WAYPOINT"), proxy: S.obj({ proxyVersion: S.str(), metadata: S.map() }), listener: S.any, routeConfiguration: S.any, cluster: S.any, waypoint: S.any }, { oneOf: [["listener", "routeConfiguration", "cluster", "waypoint"]] }),
    patch: S.obj({ operation: S.en("INVALID", "MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE"), value: S.any, filterClass: S.en("UNSPECIFIED", "AUTHN", "AUTHZ", "STATS") }),
  })),
}, { oneOf: [["workloadSelector", "targetRefs"]] });

const LISTENER_APPLY = new Set(["LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER", "LISTENER_FILTER"]);
const ROUTE_APPLY = new Set(["ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE"]);

export function validateEnvoyFilter(spec: Obj, _meta: Obj, p: Problems): void {
  p.warn("spec", "EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.");
  if (isObj(spec.workloadSelector)) checkLabels(spec.workloadSelector.labels, "spec.workloadSelector.labels", p);
  list(spec.configPatches).forEach((cp, i) => {
    const pp = at("spec.configPatches", i);
    if (!isObj(cp)) return p.error(pp, "Envoy filter: null config patch");
    if (!cp.applyTo || cp.applyTo === "INVALID") p.error(at(pp, "applyTo"), "Envoy filter: missing applyTo");
    if (!isObj(cp.patch)) return p.error(at(pp, "patch"), "Envoy filter: missing patch");
    const op = cp.patch.operation;
    if (!op || op === "INVALID") p.error(at(pp, "patch.operation"), "Envoy filter: missing patch operation");
    if (op && op !== "REMOVE" && op !== "INVALID" && (cp.patch.value === undefined || cp.patch.value === null)) p.error(at(pp, "patch.value"), "Envoy filter: missing patch value for non-remove operation");
    const m = isObj(cp.match) ? cp.match : undefined;
    if (m?.context === "WAYPOINT") return;
    if (m?.proxy?.proxyVersion && regexError(m.proxy.proxyVersion, {})) p.error(at(pp, "match.proxy.proxyVersion"), `Envoy filter: invalid regex for proxy version, ${regexError(m.proxy.proxyVersion, {})}`);
    if (m?.waypoint && m.context !== "WAYPOINT") p.error(at(pp, "match.waypoint"), "waypoint match requires context WAYPOINT");
    if (m?.listener && !LISTENER_APPLY.has(cp.applyTo)) p.error(at(pp, "match"), "Envoy filter: applyTo for listener class objects cannot have non listener match");
    if (m?.routeConfiguration && !ROUTE_APPLY.has(cp.applyTo)) p.error(at(pp, "match"), "Envoy filter: applyTo for http route class objects cannot have non route configuration match");
    if (m?.cluster && cp.applyTo !== "CLUSTER") p.error(at(pp, "match"), "Envoy filter: applyTo for cluster class objects cannot have non cluster match");
    if (isObj(m?.listener)) {
      const fc = m!.listener.filterChain;
      if (isObj(fc) && isObj(fc.filter)) {
        if (!fc.filter.name) p.error(at(pp, "match.listener.filterChain.filter.name"), "Envoy filter: filter match has no name to match on");
        if (isObj(fc.filter.subFilter)) {
          if (cp.applyTo !== "HTTP_FILTER") p.error(at(pp, "match.listener.filterChain.filter.subFilter"), "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only");
          if (fc.filter.name !== "envoy.filters.network.http_connection_manager" && fc.filter.name !== "envoy.http_connection_manager") p.error(at(pp, "match.listener.filterChain.filter.subFilter"), "Envoy filter: subfilter match requires filter match with envoy.filters.network.http_connection_manager");
          if (!fc.filter.subFilter.name) p.error(at(pp, "match.listener.filterChain.filter.subFilter.name"), "Envoy filter: subfilter match has no name to match on");
        }
      }
    }
    const v = cp.patch.value;
    if (isObj(v)) {
      const typed = JSON.stringify(v).match(/"@type":"([^"]+)"/g) ?? [];
      for (const t of typed) {
        const url = t.slice(9, -1);
        if (/\.v2\.|envoy\.config\.filter\.|\.v2alpha/.test(url)) p.error(at(pp, "patch.value"), `referenced type unknown (hint: try using the v3 XDS API): ${url}`);
      }
    }
  });
}

export const PROXY_CONFIG_SPEC: Schema = S.obj({
  selector: S.obj({ matchLabels: S.map() }), concurrency: S.int(0), environmentVariables: S.map(S.str({ max: 2048 })), image: S.obj({ imageType: S.str() }),
});
export function validateProxyConfig(spec: Obj, _meta: Obj, p: Problems): void {
  if (isObj(spec.selector)) {
    const ml = spec.selector.matchLabels;
    if (isObj(ml)) for (const k of Object.keys(ml)) if (k === "") p.error("spec.selector.matchLabels", "key must not be empty");
    checkSelector(spec.selector, "spec.selector", p);
  }
  void checkDuration;
}
