// Self-managed webhook certificates. Every replica shares one CA and serving certificate kept in a Secret:
// the first replica to create it wins, the others read it, and every write after that carries the
// resourceVersion it read, so two replicas never overwrite each other. The leader rotates the serving
// certificate at half its lifetime (as istiod does) and keeps the caBundle of pilotfish's webhook
// configurations equal to the trusted CAs. A CA nearing its end is first added to the caBundle ("staged")
// and only signs after the API server had time to see it, so no admission fails across a CA change either.
//
// The decision logic (what to do with a Secret at a given time) is pure: `planCertificates`.
import { X509Certificate } from "node:crypto";
import type { Logger } from "../telemetry/logger.js";
import type { JsonObject } from "../config/values.js";
import { Kube, KubeError, statusOf, type KubeConfig } from "./client.js";
import { generateCa, generateServingCert, type TlsMaterial } from "./certs.js";

/** What the Secret holds. */
export interface CertBundle {
  /** The CA that signs serving certificates now. */
  caCert: string;
  caKey: string;
  /** The serving certificate and its key. */
  cert: string;
  key: string;
  /** Every CA the webhooks must trust (PEM concatenation): the signing CA, a staged next CA, a retiring one. */
  trust: string;
  /** A CA already in `trust` that will sign once the API server had time to see it. */
  nextCaCert?: string;
  nextCaKey?: string;
  /** When the next CA was staged (ms since epoch). */
  nextCaSince?: number;
}

export const SECRET_KEYS = {
  cert: "tls.crt",
  key: "tls.key",
  caCert: "ca.crt",
  caKey: "ca.key",
  trust: "ca-bundle.crt",
  nextCaCert: "next-ca.crt",
  nextCaKey: "next-ca.key",
} as const;
export const NEXT_CA_SINCE_ANNOTATION = "pilotfish.io/next-ca-since";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, "base64").toString("utf8"));

/** Secret data (base64 values) and annotations -> bundle; undefined when a required key is missing. */
export function bundleFromSecret(data: Record<string, string> | undefined, annotations?: Record<string, string>): CertBundle | undefined {
  if (!data) return undefined;
  const get = (k: keyof typeof SECRET_KEYS) => unb64(data[SECRET_KEYS[k]]);
  const caCert = get("caCert");
  const caKey = get("caKey");
  const cert = get("cert");
  const key = get("key");
  if (!caCert || !caKey || !cert || !key) return undefined;
  const since = Number(annotations?.[NEXT_CA_SINCE_ANNOTATION]);
  const nextCaCert = get("nextCaCert");
  const nextCaKey = get("nextCaKey");
  return {
    caCert,
    caKey,
    cert,
    key,
    trust: get("trust") || caCert,
    ...(nextCaCert && nextCaKey ? { nextCaCert, nextCaKey, nextCaSince: Number.isFinite(since) ? since : 0 } : {}),
  };
}

export function secretFromBundle(b: CertBundle): { data: Record<string, string>; annotations: Record<string, string> } {
  const data: Record<string, string> = {};
  for (const k of Object.keys(SECRET_KEYS) as (keyof typeof SECRET_KEYS)[]) {
    const v = b[k];
    if (typeof v === "string" && v) data[SECRET_KEYS[k]] = b64(v);
  }
  const annotations: Record<string, string> = {};
  if (b.nextCaCert && b.nextCaSince !== undefined) annotations[NEXT_CA_SINCE_ANNOTATION] = String(b.nextCaSince);
  return { data, annotations };
}

export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => c + "\n") ?? [];
}

export interface Validity {
  notBefore: number;
  notAfter: number;
}
export function validity(pem: string): Validity {
  const x = new X509Certificate(pem);
  return { notBefore: new Date(x.validFrom).getTime(), notAfter: new Date(x.validTo).getTime() };
}
const halfLife = (v: Validity) => v.notBefore + (v.notAfter - v.notBefore) / 2;

export type CertPlan =
  | { action: "create"; reason: string }
  | { action: "rotate-serving"; reason: string }
  | { action: "stage-ca"; reason: string }
  | { action: "promote-ca"; reason: string }
  | { action: "none"; nextCheck: number };

