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

/** Drops, in place, the Go zero values a typed Pod round trip would not keep; returns the overlay. */
export function goTypedOverlay(overlay: Obj): Obj {
  const spec = overlay.spec;
  if (isObj(spec)) {
    dropIf(spec, POD_SPEC_FALSE, false);
    for (const list of ["containers", "initContainers"]) for (const c of Array.isArray(spec[list]) ? spec[list] : []) container(c);
  }
  return overlay;
}
