// The message types pilotfish reports: Istio 1.30.3's analysis codes (same code, level and text as
// `istioctl analyze`, so scripts and --suppress lists carry over) and pilotfish's own PF codes for checks Istio
// has no message for. Each text is written as a function of the finding's arguments.
import type { Level } from "./types.js";

export interface MessageType {
  code: string;
  name: string;
  level: Level;
  text: (...a: any[]) => string;
}

/** Go's %v of a string list: [a b c]. */
export const goList = (v: unknown): string => (Array.isArray(v) ? `[${v.map(String).join(" ")}]` : String(v));
/** Go's %q of a string. */
export const goQuote = (s: unknown): string => JSON.stringify(String(s));

const T: MessageType[] = [
  { code: "IST0002", name: "Deprecated", level: "Warning", text: (what) => `Deprecated: ${what}` },
  { code: "IST0101", name: "ReferencedResourceNotFound", level: "Error", text: (what, name) => `Referenced ${what} not found: ${goQuote(name)}` },
  {
    code: "IST0102", name: "NamespaceNotInjected", level: "Info",
    text: (ns) => `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${ns} istio-injection=enabled' to enable it, or 'kubectl label namespace ${ns} istio-injection=disabled' to explicitly mark it as not needing injection.`,
  },
  { code: "IST0103", name: "PodMissingProxy", level: "Warning", text: (pod) => `The pod ${pod} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.` },
  { code: "IST0106", name: "SchemaValidationError", level: "Error", text: (err) => `Schema validation error: ${err}` },
  { code: "IST0133", name: "SchemaWarning", level: "Warning", text: (err) => `Schema validation warning: ${err}` },
  { code: "IST0107", name: "MisplacedAnnotation", level: "Warning", text: (ann, kinds) => `Misplaced annotation: ${ann} can only be applied to ${kinds}` },
  { code: "IST0108", name: "UnknownAnnotation", level: "Warning", text: (ann) => `Unknown annotation: ${ann}` },
  { code: "IST0125", name: "InvalidAnnotation", level: "Warning", text: (ann, why) => `Invalid annotation ${ann}: ${why}` },
  {
    code: "IST0135", name: "DeprecatedAnnotation", level: "Info",
    text: (ann, extra) => `Annotation ${goQuote(ann)} has been deprecated${extra} and may not work in future Istio versions.`,
  },
  {
    code: "IST0109", name: "ConflictingMeshGatewayVirtualServiceHosts", level: "Error",
    text: (vss, host) => `The VirtualServices ${vss} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
  },
  {
    code: "IST0110", name: "ConflictingSidecarWorkloadSelectors", level: "Error",
    text: (names, ns, pod) => `The Sidecars ${goList(names)} in namespace ${goQuote(ns)} select the same workload pod ${goQuote(pod)}, which can lead to undefined behavior.`,
  },
  {
    code: "IST0111", name: "MultipleSidecarsWithoutWorkloadSelectors", level: "Error",
    text: (names, ns) => `The Sidecars ${goList(names)} in namespace ${goQuote(ns)} have no workload selector, which can lead to undefined behavior.`,
  },
  {
    code: "IST0112", name: "VirtualServiceDestinationPortSelectorRequired", level: "Error",
    text: (host, ports) => `This VirtualService routes to a service ${goQuote(host)} that exposes multiple ports ${goList(ports)}. Specifying a port in the destination is required to disambiguate.`,
  },
  {
    code: "IST0118", name: "PortNameIsNotUnderNamingConvention", level: "Info",
    text: (name, port, target) => `Port name ${name} (port: ${port}, targetPort: ${target}) doesn't follow the naming convention of Istio port.`,
  },
  {
    code: "IST0123", name: "NamespaceMultipleInjectionLabels", level: "Warning",
    text: (labels) => `The namespace has more than one type of injection labels ${goList(labels)}, which may lead to undefined behavior. Make sure only one injection label exists.`,
  },
  { code: "IST0126", name: "UnknownMeshNetworksServiceRegistry", level: "Error", text: (reg, net) => `Unknown service registry ${reg} in network ${net}` },
  { code: "IST0138", name: "GatewayDuplicateCertificate", level: "Warning", text: (gws) => `Duplicate certificate in multiple gateways ${goList(gws)} may cause 404s if clients re-use HTTP2 connections.` },
  {
    code: "IST0149", name: "JwtClaimBasedRoutingWithoutRequestAuthN", level: "Error",
    text: (key, gw, pod) => `The virtual service uses the JWT claim based routing (key: ${key}) but found no request authentication for the gateway (${gw}) pod (${pod}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.`,
  },
  {
    code: "IST0159", name: "ConflictingTelemetryWorkloadSelectors", level: "Error",
    text: (names, ns, pod) => `The Telemetries ${goList(names)} in namespace ${goQuote(ns)} select the same workload pod ${goQuote(pod)}, which can lead to undefined behavior.`,
  },
  { code: "IST0127", name: "NoMatchingWorkloadsFound", level: "Warning", text: (labels) => `No matching workloads for this resource with the following labels: ${labels}` },
  {
    code: "IST0128", name: "NoServerCertificateVerificationDestinationLevel", level: "Warning",
    text: (dr, ns, mode, host) => `DestinationRule ${dr} in namespace ${ns} has TLS mode set to ${mode} but no caCertificates are set to validate server identity for host: ${host}`,
  },
  {
    code: "IST0129", name: "NoServerCertificateVerificationPortLevel", level: "Warning",
    text: (dr, ns, mode, host, port) => `DestinationRule ${dr} in namespace ${ns} has TLS mode set to ${mode} but no caCertificates are set to validate server identity for host: ${host} at port ${port}`,
  },
  { code: "IST0130", name: "VirtualServiceUnreachableRule", level: "Warning", text: (rule, why) => `VirtualService rule ${rule} not used (${why}).` },
  {
    code: "IST0131", name: "VirtualServiceIneffectiveMatch", level: "Info",
    text: (rule, match, dup) => `VirtualService rule ${rule} match ${match} is not used (duplicate/overlapping match in rule ${dup}).`,
  },
  {
    code: "IST0132", name: "VirtualServiceHostNotFoundInGateway", level: "Warning",
    text: (hosts, vs, gw) => `one or more host ${goList(hosts)} defined in VirtualService ${vs} not found in Gateway ${gw}.`,
  },
  { code: "IST0134", name: "ServiceEntryAddressesRequired", level: "Warning", text: () => `ServiceEntry addresses are required for this protocol.` },
  { code: "IST0139", name: "InvalidWebhook", level: "Error", text: (why) => String(why) },
  {
    code: "IST0146", name: "ImageAutoWithoutInjectionWarning", level: "Warning",
    text: (kind, name) => `${kind} ${name} contains \`image: auto\` but does not match any Istio injection webhook selectors.`,
  },
  {
    code: "IST0147", name: "ImageAutoWithoutInjectionError", level: "Error",
    text: (kind, name) => `${kind} ${name} contains \`image: auto\` but does not match any Istio injection webhook selectors.`,
  },
  { code: "IST0140", name: "IngressRouteRulesNotAffected", level: "Warning", text: (vs, gw) => `Subset in virtual service ${vs} has no effect on ingress gateway ${gw} requests` },
  { code: "IST0144", name: "InvalidApplicationUID", level: "Warning", text: () => `User ID (UID) 1337 is reserved for the sidecar proxy.` },
  {
    code: "IST0145", name: "ConflictingGateways", level: "Error",
    text: (gws, selector, port, hosts) => `Conflict with gateways ${gws} (workload selector ${selector}, port ${port}, hosts ${hosts}).`,
  },
  {
    code: "IST0148", name: "NamespaceInjectionEnabledByDefault", level: "Info",
    text: () => `is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.`,
  },
  {
    code: "IST0150", name: "ExternalNameServiceTypeInvalidPortName", level: "Warning",
    text: () => `Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly`,
  },
  {
    code: "IST0151", name: "EnvoyFilterUsesRelativeOperation", level: "Warning",
    text: () => `This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST of ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.`,
  },
  { code: "IST0152", name: "EnvoyFilterUsesReplaceOperationIncorrectly", level: "Error", text: () => `The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.` },
  { code: "IST0153", name: "EnvoyFilterUsesAddOperationIncorrectly", level: "Error", text: () => `The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.` },
  { code: "IST0154", name: "EnvoyFilterUsesRemoveOperationIncorrectly", level: "Error", text: () => `The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.` },
  {
    code: "IST0155", name: "EnvoyFilterUsesRelativeOperationWithProxyVersion", level: "Warning",
    text: () => `This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.`,
  },
  { code: "IST0157", name: "InvalidTelemetryProvider", level: "Warning", text: (name, ns) => `The Telemetry ${name} in namespace ${goQuote(ns)} with empty providers will be ignored.` },
  {
    code: "IST0160", name: "MultipleTelemetriesWithoutWorkloadSelectors", level: "Error",
    text: (names, ns) => `The Telemetries ${goList(names)} in namespace ${goQuote(ns)} have no workload selector, which can lead to undefined behavior.`,
  },
  {
    code: "IST0161", name: "InvalidGatewayCredential", level: "Error",
    text: (gw, ns) => `The credential referenced by the Gateway ${gw} in namespace ${ns} is invalid, which can cause the traffic not to work as expected.`,
  },
  {
    code: "IST0162", name: "GatewayPortNotDefinedOnService", level: "Warning",
    text: (port, selector) => `The gateway is listening on a target port (port ${port}) that is not defined in the Service associated with its workload instances (Pod selector ${selector}). If you need to access the gateway port through the gateway Service, it will not be available.`,
  },
  {
    code: "IST0163", name: "InvalidExternalControlPlaneConfig", level: "Warning",
    text: (address, hook, why) => `The hostname (${address}) that was provided for the webhook (${hook}) to reach the ingress gateway on the external control plane cluster ${why}. Traffic may not flow properly.`,
  },
  {
    code: "IST0164", name: "ExternalControlPlaneAddressIsNotAHostname", level: "Info",
    text: (address, hook) => `The address (${address}) that was provided for the webhook (${hook}) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.`,
  },
  {
    code: "IST0165", name: "ReferencedInternalGateway", level: "Warning",
    text: (vs, gw) => `Gateway reference in VirtualService ${vs} is to an implementation-generated internal Gateway: ${gw}.`,
  },
  { code: "IST0166", name: "IneffectiveSelector", level: "Warning", text: (gw) => `Ineffective selector on Kubernetes Gateway ${gw}. Use the TargetRef field instead.` },
  { code: "IST0167", name: "IneffectivePolicy", level: "Warning", text: (why) => `The policy has no impact: ${why}.` },
  {
    code: "IST0171", name: "NegativeConditionStatus", level: "Warning",
    text: (type, reason, message) => `A condition with a negative status is present: type=${type}, reason=${reason}, message=${message}.`,
  },
  {
    code: "IST0116", name: "DeploymentAssociatedToMultipleServices", level: "Warning",
    text: (d, port, svcs) => `This deployment ${d} is associated with multiple services using port ${port} but different protocols: ${goList(svcs)}`,
  },
  {
    code: "IST0137", name: "DeploymentConflictingPorts", level: "Warning",
    text: (d, svcs, tp, ports) => `This deployment ${d} is associated with multiple services ${goList(svcs)} using targetPort ${goQuote(tp)} but different ports: ${goList(ports)}.`,
  },
  {
    code: "IST0158", name: "PodsIstioProxyImageMismatchInNamespace", level: "Warning",
    text: (pods) => `The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: ${goList(pods)}). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.`,
  },
  {
    code: "IST0173", name: "DestinationRuleSubsetNotSelectPods", level: "Error",
    text: (subset) => `The Subset ${subset} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
  },
  { code: "IST0174", name: "UnknownDestinationRuleHost", level: "Warning", text: (host) => `The host ${host} defined in the DestinationRule does not match any services in the mesh.` },
  {
    code: "IST0175", name: "JwksUriFetchUnrestricted", level: "Warning",
    text: (n, names) => `BLOCKED_CIDRS_IN_JWKS_URIS is not configured but ${n} RequestAuthentication resource(s) exist (${names}). Consider configuring it to restrict JWKS URI fetches to trusted networks.`,
  },
  {
    code: "IST0176", name: "GatewayAPICRDVersionBelowMinimum", level: "Warning",
    text: (crd, installed, minimum) => `Gateway API CRD ${goQuote(crd)} is at version ${goQuote(installed)} but Istio requires at least ${goQuote(minimum)}; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.`,
  },
  // pilotfish's own codes: Istio 1.30.3 has no message for these (its MTLSPolicyConflict, IST0113, was removed).
  {
    code: "PF0001", name: "MTLSPolicyConflict", level: "Error",
    text: (dr, host, drMode, pa, paMode) =>
      `DestinationRule ${dr} sets TLS mode ${drMode} for host ${host}, but PeerAuthentication ${pa} requires mTLS mode ${paMode} for its workloads: requests from sidecars will fail. Fix: make them agree (trafficPolicy.tls.mode ISTIO_MUTUAL, or unset, against STRICT; DISABLE against DISABLE), or set the PeerAuthentication's mtls.mode to PERMISSIVE.`,
  },
  {
    code: "PF0002", name: "NamespaceRevisionNotServed", level: "Error",
    text: (ns, rev, served) =>
      `Namespace ${ns} is labelled istio.io/rev=${rev}, but no sidecar injector serves revision ${goQuote(rev)} (installed: ${served}): new pods there get no sidecar. Fix: install that revision, or relabel the namespace with one of the installed revisions.`,
  },
];

export const MESSAGE_TYPES: ReadonlyMap<string, MessageType> = new Map(T.map((t) => [t.code, t]));

export function messageType(code: string): MessageType {
  const t = MESSAGE_TYPES.get(code);
  if (!t) throw new Error(`unknown analysis message code ${code}`);
  return t;
}
