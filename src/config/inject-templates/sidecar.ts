// pilotfish's own `sidecar` injection template (see index.ts): the Envoy sidecar, its traffic-capture init
// container (istio-init, or istio-validation when the CNI plugin captures traffic), the pod annotations the CNI
// plugin reads, and the proxy's volumes. Written for pilotfish; renders what Istio 1.30.3's sidecar template
// renders for the same injection data (checked in test/unit/inject-templates-own.test.ts).
import {
  AGENT_ARGS,
  AGENT_ENV,
  APP_NAMES,
  BOOTSTRAP_VOLUME,
  DEFAULT_CONTAINER_ANNOTATIONS,
  LIMIT_ENV,
  METADATA_ENV,
  MTLS_CERTS_VOLUME,
  OWNER_AND_MESH_ENV,
  PROXY_CONFIG_AND_PORTS_ENV,
  PROXY_IMAGE,
  PROXY_RESOURCES,
  PULL_SECRETS,
  TOKEN_AND_ROOT_CERT_VOLUMES,
  USER_MOUNTS,
  USER_VOLUMES,
  WORKLOAD_CERT_MOUNT,
} from "./parts.js";

const HEAD = `{{- /* pilotfish sidecar injection template. Inputs: the injection data of Istio's injector (.Values,
  .MeshConfig, .ProxyConfig, the pod's .ObjectMeta and .Spec, .ProxyImage, .ProxyUID/.ProxyGID, .NativeSidecars, ...).
  Output: a partial pod the injector merges into the workload's pod. */ -}}`;

