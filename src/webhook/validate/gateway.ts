// Gateway (networking.istio.io) and the server TLS settings it shares with Sidecar ingress.
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { checkPort, checkSelector, isDnsLabel, wildcardDomainError, isIP, isObj, isProtocol, list, type Obj } from "./common.js";

export const SERVER_TLS: Schema = S.obj({
  httpsRedirect: S.bool,
  mode: S.en("PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"),
  serverCertificate: S.str(), privateKey: S.str(), caCertificates: S.str(), caCrl: S.str(), caCertCredentialName: S.str(),
  credentialName: S.str(), credentialNames: S.arr(S.str(), { min: 1, max: 2 }),
  tlsCertificates: S.arr(S.obj({ serverCertificate: S.str(), privateKey: S.str(), caCertificates: S.str() }), { min: 1, max: 2 }),
  subjectAltNames: S.strs(), verifyCertificateSpki: S.strs(), verifyCertificateHash: S.strs(),
  minProtocolVersion: S.en("TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"),
  maxProtocolVersion: S.en("TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"),
  cipherSuites: S.strs(), ecdhCurves: S.strs(),
});

const PORT: Schema = S.obj({ number: S.int(), protocol: S.str(), name: S.str(), targetPort: S.int() }, { req: ["number", "protocol", "name"] });

export const GATEWAY_SPEC: Schema = S.obj({
  servers: S.arr(S.obj({ port: PORT, bind: S.str(), hosts: S.strs(), tls: SERVER_TLS, defaultEndpoint: S.str(), name: S.str() }, { req: ["port", "hosts"] })),
  selector: S.map(),
});

const VALID_CIPHER_SUITES = new Set([
  "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
  "ECDHE-RSA-AES256-SHA", "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA",
]);
/** Istio's security.IsValidCipherSuite: "", "ALL" and expressions starting with an operator (`-`, `+`, `!`, `[`) pass. */
const isValidCipherSuite = (cs: string): boolean => cs === "" || cs === "ALL" || !/^[\p{L}\p{N}]/u.test(cs) || VALID_CIPHER_SUITES.has(cs);

