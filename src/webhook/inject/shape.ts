// The shape of the Pod fields the injection core reads. Istio decodes the review's object into a corev1.Pod before
// injecting and denies the pod when that fails; pilotfish reads plain JSON, so it checks the JSON types of the
// fields it uses first and denies with the field path, worded as Go's JSON decoder words it. Pure; iterative (a
// pod nested thousands of levels deep is denied, not a stack overflow).

type Kind = "string" | "bool" | "number" | "object" | "array" | "map[string]string" | "any";
interface Field {
  kind: Kind;
  goType: string;
  /** The struct the field is in, as Go names it in its message. */
  struct?: string;
  items?: Record<string, Field> | Field;
  fields?: Record<string, Field>;
}

/** Nesting deeper than this is denied (the core walks pods recursively). */
export const MAX_POD_DEPTH = 500;

const str = (goType = "string"): Field => ({ kind: "string", goType });
const bool = (): Field => ({ kind: "bool", goType: "bool" });
const num = (goType = "int32"): Field => ({ kind: "number", goType });
const strList = (): Field => ({ kind: "array", goType: "[]string", items: str() });
const strMap = (): Field => ({ kind: "map[string]string", goType: "map[string]string" });
const obj = (goType: string, fields: Record<string, Field> = {}): Field => ({ kind: "object", goType, fields });
const list = (goType: string, item: Field): Field => ({ kind: "array", goType, items: item });

const CONTAINER = obj("v1.Container", {
  name: str(),
  image: str(),
  imagePullPolicy: str("v1.PullPolicy"),
  command: strList(),
  args: strList(),
  workingDir: str(),
  env: list("[]v1.EnvVar", obj("v1.EnvVar", { name: str(), value: str() })),
  ports: list("[]v1.ContainerPort", obj("v1.ContainerPort", { name: str(), containerPort: num(), protocol: str("v1.Protocol") })),
  volumeMounts: list("[]v1.VolumeMount", obj("v1.VolumeMount", { name: str(), mountPath: str() })),
  resources: obj("v1.ResourceRequirements", { limits: obj("v1.ResourceList"), requests: obj("v1.ResourceList") }),
  securityContext: obj("*v1.SecurityContext"),
  lifecycle: obj("*v1.Lifecycle"),
  readinessProbe: obj("*v1.Probe"),
  livenessProbe: obj("*v1.Probe"),
  startupProbe: obj("*v1.Probe"),
  restartPolicy: str("*v1.ContainerRestartPolicy"),
});

const POD = obj("v1.Pod", {
  apiVersion: str(),
  kind: str(),
  metadata: obj("v1.ObjectMeta", {
    name: str(),
    generateName: str(),
    namespace: str(),
    labels: strMap(),
    annotations: strMap(),
    ownerReferences: list("[]v1.OwnerReference", obj("v1.OwnerReference", { apiVersion: str(), kind: str(), name: str(), uid: str("types.UID"), controller: { kind: "bool", goType: "*bool" } })),
  }),
  spec: obj("v1.PodSpec", {
    containers: list("[]v1.Container", CONTAINER),
    initContainers: list("[]v1.Container", CONTAINER),
    volumes: list("[]v1.Volume", obj("v1.Volume", { name: str() })),
    imagePullSecrets: list("[]v1.LocalObjectReference", obj("v1.LocalObjectReference", { name: str() })),
    securityContext: obj("*v1.PodSecurityContext"),
    serviceAccountName: str(),
    hostNetwork: bool(),
    dnsPolicy: str("v1.DNSPolicy"),
    nodeName: str(),
  }),
});

/** Go names a field by its JSON path without list indices. */
const goField = (path: string) => path.replace(/\[\d+\]/g, "");

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v; // string, number, object
}

function fits(v: unknown, kind: Kind): boolean {
  if (v === null || kind === "any") return true; // Go decodes null into any field as its zero value
  switch (kind) {
    case "string": return typeof v === "string";
    case "bool": return typeof v === "boolean";
    case "number": return typeof v === "number";
    case "array": return Array.isArray(v);
    default: return typeof v === "object" && !Array.isArray(v);
  }
}

/** The deepest nesting of arrays/objects in v, stopping once past `limit`. Iterative. */
function depthExceeds(v: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== "object") continue;
    if (d > limit) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (c !== null && typeof c === "object") stack.push([c, d + 1]);
  }
  return false;
}

/**
 * Why the pod cannot be read as a corev1.Pod, or undefined when the fields the core reads have their types.
 * The message follows Go's: `json: cannot unmarshal number into Go struct field PodSpec.spec.containers of type
 * []v1.Container`.
 */
export function podShapeError(pod: unknown): string | undefined {
  if (depthExceeds(pod, MAX_POD_DEPTH)) return `json: exceeded max depth (the pod is nested more than ${MAX_POD_DEPTH} levels deep)`;
  const work: Array<[unknown, Field, string, string]> = [[pod, POD, "", "Pod"]];
  while (work.length) {
    const [v, f, path, struct] = work.pop()!;
    if (v === undefined) continue;
    if (!fits(v, f.kind)) {
      const where = path ? ` into Go struct field ${struct}.${goField(path)}` : " into Go value";
      return `json: cannot unmarshal ${jsonKind(v)}${where} of type ${f.goType}${path.includes("[") ? ` (at ${path})` : ""}`;
    }
    if (v === null) continue;
    const sname = f.goType.replace(/^[*[\]]*(v1\.)?/, "");
    if (f.kind === "map[string]string") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x !== null && typeof x !== "string") return `json: cannot unmarshal ${jsonKind(x)} into Go struct field ${struct}.${goField(path)}.${k} of type string`;
      }
    } else if (f.kind === "array" && f.items) {
      (v as unknown[]).forEach((x, i) => work.push([x, f.items as Field, `${path}[${i}]`, struct]));
    } else if (f.kind === "object" && f.fields) {
      for (const [k, sub] of Object.entries(f.fields)) {
        work.push([(v as Record<string, unknown>)[k], sub, path ? `${path}.${k}` : k, path ? sname : "Pod"]);
      }
    }
  }
  return undefined;
}
