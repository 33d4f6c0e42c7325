// Telemetry (telemetry.istio.io), WasmPlugin and TrafficExtension (extensions.istio.io), ported rule by rule from Istio
// 1.30.3 (pkg/config/validation/validation.go: ValidateTelemetry, ValidateWasmPlugin, ValidateTrafficExtension) and the
// CRD schema. Messages contain Istio's wording. The selector / targetRef rules are security.ts's (the same Istio code).
import { S, type Schema } from "../../schema/schema.js";
import { Problems, at } from "../../schema/problems.js";
import { isObj, list, type Obj } from "./common.js";
import { TARGET_REF, checkDurationCrd, checkPolicyTargeting, goParseURL, tooShort } from "./security.js";

const SELECTOR: Schema = S.obj({ matchLabels: S.map() });
const PROVIDER: Schema = S.obj({ name: S.str() });
const MODE = S.en("CLIENT_AND_SERVER", "CLIENT", "SERVER");
export const TELEMETRY_SPEC: Schema = S.obj({
  selector: SELECTOR, targetRef: TARGET_REF, targetRefs: S.arr(TARGET_REF, { max: 16 }),
  tracing: S.arr(S.obj({
    match: S.obj({ mode: MODE }), providers: S.arr(PROVIDER), randomSamplingPercentage: S.num(),
    disableSpanReporting: S.bool, disableContextPropagation: S.bool,
    customTags: S.map(S.obj({ literal: S.obj({ value: S.str() }), environment: S.obj({ name: S.str(), defaultValue: S.str() }), header: S.obj({ name: S.str(), defaultValue: S.str() }), formatter: S.obj({ value: S.str() }) }, { oneOf: [["literal", "environment", "header", "formatter"]] })),
    useRequestIdForTraceSampling: S.bool, enableIstioTags: S.bool,
  })),
  metrics: S.arr(S.obj({
    providers: S.arr(PROVIDER), reportingInterval: S.dur,
    overrides: S.arr(S.obj({
      match: S.obj({
        metric: S.en("ALL_METRICS", "REQUEST_COUNT", "REQUEST_DURATION", "REQUEST_SIZE", "RESPONSE_SIZE", "TCP_OPENED_CONNECTIONS", "TCP_CLOSED_CONNECTIONS", "TCP_SENT_BYTES", "TCP_RECEIVED_BYTES", "GRPC_REQUEST_MESSAGES", "GRPC_RESPONSE_MESSAGES"),
        customMetric: S.str(), mode: MODE,
      }, { oneOf: [["metric", "customMetric"]] }),
      disabled: S.bool, tagOverrides: S.map(S.obj({ operation: S.en("UPSERT", "REMOVE"), value: S.str() })),
    })),
  })),
  accessLogging: S.arr(S.obj({ match: S.obj({ mode: MODE }), providers: S.arr(PROVIDER), disabled: S.bool, filter: S.obj({ expression: S.str() }) })),
});

function checkProviders(providers: unknown, path: string, p: Problems): void {
  // validateTelemetryProviders: one error for the list (the CRD also requires name, minLength 1)
  if (list(providers).some((pr) => !isObj(pr) || !pr.name)) p.error(path, "providers.name may not be empty");
}

