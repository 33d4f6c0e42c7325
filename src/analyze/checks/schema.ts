// Each Istio resource validated on its own, as istioctl analyze's schema.ValidationAnalyzer.<Kind> does. The
// validator is handed in by the edge (the webhook's validation lives a floor above this core).
import type { Analyzer, Obj } from "../types.js";
import { ofKind } from "../util.js";

export interface SchemaVerdict {
  /** False for kinds the validator does not know. */
  handled: boolean;
  errors: { path: string; message: string }[];
  warnings: string[];
}
export type Validator = (object: Obj) => SchemaVerdict;

/** Istio's configuration kinds (collections.Istio) and their API groups. */
export const ISTIO_KINDS: readonly [string, string][] = [
  ["DestinationRule", "networking.istio.io"],
  ["EnvoyFilter", "networking.istio.io"],
  ["Gateway", "networking.istio.io"],
  ["ProxyConfig", "networking.istio.io"],
  ["ServiceEntry", "networking.istio.io"],
  ["Sidecar", "networking.istio.io"],
  ["VirtualService", "networking.istio.io"],
  ["WorkloadEntry", "networking.istio.io"],
  ["WorkloadGroup", "networking.istio.io"],
  ["AuthorizationPolicy", "security.istio.io"],
  ["PeerAuthentication", "security.istio.io"],
  ["RequestAuthentication", "security.istio.io"],
  ["Telemetry", "telemetry.istio.io"],
  ["WasmPlugin", "extensions.istio.io"],
  ["TrafficExtension", "extensions.istio.io"],
];

/** A field path of the validator (`spec.a[0].b`) as keys and indexes. */
function pathParts(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

function deletePath(o: Obj, path: string): boolean {
  const parts = pathParts(path);
  let cur: any = o;
  for (const p of parts.slice(0, -1)) {
    cur = cur?.[p];
    if (cur === null || typeof cur !== "object") return false;
  }
  const last = parts[parts.length - 1];
  if (last === undefined || cur === null || typeof cur !== "object" || !(last in cur)) return false;
  delete cur[last];
  return true;
}

/** A warning of the validator is `path: message`; Istio's warnings carry no path. */
const warningText = (w: string): string => w.replace(/^[\w.[\]\-/]*: /, "");

/**
 * What Istio's schema.ValidationAnalyzer sees of a resource, validated: istioctl reads a file's resources into
 * Istio's typed configuration, which discards unknown fields and does not check metadata.name, and validates
 * only the spec with the name and namespace (no labels, no annotations). So unknown fields are pruned (and
 * the spec validated again without them), and the metadata handed in is the name and namespace alone.
 */
export function schemaVerdict(validate: Validator, object: Obj): SchemaVerdict {
  const md = (object.metadata ?? {}) as Obj;
  const copy: Obj = JSON.parse(JSON.stringify({
    apiVersion: object.apiVersion, kind: object.kind,
    metadata: { name: md.name, ...(md.namespace !== undefined ? { namespace: md.namespace } : {}) }, spec: object.spec,
  }));
  let v = validate(copy);
  for (let round = 0; round < 20 && v.handled; round++) {
    const unknown = v.errors.filter((e) => e.message.startsWith("unknown field") && e.path.startsWith("spec."));
    if (!unknown.length || !unknown.map((e) => deletePath(copy, e.path)).some(Boolean)) break;
    v = validate(copy);
  }
  // Istio's analyzer runs Istio's validation only, never the CRD's structural schema: a schema "Required value" is
  // left out where a rule says more about the same field.
  const restates = (e: { path: string; message: string }) =>
    e.message === "Required value" && v.errors.some((o) => o !== e && o.path === e.path && o.message !== e.message);
  return {
    handled: v.handled,
    errors: v.errors.filter((e) => !(e.path === "metadata.name" || e.path.startsWith("metadata.name.")) && !restates(e)),
    warnings: v.warnings.map(warningText),
  };
}

export function schemaAnalyzers(validate: Validator): Analyzer[] {
  return ISTIO_KINDS.map(([kind, group]) => ({
    name: `schema.ValidationAnalyzer.${kind}`,
    description: `Runs schema validation as an analyzer on '${kind}' resources`,
    run(s, report) {
      for (const r of ofKind(s, kind, group)) {
        const v = schemaVerdict(validate, r.object);
        if (!v.handled) continue;
        // Placed on the resource's line, with the validator's message alone, as istioctl does.
        for (const e of v.errors) report({ code: "IST0106", resource: r, args: [e.message] });
        for (const w of v.warnings) {
          // The unreachable-rule warnings have codes of their own (Istio's analysis-aware validation errors).
          const ineffective = /^virtualService rule (.+?) match (.+) is not used \(duplicate\/overlapping match in rule (.+)\)$/.exec(w);
          const unused = /^virtualService rule (.+) not used \((.+)\)$/.exec(w);
          if (ineffective) report({ code: "IST0131", resource: r, args: [ineffective[1], ineffective[2], ineffective[3]] });
          else if (unused) report({ code: "IST0130", resource: r, args: [unused[1], unused[2]] });
          else report({ code: "IST0133", resource: r, args: [w] });
        }
      }
    },
  }));
}
