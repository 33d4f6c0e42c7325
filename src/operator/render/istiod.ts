// Component Pilot: istiod's Deployment, Service, ServiceAccount, RBAC, HPA/PDB, and the ConfigMaps `istio`
// (mesh config) and `istio-sidecar-injector` (injection values) that pilotfish's own injector reads.
// istiod's webhook configurations are not rendered: pilotfish serves injection and validation itself.
import { str, truthy, type Json, type JsonObject } from "../../config/values.js";
import type { PilotValues } from "../../config/values-types.js";
import { componentLabels, envList, fieldEnv, hpa, image, obj, obj0, pdb, pullSecrets, sortKeys, wantsHpa, wantsPdb, type K8sObject, type RenderContext } from "./meta.js";
import { chartResources } from "./helm-print.js";
import { injectionConfigMapData, valuesConfigMapData, VALUES_CONFIGMAP_DESCRIPTION } from "../../config/configmaps.js";
import { dump } from "js-yaml";
import { compatibilityProfile } from "../../config/istiod-values.js";

// istiod's RBAC, rule for rule as Istio 1.30.3's istiod chart grants it (istiod needs every one of these).
const RO = ["get", "list", "watch"];
const GWL = ["get", "watch", "list"];
const ALL = ["get", "watch", "list", "update", "patch", "create", "delete"];
const ISTIO_GROUPS = ["config.istio.io", "security.istio.io", "networking.istio.io", "authentication.istio.io", "rbac.istio.io", "telemetry.istio.io", "extensions.istio.io"];
const CORE_AUTH: Json[] = [
  { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
  { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
];

function readerRules(mcs: string, istiodRemote: boolean): Json[] {
  return [
    { apiGroups: ISTIO_GROUPS, resources: ["*"], verbs: RO },
    { apiGroups: [""], resources: ["endpoints", "pods", "services", "nodes", "replicationcontrollers", "namespaces", "secrets", "configmaps"], verbs: RO },
    { apiGroups: ["networking.istio.io"], resources: ["workloadentries"], verbs: GWL },
    { apiGroups: ["networking.x-k8s.io", "gateway.networking.k8s.io"], resources: ["gateways"], verbs: GWL },
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: RO },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: RO },
    { apiGroups: [mcs], resources: ["serviceexports"], verbs: [...RO, "create", "delete"] },
    { apiGroups: [mcs], resources: ["serviceimports"], verbs: RO },
    { apiGroups: ["apps"], resources: ["replicasets"], verbs: RO },
    ...CORE_AUTH,
    ...(istiodRemote
      ? [
          { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "get", "list", "watch", "update"] },
          { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: [...RO, "update", "patch"] },
          { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], verbs: [...RO, "update"] },
        ]
      : []),
  ];
}

/** Options of istiod's ClusterRole (the chart's conditional rules). */
interface IstiodRuleOpts {
  mcs: string;
  analysis: boolean;
  taint: boolean;
  /** env.EXTERNAL_CA or a pilotCertProvider other than istiod/custom/none: CSR rules, with global.certSigners. */
  csr: string[] | undefined;
  ctb: boolean;
}

const STATUS_RESOURCES = ["authorizationpolicies", "destinationrules", "envoyfilters", "gateways", "peerauthentications", "proxyconfigs", "requestauthentications", "serviceentries", "sidecars", "telemetries", "virtualservices", "wasmplugins", "workloadentries", "workloadgroups"].map((r) => `${r}/status`);

