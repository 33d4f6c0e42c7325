// Serving certificates for the webhook: files (reloaded when they change) or a CA plus a serving certificate
// generated in process. The Secret-backed, leader-rotated certificate controller builds on `generateServingCert`.
import fs from "node:fs";
import { X509Certificate, randomBytes } from "node:crypto";
import { generate } from "selfsigned";

export interface TlsMaterial {
  key: string;
  cert: string;
  /** PEM of the CA that signed `cert` (the webhook configurations' caBundle). */
  ca: string;
}

export interface CertOptions {
  /** DNS names; `<service>.<namespace>.svc` and friends for an in-cluster webhook. */
  dnsNames: string[];
  ipAddresses?: string[];
  validityMs?: number;
  /** Lifetime of a generated CA (default: twice the serving certificate's, at least a day). */
  caValidityMs?: number;
  /** Reuse an existing CA instead of generating one. */
  caKey?: string;
  caCert?: string;
}

export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/** A CA (unless given) and a serving certificate signed by it, SHA-256, with the given SANs. */
export async function generateServingCert(opts: CertOptions): Promise<TlsMaterial & { caKey: string }> {
  const now = new Date();
  const validity = opts.validityMs ?? 365 * 24 * 3600 * 1000;
  const notBeforeDate = backdated(now, validity);
  let caKey = opts.caKey;
  let caCert = opts.caCert;
  if (!caKey || !caCert) {
    const ca = await generateCa(opts.caValidityMs ?? Math.max(validity * 2, 24 * 3600 * 1000), now);
    caKey = ca.key;
    caCert = ca.cert;
  }
  const altNames = [
    ...opts.dnsNames.map((value) => ({ type: 2 as const, value })),
    ...(opts.ipAddresses ?? []).map((ip) => ({ type: 7 as const, ip })),
  ];
  const leaf = await generate([{ name: "commonName", value: opts.dnsNames[0] ?? "pilotfish" }], {
    algorithm: "sha256",
    keySize: 2048,
    notBeforeDate,
    // A serving certificate never outlives the CA that signed it.
    notAfterDate: new Date(Math.min(now.getTime() + validity, new Date(new X509Certificate(caCert).validTo).getTime())),
    ca: { key: caKey, cert: caCert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
  return { key: leaf.private, cert: leaf.cert, ca: caCert, caKey };
}

/** Clock skew allowance: a minute, but at most a tenth of a short lifetime (so "half the lifetime" stays meaningful). */
function backdated(now: Date, validityMs: number): Date {
  return new Date(now.getTime() - Math.min(60_000, Math.floor(validityMs / 10)));
}

/** A self-signed CA (SHA-256, RSA 2048) for webhook serving certificates. */
export async function generateCa(validityMs: number, now = new Date()): Promise<{ key: string; cert: string }> {
  const ca = await generate([{ name: "commonName", value: `pilotfish-webhook-ca-${randomBytes(4).toString("hex")}` }, { name: "organizationName", value: "pilotfish" }], {
    algorithm: "sha256",
    keySize: 2048,
    notBeforeDate: backdated(now, validityMs),
    notAfterDate: new Date(now.getTime() + validityMs),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: ca.private, cert: ca.cert };
}

export function certificateExpiry(pem: string): Date {
  return new Date(new X509Certificate(pem).validTo);
}

/** Reads cert/key files and calls `onChange` whenever either changes on disk (polling: works on Secret volumes). */
export function watchCertFiles(certFile: string, keyFile: string, caFile: string | undefined, onChange: (m: TlsMaterial) => void): () => void {
  const read = (): TlsMaterial => ({
    cert: fs.readFileSync(certFile, "utf8"),
    key: fs.readFileSync(keyFile, "utf8"),
    ca: caFile ? fs.readFileSync(caFile, "utf8") : "",
  });
  const listener = () => {
    try {
      onChange(read());
    } catch {
      // A half-written pair: the next change event brings the complete one.
    }
  };
  const files = [certFile, keyFile, ...(caFile ? [caFile] : [])];
  for (const f of files) fs.watchFile(f, { interval: 2000 }, listener);
  return () => files.forEach((f) => fs.unwatchFile(f, listener));
}

export function readCertFiles(certFile: string, keyFile: string, caFile?: string): TlsMaterial {
  return { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8"), ca: caFile ? fs.readFileSync(caFile, "utf8") : "" };
}
