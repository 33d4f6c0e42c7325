// SidecarTemplateData (Istio's pkg/kube/inject/inject.go) built from pilotfish's TemplateContext: what an injection
// template sees as `.`. Kubernetes objects become Go structs with Go field names (`.Spec.Containers`,
// `.ObjectMeta.Annotations`), the ProxyConfig and MeshConfig protos become Go structs with getters (`GetTracing`),
// enums that print as their names (`.InterceptionMode.String`), wrapper types with `GetValue`, and durations that
// `formatDuration` reads; `.Values` stays a Go map (JSON), as Istio's `map[string]any`.
import { goDurationNanos } from "../../../config/duration.js";
import { DURATION_FIELDS } from "../../../config/mesh.js";
import { isObject, str } from "../../../config/values.js";
import type { TemplateContext } from "../context.js";
import { canonicalQuantity } from "../quantity.js";
import { cloneJson } from "../merge.js";
import { goJsonData, goMap } from "../../../gotemplate/index.js";
import { goEnum, goNilWithMethods, struct } from "./go.js";

type J = unknown;

// ---- Kubernetes structs -------------------------------------------------------------------------------------

/** JSON names whose Go field name is not the JSON name with its first letter upper-cased. */
const K8S_GO_NAMES: Record<string, string> = {
  uid: "UID", apiVersion: "APIVersion", hostPID: "HostPID", hostIPC: "HostIPC", dnsPolicy: "DNSPolicy", dnsConfig: "DNSConfig",
  os: "OS", setHostnameAsFQDN: "SetHostnameAsFQDN", tty: "TTY", hostIP: "HostIP", podIP: "PodIP", podIPs: "PodIPs", ip: "IP",
  seLinuxOptions: "SELinuxOptions", seLinuxChangePolicy: "SELinuxChangePolicy", httpGet: "HTTPGet", httpHeaders: "HTTPHeaders",
  tcpSocket: "TCPSocket", grpc: "GRPC", hostPath: "HostPath", downwardAPI: "DownwardAPI", csi: "CSI", nfs: "NFS", iscsi: "ISCSI",
  fc: "FC", rbd: "RBD", awsElasticBlockStore: "AWSElasticBlockStore", gcePersistentDisk: "GCEPersistentDisk", cephfs: "CephFS",
  scaleIO: "ScaleIO", storageos: "StorageOS", fsGroup: "FSGroup", fsGroupChangePolicy: "FSGroupChangePolicy",
  gmsaCredentialSpecName: "GMSACredentialSpecName", gmsaCredentialSpec: "GMSACredentialSpec", targetWWNs: "TargetWWNs",
  wwids: "WWIDs", iqn: "IQN", chapAuthDiscovery: "DiscoveryCHAPAuth", chapAuthSession: "SessionCHAPAuth", serviceAccount: "DeprecatedServiceAccount",
};
/** Fields that are Go maps (keys kept as written). */
const K8S_MAPS = new Set(["labels", "annotations", "nodeSelector", "overhead", "matchLabels", "volumeAttributes", "limits", "requests"]);
/** ResourceList maps: resource.Quantity values print in canonical form. */
const QUANTITY_MAPS = new Set(["limits", "requests", "overhead"]);

function goName(k: string, table: Record<string, string>): string {
  return table[k] ?? k.charAt(0).toUpperCase() + k.slice(1);
}

/**
 * Zero values of the plain (non-pointer) fields of the Kubernetes types templates read, so that an absent field
 * reads as Go reads it ("" for a string, 0, false) rather than nil; and the types of their list fields' items.
 */