export interface PlanInput {
  now: number;
  /** SANs the serving certificate must carry. */
  dnsNames: string[];
  /** How long a staged CA sits in the caBundle before it signs (API server informers, other replicas). */
  propagationMs: number;
}

/** What the leader should do with the Secret's bundle now. */
export function planCertificates(b: CertBundle | undefined, p: PlanInput): CertPlan {
  if (!b) return { action: "create", reason: "no certificate yet" };
  let ca: Validity;
  let leaf: Validity;
  let leafX: X509Certificate;
  try {
    ca = validity(b.caCert);
    leafX = new X509Certificate(b.cert);
    leaf = validity(b.cert);
  } catch (e) {
    return { action: "create", reason: `unreadable certificate: ${(e as Error).message}` };
  }
  if (p.now >= ca.notAfter) return { action: "create", reason: "the CA expired" };
  if (b.nextCaCert) {
    const ready = (b.nextCaSince ?? 0) + p.propagationMs;
    if (p.now >= ready) return { action: "promote-ca", reason: "the staged CA is trusted everywhere by now" };
  } else if (p.now >= halfLife(ca)) {
    return { action: "stage-ca", reason: "the CA passed half its lifetime" };
  }
  if (p.now >= halfLife(leaf)) return { action: "rotate-serving", reason: "the serving certificate passed half its lifetime" };
  const caX = new X509Certificate(b.caCert);
  if (!leafX.checkIssued(caX) || !leafX.verify(caX.publicKey)) return { action: "rotate-serving", reason: "the serving certificate is not signed by the current CA" };
  const sans = leafX.subjectAltName ?? "";
  const missing = p.dnsNames.filter((n) => !sans.split(/,\s*/).includes(`DNS:${n}`));
  if (missing.length) return { action: "rotate-serving", reason: `the serving certificate lacks ${missing.join(", ")}` };
  const checks = [halfLife(leaf)];
  if (b.nextCaCert) checks.push((b.nextCaSince ?? 0) + p.propagationMs);
  else checks.push(halfLife(ca));
  return { action: "none", nextCheck: Math.min(...checks) };
}

/** The CAs still worth trusting: not expired, no duplicates, the signing CA first. */
export function trustBundle(cas: string[], now: number): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of cas.flatMap(splitPem)) {
    const key = c.replace(/\s+/g, "");
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      if (validity(c).notAfter <= now) continue;
    } catch {
      continue;
    }
    out.push(c);
  }
  return out.join("");
}

export interface IssueOptions {
  dnsNames: string[];
  ipAddresses?: string[];
  validityMs: number;
  caValidityMs: number;
  now: number;
}

/** Carries out a plan (certificate generation only; no I/O). */
export async function applyPlan(b: CertBundle | undefined, plan: CertPlan, o: IssueOptions): Promise<CertBundle | undefined> {
  const leafFor = (caCert: string, caKey: string) =>
    generateServingCert({ dnsNames: o.dnsNames, ipAddresses: o.ipAddresses, validityMs: o.validityMs, caCert, caKey });
  switch (plan.action) {
    case "none":
      return undefined;
    case "create": {
      const ca = await generateCa(o.caValidityMs, new Date(o.now));
      const leaf = await leafFor(ca.cert, ca.key);
      return { caCert: ca.cert, caKey: ca.key, cert: leaf.cert, key: leaf.key, trust: trustBundle([ca.cert, b?.trust ?? ""], o.now) };
    }
    case "rotate-serving": {
      const leaf = await leafFor(b!.caCert, b!.caKey);
      return { ...b!, cert: leaf.cert, key: leaf.key, trust: trustBundle([b!.caCert, b!.trust], o.now) };
    }
    case "stage-ca": {
      const next = await generateCa(o.caValidityMs, new Date(o.now));
      return { ...b!, nextCaCert: next.cert, nextCaKey: next.key, nextCaSince: o.now, trust: trustBundle([b!.caCert, next.cert, b!.trust], o.now) };
    }
    case "promote-ca": {
      const leaf = await leafFor(b!.nextCaCert!, b!.nextCaKey!);
      // The retiring CA stays trusted until it expires: replicas may still serve a certificate it signed.
      return { caCert: b!.nextCaCert!, caKey: b!.nextCaKey!, cert: leaf.cert, key: leaf.key, trust: trustBundle([b!.nextCaCert!, b!.trust], o.now) };
    }
  }
}

