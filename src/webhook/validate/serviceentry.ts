// ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter, ProxyConfig (networking.istio.io).
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { SERVER_TLS, checkServerTLS } from "./gateway.js";
import { POOL, checkConnectionPool } from "./destinationrule.js";
import {
  checkExportTo, checkLabels, checkPort, checkSelector, isCIDR, isDnsLabel, isIP, isObj, isProtocol, list, regexError, wildcardDomainError, type Obj,
} from "./common.js";
import { fqdnError } from "../../schema/dns.js";

const SE_PORT: Schema = S.obj({ number: S.int(), protocol: S.str({ max: 256 }), name: S.str({ max: 256 }), targetPort: S.int() }, { req: ["number", "name"] });
const WORKLOAD_ENTRY: Schema = S.obj({ address: S.str({ max: 256 }), ports: S.map(S.int()), labels: S.map(), network: S.str({ max: 2048 }), locality: S.str({ max: 2048 }), weight: S.int(), serviceAccount: S.str({ max: 253 }) });
export const SERVICE_ENTRY_SPEC: Schema = S.obj({
  hosts: S.arr(S.str(), { min: 1, max: 256 }), addresses: S.arr(S.str({ max: 64 }), { max: 256 }), ports: S.arr(SE_PORT),
  location: S.en("MESH_EXTERNAL", "MESH_INTERNAL"), resolution: S.en("NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"),
  endpoints: S.arr(WORKLOAD_ENTRY), workloadSelector: S.obj({ labels: S.map() }), exportTo: S.strs(), subjectAltNames: S.strs(),
}, { req: ["hosts"] });
export const WORKLOAD_ENTRY_SPEC: Schema = WORKLOAD_ENTRY;

function checkPortName(name: unknown, path: string, p: Problems): void {
  if (typeof name !== "string" || !isDnsLabel(name)) p.error(path, `invalid port name: ${name ?? ""} (port name must be valid)`);
}

