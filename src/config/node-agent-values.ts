// Checks of `values.cni` and `values.ztunnel` beyond the IstioOperator schema's key lists: the field types of
// istioctl 1.30.3's CNIConfig and the keys and types of its nested messages (istioctl refuses a wrong type or an
// unknown key when it reads the values), and the ztunnel values whose type makes the ztunnel chart fail.
import { S, checkSchema, type Schema } from "../schema/schema.js";
import type { Problems } from "../schema/problems.js";
import { isObject, type JsonObject } from "./values.js";

const RESOURCES = S.obj({ limits: S.map(S.any), requests: S.map(S.any) });
// Kubernetes' Affinity and SeccompProfile, which istioctl reads cni.affinity and cni.seccompProfile into strictly.
const SELECTOR_REQS = S.arr(S.obj({ key: S.str(), operator: S.str(), values: S.strs() }));
const LABEL_SELECTOR = S.obj({ matchLabels: S.map(S.str()), matchExpressions: SELECTOR_REQS });
const NODE_SELECTOR_TERM = S.obj({ matchExpressions: SELECTOR_REQS, matchFields: SELECTOR_REQS });
const POD_AFFINITY_TERM = S.obj({
  labelSelector: LABEL_SELECTOR, namespaces: S.strs(), topologyKey: S.str(), namespaceSelector: LABEL_SELECTOR,
  matchLabelKeys: S.strs(), mismatchLabelKeys: S.strs(),
});
const POD_AFFINITY = S.obj({
  requiredDuringSchedulingIgnoredDuringExecution: S.arr(POD_AFFINITY_TERM),
  preferredDuringSchedulingIgnoredDuringExecution: S.arr(S.obj({ weight: S.int(), podAffinityTerm: POD_AFFINITY_TERM })),
});
export const K8S_AFFINITY = S.obj({
  nodeAffinity: S.obj({
    requiredDuringSchedulingIgnoredDuringExecution: S.obj({ nodeSelectorTerms: S.arr(NODE_SELECTOR_TERM) }),
    preferredDuringSchedulingIgnoredDuringExecution: S.arr(S.obj({ weight: S.int(), preference: NODE_SELECTOR_TERM })),
  }),
  podAffinity: POD_AFFINITY,
  podAntiAffinity: POD_AFFINITY,
});
export const K8S_SECCOMP_PROFILE = S.obj({ type: S.str(), localhostProfile: S.str() });
const QUOTAS = S.obj({ enabled: S.bool, pods: S.int(0) });
/** CNIConfig's fields with their types (unknown top-level and `ambient` keys are the schema's business). */
const CNI_FIELDS: Record<string, Schema> = {
  enabled: S.bool, hub: S.str(), tag: S.any, variant: S.str(), image: S.str(), pullPolicy: S.str(),
  cniBinDir: S.str(), cniConfDir: S.str(), cniConfFileName: S.str(), cniNetnsDir: S.str(), excludeNamespaces: S.strs(),
  affinity: K8S_AFFINITY, env: S.map(S.any), daemonSetLabels: S.map(S.any), podAnnotations: S.map(S.any), podLabels: S.map(S.any),
  psp_cluster_role: S.str(), pspClusterRole: S.str(), logLevel: S.str(), logging: S.obj({ level: S.str() }),
  repair: S.obj({
    enabled: S.bool, hub: S.str(), tag: S.any, image: S.str(), labelPods: S.bool, repairPods: S.bool, createEvents: S.str(),
    deletePods: S.bool, brokenPodLabelKey: S.str(), brokenPodLabelValue: S.str(), initContainerName: S.str(),
  }),
  chained: S.bool, resource_quotas: QUOTAS, resourceQuotas: QUOTAS, resources: RESOURCES, privileged: S.bool,
  seccompProfile: K8S_SECCOMP_PROFILE, provider: S.str(), rollingMaxUnavailable: S.any, istioOwnedCNIConfig: S.bool,
  istioOwnedCNIConfigFileName: S.str(), useAppArmorAnnotation: S.bool,
};
const CNI_AMBIENT_FIELDS: Record<string, Schema> = { enabled: S.bool, configDir: S.str(), dnsCapture: S.bool, ipv6: S.bool, reconcileIptablesOnStartup: S.bool };

/** Checks only the keys a schema knows (the others are reported once, by the IstioOperator schema). */
function checkKnown(v: JsonObject, fields: Record<string, Schema>, path: string, p: Problems): void {
  for (const [k, s] of Object.entries(fields)) if (v[k] !== undefined && v[k] !== null) checkSchema(v[k], s, `${path}.${k}`, p);
}

export function checkNodeAgentValues(values: JsonObject, p: Problems): void {
  const cni = values.cni;
  if (isObject(cni)) {
    checkKnown(cni, CNI_FIELDS, "spec.values.cni", p);
    if (isObject(cni.ambient)) checkKnown(cni.ambient, CNI_AMBIENT_FIELDS, "spec.values.cni.ambient", p);
  }
  const zt = values.ztunnel;
  if (isObject(zt)) {
    // The ztunnel chart compares these with strings (eq, contains) and fails on any other type.
    for (const k of ["revision", "resourceScope", "platform", "image"]) {
      if (zt[k] !== undefined && zt[k] !== null && typeof zt[k] !== "string") p.error(`spec.values.ztunnel.${k}`, `must be a string, got ${JSON.stringify(zt[k])}`);
    }
    // ... and this with the boolean true.
    const tb = isObject(zt.env) ? zt.env.ENABLE_CLUSTER_TRUST_BUNDLE_API : undefined;
    if (tb !== undefined && tb !== null && typeof tb !== "boolean") p.error("spec.values.ztunnel.env.ENABLE_CLUSTER_TRUST_BUNDLE_API", `must be a boolean (true or false), got ${JSON.stringify(tb)}`);
  }
}
