// Injection settings from Istio's own ConfigMaps (`istio-sidecar-injector[-rev]`: values + config;
// `istio[-rev]`: mesh), watched and hot-reloaded; native-sidecar mode from the nodes' kubelet versions.
import { Kube, type KubeConfig } from "../kube/client.js";
import { Informer } from "../kube/informer.js";
import type { Logger } from "../telemetry/logger.js";
import { applyInjectorConfigMap, applyMeshConfigMap, defaultInjectorState, nativeFromKubeletVersions, settingsOf, type InjectorState } from "../config/injection.js";
import type { NativeMode } from "../config/env.js";
import type { InjectionSettings } from "./inject/types.js";
import { templateParseError } from "./inject/template/render.js";
import type { SettingsSource } from "./server.js";

/** What the settings read of a ConfigMap. */
export interface ConfigMapLike {
  metadata?: { name?: string };
  data?: Record<string, string>;
}

interface NodeLike {
  status?: { nodeInfo?: { kubeletVersion?: string } };
}

export interface ClusterSettingsOptions {
  kc: KubeConfig;
  istioNamespace: string;
  revision: string;
  nativeMode: NativeMode;
  compliancePolicy?: string;
  platform?: string;
  logger: Logger;
  /** How often the kubelet versions are re-read for `auto` native-sidecar mode. */
  nodeResyncMs?: number;
}

/** Keeps injection settings in sync with the cluster. Starts from Istio's defaults; `synced()` once both ConfigMaps were read (or found absent). */
export class ClusterSettings implements SettingsSource {
  private state: InjectorState = defaultInjectorState();
  private native = false;
  private injectorSeen = false;
  private meshSeen = false;
  private stopped = false;
  private cached: InjectionSettings | undefined;
  private timers: NodeJS.Timeout[] = [];
  private informers: Informer<ConfigMapLike & { [k: string]: unknown }>[] = [];
  /** For pilotfish_config_sync_age_seconds: when each ConfigMap was last read (ms), and whether the watch is up. */
  private lastSync: { injector?: number; mesh?: number } = {};
  private watching = false;

  constructor(private readonly o: ClusterSettingsOptions) {
    if (o.nativeMode !== "auto") this.native = o.nativeMode;
  }

  current(): InjectionSettings {
    this.cached ??= settingsOf(this.state, this.o, this.native);
    return this.cached;
  }

  synced(): boolean {
    return this.injectorSeen && this.meshSeen;
  }

  /** When `which` was last known current, and whether it is current now (its watch is up since a good list). */
  syncState(which: "injector" | "mesh"): { lastSync?: number; current: boolean } {
    // A ConfigMap whose last update was rejected (a broken key) is not current: its age grows from the last good read.
    return { lastSync: this.lastSync[which], current: this.watching && !this.stopped && !this.rejected[which] };
  }
  private rejected: { injector?: boolean; mesh?: boolean } = {};

  private names() {
    const suffix = this.o.revision && this.o.revision !== "default" ? `-${this.o.revision}` : "";
    return { injector: `istio-sidecar-injector${suffix}`, mesh: `istio${suffix}` };
  }

  apply(cm: ConfigMapLike | undefined, which: "injector" | "mesh"): void {
    const log = this.o.logger;
    if (which === "injector") {
      this.injectorSeen = true;
      // As Istio's injector: a template that does not parse rejects the config update (the previous one stays).
      const r = applyInjectorConfigMap(this.state, cm?.data, templateParseError);
      for (const e of r.errors) log.error({ configMap: cm?.metadata?.name, error: e }, "injector ConfigMap problem; keeping the previous value of that key");
      this.state = r.state;
      this.rejected.injector = r.errors.length > 0;
    } else {
      this.meshSeen = true;
      const r = applyMeshConfigMap(this.state, cm?.data);
      if (r.error) log.error({ configMap: cm?.metadata?.name, error: r.error }, "mesh ConfigMap problem; keeping the previous mesh config");
      this.state = r.state;
      this.rejected.mesh = r.error !== undefined;
    }
    if (!this.rejected[which]) this.lastSync[which] = Date.now();
    this.cached = undefined;
    log.info({ which, configMap: cm?.metadata?.name ?? "(absent: defaults)" }, "injection settings reloaded");
  }

  async start(): Promise<void> {
    const kube = new Kube(this.o.kc, "pilotfish");
    const ns = this.o.istioNamespace;
    const names = this.names();
    const informer = new Informer<ConfigMapLike & { [k: string]: unknown }>({
      kube,
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: ns,
      backoffMs: 1000,
      maxBackoffMs: 30_000,
      onError: (err, retryInMs) => {
        this.watching = false;
        if (!this.stopped) this.o.logger.warn({ error: err.message, retryInMs }, "ConfigMap watch failed; restarting");
      },
      // Absent ConfigMaps mean Istio's defaults: after the first list, what it did not bring is known absent.
      onList: () => {
        this.watching = true;
        for (const w of ["injector", "mesh"] as const) if (!this.rejected[w]) this.lastSync[w] = Date.now();
        if (!this.injectorSeen && !informer.get(ns, names.injector)) this.apply(undefined, "injector");
        if (!this.meshSeen && !informer.get(ns, names.mesh)) this.apply(undefined, "mesh");
      },
    });
    const onChange = (cm: ConfigMapLike) => {
      if (cm.metadata?.name === names.injector) this.apply(cm, "injector");
      if (cm.metadata?.name === names.mesh) this.apply(cm, "mesh");
    };
    informer.on("ADDED", onChange);
    informer.on("MODIFIED", onChange);
    informer.on("DELETED", (cm) => {
      if (cm.metadata?.name === names.injector) this.apply(undefined, "injector");
      if (cm.metadata?.name === names.mesh) this.apply(undefined, "mesh");
    });
    this.informers.push(informer);
    // A failed first list leaves Istio's defaults in place; the informer keeps retrying (with backoff) until stop().
    await informer.start().catch((e) => this.o.logger.warn({ error: (e as Error).message }, `cannot list ConfigMaps in ${ns}; using defaults until the watch succeeds`));
    if (this.o.nativeMode === "auto") {
      await this.refreshNodes(kube);
      const t = setInterval(() => void this.refreshNodes(kube), this.o.nodeResyncMs ?? 60_000);
      t.unref();
      this.timers.push(t);
    }
  }

  private async refreshNodes(kube: Kube): Promise<void> {
    try {
      const nodes = (await kube.list("v1", "Node")) as NodeLike[];
      const versions = nodes.map((n) => n.status?.nodeInfo?.kubeletVersion ?? "");
      const native = nativeFromKubeletVersions(versions);
      if (native !== this.native) {
        this.native = native;
        this.cached = undefined;
        this.o.logger.info({ native, nodes: versions.length }, "native sidecar mode from kubelet versions");
      }
    } catch (e) {
      this.o.logger.warn({ error: (e as Error).message }, "cannot list nodes; keeping classic sidecars");
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const i of this.informers) void i.stop();
  }
}
