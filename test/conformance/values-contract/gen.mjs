#!/usr/bin/env node
// Makes golden.json: for every leaf key of Istio 1.30.3's chart values.yaml files (as istioctl's IstioOperator
// `values` reach them) and every `k8s` field of every component, a distinctive valid value, and what the REAL
// istioctl 1.30.3 (`manifest generate -f IOP`) changes with it versus the baseline (BASE_SPEC in diff.mjs).
//   node test/conformance/values-contract/gen.mjs [--dry] [--only SUBSTRING] [--istioctl PATH]
// At most 2 istioctl processes run at a time.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { BASE_SPEC, changes, parseManifest, setIn, split } from "./diff.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../../package.json"));
const yaml = require("js-yaml");
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const ISTIOCTL = opt("--istioctl", process.env.ISTIOCTL ?? "istioctl");
const only = opt("--only", null);

// Chart -> how istioctl's IstioOperator `values` reach its top-level keys (operator/pkg/component/component.go:
// ToHelmValuesTreeRoot, FlattenValues). The `gateway` chart is not rendered by istioctl (no component uses it).
const TOP = new Set(["cni", "gateways", "global", "pilot", "ztunnel", "telemetry", "sidecarInjectorWebhook", "istio_cni", "revision", "ownerName", "meshConfig", "base", "istiodRemote", "defaultRevision", "profile", "compatibilityVersion", "experimental", "gatewayClasses", "revisionTags"]);
const CHARTS = [
  ["base", "base.values.yaml", (k) => [k]],
  ["istiod", "istio-control_istio-discovery.values.yaml", (k) => (TOP.has(k) && !["cni", "ztunnel", "pilot"].includes(k) ? [k] : ["pilot", k])],
  ["istio-ingress", "gateways_istio-ingress.values.yaml", (k) => [k]],
  ["istio-egress", "gateways_istio-egress.values.yaml", (k) => [k]],
  ["istio-cni", "istio-cni.values.yaml", (k) => (TOP.has(k) && k !== "cni" ? [k] : ["cni", k])],
  ["ztunnel", "ztunnel.values.yaml", (k) => (k === "global" ? [k] : ["ztunnel", k])],
];

