// pilotfish's environment, read once at the composition root (bin -> cli) into a typed object; nothing below
// the CLI reads process.env.
/** Istio's ENABLE_NATIVE_SIDECARS: true/false, or "auto" (decided from the nodes' kubelet versions). */
export type NativeMode = boolean | "auto";

export interface PilotfishEnv {
  /** Istio's ENABLE_NATIVE_SIDECARS: true, false or "auto" (from the nodes' kubelet versions). */
  nativeSidecars: NativeMode;
  /** Istio's COMPLIANCE_POLICY (e.g. fips-140-3). */
  compliancePolicy?: string;
  /** Istio's PLATFORM (openshift turns on the UID-range logic). */
  platform?: string;
  /** POD_NAME / POD_NAMESPACE when running in a cluster. */
  podName?: string;
  podNamespace?: string;
  logLevel?: string;
}

export function parseNativeSidecarsEnv(v: string | undefined): NativeMode {
  if (v === undefined || v === "" || v === "auto") return "auto";
  return v === "true";
}

export function readEnv(env: Record<string, string | undefined>): PilotfishEnv {
  return {
    nativeSidecars: parseNativeSidecarsEnv(env.ENABLE_NATIVE_SIDECARS),
    compliancePolicy: env.COMPLIANCE_POLICY || undefined,
    platform: env.PLATFORM || undefined,
    podName: env.POD_NAME || undefined,
    podNamespace: env.POD_NAMESPACE || undefined,
    logLevel: env.LOG_LEVEL || undefined,
  };
}
