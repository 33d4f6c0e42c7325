// pilotfish's own injection template texts (src/config/inject-templates: sidecar, gateway, grpc-simple,
// grpc-agent) against Istio 1.30.3's texts of the same names, over every case of the injection corpora
// (../shared/conformance/istio-inject, test/conformance/istio-inject-all).
//
// Each case is injected as `pilotfish kube-inject` would (its --set flags, IstioOperator file, mesh config and
// environment), with the injector's templates replaced by Istio's texts, which the template engine renders. A spy
// on those parsed templates gets the exact data (`.`) each render sees, renders OUR text over the same data, and
// compares the two outputs as parsed YAML. The case is injected a second time with our texts as shipped, which the
// injector renders with its built-in code (sidecar, gateway): the injected objects must equal those Istio's texts
// gave. Istio's texts are test data, read from the istio-sidecar-injector ConfigMap of istioctl's golden
// `manifest generate` output (test/conformance/istio-operator/goldens/profile-default.yaml).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import { dump, load, loadAll } from "js-yaml";
import { parse as parseYaml } from "yaml";

import { TEXT as sidecar } from "../../src/config/inject-templates/sidecar.js";
import { TEXT as gateway } from "../../src/config/inject-templates/gateway.js";
import { TEXT as grpcSimple } from "../../src/config/inject-templates/grpc-simple.js";
import { TEXT as grpcAgent } from "../../src/config/inject-templates/grpc-agent.js";
import { parseTemplate, type Template } from "../../src/gotemplate/index.js";
import { parsedTemplate, templateFuncs } from "../../src/webhook/inject/template/render.js";
import { injectWorkload } from "../../src/webhook/inject/workload.js";
import { injectionSettings } from "../../src/config/injection.js";
import { readEnv } from "../../src/config/env.js";
import { resolveFromFlags } from "../../src/cli/iop-input.js";
import type { CliIO } from "../../src/cli/io.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OURS: Record<string, string> = { sidecar, gateway, "grpc-simple": grpcSimple, "grpc-agent": grpcAgent };
const NAMES = Object.keys(OURS);

/** Istio 1.30.3's template texts, from istioctl's rendering of the default profile. */
function istioTexts(): Record<string, string> {
  const file = path.join(root, "test/conformance/istio-operator/goldens/profile-default.yaml");
  const docs = loadAll(fs.readFileSync(file, "utf8")) as any[];
  const cm = docs.find((d) => d?.kind === "ConfigMap" && d.metadata?.name === "istio-sidecar-injector");
  assert.ok(cm, "no istio-sidecar-injector ConfigMap in the golden");
  const templates = (load(cm.data.config) as any).templates as Record<string, string>;
  for (const n of NAMES) assert.equal(typeof templates[n], "string", `golden has no template ${n}`);
  return templates;
}
const ISTIO = istioTexts();

// ---- the texts themselves ------------------------------------------------------------------------------------

describe("pilotfish's own injection template texts", () => {
  for (const name of NAMES) {
    it(`${name}: parses with the template engine and Istio's function set, and is not Istio's text`, () => {
      const t = parseTemplate(name, OURS[name], templateFuncs());
      assert.ok(t.templateNames().includes(name));
      assert.notEqual(OURS[name].trim(), ISTIO[name].trim());
      // No line of Istio's text (beyond short YAML boilerplate) is carried over verbatim in bulk: our texts are
      // written, not copied. Long template lines (actions with logic) must not be Istio's.
      const ourLines = new Set(OURS[name].split("\n").map((l) => l.trim()));
      const shared = ISTIO[name].split("\n").map((l) => l.trim()).filter((l) => l.includes("{{") && l.length > 60 && ourLines.has(l));
      assert.ok(shared.length <= 12, `${shared.length} long template lines identical to Istio's:\n${shared.join("\n")}`);
    });
  }
});

// ---- the corpora ---------------------------------------------------------------------------------------------

interface Case {
  id: string;
  in: string;
  want: string | null;
  setFlags?: string[];
  inFilePath?: string | null;
  meshConfig?: unknown;
  env?: Record<string, string>;
  expectedError?: string | null;
  skipInjection?: boolean;
}

function corpus(dir: string): { cases: Case[]; testdata: string } | undefined {
  const file = path.join(dir, "cases.json");
  if (!fs.existsSync(file)) return undefined;
  return { cases: JSON.parse(fs.readFileSync(file, "utf8")), testdata: path.join(dir, "testdata") };
}
const SHARED = corpus(path.join(root, "../shared/conformance/istio-inject"));
const ALL = corpus(path.join(root, "test/conformance/istio-inject-all"));

