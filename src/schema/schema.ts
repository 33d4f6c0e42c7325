// A small structural schema for Istio's resources: field names and types, enums, required fields, bounds.
// It is what the CRD's OpenAPI schema gives the API server, and what lets us name unknown fields and
// suggest the field the user meant (`destinations` -> `destination`).
import { Problems, at, closest } from "./problems.js";

export type Schema =
  | { t: "obj"; f: Record<string, Schema>; req?: string[]; oneOf?: string[][] }
  | { t: "arr"; of: Schema; min?: number; max?: number }
  | { t: "map"; of: Schema }
  | { t: "str"; enum?: string[]; min?: number; max?: number }
  | { t: "int"; min?: number; max?: number }
  | { t: "num"; min?: number; max?: number }
  | { t: "bool" }
  | { t: "dur" }
  | { t: "any" };

export const S = {
  obj: (f: Record<string, Schema>, opts: { req?: string[]; oneOf?: string[][] } = {}): Schema => ({ t: "obj", f, ...opts }),
  arr: (of: Schema, opts: { min?: number; max?: number } = {}): Schema => ({ t: "arr", of, ...opts }),
  map: (of: Schema = { t: "str" }): Schema => ({ t: "map", of }),
  str: (opts: { enum?: string[]; min?: number; max?: number } = {}): Schema => ({ t: "str", ...opts }),
  en: (...values: string[]): Schema => ({ t: "str", enum: values }),
  int: (min?: number, max?: number): Schema => ({ t: "int", min, max }),
  num: (min?: number, max?: number): Schema => ({ t: "num", min, max }),
  bool: { t: "bool" } as Schema,
  dur: { t: "dur" } as Schema,
  any: { t: "any" } as Schema,
  strs: (): Schema => ({ t: "arr", of: { t: "str" } }),
};

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v === "object" ? "map" : typeof v);

/** Checks `v` against `s`, reporting every problem with its path. */
export function checkSchema(v: unknown, s: Schema, path: string, p: Problems): void {
  if (v === undefined) return;
  switch (s.t) {
    case "any":
      return;
    case "obj": {
      if (v === null) return;
      if (typeof v !== "object" || Array.isArray(v)) return p.error(path, `must be a map, got ${typeName(v)}`);
      const o = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(o)) {
        const fs = s.f[k];
        if (!fs) {
          const hint = closest(k, Object.keys(s.f));
          p.error(at(path, k), `unknown field "${k}"${hint ? `; did you mean "${hint}"?` : ""} (known fields: ${Object.keys(s.f).join(", ")})`);
          continue;
        }
        checkSchema(x, fs, at(path, k), p);
      }
      for (const r of s.req ?? []) if (o[r] === undefined || o[r] === null) p.error(at(path, r), "Required value");
      for (const group of s.oneOf ?? []) {
        const set = group.filter((k) => o[k] !== undefined && o[k] !== null);
        if (set.length > 1) p.error(path, `only one of ${group.join(", ")} may be set (found ${set.join(", ")})`);
      }
      return;
    }
    case "arr": {
      if (!Array.isArray(v)) return p.error(path, `must be a list, got ${typeName(v)}`);
      if (s.min !== undefined && v.length < s.min) p.error(path, `must have at least ${s.min} item(s)`);
      if (s.max !== undefined && v.length > s.max) p.error(path, `must have at most ${s.max} items`);
      v.forEach((x, i) => {
        if (x === null) p.error(at(path, i), "must not be null");
        else checkSchema(x, s.of, at(path, i), p);
      });
      return;
    }
    case "map": {
      if (v === null) return;
      if (typeof v !== "object" || Array.isArray(v)) return p.error(path, `must be a map, got ${typeName(v)}`);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== null) checkSchema(x, s.of, `${path}[${k}]`, p);
      return;
    }
    case "str":
      if (typeof v !== "string") return p.error(path, `must be a string, got ${typeName(v)}`);
      if (s.enum && !s.enum.includes(v)) {
        const hint = closest(v, s.enum);
        p.error(path, `unsupported value "${v}"${hint ? `; did you mean "${hint}"?` : ""}: supported values: ${s.enum.map((e) => `"${e}"`).join(", ")}`);
      }
      if (s.min !== undefined && v.length < s.min) p.error(path, `must be at least ${s.min} characters`);
      if (s.max !== undefined && v.length > s.max) p.error(path, `must be at most ${s.max} characters`);
      return;
    case "int":
    case "num":
      if (typeof v !== "number" || (s.t === "int" && !Number.isInteger(v))) return p.error(path, `must be ${s.t === "int" ? "an integer" : "a number"}, got ${JSON.stringify(v)}`);
      if (s.min !== undefined && v < s.min) p.error(path, `must be at least ${s.min}`);
      if (s.max !== undefined && v > s.max) p.error(path, `must be at most ${s.max}`);
      return;
    case "bool":
      if (typeof v !== "boolean") p.error(path, `must be true or false, got ${JSON.stringify(v)}`);
      return;
    case "dur":
      if (typeof v !== "string") return p.error(path, `must be a duration string such as "1s" or "500ms", got ${typeName(v)}`);
      return;
  }
}
