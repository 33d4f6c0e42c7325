// Typed view of Istio's MeshConfig and ProxyConfig (istio.mesh.v1alpha1), in protobuf-JSON field names: the
// fields pilotfish reads, all optional as in the `istio` ConfigMap. The trees stay open (`rawJson`): fields not
// listed here are kept and rendered, just not read by name.
import type { Json, JsonObject } from "./json.js";

export interface ProxyConfig {
  configPath?: string;
  binaryPath?: string;
  serviceCluster?: string;
  drainDuration?: string;
  terminationDrainDuration?: string;
  discoveryAddress?: string;
  proxyAdminPort?: number;
  controlPlaneAuthPolicy?: string;
  statNameLength?: number;
  concurrency?: number;
  interceptionMode?: string;
  tracing?: JsonObject;
  proxyMetadata?: Record<string, string>;
  statusPort?: number;
  holdApplicationUntilProxyStarts?: boolean;
  image?: { imageType?: string };
}

export interface ExtensionProvider {
  name?: string;
  opentelemetry?: { service?: string; port?: number; serviceAttributeEnrichment?: string };
}

export interface MeshConfig {
  trustDomain?: string;
  rootNamespace?: string;
  proxyListenPort?: number;
  proxyInboundListenPort?: number;
  enablePrometheusMerge?: boolean;
  inboundTrafficPolicy?: { mode?: string };
  defaultConfig?: ProxyConfig;
  extensionProviders?: ExtensionProvider[];
  defaultProviders?: Record<string, Json>;
}