export function validateTelemetry(spec: Obj, _meta: Obj, p: Problems): void {
  checkPolicyTargeting(spec, "spec", p);
  list(spec.metrics).forEach((m, i) => {
    if (!isObj(m)) return;
    const mp = at("spec.metrics", i);
    checkProviders(m.providers, at(mp, "providers"), p);
    checkDurationCrd(m.reportingInterval, at(mp, "reportingInterval"), p);
    list(m.overrides).forEach((o, j) => {
      const op = at(at(mp, "overrides"), j);
      if (!isObj(o)) return p.error(op, "tagOverrides may not be null");
      if (isObj(o.tagOverrides)) for (const [name, to] of Object.entries(o.tagOverrides)) {
        const tp = `${op}.tagOverrides[${name}]`;
        if (name === "") p.warn(tp, "tagOverrides.name may not be empty");
        if (!isObj(to)) continue; // `name: null` is dropped by the API server
        const operation = to.operation ?? "UPSERT";
        if (operation === "UPSERT" && !to.value) p.error(tp, "tagOverrides.value must be set when operation is UPSERT");
        if (operation === "REMOVE" && to.value) p.error(tp, "tagOverrides.value may only be set when operation is UPSERT");
        if (operation === "REMOVE" && to.value === "") p.error(tp, "value must not be set when operation is REMOVE (CRD schema)");
      }
      if (isObj(o.match) && o.match.customMetric === "") p.error(`${op}.match.customMetric`, `customMetric may not be empty; ${tooShort(`${op}.match.customMetric`)}`);
    });
  });
  const tracing = list(spec.tracing);
  if (tracing.length > 1) p.warn("spec.tracing", "multiple tracing is not currently supported");
  tracing.forEach((t, i) => {
    if (!isObj(t)) return;
    const tp = at("spec.tracing", i);
    if (list(t.providers).length > 1) p.warn(at(tp, "providers"), "multiple providers is not currently supported");
    checkProviders(t.providers, at(tp, "providers"), p);
    const pct = t.randomSamplingPercentage;
    if (typeof pct === "number" && (pct < 0 || pct > 100)) p.error(at(tp, "randomSamplingPercentage"), "randomSamplingPercentage must be in range [0.0, 100.0]");
    if (isObj(t.customTags)) for (const [name, tag] of Object.entries(t.customTags)) {
      const cp = `${tp}.customTags[${name}]`;
      if (name === "") p.error(cp, "tag name may not be empty");
      if (!isObj(tag)) continue; // `name: null` is dropped by the API server; a tag without a type is accepted
      if (isObj(tag.literal) && !tag.literal.value) p.error(`${cp}.literal.value`, "literal tag value may not be empty");
      if (isObj(tag.header) && !tag.header.name) p.error(`${cp}.header.name`, "header tag name may not be empty");
      if (isObj(tag.environment) && !tag.environment.name) p.error(`${cp}.environment.name`, "environment tag name may not be empty");
      if (isObj(tag.formatter) && !tag.formatter.value) p.error(`${cp}.formatter.value`, tag.formatter.value === "" ? tooShort(`${cp}.formatter.value`) : "Required value (CRD schema)");
    }
  });
  list(spec.accessLogging).forEach((a, i) => {
    if (!isObj(a)) return;
    const ap = at("spec.accessLogging", i);
    if (isObj(a.filter)) {
      const e = celSyntaxError(typeof a.filter.expression === "string" ? a.filter.expression : "");
      if (e) p.error(at(ap, "filter.expression"), `must be a valid CEL expression, ${e}`);
    }
    checkProviders(a.providers, at(ap, "providers"), p);
  });
}

const ENV: Schema = S.obj({ name: S.str(), value: S.str({ max: 2048 }), valueFrom: S.en("INLINE", "HOST") });
const VM_CONFIG: Schema = S.obj({ env: S.arr(ENV, { max: 256 }) });
const PORTS: Schema = S.arr(S.obj({ number: S.int() }));
export const WASM_PLUGIN_SPEC: Schema = S.obj({
  selector: SELECTOR, targetRef: TARGET_REF, targetRefs: S.arr(TARGET_REF, { max: 16 }),
  url: S.any, sha256: S.str(), imagePullPolicy: S.en("UNSPECIFIED_POLICY", "IfNotPresent", "Always"), imagePullSecret: S.str(),
  verificationKey: S.str(), pluginConfig: S.any, pluginName: S.str(), phase: S.en("UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"),
  priority: S.int(), failStrategy: S.en("FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"),
  vmConfig: VM_CONFIG,
  match: S.arr(S.obj({ mode: S.en("UNDEFINED", "CLIENT", "SERVER", "CLIENT_AND_SERVER"), ports: PORTS })),
  type: S.en("UNSPECIFIED_PLUGIN_TYPE", "HTTP", "NETWORK"),
});

