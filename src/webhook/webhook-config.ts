// The MutatingWebhookConfiguration that sends pods to pilotfish, with Istio 1.30.3's selectors (one entry per
// way a pod can ask for injection), so namespaces labelled for istiod work unchanged.
import type { Obj } from "./inject/types.js";

export interface WebhookClientConfig {
  /** Direct URL (local control plane, out-of-cluster) ... */
  url?: string;
  /** ... or a Service. */
  service?: { name: string; namespace: string; port?: number; path?: string };
  caBundle?: string;
}

export interface MutatingWebhookOptions {
  name?: string;
  revision?: string;
  clientConfig: WebhookClientConfig;
  failurePolicy?: "Fail" | "Ignore";
  timeoutSeconds?: number;
  reinvocationPolicy?: "Never" | "IfNeeded";
  /** Namespaces never sent to the webhook (kube-system etc. and pilotfish's own). */
  excludedNamespaces?: string[];
  enableNamespacesByDefault?: boolean;
}

export const ALWAYS_EXCLUDED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "local-path-storage"];

function clientConfig(c: WebhookClientConfig, path: string): Obj {
  const out: Obj = {};
  if (c.url) out.url = c.url.replace(/\/+$/, "") + path;
  else if (c.service) out.service = { name: c.service.name, namespace: c.service.namespace, port: c.service.port ?? 443, path: c.service.path ?? path };
  if (c.caBundle) out.caBundle = Buffer.from(c.caBundle).toString("base64");
  return out;
}

export function buildMutatingWebhookConfiguration(o: MutatingWebhookOptions): Obj {
  const rev = o.revision && o.revision !== "default" ? o.revision : "default";
  const isDefault = rev === "default";
  const excluded = [...new Set([...ALWAYS_EXCLUDED_NAMESPACES, ...(o.excludedNamespaces ?? [])])];
  const notExcluded = { key: "kubernetes.io/metadata.name", operator: "NotIn", values: excluded };
  const base = (name: string, namespaceSelector: Obj[], objectSelector: Obj[]): Obj => ({
    name,
    clientConfig: clientConfig(o.clientConfig, "/inject"),
    rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "Namespaced" }],
    failurePolicy: o.failurePolicy ?? "Fail",
    sideEffects: "None",
    admissionReviewVersions: ["v1"],
    reinvocationPolicy: o.reinvocationPolicy ?? "IfNeeded",
    timeoutSeconds: o.timeoutSeconds ?? 10,
    matchPolicy: "Equivalent",
    namespaceSelector: { matchExpressions: [...namespaceSelector, notExcluded] },
    objectSelector: { matchExpressions: objectSelector },
  });
  const injectNotFalse = { key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] };
  const webhooks = [
    base("rev.namespace.sidecar-injector.istio.io", [{ key: "istio.io/rev", operator: "In", values: [rev] }, { key: "istio-injection", operator: "DoesNotExist" }], [injectNotFalse]),
    base("rev.object.sidecar-injector.istio.io", [{ key: "istio.io/rev", operator: "DoesNotExist" }, { key: "istio-injection", operator: "DoesNotExist" }], [injectNotFalse, { key: "istio.io/rev", operator: "In", values: [rev] }]),
  ];
  if (isDefault) {
    webhooks.push(
      base("namespace.sidecar-injector.istio.io", [{ key: "istio-injection", operator: "In", values: ["enabled"] }], [injectNotFalse]),
      base("object.sidecar-injector.istio.io", [{ key: "istio-injection", operator: "DoesNotExist" }, { key: "istio.io/rev", operator: "DoesNotExist" }], [
        { key: "sidecar.istio.io/inject", operator: "In", values: ["true"] },
        { key: "istio.io/rev", operator: "DoesNotExist" },
      ]),
    );
    if (o.enableNamespacesByDefault) {
      webhooks.push(
        base("auto.sidecar-injector.istio.io", [{ key: "istio-injection", operator: "DoesNotExist" }, { key: "istio.io/rev", operator: "DoesNotExist" }], [
          { key: "sidecar.istio.io/inject", operator: "DoesNotExist" },
          { key: "istio.io/rev", operator: "DoesNotExist" },
        ]),
      );
    }
  }
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: {
      name: o.name ?? (isDefault ? "istio-sidecar-injector" : `istio-sidecar-injector-${rev}`),
      labels: { "istio.io/rev": rev, app: "sidecar-injector", "app.kubernetes.io/managed-by": "pilotfish" },
    },
    webhooks,
  };
}

export interface ValidatingWebhookOptions {
  name?: string;
  clientConfig: WebhookClientConfig;
  failurePolicy?: "Fail" | "Ignore";
  timeoutSeconds?: number;
}

/** Istio API groups (and IstioOperator) whose writes pilotfish validates. */
export const VALIDATED_GROUPS = ["networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io", "install.istio.io"];

export function buildValidatingWebhookConfiguration(o: ValidatingWebhookOptions): Obj {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: o.name ?? "pilotfish-validator", labels: { app: "pilotfish", "app.kubernetes.io/managed-by": "pilotfish" } },
    webhooks: [
      {
        name: "validation.pilotfish.istio.io",
        clientConfig: clientConfig(o.clientConfig, "/validate"),
        rules: [{ operations: ["CREATE", "UPDATE"], apiGroups: VALIDATED_GROUPS, apiVersions: ["*"], resources: ["*"], scope: "*" }],
        // Istio ships its validator with Ignore until istiod is ready, then Fail; pilotfish is ready when it answers.
        failurePolicy: o.failurePolicy ?? "Fail",
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        timeoutSeconds: o.timeoutSeconds ?? 10,
        matchPolicy: "Equivalent",
      },
    ],
  };
}