const io: CliIO = { stdout: () => {}, stderr: () => {}, readStdin: async () => "" };
const BASE = ["values.global.hub=registry.istio.io/testing", "values.global.tag=latest"];

async function settingsFor(c: Case, testdata: string) {
  const files: string[] = [];
  if (c.inFilePath) files.push(path.join(testdata, c.inFilePath));
  let tmp: string | undefined;
  if (c.meshConfig) {
    tmp = path.join(os.tmpdir(), `pf-own-tpl-${process.pid}-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(tmp, dump({ apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", spec: { meshConfig: c.meshConfig } }));
    files.push(tmp);
  }
  try {
    const resolved = await resolveFromFlags({ filename: files, set: [...BASE, ...(c.setFlags ?? [])] }, io);
    return injectionSettings(resolved, readEnv({ ...(c.env ?? {}) }));
  } finally {
    if (tmp) fs.rmSync(tmp, { force: true });
  }
}

/** The injected documents of a case's input (or the error), with the settings' templates as given. */
function injectAll(docs: unknown[], settings: any): { objects?: unknown[]; error?: string } {
  const revision = typeof settings.values?.revision === "string" ? settings.values.revision : "";
  try {
    return { objects: docs.map((d) => injectWorkload(d as any, settings, revision).object) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** One render of a template: Istio's text and ours over the same data. */
interface Render {
  name: string;
  agree: boolean;
  detail?: string;
}

const ourParsed = new Map<string, Template>();
function ours(name: string): Template {
  let t = ourParsed.get(name);
  if (!t) ourParsed.set(name, (t = parseTemplate(name, OURS[name], templateFuncs())));
  return t;
}

function yamlOf(text: string): unknown {
  return parseYaml(text, { version: "1.1", uniqueKeys: true });
}

function firstDiff(a: unknown, b: unknown, p = ""): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      const d = firstDiff((a as any)[k], (b as any)[k], `${p}.${k}`);
      if (d) return d;
    }
  }
  return `${p || "/"}: Istio's ${JSON.stringify(a)?.slice(0, 200)}, ours ${JSON.stringify(b)?.slice(0, 200)}`;
}

/** Compares our text with Istio's on one render's data. */
function compareRender(name: string, data: unknown, istioOut: string | Error): Render {
  let oursOut: string | Error;
  try {
    oursOut = ours(name).execute(data);
  } catch (e) {
    oursOut = e as Error;
  }
  if (istioOut instanceof Error || oursOut instanceof Error) {
    const agree = istioOut instanceof Error && oursOut instanceof Error;
    return { name, agree, detail: agree ? undefined : `Istio's: ${istioOut instanceof Error ? istioOut.message : "ok"}; ours: ${oursOut instanceof Error ? oursOut.message : "ok"}` };
  }
  let a: unknown, b: unknown;
  try {
    a = yamlOf(istioOut);
  } catch (e) {
    a = new Error((e as Error).message);
  }
  try {
    b = yamlOf(oursOut);
  } catch (e) {
    b = new Error((e as Error).message);
  }
  if (a instanceof Error || b instanceof Error) {
    const agree = a instanceof Error && b instanceof Error;
    return { name, agree, detail: agree ? undefined : `YAML: Istio's ${a instanceof Error ? a.message : "ok"}; ours ${b instanceof Error ? b.message : "ok"}` };
  }
  const d = firstDiff(a, b);
  return { name, agree: d === undefined, detail: d };
}

/**
 * Spies on the engine's parsed copies of Istio's texts: every execution is also rendered with our text. The
 * injector parses a text once and reuses it (render.ts's cache), so the copy patched here is the one it runs; were
 * that to change, nothing would be recorded and the render counts asserted below would fail.
 */
function spyOnIstioTexts(log: Render[]): void {
  for (const name of NAMES) {
    const t = parsedTemplate(name, ISTIO[name]) as Template & { execute: (d: unknown) => string };
    const own = Object.getPrototypeOf(t).execute as (d: unknown) => string;
    t.execute = (data: unknown) => {
      let out: string | Error;
      try {
        out = own.call(t, data);
      } catch (e) {
        out = e as Error;
      }
      log.push(compareRender(name, data, out));
      if (out instanceof Error) throw out;
      return out;
    };
  }
}

/** Kubernetes objects compared as the corpus runner does: nulls and empty maps (but emptyDir's) do not count. */
function normalise(v: unknown, key = ""): unknown {
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) continue;
      const y = normalise(x, k);
      if (y && typeof y === "object" && !Array.isArray(y) && Object.keys(y).length === 0 && k !== "emptyDir") continue;
      o[k] = y;
    }
    return o;
  }
  return v;
}

