// Sidecar injection checks: namespaces not labelled for injection, pods in injected namespaces that run
// without a proxy, namespaces with conflicting injection labels, and (pilotfish) namespaces labelled for a
// revision that no installed injector webhook serves.
import type { Analyzer, Obj, Snapshot } from "../types.js";
import { arr, fullName, obj, ofKind, str } from "../util.js";

const INJECTION = "istio-injection";
const REV = "istio.io/rev";
const DATAPLANE = "istio.io/dataplane-mode";

function enableNamespacesByDefault(s: Snapshot, rev: string): boolean {
  const name = rev === "" || rev === "default" ? "istio-sidecar-injector" : `istio-sidecar-injector-${rev}`;
  const cm = ofKind(s, "ConfigMap", "").find((c) => c.name === name);
  if (!cm) return false;
  try {
    const values = JSON.parse(str(obj(cm.object.data).values));
    return obj(values.sidecarInjectorWebhook).enableNamespacesByDefault === true;
  } catch {
    return false;
  }
}

export const injection: Analyzer = {
  name: "injection.Analyzer",
  description: "Checks conditions related to Istio sidecar injection",
  run(s, report) {
    const injected = new Set<string>();
    for (const ns of ofKind(s, "Namespace", "")) {
      if (ns.name === "istio-system") continue;
      const l = ns.labels;
      const hasLegacy = INJECTION in l;
      const found: string[] = [];
      if (hasLegacy) found.push(`${INJECTION}=${l[INJECTION]}`);
      for (const k of [REV, DATAPLANE]) if (k in l && (!hasLegacy || l[INJECTION] === "enabled")) found.push(`${k}=${l[k]}`);
      if (found.length > 1) report({ code: "IST0123", resource: ns, args: [found] });
      if (l[DATAPLANE] === "ambient") continue;
      if (!l[INJECTION] && !(REV in l)) {
        if (enableNamespacesByDefault(s, l[REV] ?? "")) report({ code: "IST0148", resource: ns, args: [] });
        else report({ code: "IST0102", resource: ns, args: [ns.name], path: "metadata.name" });
        continue;
      }
      if (l[INJECTION] === "enabled") injected.add(ns.name);
    }
    for (const pod of ofKind(s, "Pod", "")) {
      if (!injected.has(pod.namespace)) continue;
      const inject = pod.labels["sidecar.istio.io/inject"] ?? pod.annotations["sidecar.istio.io/inject"] ?? "";
      if (inject.toLowerCase() === "false") continue;
      if (pod.spec.hostNetwork === true) continue;
      const containers = [...arr(pod.spec.containers), ...arr(pod.spec.initContainers)];
      const proxy = containers.find((c: Obj) => obj(c).name === "istio-proxy");
      if (!proxy || !str(proxy.image)) report({ code: "IST0103", resource: pod, args: [fullName(pod)] });
    }
  },
};

/** The revisions the injector webhooks serve: the `istio.io/rev In [...]` values of their namespace selectors. */
function servedRevisions(s: Snapshot): Set<string> | undefined {
  const injectors = ofKind(s, "MutatingWebhookConfiguration").filter((m) =>
    arr(m.object.webhooks).some((w: Obj) => str(obj(w).name).endsWith("sidecar-injector.istio.io")),
  );
  if (injectors.length === 0) return undefined;
  const served = new Set<string>();
  for (const m of injectors) {
    for (const w of arr(m.object.webhooks)) {
      for (const e of arr(obj(obj(w).namespaceSelector).matchExpressions)) {
        if (obj(e).key === REV && obj(e).operator === "In") for (const v of arr(e.values)) served.add(str(v));
      }
    }
  }
  return served;
}

export const revisions: Analyzer = {
  name: "pilotfish.RevisionAnalyzer",
  description: "Checks that namespaces labelled istio.io/rev name a revision an installed injector webhook serves",
  run(s, report) {
    const served = servedRevisions(s);
    if (!served) return; // No injector webhook in the input: nothing to compare against.
    for (const ns of ofKind(s, "Namespace", "")) {
      const rev = ns.labels[REV];
      if (rev === undefined || INJECTION in ns.labels || ns.labels[DATAPLANE] === "ambient") continue;
      if (!served.has(rev)) report({ code: "PF0002", resource: ns, args: [ns.name, rev, served.size ? [...served].sort().join(", ") : "none"], path: "metadata.labels" });
    }
  },
};

