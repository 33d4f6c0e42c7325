// Installation profiles: thin IstioOperator files in `profiles/` (merged over profiles/default.yaml) and the
// chart values they select (`profiles/values/base.yaml` < `profiles/values/<values.profile>.yaml`).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { load } from "js-yaml";
import { isObject, type JsonObject } from "../mesh/values.js";

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const PROFILES_DIR = path.join(packageRoot(), "profiles");

function readYamlMap(file: string): JsonObject {
  const doc = load(fs.readFileSync(file, "utf8"));
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc)) throw new Error(`${file}: not a YAML map`);
  return doc;
}

/** Profile names, sorted (the `*.yaml` files of the profiles directory). */
export function listProfiles(dir = PROFILES_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The thin IstioOperator of one profile (not merged with default). */
export function readProfile(name: string, dir = PROFILES_DIR): JsonObject {
  const names = listProfiles(dir);
  if (!names.includes(name)) {
    throw new Error(`profile "${name}" not found; available profiles: ${names.join(", ")}`);
  }
  return readYamlMap(path.join(dir, `${name}.yaml`));
}

/** Chart defaults, then the chart values of a values profile (`values.profile`), if it has a file. */
export function chartValues(valuesProfile: string | undefined, dir = PROFILES_DIR): { base: JsonObject; profile: JsonObject } {
  const base = readYamlMap(path.join(dir, "values", "base.yaml"));
  if (!valuesProfile) return { base, profile: {} };
  const f = path.join(dir, "values", `${valuesProfile}.yaml`);
  if (valuesProfile === "base" || !fs.existsSync(f)) {
    throw new Error(`values.profile: unknown profile "${valuesProfile}"; known: ${fs.readdirSync(path.join(dir, "values")).filter((x) => x !== "base.yaml").map((x) => x.replace(/\.yaml$/, "")).join(", ")}`);
  }
  return { base, profile: readYamlMap(f) };
}
