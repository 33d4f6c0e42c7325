// The `k8s` block of a component (strategic-merge-style patches on the component's main objects) and its
// `overlays` (path patches on any of the component's objects), applied after rendering, k8s first.
import { load } from "js-yaml";
import { isObject, type Json, type JsonObject } from "../../config/values.js";
import { splitPath } from "../../config/setpath.js";
import type { K8sObject } from "./meta.js";

export interface PatchTarget {
  /** Name of the component's main Deployment/DaemonSet, HPA, PDB and Service. */
  resourceName: string;
  /** Container the container-level fields go to. */
  container: string;
}

/** Merges `over` into `base` as a strategic merge patch would: maps merge; named lists merge by name. */
function smp(base: Json | undefined, over: Json): Json {
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = v === null ? null : smp(base[k], v);
    return out;
  }
  return structuredClone(over);
}

/**
 * env merge as a strategic merge patch orders it: an entry whose name exists is merged into that entry in place
 * (value and valueFrom may both remain); a new entry goes right after the patch entry before it (first, when none came before).
 */
function mergeEnv(base: Json[] | undefined, over: Json[]): Json[] {
  const out = [...(base ?? [])];
  let anchor = -1;
  for (const e of over) {
    if (!isObject(e)) continue;
    const i = out.findIndex((x) => isObject(x) && x.name === e.name);
    if (i >= 0) {
      out[i] = smp(out[i], e);
      anchor = i;
    } else {
      out.splice(anchor + 1, 0, structuredClone(e));
      anchor++;
    }
  }
  return out;
}

const find = (objs: K8sObject[], kinds: string[], name: string) => objs.filter((o) => kinds.includes(o.kind) && o.metadata.name === name);

export function applyK8s(objs: K8sObject[], k8s: JsonObject | undefined, t: PatchTarget, opts: { gateway: boolean }): void {
  if (!k8s) return;
  for (const w of find(objs, ["Deployment", "DaemonSet"], t.resourceName)) {
    const spec = w.spec as JsonObject;
    if (k8s.replicaCount !== undefined) spec.replicas = k8s.replicaCount;
    if (k8s.strategy !== undefined) spec.strategy = smp(spec.strategy, k8s.strategy);
    const tmpl = spec.template as JsonObject;
    const pod = tmpl.spec as JsonObject;
    const meta = (tmpl.metadata ?? (tmpl.metadata = {})) as JsonObject;
    if (isObject(k8s.podAnnotations)) meta.annotations = { ...(isObject(meta.annotations) ? meta.annotations : {}), ...k8s.podAnnotations };
    for (const f of ["nodeSelector", "affinity", "securityContext"]) if (k8s[f] !== undefined) pod[f] = smp(pod[f], k8s[f]);
    if (k8s.tolerations !== undefined) pod.tolerations = k8s.tolerations;
    if (k8s.priorityClassName !== undefined) pod.priorityClassName = k8s.priorityClassName;
    const containers = (Array.isArray(pod.containers) ? pod.containers : []) as JsonObject[];
    const c = containers.find((x) => x.name === t.container);
    if (c) {
      if (k8s.resources !== undefined) c.resources = smp(c.resources, k8s.resources);
      if (Array.isArray(k8s.env)) c.env = mergeEnv(c.env as Json[] | undefined, k8s.env);
      if (k8s.imagePullPolicy !== undefined) c.imagePullPolicy = k8s.imagePullPolicy;
      if (k8s.readinessProbe !== undefined) c.readinessProbe = smp(c.readinessProbe, k8s.readinessProbe);
    }
  }
  if (k8s.hpaSpec !== undefined) for (const h of find(objs, ["HorizontalPodAutoscaler"], t.resourceName)) h.spec = smp(h.spec, k8s.hpaSpec);
  if (k8s.podDisruptionBudget !== undefined) {
    for (const p of find(objs, ["PodDisruptionBudget"], t.resourceName)) {
      const spec = smp(p.spec, k8s.podDisruptionBudget) as JsonObject;
      if (spec.minAvailable !== undefined && isObject(k8s.podDisruptionBudget) && k8s.podDisruptionBudget.maxUnavailable !== undefined && k8s.podDisruptionBudget.minAvailable === undefined) delete spec.minAvailable;
      p.spec = spec;
    }
  }
  for (const s of find(objs, ["Service"], t.resourceName)) {
    if (isObject(k8s.service)) {
      const patch = { ...k8s.service };
      if (opts.gateway) delete patch.ports; // gateways take their ports through values
      s.spec = smp(s.spec, patch);
    }
    if (isObject(k8s.serviceAnnotations)) {
      const m = s.metadata as JsonObject;
      m.annotations = { ...(isObject(m.annotations) ? m.annotations : {}), ...k8s.serviceAnnotations };
    }
  }
}

