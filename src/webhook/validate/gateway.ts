// Gateway (networking.istio.io) and the server TLS settings it shares with Sidecar ingress.
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { checkPort, checkSelector, gatewayDomainError, isDnsLabel, isIP, isObj, isProtocol, list, type Obj } from "./common.js";

export const SERVER_TLS: Schema = S.obj({
  httpsRedirect: S.bool,
  mode: S.en("PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"),
  serverCertificate: S.str(), privateKey: S.str(), caCertificates: S.str(), caCrl: S.str(),
  credentialName: S.str(), credentialNames: S.arr(S.str(), { min: 1, max: 2 }),
  tlsCertificates: S.arr(S.obj({ serverCertificate: S.str(), privateKey: S.str(), caCertificates: S.str() }), { min: 1, max: 2 }),
  subjectAltNames: S.strs(), verifyCertificateSpki: S.strs(), verifyCertificateHash: S.strs(),
  minProtocolVersion: S.en("TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"),
  maxProtocolVersion: S.en("TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"),
  cipherSuites: S.strs(), ecdhCurves: S.strs(),
}, { oneOf: [["credentialName", "credentialNames", "tlsCertificates"]] });

const PORT: Schema = S.obj({ number: S.int(), protocol: S.str(), name: S.str(), targetPort: S.int() }, { req: ["number", "protocol", "name"] });

export const GATEWAY_SPEC: Schema = S.obj({
  servers: S.arr(S.obj({ port: PORT, bind: S.str(), hosts: S.strs(), tls: SERVER_TLS, defaultEndpoint: S.str(), name: S.str() }, { req: ["port", "hosts"] })),
  selector: S.map(),
});

export function checkServerTLS(tls: Obj, path: string, p: Problems): void {
  const mode = tls.mode ?? "PASSTHROUGH";
  const hasCred = !!tls.credentialName || list(tls.credentialNames).length > 0;
  const hasCerts = !!tls.serverCertificate || !!tls.privateKey || list(tls.tlsCertificates).length > 0;
  if (mode === "ISTIO_MUTUAL") {
    for (const k of ["serverCertificate", "privateKey", "caCertificates", "credentialName", "credentialNames", "tlsCertificates"]) {
      if (tls[k] && !(Array.isArray(tls[k]) && tls[k].length === 0)) p.error(at(path, k), `ISTIO_MUTUAL TLS cannot have associated ${k}`);
    }
    return;
  }
  const sources = [tls.serverCertificate && tls.privateKey, tls.credentialName, list(tls.credentialNames).length > 0, list(tls.tlsCertificates).length > 0].filter(Boolean).length;
  if (sources > 1) p.error(path, "only one of credentialName, credentialNames, serverCertificate/privateKey, tlsCertificates should be specified (Istio: one of credential_name, credential_names, server_certificate/private_key, tls_certificates)");
  if (mode === "SIMPLE" || mode === "MUTUAL" || mode === "OPTIONAL_MUTUAL") {
    list(tls.tlsCertificates).forEach((c: Obj, i: number) => {
      if (!isObj(c)) return;
      if (!c.serverCertificate) p.error(at(at(at(path, "tlsCertificates"), i), "serverCertificate"), `${mode} TLS requires a server certificate`);
      if (!c.privateKey) p.error(at(at(at(path, "tlsCertificates"), i), "privateKey"), `${mode} TLS requires a private key`);
    });
    if (!hasCred && list(tls.tlsCertificates).length === 0) {
      if (!tls.serverCertificate) p.error(at(path, "serverCertificate"), `${mode} TLS requires a server certificate (or credentialName)`);
      if (!tls.privateKey) p.error(at(path, "privateKey"), `${mode} TLS requires a private key (or credentialName)`);
    }
    if ((mode === "MUTUAL" || mode === "OPTIONAL_MUTUAL") && !hasCred && !tls.caCertificates && !list(tls.tlsCertificates).some((c) => c?.caCertificates)) {
      p.error(at(path, "caCertificates"), `${mode} TLS requires caCertificates (or credentialName)`);
    }
    if (list(tls.tlsCertificates).length && (tls.serverCertificate || tls.privateKey)) p.error(path, "only one of tlsCertificates or serverCertificate/privateKey may be set");
    if (tls.caCrl && (hasCred || mode === "SIMPLE")) p.error(at(path, "caCrl"), `caCrl cannot be used with ${hasCred ? "credentialName" : "SIMPLE TLS"}`);
  }
  if ((mode === "PASSTHROUGH" || mode === "AUTO_PASSTHROUGH") && (hasCerts || hasCred)) p.warn(path, `${mode} mode does not use certificates; they will be ignored`);
  const min = tls.minProtocolVersion;
  if (min && ["TLSV1_0", "TLSV1_1"].includes(min) && list(tls.cipherSuites).length === 0) p.warn(path, "minimum TLS version below 1.2 without cipherSuites uses insecure defaults");
  if (tls.maxProtocolVersion && min && tls.maxProtocolVersion !== "TLS_AUTO" && min !== "TLS_AUTO" && min > tls.maxProtocolVersion) {
    p.error(path, "minProtocolVersion must not be higher than maxProtocolVersion");
  }
  const seen = new Set<string>();
  for (const c of list(tls.cipherSuites)) {
    if (seen.has(c)) p.warn(at(path, "cipherSuites"), `duplicate cipher suite ${c}`);
    seen.add(c);
  }
}

