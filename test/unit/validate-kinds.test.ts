// Validation core, kind by kind: a good resource passes, each bad one is rejected at the right field path with a
// plain reason. Expectations are written from Istio 1.30.3's rules (../shared/spec/validation.md), not from output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { admissionValidate, validateResource } from "../../src/webhook/validate/index.js";

type Spec = Record<string, unknown>;
const res = (apiVersion: string, kind: string, spec: Spec, meta: Spec = {}) => ({ apiVersion, kind, metadata: { name: "x", namespace: "ns", ...meta }, spec });
const net = (kind: string, spec: Spec, meta?: Spec) => res("networking.istio.io/v1", kind, spec, meta);
const sec = (kind: string, spec: Spec) => res("security.istio.io/v1", kind, spec);

function ok(obj: unknown) {
  const r = validateResource(obj, { offline: true });
  assert.deepEqual(r.errors, [], "expected valid");
  return r;
}
function bad(obj: unknown, path: string, reason: RegExp) {
  const r = validateResource(obj, { offline: true });
  const hit = r.errors.find((e) => e.path === path);
  assert.ok(hit, `expected an error at ${path}; got ${JSON.stringify(r.errors)}`);
  assert.match(hit.message, reason);
}

const GW_SERVER = { port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: ["shop/*.example.com"], tls: { mode: "SIMPLE", credentialName: "shop-cert" } };

describe("Gateway", () => {
  it("accepts an HTTPS server with a credential and a namespaced wildcard host", () => ok(net("Gateway", { selector: { istio: "ingressgateway" }, servers: [GW_SERVER] })));
  it("requires TLS settings on HTTPS ports", () => bad(net("Gateway", { servers: [{ ...GW_SERVER, tls: undefined }] }), "spec.servers[0].tls", /tls|TLS/));
  it("rejects partial wildcards in hosts", () => bad(net("Gateway", { servers: [{ ...GW_SERVER, hosts: ["*bar.com"] }] }), "spec.servers[0].hosts[0]", /wildcard/));
  it("rejects port numbers outside 1..65535", () => bad(net("Gateway", { servers: [{ ...GW_SERVER, port: { number: 70000, name: "https", protocol: "HTTPS" } }] }), "spec.servers[0].port.number", /65535/));
  it("rejects two certificate sources on one server", () => {
    const r = validateResource(net("Gateway", { servers: [{ ...GW_SERVER, tls: { mode: "SIMPLE", credentialName: "a", serverCertificate: "/c", privateKey: "/k" } }] }));
    assert.ok(r.errors.some((e) => /only one of credentialName/.test(e.message)));
  });
  it("rejects duplicate port names across servers", () => {
    const r = validateResource(net("Gateway", { servers: [GW_SERVER, { ...GW_SERVER, hosts: ["b.example.com"] }] }));
    assert.ok(r.errors.some((e) => e.path === "spec.servers[1].port.name" && /used by another server/.test(e.message)), JSON.stringify(r.errors));
  });
});

const VS = { hosts: ["reviews"], http: [{ match: [{ uri: { prefix: "/api" } }], route: [{ destination: { host: "reviews", subset: "v1" }, weight: 80 }, { destination: { host: "reviews", subset: "v2" }, weight: 20 }], timeout: "3s", retries: { attempts: 3, perTryTimeout: "1s" } }] };

