#!/usr/bin/env node
// Regenerates cases.json: all 133 cases of Istio 1.30.3's TestInjection / TestInjectionOlderVersion
// (pkg/kube/inject/inject_test.go), in the shared corpus's cases.json format.
// The explicit table below is a transcription of that file's case lists (in, want, setFlags, inFilePath, the Go
// `mesh:` closure as a MeshConfig fragment, the Go `setup:` as environment, expectedError, expectedLog, skipWebhook,
// skipInjection); then Istio's folder scan over testdata/ adds the remaining X.yaml -> X.yaml.injected cases.
// Cases that also appear in ../../../../shared/conformance/istio-inject/cases.json (when present) keep its notes/tags.
//   node test/conformance/istio-inject-all/gen.mjs
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../../package.json"));
const yaml = require("js-yaml");
const testdata = path.join(here, "testdata");

const NATIVE_OFF = { setup: "test.SetForTest(t, &features.EnableNativeSidecars, features.NativeSidecarModeDisabled)", env: { ENABLE_NATIVE_SIDECARS: "false" } };
const OPENSHIFT = { setup: "test.SetEnvForTest(t, platform.Platform.Name, platform.OpenShift)", env: { ENABLE_NATIVE_SIDECARS: "true", PLATFORM: "openshift" } };
const TPROXY = { go: "m.DefaultConfig.InterceptionMode = TPROXY", mc: { defaultConfig: { interceptionMode: "TPROXY" } } };
const STATUS = ["values.global.proxy.statusPort=123", "values.global.proxy.readinessInitialDelaySeconds=100", "values.global.proxy.readinessPeriodSeconds=200", "values.global.proxy.readinessFailureThreshold=300"];
const MULTUS = ["components.cni.enabled=true", "values.cni.provider=multus"];
const HOLD = ["values.global.proxy.holdApplicationUntilProxyStarts=true"];