// Maps kept whole (free-form string maps): the value adds one entry.
const STRING_MAP = /(annotations|labels|Labels|Annotations|nodeSelector|NodeSelector|^env$|selectorLabels|extraAnnotations)$/;
const OVERRIDES = {
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "pf-zone", operator: "In", values: ["a"] }] }] } } },
  seccompProfile: { type: "RuntimeDefault" },
  seLinuxOptions: { level: "s0:c123,c456" },
  autoscaleBehavior: { scaleDown: { stabilizationWindowSeconds: 77 } },
  memory: { targetAverageUtilization: 77 },
  securityContext: { runAsUser: 1234 },
  containerSecurityContext: { runAsUser: 1234 },
  tolerations: [{ key: "pf-taint", operator: "Exists", effect: "NoSchedule" }],
  imagePullSecrets: ["pf-pull-secret"],
  volumes: [{ name: "pf-vol", emptyDir: {} }],
  volumeMounts: [{ name: "pf-vol", mountPath: "/pf" }],
  initContainers: [{ name: "pf-init", image: "busybox" }],
  additionalContainers: [{ name: "pf-extra", image: "busybox" }],
  extraContainerArgs: ["--pf-flag=1"],
  envVarFrom: [{ name: "PF_FROM", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "pf-zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "istiod" } } }],
  ipFamilies: ["IPv6"],
  ipFamilyPolicy: "PreferDualStack",
  excludedCRDs: ["envoyfilters.networking.istio.io"],
  revisionTags: ["pf-tag"],
  loadBalancerSourceRanges: ["10.9.0.0/16"],
  loadBalancerIP: "10.9.9.9",
  externalTrafficPolicy: "Local",
  ingressPorts: [{ port: 8081, name: "pf-port" }],
  configVolumes: [{ name: "pf-cfg", configMapName: "pf-cm", mountPath: "/pf-cfg" }],
  secretVolumes: [{ name: "pf-sec", secretName: "pf-secret", mountPath: "/pf-sec" }],
  podAntiAffinityLabelSelector: [{ key: "security", operator: "In", values: "S1", topologyKey: "kubernetes.io/hostname" }],
  podAntiAffinityTermLabelSelector: [{ key: "security", operator: "In", values: "S1", topologyKey: "kubernetes.io/hostname" }],
  toleration: [{ key: "pf-taint", operator: "Exists", effect: "NoSchedule" }],
  imagePullPolicy: "Never",
  pullPolicy: "Never",
  variant: "distroless",
  type: "NodePort",
  provider: "multus",
  resourceScope: "cluster",
  jwtPolicy: "first-party-jwt",
  pilotCertProvider: "kubernetes",
  platform: "gke",
  dnsPolicy: "ClusterFirstWithHostNet",
  dnsConfig: { options: [{ name: "ndots", value: "2" }] },
  lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
  certSigners: ["clusterissuers.cert-manager.io/pf"],
  meshNetworks: { "pf-net": { endpoints: [{ fromRegistry: "Kubernetes" }], gateways: [{ address: "1.2.3.4", port: 15443 }] } },
  excludeNamespaces: ["kube-system", "pf-ns"],
  ports: "DROP_LAST",
  gatewayClasses: { "istio": { service: { spec: { type: "ClusterIP" } } } },
  cniBinDir: "/opt/pf/bin",
  cniConfDir: "/etc/pf/net.d",
  cniNetnsDir: "/var/run/pf-netns",
  logLevel: "debug",
  level: "debug",
  componentLogLevel: "misc:debug",
  clusterDomain: "pf.local",
  compatibilityVersion: "1.29",
  profile: "ambient",
  updateStrategy: { type: "OnDelete" },
  traceSampling: 2.5,
  keepaliveMaxServerConnectionAge: "45m",
  defaultRevision: "pf-default",
  revision: "pf-rev",
  istioNamespace: "pf-system",
  "tracer.zipkin.address": "zipkin.pf:9411",
  "global.tracer.zipkin.address": "zipkin.pf:9411",
  excludeIPRanges: "10.8.0.0/16",
  includeIPRanges: "10.7.0.0/16",
  excludeInboundPorts: "1234",
  excludeOutboundPorts: "2345",
  includeInboundPorts: "3456",
  includeOutboundPorts: "4567",
  "ambient.dnsCapture": false,
  "requests.memory": "1234Mi",
  "limits.memory": "1234Mi",
  "requests.cpu": "555m",
  "limits.cpu": "1555m",
  reinvocationPolicy: "IfNeeded",
  "proxy.autoInject": "disabled",
  "proxy.tracer": "zipkin",
  unhealthyPodEvictionPolicy: "AlwaysAllow",
  defaultTolerations: [{ key: "pf-taint", operator: "Exists", effect: "NoSchedule" }],
  "defaultConfig.tracing": { sampling: 7 },
  "sidecarInjectorWebhook.templates": { "pf-tmpl": "metadata:\n  labels:\n    pf: x\n" },
  "sidecarInjectorWebhook.defaultTemplates": ["sidecar", "pf-tmpl"],
  "sidecarInjectorWebhook.neverInjectSelector": [{ matchExpressions: [{ key: "pf-never", operator: "Exists" }] }],
  "sidecarInjectorWebhook.alwaysInjectSelector": [{ matchExpressions: [{ key: "pf-always", operator: "Exists" }] }],
};

/** [key, [[spec path, value], ...] set in both the baseline and the variant, value (default: the key's own)]. */
const CONTEXTS = [
  ["values.pilot.replicaCount", [[["values", "pilot", "autoscaleEnabled"], false]]],
  ["values.pilot.taint.name", [[["values", "pilot", "taint", "enabled"], true]]],
  ["values.pilot.taint.namespace", [[["values", "pilot", "taint", "enabled"], true]]],
  ["values.global.remotePilotAddress", [[["profile"], "remote"]], "istiod.pf.example.com"],
  ["values.global.remotePilotAddress", [[["profile"], "remote"]], "10.9.8.7"],
  ["values.global.configCluster", [[["profile"], "remote"]]],
  ["values.istiodRemote.enabledLocalInjectorIstiod", [[["values", "istiodRemote", "enabled"], true]]],
  ["values.global.certSigners", [[["values", "pilot", "env", "EXTERNAL_CA"], "ISTIOD_RA_KUBERNETES_API"]]],
  ["values.gateways.istio-ingressgateway.autoscaleMin", [[["values", "gateways", "istio-ingressgateway", "autoscaleEnabled"], false]]],
  ["values.pilot.autoscaleMin", [[["values", "pilot", "autoscaleEnabled"], false]]],
  ["values.global.istioNamespace", [[["profile"], "ambient"]]],
  ["values.revision", [[["profile"], "ambient"]]],
  ["values.global.network", [[["profile"], "ambient"]]],
  ["values.global.multiCluster.clusterName", [[["profile"], "ambient"]]],
  ["values.meshConfig.trustDomain", [[["profile"], "ambient"]]],
  ["values.global.logAsJson", [[["profile"], "ambient"]]],
  ["values.global.hub", [[["profile"], "ambient"]]],
  ["values.global.variant", [[["profile"], "ambient"]]],
  // Second values: other shapes of the same key.
  ["components.ingressGateways[0].k8s.service", [], { ports: [{ name: "pf-port", port: 8080, targetPort: 8081 }] }],
  ["components.ingressGateways[0].k8s.service", [], { type: "NodePort" }],
  ["components.egressGateways[0].k8s.service", [], { ports: [{ name: "pf-port", port: 8080, targetPort: 8081, nodePort: 30080 }] }],
  ["components.pilot.k8s.env", [], [{ name: "PF_NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }]],
  ["components.pilot.k8s.env", [], [{ name: "PILOT_TRACE_SAMPLING", value: "9" }]],
  ["components.pilot.k8s.resources", [], { requests: { cpu: "1", memory: "1Gi" } }],
  ["components.pilot.k8s.strategy", [], { type: "Recreate" }],
  ["components.pilot.k8s.hpaSpec", [], { metrics: [{ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 60 } } }] }],
  ["components.pilot.k8s.readinessProbe", [], { exec: { command: ["true"] } }],
  ["components.pilot.k8s.replicaCount", [[["values", "pilot", "autoscaleEnabled"], false]]],
  ["components.ingressGateways[0].k8s.replicaCount", [[["values", "gateways", "istio-ingressgateway", "autoscaleEnabled"], false]]],
  ["components.pilot.k8s.overlays", [], [{ kind: "Deployment", name: "istiod", patches: [{ path: "spec.template.spec.containers.[name:discovery].args[0]", value: "pf-arg" }] }]],
  ["components.pilot.k8s.overlays", [], [{ kind: "Deployment", name: "istiod", patches: [{ path: "spec.template.spec.containers.[name:discovery].readinessProbe" }] }]],
  ["components.ingressGateways[0].k8s.overlays", [], [{ kind: "Service", name: "istio-ingressgateway", patches: [{ path: "spec.ports.[name:http2].port", value: 8088 }] }]],
  ["values.global.proxy.image", [], "docker.io/pf/proxyv2:9.9"],
  ["values.pilot.image", [], "docker.io/pf/pilot:9.9"],
  ["values.global.tag", [], 1.3],
  ["values.global.variant", [], "debug"],
  ["values.gateways.istio-ingressgateway.type", [], "ClusterIP"],
  ["values.gateways.istio-ingressgateway.ports", [], [{ port: 8080, targetPort: 8080, name: "http2", protocol: "TCP", nodePort: 30080 }]],
  ["values.pilot.traceSampling", [], 0],
  ["values.pilot.env", [], { PILOT_TRACE_SAMPLING: "9", EXTERNAL_ISTIOD: true }],
  ["values.pilot.autoscaleEnabled", [[["values", "pilot", "replicaCount"], 3]]],
  ["values.meshConfig.defaultConfig.proxyMetadata", [], { ISTIO_META_DNS_CAPTURE: "true" }],
  ["values.global.imagePullPolicy", [], "Always"],
  ["values.global.priorityClassName", [], "system-cluster-critical"],
];

function leaves(v, segs, out) {
  const last = String(segs[segs.length - 1]);
  if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0 && !STRING_MAP.test(last) && !["gatewayClasses", "meshNetworks", "affinity", "dnsConfig", "updateStrategy"].includes(last)) {
    for (const [k, x] of Object.entries(v)) leaves(x, [...segs, k], out);
    return;
  }
  out.push({ segs, dflt: v });
}

function pick(segs, dflt) {
  const last = String(segs[segs.length - 1]);
  const tail2 = segs.slice(-2).join(".");
  const tail3 = segs.slice(-3).join(".");
  for (const k of [segs.join("."), tail3, tail2, last]) if (Object.prototype.hasOwnProperty.call(OVERRIDES, k)) {
    const o = OVERRIDES[k];
    if (o === "DROP_LAST" && Array.isArray(dflt)) return dflt.length > 1 ? dflt.slice(0, -1) : [...dflt, { port: 8081, targetPort: 8081, name: "pf-port", protocol: "TCP" }];
    return structuredClone(o);
  }
  if (STRING_MAP.test(last) || (dflt && typeof dflt === "object" && !Array.isArray(dflt))) {
    const key = last === "env" ? "PF_ENV" : "pf.example.com/key";
    return { ...(dflt && typeof dflt === "object" ? dflt : {}), [key]: "pf-value" };
  }
  if (typeof dflt === "boolean") return !dflt;
  if (typeof dflt === "number") return Number.isInteger(dflt) ? dflt + 3 : dflt + 1.5;
  if (Array.isArray(dflt)) return dflt.length ? [...dflt, typeof dflt[0] === "string" ? "pf-item" : dflt[0]] : ["pf-item"];
  if (typeof dflt === "string") {
    if (/^\d+(\.\d+)?%$/.test(dflt)) return "37%";
    if (/^\d+m$/.test(dflt)) return "555m";
    if (/^\d+(Mi|Gi)$/.test(dflt)) return "1234Mi";
    if (/^\d+(s|m|h)$/.test(dflt)) return "47s";
    if (dflt === "") return "pf-value";
    return `${dflt}-pf`;
  }
  return "pf-value";
}

export function contractKeys() {
  const byKey = new Map();
  for (const [chart, file, root] of CHARTS) {
    const doc = yaml.load(fs.readFileSync(path.join(here, "charts", file), "utf8"));
    const defaults = doc._internal_defaults_do_not_set ?? doc;
    const out = [];
    for (const [k, v] of Object.entries(defaults)) leaves(v, [k], out);
    for (const { segs, dflt } of out) {
      const full = ["values", ...root(String(segs[0])), ...segs.slice(1)];
      const key = full.join(".");
      const e = byKey.get(key) ?? { path: full, charts: [], default: dflt };
      e.charts.push(chart);
      byKey.set(key, e);
    }
  }
  const K8S = ["affinity", "env", "hpaSpec", "imagePullPolicy", "nodeSelector", "podDisruptionBudget", "podAnnotations", "priorityClassName", "readinessProbe", "replicaCount", "resources", "service", "strategy", "tolerations", "serviceAnnotations", "securityContext", "volumes", "volumeMounts", "overlays"];
  const K8S_VALUE = {
    affinity: OVERRIDES.affinity,
    env: [{ name: "PF_K8S_ENV", value: "pf-value" }],
    hpaSpec: { maxReplicas: 9, minReplicas: 2 },
    imagePullPolicy: "Never",
    nodeSelector: { "pf.example.com/node": "pf-value" },
    podDisruptionBudget: { minAvailable: 2 },
    podAnnotations: { "pf.example.com/pod": "pf-value" },
    priorityClassName: "pf-priority",
    readinessProbe: { httpGet: { path: "/pf-ready", port: 15021 }, periodSeconds: 7 },
    replicaCount: 3,
    resources: { limits: { cpu: "1234m" } },
    service: { externalTrafficPolicy: "Local" },
    strategy: { rollingUpdate: { maxSurge: 3 } },
    tolerations: OVERRIDES.tolerations,
    serviceAnnotations: { "pf.example.com/svc": "pf-value" },
    securityContext: { runAsUser: 1234 },
    volumes: OVERRIDES.volumes,
    volumeMounts: OVERRIDES.volumeMounts,
  };
  const comps = [["base", ["components", "base"], null], ["pilot", ["components", "pilot"], "Deployment/istiod"], ["ingressGateways", ["components", "ingressGateways", 0], "Deployment/istio-ingressgateway"], ["egressGateways", ["components", "egressGateways", 0], "Deployment/istio-egressgateway"], ["cni", ["components", "cni"], "DaemonSet/istio-cni-node"], ["ztunnel", ["components", "ztunnel"], "DaemonSet/ztunnel"]];
  for (const [c, segs, target] of comps) {
    for (const f of K8S) {
      let value = K8S_VALUE[f];
      if (f === "overlays") {
        const [kind, name] = (target ?? "ServiceAccount/istio-reader-service-account").split("/");
        value = [{ kind, name, patches: [{ path: "metadata.annotations.pf-overlay", value: "pf-value" }] }];
      }
      const full = [...segs, "k8s", f];
      byKey.set(full.join(".").replace(".0.", "[0]."), { path: full, charts: [`component:${c}`], value });
    }
  }
  // The components' own fields (IstioOperator spec.components.*: hub, tag, namespace; gateways' label too).
  const COMPONENT_FIELDS = { hub: "registry.pf.example.com/hub", tag: "1.30.3-pf", namespace: "pf-ns", label: { "pf.example.com/gw": "pf-value" } };
  for (const [c, segs] of comps) {
    for (const [f, value] of Object.entries(COMPONENT_FIELDS)) {
      if (f === "label" && !c.endsWith("Gateways")) continue;
      if (c === "base" && f !== "namespace") continue;
      const full = [...segs, f];
      byKey.set(full.join(".").replace(".0.", "[0]."), { path: full, charts: [`component:${c}`], value });
    }
  }
  for (const e of byKey.values()) if (!("value" in e)) e.value = pick(e.path.slice(1), e.default);
  // Fields of istioctl's Values (values_types.proto) that no chart's values.yaml lists.
  for (const { segs, type, repeated } of protoLeaves()) {
    const key = ["values", ...segs].join(".");
    if (byKey.has(key) || [...byKey.keys()].some((k) => key.startsWith(`${k}.`) || k.startsWith(`${key}.`))) continue;
    byKey.set(key, { path: ["values", ...segs], charts: ["values_types.proto"], value: protoValue(segs, type, repeated) });
  }
  // Keys that reach objects only with another setting: varied again with that setting in both renders.
  // Every value and the CNI and ztunnel k8s fields again under the ambient profile (CNI in ambient mode, ztunnel's
  // and istiod's ambient defaults).
  const ambient = [...byKey.keys()].filter((k) => !/ \(with /.test(k) && (/^values\./.test(k) || /^components\.(cni|ztunnel)\./.test(k))).map((k) => [k, [[["profile"], "ambient"]]]);
  // The gateway keys again under the demo profile (its own ports, resources and gateway settings).
  const demo = [...byKey.keys()].filter((k) => !/ \(with /.test(k) && /^(values\.gateways\.|components\.(ingress|egress)Gateways)/.test(k)).map((k) => [k, [[["profile"], "demo"]]]);
  for (const [key, context, value] of [...CONTEXTS, ...ambient, ...demo]) {
    const e = byKey.get(key);
    if (!e) throw new Error(`context for unknown key ${key}`);
    const desc = context.map(([segs, v]) => `${segs.join(".")}=${JSON.stringify(v)}`).join(",");
    byKey.set(`${key}${value === undefined ? "" : ` = ${JSON.stringify(value)}`}${desc ? ` (with ${desc})` : ""}`, { ...e, context, value: value === undefined ? e.value : value });
  }
  return byKey;
}

/** Parses the messages of values_types.proto: name -> fields (json name, type, repeated). */
function protoMessages() {
  const text = fs.readFileSync(path.join(here, "values_types.proto"), "utf8").replace(/\/\/.*$/gm, "");
  const msgs = new Map();
  const re = /\bmessage (\w+) \{/g;
  let m;
  while ((m = re.exec(text))) {
    let depth = 1;
    let i = re.lastIndex;
    for (; i < text.length && depth; i++) depth += text[i] === "{" ? 1 : text[i] === "}" ? -1 : 0;
    const body = text.slice(re.lastIndex, i - 1).replace(/\benum \w+ \{[^}]*\}/g, "").replace(/\bmessage \w+ \{[^}]*\}/g, "");
    const fields = [];
    for (const f of body.matchAll(/^\s*(repeated\s+)?([\w.]+)\s+(\w+)\s*=\s*\d+\s*(\[[^\]]*\])?\s*;/gm)) {
      const json = /json_name\s*=\s*"([^"]+)"/.exec(f[4] ?? "")?.[1] ?? f[3];
      fields.push({ name: json, type: f[2], repeated: !!f[1] });
    }
    msgs.set(m[1], fields);
  }
  return msgs;
}

