// The `sidecar` template: the partial Pod Istio 1.30.3's injection-template.yaml renders, built as objects.
import { isObject, str, truthy, type JsonObject } from "../../config/values.js";
import { proxyConfigToJSON } from "./protojson.js";
import { formatValue, goJsonData } from "../../gotemplate/index.js";
import { A } from "./annotations.js";
import { ann, appContainers, cniEnabled, globalValues, interceptionMode, proxyValues, statusPort, valueString, type TemplateContext } from "./context.js";
import { dropNulls } from "./merge.js";
import { canonicalQuantity } from "./quantity.js";
import type { Obj } from "./types.js";

/** Istio's `excludeInboundPort`: add the status port to the excluded inbound list unless it is 0 or already there. */
export function excludeInboundPort(port: string, list: string): string {
  if (port === "" || port === "0") return list;
  const parts = list.split(",");
  if (parts.includes(port)) return list;
  return [...parts.map((p) => p.trim()).filter((p) => p !== ""), port].join(",");
}

function imageFor(t: TemplateContext, valuesImage: unknown): string {
  const candidate = ann(t, A.proxyImage, valuesImage);
  return candidate.includes("/") ? candidate : t.proxyImage;
}

function has(t: TemplateContext, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(t.annotations, key);
}

/** The resources block shared by istio-init and istio-proxy. */
export function proxyResources(t: TemplateContext): Obj | undefined {
  const keys = [A.proxyCPU, A.proxyMemory, A.proxyCPULimit, A.proxyMemoryLimit];
  if (keys.some((k) => has(t, k))) {
    const r: Obj = {};
    const requests: Obj = {};
    const limits: Obj = {};
    if (has(t, A.proxyCPU)) requests.cpu = canonicalQuantity(t.annotations[A.proxyCPU]);
    if (has(t, A.proxyMemory)) requests.memory = canonicalQuantity(t.annotations[A.proxyMemory]);
    if (has(t, A.proxyCPULimit)) limits.cpu = canonicalQuantity(t.annotations[A.proxyCPULimit]);
    if (has(t, A.proxyMemoryLimit)) limits.memory = canonicalQuantity(t.annotations[A.proxyMemoryLimit]);
    if (Object.keys(limits).length) r.limits = limits;
    if (Object.keys(requests).length) r.requests = requests;
    return r;
  }
  const res = proxyValues(t).resources;
  if (!isObject(res)) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(res)) {
    if (!isObject(v)) continue;
    const inner: Obj = {};
    for (const [rk, rv] of Object.entries(v)) if (rv !== null && rv !== undefined) inner[rk] = canonicalQuantity(str(rv));
    if (Object.keys(inner).length) out[k] = inner;
  }
  return Object.keys(out).length ? out : undefined;
}

function proxyMetadataEnv(t: TemplateContext): Obj[] {
  const md = t.proxyConfig.proxyMetadata;
  if (!isObject(md)) return [];
  return Object.keys(md)
    .sort()
    .map((k) => ({ name: k, value: str(md[k]) }));
}

function seccomp(t: TemplateContext): Obj {
  const sp = proxyValues(t).seccompProfile;
  return truthy(sp) ? { seccompProfile: sp } : {};
}

/** What both the init container and the sidecar template start from. */
function basics(t: TemplateContext) {
  const mode = interceptionMode(t);
  return { g: globalValues(t), p: proxyValues(t), mode, tproxy: mode === "TPROXY", cni: cniEnabled(t), sp: statusPort(t) };
}

