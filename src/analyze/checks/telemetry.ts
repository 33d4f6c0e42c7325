// Telemetry checks: several namespace-wide Telemetry resources in one namespace, and access logging with no
// provider when the mesh config names no default one.
import type { Analyzer, Resource } from "../types.js";
import { arr, ISTIO_TELEMETRY, obj, ofKind } from "../util.js";

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
