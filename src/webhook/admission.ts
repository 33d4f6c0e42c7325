// AdmissionReview v1 in and out. Pure: a parsed body in, the response body and what happened out.
import jsonpatch from "fast-json-patch";
import { injectPod } from "./inject/inject.js";
import { podOwner } from "./inject/workload.js";
import { InjectionError, type InjectionSettings, type Obj } from "./inject/types.js";
import { isObj } from "./inject/merge.js";
import { podShapeError } from "./inject/shape.js";

export class BadReviewError extends Error {}

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  namespace?: string;
  name?: string;
  operation?: string;
  dryRun?: boolean;
  object?: unknown;
  oldObject?: unknown;
}

export interface ParsedReview {
  apiVersion: string;
  kind: string;
  request: AdmissionRequest;
}

/** Checks the shape of an AdmissionReview; throws BadReviewError naming the field that is wrong. */
export function parseAdmissionReview(body: unknown): ParsedReview {
  if (!isObj(body)) throw new BadReviewError("body is not a JSON object");
  if (body.kind !== "AdmissionReview") throw new BadReviewError(`kind: expected "AdmissionReview", got ${JSON.stringify(body.kind)}`);
  if (body.apiVersion !== "admission.k8s.io/v1" && body.apiVersion !== "admission.k8s.io/v1beta1") {
    throw new BadReviewError(`apiVersion: expected "admission.k8s.io/v1", got ${JSON.stringify(body.apiVersion)}`);
  }
  const req = body.request;
  if (!isObj(req)) throw new BadReviewError("request: missing");
  if (req.uid !== undefined && typeof req.uid !== "string") throw new BadReviewError("request.uid: must be a string");
  if (req.object !== undefined && req.object !== null && !isObj(req.object)) throw new BadReviewError("request.object: must be an object");
  return { apiVersion: body.apiVersion, kind: body.kind, request: { ...req, uid: req.uid ?? "" } as AdmissionRequest };
}

export interface ReviewResponse {
  apiVersion: string;
  kind: string;
  response: Obj;
}

export function reviewResponse(review: ParsedReview, response: Obj): ReviewResponse {
  return { apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, ...response } };
}

export type InjectResultKind = "injected" | "skipped" | "denied" | "error";

export interface InjectReviewResult {
  body: ReviewResponse;
  result: InjectResultKind;
  namespace: string;
  pod: string;
  reason: string;
}

export interface InjectOptions {
  revision?: string;
  /** Key/value pairs from the path after /inject (cluster, net, ...). */
  pathParams?: Record<string, string>;
  namespaceAnnotations?: Record<string, string>;
}

/** Parses Istio's `/inject/k1/v1/k2/v2` path parameters into proxy env (cluster -> ISTIO_META_CLUSTER_ID, ...). */
export function pathParamsToEnv(rest: string): Record<string, string> {
  const env: Record<string, string> = {};
  const trimmed = rest.replace(/^\/+|\/+$/g, "");
  if (!trimmed) return env;
  if (trimmed.startsWith(":ENV:")) {
    for (const pair of trimmed.split(":ENV:")) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return env;
  }
  const parts = trimmed.split("/");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = parts[i];
    const value = decodeURIComponent(parts[i + 1]).replace(/--slash--/g, "/");
    if (key === "cluster") env.ISTIO_META_CLUSTER_ID = value;
    else if (key === "net") env.ISTIO_META_NETWORK = value;
    else if (key) env[key.toUpperCase()] = value;
  }
  return env;
}

/** Handles a sidecar-injection review: JSONPatch when injected, plain allow when skipped. */
export function handleInjectReview(review: ParsedReview, settings: InjectionSettings, opts: InjectOptions = {}): InjectReviewResult {
  const req = review.request;
  const raw = req.object;
  // Names are read only when they are strings (String() of an object with a "toString" key throws).
  const s = (v: unknown) => (typeof v === "string" ? v : "");
  const rawMeta = isObj(raw) && isObj(raw.metadata) ? raw.metadata : {};
  const podName = s(rawMeta.name) || s(rawMeta.generateName) || s(req.name);
  const namespace = s(rawMeta.namespace) || s(req.namespace);
  const base = { namespace, pod: podName };
  if (!isObj(raw) || (raw.kind !== undefined && raw.kind !== "Pod")) {
    return { ...base, result: "skipped", reason: "not a Pod", body: reviewResponse(review, { allowed: true }) };
  }
  // Istio decodes the object into a corev1.Pod first and denies the pod when it cannot: so does pilotfish, for the
  // fields the core reads (a wrong type would otherwise make the core throw, and the pod be admitted unchecked).
  const shape = podShapeError(raw);
  if (shape) {
    return { ...base, result: "denied", reason: shape, body: reviewResponse(review, { allowed: false, status: { code: 400, message: shape } }) };
  }
  // Shallow copies suffice: injectPod never modifies its input. The patch is a diff against the object as sent
  // (without metadata when it came without: the patch then adds /metadata whole).
  const original: Obj = { ...raw };
  if (isObj(raw.metadata)) {
    original.metadata = { ...raw.metadata };
    delete original.metadata.managedFields;
  }
  const meta: Obj = isObj(original.metadata) ? original.metadata : {};
  const pod: Obj = { ...original, metadata: { ...meta, namespace: meta.namespace || namespace } };
  try {
    const owner = podOwner(pod);
    const out = injectPod(
      {
        pod,
        typeMeta: owner.typeMeta,
        deployMeta: { ...owner.deployMeta, namespace: owner.deployMeta.namespace || namespace },
        revision: opts.revision ?? "",
        urlEnv: opts.pathParams,
        namespaceAnnotations: opts.namespaceAnnotations,
      },
      settings,
    );
    if (!out.injected) {
      const warnings = out.warnings.length ? { warnings: out.warnings } : {};
      return { ...base, result: "skipped", reason: out.decision.reason, body: reviewResponse(review, { allowed: true, ...warnings }) };
    }
    // The API server applies the patch to the object it sent: diff against that, not our defaulted copy.
    if (!meta.namespace) delete out.pod.metadata.namespace;
    const patch = jsonpatch.compare(original, out.pod);
    const response: Obj = {
      allowed: true,
      patchType: "JSONPatch",
      patch: Buffer.from(JSON.stringify(patch)).toString("base64"),
    };
    if (out.warnings.length) response.warnings = out.warnings;
    return { ...base, result: "injected", reason: out.decision.reason, body: reviewResponse(review, response) };
  } catch (e) {
    if (e instanceof InjectionError) {
      const message = `failed to run injection template: ${e.message}`;
      return { ...base, result: "denied", reason: message, body: reviewResponse(review, { allowed: false, status: { code: 400, message } }) };
    }
    // An internal fault must not block pod creation cluster-wide: admit without a sidecar and say so.
    const message = `pilotfish: injection failed, pod admitted without a sidecar: ${(e as Error).message}`;
    return { ...base, result: "error", reason: message, body: reviewResponse(review, { allowed: true, warnings: [message] }) };
  }
}
