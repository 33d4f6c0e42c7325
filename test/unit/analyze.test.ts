// `pilotfish analyze`: every check with a fixture that must produce its message and one that must not (the
// core, in process), then the command as a user runs it: inputs, namespaces, formats, thresholds, suppression,
// exit codes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadAll } from "js-yaml";
import { analyze, ANALYZERS, buildSnapshot, MESSAGE_TYPES, messageLine, parseSuppression } from "../../src/analyze/index.js";
import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";

/** The `CODE origin` pairs one analyzer reports on some YAML (files-only analysis, default namespace "default"). */
function findings(analyzer: string, yaml: string, o: { mesh?: object; meshNetworks?: object; allNamespaces?: boolean } = {}): string[] {
  const objects = (loadAll(yaml) as object[]).filter(Boolean).map((object) => ({ object: object as Record<string, unknown>, origin: { file: "in.yaml", line: 1 } }));
  const s = buildSnapshot(objects, { defaultNamespace: o.allNamespaces ? "" : "default", istioNamespace: "istio-system", meshConfig: o.mesh, meshNetworks: o.meshNetworks as Record<string, unknown> | undefined, addDefaults: true });
  return analyze(s, { analyzers: [analyzer] }).map((m) => `${m.code} ${m.origin}`);
}

const ns = (name: string, labels: Record<string, string> = {}) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: ${JSON.stringify(labels)}}\n---\n`;
const svc = (name: string, ports = `[{name: http, port: 9080}]`, extra = "") => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {selector: {app: ${name}}, ports: ${ports}${extra}}\n---\n`;
const pod = (name: string, labels: Record<string, string>, namespace = "default", containers = `[{name: app, image: app}]`) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}, labels: ${JSON.stringify(labels)}}\nspec: {containers: ${containers}}\n---\n`;
const gw = (name: string, hosts = `["*.example.com"]`, selector = `{istio: ingressgateway}`, port = 80) =>
  `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: default}\nspec: {selector: ${selector}, servers: [{port: {number: ${port}, name: http, protocol: HTTP}, hosts: ${hosts}}]}\n---\n`;
const vs = (name: string, spec: string) => `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${name}, namespace: default}\nspec: ${spec}\n---\n`;
const dr = (name: string, spec: string, namespace = "default") => `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: ${spec}\n---\n`;

interface Check {
  analyzer: string;
  code: string;
  positive: string;
  negative: string;
  want: string[];
  mesh?: object;
  meshNetworks?: object;
}

const CHECKS: Check[] = [
  {
    analyzer: "gateway.SecretAnalyzer", code: "IST0101",
    positive: gw("gw", `["a.example.com"]`).replace("hosts:", "tls: {mode: SIMPLE, credentialName: missing-cert}, hosts:"),
    negative: gw("gw", `["a.example.com"]`),
    want: ["IST0101 Gateway default/gw"],
  },
  {
    analyzer: "gateway.SecretAnalyzer", code: "IST0161",
    positive: gw("gw", `["a.example.com"]`).replace("hosts:", "tls: {mode: SIMPLE, credentialName: cert}, hosts:") +
      `apiVersion: v1\nkind: Secret\nmetadata: {name: cert, namespace: istio-system}\ndata: {tls.crt: aHVzaAo=, tls.key: aHVzaAo=}\n`,
    negative: gw("gw", `["a.example.com"]`).replace("hosts:", "tls: {mode: SIMPLE}, hosts:") +
      `apiVersion: v1\nkind: Secret\nmetadata: {name: cert, namespace: istio-system}\ndata: {tls.crt: aHVzaAo=, tls.key: aHVzaAo=}\n`,
    want: ["IST0161 Gateway default/gw"],
  },
  {
    analyzer: "virtualservice.DestinationHostAnalyzer", code: "IST0140",
    positive: svc("reviews") + gw("gw") + vs("split", `{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}`) + vs("ingress", `{hosts: [a.example.com], gateways: [gw], http: [{route: [{destination: {host: reviews}}]}]}`),
    negative: svc("reviews") + gw("gw") + vs("split", `{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}`) + vs("ingress", `{hosts: [a.example.com], gateways: [gw], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}`),
    want: ["IST0140 VirtualService default/ingress"],
  },
  {
    analyzer: "k8sgateway.CRDVersionAnalyzer", code: "IST0176",
    positive: `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: grpcroutes.gateway.networking.k8s.io, annotations: {gateway.networking.k8s.io/bundle-version: v1.0.0}}\nspec: {group: gateway.networking.k8s.io, names: {kind: GRPCRoute}}\n`,
    negative: `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: grpcroutes.gateway.networking.k8s.io, annotations: {gateway.networking.k8s.io/bundle-version: v1.1.0-rc1}}\nspec: {group: gateway.networking.k8s.io, names: {kind: GRPCRoute}}\n`,
    want: ["IST0176 CustomResourceDefinition grpcroutes.gateway.networking.k8s.io"],
  },
  {
    analyzer: "meshnetworks.MeshNetworksAnalyzer", code: "IST0126",
    meshNetworks: { networks: { n1: { endpoints: [{ fromRegistry: "Kubernetes" }, { fromRegistry: "cluster-2" }], gateways: [{ address: "1.2.3.4", port: 15443 }] } } },
    positive: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated, namespace: default}\n`,
    negative: `apiVersion: v1\nkind: Secret\nmetadata: {name: remote, namespace: istio-system, labels: {istio/multiCluster: "true"}}\ndata: {cluster-2: ""}\n`,
    want: ["IST0126 MeshNetworks istio-system/meshnetworks"],
  },
  {
    analyzer: "webhook.Analyzer", code: "IST0139",
    positive: `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: a}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [canary]}, {key: istio-injection, operator: DoesNotExist}]}\n---\n` + `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: b}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [canary]}, {key: istio-injection, operator: DoesNotExist}]}\n---\n` + `apiVersion: v1\nkind: Service\nmetadata: {name: istiod, namespace: istio-system}\nspec: {ports: [{name: grpc, port: 15012}]}\n`,
    negative: `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: a}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [canary]}, {key: istio-injection, operator: DoesNotExist}]}\n---\n` + `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: b}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [stable]}, {key: istio-injection, operator: DoesNotExist}]}\n---\n` + `apiVersion: v1\nkind: Service\nmetadata: {name: istiod, namespace: istio-system}\nspec: {ports: [{name: grpc, port: 15012}]}\n`,
    want: ["IST0139 MutatingWebhookConfiguration a", "IST0139 MutatingWebhookConfiguration b"],
  },
  {
    analyzer: "injection.ImageAutoAnalyzer", code: "IST0146",
    positive: ns("default") + `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: inj}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [canary]}, {key: istio-injection, operator: DoesNotExist}]}\n---\n` + `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: istio-proxy, image: auto}]}}}\n`,
    negative: ns("default", { "istio.io/rev": "canary" }) + `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: inj}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [canary]}, {key: istio-injection, operator: DoesNotExist}]}\n---\n` + `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: istio-proxy, image: auto}]}}}\n`,
    want: ["IST0146 Deployment default/web"],
  },
  {
    analyzer: "auth.AuthorizationPoliciesAnalyzer", code: "IST0127",
    positive: ns("default", { "istio-injection": "enabled" }) + pod("p", { app: "a" }) + `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ap, namespace: default}\nspec: {selector: {matchLabels: {app: b}}}\n`,
    negative: ns("default", { "istio-injection": "enabled" }) + pod("p", { app: "a" }) + `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ap, namespace: default}\nspec: {selector: {matchLabels: {app: a}}}\n`,
    want: ["IST0127 AuthorizationPolicy default/ap"],
  },
  {
    analyzer: "auth.AuthorizationPoliciesAnalyzer", code: "IST0101",
    positive: ns("default", { "istio-injection": "enabled" }) + pod("p", { app: "a" }) + `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ap, namespace: default}\nspec: {rules: [{from: [{source: {namespaces: [shop]}}]}]}\n`,
    negative: ns("default", { "istio-injection": "enabled" }) + pod("p", { app: "a" }) + `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ap, namespace: default}\nspec: {rules: [{from: [{source: {namespaces: ["def*"]}}]}]}\n`,
    want: ["IST0101 AuthorizationPolicy default/ap"],
  },
  {
    analyzer: "telemetry.LightstepAnalyzer", code: "IST0002",
    mesh: { extensionProviders: [{ name: "ls", lightstep: { service: "x", port: 8080, accessToken: "t" } }] },
    positive: `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t, namespace: default}\nspec: {tracing: [{providers: [{name: ls}]}]}\n`,
    negative: `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t, namespace: default}\nspec: {tracing: [{providers: [{name: otel}]}]}\n`,
    want: ["IST0002 Telemetry default/t"],
  },
  {
    analyzer: "telemetry.SelectorAnalyzer", code: "IST0159",
    positive: pod("p", { app: "a" }) + `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t1, namespace: default}\nspec: {selector: {matchLabels: {app: a}}}\n---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t2, namespace: default}\nspec: {selector: {matchLabels: {app: a}}}\n`,
    negative: pod("p", { app: "a" }) + `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t1, namespace: default}\nspec: {selector: {matchLabels: {app: a}}}\n`,
    want: ["IST0159 Telemetry default/t1", "IST0159 Telemetry default/t2"],
  },
  {
    analyzer: "gateway.CertificateAnalyzer", code: "IST0138",
    positive: gw("a").replace("hosts:", "tls: {mode: SIMPLE, credentialName: cert}, hosts:") + gw("b").replace("hosts:", "tls: {mode: SIMPLE, credentialName: cert}, hosts:"),
    negative: gw("a").replace("hosts:", "tls: {mode: SIMPLE, credentialName: cert-a}, hosts:") + gw("b").replace("hosts:", "tls: {mode: SIMPLE, credentialName: cert-b}, hosts:"),
    want: ["IST0138 Gateway default/a", "IST0138 Gateway default/b"],
  },
  {
    analyzer: "virtualservice.JWTClaimRouteAnalyzer", code: "IST0149",
    positive: gw("gw") + vs("r", `{hosts: [a.example.com], gateways: [gw], http: [{match: [{headers: {"@request.auth.claims.group": {exact: admin}}}], route: [{destination: {host: r}}]}]}`),
    negative: gw("gw") + vs("r", `{hosts: [a.example.com], gateways: [gw], http: [{match: [{headers: {"@request.auth.claims.group": {exact: admin}}}], route: [{destination: {host: r}}]}]}`) +
      `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: istio-system}\nspec: {selector: {matchLabels: {istio: ingressgateway}}}\n`,
    want: ["IST0149 VirtualService default/r"],
  },
  {
    analyzer: "deprecation.DeprecationAnalyzer", code: "IST0002",
    positive: vs("r", `{hosts: [r], http: [{fault: {delay: {percent: 10, fixedDelay: 1s}}, route: [{destination: {host: r}}]}]}`),
    negative: vs("r", `{hosts: [r], http: [{fault: {delay: {percentage: {value: 10}, fixedDelay: 1s}}, route: [{destination: {host: r}}]}]}`),
    want: ["IST0002 VirtualService default/r"],
  },
  {
    analyzer: "annotations.K8sAnalyzer", code: "IST0107",
    positive: pod("p", {}).replace("labels: {}", `labels: {}, annotations: {"kubernetes.io/ingress.class": istio}`),
    negative: pod("p", {}).replace("labels: {}", `labels: {}, annotations: {"sidecar.istio.io/proxyCPU": 100m}`),
    want: ["IST0107 Pod default/p"],
  },
  {
    analyzer: "annotations.K8sAnalyzer", code: "IST0108",
    positive: svc("reviews").replace("namespace: default}", `namespace: default, annotations: {"networking.istio.io/exportThree": "."}}`),
    negative: svc("reviews").replace("namespace: default}", `namespace: default, annotations: {"networking.istio.io/exportTo": "."}}`),
    want: ["IST0108 Service default/reviews"],
  },
  {
    analyzer: "annotations.K8sAnalyzer", code: "IST0125",
    positive: pod("p", {}).replace("labels: {}", `labels: {}, annotations: {"traffic.sidecar.istio.io/excludeInboundPorts": "80,http"}`),
    negative: pod("p", {}).replace("labels: {}", `labels: {}, annotations: {"traffic.sidecar.istio.io/excludeInboundPorts": "80, 8080"}`),
    want: ["IST0125 Pod default/p"],
  },
  {
    analyzer: "annotations.K8sAnalyzer", code: "IST0135",
    positive: pod("p", {}).replace("labels: {}", `labels: {}, annotations: {"sidecar.istio.io/inject": "true"}`),
    negative: pod("p", { "sidecar.istio.io/inject": "true" }).replace(`labels: {"sidecar.istio.io/inject":"true"}`, `labels: {"sidecar.istio.io/inject":"true"}, annotations: {"sidecar.istio.io/inject": "true"}`),
    want: ["IST0135 Pod default/p"],
  },
  {
    analyzer: "virtualservice.GatewayAnalyzer", code: "IST0101",
    positive: svc("reviews") + vs("reviews", `{hosts: [a.example.com], gateways: [bookinfo-gateway], http: [{route: [{destination: {host: reviews}}]}]}`),
    negative: gw("bookinfo-gateway") + vs("reviews", `{hosts: [a.example.com], gateways: [bookinfo-gateway], http: [{route: [{destination: {host: reviews}}]}]}`),
    want: ["IST0101 VirtualService default/reviews", "IST0132 VirtualService default/reviews"],
  },
  {
    analyzer: "virtualservice.GatewayAnalyzer", code: "IST0132",
    positive: gw("gw", `["other.com"]`) + vs("reviews", `{hosts: [a.example.com], gateways: [gw]}`),
    negative: gw("gw", `["./a.example.com"]`) + vs("reviews", `{hosts: [a.example.com], gateways: [gw, mesh]}`),
    want: ["IST0132 VirtualService default/reviews"],
  },
  {
    analyzer: "virtualservice.GatewayAnalyzer", code: "IST0165",
    positive: vs("r", `{hosts: [a.com], gateways: ["istio-ingress/gateway~istio-autogenerated-k8s-gateway~foo"]}`),
    negative: gw("gateway") + vs("r", `{hosts: [a.example.com], gateways: ["default/gateway"]}`),
    want: ["IST0165 VirtualService default/r"],
  },
  {
    analyzer: "virtualservice.DestinationRuleAnalyzer", code: "IST0101",
    positive: dr("reviews", `{host: reviews, subsets: [{name: v1, labels: {version: v1}}]}`) + vs("reviews", `{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v2}}], mirror: {host: reviews, subset: v3}}]}`),
    negative: dr("reviews", `{host: reviews.default.svc.cluster.local, subsets: [{name: v2}, {name: v3}]}`) + vs("reviews", `{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v2}}], mirror: {host: reviews, subset: v3}}]}`),
    want: ["IST0101 VirtualService default/reviews", "IST0101 VirtualService default/reviews"],
  },
  {
    analyzer: "virtualservice.DestinationHostAnalyzer", code: "IST0101",
    positive: vs("reviews", `{hosts: [reviews], http: [{route: [{destination: {host: ratings}}]}]}`),
    negative: svc("ratings") + vs("reviews", `{hosts: [reviews], http: [{route: [{destination: {host: ratings.default.svc.cluster.local}}]}]}`),
    want: ["IST0101 VirtualService default/reviews"],
  },
  {
    analyzer: "virtualservice.DestinationHostAnalyzer", code: "IST0112",
    positive: svc("ratings", `[{name: http, port: 9080}, {name: grpc, port: 9090}]`) + vs("reviews", `{hosts: [reviews], http: [{route: [{destination: {host: ratings}}]}]}`),
    negative: svc("ratings", `[{name: http, port: 9080}, {name: grpc, port: 9090}]`) + vs("reviews", `{hosts: [reviews], http: [{route: [{destination: {host: ratings, port: {number: 9090}}}]}]}`),
    want: ["IST0112 VirtualService default/reviews"],
  },
  {
    analyzer: "virtualservice.ConflictingMeshGatewayHostsAnalyzer", code: "IST0109",
    positive: vs("a", `{hosts: [reviews]}`) + vs("b", `{hosts: [reviews], gateways: [mesh]}`),
    negative: vs("a", `{hosts: [reviews]}`) + vs("b", `{hosts: [reviews], gateways: [some-gateway]}`),
    want: ["IST0109 VirtualService default/a", "IST0109 VirtualService default/b"],
  },
  {
    analyzer: "gateway.IngressGatewayPortAnalyzer", code: "IST0101",
    positive: gw("gw", `["*"]`, `{app: nothing-here}`),
    negative: gw("gw", `["*"]`),
    want: ["IST0101 Gateway default/gw"],
  },
  {
    analyzer: "gateway.IngressGatewayPortAnalyzer", code: "IST0162",
    positive: gw("gw", `["*"]`, `{istio: ingressgateway}`, 8080),
    negative: gw("gw", `["*"]`, `{istio: ingressgateway}`, 443),
    want: ["IST0162 Gateway default/gw"],
  },
  {
    analyzer: "gateway.ConflictingGatewayAnalyzer", code: "IST0145",
    positive: gw("alpha", `["foo.bar"]`) + gw("beta", `["foo.bar"]`),
    negative: gw("alpha", `["foo.bar"]`) + gw("beta", `["other.bar"]`),
    want: ["IST0145 Gateway default/alpha", "IST0145 Gateway default/beta"],
  },
  {
    analyzer: "sidecar.SelectorAnalyzer", code: "IST0110",
    positive: pod("p", { app: "a" }) + `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s1, namespace: default}\nspec: {workloadSelector: {labels: {app: a}}}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s2, namespace: default}\nspec: {workloadSelector: {labels: {app: a}}}\n`,
    negative: pod("p", { app: "a" }) + pod("q", { app: "b" }) + `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s1, namespace: default}\nspec: {workloadSelector: {labels: {app: a}}}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s2, namespace: default}\nspec: {workloadSelector: {labels: {app: b}}}\n`,
    want: ["IST0110 Sidecar default/s1", "IST0110 Sidecar default/s2"],
  },
  {
    analyzer: "sidecar.SelectorAnalyzer", code: "IST0111",
    positive: `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s1, namespace: default}\nspec: {}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s2, namespace: default}\nspec: {}\n`,
    negative: `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s1, namespace: default}\nspec: {}\n`,
    want: ["IST0111 Sidecar default/s1", "IST0111 Sidecar default/s2"],
  },
  {
    analyzer: "injection.Analyzer", code: "IST0102",
    positive: ns("shop"),
    negative: ns("shop", { "istio-injection": "disabled" }),
    want: ["IST0102 Namespace shop"],
  },
  {
    analyzer: "injection.Analyzer", code: "IST0103",
    positive: ns("default", { "istio-injection": "enabled" }) + pod("p", {}),
    negative: ns("default", { "istio-injection": "enabled" }) + pod("p", {}, "default", `[{name: app, image: app}, {name: istio-proxy, image: proxyv2}]`),
    want: ["IST0103 Pod default/p"],
  },
  {
    analyzer: "injection.Analyzer", code: "IST0123",
    positive: ns("shop", { "istio-injection": "enabled", "istio.io/rev": "canary" }),
    negative: ns("shop", { "istio.io/rev": "canary" }),
    want: ["IST0123 Namespace shop"],
  },
  {
    analyzer: "pilotfish.RevisionAnalyzer", code: "PF0002",
    positive: ns("shop", { "istio.io/rev": "canary" }) + `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: istio-sidecar-injector}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [default]}]}\n`,
    negative: ns("shop", { "istio.io/rev": "canary" }) + `apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: istio-sidecar-injector-canary}\nwebhooks:\n- name: rev.namespace.sidecar-injector.istio.io\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [canary]}]}\n`,
    want: ["PF0002 Namespace shop"],
  },
  {
    analyzer: "service.PortNameAnalyzer", code: "IST0118",
    positive: svc("reviews", `[{name: web, port: 9080}]`),
    negative: svc("reviews", `[{name: http-web, port: 9080}, {port: 3306}, {name: x, port: 80, appProtocol: http}]`),
    want: ["IST0118 Service default/reviews"],
  },
  {
    analyzer: "service.PortNameAnalyzer", code: "IST0150",
    positive: svc("ext", `[{name: tcp, port: 9080}]`, ", type: ExternalName"),
    negative: svc("ext", `[{name: https, port: 443}]`, ", type: ExternalName"),
    want: ["IST0150 Service default/ext"],
  },
  {
    analyzer: "destinationrule.CaCertificateAnalyzer", code: "IST0128",
    positive: dr("db", `{host: db.example.com, trafficPolicy: {tls: {mode: SIMPLE}}}`),
    negative: dr("db", `{host: db.example.com, trafficPolicy: {tls: {mode: SIMPLE, caCertificates: /etc/ca.pem}}}`),
    want: ["IST0128 DestinationRule default/db"],
  },
  {
    analyzer: "destinationrule.CaCertificateAnalyzer", code: "IST0129",
    positive: dr("db", `{host: db.example.com, trafficPolicy: {portLevelSettings: [{port: {number: 443}, tls: {mode: MUTUAL}}]}}`),
    negative: dr("db", `{host: db.example.com, workloadSelector: {matchLabels: {app: a}}, trafficPolicy: {portLevelSettings: [{port: {number: 443}, tls: {mode: MUTUAL, credentialName: c}}]}}`),
    want: ["IST0129 DestinationRule default/db"],
  },
  {
    analyzer: "pilotfish.MTLSConflictAnalyzer", code: "PF0001",
    positive: `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n---\n` + dr("reviews", `{host: reviews, trafficPolicy: {tls: {mode: DISABLE}}}`),
    negative: `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n---\n` +
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: default}\nspec: {mtls: {mode: PERMISSIVE}}\n---\n` + dr("reviews", `{host: reviews, trafficPolicy: {tls: {mode: DISABLE}}}`),
    want: ["PF0001 DestinationRule default/reviews"],
  },
  {
    analyzer: "envoyfilter.EnvoyPatchAnalyzer", code: "IST0151",
    positive: `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: ef, namespace: default}\nspec: {configPatches: [{applyTo: HTTP_FILTER, patch: {operation: INSERT_BEFORE, value: {name: f}}}]}\n`,
    negative: `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: ef, namespace: default}\nspec: {priority: 10, configPatches: [{applyTo: HTTP_FILTER, patch: {operation: INSERT_BEFORE, value: {name: f}}}]}\n`,
    want: ["IST0151 EnvoyFilter default/ef"],
  },
  {
    analyzer: "envoyfilter.EnvoyPatchAnalyzer", code: "IST0154",
    positive: `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: ef, namespace: default}\nspec: {configPatches: [{applyTo: HTTP_ROUTE, patch: {operation: REMOVE}}]}\n`,
    negative: `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: ef, namespace: default}\nspec: {configPatches: [{applyTo: HTTP_ROUTE, patch: {operation: MERGE}}]}\n`,
    want: ["IST0154 EnvoyFilter default/ef"],
  },
  {
    analyzer: "telemetry.DefaultSelectorAnalyzer", code: "IST0160",
    positive: `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: a, namespace: default}\nspec: {}\n---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: b, namespace: default}\nspec: {}\n`,
    negative: `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: a, namespace: default}\nspec: {}\n---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: b, namespace: default}\nspec: {selector: {matchLabels: {app: x}}}\n`,
    want: ["IST0160 Telemetry default/a", "IST0160 Telemetry default/b"],
  },
  {
    analyzer: "telemetry.ProviderAnalyzer", code: "IST0157",
    positive: `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: a, namespace: default}\nspec: {accessLogging: [{}]}\n`,
    negative: `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: a, namespace: default}\nspec: {accessLogging: [{providers: [{name: envoy}]}]}\n`,
    want: ["IST0157 Telemetry default/a"],
  },
  {
    analyzer: "serviceentry.Analyzer", code: "IST0134",
    positive: `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: db, namespace: default}\nspec: {hosts: [db.example.com], ports: [{number: 5432, name: tcp, protocol: TCP}]}\n`,
    negative: `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: db, namespace: default}\nspec: {hosts: [db.example.com], addresses: [10.0.0.1], ports: [{number: 5432, name: tcp, protocol: TCP}]}\n`,
    want: ["IST0134 ServiceEntry default/db"],
  },
  {
    analyzer: "applicationUID.Analyzer", code: "IST0144",
    positive: pod("p", {}, "default", `[{name: app, image: app, securityContext: {runAsUser: 1337}}]`),
    negative: pod("p", {}, "default", `[{name: istio-proxy, image: proxy, securityContext: {runAsUser: 1337}}]`),
    want: ["IST0144 Pod default/p"],
  },
  {
    analyzer: "k8sgateway.SelectorAnalyzer", code: "IST0166",
    positive: pod("gw-pod", { "gateway.networking.k8s.io/gateway-name": "gw", app: "gw" }) + `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ap, namespace: default}\nspec: {selector: {matchLabels: {app: gw}}}\n`,
    negative: pod("gw-pod", { "gateway.networking.k8s.io/gateway-name": "gw", app: "gw" }) + `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ap, namespace: default}\nspec: {targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: gw}}\n`,
    want: ["IST0166 AuthorizationPolicy default/ap"],
  },
  {
    analyzer: "conditions.ConditionAnalyzer", code: "IST0171",
    positive: `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: default}\nspec: {}\nstatus: {conditions: [{type: Programmed, status: "False", reason: Invalid, message: no}]}\n`,
    negative: `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: default}\nspec: {}\nstatus: {conditions: [{type: Programmed, status: "True", reason: Programmed, message: ok}]}\n`,
    want: ["IST0171 Gateway default/g"],
  },
  {
    analyzer: "externalcontrolplane.ExternalControlPlaneAnalyzer", code: "IST0163",
    positive: `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: istio-validator-x}\nwebhooks: [{name: v.istio.io, clientConfig: {}}]\n`,
    negative: `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: istio-validator-x}\nwebhooks: [{name: v.istio.io, clientConfig: {url: "https://istiod.example.com:15017/validate"}}]\n`,
    want: ["IST0163 ValidatingWebhookConfiguration istio-validator-x"],
  },
  {
    analyzer: "deployment.MultiServiceAnalyzer", code: "IST0116",
    positive: ns("default", { "istio-injection": "enabled" }) + svc("a", `[{name: http, port: 80}]`).replace("app: a", "app: web") + svc("b", `[{name: udp, port: 80, protocol: UDP}]`).replace("app: b", "app: web") +
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web}]}}}\n`,
    negative: ns("default", { "istio-injection": "enabled" }) + svc("a", `[{name: http, port: 80}]`).replace("app: a", "app: web") +
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web}]}}}\n`,
    want: ["IST0116 Deployment default/web"],
  },
  {
    analyzer: "authn.BlockedCIDRsAnalyzer", code: "IST0175",
    positive: `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: default}\nspec: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod, namespace: default, labels: {app: istiod}}\nspec: {template: {spec: {containers: [{name: discovery}]}}}\n`,
    negative: `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: default}\nspec: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod, namespace: default, labels: {app: istiod}}\nspec: {template: {spec: {containers: [{name: discovery, env: [{name: BLOCKED_CIDRS_IN_JWKS_URIS, value: 10.0.0.0/8}]}]}}}\n`,
    want: ["IST0175 Deployment default/istiod"],
  },
  {
    analyzer: "destinationrule.SubsetSelectPodAnalyzer", code: "IST0173",
    positive: svc("reviews") + pod("r1", { app: "reviews", version: "v1" }) + dr("reviews", `{host: reviews, subsets: [{name: v2, labels: {version: v2}}]}`),
    negative: svc("reviews") + pod("r1", { app: "reviews", version: "v2" }) + dr("reviews", `{host: reviews, subsets: [{name: v2, labels: {version: v2}}]}`),
    want: ["IST0173 DestinationRule default/reviews"],
  },
  {
    analyzer: "injection.ImageAnalyzer", code: "IST0158",
    positive: ns("default", { "istio-injection": "enabled" }) + `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-sidecar-injector, namespace: istio-system}\ndata: {values: '{"global": {"hub": "docker.io/istio", "tag": "1.30.3", "proxy": {"image": "proxyv2"}}}'}\n---\n` +
      pod("p", {}, "default", `[{name: istio-proxy, image: "docker.io/istio/proxyv2:1.29.0"}]`),
    negative: ns("default", { "istio-injection": "enabled" }) + `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-sidecar-injector, namespace: istio-system}\ndata: {values: '{"global": {"hub": "docker.io/istio", "tag": "1.30.3", "proxy": {"image": "proxyv2"}}}'}\n---\n` +
      pod("p", {}, "default", `[{name: istio-proxy, image: "docker.io/istio/proxyv2:1.30.3"}]`),
    want: ["IST0158 Namespace default"],
  },
];

describe("analyze checks: each reports on its positive fixture and not on its negative one", () => {
  for (const c of CHECKS) {
    it(`${c.analyzer} ${c.code}`, () => {
      assert.deepEqual(findings(c.analyzer, c.positive, { mesh: c.mesh, meshNetworks: c.meshNetworks }).sort(), [...c.want].sort());
      assert.deepEqual(findings(c.analyzer, c.negative, { mesh: c.mesh, meshNetworks: c.meshNetworks }), []);
    });
  }
  it("covers every analyzer pilotfish registers", () => {
    const tested = new Set(CHECKS.map((c) => c.analyzer));
    assert.deepEqual(ANALYZERS.map((a) => a.name).filter((n) => !tested.has(n)), []);
  });
  it("every message code has a level and a text, and PF codes say how to fix", () => {
    for (const t of MESSAGE_TYPES.values()) {
      assert.match(t.code, /^(IST|PF)\d{4}$/);
      assert.ok(["Error", "Warning", "Info"].includes(t.level));
      if (t.code.startsWith("PF")) assert.match(t.text("a", "b", "c", "d", "e"), /Fix:/);
    }
  });
});

describe("analyze core", () => {
  const s = (yaml: string, defaultNamespace = "default") =>
    buildSnapshot((loadAll(yaml) as object[]).filter(Boolean).map((object) => ({ object: object as Record<string, unknown>, origin: { file: "f.yaml", line: 3 } })), { defaultNamespace, istioNamespace: "istio-system", addDefaults: true });
  const broken = vs("reviews", `{hosts: [reviews], gateways: [nope]}`) + vs("other", `{hosts: [x], gateways: [nope]}`).replace("namespace: default", "namespace: shop");

  it("prints istioctl's log line", () => {
    const [m] = analyze(s(vs("reviews", `{hosts: [reviews], gateways: [bookinfo-gateway]}`)), { analyzers: ["virtualservice.GatewayAnalyzer"] });
    assert.equal(messageLine(m), `Error [IST0101] (VirtualService default/reviews f.yaml:3) Referenced gateway not found: "bookinfo-gateway"`);
  });
  it("keeps only the selected namespace's messages, or every namespace's", () => {
    const only = analyze(s(broken), { analyzers: ["virtualservice.GatewayAnalyzer"], namespace: "default" }).map((m) => m.origin);
    assert.deepEqual([...new Set(only)], ["VirtualService default/reviews"]);
    const all = analyze(s(broken), { analyzers: ["virtualservice.GatewayAnalyzer"] }).map((m) => m.origin);
    assert.deepEqual([...new Set(all)].sort(), ["VirtualService default/reviews", "VirtualService shop/other"]);
  });
  it("suppresses by --suppress (both resource spellings, with wildcards) and by annotation", () => {
    const sup = (x: string) => analyze(s(broken), { analyzers: ["virtualservice.GatewayAnalyzer"], suppressions: [parseSuppression(x)!] }).map((m) => `${m.code} ${m.origin}`);
    assert.ok(!sup("IST0101=VirtualService reviews.default").includes("IST0101 VirtualService default/reviews"));
    assert.ok(sup("IST0101=VirtualService reviews.default").includes("IST0132 VirtualService default/reviews"));
    assert.deepEqual(sup("IST0101=VirtualService *").filter((x) => x.startsWith("IST0101")), []);
    assert.ok(!sup("IST0132=VirtualService shop/*").includes("IST0132 VirtualService shop/other"));
    const annotated = vs("reviews", `{hosts: [reviews], gateways: [nope]}`).replace("namespace: default}", `namespace: default, annotations: {galley.istio.io/analyze-suppress: "IST0101"}}`);
    assert.deepEqual(analyze(s(annotated), { analyzers: ["virtualservice.GatewayAnalyzer"] }).map((m) => m.code), ["IST0132"]);
    assert.equal(parseSuppression("IST0101"), undefined);
  });
  it("sorts Error before Warning before Info, then by code", () => {
    const levels = analyze(s(broken + ns("bare"))).map((m) => m.level);
    assert.deepEqual(levels, [...levels].sort((a, b) => ["Error", "Warning", "Info"].indexOf(a) - ["Error", "Warning", "Info"].indexOf(b)));
  });
  it("refuses an analyzer it does not implement, and an unknown one", () => {
    assert.throws(() => analyze(s(broken), { analyzers: ["services.MultiClusterServiceAnalyzer"] }), /not supported by pilotfish/);
    assert.throws(() => analyze(s(broken), { analyzers: ["nope.Analyzer"] }), /no such analyzer/);
  });
  it("without -A, resources written without a namespace go to the default namespace", () => {
    const m = analyze(s(vs("r", `{hosts: [r], gateways: [nope]}`).replace(", namespace: default", "")), { analyzers: ["virtualservice.GatewayAnalyzer"] });
    assert.equal(m[0].origin, "VirtualService default/r");
    const a = analyze(s(vs("r", `{hosts: [r], gateways: [nope]}`).replace(", namespace: default", ""), ""), { analyzers: ["virtualservice.GatewayAnalyzer"] });
    assert.equal(a[0].origin, "VirtualService r");
  });
});

describe("pilotfish analyze (command)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-analyze-"));
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const bad = write("bad.yaml", svc("reviews") + vs("reviews", `{hosts: [reviews], gateways: [bookinfo-gateway], http: [{route: [{destination: {host: reviews}}]}]}`));
  const info = write("sub/deep/ns.yaml", ns("default"));
  const good = write("good.yaml", svc("reviews") + vs("reviews", `{hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}`));
  const run = async (args: string[], stdin = "") => {
    let out = "";
    let err = "";
    const io: CliIO = { stdout: (x) => void (out += x), stderr: (x) => void (err += x), readStdin: async () => stdin };
    const code = await main(["analyze", ...args], io);
    return { code, out, err };
  };

  it("files: exit 1 on an Error, with the istioctl line pointing at the field", async () => {
    const r = await run(["--use-kube=false", bad]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, new RegExp(`^Error \\[IST0101\\] \\(VirtualService default/reviews ${bad.replace(/[.\\/]/g, "\\$&")}:\\d+\\) Referenced gateway not found: "bookinfo-gateway"$`, "m"));
  });
  it("a clean input: exit 0, the istioctl success line on stderr", async () => {
    const r = await run(["--use-kube=false", good]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out, "");
    assert.match(r.err, /No validation issues found when analyzing/);
  });
  it("directories are read recursively; Info alone does not fail at the default threshold", async () => {
    const r = await run(["--use-kube=false", "--files-runtime-kinds", "-R", path.join(dir, "sub")]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Info \[IST0102\] \(Namespace default /m);
    assert.equal((await run(["--use-kube=false", "--files-runtime-kinds", "--failure-threshold", "Info", info])).code, 1);
    assert.equal((await run(["--use-kube=false", "--files-runtime-kinds", "--output-threshold", "Warning", info])).out, "");
    // The files are the whole cluster by default (Istio's analyzer tests); --files-runtime-kinds=false is istioctl's
    // files-only mode: a Namespace is not read and the injection analyzer does not run.
    assert.equal((await run(["--use-kube=false", "--failure-threshold", "Info", info])).code, 1);
    const plain = await run(["--use-kube=false", "--files-runtime-kinds=false", "--failure-threshold", "Info", info]);
    assert.equal(plain.code, 0, plain.out);
    assert.equal(plain.out, "");
    const asked = await run(["--use-kube=false", "--files-runtime-kinds=false", "--analyzer", "injection.Analyzer", info]);
    assert.match(asked.err, /^Skipping analyzer injection\.Analyzer: it needs Namespace, Pod, which --files-runtime-kinds=false does not read/m);
    assert.equal((await run(["--use-kube=false", "--files-runtime-kinds=maybe", info])).code, 2);
  });
  it("stdin (-), -o json and -o yaml", async () => {
    const text = fs.readFileSync(bad, "utf8");
    const j = await run(["--use-kube=false", "-o", "json", "-"], text);
    const msgs = JSON.parse(j.out) as { code: string; origin: string; level: string; message: string; reference: string; documentationUrl: string }[];
    assert.deepEqual(msgs.map((m) => `${m.code} ${m.origin}`).sort(), ["IST0101 VirtualService default/reviews", "IST0132 VirtualService default/reviews"]);
    assert.match(msgs[0].documentationUrl, /^https:\/\/istio\.io\/v1\.30\/docs\/reference\/config\/analysis\/ist0101\//);
    assert.match(msgs[0].reference, /^<stdin>:\d+$/);
    const y = await run(["--use-kube=false", "-o", "yaml", "-f", bad]);
    assert.match(y.out, /^- code: IST0101$/m);
  });
  it("--suppress silences one code on one resource", async () => {
    const r = await run(["--use-kube=false", "-S", "IST0101=VirtualService reviews.default", "-S", "IST0132=VirtualService *", bad]);
    assert.equal(r.code, 0);
    assert.equal(r.out, "");
  });
  it("-A keeps resources without a namespace out of default", async () => {
    const p = write("nons.yaml", vs("r", `{hosts: [r], gateways: [nope]}`).replace(", namespace: default", ""));
    assert.match((await run(["--use-kube=false", "-A", p])).out, /\(VirtualService r /);
    assert.match((await run(["--use-kube=false", "-n", "shop", p])).out, /\(VirtualService shop\/r /);
  });
  it("input and flag errors exit 2", async () => {
    assert.equal((await run(["--use-kube=false", path.join(dir, "missing.yaml")])).code, 2);
    assert.equal((await run(["--use-kube=false", write("broken.yaml", "a: [")])).code, 2);
    assert.equal((await run(["--use-kube=false", "-o", "xml", bad])).code, 2);
    assert.equal((await run(["--use-kube=false", "--failure-threshold", "Fatal", bad])).code, 2);
    assert.equal((await run(["--use-kube=false", "-S", "IST0101", bad])).code, 2);
    assert.equal((await run(["--use-kube=false", "--analyzer", "services.MultiClusterServiceAnalyzer", bad])).code, 2);
    assert.equal((await run(["--use-kube=false"])).code, 2);
  });
  it("a cluster that does not answer exits 3", async () => {
    const kc = write("kubeconfig", `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    const r = await run(["--kubeconfig", kc, bad]);
    assert.equal(r.code, 3, r.err);
  });
  it("schema.ValidationAnalyzer.<Kind>: each Istio resource validated on its own (IST0106), and selectable by name", async () => {
    // As istioctl reads files: the unknown field is discarded (not an error), so the route has no destination.
    const typo = write("typo.yaml", vs("typo", `{hosts: [reviews], http: [{route: [{destinations: {host: reviews}}]}]}`));
    const r = await run(["--use-kube=false", "--analyzer", "schema.ValidationAnalyzer.VirtualService", typo]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^Error \[IST0106\] \(VirtualService default\/typo \S+:1\) Schema validation error: /m);
    assert.doesNotMatch(r.out, /unknown field/);
    // A name that is not DNS-1123 is not checked, and validator warnings are IST0133 without a field path.
    const ef = write("ef.yaml", `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: Bad_Name, namespace: default}\nspec: {configPatches: [{applyTo: CLUSTER, match: {app: x}, patch: {operation: MERGE, value: {}}}]}\n`);
    const w = await run(["--use-kube=false", "--analyzer", "schema.ValidationAnalyzer.EnvoyFilter", ef]);
    assert.equal(w.code, 0, w.out + w.err);
    assert.match(w.out, /^Warning \[IST0133\] \(EnvoyFilter default\/Bad_Name \S+:1\) Schema validation warning: EnvoyFilter exposes internal implementation details/m);
    assert.match(r.err, /^Error: Analyzers found issues when analyzing namespace: default\.$/m);
    assert.equal((await run(["--use-kube=false", "--analyzer", "schema.ValidationAnalyzer.VirtualService", good])).code, 0);
  });
  it("-L lists the analyzers", async () => {
    const r = await run(["-L"]);
    assert.equal(r.code, 0);
    for (const a of ANALYZERS) assert.ok(r.out.includes(`* ${a.name}:`), a.name);
  });
});
