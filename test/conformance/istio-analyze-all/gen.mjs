#!/usr/bin/env node
// Transcribes the whole analyzer test table of Istio 1.30.3 (`testGrid` in pkg/config/analysis/analyzers/
// analyzers_test.go, 100 entries) into cases.json in the shared corpus's format, and copies every file of
// pkg/config/analysis/analyzers/testdata/ into testdata/. The shared corpus (../istio-analyze) holds 33 of them.
// Usage: node test/conformance/istio-analyze-all/gen.mjs [ISTIO_GIT_DIR] (default $ISTIO_GIT_DIR, else ../istio/.git)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const gitDir = process.argv[2] ?? process.env.ISTIO_GIT_DIR ?? "../istio/.git";
const TAG = "1.30.3";
const git = (...a) => execFileSync("git", ["--git-dir", gitDir, ...a], { encoding: "utf8", maxBuffer: 64 << 20 });
const show = (p) => git("show", `${TAG}:${p}`);

// Go analyzer expressions -> the name `istioctl analyze --analyzer` takes (Metadata().Name).
const NAMES = {
  "annotations.K8sAnalyzer": "annotations.K8sAnalyzer",
  "maturity.AlphaAnalyzer": "annotations.AlphaAnalyzer",
  "authn.BlockedCIDRsAnalyzer": "authn.BlockedCIDRsAnalyzer",
  "authz.AuthorizationPoliciesAnalyzer": "auth.AuthorizationPoliciesAnalyzer",
  "conditions.ConditionAnalyzer": "conditions.ConditionAnalyzer",
  "deployment.ApplicationUIDAnalyzer": "applicationUID.Analyzer",
  "deployment.ServiceAssociationAnalyzer": "deployment.MultiServiceAnalyzer",
  "deprecation.FieldAnalyzer": "deprecation.DeprecationAnalyzer",
  "destinationrule.CaCertificateAnalyzer": "destinationrule.CaCertificateAnalyzer",
  "destinationrule.PodNotSelectedAnalyzer": "destinationrule.SubsetSelectPodAnalyzer",
  "envoyfilter.EnvoyPatchAnalyzer": "envoyfilter.EnvoyPatchAnalyzer",
  "externalcontrolplane.ExternalControlPlaneAnalyzer": "externalcontrolplane.ExternalControlPlaneAnalyzer",
  "gateway.CertificateAnalyzer": "gateway.CertificateAnalyzer",
  "gateway.ConflictingGatewayAnalyzer": "gateway.ConflictingGatewayAnalyzer",
  "gateway.IngressGatewayPortAnalyzer": "gateway.IngressGatewayPortAnalyzer",
  "gateway.SecretAnalyzer": "gateway.SecretAnalyzer",
  "injection.Analyzer": "injection.Analyzer",
  "injection.ImageAnalyzer": "injection.ImageAnalyzer",
  "injection.ImageAutoAnalyzer": "injection.ImageAutoAnalyzer",
  "k8sgateway.CRDVersionAnalyzer": "k8sgateway.CRDVersionAnalyzer",
  "k8sgateway.SelectorAnalyzer": "k8sgateway.SelectorAnalyzer",
  "multicluster.MeshNetworksAnalyzer": "meshnetworks.MeshNetworksAnalyzer",
  "service.PortNameAnalyzer": "service.PortNameAnalyzer",
  "serviceentry.ProtocolAddressesAnalyzer": "serviceentry.Analyzer",
  "sidecar.SelectorAnalyzer": "sidecar.SelectorAnalyzer",
  "telemetry.DefaultSelectorAnalyzer": "telemetry.DefaultSelectorAnalyzer",
  "telemetry.LightstepAnalyzer": "telemetry.LightstepAnalyzer",
  "telemetry.ProviderAnalyzer": "telemetry.ProviderAnalyzer",
  "telemetry.SelectorAnalyzer": "telemetry.SelectorAnalyzer",
  "virtualservice.ConflictingMeshGatewayHostsAnalyzer": "virtualservice.ConflictingMeshGatewayHostsAnalyzer",
  "virtualservice.DestinationHostAnalyzer": "virtualservice.DestinationHostAnalyzer",
  "virtualservice.DestinationRuleAnalyzer": "virtualservice.DestinationRuleAnalyzer",
  "virtualservice.GatewayAnalyzer": "virtualservice.GatewayAnalyzer",
  "virtualservice.JWTClaimRouteAnalyzer": "virtualservice.JWTClaimRouteAnalyzer",
  "webhook.Analyzer": "webhook.Analyzer",
};