const PROTO_LEAF_MESSAGES = new Set(["IntOrString"]);
function protoLeaves() {
  const msgs = protoMessages();
  const out = [];
  const walk = (msg, segs, seen) => {
    for (const f of msgs.get(msg) ?? []) {
      const s = [...segs, f.name];
      // Free-form: ztunnel's and meshConfig's keys come from the charts (ztunnel) and MeshConfig (its own API).
      if (segs.length === 0 && ["ztunnel", "meshConfig", "gatewayClasses"].includes(f.name)) continue;
      if (msgs.has(f.type) && !f.repeated && !PROTO_LEAF_MESSAGES.has(f.type) && !seen.has(f.type)) walk(f.type, s, new Set([...seen, f.type]));
      else out.push({ segs: s, type: f.type, repeated: f.repeated });
    }
  };
  walk("Values", [], new Set(["Values"]));
  return out;
}

const ENUMS = { tracer: "zipkin", ResourceScope: "cluster", ingressControllerMode: "STRICT", Mode: "REGISTRY_ONLY" };
function protoValue(segs, type, repeated) {
  const last = String(segs[segs.length - 1]);
  for (const k of [segs.slice(-2).join("."), last]) if (Object.prototype.hasOwnProperty.call(OVERRIDES, k) && OVERRIDES[k] !== "DROP_LAST") return structuredClone(OVERRIDES[k]);
  if (repeated) return type === "string" ? ["pf-item"] : [{ name: "pf-item" }];
  if (type in ENUMS) return ENUMS[type];
  switch (type) {
    case "bool":
    case "google.protobuf.BoolValue":
      return true;
    case "uint32":
    case "int32":
    case "int64":
    case "google.protobuf.Int32Value":
      return 7;
    case "double":
      return 2.5;
    case "google.protobuf.Duration":
      return "47s";
    case "IntOrString":
      return "37%";
    case "google.protobuf.Struct":
      return last === "env" ? { PF_ENV: "pf-value" } : { "pf.example.com/key": "pf-value" };
    default:
      return "pf-value";
  }
}

