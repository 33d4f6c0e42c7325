// Renders an injection template (Go text/template + sprig + Istio's functions) over SidecarTemplateData and parses
// its YAML output into the partial Pod that gets merged onto the pod, as Istio's RunTemplate does. Every failure
// (a template that does not parse or execute, output that is not YAML or not a map) is an InjectionError naming the
// template and line: a denial, never a crash.
//
// Hostile values stay data. A template prints annotation values into YAML text, so a value holding YAML syntax
// (a newline and `key: v`, a quote, `}`...) could add or change fields the annotation does not document. Istio
// validates a few annotations' syntax and otherwise trusts its template; pilotfish also checks the rendered
// structure: when an annotation's value holds anything but plain characters, the template is rendered a second time
// with such values replaced by plain tokens, and the two results must have the same shape (the same keys at every
// level, the same list lengths). A value that changed the shape is refused, naming the annotation.
import { parseDocument } from "yaml";
import { parseTemplate, sprigFuncs, TemplateError, type FuncMap, type Template } from "../../../gotemplate/index.js";
import { isObject } from "../../../config/values.js";
import type { TemplateContext } from "../context.js";
import { InjectionError, type Obj } from "../types.js";
import { sidecarTemplateData } from "./data.js";
import { injectionFuncs } from "./funcs.js";
import { goTypeError, goTypedOverlay } from "./typed.js";
import { jsonOf } from "./go.js";

/** sprig's JSON encoders: Go's encoding/json prints a struct with its fields' JSON names (k8s `json` tags). */
const SPRIG_JSON = ["toJson", "toPrettyJson", "toRawJson", "mustToJson", "mustToPrettyJson", "mustToRawJson"];

let funcs: FuncMap | undefined;
/** sprig's TxtFuncMap, then Istio's InjectionFuncmap over it (Istio's parseDryTemplate order). */
export function templateFuncs(): FuncMap {
  if (!funcs) {
    const sprig: FuncMap = { ...(sprigFuncs as FuncMap) };
    for (const name of SPRIG_JSON) {
      const f = sprig[name];
      if (typeof f === "function") sprig[name] = (v: unknown) => f(jsonOf(v));
    }
    funcs = { ...sprig, ...(injectionFuncs() as FuncMap) };
  }
  return funcs;
}

const CACHE_MAX = 64;
/** name -> text -> parsed template (or its parse error); the texts are the settings' own strings. */
const cache = new Map<string, Map<string, Template | InjectionError>>();
let cached = 0;

/** The parsed template for (name, text), cached; a parse error is an InjectionError (cached too). */
export function parsedTemplate(name: string, text: string): Template {
  let byText = cache.get(name);
  let t = byText?.get(text);
  if (!t) {
    try {
      // A pod (and so its overlay) is at most ~1.5 MiB in etcd: an output far past that is a runaway template.
      t = parseTemplate(name, text, templateFuncs(), { maxOutput: 8 * 1024 * 1024 });
    } catch (e) {
      t = templateError(name, e);
    }
    if (cached >= CACHE_MAX) {
      cache.clear();
      cached = 0;
    }
    if (!byText) cache.set(name, (byText = new Map()));
    byText.set(text, t);
    cached++;
  }
  if (t instanceof InjectionError) throw t;
  return t;
}

function templateError(name: string, e: unknown): InjectionError {
  if (e instanceof TemplateError) {
    // The engine's message is Go's ("template: NAME:LINE:COL: ..."); the line is said once either way.
    const where = !e.line || e.message.includes(`:${e.line}:`) ? "" : `line ${e.line}: `;
    return new InjectionError(`injection template "${name}": ${where}${e.message}`);
  }
  if (e instanceof InjectionError) return e;
  return new InjectionError(`injection template "${name}": ${(e as Error)?.message ?? String(e)}`);
}

/** SidecarTemplateData per context: built once per pod however many templates render over it. */
const DATA = new WeakMap<TemplateContext, unknown>();
function templateData(ctx: TemplateContext): unknown {
  let d = DATA.get(ctx);
  if (d === undefined) DATA.set(ctx, (d = sidecarTemplateData(ctx)));
  return d;
}