export function buildInitContainer(t: TemplateContext): Obj {
  const { g, p, mode, tproxy, cni, sp } = basics(t);
  const args = [
    "istio-iptables",
    "-p", str(t.mesh.proxyListenPort ?? 15001),
    "-z", str(t.mesh.proxyInboundListenPort ?? 15006),
    "-u", tproxy ? "1337" : String(t.proxyUID),
    "-m", mode,
    "-i", ann(t, A.includeOutboundIPRanges, p.includeIPRanges),
    "-x", ann(t, A.excludeOutboundIPRanges, p.excludeIPRanges),
    "-b", ann(t, A.includeInboundPorts, p.includeInboundPorts),
  ];
  const excluded = excludeInboundPort(sp, ann(t, A.excludeInboundPorts, p.excludeInboundPorts));
  args.push("-d", "15090,15021" + (excluded ? "," + excluded : ""));
  if (has(t, A.includeOutboundPorts) || truthy(p.includeOutboundPorts)) {
    args.push("-q", ann(t, A.includeOutboundPorts, p.includeOutboundPorts));
  }
  if (has(t, A.excludeOutboundPorts) || truthy(p.excludeOutboundPorts)) {
    args.push("-o", ann(t, A.excludeOutboundPorts, p.excludeOutboundPorts));
  }
  if (has(t, A.rerouteVirtualInterfaces)) args.push("-k", t.annotations[A.rerouteVirtualInterfaces]);
  else if (has(t, A.kubevirtInterfaces)) args.push("-k", t.annotations[A.kubevirtInterfaces]);
  if (has(t, A.excludeInterfaces)) args.push("-c", t.annotations[A.excludeInterfaces]);
  args.push(`--log_output_level=${ann(t, A.agentLogLevel, g.logging?.level)}`);
  if (truthy(g.logAsJson)) args.push("--log_as_json");
  if (cni) args.push("--run-validation", "--skip-rule-apply");
  else if (truthy(g.proxy_init?.forceApplyIptables)) args.push("--force-apply");
  if (truthy(g.nativeNftables)) args.push("--native-nftables");

  const c: Obj = { name: cni ? "istio-validation" : "istio-init", image: imageFor(t, g.proxy_init?.image) };
  const pullPolicy = str(g.imagePullPolicy);
  if (pullPolicy) c.imagePullPolicy = pullPolicy;
  c.args = args;
  const env = proxyMetadataEnv(t);
  if (env.length) c.env = env;
  const resources = proxyResources(t);
  if (resources) c.resources = resources;
  const privileged = truthy(p.privileged);
  if (cni) {
    c.securityContext = {
      allowPrivilegeEscalation: privileged,
      privileged,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsGroup: tproxy ? 1337 : t.proxyGID,
      runAsUser: tproxy ? 1337 : t.proxyUID,
      runAsNonRoot: true,
      ...seccomp(t),
    };
  } else {
    c.securityContext = {
      allowPrivilegeEscalation: privileged,
      privileged,
      capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] },
      readOnlyRootFilesystem: false,
      runAsGroup: 0,
      runAsNonRoot: false,
      runAsUser: 0,
      ...seccomp(t),
    };
  }
  return c;
}

/** ISTIO_META_POD_PORTS: Go-JSON of every container port, in Istio's one-per-line layout. */
export function podPortsJson(pod: Obj): string {
  const items: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const item of c?.ports ?? []) {
      // Go decodes a null list item as the zero ContainerPort.
      const p: Obj = item && typeof item === "object" ? item : {};
      const o: Obj = {};
      if (p.name) o.name = p.name;
      if (p.hostPort) o.hostPort = p.hostPort;
      o.containerPort = p.containerPort ?? 0;
      if (p.protocol) o.protocol = p.protocol;
      if (p.hostIP) o.hostIP = p.hostIP;
      items.push((items.length ? "," : "") + JSON.stringify(o));
    }
  }
  return "[" + items.map((s) => "\n    " + s).join("") + "\n]";
}

function fieldRef(name: string, path: string): Obj {
  return { name, valueFrom: { fieldRef: { fieldPath: path } } };
}
function resourceRef(name: string, resource: string): Obj {
  return { name, valueFrom: { resourceFieldRef: { resource, divisor: "1" } } };
}

function caAddress(t: TemplateContext): string {
  const g = globalValues(t);
  const ca = str(g.caAddress);
  if (ca) return ca;
  const rev = str(t.values.revision);
  return `istiod${rev ? "-" + rev : ""}.${str(g.istioNamespace)}.svc:15012`;
}