/** Istio 1.30.3 validateTLSOptions (server TLS of Gateway servers and Sidecar ingress), with its messages. */
export function checkServerTLS(tls: Obj, path: string, p: Problems): void {
  // The CRD's x-kubernetes-validations rules (API server), messages as Istio's CRD has them (the third one's message names
  // credentialName, but its rule checks credentialNames + tlsCertificates; credentialName + tlsCertificates passes the schema).
  const has = (k: string) => tls[k] !== undefined && tls[k] !== null;
  if (has("tlsCertificates") && has("credentialNames")) p.error(path, "only one of credentialNames or tlsCertificates can be set; only one of credentialName or tlsCertificates can be set");
  if (has("credentialName") && has("credentialNames")) p.error(path, "only one of credentialName or credentialNames can be set");
  const mode = tls.mode ?? "PASSTHROUGH";
  const ciphers = list(tls.cipherSuites).map(String);
  if ((tls.minProtocolVersion === "TLSV1_0" || tls.minProtocolVersion === "TLSV1_1") && ciphers.length === 0) {
    p.warn(path, "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.");
  }
  const invalid = new Set<string>();
  const valid = new Set<string>();
  const dup = new Set<string>();
  for (const c of ciphers) {
    if (!isValidCipherSuite(c)) invalid.add(c);
    else if (valid.has(c)) dup.add(c);
    else valid.add(c);
  }
  if (invalid.size) p.warn(at(path, "cipherSuites"), `ignoring invalid cipher suites: [${[...invalid].sort().join(" ")}]`);
  if (dup.size) p.warn(at(path, "cipherSuites"), `ignoring duplicate cipher suites: [${[...dup].sort().join(" ")}]`);
  const credNames = list(tls.credentialNames).length > 0;
  const tlsCerts = list(tls.tlsCertificates);
  if (mode === "ISTIO_MUTUAL") {
    if (tls.serverCertificate) p.error(at(path, "serverCertificate"), "ISTIO_MUTUAL TLS cannot have associated server certificate");
    if (tls.privateKey) p.error(at(path, "privateKey"), "ISTIO_MUTUAL TLS cannot have associated private key");
    if (tls.caCertificates) p.error(at(path, "caCertificates"), "ISTIO_MUTUAL TLS cannot have associated CA bundle");
    if (tlsCerts.length) p.error(at(path, "tlsCertificates"), "ISTIO_MUTUAL TLS cannot have associated tlsCertificates");
    if (tls.credentialName) p.error(at(path, "credentialName"), "ISTIO_MUTUAL TLS cannot have associated credentialName");
    if (credNames) p.error(at(path, "credentialNames"), "ISTIO_MUTUAL TLS cannot have associated credentialNames");
    return;
  }
  if (mode === "PASSTHROUGH" || mode === "AUTO_PASSTHROUGH") {
    if (tls.caCrl || tls.serverCertificate || tls.privateKey || tls.caCertificates || tlsCerts.length || tls.credentialName || credNames) {
      p.warn(path, `${mode} mode does not use certificates, they will be ignored`);
    }
  }
  const sources = [tls.serverCertificate && tls.privateKey, tls.credentialName, credNames, tlsCerts.length > 0].filter(Boolean).length;
  if (sources > 1) p.error(path, "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified (only one of credentialName, credentialNames, serverCertificate/privateKey, tlsCertificates)");
  const terminating = mode === "SIMPLE" || mode === "MUTUAL" || mode === "OPTIONAL_MUTUAL";
  if (terminating && (tls.credentialName || credNames)) return;
  if (terminating) {
    const prefix = mode === "SIMPLE" ? "SIMPLE TLS" : "MUTUAL TLS";
    if (mode !== "SIMPLE" && !tls.caCertificates) p.error(at(path, "caCertificates"), `${prefix} requires a client CA bundle`);
    if (tlsCerts.length > 2) p.warn(at(path, "tlsCertificates"), `${prefix} can support up to 2 server certificates`);
    const certs = tlsCerts.length ? tlsCerts.map((c, i) => [isObj(c) ? c : {}, at(at(path, "tlsCertificates"), i)] as [Obj, string]) : [[tls, path] as [Obj, string]];
    for (const [c, cp] of certs) {
      if (!c.serverCertificate) p.error(at(cp, "serverCertificate"), `${prefix} requires a server certificate`);
      if (!c.privateKey) p.error(at(cp, "privateKey"), `${prefix} requires a private key`);
    }
  }
  if (tls.caCrl) {
    if (tls.credentialName) p.error(at(path, "caCrl"), "CRL is not supported with credentialName. CRL has to be specified in the credential");
    if (mode === "SIMPLE") p.error(at(path, "caCrl"), "CRL is not supported with SIMPLE TLS");
  }
}

/** `[namespace/]host` for Gateway servers (Istio's ValidateNamespaceSlashWildcardHostname with isGateway): namespace `*`, `.` or
 * a DNS label; host an FQDN, `*`-prefixed wildcard or IP; no short names or partial wildcards. */
export function gatewayHostError(h: string, gatewaySemantics = false): string | undefined {
  const slash = h.indexOf("/");
  if (slash < 0) return gatewayHostPartError(h);
  const ns = h.slice(0, slash);
  const host = h.slice(slash + 1);
  const errs: string[] = [];
  if (ns === "" || host === "") errs.push("config namespace and dnsName in host entry cannot be empty");
  if (ns !== "*" && ns !== "." && (ns !== "~" || !gatewaySemantics) && !isDnsLabel(ns)) errs.push(`invalid namespace value "${ns}" in gateway`);
  const e = gatewayHostPartError(host);
  if (e) errs.push(e);
  return errs.length ? errs.join("; ") : undefined;
}

function gatewayHostPartError(host: string): string | undefined {
  const errs: string[] = [];
  if (host !== "*" && !host.includes(".")) errs.push("short names (non FQDN) are not allowed");
  const e = wildcardDomainError(host);
  if (e && !isIP(host)) errs.push(e);
  if (host.includes("*") && host.length !== 1 && !host.startsWith("*.")) errs.push(`partial wildcard "${host}" not allowed`);
  return errs.length ? errs.join("; ") : undefined;
}

const isHTTPProtocol = (proto: string): boolean => ["HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB"].includes(proto);

