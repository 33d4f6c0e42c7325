// Revision tags, as Istio 1.30.3 has them (istioctl's `tag set|list|remove|generate`): a tag is an alias a
// namespace or pod names with `istio.io/rev=<tag>`, and it is made of a MutatingWebhookConfiguration
// `istio-revision-tag-<tag>` labelled `istio.io/tag=<tag>` + `istio.io/rev=<revision>` whose entries select the
// tag (and, for the tag `default`, `istio-injection=enabled` and `sidecar.istio.io/inject=true`), plus a Service
// `istiod-revision-tag-<tag>` for istiod's pods of that revision. pilotfish's tag webhook sends the pods to the
// injector that serves the revision: it copies the clientConfig (Service or URL, path, caBundle) of that
// revision's own pilotfish webhook, so the pilotfish process serving `<revision>` answers, with that revision's
// ConfigMaps, exactly as for a namespace labelled `istio.io/rev=<revision>`. Pure: lists in, objects and
// messages out; src/cli/tag.ts talks to the cluster.
import type { LabelSelector, Obj } from "./inject/types.js";
import { selectorMatches as istioSelectorMatches } from "./inject/decide.js";
import { ALWAYS_EXCLUDED_NAMESPACES, buildMutatingWebhookConfiguration } from "./webhook-config.js";

export const TAG_LABEL = "istio.io/tag";
export const REV_LABEL = "istio.io/rev";
export const DEFAULT_TAG = "default";
/** istioctl's selector that matches nothing: a deactivated webhook entry keeps its place but selects no pod. */
export const NEVER_MATCH = { matchLabels: { "istio.io/deactivated": "never-match" } };
const INJECTOR_SUFFIX = "sidecar-injector.istio.io";

export interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface WebhookEntry {
  name?: string;
  clientConfig?: Obj;
  failurePolicy?: string;
  reinvocationPolicy?: string;
  timeoutSeconds?: number;
  namespaceSelector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  objectSelector?: Obj;
  [k: string]: unknown;
}
export interface WebhookConfig {
  metadata?: Meta;
  webhooks?: WebhookEntry[];
  [k: string]: unknown;
}
export interface ServiceLike {
  metadata?: Meta;
  [k: string]: unknown;
}

export const tagWebhookName = (tag: string, webhookName?: string) => webhookName || `istio-revision-tag-${tag}`;
export const tagServiceName = (tag: string) => `istiod-revision-tag-${tag}`;

const labelsOf = (o: { metadata?: Meta } | undefined) => o?.metadata?.labels ?? {};

/** A tag name is a label value and part of two object names. */
export function checkTagName(tag: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(tag) || tag.length > 63) {
    return `revision tag ${JSON.stringify(tag)}: must be lower-case letters, digits and '-', start and end with a letter or digit, at most 63 characters (it is an istio.io/rev label value)`;
  }
  return undefined;
}

/** pilotfish's own injection webhooks: made by `serve --register-webhook` (managed-by pilotfish) or its Helm chart. */
export function isPilotfishWebhook(w: WebhookConfig): boolean {
  const l = labelsOf(w);
  return l["app.kubernetes.io/managed-by"] === "pilotfish" || l["app.kubernetes.io/name"] === "pilotfish";
}

export const isTagObject = (o: { metadata?: Meta }) => TAG_LABEL in labelsOf(o);

/** A revision's own webhooks (`istio.io/rev=<rev>`, no `istio.io/tag`), as istioctl's GetWebhooksWithRevision. */
export const revisionWebhooks = (all: WebhookConfig[], revision: string) => all.filter((w) => labelsOf(w)[REV_LABEL] === revision && !isTagObject(w));
/** A revision's istiod Services (`app=istiod`, no tag), as istioctl's GetServicesWithRevision. */
export const revisionServices = (all: ServiceLike[], revision: string) =>
  all.filter((s) => labelsOf(s)[REV_LABEL] === revision && labelsOf(s).app === "istiod" && !isTagObject(s));
export const tagWebhooks = (all: WebhookConfig[], tag: string) => all.filter((w) => labelsOf(w)[TAG_LABEL] === tag);
export const tagServices = (all: ServiceLike[], tag: string) => all.filter((s) => labelsOf(s)[TAG_LABEL] === tag);

export interface ClusterState {
  /** Every MutatingWebhookConfiguration labelled istio.io/rev. */
  webhooks: WebhookConfig[];
  /** Every Service labelled istio.io/rev in the Istio namespace. */
  services: ServiceLike[];
}

