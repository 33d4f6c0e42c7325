// kube-inject: injects the pod templates of workload manifests (Pod, Deployment, StatefulSet, DaemonSet,
// ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, List), as istioctl kube-inject does.
import { injectPod } from "./inject.js";
import { isObj } from "./merge.js";
import { InjectionError, type InjectionSettings, type Obj } from "./types.js";

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
  if (!pod.metadata.namespace && namespace) pod.metadata.namespace = namespace;
  const podName = pod.metadata.name || name;
  const typeMeta = out.kind === "Pod" ? { apiVersion: "v1", kind: "Pod" } : { apiVersion: out.apiVersion, kind: out.kind };
  const where = `${out.kind ? out.kind + " " : ""}"${namespace ? namespace + "/" : ""}${podName}"`;
  if (spec.hostNetwork === true) {
    warnings.push(`===> Skipping injection because ${where} has host networking enabled`);
    return { object: out, passthrough: false, warnings };
  }
  if (spec.dnsPolicy && spec.dnsPolicy !== "ClusterFirst") {
    warnings.push(`${where}: dnsPolicy ${spec.dnsPolicy} will prevent the proxy from resolving cluster names; use ClusterFirst`);
  }
  const settingsEnabled = { ...settings, config: { ...settings.config, policy: "enabled" } };
  const r = injectPod({ pod, typeMeta, deployMeta: { name: name || podName, namespace }, revision }, settingsEnabled);
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
  return { object: out, passthrough: false, warnings };
}
