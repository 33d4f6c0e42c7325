// The mesh overview and the component dashboards: control plane (istiod), ztunnel, proxy/gateway performance
// and Wasm extensions. Resource figures come from cAdvisor (container_*) and the processes' own go_*/process_*.
import { rate, sel, sumBy, type Dashboard, type Panel, type Target } from "./lib.js";

const TAGS = ["istio", "pilotfish"];
const MESH_REPORTERS = 'reporter=~"source|waypoint"';
const wlByNs = ["destination_workload", "destination_workload_namespace"];
/** Joins workload and namespace into `destination_workload_var` (the workload dashboard's link value). */
const wlVar = (e: string) => `label_join(${e}, "destination_workload_var", ".", "destination_workload", "destination_workload_namespace")`;
const versions = (component?: string): Panel => ({
  title: component ? `${component === "pilot" ? "Istiod" : "Ztunnel"} Versions` : "Istio Component Versions",
  w: component ? 24 : 24, h: 6,
  targets: [{ expr: sumBy(component ? ["tag"] : ["component", "tag"], sel("istio_build", component && `component="${component}"`)), legend: component ? "Version ({{tag}})" : "{{component}} ({{tag}})" }],
});
const byPod = (expr: string, legend: string): Target => ({ expr: sumBy(["pod"], expr), legend: `${legend} ({{pod}})` });

export const meshDashboard: Dashboard = {
  title: "Istio Mesh Dashboard",
  uid: "pilotfish-istio-mesh",
  description: "Mesh-wide request volume, success rate and errors; per-workload HTTP/gRPC and TCP traffic; component versions",
  tags: TAGS,
  variables: [],
  rows: [
    {
      title: "Global Traffic",
      panels: [
        { title: "Traffic Volume", kind: "stat", unit: "reqps", w: 6, h: 4, targets: [{ expr: `round(${sumBy([], rate(sel("istio_requests_total", MESH_REPORTERS)))}, 0.01)` }] },
        { title: "Success Rate", kind: "stat", unit: "percentunit", w: 6, h: 4, targets: [{ expr: `${sumBy([], rate(sel("istio_requests_total", MESH_REPORTERS, 'response_code!~"5.."')))} / ${sumBy([], rate(sel("istio_requests_total", MESH_REPORTERS)))}` }] },
        ...["4", "5"].map((c): Panel => ({ title: `${c}xxs`, kind: "stat", unit: "reqps", w: 6, h: 4, targets: [{ expr: `round(${sumBy([], rate(sel("istio_requests_total", MESH_REPORTERS, `response_code=~"${c}.."`)))}, 0.01) or vector(0)` }] })),
        {
          title: "HTTP/gRPC Workloads", kind: "table", w: 24, h: 10,
          targets: [
            { expr: wlVar(sumBy([...wlByNs, "destination_service"], rate(sel("istio_requests_total", MESH_REPORTERS)))), legend: "Requests" },
            ...[0.5, 0.9, 0.99].map((q) => ({ expr: wlVar(`histogram_quantile(${q}, ${sumBy([...wlByNs, "le"], rate(sel("istio_request_duration_milliseconds_bucket", MESH_REPORTERS)))})`), legend: `P${q * 100} latency` })),
            { expr: wlVar(`${sumBy(wlByNs, rate(sel("istio_requests_total", MESH_REPORTERS, 'response_code!~"5.."')))} / ${sumBy(wlByNs, rate(sel("istio_requests_total", MESH_REPORTERS)))}`), legend: "Success rate" },
          ],
        },
        {
          title: "TCP Workloads", kind: "table", w: 24, h: 10,
          targets: ["received", "sent"].map((d) => ({ expr: wlVar(sumBy([...wlByNs, "destination_service"], rate(sel(`istio_tcp_${d}_bytes_total`, MESH_REPORTERS)))), legend: `Bytes ${d}` })),
        },
      ],
    },
    { title: "Istio Component Versions", panels: [versions()] },
  ],
};