interface Tally {
  cases: number;
  /** per template: cases that rendered it, and those where every render agreed */
  rendered: Record<string, number>;
  agreed: Record<string, number>;
  /** cases injected only with sidecar/gateway: built-in code equal to Istio's texts */
  builtinCases: number;
  builtinAgreed: number;
  failures: string[];
}

async function runCorpus(label: string, c: { cases: Case[]; testdata: string }): Promise<Tally> {
  const tally: Tally = { cases: 0, rendered: {}, agreed: {}, builtinCases: 0, builtinAgreed: 0, failures: [] };
  for (const kase of c.cases) {
    if (kase.skipInjection) continue;
    tally.cases++;
    const settings = await settingsFor(kase, c.testdata);
    const docs = (loadAll(fs.readFileSync(path.join(c.testdata, kase.in), "utf8")) as unknown[]).filter((d) => d !== null && d !== undefined);
    // Istio's texts wherever the settings carry ours (a case's own template under a built-in name stays).
    const istioTemplates: Record<string, string> = { ...settings.templates };
    for (const n of NAMES) if (istioTemplates[n] === OURS[n]) istioTemplates[n] = ISTIO[n];
    const log: Render[] = [];
    spyOnIstioTexts(log);
    const withIstio = injectAll(docs, { ...settings, templates: istioTemplates });
    for (const n of new Set(log.map((r) => r.name))) {
      tally.rendered[n] = (tally.rendered[n] ?? 0) + 1;
      const bad = log.filter((r) => r.name === n && !r.agree);
      if (bad.length === 0) tally.agreed[n] = (tally.agreed[n] ?? 0) + 1;
      else tally.failures.push(`${label} ${kase.id}: template ${n}: ${bad[0].detail}`);
    }
    // Our texts as shipped: the injector's built-in code for sidecar and gateway.
    if (log.length > 0 && log.every((r) => r.name === "sidecar" || r.name === "gateway")) {
      tally.builtinCases++;
      const withOurs = injectAll(docs, settings);
      const same =
        withIstio.error !== undefined || withOurs.error !== undefined
          ? (withIstio.error === undefined) === (withOurs.error === undefined)
          : isDeepStrictEqual(normalise(withIstio.objects), normalise(withOurs.objects));
      if (same) tally.builtinAgreed++;
      else
        tally.failures.push(
          `${label} ${kase.id}: built-in code differs from Istio's texts: ${withIstio.error ?? withOurs.error ?? firstDiff(normalise(withIstio.objects), normalise(withOurs.objects))}`,
        );
    }
  }
  return tally;
}

function report(label: string, t: Tally): string {
  const per = Object.keys(t.rendered)
    .sort()
    .map((n) => `${n} ${t.agreed[n] ?? 0}/${t.rendered[n]}`)
    .join(", ");
  return `${label}: ${t.cases} cases; our texts agree with Istio's (cases per template): ${per}; built-in code agrees with Istio's texts: ${t.builtinAgreed}/${t.builtinCases}`;
}

// ---- variations: settings and pod annotations the corpora do not combine -------------------------------------

const FLAG_SETS: string[][] = [
  [],
  ["components.cni.enabled=true", "values.cni.provider=multus"],
  ["components.cni.enabled=true", "meshConfig.defaultConfig.interceptionMode=TPROXY"],
  ["values.global.proxy.resources.requests.cpu=100m", "values.global.proxy.resources.limits.memory=1Gi", "values.global.imagePullPolicy=Always", "values.global.imagePullSecrets[0]=a"],
  ["values.global.mountMtlsCerts=true", "values.global.caName=GkeWorkloadCertificate", "values.pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE_API=true"],
  ["values.global.logAsJson=true", "values.global.sts.servicePort=15463", "values.global.proxy.privileged=true", "values.global.proxy.seccompProfile.type=RuntimeDefault"],
  ["values.global.proxy.lifecycle.preStop.exec.command[0]=sleep", "values.global.proxy.startupProbe.enabled=false", "values.gateways.securityContext.runAsUser=5"],
  ["values.global.proxy.includeOutboundPorts=80\\,81", "values.global.proxy.excludeOutboundPorts=90\\,91", "values.global.proxy.excludeIPRanges=10.1.0.0/16"],
  ["revision=canary", "values.global.meshID=m1", "values.global.network=n1", "meshConfig.trustDomain=x.org"],
  ["meshConfig.defaultConfig.holdApplicationUntilProxyStarts=true", "values.global.proxy.outlierLogPath=/dev/stdout", "values.global.caAddress=ca:1"],
  ["meshConfig.defaultConfig.interceptionMode=NONE", "values.global.proxy.image=foo/bar:1"],
  ["meshConfig.defaultConfig.proxyMetadata.ISTIO_META_ENABLE_HBONE=true", "meshConfig.defaultConfig.proxyMetadata.IPTABLES_TRACE_LOGGING=true", "meshConfig.inboundTrafficPolicy.mode=LOCALHOST"],
  ["values.global.proxy.statusPort=0", "values.global.proxy.tracer=datadog"],
  ["values.global.pilotCertProvider=custom"],
  ["values.global.pilotCertProvider=custom", "values.global.proxy.tracer=lightstep", "meshConfig.defaultConfig.tracing.tlsSettings.caCertificates=/etc/ls/ca.pem"],
];

