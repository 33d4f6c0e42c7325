// How each of Istio 1.30.3's charts that istioctl renders from the IstioOperator's values (istiod, istio-cni,
// ztunnel) computes the values its templates read. Every chart ships the same chart profile files and the same
// profile template (templates/zzz_profile.yaml): the chart's own defaults < the chart profile the passed values
// select (`profile`, then `compatibilityVersion`, then `platform`, each merged over the one before) < the passed
// values, all merged with sprig's mustMergeOverwrite. ztunnel first also lays the profile's and the passed `global`
// over its top level; istiod and istio-cni finally lay one subtree (`pilot`, `cni`) over the top level. What differs
// between charts is data: their defaults (their values.yaml) and those two switches (ChartLayout).
import { chartValues } from "./profiles.js";
import { isObject, mergeValues, str, truthy, type Json, type JsonObject } from "./values.js";

/**
 * sprig's `mustMergeOverwrite(dst, srcs...)`: each source merged into `dst` (changed in place and returned). Maps
 * merge key by key; anything else replaces what is there, empty values and lists included (istioctl 1.30.3 writes
 * `serviceScopeConfigs: []` over the ambient profile's list). Sources that are not maps are skipped.
 */
export function mergeOverwrite(dst: JsonObject, ...srcs: (Json | undefined)[]): JsonObject {
  for (const src of srcs) {
    if (!isObject(src)) continue;
    for (const [k, v] of Object.entries(src)) dst[k] = mergeValues(dst[k], v);
  }
  return dst;
}

/** The chart profile of each `platform` (files/profile-platform-<name>.yaml): mostly where the node's CNI lives. */
export const PLATFORM_PROFILES: Readonly<Record<string, JsonObject>> = {
  // The empty cniBinDir lets the istio-cni chart pick its bin dir from the cluster's version (offline: /opt/cni/bin).
  gke: { cni: { cniBinDir: "", resourceQuotas: { enabled: true } }, resourceQuotas: { enabled: true } },
  k3d: { cni: { cniConfDir: "/var/lib/rancher/k3s/agent/etc/cni/net.d", cniBinDir: "/bin" } },
  k3s: { cni: { cniConfDir: "/var/lib/rancher/k3s/agent/etc/cni/net.d", cniBinDir: "/var/lib/rancher/k3s/data/cni" } },
  microk8s: { cni: { cniConfDir: "/var/snap/microk8s/current/args/cni-network", cniBinDir: "/var/snap/microk8s/current/opt/cni/bin" } },
  minikube: { cni: { cniNetnsDir: "/var/run/docker/netns" } },
  openshift: {
    cni: { cniBinDir: "/var/lib/cni/bin", cniConfDir: "/etc/cni/multus/net.d", chained: false, cniConfFileName: "istio-cni.conf", provider: "multus" },
    pilot: { cni: { enabled: true, provider: "multus" } },
    seLinuxOptions: { type: "spc_t" },
    trustedZtunnelNamespace: "kube-system",
  },
};

/** Each release's behaviour changes (istiod env, other values), newest first; a version undoes every later one's. */
const COMPATIBILITY_CHANGES: [version: string, env: JsonObject, other?: JsonObject][] = [
  ["1.29", { PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false" }],
  ["1.28", { DISABLE_TRACK_REMAINING_CB_METRICS: "false" }, { cni: { ambient: { reconcileIptablesOnStartup: false } } }],
  ["1.27", { DISABLE_SHADOW_HOST_SUFFIX: "false", PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false" }],
  ["1.26", { ENABLE_NATIVE_SIDECARS: "false" }],
  ["1.25", {}, { ambient: { shareHostNetworkNamespace: true } }],
];

/** Known `compatibilityVersion`s, oldest first. */
export const COMPATIBILITY_VERSIONS = COMPATIBILITY_CHANGES.map(([v]) => v).reverse();

/** The chart profile of a `compatibilityVersion` (files/profile-compatibility-version-<v>.yaml), a fresh tree. */
export function compatibilityProfile(version: string): JsonObject | undefined {
  const i = COMPATIBILITY_CHANGES.findIndex(([v]) => v === version);
  if (i < 0) return undefined;
  const out: JsonObject = {};
  for (const [, env, other] of COMPATIBILITY_CHANGES.slice(0, i + 1)) mergeOverwrite(out, { pilot: { env } }, other);
  return out;
}

/** sprig's `coalesce` of two values: the first truthy one. */
const coalesce = (a: Json | undefined, b: Json | undefined) => (truthy(a) ? a : truthy(b) ? b : undefined);

/** The chart profile the passed values select, as zzz_profile.yaml builds it (an unknown name fails there too). */
export function chartProfile(passed: JsonObject): JsonObject {
  const g = isObject(passed.global) ? passed.global : {};
  const profile: JsonObject = {};
  const name = coalesce(passed.profile, g.profile);
  if (name !== undefined) mergeOverwrite(profile, chartValues(str(name)).profile);
  if (truthy(passed.compatibilityVersion)) {
    const version = str(passed.compatibilityVersion);
    const c = compatibilityProfile(version);
    if (!c) throw new Error(`values.compatibilityVersion: unknown compatibility version "${version}"; known: ${COMPATIBILITY_VERSIONS.join(", ")}`);
    mergeOverwrite(profile, c);
  }
  const platform = coalesce(passed.platform, g.platform);
  if (platform !== undefined) {
    const p = str(platform);
    if (!Object.hasOwn(PLATFORM_PROFILES, p)) throw new Error(`values.global.platform: unknown platform "${p}"; known: ${Object.keys(PLATFORM_PROFILES).join(", ")}`);
    mergeOverwrite(profile, PLATFORM_PROFILES[p]);
  }
  return profile;
}

/** What sets one chart apart: its defaults and the steps around the profile template. */
export interface ChartLayout {
  /** The chart's own defaults (its values.yaml); the tree is filled in and returned. */
  defaults: JsonObject;
  /** ztunnel: the profile's `global`, then the passed one, laid over the top level before the passed values. */
  flattenGlobals?: boolean;
  /** The subtree laid over the top level at the end (istiod: `pilot`, istio-cni: `cni`). */
  descope?: string;
}

/** The values a chart's templates read, given the values istioctl passes it (not changed). */
export function chartEffectiveValues(passed: JsonObject, chart: ChartLayout): JsonObject {
  const v = chart.defaults;
  const profile = chartProfile(passed);
  mergeOverwrite(v, profile);
  if (chart.flattenGlobals) mergeOverwrite(v, profile.global, passed.global);
  mergeOverwrite(v, passed);
  if (chart.descope) mergeOverwrite(v, v[chart.descope]);
  return v;
}