/** The IstioOperator spec for one key: the baseline with the key's value set. */
export function baseSpec(e) {
  let spec = BASE_SPEC;
  for (const [segs, v] of e.context ?? []) spec = setIn(spec, segs, v);
  return spec;
}
export function variantSpec(e) {
  return setIn(baseSpec(e), e.path, e.value);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "values-contract-"));
let seq = 0;
function istioctl(spec) {
  const f = path.join(tmp, `iop-${seq++}.yaml`);
  fs.writeFileSync(f, yaml.dump({ apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", spec }));
  return new Promise((resolve) => {
    const child = spawn(ISTIOCTL, ["manifest", "generate", "-f", f]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      fs.rmSync(f);
      resolve({ code, out, err });
    });
  });
}

async function main() {
  const keys = contractKeys();
  const file = path.join(here, "golden.json");
  const have = args.includes("--new") && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).keys : {};
  const list = [...keys.entries()].filter(([k]) => (!only || k.includes(only)) && !(k in have));
  if (args.includes("--dry")) {
    for (const [k, e] of list) console.log(`${k} = ${JSON.stringify(e.value)}  [${e.charts.join(",")}]`);
    console.log(`${list.length} keys`);
    return;
  }
  const t0 = Date.now();
  const bases = new Map();
  async function baseIndex(e) {
    const spec = baseSpec(e);
    const id = JSON.stringify(spec);
    if (!bases.has(id)) {
      bases.set(id, istioctl(spec).then((b) => {
        if (b.code !== 0) throw new Error(`baseline failed: ${b.err}`);
        return parseManifest(b.out);
      }));
    }
    return bases.get(id);
  }
  const result = {};
  let next = 0;
  async function worker() {
    while (next < list.length) {
      const [k, e] = list[next++];
      const baseIdx = await baseIndex(e);
      const r = await istioctl(variantSpec(e));
      const entry = { path: e.path, value: e.value, charts: e.charts, ...(e.context ? { context: e.context } : {}) };
      if (r.code !== 0) {
        const msg = (r.err || r.out).split("\n").filter((l) => /error|Error|unknown/.test(l)).slice(0, 2).join(" ").slice(0, 300);
        entry.istioctl = { refused: msg || `exit ${r.code}` };
      } else {
        const { fields, dumps } = split(changes(baseIdx, parseManifest(r.out)));
        entry.istioctl = { changed: fields, dumps };
      }
      result[k] = entry;
      process.stderr.write(`${Object.keys(result).length}/${list.length} ${k}: ${entry.istioctl.refused ? "refused" : Object.keys(entry.istioctl.changed).length}\n`);
    }
  }
  await Promise.all([worker(), worker()]);
  const sorted = Object.fromEntries(Object.keys(result).sort().map((k) => [k, result[k]]));
  const prev = (only || args.includes("--new")) && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).keys : {};
  const keysOut = Object.fromEntries(Object.entries({ ...prev, ...sorted }).sort(([a], [b]) => a.localeCompare(b)));
  const golden = {
    note: "Made by test/conformance/values-contract/gen.mjs with istioctl 1.30.3 (manifest generate -f <BASE_SPEC with the key set>); changed = object/field paths that differ from the baseline render (values dumps listed apart); long values are sha1 of canonical JSON (diff.mjs).",
    base: BASE_SPEC,
    keys: Object.fromEntries(Object.entries(keysOut).map(([k, v]) => [k, v])),
  };
  fs.writeFileSync(file, stringify(golden) + "\n");
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`done in ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
}

/** Compact JSON: one line per key. */
function stringify(g) {
  const lines = Object.entries(g.keys).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n  "note": ${JSON.stringify(g.note)},\n  "base": ${JSON.stringify(g.base)},\n  "keys": {\n${lines.join(",\n")}\n  }\n}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
