// The service and workload dashboards: Istio's standard metrics (istio_requests_total, the request duration,
// request and response size histograms, istio_tcp_*) for one service or workload, at a glance and broken down
// by the peers on each side, with mTLS and plaintext traffic as separate series.
import { rate, sel, sumBy, type Dashboard, type Panel, type Variable } from "./lib.js";

const MTLS = 'connection_security_policy="mutual_tls"';
const PLAIN = 'connection_security_policy!="mutual_tls"';
const SECURITY: [string, string][] = [[MTLS, " (mTLS)"], [PLAIN, ""]];
const QUANTILES = [0.5, 0.9, 0.95, 0.99];
const NOT_5XX = 'response_code!~"5.."';

/** The q-quantile of the request duration in ms (from the seconds histogram where a proxy still reports that). */
export function duration(q: number, matchers: string[], by: string[] = []): string {
  const h = (metric: string) => `histogram_quantile(${q}, ${sumBy([...by, "le"], rate(sel(metric, ...matchers)))})`;
  return `${h("istio_request_duration_milliseconds_bucket")} or (${h("istio_request_duration_seconds_bucket")} * 1000)`;
}
const size = (metric: string, q: number, matchers: string[], by: string[]) => `histogram_quantile(${q}, ${sumBy([...by, "le"], rate(sel(metric, ...matchers)))})`;
const requests = (matchers: string[], by: string[] = []) => sumBy(by, rate(sel("istio_requests_total", ...matchers)));
const successRate = (matchers: string[], by: string[] = []) => `${requests([...matchers, NOT_5XX], by)} / ${requests(matchers, by)}`;

/** Stats for one side of a service or workload (the volume, success rate, latency percentiles and TCP bytes). */
function summary(label: string, m: string[], tcp: [string, string][], latencyTitle: string): Panel[] {
  return [
    { title: `${label} Request Volume`, kind: "stat", unit: "reqps", w: 6, h: 4, targets: [{ expr: `round(${requests(m)}, 0.001)` }] },
    { title: `${label} Success Rate (non-5xx responses)`, kind: "stat", unit: "percentunit", w: 6, h: 4, targets: [{ expr: `${successRate(m)} or on () vector(1)` }] },
    { title: latencyTitle, unit: "ms", w: 12, h: 8, targets: [0.5, 0.9, 0.99].map((q) => ({ expr: duration(q, m), legend: `P${q * 100}` })) },
    ...tcp.map(([title, metric]): Panel => ({ title, kind: "stat", unit: "Bps", w: 6, h: 4, targets: [{ expr: sumBy([], rate(sel(metric, ...m))) }] })),
  ];
}

/** The seven panels that break a side's traffic down by `by` (the peer's labels), each split by mTLS. */
function breakdown(what: string, m: string[], by: string[], legend: string, tcpTitles: [string, string]): Panel[] {
  const split = (expr: (mm: string[]) => string, suffix = "") => SECURITY.map(([s, tag]) => ({ expr: expr([...m, s]), legend: `${legend}${suffix}${tag}` }));
  const quantiles = (expr: (q: number, mm: string[]) => string) => QUANTILES.flatMap((q) => split((mm) => expr(q, mm), ` P${q * 100}`));
  return [
    { title: `Requests By ${what} And Response Code`, unit: "reqps", w: 12, targets: split((mm) => `round(${requests(mm, [...by, "response_code"])}, 0.001)`, " : {{response_code}}") },
    { title: `Success Rate (non-5xx responses) By ${what}`, unit: "percentunit", w: 12, targets: split((mm) => successRate(mm, by)) },
    { title: `Request Duration By ${what}`, unit: "ms", w: 8, targets: quantiles((q, mm) => duration(q, mm, by)) },
    { title: `Request Size By ${what}`, unit: "decbytes", w: 8, targets: quantiles((q, mm) => size("istio_request_bytes_bucket", q, mm, by)) },
    { title: `Response Size By ${what}`, unit: "decbytes", w: 8, targets: quantiles((q, mm) => size("istio_response_bytes_bucket", q, mm, by)) },
    { title: tcpTitles[0], unit: "Bps", w: 12, targets: split((mm) => `round(${sumBy(by, rate(sel("istio_tcp_received_bytes_total", ...mm)))}, 0.001)`) },
    { title: tcpTitles[1], unit: "Bps", w: 12, targets: split((mm) => `round(${sumBy(by, rate(sel("istio_tcp_sent_bytes_total", ...mm)))}, 0.001)`) },
  ];
}

/** A variable listing the values of `label` among the series of requests and TCP traffic matching `m`. */
function peers(name: string, label: string, title: string, m: string[], opts: { single?: boolean } = {}): Variable {
  const q = (metric: string) => sumBy([label], sel(metric, ...m));
  return {
    kind: "query", name, label: title, query: `query_result(${q("istio_requests_total")} or ${q("istio_tcp_sent_bytes_total")})`,
    regex: `/.*${label}="([^"]*).*/`, multi: !opts.single, includeAll: !opts.single,
  };
}
const reporter: Variable = { kind: "custom", name: "qrep", label: "Reporter", values: ["source", "destination", "waypoint"], selected: ["destination"], multi: true };

