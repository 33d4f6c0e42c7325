// Property tests of the injection core (fast-check, fixed seeds): arbitrary pods, including unicode and hostile
// labels/annotations, and arbitrary values of every annotation the injector reads.
//  (a) injection never throws anything but an InjectionError (a documented denial), on the core and on the
//      admission path (which must never fall back to "error": that admits the pod without a sidecar);
//  (b) injecting an injected pod again changes nothing;
//  (c) the JSON patch of the admission path, applied to the pod the API server sent, gives the injected pod;
//  (d) an annotation value never adds or changes a field other than the one(s) that annotation documents
//      (../shared/spec/injection.md section c): a pod injected with a benign value and the same pod injected
//      with a hostile value have the same set of field paths, and differ only in the documented fields' content.
//      Istio 1.30.3 itself fails (d): its text template pastes some values unescaped (istio/istio PR #61215);
//  (e) every label and annotation of the pod survives injection (values kept unless the injector owns the key).
// Cases Istio itself does not keep fixed under re-injection are left out of (b), each with the reason; bugs found
// here are pinned by skipped tests in inject-core.test.ts ("known bugs") and left out here with a pointer to them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import jsonpatch from "fast-json-patch";
import { settingsFromIstioOperator } from "../../src/config/injection.js";
import { injectPod } from "../../src/webhook/inject/inject.js";
import { injectWorkload, podOwner } from "../../src/webhook/inject/workload.js";
import { handleInjectReview, parseAdmissionReview } from "../../src/webhook/admission.js";
import { A } from "../../src/webhook/inject/annotations.js";
import { InjectionError, type InjectionSettings, type Obj } from "../../src/webhook/inject/types.js";

// ---------------------------------------------------------------------------------------------------------------
// Settings: classic and native sidecars, and CNI (which copies the traffic annotations into pod annotations).
const SETTINGS: { name: string; settings: InjectionSettings }[] = [
  { name: "classic", settings: settingsFromIstioOperator({}, { nativeSidecars: false }) },
  { name: "native", settings: settingsFromIstioOperator({}, { nativeSidecars: true }) },
  { name: "cni", settings: settingsFromIstioOperator({ components: { cni: { enabled: true } } }, { nativeSidecars: true }) },
  { name: "cni-multus", settings: settingsFromIstioOperator({ components: { cni: { enabled: true } }, values: { cni: { provider: "multus" } } }, { nativeSidecars: false }) },
];
const settingsArb = fc.constantFrom(...SETTINGS);

// ---------------------------------------------------------------------------------------------------------------
// Values.
const HOSTILE_CONSTANTS = [
  "", " ", "\n", "\t", '"', "'", "\\", "}", "{", "]", "[", "{{", "}}", "{{ .Values.global.hub }}", "{{- end }}",
  '"\n        privileged: true\n        x: "', "'\n  - name: evil\n    image: evil\n'",
  '"}],"containers":[{"name":"evil","image":"evil"}],"x":[{"', '{"containers":[{"name":"evil","image":"evil"}]}',
  "\ninitContainers:\n- name: evil\n  image: evil\n", "a: b\nc: {d: e}", "- x\n- y", "key: [1, 2", "{a: 1}", '{"a":1}', "[1,2]",
  "null", "~", "true", "false", "yes", "on", "0", "1", "-1", "007", "1e3", "0x10", "NaN", "Infinity", "*", "&a x", "!!binary eA==",
  "${HOME}", "$(POD_NAME)", "--privileged", "-u 0", "15020", "15021", "65535", "65536", "a,b", "1,2,3", " 1 , 2 ", "0.0.0.0/0",
  "::/0", "10.0.0.0/8,", "\u0000", "\u202e", "💥", "istio-proxy", "sidecar", "gateway", "sidecar,sidecar", "REDIRECT", "NONE",
  "100m", "1Gi", "debug", "__proto__", "constructor", "docker.io/evil/proxy:1", "evil\nimage: x/y:z",
];
const longHostile = fc
  .tuple(fc.constantFrom('"', "}", "\n", "{{", "a", "é", "💥"), fc.integer({ min: 1_000, max: 20_000 }))
  .map(([s, n]) => s.repeat(n));
const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_CONSTANTS) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...HOSTILE_CONSTANTS), { minLength: 2, maxLength: 4 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: longHostile },
);