function istiodRules(o: IstiodRuleOpts): Json[] {
  return [
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: [...RO, "update", "patch"] },
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], verbs: [...RO, "update"] },
    { apiGroups: ISTIO_GROUPS, resources: ["*"], verbs: GWL },
    ...(o.analysis ? [{ apiGroups: ISTIO_GROUPS, resources: STATUS_RESOURCES, verbs: ["update", "patch"] }] : []),
    { apiGroups: ["networking.istio.io"], resources: ["workloadentries"], verbs: ALL },
    { apiGroups: ["networking.istio.io"], resources: ["workloadentries/status", "serviceentries/status"], verbs: ALL },
    { apiGroups: ["security.istio.io"], resources: ["authorizationpolicies/status"], verbs: ALL },
    { apiGroups: [""], resources: ["services/status"], verbs: ALL },
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: RO },
    { apiGroups: [""], resources: ["pods", "nodes", "services", "namespaces", "endpoints"], verbs: RO },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: RO },
    ...(o.taint ? [{ apiGroups: [""], resources: ["nodes"], verbs: ["patch"] }] : []),
    ...(o.analysis
      ? [
          { apiGroups: ["extensions", "networking.k8s.io"], resources: ["ingresses"], verbs: RO },
          { apiGroups: ["extensions", "networking.k8s.io"], resources: ["ingresses/status"], verbs: ["*"] },
        ]
      : []),
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingressclasses"], verbs: RO },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["*"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "get", "list", "watch", "update"] },
    ...(o.csr
      ? [
          { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests", "certificatesigningrequests/approval", "certificatesigningrequests/status"], verbs: ["update", "create", "get", "delete", "watch"] },
          { apiGroups: ["certificates.k8s.io"], resources: ["signers"], ...(o.csr.length ? { resourceNames: o.csr } : {}), verbs: ["approve"] },
        ]
      : []),
    ...(o.ctb
      ? [
          { apiGroups: ["certificates.k8s.io"], resources: ["clustertrustbundles"], verbs: ["update", "create", "delete", "list", "watch", "get"] },
          { apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["istio.io/istiod-ca"], verbs: ["attest"] },
        ]
      : []),
    ...CORE_AUTH,
    { apiGroups: ["gateway.networking.k8s.io", "gateway.networking.x-k8s.io"], resources: ["*"], verbs: GWL },
    { apiGroups: ["gateway.networking.x-k8s.io"], resources: ["xbackendtrafficpolicies/status"], verbs: ["update", "patch"] },
    {
      apiGroups: ["gateway.networking.k8s.io"],
      resources: ["backendtlspolicies/status", "gatewayclasses/status", "gateways/status", "grpcroutes/status", "httproutes/status", "referencegrants/status", "tcproutes/status", "tlsroutes/status", "udproutes/status", "listenersets/status"],
      verbs: ["update", "patch"],
    },
    { apiGroups: ["gateway.networking.k8s.io"], resources: ["gatewayclasses"], verbs: ["create", "update", "patch", "delete"] },
    { apiGroups: ["inference.networking.k8s.io"], resources: ["inferencepools"], verbs: GWL },
    { apiGroups: ["inference.networking.k8s.io"], resources: ["inferencepools/status"], verbs: ["update", "patch"] },
    { apiGroups: [""], resources: ["secrets"], verbs: GWL },
    { apiGroups: [o.mcs], resources: ["serviceexports"], verbs: [...GWL, "create", "delete"] },
    { apiGroups: [o.mcs], resources: ["serviceimports"], verbs: GWL },
  ];
}

function gatewayControllerRules(): Json[] {
  return [
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ALL },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ALL },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ALL },
    { apiGroups: [""], resources: ["services"], verbs: ALL },
    { apiGroups: [""], resources: ["serviceaccounts"], verbs: ALL },
  ];
}