export interface TagRequest {
  tag: string;
  revision: string;
  istioNamespace: string;
  /** Only print (generate): the collision check with revision names is skipped, as istioctl skips it. */
  generate?: boolean;
  overwrite?: boolean;
  webhookName?: string;
  /** --auto-inject-namespaces: the default tag also injects namespaces with no label at all. */
  autoInjectNamespaces?: boolean;
}

/**
 * The revision's pilotfish webhook the tag copies, after istioctl's checks (in its order): the tag must not be a
 * revision's name (unless generate, overwrite or `default`), the revision must exist, the tag must not exist yet
 * (unless overwrite). Returns an error message or the canonical webhook.
 */
export function findCanonical(state: ClusterState, req: TagRequest): { error: string } | { canonical: WebhookConfig } {
  if (!req.generate && !req.overwrite && req.tag !== DEFAULT_TAG) {
    if (revisionWebhooks(state.webhooks, req.tag).length || revisionServices(state.services, req.tag).length) {
      return { error: `cannot create revision tag ${JSON.stringify(req.tag)}: found existing control plane revision with same name` };
    }
  }
  const revServices = revisionServices(state.services, req.revision);
  if (revServices.length > 1) return { error: `cannot modify tag: found multiple canonical services with revision ${JSON.stringify(req.revision)} in namespace ${JSON.stringify(req.istioNamespace)}` };
  const revWebhooks = revisionWebhooks(state.webhooks, req.revision);
  const ours = revWebhooks.filter(isPilotfishWebhook);
  if (!ours.length) {
    if (revWebhooks.length) {
      const names = revWebhooks.map((w) => w.metadata?.name).join(", ");
      return {
        error: `cannot modify tag: revision ${JSON.stringify(req.revision)} has no pilotfish injection webhook (found ${names}, not pilotfish's): a pilotfish tag points at the pilotfish injector serving the revision (\`pilotfish serve --revision ${req.revision}\` or the chart's injector.revision)`,
      };
    }
    return { error: `cannot modify tag: cannot find pilotfish's MutatingWebhookConfiguration with revision ${JSON.stringify(req.revision)}` };
  }
  if (ours.length > 1) return { error: `cannot modify tag: found multiple canonical webhooks with revision ${JSON.stringify(req.revision)}: ${ours.map((w) => w.metadata?.name).join(", ")}` };
  if (!req.overwrite && (tagWebhooks(state.webhooks, req.tag).length || tagServices(state.services, req.tag).length)) {
    return { error: `revision tag ${JSON.stringify(req.tag)} already exists, and --overwrite is false` };
  }
  return { canonical: ours[0] };
}

/** Labels istioctl drops from what a user-managed tag copies (the installer must not prune the tag). */
const droppedLabel = (k: string) => k === "app" || k.includes("operator.istio.io") || k === "helm.sh/chart" || k === "app.kubernetes.io/managed-by";
/** Annotations that belong to the object they were on, not to its copy. */
const droppedAnnotation = (k: string) => k === "kubectl.kubernetes.io/last-applied-configuration" || k.startsWith("meta.helm.sh/");

/** The tag's MutatingWebhookConfiguration: the canonical webhook's endpoint and policies, the tag's selectors. */
export function buildTagWebhook(canonical: WebhookConfig, req: TagRequest): Obj {
  const entry = (canonical.webhooks ?? []).find((w) => (w.name ?? "").endsWith(INJECTOR_SUFFIX));
  if (!entry) throw new Error(`could not find sidecar-injector webhook in canonical webhook ${JSON.stringify(canonical.metadata?.name)}`);
  const excluded = entry.namespaceSelector?.matchExpressions?.find((e) => e.key === "kubernetes.io/metadata.name" && e.operator === "NotIn")?.values ?? ALWAYS_EXCLUDED_NAMESPACES;
  // The builder gives the entries and selectors of a revision named like the tag (the `default` ones included).
  const built = buildMutatingWebhookConfiguration({
    revision: req.tag,
    clientConfig: {},
    failurePolicy: entry.failurePolicy === "Ignore" ? "Ignore" : "Fail",
    reinvocationPolicy: entry.reinvocationPolicy === "Never" ? "Never" : "IfNeeded",
    timeoutSeconds: entry.timeoutSeconds,
    excludedNamespaces: excluded,
    enableNamespacesByDefault: req.autoInjectNamespaces,
  });
  const copied = Object.fromEntries(Object.entries(labelsOf(canonical)).filter(([k]) => !droppedLabel(k)));
  const annotations = Object.fromEntries(Object.entries(canonical.metadata?.annotations ?? {}).filter(([k]) => !droppedAnnotation(k)));
  const clientConfig = JSON.parse(JSON.stringify(entry.clientConfig ?? {})) as Obj;
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: {
      name: tagWebhookName(req.tag, req.webhookName),
      labels: { ...copied, app: "sidecar-injector", "app.kubernetes.io/managed-by": "pilotfish", [TAG_LABEL]: req.tag, [REV_LABEL]: req.revision },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    webhooks: (built.webhooks as Obj[]).map((w) => ({ ...w, clientConfig: JSON.parse(JSON.stringify(clientConfig)) })),
  };
}

