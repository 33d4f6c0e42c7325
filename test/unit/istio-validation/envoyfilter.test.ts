// Cases ported from Istio 1.30.3 pkg/config/validation/envoyfilter/envoyfilter_test.go (TestValidateEnvoyFilter), Apache-2.0.
// Each row is one case of Istio's own Go test table, its struct literal translated into the resource's YAML/JSON shape
// (the proto's JSON names), wrapped in a whole resource when Istio's test calls a sub-function (see the describe names).
// `line` is the case's line in Istio's test file. valid/warning are Istio's verdicts; `message` is the substring
// Istio's test expects in the error, `warningText` in the warning. Rows marked `note` differ from the Go table for a
// reason given there.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateResource, formatErrors } from "../../../src/webhook/validate/index.js";

interface Row { name: string; line: number; valid: boolean; warning?: boolean; message?: string; warningText?: string; note?: string; input: unknown }

function run(rows: Row[]): void {
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

describe("TestValidateEnvoyFilter (pkg/config/validation/envoyfilter/envoyfilter_test.go)", () => {
  run([
    {"name":"empty filters","line":70,"valid":true,"input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{}}},
    {"name":"labels not defined in workload selector","line":71,"valid":true,"warningText":"Envoy filter: workload selector specified without labels, will be applied to all services in namespace","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"workloadSelector":{}}}},
    {"name":"invalid applyTo","line":74,"valid":false,"message":"Envoy filter: missing applyTo","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{}]}}},
    {"name":"nil patch","line":81,"valid":false,"message":"Envoy filter: missing patch","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"LISTENER"}]}}},
    {"name":"invalid patch operation","line":89,"valid":false,"message":"Envoy filter: missing patch operation","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"LISTENER","patch":{}}]}}},
    {"name":"nil patch value","line":97,"valid":false,"message":"Envoy filter: missing patch value for non-remove operation","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"LISTENER","patch":{"operation":"ADD"}}]}}},
    {"name":"match with invalid regex","line":107,"valid":false,"message":"Envoy filter: invalid regex for proxy version, [error parsing regexp: invalid nested repetition operator: `++`]","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"LISTENER","match":{"proxy":{"proxyVersion":"%#@~++==`24c234`"}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"match with valid regex","line":122,"valid":true,"input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"LISTENER","match":{"proxy":{"proxyVersion":"release-1\\.2-23434"}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"listener with invalid match","line":137,"valid":false,"message":"Envoy filter: applyTo for listener class objects cannot have non listener match","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"LISTENER","match":{"cluster":{}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"listener with invalid filter match","line":152,"valid":false,"message":"Envoy filter: filter match has no name to match on","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"NETWORK_FILTER","match":{"listener":{"filterChain":{"filter":{},"sni":"124"}}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"listener with sub filter match and invalid applyTo","line":172,"valid":false,"message":"Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"NETWORK_FILTER","match":{"listener":{"filterChain":{"filter":{"name":"random","subFilter":{}}}}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"listener with sub filter match and invalid filter name","line":194,"valid":false,"message":"Envoy filter: subfilter match requires filter match with envoy.filters.network.http_connection_manager","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"HTTP_FILTER","match":{"listener":{"filterChain":{"filter":{"name":"random","subFilter":{}}}}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"listener with sub filter match and no sub filter name","line":216,"valid":false,"message":"Envoy filter: subfilter match has no name to match on","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"HTTP_FILTER","match":{"listener":{"filterChain":{"filter":{"name":"envoy.filters.network.http_connection_manager","subFilter":{}}}}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"route configuration with invalid match","line":238,"valid":false,"message":"Envoy filter: applyTo for http route class objects cannot have non route configuration match","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"VIRTUAL_HOST","match":{"cluster":{}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"cluster with invalid match","line":253,"valid":false,"message":"Envoy filter: applyTo for cluster class objects cannot have non cluster match","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"CLUSTER","match":{"listener":{}},"patch":{"operation":"REMOVE"}}]}}},
    {"name":"invalid patch value","line":268,"valid":false,"message":"Envoy filter: json: cannot unmarshal bool into Go value of type string","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"CLUSTER","match":{"cluster":{}},"patch":{"operation":"ADD","value":{"name":false}}}]}}},
    {"name":"happy config","line":290,"valid":true,"input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"CLUSTER","match":{"cluster":{}},"patch":{"operation":"ADD","value":{"lb_policy":"RING_HASH"}}},{"applyTo":"NETWORK_FILTER","match":{"listener":{"filterChain":{"name":"envoy.tcp_proxy"}}},"patch":{"operation":"INSERT_BEFORE","value":{"typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"}}}},{"applyTo":"NETWORK_FILTER","match":{"listener":{"filterChain":{"name":"envoy.tcp_proxy"}}},"patch":{"operation":"INSERT_FIRST","value":{"typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"}}}}]}}},
    {"name":"deprecated config","line":372,"valid":false,"message":"referenced type unknown (hint: try using the v3 XDS API)","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"NETWORK_FILTER","match":{"listener":{"filterChain":{"name":"envoy.tcp_proxy"}}},"patch":{"operation":"INSERT_FIRST","value":{"typed_config":{"@type":"type.googleapis.com/envoy.config.filter.network.ext_authz.v2.ExtAuthz"}}}}]}}},
    {"name":"deprecated type","line":406,"valid":true,"warningText":"using deprecated filter name","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"HTTP_FILTER","match":{"listener":{"filterChain":{"filter":{"name":"envoy.http_connection_manager"}}}},"patch":{"operation":"INSERT_FIRST","value":{}}}]}}},
    {"name":"duration marshal","line":429,"valid":true,"input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"CLUSTER","patch":{"operation":"ADD","value":{"dns_refresh_rate":"500ms"}}}]}}},
  ]);
});

describe("edge cases read from Istio 1.30.3's validation code (not in its test tables; each names the Istio function)", () => {
  run([
    {"name":"validateEnvoyFilter: filter match has no effect with applyTo LISTENER (warning)","line":0,"valid":true,"warningText":"filter match has no effect when used with LISTENER","input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"LISTENER","match":{"listener":{"filterChain":{"filter":{"name":"envoy.filters.network.tcp_proxy"}}}},"patch":{"operation":"MERGE","value":{}}}]}}},
    {"name":"validateEnvoyFilter: patches with context WAYPOINT are not checked","line":0,"valid":true,"input":{"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"foo","namespace":"bar"},"spec":{"configPatches":[{"applyTo":"CLUSTER","match":{"context":"WAYPOINT","waypoint":{"portNumber":80}},"patch":{"operation":"MERGE"}}]}}},
  ]);
});
