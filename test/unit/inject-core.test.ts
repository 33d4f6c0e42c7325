// Direct tests of the injection core: the inject/skip decision, native vs classic sidecars, traffic annotations
// into istio-init's arguments, the status annotation and probe rewriting. Expectations come from Istio 1.30.3's
// behaviour as written down in ../shared/spec/injection.md (sections a, c, d, e, f), not from our output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyInjectorConfigMap, defaultInjectorState, settingsFromIstioOperator } from "../../src/config/injection.js";
import { templateParseError } from "../../src/webhook/inject/template/render.js";
import { ClusterSettings } from "../../src/webhook/cluster-settings.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { injectRequired, selectorMatches } from "../../src/webhook/inject/decide.js";
import { injectPod } from "../../src/webhook/inject/inject.js";
import { A } from "../../src/webhook/inject/annotations.js";
import { InjectionError, type InjectorConfig, type Obj } from "../../src/webhook/inject/types.js";

const classic = settingsFromIstioOperator({}, { nativeSidecars: false });
const native = settingsFromIstioOperator({}, { nativeSidecars: true });

function pod(opts: { labels?: Record<string, string>; annotations?: Record<string, string>; containers?: Obj[]; initContainers?: Obj[]; hostNetwork?: boolean } = {}): Obj {
  const spec: Obj = { containers: opts.containers ?? [{ name: "app", image: "nginx", ports: [{ containerPort: 8080, name: "http" }] }] };
  if (opts.initContainers) spec.initContainers = opts.initContainers;
  if (opts.hostNetwork) spec.hostNetwork = true;
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop", labels: opts.labels ?? {}, annotations: opts.annotations ?? {} }, spec };
}

function inject(p: Obj, settings = classic) {
  return injectPod({ pod: p, typeMeta: { apiVersion: "v1", kind: "Pod" }, deployMeta: { name: "p", namespace: "shop" } }, settings);
}

const names = (list: Obj[] | undefined) => (list ?? []).map((c) => c.name);
const container = (p: Obj, name: string): Obj => [...(p.spec.initContainers ?? []), ...p.spec.containers].find((c: Obj) => c.name === name);
const initArgs = (p: Obj) => container(p, "istio-init").args as string[];
const argAfter = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const env = (c: Obj, name: string) => (c.env ?? []).find((e: Obj) => e.name === name)?.value;