/** A value given as a string that reads as a YAML map is grafted in as that map (istioctl's rule). */
function overlayValue(v: Json): Json {
  if (typeof v === "string" && /:\s/.test(v)) {
    try {
      const parsed = load(v);
      if (isObject(parsed)) return parsed as JsonObject;
    } catch {
      /* a plain string */
    }
  }
  return v;
}

/** Applies one overlay patch; returns an error message instead of throwing (istioctl drops bad paths). */
export function applyOverlayPatch(root: JsonObject, path: string, value: Json | undefined): string | undefined {
  const steps = splitPath(path);
  let parent: Json = root;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const last = i === steps.length - 1;
    if (step.startsWith("[")) {
      if (!Array.isArray(parent)) return `${steps.slice(0, i).join(".")} is not a list`;
      const inner = step.slice(1, -1);
      let idx: number;
      if (/^\d+$/.test(inner)) idx = Math.min(Number(inner), parent.length);
      else if (inner.includes(":") && !inner.startsWith(":")) {
        const [k, ...rest] = inner.split(":");
        const want = rest.join(":");
        idx = parent.findIndex((x) => isObject(x) && String(x[k]) === want);
      } else {
        const re = new RegExp(inner.replace(/^:/, ""));
        idx = parent.findIndex((x) => !isObject(x) && re.test(String(x)));
      }
      if (idx < 0) return `no element matches ${step} at ${steps.slice(0, i).join(".")}`;
      if (last) {
        if (value === undefined || value === null) parent.splice(idx, 1);
        else parent[idx] = overlayValue(value);
        return undefined;
      }
      if (parent[idx] === undefined) parent[idx] = steps[i + 1].startsWith("[") ? [] : {};
      parent = parent[idx];
      continue;
    }
    // `name[3]` written without a dot.
    if (!isObject(parent)) return `${steps.slice(0, i).join(".")} is not a map`;
    if (last) {
      if (value === undefined || value === null) delete parent[step];
      else parent[step] = overlayValue(value);
      return undefined;
    }
    if (parent[step] === undefined || parent[step] === null) parent[step] = steps[i + 1].startsWith("[") ? [] : {};
    parent = parent[step];
  }
  return undefined;
}

export function applyOverlays(objs: K8sObject[], overlays: Json | undefined): string[] {
  const problems: string[] = [];
  if (!Array.isArray(overlays)) return problems;
  for (const ov of overlays) {
    if (!isObject(ov)) continue;
    const targets = objs.filter((o) => o.kind === ov.kind && o.metadata.name === ov.name);
    if (!targets.length) {
      problems.push(`overlay ${String(ov.kind)}/${String(ov.name)}: no such object in this component`);
      continue;
    }
    for (const t of targets) {
      for (const p of Array.isArray(ov.patches) ? ov.patches : []) {
        if (!isObject(p) || typeof p.path !== "string") continue;
        const err = applyOverlayPatch(t, p.path, p.value);
        if (err) problems.push(`overlay ${t.kind}/${t.metadata.name} path ${p.path}: ${err}`);
      }
    }
  }
  return problems;
}

