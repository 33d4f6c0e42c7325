// Pods whose istio-proxy image is not the one their namespace's injector would give them now (pods started
// before a control-plane upgrade): reported once per namespace.
import { load } from "js-yaml";
import type { Analyzer, Obj, Resource, Snapshot } from "../types.js";
import { arr, ISTIO_NETWORKING, obj, ofKind, selects, str } from "../util.js";

function injectorImage(cm: Resource): string {
  try {
    const g = obj(obj(JSON.parse(str(obj(cm.object.data).values))).global);
    const image = str(obj(g.proxy).image);
    return image.includes("/") ? image : `${str(g.hub)}/${image}:${str(g.tag)}`;
  } catch {
    return "";
  }
}

/**
 * The proxy image type (variant) in force for a pod, most specific first: its proxy.istio.io/config annotation,
 * a ProxyConfig selecting it, its namespace's ProxyConfig, the root namespace's, the mesh default.
 */
function imageType(s: Snapshot, pod: Resource): string {
  const anno = pod.annotations["proxy.istio.io/config"];
  if (anno) {
    try {
      const t = str(obj(obj(load(anno)).image).imageType);
      if (t) return t;
    } catch {
      // An unreadable annotation: the next source applies.
    }
  }
  const pcs = ofKind(s, "ProxyConfig", ISTIO_NETWORKING);
  const typeOf = (pc: Resource) => str(obj(pc.spec.image).imageType);
  const matchLabels = (pc: Resource) => obj(obj(pc.spec.selector).matchLabels) as Record<string, string>;
  const wide = (pc: Resource) => Object.keys(matchLabels(pc)).length === 0;
  const root = str(s.mesh.rootNamespace) || s.istioNamespace;
  const workload = pcs.find((pc) => pc.namespace === pod.namespace && !wide(pc) && selects(matchLabels(pc), pod.labels) && typeOf(pc));
  const ns = pcs.find((pc) => pc.namespace === pod.namespace && wide(pc) && typeOf(pc));
  const rootPc = pcs.find((pc) => pc.namespace === root && wide(pc) && typeOf(pc));
  const found = workload ?? ns ?? rootPc;
  if (found) return typeOf(found);
  return str(obj(obj(s.mesh.defaultConfig).image).imageType) || "default";
}

export const proxyImages: Analyzer = {
  name: "injection.ImageAnalyzer",
  description: "Checks the image of auto-injection configured with the running proxies on pods",
  run(s, report) {
    const images = new Map<string, string>();
    for (const cm of ofKind(s, "ConfigMap", "")) if (cm.name.startsWith("istio-sidecar-injector")) images.set(cm.name, injectorImage(cm));
    if (images.size === 0) return;
    const injected = new Map<string, string>();
    const namespaces = new Map(ofKind(s, "Namespace", "").map((n) => [n.name, n]));
    for (const ns of namespaces.values()) {
      if ("istio.io/rev" in ns.labels) injected.set(ns.name, ns.labels["istio.io/rev"]);
      else if (ns.labels["istio-injection"] === "enabled") injected.set(ns.name, "default");
    }
    const mismatched = new Map<string, string[]>();
    for (const pod of ofKind(s, "Pod", "")) {
      const rev = injected.get(pod.namespace);
      if (rev === undefined) continue;
      if (pod.annotations["sidecar.istio.io/proxyImage"]) continue;
      const cmName = rev === "" || rev === "default" ? "istio-sidecar-injector" : `istio-sidecar-injector-${rev}`;
      const want = images.get(cmName);
      if (want === undefined) continue;
      const variant = imageType(s, pod);
      for (const c of [...arr<Obj>(pod.spec.containers), ...arr<Obj>(pod.spec.initContainers)]) {
        if (c.name !== "istio-proxy") continue;
        if (c.image !== want && c.image !== `${want}-${variant}`) mismatched.set(pod.namespace, [...(mismatched.get(pod.namespace) ?? []), pod.name]);
      }
    }
    for (const [ns, pods] of mismatched) {
      const r = namespaces.get(ns);
      if (r) report({ code: "IST0158", resource: r, args: [pods.sort()] });
    }
  },
};
