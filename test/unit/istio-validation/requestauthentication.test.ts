// Cases ported from Istio 1.30.3 pkg/config/validation/validation_test.go (TestValidateRequestAuthentication), Apache-2.0
// Cases ported from Istio 1.30.3 pkg/config/security/security_test.go (TestParseJwksURI), Apache-2.0
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

const TestValidateRequestAuthentication: Row[] = [
  {"name": "empty spec", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {}}, "valid": true, "warning": false},
  {"name": "another empty spec", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"selector": {}}}, "valid": true, "warning": true, "istioWarning": "workload selector specified without labels"},
  {"name": "empty spec with non default name", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {}}, "valid": true, "warning": false},
  {"name": "dry run annotation not supported", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar", "annotations": {"istio.io/dry-run": "true"}}, "spec": {}}, "valid": false, "warning": false, "istioError": "bar/foo has unsupported annotation istio.io/dry-run, please remove the annotation"},
  {"name": "default name with non empty selector", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"app": "httpbin"}}}}, "valid": true, "warning": false},
  {"name": "empty jwt rule", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"jwtRules": [{}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* issuer or jwksUri must be non-empty string\n\n"},
  {"name": "empty issuer and jwksUri", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"jwtRules": [{}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* issuer or jwksUri must be non-empty string\n\n"},
  {"name": "empty issuer and set jwksUri", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"jwtRules": [{"jwksUri": "https://foo.com/cert"}]}}, "valid": true, "warning": false},
  {"name": "bad JwksUri - no protocol", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "foo.com"}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* URI scheme \"\" is not supported\n\n"},
  {"name": "bad JwksUri - invalid port", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com:not-a-number"}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* parse \"https://foo.com:not-a-number\": invalid port \":not-a-number\" after host\n\n"},
  {"name": "empty value", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"app": "httpbin", "version": ""}}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": true, "warning": false},
  {"name": "bad workload selector - empty key", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"": "v1", "app": "httpbin"}}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": false, "warning": false, "istioError": "empty key is not supported in selector: \"=v1\""},
  {"name": "good targetRef", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "foo"}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": true, "warning": false},
  {"name": "bad targetRef - empty name", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway"}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": false, "warning": false, "istioError": "targetRef name must be set"},
  {"name": "bad targetRef - non-empty namespace", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "foo", "namespace": "bar"}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": false, "warning": false, "istioError": "targetRef namespace must not be set; cross namespace referencing is not supported"},
  {"name": "bad targetRef - wrong group", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "wrong-group", "kind": "Gateway", "name": "foo"}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": false, "warning": false, "istioError": "targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was wrong-group/Gateway"},
  {"name": "bad targetRef - wrong kind", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "wrong-kind", "name": "foo"}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": false, "warning": false, "istioError": "targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was gateway.networking.k8s.io/wrong-kind"},
  {"name": "targetRef and selector cannot both be set", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"app": "httpbin"}}, "targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "foo"}, "jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com/cert"}]}}, "valid": false, "warning": false, "istioError": "only one of targetRefs or workloadSelector can be set"},
  {"name": "bad header location", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "fromHeaders": [{"prefix": "Bearer "}]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* location header name must be non-empty string\n\n"},
  {"name": "bad param location", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "fromParams": [""]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* location query must be non-empty string\n\n"},
  {"name": "good", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "fromHeaders": [{"name": "x-foo", "prefix": "Bearer "}]}]}}, "valid": true, "warning": false},
  {"name": "bad cookie location", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "fromCookies": ["", "foo"]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* cookie name must be non-empty string\n\n"},
  {"name": "jwks ok", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwks": "{ \"keys\":[ {\"e\":\"AQAB\",\"kid\":\"DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ\",\"kty\":\"RSA\",\"n\":\"xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8H07pSAGQO1MV_xFj9VswgsCg4R6otmg5PV2He95lZdHtOcU5DXIg_pbhLdKXbi66GlVeK6ABZOUW3WYtnNHD-91gVuoeJT_DwtGGcp4ignkgXfkiEm4sw-4sfb4qdt5oLbyVpmW6x9cfa7vs2WTfURiCrBoUqgBo_-4WTiULmmHSGZHOjzwa8WtrtOQGsAFjIbno85jp6MnGGGZPYZbDAa_b3y5u-YpW7ypZrvD8BgtKVjgtQgZhLAGezMt0ua3DRrWnKqTZ0BJ_EyxOGuHJrLsn00fnMQ\"}]}", "fromHeaders": [{"name": "x-foo", "prefix": "Bearer "}]}]}}, "valid": true, "warning": false},
  {"name": "jwks error", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwks": "foo", "fromHeaders": [{"name": "x-foo", "prefix": "Bearer "}]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* jwks parse error: failed to unmarshal JWK set: invalid character 'o' in literal false (expecting 'a')\n\n"},
  {"name": "jwks with private RSA key warns", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwks": "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\",\"kid\":\"private\",\"n\":\"xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8H07pSAGQO1MV_xFj9VswgsCg4R6otmg5PV2He95lZdHtOcU5DXIg_pbhLdKXbi66GlVeK6ABZOUW3WYtnNHD-91gVuoeJT_DwtGGcp4ignkgXfkiEm4sw-4sfb4qdt5oLbyVpmW6x9cfa7vs2WTfURiCrBoUqgBo_-4WTiULmmHSGZHOjzwa8WtrtOQGsAFjIbno85jp6MnGGGZPYZbDAa_b3y5u-YpW7ypZrvD8BgtKVjgtQgZhLAGezMt0ua3DRrWnKqTZ0BJ_EyxOGuHJrLsn00fnMQ\",\"d\":\"jJVKLOMXjlSnICzfP_eWshwR_DQp1U_GBLn-bL2qf90U5GMRDg5fT7Df3M2zL3DhMzdLDIeBmh-ujMTPjU0PWyVN5JX9LBhAOgsX3DKAdR2KMlEsBM4HE6VV1JhqQozqAcSPwhBHJM_pBM21S94EZf_RbA0PvyLcjeLP4WqAOY-J4OXVR3rzKwAH02NjLBR-Tnoiv-WlPZbE9SmYJL0G3xRFVELYwf4l7t-PSrZxk6V_xrTLpsScA-WICTaXmRGyDOSBuiBfHfDQyiTfQEUjcc6aQ7slLAwfmU2AeYJqHk1zwZpDJpgEf9G3eYi09Q2MLpzSjMxWVqV5L7TtcoGv5Q\"}]}"}]}}, "valid": true, "warning": true, "istioWarning": "jwks key at index 0 contains private key material; only public keys are used for verification"},
  {"name": "null outputClaimToHeader", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "outputClaimToHeaders": [{}]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* outputClaimToHeaders header and claim value must be non-empty string\n\n"},
  {"name": "null claim value in outputClaimToHeader ", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "outputClaimToHeaders": [{"header": "x-jwt-claim"}]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* outputClaimToHeaders header and claim value must be non-empty string\n\n"},
  {"name": "null header value in outputClaimToHeader ", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "outputClaimToHeaders": [{"claim": "sub"}]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* outputClaimToHeaders header and claim value must be non-empty string\n\n"},
  {"name": "invalid header value in outputClaimToHeader ", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.com", "outputClaimToHeaders": [{"header": "abc%123", "claim": "sub"}]}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* header name abc%123 is not a valid header name\n\n"},
];

const TestParseJwksURI: Row[] = [
  {"name": "jwksUri \"foo.bar.com\"", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "name", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "foo.bar.com"}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* URI scheme \"\" is not supported\n\n"},
  {"name": "jwksUri \"tcp://foo.bar.com:abc\"", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "name", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "tcp://foo.bar.com:abc"}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* parse \"tcp://foo.bar.com:abc\": invalid port \":abc\" after host\n\n"},
  {"name": "jwksUri \"http://foo.bar.com:abc\"", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "name", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "http://foo.bar.com:abc"}]}}, "valid": false, "warning": false, "istioError": "1 error occurred:\n\t* parse \"http://foo.bar.com:abc\": invalid port \":abc\" after host\n\n"},
  {"name": "jwksUri \"http://foo.bar.com\"", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "name", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "http://foo.bar.com"}]}}, "valid": true, "warning": false},
  {"name": "jwksUri \"https://foo.bar.com\"", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "name", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.bar.com"}]}}, "valid": true, "warning": false},
  {"name": "jwksUri \"http://foo.bar.com:1234\"", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "name", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "http://foo.bar.com:1234"}]}}, "valid": true, "warning": false},
  {"name": "jwksUri \"https://foo.bar.com:1234/secure/key\"", "input": {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "name", "namespace": "bar"}, "spec": {"jwtRules": [{"issuer": "foo.com", "jwksUri": "https://foo.bar.com:1234/secure/key"}]}}, "valid": true, "warning": false},
];

describe("TestValidateRequestAuthentication", () => {
  for (const row of TestValidateRequestAuthentication) it(row.name, () => check(row));
});

describe("TestParseJwksURI", () => {
  for (const row of TestParseJwksURI) it(row.name, () => check(row));
});
