// The data every template reads, computed once per pod (Istio's SidecarTemplateData plus derived flags).
import { isObject, str, truthy, type Obj } from "../../config/values.js";
import type { GlobalValues, InjectionValues, ProxyValues } from "../../config/values-types.js";
import type { MeshConfig, ProxyConfig } from "../../config/mesh-types.js";
import { A } from "./annotations.js";
import { formatValue, GoFloat } from "../../gotemplate/index.js";
import type { DeployMeta, TypeMeta } from "./types.js";

export interface TemplateContext {
  pod: Obj;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  typeMeta: TypeMeta;
  deployMeta: DeployMeta;
  proxyConfig: ProxyConfig;
  mesh: MeshConfig;
  values: InjectionValues;
  revision: string;
  /** What the template sees as native: the annotation (anything but "false") or the global flag. */
  native: boolean;
  proxyImage: string;
  proxyUID: number;
  proxyGID: number;
  compliancePolicy: string;
}

/**
 * A `.Values` value as Go's fmt prints it: Istio decodes the values JSON into map[string]any, so a number is a
 * float64 (1000000 prints as 1e+06, as istioctl's `--stsPort=1e+06`).
 */
export function valueString(v: unknown): string {
  return typeof v === "number" ? formatValue(new GoFloat(v)) : str(v);
}

/** `annotation m key default`: the annotation if present, else the default (a `.Values` value) as fmt.Sprint prints it. */
export function ann(t: TemplateContext, key: string, dflt: unknown): string {
  return Object.prototype.hasOwnProperty.call(t.annotations, key) ? t.annotations[key] : valueString(dflt);
}

/** `.Values.global` ({} when absent). */
export function globalValues(t: TemplateContext): GlobalValues {
  return t.values.global ?? {};
}

/** `.Values.global.proxy` ({} when absent), what most template lines read. */
export function proxyValues(t: TemplateContext): ProxyValues {
  return t.values.global?.proxy ?? {};
}

export function interceptionMode(t: TemplateContext): string {
  return ann(t, A.interceptionMode, t.proxyConfig.interceptionMode || "REDIRECT");
}

export function statusPort(t: TemplateContext): string {
  return ann(t, A.statusPort, proxyValues(t).statusPort);
}

export function cniEnabled(t: TemplateContext): boolean {
  return truthy(t.values.pilot?.cni?.enabled);
}

/** Names of the pod's containers other than istio-proxy, in order. */
export function appContainers(t: TemplateContext): string[] {
  const cs = Array.isArray(t.pod.spec?.containers) ? t.pod.spec.containers : [];
  return cs.map((c: Obj) => c?.name).filter((n: unknown) => typeof n === "string" && n !== "istio-proxy");
}

/** `<hub>/<image>:<tag>[-variant]` as Istio's ProxyImage computes it. */
export function proxyImage(values: InjectionValues, proxyConfig: ProxyConfig, annotations: Record<string, string>): string {
  const image = str(values.global?.proxy?.image) || "proxyv2";
  const hub = str(values.global?.hub);
  let tag = str(values.global?.tag);
  let variant = str(values.global?.variant);
  const pcType = isObject(proxyConfig.image) ? str(proxyConfig.image.imageType) : "";
  if (pcType) variant = pcType;
  if (annotations[A.proxyImageType]) variant = annotations[A.proxyImageType];
  for (const suffix of ["-distroless", "-debug"]) if (tag.endsWith(suffix)) tag = tag.slice(0, -suffix.length);
  if (variant === "default") variant = "";
  return `${hub}/${image}:${tag}${variant ? "-" + variant : ""}`;
}