/** validatingadmissionpolicy.yaml: `experimental.stableValidationPolicy` denies the kinds and fields outside Istio's stable channel. */
function stableValidationPolicy(ctx: RenderContext, labels: Record<string, string>): K8sObject[] {
  const name = `stable-channel-policy${ctx.revSuffix}-${ctx.istioNamespace}.istio.io`;
  const policy = obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", name, undefined, labels, {
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [{ apiGroups: ["security.istio.io", "networking.istio.io", "telemetry.istio.io", "extensions.istio.io"], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: ["*"] }],
        objectSelector: { matchExpressions: [{ key: "istio.io/rev", operator: "In", values: [ctx.revLabel] }] },
      },
      variables: [
        { name: "isEnvoyFilter", expression: "object.kind == 'EnvoyFilter'" },
        { name: "isWasmPlugin", expression: "object.kind == 'WasmPlugin'" },
        { name: "isProxyConfig", expression: "object.kind == 'ProxyConfig'" },
        { name: "isTelemetry", expression: "object.kind == 'Telemetry'" },
        { name: "isAuthorizationPolicy", expression: "object.kind == 'AuthorizationPolicy'" },
      ],
      validations: [
        { expression: "!variables.isEnvoyFilter" },
        { expression: "!variables.isWasmPlugin" },
        { expression: "!variables.isProxyConfig" },
        {
          expression:
            "!(\n  variables.isTelemetry && (\n    (has(object.spec.tracing) ? object.spec.tracing : {}).exists(t, has(t.useRequestIdForTraceSampling)) ||\n    (has(object.spec.metrics) ? object.spec.metrics : {}).exists(m, has(m.reportingInterval)) ||\n    (has(object.spec.accessLogging) ? object.spec.accessLogging : {}).exists(l, has(l.filter))\n  )\n)\n",
        },
        {
          expression:
            "!(\n  variables.isAuthorizationPolicy &&\n  has(object.spec.rules) &&\n  object.spec.rules.exists(r,\n    has(r.from) && r.from.exists(f,\n      has(f.source) && (has(f.source.trustDomains) || has(f.source.notTrustDomains))\n    )\n  )\n)", // the chart's last line has no newline
        },
      ],
    },
  });
  const binding: K8sObject = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: `stable-channel-policy-binding${ctx.revSuffix}-${ctx.istioNamespace}.istio.io` },
    spec: { policyName: name, validationActions: ["Deny"] },
  };
  return [policy, binding];
}

