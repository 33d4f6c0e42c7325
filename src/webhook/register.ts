// Registers pilotfish's own webhook configurations with the API server (for an out-of-cluster or local
// pilotfish: clientConfig.url + caBundle). In a cluster the Helm chart owns these objects instead.
import * as k8s from "@kubernetes/client-node";
import { buildMutatingWebhookConfiguration, buildValidatingWebhookConfiguration, type MutatingWebhookOptions, type ValidatingWebhookOptions } from "./webhook-config.js";

interface WebhookConfigApi<T> {
  read(name: string): Promise<T & { metadata?: k8s.V1ObjectMeta }>;
  replace(name: string, body: T): Promise<unknown>;
  create(body: T): Promise<unknown>;
}

/** Creates the object, or replaces it carrying its resourceVersion (a concurrent change makes this fail, not vanish). */
async function upsert<T extends { metadata?: k8s.V1ObjectMeta }>(api: WebhookConfigApi<T>, body: T): Promise<string> {
  const name = body.metadata!.name!;
  try {
    const existing = await api.read(name);
    body.metadata!.resourceVersion = existing.metadata?.resourceVersion;
    await api.replace(name, body);
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw e;
    await api.create(body);
  }
  return name;
}

export async function registerInjectionWebhook(kc: k8s.KubeConfig, opts: MutatingWebhookOptions): Promise<string> {
  const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  return upsert<k8s.V1MutatingWebhookConfiguration>(
    {
      read: (name) => api.readMutatingWebhookConfiguration({ name }),
      replace: (name, body) => api.replaceMutatingWebhookConfiguration({ name, body }),
      create: (body) => api.createMutatingWebhookConfiguration({ body }),
    },
    buildMutatingWebhookConfiguration(opts) as k8s.V1MutatingWebhookConfiguration,
  );
}

export async function registerValidationWebhook(kc: k8s.KubeConfig, opts: ValidatingWebhookOptions): Promise<string> {
  const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  return upsert<k8s.V1ValidatingWebhookConfiguration>(
    {
      read: (name) => api.readValidatingWebhookConfiguration({ name }),
      replace: (name, body) => api.replaceValidatingWebhookConfiguration({ name, body }),
      create: (body) => api.createValidatingWebhookConfiguration({ body }),
    },
    buildValidatingWebhookConfiguration(opts) as k8s.V1ValidatingWebhookConfiguration,
  );
}
