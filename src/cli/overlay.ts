// IstioOperator files given on the command line (`--operator-file`), read into a spec; `--set` paths live in
// src/operator/setpath.ts.
import fs from "node:fs";
import { load } from "js-yaml";
import { isObject, type JsonObject } from "../config/values.js";
import { SPEC_FIELDS, suggest } from "../config/setpath.js";

export { applySetFlag, parseSetValue, splitPath } from "../config/setpath.js";

export function readOperatorFile(file: string): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    const mark = (e as { mark?: { line: number } }).mark;
    throw new Error(`${file}${mark ? ":" + (mark.line + 1) : ""}: invalid YAML: ${((e as { reason?: string }).reason ?? (e as Error).message).split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc) || doc.kind !== "IstioOperator") throw new Error(`${file}: not an IstioOperator (kind: ${isObject(doc) ? String(doc.kind) : typeof doc})`);
  const spec = doc.spec ?? {};
  if (!isObject(spec)) throw new Error(`${file}: spec must be a map`);
  for (const k of Object.keys(spec)) {
    if (!SPEC_FIELDS.includes(k)) {
      const hint = suggest(k, SPEC_FIELDS);
      throw new Error(`${file}: spec.${k}: unknown field${hint ? `; did you mean "${hint}"?` : ""}`);
    }
  }
  return spec;
}

