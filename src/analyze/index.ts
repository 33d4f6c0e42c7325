// pilotfish analyze, the pure core: runs the checks over a snapshot and returns messages filtered, suppressed,
// de-duplicated and sorted as `istioctl analyze` does. Printing (log/json/yaml) is here too, as pure functions.
import type { Analyzer, Finding, Level, Snapshot } from "./types.js";
import { LEVEL_RANK } from "./types.js";
import { messageType } from "./messages.js";
import { vsDestinationHosts, vsDestinationRules, vsGateways, vsMeshHostConflicts } from "./checks/virtualservice.js";
import { conflictingGateways, duplicateCertificates, gatewayPorts } from "./checks/gateway.js";
import { injection, revisions } from "./checks/injection.js";
import { portNames } from "./checks/service.js";
import { sidecarSelectors } from "./checks/sidecar.js";
import { caCertificates, mtlsConflicts } from "./checks/destinationrule.js";
import { envoyFilters } from "./checks/envoyfilter.js";
import { lightstepProviders, telemetryDefaultSelector, telemetryProviders, telemetrySelectors } from "./checks/telemetry.js";
import { serviceEntryAddresses } from "./checks/serviceentry.js";
import { applicationUID } from "./checks/workload.js";
import { gatewayCrdVersions, k8sGatewaySelectors } from "./checks/k8sgateway.js";
import { negativeConditions } from "./checks/conditions.js";
import { externalControlPlane } from "./checks/webhook.js";
import { multiService } from "./checks/workloads-services.js";
import { authorizationPolicies, blockedCidrs } from "./checks/security.js";
import { subsetPods } from "./checks/subsets.js";
import { proxyImages } from "./checks/image.js";
import { k8sAnnotations } from "./checks/annotations.js";
import { deprecatedFields } from "./checks/deprecation.js";
import { jwtClaimRoutes } from "./checks/jwtroute.js";
import { imageAuto, injectorWebhooks } from "./checks/webhooks.js";
import { meshNetworks } from "./checks/meshnetworks.js";
import { gatewaySecrets } from "./checks/secrets.js";

export type { Analyzer, Finding, Level, Resource, Snapshot } from "./types.js";
export { buildSnapshot, type InputObject, type SnapshotOptions } from "./snapshot.js";
export { MESSAGE_TYPES } from "./messages.js";
export { schemaAnalyzers, type Validator } from "./checks/schema.js";
export { MINIMUM_CRD_VERSIONS } from "./checks/k8sgateway.js";

/** Every check pilotfish runs, by istioctl's analyzer name (`pilotfish.*` for pilotfish's own). */
export const ANALYZERS: readonly Analyzer[] = [
  k8sAnnotations,
  blockedCidrs,
  authorizationPolicies,
  negativeConditions,
  multiService,
  applicationUID,
  caCertificates,
  subsetPods,
  deprecatedFields,
  envoyFilters,
  externalControlPlane,
  gatewayPorts,
  duplicateCertificates,
  gatewaySecrets,
  conflictingGateways,
  injection,
  proxyImages,
  imageAuto,
  k8sGatewaySelectors,
  gatewayCrdVersions,
  meshNetworks,
  portNames,
  sidecarSelectors,
  vsMeshHostConflicts,
  vsDestinationHosts,
  vsDestinationRules,
  vsGateways,
  jwtClaimRoutes,
  serviceEntryAddresses,
  telemetryProviders,
  telemetrySelectors,
  telemetryDefaultSelector,
  lightstepProviders,
  injectorWebhooks,
  mtlsConflicts,
  revisions,
];

/**
 * Kinds istioctl does not read from files when it analyses files alone (`--use-kube=false`): its file source leaves
 * out Kubernetes' runtime kinds (Istio's kuberesource.DefaultExcludedSchemas), so Pods, Services, Namespaces, Nodes
 * and Secrets in files (and the default ingress gateway Pod and Service it adds) are ignored.
 */
export const RUNTIME_KINDS: readonly string[] = ["Namespace", "Node", "Pod", "Secret", "Service"];