/** `[namespace/]host` for Gateway servers: namespace `*`, `.` or a DNS label; host an FQDN, wildcard or IP. */
export function gatewayHostError(h: string): string | undefined {
  const parts = h.split("/");
  if (parts.length > 2) return `host "${h}" must be of the form [namespace/]host`;
  let host = h;
  if (parts.length === 2) {
    const [ns, name] = parts;
    if (ns !== "*" && ns !== "." && !isDnsLabel(ns)) return `invalid namespace "${ns}" in host "${h}"`;
    host = name;
  }
  if (isIP(host)) return undefined;
  if (!host.includes(".") && host !== "*" && !host.startsWith("*")) return `short names like "${host}" are not allowed; use an FQDN`;
  return gatewayDomainError(host);
}

export function validateGateway(spec: Obj, meta: Obj, p: Problems): void {
  if (meta.name && String(meta.name).includes(".")) p.error("metadata.name", `gateway name "${meta.name}" must be a DNS label (no dots)`);
  const servers = list(spec.servers);
  if (servers.length === 0) p.error("spec.servers", "gateway must have at least one server");
  const names = new Map<string, string>();
  servers.forEach((s, i) => {
    const sp = at("spec.servers", i);
    if (!isObj(s)) return;
    const hosts = list(s.hosts);
    if (hosts.length === 0) p.error(at(sp, "hosts"), "server config must contain at least one host");
    hosts.forEach((h, j) => {
      if (typeof h !== "string") return;
      const e = gatewayHostError(h);
      if (e) p.error(at(at(sp, "hosts"), j), e);
    });
    const port = isObj(s.port) ? s.port : undefined;
    const bind: string = s.bind ?? "";
    if (port) {
      if (bind.startsWith("unix://")) {
        const sock = bind.slice(7);
        if (!(sock.startsWith("/") || sock.startsWith("@")) || sock.endsWith("/")) p.error(at(sp, "bind"), `unix socket path "${sock}" must be absolute or abstract`);
        if (port.number !== 0) p.error(at(at(sp, "port"), "number"), "port number must be 0 for unix domain socket");
      } else {
        checkPort(port.number, at(at(sp, "port"), "number"), p);
        if (bind && !isIP(bind)) p.error(at(sp, "bind"), `bind "${bind}" must be an IP address or a unix:// socket`);
      }
      if (port.protocol !== undefined && !isProtocol(port.protocol)) p.error(at(at(sp, "port"), "protocol"), `unrecognized protocol "${port.protocol}"`);
      if (port.targetPort !== undefined) p.error(at(at(sp, "port"), "targetPort"), "targetPort is not supported on Gateway ports");
      if (port.name) {
        if (names.has(port.name)) p.error(at(at(sp, "port"), "name"), `port name "${port.name}" is used by another server (${names.get(port.name)})`);
        names.set(port.name, sp);
      } else if (port.name === "" ) p.error(at(at(sp, "port"), "name"), "port name must be set");
      const proto = String(port.protocol ?? "").toUpperCase();
      const tls = isObj(s.tls) ? s.tls : undefined;
      if ((proto === "HTTPS" || proto === "TLS") && !tls) p.error(at(sp, "tls"), `server must have TLS settings for ${proto} protocol`);
      if (tls) {
        if (proto === "HTTP") {
          const other = Object.keys(tls).filter((k) => k !== "httpsRedirect");
          if (other.length) p.error(at(sp, "tls"), `server cannot have TLS settings for plain text HTTP ports (only httpsRedirect), found ${other.join(", ")}`);
        } else if (proto !== "HTTPS" && proto !== "TLS" && proto !== "") {
          p.error(at(sp, "tls"), `server cannot have TLS settings for non HTTPS/TLS ports (${proto})`);
        }
        if (tls.httpsRedirect && proto !== "HTTP") p.warn(at(sp, "tls.httpsRedirect"), "httpsRedirect only applies to HTTP servers");
        if (proto !== "HTTP") checkServerTLS(tls, at(sp, "tls"), p);
      }
    }
  });
  if (isObj(spec.selector)) {
    for (const [k, v] of Object.entries(spec.selector)) if (k === "" || String(k).includes("*") || String(v).includes("*")) p.error("spec.selector", "selector keys must be non-empty and neither keys nor values may contain *");
  }
  void checkSelector;
}
