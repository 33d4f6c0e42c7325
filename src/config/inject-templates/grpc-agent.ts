// pilotfish's own `grpc-agent` injection template (see index.ts): proxyless gRPC with pilot-agent as an xDS and
// certificate proxy (DISABLE_ENVOY) that the app containers reach over a shared socket directory. Written for
// pilotfish; renders what Istio 1.30.3's grpc-agent template renders for the same injection data (checked in
// test/unit/inject-templates-own.test.ts).
import {
  AGENT_ARGS,
  AGENT_ENV,
  APP_NAMES,
  BOOTSTRAP_VOLUME,
  DEFAULT_CONTAINER_ANNOTATIONS,
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

const HEAD = `{{- /* pilotfish grpc-agent injection template. The pod is not labelled security.istio.io/tlsMode: whether
  the gRPC app speaks mTLS depends on its code, so the user sets that label. */ -}}`;

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
    sidecar.istio.io/rewriteAppHTTPProbers: "false"
spec:
  containers:
  - name: istio-proxy
  {{- template "pf.proxyImage" . }}
    ports:
    - containerPort: 15020
      protocol: TCP
      name: mesh-metrics
  {{- template "pf.agentArgs" (list "sidecar" .) }}
    lifecycle:
      postStart:
        exec:
          command:
          - pilot-agent
          - wait
          - --url=http://localhost:15020/healthz/ready
    env:
    - name: ISTIO_META_GENERATOR
      value: grpc
    - name: OUTPUT_CERTS
      value: /var/lib/istio/data
  {{- if eq .InboundTrafficPolicyMode "localhost" }}
    - name: REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION
      value: "true"
  {{- end }}
  {{- template "pf.agentEnv" . }}
  {{- template "pf.proxyConfigAndPortsEnv" . }}
    - name: ISTIO_META_APP_CONTAINERS
      value: "{{ join "," $apps }}"
    - name: ISTIO_META_CLUSTER_ID
      value: "{{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" }}"
    - name: ISTIO_META_NODE_NAME
      valueFrom:
        fieldRef:
          fieldPath: spec.nodeName
  {{- with .Values.global.network }}
    - name: ISTIO_META_NETWORK
      value: "{{ . }}"
  {{- end }}
  {{- with .DeploymentMeta.Name }}
    - name: ISTIO_META_WORKLOAD_NAME
      value: "{{ . }}"
  {{- end }}
  {{- template "pf.ownerEnv" . }}
  {{- template "pf.meshEnv" . }}
  {{- template "pf.metadataEnv" .ProxyConfig.ProxyMetadata }}
    {{- /* gRPC resolves xds:/// names itself: no DNS capture, and the agent runs without Envoy. */}}
    - name: ISTIO_META_DNS_CAPTURE
      value: "false"
    - name: DISABLE_ENVOY
      value: "true"
  {{- with .Values.global.imagePullPolicy }}
    imagePullPolicy: "{{ . }}"
  {{- end }}
  {{- /* A status port of 0 drops the probe and, with it, the resources and volume mounts. */}}
  {{- if ne (annotation .ObjectMeta "status.sidecar.istio.io/port" $proxy.statusPort) "0" }}
    readinessProbe:
      httpGet:
        path: /healthz/ready
        port: 15020
      initialDelaySeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/initialDelaySeconds" $proxy.readinessInitialDelaySeconds }}
      periodSeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/periodSeconds" $proxy.readinessPeriodSeconds }}
      timeoutSeconds: 3
      failureThreshold: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/failureThreshold" $proxy.readinessFailureThreshold }}
    resources:
    {{- template "pf.proxyResources" . }}
    volumeMounts:
    - name: workload-socket
      mountPath: /var/run/secrets/workload-spiffe-uds
    {{- template "pf.workloadCertMount" . }}
    {{- if eq .Values.global.pilotCertProvider "istiod" }}
    - mountPath: /var/run/secrets/istio
      name: istiod-ca-cert
    {{- end }}
    - mountPath: /var/lib/istio/data
      name: istio-data
    - mountPath: /etc/istio/proxy
      name: istio-xds
    - mountPath: /var/run/secrets/tokens
      name: istio-token
    {{- if .Values.global.mountMtlsCerts }}
    - mountPath: /etc/certs/
      name: istio-certs
      readOnly: true
    {{- end }}
    - name: istio-podinfo
      mountPath: /etc/istio/pod
  {{- end }}
  {{- template "pf.userMounts" . }}
{{- range .Spec.Containers }}
  {{- if ne .Name "istio-proxy" }}
  - name: {{ .Name }}
    env:
    - name: "GRPC_XDS_EXPERIMENTAL_SECURITY_SUPPORT"
      value: "true"
    - name: "GRPC_XDS_BOOTSTRAP"
      value: "/etc/istio/proxy/grpc-bootstrap.json"
    volumeMounts:
    - mountPath: /var/lib/istio/data
      name: istio-data
    - mountPath: /etc/istio/proxy
      name: istio-xds
    {{- template "pf.workloadCertMount" $ }}
  {{- end }}
{{- end }}
  volumes:
  - name: workload-socket
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
  - name: istio-xds
    emptyDir:
      medium: Memory
  - name: istio-data
    emptyDir: {}
  {{- template "pf.podInfoVolume" . }}
  {{- template "pf.tokenAndRootCertVolumes" . }}
  {{- template "pf.mtlsCertsVolume" . }}
  {{- template "pf.userVolumes" . }}
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