export const isRuntimeKind = (apiVersion: string, kind: string): boolean => apiVersion === "v1" && RUNTIME_KINDS.includes(kind);

/**
 * The runtime kinds among each analyzer's inputs (Istio's Metadata().Inputs at 1.30.3; pilotfish.RevisionAnalyzer
 * reads Namespaces). istioctl skips an analyzer when one of its inputs is not in the snapshot, so analysing files
 * alone it never runs these.
 */
export const RUNTIME_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "annotations.K8sAnalyzer": ["Namespace", "Service", "Pod"],
  "auth.AuthorizationPoliciesAnalyzer": ["Namespace", "Pod"],
  "applicationUID.Analyzer": ["Pod"],
  "conditions.ConditionAnalyzer": ["Service"],
  "deployment.MultiServiceAnalyzer": ["Service", "Namespace"],
  "destinationrule.SubsetSelectPodAnalyzer": ["Pod", "Service", "Node"],
  "gateway.ConflictingGatewayAnalyzer": ["Pod"],
  "gateway.IngressGatewayPortAnalyzer": ["Pod", "Service"],
  "gateway.SecretAnalyzer": ["Pod", "Secret"],
  "injection.Analyzer": ["Namespace", "Pod"],
  "injection.ImageAnalyzer": ["Namespace", "Pod"],
  "injection.ImageAutoAnalyzer": ["Namespace", "Pod"],
  "k8sgateway.SelectorAnalyzer": ["Pod"],
  "meshnetworks.MeshNetworksAnalyzer": ["Secret"],
  "service.PortNameAnalyzer": ["Service"],
  "sidecar.SelectorAnalyzer": ["Pod", "Namespace"],
  "telemetry.SelectorAnalyzer": ["Pod"],
  "virtualservice.DestinationHostAnalyzer": ["Service"],
  "virtualservice.JWTClaimRouteAnalyzer": ["Pod"],
  "webhook.Analyzer": ["Service"],
  "pilotfish.RevisionAnalyzer": ["Namespace"],
};

/** Istio 1.30.3 analyzers pilotfish does not implement (asking for one is refused, never silently skipped). */
export const NOT_IMPLEMENTED: readonly string[] = [
  "services.MultiClusterServiceAnalyzer",
  // Validation of the mesh config and mesh networks given (--meshConfigFile, --meshNetworksFile, the cluster's).
  "schema.ValidationAnalyzer.MeshConfig",
  "schema.ValidationAnalyzer.MeshNetworks",
];

export interface Message {
  code: string;
  level: Level;
  /** istioctl's origin: `Kind namespace/name`, or `Kind name` without a namespace. */
  origin: string;
  kind: string;
  namespace: string;
  name: string;
  text: string;
  /** `file:line` of the resource (or of the field the message is about), when it came from a file. */
  reference?: string;
  analyzer: string;
}

export interface Suppression {
  code: string;
  /** `Kind name.namespace` or `Kind namespace/name`; `*` matches any run of characters. */
  resource: string;
}

export interface AnalyzeOptions {
  /** Analyzer names to run; empty: all. */
  analyzers?: readonly string[];
  /** Keep messages on resources of this namespace (and cluster-scoped ones) only; undefined: every namespace. */
  namespace?: string;
  suppressions?: readonly Suppression[];
  /** Checks the edge adds (the per-kind schema validation, which needs the webhook's validator). */
  extraAnalyzers?: readonly Analyzer[];
  /** Skip the analyzers that need runtime kinds (RUNTIME_INPUTS), as istioctl does when it analyses files alone. */
  withoutRuntimeKinds?: boolean;
  /** Places a finding's field path on a line of its file (the edge knows YAML positions). */
  locate?: (f: Finding) => number | undefined;
}

/** Parses `CODE=Kind name` (a --suppress value); undefined when malformed. */
export function parseSuppression(text: string): Suppression | undefined {
  const parts = text.split("=");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { code: parts[0], resource: parts[1] };
}

const glob = (pattern: string, s: string): boolean =>
  new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(s);