const protoOf = (s: unknown): string => String(s ?? "").toUpperCase();
const isHTTPProto = (s: unknown) => ["HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB"].includes(protoOf(s));
const isTLSProto = (s: unknown) => ["HTTPS", "TLS"].includes(protoOf(s));
/** protocol.Parse(x).IsTCP(): TCP, HTTPS, TLS, Mongo, Redis, MySQL. */
const isTCPProto = (s: unknown) => ["TCP", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL"].includes(protoOf(s));


/** agent.ValidateIPSubnet. */
function ipSubnetError(s: string): string | undefined {
  if (s.split("/").length - 1 === 1) return isCIDR(s) ? undefined : `invalid CIDR address: ${s}`;
  return isIP(s) ? undefined : `${s} is not a valid IP`;
}

/** ValidateUnixAddress. */
function unixAddressError(addr: string): string | undefined {
  if (addr === "") return "unix address must not be empty";
  if (addr.startsWith("@")) return undefined;
  if (!addr.startsWith("/")) return `${addr} is not an absolute path to a file (UDS must be an absolute path or abstract socket)`;
  if (addr.endsWith("/")) return `${addr} is not an absolute path to a file (UDS may not be a dir)`;
  return undefined;
}

/** Istio's validateWorkloadEntry (WorkloadEntry, and ServiceEntry endpoints with STATIC resolution). */
function checkWorkloadEntry(we: Obj, path: string, p: Problems, servicePorts: Set<string> | undefined, allowFQDN: boolean): void {
  const addr = typeof we.address === "string" ? we.address : "";
  if (addr === "") {
    if (!we.network) return p.error(at(path, "address"), "address is required (Address is required)");
    p.warn(at(path, "address"), `address is unset with network "${we.network}"`);
  }
  const ports = isObj(we.ports) ? we.ports : {};
  let unix = false;
  if (addr.startsWith("unix://")) {
    unix = true;
    const e = unixAddressError(addr.slice(7));
    if (e) p.error(at(path, "address"), e);
    if (Object.keys(ports).length) p.error(at(path, "ports"), `unix endpoint ${addr} must not include ports (UDS may not include ports)`);
  } else if (addr !== "" && !isIP(addr)) {
    if (!allowFQDN) p.error(at(path, "address"), `endpoint address "${addr}" is not a valid IP address`);
    else if (fqdnError(addr)) p.error(at(path, "address"), `endpoint address "${addr}" is not a valid FQDN or an IP address`);
  }
  for (const [name, num] of Object.entries(ports)) {
    const pp = at(at(path, "ports"), name);
    if (servicePorts && !servicePorts.has(name)) p.error(pp, `endpoint port ${num} is not defined by the service entry`);
    checkPortName(name, pp, p);
    checkPort(num, pp, p);
  }
  checkLabels(we.labels, at(path, "labels"), p);
  if (unix && servicePorts && servicePorts.size !== 1) p.error(path, "exactly 1 service port required for unix endpoints");
}

/** ValidateAlphaWorkloadSelector (networking.WorkloadSelector, `labels`): errors, or a warning when empty. */
function alphaSelector(sel: unknown, path: string, p: Problems): "error" | "warn" | undefined {
  if (!isObj(sel)) return undefined;
  const l = isObj(sel.labels) ? sel.labels : {};
  let bad = false;
  for (const [k, v] of Object.entries(l)) {
    if (k === "") { p.error(at(path, "labels"), `empty key is not supported in selector: "${k}=${v}"`); bad = true; }
    if (k.includes("*") || String(v ?? "").includes("*")) { p.error(at(path, "labels"), `wildcard is not supported in selector: "${k}=${v}"`); bad = true; }
    // The CRD's maxLength 63 on selector values (API server).
    if (String(v ?? "").length > 63) { p.error(at(at(path, "labels"), k), "Too long: may not be longer than 63 (the CRD's maxLength for selector values)"); bad = true; }
  }
  if (bad) return "error";
  return Object.keys(l).length === 0 ? "warn" : undefined;
}

/** Istio 1.30.3 ValidateServiceEntry, with its messages. */
export function validateServiceEntry(spec: Obj, meta: Obj, p: Problems): void {
  const sel = alphaSelector(spec.workloadSelector, "spec.workloadSelector", p);
  if (sel === "error") return;
  if (sel === "warn") p.warn("spec.workloadSelector", "service entry: workload selector specified without labels, will be applied to all services in namespace");
  const res = spec.resolution ?? "NONE";
  const hosts = list(spec.hosts).map((h) => String(h ?? ""));
  const addresses = list(spec.addresses).map((a) => String(a ?? ""));
  const endpoints = list(spec.endpoints);
  const ports = list(spec.ports);
  if (spec.workloadSelector !== undefined && spec.workloadSelector !== null && spec.endpoints !== undefined && spec.endpoints !== null && endpoints.length) {
    p.error("spec", "only one of WorkloadSelector or Endpoints is allowed in Service Entry (only one of WorkloadSelector or Endpoints can be set)");
  }
  if (hosts.length === 0) p.error("spec.hosts", "service entry must have at least one host");
  hosts.forEach((h, i) => {
    const hp = at("spec.hosts", i);
    if (h === "*") return p.error(hp, `invalid host ${h} (hostname cannot be wildcard)`);
    const e = wildcardDomainError(h);
    if (e) p.error(hp, e);
    if (res !== "DYNAMIC_DNS" && h.includes("*") && h.length !== 1 && !h.startsWith("*.")) p.warn(hp, `partial wildcard "${h}" not allowed`);
  });
  let cidr = false;
  addresses.forEach((a, i) => {
    cidr = cidr || a.includes("/");
    const e = ipSubnetError(a);
    if (e) p.error(at("spec.addresses", i), e);
  });
  if (cidr && res !== "NONE" && res !== "STATIC") p.error("spec.addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
  const labels = isObj(meta.labels) ? meta.labels : {};
  const autoAllocate = res !== "NONE" && String(labels["networking.istio.io/enable-autoallocate-ip"] ?? "").toLowerCase() !== "false" && addresses.length === 0;
  const names = new Set<string>();
  const numbers = new Set<number>();
  ports.forEach((pt, i) => {
    const pp = at("spec.ports", i);
    if (!isObj(pt)) return p.error(pp, "service entry port may not be null");
    const name = String(pt.name ?? "");
    if (names.has(name)) p.error(at(pp, "name"), `service entry port name "${name}" already defined`);
    names.add(name);
    if (numbers.has(pt.number)) p.error(at(pp, "number"), `service entry port ${pt.number} already defined (port number cannot be duplicated)`);
    numbers.add(pt.number);
    if (pt.targetPort !== undefined && pt.targetPort !== 0) checkPort(pt.targetPort, at(pp, "targetPort"), p);
    if (addresses.length === 0 && !autoAllocate && (!pt.protocol || pt.protocol === "TCP")) {
      p.warn(pp, "addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled");
    }
    checkPortName(pt.name, at(pp, "name"), p);
    if (pt.protocol && !isProtocol(pt.protocol)) p.error(at(pp, "protocol"), `unsupported protocol: ${pt.protocol}`);
    checkPort(pt.number ?? 0, at(pp, "number"), p);
  });
  switch (res) {
    case "NONE":
      if (endpoints.length) p.error("spec.endpoints", "no endpoints should be provided for resolution type none (NONE mode cannot set endpoints)");
      if (spec.workloadSelector) p.warn("spec.workloadSelector", "workloadSelector should not be set when resolution mode is NONE");
      break;
    case "STATIC":
      endpoints.forEach((ep, i) => (isObj(ep) ? checkWorkloadEntry(ep, at("spec.endpoints", i), p, names, false) : p.error(at("spec.endpoints", i), "endpoint cannot be nil")));
      break;
    case "DNS":
    case "DNS_ROUND_ROBIN":
      if (endpoints.length === 0) {
        for (const [i, h] of hosts.entries()) {
          const e = fqdnError(h);
          if (e) {
            p.error(at("spec.hosts", i), `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${res}, ${e}`);
            break;
          }
        }
      }
      if (res === "DNS_ROUND_ROBIN" && endpoints.length > 1) p.error("spec.endpoints", `there must only be 0 or 1 endpoint for resolution mode ${res} (DNS_ROUND_ROBIN mode cannot have multiple endpoints)`);
      endpoints.forEach((ep, i) => {
        const epp = at("spec.endpoints", i);
        if (!isObj(ep)) return p.error(epp, "endpoint cannot be nil");
        const addr = String(ep.address ?? "");
        if (!isIP(addr) && fqdnError(addr)) p.error(at(epp, "address"), `endpoint address "${addr}" is not a valid FQDN or an IP address`);
        checkLabels(ep.labels, at(epp, "labels"), p);
        for (const [name, num] of Object.entries(isObj(ep.ports) ? ep.ports : {})) {
          const pp = at(at(epp, "ports"), name);
          if (!names.has(name)) p.error(pp, `endpoint port ${num} is not defined by the service entry`);
          checkPortName(name, pp, p);
          checkPort(num, pp, p);
        }
      });
      if (addresses.length && hosts.length > 1 && ports.some((pt) => isObj(pt) && isTCPProto(pt.protocol))) {
        p.warn("spec.hosts", "service entry can not have more than one host specified simultaneously with address and tcp port");
      }
      break;
    case "DYNAMIC_DNS":
      if (hosts.length === 0) p.error("spec.hosts", `at least one wildcard host must be provided for resolution type ${res}`);
      hosts.forEach((h, i) => !h.startsWith("*") && p.error(at("spec.hosts", i), `host must be wildcarded for resolution mode ${res}`));
      if (addresses.length) p.error("spec.addresses", `addresses cannot be set for resolution type ${res}. HTTP route domains will only be generatedfrom the hosts field values`);
      if (endpoints.length) p.error("spec.endpoints", `endpoints cannot be set for resolution type ${res}. Destination IP address determined from hostsfield values`);
      ports.forEach((pt, i) => {
        if (!isObj(pt)) return;
        if (!["HTTP", "TLS", "GRPC", "HTTP2"].includes(protoOf(pt.protocol))) p.error(at(at("spec.ports", i), "protocol"), `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type ${res}`);
      });
      const loc = spec.location ?? "MESH_EXTERNAL";
      if (loc !== "MESH_EXTERNAL" && loc !== "MESH_INTERNAL") p.error("spec.location", `location must be MESH_EXTERNAL or MESH_INTERNAL for resolution type ${res}`);
      if (spec.location === "MESH_INTERNAL") {
        const w = labels["istio.io/use-waypoint"];
        if (typeof w === "string" && w !== "" && w.toLowerCase() !== "none") p.error("spec.location", `location MESH_INTERNAL with resolution type ${res} is not supported when using waypoints`);
      }
      break;
  }
  if (res !== "NONE" && hosts.length > 1) {
    if (ports.some((pt) => isObj(pt) && !isHTTPProto(pt.protocol) && !isTLSProto(pt.protocol))) p.error("spec.ports", "multiple hosts provided with non-HTTP, non-TLS ports");
  }
  checkExportTo(spec.exportTo, meta.namespace ?? "", "spec.exportTo", p, { allowTilde: true });
}

export const SIDECAR_SPEC: Schema = S.obj({
  workloadSelector: S.obj({ labels: S.map() }),
  ingress: S.arr(S.obj({
    port: S.obj({ number: S.int(), protocol: S.str(), name: S.str(), targetPort: S.int() }), bind: S.str(),
    captureMode: S.en("DEFAULT", "IPTABLES", "NONE"), defaultEndpoint: S.str(), tls: SERVER_TLS, connectionPool: POOL,
  }, { req: ["port"] })),
  egress: S.arr(S.obj({ port: S.obj({ number: S.int(), protocol: S.str(), name: S.str(), targetPort: S.int() }), bind: S.str(), captureMode: S.en("DEFAULT", "IPTABLES", "NONE"), hosts: S.strs() }, { req: ["hosts"] })),
  inboundConnectionPool: POOL,
  outboundTrafficPolicy: S.obj({ mode: S.en("REGISTRY_ONLY", "ALLOW_ANY"), egressProxy: S.obj({ host: S.str(), subset: S.str(), port: S.obj({ number: S.int() }) }) }),
});

/** ValidateNamespaceSlashWildcardHostname(host, isGateway=false): `ns/host`, ns `*`, `.`, `~` or a DNS label. */
function sidecarHostError(h: string): string | undefined {
  const slash = h.indexOf("/");
  if (slash < 0) return "host must be of form namespace/dnsName";
  const ns = h.slice(0, slash);
  const host = h.slice(slash + 1);
  const errs: string[] = [];
  if (ns === "" || host === "") errs.push("config namespace and dnsName in host entry cannot be empty");
  if (ns !== "*" && ns !== "." && ns !== "~" && !isDnsLabel(ns)) errs.push(`invalid namespace value "${ns}" in sidecar`);
  if (host !== "*" && !host.includes(".")) errs.push("short names (non FQDN) are not allowed");
  const e = wildcardDomainError(host);
  if (e) errs.push(e);
  if (host.includes("*") && host.length !== 1 && !host.startsWith("*.")) errs.push(`partial wildcard "${host}" not allowed`);
  return errs.length ? errs.join("; ") : undefined;
}

/** Istio 1.30.3 ValidateSidecar, with its messages. */
export function validateSidecar(spec: Obj, meta: Obj, p: Problems): void {
  const sel = alphaSelector(spec.workloadSelector, "spec.workloadSelector", p);
  if (sel === "error") return;
  if (sel === "warn") p.warn("spec.workloadSelector", "sidecar: workload selector specified without labels, will be applied to all services in namespace");
  const ingress = list(spec.ingress);
  const egress = list(spec.egress);
  if (!ingress.length && !egress.length && !isObj(spec.outboundTrafficPolicy) && !isObj(spec.inboundConnectionPool)) return p.error("spec", "sidecar: empty configuration provided");
  const portMap = new Set<number>();
  ingress.forEach((ing, i) => {
    const ip = at("spec.ingress", i);
    if (!isObj(ing)) return p.error(ip, "sidecar: ingress may not be null");
    if (!isObj(ing.port)) return p.error(at(ip, "port"), "sidecar: port is required for ingress listeners");
    const port = ing.port;
    if (typeof port.targetPort === "number" && port.targetPort > 0) p.error(at(ip, "port.targetPort"), "targetPort has no impact on Sidecars");
    if (port.name) checkPortName(port.name, at(ip, "port.name"), p);
    if (port.protocol && !isProtocol(port.protocol)) p.error(at(ip, "port.protocol"), `unsupported protocol: ${port.protocol}`);
    checkPort(port.number ?? 0, at(ip, "port.number"), p);
    if (ing.bind && !isIP(String(ing.bind))) p.error(at(ip, "bind"), `${ing.bind} is not a valid IP`);
    const num = Number(port.number ?? 0);
    if (portMap.has(num)) p.error(at(ip, "port"), "sidecar: ports on IP bound listeners must be unique");
    portMap.add(num);
    const de = typeof ing.defaultEndpoint === "string" ? ing.defaultEndpoint : "";
    if (de) {
      const dp = at(ip, "defaultEndpoint");
      if (de.startsWith("unix://")) {
        const e = unixAddressError(de.slice(7));
        if (e) p.error(dp, e);
      } else {
        // net.SplitHostPort
        const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(de);
        if (!m) p.error(dp, `address ${de}: ${de.includes(":") ? "too many colons in address" : "missing port in address"}`);
        const host = m ? (m[1] ?? m[2] ?? "") : "";
        const sport = m ? m[3] : "";
        if (host !== "" && !["127.0.0.1", "0.0.0.0", "::1", "::"].includes(host)) p.error(dp, "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset");
        if (!/^[+-]?[0-9]+$/.test(sport)) p.error(dp, `sidecar: defaultEndpoint port (${sport}) is not a number: strconv.Atoi: parsing "${sport}": invalid syntax`);
        else checkPort(Number(sport), dp, p);
      }
    }
    if (isObj(ing.tls)) {
      const t = ing.tls;
      const tp = at(ip, "tls");
      if (list(t.subjectAltNames).length) p.error(at(tp, "subjectAltNames"), "sidecar: subjectAltNames is not supported in ingress tls");
      if (t.httpsRedirect === true) p.error(at(tp, "httpsRedirect"), "sidecar: httpsRedirect is not supported");
      if (t.credentialName) p.error(at(tp, "credentialName"), "sidecar: credentialName is not currently supported");
      if (list(t.credentialNames).length) p.error(at(tp, "credentialNames"), "sidecar: credentialNames is not currently supported");
      if (list(t.tlsCertificates).length) p.error(at(tp, "tlsCertificates"), "sidecar: tls_certificates is not currently supported");
      if (t.mode === "ISTIO_MUTUAL" || t.mode === "AUTO_PASSTHROUGH") p.error(at(tp, "mode"), `configuration is invalid: cannot set mode to ${t.mode} in sidecar ingress tls`);
      if (!isTLSProto(port.protocol)) p.error(tp, "server cannot have TLS settings for non HTTPS/TLS ports");
      checkServerTLS(t, tp, p);
    }
    if (isObj(ing.connectionPool)) {
      checkConnectionPool(ing.connectionPool, at(ip, "connectionPool"), p);
      if (isObj(ing.connectionPool.http) && !isHTTPProto(port.protocol)) {
        p.warn(at(ip, "connectionPool.http"), `sidecar: HTTP connection pool settings are configured for port ${port.number ?? 0} ("${port.name ?? ""}") but its protocol is not HTTP (${port.protocol ?? ""}); only TCP settings will apply`);
      }
    }
  });
  if (isObj(spec.inboundConnectionPool)) checkConnectionPool(spec.inboundConnectionPool, "spec.inboundConnectionPool", p);
  const egressPorts = new Set<number>();
  const uds = new Set<string>();
  let catchAll = false;
  egress.forEach((eg, i) => {
    const ep = at("spec.egress", i);
    if (!isObj(eg)) return p.error(ep, "egress listener may not be null");
    if (!isObj(eg.port)) {
      if (!catchAll) {
        if (i === egress.length - 1) catchAll = true;
        else p.error(ep, "sidecar: the egress listener with empty port should be the last listener in the list");
      } else return p.error(ep, "sidecar: egress can have only one listener with empty port");
    } else {
      const port = eg.port;
      const bind = typeof eg.bind === "string" ? eg.bind : "";
      if (typeof port.targetPort === "number" && port.targetPort > 0) p.error(at(ep, "port.targetPort"), "targetPort has no impact on Sidecars");
      if (port.name) checkPortName(port.name, at(ep, "port.name"), p);
      if (port.protocol && !isProtocol(port.protocol)) p.error(at(ep, "port.protocol"), `unsupported protocol: ${port.protocol}`);
      const num = Number(port.number ?? 0);
      if (num === 0) {
        if (!bind.startsWith("unix://")) p.error(at(ep, "bind"), "sidecar: ports with 0 value must have a unix domain socket bind address");
        else {
          const e = unixAddressError(bind.slice(7));
          if (e) p.error(at(ep, "bind"), e);
        }
        const cm = eg.captureMode ?? "DEFAULT";
        if (cm !== "DEFAULT" && cm !== "NONE") p.error(at(ep, "captureMode"), "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
        if (uds.has(bind)) p.error(at(ep, "bind"), "sidecar: unix domain socket values for listeners must be unique");
        uds.add(bind);
      } else {
        checkPort(port.number, at(ep, "port.number"), p);
        if (bind && !isIP(bind)) p.error(at(ep, "bind"), `${bind} is not a valid IP`);
        if (egressPorts.has(num)) p.error(at(ep, "port"), "sidecar: ports on IP bound listeners must be unique");
        egressPorts.add(num);
      }
    }
    const hosts = list(eg.hosts).map((h) => String(h ?? ""));
    if (hosts.length === 0) return p.error(at(ep, "hosts"), "sidecar: egress listener must contain at least one host");
    const nss = new Map<string, Set<string>>();
    hosts.forEach((h, j) => {
      const hp = at(at(ep, "hosts"), j);
      const slash = h.indexOf("/");
      if (slash >= 0) {
        let ns = h.slice(0, slash);
        const svc = h.slice(slash + 1);
        if (ns === ".") ns = meta.namespace ?? "";
        if (!nss.has(ns)) nss.set(ns, new Set());
        const set = nss.get(ns)!;
        if (svc !== "*" ? set.has(svc) || set.has("*") : set.size !== 0) p.warn(hp, `duplicated egress host: ${h}`);
        set.add(svc);
      }
      const e = sidecarHostError(h);
      if (e) p.error(hp, e);
    });
    if (nss.get("*")?.has("*") && nss.size !== 1) p.warn(at(ep, "hosts"), "`*/*` host select all resources, no other hosts can be added");
  });
  const otp = spec.outboundTrafficPolicy;
  if (isObj(otp) && isObj(otp.egressProxy)) {
    const pp = "spec.outboundTrafficPolicy.egressProxy";
    if ((otp.mode ?? "REGISTRY_ONLY") !== "ALLOW_ANY") return p.error(pp, "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
    const e = fqdnError(String(otp.egressProxy.host ?? ""));
    if (e) p.error(at(pp, "host"), e);
    if (!isObj(otp.egressProxy.port)) return p.error(at(pp, "port"), "sidecar: egress_proxy port must be non-nil");
    const h = String(otp.egressProxy.host ?? "");
    if (h === "*") p.error(at(pp, "host"), `invalid destination host ${h}`);
    else if (wildcardDomainError(h)) p.error(at(pp, "host"), wildcardDomainError(h)!);
    if (typeof otp.egressProxy.subset === "string" && otp.egressProxy.subset !== "" && !isDnsLabel(otp.egressProxy.subset)) p.error(at(pp, "subset"), `subset name is invalid: ${otp.egressProxy.subset}`);
    checkPort(otp.egressProxy.port.number ?? 0, at(pp, "port.number"), p);
  }
}

/** Istio 1.30.3 ValidateWorkloadEntry: validateWorkloadEntry(we, no service ports, FQDN addresses allowed). */
export function validateWorkloadEntry(spec: Obj, _meta: Obj, p: Problems): void {
  checkWorkloadEntry(spec, "spec", p, undefined, true);
}

const PROBE: Schema = S.obj({
  initialDelaySeconds: S.int(0), timeoutSeconds: S.int(0), periodSeconds: S.int(0), successThreshold: S.int(0), failureThreshold: S.int(0),
  httpGet: S.obj({ path: S.str(), port: S.int(), host: S.str(), scheme: S.str(), httpHeaders: S.arr(S.obj({ name: S.str(), value: S.str() })) }, { req: ["port"] }),
  tcpSocket: S.obj({ host: S.str(), port: S.int() }, { req: ["port"] }),
  exec: S.obj({ command: S.strs() }, { req: ["command"] }),
  grpc: S.obj({ port: S.int(), service: S.str() }),
}, { oneOf: [["httpGet", "tcpSocket", "exec", "grpc"]] });
export const WORKLOAD_GROUP_SPEC: Schema = S.obj({ metadata: S.obj({ labels: S.map(), annotations: S.map() }), template: WORKLOAD_ENTRY, probe: PROBE }, { req: ["template"] });

/** Istio 1.30.3 ValidateWorkloadGroup: template required, metadata labels, readiness probe (the template is not validated). */
export function validateWorkloadGroup(spec: Obj, _meta: Obj, p: Problems): void {
  if (!isObj(spec.template)) return p.error("spec.template", "template is required");
  // The CRD's CEL rules on the template (API server); Istio's webhook does not validate the template itself.
  const t = spec.template;
  const addr = typeof t.address === "string" ? t.address : "";
  if (addr.startsWith("unix://")) {
    if (isObj(t.ports)) p.error("spec.template", "UDS may not include ports");
    if (!(addr[7] === "/" || addr[7] === "@")) p.error("spec.template.address", "UDS must be an absolute path or abstract socket");
    if (addr.endsWith("/")) p.error("spec.template.address", "UDS may not be a dir");
  }
  for (const [name, num] of Object.entries(isObj(t.ports) ? t.ports : {})) {
    if (!(name.length < 63 && /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(name))) p.error("spec.template.ports", "port name must be valid");
    if (typeof num !== "number" || num <= 0 || num > 65535) p.error(at("spec.template.ports", name), "port must be between 1-65535");
  }
  if (isObj(spec.metadata)) {
    const before = p.errors.length;
    checkLabels(spec.metadata.labels, "spec.metadata.labels", p);
    if (p.errors.length > before) return;
  }
  const pr = spec.probe;
  if (!isObj(pr)) return;
  for (const k of ["periodSeconds", "initialDelaySeconds", "timeoutSeconds", "successThreshold", "failureThreshold"]) {
    if (typeof pr[k] === "number" && pr[k] < 0) p.error(at("spec.probe", k), `${k} must be non-negative`);
  }
  if (isObj(pr.httpGet)) {
    const h = pr.httpGet;
    checkPort(h.port ?? 0, "spec.probe.httpGet.port", p);
    if (h.scheme && h.scheme !== "HTTPS" && h.scheme !== "HTTP") p.error("spec.probe.httpGet.scheme", `httpGet.scheme must be one of "HTTPS", "HTTP"`);
    list(h.httpHeaders).forEach((hd, i) => {
      const hp = at("spec.probe.httpGet.httpHeaders", i);
      if (!isObj(hd)) return p.error(hp, "invalid nil header");
      const name = String(hd.name ?? "");
      if (name === "") p.error(hp, "header name cannot be empty");
      else if (!/^[-A-Za-z0-9]+$/.test(name)) p.error(hp, `header name ${name} is not a valid header name`);
    });
  } else if (isObj(pr.tcpSocket)) checkPort(pr.tcpSocket.port ?? 0, "spec.probe.tcpSocket.port", p);
  else if (isObj(pr.exec)) {
    if (list(pr.exec.command).length === 0) p.error("spec.probe.exec.command", "exec.command is required");
  } else if (isObj(pr.grpc)) p.error("spec.probe", "unknown health check method *v1alpha3.ReadinessProbe_Grpc");
  else p.error("spec.probe", "unknown health check method <nil>");
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

const LISTENER_APPLY = new Set(["LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER"]);
const ROUTE_APPLY = new Set(["ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE"]);
const HCM = "envoy.filters.network.http_connection_manager";
/** xds.ReverseDeprecatedFilterNames: deprecated filter name -> canonical name. */
const DEPRECATED_FILTER_NAMES: Record<string, string> = {
  "envoy.buffer": "envoy.filters.http.buffer", "envoy.cors": "envoy.filters.http.cors", "envoy.csrf": "envoy.filters.http.csrf",
  "envoy.http_dynamo_filter": "envoy.filters.http.dynamo", "envoy.ext_authz": "envoy.filters.network.ext_authz", "envoy.fault": "envoy.filters.http.fault",
  "envoy.grpc_http1_bridge": "envoy.filters.http.grpc_http1_bridge", "envoy.grpc_json_transcoder": "envoy.filters.http.grpc_json_transcoder",
  "envoy.grpc_web": "envoy.filters.http.grpc_web", "envoy.gzip": "envoy.filters.http.gzip", "envoy.health_check": "envoy.filters.http.health_check",
  "envoy.ip_tagging": "envoy.filters.http.ip_tagging", "envoy.lua": "envoy.filters.http.lua", "envoy.rate_limit": "envoy.filters.http.ratelimit",
  "envoy.router": "envoy.filters.http.router", "envoy.squash": "envoy.filters.http.squash", "envoy.listener.http_inspector": "envoy.filters.listener.http_inspector",
  "envoy.listener.original_dst": "envoy.filters.listener.original_dst", "envoy.listener.original_src": "envoy.filters.listener.original_src",
  "envoy.listener.proxy_protocol": "envoy.filters.listener.proxy_protocol", "envoy.listener.tls_inspector": "envoy.filters.listener.tls_inspector",
  "envoy.client_ssl_auth": "envoy.filters.network.client_ssl_auth", "envoy.http_connection_manager": HCM, "envoy.mongo_proxy": "envoy.filters.network.mongo_proxy",
  "envoy.ratelimit": "envoy.filters.network.ratelimit", "envoy.redis_proxy": "envoy.filters.network.redis_proxy", "envoy.tcp_proxy": "envoy.filters.network.tcp_proxy",
};

/** Istio 1.30.3 ValidateEnvoyFilter, with its messages. The patch value is not decoded as the Envoy type (Istio does). */
export function validateEnvoyFilter(spec: Obj, _meta: Obj, p: Problems): void {
  p.warn("spec", "EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.");
  const sel = alphaSelector(spec.workloadSelector, "spec.workloadSelector", p);
  if (sel === "error") return;
  if (sel === "warn") p.warn("spec.workloadSelector", "Envoy filter: workload selector specified without labels, will be applied to all services in namespace");
  list(spec.configPatches).forEach((cp, i) => {
    const pp = at("spec.configPatches", i);
    if (!isObj(cp)) return p.error(pp, "Envoy filter: null config patch");
    const m = isObj(cp.match) ? cp.match : undefined;
    // The CRD's CEL rules (API server) on the match.
    const hasWaypoint = !!m && m.waypoint !== undefined && m.waypoint !== null;
    if (m && (m.context === "WAYPOINT" ? !hasWaypoint : hasWaypoint)) {
      return p.error(at(pp, "match"), "only support waypointMatch when context is WAYPOINT");
    }
    if (m && isObj(m.waypoint) && m.waypoint.portNumber !== undefined && (typeof m.waypoint.portNumber !== "number" || m.waypoint.portNumber < 1 || m.waypoint.portNumber > 65535)) {
      p.error(at(pp, "match.waypoint.portNumber"), "port must be between 1-65535");
    }
    if (m?.context === "WAYPOINT") return;
    const applyTo = cp.applyTo ?? "INVALID";
    if (applyTo === "INVALID") return p.error(at(pp, "applyTo"), "Envoy filter: missing applyTo");
    if (!isObj(cp.patch)) return p.error(at(pp, "patch"), "Envoy filter: missing patch");
    const op = cp.patch.operation ?? "INVALID";
    if (op === "INVALID") return p.error(at(pp, "patch.operation"), "Envoy filter: missing patch operation");
    if (op !== "REMOVE" && (cp.patch.value === undefined || cp.patch.value === null)) return p.error(at(pp, "patch.value"), "Envoy filter: missing patch value for non-remove operation");
    const pv = isObj(m?.proxy) ? m!.proxy.proxyVersion : undefined;
    if (typeof pv === "string" && pv !== "") {
      const e = regexError(pv, {});
      if (e) return p.error(at(pp, "match.proxy.proxyVersion"), `Envoy filter: invalid regex for proxy version, [${e.split("; Istio uses RE2")[0]}]`);
    }
    const objectTypes = m && ["listener", "routeConfiguration", "cluster", "waypoint"].some((k) => m[k] !== undefined && m[k] !== null);
    if (LISTENER_APPLY.has(applyTo) && objectTypes) {
      if (!isObj(m!.listener)) return p.error(at(pp, "match"), "Envoy filter: applyTo for listener class objects cannot have non listener match");
      const fc = m!.listener.filterChain;
      if (isObj(fc) && isObj(fc.filter)) {
        const f = fc.filter;
        const fp = at(pp, "match.listener.filterChain.filter");
        if (applyTo === "LISTENER" || applyTo === "FILTER_CHAIN") p.warn(fp, `Envoy filter: filter match has no effect when used with ${applyTo}`);
        if (!f.name) return p.error(at(fp, "name"), "Envoy filter: filter match has no name to match on");
        if (isObj(f.subFilter)) {
          if (applyTo !== "HTTP_FILTER") return p.error(at(fp, "subFilter"), "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only");
          if (f.name !== HCM && f.name !== "envoy.http_connection_manager") return p.error(at(fp, "subFilter"), `Envoy filter: subfilter match requires filter match with ${HCM}`);
          if (!f.subFilter.name) return p.error(at(fp, "subFilter.name"), "Envoy filter: subfilter match has no name to match on");
        }
        for (const n of [f.name, isObj(f.subFilter) ? f.subFilter.name : undefined]) {
          if (typeof n === "string" && DEPRECATED_FILTER_NAMES[n]) p.warn(fp, `using deprecated filter name "${n}"; use "${DEPRECATED_FILTER_NAMES[n]}" instead`);
        }
      }
    } else if (ROUTE_APPLY.has(applyTo) && objectTypes) {
      if (!isObj(m!.routeConfiguration)) p.error(at(pp, "match"), "Envoy filter: applyTo for http route class objects cannot have non route configuration match");
    } else if (applyTo === "CLUSTER" && objectTypes) {
      if (!isObj(m!.cluster)) p.error(at(pp, "match"), "Envoy filter: applyTo for cluster class objects cannot have non cluster match");
    }
    const v = cp.patch.value;
    // A small part of xds.BuildXDSObjectFromStruct: every Envoy type a patch can carry (except BOOTSTRAP) has a string
    // `name`, and Istio decodes the value into it ("json: cannot unmarshal bool into Go value of type string").
    if (isObj(v) && applyTo !== "BOOTSTRAP" && v.name !== undefined && v.name !== null && typeof v.name !== "string") {
      const kind = typeof v.name === "boolean" ? "bool" : typeof v.name === "number" ? "number" : Array.isArray(v.name) ? "array" : "object";
      p.error(at(pp, "patch.value.name"), `Envoy filter: json: cannot unmarshal ${kind} into Go value of type string`);
    }
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
  selector: S.obj({ matchLabels: S.map() }), concurrency: S.int(), environmentVariables: S.map(S.str({ max: 2048 })), image: S.obj({ imageType: S.str() }),
});
/** Istio 1.30.3 ValidateProxyConfig: selector rules and concurrency >= 0 (the CRD's minimum 0 is checked here too, with its message). */
export function validateProxyConfig(spec: Obj, _meta: Obj, p: Problems): void {
  checkSelector(spec.selector, "spec.selector", p);
  if (typeof spec.concurrency === "number" && spec.concurrency < 0) {
    p.error("spec.concurrency", `should be greater than or equal to 0 (concurrency must be greater than or equal to 0)`);
  }
}