/** istiod's Service for the tag (revision-tags-svc.yaml): the revision's istiod pods under the tag's name. */
export function buildTagService(req: Pick<TagRequest, "tag" | "revision" | "istioNamespace">): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: tagServiceName(req.tag),
      namespace: req.istioNamespace,
      labels: {
        app: "istiod",
        "app.kubernetes.io/instance": "istio",
        "app.kubernetes.io/managed-by": "pilotfish",
        "app.kubernetes.io/name": "istiod",
        "app.kubernetes.io/part-of": "istio",
        istio: "pilot",
        [REV_LABEL]: req.revision,
        [TAG_LABEL]: req.tag,
        release: "istio",
      },
    },
    spec: {
      ports: [
        { name: "grpc-xds", port: 15010, protocol: "TCP" },
        { name: "https-dns", port: 15012, protocol: "TCP" },
        { name: "https-webhook", port: 443, protocol: "TCP", targetPort: 15017 },
        { name: "http-monitoring", port: 15014, protocol: "TCP" },
      ],
      selector: { app: "istiod", [REV_LABEL]: req.revision },
    },
  };
}

/** What `tag generate` prints and `tag set` applies, in istioctl's order (webhook, then Service). */
export function generateTag(state: ClusterState, req: TagRequest): { error: string } | { objects: Obj[] } {
  const c = findCanonical(state, req);
  if ("error" in c) return c;
  return { objects: [buildTagWebhook(c.canonical, req), buildTagService(req)] };
}

/**
 * `tag set default` takes `istio-injection=enabled` over: the default revision's own webhooks (istio.io/rev=default,
 * no tag; pilotfish's or istiod's) are kept but made to select nothing, as istioctl does, so that `tag set default
 * --revision default` or a re-install can bring them back. Returns the deactivated copies (only those that change).
 */
export function deactivateDefaultRevision(state: ClusterState): WebhookConfig[] {
  const out: WebhookConfig[] = [];
  for (const w of revisionWebhooks(state.webhooks, DEFAULT_TAG)) {
    const hooks = w.webhooks ?? [];
    if (hooks.every((h) => JSON.stringify(h.namespaceSelector) === JSON.stringify(NEVER_MATCH) && JSON.stringify(h.objectSelector) === JSON.stringify(NEVER_MATCH))) continue;
    out.push({ ...w, webhooks: hooks.map((h) => ({ ...h, namespaceSelector: NEVER_MATCH, objectSelector: NEVER_MATCH })) as WebhookEntry[] });
  }
  return out;
}

export interface TagRow {
  tag: string;
  revision: string;
  namespaces: string[];
}

/**
 * `tag list`'s rows, as istioctl builds them: a (tag, revision) pair from every webhook and Service labelled
 * istio.io/rev (revisions without tags show with an empty tag, unless the revision has a tag), sorted by revision
 * then tag; `namespacesOf(tag)` is the namespaces labelled istio.io/rev=<tag>.
 */
export function tagRows(state: ClusterState, namespacesOf: (tag: string) => string[]): TagRow[] {
  const pairs = new Map<string, { tag: string; revision: string }>();
  for (const o of [...state.webhooks, ...state.services]) {
    const l = labelsOf(o);
    if (!(REV_LABEL in l)) continue;
    const p = { tag: l[TAG_LABEL] ?? "", revision: l[REV_LABEL] };
    pairs.set(JSON.stringify(p), p);
  }
  const tagged = new Set([...pairs.values()].filter((p) => p.tag !== "").map((p) => p.revision));
  const rows = [...pairs.values()].filter((p) => p.tag !== "" || !tagged.has(p.revision)).map((p) => ({ ...p, namespaces: namespacesOf(p.tag) }));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) => cmp(a.revision, b.revision) || cmp(a.tag, b.tag));
}

