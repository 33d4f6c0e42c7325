// pilotfish's own `agentgateway` template (see index.ts and gateway-parts.ts): what istiod's Gateway API deployment
// controller creates for a Gateway of class istio-agentgateway: a ServiceAccount, the agentgateway Deployment, its
// Service, a one-replica HorizontalPodAutoscaler and a PodDisruptionBudget.
import { DEFINES, VARIABLES } from "./gateway-parts.js";

const BODY = String.raw`
{{- $managedLabels := mergeMaps $objectLabels (strdict "gateway.istio.io/managed" "istio.io-agentgateway-controller") }}
{{- $customImage := annotation .ObjectMeta "gateway.istio.io/agentgatewayImage" .Values.global.agentgateway.image }}
kind: ServiceAccount
apiVersion: v1
metadata:
{{- template "pf.metadata" (dict "name" .ServiceAccount "namespace" .Namespace "annotations" $userAnnotations "labels" $objectLabels) }}
{{- template "pf.ownedByGateway" (dict "gw" . "quoteName" true "quoteUID" true) }}
---
kind: Deployment
apiVersion: apps/v1
metadata:
{{- template "pf.metadata" (dict "name" .DeploymentName "namespace" .Namespace "annotations" $userAnnotations "labels" $managedLabels) }}
{{- template "pf.ownedByGateway" (dict "gw" . "quoteName" false "quoteUID" true) }}
spec:
  selector:
    matchLabels:
      "{{ .GatewayNameLabel }}": {{ .Name }}
  template:
    metadata:
      annotations: {{ toJsonMap $podAnnotations }}
      labels: {{ toJsonMap
        (strdict
          "sidecar.istio.io/inject" "false"
          "service.istio.io/canonical-name" .DeploymentName
          "service.istio.io/canonical-revision" "latest")
        $managedLabels }}
    spec:
      serviceAccountName: {{ .ServiceAccount | quote }}
      {{- template "pf.podSecurityContext" . }}
      {{- with .Values.global.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
      - name: {{ . }}
        {{- end }}
      {{- end }}
      containers:
      - name: agentgateway
        image: "{{ if contains "/" $customImage }}{{ $customImage }}{{ else }}{{ .AgentgatewayImage }}{{ end }}"
        {{- with .Values.global.imagePullPolicy }}
        imagePullPolicy: "{{ . }}"
        {{- end }}
        {{- with .Values.global.proxy.resources }}
        resources:
          {{- toYaml (omitNil .) | nindent 10 }}
        {{- end }}
        {{- with .Values.global.proxy.lifecycle }}
        lifecycle:
          {{- toYaml . | nindent 10 }}
        {{- end }}
        securityContext:
          runAsUser: {{ .ProxyUID | default "10101" }}
          runAsGroup: {{ .ProxyGID | default "10101" }}
          runAsNonRoot: true
          privileged: false
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        ports:
        - {name: metrics, containerPort: 15020, protocol: TCP}
        - {name: status-port, containerPort: 15021, protocol: TCP}
        args: ["--config", "{}"]
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - name: NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - name: INSTANCE_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: SERVICE_ACCOUNT
          valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
        - name: CPU_LIMIT
          valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: "1"}}
        - name: GATEWAY
          value: {{ .Name | quote }}
        - name: RUST_BACKTRACE
          value: "1"
        - name: CLUSTER_ID
          value: "{{ valueOrDefault .Values.global.multiCluster.clusterName .ClusterID }}"
        {{- with valueOrDefault (index .InfrastructureLabels "topology.istio.io/network") .Values.global.network }}
        - name: NETWORK
          value: {{ . | quote }}
        {{- end }}
        {{- with valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
        - name: TRUST_DOMAIN
          value: "{{ . }}"
        {{- end }}
        {{- range $name, $value := .ProxyConfig.ProxyMetadata }}
        - name: {{ $name }}
          value: "{{ $value }}"
        {{- end }}
        - name: XDS_ADDRESS
          value: {{ .ProxyConfig.DiscoveryAddress | quote }}
        - name: CA_ADDRESS
          value: {{ template "pf.caAddress" . }}
        {{- template "pf.probes" }}
        volumeMounts:
        - {name: istiod-ca-cert, mountPath: /var/run/secrets/xds}
        - {name: xds-token, mountPath: /var/run/secrets/xds-tokens}
        - {name: tmp, mountPath: /tmp}
        - {name: istiod-ca-cert, mountPath: /var/run/secrets/istio}
        - {name: istio-token, mountPath: /var/run/secrets/tokens}
      volumes:
      - name: tmp
        emptyDir: {}
      {{- range list "xds-token" "istio-token" }}
      - name: {{ . }}
        projected:
          sources:
          - serviceAccountToken:
              path: {{ . }}
              expirationSeconds: 43200
              audience: {{ $.Values.global.sds.token.aud }}
      {{- end }}
      {{- if eq .Values.global.pilotCertProvider "istiod" }}
      - name: istiod-ca-cert
      {{- template "pf.rootCertSource" (dict "v" .Values "ctb" (eq ((.Values.pilot).env).ENABLE_CLUSTER_TRUST_BUNDLE_API true)) }}
      {{- end }}
---
{{- template "pf.service" (dict "gw" . "annotations" $userAnnotations "labels" $objectLabels "quoted" false) }}
---
{{- template "pf.scaling" (dict "gw" . "annotations" $userAnnotations "labels" $objectLabels) }}
`;

export const TEXT = `{{- /* pilotfish: agentgateway resources for istiod's Gateway API deployment controller */ -}}
${DEFINES}${VARIABLES}${BODY}`;
