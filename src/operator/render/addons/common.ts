// Shared pieces of the addon renderers: labels, the Deployment and cluster-RBAC shapes, image overrides.
import { str, type Json, type JsonObject } from "../../../config/values.js";
import { componentLabels, obj, type ComponentName, type K8sObject, type RenderContext } from "../meta.js";

export const ADDONS = ["prometheus", "grafana", "jaeger", "kiali"] as const;
export type AddonName = (typeof ADDONS)[number];
export const ADDON_COMPONENT: Record<AddonName, ComponentName> = { kiali: "Kiali", prometheus: "Prometheus", grafana: "Grafana", jaeger: "Jaeger" };

/** The namespace of each addon the same spec enables: Kiali links only to the addons that are there. */
export type AddonPeers = Partial<Record<AddonName, string>>;

export const RO = ["get", "list", "watch"];
export const noInject = { "sidecar.istio.io/inject": "false" };
export const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

export function labelsFor(ctx: RenderContext, addon: AddonName): Record<string, string> {
  return componentLabels(ctx, ADDON_COMPONENT[addon], { app: addon, "app.kubernetes.io/name": addon, "app.kubernetes.io/instance": addon });
}

/** The pod selector of an addon's Deployment and Service. */
export const selectorFor = (addon: AddonName) => ({ "app.kubernetes.io/name": addon, "app.kubernetes.io/instance": addon });

/** `values.addons.<addon>.<key>` when set, else the default image. */
export function image(ctx: RenderContext, addon: AddonName, def: string, key = "image"): string {
  return str((ctx.values.addons?.[addon] as Record<string, unknown> | undefined)?.[key]) || def;
}

export function deployment(name: string, ns: string, labels: Record<string, string>, selector: Record<string, string>, pod: JsonObject, strategy?: JsonObject, annotations?: Record<string, string>): K8sObject {
  return obj("apps/v1", "Deployment", name, ns, labels, {
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      ...(strategy ? { strategy } : {}),
      template: { metadata: { labels: { ...labels, ...selector, ...noInject }, ...(annotations ? { annotations } : {}) }, spec: pod },
    },
  });
}

export function clusterRbac(name: string, ns: string, labels: Record<string, string>, rules: Json[]): K8sObject[] {
  return [
    obj("rbac.authorization.k8s.io/v1", "ClusterRole", name, undefined, labels, { rules }),
    obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, undefined, labels, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
    }),
  ];
}

export const httpProbe = (path: string, port: number | string, extra: JsonObject = {}): JsonObject => ({ httpGet: { path, port, scheme: "HTTP" }, ...extra });