// TestInjection's explicit list, in source order (indices 0-70).
const explicit = [
  { in: "hello.yaml", want: "hello.yaml.cni.injected", setFlags: ["components.cni.enabled=true", "values.cni.provider=default", "values.global.network=network1"] },
  { in: "hello.yaml", want: "hello.yaml.proxyImageName.injected", setFlags: ["values.global.proxy.image=proxyTest"] },
  { in: "hello.yaml", want: "hello-tproxy.yaml.injected", mesh: TPROXY },
  { in: "hello.yaml", want: "hello-always.yaml.injected", setFlags: ["values.global.imagePullPolicy=Always"] },
  { in: "hello.yaml", want: "hello-never.yaml.injected", setFlags: ["values.global.imagePullPolicy=Never"] },
  { in: "hello.yaml", want: "hello-old-version.yaml.injected", setup: NATIVE_OFF },
  { in: "format-duration.yaml", want: "format-duration.yaml.injected", mesh: { go: "m.DefaultConfig.DrainDuration = 23s", mc: { defaultConfig: { drainDuration: "23s" } } } },
  {
    in: "traffic-params.yaml",
    want: "traffic-params.yaml.injected",
    setFlags: ["values.global.proxy.includeIPRanges=127.0.0.1/24,10.96.0.1/24", "values.global.proxy.excludeIPRanges=10.96.0.2/24,10.96.0.3/24", "values.global.proxy.excludeInboundPorts=4,5,6", "values.global.proxy.statusPort=0"],
  },
  { in: "status_params.yaml", want: "status_params.yaml.injected", setFlags: STATUS },
  { in: "kubevirtInterfaces.yaml", want: "kubevirtInterfaces.yaml.injected", setFlags: STATUS },
  { in: "reroute-virtual-interfaces.yaml", want: "reroute-virtual-interfaces.yaml.injected", setFlags: STATUS },
  { in: "hello.yaml", want: "hello-image-secrets-in-values.yaml.injected", inFilePath: "hello-image-secrets-in-values.iop.yaml" },
  { in: "hello-image-pull-secret.yaml", want: "hello-multiple-image-secrets.yaml.injected", inFilePath: "hello-image-secrets-in-values.iop.yaml" },
  { in: "hello.yaml", want: "hello-template-in-values.yaml.injected", inFilePath: "hello-template-in-values.iop.yaml" },
  { in: "hello.yaml", want: "hello-mount-mtls-certs.yaml.injected", setFlags: ["values.global.mountMtlsCerts=true"] },
  { in: "hello.yaml", want: "hello-cncf-networks.yaml.injected", setFlags: MULTUS },
  { in: "hello-existing-cncf-networks.yaml", want: "hello-existing-cncf-networks.yaml.injected", setFlags: MULTUS },
  { in: "hello-existing-cncf-networks-json.yaml", want: "hello-existing-cncf-networks-json.yaml.injected", setFlags: MULTUS },
  { in: "hello.yaml", want: "hello.proxyHoldsApplication.yaml.injected", setFlags: HOLD },
  { in: "hello-probes.yaml", want: "hello-probes.proxyHoldsApplication.yaml.injected", setFlags: HOLD },
  { in: "hello-probes-proxyHoldApplication-ProxyConfig.yaml", want: "hello-probes-proxyHoldApplication-ProxyConfig.yaml.injected" },
  { in: "hello-probes-noProxyHoldApplication-ProxyConfig.yaml", want: "hello-probes-noProxyHoldApplication-ProxyConfig.yaml.injected", setFlags: HOLD },
  { in: "hello-service.yaml", want: "hello-service.yaml.injected", skipWebhook: true },
  { in: "cronjob.yaml", want: "cronjob.yaml.injected", skipWebhook: true },
  { in: "cronjob.yaml", want: "cronjob-old-version.yaml.injected", setup: NATIVE_OFF, skipWebhook: true },
  { in: "daemonset.yaml", want: "daemonset-old-version.yaml.injected", setup: NATIVE_OFF },
  { in: "job.yaml", want: "job-old-version.yaml.injected", setup: NATIVE_OFF },
  { in: "pod.yaml", want: "pod-old-version.yaml.injected", setup: NATIVE_OFF },
  { in: "replicaset.yaml", want: "replicaset-old-version.yaml.injected", setup: NATIVE_OFF },
  { in: "statefulset.yaml", want: "statefulset-old-version.yaml.injected", setup: NATIVE_OFF },
  { in: "traffic-annotations-bad-includeipranges.yaml", expectedError: "includeipranges" },
  { in: "traffic-annotations-bad-excludeipranges.yaml", expectedError: "excludeipranges" },
  { in: "traffic-annotations-bad-includeinboundports.yaml", expectedError: "includeinboundports" },
  { in: "traffic-annotations-bad-excludeinboundports.yaml", expectedError: "excludeinboundports" },
  { in: "traffic-annotations-bad-excludeoutboundports.yaml", expectedError: "excludeoutboundports" },
  {
    in: "traffic-annotations.yaml",
    want: "traffic-annotations.yaml.injected",
    mesh: {
      go: 'm.DefaultConfig.ProxyMetadata["ISTIO_META_TLS_CLIENT_KEY"] = "/etc/identity/client/keys/client-key.pem"',
      mc: { defaultConfig: { proxyMetadata: { ISTIO_META_TLS_CLIENT_KEY: "/etc/identity/client/keys/client-key.pem" } } },
    },
  },
  { in: "proxy-override.yaml", want: "proxy-override.yaml.injected" },
  { in: "explicit-security-context.yaml", want: "explicit-security-context.yaml.injected" },
  { in: "only-proxy-container.yaml", want: "only-proxy-container.yaml.injected" },
  { in: "proxy-override-args.yaml", want: "proxy-override-args.yaml.injected" },
  { in: "proxy-override-runas.yaml", want: "proxy-override-runas.yaml.injected" },
  { in: "proxy-override-runas.yaml", want: "proxy-override-runas.yaml.cni.injected", setFlags: ["components.cni.enabled=true"] },
  { in: "proxy-override-runas.yaml", want: "proxy-override-runas.yaml.tproxy.injected", mesh: TPROXY },
  { in: "proxy-override-args.yaml", want: "proxy-override-args-native.yaml.injected" },
  { in: "gateway.yaml", want: "gateway.yaml.injected" },
  { in: "gateway.yaml", want: "gateway.yaml.injected" },
  { in: "native-sidecar.yaml", want: "native-sidecar.yaml.injected" },
  { in: "native-sidecar.yaml", want: "native-sidecar-old-version.yaml.injected", setup: NATIVE_OFF },
  { in: "native-sidecar-opt-in.yaml", want: "native-sidecar-opt-in.yaml.injected" },
  { in: "native-sidecar-opt-in.yaml", want: "native-sidecar-opt-in.yaml.injected", setup: NATIVE_OFF },
  { in: "native-sidecar-opt-out.yaml", want: "native-sidecar-opt-out.yaml.injected" },
  { in: "native-sidecar-opt-out.yaml", want: "native-sidecar-opt-out.yaml.injected", setup: NATIVE_OFF },
  { in: "custom-template.yaml", want: "custom-template.yaml.injected", inFilePath: "custom-template.iop.yaml" },
  { in: "tcp-probes.yaml", want: "tcp-probes.yaml.injected" },
  {
    in: "hello-host-network-with-ns.yaml",
    want: "hello-host-network-with-ns.yaml.injected",
    expectedLog: 'Skipping injection because Deployment "sample/hello-host-network" has host networking enabled',
  },
  { in: "merge-probers.yaml", want: "merge-probers.yaml.injected", setFlags: HOLD },
  { in: "hello-tracing-disabled.yaml", want: "hello-tracing-disabled.yaml.injected", mesh: { go: "m.DefaultConfig.Tracing = &meshapi.Tracing{}", mc: { defaultConfig: { tracing: {} } } } },
  { in: "truncate-canonical-name-pod.yaml", want: "truncate-canonical-name-pod.yaml.injected" },
  { in: "truncate-canonical-name-custom-controller-pod.yaml", want: "truncate-canonical-name-custom-controller-pod.yaml.injected" },
  { in: "hello-openshift.yaml", want: "hello-openshift.yaml.injected", setFlags: ["components.cni.enabled=true"], skipInjection: true, setup: OPENSHIFT },
  { in: "hello-openshift-custom-injection.yaml", want: "hello-openshift-custom-injection.yaml.injected", setFlags: ["components.cni.enabled=true"], skipInjection: true, setup: OPENSHIFT },
  { in: "hello-openshift-tproxy.yaml", want: "hello-openshift-tproxy.yaml.injected", setFlags: ["components.cni.enabled=true"], skipInjection: true, setup: OPENSHIFT },
  {
    in: "hello-probes-localhost.yaml",
    want: "hello-probes-localhost.yaml.injected",
    mesh: { go: "m.InboundTrafficPolicy = {Mode: LOCALHOST}", mc: { inboundTrafficPolicy: { mode: "LOCALHOST" } } },
  },
  { in: "proxy-resources-null.yaml", want: "proxy-resources-null.yaml.injected", inFilePath: "proxy-resources-null.iop.yaml" },
  { in: "proxy-resources-null-no-init.yaml", want: "proxy-resources-null-no-init.yaml.injected", inFilePath: "proxy-resources-null.iop.yaml" },
  { in: "proxy-resources-zero.yaml", want: "proxy-resources-zero.yaml.injected", inFilePath: "proxy-resources-zero.iop.yaml" },
  { in: "proxy-resources-memory-null.yaml", want: "proxy-resources-memory-null.yaml.injected", inFilePath: "proxy-resources-memory-null.iop.yaml" },
  { in: "proxy-resources-mixed-null.yaml", want: "proxy-resources-mixed-null.yaml.injected", inFilePath: "proxy-resources-mixed-null.iop.yaml" },
  { in: "sidecar-spire.yaml", want: "sidecar-spire.yaml.injected", inFilePath: "spire-template.iop.yaml" },
  { in: "gateway-spire.yaml", want: "gateway-spire.yaml.injected", inFilePath: "spire-template.iop.yaml" },
  {
    in: "hello-otel-semconv.yaml",
    want: "hello-otel-semconv.yaml.injected",
    mesh: {
      go: "append ExtensionProvider otel (opentelemetry, service otel-collector.observability.svc.cluster.local:4317, serviceAttributeEnrichment OTEL_SEMANTIC_CONVENTIONS)",
      mc: { extensionProviders: [{ name: "otel", opentelemetry: { service: "otel-collector.observability.svc.cluster.local", port: 4317, serviceAttributeEnrichment: "OTEL_SEMANTIC_CONVENTIONS" } }] },
    },
  },
];

