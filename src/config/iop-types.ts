// Typed view of the IstioOperator spec parts the renderer reads by name (install.istio.io/v1alpha1,
// spec.components and spec.addonComponents). All optional, as a user writes them; the `k8s` block stays JSON
// past the fields named here (render/k8s.ts applies it generically).
import type { Json } from "./json.js";
import type { GatewayPort } from "./values-types.js";

export interface K8sSpec {
  service?: { ports?: GatewayPort[] };
  serviceAnnotations?: Record<string, string>;
  overlays?: Json[];
}

export interface ComponentSpec {
  enabled?: boolean;
  namespace?: string;
  hub?: string;
  tag?: string;
  k8s?: K8sSpec;
}

/** One element of spec.components.ingressGateways / egressGateways. */
export interface GatewayComponentSpec extends ComponentSpec {
  name?: string;
  label?: Record<string, string>;
}

export interface ComponentsSpec {
  base?: ComponentSpec;
  pilot?: ComponentSpec;
  cni?: ComponentSpec;
  ztunnel?: ComponentSpec;
  ingressGateways?: GatewayComponentSpec[];
  egressGateways?: GatewayComponentSpec[];
}
