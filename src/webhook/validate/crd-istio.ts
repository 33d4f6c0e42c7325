// What the API server serves for each Istio kind besides the field types: versions (in Istio 1.30.3's order, with its
// storage version), names, printer columns and the CEL rules (`x-kubernetes-validations`) Istio's CRDs carry, written
// down as pilotfish's data after reading Istio 1.30.3's manifests/charts/base/files/crd-all.gen.yaml. The CRD
// generator (crds.ts) puts them on the OpenAPI schema it derives from the validator's schemas; a unit test
// (test/unit/crds-istio.test.ts) compares the result with Istio's file, kind by kind.
//
// The rules are the API server's first line: pilotfish's webhook denies the same objects with its own messages.

export interface CelRule {
  rule: string;
  message: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
}

export interface IstioCrdShape {
  /** Served versions in the order Istio lists them. */
  versions: string[];
  /** The version objects are stored as (a cluster with Istio's CRDs keeps its stored objects readable). */
  storage: string;
  shortNames?: string[];
  columns: PrinterColumn[];
  /** Istio's CRD requires `spec` at the top. */
  requireSpec?: boolean;
  /** CEL rules by schema path: `spec.a[].b{}` (`[]` a list's items, `{}` a map's values). */
  rules: [string, CelRule[]][];
  /**
   * Count and length bounds (maxItems, maxProperties, maxLength, min...) the CRD adds to the validator's schema, as
   * Istio's CRD has them: the API server needs them to estimate the CEL rules' cost within its limits.
   */
  bounds?: Record<string, Bounds>;
  /**
   * Schema nodes the CRD types more narrowly than the validator does (the validator keeps them loose to give its own
   * message), where a CEL rule needs the type.
   */
  refine?: Record<string, Record<string, unknown>>;
}

export interface Bounds {
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  minLength?: number;
  maxLength?: number;
}

/** A workload selector's `matchLabels` (4096 labels) or `labels` (256), label values being at most 63 characters. */
const selectorBounds = (at: string, max = 4096): Record<string, Bounds> => ({ [at]: { maxProperties: max }, [`${at}{}`]: { maxLength: 63 } });
/** A policy target reference (Gateway API style names). */
const targetRefBounds = (at: string): Record<string, Bounds> => ({
  [`${at}.group`]: { maxLength: 253 }, [`${at}.kind`]: { minLength: 1, maxLength: 63 }, [`${at}.name`]: { minLength: 1, maxLength: 253 },
});
/** `selector`, `targetRef` (unless `single` is false) and `targetRefs` of a policy. */
const policyTargetBounds = (single = true): Record<string, Bounds> => ({
  ...selectorBounds("spec.selector.matchLabels"), ...(single ? targetRefBounds("spec.targetRef") : {}), ...targetRefBounds("spec.targetRefs[]"),
});
const NON_EMPTY: Bounds = { minLength: 1 };

const r = (rule: string, message: string): CelRule => ({ rule, message });
/** At most one of the fields is set (Istio counts them rather than using oneOf). */
const atMostOne = (fields: string[], message: string) => r(`${fields.map((f) => `(has(self.${f}) ? 1 : 0)`).join(" + ")} <= 1`, message);