export const controlPlaneDashboard: Dashboard = (() => {
  const istiod = 'app="istiod"';
  const discovery = ['container="discovery"', 'pod=~"istiod-.*"'];
  return {
    title: "Istio Control Plane Dashboard",
    uid: "pilotfish-istio-control-plane",
    description: "istiod: versions, resources, xDS pushes and their errors, config events, proxy connections, webhooks",
    tags: TAGS,
    variables: [],
    rows: [
      { title: "Deployed Versions", panels: [versions("pilot")] },
      {
        title: "Resource Usage",
        panels: [
          {
            title: "Memory Usage", unit: "bytes", w: 6,
            targets: [
              byPod(sel("container_memory_working_set_bytes", ...discovery), "Container"),
              byPod(sel("go_memstats_stack_inuse_bytes", istiod), "Stack"),
              byPod(sel("go_memstats_heap_inuse_bytes", istiod), "Heap (In Use)"),
              byPod(sel("go_memstats_heap_alloc_bytes", istiod), "Heap (Allocated)"),
            ],
          },
          { title: "Memory Allocations", unit: "Bps", w: 6, targets: [byPod(rate(sel("go_memstats_alloc_bytes_total", istiod)), "Bytes"), byPod(rate(sel("go_memstats_mallocs_total", istiod)), "Objects")] },
          { title: "CPU Usage", unit: "short", w: 6, targets: [byPod(rate(sel("container_cpu_usage_seconds_total", ...discovery)), "Container")] },
          { title: "Goroutines", unit: "short", w: 6, targets: [byPod(sel("go_goroutines", istiod), "Goroutines")] },
        ],
      },
      {
        title: "Push Information",
        panels: [
          { title: "XDS Pushes", unit: "ops", w: 8, stack: true, targets: [{ expr: sumBy(["type"], rate("pilot_xds_pushes")), legend: "{{type}}" }] },
          {
            title: "Events", unit: "ops", w: 8,
            targets: [
              { expr: sumBy(["type", "event"], rate("pilot_k8s_reg_events")), legend: "{{event}} {{type}}" },
              { expr: sumBy(["type", "event"], rate("pilot_k8s_cfg_events")), legend: "{{event}} {{type}}" },
              { expr: sumBy(["type"], rate("pilot_push_triggers")), legend: "Push {{type}}" },
            ],
          },
          {
            title: "Connections", unit: "short", w: 8,
            targets: [
              { expr: sumBy([], sel("envoy_cluster_upstream_cx_active", 'cluster_name="xds-grpc"')), legend: "Connections (client reported)" },
              { expr: sumBy([], "pilot_xds"), legend: "Connections (server reported)" },
            ],
          },
          {
            title: "Push Errors", unit: "short", w: 8,
            targets: [
              { expr: sumBy(["type"], "pilot_total_xds_rejects"), legend: "Rejected Config ({{type}})" },
              { expr: sumBy([], "pilot_total_xds_internal_errors"), legend: "Internal Errors" },
            ],
          },
          { title: "Push Time", kind: "heatmap", unit: "s", w: 8, targets: [{ expr: sumBy(["le"], rate("pilot_xds_push_time_bucket")), legend: "{{le}}" }] },
          { title: "Push Size", kind: "heatmap", unit: "bytes", w: 8, targets: [{ expr: sumBy(["le"], rate("pilot_xds_config_size_bytes_bucket")), legend: "{{le}}" }] },
        ],
      },
      {
        title: "Webhooks",
        panels: [
          { title: "Validation", unit: "ops", targets: [{ expr: sumBy([], rate("galley_validation_passed")), legend: "Success" }, { expr: sumBy([], rate("galley_validation_failed")), legend: "Failure" }] },
          { title: "Injection", unit: "ops", targets: [{ expr: sumBy([], rate("sidecar_injection_success_total")), legend: "Success" }, { expr: sumBy([], rate("sidecar_injection_failure_total")), legend: "Failure" }] },
        ],
      },
    ],
  };
})();