// ---------------------------------------------------------------------------------------------------------------
describe("decide (injectRequired)", () => {
  const config = (over: Partial<InjectorConfig> = {}): InjectorConfig => ({
    policy: "enabled",
    alwaysInjectSelector: [],
    neverInjectSelector: [],
    injectedAnnotations: {},
    defaultTemplates: ["sidecar"],
    ...over,
  });
  const decide = (meta: { labels?: Record<string, string>; annotations?: Record<string, string> }, over: Partial<InjectorConfig> = {}, ns = "shop", spec: Obj = {}) =>
    injectRequired({ metadata: { labels: meta.labels ?? {}, annotations: meta.annotations ?? {} }, spec }, ns, config(over));

  // [policy, label, annotation, expected]; undefined = absent.
  const matrix: [string, string | undefined, string | undefined, boolean][] = [
    ["enabled", undefined, undefined, true],
    ["enabled", undefined, "false", false],
    ["enabled", undefined, "true", true],
    ["enabled", "false", undefined, false],
    ["enabled", "true", undefined, true],
    ["enabled", "false", "true", false], // the label wins even when they disagree
    ["enabled", "true", "false", true],
    ["enabled", "", "false", true], // an empty label is present: it is the switch, and "" means default
    ["enabled", "yes", undefined, true], // invalid value: default policy
    ["disabled", undefined, undefined, false],
    ["disabled", undefined, "true", true],
    ["disabled", "true", undefined, true],
    ["disabled", undefined, "false", false],
    ["disabled", "on", undefined, false],
    ["bogus", undefined, "true", false], // any other policy skips everything
    ["bogus", undefined, undefined, false],
  ];
  for (const [policy, label, annotation, want] of matrix) {
    it(`policy ${policy}, label ${label ?? "-"}, annotation ${annotation ?? "-"} -> ${want ? "inject" : "skip"}`, () => {
      const labels = label === undefined ? {} : { [A.inject]: label };
      const annotations = annotation === undefined ? {} : { [A.inject]: annotation };
      assert.equal(decide({ labels, annotations }, { policy }).inject, want);
    });
  }

  it("warns about a value other than true/false and uses the default", () => {
    const d = decide({ annotations: { [A.inject]: "yes" } });
    assert.equal(d.inject, true);
    assert.equal(d.warnings.length, 1);
    assert.match(d.warnings[0], /yes/);
    assert.deepEqual(decide({ annotations: { [A.inject]: "true" } }).warnings, []);
  });

  it("never skips for host networking or the system namespaces, whatever the switch says", () => {
    assert.equal(decide({ annotations: { [A.inject]: "true" } }, {}, "shop", { hostNetwork: true }).inject, false);
    for (const ns of ["kube-system", "kube-public", "kube-node-lease", "local-path-storage"]) {
      assert.equal(decide({ labels: { [A.inject]: "true" } }, {}, ns).inject, false, ns);
    }
    assert.equal(decide({}, {}, "kube-systemx").inject, true);
  });

  it("neverInjectSelector beats alwaysInjectSelector, and both only apply when the pod does not say", () => {
    const never = [{ matchLabels: { tier: "batch" } }];
    const always = [{ matchExpressions: [{ key: "tier", operator: "Exists" }] }];
    assert.equal(decide({ labels: { tier: "batch" } }, { neverInjectSelector: never, alwaysInjectSelector: always }).inject, false);
    assert.equal(decide({ labels: { tier: "web" } }, { neverInjectSelector: never, alwaysInjectSelector: always, policy: "disabled" }).inject, true);
    assert.equal(decide({ labels: { tier: "batch", [A.inject]: "true" } }, { neverInjectSelector: never }).inject, true);
    assert.equal(decide({ labels: { tier: "web" }, annotations: { [A.inject]: "false" } }, { alwaysInjectSelector: always }).inject, false);
  });

  it("selector matching: an empty selector matches nothing, an unknown operator never matches", () => {
    assert.equal(selectorMatches({}, { a: "b" }), false);
    assert.equal(selectorMatches({ matchLabels: {} , matchExpressions: [] }, { a: "b" }), false);
    assert.equal(selectorMatches({ matchLabels: { a: "b" } }, { a: "b", c: "d" }), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: "a", operator: "In", values: ["x", "b"] }] }, { a: "b" }), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["b"] }] }, { a: "b" }), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["b"] }] }, {}), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: "a", operator: "DoesNotExist" }] }, { a: "" }), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, { a: "2" }), false);
  });

  it("a skipped pod is returned unchanged and not marked", () => {
    const p = pod({ annotations: { [A.inject]: "false" } });
    const out = inject(p);
    assert.equal(out.injected, false);
    assert.deepEqual(out.pod.spec, p.spec);
    assert.equal(out.pod.metadata.annotations[A.status], undefined);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("native vs classic sidecar", () => {
  it("classic: istio-init first init container, istio-proxy last regular container, no restartPolicy", () => {
    const out = inject(pod({ initContainers: [{ name: "migrate", image: "m" }], containers: [{ name: "app", image: "a" }, { name: "worker", image: "w" }] }), classic);
    assert.deepEqual(names(out.pod.spec.initContainers), ["migrate", "istio-init"]);
    assert.deepEqual(names(out.pod.spec.containers), ["app", "worker", "istio-proxy"]);
    assert.equal(container(out.pod, "istio-proxy").restartPolicy, undefined);
    assert.deepEqual(container(out.pod, "istio-proxy").args.slice(0, 2), ["proxy", "sidecar"]);
  });

  it("native: istio-init then istio-proxy (restartPolicy Always) ahead of the app's init containers", () => {
    const out = inject(pod({ initContainers: [{ name: "migrate", image: "m" }] }), native);
    assert.deepEqual(names(out.pod.spec.initContainers), ["istio-init", "istio-proxy", "migrate"]);
    assert.deepEqual(names(out.pod.spec.containers), ["app"]);
    assert.equal(container(out.pod, "istio-proxy").restartPolicy, "Always");
    // native sidecars drain on preStop (classic ones have no lifecycle by default)
    assert.deepEqual(container(out.pod, "istio-proxy").lifecycle.preStop.exec.command, ["pilot-agent", "request", "--debug-port=15020", "POST", "drain"]);
  });

  it("the nativeSidecar annotation overrides the global switch both ways", () => {
    const forcedClassic = inject(pod({ annotations: { [A.nativeSidecar]: "false" } }), native).pod;
    assert.deepEqual(names(forcedClassic.spec.containers), ["app", "istio-proxy"]);
    assert.deepEqual(names(forcedClassic.spec.initContainers), ["istio-init"]);
    const forcedNative = inject(pod({ annotations: { [A.nativeSidecar]: "true" } }), classic).pod;
    assert.deepEqual(names(forcedNative.spec.initContainers), ["istio-init", "istio-proxy"]);
    assert.equal(container(forcedNative, "istio-proxy").restartPolicy, "Always");
  });

  it("holdApplicationUntilProxyStarts puts the classic proxy first with a postStart wait", () => {
    const out = inject(pod({ annotations: { [A.proxyConfig]: "holdApplicationUntilProxyStarts: true" } }), classic).pod;
    assert.deepEqual(names(out.spec.containers), ["istio-proxy", "app"]);
    assert.deepEqual(container(out, "istio-proxy").lifecycle.postStart.exec.command, ["pilot-agent", "wait"]);
  });

  it("a user-supplied istio-proxy moves to the init containers in native mode and its fields win", () => {
    const out = inject(pod({ containers: [{ name: "app", image: "a" }, { name: "istio-proxy", image: "auto", resources: { limits: { cpu: "3" } } }] }), native).pod;
    assert.deepEqual(names(out.spec.containers), ["app"]);
    assert.deepEqual(names(out.spec.initContainers), ["istio-init", "istio-proxy"]);
    const proxy = container(out, "istio-proxy");
    assert.equal(proxy.resources.limits.cpu, "3");
    assert.notEqual(proxy.image, "auto"); // image: auto means "the injector's image"
    assert.match(proxy.image, /proxyv2/);
    const overrides = JSON.parse(out.metadata.annotations[A.overrides]);
    assert.deepEqual(Object.keys(overrides), ["initContainers"]); // recorded where the template put it
    assert.equal(overrides.initContainers[0].name, "istio-proxy");
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("traffic annotations into istio-init's arguments", () => {
  it("defaults: -i *, -x empty, -b *, -d 15090,15021,15020, no -q/-o/-k/-c", () => {
    const args = initArgs(inject(pod()).pod);
    assert.equal(argAfter(args, "-p"), "15001");
    assert.equal(argAfter(args, "-z"), "15006");
    assert.equal(argAfter(args, "-u"), "1337");
    assert.equal(argAfter(args, "-m"), "REDIRECT");
    assert.equal(argAfter(args, "-i"), "*");
    assert.equal(argAfter(args, "-x"), "");
    assert.equal(argAfter(args, "-b"), "*");
    assert.equal(argAfter(args, "-d"), "15090,15021,15020");
    for (const f of ["-q", "-o", "-k", "-c"]) assert.ok(!args.includes(f), f);
  });

  it("include/exclude annotations land in their flags; the status port is added to the excluded inbound ports", () => {
    const args = initArgs(
      inject(
        pod({
          annotations: {
            [A.includeInboundPorts]: "8080,9090",
            [A.excludeInboundPorts]: "4,5,6",
            [A.includeOutboundIPRanges]: "10.0.0.0/8",
            [A.excludeOutboundIPRanges]: "10.96.0.1/32,192.168.0.0/16",
            [A.excludeOutboundPorts]: "3306",
            [A.includeOutboundPorts]: "443",
            [A.excludeInterfaces]: "eth1",
            [A.kubevirtInterfaces]: "net1",
          },
        }),
      ).pod,
    );
    assert.equal(argAfter(args, "-b"), "8080,9090");
    assert.equal(argAfter(args, "-d"), "15090,15021,4,5,6,15020");
    assert.equal(argAfter(args, "-i"), "10.0.0.0/8");
    assert.equal(argAfter(args, "-x"), "10.96.0.1/32,192.168.0.0/16");
    assert.equal(argAfter(args, "-o"), "3306");
    assert.equal(argAfter(args, "-q"), "443");
    assert.equal(argAfter(args, "-k"), "net1");
    assert.equal(argAfter(args, "-c"), "eth1");
  });

  it("status port: not added twice, not added when 0, follows the annotation", () => {
    assert.equal(argAfter(initArgs(inject(pod({ annotations: { [A.excludeInboundPorts]: "15020,81" } })).pod), "-d"), "15090,15021,15020,81");
    const zero = inject(pod({ annotations: { [A.statusPort]: "0", [A.excludeInboundPorts]: "81" } })).pod;
    assert.equal(argAfter(initArgs(zero), "-d"), "15090,15021,81");
    assert.equal(container(zero, "istio-proxy").readinessProbe, undefined); // status port 0: no readiness probe
    assert.equal(argAfter(initArgs(inject(pod({ annotations: { [A.statusPort]: "15030" } })).pod), "-d"), "15090,15021,15030");
  });

  it("reroute-virtual-interfaces wins over kubevirtInterfaces for -k", () => {
    const args = initArgs(inject(pod({ annotations: { [A.kubevirtInterfaces]: "net1", [A.rerouteVirtualInterfaces]: "net2" } })).pod);
    assert.equal(argAfter(args, "-k"), "net2");
    assert.equal(args.filter((a) => a === "-k").length, 1);
  });

  it("invalid values are denied with Istio's message, all problems listed", () => {
    assert.throws(
      () => inject(pod({ annotations: { [A.excludeInboundPorts]: "80,x", [A.includeOutboundIPRanges]: "10.0.0.0/33" } })),
      (e: unknown) =>
        e instanceof InjectionError &&
        /invalid value '80,x' for annotation 'traffic\.sidecar\.istio\.io\/excludeInboundPorts'/.test(e.message) &&
        /invalid value '10\.0\.0\.0\/33' for annotation 'traffic\.sidecar\.istio\.io\/includeOutboundIPRanges'/.test(e.message),
    );
    assert.throws(() => inject(pod({ annotations: { [A.interceptionMode]: "IPVS" } })), InjectionError);
  });

  it("TPROXY: -m TPROXY, -u 1337, the proxy runs as root with NET_ADMIN", () => {
    const out = inject(pod({ annotations: { [A.interceptionMode]: "TPROXY" } })).pod;
    assert.equal(argAfter(initArgs(out), "-m"), "TPROXY");
    assert.equal(argAfter(initArgs(out), "-u"), "1337");
    const sc = container(out, "istio-proxy").securityContext;
    assert.equal(sc.runAsUser, 0);
    assert.equal(sc.runAsNonRoot, false);
    assert.deepEqual(sc.capabilities.add, ["NET_ADMIN"]);
    assert.equal(env(container(out, "istio-proxy"), "ISTIO_META_INTERCEPTION_MODE"), "TPROXY");
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("status annotation", () => {
  const VOLUMES = ["workload-socket", "credential-socket", "workload-certs", "istio-envoy", "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert", "istio-ca-crl"];

  it("classic and native list what the templates injected, in Istio's key order, revision default", () => {
    assert.equal(
      inject(pod(), classic).pod.metadata.annotations[A.status],
      JSON.stringify({ initContainers: ["istio-init"], containers: ["istio-proxy"], volumes: VOLUMES, imagePullSecrets: null, revision: "default" }),
    );
    assert.equal(
      inject(pod(), native).pod.metadata.annotations[A.status],
      JSON.stringify({ initContainers: ["istio-init", "istio-proxy"], containers: null, volumes: VOLUMES, imagePullSecrets: null, revision: "default" }),
    );
  });

  it("names the webhook's revision and overwrites a previous status", () => {
    const out = injectPod(
      { pod: pod({ annotations: { [A.status]: '{"containers":["old"],"version":"x"}' } }), typeMeta: { apiVersion: "v1", kind: "Pod" }, deployMeta: { name: "p", namespace: "shop" }, revision: "canary" },
      classic,
    );
    const status = JSON.parse(out.pod.metadata.annotations[A.status]);
    assert.equal(status.revision, "canary");
    assert.deepEqual(status.containers, ["istio-proxy"]);
    assert.equal(out.pod.metadata.annotations["istio.io/rev"], "canary");
  });

  it("the other injected metadata: labels and default-container annotations", () => {
    const out = inject(pod({ labels: { app: "shop", version: "v2" } })).pod;
    assert.equal(out.metadata.labels["security.istio.io/tlsMode"], "istio");
    assert.equal(out.metadata.labels["service.istio.io/canonical-name"], "shop");
    assert.equal(out.metadata.labels["service.istio.io/canonical-revision"], "v2");
    assert.equal(out.metadata.annotations["kubectl.kubernetes.io/default-container"], "app");
    assert.equal(out.metadata.annotations["kubectl.kubernetes.io/default-logs-container"], "app");
    assert.equal(out.metadata.annotations["prometheus.io/port"], "15020");
    assert.equal(out.metadata.annotations["prometheus.io/path"], "/stats/prometheus");
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("probe rewriting", () => {
  const app = (probes: Obj): Obj[] => [{ name: "app", image: "a", ports: [{ containerPort: 8080, name: "http" }], ...probes }];

  it("httpGet probes go to pilot-agent; the original probes are handed over in ISTIO_KUBE_APP_PROBERS", () => {
    const out = inject(
      pod({
        containers: app({
          readinessProbe: { httpGet: { path: "/ready", port: "http", scheme: "HTTPS" }, periodSeconds: 5, timeoutSeconds: 2 },
          livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 3 },
          startupProbe: { exec: { command: ["true"] } },
        }),
      }),
    ).pod;
    const c = container(out, "app");
    assert.deepEqual(c.readinessProbe, { httpGet: { path: "/app-health/app/readyz", port: 15020, scheme: "HTTP" }, periodSeconds: 5, timeoutSeconds: 2 });
    assert.deepEqual(c.livenessProbe, { httpGet: { path: "/app-health/app/livez", port: 15020 }, initialDelaySeconds: 3 });
    assert.deepEqual(c.startupProbe, { exec: { command: ["true"] } }); // exec probes are left alone
    assert.deepEqual(JSON.parse(env(container(out, "istio-proxy"), "ISTIO_KUBE_APP_PROBERS")), {
      "/app-health/app/livez": { tcpSocket: { port: 8080 } },
      "/app-health/app/readyz": { httpGet: { path: "/ready", port: 8080, scheme: "HTTPS" }, timeoutSeconds: 2 },
    });
  });

  it("lifecycle hooks are rewritten under /app-lifecycle", () => {
    const out = inject(pod({ containers: app({ lifecycle: { preStop: { httpGet: { path: "/stop", port: 8080 } } } }) })).pod;
    assert.deepEqual(container(out, "app").lifecycle.preStop, { httpGet: { path: "/app-lifecycle/app/prestopz", port: 15020 } });
    assert.deepEqual(JSON.parse(env(container(out, "istio-proxy"), "ISTIO_KUBE_APP_PROBERS")), { "/app-lifecycle/app/prestopz": { httpGet: { path: "/stop", port: 8080 } } });
  });

  it("the status port annotation is the target; rewriteAppHTTPProbers: false turns it off", () => {
    const probe = { readinessProbe: { httpGet: { path: "/ready", port: 8080 } } };
    assert.equal(container(inject(pod({ containers: app(probe), annotations: { [A.statusPort]: "15030" } })).pod, "app").readinessProbe.httpGet.port, 15030);
    const off = inject(pod({ containers: app(probe), annotations: { [A.rewriteAppHTTPProbers]: "false" } })).pod;
    assert.deepEqual(container(off, "app").readinessProbe, probe.readinessProbe);
    assert.equal(env(container(off, "istio-proxy"), "ISTIO_KUBE_APP_PROBERS"), undefined);
  });

  it("no probes, no ISTIO_KUBE_APP_PROBERS; the input pod is never modified", () => {
    const p = pod({ containers: app({ readinessProbe: { httpGet: { path: "/ready", port: 8080 } } }) });
    const before = JSON.stringify(p);
    inject(p);
    assert.equal(JSON.stringify(p), before);
    assert.equal(env(container(inject(pod()).pod, "istio-proxy"), "ISTIO_KUBE_APP_PROBERS"), undefined);
  });

  it("re-injection keeps the recorded probers and does not rewrite twice", () => {
    const once = inject(pod({ containers: app({ readinessProbe: { httpGet: { path: "/ready", port: 8080 } } }) })).pod;
    const twice = inject(once).pod;
    assert.deepEqual(twice, once);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bugs the property tests (inject-property.test.ts) found, fixed; each states Istio's rule.
describe("found by the property tests", () => {
  it(
    "inject.istio.io/templates with an empty name is denied (Istio: requested template \"\" not found)",
    {},
    () => {
      for (const v of [" ", ",", "sidecar,", ""]) {
        assert.throws(() => inject(pod({ annotations: { [A.templates]: v } })), (e: unknown) => e instanceof InjectionError && /requested template "" not found/.test(e.message), JSON.stringify(v));
      }
    },
  );

  it(
    "a label or annotation key named __proto__ is kept (the patch does not remove it)",
    {},
    () => {
      const p = JSON.parse('{"metadata":{"name":"p","namespace":"shop","labels":{"__proto__":"x","app":"a"},"annotations":{"__proto__":"y"}},"spec":{"containers":[{"name":"app","image":"i"}]}}');
      const out = inject(p).pod;
      assert.ok(Object.hasOwn(out.metadata.labels, "__proto__"));
      assert.equal(out.metadata.labels["__proto__"], "x");
      assert.equal(out.metadata.annotations["__proto__"], "y");
      assert.equal(Object.getPrototypeOf(out.metadata.labels), Object.prototype);
    },
  );

  it(
    "multus: re-injection does not append default/istio-cni again (spec: unchanged if already present)",
    {},
    () => {
      const multus = settingsFromIstioOperator({ components: { cni: { enabled: true } }, values: { cni: { provider: "multus" } } }, { nativeSidecars: false });
      for (const start of ["net-a", "net-a, net-b"]) {
        const once = inject(pod({ annotations: { [A.multusNetworks]: start } }), multus).pod;
        assert.equal(once.metadata.annotations[A.multusNetworks], `${start}, default/istio-cni`);
        const twice = inject(once, multus).pod;
        assert.equal(twice.metadata.annotations[A.multusNetworks], once.metadata.annotations[A.multusNetworks]);
      }
    },
  );
});

describe("proxy.istio.io/overrides record", () => {
  it("keeps the user's istio-proxy resources in the canonical form Go writes (3000m -> 3, 1024Mi -> 1Gi), as istioctl 1.30.3 does", () => {
    const out = inject(pod({ containers: [{ name: "app", image: "a" }, { name: "istio-proxy", image: "auto", resources: { requests: { cpu: "3000m", memory: "1024Mi" } } }] })).pod;
    assert.deepEqual(JSON.parse(out.metadata.annotations[A.overrides]), { containers: [{ name: "istio-proxy", resources: { requests: { cpu: "3", memory: "1Gi" } } }] });
  });
});

// Volumes the built-in sidecar/gateway code declares, as Istio 1.30.3's injection-template.yaml and
// gateway-injection-template.yaml declare them (and as istioctl 1.30.3 kube-inject printed them).
describe("built-in templates: volumes", () => {
  const vols = (p: Obj) => (p.spec.volumes ?? []) as Obj[];
  const vol = (p: Obj, name: string) => vols(p).find((v) => v.name === name);
  const mounts = (p: Obj) => (container(p, "istio-proxy").volumeMounts ?? []) as Obj[];
  const userAnn = { [A.userVolume]: '{"uv":{"emptyDir":{}}}', [A.userVolumeMount]: '{"uv":{"mountPath":"/uv"}}' };

  it("the gateway template reads neither sidecar.istio.io/userVolume nor userVolumeMount", () => {
    const gw = pod({ annotations: { "inject.istio.io/templates": "gateway", ...userAnn }, containers: [{ name: "istio-proxy", image: "auto" }] });
    const out = inject(gw).pod;
    assert.equal(vol(out, "uv"), undefined);
    assert.equal(mounts(out).find((m) => m.name === "uv"), undefined);
    assert.ok(!JSON.parse(out.metadata.annotations[A.status]).volumes.includes("uv"));
    // The sidecar template reads both.
    const sc = inject(pod({ annotations: userAnn })).pod;
    assert.deepEqual(vol(sc, "uv"), { emptyDir: {}, name: "uv" });
    assert.deepEqual(mounts(sc).find((m) => m.name === "uv"), { mountPath: "/uv", name: "uv" });
  });

  it("the gateway template sets ISTIO_BOOTSTRAP_OVERRIDE for sidecar.istio.io/bootstrapOverride", () => {
    const gw = pod({ annotations: { "inject.istio.io/templates": "gateway", [A.bootstrapOverride]: "bs" }, containers: [{ name: "istio-proxy", image: "auto" }] });
    const out = inject(gw).pod;
    assert.equal(env(container(out, "istio-proxy"), "ISTIO_BOOTSTRAP_OVERRIDE"), "/etc/istio/custom-bootstrap/custom_bootstrap.json");
    assert.deepEqual(vol(out, "custom-bootstrap-volume"), { name: "custom-bootstrap-volume", configMap: { name: "bs" } });
  });

  it("the sidecar declares the istio-ca-crl volume whatever the CA; only pilotCertProvider istiod mounts it", () => {
    const custom = settingsFromIstioOperator({ values: { global: { pilotCertProvider: "custom" }, pilot: { crlConfigMapName: "my-crl" } } }, { nativeSidecars: false });
    const out = inject(pod(), custom).pod;
    // values.pilot reaches the injector's values with only cni and env (istioctl 1.30.3): the default name stays.
    assert.deepEqual(vol(out, "istio-ca-crl"), { name: "istio-ca-crl", configMap: { name: "istio-ca-crl", optional: true } });
    assert.equal(vol(out, "istiod-ca-cert"), undefined);
    assert.deepEqual(mounts(out).filter((m) => /istio-ca-crl|istiod-ca-cert/.test(m.name)), []);
    assert.ok(JSON.parse(out.metadata.annotations[A.status]).volumes.includes("istio-ca-crl"));
    const dflt = inject(pod()).pod;
    assert.deepEqual(mounts(dflt).filter((m) => /istio-ca-crl|istiod-ca-cert/.test(m.name)).map((m) => m.name), ["istiod-ca-cert", "istio-ca-crl"]);
  });

  it("an empty sidecar.istio.io/bootstrapOverride gives `configMap: {}` (istioctl 1.30.3), an empty SDS audience no audience", () => {
    const s = settingsFromIstioOperator({ values: { global: { sds: { token: { aud: "" } } } } }, { nativeSidecars: false });
    const out = inject(pod({ annotations: { [A.bootstrapOverride]: "" } }), s).pod;
    assert.deepEqual(vol(out, "custom-bootstrap-volume"), { name: "custom-bootstrap-volume", configMap: {} });
    assert.deepEqual(vol(out, "istio-token")!.projected.sources[0].serviceAccountToken, { path: "istio-token", expirationSeconds: 43200 });
  });

  it("the lightstep tracer with tracing.tlsSettings mounts the lightstep CA secret at the CA file's directory", () => {
    const s = settingsFromIstioOperator(
      { values: { global: { proxy: { tracer: "lightstep" } } }, meshConfig: { defaultConfig: { tracing: { tlsSettings: { caCertificates: "/etc/ls/ca.pem" } } } } },
      { nativeSidecars: false },
    );
    const out = inject(pod(), s).pod;
    assert.deepEqual(mounts(out).find((m) => m.name === "lightstep-certs"), { mountPath: "/etc/ls/", name: "lightstep-certs", readOnly: true });
    assert.deepEqual(vols(out).at(-1), { name: "lightstep-certs", secret: { optional: true, secretName: "lightstep.cacert" } });
    assert.equal(vol(inject(pod()).pod, "lightstep-certs"), undefined);
  });
});

// PROXY_CONFIG for proxy.istio.io/config values; the expected strings are what istioctl 1.30.3 kube-inject printed
// (default install) for the same annotations.
describe("PROXY_CONFIG as Istio's protoToJSON (jsonpb) prints it", () => {
  const rows: [string, string][] = [
    [
      '{"fileFlushMinSizeKb":0,"runtimeValues":{},"concurrency":0,"holdApplicationUntilProxyStarts":false,"proxyStatsMatcher":{},"extraStatTags":[],"meshId":"","statusPort":15020,"tracing":{"sampling":0,"zipkin":{"address":"z:9411"}},"drainDuration":"2s","statsCompression":false,"fileFlushInterval":"1.5s"}',
      '{"drainDuration":"2s","concurrency":0,"tracing":{"zipkin":{"address":"z:9411"}},"proxyStatsMatcher":{},"holdApplicationUntilProxyStarts":false,"fileFlushInterval":"1.500s","statsCompression":false}',
    ],
    [
      '{"serviceCluster":"x","proxyMetadata":{"B":"x<y&z","A":""},"gatewayTopology":{"numTrustedProxies":0,"proxyProtocol":{}},"readinessProbe":{"initialDelaySeconds":0,"httpGet":{"path":"/x","port":8080}},"image":{"imageType":"distroless"},"tracing":{"customTags":{"b":{"literal":{"value":"x<y"}},"a":{"environment":{"name":"E"}}},"maxPathTagLength":0,"tlsSettings":{"mode":"DISABLE"}},"privateKeyProvider":{"cryptomb":{"pollDelay":"0.002s"}}}',
      '{"serviceCluster":"x","tracing":{"customTags":{"a":{"environment":{"name":"E"}},"b":{"literal":{"value":"x\\u003cy"}}},"tlsSettings":{}},"proxyMetadata":{"A":"","B":"x\\u003cy\\u0026z"},"gatewayTopology":{"proxyProtocol":{}},"readinessProbe":{"httpGet":{"path":"/x","port":8080}},"image":{"imageType":"distroless"},"privateKeyProvider":{"cryptomb":{"pollDelay":"0.002s"}}}',
    ],
    [
      '{"tracing":{"sampling":12.5,"stackdriver":{"debug":false,"maxNumberOfAttributes":0}},"runtimeValues":{"k":"v"},"fileFlushMinSizeKb":7,"terminationDrainDuration":"5s","drainDuration":"45s","statusPort":15021,"extraStatTags":["a"],"interceptionMode":"REDIRECT","controlPlaneAuthPolicy":"NONE","proxyHeaders":{"server":{"disabled":true},"forwardedClientCert":"SANITIZE","metadataExchangeHeaders":{"mode":"UNDEFINED"}}}',
      '{"tracing":{"stackdriver":{"maxNumberOfAttributes":"0"},"sampling":12.5},"runtimeValues":{"k":"v"},"statusPort":15021,"extraStatTags":["a"],"proxyHeaders":{"forwardedClientCert":"SANITIZE","server":{"disabled":true},"metadataExchangeHeaders":{}},"fileFlushMinSizeKb":7}',
    ],
    [
      '{"tracingServiceName":"APP_LABEL_AND_NAMESPACE","envoyMetricsService":{"address":"a:1","tcpKeepalive":{"time":"10s","probes":0}},"caCertificatesPem":[],"concurrency":2,"binaryPath":"/usr/local/bin/envoy","configPath":"/x"}',
      '{"configPath":"/x","tracingServiceName":"APP_LABEL_AND_NAMESPACE","concurrency":2,"envoyMetricsService":{"address":"a:1","tcpKeepalive":{"time":"10s"}}}',
    ],
  ];
  for (const [i, [annotation, want]] of rows.entries()) {
    it(`annotation ${i + 1}`, () => {
      const out = inject(pod({ annotations: { [A.proxyConfig]: annotation } })).pod;
      assert.equal(env(container(out, "istio-proxy"), "PROXY_CONFIG"), want + "\n");
    });
  }
});

describe(".Values numbers are Go float64s (istioctl 1.30.3: bookinfo-details.values-big-numbers.injected)", () => {
  it("a million printed into an argument is 1e+06; probe numbers stay whole", () => {
    const s = settingsFromIstioOperator(
      { values: { global: { sts: { servicePort: 1000000 }, proxy: { readinessInitialDelaySeconds: 1000000, readinessFailureThreshold: 2000000 } } } },
      { nativeSidecars: false },
    );
    const proxy = container(inject(pod(), s).pod, "istio-proxy");
    assert.ok(proxy.args.includes("--stsPort=1e+06"), proxy.args.join(" "));
    assert.equal(proxy.readinessProbe.initialDelaySeconds, 1000000);
    assert.equal(proxy.readinessProbe.failureThreshold, 2000000);
    const small = settingsFromIstioOperator({ values: { global: { sts: { servicePort: 15463 } } } }, { nativeSidecars: false });
    assert.ok(container(inject(pod(), small).pod, "istio-proxy").args.includes("--stsPort=15463"));
  });
});

// Istio 1.30.3's injector parses every template when it reads its ConfigMap (UnmarshalConfig -> ParseTemplates); a
// template that fails makes the ConfigMap watcher log the error and keep the configuration it had.
describe("an injector ConfigMap whose template does not parse is rejected as Istio rejects it", () => {
  const cfg = (tpl: string) => `policy: enabled\ntemplates:\n  custom: |\n    ${tpl}\n`;
  const values = JSON.stringify({ global: { hub: "h1" } });
  it("keeps the previous config and templates, and says why", () => {
    const first = applyInjectorConfigMap(defaultInjectorState(), { values, config: cfg("metadata: {labels: {a: b}}") }, templateParseError);
    assert.deepEqual(first.errors, []);
    const r = applyInjectorConfigMap(first.state, { values, config: cfg("metadata: {{ if }}") }, templateParseError);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], /^config: template "custom" does not parse: .*missing value for if/);
    assert.equal(r.state.config.templates?.custom, "metadata: {labels: {a: b}}\n");
    // Without the check (kube-inject of an IstioOperator) the text is taken and a pod using it is denied.
    assert.equal(applyInjectorConfigMap(first.state, { values, config: cfg("metadata: {{ if }}") }).errors.length, 0);
  });
  it("the config sync age grows from the last good read while the ConfigMap is rejected", () => {
    const cs = new ClusterSettings({ kc: {} as never, istioNamespace: "istio-system", revision: "", nativeMode: false, logger: createLogger({ level: "silent" }) });
    cs.apply({ metadata: { name: "istio-sidecar-injector" }, data: { values, config: cfg("metadata: {labels: {a: b}}") } }, "injector");
    const good = cs.syncState("injector").lastSync!;
    cs.apply({ metadata: { name: "istio-sidecar-injector" }, data: { values, config: cfg("metadata: {{ if }}") } }, "injector");
    assert.deepEqual(cs.syncState("injector"), { lastSync: good, current: false });
    assert.equal(cs.current().templates?.custom, "metadata: {labels: {a: b}}\n");
  });
});

describe("protoToJSON in a template", () => {
  it("cleans a ProxyConfig reached through .MeshConfig.DefaultConfig as Istio does (istioctl 1.30.3 printed {})", () => {
    const s = settingsFromIstioOperator(
      { values: { sidecarInjectorWebhook: { templates: { custom: "metadata:\n  annotations:\n    dc: {{ protoToJSON .MeshConfig.DefaultConfig | quote }}\n" } } } },
      { nativeSidecars: false },
    );
    const out = inject(pod({ annotations: { "inject.istio.io/templates": "custom" } }), s).pod;
    assert.equal(out.metadata.annotations.dc, "{}");
  });
});

describe("apm.datadoghq.com/env values print as Go prints fromJSON's (istioctl 1.30.3)", () => {
  it("numbers are float64s", () => {
    const s = settingsFromIstioOperator({ values: { global: { proxy: { tracer: "datadog" } } } }, { nativeSidecars: false });
    const out = inject(pod({ annotations: { "apm.datadoghq.com/env": '{"DD_A":1000000,"DD_B":true,"DD_C":"x","DD_D":2.5}' } }), s).pod;
    const p = container(out, "istio-proxy");
    assert.deepEqual(["DD_A", "DD_B", "DD_C", "DD_D"].map((k) => env(p, k)), ["1e+06", "true", "x", "2.5"]);
  });
});
