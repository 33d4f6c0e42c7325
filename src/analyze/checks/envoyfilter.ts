// EnvoyFilter checks: patch operations that Envoy ignores for the chosen applyTo, and relative operations
// without a priority (their order against other filters is not defined).
import type { Analyzer } from "../types.js";
import { arr, ISTIO_NETWORKING, obj, ofKind, str } from "../util.js";

const ROUTE_LEVEL = new Set(["ROUTE_CONFIGURATION", "HTTP_ROUTE"]);
const REPLACEABLE = new Set(["NETWORK_FILTER", "HTTP_FILTER", "VIRTUAL_HOST"]);

export const envoyFilters: Analyzer = {
  name: "envoyfilter.EnvoyPatchAnalyzer",
  description: "Checks an envoyFilters ",
  run(s, report) {
    // Names of patched filters that carry a proxyVersion match, across EnvoyFilters (Istio keeps one list).
    const versioned: string[] = [];
    for (const ef of ofKind(s, "EnvoyFilter", ISTIO_NETWORKING)) {
      const priority = Number(ef.spec.priority ?? 0);
      const patches = arr(ef.spec.configPatches);
      for (let i = 0; i < patches.length; i++) {
        const cp = obj(patches[i]);
        if (!cp.patch) break;
        const patch = obj(cp.patch);
        const op = str(patch.operation);
        const applyTo = str(cp.applyTo);
        const value = obj(patch.value);
        let instance = "";
        if (value.name !== undefined) instance = JSON.stringify(value.name);
        else instance = str(obj(obj(obj(obj(cp.match).listener).filterChain).filter).name);
        // Istio places these on the patch value (a map: so, in effect, on the resource).
        const path = `spec.configPatches[${i}].patch.value`;
        const relative = () => {
          if (priority !== 0) return;
          report({ code: versioned.includes(instance) ? "IST0155" : "IST0151", resource: ef, args: [], path });
        };
        if (op === "ADD") {
          if (ROUTE_LEVEL.has(applyTo)) report({ code: "IST0153", resource: ef, args: [], path });
        } else if (op === "REMOVE") {
          if (ROUTE_LEVEL.has(applyTo)) report({ code: "IST0154", resource: ef, args: [], path });
          else relative();
        } else if (op === "REPLACE") {
          if (!REPLACEABLE.has(applyTo)) report({ code: "IST0152", resource: ef, args: [], path });
          else relative();
        } else if (op === "INSERT_BEFORE" || op === "INSERT_AFTER") relative();
        if (str(obj(obj(cp.match).proxy).proxyVersion)) versioned.push(instance);
      }
    }
  },
};
