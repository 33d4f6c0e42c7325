// Component Cni: the istio-cni node agent (DaemonSet, its ConfigMap, RBAC, and the optional multus
// NetworkAttachmentDefinition, NetworkPolicy and ResourceQuota), as Istio 1.30.3's istio-cni chart renders it from
// the values istioctl hands it: the whole `values` tree, whose `cni` subtree the chart lays over its top level.
import { isObject, str, truthy as goTruthy, type Json, type JsonObject } from "../../config/values.js";
import { componentLabels, obj, obj0, type K8sObject, type RenderContext } from "./meta.js";
import { chartEffectiveValues } from "../../config/chart-values.js";
import { chartResources, goPrint, goQuote, unquoted } from "./helm-print.js";
import { envFromMap, nodeCriticalQuota, printedMap, pullSecretNames, valuesWithComponentImage } from "./node-values.js";

/** The istio-cni chart's own defaults (its values.yaml). */
function cniDefaults(): JsonObject {
  return {
    hub: "",
    tag: "",
    variant: "",
    image: "install-cni",
    pullPolicy: "",
    logging: { level: "" },
    cniBinDir: "/opt/cni/bin",
    cniConfDir: "/etc/cni/net.d",
    cniConfFileName: "",
    cniNetnsDir: "/var/run/netns",
    istioOwnedCNIConfigFileName: "",
    istioOwnedCNIConfig: false,
    excludeNamespaces: ["kube-system"],
    affinity: {},
    daemonSetLabels: {},
    podAnnotations: {},
    podLabels: {},
    chained: true,
    provider: "default",
    ambient: {
      enabled: false,
      enablementSelectors: [
        { podSelector: { matchLabels: { "istio.io/dataplane-mode": "ambient" } } },
        {
          podSelector: { matchExpressions: [{ key: "istio.io/dataplane-mode", operator: "NotIn", values: ["none"] }] },
          namespaceSelector: { matchLabels: { "istio.io/dataplane-mode": "ambient" } },
        },
      ],
      configDir: "",
      dnsCapture: true,
      ipv6: true,
      reconcileIptablesOnStartup: true,
      shareHostNetworkNamespace: false,
      enableAmbientDetectionRetry: false,
    },
    repair: {
      enabled: true,
      hub: "",
      tag: "",
      labelPods: false,
      deletePods: false,
      repairPods: true,
      initContainerName: "istio-validation",
      brokenPodLabelKey: "cni.istio.io/uninitialized",
      brokenPodLabelValue: "true",
    },
    seccompProfile: {},
    seLinuxOptions: {},
    useAppArmorAnnotation: true,
    resources: { requests: { cpu: "100m", memory: "100Mi" } },
    resourceQuotas: { enabled: false, pods: 5000 },
    tolerations: [{ effect: "NoSchedule", operator: "Exists" }, { key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }],
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
    terminationGracePeriodSeconds: 30,
    revision: "",
    ownerName: "",
    global: {
      hub: "registry.istio.io/testing",
      tag: "latest",
      variant: "",
      imagePullPolicy: "",
      logging: { level: "info" },
      logAsJson: false,
      networkPolicy: { enabled: false },
      imagePullSecrets: [],
      defaultResources: { requests: { cpu: "100m", memory: "100Mi" } },
      nativeNftables: false,
      resourceScope: "all",
    },
    env: {},
  };
}

/** The values the istio-cni chart renders with: defaults < chart profile < istioctl's values, then `cni` laid over the top level. */
export function cniChartValues(ctx: RenderContext): JsonObject {
  return chartEffectiveValues(valuesWithComponentImage(ctx, "cni"), { defaults: cniDefaults(), descope: "cni" });
}

const NAME = "istio-cni";

