import type { Obj } from "../../config/values.js";

export type { Obj };
export type { LabelSelector, InjectorConfig, InjectionSettings } from "../../config/injection-types.js";

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
