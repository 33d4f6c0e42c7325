// Grafana as Istio's sample runs it: anonymous admin access for demos, the Prometheus addon as its data source
// (in its own namespace when that differs), and pilotfish's Istio dashboards provisioned from two ConfigMaps
// through two file providers (folder "istio").
import { dump } from "js-yaml";
import { obj, type K8sObject, type RenderContext } from "../meta.js";
import { deployment, httpProbe, image, labelsFor, selectorFor, type AddonPeers } from "./common.js";
import { DASHBOARDS } from "./dashboards/index.js";
import { toGrafana } from "./dashboards/lib.js";

export const GRAFANA_PORT = 3000;
const PROVIDERS = [
  { name: "istio", configMap: "istio-grafana-dashboards" },
  { name: "istio-services", configMap: "istio-services-grafana-dashboards" },
] as const;
const dir = (provider: string) => `/var/lib/grafana/dashboards/${provider}`;

/** The dashboards ConfigMaps' data: file name -> dashboard JSON. */
export function dashboardData(configMap: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const d of Object.values(DASHBOARDS)) if (d.configMap === configMap) data[d.file] = JSON.stringify(toGrafana(d.dashboard));
  return data;
}

export function renderGrafana(ctx: RenderContext, ns: string, peers: AddonPeers): K8sObject[] {
  const prometheus = peers.prometheus && peers.prometheus !== ns ? `prometheus.${peers.prometheus}` : "prometheus";
  const L = labelsFor(ctx, "grafana");
  const sel = selectorFor("grafana");
  const ini = [
    "[analytics]", "check_for_updates = false", "[log]", "mode = console",
    "[paths]", "data = /var/lib/grafana/", "logs = /var/log/grafana", "plugins = /var/lib/grafana/plugins", "provisioning = /etc/grafana/provisioning",
    "[server]", "domain = ''", "",
  ].join("\n");
  const env = {
    GF_PATHS_DATA: "/var/lib/grafana/", GF_PATHS_LOGS: "/var/log/grafana", GF_PATHS_PLUGINS: "/var/lib/grafana/plugins", GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
    // A demo: anyone who reaches Grafana is its admin.
    GF_AUTH_ANONYMOUS_ENABLED: "true", GF_AUTH_ANONYMOUS_ORG_ROLE: "Admin", GF_AUTH_BASIC_ENABLED: "false",
  };
  return [
    obj("v1", "ServiceAccount", "grafana", ns, L, { automountServiceAccountToken: false }),
    obj("v1", "ConfigMap", "grafana", ns, L, {
      data: {
        "grafana.ini": ini,
        "datasources.yaml": dump({
          apiVersion: 1,
          datasources: [{ name: "Prometheus", uid: "prometheus", type: "prometheus", orgId: 1, access: "proxy", url: `http://${prometheus}:9090`, isDefault: true, editable: true, jsonData: { timeInterval: "15s" } }],
        }),
        "dashboardproviders.yaml": dump({
          apiVersion: 1,
          providers: PROVIDERS.map((p) => ({ name: p.name, orgId: 1, folder: "istio", type: "file", disableDeletion: false, options: { path: dir(p.name) } })),
        }),
      },
    }),
    ...PROVIDERS.map((p) => obj("v1", "ConfigMap", p.configMap, ns, L, { data: dashboardData(p.configMap) })),
    obj("v1", "Service", "grafana", ns, L, { spec: { type: "ClusterIP", ports: [{ name: "service", port: GRAFANA_PORT, protocol: "TCP", targetPort: GRAFANA_PORT }], selector: sel } }),
    deployment("grafana", ns, L, sel, {
      serviceAccountName: "grafana",
      automountServiceAccountToken: false,
      containers: [{
        name: "grafana",
        image: image(ctx, "grafana", "docker.io/grafana/grafana:12.0.1"),
        ports: [{ name: "grafana", containerPort: GRAFANA_PORT, protocol: "TCP" }],
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        livenessProbe: { ...httpProbe("/api/health", GRAFANA_PORT), failureThreshold: 10, initialDelaySeconds: 60, timeoutSeconds: 30 },
        readinessProbe: httpProbe("/api/health", GRAFANA_PORT),
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        volumeMounts: [
          { name: "config", mountPath: "/etc/grafana/grafana.ini", subPath: "grafana.ini" },
          { name: "storage", mountPath: "/var/lib/grafana" },
          ...PROVIDERS.map((p) => ({ name: `dashboards-${p.name}`, mountPath: dir(p.name) })),
          { name: "config", mountPath: "/etc/grafana/provisioning/datasources/datasources.yaml", subPath: "datasources.yaml" },
          { name: "config", mountPath: "/etc/grafana/provisioning/dashboards/dashboardproviders.yaml", subPath: "dashboardproviders.yaml" },
        ],
      }],
      volumes: [
        { name: "config", configMap: { name: "grafana" } },
        ...PROVIDERS.map((p) => ({ name: `dashboards-${p.name}`, configMap: { name: p.configMap } })),
        { name: "storage", emptyDir: {} },
      ],
    }, { type: "RollingUpdate" }),
  ];
}