export function renderCni(ctx: RenderContext, ns: string): K8sObject[] {
  const v = cniChartValues(ctx);
  const g = obj0(v.global);
  const ambient = obj0(v.ambient);
  const repair = obj0(v.repair);
  const scope = str(g.resourceScope);
  const clusterScoped = scope === "all" || scope === "cluster";
  const nsScoped = scope === "all" || scope === "namespace";
  const revision = str(v.revision);
  const L = (extra: Record<string, string>) => componentLabels(ctx, "Cni", { "app.kubernetes.io/name": NAME, release: "istio", ...extra });
  const out: K8sObject[] = [];

  if (clusterScoped) {
    const platform = str(goTruthy(v.platform) ? v.platform : g.platform);
    const rules: Json[] = [{ apiGroups: [""], resources: ["pods", "nodes", "namespaces"], verbs: ["get", "list", "watch"] }];
    if (platform === "openshift") rules.push({ apiGroups: ["security.openshift.io"], resources: ["securitycontextconstraints"], resourceNames: ["privileged"], verbs: ["use"] });
    out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRole", NAME, undefined, L({ app: NAME }), { rules }));
    if (goTruthy(repair.enabled)) {
      const rr: Json[] = [
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["watch", "get", "list"] },
      ];
      // repairPods needs no API access; deletePods deletes pods; labelPods labels them through pods/status.
      if (goTruthy(repair.repairPods)) { /* nothing more */ }
      else if (goTruthy(repair.deletePods)) rr.push({ apiGroups: [""], resources: ["pods"], verbs: ["delete"] });
      else if (goTruthy(repair.labelPods)) rr.push({ apiGroups: [""], resources: ["pods/status"], verbs: ["patch", "update"] });
      out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRole", `${NAME}-repair-role`, undefined, L({ app: NAME }), { rules: rr }));
    }
    if (goTruthy(ambient.enabled)) {
      out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRole", `${NAME}-ambient`, undefined, L({ app: NAME }), {
        rules: [
          { apiGroups: [""], resources: ["pods/status"], verbs: ["patch", "update"] },
          { apiGroups: ["apps"], resources: ["daemonsets"], resourceNames: [`${NAME}-node`], verbs: ["get"] },
        ],
      }));
    }
    const binding = (name: string, role: string, labels: Record<string, string>) =>
      obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, undefined, labels, {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: NAME, namespace: ns }],
      });
    out.push(binding(NAME, NAME, L({ app: NAME })));
    if (goTruthy(repair.enabled)) out.push(binding(`${NAME}-repair-rolebinding`, `${NAME}-repair-role`, L({ "k8s-app": `${NAME}-repair` })));
    if (goTruthy(ambient.enabled)) out.push(binding(`${NAME}-ambient`, `${NAME}-ambient`, L({ "k8s-app": `${NAME}-repair` })));
  }

  if (nsScoped) {
    out.push(obj("v1", "ConfigMap", `${NAME}-config`, ns, L({ app: NAME }), { data: configData(v) }));
    out.push(daemonSet(ctx, v, ns, L));
    if (str(v.provider) === "multus") {
      out.push(obj("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", NAME, "default", L({})));
    }
    if (goTruthy(obj0(v.resourceQuotas).enabled)) out.push(nodeCriticalQuota(`${NAME}-resource-quota`, ns, L({}), v.resourceQuotas));
    out.push(obj("v1", "ServiceAccount", NAME, ns, L({ app: NAME }), pullSecretNames(g.imagePullSecrets)));
  }

  if (goTruthy(obj0(g.networkPolicy).enabled)) {
    out.push(obj("networking.k8s.io/v1", "NetworkPolicy", revision ? `${NAME}-${revision}` : NAME, ns, L({ "k8s-app": `${NAME}-node` }), {
      spec: {
        podSelector: { matchLabels: { "k8s-app": `${NAME}-node` } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ ports: [{ protocol: "TCP", port: 15014 }] }, { ports: [{ protocol: "TCP", port: 8000 }] }],
        egress: [{}],
      },
    }));
  }
  return out;
}