/** Istio's strictParseURL: ParseRequestURI, else ParseRequestURI of "http://" + url, and url.Parse. */
function strictParseURL(u: string): { scheme: string; error?: string } {
  const r = goParseURL(u, true);
  if (r.error) {
    const n = goParseURL("http://" + u, true);
    if (n.error) return { scheme: "", error: `failed to parse url: ${r.error}` };
    const s = goParseURL("http://" + u);
    if (s.error) return { scheme: "", error: `failed to strict parse url: ${s.error}` };
    return n;
  }
  const s = goParseURL(u);
  if (s.error) return { scheme: "", error: `failed to strict parse url: ${s.error}` };
  return r;
}
function checkWasmURL(url: unknown, path: string, p: Problems): void {
  if (url === null) return p.error(path, `url field needs to be set (API server: Invalid value: "null": ${path} in body must be of type string: "null")`);
  if (url !== undefined && typeof url !== "string") return p.error(path, `must be a string, got ${Array.isArray(url) ? "list" : typeof url}`);
  if (typeof url !== "string" || url === "") return p.error(path, `url field needs to be set${url === "" ? `; ${tooShort(path)}` : ""}`);
  const u = strictParseURL(url);
  if (u.error) return p.error(path, u.error);
  if (!["", "file", "http", "https", "oci"].includes(u.scheme)) p.error(path, `url contains unsupported scheme: ${u.scheme}`);
}
function checkSha(sha: unknown, path: string, p: Problems): void {
  if (typeof sha !== "string" || sha === "") return;
  const crd = ` (CRD: Invalid value: "${sha}": ${path} in body should match '(^$|^[a-f0-9]{64}$)')`;
  if (sha.length !== 64) p.error(path, `sha256 field must be 64 characters long${crd}`);
  else if (!/^[a-f0-9]{64}$/.test(sha)) p.error(path, `sha256 field must match [a-f0-9]{64} pattern${crd}`);
}
function checkPullSecret(s: unknown, path: string, p: Problems): void {
  if (typeof s !== "string") return;
  if (s.length > 253) p.error(path, "imagePullSecret field must be less than 253 characters long");
  else if (s === "") p.error(path, tooShort(path));
}
function checkPluginName(s: unknown, path: string, p: Problems, limitText: string): void {
  if (typeof s !== "string") return;
  if (s.length > 256) p.error(path, `pluginName field must be less than ${limitText} characters long`);
  else if (s === "") p.error(path, tooShort(path));
}
function checkVmConfig(vm: unknown, path: string, p: Problems): void {
  if (!isObj(vm)) return;
  const names = new Set<string>();
  for (const [i, e] of list(vm.env).entries()) {
    const ep = at(at(path, "env"), i);
    if (!isObj(e)) continue;
    if (!e.name) return p.error(ep, "spec.vmConfig.env invalid");
    if (String(e.name).length > 256) return p.error(at(ep, "name"), "env.name field must be less than 255 characters long");
    if (names.has(e.name)) return p.error(at(ep, "name"), `duplicate env (CRD: Duplicate value: {"name":${JSON.stringify(e.name)}})`);
    names.add(e.name);
    if ((e.valueFrom ?? "INLINE") !== "INLINE" && e.value) return p.error(at(ep, "value"), "value may only be set when valueFrom is INLINE");
    if ((e.valueFrom ?? "INLINE") !== "INLINE" && e.value === "") return p.error(at(ep, "value"), "value may only be set when valueFrom is INLINE (CRD schema)");
  }
}
function checkMatch(match: unknown, path: string, p: Problems): void {
  for (const [i, sel] of list(match).entries()) {
    if (!isObj(sel)) return p.error(at(path, i), `spec.Match[${i}] is nil`);
    const seen = new Set<number>();
    for (const [j, port] of list(sel.ports).entries()) {
      const pp = at(at(at(path, i), "ports"), j);
      if (!isObj(port)) return p.error(pp, `spec.Match[${i}].Ports[${j}] is nil`);
      const n = typeof port.number === "number" ? port.number : 0;
      if (n <= 0 || n > 65535) return p.error(at(pp, "number"), `spec.Match[${i}].Ports[${j}] is out of range: ${n}`);
      if (seen.has(n)) p.error(pp, `Duplicate value: {"number":${n}} (CRD schema: ports are a list-map keyed by number)`);
      seen.add(n);
    }
  }
}