const ANNOTATION_SETS: Record<string, string>[] = [
  {},
  { "sidecar.istio.io/proxyCPU": "100m", "sidecar.istio.io/proxyMemoryLimit": "1Gi" },
  { "sidecar.istio.io/interceptionMode": "TPROXY", "sidecar.istio.io/capNetBindService": "true" },
  { "sidecar.istio.io/interceptionMode": "NONE" },
  { "sidecar.istio.io/nativeSidecar": "true" },
  { "sidecar.istio.io/nativeSidecar": "false", "status.sidecar.istio.io/port": "0" },
  {
    "sidecar.istio.io/userVolume": '{"v1":{"emptyDir":{}}}',
    "sidecar.istio.io/userVolumeMount": '{"v1":{"mountPath":"/a","readOnly":true}}',
    "sidecar.istio.io/bootstrapOverride": "my-bootstrap",
  },
  { "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/8", "traffic.sidecar.istio.io/excludeInboundPorts": "82", "traffic.sidecar.istio.io/excludeOutboundPorts": "3306" },
  { "traffic.sidecar.istio.io/kubevirtInterfaces": "net1", "traffic.sidecar.istio.io/excludeInterfaces": "eth9", "istio.io/reroute-virtual-interfaces": "net2" },
  { "sidecar.istio.io/proxyImage": "reg/proxy:x", "sidecar.istio.io/logLevel": "debug", "readiness.status.sidecar.istio.io/periodSeconds": "5" },
  { "kubectl.kubernetes.io/default-container": "b", "apm.datadoghq.com/env": '{"DD_ENV":"prod"}' },
];
const LABEL_SETS: Record<string, string>[] = [
  {},
  { app: "myapp", version: "v1" },
  { "service.istio.io/canonical-name": "x".repeat(62) + "-yyy", "security.istio.io/tlsMode": "disabled", "service.istio.io/workload-name": "wl" },
];

function variationPod(i: number, template: string): unknown {
  const annotations = { ...ANNOTATION_SETS[i % ANNOTATION_SETS.length], "inject.istio.io/templates": template };
  const labels = { app: "x", ...LABEL_SETS[i % LABEL_SETS.length] };
  const containers: unknown[] = [
    { name: "a", image: "a:1.2", ports: [{ containerPort: 80, name: "http" }, { containerPort: 53, protocol: "UDP" }] },
    { name: "b", image: "b", ports: [{ containerPort: 9090 }] },
  ];
  if (template === "gateway" || i % 4 === 0) containers.unshift({ name: "istio-proxy", image: "auto" });
  const spec = { containers, ...(i % 2 ? { serviceAccountName: "sa1" } : {}) };
  if (i % 3 === 0) return { apiVersion: "v1", kind: "Pod", metadata: { name: "p1", namespace: "ns1", annotations, labels }, spec };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d1", namespace: "ns1" },
    spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { annotations, labels }, spec } },
  };
}