/** Env shared by the sidecar and gateway templates, up to GOMAXPROCS. */
export function commonProxyEnvHead(t: TemplateContext, localhostRewrite: boolean): Obj[] {
  const env: Obj[] = [];
  if (localhostRewrite && isObject(t.mesh.inboundTrafficPolicy) && t.mesh.inboundTrafficPolicy.mode === "LOCALHOST") {
    env.push({ name: "REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION", value: "true" });
  }
  env.push(
    { name: "PILOT_CERT_PROVIDER", value: str(globalValues(t).pilotCertProvider) },
    { name: "CA_ADDR", value: caAddress(t) },
    fieldRef("POD_NAME", "metadata.name"),
    fieldRef("POD_NAMESPACE", "metadata.namespace"),
    fieldRef("INSTANCE_IP", "status.podIP"),
    fieldRef("SERVICE_ACCOUNT", "spec.serviceAccountName"),
    fieldRef("HOST_IP", "status.hostIP"),
    resourceRef("ISTIO_CPU_LIMIT", "limits.cpu"),
    { name: "PROXY_CONFIG", value: proxyConfigToJSON(t.proxyConfig) + "\n" },
    { name: "ISTIO_META_POD_PORTS", value: podPortsJson(t.pod) },
  );
  return env;
}

export function ownerEnv(t: TemplateContext): Obj[] {
  const env: Obj[] = [];
  const workload = t.labels["service.istio.io/workload-name"] ?? t.deployMeta.name;
  if (workload) env.push({ name: "ISTIO_META_WORKLOAD_NAME", value: workload });
  if (t.typeMeta.apiVersion && t.deployMeta.name) {
    const kind = (t.typeMeta.kind ?? "").toLowerCase();
    env.push({
      name: "ISTIO_META_OWNER",
      value: `kubernetes://apis/${t.typeMeta.apiVersion}/namespaces/${t.deployMeta.namespace || "default"}/${kind}s/${t.deployMeta.name}`,
    });
  }
  return env;
}

export function meshIdentityEnv(t: TemplateContext): Obj[] {
  const g = globalValues(t);
  const env: Obj[] = [];
  const meshId = str(g.meshID) || str(t.mesh.trustDomain) || str(g.trustDomain);
  if (meshId) env.push({ name: "ISTIO_META_MESH_ID", value: meshId });
  const td = str(t.mesh.trustDomain) || str(g.trustDomain);
  if (td) env.push({ name: "TRUST_DOMAIN", value: td });
  return env;
}

function otelEnv(t: TemplateContext): Obj[] {
  const providers = Array.isArray(t.mesh.extensionProviders) ? t.mesh.extensionProviders : [];
  const enabled = providers.some(
    (p) => isObject(p) && isObject(p.opentelemetry) && p.opentelemetry.serviceAttributeEnrichment === "OTEL_SEMANTIC_CONVENTIONS",
  );
  if (!enabled) return [];
  const parts: string[] = [];
  const ns = t.annotations["resource.opentelemetry.io/service.namespace"] ?? t.deployMeta.namespace;
  if (ns) parts.push(`service.namespace=${ns}`);
  let version = t.annotations["resource.opentelemetry.io/service.version"] ?? t.labels["app.kubernetes.io/version"];
  const containers: Obj[] = t.pod.spec?.containers ?? [];
  if (!version && containers.length === 1) version = imageVersion(str(containers[0].image));
  if (version) parts.push(`service.version=${version}`);
  const first = containers[0]?.name ?? "";
  const instance = t.annotations["resource.opentelemetry.io/service.instance.id"] ?? `${t.deployMeta.namespace}.$(POD_NAME).${first}`;
  parts.push(`service.instance.id=${instance}`);
  return [{ name: "OTEL_RESOURCE_ATTRIBUTES", value: parts.join(",") }];
}

function imageVersion(image: string): string {
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : "";
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const tag = colon > slash ? name.slice(colon + 1) : "";
  if (tag && digest) return `${tag}@${digest}`;
  return tag || digest;
}

function datadogEnv(t: TemplateContext): Obj[] {
  if (str(proxyValues(t).tracer) !== "datadog" || !has(t, A.datadogEnv)) return [];
  try {
    const m = JSON.parse(t.annotations[A.datadogEnv]);
    if (!isObject(m)) return [];
    // Printed as Go prints fromJSON's values: numbers are float64 (1e+06), maps map[k:v], null <nil>.
    return Object.keys(m)
      .sort()
      .map((k) => ({ name: k, value: jsonValueString(m[k]) }));
  } catch {
    return [];
  }
}

function jsonValueString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return valueString(v);
  return formatValue(goJsonData(v));
}

function healthProbe(extra: Obj): Obj {
  return { httpGet: { path: "/healthz/ready", port: 15021 }, ...extra };
}