export function validateWasmPlugin(spec: Obj, _meta: Obj, p: Problems): void {
  checkPolicyTargeting(spec, "spec", p);
  checkWasmURL(spec.url, "spec.url", p);
  checkSha(spec.sha256, "spec.sha256", p);
  checkPullSecret(spec.imagePullSecret, "spec.imagePullSecret", p);
  checkPluginName(spec.pluginName, "spec.pluginName", p, "255");
  checkVmConfig(spec.vmConfig, "spec.vmConfig", p);
  checkMatch(spec.match, "spec.match", p);
}

const WASM_CONFIG: Schema = S.obj({
  url: S.str(), sha256: S.str(), imagePullPolicy: S.en("UNSPECIFIED_POLICY", "IfNotPresent", "Always"), imagePullSecret: S.str(), verificationKey: S.str(),
  pluginConfig: S.any, pluginName: S.str(), failStrategy: S.en("FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"), vmConfig: VM_CONFIG, type: S.en("UNSPECIFIED_PLUGIN_TYPE", "HTTP", "NETWORK"),
});
/** TrafficExtension (extensions.istio.io/v1alpha1), served and validated by Istio 1.30.3's webhook. */
export const TRAFFIC_EXTENSION_SPEC: Schema = S.obj({
  selector: SELECTOR, targetRefs: S.arr(TARGET_REF, { max: 16 }), phase: S.en("UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"), priority: S.int(),
  match: S.arr(S.obj({ mode: S.en("UNDEFINED", "CLIENT", "SERVER", "CLIENT_AND_SERVER"), ports: PORTS })),
  wasm: WASM_CONFIG, lua: S.obj({ inlineCode: S.str() }),
});
export function validateTrafficExtension(spec: Obj, _meta: Obj, p: Problems): void {
  const wasm = isObj(spec.wasm) ? spec.wasm : undefined;
  const lua = isObj(spec.lua) ? spec.lua : undefined;
  if ((wasm && lua) || (!wasm && !lua)) p.error("spec", "exactly one of wasm or lua must be set");
  checkPolicyTargeting({ selector: spec.selector, targetRefs: spec.targetRefs }, "spec", p);
  if (lua) {
    const code = typeof lua.inlineCode === "string" ? lua.inlineCode : "";
    if (code.length === 0) p.error("spec.lua.inlineCode", "lua.inlineCode cannot be empty");
    else if (Buffer.byteLength(code) > 65536) p.error("spec.lua.inlineCode", "lua.inlineCode exceeds maximum size of 64KB");
  }
  if (wasm) {
    checkWasmURL(wasm.url, "spec.wasm.url", p);
    checkSha(wasm.sha256, "spec.wasm.sha256", p);
    checkPullSecret(wasm.imagePullSecret, "spec.wasm.imagePullSecret", p);
    checkPluginName(wasm.pluginName, "spec.wasm.pluginName", p, "256");
    checkVmConfig(wasm.vmConfig, "spec.wasm.vmConfig", p);
  }
  checkMatch(spec.match, "spec.match", p);
}

