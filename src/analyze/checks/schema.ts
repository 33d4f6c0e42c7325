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
];

export function schemaAnalyzers(validate: Validator): Analyzer[] {
  return ISTIO_KINDS.map(([kind, group]) => ({
    name: `schema.ValidationAnalyzer.${kind}`,
    description: `Runs schema validation as an analyzer on '${kind}' resources`,
    run(s, report) {
      for (const r of ofKind(s, kind, group)) {
        const v = validate(r.object);
        if (!v.handled) continue;
        // Placed on the resource's line, as istioctl does; the field path leads the text (but not a bare "spec").
        for (const e of v.errors) report({ code: "IST0106", resource: r, args: [e.path && e.path !== "spec" ? `${e.path}: ${e.message}` : e.message] });
        for (const w of v.warnings) {
          // The unreachable-rule warnings have codes of their own (Istio's analysis-aware validation errors).
          const ineffective = /virtualService rule (.+?) match (.+) is not used \(duplicate\/overlapping match in rule (.+)\)$/.exec(w);
          const unused = /virtualService rule (.+) not used \((.+)\)$/.exec(w);
          if (ineffective) report({ code: "IST0131", resource: r, args: [ineffective[1], ineffective[2], ineffective[3]] });
          else if (unused) report({ code: "IST0130", resource: r, args: [unused[1], unused[2]] });
          else report({ code: "IST0133", resource: r, args: [w] });
        }
      }
    },
  }));
}