/** Go's `omitempty` on string fields: an empty string is not printed. */
function omitEmpty(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === "") delete o[k];
  return o;
}

function nonZero(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === 0) delete o[k];
  return o;
}

/** `gateway`: Istio's gateway text mounts no CRL and reads neither sidecar.istio.io/userVolume nor userVolumeMount. */
export function proxyVolumeMounts(t: TemplateContext, opts: { gateway: boolean }): Obj[] {
  const g = globalValues(t);
  const m: Obj[] = [
    { mountPath: "/var/run/secrets/workload-spiffe-uds", name: "workload-socket" },
    { mountPath: "/var/run/secrets/credential-uds", name: "credential-socket" },
  ];
  if (str(g.caName) === "GkeWorkloadCertificate") {
    m.push({ mountPath: "/var/run/secrets/workload-spiffe-credentials", name: "gke-workload-certificate", readOnly: true });
  } else {
    m.push({ mountPath: "/var/run/secrets/workload-spiffe-credentials", name: "workload-certs" });
  }
  if (str(g.pilotCertProvider) === "istiod") {
    m.push({ mountPath: "/var/run/secrets/istio", name: "istiod-ca-cert" });
    if (!opts.gateway) m.push({ mountPath: "/var/run/secrets/istio/crl", name: "istio-ca-crl" });
  }
  m.push({ mountPath: "/var/lib/istio/data", name: "istio-data" });
  if (has(t, A.bootstrapOverride)) m.push({ mountPath: "/etc/istio/custom-bootstrap", name: "custom-bootstrap-volume" });
  m.push({ mountPath: "/etc/istio/proxy", name: "istio-envoy" }, { mountPath: "/var/run/secrets/tokens", name: "istio-token" });
  if (truthy(g.mountMtlsCerts)) m.push({ mountPath: "/etc/certs/", name: "istio-certs", readOnly: true });
  m.push({ mountPath: "/etc/istio/pod", name: "istio-podinfo" });
  const lightstep = opts.gateway ? undefined : lightstepTls(t);
  if (lightstep) m.push({ mountPath: pathDirectory(str(lightstep.caCertificates)), name: "lightstep-certs", readOnly: true });
  if (!opts.gateway && has(t, A.userVolumeMount)) {
    const um = parseJsonMap(t.annotations[A.userVolumeMount]);
    for (const [name, body] of Object.entries(um)) m.push({ ...(isObject(body) ? body : {}), name });
  }
  return m;
}

