// Cases ported from Istio 1.30.3 pkg/config/validation/validation_test.go (TestValidateWorkloadEntry, TestValidateWorkloadGroup), Apache-2.0.
// Each row is one case of Istio's own Go test table, its struct literal translated into the resource's YAML/JSON shape
// (the proto's JSON names), wrapped in a whole resource when Istio's test calls a sub-function (see the describe names).
// `line` is the case's line in Istio's test file. valid/warning are Istio's verdicts; `message` is the substring
// Istio's test expects in the error, `warningText` in the warning. Rows marked `note` differ from the Go table for a
// reason given there.
import { describe } from "node:test";
import { run, type NetRow as Row } from "./rows.js";

describe("TestValidateWorkloadEntry (pkg/config/validation/validation_test.go)", () => {
  run([
    {"name":"valid","line":2615,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"address":"1.2.3.4"}}},
    {"name":"missing address","line":2620,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{}}},
    {"name":"missing address with network","line":2625,"valid":true,"warning":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"network":"network-2"}}},
    {"name":"valid unix endpoint","line":2631,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"address":"unix:///lon/google/com"}}},
    {"name":"invalid unix endpoint","line":2636,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"address":"unix:///lon/google/com","ports":{"7777":7777}}}},
    {"name":"valid FQDN","line":2641,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"address":"validdns.com","ports":{"7777":7777}}}},
    {"name":"invalid FQDN","line":2646,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"address":"invaliddns.com:9443","ports":{"7777":7777}}}},
    {"name":"valid IP","line":2651,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"address":"172.16.1.1","ports":{"7777":7777}}}},
  ]);
});

describe("TestValidateWorkloadGroup (pkg/config/validation/validation_test.go)", () => {
  run([
    {"name":"valid","line":2672,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"template":{}}}},
    {"name":"invalid","line":2677,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"metadata":{"labels":{".":"~"}},"template":{}}}},
    {"name":"probe missing method","line":2684,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{},"template":{}}}},
    {"name":"probe nil","line":2692,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{"healthCheckMethod":{}},"template":{}}}},
    {"name":"probe http empty","line":2702,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{"httpGet":{}},"template":{}}}},
    {"name":"probe http valid","line":2714,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{"httpGet":{"port":5}},"template":{}}}},
    {"name":"probe tcp invalid","line":2728,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{"tcpSocket":{}},"template":{}}}},
    {"name":"probe tcp valid","line":2740,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{"tcpSocket":{"port":5}},"template":{}}}},
    {"name":"probe exec invalid","line":2754,"valid":false,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{"exec":{}},"template":{}}}},
    {"name":"probe exec valid","line":2766,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"probe":{"exec":{"command":["foo","bar"]}},"template":{}}}},
  ]);
});

describe("edge cases read from Istio 1.30.3's validation code (not in its test tables; each names the Istio function)", () => {
  run([
    {"name":"validateReadinessProbe: a probe without a method","line":0,"valid":false,"message":"unknown health check method","input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"template":{},"probe":{"periodSeconds":1}}}},
    {"name":"ValidateWorkloadGroup: the template address is not validated","line":0,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"template":{"address":"not an address"}}}},
    {"name":"validateWorkloadEntry: FQDN addresses are allowed","line":0,"valid":true,"input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"foo"},"spec":{"address":"vm.example.com"}}},
    {"name":"CRD CEL: WorkloadGroup template ports must be 1..65535 (the webhook does not check the template)","line":0,"valid":false,"message":"port must be between 1-65535","input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"template":{"ports":{"http":70000}}}}},
    {"name":"validateReadinessProbe: grpc probes fall into Istio's default case","line":0,"valid":false,"message":"unknown health check method","input":{"apiVersion":"networking.istio.io/v1","kind":"WorkloadGroup","metadata":{"name":"foo"},"spec":{"template":{},"probe":{"grpc":{"port":8080}}}}},
  ]);
});
