// The values the node-agent charts (istio-cni, ztunnel) see, computed as Helm and the charts' own profile
// template compute them: chart defaults, then the chart profile (values.profile, compatibilityVersion, platform),
// then what istioctl passes, merged with sprig's mustMergeOverwrite (maps merge key by key, any other value,
// empty ones included, replaces; lists replace). Plus Go's printing of values into templates.
import { chartValues } from "../../config/profiles.js";
import { isObject, str, type Json, type JsonObject } from "../../config/values.js";

/** sprig `mustMergeOverwrite(dst, srcs...)`: merges each source into `dst` in place and returns it. */
export function mergeOverwrite(dst: JsonObject, ...srcs: (Json | undefined)[]): JsonObject {
  for (const src of srcs) {
    if (!isObject(src)) continue;
    for (const [k, v] of Object.entries(src)) {
      const d = dst[k];
      if (isObject(v) && isObject(d)) mergeOverwrite(d, v);
      else dst[k] = structuredClone(v);
    }
  }
  return dst;
}

/**
 * What the chart profiles files of Istio 1.30.3 set that the istio-cni and ztunnel charts read, per
 * compatibility version and per platform (the values.profile part comes from pilotfish's profiles/values).
 */
const COMPAT: Record<string, JsonObject> = {
  "1.25": { cni: { ambient: { reconcileIptablesOnStartup: false } }, ambient: { shareHostNetworkNamespace: true } },
  "1.26": { cni: { ambient: { reconcileIptablesOnStartup: false } } },
  "1.27": { cni: { ambient: { reconcileIptablesOnStartup: false } } },
  "1.28": { cni: { ambient: { reconcileIptablesOnStartup: false } } },
  "1.29": {},
};
const PLATFORM: Record<string, JsonObject> = {
  // The empty cniBinDir lets the chart pick its bin dir from the cluster's version (offline: /opt/cni/bin).
  gke: { cni: { cniBinDir: "", resourceQuotas: { enabled: true } }, resourceQuotas: { enabled: true } },
  k3d: { cni: { cniConfDir: "/var/lib/rancher/k3s/agent/etc/cni/net.d", cniBinDir: "/bin" } },
  k3s: { cni: { cniConfDir: "/var/lib/rancher/k3s/agent/etc/cni/net.d", cniBinDir: "/var/lib/rancher/k3s/data/cni" } },
  microk8s: { cni: { cniConfDir: "/var/snap/microk8s/current/args/cni-network", cniBinDir: "/var/snap/microk8s/current/opt/cni/bin" } },
  minikube: { cni: { cniNetnsDir: "/var/run/docker/netns" } },
  openshift: {
    cni: { cniBinDir: "/var/lib/cni/bin", cniConfDir: "/etc/cni/multus/net.d", chained: false, cniConfFileName: "istio-cni.conf", provider: "multus" },
    seLinuxOptions: { type: "spc_t" },
    trustedZtunnelNamespace: "kube-system",
  },
};

/** Sprig's `coalesce`: the first truthy argument. */
export function coalesce(...vs: Json[]): Json | undefined {
  return vs.find((v) => goTruthy(v));
}

/** The chart profile the charts' zzz_profile.yaml builds from the values it is given (an unknown name is an error there too). */
export function chartProfile(passed: JsonObject): JsonObject {
  const g = isObject(passed.global) ? passed.global : {};
  const profile: JsonObject = {};
  const name = coalesce(passed.profile, g.profile);
  if (name !== undefined) mergeOverwrite(profile, chartValues(str(name)).profile);
  const compat = passed.compatibilityVersion;
  if (goTruthy(compat)) {
    const c = COMPAT[str(compat)];
    if (!c) throw new Error(`unknown compatibility version ${str(compat)}`);
    mergeOverwrite(profile, c);
  }
  const platform = coalesce(passed.platform, g.platform);
  if (platform !== undefined) {
    const p = PLATFORM[str(platform)];
    if (!p) throw new Error(`unknown platform ${str(platform)}`);
    mergeOverwrite(profile, p);
  }
  return profile;
}

/** Go template truthiness. */
export function goTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** A float64 as Go's `%v` prints it: shortest digits, exponent form from 1e+06 and below 1e-04. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [m, e] = n.toExponential().split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(n);
}

/** A value as `{{ . }}` prints it (Helm prints nil as nothing; maps and lists in Go's own notation). */
export function goPrint(v: Json | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return goFloat(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint(v[k])}`).join(" ")}]`;
}

/** `{{ X | quote }}`: the printed value as a string; nil prints nothing, which YAML reads as null. */
export function goQuote(v: Json | undefined): string | null {
  return v === undefined || v === null ? null : goPrint(v);
}

/** `{{ X }}` printed unquoted into YAML and read back: numbers and booleans come back typed. */
export function unquoted(v: Json | undefined): Json {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") return typeof v === "number" || typeof v === "boolean" ? v : goPrint(v);
  if (/^[-+]?(\d+|\d*\.\d+)([eE][-+]?\d+)?$/.test(v)) return Number(v);
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  if (v === "" || v === "~" || v === "null") return null;
  return v;
}

/** Helm's `<chart>.resources` helper: limits then requests, entries with an empty value left out. */
export function chartResourceBlock(res: Json | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isObject(res)) return out;
  for (const key of ["limits", "requests"]) {
    const m = res[key];
    if (!goTruthy(m) || !isObject(m)) continue;
    const kept = Object.keys(m).sort().filter((k) => goTruthy(m[k]));
    if (kept.length) out[key] = Object.fromEntries(kept.map((k) => [k, unquoted(goPrint(m[k]))]));
  }
  return out;
}

/** `range $key, $val := MAP` emitting `name: KEY, value: "VAL"` (keys in sorted order). */
export function envFromMap(m: Json | undefined): Json[] {
  if (!isObject(m)) return [];
  return Object.keys(m).sort().map((k): Json => ({ name: k, value: goPrint(m[k]) }));
}
