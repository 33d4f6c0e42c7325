// Shared by the tables ported from Istio 1.30.3's validation tests: the row shapes and the checks that hold
// pilotfish's verdict (and, where Istio's test names one, its wording) to Istio's.
import { it } from "node:test";
import assert from "node:assert/strict";
import { validateResource, formatErrors } from "../../../src/webhook/validate/index.js";

// One row per Istio test case: the Go struct literal translated into the resource's YAML/JSON shape.
// valid/warning: Istio's expectation. error/warningText: the substring Istio's test expects in its message (pilotfish's
// message must contain it). istioError/istioWarning: what Istio 1.30.3 actually answers (for reference).
// crdDenies: the CRD schema of Istio 1.30.3 (enforced by the API server before the webhook) rejects this object although
// the Go function accepts it; pilotfish models both layers, so the expected verdict is "denied".
// webhookAdmits: the Go literal has no exact YAML form, and its YAML form is admitted by Istio's webhook (its JSON decoder
// reads `[]` as unset; the API server drops `key: null` map entries), so the expected verdict is "admitted".
// Rows ported from pkg/config/security/security_test.go test one helper; each becomes the smallest resource that reaches
// it, and `valid` is Istio 1.30.3's verdict on that resource (note says where it differs from the helper's own verdict).
export interface Row {
  name: string;
  input: Record<string, unknown>;
  valid: boolean;
  warning?: boolean;
  error?: string;
  warningText?: string;
  istioError?: string;
  istioWarning?: string;
  crdDenies?: string;
  webhookAdmits?: string;
  note?: string;
}

export function check(row: Row): void {
  const r = validateResource(row.input);
  const expected = (row.valid || !!row.webhookAdmits) && !row.crdDenies;
  const detail = `errors: ${JSON.stringify(r.errors)} warnings: ${JSON.stringify(r.warnings)} istio: ${row.istioError ?? row.istioWarning ?? "-"}`;
  assert.equal(r.handled, true, "pilotfish must validate this kind");
  assert.equal(r.errors.length === 0, expected, `verdict ${expected ? "valid" : "invalid"} expected; ${detail}`);
  if (expected && row.warning !== undefined) assert.equal(r.warnings.length > 0, row.warning, `warning ${row.warning} expected; ${detail}`);
  if (!expected && row.error && !row.crdDenies && row.valid === expected) {
    assert.ok(r.errors.some((e) => e.message.includes(row.error!)), `an error containing Istio's wording ${JSON.stringify(row.error)} expected; ${detail}`);
  }
  if (expected && row.warningText) assert.ok(r.warnings.some((w) => w.includes(row.warningText!)), `a warning containing ${JSON.stringify(row.warningText)} expected; ${detail}`);
}

/** A row of the networking tables: the Istio test's verdict, its source line, and the wording it expects. */
export interface NetRow { name: string; line: number; valid: boolean; warning?: boolean; message?: string; warningText?: string; note?: string; input: unknown }

/** One `it` per row: pilotfish's verdict, warnings and wording against Istio's. */
export function run(rows: NetRow[]): void {
  for (const r of rows) {
    it(r.line ? `${r.name} (line ${r.line})` : r.name, () => {
      const res = validateResource(r.input);
      assert.equal(res.handled, true);
      const valid = res.errors.length === 0;
      assert.equal(valid, r.valid, `Istio ${r.valid ? "admits" : "denies"}, pilotfish ${valid ? "admits" : "denies"}: ${formatErrors(res.errors)}`);
      if (r.valid && r.warning !== undefined) assert.equal(res.warnings.length > 0, r.warning, `warnings: ${JSON.stringify(res.warnings)}`);
      if (r.valid && r.warningText) assert.ok(res.warnings.some((w) => w.includes(r.warningText!)), `warning should contain ${JSON.stringify(r.warningText)}: ${JSON.stringify(res.warnings)}`);
      if (!r.valid && r.message) assert.ok(formatErrors(res.errors).includes(r.message), `message should contain ${JSON.stringify(r.message)}: ${formatErrors(res.errors)}`);
    });
  }
}