describe("VirtualService", () => {
  it("accepts weighted routes, matches, timeouts and retries", () => ok(net("VirtualService", VS)));
  it("names a misspelt field and suggests the right one", () => bad(net("VirtualService", { hosts: ["r"], http: [{ route: [{ destinations: { host: "r" } }] }] }), "spec.http[0].route[0].destinations", /did you mean "destination"/));
  it("requires a destination host", () => bad(net("VirtualService", { hosts: ["r"], http: [{ route: [{ destination: { subset: "v1" } }] }] }), "spec.http[0].route[0].destination.host", /Required|required/));
  it("rejects negative weights", () => bad(net("VirtualService", { hosts: ["r"], http: [{ route: [{ destination: { host: "r" }, weight: -15 }] }] }), "spec.http[0].route[0].weight", /-15|negative|< 0/));
  it("rejects bad durations", () => bad(net("VirtualService", { hosts: ["r"], http: [{ route: [{ destination: { host: "r" } }], timeout: "5 seconds" }] }), "spec.http[0].timeout", /duration/));
  it("keeps abort statuses in Istio's range", () => bad(net("VirtualService", { hosts: ["r"], http: [{ route: [{ destination: { host: "r" } }], fault: { abort: { httpStatus: 1000, percentage: { value: 1 } } } }] }), "spec.http[0].fault.abort.httpStatus", /200\.\.600/));
  it("rejects fault percentages above 100", () => bad(net("VirtualService", { hosts: ["r"], http: [{ route: [{ destination: { host: "r" } }], fault: { delay: { fixedDelay: "1s", percentage: { value: 150 } } } }] }), "spec.http[0].fault.delay.percentage.value", /100/));
  it("requires at least one of http, tcp or tls", () => {
    const r = validateResource(net("VirtualService", { hosts: ["r"] }));
    assert.ok(r.errors.some((e) => /http, tcp or tls/.test(e.message)), JSON.stringify(r.errors));
  });
  it("accepts Istio's auto-generated SNI names only on gateway-bound TLS routes, and only well formed", () => {
    const tlsVs = (sni: string, gateways?: string[]) => net("VirtualService", { hosts: [sni], ...(gateways ? { gateways } : {}), tls: [{ match: [{ sniHosts: [sni] }], route: [{ destination: { host: "r" } }] }] });
    ok(tlsVs("outbound_.80_._.e2e.foobar.mesh", ["istio-system/gw"]));
    assert.ok(validateResource(tlsVs("outbound_.80_._.e2e.foobar.mesh")).errors.length > 0, "mesh-bound");
    assert.ok(validateResource(tlsVs("outbound_.notAPort_._.e2e.foobar.mesh", ["gw"])).errors.length > 0, "port not a number");
    assert.ok(validateResource(tlsVs("neverbound_.80_._.e2e.foobar.mesh", ["gw"])).errors.length > 0, "direction");
  });
  it("rejects an invalid regex", () => {
    const r = validateResource(net("VirtualService", { hosts: ["r"], http: [{ match: [{ uri: { regex: "([a-z" } }], route: [{ destination: { host: "r" } }] }] }));
    assert.ok(r.errors.some((e) => e.path.startsWith("spec.http[0].match[0].uri")), JSON.stringify(r.errors));
  });
});

describe("DestinationRule", () => {
  const DR = { host: "reviews.shop.svc.cluster.local", trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" }, connectionPool: { tcp: { maxConnections: 100 } }, outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 } }, subsets: [{ name: "v1", labels: { version: "v1" } }] };
  it("accepts load balancing, pools, outlier detection and subsets", () => ok(net("DestinationRule", DR)));
  it("suggests the enum value meant", () => bad(net("DestinationRule", { host: "r", trafficPolicy: { loadBalancer: { simple: "ROUND_ROBBIN" } } }), "spec.trafficPolicy.loadBalancer.simple", /did you mean "ROUND_ROBIN"/));
  it("requires the host", () => bad(net("DestinationRule", { subsets: [{ name: "v1" }] }), "spec.host", /Required/));
  it("rejects outlier percentages over 100", () => bad(net("DestinationRule", { host: "r", trafficPolicy: { outlierDetection: { maxEjectionPercent: 150 } } }), "spec.trafficPolicy.outlierDetection.maxEjectionPercent", /100/));
  it("requires client certificates for MUTUAL TLS without a credential", () => {
    const r = validateResource(net("DestinationRule", { host: "r", trafficPolicy: { tls: { mode: "MUTUAL" } } }));
    assert.ok(r.errors.some((e) => /client certificate|clientCertificate/i.test(e.message)), JSON.stringify(r.errors));
  });
});

describe("ServiceEntry, Sidecar, WorkloadEntry", () => {
  it("accepts an external HTTPS ServiceEntry", () => ok(net("ServiceEntry", { hosts: ["api.example.com"], ports: [{ number: 443, name: "https", protocol: "TLS" }], resolution: "DNS", location: "MESH_EXTERNAL" })));
  it("rejects endpoints with resolution NONE", () => {
    const r = validateResource(net("ServiceEntry", { hosts: ["a.example.com"], ports: [{ number: 80, name: "http", protocol: "HTTP" }], resolution: "NONE", endpoints: [{ address: "1.2.3.4" }] }));
    assert.ok(r.errors.length > 0);
  });
  it("rejects an empty Sidecar", () => assert.ok(validateResource(net("Sidecar", {})).errors.length > 0));
  it("accepts a Sidecar restricting egress", () => ok(net("Sidecar", { egress: [{ hosts: ["./*", "istio-system/*"] }] })));
  it("rejects a WorkloadEntry port above 65535", () => {
    const r = validateResource(net("WorkloadEntry", { address: "10.0.0.1", ports: { http: 70000 } }));
    assert.ok(r.errors.some((e) => /65535/.test(e.message)), JSON.stringify(r.errors));
  });
});

describe("security", () => {
  it("accepts a PeerAuthentication with a selector and port-level mTLS", () => ok(sec("PeerAuthentication", { selector: { matchLabels: { app: "web" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "PERMISSIVE" } } })));
  it("suggests the mTLS mode meant", () => bad(sec("PeerAuthentication", { mtls: { mode: "STRCT" } }), "spec.mtls.mode", /did you mean "STRICT"/));
  it("accepts an AuthorizationPolicy with from/to/when", () =>
    ok(sec("AuthorizationPolicy", { action: "ALLOW", rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }], to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }], when: [{ key: "request.headers[x-team]", values: ["a"] }] }] })));
  it("rejects unknown condition keys", () => {
    const r = validateResource(sec("AuthorizationPolicy", { rules: [{ when: [{ key: "request.bogus", values: ["a"] }] }] }));
    assert.ok(r.errors.some((e) => e.path.startsWith("spec.rules[0].when[0]")), JSON.stringify(r.errors));
  });
  it("rejects selector together with targetRef", () => {
    const r = validateResource(sec("AuthorizationPolicy", { selector: { matchLabels: { app: "a" } }, targetRef: { kind: "Gateway", group: "gateway.networking.k8s.io", name: "gw" } }));
    assert.ok(r.errors.length > 0);
  });
  it("reports a mis-indented `from` as a field of the wrong object", () => {
    const r = validateResource(sec("AuthorizationPolicy", { rules: [{ to: [{ operation: { methods: ["GET"] }, from: [] }] }] }));
    assert.ok(r.errors.some((e) => e.path === "spec.rules[0].to[0].from"), JSON.stringify(r.errors));
  });
  it("requires a JWT issuer or jwksUri-bearing rule to be well formed", () => {
    const r = validateResource(sec("RequestAuthentication", { jwtRules: [{ issuer: "", jwksUri: "not a url" }] }));
    assert.ok(r.errors.length > 0);
  });
});

