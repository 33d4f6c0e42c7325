// Pilotfish's Grafana dashboards for the mesh, by topic, with the ConfigMap and file they are provisioned as.
// Titles are those Kiali looks dashboards up by.
import { controlPlaneDashboard, meshDashboard, performanceDashboard, wasmDashboard, ztunnelDashboard } from "./components.js";
import type { Dashboard } from "./lib.js";
import { serviceDashboard, workloadDashboard } from "./traffic.js";

export type DashboardKey = "mesh" | "service" | "workload" | "control-plane" | "performance" | "wasm" | "ztunnel";

/** Each dashboard, the ConfigMap (and so the Grafana provider directory) that holds it, and its file name. */
export const DASHBOARDS: Record<DashboardKey, { dashboard: Dashboard; configMap: "istio-grafana-dashboards" | "istio-services-grafana-dashboards"; file: string }> = {
  mesh: { dashboard: meshDashboard, configMap: "istio-services-grafana-dashboards", file: "istio-mesh-dashboard.json" },
  service: { dashboard: serviceDashboard, configMap: "istio-services-grafana-dashboards", file: "istio-service-dashboard.json" },
  workload: { dashboard: workloadDashboard, configMap: "istio-services-grafana-dashboards", file: "istio-workload-dashboard.json" },
  wasm: { dashboard: wasmDashboard, configMap: "istio-services-grafana-dashboards", file: "istio-extension-dashboard.json" },
  "control-plane": { dashboard: controlPlaneDashboard, configMap: "istio-grafana-dashboards", file: "pilot-dashboard.json" },
  performance: { dashboard: performanceDashboard, configMap: "istio-grafana-dashboards", file: "istio-performance-dashboard.json" },
  ztunnel: { dashboard: ztunnelDashboard, configMap: "istio-grafana-dashboards", file: "ztunnel-dashboard.json" },
};

export const DASHBOARD_TITLES = Object.fromEntries(Object.entries(DASHBOARDS).map(([k, v]) => [k, v.dashboard.title])) as Record<DashboardKey, string>;