const BODY = `
{{- $a := .ObjectMeta.Annotations }}
{{- $labels := .ObjectMeta.Labels }}
{{- $proxy := .Values.global.proxy }}
{{- $cni := .Values.pilot.cni.enabled }}
{{- /* How traffic reaches Envoy: REDIRECT, TPROXY, or NONE (no capture). */}}
{{- $mode := annotation .ObjectMeta "sidecar.istio.io/interceptionMode" .ProxyConfig.InterceptionMode }}
{{- $tproxy := eq $mode "TPROXY" }}
{{- $bindLowPorts := eq (annotation .ObjectMeta "sidecar.istio.io/capNetBindService" $proxy.capNetBindService) "true" }}
{{- /* A native sidecar is an init container with restartPolicy Always (Kubernetes 1.29+). */}}
{{- $native := ne (index $a "sidecar.istio.io/nativeSidecar" | default (printf "%t" .NativeSidecars)) "false" }}
{{- $statusPort := annotation .ObjectMeta "status.sidecar.istio.io/port" $proxy.statusPort }}
{{- $excludeInbound := excludeInboundPort $statusPort (annotation .ObjectMeta "traffic.sidecar.istio.io/excludeInboundPorts" $proxy.excludeInboundPorts) }}
{{- $lightstepCA := and (eq $proxy.tracer "lightstep") .ProxyConfig.GetTracing.GetTlsSettings }}
metadata:
  labels:
    security.istio.io/tlsMode: {{ index $labels "security.istio.io/tlsMode" | default "istio" | quote }}
  {{- if eq (index .ProxyConfig.ProxyMetadata "ISTIO_META_ENABLE_HBONE") "true" }}
    networking.istio.io/tunnel: {{ index $labels "networking.istio.io/tunnel" | default "http" | quote }}
  {{- end }}
    service.istio.io/canonical-name: {{ index $labels "service.istio.io/canonical-name" | default (index $labels "app.kubernetes.io/name") | default (index $labels "app") | default .DeploymentMeta.Name | trunc 63 | trimSuffix "-" | quote }}
    service.istio.io/canonical-revision: {{ index $labels "service.istio.io/canonical-revision" | default (index $labels "app.kubernetes.io/version") | default (index $labels "version") | default "latest" | quote }}
  annotations:
    istio.io/rev: {{ .Revision | default "default" | quote }}
  {{- template "pf.defaultContainer" (list $apps $a) }}
  {{- if $cni }}
    {{- /* Read by the istio-cni node agent, which sets up the capture instead of istio-init. */}}
    {{- if eq .Values.pilot.cni.provider "multus" }}
    k8s.v1.cni.cncf.io/networks: '{{ appendMultusNetwork (index $a "k8s.v1.cni.cncf.io/networks") "default/istio-cni" }}'
    {{- end }}
    sidecar.istio.io/interceptionMode: "{{ $mode }}"
    {{- with annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundIPRanges" $proxy.includeIPRanges }}
    traffic.sidecar.istio.io/includeOutboundIPRanges: "{{ . }}"
    {{- end }}
    {{- with annotation .ObjectMeta "traffic.sidecar.istio.io/excludeOutboundIPRanges" $proxy.excludeIPRanges }}
    traffic.sidecar.istio.io/excludeOutboundIPRanges: "{{ . }}"
    {{- end }}
    traffic.sidecar.istio.io/includeInboundPorts: "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/includeInboundPorts" $proxy.includeInboundPorts }}"
    traffic.sidecar.istio.io/excludeInboundPorts: "{{ $excludeInbound }}"
    {{- if or (isset $a "traffic.sidecar.istio.io/includeOutboundPorts") (ne (valueOrDefault $proxy.includeOutboundPorts "") "") }}
    traffic.sidecar.istio.io/includeOutboundPorts: "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundPorts" $proxy.includeOutboundPorts }}"
    {{- end }}
    {{- if or (isset $a "traffic.sidecar.istio.io/excludeOutboundPorts") (ne $proxy.excludeOutboundPorts "") }}
    traffic.sidecar.istio.io/excludeOutboundPorts: "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/excludeOutboundPorts" $proxy.excludeOutboundPorts }}"
    {{- end }}
    {{- range $key := list "traffic.sidecar.istio.io/kubevirtInterfaces" "istio.io/reroute-virtual-interfaces" "traffic.sidecar.istio.io/excludeInterfaces" }}
      {{- with index $a $key }}
    {{ $key }}: "{{ . }}"
      {{- end }}
    {{- end }}
  {{- end }}
spec:
{{- $holdApplication := and (or .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue $proxy.holdApplicationUntilProxyStarts) (not $native) }}
{{- if and (eq $mode "NONE") (not $native) }}
  initContainers: []
{{- else }}
  initContainers:
  {{- if ne $mode "NONE" }}
  - name: {{ if $cni }}istio-validation{{ else }}istio-init{{ end }}
    {{- $initImage := annotation .ObjectMeta "sidecar.istio.io/proxyImage" .Values.global.proxy_init.image }}
    image: "{{ if contains "/" $initImage }}{{ $initImage }}{{ else }}{{ .ProxyImage }}{{ end }}"
    args:
    - istio-iptables
    - "-p"
    - {{ .MeshConfig.ProxyListenPort | default "15001" | quote }}
    - "-z"
    - {{ .MeshConfig.ProxyInboundListenPort | default "15006" | quote }}
    - "-u"
    - {{ if $tproxy }}"1337"{{ else }}{{ .ProxyUID | default "1337" | quote }}{{ end }}
    - "-m"
    - "{{ $mode }}"
    - "-i"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundIPRanges" $proxy.includeIPRanges }}"
    - "-x"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/excludeOutboundIPRanges" $proxy.excludeIPRanges }}"
    - "-b"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/includeInboundPorts" $proxy.includeInboundPorts }}"
    - "-d"
    - "15090,15021{{ with $excludeInbound }},{{ . }}{{ end }}"
    {{- if or (isset $a "traffic.sidecar.istio.io/includeOutboundPorts") (ne (valueOrDefault $proxy.includeOutboundPorts "") "") }}
    - "-q"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundPorts" $proxy.includeOutboundPorts }}"
    {{- end }}
    {{- if or (isset $a "traffic.sidecar.istio.io/excludeOutboundPorts") (ne (valueOrDefault $proxy.excludeOutboundPorts "") "") }}
    - "-o"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/excludeOutboundPorts" $proxy.excludeOutboundPorts }}"
    {{- end }}
    {{- if isset $a "istio.io/reroute-virtual-interfaces" }}
    - "-k"
    - "{{ index $a "istio.io/reroute-virtual-interfaces" }}"
    {{- else if isset $a "traffic.sidecar.istio.io/kubevirtInterfaces" }}
    - "-k"
    - "{{ index $a "traffic.sidecar.istio.io/kubevirtInterfaces" }}"
    {{- end }}
    {{- if isset $a "traffic.sidecar.istio.io/excludeInterfaces" }}
    - "-c"
    - "{{ index $a "traffic.sidecar.istio.io/excludeInterfaces" }}"
    {{- end }}
    - "--log_output_level={{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level }}"
    {{- if .Values.global.logAsJson }}
    - "--log_as_json"
    {{- end }}
    {{- if $cni }}
    - "--run-validation"
    - "--skip-rule-apply"
    {{- else if .Values.global.proxy_init.forceApplyIptables }}
    - "--force-apply"
    {{- end }}
    {{- if .Values.global.nativeNftables }}
    - "--native-nftables"
    {{- end }}
    {{- with .Values.global.imagePullPolicy }}
    imagePullPolicy: "{{ . }}"
    {{- end }}
    {{- with .ProxyConfig.ProxyMetadata }}
    env:
      {{- template "pf.metadataEnv" . }}
    {{- end }}
    resources:
    {{- template "pf.proxyResources" . }}
    securityContext:
      allowPrivilegeEscalation: {{ $proxy.privileged }}
      privileged: {{ $proxy.privileged }}
      capabilities:
    {{- if not $cni }}
        add:
        - NET_ADMIN
        - NET_RAW
    {{- end }}
        drop:
        - ALL
    {{- if $cni }}
      {{- /* Only validates the capture the CNI plugin installed: no privileges needed. */}}
      readOnlyRootFilesystem: true
      runAsGroup: {{ if $tproxy }}1337{{ else }}{{ .ProxyGID | default "1337" }}{{ end }}
      runAsUser: {{ if $tproxy }}1337{{ else }}{{ .ProxyUID | default "1337" }}{{ end }}
      runAsNonRoot: true
    {{- else }}
      readOnlyRootFilesystem: false
      runAsGroup: 0
      runAsNonRoot: false
      runAsUser: 0
    {{- end }}
    {{- with $proxy.seccompProfile }}
      seccompProfile:
      {{- toYaml . | nindent 8 }}
    {{- end }}
  {{- end }}
{{- end }}
{{- if not $native }}
  containers:
{{- end }}
  - name: istio-proxy
  {{- template "pf.proxyImage" . }}
  {{- if $native }}
    restartPolicy: Always
  {{- end }}
    ports:
    - containerPort: 15090
      protocol: TCP
      name: http-envoy-prom
  {{- template "pf.agentArgs" (list "sidecar" .) }}
  {{- with $proxy.outlierLogPath }}
    - --outlierLogPath={{ . }}
  {{- end }}
  {{- if $proxy.lifecycle }}
    lifecycle:
      {{- toYaml $proxy.lifecycle | nindent 6 }}
  {{- else if $holdApplication }}
    {{- /* The app containers start once the proxy is ready. */}}
    lifecycle:
      postStart:
        exec:
          command:
          - pilot-agent
          - wait
  {{- else if $native }}
    {{- /* Drain at pod shutdown; the kubelet stops a native sidecar only after the app containers. */}}
    lifecycle:
      preStop:
        exec:
          command:
          - pilot-agent
          - request
          - --debug-port={{ $statusPort }}
          - POST
          - drain
  {{- end }}
    env:
  {{- if eq .InboundTrafficPolicyMode "localhost" }}
    - name: REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION
      value: "true"
  {{- end }}
  {{- template "pf.agentEnv" . }}
  {{- template "pf.limitEnv" (list "ISTIO_CPU_LIMIT" "limits.cpu") }}
  {{- template "pf.proxyConfigAndPortsEnv" . }}
    - name: ISTIO_META_APP_CONTAINERS
      value: "{{ join "," $apps }}"
  {{- template "pf.limitEnv" (list "GOMEMLIMIT" "limits.memory") }}
  {{- template "pf.limitEnv" (list "GOMAXPROCS" "limits.cpu") }}
  {{- with .CompliancePolicy }}
    - name: COMPLIANCE_POLICY
      value: "{{ . }}"
  {{- end }}
    - name: ISTIO_META_CLUSTER_ID
      value: "{{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" }}"
    - name: ISTIO_META_NODE_NAME
      valueFrom:
        fieldRef:
          fieldPath: spec.nodeName
    - name: ISTIO_META_INTERCEPTION_MODE
      value: "{{ or (index $a "sidecar.istio.io/interceptionMode") .ProxyConfig.InterceptionMode.String }}"
  {{- with .Values.global.network }}
    - name: ISTIO_META_NETWORK
      value: "{{ . }}"
  {{- end }}
  {{- with index $labels "service.istio.io/workload-name" | default .DeploymentMeta.Name }}
    - name: ISTIO_META_WORKLOAD_NAME
      value: "{{ . }}"
  {{- end }}
  {{- template "pf.ownerEnv" . }}
  {{- if isset $a "sidecar.istio.io/bootstrapOverride" }}
    - name: ISTIO_BOOTSTRAP_OVERRIDE
      value: "/etc/istio/custom-bootstrap/custom_bootstrap.json"
  {{- end }}
  {{- template "pf.meshEnv" . }}
  {{- if and (eq $proxy.tracer "datadog") (isset $a "apm.datadoghq.com/env") }}
    {{- template "pf.metadataEnv" (fromJSON (index $a "apm.datadoghq.com/env")) }}
  {{- end }}
  {{- with otelResourceAttributes .MeshConfig $a $labels .DeploymentMeta.Namespace .Spec.Containers }}
    - name: OTEL_RESOURCE_ATTRIBUTES
      value: "{{ . }}"
  {{- end }}
  {{- template "pf.metadataEnv" .ProxyConfig.ProxyMetadata }}
  {{- with .Values.global.imagePullPolicy }}
    imagePullPolicy: "{{ . }}"
  {{- end }}
  {{- if ne $statusPort "0" }}
    {{- if $proxy.startupProbe.enabled }}
    startupProbe:
      httpGet:
        path: /healthz/ready
        port: 15021
      initialDelaySeconds: 0
      periodSeconds: 1
      timeoutSeconds: 3
      failureThreshold: {{ $proxy.startupProbe.failureThreshold }}
    {{- end }}
    readinessProbe:
      httpGet:
        path: /healthz/ready
        port: 15021
      initialDelaySeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/initialDelaySeconds" $proxy.readinessInitialDelaySeconds }}
      periodSeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/periodSeconds" $proxy.readinessPeriodSeconds }}
      timeoutSeconds: 3
      failureThreshold: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/failureThreshold" $proxy.readinessFailureThreshold }}
  {{- end }}
    securityContext:
  {{- if eq (index .ProxyConfig.ProxyMetadata "IPTABLES_TRACE_LOGGING") "true" }}
    {{- /* iptables trace logging needs the proxy to run privileged as root. */}}
      allowPrivilegeEscalation: true
      capabilities:
        add:
        - NET_ADMIN
        drop:
        - ALL
      privileged: true
      readOnlyRootFilesystem: true
      runAsGroup: {{ .ProxyGID | default "1337" }}
      runAsNonRoot: false
      runAsUser: 0
  {{- else }}
    {{- $asRoot := or $tproxy $bindLowPorts }}
      allowPrivilegeEscalation: {{ $proxy.privileged }}
      capabilities:
    {{- if $asRoot }}
        add:
      {{- if $tproxy }}
        - NET_ADMIN
      {{- end }}
      {{- if $bindLowPorts }}
        - NET_BIND_SERVICE
      {{- end }}
    {{- end }}
        drop:
        - ALL
      privileged: {{ $proxy.privileged }}
      readOnlyRootFilesystem: true
    {{- if $asRoot }}
      runAsNonRoot: false
      runAsUser: 0
      runAsGroup: 1337
    {{- else }}
      runAsNonRoot: true
      runAsUser: {{ .ProxyUID | default "1337" }}
      runAsGroup: {{ .ProxyGID | default "1337" }}
    {{- end }}
  {{- end }}
  {{- with $proxy.seccompProfile }}
      seccompProfile:
      {{- toYaml . | nindent 8 }}
  {{- end }}
    resources:
  {{- template "pf.proxyResources" . }}
    volumeMounts:
    - name: workload-socket
      mountPath: /var/run/secrets/workload-spiffe-uds
    - name: credential-socket
      mountPath: /var/run/secrets/credential-uds
  {{- template "pf.workloadCertMount" . }}
  {{- if eq .Values.global.pilotCertProvider "istiod" }}
    - mountPath: /var/run/secrets/istio
      name: istiod-ca-cert
    - mountPath: /var/run/secrets/istio/crl
      name: istio-ca-crl
  {{- end }}
    - mountPath: /var/lib/istio/data
      name: istio-data
  {{- if isset $a "sidecar.istio.io/bootstrapOverride" }}
    - mountPath: /etc/istio/custom-bootstrap
      name: custom-bootstrap-volume
  {{- end }}
    - mountPath: /etc/istio/proxy
      name: istio-envoy
    - mountPath: /var/run/secrets/tokens
      name: istio-token
  {{- if .Values.global.mountMtlsCerts }}
    - mountPath: /etc/certs/
      name: istio-certs
      readOnly: true
  {{- end }}
    - name: istio-podinfo
      mountPath: /etc/istio/pod
  {{- if $lightstepCA }}
    - mountPath: {{ directory .ProxyConfig.GetTracing.GetTlsSettings.GetCaCertificates }}
      name: lightstep-certs
      readOnly: true
  {{- end }}
  {{- template "pf.userMounts" . }}
  volumes:
  {{- /* emptyDir left empty (null) on purpose: it is what the injector has always rendered. */}}
  - name: workload-socket
    emptyDir:
  - name: credential-socket
    emptyDir:
  {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
  - name: gke-workload-certificate
    csi:
      driver: workloadcertificates.security.cloud.google.com
  {{- else }}
  - name: workload-certs
    emptyDir:
  {{- end }}
  {{- template "pf.bootstrapVolume" . }}
  - name: istio-envoy
    emptyDir:
      medium: Memory
  - name: istio-data
    emptyDir: {}
  {{- template "pf.podInfoVolume" . }}
  {{- template "pf.tokenAndRootCertVolumes" . }}
  - name: istio-ca-crl
    configMap:
      name: {{ .Values.pilot.crlConfigMapName | default "istio-ca-crl" }}
      optional: true
  {{- template "pf.mtlsCertsVolume" . }}
  {{- template "pf.userVolumes" . }}
  {{- if $lightstepCA }}
  - name: lightstep-certs
    secret:
      optional: true
      secretName: lightstep.cacert
  {{- end }}
  {{- template "pf.pullSecrets" . }}
`;

export const TEXT =
  HEAD +
  [
    PROXY_RESOURCES,
    DEFAULT_CONTAINER_ANNOTATIONS,
    PROXY_IMAGE,
    AGENT_ARGS,
    AGENT_ENV,
    LIMIT_ENV,
    PROXY_CONFIG_AND_PORTS_ENV,
    OWNER_AND_MESH_ENV,
    METADATA_ENV,
    WORKLOAD_CERT_MOUNT,
    USER_MOUNTS,
    BOOTSTRAP_VOLUME,
    TOKEN_AND_ROOT_CERT_VOLUMES,
    MTLS_CERTS_VOLUME,
    USER_VOLUMES,
    PULL_SECRETS,
  ].join("") +
  APP_NAMES +
  BODY;