export function proxyVolumes(t: TemplateContext, opts: { gateway: boolean }): Obj[] {
  const g = globalValues(t);
  const v: Obj[] = [{ name: "workload-socket" }];
  v.push(opts.gateway ? { emptyDir: {}, name: "credential-socket" } : { name: "credential-socket" });
  if (str(g.caName) === "GkeWorkloadCertificate") {
    v.push({ name: "gke-workload-certificate", csi: { driver: "workloadcertificates.security.cloud.google.com" } });
  } else {
    v.push(opts.gateway ? { emptyDir: {}, name: "workload-certs" } : { name: "workload-certs" });
  }
  if (has(t, A.bootstrapOverride)) {
    // An empty annotation prints `name:` (null): Go's ConfigMapVolumeSource then has no name, `configMap: {}`.
    const name = t.annotations[A.bootstrapOverride];
    v.push({ name: "custom-bootstrap-volume", configMap: name ? { name } : {} });
  }
  v.push(
    { emptyDir: { medium: "Memory" }, name: "istio-envoy" },
    { emptyDir: {}, name: "istio-data" },
    {
      name: "istio-podinfo",
      downwardAPI: {
        items: [
          { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
          { path: "annotations", fieldRef: { fieldPath: "metadata.annotations" } },
        ],
      },
    },
    {
      name: "istio-token",
      projected: {
        sources: [{ serviceAccountToken: omitEmpty({ path: "istio-token", expirationSeconds: 43200, audience: str(g.sds?.token?.aud) }) }],
      },
    },
  );
  if (str(g.pilotCertProvider) === "istiod") {
    const bundle = str(g.trustBundleName);
    if (truthy(t.values.pilot?.env?.ENABLE_CLUSTER_TRUST_BUNDLE_API)) {
      v.push({
        name: "istiod-ca-cert",
        projected: { sources: [{ clusterTrustBundle: { name: `istio.io:istiod-ca:${bundle || "root-cert"}`, path: "root-cert.pem" } }] },
      });
    } else {
      v.push({ name: "istiod-ca-cert", configMap: { name: bundle || "istio-ca-root-cert" } });
    }
  }
  // Istio's sidecar text declares the CRL volume whatever the CA; only its istiod branch mounts it.
  if (!opts.gateway) {
    v.push({ name: "istio-ca-crl", configMap: { name: str(t.values.pilot?.crlConfigMapName) || "istio-ca-crl", optional: true } });
  }
  if (truthy(g.mountMtlsCerts)) {
    v.push({ name: "istio-certs", secret: { optional: true, secretName: `istio.${t.pod.spec?.serviceAccountName || "default"}` } });
  }
  if (!opts.gateway && has(t, A.userVolume)) {
    const uv = parseJsonMap(t.annotations[A.userVolume]);
    for (const [name, body] of Object.entries(uv)) v.push({ ...(isObject(body) ? body : {}), name });
  }
  if (!opts.gateway && lightstepTls(t)) v.push({ name: "lightstep-certs", secret: { optional: true, secretName: "lightstep.cacert" } });
  return v;
}

/** The sidecar mounts the lightstep CA secret when the tracer is lightstep and the ProxyConfig has tracing.tlsSettings. */
function lightstepTls(t: TemplateContext): JsonObject | undefined {
  if (str(proxyValues(t).tracer) !== "lightstep") return undefined;
  const tracing = t.proxyConfig.tracing;
  return isObject(tracing) && isObject(tracing.tlsSettings) ? tracing.tlsSettings : undefined;
}

/** Go's path.Split directory part: everything up to and including the last slash. */
function pathDirectory(p: string): string {
  return p.slice(0, p.lastIndexOf("/") + 1);
}

/** Annotation values are data: a value that is not a JSON map contributes nothing. */
function parseJsonMap(s: string): JsonObject {
  try {
    const m = JSON.parse(s);
    return isObject(m) ? m : {};
  } catch {
    return {};
  }
}

export function imagePullSecrets(t: TemplateContext): Obj[] | undefined {
  const s = globalValues(t).imagePullSecrets;
  if (!Array.isArray(s) || s.length === 0) return undefined;
  return s.map((x) => (isObject(x) ? { name: str(x.name) } : { name: str(x) }));
}

function canonicalLabels(t: TemplateContext, truncate: boolean): Obj {
  const l = t.labels;
  let name = l["service.istio.io/canonical-name"] ?? l["app.kubernetes.io/name"] ?? l["app"] ?? t.deployMeta.name;
  if (truncate) name = name.slice(0, 63).replace(/-+$/, "");
  const rev = l["service.istio.io/canonical-revision"] ?? l["app.kubernetes.io/version"] ?? l["version"] ?? "latest";
  return { "service.istio.io/canonical-name": name, "service.istio.io/canonical-revision": rev };
}

export function defaultContainerAnnotations(t: TemplateContext): Obj {
  const out: Obj = {};
  const apps = appContainers(t);
  if (apps.length === 0) return out;
  if (!has(t, A.defaultLogsContainer)) out[A.defaultLogsContainer] = apps[0];
  if (!has(t, A.defaultContainer)) out[A.defaultContainer] = apps[0];
  return out;
}

/** pilot-agent's arguments: `proxy sidecar|router --domain ...` and the log levels. */
export function proxyAgentArgs(t: TemplateContext, role: "sidecar" | "router"): string[] {
  const g = globalValues(t);
  const p = proxyValues(t);
  const args = [
    "proxy", role, "--domain", `$(POD_NAMESPACE).svc.${str(p.clusterDomain)}`,
    `--proxyLogLevel=${ann(t, A.logLevel, p.logLevel)}`,
    `--proxyComponentLogLevel=${ann(t, A.componentLogLevel, p.componentLogLevel)}`,
    `--log_output_level=${ann(t, A.agentLogLevel, g.logging?.level)}`,
  ];
  const sts = g.sts?.servicePort;
  if (truthy(sts)) args.push(`--stsPort=${valueString(sts)}`);
  if (truthy(g.logAsJson)) args.push("--log_as_json");
  return args;
}

/** The partial Pod rendered by the `sidecar` template. */
export function renderSidecarTemplate(t: TemplateContext): Obj {
  const { g, p, mode, tproxy, cni, sp } = basics(t);
  const native = t.native;
  const capNetBind = ann(t, A.capNetBindService, p.capNetBindService) === "true";
  const hold = (truthy(t.proxyConfig.holdApplicationUntilProxyStarts) || truthy(p.holdApplicationUntilProxyStarts)) && !native;
  const noInit = mode === "NONE" && !native;
  const hbone = isObject(t.proxyConfig.proxyMetadata) && t.proxyConfig.proxyMetadata.ISTIO_META_ENABLE_HBONE === "true";

  // Labels
  const labels: Obj = { "security.istio.io/tlsMode": t.labels["security.istio.io/tlsMode"] ?? "istio" };
  if (hbone) labels["networking.istio.io/tunnel"] = t.labels["networking.istio.io/tunnel"] ?? "http";
  Object.assign(labels, canonicalLabels(t, true));

  // Annotations
  const annotations: Obj = { "istio.io/rev": t.revision || "default", ...defaultContainerAnnotations(t) };
  if (cni) {
    const networks = t.annotations[A.multusNetworks];
    if (str(t.values.pilot?.cni?.provider) === "multus") annotations[A.multusNetworks] = appendMultusNetwork(networks ?? "");
    annotations[A.interceptionMode] = mode;
    const inc = ann(t, A.includeOutboundIPRanges, p.includeIPRanges);
    if (inc) annotations[A.includeOutboundIPRanges] = inc;
    const exc = ann(t, A.excludeOutboundIPRanges, p.excludeIPRanges);
    if (exc) annotations[A.excludeOutboundIPRanges] = exc;
    annotations[A.includeInboundPorts] = ann(t, A.includeInboundPorts, p.includeInboundPorts);
    annotations[A.excludeInboundPorts] = excludeInboundPort(sp, ann(t, A.excludeInboundPorts, p.excludeInboundPorts));
    if (has(t, A.includeOutboundPorts) || truthy(p.includeOutboundPorts)) {
      annotations[A.includeOutboundPorts] = ann(t, A.includeOutboundPorts, p.includeOutboundPorts);
    }
    if (has(t, A.excludeOutboundPorts) || truthy(p.excludeOutboundPorts)) {
      annotations[A.excludeOutboundPorts] = ann(t, A.excludeOutboundPorts, p.excludeOutboundPorts);
    }
    for (const k of [A.kubevirtInterfaces, A.rerouteVirtualInterfaces, A.excludeInterfaces]) if (has(t, k)) annotations[k] = t.annotations[k];
  }

  // istio-proxy
  const args = proxyAgentArgs(t, "sidecar");
  const outlier = str(p.outlierLogPath);
  if (outlier) args.push(`--outlierLogPath=${outlier}`);

  const proxy: Obj = { name: "istio-proxy", image: imageFor(t, p.image) };
  if (native) proxy.restartPolicy = "Always";
  proxy.ports = [{ containerPort: 15090, protocol: "TCP", name: "http-envoy-prom" }];
  proxy.args = args;
  const lifecycle = p.lifecycle;
  if (truthy(lifecycle)) proxy.lifecycle = lifecycle;
  else if (hold) proxy.lifecycle = { postStart: { exec: { command: ["pilot-agent", "wait"] } } };
  else if (native) proxy.lifecycle = { preStop: { exec: { command: ["pilot-agent", "request", `--debug-port=${sp}`, "POST", "drain"] } } };

  const env = commonProxyEnvHead(t, true);
  env.push(
    { name: "ISTIO_META_APP_CONTAINERS", value: appContainers(t).join(",") },
    resourceRef("GOMEMLIMIT", "limits.memory"),
    resourceRef("GOMAXPROCS", "limits.cpu"),
  );
  if (t.compliancePolicy) env.push({ name: "COMPLIANCE_POLICY", value: t.compliancePolicy });
  env.push(
    { name: "ISTIO_META_CLUSTER_ID", value: str(g.multiCluster?.clusterName) || "Kubernetes" },
    fieldRef("ISTIO_META_NODE_NAME", "spec.nodeName"),
    { name: "ISTIO_META_INTERCEPTION_MODE", value: mode },
  );
  const network = str(g.network);
  if (network) env.push({ name: "ISTIO_META_NETWORK", value: network });
  env.push(...ownerEnv(t));
  if (has(t, A.bootstrapOverride)) env.push({ name: "ISTIO_BOOTSTRAP_OVERRIDE", value: "/etc/istio/custom-bootstrap/custom_bootstrap.json" });
  env.push(...meshIdentityEnv(t), ...datadogEnv(t), ...otelEnv(t), ...proxyMetadataEnv(t));
  proxy.env = env;

  const pullPolicy = str(g.imagePullPolicy);
  if (pullPolicy) proxy.imagePullPolicy = pullPolicy;
  if (sp !== "0") {
    if (truthy(p.startupProbe?.enabled)) {
      proxy.startupProbe = healthProbe(nonZero({ initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 3, failureThreshold: Number(p.startupProbe?.failureThreshold) }));
    }
    proxy.readinessProbe = healthProbe(
      nonZero({
        initialDelaySeconds: Number(ann(t, A.readinessInitialDelay, p.readinessInitialDelaySeconds)),
        periodSeconds: Number(ann(t, A.readinessPeriod, p.readinessPeriodSeconds)),
        timeoutSeconds: 3,
        failureThreshold: Number(ann(t, A.readinessFailureThreshold, p.readinessFailureThreshold)),
      }),
    );
  }
  const privileged = truthy(p.privileged);
  const md = isObject(t.proxyConfig.proxyMetadata) ? t.proxyConfig.proxyMetadata : {};
  if (md.IPTABLES_TRACE_LOGGING === "true") {
    proxy.securityContext = {
      allowPrivilegeEscalation: true,
      capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] },
      privileged: true,
      readOnlyRootFilesystem: true,
      runAsGroup: t.proxyGID,
      runAsNonRoot: false,
      runAsUser: 0,
      ...seccomp(t),
    };
  } else {
    const add: string[] = [];
    if (tproxy) add.push("NET_ADMIN");
    if (capNetBind) add.push("NET_BIND_SERVICE");
    const root = tproxy || capNetBind;
    proxy.securityContext = {
      allowPrivilegeEscalation: privileged,
      capabilities: add.length ? { add, drop: ["ALL"] } : { drop: ["ALL"] },
      privileged,
      readOnlyRootFilesystem: true,
      runAsGroup: root ? 1337 : t.proxyGID,
      runAsNonRoot: !root,
      runAsUser: root ? 0 : t.proxyUID,
      ...seccomp(t),
    };
  }
  const resources = proxyResources(t);
  if (resources) proxy.resources = resources;
  proxy.volumeMounts = proxyVolumeMounts(t, { gateway: false });

  const spec: Obj = {};
  if (noInit) spec.initContainers = [];
  else if (mode !== "NONE") spec.initContainers = [buildInitContainer(t)];
  if (native) spec.initContainers = [...(spec.initContainers ?? []), proxy];
  else spec.containers = [proxy];
  spec.volumes = proxyVolumes(t, { gateway: false });
  const pullSecrets = imagePullSecrets(t);
  if (pullSecrets) spec.imagePullSecrets = pullSecrets;
  return dropNulls({ metadata: { labels, annotations }, spec });
}

/** Adds Istio's CNI network to a multus `k8s.v1.cni.cncf.io/networks` value (flat or JSON list). */
/** Istio's appendMultusNetwork with its template's network, `default/istio-cni`: added once, in the form already used. */
export function appendMultusNetwork(existing: string, network = "default/istio-cni"): string {
  if (existing === "") return network;
  const slash = network.indexOf("/");
  const [ns, name] = slash >= 0 ? [network.slice(0, slash), network.slice(slash + 1)] : ["", network];
  const i = existing.lastIndexOf("]");
  if (i !== -1) {
    let list: unknown;
    try {
      list = JSON.parse(existing);
    } catch {
      return existing;
    }
    if (!Array.isArray(list) || !list.every(isObject)) return existing;
    if (list.some((n) => n.name === name && (n.namespace ?? "") === ns)) return existing;
    const entry = ns === "" ? `, {"name": "${name}"}` : `, {"name": "${name}", "namespace": "${ns}"}`;
    return existing.slice(0, i) + entry + existing.slice(i);
  }
  if (existing.split(",").some((n) => n.trim() === network)) return existing;
  return `${existing}, ${network}`;
}
