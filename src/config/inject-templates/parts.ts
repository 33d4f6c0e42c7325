// Named helper templates (`define` blocks) shared by pilotfish's proxy injection templates (sidecar.ts, gateway.ts,
// grpc-agent.ts). Each template text is parsed on its own (by istiod, `istioctl kube-inject` or pilotfish), so a
// text carries the helpers it calls; the ConfigMap therefore repeats them per template.
//
// Conventions that keep the whitespace predictable:
// - every helper emits whole lines, each starting with "\n" and carrying its own absolute indentation; it is
//   called at the start of a line as `{{- template "pf.x" . }}`, so the call eats the newline before it;
// - Go strings are written "double-quoted" (no backticks in these texts, so they sit in JS template literals);
// - helpers take the injection data (the dot of the calling template) unless said otherwise.

/** `resources:` body of a proxy container: the proxyCPU/proxyMemory(Limit) annotations win over
 * values.global.proxy.resources; neither leaves the field empty (null). Lines at indent 6. */
export const PROXY_RESOURCES = `
{{- define "pf.proxyResources" }}
  {{- $a := .ObjectMeta.Annotations }}
  {{- $requests := or (isset $a "sidecar.istio.io/proxyCPU") (isset $a "sidecar.istio.io/proxyMemory") }}
  {{- $limits := or (isset $a "sidecar.istio.io/proxyCPULimit") (isset $a "sidecar.istio.io/proxyMemoryLimit") }}
  {{- if or $requests $limits }}
    {{- if $requests }}
      requests:
      {{- if isset $a "sidecar.istio.io/proxyCPU" }}
        cpu: {{ index $a "sidecar.istio.io/proxyCPU" | quote }}
      {{- end }}
      {{- if isset $a "sidecar.istio.io/proxyMemory" }}
        memory: {{ index $a "sidecar.istio.io/proxyMemory" | quote }}
      {{- end }}
    {{- end }}
    {{- if $limits }}
      limits:
      {{- if isset $a "sidecar.istio.io/proxyCPULimit" }}
        cpu: {{ index $a "sidecar.istio.io/proxyCPULimit" | quote }}
      {{- end }}
      {{- if isset $a "sidecar.istio.io/proxyMemoryLimit" }}
        memory: {{ index $a "sidecar.istio.io/proxyMemoryLimit" | quote }}
      {{- end }}
    {{- end }}
  {{- else if .Values.global.proxy.resources }}
    {{- toYaml (omitNil .Values.global.proxy.resources) | nindent 6 }}
  {{- end }}
{{- end }}
`;

/** Not a define (a variable cannot leave one): sets $apps, the names of the app containers (all but
 * istio-proxy), at the top of a template. */
export const APP_NAMES = `
{{- $apps := list }}
{{- range .Spec.Containers }}
  {{- if ne .Name "istio-proxy" }}{{ $apps = append $apps .Name }}{{ end }}
{{- end }}`;

/** kubectl's default container annotations, pointing at the first app container unless the pod names one.
 * Call with (list $apps $annotations); lines at indent 4. */
export const DEFAULT_CONTAINER_ANNOTATIONS = `
{{- define "pf.defaultContainer" }}
  {{- $apps := index . 0 }}{{ $a := index . 1 }}
  {{- with $apps }}
    {{- $app := first . }}
    {{- range list "kubectl.kubernetes.io/default-logs-container" "kubectl.kubernetes.io/default-container" }}
      {{- if not (isset $a .) }}
    {{ . }}: "{{ $app }}"
      {{- end }}
    {{- end }}
  {{- end }}
{{- end }}
`;

/** The agent's identity and bootstrap env entries every proxy flavour starts with (CA, pod facts). Indent 4. */
export const AGENT_ENV = `
{{- define "pf.agentEnv" }}
    - name: PILOT_CERT_PROVIDER
      value: {{ .Values.global.pilotCertProvider }}
    - name: CA_ADDR
  {{- if .Values.global.caAddress }}
      value: {{ .Values.global.caAddress }}
  {{- else }}
      value: istiod{{ if not (eq .Values.revision "") }}-{{ .Values.revision }}{{ end }}.{{ .Values.global.istioNamespace }}.svc:15012
  {{- end }}
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: POD_NAMESPACE
      valueFrom:
        fieldRef:
          fieldPath: metadata.namespace
    - name: INSTANCE_IP
      valueFrom:
        fieldRef:
          fieldPath: status.podIP
    - name: SERVICE_ACCOUNT
      valueFrom:
        fieldRef:
          fieldPath: spec.serviceAccountName
    - name: HOST_IP
      valueFrom:
        fieldRef:
          fieldPath: status.hostIP
{{- end }}
`;