const K8S_TYPES: Record<string, { zero: Record<string, unknown>; items?: Record<string, string> }> = {
  ObjectMeta: { zero: { Name: "", GenerateName: "", Namespace: "", UID: "", ResourceVersion: "", Generation: 0 } },
  PodSpec: {
    zero: {
      RestartPolicy: "", DNSPolicy: "", ServiceAccountName: "", DeprecatedServiceAccount: "", NodeName: "", HostNetwork: false, HostPID: false,
      HostIPC: false, Hostname: "", Subdomain: "", SchedulerName: "", PriorityClassName: "",
    },
    items: { containers: "Container", initContainers: "Container", volumes: "Volume" },
  },
  Container: {
    zero: { Name: "", Image: "", WorkingDir: "", TerminationMessagePath: "", TerminationMessagePolicy: "", ImagePullPolicy: "", Stdin: false, StdinOnce: false, TTY: false },
    items: { ports: "ContainerPort", env: "EnvVar", volumeMounts: "VolumeMount" },
  },
  ContainerPort: { zero: { Name: "", HostPort: 0, ContainerPort: 0, Protocol: "", HostIP: "" } },
  EnvVar: { zero: { Name: "", Value: "" } },
  VolumeMount: { zero: { Name: "", ReadOnly: false, MountPath: "", SubPath: "", SubPathExpr: "" } },
  Volume: { zero: { Name: "" } },
};

/** A Kubernetes JSON object as the Go struct (of type `type`, when known) it decodes into. */
export function k8sStruct(json: J, type?: string): J {
  if (Array.isArray(json)) return json.map((x) => k8sStruct(x, type));
  if (!isObject(json)) return json;
  const t = type ? K8S_TYPES[type] : undefined;
  const fields: Record<string, unknown> = { ...(t?.zero ?? {}) };
  for (const [k, v] of Object.entries(json)) {
    if (v === null || v === undefined) continue;
    if (K8S_MAPS.has(k) && isObject(v)) {
      const m: Record<string, unknown> = {};
      for (const [mk, mv] of Object.entries(v)) m[mk] = QUANTITY_MAPS.has(k) ? quantity(mv) : mv;
      // A Go map[string]string: `index` of a missing key gives "".
      fields[goName(k, K8S_GO_NAMES)] = QUANTITY_MAPS.has(k) ? m : goMap(m, "");
    } else if (typeof v === "object") {
      // Converted when a template first reads it: most of a pod (2,000 env vars) is never read.
      lazy(fields, goName(k, K8S_GO_NAMES), () => k8sStruct(v, t?.items?.[k]));
    } else {
      fields[goName(k, K8S_GO_NAMES)] = v;
    }
  }
  return struct(fields, json);
}

/** Defines `o[key]` as the value of `make()`, computed on first read and then kept. */
function lazy(o: Record<string, unknown>, key: string, make: () => unknown): void {
  Object.defineProperty(o, key, {
    enumerable: true,
    configurable: true,
    get() {
      const v = make();
      Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
      return v;
    },
    set(v: unknown) {
      Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
    },
  });
}

/** A resource.Quantity prints in canonical form ("2" for 2000m, "1Gi" for 1024Mi). */
function quantity(v: J): J {
  return typeof v === "string" || typeof v === "number" ? canonicalQuantity(v) : v;
}

// ---- Protobuf structs ---------------------------------------------------------------------------------------

/** Enum-typed fields of the mesh protos and their zero value's name. */
const PROTO_ENUMS: Record<string, string> = {
  interceptionMode: "REDIRECT", controlPlaneAuthPolicy: "NONE", mode: "", ingressControllerMode: "UNSPECIFIED",
  accessLogEncoding: "TEXT", h2UpgradePolicy: "DO_NOT_UPGRADE", serviceAttributeEnrichment: "",
  forwardClientCertDetails: "UNDEFINED", tlsMode: "",
};
/** google.protobuf wrapper fields (BoolValue, Int32Value, ...): a message with `Value` and `GetValue`. */
const PROTO_WRAPPERS = new Set([
  "holdApplicationUntilProxyStarts", "concurrency", "statsCompression", "enableIstioTags", "enableAutoMtls", "enableTracing",
  "enablePrometheusMerge", "verifyCertificateAtClient",
]);
/** Map fields (map<string,string> and the like). */
const PROTO_MAPS = new Set(["proxyMetadata", "runtimeValues", "customTags"]);
/** Proto JSON names whose Go name differs from the upper-cased first letter. */
const PROTO_GO_NAMES: Record<string, string> = {
  tlsSettings: "TlsSettings", caCertificatesPem: "CaCertificatesPem", meshId: "MeshId", sds: "Sds", proxyHeaders: "ProxyHeaders",
};

