// Telemetry (telemetry.istio.io) and WasmPlugin (extensions.istio.io).
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { checkDuration, checkPort, checkSelector, checkTargetRefs, isObj, list, type Obj } from "./common.js";

const SELECTOR: Schema = S.obj({ matchLabels: S.map() });
const TARGET_REF: Schema = S.obj({ group: S.str(), kind: S.str(), name: S.str(), namespace: S.str() });
const PROVIDER: Schema = S.obj({ name: S.str() });
export const TELEMETRY_SPEC: Schema = S.obj({
  selector: SELECTOR, targetRef: TARGET_REF, targetRefs: S.arr(TARGET_REF, { max: 16 }),
  tracing: S.arr(S.obj({
    match: S.obj({ mode: S.en("CLIENT_AND_SERVER", "CLIENT", "SERVER") }), providers: S.arr(PROVIDER), randomSamplingPercentage: S.num(0, 100),
    disableSpanReporting: S.bool, customTags: S.map(S.obj({ literal: S.obj({ value: S.str() }), environment: S.obj({ name: S.str(), defaultValue: S.str() }), header: S.obj({ name: S.str(), defaultValue: S.str() }), formatter: S.obj({ value: S.str() }) }, { oneOf: [["literal", "environment", "header", "formatter"]] })),
    useRequestIdForTraceSampling: S.bool, enableIstioTags: S.bool,
  })),
  metrics: S.arr(S.obj({
    providers: S.arr(PROVIDER), reportingInterval: S.dur,
    overrides: S.arr(S.obj({
      match: S.obj({ metric: S.str(), customMetric: S.str({ min: 1 }), mode: S.en("CLIENT_AND_SERVER", "CLIENT", "SERVER") }, { oneOf: [["metric", "customMetric"]] }),
      disabled: S.bool, tagOverrides: S.map(S.obj({ operation: S.en("UPSERT", "REMOVE"), value: S.str() })),
    })),
  })),
  accessLogging: S.arr(S.obj({ match: S.obj({ mode: S.en("CLIENT_AND_SERVER", "CLIENT", "SERVER") }), providers: S.arr(PROVIDER), disabled: S.bool, filter: S.obj({ expression: S.str() }) })),
});

export function validateTelemetry(spec: Obj, _meta: Obj, p: Problems): void {
  checkSelector(spec.selector, "spec.selector", p);
  checkTargetRefs(spec, "spec", p);
  const tracing = list(spec.tracing);
  if (tracing.length > 1) p.warn("spec.tracing", "multiple tracing entries are not supported; only the first is used");
  tracing.forEach((t, i) => {
    if (!isObj(t)) return;
    const tp = at("spec.tracing", i);
    if (list(t.providers).length > 1) p.warn(at(tp, "providers"), "multiple providers are not supported; only the first is used");
    list(t.providers).forEach((pr, j) => isObj(pr) && !pr.name && p.error(at(at(tp, "providers"), j), "provider name must not be empty"));
    if (isObj(t.customTags)) for (const [name, tag] of Object.entries(t.customTags)) {
      const cp = at(at(tp, "customTags"), name);
      if (name === "") p.error(at(tp, "customTags"), "tag name must not be empty");
      if (!isObj(tag) || (!tag.literal && !tag.environment && !tag.header && !tag.formatter)) p.error(cp, "custom tag must be one of literal, environment, header or formatter");
      else {
        if (isObj(tag.literal) && !tag.literal.value) p.error(at(cp, "literal.value"), "must not be empty");
        if (isObj(tag.environment) && !tag.environment.name) p.error(at(cp, "environment.name"), "must not be empty");
        if (isObj(tag.header) && !tag.header.name) p.error(at(cp, "header.name"), "must not be empty");
        if (isObj(tag.formatter) && !tag.formatter.value) p.error(at(cp, "formatter.value"), "must not be empty");
      }
    }
  });
  list(spec.metrics).forEach((m, i) => {
    if (!isObj(m)) return;
    const mp = at("spec.metrics", i);
    list(m.providers).forEach((pr, j) => isObj(pr) && !pr.name && p.error(at(at(mp, "providers"), j), "provider name must not be empty"));
    checkDuration(m.reportingInterval, at(mp, "reportingInterval"), p);
    list(m.overrides).forEach((o, j) => {
      if (!isObj(o) || !isObj(o.tagOverrides)) return;
      for (const [name, to] of Object.entries(o.tagOverrides)) {
        const op = at(at(at(mp, "overrides"), j), `tagOverrides[${name}]`);
        if (name === "") p.warn(op, "empty tag name");
        if (!isObj(to)) continue;
        if ((to.operation ?? "UPSERT") === "UPSERT" && !to.value) p.error(op, "UPSERT requires a value");
        if (to.operation === "REMOVE" && to.value) p.error(op, "REMOVE must not have a value");
      }
    });
  });
  list(spec.accessLogging).forEach((a, i) => {
    if (!isObj(a)) return;
    list(a.providers).forEach((pr, j) => isObj(pr) && !pr.name && p.error(at(at(at("spec.accessLogging", i), "providers"), j), "provider name must not be empty"));
    if (isObj(a.filter) && typeof a.filter.expression === "string") {
      const ex = a.filter.expression;
      let depth = 0;
      for (const ch of ex) depth += ch === "(" ? 1 : ch === ")" ? -1 : 0;
      if (depth !== 0 || ex.trim() === "" || /[=!<>]=?\s*$/.test(ex.trim())) p.error(at(at("spec.accessLogging", i), "filter.expression"), `invalid CEL expression "${ex}"`);
    }
  });
}

