// Cases ported from Istio 1.30.3 pkg/config/validation/validation_test.go (TestValidatePeerAuthentication), Apache-2.0
import { describe, it } from "node:test";
import { check, type Row } from "./rows.js";

const TestValidatePeerAuthentication: Row[] = [
  {"name": "empty spec", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {}}, "valid": true, "warning": false},
  {"name": "empty mtls with selector of empty labels", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"selector": {}}}, "valid": true, "warning": true, "istioWarning": "workload selector specified without labels"},
  {"name": "empty spec with non default name", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {}}, "valid": true, "warning": false},
  {"name": "default name with non empty selector", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"app": "httpbin"}}}}, "valid": true, "warning": false},
  {"name": "empty port level mtls", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"app": "httpbin"}}, "portLevelMtls": {}}}, "valid": false, "warning": false, "istioError": "port level mTLS, if defined, must have at least one element"},
  {"name": "empty selector with port level mtls", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"portLevelMtls": {"8080": {}}}}, "valid": false, "warning": false, "istioError": "mesh/namespace peer authentication cannot have port level mTLS"},
  {"name": "port 0", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "foo", "namespace": "bar"}, "spec": {"portLevelMtls": {"0": {}}}}, "valid": false, "warning": false, "istioError": "2 errors occurred:\n\t* mesh/namespace peer authentication cannot have port level mTLS\n\t* port must be in range 1..65535\n\n"},
  {"name": "unset mode", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "bar"}, "spec": {"mtls": {}}}, "valid": true, "warning": false},
  {"name": "port level", "input": {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "port-level", "namespace": "bar"}, "spec": {"selector": {"matchLabels": {"app": "httpbin"}}, "portLevelMtls": {"8080": {}}}}, "valid": true, "warning": false},
];

describe("TestValidatePeerAuthentication", () => {
  for (const row of TestValidatePeerAuthentication) it(row.name, () => check(row));
});
