#!/usr/bin/env node
// Regenerates this corpus with the real istioctl 1.30.3: for every case below, `istioctl manifest generate ARGS`
// is run, its log lines before the first document are stripped, CRDs are left out of the golden (their names stay
// in the inventory), and cases.json is rewritten in the format of ../istio-operator/run.mjs.
//   node test/conformance/istioctl-manifest/gen.mjs ISTIOCTL   (an istioctl 1.30.3 binary, or $ISTIOCTL)
// Run from the project root (js-yaml is taken from the project's node_modules).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.cwd(), "package.json"));
const yaml = require("js-yaml");
const istioctl = process.argv[2] ?? process.env.ISTIOCTL;
if (!istioctl) {
  console.error("usage: gen.mjs ISTIOCTL (an istioctl 1.30.3 binary; or set $ISTIOCTL)");
  process.exit(2);
}
const IMAGES = ["--set", "hub=registry.istio.io/testing", "--set", "tag=latest"];
// pilotfish serves injection and validation itself (see ../istio-operator/README.md).
const IGNORE_KINDS = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

const fileCases = fs.readdirSync(path.join(here, "input")).filter((f) => f.endsWith(".yaml")).sort()
  .map((f) => ({ name: f.replace(/\.yaml$/, ""), args: ["-f", `input/${f}`] }));
const setCases = [
  {
    // The settings of the "Operator fidelity" issue, as --set flags.
    name: "issue-sets",
    args: [
      "--set", "values.global.imagePullSecrets[0]=regcred",
      "--set", "values.global.priorityClassName=high",
      "--set", "values.global.logAsJson=true",
      "--set", "values.pilot.deploymentLabels.team=mesh",
      "--set", "values.pilot.serviceAccountAnnotations.x=y",
      "--set", "values.pilot.seccompProfile.type=RuntimeDefault",
      "--set", "values.pilot.serviceAnnotations.a=b",
      "--set", "values.global.defaultNodeSelector.disk=ssd",
    ],
  },
  {
    // The same on a revision: istiod's selectors, PDB and names carry the revision.
    name: "issue-sets-revision",
    args: [
      "--set", "revision=canary",
      "--set", "values.global.imagePullSecrets[0]=regcred",
      "--set", "values.global.priorityClassName=high",
      "--set", "values.pilot.serviceAccountAnnotations.x=y",
      "--set", "values.pilot.autoscaleMin=2",
      "--set", "values.pilot.deploymentLabels.team=mesh",
    ],
  },
  // istiod running elsewhere: no istiod workload; ServiceAccount and RBAC only on a config cluster or with a local injector istiod.
  { name: "remote-profile", args: ["--set", "profile=remote"] },
  { name: "remote-config-cluster", args: ["--set", "profile=remote", "--set", "values.global.configCluster=true"] },
  { name: "istiod-remote-local-injector", args: ["--set", "values.istiodRemote.enabled=true", "--set", "values.istiodRemote.enabledLocalInjectorIstiod=true"] },
  { name: "pilot-configmap-off", args: ["--set", "values.pilot.configMap=false"] },
  // Revision tags: a Service per tag, with istiod's service annotations and IP families.
  { name: "revision-tags", args: ["--set", "revision=canary", "--set", "values.revisionTags[0]=prod", "--set", "values.revisionTags[1]=stable", "--set", "values.pilot.serviceAnnotations.a=b", "--set", "values.pilot.ipFamilyPolicy=SingleStack"] },
  // GatewayClass defaults: a ConfigMap of overlays per class.
  { name: "gateway-classes", args: ["--set", "values.gatewayClasses.istio.deployment.spec.replicas=2", "--set", "values.gatewayClasses.istio.service.metadata.annotations.a=b"] },
  // A remote cluster reaching istiod at an address: a Service (ExternalName for a host name) and, for an IP, an EndpointSlice.
  { name: "remote-pilot-address-ip", args: ["--set", "profile=remote", "--set", "values.global.remotePilotAddress=10.0.0.9"] },
  { name: "remote-pilot-address-host", args: ["--set", "profile=remote", "--set", "values.global.remotePilotAddress=istiod.example.com"] },
  // The stable-channel ValidatingAdmissionPolicy and its binding.
  { name: "stable-validation-policy", args: ["--set", "revision=canary", "--set", "values.experimental.stableValidationPolicy=true"] },
  // The gateway HPA scales on CPU only; istiod's takes memory and behavior too. A second ingress gateway takes the chart values.
  { name: "hpa-and-second-gateway", args: ["--set", "values.pilot.autoscaleBehavior.scaleUp.stabilizationWindowSeconds=10", "--set", "values.pilot.memory.targetAverageUtilization=75", "--set", "values.gateways.istio-ingressgateway.memory.targetAverageUtilization=66", "--set", "values.gateways.istio-ingressgateway.cpu.targetAverageUtilization=55", "--set", "components.ingressGateways[0].name=istio-ingressgateway", "--set", "components.ingressGateways[0].enabled=true", "--set", "components.ingressGateways[1].name=second", "--set", "components.ingressGateways[1].enabled=true", "--set", "components.ingressGateways[1].label.app=second", "--set", "values.gateways.istio-ingressgateway.serviceAnnotations.a=b"] },
  // OpenShift: istiod trusts ztunnel in kube-system; gateways run without a fixed user and group.
  { name: "platform-openshift", args: ["--set", "values.global.platform=openshift"] },
  { name: "egress-global-pod", args: ["-f", "input/global-pod.yaml", "--set", "components.egressGateways[0].name=istio-egressgateway", "--set", "components.egressGateways[0].enabled=true"] },
];

const cases = [];
for (const c of [...fileCases, ...setCases]) {
  const args = [...c.args, ...IMAGES];
  const r = spawnSync(istioctl, ["manifest", "generate", ...args], { cwd: here, encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${c.name}: istioctl exited ${r.status}\n${r.stderr}`);
  const text = r.stdout.slice(r.stdout.search(/^apiVersion:/m));
  const docs = yaml.loadAll(text).filter((d) => d && typeof d === "object" && d.kind);
  const inventory = docs.map((d) => ({ kind: d.kind, namespace: d.metadata?.namespace ?? "", name: d.metadata?.name ?? "" }));
  const golden = docs.filter((d) => d.kind !== "CustomResourceDefinition");
  fs.writeFileSync(path.join(here, "goldens", `${c.name}.yaml`), golden.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true })).join("---\n"));
  cases.push({ name: c.name, args, golden: `goldens/${c.name}.yaml`, inventory, ignoreKinds: IGNORE_KINDS });
  console.log(`${c.name}: ${docs.length} objects`);
}
fs.writeFileSync(path.join(here, "cases.json"), JSON.stringify(cases, null, 1) + "\n");