const messages = JSON.parse(fs.readFileSync(path.join(here, "../istio-analyze/messages.json"), "utf8"));
const byName = new Map(messages.map((m) => [m.name, m]));

const src = show("pkg/config/analysis/analyzers/analyzers_test.go");
const grid = src.slice(src.indexOf("var testGrid = []testCase{"), src.indexOf("\n}\n", src.indexOf("var testGrid = []testCase{")));
// Top-level entries: "\t{" ... "\t},"
const entries = grid.split(/\n\t\{\n/).slice(1).map((e) => e.slice(0, e.lastIndexOf("\n\t}")));
const cases = [];
const seen = new Map();
for (const e of entries) {
  const name = /name:\s*"([^"]*)"/.exec(e)[1];
  const files = [.../"testdata\/([^"]+)"/g[Symbol.matchAll]((/inputFiles:\s*\[\]string\{([\s\S]*?)\}/.exec(e) ?? ["", ""])[1])].map((m) => m[1]);
  const meshConfig = /meshConfigFile:\s*"testdata\/([^"]+)"/.exec(e)?.[1] ?? null;
  const meshNetworks = /meshNetworksFile:\s*"testdata\/([^"]+)"/.exec(e)?.[1] ?? null;
  const skip = /skipAll:\s*true/.test(e);
  const an = /analyzer:\s*(.+),\n/.exec(e)[1].trim();
  let analyzerName;
  const schema = /schemaValidation\.CollectionValidationAnalyzer\(collections\.(\w+)\)/.exec(an);
  if (schema) analyzerName = `schema.ValidationAnalyzer.${schema[1]}`;
  else analyzerName = NAMES[/&([\w.]+)\{/.exec(an)?.[1]];
  const expectedBlock = /expected:\s*\[\]message\{([\s\S]*)\}\s*,?\s*$/.exec(e)?.[1] ?? "";
  const expected = [...expectedBlock.matchAll(/\{msg\.(\w+),\s*"([^"]+)"\}/g)].map((m) => {
    const t = byName.get(m[1]);
    if (!t) throw new Error(`${name}: unknown message type ${m[1]}`);
    const e2 = { code: t.code, type: m[1], level: t.level, resource: m[2] };
    // A namespaced resource written without a namespace: also accept it in "default".
    if (!m[2].includes("/") && !/^(Namespace|MutatingWebhookConfiguration|ValidatingWebhookConfiguration|CustomResourceDefinition|Node|MeshNetworks) /.test(m[2])) {
      const [kind, ...rest] = m[2].split(" ");
      e2.alsoAccept = `${kind} default/${rest.join(" ")}`;
    }
    return e2;
  });
  const n = seen.get(name) ?? 0;
  seen.set(name, n + 1);
  const c = { name: n ? `${name} (${files[0]?.replace(/\.yaml$/, "")})` : name, analyzer: an, analyzerName, files, meshConfig, meshNetworks, expected };
  if (skip) c.skip = "not registered in analyzers.All(): istioctl analyze never runs it";
  if (!analyzerName) throw new Error(`${name}: no analyzer name for ${an}`);
  cases.push(c);
}
// Names repeated in Istio's table get their first file appended (the first occurrence too).
for (const c of cases) if ((seen.get(c.name) ?? 0) > 1) c.name = `${c.name} (${c.files[0]?.replace(/\.yaml$/, "")})`;
fs.writeFileSync(path.join(here, "cases.json"), JSON.stringify(cases, null, 2) + "\n");

const td = path.join(here, "testdata");
fs.rmSync(td, { recursive: true, force: true });
for (const f of git("ls-tree", "-r", "--name-only", TAG, "pkg/config/analysis/analyzers/testdata/").trim().split("\n")) {
  const rel = f.slice("pkg/config/analysis/analyzers/testdata/".length);
  fs.mkdirSync(path.dirname(path.join(td, rel)), { recursive: true });
  fs.writeFileSync(path.join(td, rel), git("show", `${TAG}:${f}`));
}
console.log(`${cases.length} cases (${cases.filter((c) => c.skip).length} skipped), testdata copied`);
