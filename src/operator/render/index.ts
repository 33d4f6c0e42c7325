// Rendering (pure): a resolved IstioOperator -> the components to install, each with its objects, k8s
// patches and overlays applied. `manifest generate`, `install` and the reconciler all render through here.
import { isObject, str, type JsonObject } from "../../config/values.js";
import type { ComponentsSpec } from "../../config/iop-types.js";
import type { ResolvedIop } from "../../config/resolve.js";
import { ADDON_COMPONENT, ADDONS, renderAddon } from "./addons.js";
import { renderBase } from "./base.js";
import { renderCni } from "./cni.js";
import { renderZtunnel } from "./ztunnel.js";
import { renderGateway, type GatewayElement } from "./gateway.js";
import { renderIstiod } from "./istiod.js";
import { applyK8s, applyOverlays } from "./k8s.js";
import { COMPONENT_TITLES, INSTALL_ORDER, context, obj0, sortObjects, type ComponentName, type K8sObject, type RenderedComponent } from "./meta.js";

export type { K8sObject, RenderedComponent, ComponentName };
export { sortObjects, INSTALL_ORDER, COMPONENT_TITLES };

export interface Rendered {
  components: RenderedComponent[];
  /** Overlay paths that matched nothing (istioctl drops them silently; we report them as warnings). */
  warnings: string[];
}

/** An absent component spec means the profile's default; a present one is on unless `enabled: false`. */
function enabled(c: unknown, dflt: boolean): boolean {
  if (!isObject(c)) return dflt;
  return c.enabled !== false;
}

export function render(r: ResolvedIop): Rendered {
  const ctx = context(r);
  const comps: ComponentsSpec = obj0(r.spec.components);
  const out: RenderedComponent[] = [];
  const warnings: string[] = [];
  const ns = (c: unknown) => (isObject(c) && typeof c.namespace === "string" && c.namespace ? c.namespace : ctx.istioNamespace);
  const add = (component: ComponentName, objects: K8sObject[], spec: JsonObject | undefined, target: { resourceName: string; container: string } | undefined, gateway = false) => {
    const k8s = spec && isObject(spec.k8s) ? spec.k8s : undefined;
    if (k8s && target) applyK8s(objects, k8s, target, { gateway });
    if (k8s) warnings.push(...applyOverlays(objects, k8s.overlays));
    const existing = out.find((c) => c.component === component);
    if (existing) existing.objects.push(...objects);
    else out.push({ component, title: COMPONENT_TITLES[component], objects });
  };

  if (enabled(comps.base, true)) add("Base", renderBase(ctx), obj0(comps.base), undefined);
  if (enabled(comps.pilot, true)) {
    const rn = ctx.revision && ctx.revision !== "default" ? `istiod-${ctx.revision}` : "istiod";
    add("Pilot", renderIstiod(ctx, ns(comps.pilot)), obj0(comps.pilot), { resourceName: rn, container: "discovery" });
  }
  const cniOn = isObject(comps.cni) && comps.cni.enabled !== false;
  if (cniOn) add("Cni", renderCni(ctx, ns(comps.cni)), obj0(comps.cni), { resourceName: "istio-cni-node", container: "install-cni" });
  const ztOn = isObject(comps.ztunnel) && comps.ztunnel.enabled !== false;
  if (ztOn) add("Ztunnel", renderZtunnel(ctx, ns(comps.ztunnel)), obj0(comps.ztunnel), { resourceName: "ztunnel", container: "istio-proxy" });
  for (const [list, kind, component] of [["ingressGateways", "ingress", "IngressGateways"], ["egressGateways", "egress", "EgressGateways"]] as const) {
    const force = ctx.values.gateways?.[`istio-${kind}gateway`]?.enabled === true;
    const elements = (Array.isArray(comps[list]) ? comps[list] : []).filter(isObject);
    let any = false;
    for (const e of elements) {
      if (e.enabled === false && !force) continue;
      const el: GatewayElement = { name: str(e.name), namespace: ns(e), enabled: true, spec: e };
      add(component, renderGateway(ctx, kind, el), e, { resourceName: el.name, container: "istio-proxy" }, true);
      any = true;
    }
    if (!any && force && !elements.length) {
      const name = `istio-${kind}gateway`;
      add(component, renderGateway(ctx, kind, { name, namespace: ctx.istioNamespace, enabled: true, spec: { name } }), undefined, undefined, true);
    }
  }
  const addons = obj0(r.spec.addonComponents);
  const enabledAddons = ADDONS.filter((a) => isObject(addons[a]) && addons[a].enabled === true);
  const peers = Object.fromEntries(enabledAddons.map((a) => [a, ns(addons[a] as JsonObject)]));
  for (const a of enabledAddons) {
    const spec = addons[a] as JsonObject;
    add(ADDON_COMPONENT[a], renderAddon(ctx, a, ns(spec), peers), spec, { resourceName: a, container: a });
  }
  out.sort((a, b) => INSTALL_ORDER.indexOf(a.component) - INSTALL_ORDER.indexOf(b.component));
  return { components: out, warnings };
}

/** All objects of a render, in istioctl's `manifest generate` order. */
export function manifestObjects(rendered: Rendered): K8sObject[] {
  return sortObjects(rendered.components.flatMap((c) => c.objects));
}
