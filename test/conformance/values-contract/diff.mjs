// The values contract's change detector, shared by gen.mjs (istioctl side) and test/unit/values-contract.test.ts
// (pilotfish side): which objects/fields of a render CHANGE between a baseline and a variant.
import crypto from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../package.json"));
const yaml = require("js-yaml");

export const keyOf = (o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** The values dumps: istiod's `values` ConfigMap and the injector ConfigMap's `values` entry. */
export function isDump(p) {
  return /^ConfigMap\/[^/]*\/values(-[^/:]*)?:/.test(p) || /^ConfigMap\/[^/]*\/istio-sidecar-injector(-[^/:]*)?:\.data\.values/.test(p);
}

function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/** A value as the golden keeps it: itself when short, else a hash of its canonical JSON. */
export function enc(v) {
  if (v === undefined) return "<unset>";
  const c = canon(v);
  return c.length <= 80 ? JSON.parse(c) : `sha1:${crypto.createHash("sha1").update(c).digest("hex").slice(0, 12)}`;
}

/** As the API server keeps it: nulls and empty maps are unset; ConfigMap data holding YAML/JSON documents is parsed. */
function norm(v) {
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const n = norm(x);
      if (n === null || n === undefined) continue;
      if (n && typeof n === "object" && !Array.isArray(n) && Object.keys(n).length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}

function prepare(o) {
  const c = structuredClone(o);
  if (c.kind === "ConfigMap" && c.data && typeof c.data === "object") {
    for (const [k, v] of Object.entries(c.data)) {
      if (typeof v !== "string") continue;
      try {
        const d = yaml.load(v);
        if (d && typeof d === "object") c.data[k] = d;
      } catch {
        /* plain text */
      }
    }
  }
  return norm(c);
}

export function parseManifest(text) {
  const i = text.indexOf("apiVersion:");
  const docs = yaml.loadAll(i > 0 ? text.slice(text.lastIndexOf("\n", i) + 1) : text).filter((d) => d && typeof d === "object");
  return indexObjects(docs);
}

// pilotfish's renders share their CRD specs (one shipped file): hash each once.
const specHashes = new WeakMap();
function specHash(spec) {
  if (!spec || typeof spec !== "object") return enc(spec);
  if (!specHashes.has(spec)) specHashes.set(spec, enc(spec));
  return specHashes.get(spec);
}

export function indexObjects(objs) {
  const m = new Map();
  // CRDs: their metadata, and their spec (the schemas) as one hash.
  for (const o of objs) m.set(keyOf(o), o.kind === "CustomResourceDefinition" ? norm({ kind: o.kind, metadata: o.metadata, spec: specHash(o.spec) }) : prepare(o));
  return m;
}

const named = (a) => a.length > 0 && a.every((e) => e && typeof e === "object" && typeof e.name === "string") && new Set(a.map((e) => e.name)).size === a.length;

function walk(a, b, p, out) {
  if (canon(a) === canon(b)) return;
  const obj = (x) => x && typeof x === "object" && !Array.isArray(x);
  // An absent map and a map: compared key by key, so that a key added to a map has the same path either way.
  if ((obj(a) || a === undefined) && (obj(b) || b === undefined)) {
    a ??= {};
    b ??= {};
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], `${p}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (named(a) && named(b)) {
      const ma = new Map(a.map((e) => [e.name, e]));
      const mb = new Map(b.map((e) => [e.name, e]));
      for (const k of [...new Set([...ma.keys(), ...mb.keys()])].sort()) walk(ma.get(k), mb.get(k), `${p}[${k}]`, out);
      return;
    }
    if (a.length === b.length) {
      a.forEach((_, i) => walk(a[i], b[i], `${p}[${i}]`, out));
      return;
    }
  }
  out[p] = enc(b);
}

/** Changed paths between two indexed renders: `Kind/ns/name` (added/removed object) or `Kind/ns/name:.field.path`. */
export function changes(base, variant) {
  const out = {};
  for (const k of [...new Set([...base.keys(), ...variant.keys()])].sort()) {
    const a = base.get(k);
    const b = variant.get(k);
    if (!a) out[k] = "<added>";
    else if (!b) out[k] = "<removed>";
    else {
      const o = {};
      walk(a, b, "", o);
      for (const [p, v] of Object.entries(o)) out[`${k}:${p}`] = v;
    }
  }
  return out;
}

/** Splits changes into those reaching objects and those only in the values dumps. */
export function split(ch) {
  const fields = {};
  const dumps = [];
  for (const [p, v] of Object.entries(ch)) {
    if (isDump(p)) dumps.push(p);
    else fields[p] = v;
  }
  return { fields, dumps };
}

/** Sets `value` at `path` (segments; numbers index lists) in a deep copy of `obj`. */
export function setIn(obj, segs, value) {
  const root = structuredClone(obj);
  let cur = root;
  segs.forEach((s, i) => {
    if (i === segs.length - 1) cur[s] = value;
    else {
      if (cur[s] === undefined || cur[s] === null || typeof cur[s] !== "object") cur[s] = typeof segs[i + 1] === "number" ? [] : {};
      cur = cur[s];
    }
  });
  return root;
}

/** The baseline IstioOperator spec every key is varied against: default profile, every component on. */
export const BASE_SPEC = {
  hub: "registry.istio.io/testing",
  tag: "latest",
  components: {
    cni: { enabled: true },
    ztunnel: { enabled: true },
    ingressGateways: [{ name: "istio-ingressgateway", enabled: true }],
    egressGateways: [{ name: "istio-egressgateway", enabled: true }],
  },
};