/** `istio-cni-config`: the agent's settings as environment (envFrom). */
function configData(v: JsonObject): JsonObject {
  const g = obj0(v.global);
  const ambient = obj0(v.ambient);
  const repair = obj0(v.repair);
  const data: Record<string, Json> = {
    CURRENT_AGENT_VERSION: goQuote(goTruthy(v.tag) ? v.tag : g.tag),
    AMBIENT_ENABLED: goQuote(ambient.enabled),
    AMBIENT_ENABLEMENT_SELECTOR: goQuote(goYaml(ambient.enablementSelectors)),
    AMBIENT_DNS_CAPTURE: goQuote(ambient.dnsCapture),
    AMBIENT_IPV6: goQuote(ambient.ipv6),
    AMBIENT_RECONCILE_POD_RULES_ON_STARTUP: goQuote(ambient.reconcileIptablesOnStartup),
    ENABLE_AMBIENT_DETECTION_RETRY: goQuote(ambient.enableAmbientDetectionRetry),
  };
  if (goTruthy(v.cniConfFileName)) data.CNI_CONF_NAME = unquoted(goPrint(v.cniConfFileName));
  data.ISTIO_OWNED_CNI_CONFIG = goQuote(v.istioOwnedCNIConfig);
  if (goTruthy(v.istioOwnedCNIConfig)) data.ISTIO_OWNED_CNI_CONF_FILENAME = goQuote(v.istioOwnedCNIConfigFileName);
  data.CHAINED_CNI_PLUGIN = goQuote(v.chained);
  data.EXCLUDE_NAMESPACES = (Array.isArray(v.excludeNamespaces) ? v.excludeNamespaces : []).map(goPrint).join(",");
  data.REPAIR_ENABLED = goQuote(repair.enabled);
  data.REPAIR_LABEL_PODS = goQuote(repair.labelPods);
  data.REPAIR_DELETE_PODS = goQuote(repair.deletePods);
  data.REPAIR_REPAIR_PODS = goQuote(repair.repairPods);
  data.REPAIR_INIT_CONTAINER_NAME = goQuote(repair.initContainerName);
  data.REPAIR_BROKEN_POD_LABEL_KEY = goQuote(repair.brokenPodLabelKey);
  data.REPAIR_BROKEN_POD_LABEL_VALUE = goQuote(repair.brokenPodLabelValue);
  data.NATIVE_NFTABLES = goQuote(g.nativeNftables);
  if (isObject(v.env)) for (const k of Object.keys(v.env).sort()) data[k] = goPrint(v.env[k]);
  return data;
}

/** `toYaml` as Helm writes it (keys sorted, list items at their key's indent, no trailing newline). */
function goYaml(v: Json | undefined): string {
  if (v === undefined || v === null) return "null";
  return dumpGo(v, 0).replace(/\n$/, "");
}

function scalar(v: Json): string {
  if (v === null) return "null";
  if (typeof v === "string") return /^[\w./-]+$/.test(v) && !/^(true|false|null|yes|no|on|off|~|[-+]?[\d.]+([eE][-+]?\d+)?)$/i.test(v) ? v : JSON.stringify(v);
  return goPrint(v);
}

function dumpGo(v: Json, indent: number): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(v)) {
    if (!v.length) return `${pad}[]\n`;
    return v.map((x) => {
      if (isObject(x) || Array.isArray(x)) {
        const inner = dumpGo(x, indent + 2);
        return `${pad}- ${inner.slice(indent + 2)}`;
      }
      return `${pad}- ${scalar(x)}\n`;
    }).join("");
  }
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    if (!keys.length) return `${pad}{}\n`;
    return keys.map((k) => {
      const x = v[k];
      if (Array.isArray(x) && x.length) return `${pad}${k}:\n${dumpGo(x, indent)}`;
      if (isObject(x) && Object.keys(x).length) return `${pad}${k}:\n${dumpGo(x, indent + 2)}`;
      return `${pad}${k}: ${Array.isArray(x) ? "[]" : isObject(x) ? "{}" : scalar(x)}\n`;
    }).join("");
  }
  return `${pad}${scalar(v)}\n`;
}

