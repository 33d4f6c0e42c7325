// Writes cases.json: the template data for the gateway-template conformance cases (see README.md).
// Each case is what istiod's Gateway API deployment controller would hand the `waypoint`, `kube-gateway` or
// `agentgateway` injector template for one Gateway: the Gateway object, the TemplateInput fields (Go field names)
// derived from it as the controller derives them, the mesh config and ProxyConfig resource in effect, and the
// injector values (the default profile's `istio-sidecar-injector` values with the case's overrides).
// Run: node test/conformance/gateway-templates/make-cases.mjs
//      node test/conformance/gateway-templates/make-cases.mjs --fuzz N [SEED] > FILE   (N random cases on stdout, for
//      comparing texts with the Go generator without goldens: gwtpl FILE ISTIO_DIR - OURS_DIR)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const golden = join(here, "../istio-operator/goldens/profile-default.yaml");
const objs = YAML.parseAllDocuments(readFileSync(golden, "utf8")).map((d) => d.toJSON()).filter(Boolean);
const injector = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "istio-sidecar-injector");
const meshCM = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "istio");
const baseValues = JSON.parse(injector.data.values);
const baseMesh = meshCM.data.mesh;

function isObj(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
function merge(a, b) {
  if (!isObj(a) || !isObj(b)) return structuredClone(b);
  const out = structuredClone(a);
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : structuredClone(v);
  return out;
}

const CLASS = {
  waypoint: { className: "istio-waypoint", template: "waypoint", suffix: false, svc: "ClusterIP", controller: "istio.io-mesh-controller" },
  eastwest: { className: "istio-east-west", template: "waypoint", suffix: false, svc: "LoadBalancer", controller: "istio.io-eastwest-controller" },
  istio: { className: "istio", template: "kube-gateway", suffix: true, svc: "LoadBalancer", controller: "istio.io-gateway-controller" },
  agent: { className: "istio-agentgateway", template: "agentgateway", suffix: false, svc: "LoadBalancer", controller: "istio.io-gateway-controller" },
};

/** Derives the TemplateInput the way gatewaycommon.configureIstioGateway does (for the features at their defaults). */
function makeCase({ name, kind, gw, values = {}, mesh = "", proxyConfig = "", kubeVersion = 133, revision = "", proxyUID = 1337, proxyGID = 1337, nativeSidecars = true, clusterID = "Kubernetes" }) {
  const cls = CLASS[kind];
  const meta = { namespace: "default", uid: `00000000-0000-4000-8000-${String(name.length).padStart(12, "0")}`, ...gw.metadata };
  const spec = { gatewayClassName: cls.className, ...gw.spec };
  const gateway = { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: meta, spec };
  const ann = meta.annotations ?? {};
  const defaultName = cls.suffix ? `${meta.name}-${cls.className}` : meta.name;
  const ports = [{ name: "status-port", port: 15021, appProtocol: "tcp" }];
  const seen = new Set();
  (spec.listeners ?? []).forEach((l, i) => {
    if (seen.has(l.port)) return;
    seen.add(l.port);
    const n = l.name.replaceAll(".", "-").slice(0, 63) || `${l.protocol.toLowerCase()}-${i}`;
    ports.push({ name: n, port: l.port, appProtocol: l.protocol.toLowerCase() });
  });
  const strip = (m) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("gateway.networking.k8s.io/")));
  const infra = spec.infrastructure ?? {};
  const infraLabels = infra.labels ? strip(infra.labels) : { ...(meta.labels ?? {}) };
  const infraAnnotations = infra.annotations ? strip(infra.annotations) : { ...ann };
  const isWaypoint = cls.className.includes("waypoint");
  const isEastWest = cls.className.includes("east-west");
  const v = merge(baseValues, values);
  if (!isWaypoint && !isEastWest && !("istio.io/dataplane-mode" in (meta.labels ?? {})) && !("istio.io/dataplane-mode" in infraLabels)) {
    infraLabels["istio.io/dataplane-mode"] = "none";
  }
  const network = v.global?.network ?? "";
  if (!("topology.istio.io/network" in (meta.labels ?? {})) && network !== "" && (isWaypoint || isEastWest)) {
    infraLabels["topology.istio.io/network"] = network;
  }
  const g = v.global;
  const imageType = ann["sidecar.istio.io/proxyImageType"] ?? g.variant ?? "";
  const url = (img) => {
    const base = `${g.hub}/${img}:${g.tag}`;
    return imageType === "" || imageType === "default" ? base : `${base}-${imageType}`;
  };
  const agwType = ann["gateway.istio.io/agentgatewayImage"] ?? g.variant ?? "";
  const agwBase = `${g.hub}/agentgateway:${g.tag}`;
  const input = {
    GatewayClass: cls.className,
    DeploymentName: ann["gateway.istio.io/name-override"] ?? defaultName,
    ServiceAccount: ann["gateway.istio.io/service-account"] ?? defaultName,
    Ports: ports,
    ServiceType: ann["networking.istio.io/service-type"] ?? cls.svc,
    ClusterID: clusterID,
    KubeVersion: kubeVersion,
    Revision: revision,
    NativeSidecars: nativeSidecars,
    ProxyUID: proxyUID,
    ProxyGID: proxyGID,
    CompliancePolicy: "",
    InfrastructureLabels: infraLabels,
    InfrastructureAnnotations: infraAnnotations,
    GatewayNameLabel: "gateway.networking.k8s.io/gateway-name",
    IsEastWestGateway: isEastWest,
    ControllerLabel: cls.controller,
    ProxyImage: url(g.proxy?.image ?? "proxyv2"),
    AgentgatewayImage: agwType === "" || agwType === "default" ? agwBase : `${agwBase}-${agwType}`,
  };
  return { name, template: cls.template, gateway, input, mesh: baseMesh + (mesh ? "\n" + mesh : ""), proxyConfig, values: v };
}

