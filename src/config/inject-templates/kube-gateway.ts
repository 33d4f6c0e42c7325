// pilotfish's own `kube-gateway` template (see index.ts and gateway-parts.ts): what istiod's Gateway API deployment
// controller creates for a Gateway of class `istio`: a ServiceAccount, the Envoy router Deployment, its Service, a
// one-replica HorizontalPodAutoscaler and a PodDisruptionBudget.
import { DEFINES, VARIABLES } from "./gateway-parts.js";

const BODY = String.raw`
{{- $managedLabels := mergeMaps $objectLabels (strdict "gateway.istio.io/managed" "istio.io-gateway-controller") }}
{{- $trustDomain := valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
{{- $customImage := annotation .ObjectMeta "sidecar.istio.io/proxyImage" .Values.global.proxy.image }}
{{- $istiodCerts := eq .Values.global.pilotCertProvider "istiod" }}
{{- $gkeCerts := eq .Values.global.caName "GkeWorkloadCertificate" }}
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
      - name: istio-proxy
        image: "{{ if contains "/" $customImage }}{{ $customImage }}{{ else }}{{ .ProxyImage }}{{ end }}"
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
          runAsUser: {{ .ProxyUID | default "1337" }}
          runAsGroup: {{ .ProxyGID | default "1337" }}
          runAsNonRoot: true
          privileged: false
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        ports:
        - {name: metrics, containerPort: 15020, protocol: TCP}
        - {name: status-port, containerPort: 15021, protocol: TCP}
        - {name: http-envoy-prom, containerPort: 15090, protocol: TCP}
        args:
        - proxy
        - router
        - --domain
        - $(POD_NAMESPACE).svc.{{ .Values.global.proxy.clusterDomain }}
        - --proxyLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/logLevel" .Values.global.proxy.logLevel | quote }}
        - --proxyComponentLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/componentLogLevel" .Values.global.proxy.componentLogLevel | quote }}
        - --log_output_level
        - {{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level | quote }}
        {{- with .Values.global.sts.servicePort }}
        - --stsPort={{ . }}
        {{- end }}
        {{- if .Values.global.logAsJson }}
        - --log_as_json
        {{- end }}
        env:
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
        - name: ISTIO_META_POD_PORTS
          value: "[]"
        - name: ISTIO_META_APP_CONTAINERS
          value: ""
        - name: GOMEMLIMIT
          valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: "1"}}
        - name: GOMAXPROCS
          valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: "1"}}
        - name: ISTIO_META_CLUSTER_ID
          value: "{{ valueOrDefault .Values.global.multiCluster.clusterName .ClusterID }}"
        - name: ISTIO_META_NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: ISTIO_META_INTERCEPTION_MODE
          value: "{{ .ProxyConfig.InterceptionMode.String }}"
        {{- with valueOrDefault (index .InfrastructureLabels "topology.istio.io/network") .Values.global.network }}
        - name: ISTIO_META_NETWORK
          value: {{ . | quote }}
        {{- end }}
        - name: ISTIO_META_WORKLOAD_NAME
          value: {{ .DeploymentName | quote }}
        - name: ISTIO_META_OWNER
          value: "kubernetes://apis/apps/v1/namespaces/{{ .Namespace }}/deployments/{{ .DeploymentName }}"
        {{- with .Values.global.meshID | default $trustDomain }}
        - name: ISTIO_META_MESH_ID
          value: "{{ . }}"
        {{- end }}
        {{- with $trustDomain }}
        - name: TRUST_DOMAIN
          value: "{{ . }}"
        {{- end }}
        {{- range $name, $value := .ProxyConfig.ProxyMetadata }}
        - name: {{ $name }}
          value: "{{ $value }}"
        {{- end }}
        {{- /* a gateway labelled with a network only sees that network's endpoints */ -}}
        {{- with index .InfrastructureLabels "topology.istio.io/network" }}
        - name: ISTIO_META_REQUESTED_NETWORK_VIEW
          value: {{ . | quote }}
        {{- end }}
        {{- template "pf.probes" }}
        volumeMounts:
        - {name: workload-socket, mountPath: /var/run/secrets/workload-spiffe-uds}
        - {name: credential-socket, mountPath: /var/run/secrets/credential-uds}
        {{- if $gkeCerts }}
        - {name: gke-workload-certificate, mountPath: /var/run/secrets/workload-spiffe-credentials, readOnly: true}
        {{- else }}
        - {name: workload-certs, mountPath: /var/run/secrets/workload-spiffe-credentials}
        {{- end }}
        {{- if $istiodCerts }}
        - {name: istiod-ca-cert, mountPath: /var/run/secrets/istio}
        {{- end }}
        - {name: istio-data, mountPath: /var/lib/istio/data}
        - {name: istio-envoy, mountPath: /etc/istio/proxy}
        - {name: istio-token, mountPath: /var/run/secrets/tokens}
        - {name: istio-podinfo, mountPath: /etc/istio/pod}
      volumes:
      - name: workload-socket
        emptyDir: {}
      - name: credential-socket
        emptyDir: {}
      {{- if $gkeCerts }}
      - name: gke-workload-certificate
        csi: {driver: workloadcertificates.security.cloud.google.com}
      {{- else }}
      - name: workload-certs
        emptyDir: {}
      {{- end }}
      - name: istio-envoy
        emptyDir: {medium: Memory}
      - name: istio-data
        emptyDir: {}
      - name: istio-podinfo
        downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - name: istio-token
        projected:
          sources:
          - serviceAccountToken:
              path: istio-token
              expirationSeconds: 43200
              audience: {{ .Values.global.sds.token.aud }}
      {{- if $istiodCerts }}
      - name: istiod-ca-cert
      {{- template "pf.rootCertSource" (dict "v" .Values "ctb" (eq ((.Values.pilot).env).ENABLE_CLUSTER_TRUST_BUNDLE_API true)) }}
      {{- end }}
---
{{- template "pf.service" (dict "gw" . "annotations" $userAnnotations "labels" $objectLabels "quoted" false) }}
---
{{- template "pf.scaling" (dict "gw" . "annotations" $userAnnotations "labels" $objectLabels) }}
`;

export const TEXT = `{{- /* pilotfish: Gateway API gateway (class istio) resources for istiod's Gateway API deployment controller */ -}}
${DEFINES}${VARIABLES}${BODY}`;
