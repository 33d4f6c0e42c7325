// Helpers for the template-path tests: Istio 1.30.3's injection template texts (test data: the
// istio-sidecar-injector ConfigMap of test/conformance/istio-operator/goldens/profile-default.yaml, made by istioctl
// 1.30.3) and the cases of Istio's whole injection corpus (test/conformance/istio-inject-all) with the settings
// `pilotfish kube-inject` makes for each (the corpus runner's flags), in process.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { load, loadAll } from "js-yaml";

import { injectionSettings } from "../../src/config/injection.js";
import { readEnv } from "../../src/config/env.js";
import { parseIopFile, resolveIop } from "../../src/config/resolve.js";
import { injectorTemplateTexts } from "../../src/config/inject-templates/index.js";
import type { InjectionSettings } from "../../src/config/injection-types.js";
import { injectWorkload } from "../../src/webhook/inject/workload.js";
import { InjectionError } from "../../src/webhook/inject/types.js";
import { splitYamlDocuments } from "../../src/cli/yamldocs.js";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const corpus = path.join(root, "test/conformance/istio-inject-all");

/** Istio 1.30.3's injector templates, name -> text, from istioctl's rendered ConfigMap. */
export function istioTemplateTexts(): Record<string, string> {
  const docs = loadAll(fs.readFileSync(path.join(root, "test/conformance/istio-operator/goldens/profile-default.yaml"), "utf8")) as any[];
  const cm = docs.find((d) => d?.kind === "ConfigMap" && d.metadata?.name === "istio-sidecar-injector");
  assert.ok(cm, "no istio-sidecar-injector ConfigMap in the golden");
  const config = load(cm.data.config) as { templates: Record<string, string> };
  return config.templates;
}

export interface CorpusCase {
  id: string;
  in: string;
  want: string | null;
  setFlags: string[];
  inFilePath: string | null;
  meshConfig: object | null;
  env: Record<string, string>;
  expectedError: string | null;
  skipInjection: boolean;
}

export function corpusCases(): CorpusCase[] {
  return JSON.parse(fs.readFileSync(path.join(corpus, "cases.json"), "utf8"));
}

/** The settings `pilotfish kube-inject` uses for a corpus case (the corpus runner's flags). */
export function caseSettings(c: CorpusCase): InjectionSettings {
  const docs: { source: string; doc: any }[] = [];
  if (c.inFilePath) docs.push({ source: c.inFilePath, doc: parseIopFile(fs.readFileSync(path.join(corpus, "testdata", c.inFilePath), "utf8"), c.inFilePath) });
  if (c.meshConfig) docs.push({ source: "<mesh>", doc: { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", spec: { meshConfig: c.meshConfig } } });
  const sets = ["values.global.hub=registry.istio.io/testing", "values.global.tag=latest", ...c.setFlags];
  return injectionSettings(resolveIop({ docs, sets }), readEnv(c.env));
}

/** The settings with Istio's texts for every template whose text is pilotfish's own (or missing). */
export function withIstioTexts(s: InjectionSettings, istio: Record<string, string>): InjectionSettings {
  const ours = injectorTemplateTexts();
  const templates = { ...(s.templates ?? {}) };
  for (const [name, text] of Object.entries(istio)) {
    if (templates[name] === undefined || templates[name].trimEnd() === ours[name]?.trimEnd()) templates[name] = text;
  }
  return { ...s, templates };
}

type Outcome = { ok: true; objects: unknown[] } | { ok: false; error: string };

export function injectFile(file: string, settings: InjectionSettings): Outcome {
  const revision = typeof settings.values.revision === "string" ? settings.values.revision : "";
  const objects: unknown[] = [];
  try {
    for (const doc of splitYamlDocuments(fs.readFileSync(file, "utf8"), file)) {
      if (doc.value === null || doc.value === undefined) continue;
      const r = injectWorkload(doc.value as any, settings, revision);
      objects.push(r.passthrough ? "passthrough" : r.object);
    }
  } catch (e) {
    if (!(e instanceof InjectionError)) throw e;
    return { ok: false, error: e.message };
  }
  return { ok: true, objects };
}

/** First differing path of two JSON values. */
export function firstDiff(a: unknown, b: unknown, p = ""): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object" || Array.isArray(a) !== Array.isArray(b)) {
    return `${p || "/"}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    const d = firstDiff((a as any)[k], (b as any)[k], Array.isArray(a) ? `${p}[${k}]` : `${p}.${k}`);
    if (d) return d;
  }
  return undefined;
}

