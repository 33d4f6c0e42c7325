// pilotfish's own `gateway` injection template (see index.ts): the Envoy router container of a gateway
// deployment (no traffic capture, no init container). Written for pilotfish; renders what Istio 1.30.3's gateway
// template renders for the same injection data (checked in test/unit/inject-templates-own.test.ts).
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
  PULL_SECRETS,
  TOKEN_AND_ROOT_CERT_VOLUMES,
  WORKLOAD_CERT_MOUNT,
} from "./parts.js";

const HEAD = `{{- /* pilotfish gateway injection template: fills in the istio-proxy container ("router" role) of a gateway
  Deployment whose pod template names it with image "auto". */ -}}`;

const BODY = `
{{- $a := .ObjectMeta.Annotations }}
{{- $labels := .ObjectMeta.Labels }}
{{- $proxy := .Values.global.proxy }}
metadata:
  labels:
    service.istio.io/canonical-name: {{ index $labels "service.istio.io/canonical-name" | default (index $labels "app.kubernetes.io/name") | default (index $labels "app") | default .DeploymentMeta.Name | quote }}
    service.istio.io/canonical-revision: {{ index $labels "service.istio.io/canonical-revision" | default (index $labels "app.kubernetes.io/version") | default (index $labels "version") | default "latest" | quote }}
  annotations:
    istio.io/rev: {{ .Revision | default "default" | quote }}
  {{- template "pf.defaultContainer" (list $apps $a) }}
spec:
  securityContext:
{{- with .Values.gateways.securityContext }}
    {{- toYaml . | nindent 4 }}
{{- else }}
    {{- /* Let the unprivileged proxy listen on ports below 1024. */}}
    sysctls:
    - name: net.ipv4.ip_unprivileged_port_start
      value: "0"
{{- end }}
  containers:
  - name: istio-proxy
  {{- template "pf.proxyImage" . }}
    ports:
    - containerPort: 15090
      protocol: TCP
      name: http-envoy-prom
  {{- template "pf.agentArgs" (list "router" .) }}
  {{- with $proxy.lifecycle }}
    lifecycle:
      {{- toYaml . | nindent 6 }}
  {{- end }}
    securityContext:
      runAsUser: {{ .ProxyUID | default "1337" }}
      runAsGroup: {{ .ProxyGID | default "1337" }}
    env:
  {{- template "pf.agentEnv" . }}
  {{- template "pf.limitEnv" (list "ISTIO_CPU_LIMIT" "limits.cpu") }}
  {{- template "pf.proxyConfigAndPortsEnv" . }}
  {{- template "pf.limitEnv" (list "GOMEMLIMIT" "limits.memory") }}
  {{- template "pf.limitEnv" (list "GOMAXPROCS" "limits.cpu") }}
  {{- with .CompliancePolicy }}
    - name: COMPLIANCE_POLICY
      value: "{{ . }}"
  {{- end }}
    - name: ISTIO_META_APP_CONTAINERS
      value: "{{ join "," $apps }}"
    - name: ISTIO_META_CLUSTER_ID
      value: "{{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" }}"
    - name: ISTIO_META_NODE_NAME
      valueFrom:
        fieldRef:
          fieldPath: spec.nodeName
    - name: ISTIO_META_INTERCEPTION_MODE
      value: "{{ .ProxyConfig.InterceptionMode.String }}"
  {{- with .Values.global.network }}
    - name: ISTIO_META_NETWORK
      value: "{{ . }}"
  {{- end }}
  {{- with .DeploymentMeta.Name }}
    - name: ISTIO_META_WORKLOAD_NAME
      value: "{{ . }}"
  {{- end }}
  {{- template "pf.ownerEnv" . }}
  {{- if isset $a "sidecar.istio.io/bootstrapOverride" }}
    - name: ISTIO_BOOTSTRAP_OVERRIDE
      value: "/etc/istio/custom-bootstrap/custom_bootstrap.json"
  {{- end }}
  {{- template "pf.meshEnv" . }}
  {{- template "pf.metadataEnv" .ProxyConfig.ProxyMetadata }}
  {{- with .Values.global.imagePullPolicy }}
    imagePullPolicy: "{{ . }}"
  {{- end }}
    readinessProbe:
      httpGet:
        path: /healthz/ready
        port: 15021
      initialDelaySeconds: {{ $proxy.readinessInitialDelaySeconds }}
      periodSeconds: {{ $proxy.readinessPeriodSeconds }}
      timeoutSeconds: 3
      failureThreshold: {{ $proxy.readinessFailureThreshold }}
    volumeMounts:
    - name: workload-socket
      mountPath: /var/run/secrets/workload-spiffe-uds
    - name: credential-socket
      mountPath: /var/run/secrets/credential-uds
  {{- template "pf.workloadCertMount" . }}
  {{- if eq .Values.global.pilotCertProvider "istiod" }}
    - mountPath: /var/run/secrets/istio
      name: istiod-ca-cert
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
  volumes:
  {{- /* The workload socket's emptyDir is null, the others {}: as the injector has always rendered them. */}}
  - name: workload-socket
    emptyDir:
  - name: credential-socket
    emptyDir: {}
  {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
  - name: gke-workload-certificate
    csi:
      driver: workloadcertificates.security.cloud.google.com
  {{- else }}
  - name: workload-certs
    emptyDir: {}
  {{- end }}
  {{- template "pf.bootstrapVolume" . }}
  - name: istio-envoy
    emptyDir:
      medium: Memory
  - name: istio-data
    emptyDir: {}
  {{- template "pf.podInfoVolume" . }}
  {{- template "pf.tokenAndRootCertVolumes" . }}
  {{- template "pf.mtlsCertsVolume" . }}
  {{- template "pf.pullSecrets" . }}
`;

export const TEXT =
  HEAD +
  [
    DEFAULT_CONTAINER_ANNOTATIONS,
    PROXY_IMAGE,
    AGENT_ARGS,
    AGENT_ENV,
    LIMIT_ENV,
    PROXY_CONFIG_AND_PORTS_ENV,
    OWNER_AND_MESH_ENV,
    METADATA_ENV,
    WORKLOAD_CERT_MOUNT,
    BOOTSTRAP_VOLUME,
    TOKEN_AND_ROOT_CERT_VOLUMES,
    MTLS_CERTS_VOLUME,
    PULL_SECRETS,
  ].join("") +
  APP_NAMES +
  BODY;