describe("Telemetry and apiVersion/kind", () => {
  it("accepts access logging and tracing", () => ok(res("telemetry.istio.io/v1", "Telemetry", { accessLogging: [{ providers: [{ name: "envoy" }] }], tracing: [{ randomSamplingPercentage: 10 }] })));
  it("rejects a sampling percentage above 100", () => assert.ok(validateResource(res("telemetry.istio.io/v1", "Telemetry", { tracing: [{ randomSamplingPercentage: 150 }] })).errors.length > 0));
  it("suggests the apiVersion meant offline", () => bad(res("networking.istio.io/v1beat1", "VirtualService", VS), "apiVersion", /did you mean "networking\.istio\.io\/v1beta1"/));
  it("suggests the kind meant", () => bad(res("networking.istio.io/v1", "VirtualServce", VS), "kind", /did you mean "VirtualService"/));
  it("leaves kinds it does not know alone", () => assert.equal(validateResource({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }).handled, false));
});

describe("admission response", () => {
  const review = (object: unknown, operation = "CREATE") => ({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u1", operation, object } });
  it("denies with every problem listed and echoes the uid", () => {
    const out = admissionValidate(review(net("VirtualService", { hosts: ["r"], http: [{ route: [{ destination: { host: "r" }, weight: -1 }], timeout: "x" }] }))) as any;
    assert.equal(out.response.uid, "u1");
    assert.equal(out.response.allowed, false);
    assert.equal(out.response.status.code, 400);
    assert.match(out.response.status.message, /2 errors/);
    assert.match(out.response.status.message, /spec\.http\[0\]\.route\[0\]\.weight/);
    assert.match(out.response.status.message, /spec\.http\[0\]\.timeout/);
  });
  it("allows DELETE and returns warnings for risky settings", () => {
    assert.equal((admissionValidate(review(net("VirtualService", {}), "DELETE")) as any).response.allowed, true);
    const out = admissionValidate(review(net("Gateway", { servers: [{ port: { number: 443, name: "tls", protocol: "TLS" }, hosts: ["a.example.com"], tls: { mode: "PASSTHROUGH", credentialName: "c" } }] }))) as any;
    assert.equal(out.response.allowed, true);
    assert.ok(out.response.warnings?.some((w: string) => /ignored/.test(w)), JSON.stringify(out.response));
  });
});