// A syntax check of a CEL expression, as Istio's validateTelemetryFilter does with cel-go's Parse (no type checking):
// the CEL grammar (github.com/google/cel-spec/doc/langdef.md), its literals, escapes and reserved words.
const CEL_RESERVED = new Set(["as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"]);
type Tok = { k: "id" | "num" | "str" | "op" | "end"; v: string; at: number };
function celTokens(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const ops = ["||", "&&", "<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith("//", i)) { while (i < src.length && src[i] !== "\n") i++; continue; }
    const start = i;
    const strm = /^([rR]?[bB]?|[bB]?[rR]?)('''|"""|'|")/.exec(src.slice(i));
    if (strm && (strm[1] !== "" || c === "'" || c === '"')) {
      const raw = /r/i.test(strm[1]);
      const q = strm[2];
      i += strm[0].length;
      for (;;) {
        if (i >= src.length) throw new Error(`Syntax error: token recognition error at: '${src.slice(start)}'`);
        if (src.startsWith(q, i)) { i += q.length; break; }
        if (q.length === 1 && (src[i] === "\n" || src[i] === "\r")) throw new Error(`Syntax error: token recognition error at: '${src.slice(start, i)}'`);
        if (src[i] === "\\" && !raw) {
          const e = /^\\([abfnrtv\\'"`?]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-3][0-7]{2})/.exec(src.slice(i));
          if (!e) throw new Error(`Syntax error: token recognition error at: '${src.slice(start, i + 2)}'`);
          i += e[0].length;
        } else if (src[i] === "\\" && raw) i += 2;
        else i++;
      }
      out.push({ k: "str", v: src.slice(start, i), at: start });
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+[uU]?|[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|\.[0-9]+([eE][+-]?[0-9]+)?|[0-9]+[uU]?)/.exec(src.slice(i));
    if (num && !(c === "." && out.length && ["id", "num", "str"].includes(out[out.length - 1].k) || c === "." && out.length && [")", "]", "}"].includes(out[out.length - 1].v))) {
      i += num[0].length;
      out.push({ k: "num", v: num[0], at: start });
      continue;
    }
    const id = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(src.slice(i));
    if (id) { i += id[0].length; out.push({ k: "id", v: id[0], at: start }); continue; }
    const op = ops.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`Syntax error: token recognition error at: '${c}'`);
    i += op.length;
    out.push({ k: "op", v: op, at: start });
  }
  out.push({ k: "end", v: "<EOF>", at: src.length });
  return out;
}
/** undefined when `src` parses as CEL, else the parse error. */
export function celSyntaxError(src: string): string | undefined {
  let t: Tok[];
  try {
    t = celTokens(src);
  } catch (e) {
    return (e as Error).message;
  }
  let p = 0;
  const peek = () => t[p];
  const fail = (m?: string): never => { throw new Error(m ?? `Syntax error: mismatched input '${peek().v}'`); };
  const eat = (v: string) => (peek().k === "op" && peek().v === v ? (p++, true) : false);
  const expect = (v: string) => { if (!eat(v)) fail(); };
  // literals ([..], {..}, Msg{..}) take an optional trailing comma (and `[,]`); call arguments do not
  const list = (close: string, item: () => void, trailing = true) => {
    if (eat(close)) return;
    if (trailing && eat(",")) return expect(close);
    for (;;) {
      item();
      if (eat(close)) return;
      expect(",");
      if (trailing && eat(close)) return;
    }
  };
  const ident = () => {
    const x = peek();
    if (x.k !== "id" || ["true", "false", "null", "in"].includes(x.v)) fail();
    if (CEL_RESERVED.has(x.v)) fail(`Syntax error: reserved identifier: ${x.v}`);
    p++;
  };
  const primary = () => {
    const x = peek();
    if (eat(".")) { ident(); if (eat("(")) list(")", expr, false); return; }
    if (x.k === "num" || x.k === "str") return void p++;
    if (x.k === "id" && ["true", "false", "null"].includes(x.v)) return void p++;
    if (x.k === "id") {
      ident();
      if (eat("(")) list(")", expr, false);
      else if (peek().v === "{" && peek().k === "op") { p++; list("}", () => { ident(); expect(":"); expr(); }); }
      return;
    }
    if (eat("(")) { expr(); expect(")"); return; }
    if (eat("[")) return list("]", expr);
    if (eat("{")) return list("}", () => { expr(); expect(":"); expr(); });
    fail();
  };
  const member = () => {
    primary();
    for (;;) {
      if (eat(".")) {
        ident();
        if (eat("(")) list(")", expr, false);
        else if (peek().k === "op" && peek().v === "{" ) { p++; list("}", () => { ident(); expect(":"); expr(); }); }
      } else if (eat("[")) { expr(); expect("]"); } else return;
    }
  };
  const unary = () => {
    if (eat("!")) { while (eat("!")); return member(); }
    if (eat("-")) { while (eat("-")); return member(); }
    member();
  };
  const binary = (ops: string[], next: () => void) => () => {
    next();
    while ((peek().k === "op" && ops.includes(peek().v)) || (ops.includes("in") && peek().k === "id" && peek().v === "in")) { p++; next(); }
  };
  const mul = binary(["*", "/", "%"], unary);
  const add = binary(["+", "-"], mul);
  const rel = binary(["<", "<=", ">=", ">", "==", "!=", "in"], add);
  const and = binary(["&&"], rel);
  const or = binary(["||"], and);
  function expr(): void {
    or();
    if (eat("?")) { or(); expect(":"); expr(); }
  }
  try {
    expr();
    if (peek().k !== "end") fail(`Syntax error: extraneous input '${peek().v}' expecting <EOF>`);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
