// Go-typed values for the template engine: structs (Go field names), methods, enums and durations, each remembering
// the JSON form it came from so the marshalling functions (toYaml, structToJSON, ...) print JSON names as Go does.
// All knowledge of how the engine (src/gotemplate) represents Go values is kept in this file.
import { goStruct } from "../../../gotemplate/index.js";

const JSON_OF = new WeakMap<object, unknown>();

/** The JSON form a Go value was built from (itself for plain data). */
export function jsonOf(v: unknown): unknown {
  if (v !== null && typeof v === "object") {
    if (JSON_OF.has(v)) return JSON_OF.get(v);
    if (Array.isArray(v)) return v.map(jsonOf);
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x !== "function") o[k] = jsonOf(x);
    return o;
  }
  return v;
}

/** A Go struct value (missing fields read as zero values) whose JSON form is `json`. */
export function struct(fields: Record<string, unknown>, json: unknown): Record<string, unknown> {
  const s = goStruct(fields) as Record<string, unknown>;
  JSON_OF.set(s, json);
  return s;
}

/**
 * A nil pointer to a struct whose methods Go still calls (`.HoldApplicationUntilProxyStarts.GetValue` on an unset
 * BoolValue): false for `if`/`and`/`or`/`not`/`with`, its methods callable. Modelled as an empty Go map holding the
 * methods as non-enumerable entries (the engine calls a function it finds as a field; an empty map is false).
 */
export function goNilWithMethods(methods: Record<string, () => unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(methods)) Object.defineProperty(o, k, { value: f, enumerable: false });
  JSON_OF.set(o, null);
  return o;
}

/** A proto enum: prints as its name (Go's Stringer) and has `.String`. */
export function goEnum(name: string): Record<string, unknown> {
  return struct({ String: () => name }, name);
}

/** Go's time.Duration.String() for a number of nanoseconds. */
export function durationString(ns: bigint): string {
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    // Sub-second: the largest unit among ns, µs, ms that keeps a non-zero integer part.
    const [div, unit] = u < 1000n ? [1n, "ns"] : u < 1_000_000n ? [1000n, "µs"] : [1_000_000n, "ms"];
    out = fixed(u, div) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = fixed(u, 1_000_000_000n) + "s";
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? "-" + out : out;
}

function fixed(v: bigint, div: bigint): string {
  const whole = v / div;
  let frac = (v % div).toString().padStart(div.toString().length - 1, "0");
  frac = frac.replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}