function suppressed(f: Finding, sups: readonly Suppression[]): boolean {
  const r = f.resource;
  const anno = r.annotations["galley.istio.io/analyze-suppress"];
  if (anno && anno.split(",").some((c) => c === "*" || c === f.code)) return true;
  const forms = [r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`, r.namespace ? `${r.kind} ${r.name}.${r.namespace}` : `${r.kind} ${r.name}`];
  return sups.some((s) => s.code === f.code && forms.some((x) => glob(s.resource, x)));
}

/** The analyzers named (all when none); throws on a name pilotfish does not know or does not implement. */
export function selectAnalyzers(names: readonly string[] = [], extra: readonly Analyzer[] = []): Analyzer[] {
  const all = [...ANALYZERS, ...extra];
  if (names.length === 0) return all;
  const out: Analyzer[] = [];
  for (const n of names) {
    const a = all.find((x) => x.name === n);
    if (a) out.push(a);
    else if (NOT_IMPLEMENTED.includes(n)) throw new Error(`--analyzer ${n}: not supported by pilotfish (see pilotfish analyze -L)`);
    else throw new Error(`--analyzer ${n}: no such analyzer (see pilotfish analyze -L)`);
  }
  return out;
}

export function analyze(s: Snapshot, o: AnalyzeOptions = {}): Message[] {
  const out: Message[] = [];
  const seen = new Set<string>();
  for (const a of selectAnalyzers(o.analyzers, o.extraAnalyzers)) {
    if (o.withoutRuntimeKinds && RUNTIME_INPUTS[a.name]) continue;
    a.run(s, (f) => {
      const r = f.resource;
      // A Namespace's own namespace is its name (istioctl filters it so).
      const ns = r.kind === "Namespace" ? r.name : r.namespace;
      if (o.namespace !== undefined && ns !== "" && ns !== o.namespace) return;
      if (suppressed(f, o.suppressions ?? [])) return;
      const t = messageType(f.code);
      const line = (f.path && o.locate?.(f)) || r.origin.line;
      const m: Message = {
        code: t.code, level: t.level, origin: r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`,
        kind: r.kind, namespace: r.namespace, name: r.name, text: t.text(...f.args),
        reference: r.origin.file ? `${r.origin.file}${line ? `:${line}` : ""}` : undefined, analyzer: a.name,
      };
      const key = `${m.level}|${m.code}|${m.origin}|${m.text}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(m);
    });
  }
  const cmp = (m: Message) => `${m.kind}/${m.name}/${m.namespace}`;
  return out.sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (cmp(a) < cmp(b) ? -1 : cmp(a) > cmp(b) ? 1 : 0) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

export const DOC_VERSION = "v1.30";

/** The object istioctl prints per message in -o json/yaml (its keys in its order). */
export function messageJson(m: Message): Record<string, string> {
  const out: Record<string, string> = {
    code: m.code,
    documentationUrl: m.code.startsWith("IST") ? `https://istio.io/${DOC_VERSION}/docs/reference/config/analysis/${m.code.toLowerCase()}/?ref=istioctl-analyze` : "",
    level: m.level,
    message: m.text,
    origin: m.origin,
  };
  if (!out.documentationUrl) delete out.documentationUrl;
  if (m.reference) out.reference = m.reference;
  return out;
}

/** One istioctl log line: `Error [IST0101] (VirtualService default/reviews file.yaml:12) Referenced ...`. */
export function messageLine(m: Message): string {
  return `${m.level} [${m.code}] (${m.origin}${m.reference ? ` ${m.reference}` : ""}) ${m.text}`;
}

export function parseLevel(s: string): Level | undefined {
  const l = s.toLowerCase();
  return l === "error" ? "Error" : l === "warning" || l === "warn" ? "Warning" : l === "info" ? "Info" : undefined;
}

/** Whether a message's level is at or above (as bad as, or worse than) a threshold. */
export const atOrAbove = (level: Level, threshold: Level): boolean => LEVEL_RANK[level] <= LEVEL_RANK[threshold];
