// Compares src/gotemplate with the Go results in a fuzz cases file (see gen.mjs). Differences that come from the JS
// value model (Go's typed results such as int64 or []string, float literals, %p addresses, Go's random map order in
// keys/values, randomness) are not counted.
import { readFileSync } from "node:fs";
import { parseTemplate, sprigFuncs } from "../../../src/gotemplate/index.js";

const [file = "/tmp/fuzz.json", showArg = "20"] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(file, "utf8")) as { tpl: string; data: unknown; go: { out?: string; err?: string } }[];
const modelDeviation = /incompatible types for comparison: (int and float64|float64 and int)|int64|\[\]string|float64|\[\]int|%!([eEfFgG])\(int=|0x[0-9a-f]{6,}|map\[string\]string|\bkeys\b|\bvalues\b|rand|uuid|shuffle|now/;
let differ = 0;
let shown = 0;
for (const c of cases) {
  if (!c.go) throw new Error("no Go results: run the generator on the file first");
  let got: { out?: string; err?: string };
  try {
    got = { out: parseTemplate("t", c.tpl, sprigFuncs).execute(c.data) };
  } catch (e) {
    got = { err: (e as Error).message };
  }
  const want = c.go.err !== undefined ? { err: c.go.err } : { out: c.go.out };
  if (got.out === want.out && got.err === want.err) continue;
  if (modelDeviation.test(JSON.stringify(want)) || modelDeviation.test(c.tpl) || /%[^a-zA-Z%]*p/.test(c.tpl)) continue;
  differ++;
  if (shown++ < Number(showArg)) console.log(JSON.stringify(c.tpl), "\n  go:", JSON.stringify(want), "\n  us:", JSON.stringify(got));
}
console.log(`${differ} of ${cases.length} differ`);
process.exitCode = differ ? 1 : 0;
