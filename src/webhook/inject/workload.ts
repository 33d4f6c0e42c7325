// kube-inject: injects the pod templates of workload manifests (Pod, Deployment, StatefulSet, DaemonSet,
// ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, List), as istioctl kube-inject does.
import { injectPod } from "./inject.js";
import { isObj } from "./merge.js";
import { InjectionError, type DeployMeta, type InjectionSettings, type Obj, type TypeMeta } from "./types.js";

const TEMPLATED = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "DeploymentConfig"]);

export interface WorkloadResult {
  object: Obj;
  /** True when the kind is not one kube-inject knows: the caller emits the original text. */
  passthrough: boolean;
  warnings: string[];
}

export function isInjectableKind(obj: Obj): boolean {
  const k = obj?.kind;
  return k === "Pod" || k === "CronJob" || k === "List" || TEMPLATED.has(k);
}

export function injectWorkload(obj: Obj, settings: InjectionSettings, revision = ""): WorkloadResult {
  const warnings: string[] = [];
  if (!isObj(obj) || !isInjectableKind(obj)) return { object: obj, passthrough: true, warnings };
  if (obj.kind === "List") {
    const out = structuredClone(obj);
    out.items = (Array.isArray(obj.items) ? obj.items : []).map((item: Obj) => {
      const r = injectWorkload(item, settings, revision);
      warnings.push(...r.warnings);
      return r.object;
    });
    return { object: out, passthrough: false, warnings };
  }
  const out: Obj = structuredClone(obj);
  const name: string = out.metadata?.name ?? "";
  const namespace: string = out.metadata?.namespace ?? "";
  let meta: Obj;
  let spec: Obj;
  if (out.kind === "Pod") {
    meta = (out.metadata ??= {});
    spec = (out.spec ??= {});
  } else if (out.kind === "CronJob") {
    const jt = (out.spec ??= {}).jobTemplate;
    if (!isObj(jt) || !isObj(jt.spec?.template)) throw new InjectionError(`${out.kind} ${name}: spec.jobTemplate.spec.template is required value`);
    meta = (jt.metadata ??= {});
    spec = (jt.spec.template.spec ??= {});
  } else {
    const tpl = out.spec?.template;
    if (!isObj(tpl)) throw new InjectionError(`${out.kind} ${name}: spec.template is required value`);
    meta = (tpl.metadata ??= {});
    spec = (tpl.spec ??= {});
  }
  const pod: Obj = { metadata: structuredClone(meta), spec: structuredClone(spec) };
  // The pod template keeps its own (usually absent) namespace: Istio's kube-inject does not set it, so templates read
  // `.ObjectMeta.Namespace` as "" there (the webhook path sets it from the request).
  const podName = pod.metadata.name || name;
  const owner = out.kind === "Pod" ? podOwner(pod) : { typeMeta: { apiVersion: out.apiVersion, kind: out.kind }, deployMeta: { name: name || podName, namespace } };
  const where = `${out.kind ? out.kind + " " : ""}"${namespace ? namespace + "/" : ""}${podName}"`;
  if (spec.hostNetwork === true) {
    warnings.push(`===> Skipping injection because ${where} has host networking enabled`);
    return { object: out, passthrough: false, warnings };
  }
  if (spec.dnsPolicy && spec.dnsPolicy !== "ClusterFirst") {
    warnings.push(`${where}: dnsPolicy ${spec.dnsPolicy} will prevent the proxy from resolving cluster names; use ClusterFirst`);
  }
  const settingsEnabled = { ...settings, config: { ...settings.config, policy: "enabled" } };
  const r = injectPod({ pod, typeMeta: owner.typeMeta, deployMeta: owner.deployMeta, revision }, settingsEnabled);
  warnings.push(...r.warnings);
  if (!r.injected) {
    warnings.push(`===> Skipping injection because ${where} has sidecar injection disabled`);
    return { object: out, passthrough: false, warnings };
  }
  const injectedMeta = r.pod.metadata;
  if (!meta.namespace) delete injectedMeta.namespace;
  for (const k of Object.keys(meta)) delete meta[k];
  Object.assign(meta, injectedMeta);
  for (const k of Object.keys(spec)) delete spec[k];
  Object.assign(spec, r.pod.spec);
  return { object: goTypedShape(out), passthrough: false, warnings };
}

