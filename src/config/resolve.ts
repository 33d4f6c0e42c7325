// Spec resolution (pure but for reading profiles): profile -> user IstioOperator files -> --set flags, with
// istioctl's merge rules (maps merge, lists replace), its translations (hub/tag/revision/meshConfig into
// values) and validation. The result is everything rendering needs.
import { loadAll } from "js-yaml";
import { applySetFlag } from "./setpath.js";
import { clone, isObject, mergeValues, type JsonObject } from "./values.js";
import { Problems } from "../schema/problems.js";
import { checkSchema } from "../schema/schema.js";
import { chartValues, readProfile } from "./profiles.js";
import { IOP_SPEC, validateIstioOperatorSpec } from "./iop-schema.js";

export interface IopInput {
  /** IstioOperator documents (already parsed), in order. */
  docs: { source: string; doc: JsonObject }[];
  /** `--set PATH=VALUE` flags, relative to spec, in order. */
  sets: string[];
  profilesDir?: string;
  /** Turn validation errors into warnings (istioctl's --force). */
  force?: boolean;
}

export interface ResolvedIop {
  /** The merged IstioOperator (profile, files, flags, translations). */
  iop: JsonObject;
  spec: JsonObject;
  /** The effective chart values: chart defaults < values profile < the merged IOP's values. */
  values: JsonObject;
  /** What the user gave for values (istiod's `original-values`). */
  userValues: JsonObject;
  profile: string;
  name: string;
  namespace: string;
  revision: string;
  warnings: string[];
}

export class IopError extends Error {
  constructor(readonly errors: { path: string; message: string }[]) {
    super(errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("\n"));
  }
}

const TOP_FIELDS = ["apiVersion", "kind", "metadata", "spec"];

/** Parses one `-f` file: exactly one IstioOperator document; broken YAML reported with its line. */
export function parseIopFile(text: string, source: string): JsonObject {
  let docs: unknown[];
  try {
    docs = loadAll(text);
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    throw new IopError([{ path: "", message: `${source}${mark ? `:${mark.line + 1}:${mark.column + 1}` : ""}: invalid YAML: ${((e as { reason?: string }).reason ?? (e as Error).message).split("\n")[0]}` }]);
  }
  const nonEmpty = docs.filter((d) => d !== null && d !== undefined);
  if (nonEmpty.length > 1) throw new IopError([{ path: "", message: `${source}: contains ${nonEmpty.length} documents; only one IstioOperator per file is supported` }]);
  const doc = nonEmpty[0] ?? { kind: "IstioOperator" };
  if (!isObject(doc)) throw new IopError([{ path: "", message: `${source}: an IstioOperator must be a YAML map` }]);
  if (doc.kind !== "IstioOperator") throw new IopError([{ path: "kind", message: `${source}: expected kind IstioOperator, got ${JSON.stringify(doc.kind ?? null)}` }]);
  const errs: { path: string; message: string }[] = [];
  for (const k of Object.keys(doc)) {
    if (k === "status") errs.push({ path: "status", message: `${source}: status is written by the operator; remove it (an IstioOperator exported from a cluster must be cleaned first)` });
    else if (!TOP_FIELDS.includes(k)) errs.push({ path: k, message: `${source}: unknown field "${k}"` });
  }
  if (errs.length) throw new IopError(errs);
  return doc;
}

const bool = (v: unknown) => v === true;

/** Resolves profile + files + flags into the merged IstioOperator and the effective chart values. */
export function resolveIop(input: IopInput): ResolvedIop {
  // 1. The user's own config: files in order, then --set flags.
  let user: JsonObject = { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", metadata: {}, spec: {} };
  for (const { doc } of input.docs) {
    user = mergeValues(user, { metadata: isObject(doc.metadata) ? doc.metadata : {}, spec: isObject(doc.spec) ? doc.spec : {} }) as JsonObject;
  }
  let userSpec = user.spec as JsonObject;
  for (const s of input.sets) {
    try {
      userSpec = applySetFlag(userSpec, s);
    } catch (e) {
      throw new IopError([{ path: "", message: (e as Error).message }]);
    }
  }
  user.spec = userSpec;
  // 2. The profile: default, then the named one.
  const profile = typeof userSpec.profile === "string" && userSpec.profile !== "" ? userSpec.profile : "default";
  let base: JsonObject;
  try {
    base = readProfile("default", input.profilesDir);
    if (profile !== "default") base = mergeValues(base, readProfile(profile, input.profilesDir)) as JsonObject;
  } catch (e) {
    throw new IopError([{ path: "spec.profile", message: (e as Error).message }]);
  }
  // 3. User config over the profile.
  const iop = mergeValues(base, user) as JsonObject;
  const spec = (isObject(iop.spec) ? iop.spec : (iop.spec = {})) as JsonObject;
  // 4. Translations into values.
  const values = (isObject(spec.values) ? spec.values : (spec.values = {})) as JsonObject;
  const global = (isObject(values.global) ? values.global : (values.global = {})) as JsonObject;
  if (spec.hub !== undefined) global.hub = spec.hub;
  if (spec.tag !== undefined) global.tag = String(spec.tag);
  if (spec.revision !== undefined) values.revision = spec.revision;
  if (spec.compatibilityVersion !== undefined) values.compatibilityVersion = spec.compatibilityVersion;
  if (isObject(spec.meshConfig)) values.meshConfig = mergeValues(values.meshConfig ?? {}, spec.meshConfig);
  const comps = isObject(spec.components) ? spec.components : {};
  const pilotC = isObject(comps.pilot) ? comps.pilot : {};
  const cniC = isObject(comps.cni) ? comps.cni : {};
  values.pilot = mergeValues(values.pilot ?? {}, { enabled: bool(pilotC.enabled), cni: { enabled: bool(cniC.enabled) } });
  const metadata = (isObject(iop.metadata) ? iop.metadata : (iop.metadata = {})) as JsonObject;
  if (typeof global.istioNamespace === "string" && global.istioNamespace !== "") metadata.namespace = global.istioNamespace;
  // 5. The user's own values win over the translations.
  const userValues = isObject(userSpec.values) ? userSpec.values : {};
  spec.values = mergeValues(values, userValues);
  // 6. Validation.
  const p = new Problems();
  checkSchema(spec, IOP_SPEC, "spec", p);
  // The webhook-only values are judged on the user's own spec: a profile's defaults stay accepted.
  if (!p.errors.length) validateIstioOperatorSpec(spec, metadata, p, userSpec);
  const warnings = [...p.warnings];
  if (p.errors.length) {
    if (!input.force) throw new IopError(p.errors);
    warnings.push(...p.errors.map((e) => `${e.path}: ${e.message} (continuing because of --force)`));
  }
  if (isObject(spec.unvalidatedValues)) spec.values = mergeValues(spec.values, spec.unvalidatedValues);
  // Effective chart values: chart defaults < the values profile < the IOP's values.
  const merged = spec.values as JsonObject;
  let chart: { base: JsonObject; profile: JsonObject };
  try {
    chart = chartValues(typeof merged.profile === "string" && merged.profile !== "" ? merged.profile : undefined, input.profilesDir);
  } catch (e) {
    throw new IopError([{ path: "spec.values.profile", message: (e as Error).message }]);
  }
  const effective = mergeValues(mergeValues(chart.base, chart.profile), merged) as JsonObject;
  return {
    iop,
    spec,
    values: effective,
    userValues: clone(merged),
    profile,
    name: typeof metadata.name === "string" ? metadata.name : "",
    namespace: typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : "istio-system",
    revision: typeof merged.revision === "string" ? merged.revision : "",
    warnings,
  };
}
