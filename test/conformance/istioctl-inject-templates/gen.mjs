// Makes this folder's goldens with the real istioctl 1.30.3: user injection templates (testdata/*.iop.yaml, under
// values.sidecarInjectorWebhook.templates) that print what Istio's template data and functions give.
// `istioctl manifest generate -f IOP` with the case's --set flags -> the istio-sidecar-injector and istio ConfigMaps
// -> `istioctl kube-inject` with those files (--injectConfigFile, --valuesFile, --meshConfigFile, --revision).
// Writes testdata/*.injected and cases.json (the injection runner's format: inFilePath + setFlags).
//   ISTIOCTL=/path/to/istioctl-1.30.3 node test/conformance/istioctl-inject-templates/gen.mjs
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
process.chdir(path.dirname(fileURLToPath(import.meta.url)));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pf-tpl-gold-"));
const require = createRequire(new URL("../../../package.json", import.meta.url));
const yaml = require("js-yaml");
const IC = process.env.ISTIOCTL;
if (!IC) {
  console.error("set ISTIOCTL to an istioctl 1.30.3 binary");
  process.exit(2);
}
// [name, input, IstioOperator file, --set flags, ENABLE_NATIVE_SIDECARS]
const cases = [
  ["probe", "probe.yaml", "probe.iop.yaml", [], "true"],
  ["probe-classic-hold", "probe.yaml", "probe.iop.yaml", ["values.global.proxy.holdApplicationUntilProxyStarts=true", "values.global.imagePullPolicy=Always"], "false"],
  ["probe-cni-tproxy", "probe-tproxy.yaml", "probe.iop.yaml", ["components.cni.enabled=true", "values.cni.provider=multus"], "true"],
];
const base = ["hub=registry.istio.io/testing", "tag=latest"];
const out = [];
for (const [name, input, iop, sets, native] of cases) {
  const args = ["manifest", "generate", "-f", `testdata/${iop}`, ...[...base, ...sets].flatMap((s) => ["--set", s])];
  const manifest = execFileSync(IC, args, { encoding: "utf8", maxBuffer: 256 << 20, stdio: ["ignore", "pipe", "pipe"] });
  const docs = yaml.loadAll(manifest.slice(manifest.search(/^apiVersion:/m))).filter(Boolean);
  const inj = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name.startsWith("istio-sidecar-injector"));
  const mesh = docs.find((d) => d.kind === "ConfigMap" && /^istio(-.*)?$/.test(d.metadata.name) && d.data?.mesh);
  fs.writeFileSync(tmp + "/ic.yaml", inj.data.config);
  fs.writeFileSync(tmp + "/iv.json", inj.data.values);
  fs.writeFileSync(tmp + "/im.yaml", mesh.data.mesh);
  const ki = ["kube-inject", "-f", `testdata/${input}`, "--injectConfigFile", tmp + "/ic.yaml", "--meshConfigFile", tmp + "/im.yaml", "--valuesFile", tmp + "/iv.json", "--revision", "default"];
  const injected = execFileSync(IC, ki, { encoding: "utf8", env: { ...process.env, ENABLE_NATIVE_SIDECARS: native }, stdio: ["ignore", "pipe", "pipe"] });
  const want = `${name}.yaml.injected`;
  fs.writeFileSync(`testdata/${want}`, injected.slice(Math.max(0, injected.search(/^(apiVersion|kind):/m))));
  out.push({
    id: `pilotfish-templates/${name}`,
    in: input,
    want,
    setFlags: sets,
    inFilePath: iop,
    env: { ENABLE_NATIVE_SIDECARS: native },
    expressible: true,
    note: `istioctl 1.30.3: manifest generate -f ${iop} --set ${[...base, ...sets].join(" --set ")}, then kube-inject with the rendered injector/mesh ConfigMaps and --revision default, ENABLE_NATIVE_SIDECARS=${native}`,
  });
  console.log(`made ${want}`);
}
fs.writeFileSync("cases.json", JSON.stringify(out, null, 1) + "\n");