async function runVariations(): Promise<Tally & { settingsFailed: string[]; builtinFailures: string[] }> {
  const tally: Tally & { settingsFailed: string[]; builtinFailures: string[] } = { cases: 0, rendered: {}, agreed: {}, builtinCases: 0, builtinAgreed: 0, failures: [], settingsFailed: [], builtinFailures: [] };
  for (const [fi, flags] of FLAG_SETS.entries()) {
    let settings;
    try {
      settings = await settingsFor({ id: flags.join(","), in: "", want: null, setFlags: flags, env: { ENABLE_NATIVE_SIDECARS: fi % 2 ? "true" : "false" } }, "");
    } catch (e) {
      tally.settingsFailed.push(`${flags.join(",")}: ${(e as Error).message}`);
      continue;
    }
    const istioTemplates: Record<string, string> = { ...settings.templates };
    for (const n of NAMES) if (istioTemplates[n] === OURS[n]) istioTemplates[n] = ISTIO[n];
    for (let i = 0; i < 2 * ANNOTATION_SETS.length; i++) {
      const template = NAMES[(i + fi) % NAMES.length];
      const pod = [variationPod(i + fi, template)];
      const userVolume = JSON.stringify(pod).includes("sidecar.istio.io/userVolume") ? ", userVolume" : "";
      const id = `flags [${flags.join(" ")}] pod ${i} (${template}${userVolume})`;
      tally.cases++;
      const log: Render[] = [];
      spyOnIstioTexts(log);
      const withIstio = injectAll(pod, { ...settings, templates: istioTemplates });
      if (log.length === 0) continue;
      tally.rendered[template] = (tally.rendered[template] ?? 0) + 1;
      const bad = log.filter((r) => !r.agree);
      if (bad.length === 0) tally.agreed[template] = (tally.agreed[template] ?? 0) + 1;
      else tally.failures.push(`${id}: ${bad[0].detail}`);
      if (template === "sidecar" || template === "gateway") {
        tally.builtinCases++;
        const withOurs = injectAll(pod, settings);
        const d =
          withIstio.error !== undefined || withOurs.error !== undefined
            ? (withIstio.error === undefined) === (withOurs.error === undefined)
              ? undefined
              : `Istio's texts: ${withIstio.error ?? "ok"}; built-in: ${withOurs.error ?? "ok"}`
            : firstDiff(normalise(withIstio.objects), normalise(withOurs.objects));
        if (d === undefined) tally.builtinAgreed++;
        else tally.builtinFailures.push(`${id}: ${d}`);
      }
    }
  }
  return tally;
}

/** Differences of the injector's built-in sidecar/gateway code from Istio's texts that the variations show. */
const KNOWN_BUILTIN: { test: RegExp; why: string }[] = [
  {
    test: /\(sidecar(, userVolume)?\): Istio's texts: injection template "sidecar": annotation apm\.datadoghq\.com\/env: the value cannot be checked/,
    why: "the template engine path refuses a JSON annotation value a template prints; the built-in code reads it as data",
  },
];

describe("our texts render what Istio 1.30.3's render, on the injection corpora", () => {
  it("the shared corpus (67 cases)", { skip: SHARED ? false : "no ../shared corpus", timeout: 600_000 }, async () => {
    const t = await runCorpus("shared", SHARED!);
    console.log(report("shared", t));
    assert.deepEqual(t.failures, []);
    assert.ok((t.rendered.sidecar ?? 0) >= 50 && (t.rendered.gateway ?? 0) >= 1, "the corpus exercised sidecar and gateway");
  });
  it("the full corpus (133 cases)", { skip: ALL ? false : "no istio-inject-all corpus", timeout: 600_000 }, async () => {
    const t = await runCorpus("all", ALL!);
    console.log(report("all", t));
    assert.deepEqual(t.failures, []);
    for (const n of NAMES) assert.ok((t.rendered[n] ?? 0) >= 1, `the corpus exercised ${n}`);
  });
  it("variations of settings and pod annotations", { timeout: 600_000 }, async () => {
    const t = await runVariations();
    console.log(report("variations", t) + (t.settingsFailed.length ? `; settings refused: ${t.settingsFailed.join(" | ")}` : ""));
    assert.deepEqual(t.settingsFailed, []);
    assert.deepEqual(t.failures, []);
    // The built-in code's known departures from Istio's texts (src/webhook/inject, not these texts).
    const unexplained = t.builtinFailures.filter((f) => !KNOWN_BUILTIN.some((k) => k.test.test(f)));
    for (const k of KNOWN_BUILTIN) {
      const n = t.builtinFailures.filter((f) => k.test.test(f)).length;
      if (n) console.log(`  built-in differs from Istio's texts on ${n} variations, known: ${k.why}`);
    }
    for (const f of unexplained) console.log("  built-in: " + f.slice(0, 400));
    assert.deepEqual(unexplained, []);
    for (const n of NAMES) assert.ok((t.rendered[n] ?? 0) >= 20, `variations rendered ${n} ${t.rendered[n] ?? 0} times`);
  });
});
