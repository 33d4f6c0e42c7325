// Telemetry checks: several namespace-wide Telemetry resources in one namespace, and access logging with no
// provider when the mesh config names no default one.
import type { Analyzer, Resource } from "../types.js";
import { arr, ISTIO_TELEMETRY, obj, ofKind, selects, selectorString } from "../util.js";

export const telemetryDefaultSelector: Analyzer = {
  name: "telemetry.DefaultSelectorAnalyzer",
  description: "Validates that there aren't multiple telemetry resources that have no selector",
  run(s, report) {
    const byNs = new Map<string, Resource[]>();
    for (const t of ofKind(s, "Telemetry", ISTIO_TELEMETRY)) {
      if (t.spec.selector !== undefined && t.spec.selector !== null) continue;
      byNs.set(t.namespace, [...(byNs.get(t.namespace) ?? []), t]);
    }
    for (const [ns, list] of byNs) {
      if (list.length < 2) continue;
      const names = list.map((t) => t.name).sort();
      for (const t of list) report({ code: "IST0160", resource: t, args: [names, ns] });
    }
  },
};

export const telemetryProviders: Analyzer = {
  name: "telemetry.ProviderAnalyzer",
  description: "Validates that providers in telemetry resource is valid",
  run(s, report) {
    if (arr(obj(s.mesh.defaultProviders).accessLogging).length > 0) return;
    for (const t of ofKind(s, "Telemetry", ISTIO_TELEMETRY)) {
      for (const l of arr(t.spec.accessLogging)) {
        if (obj(l).disabled === true) continue;
        if (arr(obj(l).providers).length === 0) report({ code: "IST0157", resource: t, args: [t.name, t.namespace] });
      }
    }
  },
};

export const telemetrySelectors: Analyzer = {
  name: "telemetry.SelectorAnalyzer",
  description: "Validates that telemetries that define a selector match at least one pod, and that there aren't multiple telemetry resources that select overlapping pods",
  run(s, report) {
    const pods = ofKind(s, "Pod", "");
    const byPod = new Map<string, { pod: Resource; list: Resource[] }>();
    for (const t of ofKind(s, "Telemetry", ISTIO_TELEMETRY)) {
      const sel = obj(obj(t.spec.selector).matchLabels) as Record<string, string>;
      if (Object.keys(sel).length === 0) continue;
      let found = false;
      for (const p of pods) {
        if (p.namespace !== t.namespace || !selects(sel, p.labels)) continue;
        found = true;
        const key = `${p.namespace}/${p.name}`;
        if (!byPod.has(key)) byPod.set(key, { pod: p, list: [] });
        byPod.get(key)!.list.push(t);
      }
      if (!found) report({ code: "IST0101", resource: t, args: ["selector", selectorString(sel)], path: "spec.selector" });
    }
    for (const { pod, list } of byPod.values()) {
      if (list.length < 2) continue;
      const names = list.map((t) => t.name).sort();
      for (const t of list) report({ code: "IST0159", resource: t, args: [names, pod.namespace, pod.name] });
    }
  },
};

export const lightstepProviders: Analyzer = {
  name: "telemetry.LightstepAnalyzer",
  description: "Checks for the deprecated Lightstep tracing provider",
  run(s, report) {
    const names = new Set(arr(s.mesh.extensionProviders).filter((p) => obj(p).lightstep).map((p) => String(obj(p).name)));
    if (names.size === 0) return;
    for (const t of ofKind(s, "Telemetry", ISTIO_TELEMETRY)) {
      for (const tr of arr(t.spec.tracing)) {
        for (const p of arr(obj(tr).providers)) {
          const n = String(obj(p).name ?? "");
          if (names.has(n)) report({ code: "IST0002", resource: t, args: [`The Lightstep provider ${n} is deprecated, please migrate to OpenTelemetry provider.`] });
        }
      }
    }
  },
};