const AGE: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since the object was created." };
const MIN_1MS = r("duration(self) >= duration('1ms')", "must be a valid duration greater than 1ms");
const PORT = r("0 < self && self <= 65535", "port must be between 1-65535");
const SAME_NAMESPACE = r("self.size() == 0", "cross namespace referencing is not currently supported");
const SELECTOR_WILDCARD = r('!self.contains("*")', "wildcard is not supported in selector");
const ENV_VALUE = r('(has(self.valueFrom) ? self.valueFrom : "") != "HOST" || !has(self.value)', "value may only be set when valueFrom is INLINE");
const ONE_SELECTOR = atMostOne(["selector", "targetRef", "targetRefs"], "only one of targetRefs or selector can be set");
const ADDRESS_REQUIRED = r("has(self.address) || has(self.network)", "Address is required");
const UDS_NO_PORTS = r('(has(self.address) ? self.address : "").startsWith("unix://") ? !has(self.ports) : true', "UDS may not include ports");
const UDS_ADDRESS = [
  r('self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true', "UDS must be an absolute path or abstract socket"),
  r('self.startsWith("unix://") ? !self.endsWith("/") : true', "UDS may not be a dir"),
];
const PORT_NAMES = r('self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))', "port name must be valid");
const TLS_CREDENTIALS = [
  atMostOne(["tlsCertificates", "credentialNames"], "only one of credentialNames or tlsCertificates can be set"),
  atMostOne(["credentialName", "credentialNames"], "only one of credentialName or credentialNames can be set"),
  // Istio's third rule checks the same pair as the first one under another message; kept as Istio serves it.
  atMostOne(["credentialNames", "tlsCertificates"], "only one of credentialName or tlsCertificates can be set"),
];
const HTTP_URL = r('url(self).getScheme() in ["http", "https"]', "url must have scheme http:// or https://");
/** A Wasm module URL: a URL with one of the schemes, or a host/path that is one once `http://` is put in front. */
const wasmUrl = (schemes: string[]) => {
  const list = `[${schemes.map((s) => `"${s}"`).join(", ")}]`;
  return r(`isURL(self) ? (url(self).getScheme() in ${list}) : (isURL("http://" + self) &&\nurl("http://" + self).getScheme() in ${list})`, `url must have schema one of [http, https, file, oci]`);
};

/** `matchLabels` of a workload selector: no wildcard, no empty key. */
function matchLabels(at: string): [string, CelRule[]][] {
  return [
    [at, [r('self.all(key, !key.contains("*"))', "wildcard not allowed in label key match"), r("self.all(key, key.size() != 0)", "key must not be empty")]],
    [`${at}{}`, [r('!self.contains("*")', "wildcard not allowed in label value match")]],
  ];
}
const targetRefs = (at: string, single: boolean): [string, CelRule[]][] => [
  ...(single ? ([[`${at}.targetRef.namespace`, [SAME_NAMESPACE]]] as [string, CelRule[]][]) : []),
  [`${at}.targetRefs[].namespace`, [SAME_NAMESPACE]],
];

/** The durations of a connection pool that must be at least 1ms. */
const POOL_DURATIONS = ["http.idleTimeout", "tcp.connectTimeout", "tcp.maxConnectionDuration", "tcp.tcpKeepalive.interval", "tcp.tcpKeepalive.time"];
/** A DestinationRule traffic policy's durations (connection pool, warmup, outlier detection), per port too. */
function trafficPolicyDurations(at: string): [string, CelRule[]][] {
  const one = (p: string): [string, CelRule[]][] =>
    [
      ...POOL_DURATIONS.map((d) => `connectionPool.${d}`),
      "loadBalancer.warmup.duration", "loadBalancer.warmupDurationSecs", "outlierDetection.baseEjectionTime", "outlierDetection.interval",
    ].map((d) => [`${p}.${d}`, [MIN_1MS]]);
  return [...one(at), ...one(`${at}.portLevelSettings[]`)];
}

const NETWORKING = ["v1", "v1alpha3", "v1beta1"];
const SECURITY = ["v1", "v1beta1"];

