// Makes this folder's injection goldens with the real istioctl 1.30.3: `istioctl manifest generate` with the
// case's --set flags -> the istio-sidecar-injector and istio ConfigMaps it renders -> `istioctl kube-inject` with
// those files (--injectConfigFile, --valuesFile, --meshConfigFile; always with --revision, else istioctl asks a
// cluster for the default revision). Writes testdata/*.injected and cases.json (the injection runner's format).
//   ISTIOCTL=/path/to/istioctl-1.30.3 node test/conformance/istioctl-inject/gen.mjs
// istioctl 1.30.3 is built from Istio's tag by test/conformance/istio-operator/tools/build-istioctl.sh.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
process.chdir(path.dirname(fileURLToPath(import.meta.url)));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pf-gold-"));
const require = createRequire(new URL("../../../package.json", import.meta.url));
const yaml = require("js-yaml");
const IC = process.env.ISTIOCTL;
if (!IC) { console.error("set ISTIOCTL to an istioctl 1.30.3 binary"); process.exit(2); }
const cases = [
  ["canary", ["revision=canary"], "true"],
  ["canary-classic", ["revision=canary"], "false"],
  ["demo", ["profile=demo"], "true"],
  ["minimal", ["profile=minimal"], "true"],
  ["demo-canary-classic", ["profile=demo", "revision=canary"], "false"],
  ["hold-start", ["meshConfig.defaultConfig.holdApplicationUntilProxyStarts=true"], "true"],
  ["trust-domain-mesh-net", ["meshConfig.trustDomain=example.org", "values.global.meshID=mesh1", "values.global.network=net1", "values.global.multiCluster.clusterName=c1"], "true"],
  ["log-json-levels", ["values.global.logAsJson=true", "values.global.proxy.logLevel=debug", "values.global.proxy.componentLogLevel=misc:debug", "values.global.logging.level=default:debug"], "true"],
  ["pull-policy-secrets", ["values.global.imagePullPolicy=Always", "values.global.imagePullSecrets[0]=regcred"], "true"],
  ["privileged-core", ["values.global.proxy.privileged=true", "values.global.proxy.enableCoreDump=true"], "false"],
  ["proxy-resources", ["values.global.proxy.resources.requests.cpu=250m", "values.global.proxy.resources.limits.memory=2Gi"], "true"],
  ["ports-ranges", ["values.global.proxy.excludeIPRanges=10.0.0.0/8", "values.global.proxy.includeInboundPorts=8080\\,8081", "values.global.proxy.excludeOutboundPorts=9000\\,9001"], "true"],
  ["readiness", ["values.global.proxy.readinessInitialDelaySeconds=5", "values.global.proxy.readinessPeriodSeconds=3", "values.global.proxy.readinessFailureThreshold=7", "values.global.proxy.startupProbe.enabled=false"], "true"],
  ["ca-address-name", ["values.global.caAddress=ca.example:15012", "values.global.caName=myca"], "true"],
  ["istio-namespace", ["values.global.istioNamespace=mesh-system"], "true"],
  ["tracer-zipkin", ["values.global.proxy.tracer=zipkin", "meshConfig.enableTracing=true"], "true"],
  ["dns-capture", ["meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE=true", "meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_AUTO_ALLOCATE=true"], "true"],
  ["cluster-domain", ["values.global.proxy.clusterDomain=corp.local"], "true"],
  ["proxy-image-variant", ["values.global.proxy.image=proxyTest", "values.global.variant=distroless"], "true"],
  ["sds-token-aud", ["values.global.sds.token.aud=my-aud", "values.global.jwtPolicy=third-party-jwt"], "true"],
  // PROXY_CONFIG as jsonpb prints it: proto3 zero scalars left out, set wrappers and messages printed (even empty).
  ["proxyconfig-zeros", ["meshConfig.defaultConfig.concurrency=0", "meshConfig.defaultConfig.holdApplicationUntilProxyStarts=false", "meshConfig.defaultConfig.fileFlushMinSizeKb=0", "meshConfig.defaultConfig.tracing.sampling=0", "meshConfig.defaultConfig.meshId=", "meshConfig.defaultConfig.statNameLength=0"], "true"],
  ["proxyconfig-messages", ["meshConfig.defaultConfig.proxyStatsMatcher.inclusionPrefixes[0]=a", "meshConfig.defaultConfig.gatewayTopology.numTrustedProxies=0", "meshConfig.defaultConfig.runtimeValues.x=y", "meshConfig.defaultConfig.proxyHeaders.server.disabled=false"], "true"],
  // .Values numbers are float64 in Go: printed into text (--stsPort) a million is 1e+06; YAML numbers stay whole.
  ["values-big-numbers", ["values.global.sts.servicePort=1000000", "values.global.proxy.readinessInitialDelaySeconds=1000000", "values.global.proxy.readinessFailureThreshold=2000000", "values.global.proxy.startupProbe.failureThreshold=1500000"], "false"],
  ["proxyconfig-tracing", ["meshConfig.defaultConfig.tracing.zipkin.address=z:9411", "meshConfig.defaultConfig.tracing.sampling=100", "meshConfig.defaultConfig.proxyMetadata.A=x<y", "meshConfig.defaultConfig.image.imageType=distroless", "meshConfig.defaultConfig.readinessProbe.periodSeconds=0"], "true"],
];
const base = ["hub=registry.istio.io/testing", "tag=latest"];
const out = [];
for (const [name, sets, native] of cases) {
  const args = ["manifest", "generate", ...[...base, ...sets].flatMap((s) => ["--set", s])];
  let manifest;
  try { manifest = execFileSync(IC, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }); } catch (e) { console.log(`SKIP ${name}: manifest generate failed: ${e.stderr}`); continue; }
  const docs = yaml.loadAll(manifest.slice(manifest.search(/^apiVersion:/m))).filter(Boolean);
  const inj = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name.startsWith("istio-sidecar-injector"));
  const mesh = docs.find((d) => d.kind === "ConfigMap" && /^istio(-.*)?$/.test(d.metadata.name) && d.data?.mesh);
  fs.writeFileSync(tmp + "/ic.yaml", inj.data.config); fs.writeFileSync(tmp + "/iv.json", inj.data.values); fs.writeFileSync(tmp + "/im.yaml", mesh.data.mesh);
  const rev = sets.find((s) => s.startsWith("revision="))?.split("=")[1];
  const ki = ["kube-inject", "-f", "testdata/bookinfo-details.yaml", "--injectConfigFile", tmp + "/ic.yaml", "--meshConfigFile", tmp + "/im.yaml", "--valuesFile", tmp + "/iv.json", "--revision", rev ?? "default"];
  let injected;
  try { injected = execFileSync(IC, ki, { encoding: "utf8", env: { ...process.env, ENABLE_NATIVE_SIDECARS: native }, stdio: ["ignore", "pipe", "pipe"] }); } catch (e) { console.log(`SKIP ${name}: kube-inject failed: ${e.stderr}`); continue; }
  const want = `bookinfo-details.${name}.injected`;
  fs.writeFileSync(`testdata/${want}`, injected.slice(Math.max(0, injected.search(/^(apiVersion|kind):/m))));
  out.push({ id: `pilotfish/${name}`, in: "bookinfo-details.yaml", want, setFlags: sets, env: { ENABLE_NATIVE_SIDECARS: native }, expressible: true, note: `istioctl 1.30.3: manifest generate --set ${[...base, ...sets].join(" --set ")}, then kube-inject with the rendered injector/mesh ConfigMaps${rev ? ` and --revision ${rev}` : ""}, ENABLE_NATIVE_SIDECARS=${native}` });
  console.log(`made ${want}`);
}
fs.writeFileSync("cases.json", JSON.stringify(out, null, 1) + "\n");