/** Runs the template over the context and parses its YAML output (an empty output is an empty overlay). */
function execute(name: string, tmpl: Template, ctx: TemplateContext): Obj {
  let text: string;
  try {
    text = tmpl.execute(templateData(ctx));
  } catch (e) {
    throw templateError(name, e);
  }
  // Go's YAML reader (go-yaml v2, YAML 1.1) is lenient where js-yaml is not: Istio's sidecar template closes its
  // flow-style annotations map `}` at the indentation of its key. The `yaml` package reads both alike.
  const parsed = parseDocument(text, { version: "1.1", uniqueKeys: true, prettyErrors: false });
  if (parsed.errors.length) {
    const err = parsed.errors[0];
    const line = err.linePos?.[0]?.line ?? 0;
    throw new InjectionError(`injection template "${name}": its output is not YAML (output line ${line}): ${err.message.split("\n")[0]}`);
  }
  let doc: unknown;
  try {
    // Aliases are resolved here (an unknown alias or an alias bomb fails here, not in parseDocument).
    doc = parsed.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InjectionError(`injection template "${name}": its output is not YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc)) throw new InjectionError(`injection template "${name}": its output is not a YAML map`);
  const typeError = goTypeError(doc as Obj);
  if (typeError) throw new InjectionError(`injection template "${name}": its output is not a Pod: ${typeError}`);
  return goTypedOverlay(doc as Obj);
}

/** Characters a value may hold without any chance of being YAML syntax wherever a template prints it. */
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._/=+-]*$/;
/** The injection status, which the injector itself writes (and strips from the template's input). */
const STRUCTURED = new Set(["sidecar.istio.io/status"]);

/** A plain token standing in for the value of the i-th suspect annotation. */
const token = (i: number) => `pfvalue${i}x`;

/**
 * For a JSON map or list (sidecar.istio.io/userVolume, Multus networks), the same JSON with its top-level keys and
 * every string replaced by tokens: a template that parses the value still can, and the names it prints from it
 * (volume names are the map's keys) are plain. Undefined when the value is not JSON.
 */
function jsonStandIn(value: string, i: number): string | undefined {
  const t = value.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  let n = 0;
  const strings = (v: unknown): unknown =>
    typeof v === "string" ? `pfs${i}x${n++}` : Array.isArray(v) ? v.map(strings) : isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strings(x)])) : v;
  const top = isObject(parsed) ? Object.fromEntries(Object.entries(parsed).map(([, x], j) => [`pfk${i}x${j}`, strings(x)])) : strings(parsed);
  return JSON.stringify(top);
}

function withAnnotations(ctx: TemplateContext, values: Record<string, string>): TemplateContext {
  const annotations = { ...ctx.annotations, ...values };
  const pod = { ...ctx.pod, metadata: { ...ctx.pod.metadata, annotations: { ...(ctx.pod.metadata?.annotations ?? {}), ...values } } };
  return { ...ctx, pod, annotations };
}

/** Renders template `name` (text `text`) for the pod in `ctx`: the partial Pod to merge. */
export function renderTemplate(name: string, text: string, ctx: TemplateContext): Obj {
  const tmpl = parsedTemplate(name, text);
  const rendered = execute(name, tmpl, ctx);
  const suspect = Object.keys(ctx.annotations).filter((k) => !STRUCTURED.has(k) && ctx.annotations[k] !== "" && !PLAIN.test(ctx.annotations[k]));
  if (suspect.length === 0) return rendered;
  // Render again with the suspect values replaced by plain tokens: the shape must not change. A template that
  // parses a JSON value (userVolume) cannot render with a token; such values get a JSON stand-in instead, one at a
  // time, so every other value is still checked against a plain token.
  const standIns: Record<string, string> = {};
  suspect.forEach((k, i) => (standIns[k] = token(i)));
  const jsonValued = suspect.filter((k, i) => jsonStandIn(ctx.annotations[k], i) !== undefined);
  let plain: Obj | undefined;
  for (let n = 0; plain === undefined; n++) {
    try {
      plain = execute(name, tmpl, withAnnotations(ctx, standIns));
    } catch {
      if (n >= jsonValued.length) {
        throw new InjectionError(`injection template "${name}": annotation ${suspect.join(", ")}: the value cannot be checked to stay data`);
      }
      const k = jsonValued[n];
      standIns[k] = jsonStandIn(ctx.annotations[k], suspect.indexOf(k))!;
    }
  }
  const where = shapeDiff(rendered, plain);
  if (where !== undefined) {
    throw new InjectionError(`injection template "${name}": annotation ${suspect.join(", ")} would change the injected pod's structure at ${where || "/"}; a value that is not plain data is refused`);
  }
  return rendered;
}

/** Where two parsed documents differ in shape (keys, list lengths, scalar vs collection); undefined if same. */
function shapeDiff(a: unknown, b: unknown, path = ""): string | undefined {
  const kind = (v: unknown) => (Array.isArray(v) ? "list" : isObject(v) ? "map" : "scalar");
  if (kind(a) !== kind(b)) return path;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return path;
    for (let i = 0; i < a.length; i++) {
      const d = shapeDiff(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return path;
    for (const k of ka) {
      const d = shapeDiff(a[k], b[k], path ? `${path}.${k}` : k);
      if (d !== undefined) return d;
    }
  }
  return undefined;
}

/** Why template `name`'s text does not parse with the engine and Istio's functions; undefined when it parses. */
export function templateParseError(name: string, text: string): string | undefined {
  try {
    parsedTemplate(name, text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
