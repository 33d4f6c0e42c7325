import type { JsonObject } from "../../mesh/values.js";

export type Obj = Record<string, any>;

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
}

/** Everything the injector needs, read once from ConfigMaps or files/flags, then handed to the pure core. */
export interface InjectionSettings {
  values: JsonObject;
  mesh: JsonObject;
  config: InjectorConfig;
  /** Istio's ENABLE_NATIVE_SIDECARS after resolving `auto` against the cluster's kubelets. */
  nativeSidecars: boolean;
  /** COMPLIANCE_POLICY of istiod's environment. */
  compliancePolicy?: string;
  /** PLATFORM=openshift turns on the OpenShift UID range logic (webhook only). */
  platform?: string;
}

export interface TypeMeta {
  apiVersion?: string;
  kind?: string;
}

/** The workload that owns the pod (used for ISTIO_META_OWNER, workload name, canonical name). */
export interface DeployMeta {
  name: string;
  namespace: string;
}

export interface InjectInput {
  pod: Obj;
  typeMeta: TypeMeta;
  deployMeta: DeployMeta;
  /** Revision the webhook serves ("" = default). */
  revision?: string;
  /** Extra env from the webhook path (/inject/cluster/X/net/Y): ISTIO_META_CLUSTER_ID, ISTIO_META_NETWORK, ... */
  urlEnv?: Record<string, string>;
  /** Namespace annotations, read for the OpenShift UID range. */
  namespaceAnnotations?: Record<string, string>;
}

export class InjectionError extends Error {}