export function renderIstiod(ctx: RenderContext, namespace: string): K8sObject[] {
  const v = ctx.values;
  const pilot: PilotValues = obj0(v.pilot);
  const rs = ctx.revSuffix;
  const name = `istiod${rs}`;
  const crSuffix = `${ctx.revision ? ctx.revision + "-" : ""}${namespace}`;
  const L = (extra: Record<string, string> = {}) => componentLabels(ctx, "Pilot", { app: "istiod", istio: "pilot", ...extra });
  const out: K8sObject[] = [];
  // The chart flattens pilot.* over the top level: values.pilot.istiodRemote wins over values.istiodRemote.
  const istiodRemote = { ...obj0(v.istiodRemote), ...obj0((pilot as JsonObject).istiodRemote) };
  const remoteOn = truthy(istiodRemote.enabled);
  const localInjector = truthy(istiodRemote.enabledLocalInjectorIstiod);
  // The chart: no istiod workload when istiod runs remotely (unless a local injector istiod is asked for); its
  // ServiceAccount and RBAC stay when this cluster is also the config cluster.
  const remote = remoteOn && !localInjector;
  const rbac = !remoteOn || localInjector || truthy(v.global?.configCluster);

  if (rbac) out.push(obj("v1", "ServiceAccount", name, ctx.istioNamespace, L(), pullSecrets(v), obj0(pilot.serviceAccountAnnotations) as Record<string, string>));
  const penv0 = obj0(pilot.env);
  const mcs = str(penv0.MCS_API_GROUP) || "multicluster.x-k8s.io";
  const certProvider = str(v.global?.pilotCertProvider);
  const ruleOpts: IstiodRuleOpts = {
    mcs,
    analysis: truthy(v.global?.istiod?.enableAnalysis),
    taint: truthy(obj0(pilot.taint).enabled),
    csr: truthy(penv0.EXTERNAL_CA) || !["istiod", "custom", "none"].includes(certProvider) ? ((Array.isArray(v.global?.certSigners) ? v.global.certSigners : []) as string[]).map(String) : undefined,
    ctb: penv0.ENABLE_CLUSTER_TRUST_BUNDLE_API === true,
  };
  const roles: [string, Json[], string][] = v.global?.enableReaderRBAC === false ? [] : [[`istio-reader-clusterrole-${crSuffix}`, readerRules(mcs, remoteOn), "istio-reader-service-account"]];
  if (rbac) roles.push([`istiod-clusterrole-${crSuffix}`, istiodRules(ruleOpts), name]);
  if (rbac && str(penv0.PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER) !== "false") roles.push([`istiod-gateway-controller-${crSuffix}`, gatewayControllerRules(), name]);
  for (const [role, rules, sa] of roles) {
    const labels = role.startsWith("istio-reader") ? L({ app: "istio-reader" }) : L();
    out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRole", role, undefined, labels, { rules }));
    out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", role, undefined, labels, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: ctx.istioNamespace }],
    }));
  }
  if (rbac) out.push(obj("rbac.authorization.k8s.io/v1", "Role", name, ctx.istioNamespace, L(), {
    rules: [
      { apiGroups: ["networking.istio.io"], resources: ["gateways"], verbs: ["create"] },
      { apiGroups: [""], resources: ["secrets"], verbs: ["create", "get", "watch", "list", "update", "delete"] },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["delete"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update", "patch", "create"] },
    ],
  }));
  if (rbac) out.push(obj("rbac.authorization.k8s.io/v1", "RoleBinding", name, ctx.istioNamespace, L(), {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    subjects: [{ kind: "ServiceAccount", name, namespace: ctx.istioNamespace }],
  }));

  // The same data kube-inject and `serve --config-source local` read (src/config/configmaps.ts).
  const data = injectionConfigMapData(ctx.r, namespace);
  // `configMap: false` (the remote values profile; values.pilot.configMap) leaves the mesh ConfigMap out, as the chart
  // does: pilotfish's injector then runs on mesh defaults, as it does whenever that ConfigMap is absent.
  const meshConfigMap = (v as JsonObject).configMap !== false && pilot.configMap !== false;
  if (meshConfigMap) out.push(obj("v1", "ConfigMap", `istio${rs}`, namespace, L(), { data: data.mesh }));
  if (v.global?.omitSidecarInjectorConfigMap !== true) {
    out.push(obj("v1", "ConfigMap", `istio-sidecar-injector${rs}`, namespace, L(), { data: data.injector }));
  }
  out.push(obj("v1", "ConfigMap", `values${rs}`, namespace, L(), { data: valuesConfigMapData(ctx.r) }, { "kubernetes.io/description": VALUES_CONFIGMAP_DESCRIPTION }));
  // istiod's Service, and the same once for every revision tag (revision-tags-svc.yaml, rendered remote or not).
  const serviceSpec = (): JsonObject => ({
    ...(truthy(pilot.ipFamilyPolicy) ? { ipFamilyPolicy: pilot.ipFamilyPolicy as Json } : {}),
    ...(truthy(pilot.ipFamilies) ? { ipFamilies: pilot.ipFamilies as Json } : {}),
    ...(truthy(pilot.trafficDistribution) ? { trafficDistribution: pilot.trafficDistribution as Json } : {}),
    ports: [
      { name: "grpc-xds", port: 15010, protocol: "TCP" },
      { name: "https-dns", port: 15012, protocol: "TCP" },
      { name: "https-webhook", port: 443, protocol: "TCP", targetPort: 15017 },
      { name: "http-monitoring", port: 15014, protocol: "TCP" },
    ],
    selector: ctx.revision ? { app: "istiod", "istio.io/rev": ctx.revLabel } : { app: "istiod", istio: "pilot" },
  });
  for (const tag of Array.isArray(v.revisionTags) ? v.revisionTags.map(str) : []) {
    out.push(obj("v1", "Service", `istiod-revision-tag-${tag}`, namespace, L({ "istio.io/tag": tag }), { spec: serviceSpec() }, obj0(pilot.serviceAnnotations) as Record<string, string>));
  }
  // gatewayClasses: per class, a ConfigMap of the overlays istiod applies to the objects it deploys for Gateways.
  for (const [cls, kinds] of Object.entries(obj0(v.gatewayClasses))) {
    const data = Object.fromEntries(Object.entries(obj0(kinds)).map(([kind, overlay]) => [kind, dump(overlay, { lineWidth: -1 })]));
    out.push(obj("v1", "ConfigMap", `istio-${ctx.revLabel}-gatewayclass-${cls}`, namespace, L({ "gateway.istio.io/defaults-for-class": cls }), { data }));
  }
  const remoteAddr = str(v.global?.remotePilotAddress);
  if (remoteAddr && remoteOn) {
    // remote-istiod-service.yaml, remote-istiod-endpointslices.yaml: istiod of this cluster is at remotePilotAddress.
    const ip4 = /^([0-9]*\.){3}[0-9]*$/.test(remoteAddr);
    const ip = ip4 || /^([0-9a-fA-F]*:)+[0-9a-fA-F]*$/.test(remoteAddr);
    const rname = `istiod${rs}${localInjector ? "-remote" : ""}`;
    const g0 = v.global ?? {};
    out.push(obj("v1", "Service", rname, namespace, { "istio.io/rev": ctx.revLabel, "app.kubernetes.io/name": "istiod", ...L() }, {
      spec: {
        ports: [
          { name: "tcp-istiod", port: 15012, protocol: "TCP" },
          { name: "tcp-webhook", port: 443, protocol: "TCP", targetPort: 15017 },
        ],
        ...(ip ? {} : { type: "ExternalName", externalName: remoteAddr }),
        ...(truthy(g0.ipFamilyPolicy) ? { ipFamilyPolicy: g0.ipFamilyPolicy as Json } : {}),
        ...(truthy(g0.ipFamilies) ? { ipFamilies: g0.ipFamilies as Json } : {}),
      },
    }));
    if (ip) {
      out.push(obj("discovery.k8s.io/v1", "EndpointSlice", rname, namespace, { ...L(), "kubernetes.io/service-name": rname }, {
        addressType: ip4 ? "IPv4" : "IPv6",
        endpoints: [{ addresses: [remoteAddr] }],
        ports: [
          { name: "tcp-istiod", port: 15012, protocol: "TCP" },
          { name: "tcp-webhook", port: 15017, protocol: "TCP" },
        ],
      }));
    }
  }
  if (rbac && truthy(obj0(v.experimental).stableValidationPolicy)) out.push(...stableValidationPolicy(ctx, L()));
  if (remote) return out;

  const autoscale = wantsHpa(pilot);
  // The component's hub and tag become values.pilot.hub/tag, as istioctl sets them.
  const pc = obj0(obj0(ctx.r.spec.components).pilot);
  const pilotImage = { ...pilot, ...(typeof pc.hub === "string" && pc.hub !== "" ? { hub: pc.hub } : {}), ...(pc.tag !== undefined && pc.tag !== null ? { tag: String(pc.tag) } : {}) };
  // The chart profile of values.compatibilityVersion sets pilot.env below the user's own.
  const compat = str((v as JsonObject).compatibilityVersion);
  const compatEnv = compat ? obj0(obj0(compatibilityProfile(compat)?.pilot).env) : {};
  const penv = { ...compatEnv, ...obj0(pilot.env) };
  // The istiod chart's openshift platform profile puts ztunnel in kube-system.
  const openshift = (str(v.global?.platform) || str((v as JsonObject).platform)) === "openshift";
  const taint = obj0(pilot.taint);
  const g = v.global ?? {};
  const env: Json[] = [
    { name: "REVISION", value: ctx.revLabel },
    { name: "PILOT_CERT_PROVIDER", value: str(g.pilotCertProvider) },
    fieldEnv("POD_NAME", "metadata.name"),
    fieldEnv("POD_NAMESPACE", "metadata.namespace"),
    fieldEnv("SERVICE_ACCOUNT", "spec.serviceAccountName"),
    { name: "KUBECONFIG", value: "/var/run/secrets/remote/config" },
    ...(truthy(penv.CA_TRUSTED_NODE_ACCOUNTS) ? [] : [{ name: "CA_TRUSTED_NODE_ACCOUNTS", value: `${str(pilot.trustedZtunnelNamespace) || (openshift ? "kube-system" : "") || namespace}/ztunnel` }]),
    ...envList(penv),
    ...((Array.isArray(pilot.envVarFrom) ? pilot.envVarFrom : []) as Json[]),
    ...(truthy(pilot.traceSampling) ? [{ name: "PILOT_TRACE_SAMPLING", value: str(pilot.traceSampling) }] : []),
    ...(truthy(taint.enabled) ? [{ name: "PILOT_ENABLE_NODE_UNTAINT_CONTROLLERS", value: "true" }, { name: "PILOT_NODE_UNTAINT_CONTROLLERS_TAINT_NAME", value: str(taint.name ?? "cni.istio.io/not-ready") }] : []),
    ...(truthy(g.externalIstiod) && !truthy(penv.EXTERNAL_ISTIOD) ? [{ name: "EXTERNAL_ISTIOD", value: str(g.externalIstiod) }] : []),
    ...(truthy(g.trustBundleName) ? [{ name: "PILOT_CA_CERT_CONFIGMAP", value: str(g.trustBundleName) }] : []),
    ...(truthy(pilot.crlConfigMapName) ? [{ name: "PILOT_CRL_CONFIGMAP", value: str(pilot.crlConfigMapName) }] : []),
    { name: "PILOT_ENABLE_ANALYSIS", value: str(g.istiod?.enableAnalysis ?? false) },
    { name: "CLUSTER_ID", value: str(g.multiCluster?.clusterName) || "Kubernetes" },
    { name: "GOMAXPROCS", valueFrom: { resourceFieldRef: { divisor: "1", resource: "limits.cpu" } } },
    { name: "PLATFORM", value: str(g.platform) || str((v as JsonObject).platform) },
  ];
  const ctb = penv.ENABLE_CLUSTER_TRUST_BUNDLE_API === true;
  const jwksCA = truthy(pilot.jwksResolverExtraRootCA);
  const args: Json[] = ["discovery", "--monitoringAddr=:15014"];
  if (truthy(g.logging?.level)) args.push(`--log_output_level=${str(g.logging?.level)}`);
  if (truthy(g.logAsJson)) args.push("--log_as_json");
  args.push("--domain", str(g.proxy?.clusterDomain) || "cluster.local");
  if (truthy(taint.namespace)) args.push(`--cniNamespace=${str(taint.namespace)}`);
  args.push("--keepaliveMaxServerConnectionAge", str(pilot.keepaliveMaxServerConnectionAge));
  if (Array.isArray(pilot.extraContainerArgs)) args.push(...(pilot.extraContainerArgs as Json[]));
  const securityContext: JsonObject = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true };
  if (truthy(pilot.seccompProfile)) securityContext.seccompProfile = pilot.seccompProfile as Json;
  const podLabels = { ...L({ "istio.io/dataplane-mode": "none", "sidecar.istio.io/inject": "false" }), ...(obj0(pilot.podLabels) as Record<string, string>) };
  const spec: JsonObject = {
    ...(!truthy(pilot.autoscaleEnabled) && truthy(pilot.replicaCount) ? { replicas: pilot.replicaCount as Json } : {}),
    selector: { matchLabels: ctx.revision ? { app: "istiod", "istio.io/rev": ctx.revLabel } : { istio: "pilot" } },
    strategy: { rollingUpdate: { maxSurge: pilot.rollingMaxSurge ?? "100%", maxUnavailable: pilot.rollingMaxUnavailable ?? "25%" } },
    template: {
      metadata: {
        annotations: { "prometheus.io/port": "15014", "prometheus.io/scrape": "true", "sidecar.istio.io/inject": "false", ...(obj0(pilot.podAnnotations) as Record<string, string>) },
        labels: sortKeys(podLabels),
      },
      spec: {
        containers: [
          {
            args,
            env,
            image: image(v, pilotImage, "pilot"),
            ...(truthy(g.imagePullPolicy) ? { imagePullPolicy: g.imagePullPolicy } : {}),
            name: "discovery",
            ports: [
              { containerPort: 8080, name: "http-debug", protocol: "TCP" },
              { containerPort: 15010, name: "grpc-xds", protocol: "TCP" },
              { containerPort: 15012, name: "tls-xds", protocol: "TCP" },
              { containerPort: 15017, name: "https-webhooks", protocol: "TCP" },
              { containerPort: 15014, name: "http-monitoring", protocol: "TCP" },
            ],
            readinessProbe: { httpGet: { path: "/ready", port: 8080 }, initialDelaySeconds: 1, periodSeconds: 3, timeoutSeconds: 5 },
            resources: chartResources(pilot.resources, g.defaultResources),
            securityContext,
            volumeMounts: [
              { mountPath: "/var/run/secrets/tokens", name: "istio-token", readOnly: true },
              { mountPath: "/var/run/secrets/istio-dns", name: "local-certs" },
              { mountPath: "/etc/cacerts", name: "cacerts", readOnly: true },
              { mountPath: "/var/run/secrets/remote", name: "istio-kubeconfig", readOnly: true },
              ...(jwksCA ? [{ mountPath: "/cacerts", name: "extracacerts" }] : []),
              { mountPath: "/var/run/secrets/istiod/tls", name: "istio-csr-dns-cert", readOnly: true },
              { mountPath: "/var/run/secrets/istiod/ca", name: "istio-csr-ca-configmap", readOnly: true },
              ...((Array.isArray(pilot.volumeMounts) ? pilot.volumeMounts : []) as Json[]),
            ],
          },
        ],
        ...(truthy(pilot.nodeSelector) ? { nodeSelector: pilot.nodeSelector } : {}),
        ...(truthy(pilot.affinity) ? { affinity: pilot.affinity as Json } : {}),
        ...(truthy(g.priorityClassName) ? { priorityClassName: str(g.priorityClassName) } : {}),
        serviceAccountName: name,
        tolerations: [{ key: "cni.istio.io/not-ready", operator: "Exists" }, ...((Array.isArray(pilot.tolerations) ? pilot.tolerations : []) as Json[])],
        ...(truthy(pilot.topologySpreadConstraints) ? { topologySpreadConstraints: pilot.topologySpreadConstraints as Json } : {}),
        volumes: [
          { emptyDir: { medium: "Memory" }, name: "local-certs" },
          { name: "istio-token", projected: { sources: [{ serviceAccountToken: { audience: str(v.global?.sds?.token?.aud) || "istio-ca", expirationSeconds: 43200, path: "istio-token" } }] } },
          { name: "cacerts", secret: { optional: true, secretName: "cacerts" } },
          { name: "istio-kubeconfig", secret: { optional: true, secretName: "istio-kubeconfig" } },
          { name: "istio-csr-dns-cert", secret: { optional: true, secretName: "istiod-tls" } },
          ctb
            ? { name: "istio-csr-ca-configmap", projected: { sources: [{ clusterTrustBundle: { name: `istio.io:istiod-ca:${str(g.trustBundleName) || "root-cert"}`, optional: true, path: "root-cert.pem" } }] } }
            : { configMap: { defaultMode: 420, name: str(g.trustBundleName) || "istio-ca-root-cert", optional: true }, name: "istio-csr-ca-configmap" },
          ...(jwksCA ? [{ configMap: { name: `pilot-jwks-extra-cacerts${rs}` }, name: "extracacerts" }] : []),
          ...((Array.isArray(pilot.volumes) ? pilot.volumes : []) as Json[]),
        ],
      },
    },
  };
  out.push(obj("apps/v1", "Deployment", name, namespace, { ...L(), ...(obj0(pilot.deploymentLabels) as Record<string, string>) }, { spec }));
  if (jwksCA) out.push(obj("v1", "ConfigMap", `pilot-jwks-extra-cacerts${rs}`, namespace, L(), { data: { "extra.pem": str(pilot.jwksResolverExtraRootCA) } }));
  out.push(obj("v1", "Service", name, namespace, L(), { spec: serviceSpec() }, obj0(pilot.serviceAnnotations) as Record<string, string>));
  if (autoscale) out.push(hpa(name, namespace, L(), pilot));
  if (wantsPdb(v, pilot)) out.push(pdb(name, namespace, L(), ctx.revision ? { app: "istiod", "istio.io/rev": ctx.revLabel } : { app: "istiod", istio: "pilot" }));
  if (v.global?.networkPolicy?.enabled === true) {
    out.push(obj("networking.k8s.io/v1", "NetworkPolicy", name, namespace, L(), {
      spec: {
        podSelector: { matchLabels: { app: "istiod", "istio.io/rev": ctx.revLabel } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ ports: [{ port: 15017, protocol: "TCP" }] }, { ports: [15010, 15011, 15012, 8080, 15014].map((port) => ({ port, protocol: "TCP" })) }],
        egress: [{}],
      },
    }));
  }
  return out;
}
