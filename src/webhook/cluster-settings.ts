// Injection settings from Istio's own ConfigMaps (`istio-sidecar-injector[-rev]`: values + config;
// `istio[-rev]`: mesh), watched and hot-reloaded; native-sidecar mode from the nodes' kubelet versions.
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "../telemetry/logger.js";
import { applyInjectorConfigMap, applyMeshConfigMap, defaultInjectorState, nativeFromKubeletVersions, settingsOf, type InjectorState } from "../config/injection.js";
import type { NativeMode } from "../config/env.js";
import type { InjectionSettings } from "./inject/types.js";
import type { SettingsSource } from "./server.js";

export interface ClusterSettingsOptions {
  kc: k8s.KubeConfig;
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
  private informers: k8s.Informer<k8s.V1ConfigMap>[] = [];

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

  private names() {
    const suffix = this.o.revision && this.o.revision !== "default" ? `-${this.o.revision}` : "";
    return { injector: `istio-sidecar-injector${suffix}`, mesh: `istio${suffix}` };
  }

  apply(cm: k8s.V1ConfigMap | undefined, which: "injector" | "mesh"): void {
    const log = this.o.logger;
    if (which === "injector") {
      this.injectorSeen = true;
      const r = applyInjectorConfigMap(this.state, cm?.data);
      for (const e of r.errors) log.error({ configMap: cm?.metadata?.name, error: e }, "injector ConfigMap problem; keeping the previous value of that key");
      this.state = r.state;
    } else {
      this.meshSeen = true;
      const r = applyMeshConfigMap(this.state, cm?.data);
      if (r.error) log.error({ configMap: cm?.metadata?.name, error: r.error }, "mesh ConfigMap problem; keeping the previous mesh config");
      this.state = r.state;
    }
    this.cached = undefined;
    log.info({ which, configMap: cm?.metadata?.name ?? "(absent: defaults)" }, "injection settings reloaded");
  }

  async start(): Promise<void> {
    const core = this.o.kc.makeApiClient(k8s.CoreV1Api);
    const ns = this.o.istioNamespace;
    const names = this.names();
    const listFn = () => core.listNamespacedConfigMap({ namespace: ns });
    const informer = k8s.makeInformer(this.o.kc, `/api/v1/namespaces/${ns}/configmaps`, listFn);
    const onChange = (cm: k8s.V1ConfigMap) => {
      if (cm.metadata?.name === names.injector) this.apply(cm, "injector");
      if (cm.metadata?.name === names.mesh) this.apply(cm, "mesh");
    };
    informer.on(k8s.ADD, onChange);
    informer.on(k8s.UPDATE, onChange);
    informer.on(k8s.DELETE, (cm) => {
      if (cm.metadata?.name === names.injector) this.apply(undefined, "injector");
      if (cm.metadata?.name === names.mesh) this.apply(undefined, "mesh");
    });
    let backoff = 1000;
    informer.on(k8s.ERROR, (err) => {
      if (this.stopped) return;
      this.o.logger.warn({ error: String((err as Error)?.message ?? err) }, "ConfigMap watch failed; restarting");
      const t = setTimeout(() => informer.start().catch(() => undefined), backoff);
      t.unref();
      backoff = Math.min(backoff * 2, 30_000);
    });
    informer.on(k8s.CONNECT, () => (backoff = 1000));
    this.informers.push(informer);
    // First read: absent ConfigMaps mean Istio's defaults.
    try {
      const list = await listFn();
      const byName = new Map(list.items.map((cm) => [cm.metadata?.name, cm]));
      this.apply(byName.get(names.injector), "injector");
      this.apply(byName.get(names.mesh), "mesh");
    } catch (e) {
      this.o.logger.warn({ error: (e as Error).message }, `cannot list ConfigMaps in ${ns}; using defaults until the watch succeeds`);
    }
    await informer.start().catch((e) => this.o.logger.warn({ error: (e as Error).message }, "ConfigMap watch did not start"));
    if (this.o.nativeMode === "auto") {
      await this.refreshNodes(core);
      const t = setInterval(() => void this.refreshNodes(core), this.o.nodeResyncMs ?? 60_000);
      t.unref();
      this.timers.push(t);
    }
  }

  private async refreshNodes(core: k8s.CoreV1Api): Promise<void> {
    try {
      const nodes = await core.listNode();
      const versions = nodes.items.map((n) => n.status?.nodeInfo?.kubeletVersion ?? "");
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