/** One env entry read from the container's resource limits (call with (list NAME RESOURCE)). Indent 4. */
export const LIMIT_ENV = `
{{- define "pf.limitEnv" }}
    - name: {{ index . 0 }}
      valueFrom:
        resourceFieldRef:
          resource: {{ index . 1 }}
          divisor: "1"
{{- end }}
`;

/** PROXY_CONFIG (the effective ProxyConfig minus defaults, as JSON plus a newline) and ISTIO_META_POD_PORTS (every
 * declared container port as JSON: one per line, indented by four, later ones led by a comma). Indent 4. */
export const PROXY_CONFIG_AND_PORTS_ENV = `
{{- define "pf.proxyConfigAndPortsEnv" }}
    - name: PROXY_CONFIG
      value: |
        {{ protoToJSON .ProxyConfig }}
  {{- $ports := list }}
  {{- range .Spec.Containers }}{{ range .Ports }}{{ $ports = append $ports (structToJSON .) }}{{ end }}{{ end }}
    - name: ISTIO_META_POD_PORTS
      value: |-
        [
  {{- with $ports }}
            {{ join "\\n            ," . }}
  {{- end }}
        ]
{{- end }}
`;

/** The workload's owner (the controller the pod came from), and the mesh ID and trust domain. Indent 4. */
export const OWNER_AND_MESH_ENV = `
{{- define "pf.ownerEnv" }}
  {{- if and .TypeMeta.APIVersion .DeploymentMeta.Name }}
    - name: ISTIO_META_OWNER
      value: kubernetes://apis/{{ .TypeMeta.APIVersion }}/namespaces/{{ valueOrDefault .DeploymentMeta.Namespace "default" }}/{{ toLower .TypeMeta.Kind }}s/{{ .DeploymentMeta.Name }}
  {{- end }}
{{- end }}
{{- define "pf.meshEnv" }}
  {{- $td := valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
  {{- $meshID := .Values.global.meshID }}
  {{- if or $meshID $td }}
    - name: ISTIO_META_MESH_ID
      value: "{{ if $meshID }}{{ $meshID }}{{ else }}{{ $td }}{{ end }}"
  {{- end }}
  {{- if $td }}
    - name: TRUST_DOMAIN
      value: "{{ $td }}"
  {{- end }}
{{- end }}
`;

/** The ProxyConfig's proxyMetadata as env entries, in key order (call with the map). Indent 4. */
export const METADATA_ENV = `
{{- define "pf.metadataEnv" }}
  {{- range $k, $v := . }}
    - name: {{ $k }}
      value: "{{ $v }}"
  {{- end }}
{{- end }}
`;

/** Volume mounts every Envoy-based proxy has before the istio-data mount: the workload SDS socket and identity
 * certificates (a GKE CSI volume when the CA is GkeWorkloadCertificate). Indent 4. */
export const WORKLOAD_CERT_MOUNT = `
{{- define "pf.workloadCertMount" }}
  {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
    - name: gke-workload-certificate
      mountPath: /var/run/secrets/workload-spiffe-credentials
      readOnly: true
  {{- else }}
    - name: workload-certs
      mountPath: /var/run/secrets/workload-spiffe-credentials
  {{- end }}
{{- end }}
`;

/** Extra mounts a pod asks for with sidecar.istio.io/userVolumeMount (JSON: name -> mount). Indent 4. */
export const USER_MOUNTS = `
{{- define "pf.userMounts" }}
  {{- $a := .ObjectMeta.Annotations }}
  {{- if isset $a "sidecar.istio.io/userVolumeMount" }}
    {{- range $name, $mount := fromJSON (index $a "sidecar.istio.io/userVolumeMount") }}
    - name: "{{ $name }}"
      {{- toYaml $mount | nindent 6 }}
    {{- end }}
  {{- end }}
{{- end }}
`;

/** Extra volumes a pod asks for with sidecar.istio.io/userVolume (JSON: name -> volume source). Indent 2. */
export const USER_VOLUMES = `
{{- define "pf.userVolumes" }}
  {{- $a := .ObjectMeta.Annotations }}
  {{- if isset $a "sidecar.istio.io/userVolume" }}
    {{- range $name, $vol := fromJSON (index $a "sidecar.istio.io/userVolume") }}
  - name: "{{ $name }}"
    {{- toYaml $vol | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end }}
`;