// TestInjectionOlderVersion: no setup; classic sidecars because one fake node runs kubelet v1.28.0.
const older = [
  { in: "native-sidecar.yaml", want: "native-sidecar-old-version.yaml.injected" },
  { in: "cronjob.yaml", want: "cronjob-old-version.yaml.injected", skipWebhook: true },
  { in: "daemonset.yaml", want: "daemonset-old-version.yaml.injected" },
  { in: "job.yaml", want: "job-old-version.yaml.injected" },
  { in: "pod.yaml", want: "pod-old-version.yaml.injected" },
  { in: "replicaset.yaml", want: "replicaset-old-version.yaml.injected" },
  { in: "statefulset.yaml", want: "statefulset-old-version.yaml.injected" },
  { in: "hello.yaml", want: "hello-old-version.yaml.injected" },
];

// Istio's folder scan: os.ReadDir order (byte order), skip *.iop.yaml and non-.yaml, skip already-tested goldens.
const already = new Set(explicit.map((c) => c.want ?? c.in + ".injected"));
const files = fs.readdirSync(testdata).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0));
const scanned = [];
for (const f of files) {
  if (f.endsWith(".iop.yaml") || !f.endsWith(".yaml")) continue;
  if (already.has(f + ".injected")) continue;
  scanned.push({ in: f, want: f + ".injected", auto: true });
}
const goldens = new Set(files.filter((f) => f.endsWith(".injected")));
for (const c of [...explicit, ...scanned]) goldens.delete(c.want);
if (goldens.size) throw new Error(`unused goldens: ${[...goldens]}`);