/** Istio 1.30.3 ValidateGateway / validateServer / validateServerPort / validateServerBind, with Istio's messages. */
export function validateGateway(spec: Obj, meta: Obj, p: Problems): void {
  // Gateways converted from the Kubernetes Gateway API carry this annotation; Istio then relaxes the name and `~/` checks.
  const gatewaySemantics = isObj(meta.annotations) && meta.annotations["internal.istio.io/gateway-semantics"] === "gateway";
  if (meta.name !== undefined && !isDnsLabel(String(meta.name)) && !gatewaySemantics) p.error("metadata.name", `invalid gateway name: "${meta.name}"`);
  const servers = list(spec.servers);
  if (servers.length === 0) p.error("spec.servers", "gateway must have at least one server");
  const names = new Set<string>();
  servers.forEach((s, i) => {
    const sp = at("spec.servers", i);
    if (!isObj(s)) return p.error(sp, "server may not be nil");
    const hosts = list(s.hosts);
    if (hosts.length === 0) p.error(at(sp, "hosts"), "server config must contain at least one host");
    hosts.forEach((h, j) => {
      if (typeof h !== "string") return;
      const e = gatewayHostError(h, gatewaySemantics);
      if (e) p.error(at(at(sp, "hosts"), j), e);
    });
    const port = isObj(s.port) ? s.port : undefined;
    const bind: string = typeof s.bind === "string" ? s.bind : "";
    const tls = isObj(s.tls) ? s.tls : undefined;
    const pp = at(sp, "port");
    const before = p.errors.length;
    if (!port) p.error(pp, "port is required");
    else {
      const proto = String(port.protocol ?? "").toUpperCase();
      if (!isProtocol(proto)) p.error(at(pp, "protocol"), `invalid protocol "${port.protocol ?? ""}", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP`);
      const num = Number(port.number ?? 0);
      if (num > 0 || !bind.startsWith("unix://")) checkPort(port.number ?? 0, at(pp, "number"), p);
      if (Number(port.targetPort ?? 0) > 0) p.error(at(pp, "targetPort"), "targetPort has no impact on Gateways");
      if (!port.name) p.error(at(pp, "name"), "port name must be set");
    }
    const portOk = p.errors.length === before;
    if (bind.startsWith("unix://")) {
      const sock = bind.slice(7);
      if (!(sock.startsWith("/") || sock.startsWith("@")) || sock.endsWith("/")) p.error(at(sp, "bind"), `${sock} is not an absolute path to a file`);
      if (port && Number(port.number ?? 0) !== 0) p.error(at(pp, "number"), "port number must be 0 for unix domain socket");
    } else if (bind && !isIP(bind)) p.error(at(sp, "bind"), `${bind} is not a valid IP`);
    if (tls) checkServerTLS(tls, at(sp, "tls"), p);
    if (port && portOk) {
      const proto = String(port.protocol ?? "").toUpperCase();
      const isTLS = proto === "HTTPS" || proto === "TLS";
      if (isTLS && !tls) p.error(at(sp, "tls"), "server must have TLS settings for HTTPS/TLS protocols");
      else if (!isTLS && tls) {
        if (isHTTPProtocol(proto)) {
          const passthrough = (tls.mode ?? "PASSTHROUGH") === "PASSTHROUGH" || tls.mode === "AUTO_PASSTHROUGH";
          if (!passthrough || tls.caCertificates || tls.privateKey || tls.serverCertificate) p.error(at(sp, "tls"), "server cannot have TLS settings for plain text HTTP ports");
        } else p.error(at(sp, "tls"), "server cannot have TLS settings for non HTTPS/TLS ports");
      }
    }
  });
  const firstUse = new Map<string, number>();
  servers.forEach((s, i) => {
    if (!isObj(s) || !isObj(s.port)) return;
    const name = String(s.port.name ?? "");
    if (names.has(name)) p.error(at(at("spec.servers", i), "port.name"), `port names in servers must be unique: duplicate name ${name} (used by another server, spec.servers[${firstUse.get(name)}])`);
    else firstUse.set(name, i);
    names.add(name);
    if (!isHTTPProtocol(String(s.port.protocol ?? "").toUpperCase()) && isObj(s.tls) && s.tls.httpsRedirect) p.warn(at(at("spec.servers", i), "tls.httpsRedirect"), "tls.httpsRedirect should only be used with http servers");
  });
  // spec.selector: neither Istio's webhook nor the CRD constrains it.
  void checkSelector;
}
