// Shared generators of the fuzz tests (inject-fuzz, validate-fuzz, webhook-fuzz): arbitrary JSON with unicode,
// hostile strings, huge strings and arrays, deep nesting, and mutations of well-formed seed objects (a value of the
// wrong type at any level, a deleted field, a duplicated list item, a unicode key, a list grown to thousands).
// PILOTFISH_FUZZ_RUNS sets how many cases each fuzz target runs (make test uses each target's default; make fuzz
// sets it), PILOTFISH_FUZZ_SEED the seed (fixed by default, so make test is reproducible).
import fc from "fast-check";

export const FUZZ_SEED = process.env.PILOTFISH_FUZZ_SEED ? Number(process.env.PILOTFISH_FUZZ_SEED) : 20261201;
/** Runs of one fuzz target: its default in make test, PILOTFISH_FUZZ_RUNS when set. */
export function fuzzRuns(defaultRuns: number): number {
  const n = Number(process.env.PILOTFISH_FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : defaultRuns;
}

/** A test's timeout: `ms` in make test, none when PILOTFISH_FUZZ_RUNS asks for a long run. */
export function fuzzTimeout(ms: number): number {
  return process.env.PILOTFISH_FUZZ_RUNS ? Infinity : ms;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export const HOSTILE_STRINGS = [
  "", " ", "\n", "\u0000", "\u202e", "\ud800", "💥", "é", "ǅ", "İ", "ﬀ", "\u200b", "null", "true", "0", "-1", "1e309", "NaN",
  "__proto__", "constructor", "prototype", "toString", "{{ .Values }}", "{{", '"', "\\", "/", "~1", "a/b", "-", "*",
  "istio-proxy", "istio-init", "sidecar.istio.io/inject", "${HOME}", "$(X)", "\r\n\r\n", "%00", "%2F", "../..",
];

/** Strings: hostile constants, unicode graphemes, binary, and rarely big ones. */
export const str: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "é", "💥", '"', "\u0000", "{"), fc.integer({ min: 1_000, max: 40_000 })).map(([c, n]) => c.repeat(n)) },
);

/** Anything JSON can hold, a few levels deep. */
export const anyJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(0, -0, 1e308, -1e-308, Number.MAX_SAFE_INTEGER + 2, 65536, -1, 0.5),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    str,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(str, tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

/** Nesting `depth` levels deep, arrays or objects. */
export const deep: fc.Arbitrary<Json> = fc.tuple(fc.integer({ min: 50, max: 3_000 }), fc.boolean()).map(([d, arrays]) => {
  let v: Json = arrays ? [] : {};
  for (let i = 0; i < d; i++) v = arrays ? [v] : { a: v };
  return v;
});

/** Big values: long strings, long arrays. */
export const huge: fc.Arbitrary<Json> = fc.oneof(
  fc.tuple(fc.constantFrom("x", "é", "💥", '"'), fc.integer({ min: 100_000, max: 600_000 })).map(([c, n]) => c.repeat(n)),
  fc.tuple(fc.oneof(fc.constantFrom<Json>(null, 0, "", "x", {}, [], { name: "c" }, { name: "istio-proxy", image: "i" }), fc.string({ unit: "grapheme", maxLength: 8 })), fc.integer({ min: 1_000, max: 20_000 })).map(([v, n]) => Array.from({ length: n }, () => clone(v))),
);

/** A replacement value: mostly small and of any type, sometimes deep or huge. */
export const replacement: fc.Arbitrary<Json> = fc.oneof({ weight: 12, arbitrary: anyJson }, { weight: 1, arbitrary: deep }, { weight: 1, arbitrary: huge });

export type Mutation =
  | { op: "replace"; at: number; value: Json }
  | { op: "delete"; at: number }
  | { op: "duplicate"; at: number }
  | { op: "addKey"; at: number; key: string; value: Json }
  | { op: "grow"; at: number; times: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("replace" as const), at: fc.nat(), value: replacement }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("duplicate" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("addKey" as const), at: fc.nat(), key: str, value: fc.oneof(str.map((s) => s as Json), anyJson) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("grow" as const), at: fc.nat(), times: fc.integer({ min: 2, max: 3_000 }) }) },
);