const sharedFile = path.join(here, "../../../../shared/conformance/istio-inject/cases.json");
const shared = new Map(fs.existsSync(sharedFile) ? JSON.parse(fs.readFileSync(sharedFile, "utf8")).map((c) => [c.id, c]) : []);

function kindsOf(file) {
  const out = [];
  for (const d of yaml.loadAll(fs.readFileSync(path.join(testdata, file), "utf8"))) {
    if (!d) continue;
    if (d.kind === "List") out.push(`List[${(d.items ?? []).map((i) => i.kind).join(",")}]`);
    else out.push(d.kind);
  }
  return out;
}
function templatesOf(file) {
  for (const d of yaml.loadAll(fs.readFileSync(path.join(testdata, file), "utf8"))) {
    const pods = d?.kind === "List" ? d.items : [d];
    for (const p of pods ?? []) {
      const meta = p?.kind === "Pod" ? p.metadata : p?.kind === "CronJob" ? p.spec?.jobTemplate?.spec?.template?.metadata : p?.spec?.template?.metadata;
      const t = meta?.annotations?.["inject.istio.io/templates"];
      if (t) return [...new Set(t.split(","))];
    }
  }
  return null;
}
function tagsOf(c, want) {
  const tags = [];
  if (c.expectedError) tags.push("error");
  if (want) {
    const text = fs.readFileSync(path.join(testdata, want), "utf8");
    const native = /initContainers:[\s\S]*?- args:\n\s+- proxy\n\s+- sidecar[\s\S]*?restartPolicy: Always/.test(text);
    if (/- proxy\n\s+- router/.test(text)) tags.push("gateway");
    else if (!/sidecar\.istio\.io\/status/.test(text)) tags.push("not-injected");
    else tags.push(native ? "native-sidecar" : "classic-sidecar");
  }
  if ((c.setFlags ?? []).some((f) => f.startsWith("components.cni.enabled=true"))) tags.push("cni");
  if ((c.setFlags ?? []).some((f) => f.includes("provider=multus"))) tags.push("multus");
  if (c.setup === OPENSHIFT) tags.push("openshift");
  if (c.mesh) tags.push("mesh-config");
  if (c.inFilePath) tags.push("iop-file");
  return tags;
}