const hbone = [{ name: "mesh", port: 15008, protocol: "HBONE" }];
const cases = [
  makeCase({
    name: "waypoint-service",
    kind: "waypoint",
    gw: { metadata: { name: "waypoint", namespace: "bookinfo", labels: { "istio.io/waypoint-for": "service" } }, spec: { listeners: hbone } },
  }),
  makeCase({
    name: "waypoint-workload-proxyconfig",
    kind: "waypoint",
    gw: {
      metadata: {
        name: "wl-waypoint",
        namespace: "apps",
        labels: { "istio.io/waypoint-for": "workload", team: "payments" },
        annotations: {
          "gateway.istio.io/controller-version": "5",
          "sidecar.istio.io/logLevel": "debug",
          "sidecar.istio.io/componentLogLevel": "misc:info,rbac:debug",
          "sidecar.istio.io/agentLogLevel": "default:debug",
          "example.com/owner": "payments",
          "kubectl.kubernetes.io/last-applied-configuration": "{}",
        },
      },
      spec: { listeners: hbone },
    },
    proxyConfig: "concurrency: 2\nproxyMetadata:\n  ISTIO_META_DNS_CAPTURE: \"true\"\n  B_EXTRA: two words\n",
    values: {
      global: {
        logAsJson: true,
        proxy: { outlierLogPath: "/dev/stdout" },
        imagePullPolicy: "Always",
        imagePullSecrets: ["regcred", "other"],
        waypoint: {
          resources: { limits: null, requests: { cpu: "200m", memory: null } },
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] } } },
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ key: "dedicated", operator: "Equal", value: "mesh", effect: "NoSchedule" }],
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "w" } } }],
        },
      },
      gateways: { seccompProfile: { type: "RuntimeDefault" } },
    },
  }),
  makeCase({
    name: "waypoint-all-revision-network",
    kind: "waypoint",
    revision: "canary",
    kubeVersion: 127,
    gw: {
      metadata: { name: "all-waypoint", namespace: "ns1", labels: { "istio.io/waypoint-for": "all", "istio.io/rev": "canary" } },
      spec: {
        listeners: hbone,
        infrastructure: { labels: { "infra.example/l": "x", "gateway.networking.k8s.io/ignored": "y" }, annotations: { "infra.example/a": "z" } },
      },
    },
    values: {
      revision: "canary",
      global: { network: "net-a", meshID: "mesh-1", platform: "openshift", caAddress: "ca.example:15012", trustBundleName: "my-bundle", multiCluster: { clusterName: "east" } },
      pilot: { env: { ENABLE_CLUSTER_TRUST_BUNDLE_API: true } },
    },
    mesh: "",
  }),
  makeCase({
    name: "eastwest-loadbalancer",
    kind: "eastwest",
    gw: {
      metadata: { name: "istio-eastwest", namespace: "istio-system", labels: { "topology.istio.io/network": "net-b" } },
      spec: {
        listeners: [{ name: "mesh", port: 15008, protocol: "HBONE", tls: { mode: "Terminate" } }],
        addresses: [{ type: "IPAddress", value: "10.0.0.9" }],
      },
    },
    values: { global: { network: "net-z", waypoint: { resources: {} } } },
    mesh: "trustDomain: td.example",
  }),
  makeCase({
    name: "kube-gateway-simple",
    kind: "istio",
    gw: { metadata: { name: "gateway", namespace: "istio-ingress" }, spec: { listeners: [{ name: "default", port: 80, protocol: "HTTP", hostname: "*.example.com" }] } },
  }),
  makeCase({
    name: "kube-gateway-loadbalancer-ip-annotations",
    kind: "istio",
    proxyUID: 1000680000,
    proxyGID: 1000680001,
    gw: {
      metadata: {
        name: "public",
        namespace: "edge",
        labels: { app: "edge", "topology.istio.io/network": "net-1" },
        annotations: {
          "sidecar.istio.io/proxyImage": "my.registry/custom/proxyv2:1.2",
          "sidecar.istio.io/logLevel": "info",
          "gateway.istio.io/service-account": "edge-sa",
          "gateway.istio.io/name-override": "edge-gw",
          "example.com/lb": "internal",
        },
      },
      spec: {
        listeners: [
          { name: "http", port: 80, protocol: "HTTP" },
          { name: "https.main", port: 443, protocol: "HTTPS" },
          { name: "https-dup", port: 443, protocol: "HTTPS" },
          { name: "tcp", port: 9000, protocol: "TCP" },
        ],
        addresses: [{ type: "IPAddress", value: "203.0.113.7" }, { type: "IPAddress", value: "203.0.113.8" }],
      },
    },
    values: {
      global: {
        sts: { servicePort: 15463 },
        imagePullPolicy: "IfNotPresent",
        caName: "GkeWorkloadCertificate",
        proxy: { lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } }, resources: { limits: { cpu: null, memory: "2Gi" }, requests: { cpu: "50m" } } },
      },
      gateways: { securityContext: { runAsNonRoot: true, fsGroup: 1337 } },
    },
    mesh: "trustDomain: corp.example",
  }),
  makeCase({
    name: "kube-gateway-clusterip-infra",
    kind: "istio",
    revision: "1-30",
    gw: {
      metadata: {
        name: "internal",
        namespace: "apps",
        labels: { "istio.io/rev": "1-30", "istio.io/dataplane-mode": "ambient" },
        annotations: { "networking.istio.io/service-type": "ClusterIP", "sidecar.istio.io/proxyImageType": "distroless" },
      },
      spec: {
        listeners: [{ name: "grpc", port: 8080, protocol: "HTTP" }],
        infrastructure: { labels: { "istio.io/dataplane-mode": "ambient", tier: "internal" }, annotations: { "cloud.example/internal": "true" } },
      },
    },
    proxyConfig: "proxyMetadata:\n  FOO: bar\ninterceptionMode: TPROXY\n",
    values: {
      revision: "1-30",
      global: { pilotCertProvider: "kubernetes", multiCluster: { clusterName: "west" }, meshID: "", network: "" },
      gateways: { seccompProfile: { type: "Localhost", localhostProfile: "p.json" } },
    },
    clusterID: "west",
  }),
  makeCase({
    name: "kube-gateway-trust-bundle-proxy-resources-off",
    kind: "istio",
    nativeSidecars: false,
    kubeVersion: 126,
    gw: { metadata: { name: "gw2", namespace: "team-b", labels: { "istio.io/dataplane-mode": "none" } }, spec: { listeners: [{ name: "tls", port: 8443, protocol: "TLS" }] } },
    values: { global: { proxy: { resources: {} }, trustBundleName: "tb", logAsJson: true, variant: "distroless" }, pilot: { env: { ENABLE_CLUSTER_TRUST_BUNDLE_API: true } } },
  }),
  makeCase({
    name: "agentgateway-basic",
    kind: "agent",
    gw: { metadata: { name: "agw", namespace: "ai" }, spec: { listeners: [{ name: "http", port: 8080, protocol: "HTTP" }] } },
  }),
  makeCase({
    name: "agentgateway-custom",
    kind: "agent",
    revision: "canary",
    proxyUID: 0,
    proxyGID: 0,
    gw: {
      metadata: {
        name: "agw2",
        namespace: "ai",
        labels: { "topology.istio.io/network": "net-c" },
        annotations: { "gateway.istio.io/agentgatewayImage": "ghcr.io/example/agentgateway:dev", "example.com/x": "y" },
      },
      spec: { listeners: [{ name: "mcp", port: 3000, protocol: "HTTP" }], addresses: [{ type: "IPAddress", value: "198.51.100.2" }] },
    },
    proxyConfig: "proxyMetadata:\n  AGW_FLAG: \"1\"\ndiscoveryAddress: istiod-canary.istio-system.svc:15012\n",
    values: {
      revision: "canary",
      global: {
        multiCluster: { clusterName: "" },
        trustDomain: "td.values",
        caAddress: "",
        imagePullPolicy: "Always",
        imagePullSecrets: ["s1"],
        proxy: { lifecycle: { postStart: { exec: { command: ["true"] } } }, resources: { limits: null, requests: { cpu: "10m" } } },
        sds: { token: { aud: "custom-aud" } },
      },
      gateways: { securityContext: {}, seccompProfile: { type: "RuntimeDefault" } },
      pilot: { env: { ENABLE_CLUSTER_TRUST_BUNDLE_API: true } },
    },

  }),
  makeCase({
    name: "agentgateway-values-image-kubernetes-certs",
    kind: "agent",
    gw: { metadata: { name: "agw3", namespace: "ai", labels: { "istio.io/dataplane-mode": "ambient" } }, spec: { listeners: [] } },
    values: { global: { agentgateway: { image: "quay.io/example/agw:9" }, pilotCertProvider: "kubernetes", network: "net-d", proxy: { resources: null } } },
  }),
  // Edge cases: Gateway names YAML reads as a number or a boolean when written plain (Istio's texts write some
  // names plain and some quoted), escapes in annotation and proxy metadata values, nulls in the values.
  makeCase({
    name: "edge-kube-gateway-numeric-name",
    kind: "istio",
    gw: {
      metadata: { name: "123", namespace: "edge", annotations: { "example.com/note": 'say "hi" <b> & back\\slash', "example.com/empty": "" } },
      spec: { listeners: [{ name: "http.v1.example", port: 80, protocol: "HTTP" }] },
    },
    proxyConfig: "proxyMetadata:\n  TABBED: 'a\\tb'\n  EMPTY: ''\n",
    values: { pilot: { env: null }, global: { imagePullSecrets: [] } },
  }),
  makeCase({
    name: "edge-waypoint-boolean-name",
    kind: "waypoint",
    kubeVersion: 128,
    gw: { metadata: { name: "true", namespace: "yes", labels: { "istio.io/waypoint-for": "none" } }, spec: { listeners: hbone } },
    values: { pilot: { env: null }, global: { platform: null, waypoint: { affinity: null, tolerations: null } } },
  }),
  makeCase({
    name: "edge-agentgateway-on",
    kind: "agent",
    gw: { metadata: { name: "on", namespace: "off" }, spec: { listeners: [{ name: "a", port: 1, protocol: "TCP" }, { name: "b", port: 1, protocol: "UDP" }] } },
    values: { revision: "x", global: { istioNamespace: "mesh-system" } },
  }),
];