export const ISTIO_CRD_SHAPES: Record<string, IstioCrdShape> = {
  Gateway: {
    versions: NETWORKING, storage: "v1", shortNames: ["gw"], columns: [],
    rules: [["spec.servers[].tls", TLS_CREDENTIALS]],
  },
  VirtualService: {
    versions: NETWORKING, storage: "v1", shortNames: ["vs"],
    columns: [
      { name: "Gateways", type: "string", jsonPath: ".spec.gateways", description: "Gateways and sidecars the routes apply to." },
      { name: "Hosts", type: "string", jsonPath: ".spec.hosts", description: "Destination hosts the routes are for." },
      AGE,
    ],
    rules: ["corsPolicy.maxAge", "fault.delay.exponentialDelay", "fault.delay.fixedDelay", "retries.backoff", "retries.perTryTimeout", "timeout"].map((d) => [`spec.http[].${d}`, [MIN_1MS]]),
  },
  DestinationRule: {
    versions: NETWORKING, storage: "v1", shortNames: ["dr"],
    columns: [{ name: "Host", type: "string", jsonPath: ".spec.host", description: "The service the rule applies to." }, AGE],
    bounds: {
      "spec.trafficPolicy.portLevelSettings": { maxItems: 4096 }, "spec.subsets[].trafficPolicy.portLevelSettings": { maxItems: 4096 },
      ...selectorBounds("spec.workloadSelector.matchLabels"),
    },
    rules: [...trafficPolicyDurations("spec.subsets[].trafficPolicy"), ...trafficPolicyDurations("spec.trafficPolicy"), ...matchLabels("spec.workloadSelector.matchLabels")],
  },
  ServiceEntry: {
    versions: NETWORKING, storage: "v1", shortNames: ["se"], requireSpec: true,
    columns: [
      { name: "Hosts", type: "string", jsonPath: ".spec.hosts", description: "Hosts of the service." },
      { name: "Location", type: "string", jsonPath: ".spec.location", description: "MESH_EXTERNAL or MESH_INTERNAL." },
      { name: "Resolution", type: "string", jsonPath: ".spec.resolution", description: "How endpoints are found: NONE, STATIC, DNS or DNS_ROUND_ROBIN." },
      AGE,
    ],
    bounds: {
      "spec.endpoints": { maxItems: 4096 }, "spec.endpoints[].labels": { maxProperties: 256 }, "spec.endpoints[].ports": { maxProperties: 128 },
      "spec.ports": { maxItems: 256 }, ...selectorBounds("spec.workloadSelector.labels", 256),
    },
    rules: [
      ["spec", [
        atMostOne(["workloadSelector", "endpoints"], "only one of WorkloadSelector or Endpoints can be set"),
        r('!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))', "CIDR addresses are allowed only for NONE/STATIC resolution types"),
        r('((has(self.resolution) ? self.resolution : "NONE") == "NONE") ? !has(self.endpoints) : true', "NONE mode cannot set endpoints"),
        r('((has(self.resolution) ? self.resolution : "") == "DNS_ROUND_ROBIN") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true', "DNS_ROUND_ROBIN mode cannot have multiple endpoints"),
      ]],
      ["spec.endpoints[]", [ADDRESS_REQUIRED, UDS_NO_PORTS]],
      ["spec.endpoints[].address", UDS_ADDRESS],
      ["spec.endpoints[].ports", [PORT_NAMES]],
      ["spec.endpoints[].ports{}", [PORT]],
      ["spec.hosts[]", [r('self != "*"', "hostname cannot be wildcard")]],
      ["spec.ports", [r("self.all(l1, self.exists_one(l2, l1.number == l2.number))", "port number cannot be duplicated")]],
      ["spec.ports[].number", [PORT]],
      ["spec.ports[].targetPort", [PORT]],
      ["spec.workloadSelector.labels{}", [SELECTOR_WILDCARD]],
    ],
  },
  Sidecar: {
    versions: NETWORKING, storage: "v1", columns: [],
    bounds: selectorBounds("spec.workloadSelector.labels", 256),
    rules: [
      ...POOL_DURATIONS.map((d): [string, CelRule[]] => [`spec.inboundConnectionPool.${d}`, [MIN_1MS]]),
      ...POOL_DURATIONS.map((d): [string, CelRule[]] => [`spec.ingress[].connectionPool.${d}`, [MIN_1MS]]),
      ["spec.ingress[].tls", TLS_CREDENTIALS],
      ["spec.workloadSelector.labels{}", [SELECTOR_WILDCARD]],
    ],
  },
  WorkloadEntry: {
    versions: NETWORKING, storage: "v1", shortNames: ["we"], requireSpec: true,
    columns: [AGE, { name: "Address", type: "string", jsonPath: ".spec.address", description: "Address of the workload." }],
    bounds: { "spec.labels": { maxProperties: 256 }, "spec.ports": { maxProperties: 128 } },
    rules: [
      ["spec", [ADDRESS_REQUIRED, UDS_NO_PORTS]],
      ["spec.address", UDS_ADDRESS],
      ["spec.ports", [PORT_NAMES]],
      ["spec.ports{}", [PORT]],
    ],
  },
  WorkloadGroup: {
    versions: NETWORKING, storage: "v1", shortNames: ["wg"], requireSpec: true, columns: [AGE],
    bounds: {
      "spec.metadata.annotations": { maxProperties: 256 }, "spec.metadata.labels": { maxProperties: 256 }, "spec.probe.exec.command[]": NON_EMPTY,
      "spec.template.labels": { maxProperties: 256 }, "spec.template.ports": { maxProperties: 128 },
    },
    rules: [
      ["spec.probe.grpc.port", [PORT]],
      ["spec.probe.httpGet.port", [PORT]],
      ["spec.probe.httpGet.scheme", [r('self in ["", "HTTP", "HTTPS"]', "scheme must be one of [HTTP, HTTPS]")]],
      ["spec.probe.tcpSocket.port", [PORT]],
      ["spec.template", [UDS_NO_PORTS]],
      ["spec.template.address", UDS_ADDRESS],
      ["spec.template.ports", [PORT_NAMES]],
      ["spec.template.ports{}", [PORT]],
    ],
  },
  EnvoyFilter: {
    versions: ["v1alpha3"], storage: "v1alpha3", columns: [],
    bounds: { "spec.targetRefs": { maxItems: 16 }, ...targetRefBounds("spec.targetRefs[]"), ...selectorBounds("spec.workloadSelector.labels", 256) },
    rules: [
      ["spec", [atMostOne(["workloadSelector", "targetRefs"], "only one of targetRefs or workloadSelector can be set")]],
      ["spec.configPatches[].match", [r('has(self.context) ? ((self.context == "WAYPOINT") ? has(self.waypoint) : !has(self.waypoint)) : !has(self.waypoint)', "only support waypointMatch when context is WAYPOINT")]],
      ["spec.configPatches[].match.waypoint.portNumber", [PORT]],
      ...targetRefs("spec", false),
      ["spec.workloadSelector.labels{}", [SELECTOR_WILDCARD]],
    ],
    refine: {
      "spec.targetRefs[]": { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { group: { type: "string" }, kind: { type: "string" }, name: { type: "string" }, namespace: { type: "string" } } },
      "spec.configPatches[].match.waypoint": { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { filter: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, route: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, portNumber: { type: "integer" } } },
    },
  },
  ProxyConfig: {
    versions: ["v1beta1"], storage: "v1beta1", columns: [],
    bounds: selectorBounds("spec.selector.matchLabels"),
    rules: matchLabels("spec.selector.matchLabels"),
  },
  PeerAuthentication: {
    versions: SECURITY, storage: "v1", shortNames: ["pa"],
    columns: [{ name: "Mode", type: "string", jsonPath: ".spec.mtls.mode", description: "The mutual TLS mode." }, AGE],
    bounds: { "spec.portLevelMtls": { minProperties: 1 }, ...selectorBounds("spec.selector.matchLabels") },
    rules: [
      ["spec", [r("has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true", "portLevelMtls requires selector")]],
      ["spec.portLevelMtls", [r("self.all(key, 0 < int(key) && int(key) <= 65535)", "port must be between 1-65535")]],
      ...matchLabels("spec.selector.matchLabels"),
    ],
  },
  RequestAuthentication: {
    versions: SECURITY, storage: "v1", shortNames: ["ra"], columns: [],
    bounds: {
      ...policyTargetBounds(),
      ...Object.fromEntries(["audiences[]", "fromCookies[]", "fromHeaders[].name", "fromParams[]", "issuer", "jwksUri", "jwks_uri", "outputClaimToHeaders[].claim", "outputClaimToHeaders[].header", "spaceDelimitedClaims[]"].map((f) => [`spec.jwtRules[].${f}`, NON_EMPTY])),
    },
    rules: [
      ["spec", [ONE_SELECTOR]],
      ["spec.jwtRules[]", [atMostOne(["jwksUri", "jwks_uri", "jwks"], "only one of jwks or jwksUri can be set")]],
      ["spec.jwtRules[].jwks_uri", [HTTP_URL]],
      ["spec.jwtRules[].jwksUri", [HTTP_URL]],
      ["spec.jwtRules[].timeout", [MIN_1MS]],
      ...matchLabels("spec.selector.matchLabels"),
      ...targetRefs("spec", true),
    ],
  },
  AuthorizationPolicy: {
    versions: SECURITY, storage: "v1", shortNames: ["ap"],
    columns: [{ name: "Action", type: "string", jsonPath: ".spec.action", description: "ALLOW, DENY, AUDIT or CUSTOM." }, AGE],
    bounds: policyTargetBounds(),
    rules: [
      ["spec", [ONE_SELECTOR]],
      ["spec.rules[].from[].source", [r("(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true", "Cannot set serviceAccounts with namespaces or principals")]],
      ...matchLabels("spec.selector.matchLabels"),
      ...targetRefs("spec", true),
    ],
  },
  Telemetry: {
    // Istio 1.30.3 still stores Telemetry as v1alpha1.
    versions: ["v1", "v1alpha1"], storage: "v1alpha1", shortNames: ["telemetry"], columns: [AGE],
    bounds: {
      ...policyTargetBounds(),
      ...Object.fromEntries([
        "accessLogging[].providers[].name", "metrics[].overrides[].match.customMetric", "metrics[].providers[].name", "tracing[].providers[].name",
        "tracing[].customTags{}.environment.name", "tracing[].customTags{}.formatter.value", "tracing[].customTags{}.header.name", "tracing[].customTags{}.literal.value",
      ].map((f) => [`spec.${f}`, NON_EMPTY])),
    },
    rules: [
      ["spec", [ONE_SELECTOR]],
      ["spec.metrics[].overrides[].tagOverrides{}", [
        r('((has(self.operation) ? self.operation : "") == "UPSERT") ? (self.value != "") : true', "value must be set when operation is UPSERT"),
        r('((has(self.operation) ? self.operation : "") == "REMOVE") ? !has(self.value) : true', "value must not be set when operation is REMOVE"),
      ]],
      ["spec.metrics[].reportingInterval", [MIN_1MS]],
      ...matchLabels("spec.selector.matchLabels"),
      ...targetRefs("spec", true),
    ],
  },
  WasmPlugin: {
    versions: ["v1alpha1"], storage: "v1alpha1", columns: [AGE],
    requireSpec: true,
    bounds: {
      ...policyTargetBounds(),
      "spec.imagePullSecret": { minLength: 1, maxLength: 253 }, "spec.pluginName": { minLength: 1, maxLength: 256 },
      "spec.url": NON_EMPTY, "spec.vmConfig.env[].name": { minLength: 1, maxLength: 256 },
    },
    rules: [
      ["spec", [ONE_SELECTOR]],
      ...matchLabels("spec.selector.matchLabels"),
      ...targetRefs("spec", true),
      ["spec.url", [wasmUrl(["", "http", "https", "oci", "file"])]],
      ["spec.vmConfig.env[]", [ENV_VALUE]],
    ],
    refine: { "spec.url": { type: "string" } },
  },
  TrafficExtension: {
    versions: ["v1alpha1"], storage: "v1alpha1", columns: [AGE],
    requireSpec: true,
    bounds: {
      ...policyTargetBounds(false),
      "spec.lua.inlineCode": { minLength: 1, maxLength: 65536 }, "spec.wasm.imagePullSecret": { minLength: 1, maxLength: 253 },
      "spec.wasm.pluginName": { minLength: 1, maxLength: 256 }, "spec.wasm.url": NON_EMPTY, "spec.wasm.vmConfig.env[].name": { minLength: 1, maxLength: 256 },
    },
    rules: [
      ["spec", [atMostOne(["selector", "targetRefs"], "only one of targetRefs or selector can be set"), r("has(self.wasm) != has(self.lua)", "exactly one of wasm or lua must be set")]],
      ...matchLabels("spec.selector.matchLabels"),
      ...targetRefs("spec", false),
      ["spec.wasm.url", [wasmUrl(["", "http", "https", "file", "oci"])]],
      ["spec.wasm.vmConfig.env[]", [ENV_VALUE]],
    ],
  },
};