/**
 * The workload that owns a pod, as Istio derives it from the controller ownerReference: a ReplicaSet named
 * `<deploy>-<pod-template-hash>` means its Deployment, a Job named `<cron>-<8..10 digits>` its CronJob, ...
 */
export function podOwner(pod: Obj): { typeMeta: TypeMeta; deployMeta: DeployMeta } {
  const meta = pod.metadata ?? {};
  const deployMeta: DeployMeta = { name: meta.name ?? "", namespace: meta.namespace ?? "" };
  let typeMeta: TypeMeta = { apiVersion: "v1", kind: "Pod" };
  const found = (meta.ownerReferences ?? []).find((r: Obj) => isObj(r) && r.controller === true);
  // A field left out is Go's zero value (admission.ts's shape check has made sure the others are strings).
  const ref = found && { ...found, apiVersion: found.apiVersion ?? "", kind: found.kind ?? "", name: found.name ?? "" };
  if (meta.generateName && ref) {
    typeMeta = { apiVersion: ref.apiVersion, kind: ref.kind };
    deployMeta.name = ref.name;
    const labels = meta.labels ?? {};
    if (ref.kind === "ReplicaSet") {
      const hash = labels["pod-template-hash"];
      const rolloutHash = labels["rollouts-pod-template-hash"];
      if (hash && ref.name.endsWith("-" + hash)) {
        typeMeta = { apiVersion: ref.apiVersion, kind: "Deployment" };
        deployMeta.name = ref.name.slice(0, -(hash.length + 1));
      } else if (rolloutHash && ref.name.endsWith("-" + rolloutHash)) {
        typeMeta = { apiVersion: "v1alpha1", kind: "Rollout" };
        deployMeta.name = ref.name.slice(0, -(rolloutHash.length + 1));
      }
    } else if (ref.kind === "ReplicationController" && labels.deploymentconfig) {
      typeMeta = { apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig" };
      deployMeta.name = labels.deploymentconfig;
    } else if (ref.kind === "Job") {
      const m = /^(.+)-\d{8,10}$/.exec(ref.name);
      if (m) {
        typeMeta = { apiVersion: "batch/v1", kind: "CronJob" };
        deployMeta.name = m[1];
      }
    }
  }
  if (!deployMeta.name) deployMeta.name = meta.generateName ?? "";
  return { typeMeta, deployMeta };
}

// Status fields Go's typed structs always print (no omitempty), per kind.
const STATUS_ZERO: Record<string, string[]> = {
  StatefulSet: ["replicas", "availableReplicas"],
  ReplicaSet: ["replicas"],
  ReplicationController: ["replicas"],
  DaemonSet: ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"],
  DeploymentConfig: ["latestVersion", "observedGeneration", "replicas", "updatedReplicas", "availableReplicas", "unavailableReplicas"],
};

/** Makes a workload look as after istioctl's typed round trip (zero status fields shown, omitempty zeros dropped). */
function goTypedShape(obj: Obj): Obj {
  const zero = STATUS_ZERO[obj.kind];
  if (zero) {
    const status = isObj(obj.status) ? obj.status : {};
    for (const f of zero) if (status[f] === undefined) status[f] = 0;
    obj.status = status;
  }
  if (isObj(obj.spec) && obj.spec.minReadySeconds === 0) delete obj.spec.minReadySeconds;
  if (isObj(obj.spec) && obj.spec.paused === false) delete obj.spec.paused;
  if (obj.kind === "DeploymentConfig" && isObj(obj.spec) && obj.spec.test === undefined) obj.spec.test = false;
  return obj;
}