export const WASM_PLUGIN_SPEC: Schema = S.obj({
  selector: SELECTOR, targetRef: TARGET_REF, targetRefs: S.arr(TARGET_REF, { max: 16 }),
  url: S.str({ min: 1 }), sha256: S.str(), imagePullPolicy: S.en("UNSPECIFIED_POLICY", "IfNotPresent", "Always"), imagePullSecret: S.str({ min: 1, max: 253 }),
  verificationKey: S.str(), pluginConfig: S.any, pluginName: S.str({ min: 1, max: 256 }), phase: S.en("UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"),
  priority: S.int(), failStrategy: S.en("FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"),
  vmConfig: S.obj({ env: S.arr(S.obj({ name: S.str({ min: 1, max: 256 }), value: S.str({ max: 2048 }), valueFrom: S.en("INLINE", "HOST") }), { max: 256 }) }),
  match: S.arr(S.obj({ mode: S.en("UNDEFINED", "CLIENT", "SERVER", "CLIENT_AND_SERVER"), ports: S.arr(S.obj({ number: S.int() }, { req: ["number"] })) })),
  type: S.en("UNSPECIFIED_PLUGIN_TYPE", "HTTP", "NETWORK"),
}, { req: ["url"] });

export function validateWasmPlugin(spec: Obj, _meta: Obj, p: Problems): void {
  checkSelector(spec.selector, "spec.selector", p);
  checkTargetRefs(spec, "spec", p);
  if (typeof spec.url === "string" && spec.url !== "") {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(spec.url);
    const scheme = m ? m[1].toLowerCase() : "";
    if (!["", "http", "https", "oci", "file"].includes(scheme)) p.error("spec.url", `unsupported scheme "${scheme}": use http, https, oci or file`);
  }
  if (spec.sha256 !== undefined && !/^[a-f0-9]{64}$/.test(spec.sha256)) p.error("spec.sha256", "sha256 must be 64 lowercase hex characters");
  const names = new Set<string>();
  list(spec.vmConfig?.env).forEach((e, i) => {
    if (!isObj(e)) return p.error(at("spec.vmConfig.env", i), "must not be null");
    if (!e.name) p.error(at(at("spec.vmConfig.env", i), "name"), "must not be empty");
    else if (names.has(e.name)) p.error(at(at("spec.vmConfig.env", i), "name"), `duplicate env name "${e.name}"`);
    names.add(e.name);
    if (e.valueFrom === "HOST" && e.value) p.error(at(at("spec.vmConfig.env", i), "value"), "value can only be set with valueFrom INLINE");
  });
  list(spec.match).forEach((m, i) => {
    if (!isObj(m)) return p.error(at("spec.match", i), "must not be null");
    const seen = new Set<number>();
    list(m.ports).forEach((pt, j) => {
      if (!isObj(pt)) return p.error(at(at(at("spec.match", i), "ports"), j), "must not be null");
      checkPort(pt.number, at(at(at(at("spec.match", i), "ports"), j), "number"), p);
      if (seen.has(pt.number)) p.error(at(at(at("spec.match", i), "ports"), j), `duplicate port ${pt.number}`);
      seen.add(pt.number);
    });
  });
}
