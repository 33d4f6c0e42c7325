// pilotfish's own `waypoint` template (see index.ts and gateway-parts.ts): what istiod's Gateway API deployment
// controller creates for a Gateway of class istio-waypoint (and istio-east-west): a ServiceAccount, the waypoint
// proxy Deployment, its Service, a one-replica HorizontalPodAutoscaler and a PodDisruptionBudget.
import { DEFINES, VARIABLES } from "./gateway-parts.js";

const BODY = String.raw`
{{- $managedLabels := mergeMaps $objectLabels (strdict "gateway.istio.io/managed" .ControllerLabel) }}
{{- $trustDomain := valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
{{- $network := valueOrDefault (index .InfrastructureLabels "topology.istio.io/network") .Values.global.network }}
{{- $customImage := annotation .ObjectMeta "sidecar.istio.io/proxyImage" .Values.global.proxy.image }}
kind: ServiceAccount
apiVersion: v1
metadata:
{{- template "pf.metadata" (dict "name" .ServiceAccount "namespace" .Namespace "annotations" $userAnnotations "labels" $objectLabels) }}
{{- /* owner references on ServiceAccounts are honoured from Kubernetes 1.28 on (kubernetes/kubernetes#117412) */ -}}
{{- if ge .KubeVersion 128 }}
{{- template "pf.ownedByGateway" (dict "gw" . "quoteName" true "quoteUID" true) }}
{{- end }}
---
kind: Deployment
apiVersion: apps/v1
metadata:
{{- template "pf.metadata" (dict "name" .DeploymentName "namespace" .Namespace "annotations" $userAnnotations "labels" $managedLabels) }}
{{- template "pf.ownedByGateway" (dict "gw" . "quoteName" true "quoteUID" true) }}
spec:
  selector:
    matchLabels:
      "{{ .GatewayNameLabel }}": "{{ .Name }}"
  template:
    metadata:
      annotations: {{ toJsonMap $podAnnotations }}
      labels: {{ toJsonMap
        (strdict
          "sidecar.istio.io/inject" "false"
          "istio.io/dataplane-mode" "none"
          "service.istio.io/canonical-name" .DeploymentName
          "service.istio.io/canonical-revision" "latest")
        $managedLabels }}
    spec:
      serviceAccountName: {{ .ServiceAccount | quote }}
      {{- /* scheduling, from values.global.waypoint */ -}}
      {{- with .Values.global.waypoint.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.global.waypoint.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.global.waypoint.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.global.waypoint.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.global.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
      - name: {{ . }}
        {{- end }}
      {{- end }}
      containers:
      - name: istio-proxy
        image: "{{ if contains "/" $customImage }}{{ $customImage }}{{ else }}{{ .ProxyImage }}{{ end }}"
        {{- with .Values.global.imagePullPolicy }}
        imagePullPolicy: "{{ . }}"
        {{- end }}
        args:
        - proxy
        - waypoint
        - --domain
        - $(POD_NAMESPACE).svc.{{ .Values.global.proxy.clusterDomain }}
        - --serviceCluster
        - {{ .ServiceAccount }}.$(POD_NAMESPACE)
        - --proxyLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/logLevel" .Values.global.proxy.logLevel | quote }}
        - --proxyComponentLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/componentLogLevel" .Values.global.proxy.componentLogLevel | quote }}
        - --log_output_level
        - {{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level | quote }}
        {{- if .Values.global.logAsJson }}
        - --log_as_json
        {{- end }}
        {{- with .Values.global.proxy.outlierLogPath }}
        - --outlierLogPath={{ . }}
        {{- end }}
        ports:
        - {name: metrics, containerPort: 15020, protocol: TCP}
        - {name: status-port, containerPort: 15021, protocol: TCP}
        - {name: http-envoy-prom, containerPort: 15090, protocol: TCP}
        env:
        - name: ISTIO_META_SERVICE_ACCOUNT
          valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
        - name: ISTIO_META_NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: PILOT_CERT_PROVIDER
          value: {{ .Values.global.pilotCertProvider }}
        - name: CA_ADDR
          value: {{ template "pf.caAddress" . }}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - name: INSTANCE_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: SERVICE_ACCOUNT
          valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
        - name: HOST_IP
          valueFrom: {fieldRef: {fieldPath: status.hostIP}}
        - name: ISTIO_CPU_LIMIT
          valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: "1"}}
        - name: PROXY_CONFIG
          value: |
            {{ protoToJSON .ProxyConfig }}
        {{- if .ProxyConfig.ProxyMetadata }}
        {{- range $name, $value := .ProxyConfig.ProxyMetadata }}
        - name: {{ $name }}
          value: "{{ $value }}"
        {{- end }}
        {{- end }}
        - name: GOMEMLIMIT
          valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: "1"}}
        - name: GOMAXPROCS
          valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: "1"}}
        - name: ISTIO_META_CLUSTER_ID
          value: "{{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" }}"
        {{- if $network }}
        - name: ISTIO_META_NETWORK
          value: "{{ $network }}"
        {{- /* an east-west gateway asks for the view of its own network */ -}}
        {{- if eq .ControllerLabel "istio.io-eastwest-controller" }}
        - name: ISTIO_META_REQUESTED_NETWORK_VIEW
          value: "{{ $network }}"
        {{- end }}
        {{- end }}
        - name: ISTIO_META_INTERCEPTION_MODE
          value: REDIRECT
        - name: ISTIO_META_WORKLOAD_NAME
          value: {{ .DeploymentName }}
        - name: ISTIO_META_OWNER
          value: kubernetes://apis/apps/v1/namespaces/{{ .Namespace }}/deployments/{{ .DeploymentName }}
        {{- with .Values.global.meshID | default $trustDomain }}
        - name: ISTIO_META_MESH_ID
          value: "{{ . }}"
        {{- end }}
        {{- with $trustDomain }}
        - name: TRUST_DOMAIN
          value: "{{ . }}"
        {{- end }}
        {{- with .Values.global.waypoint.resources }}
        resources:
          {{- toYaml (omitNil .) | nindent 10 }}
        {{- end }}
        {{- template "pf.probes" }}
        securityContext:
          privileged: false
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          {{- if ne .Values.global.platform "openshift" }}
          runAsUser: 1337
          runAsGroup: 1337
          {{- end }}
          capabilities: {drop: [ALL]}
          {{- with .Values.gateways.seccompProfile }}
          seccompProfile:
            {{- toYaml . | nindent 12 }}
          {{- end }}
        volumeMounts:
        - {name: workload-socket, mountPath: /var/run/secrets/workload-spiffe-uds}
        - {name: istiod-ca-cert, mountPath: /var/run/secrets/istio}
        - {name: istio-data, mountPath: /var/lib/istio/data}
        - {name: istio-envoy, mountPath: /etc/istio/proxy}
        - {name: istio-token, mountPath: /var/run/secrets/tokens}
        - {name: istio-podinfo, mountPath: /etc/istio/pod}
      volumes:
      - name: workload-socket
        emptyDir: {}
      - name: istio-envoy
        emptyDir: {medium: Memory}
      - name: go-proxy-envoy
        emptyDir: {medium: Memory}
      - name: istio-data
        emptyDir: {}
      - name: go-proxy-data
        emptyDir: {}
      - name: istio-podinfo
        downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - name: istio-token
        projected:
          sources:
          - serviceAccountToken: {path: istio-token, audience: istio-ca, expirationSeconds: 43200}
      - name: istiod-ca-cert
      {{- template "pf.rootCertSource" (dict "v" .Values "ctb" (eq (.Values.pilot.env).ENABLE_CLUSTER_TRUST_BUNDLE_API true)) }}
---
{{- template "pf.service" (dict "gw" .
      "annotations" (mergeMaps (strdict "networking.istio.io/traffic-distribution" "PreferClose") $userAnnotations)
      "labels" $objectLabels
      "quoted" true) }}
---
{{- template "pf.scaling" (dict "gw" . "annotations" $userAnnotations "labels" $objectLabels) }}
`;

export const TEXT = `{{- /* pilotfish: waypoint / east-west gateway resources for istiod's Gateway API deployment controller */ -}}
${DEFINES}${VARIABLES}${BODY}`;