function wrapper(v: J): J {
  if (v === undefined || v === null) return undefined;
  const value = isObject(v) && "value" in v ? v.value : v;
  return struct({ Value: value, GetValue: () => value }, v);
}

/**
 * Message-typed fields of the mesh protos whose getters templates chain (`.ProxyConfig.GetTracing.GetTlsSettings`):
 * message -> Go field -> the field's message type. Go calls a getter on a nil message and gets nil: here an unset
 * field of a listed type reads, through its getter, as that type's nil message, whose own getters read nil.
 */
const PROTO_MESSAGES: Record<string, Record<string, string>> = {
  ProxyConfig: {
    Tracing: "Tracing", Image: "", ReadinessProbe: "", PrivateKeyProvider: "", ProxyStatsMatcher: "", ProxyHeaders: "",
    EnvoyMetricsService: "", EnvoyAccessLogService: "", Sds: "",
  },
  Tracing: { TlsSettings: "", Zipkin: "", Lightstep: "", Datadog: "", Stackdriver: "", OpenCensusAgent: "" },
  MeshConfig: { DefaultConfig: "ProxyConfig", InboundTrafficPolicy: "", OutboundTrafficPolicy: "", LocalityLbSetting: "" },
};

function nilMessage(type: string): J {
  const getters: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(PROTO_MESSAGES[type] ?? {})) getters["Get" + name] = t ? () => nilMessage(t) : () => null;
  return goNilWithMethods(getters as Record<string, () => unknown>);
}

/** A protobuf message (protojson form) as its generated Go struct: fields plus `GetX` getters. */
export function protoStruct(json: J, type = "", always: Record<string, () => unknown> = {}): J {
  if (!isObject(json)) return json;
  const fields: Record<string, unknown> = {};
  const messages = PROTO_MESSAGES[type] ?? {};
  for (const [k, v] of Object.entries(json)) {
    if (v === null || v === undefined) continue;
    const name = goName(k, PROTO_GO_NAMES);
    let gv: J;
    if (k in PROTO_ENUMS && typeof v === "string") gv = goEnum(v);
    else if (DURATION_FIELDS.has(k) || /(Duration|Timeout|Interval|Delay)$/.test(k)) gv = typeof v === "string" ? durationStruct(v) : protoStruct(v);
    else if (PROTO_WRAPPERS.has(k)) gv = wrapper(v);
    else if (PROTO_MAPS.has(k) && isObject(v)) gv = goMap({ ...v }, "");
    else if (Array.isArray(v)) gv = v.map((x) => (isObject(x) ? protoStruct(x) : x));
    else if (isObject(v)) gv = protoStruct(v, messages[name] ?? "");
    else gv = v;
    fields[name] = gv;
  }
  // Fields that always read as something: enums (their zero value prints as its name) and wrappers (Go calls
  // GetValue on a nil *BoolValue and gets the zero value).
  for (const [name, make] of Object.entries(always)) if (!(name in fields)) fields[name] = make();
  const getters: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(messages)) getters["Get" + name] = t ? () => nilMessage(t) : () => null;
  for (const [name, v] of Object.entries(fields)) getters["Get" + name] = () => v;
  const s = struct({ ...fields, ...getters }, json);
  if (type) PROTO_TYPES.set(s, type);
  return s;
}

const PROTO_TYPES = new WeakMap<object, string>();
/** The proto message type a value built by protoStruct stands for ("ProxyConfig", "MeshConfig", ...), if known. */
export function protoTypeOf(v: unknown): string | undefined {
  return v !== null && typeof v === "object" ? PROTO_TYPES.get(v) : undefined;
}

