// What applying a rendered installation would do to a cluster, without writing: objects to create, objects to
// change (field by field), owned objects to prune (the ownership rules of the install's prune: listOwned +
// toPrune, CRDs never). Used by `pilotfish diff` and `install --dry-run`.
//
// What counts as a difference mirrors server-side apply, which is how pilotfish writes:
//  - Only fields the render sets are compared. A field the live object has and the render does not set is the
//    server's default (terminationMessagePath, protocol: TCP, revisionHistoryLimit, ...) or another field
//    manager's, and applying leaves it alone: not a difference. Status is never compared.
//  - A field the render sets to its zero value ("", false, 0, null, {}, []) matches an absent live field: the
//    API server drops omitempty zero values, so they never come back.
//  - Lists of objects are matched by their merge key (name, containerPort, port, mountPath, ...), as a strategic
//    / server-side merge does, so order and server-added fields inside elements are not differences; other
//    lists are compared element by element.
//  - Quantities compare by value (a render's cpu "1000m" is the server's "1").
//  - Fields the apply's field manager owns in the live object (metadata.managedFields) but the render no longer
//    sets are removals: server-side apply deletes them. Fields another manager owns are not.
//  - The content-hash annotation is not shown as a change (it changes whenever anything else does).
import { isObject, type Json, type JsonObject } from "../../config/values.js";
import type { KubeClient } from "../../kube/client.js";
import type { K8sObject } from "../render/meta.js";
import { HASH_ANNOTATION, objectKey, toPrune, type DesiredComponent, type Owner } from "./plan.js";
import { listOwned } from "./apply.js";

export type Action = "create" | "change" | "unchanged" | "prune";

export interface FieldChange {
  /** Dotted path; list elements as [key=value] (merge key) or [index]. */
  path: string;
  op: "add" | "change" | "remove";
  live?: Json;
  desired?: Json;
}

export interface ObjectDiff {
  action: Action;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The component that renders it (absent for prunes and namespaces). */
  component?: string;
  fields: FieldChange[];
  /** The object exists but does not carry this install's owner labels yet (apply takes it over). */
  adopted?: boolean;
}

export interface DiffReport {
  objects: ObjectDiff[];
  counts: Record<Action, number>;
}

/** A zero value, or an object of zero values only: what an API server leaves out (omitempty). */
const ZERO = (v: unknown): boolean =>
  v === undefined || v === null || v === "" || v === false || v === 0 || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.values(v).every(ZERO));

const SUFFIX: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };

function quantity(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(v);
  return m ? Number(m[1]) * SUFFIX[m[2] ?? ""] : undefined;
}

function scalarEqual(d: unknown, l: unknown): boolean {
  if (d === l) return true;
  if (typeof d === "string" && typeof l === "string") {
    const a = quantity(d);
    const b = quantity(l);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  }
  if ((typeof d === "number" && typeof l === "string") || (typeof d === "string" && typeof l === "number")) {
    // A quantity written as a number (cpu: 1) comes back as a string ("1").
    return quantity(d) !== undefined && quantity(d) === quantity(l);
  }
  return false;
}

const MERGE_KEYS = ["name", "containerPort", "port", "mountPath", "devicePath", "ip", "type", "topologyKey"];

/** The key a list of objects is merged by: the first field every element has, with distinct values. */
export function mergeKey(list: Json[]): string | undefined {
  if (!list.length || !list.every(isObject)) return undefined;
  for (const k of MERGE_KEYS) {
    const vals = list.map((e) => (e as JsonObject)[k]);
    if (vals.every((v) => typeof v === "string" || typeof v === "number") && new Set(vals).size === vals.length) return k;
  }
  return undefined;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Differences at the fields `desired` sets (desired ⊆ live). */
function compare(desired: Json | undefined, live: Json | undefined, path: string, out: FieldChange[]): void {
  if (desired === undefined) return;
  if (live === undefined || live === null) {
    if (!ZERO(desired)) out.push({ path, op: "add", desired });
    return;
  }
  if (isObject(desired)) {
    if (!isObject(live)) {
      out.push({ path, op: "change", live, desired });
      return;
    }
    for (const [k, v] of Object.entries(desired)) compare(v, live[k], join(path, k), out);
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) {
      out.push({ path, op: "change", live, desired });
      return;
    }
    const key = mergeKey(desired);
    if (key && live.every(isObject)) {
      for (const d of desired as JsonObject[]) {
        const l = (live as JsonObject[]).find((x) => x[key] === d[key]);
        const p = `${path}[${key}=${d[key]}]`;
        if (!l) out.push({ path: p, op: "add", desired: d });
        else compare(d, l, p, out);
      }
      return;
    }
    if (desired.length !== live.length || desired.some((d) => !isObject(d) && !Array.isArray(d))) {
      if (desired.length !== live.length || desired.some((d, i) => !scalarEqual(d, live[i]))) out.push({ path, op: "change", live, desired });
      return;
    }
    desired.forEach((d, i) => compare(d, live[i], `${path}[${i}]`, out));
    return;
  }
  if (!scalarEqual(desired, live)) out.push({ path, op: "change", live, desired });
}

