// Registers pilotfish's own webhook configurations with the API server (for an out-of-cluster or local
// pilotfish: clientConfig.url + caBundle). In a cluster the Helm chart owns these objects instead.
import { Kube, statusOf, type KubeConfig } from "../kube/client.js";
import type { JsonObject } from "../config/values.js";
import { NEVER_MATCH, type WebhookConfig } from "./tags.js";
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
  const kube = client(kc);
  const body = buildMutatingWebhookConfiguration(opts) as unknown as JsonObject & { metadata: JsonObject; webhooks: JsonObject[] };
  // `tag set default` deactivated this revision's webhook (the default tag owns istio-injection=enabled now):
  // a restart must not bring it back beside the tag, so the entries stay never-matching.
  const existing = (await kube.get(API, "MutatingWebhookConfiguration", undefined, String(body.metadata.name))) as WebhookConfig | undefined;
  const hooks = existing?.webhooks ?? [];
  const never = JSON.stringify(NEVER_MATCH);
  if (hooks.length && hooks.every((w) => JSON.stringify(w.namespaceSelector) === never && JSON.stringify(w.objectSelector) === never)) {
    for (const w of body.webhooks) Object.assign(w, { namespaceSelector: NEVER_MATCH, objectSelector: NEVER_MATCH });
  }
  return upsert(kube, "MutatingWebhookConfiguration", body);
}

export async function registerValidationWebhook(kc: KubeConfig, opts: ValidatingWebhookOptions): Promise<string> {
  return upsert(client(kc), "ValidatingWebhookConfiguration", buildValidatingWebhookConfiguration(opts) as unknown as JsonObject & { metadata: JsonObject });
}