function daemonSet(ctx: RenderContext, v: JsonObject, ns: string, L: (extra: Record<string, string>) => Record<string, string>): K8sObject {
  const g = obj0(v.global);
  const ambient = obj0(v.ambient);
  const repair = obj0(v.repair);
  const ambientOn = goTruthy(ambient.enabled);
  const hostNs = ambientOn && goTruthy(ambient.shareHostNetworkNamespace);
  const procfs = goTruthy(repair.repairPods) || ambientOn;
  const img = goPrint(v.image);
  const tag = `${goPrint(goTruthy(v.tag) ? v.tag : g.tag)}${goTruthy(v.variant) || goTruthy(g.variant) ? `-${goPrint(goTruthy(v.variant) ? v.variant : g.variant)}` : ""}`;
  const image = img.includes("/") ? img : `${goPrint(goTruthy(v.hub) ? v.hub : g.hub)}/${img || "install-cni"}:${tag}`;
  const annotations: JsonObject = {
    "sidecar.istio.io/inject": "false",
    "prometheus.io/scrape": "true",
    "prometheus.io/port": "15014",
    "prometheus.io/path": "/metrics",
  };
  if (goTruthy(v.useAppArmorAnnotation)) annotations["container.apparmor.security.beta.kubernetes.io/install-cni"] = "unconfined";
  if (isObject(v.podAnnotations)) Object.assign(annotations, structuredClone(v.podAnnotations));
  const securityContext: JsonObject = {};
  if (!goTruthy(v.useAppArmorAnnotation)) securityContext.appArmorProfile = { type: "Unconfined" };
  Object.assign(securityContext, {
    privileged: false,
    runAsGroup: 0,
    runAsUser: 0,
    runAsNonRoot: false,
    capabilities: { drop: ["ALL"], add: ["NET_ADMIN", "NET_RAW", "SYS_PTRACE", "SYS_ADMIN", "DAC_OVERRIDE"] },
  });
  // sprig `merge` keeps the user's keys and adds type spc_t only when no type is given.
  if (goTruthy(v.seLinuxOptions) && isObject(v.seLinuxOptions)) {
    const se = structuredClone(v.seLinuxOptions);
    if (!goTruthy(se.type)) se.type = "spc_t";
    securityContext.seLinuxOptions = se;
  }
  if (goTruthy(v.seccompProfile)) securityContext.seccompProfile = structuredClone(v.seccompProfile);
  const logging = obj0(v.logging);
  const glogging = obj0(g.logging);
  const args: Json[] = [];
  if (goTruthy(logging.level) || goTruthy(glogging.level)) args.push(`--log_output_level=${goPrint(goTruthy(logging.level) ? logging.level : glogging.level)}`);
  if (goTruthy(g.logAsJson)) args.push("--log_as_json");
  const fieldRef = (name: string, fieldPath: string, apiVersion?: string): Json => ({ name, valueFrom: { fieldRef: { ...(apiVersion ? { apiVersion } : {}), fieldPath } } });
  const resourceRef = (name: string, resource: string): Json => ({ name, valueFrom: { resourceFieldRef: { resource, divisor: "1" } } });
  const env: Json[] = [
    fieldRef("REPAIR_NODE_NAME", "spec.nodeName"),
    { name: "REPAIR_RUN_AS_DAEMON", value: "true" },
    { name: "REPAIR_SIDECAR_ANNOTATION", value: "sidecar.istio.io/status" },
    ...(hostNs ? [] : [{ name: "ALLOW_SWITCH_TO_HOST_NS", value: "true" }]),
    fieldRef("NODE_NAME", "spec.nodeName", "v1"),
    resourceRef("GOMEMLIMIT", "limits.memory"),
    resourceRef("GOMAXPROCS", "limits.cpu"),
    fieldRef("POD_NAME", "metadata.name"),
    fieldRef("POD_NAMESPACE", "metadata.namespace"),
    ...(goTruthy(v.env) ? envFromMap(v.env) : []),
  ];
  const volumeMounts: Json[] = [
    { mountPath: "/host/opt/cni/bin", name: "cni-bin-dir" },
    ...(procfs ? [{ mountPath: "/host/proc", name: "cni-host-procfs", readOnly: true }] : []),
    { mountPath: "/host/etc/cni/net.d", name: "cni-net-dir" },
    { mountPath: "/var/run/istio-cni", name: "cni-socket-dir" },
    ...(ambientOn ? [
      { mountPath: "/host/var/run/netns", mountPropagation: "HostToContainer", name: "cni-netns-dir" },
      { mountPath: "/var/run/ztunnel", name: "cni-ztunnel-sock-dir" },
    ] : []),
  ];
  // Offline the chart cannot see a GKE version, so an empty cniBinDir means /opt/cni/bin.
  const binDir = goTruthy(v.cniBinDir) ? unquoted(goPrint(v.cniBinDir)) : "/opt/cni/bin";
  const volumes: Json[] = [
    { name: "cni-bin-dir", hostPath: { path: binDir } },
    ...(procfs ? [{ name: "cni-host-procfs", hostPath: { path: "/proc", type: "Directory" } }] : []),
    ...(ambientOn ? [{ name: "cni-ztunnel-sock-dir", hostPath: { path: "/var/run/ztunnel", type: "DirectoryOrCreate" } }] : []),
    { name: "cni-net-dir", hostPath: { path: unquoted(goPrint(v.cniConfDir)) } },
    { name: "cni-socket-dir", hostPath: { path: "/var/run/istio-cni" } },
    { name: "cni-netns-dir", hostPath: { path: unquoted(goPrint(v.cniNetnsDir)), type: "DirectoryOrCreate" } },
  ];
  const container: JsonObject = {
    name: "install-cni",
    image,
    ...(goTruthy(v.pullPolicy) || goTruthy(g.imagePullPolicy) ? { imagePullPolicy: unquoted(goPrint(goTruthy(v.pullPolicy) ? v.pullPolicy : g.imagePullPolicy)) } : {}),
    ports: [{ containerPort: 15014, name: "metrics", protocol: "TCP" }],
    readinessProbe: { httpGet: { path: "/readyz", port: 8000 } },
    securityContext,
    command: ["install-cni"],
    args: args.length ? args : null,
    envFrom: [{ configMapRef: { name: `${NAME}-config` } }],
    env,
    volumeMounts,
    resources: chartResources(v.resources, g.defaultResources),
  };
  const podSpec: JsonObject = {
    ...(hostNs ? { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" } : {}),
    nodeSelector: { "kubernetes.io/os": "linux" },
    ...(goTruthy(v.affinity) ? { affinity: structuredClone(v.affinity) } : {}),
    ...(goTruthy(v.tolerations) ? { tolerations: structuredClone(v.tolerations) } : {}),
    priorityClassName: "system-node-critical",
    serviceAccountName: NAME,
    terminationGracePeriodSeconds: unquoted(goPrint(v.terminationGracePeriodSeconds)),
    containers: [container],
    volumes,
  };
  const podLabels: Record<string, string> = {
    ...componentLabels(ctx, "Cni", { "app.kubernetes.io/name": NAME }),
    "k8s-app": `${NAME}-node`,
    "sidecar.istio.io/inject": "false",
    "istio.io/dataplane-mode": "none",
    ...printedMap(v.podLabels),
  };
  return obj("apps/v1", "DaemonSet", `${NAME}-node`, ns, { ...L({ "k8s-app": `${NAME}-node` }), ...printedMap(v.daemonSetLabels) }, {
    spec: {
      selector: { matchLabels: { "k8s-app": `${NAME}-node` } },
      ...(goTruthy(v.updateStrategy) ? { updateStrategy: structuredClone(v.updateStrategy) } : {}),
      template: { metadata: { labels: podLabels, annotations }, spec: podSpec },
    },
  });
}