/** The fieldsV1 tree of `manager`'s Apply entry in the live object (the fields its last apply set). */
function appliedFields(live: JsonObject, manager: string): JsonObject | undefined {
  const mfs = isObject(live.metadata) && Array.isArray(live.metadata.managedFields) ? live.metadata.managedFields : [];
  const e = mfs.find((m) => isObject(m) && m.manager === manager && m.operation === "Apply" && !m.subresource) as JsonObject | undefined;
  return e && isObject(e.fieldsV1) ? e.fieldsV1 : undefined;
}

/** The value a managedFields `k:{...}` / `v:...` key names; undefined when it is not JSON (the key is passed over). */
function keyJson(k: string): Json | undefined {
  try {
    return JSON.parse(k.slice(2)) as Json;
  } catch {
    return undefined;
  }
}

/** Fields `tree` (owned by the applying manager) holds that `desired` no longer sets: server-side apply removes them. */
function removals(tree: JsonObject, desired: Json | undefined, live: Json | undefined, path: string, out: FieldChange[]): void {
  for (const [k, sub] of Object.entries(tree)) {
    if (k === ".") continue;
    if (k.startsWith("f:")) {
      const name = k.slice(2);
      const d = isObject(desired) ? desired[name] : undefined;
      const l = isObject(live) ? live[name] : undefined;
      if (d === undefined || d === null) {
        if (l !== undefined && !ZERO(l)) out.push({ path: join(path, name), op: "remove", live: l });
      } else if (isObject(sub)) removals(sub, d, l, join(path, name), out);
    } else if (k.startsWith("k:")) {
      const keyObj = keyJson(k) as JsonObject | undefined;
      if (keyObj === undefined) continue;
      const match = (e: Json) => isObject(e) && Object.entries(keyObj).every(([kk, vv]) => scalarEqual(vv, e[kk]));
      const d = Array.isArray(desired) ? desired.find(match) : undefined;
      const l = Array.isArray(live) ? live.find(match) : undefined;
      const label = Object.entries(keyObj).map(([kk, vv]) => `${kk}=${vv}`).join(",");
      if (!d) {
        if (l !== undefined) out.push({ path: `${path}[${label}]`, op: "remove", live: l });
      } else if (isObject(sub)) removals(sub, d, l, `${path}[${label}]`, out);
    } else if (k.startsWith("v:")) {
      const v = keyJson(k);
      if (v === undefined) continue;
      if (!(Array.isArray(desired) && desired.some((x) => scalarEqual(x, v)))) out.push({ path: `${path}[${JSON.stringify(v)}]`, op: "remove", live: v });
    }
    // i: (atomic lists by index) are compared whole by compare().
  }
}

/** Field differences of one object: what the render sets that live lacks or has otherwise, and owned fields it drops. */
export function objectChanges(desired: K8sObject, live: JsonObject, manager?: string): FieldChange[] {
  const full = JSON.parse(JSON.stringify(desired)) as JsonObject;
  const d = JSON.parse(JSON.stringify(desired)) as JsonObject;
  const anns = (d.metadata as JsonObject).annotations;
  if (isObject(anns)) {
    delete anns[HASH_ANNOTATION];
    if (!Object.keys(anns).length) delete (d.metadata as JsonObject).annotations;
  }
  delete d.status;
  const out: FieldChange[] = [];
  compare(d, live, "", out);
  const tree = manager ? appliedFields(live, manager) : undefined;
  if (tree) {
    const removed: FieldChange[] = [];
    // Against the whole render: the hash annotation is one of the fields the apply sets.
    removals(tree, full, live, "", removed);
    out.push(...removed.filter((r) => r.path !== `metadata.annotations.${HASH_ANNOTATION}` && !r.path.startsWith("status")));
  }
  return out;
}

export interface LiveState {
  /** Live objects carrying this install's owner labels (listOwned). */
  owned: Map<string, JsonObject>;
  /** Live objects the render names that do not carry them. */
  unowned: Map<string, JsonObject>;
  /** Namespaces the objects live in that do not exist (install creates them). */
  missingNamespaces: string[];
}