type Container = Json[] | { [k: string]: Json };
interface Node {
  parent: Container | undefined;
  key: string | number | undefined;
  value: Json;
}

/** Every node of a JSON value with its parent (the root has none); iterative, for deep values. */
function nodes(root: Json): Node[] {
  const out: Node[] = [];
  const todo: Node[] = [{ parent: undefined, key: undefined, value: root }];
  while (todo.length) {
    const n = todo.pop()!;
    out.push(n);
    const v = n.value;
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) todo.push({ parent: v, key: i, value: v[i] });
    else if (v && typeof v === "object") for (const k of Object.keys(v).reverse()) todo.push({ parent: v, key: k, value: v[k] });
  }
  return out;
}

/** A deep copy as a decoded body would be (structuredClone gives up on deep nesting). */
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v) ?? "null");

/** The admission body limit: a mutation that would make the object bigger is left out (the server answers 413). */
export const MAX_OBJECT_BYTES = 6 * 1024 * 1024 - 4096;

/** Applies mutations to a copy of `seed` (each picks a node by index, modulo the node count); the result stays under
 *  MAX_OBJECT_BYTES as JSON, and holds no shared references (as a decoded body). */
export function mutate(seed: Json, muts: Mutation[]): Json {
  let root = clone(seed);
  let text = JSON.stringify(root) ?? "null";
  for (const m of muts) {
    const before = root;
    try {
      root = JSON.parse(text);
      mutateOnce(m);
      const t = JSON.stringify(root) ?? "null";
      if (t.length > MAX_OBJECT_BYTES) throw new RangeError("too big");
      text = t;
    } catch {
      // Too big for the body limit, or too deep for JSON.stringify here (deep values nested in deep values).
      root = before;
    }
  }
  return JSON.parse(text);

  function mutateOnce(m: Mutation): void {
    const all = nodes(root);
    const n = all[m.at % all.length];
    const set = (v: Json) => {
      if (n.parent === undefined) root = v;
      else if (Array.isArray(n.parent)) n.parent[n.key as number] = v;
      else Object.defineProperty(n.parent, n.key as string, { value: v, enumerable: true, writable: true, configurable: true });
    };
    switch (m.op) {
      case "replace":
        set(m.value);
        break;
      case "delete":
        if (Array.isArray(n.parent)) n.parent.splice(n.key as number, 1);
        else if (n.parent) delete n.parent[n.key as string];
        break;
      case "duplicate":
        // A list item twice (duplicate containers, ports, env); an object field's value copied under a unicode twin.
        if (Array.isArray(n.parent)) n.parent.splice(n.key as number, 0, clone(n.value));
        else if (n.parent) n.parent[`${n.key as string}\u200b`] = clone(n.value);
        break;
      case "addKey":
        if (n.value && typeof n.value === "object" && !Array.isArray(n.value)) Object.defineProperty(n.value, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
        else if (Array.isArray(n.value)) n.value.push(m.value);
        break;
      case "grow": {
        const each = (JSON.stringify(n.value)?.length ?? 4) + 1;
        const times = Math.min(m.times, Math.floor(MAX_OBJECT_BYTES / each));
        if (Array.isArray(n.parent)) for (let i = 0; i < times; i++) n.parent.splice(n.key as number, 0, n.value);
        break;
      }
    }
  }
}

/** A compact rendering of a counterexample: long strings and deep values cut. */
export function compact(v: unknown, max = 600): string {
  let depth = 0;
  const s = JSON.stringify(v, function (_k, x) {
    if (typeof x === "string" && x.length > 60) return `${x.slice(0, 30)}...(${x.length} chars)`;
    if (Array.isArray(x) && x.length > 20) return [...x.slice(0, 3), `...(${x.length} items)`];
    if (x && typeof x === "object" && ++depth > 400) return "(deep)";
    return x;
  });
  return s && s.length > max ? s.slice(0, max) + "..." : String(s);
}