/** Pod volumes after the per-flavour sockets: custom bootstrap, pod info, the istio-token service account token,
 * the mesh root certificate (istiod as CA). Indent 2. */
export const BOOTSTRAP_VOLUME = `
{{- define "pf.bootstrapVolume" }}
  {{- if isset .ObjectMeta.Annotations "sidecar.istio.io/bootstrapOverride" }}
  - name: custom-bootstrap-volume
    configMap:
      name: {{ annotation .ObjectMeta "sidecar.istio.io/bootstrapOverride" "" }}
  {{- end }}
{{- end }}
`;

export const TOKEN_AND_ROOT_CERT_VOLUMES = `
{{- define "pf.podInfoVolume" }}
  - name: istio-podinfo
    downwardAPI:
      items:
      {{- range list "labels" "annotations" }}
      - path: "{{ . }}"
        fieldRef:
          fieldPath: metadata.{{ . }}
      {{- end }}
{{- end }}
{{- define "pf.tokenAndRootCertVolumes" }}
  - name: istio-token
    projected:
      sources:
      - serviceAccountToken:
          path: istio-token
          expirationSeconds: 43200
          audience: {{ .Values.global.sds.token.aud }}
  {{- if eq .Values.global.pilotCertProvider "istiod" }}
  - name: istiod-ca-cert
    {{- if eq (.Values.pilot.env).ENABLE_CLUSTER_TRUST_BUNDLE_API true }}
    projected:
      sources:
      - clusterTrustBundle:
          name: istio.io:istiod-ca:{{ .Values.global.trustBundleName | default "root-cert" }}
          path: root-cert.pem
    {{- else }}
    configMap:
      name: {{ .Values.global.trustBundleName | default "istio-ca-root-cert" }}
    {{- end }}
  {{- end }}
{{- end }}
`;

/** The legacy mounted mTLS certificates secret (values.global.mountMtlsCerts), one per service account. Indent 2. */
export const MTLS_CERTS_VOLUME = `
{{- define "pf.mtlsCertsVolume" }}
  {{- if .Values.global.mountMtlsCerts }}
  - name: istio-certs
    secret:
      optional: true
      secretName: {{ if eq .Spec.ServiceAccountName "" }}istio.default{{ else }}{{ printf "istio.%s" .Spec.ServiceAccountName }}{{ end }}
  {{- end }}
{{- end }}
`;

/** imagePullSecrets from values.global.imagePullSecrets. Indent 2. */
export const PULL_SECRETS = `
{{- define "pf.pullSecrets" }}
  {{- with .Values.global.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}
`;

/** The proxy container's image: the sidecar.istio.io/proxyImage annotation or values.global.proxy.image when it
 * is a full reference (has a "/"), else the image the injector resolved from hub, tag and variant. Indent 4. */
export const PROXY_IMAGE = `
{{- define "pf.proxyImage" }}
  {{- $ref := annotation .ObjectMeta "sidecar.istio.io/proxyImage" .Values.global.proxy.image }}
    image: "{{ if contains "/" $ref }}{{ $ref }}{{ else }}{{ .ProxyImage }}{{ end }}"
{{- end }}
`;

/** pilot-agent's arguments: call with (list ROLE .), ROLE "sidecar" or "router". Indent 4. */
export const AGENT_ARGS = `
{{- define "pf.agentArgs" }}
  {{- $role := index . 0 }}{{ $root := index . 1 }}
    args:
    - proxy
    - {{ $role }}
    - --domain
    - $(POD_NAMESPACE).svc.{{ $root.Values.global.proxy.clusterDomain }}
    - --proxyLogLevel={{ annotation $root.ObjectMeta "sidecar.istio.io/logLevel" $root.Values.global.proxy.logLevel }}
    - --proxyComponentLogLevel={{ annotation $root.ObjectMeta "sidecar.istio.io/componentLogLevel" $root.Values.global.proxy.componentLogLevel }}
    - --log_output_level={{ annotation $root.ObjectMeta "sidecar.istio.io/agentLogLevel" $root.Values.global.logging.level }}
  {{- with $root.Values.global.sts.servicePort }}
    - --stsPort={{ . }}
  {{- end }}
  {{- if $root.Values.global.logAsJson }}
    - --log_as_json
  {{- end }}
{{- end }}
`;