export const ztunnelDashboard: Dashboard = (() => {
  const zt = 'pod=~"ztunnel-.*"';
  const container = ['container="istio-proxy"', zt];
  return {
    title: "Istio Ztunnel Dashboard",
    uid: "pilotfish-istio-ztunnel",
    description: "ztunnel (ambient node proxy): versions, resources, connections, bytes, DNS, xDS and its workload manager",
    tags: TAGS,
    variables: [],
    rows: [
      {
        title: "Process",
        panels: [
          { ...versions("ztunnel"), w: 8, h: 8 },
          { title: "Memory Usage", unit: "bytes", w: 8, targets: [byPod(sel("container_memory_working_set_bytes", ...container), "Container")] },
          { title: "CPU Usage", unit: "short", w: 8, targets: [byPod(rate(sel("container_cpu_usage_seconds_total", ...container)), "Container")] },
        ],
      },
      {
        title: "Network",
        panels: [
          { title: "Connections", unit: "cps", w: 8, targets: [byPod(rate(sel("istio_tcp_connections_opened_total", zt)), "Opened"), { ...byPod(rate(sel("istio_tcp_connections_closed_total", zt)), "Closed"), expr: `-${sumBy(["pod"], rate(sel("istio_tcp_connections_closed_total", zt)))}` }] },
          { title: "Bytes Transmitted", unit: "Bps", w: 8, targets: [byPod(rate(sel("istio_tcp_sent_bytes_total", zt)), "Sent"), byPod(rate(sel("istio_tcp_received_bytes_total", zt)), "Received")] },
          { title: "DNS Request", unit: "reqps", w: 8, targets: [byPod(rate(sel("istio_dns_requests_total", zt)), "Request")] },
        ],
      },
      {
        title: "Operations",
        panels: [
          { title: "XDS Connections", unit: "short", w: 8, targets: [byPod(rate(sel("istio_xds_connection_terminations_total", zt)), "XDS Connection Terminations")] },
          { title: "XDS Pushes", unit: "ops", w: 8, targets: [{ expr: sumBy(["url"], rate(sel("istio_xds_message_total", zt))), legend: "{{url}}" }] },
          { title: "Workload Manager", unit: "short", w: 8, targets: [byPod(sel("workload_manager_active_proxy_count", zt), "Active Proxies"), byPod(sel("workload_manager_pending_proxy_count", zt), "Pending Proxies")] },
        ],
      },
      {
        title: "Network Resources",
        panels: [{
          title: "Resource Usage", unit: "short", w: 24,
          targets: [
            { expr: `${sumBy(["pod"], sel("istio_tcp_connections_opened_total", 'app="ztunnel"'))} - ${sumBy(["pod"], sel("istio_tcp_connections_closed_total", 'app="ztunnel"'))}`, legend: "TCP Connections ({{pod}})" },
            byPod(sel("process_open_fds", 'app="ztunnel"'), "Open File Descriptors"),
            byPod(sel("istio_tcp_sockets_open", 'app="ztunnel"'), "Open Sockets"),
          ],
        }],
      },
    ],
  };
})();

/** Proxy resource panels, shared by the performance and Wasm dashboards. */
const proxyResources = (disk: boolean): Panel[] => [
  { title: "Proxy Memory", unit: "bytes", w: 8, targets: [{ expr: sumBy([], sel("container_memory_working_set_bytes", 'container="istio-proxy"')), legend: "Total (k8s)" }] },
  { title: "Proxy vCPU", unit: "short", w: 8, targets: [{ expr: sumBy([], rate(sel("container_cpu_usage_seconds_total", 'container="istio-proxy"'))), legend: "Total (k8s)" }] },
  ...(disk ? [{ title: "Proxy Disk", unit: "bytes", w: 8, targets: [{ expr: sumBy([], sel("container_fs_usage_bytes", 'container="istio-proxy"')), legend: "Total (k8s)" }] }] : []),
];