export const serviceDashboard: Dashboard = (() => {
  const svc = 'destination_service="$service"';
  const client = ['reporter=~"$qrep"', svc];
  const server = ['reporter="destination"', svc];
  const src = [...client, 'source_cluster=~"$srccluster"', 'source_workload_namespace=~"$srcns"', 'source_workload=~"$srcwl"'];
  const dst = [...server, 'destination_cluster=~"$dstcluster"', 'destination_workload_namespace=~"$dstns"', 'destination_workload=~"$dstwl"'];
  return {
    title: "Istio Service Dashboard",
    uid: "pilotfish-istio-service",
    description: "Requests, latency, sizes and TCP traffic of one service, by client workload and by serving workload",
    tags: ["istio", "pilotfish"],
    variables: [
      peers("service", "destination_service", "Service", [], { single: true }),
      reporter,
      peers("srccluster", "source_cluster", "Client Cluster", client),
      peers("srcns", "source_workload_namespace", "Client Workload Namespace", client),
      peers("srcwl", "source_workload", "Client Workload", [...client, 'source_workload_namespace=~"$srcns"']),
      peers("dstcluster", "destination_cluster", "Service Workload Cluster", server),
      peers("dstns", "destination_workload_namespace", "Service Workload Namespace", server),
      peers("dstwl", "destination_workload", "Service Workload", [...server, 'destination_cluster=~"$dstcluster"', 'destination_workload_namespace=~"$dstns"']),
    ],
    rows: [
      {
        title: "General",
        panels: [
          ...summary("Client", client, [["TCP Received Bytes", "istio_tcp_received_bytes_total"]], "Client Request Duration"),
          ...summary("Server", server, [["TCP Sent Bytes", "istio_tcp_sent_bytes_total"]], "Server Request Duration"),
        ],
      },
      {
        title: "Client Workloads",
        panels: breakdown("Source", src, ["source_workload", "source_workload_namespace"], "{{source_workload}}.{{source_workload_namespace}}",
          ["Bytes Received from Incoming TCP Connection", "Bytes Sent to Incoming TCP Connection"]),
      },
      {
        title: "Service Workloads",
        panels: breakdown("Destination Workload", dst, ["destination_workload", "destination_workload_namespace"], "{{destination_workload}}.{{destination_workload_namespace}}",
          ["Bytes Received from Incoming TCP Connection (server)", "Bytes Sent to Incoming TCP Connection (server)"]),
      },
    ],
  };
})();

export const workloadDashboard: Dashboard = (() => {
  const inbound = ['reporter=~"$qrep"', 'destination_workload="$workload"', 'destination_workload_namespace=~"$namespace"'];
  const outbound = ['reporter=~"source|waypoint"', 'source_workload="$workload"', 'source_workload_namespace=~"$namespace"'];
  const workloads = (ns: string) => `sum by (destination_workload) (${sel("istio_requests_total", `destination_workload_namespace=~"${ns}"`)}) or sum by (source_workload) (${sel("istio_requests_total", `source_workload_namespace=~"${ns}"`)})`
    + ` or sum by (destination_workload) (${sel("istio_tcp_sent_bytes_total", `destination_workload_namespace=~"${ns}"`)})`;
  return {
    title: "Istio Workload Dashboard",
    uid: "pilotfish-istio-workload",
    description: "Requests, latency, sizes and TCP traffic of one workload: inbound by source workload, outbound by destination service",
    tags: ["istio", "pilotfish"],
    variables: [
      { ...peers("namespace", "destination_workload_namespace", "Namespace", [], { single: true }), regex: '/.*_namespace="([^"]*).*/' },
      { kind: "query", name: "workload", label: "Workload", query: `query_result(${workloads("$namespace")})`, regex: '/.*workload="([^"]*).*/' },
      reporter,
      peers("srcns", "source_workload_namespace", "Inbound Workload Namespace", inbound),
      peers("srcwl", "source_workload", "Inbound Workload", [...inbound, 'source_workload_namespace=~"$srcns"']),
      peers("dstsvc", "destination_service", "Destination Service", outbound),
    ],
    rows: [
      {
        title: "General",
        panels: [
          ...summary("Incoming", inbound, [], "Request Duration"),
          { title: "TCP Server Traffic", kind: "stat", unit: "Bps", w: 6, h: 4, targets: [{ expr: `${sumBy([], rate(sel("istio_tcp_sent_bytes_total", ...inbound)))} + ${sumBy([], rate(sel("istio_tcp_received_bytes_total", ...inbound)))}` }] },
          { title: "TCP Client Traffic", kind: "stat", unit: "Bps", w: 6, h: 4, targets: [{ expr: `${sumBy([], rate(sel("istio_tcp_sent_bytes_total", ...outbound)))} + ${sumBy([], rate(sel("istio_tcp_received_bytes_total", ...outbound)))}` }] },
        ],
      },
      {
        title: "Inbound Workloads",
        panels: breakdown("Source", [...inbound, 'source_workload_namespace=~"$srcns"', 'source_workload=~"$srcwl"'], ["source_workload", "source_workload_namespace"],
          "{{source_workload}}.{{source_workload_namespace}}", ["Bytes Received from Incoming TCP Connection", "Bytes Sent to Incoming TCP Connection"]),
      },
      {
        title: "Outbound Services",
        panels: breakdown("Destination", [...outbound, 'destination_service=~"$dstsvc"'], ["destination_service"], "{{destination_service}}",
          ["Bytes Received from Outgoing TCP Connection", "Bytes Sent on Outgoing TCP Connection"]),
      },
    ],
  };
})();