export function tlsFromBundle(b: CertBundle): TlsMaterial {
  return { cert: b.cert, key: b.key, ca: b.trust };
}

// ---- the Kubernetes edge ----

export interface CertControllerOptions {
  kc: KubeConfig;
  namespace: string;
  secretName: string;
  dnsNames: string[];
  ipAddresses?: string[];
  validityMs: number;
  caValidityMs: number;
  /** MutatingWebhookConfigurations and ValidatingWebhookConfigurations whose caBundle this controller owns. */
  mutatingWebhooks: string[];
  validatingWebhooks: string[];
  logger: Logger;
  /** Called with the material every time the Secret holds a new serving certificate. */
  onCertificate: (m: TlsMaterial) => void;
  /** Whether this replica may write (the leader; always true without leader election). */
  isLeader: () => boolean;
  /** Default: a twentieth of the validity, between 1 and 30 seconds. */
  resyncMs?: number;
  /** Default: 30 seconds, at most a tenth of the CA lifetime. */
  propagationMs?: number;
  now?: () => number;
}

const ADMISSION_API = "admissionregistration.k8s.io/v1";
const LABELS = { "app.kubernetes.io/managed-by": "pilotfish" };

type SecretObject = { metadata?: { resourceVersion?: string; annotations?: Record<string, string> }; data?: Record<string, string> };
type ClientConfig = { caBundle?: string; url?: string; service?: { namespace?: string; name?: string; port?: number } };
type WebhookConfigObject = { metadata?: { name?: string; resourceVersion?: string }; webhooks?: { clientConfig?: ClientConfig }[] };

/** Where a webhook sends its reviews (the path aside): a Service and port, or a URL's origin. */
function endpointOf(c: ClientConfig | undefined): string {
  if (c?.service?.name) return `svc:${c.service.namespace ?? ""}/${c.service.name}:${c.service.port ?? 443}`;
  if (c?.url) {
    try {
      return `url:${new URL(c.url).origin}`;
    } catch {
      return "";
    }
  }
  return "";
}

export class CertController {
  private bundle: CertBundle | undefined;
  private served: string | undefined;
  private resourceVersion: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private kube!: Kube;
  readonly resyncMs: number;
  readonly propagationMs: number;
  /** Counters for logs and tests. */
  readonly stats = { rotations: 0, conflicts: 0, caBundlePatches: 0 };

  constructor(private readonly o: CertControllerOptions) {
    this.resyncMs = o.resyncMs ?? Math.min(30_000, Math.max(1000, Math.floor(o.validityMs / 20)));
    this.propagationMs = o.propagationMs ?? Math.min(30_000, Math.floor(o.caValidityMs / 10));
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** Loads (or, first replica, creates) the shared certificate; returns what to serve. */
  async bootstrap(): Promise<TlsMaterial> {
    this.kube ??= new Kube(this.o.kc, "pilotfish-certs");
    for (let attempt = 0; ; attempt++) {
      await this.read();
      if (this.bundle) break;
      const fresh = (await applyPlan(undefined, { action: "create", reason: "no certificate yet" }, this.issueOptions()))!;
      const { data, annotations } = secretFromBundle(fresh);
      try {
        const created = (await this.kube.createObject("v1", "Secret", this.o.namespace, {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: this.o.secretName, annotations, labels: LABELS },
          type: "Opaque",
          data,
        })) as SecretObject;
        this.bundle = fresh;
        this.resourceVersion = created.metadata?.resourceVersion;
        this.o.logger.info({ secret: `${this.o.namespace}/${this.o.secretName}` }, "created the webhook CA and serving certificate");
        break;
      } catch (e) {
        // Another replica created it first: theirs wins, read it.
        if (statusOf(e) !== 409 || attempt > 5) throw new Error(`cannot create Secret ${this.o.namespace}/${this.o.secretName}: ${errText(e)}`);
      }
    }
    this.publish();
    return tlsFromBundle(this.bundle!);
  }

