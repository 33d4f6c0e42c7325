// Shared pieces of rendering: the object type, component names, install labels, image names, and
// istioctl's output order.
import { isObject, str, toInjectionValues, truthy, type Json, type JsonObject } from "../../config/values.js";
import type { DeploymentValues, ImageValues, InjectionValues } from "../../config/values-types.js";
import type { ResolvedIop } from "../../config/resolve.js";

export type K8sObject = JsonObject & { apiVersion: string; kind: string; metadata: JsonObject & { name: string; namespace?: string } };

/** Istio's component names (the `operator.istio.io/component` label), plus pilotfish's addons. */
export type ComponentName = "Base" | "Pilot" | "IngressGateways" | "EgressGateways" | "Cni" | "Ztunnel" | "Kiali" | "Prometheus" | "Grafana" | "Jaeger";

export interface RenderedComponent {
  component: ComponentName;
  /** Progress name, as istioctl prints it ("Istiod", "Ingress gateways", ...). */
  title: string;
  objects: K8sObject[];
}

export interface RenderContext {
  r: ResolvedIop;
  values: InjectionValues;
  /** `values.global.istioNamespace`. */
  istioNamespace: string;
  revision: string;
  /** `istio.io/rev` value: the revision or "default". */
  revLabel: string;
  /** `-<rev>` or "". */
  revSuffix: string;
  owner: string;
}

export function context(r: ResolvedIop): RenderContext {
  const revision = r.revision;
  const values = toInjectionValues(r.values);
  return {
    r,
    values,
    istioNamespace: str(values.global?.istioNamespace) || r.namespace,
    revision,
    revLabel: revision || "default",
    revSuffix: revision ? `-${revision}` : "",
    // The charts label their objects `install.operator.istio.io/owning-resource: {{ .Values.ownerName | default "unknown" }}`.
    owner: str(r.values.ownerName) || r.name || "unknown",
  };
}

export const COMPONENT_TITLES: Record<ComponentName, string> = {
  Base: "Istio core",
  Pilot: "Istiod",
  IngressGateways: "Ingress gateways",
  EgressGateways: "Egress gateways",
  Cni: "CNI",
  Ztunnel: "Ztunnel",
  Kiali: "Kiali",
  Prometheus: "Prometheus",
  Grafana: "Grafana",
  Jaeger: "Jaeger",
};

/** Install order: a component waits for its parents (Base -> {Pilot, Cni}; Pilot -> gateways, addons; Cni -> Ztunnel). */
export const COMPONENT_PARENTS: Record<ComponentName, ComponentName[]> = {
  Base: [],
  Pilot: ["Base"],
  Cni: ["Base"],
  Ztunnel: ["Cni"],
  IngressGateways: ["Pilot"],
  EgressGateways: ["Pilot"],
  Kiali: ["Pilot"],
  Prometheus: ["Pilot"],
  Grafana: ["Pilot"],
  Jaeger: ["Pilot"],
};

export const INSTALL_ORDER: ComponentName[] = ["Base", "Pilot", "Cni", "Ztunnel", "IngressGateways", "EgressGateways", "Prometheus", "Grafana", "Jaeger", "Kiali"];

/** Labels every object of a component carries. */
export function componentLabels(ctx: RenderContext, component: ComponentName, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(extra.app ? { "app.kubernetes.io/name": extra.app } : {}),
    "app.kubernetes.io/instance": "istio",
    release: "istio",
    ...extra,
    "app.kubernetes.io/managed-by": "pilotfish",
    "app.kubernetes.io/part-of": "istio",
    "install.operator.istio.io/owning-resource": ctx.owner,
    "istio.io/rev": ctx.revLabel,
    "operator.istio.io/component": component,
  };
}

export function obj(apiVersion: string, kind: string, name: string, namespace: string | undefined, labels: Record<string, string>, body: JsonObject = {}, annotations?: Record<string, string>): K8sObject {
  const metadata: JsonObject = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  metadata.labels = sortKeys(labels);
  if (annotations && Object.keys(annotations).length) metadata.annotations = annotations;
  return { apiVersion, kind, metadata, ...body } as K8sObject;
}

