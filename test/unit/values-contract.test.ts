// The values contract (pilotfish issue #16): every leaf key of Istio 1.30.3's chart values and every `k8s` field of
// every component is either rendered as istioctl 1.30.3 renders it (the same objects/fields change versus the
// baseline, to the same values) or refused at resolution with `PATH: not supported by pilotfish` and listed in
// the README. Never accepted and dropped. istioctl's side is test/conformance/values-contract/golden.json
// (made by gen.mjs there with the real istioctl); pilotfish renders in-process here.
import { it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { IopError, resolveIop } from "../../src/config/resolve.js";
import { manifestObjects, render } from "../../src/operator/render/index.js";
import { BASE_SPEC, changes, indexObjects, setIn, split, type Index } from "../conformance/values-contract/diff.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.join(root, "test/conformance/values-contract");
interface Entry {
  path: (string | number)[];
  value: unknown;
  charts: string[];
  /** Settings made in both the baseline and the variant (keys that reach objects only with them). */
  context?: [(string | number)[], unknown][];
  istioctl: { refused: string } | { changed: Record<string, unknown>; dumps: string[] };
}
const golden = JSON.parse(fs.readFileSync(path.join(dir, "golden.json"), "utf8")) as { base: unknown; keys: Record<string, Entry> };

/**
 * Keys that still differ, each owned by another part of the project (not the render files this contract guards):
 * the test fails when one of them starts to pass (shrink the list) as well as on any other key.
 */
const KNOWN: Record<string, string> = {};

type Outcome = { kind: "refused" } | { kind: "error"; message: string } | { kind: "rendered"; fields: Record<string, unknown>; dumps: string[] };

function pilotfish(spec: unknown): { kind: "ok"; index: Index } | { kind: "error"; message: string } {
  try {
    const r = resolveIop({ docs: [{ source: "<contract>", doc: { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", spec: spec as never } }], sets: [] });
    return { kind: "ok", index: indexObjects(manifestObjects(render(r))) };
  } catch (e) {
    if (e instanceof IopError) return { kind: "error", message: e.message };
    return { kind: "error", message: `crash: ${(e as Error).stack ?? String(e)}` };
  }
}

/** Label paths other than the distinctive test values are Helm's install labels, which pilotfish leaves out on purpose. */
const ignoredPath = (p: string) => (/:(\.spec\.template)?\.metadata\.labels\./.test(p) && !/pf/.test(p)) || isWebhook(p);
/**
 * istiod's webhook configurations: not rendered, on purpose (README "Where pilotfish differs"): pilotfish serves
 * injection and validation itself and its chart brings its own. A key reaching only these must be refused
 * (iop-schema.ts WEBHOOK_ONLY): accepting it would drop it.
 */
const isWebhook = (p: string) => /^(Mutating|Validating)WebhookConfiguration\//.test(p);
const isCrd = (p: string) => p.startsWith("CustomResourceDefinition/");

function compare(want: Record<string, unknown>, got: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const keys = new Set([...Object.keys(want), ...Object.keys(got)].filter((p) => !ignoredPath(p)));
  for (const p of [...keys].sort()) {
    if (!(p in got)) problems.push(`istioctl changes ${p} (to ${JSON.stringify(want[p])}); pilotfish does not`);
    else if (!(p in want)) problems.push(`pilotfish changes ${p} (to ${JSON.stringify(got[p])}); istioctl does not`);
    else if (!isCrd(p) && JSON.stringify(want[p]) !== JSON.stringify(got[p])) problems.push(`${p}: istioctl ${JSON.stringify(want[p])}, pilotfish ${JSON.stringify(got[p])}`);
  }
  return problems;
}

it("renders every Istio chart value and k8s field as istioctl 1.30.3 does, or refuses it", { timeout: 600_000 }, () => {
  const t0 = Date.now();
  const bases = new Map<string, Index>();
  const baseOf = (spec: unknown): Index => {
    const id = JSON.stringify(spec);
    if (!bases.has(id)) {
      const b = pilotfish(spec);
      assert.equal(b.kind, "ok", b.kind === "error" ? `baseline ${id}: ${b.message}` : "");
      bases.set(id, (b as { index: Index }).index);
    }
    return bases.get(id)!;
  };
  assert.deepEqual(golden.base, BASE_SPEC, "golden.json was made with another baseline: rerun gen.mjs");
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const refused: string[] = [];
  const equal: string[] = [];
  const dumpDiffs: string[] = [];
  const failing: Record<string, string[]> = {};
  for (const [key, e] of Object.entries(golden.keys)) {
    const specPath = `spec.${e.path.map((x) => (typeof x === "number" ? `[${x}]` : `.${x}`)).join("").slice(1).replace(/\.\[/g, "[")}`;
    let baseSpec = BASE_SPEC;
    for (const [segs, v] of e.context ?? []) baseSpec = setIn(baseSpec, segs, v);
    const baseIdx = baseOf(baseSpec);
    const r = pilotfish(setIn(baseSpec, e.path, e.value));
    let problems: string[] = [];
    let outcome: Outcome;
    if (r.kind === "error") outcome = r.message.includes(`${specPath}: not supported by pilotfish`) ? { kind: "refused" } : { kind: "error", message: r.message };
    else outcome = { kind: "rendered", ...split(changes(baseIdx, r.index)) };
    if ("refused" in e.istioctl) {
      // istioctl refuses the value: pilotfish must refuse it too.
      if (outcome.kind === "rendered") problems.push(`istioctl refuses it (${e.istioctl.refused.slice(0, 160)}); pilotfish accepts it`);
      else equal.push(key);
    } else if (outcome.kind === "refused") {
      refused.push(key);
    } else if (outcome.kind === "error") {
      problems.push(`refused without "${specPath}: not supported by pilotfish": ${outcome.message.slice(0, 300)}`);
    } else {
      problems = compare(e.istioctl.changed, outcome.fields);
      // The values dumps (configmaps.ts, istiod-values.ts): the same paths must change (their values are not compared).
      const want = new Set(e.istioctl.dumps);
      const got = new Set(outcome.dumps);
      if (want.size !== got.size || [...want].some((d) => !got.has(d))) dumpDiffs.push(`${key}: istioctl ${[...want].filter((d) => !got.has(d)).slice(0, 2).join(" ")} | pilotfish ${[...got].filter((d) => !want.has(d)).slice(0, 2).join(" ")}`);
      const reach = Object.keys(e.istioctl.changed);
      if (!problems.length && reach.length && reach.every(isWebhook)) problems.push(`istioctl changes only istiod's webhook configurations (${reach[0]}, ...), which pilotfish does not render; pilotfish accepts it and drops it: refuse it with "${specPath}: not supported by pilotfish"`);
      else if (!problems.length) equal.push(key);
    }
    if (problems.length) failing[key] = problems;
  }
  const ms = Date.now() - t0;
  // Every refused key must be listed in the README (as its path, or its last segment in a brace list).
  const unlisted = refused.map((k) => k.split(" ")[0]).filter((k) => !readme.includes(k) && !readme.includes(k.split(".").pop()!));
  const unexpected = Object.keys(failing).filter((k) => !(k in KNOWN));
  const fixed = Object.keys(KNOWN).filter((k) => !(k in failing));
  const total = Object.keys(golden.keys).length;
  console.log(`values contract: ${total} keys, ${equal.length} rendered as istioctl (or refused by both), ${refused.length} refused by pilotfish, ${Object.keys(failing).length} failing (${Object.keys(KNOWN).length} known), ${ms} ms`);
  console.log(`values contract: ${dumpDiffs.length} keys change the values dumps (values ConfigMap, injector values) differently`);
  if (process.env.VC_VERBOSE) console.log(`refused: ${refused.join(" ")}\ndumps:\n${dumpDiffs.join("\n")}`);
  const report = unexpected.map((k) => `${k}${k.includes(" = ") ? "" : ` = ${JSON.stringify(golden.keys[k].value).slice(0, 100)}`}\n    ${failing[k].slice(0, 6).join("\n    ")}${failing[k].length > 6 ? `\n    ... ${failing[k].length - 6} more` : ""}`);
  assert.deepEqual(unexpected, [], `keys neither rendered as istioctl nor refused:\n${report.join("\n")}`);
  assert.deepEqual(fixed, [], "keys in KNOWN now pass: remove them from the list");
  assert.deepEqual(dumpDiffs, [], "keys changing the values dumps (values ConfigMap, injector ConfigMap's values) at other paths than istioctl");
  assert.deepEqual(unlisted, [], "refused keys missing from README's list of refused values");
});