/** Go's text/tabwriter with istioctl's settings (padding 1, spaces): every column but the last padded to its widest cell. */
export function tabwrite(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length + 1)));
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join("") + "\n").join("");
}

export function formatTagTable(rows: TagRow[]): string {
  return tabwrite([["TAG", "REVISION", "NAMESPACES"], ...rows.map((r) => [r.tag, r.revision, r.namespaces.join(",")])]);
}

/** istioctl's json output (tab-indented, Go's field order). */
export function formatTagJson(rows: TagRow[]): string {
  return JSON.stringify(rows.map((r) => ({ tag: r.tag, revision: r.revision, namespaces: r.namespaces })), null, "\t") + "\n";
}

/** istioctl's prompt text before removing a tag namespaces still use. */
export function removeTagConfirmation(tag: string, namespaces: string[]): string {
  return `Caution, found ${namespaces.length} namespace(s) still injected by tag ${JSON.stringify(tag)}: ${namespaces.join(" ")}`;
}

export function tagCreatedMessage(tag: string, revision: string): string {
  return `Revision tag ${JSON.stringify(tag)} created, referencing control plane revision ${JSON.stringify(revision)}. To enable injection using this\nrevision tag, use 'kubectl label namespace <NAMESPACE> istio.io/rev=${tag}'\n`;
}

type Selector = LabelSelector | undefined;

/** A Kubernetes label selector against a label set: an absent or empty selector matches everything, as the webhook
 *  API says (Istio's own injector selectors, inject/decide.ts, match nothing when empty). */
export function selectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string>): boolean {
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return true;
  return istioSelectorMatches(sel, labels);
}

/** The istio.io/rev values a webhook configuration names (its label and its selectors), as Istio's webhook analyzer reads them. */
function revisionsNamed(w: WebhookConfig): string[] {
  const out = new Set<string>();
  if (REV_LABEL in labelsOf(w)) out.add(labelsOf(w)[REV_LABEL]);
  for (const h of w.webhooks ?? []) {
    for (const sel of [h.namespaceSelector as Selector, h.objectSelector as Selector]) {
      if (sel?.matchLabels?.[REV_LABEL] !== undefined) out.add(sel.matchLabels[REV_LABEL]);
      for (const e of sel?.matchExpressions ?? []) if (e.key === REV_LABEL) for (const v of e.values ?? []) out.add(v);
    }
  }
  return [...out];
}

/**
 * istioctl's check before `tag set` (Istio's webhook analyzer, IST0139): over the namespace and pod label sets
 * it tries (no label, istio-injection enabled/disabled, sidecar.istio.io/inject true/false, each with every
 * istio.io/rev value any webhook names), a pod must reach at most one injection webhook. Returns the messages for
 * the entries of `added` (replacing a configuration of the same name) that overlap with another.
 */
export function webhookOverlaps(existing: WebhookConfig[], added: WebhookConfig): string[] {
  const name = added.metadata?.name ?? "";
  const all = [...existing.filter((w) => w.metadata?.name !== name), added].filter((w) => revisionsNamed(w).length || (w.webhooks ?? []).some((h) => (h.name ?? "").endsWith("istio.io")));
  const revs = [...new Set(all.flatMap(revisionsNamed))];
  const withRevs = (base: Record<string, string>[]) => [...base, ...revs.flatMap((r) => base.map((b) => ({ ...b, [REV_LABEL]: r })))];
  const nsSets = withRevs([{}, { "istio-injection": "enabled" }, { "istio-injection": "disabled" }]);
  const podSets = withRevs([{}, { "sidecar.istio.io/inject": "true" }, { "sidecar.istio.io/inject": "false" }]);
  const messages = new Set<string>();
  for (const ns of nsSets) {
    for (const pod of podSets) {
      const matches = all.flatMap((w) =>
        (w.webhooks ?? []).filter((h) => selectorMatches(h.namespaceSelector as Selector, ns) && selectorMatches(h.objectSelector as Selector, pod)).map((h) => ({ cfg: w.metadata?.name ?? "", id: `${w.metadata?.name}/${h.name}` })),
      );
      if (matches.length < 2) continue;
      for (const m of matches) {
        if (m.cfg !== name) continue;
        const others = matches.filter((o) => o.id !== m.id).map((o) => o.id).sort();
        messages.add(`Error [IST0139] (MutatingWebhookConfiguration ${name}) Webhook overlaps with others: [${others.join(" ")}]. This may cause injection to occur twice.`);
      }
    }
  }
  return [...messages];
}