export function sortKeys<T extends Record<string, Json>>(m: T): T {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

/** `hub/image:tag[-variant]`, with a component's own hub/tag/variant winning over the global ones; a full image reference is kept. */
export function image(values: InjectionValues, own: ImageValues, name: string): string {
  const img = str(own.image ?? name) || name;
  if (img.includes("/")) return img;
  // Helm's `default`: an empty own value falls back to the global one; the charts append any variant ("default" too).
  const hub = str(own.hub) || str(values.global?.hub);
  const tag = str(own.tag) || str(values.global?.tag);
  const variant = str(own.variant) || str(values.global?.variant);
  return `${hub}/${img}:${tag}${variant ? `-${variant}` : ""}`;
}

export function obj0(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

const PRIORITY: Record<string, number> = {
  CustomResourceDefinition: -1000,
  ServiceAccount: 1,
  ClusterRole: 1,
  ClusterRoleBinding: 2,
  ValidatingWebhookConfiguration: 3,
  ConfigMap: 100,
  HorizontalPodAutoscaler: 1001,
  Service: 10000,
};

/** istioctl's output order: kind priority, API group, kind, name (namespace plays no part); stable. */
export function sortObjects(objs: K8sObject[]): K8sObject[] {
  const group = (o: K8sObject) => (o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "");
  const key = (o: K8sObject): [number, string, string, string] => [PRIORITY[o.kind] ?? 1000, group(o), o.kind, o.metadata.name];
  return objs
    .map((o, i) => ({ o, i, k: key(o) }))
    .sort((a, b) => {
      for (let j = 0; j < 4; j++) {
        const x = a.k[j], y = b.k[j];
        if (x < y) return -1;
        if (x > y) return 1;
      }
      return a.i - b.i;
    })
    .map((x) => x.o);
}

/** Whether a count-based PodDisruptionBudget applies (Istio's chart rule). */
export function wantsPdb(values: InjectionValues, own: DeploymentValues): boolean {
  if (values.global?.defaultPodDisruptionBudget?.enabled === false) return false;
  if (own.autoscaleEnabled !== false) return Number(own.autoscaleMin ?? 1) > 1;
  return Number(own.replicaCount ?? 1) > 1;
}

export function wantsHpa(own: DeploymentValues): boolean {
  return own.autoscaleEnabled !== false && Number(own.autoscaleMin ?? 0) !== 0 && Number(own.autoscaleMax ?? 0) !== 0;
}

export function hpa(name: string, ns: string, labels: Record<string, string>, own: DeploymentValues): K8sObject {
  const cpu = Number(own.cpu?.targetAverageUtilization ?? 80);
  const metrics: Json[] = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } }];
  const mem = own.memory?.targetAverageUtilization;
  if (mem !== undefined && mem !== null) metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: Number(mem) } } });
  const spec: JsonObject = {
    maxReplicas: Number(own.autoscaleMax),
    metrics,
    minReplicas: Number(own.autoscaleMin),
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
  };
  if (isObject(own.autoscaleBehavior) && Object.keys(own.autoscaleBehavior).length) spec.behavior = own.autoscaleBehavior;
  return obj("autoscaling/v2", "HorizontalPodAutoscaler", name, ns, labels, { spec });
}

export function pdb(name: string, ns: string, labels: Record<string, string>, selector: Record<string, string>): K8sObject {
  return obj("policy/v1", "PodDisruptionBudget", name, ns, labels, { spec: { minAvailable: 1, selector: { matchLabels: selector } } });
}

export function envList(env: unknown): Json[] {
  if (!isObject(env)) return [];
  // Helm ranges over a map in key order.
  return Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]): Json => (isObject(value) ? { name, ...value } : { name, value: str(value) }));
}

export const fieldEnv = (name: string, fieldPath: string): Json => ({ name, valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } } });

/** `imagePullSecrets` of a chart's ServiceAccount (`- name: {{ . }}` for each `global.imagePullSecrets`). */
export function pullSecrets(values: InjectionValues): JsonObject {
  const list = values.global?.imagePullSecrets;
  if (!Array.isArray(list) || !list.length) return {};
  return { imagePullSecrets: list.map((s) => ({ name: isObject(s) ? str(s.name) : str(s) })) };
}

/** `nodeaffinity` of the gateway charts' _affinity.tpl: `nodeSelector` (else global.defaultNodeSelector) and global.arch. */
export function gatewayAffinity(values: InjectionValues, nodeSelector: unknown): JsonObject | undefined {
  const g = (values.global ?? {}) as JsonObject;
  const sel = truthy(nodeSelector) ? nodeSelector : g.defaultNodeSelector;
  const arch = isObject(g.arch) ? g.arch : {};
  const archKeys = Object.keys(arch).sort();
  const exprs: Json[] = [];
  if (truthy(g.arch)) exprs.push({ key: "kubernetes.io/arch", operator: "In", values: archKeys.filter((k) => Math.trunc(Number(arch[k])) > 0) });
  if (isObject(sel)) for (const k of Object.keys(sel).sort()) exprs.push({ key: k, operator: "In", values: [str(sel[k])] });
  const nodeAffinity: JsonObject = {};
  if (truthy(g.arch) || truthy(sel)) nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchExpressions: exprs }] };
  const preferred = archKeys.filter((k) => Math.trunc(Number(arch[k])) > 0).map((k): Json => ({ weight: Math.trunc(Number(arch[k])), preference: { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: [k] }] } }));
  if (preferred.length) nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution = preferred;
  return Object.keys(nodeAffinity).length ? { nodeAffinity } : undefined;
}
