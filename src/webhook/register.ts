// Registers pilotfish's own webhook configurations with the API server (for an out-of-cluster or local
// pilotfish: clientConfig.url + caBundle). In a cluster the Helm chart owns these objects instead.
import { Kube, statusOf, type KubeConfig } from "../kube/client.js";
import type { JsonObject } from "../config/values.js";
import { buildMutatingWebhookConfiguration, buildValidatingWebhookConfiguration, type MutatingWebhookOptions, type ValidatingWebhookOptions } from "./webhook-config.js";

const API = "admissionregistration.k8s.io/v1";

/** Creates the object, or replaces it carrying its resourceVersion (a concurrent change makes this fail, not vanish). */
async function upsert(kube: Kube, kind: string, body: JsonObject & { metadata: JsonObject }): Promise<string> {
  const name = String(body.metadata.name);
  const existing = await kube.get(API, kind, undefined, name);
  if (existing) {
    const rv = (existing.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (rv) body.metadata.resourceVersion = rv;
    try {
      await kube.replace(API, kind, undefined, name, body);
      return name;
    } catch (e) {
      // Deleted between the read and the replace: create it.
      if (statusOf(e) !== 404) throw e;
      delete body.metadata.resourceVersion;
    }
  }
  await kube.createObject(API, kind, undefined, body);
  return name;
}

const client = (kc: KubeConfig) => new Kube(kc, "pilotfish");

export async function registerInjectionWebhook(kc: KubeConfig, opts: MutatingWebhookOptions): Promise<string> {
  return upsert(client(kc), "MutatingWebhookConfiguration", buildMutatingWebhookConfiguration(opts) as unknown as JsonObject & { metadata: JsonObject });
}

export async function registerValidationWebhook(kc: KubeConfig, opts: ValidatingWebhookOptions): Promise<string> {
  return upsert(client(kc), "ValidatingWebhookConfiguration", buildValidatingWebhookConfiguration(opts) as unknown as JsonObject & { metadata: JsonObject });
}
