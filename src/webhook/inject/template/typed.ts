// What Istio's typed round trip does to a rendered overlay: RunTemplate decodes the merged YAML into a corev1.Pod,
// so a field whose Go type is a plain (non-pointer) number, bool or string tagged `omitempty` disappears when the
// template wrote its zero value (`initialDelaySeconds: 0`, `readOnly: false`, `value: ""`). Pointer fields
// (securityContext's runAsUser, privileged, ...) keep theirs. Applied to the template's output before merging.
import type { Obj } from "../../../config/values.js";

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const PROBE_ZERO = ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"];
const CONTAINER_FALSE = ["stdin", "stdinOnce", "tty"];
const POD_SPEC_FALSE = ["hostNetwork", "hostPID", "hostIPC"];

function dropIf(o: Obj, keys: string[], zero: unknown): void {
  for (const k of keys) if (o[k] === zero) delete o[k];
}

function container(c: unknown): void {
  if (!isObj(c)) return;
  dropIf(c, CONTAINER_FALSE, false);
  for (const p of ["livenessProbe", "readinessProbe", "startupProbe"]) if (isObj(c[p])) dropIf(c[p], PROBE_ZERO, 0);
  for (const port of Array.isArray(c.ports) ? c.ports : []) if (isObj(port)) dropIf(port, ["hostPort"], 0);
  for (const m of Array.isArray(c.volumeMounts) ? c.volumeMounts : []) if (isObj(m)) dropIf(m, ["readOnly"], false);
  for (const e of Array.isArray(c.env) ? c.env : []) if (isObj(e)) dropIf(e, ["value"], "");
}

const isStr = (v: unknown) => typeof v === "string";

/**
 * Where the overlay holds a value Go's typed decoding refuses (a number or bool where corev1.Pod has a string: an
 * unquoted `true` annotation, a numeric env value, ...): Istio then fails the injection ("failed parsing generated
 * injected YAML"). Undefined when every checked field has its Go type.
 */
export function goTypeError(overlay: Obj): string | undefined {
  const bad = (path: string, v: unknown, want: string) => `${path}: ${JSON.stringify(v)} is not a ${want}`;
  const meta = overlay.metadata;
  if (meta !== undefined && meta !== null && !isObj(meta)) return bad("metadata", meta, "map");
  for (const m of ["labels", "annotations"]) {
    const map = isObj(meta) ? meta[m] : undefined;
    if (map === undefined || map === null) continue;
    if (!isObj(map)) return bad(`metadata.${m}`, map, "map of strings");
    for (const [k, v] of Object.entries(map)) if (v !== null && !isStr(v)) return bad(`metadata.${m}[${JSON.stringify(k)}]`, v, "string");
  }
  const spec = overlay.spec;
  if (spec === undefined || spec === null) return undefined;
  if (!isObj(spec)) return bad("spec", spec, "map");
  for (const list of ["containers", "initContainers", "volumes", "imagePullSecrets"]) {
    const items = spec[list];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) return bad(`spec.${list}`, items, "list");
    for (const [i, c] of items.entries()) {
      const at = `spec.${list}[${i}]`;
      if (!isObj(c)) return bad(at, c, "map");
      for (const f of ["name", "image", "imagePullPolicy", "workingDir"]) if (c[f] !== undefined && c[f] !== null && !isStr(c[f])) return bad(`${at}.${f}`, c[f], "string");
      for (const f of ["args", "command"]) {
        if (c[f] === undefined || c[f] === null) continue;
        if (!Array.isArray(c[f])) return bad(`${at}.${f}`, c[f], "list of strings");
        for (const [j, a] of c[f].entries()) if (!isStr(a)) return bad(`${at}.${f}[${j}]`, a, "string");
      }
      for (const [j, e] of (Array.isArray(c.env) ? c.env : []).entries()) {
        if (!isObj(e)) return bad(`${at}.env[${j}]`, e, "map");
        for (const f of ["name", "value"]) if (e[f] !== undefined && e[f] !== null && !isStr(e[f])) return bad(`${at}.env[${j}].${f}`, e[f], "string");
      }
      for (const [j, m] of (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).entries()) {
        if (!isObj(m)) return bad(`${at}.volumeMounts[${j}]`, m, "map");
        for (const f of ["name", "mountPath", "subPath"]) if (m[f] !== undefined && m[f] !== null && !isStr(m[f])) return bad(`${at}.volumeMounts[${j}].${f}`, m[f], "string");
      }
    }
  }
  return undefined;
}

/** Drops, in place, the Go zero values a typed Pod round trip would not keep; returns the overlay. */
export function goTypedOverlay(overlay: Obj): Obj {
  const spec = overlay.spec;
  if (isObj(spec)) {
    dropIf(spec, POD_SPEC_FALSE, false);
    for (const list of ["containers", "initContainers"]) for (const c of Array.isArray(spec[list]) ? spec[list] : []) container(c);
  }
  return overlay;
}
