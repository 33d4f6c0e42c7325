// App probe rewriting: kubelet probes of app containers are sent to pilot-agent (status port), which forwards
// them, so mTLS-only apps still pass their probes. ISTIO_KUBE_APP_PROBERS tells the agent the original probes.
import type { Obj } from "./types.js";
import { isObj } from "./merge.js";

const PROBES: [string, string][] = [["readinessProbe", "readyz"], ["livenessProbe", "livez"], ["startupProbe", "startupz"]];
const HOOKS: [string, string][] = [["preStop", "prestopz"], ["postStart", "poststartz"]];

function goHttpGet(h: Obj): Obj {
  const o: Obj = {};
  for (const k of ["path", "port", "host", "scheme", "httpHeaders"]) {
    const v = h[k];
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    o[k] = v;
  }
  return o;
}

function resolvePort(c: Obj, port: unknown): number | undefined {
  if (typeof port === "number") return port;
  if (typeof port === "string") {
    if (/^\d+$/.test(port)) return Number(port);
    const p = (c.ports ?? []).find((x: Obj) => x?.name === port);
    return p ? Number(p.containerPort) : undefined;
  }
  return undefined;
}

function proberFor(c: Obj, probe: Obj, meshStatusPort: number, withTimeout: boolean): Obj | undefined {
  let out: Obj | undefined;
  if (isObj(probe.httpGet)) {
    const port = resolvePort(c, probe.httpGet.port);
    if (port === undefined || port === meshStatusPort) return undefined;
    out = { httpGet: { ...goHttpGet(probe.httpGet), port } };
  } else if (isObj(probe.tcpSocket)) {
    const port = resolvePort(c, probe.tcpSocket.port);
    if (port === undefined || port === meshStatusPort) return undefined;
    out = { tcpSocket: { ...(probe.tcpSocket.host ? { host: probe.tcpSocket.host } : {}), port } };
  } else if (isObj(probe.grpc)) {
    if (probe.grpc.port === meshStatusPort) return undefined;
    out = { grpc: probe.grpc };
  } else {
    return undefined;
  }
  if (withTimeout && probe.timeoutSeconds) out.timeoutSeconds = probe.timeoutSeconds;
  return out;
}

function appContainersOf(pod: Obj): Obj[] {
  const spec = pod.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].filter((c: Obj) => isObj(c) && c.name !== "istio-proxy");
}

/** The ISTIO_KUBE_APP_PROBERS map (keys sorted), or undefined when there is nothing to forward. */
export function collectProbers(pod: Obj, meshStatusPort: number): Record<string, Obj> | undefined {
  const out: Record<string, Obj> = {};
  for (const c of appContainersOf(pod)) {
    for (const [field, suffix] of PROBES) {
      if (!isObj(c[field])) continue;
      const p = proberFor(c, c[field], meshStatusPort, true);
      if (p) out[`/app-health/${c.name}/${suffix}`] = p;
    }
    for (const [field, suffix] of HOOKS) {
      const h = c.lifecycle?.[field];
      if (!isObj(h)) continue;
      const p = proberFor(c, h, meshStatusPort, false);
      if (p) out[`/app-lifecycle/${c.name}/${suffix}`] = p;
    }
  }
  const keys = Object.keys(out).sort();
  if (keys.length === 0) return undefined;
  const sorted: Record<string, Obj> = {};
  for (const k of keys) sorted[k] = out[k];
  return sorted;
}

function rewriteOne(probe: Obj, path: string, port: number): Obj {
  if (isObj(probe.httpGet)) {
    const httpGet: Obj = { ...probe.httpGet, path, port };
    if (httpGet.scheme === "HTTPS") httpGet.scheme = "HTTP";
    return { ...probe, httpGet };
  }
  if (isObj(probe.tcpSocket) || isObj(probe.grpc)) {
    const { tcpSocket: _t, grpc: _g, ...rest } = probe;
    return { ...rest, httpGet: { path, port } };
  }
  return probe;
}

/** Points every app probe and lifecycle hook (httpGet, tcpSocket, grpc) at pilot-agent on `port`. */
export function rewriteProbes(pod: Obj, port: number): void {
  for (const c of appContainersOf(pod)) {
    for (const [field, suffix] of PROBES) {
      if (isObj(c[field])) c[field] = rewriteOne(c[field], `/app-health/${c.name}/${suffix}`, port);
    }
    if (isObj(c.lifecycle)) {
      for (const [field, suffix] of HOOKS) {
        const h = c.lifecycle[field];
        if (isObj(h) && (isObj(h.httpGet) || isObj(h.tcpSocket))) {
          c.lifecycle[field] = rewriteOne(h, `/app-lifecycle/${c.name}/${suffix}`, port);
        }
      }
    }
  }
}