  private issueOptions(): IssueOptions {
    return { dnsNames: this.o.dnsNames, ipAddresses: this.o.ipAddresses, validityMs: this.o.validityMs, caValidityMs: this.o.caValidityMs, now: this.now() };
  }

  private async read(): Promise<void> {
    let s: SecretObject | undefined;
    try {
      s = (await this.kube.get("v1", "Secret", this.o.namespace, this.o.secretName)) as SecretObject | undefined;
    } catch (e) {
      throw new Error(`cannot read Secret ${this.o.namespace}/${this.o.secretName}: ${errText(e)}`);
    }
    if (!s) {
      this.bundle = undefined;
      this.resourceVersion = undefined;
      return;
    }
    this.bundle = bundleFromSecret(s.data, s.metadata?.annotations);
    this.resourceVersion = s.metadata?.resourceVersion;
    if (!this.bundle && s.metadata) this.o.logger.warn({ secret: this.o.secretName }, "the certificate Secret lacks keys; it will be rewritten");
  }

  private publish(): void {
    if (!this.bundle || this.served === this.bundle.cert) return;
    this.served = this.bundle.cert;
    this.o.onCertificate(tlsFromBundle(this.bundle));
  }

  /** One pass: pick up the Secret; as leader, rotate when due and keep the caBundles in sync. */
  async reconcile(): Promise<void> {
    await this.read();
    if (this.o.isLeader()) {
      const plan = planCertificates(this.bundle, { now: this.now(), dnsNames: this.o.dnsNames, propagationMs: this.propagationMs });
      if (plan.action !== "none") await this.write(plan);
      // Replicas serve only what the Secret holds, so the caBundle must trust it before anything else.
      if (this.bundle) await this.syncCaBundles(this.bundle.trust);
    }
    this.publish();
  }

