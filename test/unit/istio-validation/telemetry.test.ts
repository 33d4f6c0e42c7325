// Cases ported from Istio 1.30.3 pkg/config/validation/validation_test.go (TestValidateTelemetry), Apache-2.0
// Cases ported from Istio 1.30.3 pkg/config/validation/validation_test.go (TestValidateTelemetryFilter), Apache-2.0
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateResource } from "../../../src/webhook/validate/index.js";

// One row per Istio test case: the Go struct literal translated into the resource's YAML/JSON shape.
// valid/warning: Istio's expectation. error/warningText: the substring Istio's test expects in its message (pilotfish's
// message must contain it). istioError/istioWarning: what Istio 1.30.3 actually answers (for reference).
// crdDenies: the CRD schema of Istio 1.30.3 (enforced by the API server before the webhook) rejects this object although
// the Go function accepts it; pilotfish models both layers, so the expected verdict is "denied".
// webhookAdmits: the Go literal has no exact YAML form, and its YAML form is admitted by Istio's webhook (its JSON decoder
// reads `[]` as unset; the API server drops `key: null` map entries), so the expected verdict is "admitted".
// Rows ported from pkg/config/security/security_test.go test one helper; each becomes the smallest resource that reaches
// it, and `valid` is Istio 1.30.3's verdict on that resource (note says where it differs from the helper's own verdict).
interface Row {
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

function check(row: Row): void {
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

const TestValidateTelemetry: Row[] = [
  {"name": "empty", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {}}, "valid": true, "warning": false},
  {"name": "multiple providers", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"tracing": [{"providers": [{"name": "a"}, {"name": "b"}]}]}}, "valid": true, "warning": true, "warningText": "multiple providers", "istioWarning": "multiple providers is not currently supported"},
  {"name": "multiple tracers", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"tracing": [{}, {}]}}, "valid": true, "warning": true, "warningText": "multiple tracing", "istioWarning": "multiple tracing is not currently supported"},
  {"name": "bad randomSamplingPercentage", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"tracing": [{"randomSamplingPercentage": 101}]}}, "valid": false, "warning": false, "error": "randomSamplingPercentage", "istioError": "randomSamplingPercentage must be in range [0.0, 100.0]"},
  {"name": "tracing with a good custom tag", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"tracing": [{"customTags": {"clusterID": {"environment": {"name": "FOO"}}}}]}}, "valid": true, "warning": false},
  {"name": "tracing with a nil custom tag", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"tracing": [{"customTags": {"clusterID": null}}]}}, "valid": false, "warning": false, "error": "tag 'clusterID' may not have a nil value", "istioError": "tag 'clusterID' may not have a nil value", "webhookAdmits": "a nil map value has no YAML form: `clusterID: null` is dropped by the API server (and ApplyJSON decodes it as an empty CustomTag, which Istio accepts)"},
  {"name": "bad metrics operation", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"metrics": [{"overrides": [{"tagOverrides": {"my-tag": {}}}]}]}}, "valid": false, "warning": false, "error": "must be set when operation is UPSERT", "istioError": "tagOverrides.value must be set when operation is UPSERT"},
  {"name": "good metrics operation", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"metrics": [{"overrides": [{"tagOverrides": {"my-tag": {"value": "some-cel-expression"}}}]}]}}, "valid": true, "warning": false},
  {"name": "multi-accessloggings", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"accessLogging": [{"providers": [{"name": "envoy"}]}, {"providers": [{"name": "otel"}]}]}}, "valid": true, "warning": false},
  {"name": "multi-accesslogging-providers", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"accessLogging": [{"providers": [{"name": "envoy"}, {"name": "otel"}]}]}}, "valid": true, "warning": false},
  {"name": "good targetRef", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "foo"}, "tracing": [{"customTags": {"clusterID": {"environment": {"name": "FOO"}}}}]}}, "valid": true, "warning": false},
  {"name": "bad targetRef - empty name", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway"}, "tracing": [{"customTags": {"clusterID": {"environment": {"name": "FOO"}}}}]}}, "valid": false, "warning": false, "error": "targetRef name must be set", "istioError": "targetRef name must be set"},
  {"name": "bad targetRef - non-empty namespace", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "foo", "namespace": "bar"}, "tracing": [{"customTags": {"clusterID": {"environment": {"name": "FOO"}}}}]}}, "valid": false, "warning": false, "error": "targetRef namespace must not be set", "istioError": "targetRef namespace must not be set; cross namespace referencing is not supported"},
  {"name": "bad targetRef - wrong group", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "wrong-group", "kind": "Gateway", "name": "foo"}, "tracing": [{"customTags": {"clusterID": {"environment": {"name": "FOO"}}}}]}}, "valid": false, "warning": false, "error": "targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was wrong-group/Gateway", "istioError": "targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was wrong-group/Gateway"},
  {"name": "bad targetRef - wrong kind", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "wrong-kind", "name": "foo"}, "tracing": [{"customTags": {"clusterID": {"environment": {"name": "FOO"}}}}]}}, "valid": false, "warning": false, "error": "targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was gateway.networking.k8s.io/wrong-kind", "istioError": "targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was gateway.networking.k8s.io/wrong-kind"},
  {"name": "targetRef and selector cannot both be set", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"app": "httpbin"}}, "targetRef": {"group": "gateway.networking.k8s.io", "kind": "wrong-kind", "name": "foo"}, "tracing": [{"customTags": {"clusterID": {"environment": {"name": "FOO"}}}}]}}, "valid": false, "warning": false, "error": "only one of targetRefs or workloadSelector can be set", "istioError": "2 errors occurred:\n\t* only one of targetRefs or workloadSelector can be set\n\t* targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was gateway.networking.k8s.io/wrong-kind\n\n"},
];

const TestValidateTelemetryFilter: Row[] = [
  {"name": "filter \"response.code >= 400\"", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"accessLogging": [{"filter": {"expression": "response.code >= 400"}}]}}, "valid": true},
  {"name": "filter \"connection.mtls && request.url_path.contains('v1beta3')\"", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"accessLogging": [{"filter": {"expression": "connection.mtls && request.url_path.contains('v1beta3')"}}]}}, "valid": true},
  {"name": "filter \"response.code\"", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"accessLogging": [{"filter": {"expression": "response.code"}}]}}, "valid": true},
  {"name": "filter \")++++\"", "input": {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"accessLogging": [{"filter": {"expression": ")++++"}}]}}, "valid": false},
];

describe("TestValidateTelemetry", () => {
  for (const row of TestValidateTelemetry) it(row.name, () => check(row));
});

describe("TestValidateTelemetryFilter", () => {
  for (const row of TestValidateTelemetryFilter) it(row.name, () => check(row));
});