function build(suite, index, c, { older = false, firstById = new Map() } = {}) {
  const id = `${suite}/[${String(index).padStart(2, "0")}] ${c.want ?? c.in}`;
  const env = older ? { ENABLE_NATIVE_SIDECARS: "false" } : c.setup ? c.setup.env : { ENABLE_NATIVE_SIDECARS: "true" };
  const requires = [];
  if (c.skipInjection) requires.push("webhook-path");
  if (c.setup === OPENSHIFT) requires.push("namespace-fixture:test-ns");
  if (c.inFilePath && /\{\{/.test(fs.readFileSync(path.join(testdata, c.inFilePath), "utf8"))) requires.push("user-go-templates");
  const key = JSON.stringify([c.in, c.want, c.setFlags ?? [], c.inFilePath ?? null, c.mesh?.mc ?? null, env]);
  const dup = suite === "TestInjection" && firstById.has(key) ? firstById.get(key) : null;
  if (!firstById.has(key)) firstById.set(key, id);
  const mine = {
    id,
    suite,
    index,
    in: c.in,
    want: c.want ?? null,
    setFlags: c.setFlags ?? [],
    meshConfig: c.mesh?.mc ?? null,
    inFilePath: c.inFilePath ?? null,
    env,
    expectedError: c.expectedError ?? null,
    expectedLog: c.expectedLog ?? null,
    skipWebhook: !!c.skipWebhook || kindsOf(c.in).every((k) => k === "Service"),
    skipInjection: !!c.skipInjection,
    expressible: true,
    requires,
    autoDiscovered: !!c.auto,
    duplicateOf: dup,
    kubeletVersions: older ? ["v1.33.0", "v1.28.0"] : ["v1.33.0", "v1.34.0"],
    istioSetup: c.mesh || c.setup ? { mesh: c.mesh?.go ?? null, setup: c.setup?.setup ?? null } : null,
    inputKinds: kindsOf(c.in),
    templates: templatesOf(c.in),
    tags: tagsOf(c, c.want),
    note: c.auto ? "auto-discovered (X.yaml -> X.yaml.injected, default settings)." : "",
  };
  const s = shared.get(id);
  if (s) {
    // Same case as the shared corpus: its settings must agree with this transcription; keep its richer facts.
    for (const k of ["in", "want", "setFlags", "meshConfig", "inFilePath", "env", "expectedError", "expectedLog", "skipInjection"]) {
      if (JSON.stringify(s[k]) !== JSON.stringify(mine[k])) throw new Error(`${id}: ${k} differs from the shared corpus: ${JSON.stringify(s[k])} vs ${JSON.stringify(mine[k])}`);
    }
    return s;
  }
  return mine;
}

const firstById = new Map();
const cases = [
  ...[...explicit, ...scanned].map((c, i) => build("TestInjection", i, c, { firstById })),
  ...older.map((c, i) => build("TestInjectionOlderVersion", i, c, { older: true })),
];
fs.writeFileSync(path.join(here, "cases.json"), JSON.stringify(cases, null, 1) + "\n");
console.log(`${cases.length} cases (${explicit.length} explicit, ${scanned.length} scanned, ${older.length} older-version); ${shared.size ? [...shared.keys()].filter((k) => cases.some((c) => c.id === k)).length + " shared" : "no shared corpus"}`);
