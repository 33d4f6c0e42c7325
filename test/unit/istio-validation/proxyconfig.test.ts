// Cases ported from Istio 1.30.3 pkg/config/validation/validation_test.go (TestValidateProxyConfig), Apache-2.0
import { describe, it } from "node:test";
import { check, type Row } from "./rows.js";

const TestValidateProxyConfig: Row[] = [
  {"name": "empty", "input": {"apiVersion": "networking.istio.io/v1beta1", "kind": "ProxyConfig", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {}}, "valid": true, "warning": false},
  {"name": "invalid concurrency", "input": {"apiVersion": "networking.istio.io/v1beta1", "kind": "ProxyConfig", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"concurrency": -1}}, "valid": false, "warning": false, "error": "concurrency must be greater than or equal to 0", "istioError": "concurrency must be greater than or equal to 0"},
];

describe("TestValidateProxyConfig", () => {
  for (const row of TestValidateProxyConfig) it(row.name, () => check(row));
});