/** The pure comparison: the desired components against the live state. */
export function diffInstall(desired: DesiredComponent[], live: LiveState, manager?: string): DiffReport {
  const objects: ObjectDiff[] = [];
  for (const ns of live.missingNamespaces) objects.push({ action: "create", apiVersion: "v1", kind: "Namespace", name: ns, fields: [] });
  for (const c of desired) {
    for (const o of c.objects) {
      const key = objectKey(o);
      const l = live.owned.get(key) ?? live.unowned.get(key);
      const base = { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), component: c.component };
      if (!l) {
        objects.push({ ...base, action: "create", fields: [] });
        continue;
      }
      const fields = objectChanges(o, l, manager);
      objects.push({ ...base, action: fields.length ? "change" : "unchanged", fields, ...(live.owned.has(key) ? {} : { adopted: true }) });
    }
  }
  const prune = toPrune([...live.owned.values()], desired.flatMap((c) => c.objects)).filter((o) => o.kind !== "CustomResourceDefinition");
  for (const o of prune) {
    const m = (isObject(o.metadata) ? o.metadata : {}) as { name?: string; namespace?: string };
    objects.push({ action: "prune", apiVersion: String(o.apiVersion), kind: String(o.kind), name: m.name ?? "", ...(m.namespace ? { namespace: m.namespace } : {}), fields: [] });
  }
  const counts: Record<Action, number> = { create: 0, change: 0, unchanged: 0, prune: 0 };
  for (const o of objects) counts[o.action]++;
  return { objects, counts };
}

/** Reads what the comparison needs: owned objects, the desired objects that exist unowned, missing namespaces. Reads only. */
export async function readLiveState(kube: Pick<KubeClient, "get" | "list">, desired: DesiredComponent[], owner: Owner): Promise<LiveState> {
  const owned = await listOwned(kube as KubeClient, owner);
  const unowned = new Map<string, JsonObject>();
  for (const o of desired.flatMap((c) => c.objects)) {
    const key = objectKey(o);
    if (owned.has(key)) continue;
    const l = await kube.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
    if (l) unowned.set(key, l);
  }
  const missingNamespaces: string[] = [];
  const namespaces = new Set(desired.flatMap((c) => c.objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n)));
  for (const ns of namespaces) if (!(await kube.get("v1", "Namespace", undefined, ns))) missingNamespaces.push(ns);
  return { owned, unowned, missingNamespaces };
}

/** Whether applying would change anything. */
export const hasChanges = (r: DiffReport) => r.counts.create + r.counts.change + r.counts.prune > 0;

function brief(v: Json | undefined, max = 120): string {
  const s = v === undefined ? "" : JSON.stringify(v);
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/**
 * The lines that differ between two texts (longest common subsequence), for multi-line values such as ConfigMap
 * data: each run of changed lines under a `@@ line N @@` header (N: its first line in the new text) and the one
 * unchanged line before it, as context. Texts of more than 2,000 lines are not compared line by line (undefined).
 */
export function lineChanges(a: string, b: string): string[] | undefined {
  const x = a.split("\n");
  const y = b.split("\n");
  if (x.length > 2000 || y.length > 2000) return undefined;
  const n = x.length;
  const m = y.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  let inHunk = false;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      i++;
      j++;
      inHunk = false;
      continue;
    }
    if (!inHunk) {
      out.push(`@@ line ${j + 1} @@`);
      if (j > 0) out.push(`  ${y[j - 1]}`);
      inHunk = true;
    }
    if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) out.push(`+ ${y[j++]}`);
    else out.push(`- ${x[i++]}`);
  }
  return out;
}

const id = (o: ObjectDiff) => `${o.kind} ${o.namespace ? o.namespace + "/" : ""}${o.name}`;

/** The text report: one line per object that changes, its field changes under it, then the counts. */
export function formatDiff(r: DiffReport): string {
  let out = "";
  for (const o of r.objects) {
    if (o.action === "unchanged") continue;
    const sign = o.action === "create" ? "+" : o.action === "prune" ? "-" : "~";
    out += `${sign} ${o.action.padEnd(6)} ${id(o)}${o.adopted ? " (exists, not yet owned by this install: apply takes it over)" : ""}\n`;
    for (const f of o.fields) {
      if (f.op === "add") out += `    + ${f.path}: ${brief(f.desired)}\n`;
      else if (f.op === "remove") out += `    - ${f.path}: ${brief(f.live)} (no longer rendered)\n`;
      else if (typeof f.live === "string" && typeof f.desired === "string" && (f.live.includes("\n") || f.desired.includes("\n"))) {
        const lines = lineChanges(f.live, f.desired);
        if (lines) out += `    ~ ${f.path}:\n${lines.map((l) => `        ${l}\n`).join("")}`;
        else out += `    ~ ${f.path}: ${brief(f.live)} → ${brief(f.desired)}\n`;
      } else out += `    ~ ${f.path}: ${brief(f.live)} → ${brief(f.desired)}\n`;
    }
  }
  const c = r.counts;
  out += `${c.create} to create, ${c.change} to change, ${c.prune} to prune, ${c.unchanged} unchanged\n`;
  return out;
}