export const performanceDashboard: Dashboard = (() => {
  const gwPod = 'pod=~"istio-ingressgateway-.*"';
  const gw = 'source_workload="istio-ingressgateway"';
  const sidecars = ['namespace!="istio-system"', 'container="istio-proxy"'];
  const istiod = 'app="istiod"';
  const istiodPods = ['container=~"discovery|istio-proxy"', 'pod=~"istiod-.*"'];
  const krps = (m: string[]) => `(round(${sumBy([], rate(sel("istio_requests_total", ...m)))}, 0.001) / 1000)`;
  return {
    title: "Istio Performance Dashboard",
    uid: "pilotfish-istio-performance",
    description: "CPU and memory of the ingress gateway and the sidecars per 1k requests/s, bytes moved, and istiod's resources",
    tags: TAGS,
    variables: [],
    rows: [
      {
        title: "vCPU Usage",
        panels: [
          {
            title: "vCPU / 1k rps", unit: "short",
            targets: [
              { expr: `${sumBy([], rate(sel("container_cpu_usage_seconds_total", gwPod, 'container="istio-proxy"')))} / ${krps([gw, 'reporter="source"'])}`, legend: "istio-ingressgateway" },
              { expr: `(${sumBy([], rate(sel("container_cpu_usage_seconds_total", ...sidecars)))} / ${krps([])}) / (${sumBy([], rate(sel("istio_requests_total", gw)))} > bool 10)`, legend: "istio-proxy" },
            ],
          },
          {
            title: "vCPU", unit: "short",
            targets: [
              { expr: sumBy([], rate(sel("container_cpu_usage_seconds_total", gwPod, 'container="istio-proxy"'))), legend: "istio-ingressgateway" },
              { expr: sumBy([], rate(sel("container_cpu_usage_seconds_total", ...sidecars))), legend: "istio-proxy" },
            ],
          },
        ],
      },
      {
        title: "Memory and Data Rates",
        panels: [
          {
            title: "Memory Usage", unit: "bytes",
            targets: [
              { expr: `${sumBy([], sel("container_memory_working_set_bytes", gwPod))} / count(${sel("container_memory_working_set_bytes", gwPod, 'container!="POD"')})`, legend: "per istio-ingressgateway" },
              { expr: `${sumBy([], sel("container_memory_working_set_bytes", ...sidecars))} / count(${sel("container_memory_working_set_bytes", ...sidecars)})`, legend: "per istio proxy" },
            ],
          },
          {
            title: "Bytes transferred / sec", unit: "Bps",
            targets: [
              { expr: sumBy([], rate(sel("istio_response_bytes_sum", gw, 'reporter="source"'))), legend: "istio-ingressgateway" },
              { expr: ["response", "request"].map((d) => sumBy([], rate(sel(`istio_${d}_bytes_sum`, 'source_workload_namespace!="istio-system"', 'reporter="source"')))).join(" + "), legend: "istio-proxy" },
            ],
          },
        ],
      },
      { title: "Istio Component Versions", panels: [versions()] },
      { title: "Proxy Resource Usage", panels: proxyResources(true) },
      {
        title: "Istiod Resource Usage",
        panels: [
          {
            title: "Istiod Memory", unit: "bytes", w: 6,
            targets: [
              { expr: sel("process_virtual_memory_bytes", istiod), legend: "Virtual Memory ({{pod}})" },
              { expr: sel("process_resident_memory_bytes", istiod), legend: "Resident Memory ({{pod}})" },
              { expr: sel("go_memstats_heap_sys_bytes", istiod), legend: "Heap sys ({{pod}})" },
              { expr: sel("go_memstats_heap_alloc_bytes", istiod), legend: "Heap alloc ({{pod}})" },
              { expr: sel("go_memstats_alloc_bytes", istiod), legend: "Alloc ({{pod}})" },
              { expr: sel("go_memstats_heap_inuse_bytes", istiod), legend: "Heap in-use ({{pod}})" },
              { expr: sel("go_memstats_stack_inuse_bytes", istiod), legend: "Stack in-use ({{pod}})" },
              { expr: sumBy([], sel("container_memory_working_set_bytes", ...istiodPods)), legend: "Total (k8s)" },
              { expr: sumBy(["container"], sel("container_memory_working_set_bytes", ...istiodPods)), legend: "{{container}} (k8s)" },
            ],
          },
          {
            title: "Istiod vCPU", unit: "short", w: 6,
            targets: [
              { expr: sumBy([], rate(sel("container_cpu_usage_seconds_total", ...istiodPods))), legend: "Total (k8s)" },
              { expr: sumBy(["container"], rate(sel("container_cpu_usage_seconds_total", ...istiodPods))), legend: "{{container}} (k8s)" },
              { expr: rate(sel("process_cpu_seconds_total", istiod)), legend: "istiod (self-reported, {{pod}})" },
            ],
          },
          {
            title: "Istiod Disk", unit: "short", w: 6,
            targets: [
              { expr: sel("process_open_fds", istiod), legend: "Open FDs ({{pod}})" },
              { expr: sumBy(["container"], sel("container_fs_usage_bytes", ...istiodPods)), legend: "{{container}} bytes" },
            ],
          },
          { title: "Istiod Goroutines", unit: "short", w: 6, targets: [{ expr: sel("go_goroutines", istiod), legend: "Goroutines ({{pod}})" }] },
        ],
      },
    ],
  };
})();

export const wasmDashboard: Dashboard = (() => {
  const avg = (metric: string, legend: string): Target => ({ expr: `avg(${metric})`, legend });
  const runtimes = (what: string) => [avg(`envoy_wasm_envoy_wasm_runtime_null_${what}`, "native"), avg(`envoy_wasm_envoy_wasm_runtime_v8_${what}`, "v8")];
  const cache = (what: string) => `envoy_wasm_remote_load_${what}`;
  return {
    title: "Istio Wasm Extension Dashboard",
    uid: "pilotfish-istio-wasm-extension",
    description: "Wasm VMs in the proxies (native and V8), remote module loading and its cache, and the proxies' resources",
    tags: TAGS,
    variables: [],
    rows: [
      { title: "Wasm VMs", panels: [{ title: "Active", targets: runtimes("active") }, { title: "Created", targets: runtimes("created") }] },
      {
        title: "Wasm Module Remote Load",
        panels: [
          { title: "Cache Entry", w: 8, targets: [avg(cache("cache_entries"), "entries")] },
          { title: "Cache Visit", w: 8, targets: [avg(cache("cache_hits"), "hits"), avg(cache("cache_misses"), "misses"), avg(cache("cache_negative_hits"), "negative hits")] },
          { title: "Remote Fetch", w: 8, targets: [avg(cache("fetch_failures"), "failures"), avg(cache("fetch_successes"), "successes")] },
        ],
      },
      { title: "Proxy Resource Usage", panels: proxyResources(false) },
    ],
  };
})();