// ---- random cases (--fuzz) -------------------------------------------------------------------------------------

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function fuzzCases(n, seed) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const some = (obj, p = 0.35) => Object.fromEntries(Object.entries(obj).filter(() => r() < p).map(([k, v]) => [k, Array.isArray(v) ? pick(v) : v]));
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = pick(["waypoint", "eastwest", "istio", "agent"]);
    const labels = some({ "istio.io/waypoint-for": ["service", "workload", "all"], "topology.istio.io/network": ["net-l", ""], "istio.io/dataplane-mode": ["ambient", "none"], app: "x", "istio.io/rev": "canary" });
    const annotations = some({
      "sidecar.istio.io/proxyImage": ["reg.example/p:1", "noslash"],
      "sidecar.istio.io/logLevel": "debug",
      "sidecar.istio.io/componentLogLevel": "a:b",
      "sidecar.istio.io/agentLogLevel": "x:y",
      "gateway.istio.io/name-override": "renamed",
      "gateway.istio.io/service-account": "sa2",
      "networking.istio.io/service-type": ["NodePort", "LoadBalancer", "ClusterIP"],
      "gateway.istio.io/agentgatewayImage": ["r.example/agw:2", "plain"],
      "sidecar.istio.io/proxyImageType": ["distroless", "debug"],
      "gateway.istio.io/controller-version": "5",
      "kubectl.kubernetes.io/last-applied-configuration": "{}",
      "example.com/a": ["b", "with space", "q'uote"],
    });
    const spec = {
      listeners: [
        { name: "http", port: 80, protocol: "HTTP" },
        { name: "mesh", port: 15008, protocol: "HBONE" },
        { name: "tls.x", port: 443, protocol: "TLS" },
      ].filter(() => r() < 0.5),
    };
    if (r() < 0.3) spec.addresses = [{ type: "IPAddress", value: pick(["10.1.2.3", "192.0.2.1"]) }];
    if (r() < 0.25) spec.infrastructure = { labels: some({ "infra.example/l": "v", "topology.istio.io/network": "net-i", "gateway.networking.k8s.io/x": "y" }, 0.6), annotations: some({ "infra.example/a": "v", "gateway.istio.io/name-override": "io" }, 0.6) };
    if (spec.infrastructure && r() < 0.3) delete spec.infrastructure.labels;
    const global = some({
      imagePullSecrets: [["a"], ["a", "b"], []],
      imagePullPolicy: ["Always", ""],
      logAsJson: [true, false],
      caAddress: ["ca.example:1", ""],
      istioNamespace: ["mesh-system"],
      multiCluster: [{ clusterName: "c1" }, { clusterName: "" }],
      network: ["net-v", ""],
      meshID: ["m1", ""],
      trustDomain: ["td.values"],
      platform: ["openshift", null, "gke"],
      trustBundleName: ["tb"],
      sts: [{ servicePort: 15463 }, { servicePort: 0 }],
      caName: ["GkeWorkloadCertificate", ""],
      sds: [{ token: { aud: "aud2" } }],
      agentgateway: [{ image: "a.example/b:1" }, { image: "nos" }, null],
      pilotCertProvider: ["kubernetes", "istiod", "custom"],
      proxy: [
        { image: "custom/proxy", clusterDomain: "corp.local", logLevel: "info" },
        { outlierLogPath: "/x", componentLogLevel: "c:d" },
        { lifecycle: { preStop: { exec: { command: ["sleep", "1"] } } } },
        { resources: null },
        { resources: {} },
        { resources: { limits: null, requests: { cpu: "1" } } },
      ],
      waypoint: [
        { affinity: { podAntiAffinity: {} }, nodeSelector: { a: "b" } },
        { tolerations: [{ key: "k", operator: "Exists" }], topologySpreadConstraints: null },
        { resources: null },
        { resources: { limits: { cpu: null } } },
      ],
      logging: [{ level: "all:debug" }],
    }, 0.3);
    const values = { global };
    if (r() < 0.3) values.gateways = some({ securityContext: [{ runAsUser: 5 }, {}], seccompProfile: [{ type: "RuntimeDefault" }, {}] }, 0.7);
    if (r() < 0.3) values.pilot = pick([{ env: { ENABLE_CLUSTER_TRUST_BUNDLE_API: true } }, { env: { ENABLE_CLUSTER_TRUST_BUNDLE_API: false } }, { env: { ENABLE_CLUSTER_TRUST_BUNDLE_API: "true" } }, { env: null }, null]);
    const revision = pick(["", "", "canary"]);
    if (r() < 0.5) values.revision = r() < 0.8 ? revision : "other";
    out.push(
      makeCase({
        name: `fuzz-${i}`,
        kind,
        gw: { metadata: { name: pick(["gw", "123", "true", "on", "a.b"]), namespace: pick(["default", "ns-1"]), labels, annotations }, spec },
        values,
        revision,
        kubeVersion: pick([126, 127, 128, 133]),
        proxyUID: pick([1337, 0, 1000680000]),
        proxyGID: pick([1337, 0, 1000680001]),
        proxyConfig: pick(["", "concurrency: 2", "proxyMetadata: {A: b, Z: 'x y'}", "interceptionMode: TPROXY", "discoveryAddress: x.example:15012", "image: {imageType: distroless}"]),
        mesh: pick(["", "trustDomain: td.example"]),
        clusterID: pick(["Kubernetes", "c-env"]),
      }),
    );
  }
  return out;
}

const fuzz = process.argv.indexOf("--fuzz");
if (fuzz >= 0) {
  process.stdout.write(JSON.stringify(fuzzCases(Number(process.argv[fuzz + 1] ?? 100), Number(process.argv[fuzz + 2] ?? 1))) + "\n");
} else {
  writeFileSync(join(here, "cases.json"), JSON.stringify(cases, null, 2) + "\n");
  console.log(`${cases.length} cases`);
}