// Well-formed values of each annotation the injector reads, so valid and hostile values meet in one pod.
const VALID: Record<string, string[]> = {
  [A.inject]: ["true", "false"],
  [A.proxyImage]: ["docker.io/istio/proxyv2:1.30.3", "proxyv2"],
  [A.proxyImageType]: ["distroless", "debug", "default"],
  [A.interceptionMode]: ["REDIRECT", "TPROXY", "NONE"],
  [A.nativeSidecar]: ["true", "false"],
  [A.proxyCPU]: ["100m", "2"],
  [A.proxyMemory]: ["128Mi", "1Gi"],
  [A.proxyCPULimit]: ["2000m"],
  [A.proxyMemoryLimit]: ["1024Mi"],
  [A.logLevel]: ["debug", "warning"],
  [A.componentLogLevel]: ["misc:error,rbac:debug"],
  [A.agentLogLevel]: ["default:debug"],
  [A.capNetBindService]: ["true", "false"],
  [A.bootstrapOverride]: ["custom-bootstrap"],
  [A.userVolume]: ['{"uv":{"emptyDir":{}}}', '{"cm":{"configMap":{"name":"x"}}}'],
  [A.userVolumeMount]: ['{"uv":{"mountPath":"/uv","readOnly":true}}'],
  [A.rewriteAppHTTPProbers]: ["true", "false"],
  [A.statusPort]: ["15020", "0", "15030"],
  [A.readinessInitialDelay]: ["1", "0"],
  [A.readinessPeriod]: ["2"],
  [A.readinessFailureThreshold]: ["30"],
  [A.includeOutboundIPRanges]: ["*", "10.0.0.0/8,192.168.0.0/16"],
  [A.excludeOutboundIPRanges]: ["10.96.0.1/32"],
  [A.includeInboundPorts]: ["*", "8080,9090"],
  [A.excludeInboundPorts]: ["8081"],
  [A.includeOutboundPorts]: ["443"],
  [A.excludeOutboundPorts]: ["3306,5432"],
  [A.kubevirtInterfaces]: ["net1,net2"],
  [A.rerouteVirtualInterfaces]: ["net1"],
  [A.excludeInterfaces]: ["eth1"],
  [A.mergeMetrics]: ["true", "false"],
  [A.proxyConfig]: ["{}", "concurrency: 2", "holdApplicationUntilProxyStarts: true", '{"proxyMetadata":{"FOO":"bar"}}', "interceptionMode: TPROXY", "image:\n  imageType: distroless"],
  [A.templates]: ["sidecar", "gateway", "sidecar,gateway"],
  [A.overrides]: ['{"containers":[{"name":"istio-proxy","image":"my/proxy:1"}]}'],
  [A.status]: ['{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":null,"imagePullSecrets":null,"revision":"default"}'],
  "readiness.status.sidecar.istio.io/applicationPorts": ["8080"],
  [A.multusNetworks]: ["net-a", '[{"name":"net-b"}]'],
  [A.defaultContainer]: ["app"],
  "prometheus.io/scrape": ["true", "false"],
  "prometheus.io/port": ["9090"],
  "prometheus.io/path": ["/metrics"],
};
const INJECTOR_KEYS = Object.keys(VALID);
const valueOf = (key: string, validWeight: number): fc.Arbitrary<string> =>
  fc.oneof({ weight: validWeight, arbitrary: fc.constantFrom(...VALID[key]) }, { weight: 1, arbitrary: hostile });

// ProxyConfig fragments with known fields holding hostile content (these parse, so they reach the template).
const proxyConfigHostile: fc.Arbitrary<string> = fc.oneof(
  hostile,
  hostile.map((h) => JSON.stringify({ proxyMetadata: { EVIL: h } })),
  hostile.map((h) => JSON.stringify({ image: { imageType: h } })),
  hostile.map((h) => JSON.stringify({ discoveryAddress: h })),
  hostile.map((h) => `proxyMetadata:\n  X: ${JSON.stringify(h)}\nconcurrency: 2`),
  fc.constantFrom("holdApplicationUntilProxyStarts: true", "proxyMetadata: {ISTIO_META_ENABLE_HBONE: \"true\"}", "statusPort: 15030", "interceptionMode: NONE"),
);

// ---------------------------------------------------------------------------------------------------------------
// Pods.
const RESERVED = new Set(["istio-proxy", "istio-init", "istio-validation", "enable-core-dump"]);
const dnsName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/).filter((n) => !RESERVED.has(n));
const anyName = fc.oneof({ weight: 8, arbitrary: dnsName }, { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((n) => !RESERVED.has(n)) });
const portNumber = fc.integer({ min: 1, max: 65535 });
const probePort = fc.oneof(portNumber, dnsName, fc.constantFrom(15020, 15021, "15020", "http"), hostile);

const probe = fc
  .tuple(
    fc.oneof(
      fc.record({ httpGet: fc.record({ path: fc.oneof(fc.constant("/healthz"), hostile), port: probePort, scheme: fc.constantFrom("HTTP", "HTTPS"), httpHeaders: fc.array(fc.record({ name: dnsName, value: hostile }), { maxLength: 2 }) }, { requiredKeys: ["port"] }) }),
      fc.record({ tcpSocket: fc.record({ port: probePort, host: dnsName }, { requiredKeys: ["port"] }) }),
      fc.record({ grpc: fc.record({ port: portNumber, service: hostile }, { requiredKeys: ["port"] }) }),
      fc.record({ exec: fc.record({ command: fc.array(hostile, { maxLength: 3 }) }) }),
    ),
    fc.record({ initialDelaySeconds: fc.nat(100), periodSeconds: fc.integer({ min: 1, max: 60 }), timeoutSeconds: fc.integer({ min: 1, max: 30 }), failureThreshold: fc.integer({ min: 1, max: 10 }) }, { requiredKeys: [] }),
  )
  .map(([handler, timing]) => ({ ...handler, ...timing }));

