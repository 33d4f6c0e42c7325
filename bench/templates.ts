// Injection settings for the template path's cost (bench/run.ts, core): the built-in code alone; the built-in sidecar
// plus a user template rendered by the Go template engine (a custom template that adds an env var and a mount to
// every app container, as Istio's custom-template test does); and Istio 1.30.3's own `sidecar` text rendered by the
// engine instead of the built-in code (the text is test data: istioctl's ConfigMap in the operator goldens).
import fs from "node:fs";
import path from "node:path";
import { load, loadAll } from "js-yaml";
import type { InjectionSettings } from "../src/config/injection-types.js";

export const CUSTOM_TEMPLATE = `spec:
  containers:
  {{- range $index, $container := .Spec.Containers }}
  {{- if ne $container.Name "istio-proxy" }}
  - name: {{ $container.Name }}
    env:
    - name: POD_TEMPLATE_NAMESPACE
      value: {{ $.DeploymentMeta.Namespace | default "default" | quote }}
    volumeMounts:
    - mountPath: /var/lib/data/foo.json
      subPath: foo.json
      name: some-injected-file
  {{- end }}
  {{- end }}
  volumes:
  - name: some-injected-file
    downwardAPI:
      items:
      - path: foo.json
        fieldRef:
          fieldPath: "metadata.annotations['foo']"
`;

function istioSidecarText(root: string): string {
  const docs = loadAll(fs.readFileSync(path.join(root, "test/conformance/istio-operator/goldens/profile-default.yaml"), "utf8")) as any[];
  const cm = docs.find((d) => d?.kind === "ConfigMap" && d.metadata?.name === "istio-sidecar-injector");
  return (load(cm.data.config) as { templates: Record<string, string> }).templates.sidecar;
}

export function templateVariants(root: string, base: InjectionSettings): { label: string; settings: InjectionSettings }[] {
  return [
    { label: "", settings: base },
    {
      label: ", + custom template (engine)",
      settings: { ...base, config: { ...base.config, defaultTemplates: ["sidecar", "custom"] }, templates: { ...(base.templates ?? {}), custom: CUSTOM_TEMPLATE } },
    },
    { label: ", Istio's sidecar text (engine)", settings: { ...base, templates: { ...(base.templates ?? {}), sidecar: istioSidecarText(root) } } },
  ];
}
