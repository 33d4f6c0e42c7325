// Strategic merge patch for Pods, the way Kubernetes applies it: maps merge recursively, `null` deletes,
// lists with a patch merge key merge item by item (ordered as the API machinery orders them), every other
// list is replaced. Istio merges its rendered sidecar template onto the pod with exactly these rules.

import type { Obj } from "../../config/values.js";

// Lists merged by key, by field name (the Pod schema uses each name with one meaning).
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  imagePullSecrets: "name",
  schedulingGates: "name",
  resourceClaims: "name",
  env: "name",
  ports: "containerPort",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  hostAliases: "ip",
  ownerReferences: "uid",
};
const SET_LISTS = new Set(["finalizers"]);

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Returns `base` with `patch` strategically merged onto it; neither input is modified. */
export function strategicMerge(base: unknown, patch: unknown): any {
  if (!isObj(patch)) return cloneJson(patch);
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return dropNulls(cloneJson(rest));
  }
  const out: Obj = isObj(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete out[k];
    } else if (isObj(v)) {
      out[k] = strategicMerge(out[k], v);
    } else if (Array.isArray(v) && MERGE_KEYS[k] && Array.isArray(out[k])) {
      out[k] = mergeKeyedList(out[k], v, MERGE_KEYS[k]);
    } else if (Array.isArray(v) && SET_LISTS.has(k) && Array.isArray(out[k])) {
      out[k] = [...v, ...out[k].filter((x: unknown) => !v.includes(x))];
    } else {
      out[k] = Array.isArray(v) ? dropNulls(cloneJson(v)) : v;
    }
  }
  return out;
}

function mergeKeyedList(base: any[], patch: any[], key: string): any[] {
  const keyOf = (x: any) => (isObj(x) ? x[key] : x);
  const baseIndex = new Map<unknown, number>();
  base.forEach((x, i) => baseIndex.set(keyOf(x), i));
  const patched: any[] = [];
  const patchKeys = new Set<unknown>();
  for (const item of patch) {
    if (isObj(item) && item.$patch === "delete") {
      patchKeys.add(keyOf(item));
      continue;
    }
    const k = keyOf(item);
    const existing = patchKeys.has(k) ? patched.findIndex((p) => keyOf(p) === k) : -1;
    if (existing >= 0) {
      patched[existing] = strategicMerge(patched[existing], item);
      continue;
    }
    patchKeys.add(k);
    const i = baseIndex.get(k);
    patched.push(i === undefined ? dropNulls(cloneJson(item)) : strategicMerge(base[i], item));
  }
  const deleted = new Set(patch.filter((x) => isObj(x) && x.$patch === "delete").map(keyOf));
  const serverOnly = base.filter((x) => !patchKeys.has(keyOf(x)) && !deleted.has(keyOf(x)));
  // Interleave as apimachinery's mergeSortedSlice does: a server-only item goes first only when both items
  // exist in the original list and it came first there.
  const out: any[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patched.length) {
    if (j >= patched.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patched[j++]);
    else {
      const li = baseIndex.get(keyOf(serverOnly[i]));
      const ri = baseIndex.get(keyOf(patched[j]));
      if (li !== undefined && ri !== undefined && li < ri) out.push(serverOnly[i++]);
      else out.push(patched[j++]);
    }
  }
  return out;
}

/** Removes null-valued fields recursively (a typed round trip never keeps them). */
export function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map(dropNulls) as T;
  if (isObj(v)) {
    const o: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) o[k] = dropNulls(x);
    return o as T;
  }
  return v;
}

/** Deep copy of a JSON value (faster than structuredClone for plain data). */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (isObj(v)) {
    const o: Obj = {};
    for (const k of Object.keys(v)) {
      // A key named __proto__ (valid JSON, e.g. a label the API server will reject) must stay a key, not a prototype.
      if (k === "__proto__") Object.defineProperty(o, k, { value: cloneJson(v[k]), enumerable: true, writable: true, configurable: true });
      else o[k] = cloneJson(v[k]);
    }
    return o as T;
  }
  return v;
}