const lifecycle = fc.record(
  {
    preStop: fc.oneof(fc.record({ httpGet: fc.record({ path: fc.constant("/stop"), port: probePort }) }), fc.record({ exec: fc.record({ command: fc.array(hostile, { maxLength: 2 }) }) })),
    postStart: fc.oneof(fc.record({ tcpSocket: fc.record({ port: probePort }) }), fc.record({ exec: fc.record({ command: fc.array(hostile, { maxLength: 2 }) }) })),
  },
  { requiredKeys: [] },
);

const container = (name: fc.Arbitrary<string>) =>
  fc.record(
    {
      name,
      image: fc.oneof(fc.constantFrom("nginx", "docker.io/library/busybox:1.36", "registry.example.com:5000/team/app@sha256:" + "a".repeat(64)), hostile),
      command: fc.array(hostile, { maxLength: 2 }),
      args: fc.array(hostile, { maxLength: 3 }),
      ports: fc.uniqueArray(
        fc.record({ containerPort: portNumber, name: dnsName, protocol: fc.constantFrom("TCP", "UDP", "SCTP"), hostPort: portNumber }, { requiredKeys: ["containerPort"] }),
        { selector: (p) => p.containerPort, maxLength: 3 },
      ),
      env: fc.uniqueArray(fc.record({ name: fc.oneof(dnsName.map((s) => s.toUpperCase().replace(/-/g, "_")), hostile), value: hostile }), { selector: (e) => e.name, maxLength: 3 }),
      volumeMounts: fc.uniqueArray(fc.record({ name: dnsName, mountPath: fc.oneof(fc.constantFrom("/data", "/etc/istio/proxy", "/var/run/secrets/tokens"), hostile.map((h) => "/" + h)) }), { selector: (m) => m.mountPath, maxLength: 2 }),
      resources: fc.record({ limits: fc.record({ cpu: fc.constantFrom("100m", "2000m", "1"), memory: fc.constantFrom("64Mi", "1024Mi") }, { requiredKeys: [] }), requests: fc.record({ cpu: fc.constantFrom("10m", "500m") }) }, { requiredKeys: [] }),
      readinessProbe: probe,
      livenessProbe: probe,
      startupProbe: probe,
      lifecycle,
      securityContext: fc.record({ runAsUser: fc.nat(70000), runAsGroup: fc.nat(70000), privileged: fc.boolean() }, { requiredKeys: [] }),
      imagePullPolicy: fc.constantFrom("Always", "IfNotPresent"),
    },
    { requiredKeys: ["name"] },
  );

// A user-supplied istio-proxy (Istio's documented way to override sidecar fields).
const userProxy = fc.record(
  {
    name: fc.constant("istio-proxy"),
    image: fc.constantFrom("auto", "docker.io/me/proxy:1"),
    resources: fc.record({ limits: fc.record({ cpu: fc.constantFrom("500m", "3") }) }),
    env: fc.array(fc.record({ name: fc.constantFrom("FOO", "PROXY_CONFIG"), value: hostile }), { maxLength: 2 }),
    securityContext: fc.record({ runAsUser: fc.constantFrom(1000, 0) }),
  },
  { requiredKeys: ["name"] },
);

const labelKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "app", "version", "app.kubernetes.io/name", "app.kubernetes.io/version", "service.istio.io/canonical-name", "service.istio.io/canonical-revision", "security.istio.io/tlsMode", "networking.istio.io/tunnel", "service.istio.io/workload-name", "pod-template-hash", "topology.istio.io/network", "sidecar.istio.io/inject"),
  dnsName,
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
);
const annotationKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTOR_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "toString", "prometheus.io.scrape", "prometheus_io_port", "kubectl.kubernetes.io/default-logs-container", "a~b/c", "x/y~1", "") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }) },
);

