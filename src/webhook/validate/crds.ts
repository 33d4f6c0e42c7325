// CustomResourceDefinitions for the Istio kinds pilotfish validates, generated from the same schemas the
// validator uses, so the API server's structural schema and pilotfish's checks cannot drift apart.
//
// Types (object, array, string, integer, number, boolean) are enforced by the API server. Objects keep
// unknown fields (`x-kubernetes-preserve-unknown-fields`) and enums are left to the webhook on purpose: the API
// server would prune a misspelt field in silence or answer "Unsupported value" without a suggestion, while
// pilotfish's validating webhook rejects both with the field path and "did you mean ...?".
import type { Schema } from "../../schema/schema.js";
import { KINDS } from "./index.js";

type Json = Record<string, unknown>;

const NAMES: Record<string, { plural: string; shortNames?: string[] }> = {
  Gateway: { plural: "gateways", shortNames: ["gw"] },
  VirtualService: { plural: "virtualservices", shortNames: ["vs"] },
  DestinationRule: { plural: "destinationrules", shortNames: ["dr"] },
  ServiceEntry: { plural: "serviceentries", shortNames: ["se"] },
  Sidecar: { plural: "sidecars" },
  WorkloadEntry: { plural: "workloadentries", shortNames: ["we"] },
  WorkloadGroup: { plural: "workloadgroups", shortNames: ["wg"] },
  EnvoyFilter: { plural: "envoyfilters" },
  ProxyConfig: { plural: "proxyconfigs" },
  PeerAuthentication: { plural: "peerauthentications", shortNames: ["pa"] },
  RequestAuthentication: { plural: "requestauthentications", shortNames: ["ra"] },
  AuthorizationPolicy: { plural: "authorizationpolicies", shortNames: ["ap"] },
  Telemetry: { plural: "telemetries", shortNames: ["telemetry"] },
  WasmPlugin: { plural: "wasmplugins" },
  TrafficExtension: { plural: "trafficextensions" },
  IstioOperator: { plural: "istiooperators", shortNames: ["iop", "io"] },
};

/** The OpenAPI v3 (structural) form of a validator schema. */
export function toOpenApi(s: Schema): Json {
  switch (s.t) {
    case "obj": {
      const properties: Json = {};
      for (const [k, v] of Object.entries(s.f)) properties[k] = toOpenApi(v);
      return { type: "object", properties, "x-kubernetes-preserve-unknown-fields": true };
    }
    case "arr":
      return { type: "array", items: toOpenApi(s.of) };
    case "map":
      return { type: "object", additionalProperties: toOpenApi(s.of) };
    case "str":
    case "dur":
      return { type: "string" };
    case "int":
      return { type: "integer" };
    case "num":
      return { type: "number" };
    case "bool":
      return { type: "boolean" };
    case "any":
      return { "x-kubernetes-preserve-unknown-fields": true };
  }
}

/** Istio's storage version per group, as Istio 1.30.3 ships it. */
function storageVersion(versions: string[]): string {
  return versions.includes("v1") ? "v1" : versions[0];
}

const IOP_COLUMNS = [
  { name: "Revision", type: "string", jsonPath: ".spec.revision", description: "Istio control plane revision" },
  { name: "Status", type: "string", jsonPath: ".status.status", description: "HEALTHY, RECONCILING or ERROR" },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
];

function crd(group: string, kind: string, plural: string, versions: string[], spec: Json, shortNames?: string[]): Json {
  const schema = {
    openAPIV3Schema: {
      type: "object",
      description: `${kind} (${group}); validated by pilotfish's webhook.`,
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
        spec,
        status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      },
    },
  };
  const storage = storageVersion(versions);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${plural}.${group}`,
      labels: { "app.kubernetes.io/part-of": "pilotfish", "app.kubernetes.io/managed-by": "pilotfish" },
    },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), ...(shortNames ? { shortNames } : {}), categories: ["istio-io", `${group.split(".")[0]}-istio-io`] },
      scope: "Namespaced",
      versions: versions.map((name) => ({
        name, served: true, storage: name === storage, subresources: { status: {} }, schema,
        ...(kind === "IstioOperator" ? { additionalPrinterColumns: IOP_COLUMNS } : {}),
      })),
    },
  };
}

/** The Istio CRDs (14 kinds) and IstioOperator, in a stable order. */
export function istioCrds(): Json[] {
  const out: Json[] = [];
  for (const [kind, info] of Object.entries(KINDS)) {
    const n = NAMES[kind];
    out.push(crd(info.group, kind, n.plural, info.versions, toOpenApi(info.schema), n.shortNames));
  }
  return out;
}

export { CRDS_FILE } from "../../config/profiles.js";

/** The CRDs as one multi-document YAML file, with a header saying where it comes from. */
export function renderCrdsYaml(dump: (o: unknown) => string): string {
  const header = "# Generated by `make crds` from src/webhook/validate (pilotfish's validation schemas). Do not edit.\n";
  return header + istioCrds().map((c) => "---\n" + dump(c)).join("");
}