const nilWrapper = (zero: unknown) => () => goNilWithMethods({ GetValue: () => zero });
const PROXY_CONFIG_ALWAYS: Record<string, () => unknown> = {
  InterceptionMode: () => goEnum("REDIRECT"),
  ControlPlaneAuthPolicy: () => goEnum("NONE"),
  HoldApplicationUntilProxyStarts: nilWrapper(false),
  Concurrency: nilWrapper(0),
  // A nil map[string]string: `index` gives "", `range` nothing.
  ProxyMetadata: () => goMap({}, ""),
  RuntimeValues: () => goMap({}, ""),
};

function durationStruct(s: string): J {
  const ns = goDurationNanos(s);
  if (ns === undefined) return s;
  const seconds = ns / 1_000_000_000n;
  const nanos = ns - seconds * 1_000_000_000n;
  return struct({ Seconds: Number(seconds), Nanos: Number(nanos), String: () => protoTextDuration(seconds, nanos) }, s);
}

/** A durationpb.Duration's String() (prototext). */
function protoTextDuration(seconds: bigint, nanos: bigint): string {
  const parts: string[] = [];
  if (seconds !== 0n) parts.push(`seconds:${seconds}`);
  if (nanos !== 0n) parts.push(`nanos:${nanos}`);
  return parts.join(" ");
}

/** The nanoseconds of a duration value built by protoStruct (or a Go duration string). */
export function durationNanos(v: J): bigint | undefined {
  if (typeof v === "string") return goDurationNanos(v);
  if (v && typeof v === "object" && "Seconds" in v) {
    const o = v as { Seconds?: number; Nanos?: number };
    return BigInt(o.Seconds ?? 0) * 1_000_000_000n + BigInt(o.Nanos ?? 0);
  }
  return undefined;
}

// ---- SidecarTemplateData ------------------------------------------------------------------------------------

/** Istio's InboundTrafficPolicyMode: "localhost" for LOCALHOST, else "passthrough". */
function inboundTrafficPolicyMode(mesh: J): string {
  const itp = isObject(mesh) ? mesh.inboundTrafficPolicy : undefined;
  return isObject(itp) && itp.mode === "LOCALHOST" ? "localhost" : "passthrough";
}

/** `.` of an injection template. */
export function sidecarTemplateData(t: TemplateContext): J {
  const meta = isObject(t.pod.metadata) ? t.pod.metadata : {};
  // Annotations and Labels are always maps, so `isset`/`index` read them as Go reads a nil map.
  const metaJson = { ...meta, annotations: { ...t.annotations }, labels: { ...t.labels } };
  return struct(
    {
      TypeMeta: struct({ Kind: str(t.typeMeta.kind), APIVersion: str(t.typeMeta.apiVersion) }, t.typeMeta),
      DeploymentMeta: struct(
        { Name: t.deployMeta.name, Namespace: t.deployMeta.namespace, String: () => `${t.deployMeta.namespace}/${t.deployMeta.name}` },
        t.deployMeta,
      ),
      ObjectMeta: k8sStruct(metaJson, "ObjectMeta"),
      Spec: k8sStruct(isObject(t.pod.spec) ? t.pod.spec : {}, "PodSpec"),
      ProxyConfig: protoStruct(t.proxyConfig, "ProxyConfig", PROXY_CONFIG_ALWAYS),
      MeshConfig: protoStruct(t.mesh, "MeshConfig"),
      // A copy: sprig's `set`/`unset` write to maps, and the settings' values are shared by every pod.
      // Istio decodes the values JSON into map[string]any: every number is a float64 (1000000 prints as 1e+06).
      Values: goJsonData(cloneJson(t.values)),
      Revision: t.revision,
      NativeSidecars: t.native,
      ProxyImage: t.proxyImage,
      ProxyUID: t.proxyUID,
      ProxyGID: t.proxyGID,
      InboundTrafficPolicyMode: inboundTrafficPolicyMode(t.mesh),
      CompliancePolicy: t.compliancePolicy,
    },
    null,
  );
}
