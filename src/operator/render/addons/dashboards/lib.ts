// A compact description of a Grafana dashboard (rows of panels, each with its PromQL targets, and the template
// variables) and its rendering to Grafana's dashboard JSON (schema 39). Panels flow left to right in 24 columns.
import type { JsonObject } from "../../../../config/values.js";

export interface Target { expr: string; legend?: string }
export interface Panel {
  title: string;
  kind?: "timeseries" | "stat" | "table" | "heatmap" | "text";
  /** Grafana unit id: reqps, percentunit, ms, s, bytes, Bps, decbytes, short, none... */
  unit?: string;
  description?: string;
  /** Width in 24ths (default 12) and height in rows (default 8). */
  w?: number;
  h?: number;
  stack?: boolean;
  /** Markdown of a text panel. */
  content?: string;
  targets: Target[];
}
export interface Row { title: string; panels: Panel[] }
export type Variable =
  | { kind: "query"; name: string; label: string; query: string; regex?: string; multi?: boolean; includeAll?: boolean }
  | { kind: "custom"; name: string; label: string; values: string[]; selected: string[]; multi?: boolean };
export interface Dashboard {
  title: string;
  uid: string;
  description: string;
  tags: string[];
  /** Besides the datasource variable every dashboard has. */
  variables: Variable[];
  rows: Row[];
}

export const DS = { type: "prometheus", uid: "${datasource}" };

function panelJson(p: Panel, id: number, x: number, y: number): JsonObject {
  const kind = p.kind ?? "timeseries";
  const gridPos = { h: p.h ?? 8, w: p.w ?? 12, x, y };
  if (kind === "text") return { id, type: "text", title: p.title, gridPos, options: { mode: "markdown", content: p.content ?? "" } };
  const defaults: JsonObject = { unit: p.unit ?? "short" };
  if (kind === "timeseries") defaults.custom = { drawStyle: "line", fillOpacity: 10, lineWidth: 1, showPoints: "never", stacking: { mode: p.stack ? "normal" : "none" } };
  if (kind === "stat") defaults.thresholds = { mode: "absolute", steps: [{ color: "green", value: null }] };
  return {
    id,
    type: kind,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: DS,
    gridPos,
    fieldConfig: { defaults, overrides: [] },
    options: kind === "stat" ? { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "value", graphMode: "area" }
      : kind === "table" ? { showHeader: true }
      : kind === "heatmap" ? { calculate: false, yAxis: { unit: p.unit ?? "short" } }
      : { legend: { displayMode: "table", placement: "bottom", showLegend: true, calcs: ["mean", "max"] }, tooltip: { mode: "multi", sort: "desc" } },
    targets: p.targets.map((t, i) => ({
      datasource: DS,
      expr: t.expr,
      ...(t.legend !== undefined ? { legendFormat: t.legend } : {}),
      refId: String.fromCharCode(65 + i),
      ...(kind === "table" ? { format: "table", instant: true } : {}),
      ...(kind === "heatmap" ? { format: "heatmap" } : {}),
    })),
  };
}

function variableJson(v: Variable): JsonObject {
  if (v.kind === "custom") {
    const text = v.selected.join(" + ");
    return {
      type: "custom", name: v.name, label: v.label, query: v.values.join(","), multi: !!v.multi, includeAll: false, hide: 0,
      current: { selected: true, text, value: v.selected },
      options: v.values.map((o) => ({ selected: v.selected.includes(o), text: o, value: o })),
    };
  }
  return {
    type: "query", name: v.name, label: v.label, datasource: DS, query: { query: v.query, refId: v.name }, definition: v.query,
    regex: v.regex ?? "", refresh: 1, sort: 1, multi: !!v.multi, includeAll: !!v.includeAll, ...(v.includeAll ? { allValue: ".*" } : {}), hide: 0,
    current: {}, options: [],
  };
}

export function toGrafana(d: Dashboard): JsonObject {
  const panels: JsonObject[] = [];
  let id = 1;
  let y = 0;
  for (const row of d.rows) {
    panels.push({ id: id++, type: "row", title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const p of row.panels) {
      const w = p.w ?? 12;
      if (x + w > 24) { y += lineHeight; x = 0; lineHeight = 0; }
      panels.push(panelJson(p, id++, x, y));
      x += w;
      lineHeight = Math.max(lineHeight, p.h ?? 8);
    }
    y += lineHeight;
  }
  return {
    title: d.title,
    uid: d.uid,
    description: d.description,
    tags: d.tags,
    editable: true,
    graphTooltip: 1,
    refresh: "15s",
    schemaVersion: 39,
    time: { from: "now-30m", to: "now" },
    timezone: "browser",
    annotations: { list: [] },
    links: [],
    templating: {
      list: [
        { type: "datasource", name: "datasource", label: "Data source", query: "prometheus", current: { selected: true, text: "Prometheus", value: "prometheus" }, hide: 0, refresh: 1 },
        ...d.variables.map(variableJson),
      ],
    },
    panels,
  };
}

/** PromQL helpers. */
export const rate = (sel: string) => `rate(${sel}[$__rate_interval])`;
export const sumBy = (by: string[], e: string) => (by.length ? `sum by (${by.join(", ")}) (${e})` : `sum(${e})`);
/** The label matchers as PromQL selector text (`{a="b", c=~"d"}`), dropping empty ones. */
export const sel = (metric: string, ...matchers: (string | false | undefined)[]) => `${metric}{${matchers.filter(Boolean).join(", ")}}`;
