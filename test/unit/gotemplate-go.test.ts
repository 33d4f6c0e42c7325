// src/gotemplate against real Go: every case of test/gotemplate/cases.json (rows taken from Go's exec_test.go,
// parse_test.go, fmt_test.go and sprig's tests; see test/gotemplate/make-cases.mjs) carries the output or error text
// that Go 1.26 text/template + Masterminds/sprig v3.3.0 produced (test/gotemplate/generator). Our engine must print the
// same bytes, or fail with the same message. Known deviations of the value model are listed with their reason.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseTemplate, sprigFuncs, typedFunc, formatValue, goJsonData, type FuncMap } from "../../src/gotemplate/index.js";

interface Case {
  name: string;
  tpl: string;
  data: unknown;
  missingKey?: "default" | "zero" | "error";
  errorPrefix?: boolean;
  go: { out?: string; err?: string; phase?: string };
}

const cases = JSON.parse(readFileSync(new URL("../gotemplate/cases.json", import.meta.url), "utf8")) as Case[];

export const testFuncs: FuncMap = {
  die: () => {
    throw new Error("die");
  },
  echo: typedFunc("echo", ["any"], (a: unknown) => a),
  oneArg: typedFunc("oneArg", ["string"], (a: string) => "oneArg=" + a),
  oneArgAny: typedFunc("oneArgAny", ["any"], (a: unknown) => "oneArgAny=" + formatValue(a)),
  oneArgZ: typedFunc("oneArgZ", [], () => "zeroArgs"),
  twoArgs: typedFunc("twoArgs", ["string", "string"], (a: string, b: string) => "twoArgs=" + a + b),
  dddArg: typedFunc("dddArg", ["int", "...string"], (a: number, ...b: string[]) => `${a} [${b.join(" ")}]`),
  mapOfThree: typedFunc("mapOfThree", [], () => ({ three: 3 })),
  count: typedFunc("count", ["int"], (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + i))),
};

/** Rows where the JS value model cannot match Go, with what we print instead. */
const LITERAL_FLOAT = "a whole-number literal such as 1e6 or 1.0 is a JS number like any other: it prints as an int";
const deviations: Record<string, { out?: string; err?: string; why: string }> = {
  "fmtTests/%v 1e6": { out: "1000000", why: LITERAL_FLOAT },
  "fmtTests/%v 1e20": { out: "100000000000000000000", why: LITERAL_FLOAT },
  "fmtTests/%v 1234567.0": { out: "1234567", why: LITERAL_FLOAT },
  "sprig/168 deepEqual .SI (list 3 4 5) }} {{ deep": { out: "true false true true", why: LITERAL_FLOAT + " (deepEqual 1 1.0)" },
  'sprig/183 expandenv "a $HOME ${X} b" }}': { out: "a   b", why: "no environment access: every variable expands to nothing" },
  "cmpTests/eq int float": { out: "false", why: "numbers compare by value: a JS number does not keep Go's int/float64 type" },
  "cmpTests/lt int float": { out: "true", why: "numbers compare by value: a JS number does not keep Go's int/float64 type" },
};

function run(c: Case): { out?: string; err?: string } {
  try {
    const t = parseTemplate("t", c.tpl, { ...sprigFuncs, ...testFuncs }, c.missingKey ? { missingKey: c.missingKey } : undefined);
    return { out: t.execute(c.data) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

const NONDETERMINISTIC = /uuidv4|randAlphaNum|now|ago/;

describe("gotemplate matches Go text/template + sprig (cases.json)", () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.ok(c.go, "case has a Go result (run the generator)");
      const got = run(c);
      const dev = deviations[c.name];
      const want = dev ?? (c.go.err !== undefined ? { err: c.go.err } : { out: c.go.out });
      if (want.err !== undefined) {
        assert.equal(got.out, undefined, `expected an error, got output ${JSON.stringify(got.out)}`);
        if (c.errorPrefix) assert.ok(got.err!.startsWith(want.err.replace(/\(\d+\)$/, "")), got.err);
        else assert.equal(got.err, want.err);
      } else {
        assert.equal(got.err, undefined, `unexpected error`);
        if (NONDETERMINISTIC.test(c.tpl) && !/len \(/.test(c.tpl)) return;
        assert.equal(got.out, want.out);
      }
    });
  }
});

// JSON data as Go decodes it into interface{} (Istio's `.Values`, fromJSON): every number a float64. The data is
// marked with goJsonData; test/gotemplate/float-cases.json holds what Go printed (test/gotemplate/float-cases.mjs).
const floatCases = JSON.parse(readFileSync(new URL("../gotemplate/float-cases.json", import.meta.url), "utf8")) as (Case & { jsonFloats: boolean })[];
const floatDeviations: Record<string, { out?: string; err?: string; why: string }> = {};
describe("gotemplate matches Go on JSON-decoded (float64) data (float-cases.json)", () => {
  for (const c of floatCases) {
    it(c.tpl, () => {
      assert.ok(c.go && c.jsonFloats, "case has a Go result (run the generator)");
      const got = run({ ...c, data: goJsonData(structuredClone(c.data)) });
      const want = floatDeviations[c.tpl] ?? (c.go.err !== undefined ? { err: c.go.err } : { out: c.go.out });
      assert.deepEqual(got, want.err !== undefined ? { err: want.err } : { out: want.out });
    });
  }
});
