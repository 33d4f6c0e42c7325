// CustomResourceDefinitions for the Istio kinds pilotfish validates, generated from the same schemas the
// validator uses, so the API server's structural schema and pilotfish's checks cannot drift apart; plus what Istio
// 1.30.3's CRDs serve besides field types (crd-istio.ts: versions and storage, names, printer columns, CEL rules,
// count/length bounds), so a cluster sees the same API with either set of CRDs.
//
// Types (object, array, string, integer, number, boolean) and count/length bounds are enforced by the API server.
// Objects keep unknown fields (`x-kubernetes-preserve-unknown-fields`), and enums, number ranges and required fields
// (below `spec`) are left to the webhook on purpose: the API server would prune a misspelt field in silence, answer
// "Unsupported value" without a suggestion, or answer "destination: Required value" for a misspelt `destinations:`
// (schema validation runs before the validating webhook, which would then never be asked), while pilotfish's
// validating webhook rejects all of them with the field path and "did you mean ...?". Istio's list-map keys
// (`x-kubernetes-list-type: map`) need their keys required, so they are left out for the same reason.
import type { Schema } from "../../schema/schema.js";
import { KINDS } from "./index.js";
import { ISTIO_CRD_SHAPES, type CelRule, type IstioCrdShape } from "./crd-istio.js";

type Json = Record<string, unknown>;

const PLURALS: Record<string, string> = {
  Gateway: "gateways", VirtualService: "virtualservices", DestinationRule: "destinationrules", ServiceEntry: "serviceentries",
  Sidecar: "sidecars", WorkloadEntry: "workloadentries", WorkloadGroup: "workloadgroups", EnvoyFilter: "envoyfilters",
  ProxyConfig: "proxyconfigs", PeerAuthentication: "peerauthentications", RequestAuthentication: "requestauthentications",
  AuthorizationPolicy: "authorizationpolicies", Telemetry: "telemetries", WasmPlugin: "wasmplugins",
  TrafficExtension: "trafficextensions", IstioOperator: "istiooperators",
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
      return { type: "array", ...(s.min !== undefined ? { minItems: s.min } : {}), ...(s.max !== undefined ? { maxItems: s.max } : {}), items: toOpenApi(s.of) };
    case "map":
      return { type: "object", additionalProperties: toOpenApi(s.of) };
    case "str":
      return { type: "string", ...(s.min !== undefined ? { minLength: s.min } : {}), ...(s.max !== undefined ? { maxLength: s.max } : {}) };
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

const IOP_COLUMNS = [
  { name: "Revision", type: "string", jsonPath: ".spec.revision", description: "Istio control plane revision" },
  { name: "Status", type: "string", jsonPath: ".status.status", description: "HEALTHY, RECONCILING or ERROR" },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
];
/** IstioOperator is pilotfish's own CRD (Istio 1.30.3 ships none): every version served, the first stored. */
const IOP_SHAPE: IstioCrdShape = { versions: ["v1alpha1"], storage: "v1alpha1", shortNames: ["iop", "io"], columns: IOP_COLUMNS, rules: [] };

/** The schema node at `path` (`spec.a[].b{}`) of an OpenAPI schema, or an error naming the missing step. */
function nodeAt(root: Json, path: string, what: string): Json {
  let node = root;
  for (const step of path.match(/[^.[{]+|\[\]|\{\}/g) ?? []) {
    const next =
      step === "[]" ? node.items : step === "{}" ? node.additionalProperties : (node.properties as Json | undefined)?.[step];
    if (!next || typeof next !== "object") throw new Error(`${what}: no schema at ${path} (missing ${step})`);
    node = next as Json;
  }
  return node;
}

/** The OpenAPI schema of a kind's `spec` with the CRD's refinements and CEL rules put in. */
function specSchema(kind: string, schema: Schema, shape: IstioCrdShape): Json {
  const root: Json = { type: "object", properties: { spec: toOpenApi(schema) } };
  for (const [path, refined] of Object.entries(shape.refine ?? {})) {
    const node = nodeAt(root, path, kind);
    Object.assign(node, structuredClone(refined));
    if (node.type !== "object") delete node["x-kubernetes-preserve-unknown-fields"];
  }
  for (const [path, bounds] of Object.entries(shape.bounds ?? {})) Object.assign(nodeAt(root, path, kind), bounds);
  for (const [path, rules] of shape.rules) {
    const node = nodeAt(root, path, kind);
    node["x-kubernetes-validations"] = [...((node["x-kubernetes-validations"] as CelRule[] | undefined) ?? []), ...rules.map((x) => ({ rule: x.rule, message: x.message }))];
  }
  return (root.properties as Json).spec as Json;
}

function crd(group: string, kind: string, plural: string, served: string[], schema: Schema, shape: IstioCrdShape): Json {
  if ([...served].sort().join() !== [...shape.versions].sort().join()) throw new Error(`${kind}: the validator serves ${served.join(", ")} but the CRD lists ${shape.versions.join(", ")}`);
  const openAPIV3Schema = {
    type: "object",
    description: `${kind} (${group}); validated by pilotfish's webhook.`,
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: specSchema(kind, schema, shape),
      status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
    ...(shape.requireSpec ? { required: ["spec"] } : {}),
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${plural}.${group}`,
      labels: { "app.kubernetes.io/part-of": "pilotfish", "app.kubernetes.io/managed-by": "pilotfish" },
      // As Istio's: deleting the chart or the operator's install never deletes the CRDs (and every object with them).
      annotations: { "helm.sh/resource-policy": "keep" },
    },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), ...(shape.shortNames ? { shortNames: shape.shortNames } : {}), categories: ["istio-io", `${group.split(".")[0]}-istio-io`] },
      scope: "Namespaced",
      versions: shape.versions.map((name) => ({
        name, served: true, storage: name === shape.storage, subresources: { status: {} }, schema: { openAPIV3Schema },
        ...(shape.columns.length ? { additionalPrinterColumns: shape.columns } : {}),
      })),
    },
  };
}

/** The Istio CRDs (14 kinds) and IstioOperator, in a stable order. */
export function istioCrds(): Json[] {
  const out: Json[] = [];
  for (const [kind, info] of Object.entries(KINDS)) {
    out.push(crd(info.group, kind, PLURALS[kind], info.versions, info.schema, kind === "IstioOperator" ? IOP_SHAPE : ISTIO_CRD_SHAPES[kind]));
  }
  return out;
}

export { CRDS_FILE } from "../../config/profiles.js";

/** The CRDs as one multi-document YAML file, with a header saying where it comes from. */
export function renderCrdsYaml(dump: (o: unknown) => string): string {
  const header = "# Generated by `make crds` from src/webhook/validate (pilotfish's validation schemas). Do not edit.\n";
  return header + istioCrds().map((c) => "---\n" + dump(c)).join("");
}