  private async write(plan: Exclude<CertPlan, { action: "none" }>): Promise<void> {
    const next = (await applyPlan(this.bundle, plan, this.issueOptions()))!;
    const { data, annotations } = secretFromBundle(next);
    // A staged or promoted CA must reach the caBundles before any replica serves a certificate it signed.
    if (plan.action === "stage-ca" || plan.action === "create") await this.syncCaBundles(next.trust);
    try {
      const body: JsonObject = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: this.o.secretName, namespace: this.o.namespace, ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}), annotations, labels: LABELS },
        type: "Opaque",
        data,
      };
      const out = (this.resourceVersion
        ? await this.kube.replace("v1", "Secret", this.o.namespace, this.o.secretName, body)
        : await this.kube.createObject("v1", "Secret", this.o.namespace, body)) as SecretObject;
      this.bundle = next;
      this.resourceVersion = out.metadata?.resourceVersion;
      this.stats.rotations++;
      this.o.logger.info({ action: plan.action, reason: plan.reason, notAfter: new Date(validity(next.cert).notAfter).toISOString() }, "webhook certificate updated");
    } catch (e) {
      if (statusOf(e) === 409) {
        // Someone else wrote first (a previous leader): keep theirs, decide again on the next pass.
        this.stats.conflicts++;
        this.o.logger.info({ action: plan.action }, "certificate Secret changed under us; re-reading");
        await this.read();
        return;
      }
      throw new Error(`cannot write Secret ${this.o.namespace}/${this.o.secretName}: ${errText(e)}`);
    }
  }

  /** Sets caBundle on every webhook of the owned configurations (JSON patch guarded by resourceVersion). */
  async syncCaBundles(trust: string): Promise<void> {
    const want = b64(trust);
    const targets: { kind: string; name: string; obj?: WebhookConfigObject }[] = [
      ...this.o.mutatingWebhooks.map((name) => ({ kind: "MutatingWebhookConfiguration", name })),
      ...this.o.validatingWebhooks.map((name) => ({ kind: "ValidatingWebhookConfiguration", name })),
    ];
    const endpoints = new Set<string>();
    for (const t of targets) {
      try {
        t.obj = (await this.kube.get(ADMISSION_API, t.kind, undefined, t.name)) as WebhookConfigObject | undefined;
      } catch (e) {
        throw new Error(`cannot read ${t.kind} ${t.name}: ${errText(e)}`);
      }
      if (t.kind === "MutatingWebhookConfiguration") for (const w of t.obj?.webhooks ?? []) endpoints.add(endpointOf(w.clientConfig));
    }
    // Revision tags (`pilotfish tag set`) copy an injector webhook's endpoint and caBundle: the tags that point
    // only at this controller's endpoints follow its CA too, or a CA rollover would leave them stale.
    endpoints.delete("");
    if (endpoints.size) {
      let tags: WebhookConfigObject[] = [];
      try {
        tags = (await this.kube.list(ADMISSION_API, "MutatingWebhookConfiguration", "istio.io/tag,app.kubernetes.io/managed-by=pilotfish")) as WebhookConfigObject[];
      } catch (e) {
        this.o.logger.warn({ error: errText(e) }, "cannot list revision-tag webhooks; their caBundle is retried on the next pass");
      }
      for (const obj of tags) {
        const name = obj.metadata?.name;
        const ws = obj.webhooks ?? [];
        if (!name || targets.some((t) => t.name === name) || !ws.length || !ws.every((w) => endpoints.has(endpointOf(w.clientConfig)))) continue;
        targets.push({ kind: "MutatingWebhookConfiguration", name, obj });
      }
    }
    for (const t of targets) {
      const obj = t.obj;
      if (!obj) {
        this.o.logger.warn({ kind: t.kind, name: t.name }, "webhook configuration not found; its caBundle will be set once it exists");
        continue;
      }
      const ops: JsonObject[] = [];
      (obj.webhooks ?? []).forEach((w, i) => {
        if (w.clientConfig?.caBundle !== want) ops.push({ op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: want });
      });
      if (!ops.length) continue;
      try {
        const patched = await this.kube.jsonPatch(ADMISSION_API, t.kind, undefined, t.name, [{ op: "test", path: "/metadata/resourceVersion", value: obj.metadata?.resourceVersion ?? null }, ...ops]);
        if (!patched) throw new Error("it was deleted");
        this.stats.caBundlePatches++;
        this.o.logger.info({ kind: t.kind, name: t.name, webhooks: ops.length }, "caBundle updated");
      } catch (e) {
        // The object changed between read and patch (Helm upgrade, say): the next pass retries.
        this.o.logger.warn({ kind: t.kind, name: t.name, error: errText(e) }, "caBundle patch not applied; retrying on the next pass");
      }
    }
  }

  /** Reconciles every resyncMs (sooner when a rotation is due) until stopped. */
  start(): void {
    this.schedule(0);
  }

  private busy = false;
  private again = false;

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.running = this.pass()), delay);
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    this.busy = true;
    try {
      await this.reconcile();
    } catch (e) {
      this.o.logger.error({ error: (e as Error).message }, "certificate controller pass failed");
    } finally {
      this.busy = false;
    }
    if (this.stopped) return;
    let delay = this.resyncMs;
    if (this.again) delay = 0;
    else if (this.bundle && this.o.isLeader()) {
      const p = planCertificates(this.bundle, { now: this.now(), dnsNames: this.o.dnsNames, propagationMs: this.propagationMs });
      delay = p.action === "none" ? Math.max(200, Math.min(delay, p.nextCheck - this.now() + 50)) : 200;
    }
    this.again = false;
    this.schedule(delay);
  }

  /** Runs a pass now (a new leader should not wait for the next tick). */
  kick(): void {
    if (this.stopped) return;
    if (this.busy) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  current(): CertBundle | undefined {
    return this.bundle;
  }
}

function errText(e: unknown): string {
  if (e instanceof KubeError) return `HTTP ${e.status}: ${KubeError.reason(e.body)}`;
  const err = e as { code?: number; body?: unknown; message?: string };
  let msg = err.message ?? String(e);
  if (typeof err.body === "string") {
    try {
      msg = (JSON.parse(err.body) as { message?: string }).message ?? msg;
    } catch {
      /* keep */
    }
  }
  return err.code ? `HTTP ${err.code}: ${msg}` : msg;
}
