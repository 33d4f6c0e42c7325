// An in-memory KubeClient for the reconciler's unit tests: objects by kind/namespace/name, equality label
// selectors, merge and JSON patches, IstioOperator finalizer semantics, and a log of every write call.
import jsonpatch from "fast-json-patch";
import { KubeError, type KubeClient } from "../../src/kube/client.js";
import type { JsonObject } from "../../src/config/values.js";

type Obj = JsonObject & { apiVersion: string; kind: string; metadata: JsonObject & { name: string; namespace?: string } };
export interface Write {
  verb: "apply" | "create" | "delete" | "patch";
  kind: string;
  id: string;
  subresource?: string;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const id = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ?? ""}/${name}`;

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return clone(patch);
  const out: JsonObject = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as JsonObject[string];
  }
  return out;
}

export class FakeKube implements KubeClient {
  readonly fieldManager = "pilotfish-operator";
  readonly objects = new Map<string, Obj>();
  readonly writes: Write[] = [];
  readonly events: JsonObject[] = [];
  /** Make an apply of this kind/name fail (kind/ns/name -> message), as the API server refuses one: HTTP 422. */
  readonly failApply = new Map<string, string>();
  /** Fault injection: called before every call (reads too); an error it returns is thrown instead. */
  fault?: (call: { verb: Write["verb"] | "get" | "list"; kind: string; id: string; subresource?: string }) => Error | undefined;
  /** Every call, reads included, as "verb kind". */
  readonly calls: string[] = [];
  private check(verb: Write["verb"] | "get" | "list", kind: string, ident: string, subresource?: string): void {
    this.calls.push(`${verb} ${kind}${subresource ? "/" + subresource : ""}`);
    const e = this.fault?.({ verb, kind, id: ident, subresource });
    if (e) throw e;
  }
  private uid = 0;

  put(o: Obj): Obj {
    const cur = this.objects.get(id(o.kind, o.metadata.namespace, o.metadata.name));
    const gen = Number(cur?.metadata.generation ?? 0);
    const specChanged = JSON.stringify(cur?.spec) !== JSON.stringify(o.spec);
    const next = clone(o);
    next.metadata = { ...next.metadata, uid: String(cur?.metadata.uid ?? `uid-${++this.uid}`), generation: cur && !specChanged ? gen : gen + 1 };
    if (cur?.status && !("status" in o)) next.status = cur.status;
    if (o.kind === "CustomResourceDefinition") next.status = { conditions: [{ type: "Established", status: "True" }] };
    this.objects.set(id(o.kind, o.metadata.namespace, o.metadata.name), next);
    return next;
  }

  obj(kind: string, ns: string | undefined, name: string): Obj | undefined {
    return this.objects.get(id(kind, ns, name));
  }

  writesOf(verb: Write["verb"]): Write[] {
    return this.writes.filter((w) => w.verb === verb);
  }

  async get(_apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    this.check("get", kind, id(kind, namespace, name));
    const o = this.obj(kind, namespace, name);
    return o && clone(o);
  }

  async list(apiVersion: string, kind: string, labelSelector?: string): Promise<JsonObject[]> {
    this.check("list", kind, id(kind, undefined, ""));
    const want = (labelSelector ?? "").split(",").filter(Boolean).map((kv) => kv.split("="));
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && o.apiVersion === apiVersion)
      .filter((o) => want.every(([k, v]) => ((o.metadata.labels ?? {}) as Record<string, string>)[k] === v))
      .map(clone);
  }

  async apply(o: Obj): Promise<JsonObject> {
    const key = id(o.kind, o.metadata.namespace, o.metadata.name);
    this.check("apply", o.kind, key);
    this.writes.push({ verb: "apply", kind: o.kind, id: key });
    const fail = this.failApply.get(key);
    if (fail) throw new KubeError(422, JSON.stringify({ kind: "Status", code: 422, message: fail }), `apply ${key}`);
    return clone(this.put(o));
  }

  async create(_apiVersion: string, kind: string, namespace: string | undefined, obj: JsonObject): Promise<{ created: boolean }> {
    const name = String((obj.metadata as JsonObject).name ?? (obj.metadata as JsonObject).generateName);
    this.check("create", kind, id(kind, namespace, name));
    this.writes.push({ verb: "create", kind, id: id(kind, namespace, name) });
    if (kind === "Event") {
      this.events.push(clone(obj));
      return { created: true };
    }
    if (this.obj(kind, namespace, name)) return { created: false };
    this.put({ ...obj, apiVersion: "v1", kind, metadata: { ...(obj.metadata as JsonObject), name } } as Obj);
    return { created: true };
  }

  async delete(_apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    this.check("delete", kind, id(kind, namespace, name));
    this.writes.push({ verb: "delete", kind, id: id(kind, namespace, name) });
    return this.objects.delete(id(kind, namespace, name));
  }

  private patched(kind: string, ns: string | undefined, name: string, next: Obj): JsonObject {
    const m = next.metadata as { deletionTimestamp?: string; finalizers?: string[] };
    if (m.deletionTimestamp && !(m.finalizers ?? []).length) this.objects.delete(id(kind, ns, name));
    else this.objects.set(id(kind, ns, name), next);
    return clone(next);
  }

  async mergePatch(_apiVersion: string, kind: string, namespace: string | undefined, name: string, patch: unknown, subresource = ""): Promise<JsonObject | undefined> {
    this.check("patch", kind, id(kind, namespace, name), subresource || undefined);
    this.writes.push({ verb: "patch", kind, id: id(kind, namespace, name), subresource });
    const cur = this.obj(kind, namespace, name);
    if (!cur) return undefined;
    // The status subresource takes only status; the main resource ignores status.
    const p = patch as JsonObject;
    const next = subresource === "status" ? { ...cur, status: mergePatch(cur.status, p.status) } : { ...(mergePatch(cur, { ...p, status: undefined }) as Obj), status: cur.status };
    return this.patched(kind, namespace, name, next as Obj);
  }

  async jsonPatch(_apiVersion: string, kind: string, namespace: string | undefined, name: string, ops: unknown[]): Promise<JsonObject | undefined> {
    this.check("patch", kind, id(kind, namespace, name));
    this.writes.push({ verb: "patch", kind, id: id(kind, namespace, name) });
    const cur = this.obj(kind, namespace, name);
    if (!cur) return undefined;
    const next = jsonpatch.applyPatch(clone(cur), ops as jsonpatch.Operation[], true).newDocument;
    return this.patched(kind, namespace, name, next);
  }
}
