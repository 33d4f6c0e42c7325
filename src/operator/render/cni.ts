// Components Cni (istio-cni node agent) and Ztunnel (ambient's node proxy): DaemonSets with their RBAC.
import { str, type Json } from "../../config/values.js";
import type { CniValues, ZtunnelValues } from "../../config/values-types.js";
import { componentLabels, fieldEnv, image, obj, obj0, pullSecrets, truthy, type K8sObject, type RenderContext } from "./meta.js";

export function renderCni(ctx: RenderContext, ns: string): K8sObject[] {
  const v = ctx.values;
  const cni: CniValues = obj0(v.cni);
  const ambient = cni.ambient?.enabled === true;
  const L = () => componentLabels(ctx, "Cni", { app: "istio-cni-node", "k8s-app": "istio-cni-node" });
  const out: K8sObject[] = [obj("v1", "ServiceAccount", "istio-cni", ns, L(), pullSecrets(v))];
  const g = v.global ?? {};
  // The istio-cni chart: coalesce(cni.logging.level, global.logging.level), its own global default being "info" (the
  // istiod chart's "default:info" does not reach it, so only a level the IstioOperator gives counts).
  const userLevel = str(obj0(obj0(obj0(ctx.r.userValues).global).logging).level);
  const logLevel = str(obj0(obj0(cni as Record<string, Json>).logging).level) || userLevel || str(cni.logLevel) || "info";
  const pullPolicy = str((cni as Record<string, Json>).pullPolicy) || str(g.imagePullPolicy);
  const roles: [string, string, Json[]][] = [
    ["istio-cni", "istio-cni", [{ apiGroups: [""], resources: ["pods", "nodes", "namespaces"], verbs: ["get", "list", "watch"] }]],
    ["istio-cni-repair-role", "istio-cni-repair-rolebinding", [
      { apiGroups: [""], resources: ["pods"], verbs: ["watch", "get", "list"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["delete"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
    ]],
  ];
  if (ambient) roles.push(["istio-cni-ambient", "istio-cni-ambient", [{ apiGroups: [""], resources: ["pods/status"], verbs: ["patch", "update"] }, { apiGroups: ["apps"], resources: ["daemonsets"], resourceNames: ["istio-cni-node"], verbs: ["get"] }]]);
  for (const [role, binding, rules] of roles) {
    out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRole", role, undefined, L(), { rules }));
    out.push(obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", binding, undefined, L(), {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ kind: "ServiceAccount", name: "istio-cni", namespace: ns }],
    }));
  }
  out.push(obj("v1", "ConfigMap", "istio-cni-config", ns, L(), {
    data: {
      CURRENT_AGENT_VERSION: str(v.global?.tag),
      AMBIENT_ENABLED: String(ambient),
      EXCLUDE_NAMESPACES: (cni.excludeNamespaces ?? []).map(String).join(","),
      CNI_NET_DIR: str(cni.cniConfDir) || "/etc/cni/net.d",
      CHAINED_CNI_PLUGIN: "true",
      REPAIR_ENABLED: "true",
      LOG_LEVEL: str(cni.logLevel) || "info",
    },
  }));
  out.push(obj("apps/v1", "DaemonSet", "istio-cni-node", ns, L(), {
    spec: {
      selector: { matchLabels: { "k8s-app": "istio-cni-node" } },
      updateStrategy: { rollingUpdate: { maxUnavailable: 1 }, type: "RollingUpdate" },
      template: {
        metadata: { annotations: { "sidecar.istio.io/inject": "false", "prometheus.io/port": "15014", "prometheus.io/scrape": "true" }, labels: { ...L(), "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "none" } },
        spec: {
          serviceAccountName: "istio-cni",
          priorityClassName: "system-node-critical",
          tolerations: [{ effect: "NoSchedule", operator: "Exists" }, { key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }],
          containers: [{
            name: "install-cni",
            image: image(v, cni, "install-cni"),
            ...(pullPolicy ? { imagePullPolicy: pullPolicy } : {}),
            command: ["install-cni"],
            args: [`--log_output_level=${logLevel}`, ...(truthy(g.logAsJson) ? ["--log_as_json"] : [])],
            envFrom: [{ configMapRef: { name: "istio-cni-config" } }],
            env: [fieldEnv("REPAIR_NODE_NAME", "spec.nodeName"), fieldEnv("NODE_NAME", "spec.nodeName"), fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace"), fieldEnv("POD_IP", "status.podIP")],
            readinessProbe: { httpGet: { path: "/readyz", port: 8000 } },
            resources: obj0(cni.resources),
            securityContext: { privileged: true, runAsGroup: 0, runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ["ALL"], add: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "DAC_OVERRIDE"] } },
            volumeMounts: [{ mountPath: "/host/opt/cni/bin", name: "cni-bin-dir" }, { mountPath: "/host/etc/cni/net.d", name: "cni-net-dir" }, { mountPath: "/var/run/istio-cni", name: "cni-socket-dir" }],
          }],
          volumes: [
            { name: "cni-bin-dir", hostPath: { path: str(cni.cniBinDir) || "/opt/cni/bin" } },
            { name: "cni-net-dir", hostPath: { path: str(cni.cniConfDir) || "/etc/cni/net.d" } },
            { name: "cni-socket-dir", hostPath: { path: "/var/run/istio-cni" } },
          ],
        },
      },
    },
  }));
  return out;
}

export function renderZtunnel(ctx: RenderContext, ns: string): K8sObject[] {
  const v = ctx.values;
  const z: ZtunnelValues = obj0(v.ztunnel);
  const name = str(z.resourceName) || "ztunnel";
  const L = () => componentLabels(ctx, "Ztunnel", { app: "ztunnel" });
  const g = v.global ?? {};
  const zr = z as Record<string, Json>;
  // istioctl hands the ztunnel chart the global imagePullSecrets, logAsJson and imagePullPolicy.
  const pullPolicy = str(zr.imagePullPolicy) || str(g.imagePullPolicy);
  return [
    obj("v1", "ServiceAccount", name, ns, L(), Array.isArray(zr.imagePullSecrets) && zr.imagePullSecrets.length ? { imagePullSecrets: zr.imagePullSecrets.map((x) => ({ name: str(x) })) } : pullSecrets(v)),
    obj("apps/v1", "DaemonSet", name, ns, L(), {
      spec: {
        selector: { matchLabels: { app: "ztunnel" } },
        updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }, type: "RollingUpdate" },
        template: {
          metadata: { annotations: { "sidecar.istio.io/inject": "false", "prometheus.io/port": "15020", "prometheus.io/scrape": "true" }, labels: { ...L(), "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "none" } },
          spec: {
            serviceAccountName: name,
            priorityClassName: "system-node-critical",
            tolerations: [{ effect: "NoSchedule", operator: "Exists" }, { key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }],
            containers: [{
              name: "istio-proxy",
              image: image(v, z, "ztunnel"),
              ...(pullPolicy ? { imagePullPolicy: pullPolicy } : {}),
              args: ["proxy", "ztunnel"],
              env: [
                { name: "CA_ADDRESS", value: `istiod${ctx.revSuffix}.${ctx.istioNamespace}.svc:15012` },
                { name: "XDS_ADDRESS", value: `istiod${ctx.revSuffix}.${ctx.istioNamespace}.svc:15012` },
                ...(truthy(zr.logAsJson ?? g.logAsJson) ? [{ name: "LOG_FORMAT", value: "json" }] : []),
                { name: "RUST_LOG", value: str(z.logLevel) || "info" },
                { name: "ISTIO_META_CLUSTER_ID", value: str(v.global?.multiCluster?.clusterName) || "Kubernetes" },
                fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace"), fieldEnv("NODE_NAME", "spec.nodeName"), fieldEnv("INSTANCE_IP", "status.podIP"),
                { name: "SERVICE_ACCOUNT", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
              ],
              ports: [{ containerPort: 15020, name: "ztunnel-stats", protocol: "TCP" }],
              readinessProbe: { httpGet: { path: "/healthz/ready", port: 15021 } },
              resources: obj0(z.resources),
              securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: false, runAsUser: 0, capabilities: { drop: ["ALL"], add: ["NET_ADMIN", "SYS_ADMIN", "NET_RAW"] } },
              volumeMounts: [{ mountPath: "/var/run/secrets/istio", name: "istiod-ca-cert" }, { mountPath: "/var/run/secrets/tokens", name: "istio-token" }, { mountPath: "/var/run/ztunnel", name: "cni-ztunnel-sock-dir" }, { mountPath: "/tmp", name: "tmp" }],
            }],
            volumes: [
              { name: "istio-token", projected: { sources: [{ serviceAccountToken: { audience: "istio-ca", expirationSeconds: 43200, path: "istio-token" } }] } },
              { name: "istiod-ca-cert", configMap: { name: "istio-ca-root-cert" } },
              { name: "cni-ztunnel-sock-dir", hostPath: { path: "/var/run/ztunnel", type: "DirectoryOrCreate" } },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
      },
    }),
  ];
}
