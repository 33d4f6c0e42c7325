// The analysis core's data: a snapshot of resources (what the files and/or the cluster hold), the messages the
// checks report, and the shape of one check. Everything here is plain data: no IO, no clock.
// Kubernetes objects are open trees; the checks read the fields they know.
export type Obj = Record<string, any>;

export type Level = "Error" | "Warning" | "Info";

/** Lower is worse: Error sorts first, and a threshold admits a level at or below its rank. */
export const LEVEL_RANK: Record<Level, number> = { Error: 0, Warning: 1, Info: 2 };

/** Where a resource came from: a file (and the document's first line) or the cluster. */
export interface Origin {
  file?: string;
  line?: number;
  /** The document's text, so the edge can place a field path on a line. */
  text?: string;
  /** The line `text` starts on, when not `line`. */
  textLine?: number;
  /** Added to a field's line, as istioctl miscounts it (see src/cli/analyze.ts istioLines). */
  fieldShift?: number;
}

export interface Resource {
  apiVersion: string;
  /** API group ("" for core) — tells Istio's Gateway from the Kubernetes Gateway API's. */
  group: string;
  kind: string;
  /** "" for cluster-scoped kinds, and for namespaced ones written without a namespace under --all-namespaces. */
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Obj;
  status: Obj | undefined;
  /** The whole object (Pods, Services, ConfigMaps keep fields outside spec). */
  object: Obj;
  origin: Origin;
}

export interface Snapshot {
  resources: Resource[];
  /** Istio's namespace (istio-system unless -i). */
  istioNamespace: string;
  /** The effective MeshConfig (Istio's defaults with the given mesh config merged over them). */
  mesh: Obj;
  /** MeshNetworks (`networks: ...`), when given. */
  meshNetworks?: Obj;
  /** The time certificates are checked against (ms since the epoch); handed in, so checks stay pure. */
  now?: number;
}

/** One finding: a message type (code) about one resource. */
export interface Finding {
  code: string;
  resource: Resource;
  /** The template's arguments, already formatted. */
  args: unknown[];
  /** A field path in the resource the finding is about (placed on a line by the edge), if any. */
  path?: string;
}

export type Report = (f: Finding) => void;

export interface Analyzer {
  /** Istio's analyzer name (`istioctl analyze -L`), or `pilotfish.*` for checks Istio has no code for. */
  name: string;
  description: string;
  run: (s: Snapshot, report: Report) => void;
}
