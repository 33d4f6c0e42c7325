// Registers pilotfish's own webhook configurations with the API server (for an out-of-cluster or local
// pilotfish: clientConfig.url + caBundle). In a cluster the Helm chart owns these objects instead.
import * as k8s from "@kubernetes/client-node";
import { buildMutatingWebhookConfiguration, buildValidatingWebhookConfiguration, type MutatingWebhookOptions, type ValidatingWebhookOptions } from "./webhook-config.js";

/** Creates the object, or replaces it keeping its resourceVersion (no blind overwrite of a concurrent change). */
async function upsertMutating(api: k8s.AdmissionregistrationV1Api, body: k8s.V1MutatingWebhookConfiguration): Promise<void> {
  const name = body.metadata!.name!;
  try {
    const existing = await api.readMutatingWebhookConfiguration({ name });
    body.metadata!.resourceVersion = existing.metadata?.resourceVersion;
    await api.replaceMutatingWebhookConfiguration({ name, body });
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw e;
    await api.createMutatingWebhookConfiguration({ body });
  }
}

export async function registerInjectionWebhook(kc: k8s.KubeConfig, opts: MutatingWebhookOptions): Promise<string> {
  const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const body = buildMutatingWebhookConfiguration(opts) as k8s.V1MutatingWebhookConfiguration;
  await upsertMutating(api, body);
  return body.metadata!.name!;
}

export async function registerValidationWebhook(kc: k8s.KubeConfig, opts: ValidatingWebhookOptions): Promise<string> {
  const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const body = buildValidatingWebhookConfiguration(opts) as k8s.V1ValidatingWebhookConfiguration;
  const name = body.metadata!.name!;
  try {
    const existing = await api.readValidatingWebhookConfiguration({ name });
    body.metadata!.resourceVersion = existing.metadata?.resourceVersion;
    await api.replaceValidatingWebhookConfiguration({ name, body });
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw e;
    await api.createValidatingWebhookConfiguration({ body });
  }
  return name;
}
