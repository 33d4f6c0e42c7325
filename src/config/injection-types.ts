// What the injector is configured with, resolved once (from an IstioOperator, or Istio's ConfigMaps) and
// handed to the pure injection core.
import type { InjectionValues } from "./values-types.js";
import type { MeshConfig } from "./mesh-types.js";

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** The non-template part of the injector's `config` (policy, selectors, default templates). */
export interface InjectorConfig {
  policy: string;
  alwaysInjectSelector: LabelSelector[];
  neverInjectSelector: LabelSelector[];
  injectedAnnotations: Record<string, string>;
  defaultTemplates: string[];
  /**
   * `config.templates`: template name -> Go text/template text, as the ConfigMap holds them (absent when the
   * ConfigMap has none). The injector's own code renders `sidecar`/`gateway` when their text is absent or is
   * pilotfish's own; any other text is rendered by the template engine.
   */
  templates?: Record<string, string>;
}

/** Everything the injector needs, read once from ConfigMaps or files/flags, then handed to the pure core. */
export interface InjectionSettings {
  values: InjectionValues;
  mesh: MeshConfig;
  config: InjectorConfig;
  /** Istio's ENABLE_NATIVE_SIDECARS after resolving `auto` against the cluster's kubelets. */
  nativeSidecars: boolean;
  /** COMPLIANCE_POLICY of istiod's environment. */
  compliancePolicy?: string;
  /** PLATFORM=openshift turns on the OpenShift UID range logic (webhook only). */
  platform?: string;
  /**
   * The injection templates the injector renders: `config.templates` over the user's
   * `values.sidecarInjectorWebhook.templates` (the istiod chart writes the latter into the former).
   */
  templates?: Record<string, string>;
}