/** JSON round trip: plain objects only, no `undefined` (what a decoded AdmissionReview holds). */
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** Pods; `validWeight` is how much likelier a well-formed value of an injector annotation is than a hostile one. */
const makePodArb = (validWeight: number) => fc
  .record({
    containers: fc.uniqueArray(container(anyName), { selector: (c) => c.name, minLength: 1, maxLength: 3 }),
    initContainers: fc.uniqueArray(container(anyName.map((n) => "init-" + n)), { selector: (c) => c.name, maxLength: 2 }),
    userProxy: fc.option(userProxy, { freq: 6, nil: undefined }),
    volumes: fc.uniqueArray(fc.record({ name: fc.oneof(dnsName, fc.constantFrom("istio-envoy", "istio-data")), emptyDir: fc.constant({}) }), { selector: (v) => v.name, maxLength: 3 }),
    labels: fc.dictionary(labelKey, hostile, { maxKeys: 4, noNullPrototype: true }),
    annotations: fc.dictionary(annotationKey, fc.constant(""), { maxKeys: 6, noNullPrototype: true }).chain((keys) =>
      fc.record(Object.fromEntries(Object.keys(keys).map((k) => [k, Object.hasOwn(VALID, k) ? valueOf(k, validWeight) : hostile]))),
    ),
    name: fc.option(dnsName, { nil: undefined }),
    namespace: fc.option(fc.constantFrom("default", "shop", "kube-system", "ünïcode"), { nil: undefined }),
    owner: fc.option(fc.record({ rs: dnsName, hash: fc.stringMatching(/^[a-z0-9]{5,10}$/) }), { nil: undefined }),
    serviceAccountName: fc.option(dnsName, { nil: undefined }),
    hostNetwork: fc.option(fc.constant(true), { freq: 15, nil: undefined }),
    dnsPolicy: fc.option(fc.constantFrom("ClusterFirst", "Default"), { nil: undefined }),
  })
  .map((p) => {
    const metadata: Obj = { labels: p.labels, annotations: p.annotations };
    if (p.name) metadata.name = p.name;
    if (p.namespace) metadata.namespace = p.namespace;
    if (p.owner) {
      metadata.generateName = `${p.owner.rs}-${p.owner.hash}-`;
      metadata.labels = { ...metadata.labels, "pod-template-hash": p.owner.hash };
      metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${p.owner.rs}-${p.owner.hash}`, controller: true, uid: "u-1" }];
    }
    const spec: Obj = { containers: p.userProxy ? [...p.containers, p.userProxy] : p.containers };
    if (p.initContainers.length) spec.initContainers = p.initContainers;
    if (p.volumes.length) spec.volumes = p.volumes;
    if (p.serviceAccountName) spec.serviceAccountName = p.serviceAccountName;
    if (p.hostNetwork) spec.hostNetwork = true;
    if (p.dnsPolicy) spec.dnsPolicy = p.dnsPolicy;
    return json({ apiVersion: "v1", kind: "Pod", metadata, spec });
  });
/** Mostly hostile injector annotations: most such pods are denied (property a). */
const podArb = makePodArb(1);
/** Mostly well-formed injector annotations, so that most pods get injected (properties b, c). */
const injectablePodArb = makePodArb(8);

// ---------------------------------------------------------------------------------------------------------------
// Helpers.
const REQUEST_NAMESPACE = "req-ns";

/** What the admission path injects for `pod` (the pod as handleInjectReview hands it to the core). */
function inject(pod: Obj, settings: InjectionSettings) {
  const withNs = { ...pod, metadata: { ...pod.metadata, namespace: pod.metadata?.namespace || REQUEST_NAMESPACE } };
  const owner = podOwner(withNs);
  return injectPod({ pod: withNs, typeMeta: owner.typeMeta, deployMeta: { ...owner.deployMeta, namespace: owner.deployMeta.namespace || REQUEST_NAMESPACE }, revision: "" }, settings);
}

/** Runs `f`; an InjectionError (documented denial) gives undefined, anything else thrown fails the property. */
function orDenied<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof InjectionError) return undefined;
    throw new Error(`threw ${(e as Error)?.constructor?.name}, not an InjectionError: ${(e as Error)?.stack ?? e}`);
  }
}

function review(pod: Obj) {
  return parseAdmissionReview({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: { uid: "00000000-0000-4000-8000-000000000001", kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE", namespace: REQUEST_NAMESPACE, object: pod },
  });
}

function decodePatch(body: Obj): jsonpatch.Operation[] {
  return JSON.parse(Buffer.from(body.response.patch, "base64").toString("utf8"));
}

const segment = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
const LIST_KEYS = ["name", "containerPort", "mountPath"];

/**
 * Every leaf of a JSON value with its path. Items of lists of objects are keyed by their merge key (name,
 * containerPort, mountPath) so that a shifted list does not count as changed everywhere; order is ignored there.
 */
export function leaves(v: unknown, path = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v)) {
    if (v.length === 0) out.set(path + "[]", "[]");
    v.forEach((x, i) => {
      const key = x && typeof x === "object" && !Array.isArray(x) ? LIST_KEYS.find((k) => (x as Obj)[k] !== undefined) : undefined;
      leaves(x, key ? `${path}[${key}=${JSON.stringify((x as Obj)[key])}]` : `${path}[${i}]`, out);
    });
  } else if (v && typeof v === "object") {
    if (Object.keys(v).length === 0) out.set(path + "{}", "{}");
    for (const [k, x] of Object.entries(v)) leaves(x, path === "" ? segment(k).replace(/^\./, "") : path + segment(k), out);
  } else {
    out.set(path, v);
  }
  return out;
}

/** Paths that differ between two pods: added/removed (structure) and changed leaves (content). */
export function fieldDiff(a: Obj, b: Obj): { structure: string[]; content: string[] } {
  const la = leaves(a);
  const lb = leaves(b);
  const structure = [...[...la.keys()].filter((k) => !lb.has(k)), ...[...lb.keys()].filter((k) => !la.has(k))];
  const content = [...la.keys()].filter((k) => lb.has(k) && !Object.is(la.get(k), lb.get(k)));
  return { structure, content };
}

const fcParams = (seed: number, numRuns: number): fc.Parameters<unknown> => ({ seed, numRuns, maxSkipsPerRun: 1000 });

/** A readable value: long strings cut, so a counterexample with a 40,000-character value still fits a screen. */
function compact(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "string" && x.length > 80 ? `${x.slice(0, 40)}...(${x.length} chars)` : x === undefined ? "<undefined>" : x));
}

/** fc.assert with a short report: the property's own error first, then the shrunk counterexample, compacted. */
function check<T extends unknown[]>(prop: fc.IProperty<T>, params: fc.Parameters<T>): void {
  const r = fc.check(prop, params);
  if (!r.failed) return;
  if (!r.counterexample) assert.fail(`property not checked: ${r.numRuns} runs, ${r.numSkips} skipped by preconditions (seed ${params.seed})`);
  const err = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
  const [pod, settings, ...rest] = (r.counterexample ?? []) as unknown[];
  const s = settings && typeof settings === "object" && "name" in settings ? (settings as { name: string }).name : compact(settings);
  assert.fail(`${err.split("\n").slice(0, 12).join("\n")}\n  settings: ${s}\n  pod: ${compact(pod)}\n  more: ${compact(rest)}\n  seed ${params.seed}, path ${r.counterexamplePath}`);
}

/**
 * The pod with the proxy's ISTIO_META_NETWORK/ISTIO_META_CLUSTER_ID env moved last. Istio re-appends these two
 * after the template merge (updateClusterEnvs), so on re-injection an env added later on the first pass
 * (ISTIO_PROMETHEUS_ANNOTATIONS) ends up before them: Istio's own re-injection reorders them the same way.
 */
function clusterEnvLast(pod: Obj): Obj {
  const p = structuredClone(pod);
  for (const c of [...(p.spec.containers ?? []), ...(p.spec.initContainers ?? [])]) {
    if (c?.name !== "istio-proxy" || !Array.isArray(c.env)) continue;
    const moved = (e: Obj) => e?.name === "ISTIO_META_NETWORK" || e?.name === "ISTIO_META_CLUSTER_ID";
    c.env = [...c.env.filter((e: Obj) => !moved(e)), ...c.env.filter(moved)];
  }
  return p;
}

/**
 * A probe or hook whose port names no port of its container. Istio rewrites it to pilot-agent's status port without
 * recording a prober; with `status.sidecar.istio.io/port` other than the mesh's status port, re-injection then
 * records a prober for the rewritten probe (Istio's DumpAppProbers compares with the mesh port, the rewrite uses the
 * annotation), as Istio does: such pods are not fixed points of Istio's injection either.
 */
function hasUnresolvedProbePort(pod: Obj): boolean {
  return [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].some((c: Obj) =>
    [c.readinessProbe, c.livenessProbe, c.startupProbe, c.lifecycle?.preStop, c.lifecycle?.postStart].some((p: Obj | undefined) => {
      const port = p?.httpGet?.port ?? p?.tcpSocket?.port;
      return typeof port === "string" && !/^\d+$/.test(port) && !(c.ports ?? []).some((x: Obj) => x.name === port);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
describe("injection core properties", () => {
  it("(a) never throws anything but an InjectionError, on the core, kube-inject and the admission path", () => {
    check(
      fc.property(podArb, settingsArb, (pod, { settings }) => {
        const before = JSON.stringify(pod);
        const out = orDenied(() => inject(pod, settings));
        // The admission path: an internal fault would be admitted without a sidecar ("error").
        const r = handleInjectReview(review(pod), settings);
        assert.notEqual(r.result, "error", r.reason);
        if (out === undefined) assert.equal(r.result, "denied", "the core denied, the admission path did not");
        else assert.equal(r.result, out.injected ? "injected" : "skipped");
        if (r.result === "denied") {
          assert.equal(r.body.response.allowed, false);
          assert.equal(r.body.response.status.code, 400);
        }
        // kube-inject on a Deployment holding the same pod template.
        const { apiVersion: _a, kind: _k, ...template } = pod;
        orDenied(() => injectWorkload({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "shop" }, spec: { template } }, settings));
        assert.equal(JSON.stringify(pod), before, "the input pod was modified");
      }),
      fcParams(0x5eed_0001, 300),
    );
  });

  // Istio re-applies a user's own istio-proxy (or a proxy.istio.io/overrides record) only on the first injection:
  // re-injection "applies the new settings" (webhook.go reapplyOverwrittenContainers, case 2), so such pods are
  // not expected to be fixed points and are left out here.
  it("(b) re-injecting an injected pod changes nothing", () => {
    check(
      fc.property(injectablePodArb, settingsArb, (pod, { name, settings }) => {
        fc.pre(!pod.spec.containers.some((c: Obj) => c.name === "istio-proxy") && !Object.hasOwn(pod.metadata.annotations, A.overrides));
        fc.pre(!(Object.hasOwn(pod.metadata.annotations, A.statusPort) && hasUnresolvedProbePort(pod)));
        // sidecar + gateway under native sidecars renders two istio-proxy containers (init and regular), as Istio
        // does: a pod the API server rejects (duplicate names), not a fixed point.
        fc.pre(!/gateway/.test(pod.metadata.annotations[A.templates] ?? ""));
        // Under CNI, istio-validation takes runAsUser/runAsGroup from "the user's istio-proxy"; on re-injection that
        // is the previously injected proxy, which runs as root with capNetBindService (reported, not verified
        // against Istio, which may read the same unstripped pod).
        fc.pre(!(name === "cni" && pod.metadata.annotations[A.capNetBindService] === "true"));
        const once = orDenied(() => inject(pod, settings));
        fc.pre(once !== undefined && once.injected);
        const twice = orDenied(() => inject(once!.pod, settings));
        assert.ok(twice, "re-injection of an injected pod was denied");
        assert.ok(twice.injected, `re-injection skipped: ${twice.decision.reason}`);
        assert.deepStrictEqual(clusterEnvLast(twice.pod), clusterEnvLast(once!.pod));
      }),
      fcParams(0x5eed_0002, 120),
    );
  });

  it("(c) the admission JSON patch applied to the sent pod gives the injected pod", () => {
    check(
      fc.property(injectablePodArb, settingsArb, (pod, { settings }) => {
        const r = handleInjectReview(review(pod), settings);
        fc.pre(r.result === "injected");
        const expected = inject(pod, settings).pod;
        if (!pod.metadata.namespace) delete expected.metadata.namespace;
        const ops = decodePatch(r.body);
        assert.ok(ops.length > 0);
        for (const op of ops) assert.ok(op.path.startsWith("/metadata/") || op.path.startsWith("/spec/"), `patch touches ${op.path}`);
        // validateOperation = true: every op must be valid against the document it is applied to. The API server's
        // JSON patch has no ban on keys such as __proto__ (a pod may carry one), so neither does this one.
        const patched = jsonpatch.applyPatch(structuredClone(pod), ops, true, false, false).newDocument;
        assert.deepStrictEqual(json(patched), json(expected));
      }),
      fcParams(0x5eed_0003, 150),
    );
  });

  // Keys the injector documents as its own: the prometheus annotations it replaces (any spelling that sanitises to
  // prometheus_io_scrape/port/path) and the status annotation it rewrites.
  const rewrittenKey = (k: string) => /^prometheus_io_(scrape|port|path)$/.test(k.replace(/[^a-zA-Z0-9_]/g, "_"));
  it("(e) every label and annotation of the pod survives injection, with its value unless the injector owns it", () => {
    check(
      fc.property(injectablePodArb, settingsArb, (pod, { name, settings }) => {
        const cni = name.startsWith("cni");
        const out = orDenied(() => inject(pod, settings));
        fc.pre(out !== undefined && out.injected);
        for (const [k, v] of Object.entries(pod.metadata.labels as Record<string, string>)) {
          assert.ok(Object.hasOwn(out!.pod.metadata.labels, k), `label ${JSON.stringify(k)} lost`);
          // the network label and the tlsMode/canonical labels are kept when the user set them
          // (the canonical name is cut to 63 characters, trailing dashes trimmed: spec section c)
          const want = k === "service.istio.io/canonical-name" ? v.slice(0, 63).replace(/-+$/, "") : v;
          assert.equal(out!.pod.metadata.labels[k], want, `label ${JSON.stringify(k)} changed`);
        }
        for (const [k, v] of Object.entries(pod.metadata.annotations as Record<string, string>)) {
          if (rewrittenKey(k)) continue;
          assert.ok(Object.hasOwn(out!.pod.metadata.annotations, k), `annotation ${JSON.stringify(k)} lost`);
          // Values the injector writes: status, overrides, revision, multus networks, and under CNI the traffic
          // and interception annotations (section c: "output under CNI").
          const owned = [A.status, A.multusNetworks, A.overrides, "istio.io/rev"].includes(k) || (cni && (k.startsWith("traffic.sidecar.istio.io/") || k === A.interceptionMode || k === A.rerouteVirtualInterfaces));
          if (!owned) {
            assert.equal(out!.pod.metadata.annotations[k], v, `annotation ${JSON.stringify(k)} changed`);
          }
        }
      }),
      fcParams(0x5eed_0004, 150),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// (d) What each annotation may change, from spec/injection.md section (c). `P`/`I` are the proxy and the
// init (or CNI validation) container wherever the mode puts them; paths are those of `leaves`.
const P = String.raw`spec\.(?:initContainers|containers)\[name="istio-proxy"\]`;
const I = String.raw`spec\.initContainers\[name="istio-(?:init|validation)"\]`;
const ANN = (key: string) => String.raw`metadata\.annotations\[${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\]`;
const STATUS = ANN(A.status);
const re = (...parts: string[]) => new RegExp(`^(?:${parts.join("|")})`);

interface Documented {
  key: string;
  /** A well-formed value of the annotation. */
  benign: string;
  /** Values with a documented, different meaning (another mode), not hostile ones: left out. */
  documented?: (v: string) => boolean;
  /** Paths whose content the value may change. */
  content?: RegExp;
  /** Paths the value may add or remove. */
  structure?: RegExp;
  /** Hostile values for this annotation (default: the generic hostile strings). */
  values?: fc.Arbitrary<string>;
}

const isGoBool = (v: string) => ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].includes(v);
const isUint = (v: string) => /^\d+$/.test(v);
const trafficArgs = re(String.raw`${I}\.args\[\d+\]$`);
const DOCUMENTED: Documented[] = [
  { key: A.inject, benign: "true", documented: (v) => v === "false" },
  { key: A.proxyImage, benign: "docker.io/istio/proxyv2:1.30.3", content: re(`${P}\\.image$`, `${I}\\.image$`) },
  { key: A.proxyImageType, benign: "distroless", content: re(`${P}\\.image$`, `${I}\\.image$`) },
  { key: A.interceptionMode, benign: "REDIRECT", documented: (v) => ["TPROXY", "NONE"].includes(v) },
  // Any value but "true"/"false"/"" renders the native template while the container move follows the global flag
  // (Istio's quirk, spec section c): all such values must give the same pod as one of them.
  { key: A.nativeSidecar, benign: "on", documented: (v) => v === "true" || v === "false" || v === "" },
  { key: A.proxyCPU, benign: "100m", content: re(`${P}\\.resources\\.`, `${I}\\.resources\\.`) },
  { key: A.proxyMemory, benign: "128Mi", content: re(`${P}\\.resources\\.`, `${I}\\.resources\\.`) },
  { key: A.proxyCPULimit, benign: "2", content: re(`${P}\\.resources\\.`, `${I}\\.resources\\.`) },
  { key: A.proxyMemoryLimit, benign: "1Gi", content: re(`${P}\\.resources\\.`, `${I}\\.resources\\.`) },
  { key: A.logLevel, benign: "debug", content: re(`${P}\\.args\\[\\d+\\]$`) },
  { key: A.componentLogLevel, benign: "misc:error", content: re(`${P}\\.args\\[\\d+\\]$`) },
  { key: A.agentLogLevel, benign: "default:debug", content: re(`${P}\\.args\\[\\d+\\]$`, `${I}\\.args\\[\\d+\\]$`) },
  { key: A.capNetBindService, benign: "false", documented: (v) => v === "true" },
  {
    key: A.bootstrapOverride,
    benign: "custom-bootstrap",
    content: re(String.raw`spec\.volumes\[name="custom-bootstrap-volume"\]\.configMap\.name$`),
    // An empty ConfigMap name is Go's zero value: istioctl prints the reference as `configMap: {}`.
    structure: re(String.raw`spec\.volumes\[name="custom-bootstrap-volume"\]\.configMap(\.name|\{\})$`),
  },
  {
    key: A.userVolume,
    benign: '{"uv":{"emptyDir":{}}}',
    content: re(String.raw`spec\.volumes\[`, STATUS),
    structure: re(String.raw`spec\.volumes\[`),
    values: fc.oneof(hostile, hostile.map((h) => JSON.stringify({ uv: { hostPath: { path: h } }, [h]: { emptyDir: {} } }))),
  },
  {
    key: A.userVolumeMount,
    benign: '{"uv":{"mountPath":"/uv"}}',
    content: re(`${P}\\.volumeMounts\\[`),
    structure: re(`${P}\\.volumeMounts\\[`),
    values: fc.oneof(hostile, hostile.map((h) => JSON.stringify({ uv: { mountPath: "/" + h, subPath: h } }))),
  },
  { key: A.rewriteAppHTTPProbers, benign: "true", documented: isGoBool },
  { key: A.statusPort, benign: "15020", documented: isUint },
  { key: A.readinessInitialDelay, benign: "1", documented: isUint },
  { key: A.readinessPeriod, benign: "2", documented: isUint },
  { key: A.readinessFailureThreshold, benign: "30", documented: isUint },
  // Under CNI the traffic annotations are also copied (as given) into the pod annotations of the same key.
  { key: A.includeOutboundIPRanges, benign: "10.0.0.0/8", content: trafficArgs },
  { key: A.excludeOutboundIPRanges, benign: "10.96.0.1/32", content: trafficArgs },
  { key: A.includeInboundPorts, benign: "8080", content: trafficArgs },
  { key: A.excludeInboundPorts, benign: "8081", content: trafficArgs },
  { key: A.includeOutboundPorts, benign: "443", content: trafficArgs },
  { key: A.excludeOutboundPorts, benign: "3306", content: trafficArgs },
  { key: A.kubevirtInterfaces, benign: "net1", content: trafficArgs },
  { key: A.rerouteVirtualInterfaces, benign: "net1", content: trafficArgs },
  { key: A.excludeInterfaces, benign: "eth1", content: trafficArgs },
  // A ProxyConfig reaches only the sidecar's own containers (env, args, lifecycle, security context, image, ...)
  // and the HBONE tunnel label; never the app's containers, the volumes or other metadata.
  {
    key: A.proxyConfig,
    benign: "{}",
    content: re(P, I, STATUS),
    structure: re(P, I, String.raw`metadata\.labels\["networking\.istio\.io/tunnel"\]`),
    values: proxyConfigHostile,
  },
  // An empty template name is denied, as Istio denies it (inject-core.test.ts "empty template names").
  {
    key: A.templates,
    benign: "sidecar",
    documented: (v) => v.split(",").some((t) => t.trim() === "gateway" || t.trim() === "") || v === "",
  },
  // On a pod that was never injected, the overrides record is not read (section g): it changes nothing.
  { key: A.overrides, benign: "{}" },
];

function withAnnotation(pod: Obj, key: string, value: string): Obj {
  const p = structuredClone(pod);
  for (const k of INJECTOR_KEYS) delete p.metadata.annotations[k];
  delete p.metadata.labels[A.inject];
  p.metadata.annotations[key] = value;
  return p;
}

/** The differences a hostile value made beyond what its annotation documents (empty = property holds). */
export function undocumentedChanges(doc: Documented, benignPod: Obj, hostilePod: Obj): string[] {
  const self = new RegExp(`^${ANN(doc.key)}$`);
  const d = fieldDiff(benignPod, hostilePod);
  return [
    ...d.structure.filter((p) => !doc.structure?.test(p)).map((p) => `structure ${p}`),
    ...d.content.filter((p) => !self.test(p) && !doc.content?.test(p)).map((p) => `content ${p}`),
  ];
}

const COMPARED = new Map<string, number>();

describe("(d) an annotation value changes only the field it documents", () => {
  it("the checker itself reports a field a value should not have added or changed", () => {
    const doc = DOCUMENTED.find((d) => d.key === A.logLevel)!;
    const pod = inject(withAnnotation({ metadata: { labels: {}, annotations: {} }, spec: { containers: [{ name: "app", image: "nginx" }] } }, A.logLevel, "debug"), SETTINGS[0].settings).pod;
    assert.deepEqual(undocumentedChanges(doc, pod, pod), []);
    const changedArg = structuredClone(pod);
    changedArg.spec.containers.find((c: Obj) => c.name === "istio-proxy").args[4] = "--proxyLogLevel=evil";
    assert.deepEqual(undocumentedChanges(doc, pod, changedArg), []);
    const extraField = structuredClone(pod);
    extraField.spec.containers.find((c: Obj) => c.name === "istio-proxy").securityContext.privileged = true;
    extraField.spec.containers.find((c: Obj) => c.name === "istio-proxy").args.push("--evil");
    extraField.spec.containers[0].image = "evil";
    assert.deepEqual(undocumentedChanges(doc, pod, extraField).sort(), [
      `structure spec.containers[name="istio-proxy"].args[${pod.spec.containers[1].args.length}]`,
      `content spec.containers[name="app"].image`,
      `content spec.containers[name="istio-proxy"].securityContext.privileged`,
    ].sort());
  });

  for (const doc of DOCUMENTED) {
    it(doc.key, () => {
      let compared = 0;
      check(
        fc.property(podArb, settingsArb, doc.values ?? hostile, (pod, { settings }, value) => {
          fc.pre(!doc.documented?.(value) && !pod.spec.hostNetwork);
          const benign = orDenied(() => inject(withAnnotation(pod, doc.key, doc.benign), settings));
          fc.pre(benign !== undefined && benign.injected);
          const evil = orDenied(() => inject(withAnnotation(pod, doc.key, value), settings));
          if (evil === undefined) return; // denied: the value did not reach the pod
          assert.ok(evil.injected, "a hostile value turned injection off");
          compared++;
          assert.deepEqual(undocumentedChanges(doc, benign.pod, evil.pod), [], `value ${JSON.stringify(value).slice(0, 200)}`);
        }),
        fcParams(0x5eed_0100 + DOCUMENTED.indexOf(doc), 35),
      );
      COMPARED.set(doc.key, compared);
    });
  }

  // Annotations Istio does not validate: hostile values reach the template, so the comparisons above must have run.
  it("compared hostile values of every free-text annotation (not all denied)", () => {
    const freeText = [A.proxyImage, A.proxyImageType, A.logLevel, A.componentLogLevel, A.agentLogLevel, A.capNetBindService, A.bootstrapOverride, A.userVolume, A.userVolumeMount, A.rewriteAppHTTPProbers, A.includeOutboundPorts, A.nativeSidecar, A.inject, A.overrides, A.proxyConfig];
    for (const k of freeText) assert.ok((COMPARED.get(k) ?? 0) >= 5, `${k}: only ${COMPARED.get(k) ?? 0} hostile values compared`);
  });
});
