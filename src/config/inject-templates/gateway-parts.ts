// Pieces shared by pilotfish's three Gateway API deployment templates (`waypoint`, `kube-gateway`, `agentgateway`).
//
// istiod's Gateway API deployment controller (gatewaycommon.DeploymentController) renders one of these texts per
// managed Gateway and applies each YAML document it prints. Its data ("dot") is the controller's template input:
// the Gateway itself (embedded: .Name .Namespace .UID .ObjectMeta .Spec ...), the values it derived from it
// (.GatewayClass .DeploymentName .ServiceAccount .Ports .ServiceType .ClusterID .KubeVersion .Revision .ProxyUID
// .ProxyGID .InfrastructureLabels .InfrastructureAnnotations .GatewayNameLabel .ControllerLabel ...) and what it read
// from the injector config (.ProxyImage .AgentgatewayImage .ProxyConfig .MeshConfig .Values). The functions are
// the injector's: sprig plus Istio's (annotation, valueOrDefault, omit, strdict, toJsonMap, mergeMaps, toYaml,
// omitNil, protoToJSON, contains, ...). Every text is parsed on its own, so each carries its own copy of these
// definitions and variables.
//
// Quoting is deliberate: a value is written quoted or plain, escaped or raw, exactly where Istio's text writes it
// so, because the parsed YAML must be the same for every input (a Gateway named `123` or `true` is a string in one
// spelling and a number or boolean in the other).

/** Definitions (`define`) the three texts use; they print nothing where they stand. */
export const DEFINES = String.raw`
{{- /* metadata lines of a generated object; dot: dict name namespace annotations labels */ -}}
{{- define "pf.metadata" }}
  name: {{ .name | quote }}
  namespace: {{ .namespace | quote }}
  annotations: {{ toJsonMap .annotations }}
  labels: {{ toJsonMap .labels }}
{{- end }}

{{- /* the owning Gateway; dot: dict gw (the template data) and whether its name / uid are written quoted */ -}}
{{- define "pf.ownedByGateway" }}
  ownerReferences:
  - kind: Gateway
    apiVersion: gateway.networking.k8s.io/v1
    name: {{ if .quoteName }}"{{ .gw.Name }}"{{ else }}{{ .gw.Name }}{{ end }}
    uid: {{ if .quoteUID }}"{{ .gw.UID }}"{{ else }}{{ .gw.UID }}{{ end }}
{{- end }}

{{- /* istiod's CA address for the agents: global.caAddress, else the revision's istiod Service */ -}}
{{- define "pf.caAddress" -}}
{{ with .Values.global.caAddress }}{{ . }}{{ else -}}
istiod{{ if ne .Values.revision "" }}-{{ .Values.revision }}{{ end }}.{{ .Values.global.istioNamespace }}.svc:15012
{{- end }}
{{- end }}

{{- /* the istiod-ca-cert volume source; dot: dict v (.Values) and ctb (ClusterTrustBundle API enabled) */ -}}
{{- define "pf.rootCertSource" }}
      {{- if .ctb }}
        projected:
          sources:
          - clusterTrustBundle:
              path: root-cert.pem
              name: istio.io:istiod-ca:{{ .v.global.trustBundleName | default "root-cert" }}
      {{- else }}
        configMap:
          name: {{ .v.global.trustBundleName | default "istio-ca-root-cert" }}
      {{- end }}
{{- end }}

{{- /* the agent's health endpoint, polled at start-up and for readiness */ -}}
{{- define "pf.probes" }}
        startupProbe:
          httpGet: {path: /healthz/ready, port: 15021, scheme: HTTP}
          initialDelaySeconds: 1
          periodSeconds: 1
          timeoutSeconds: 1
          successThreshold: 1
          failureThreshold: 30
        readinessProbe:
          httpGet: {path: /healthz/ready, port: 15021, scheme: HTTP}
          initialDelaySeconds: 0
          periodSeconds: 15
          timeoutSeconds: 1
          successThreshold: 1
          failureThreshold: 4
{{- end }}

{{- /* pod security context of kube-gateway and agentgateway pods: the configured one, else unprivileged ports */ -}}
{{- define "pf.podSecurityContext" }}
      securityContext:
      {{- with .Values.gateways.securityContext }}
        {{- toYaml . | nindent 8 }}
      {{- else }}
        sysctls:
        - value: "0"
          name: net.ipv4.ip_unprivileged_port_start
        {{- with .Values.gateways.seccompProfile }}
        seccompProfile:
          {{- toYaml . | nindent 10 }}
        {{- end }}
      {{- end }}
{{- end }}

{{- /* the Gateway's Service; dot: dict gw, annotations, labels and quoted (waypoints quote name, uid, selector) */ -}}
{{- define "pf.service" }}
apiVersion: v1
kind: Service
metadata:
{{- template "pf.metadata" (dict "name" .gw.DeploymentName "namespace" .gw.Namespace "annotations" .annotations "labels" .labels) }}
{{- template "pf.ownedByGateway" (dict "gw" .gw "quoteName" .quoted "quoteUID" .quoted) }}
spec:
  type: {{ .gw.ServiceType | quote }}
  ipFamilyPolicy: PreferDualStack
  selector:
    "{{ .gw.GatewayNameLabel }}": {{ if .quoted }}"{{ .gw.Name }}"{{ else }}{{ .gw.Name }}{{ end }}
  {{- if and .gw.Spec.Addresses (eq .gw.ServiceType "LoadBalancer") }}
  loadBalancerIP: {{ (index .gw.Spec.Addresses 0).Value | quote }}
  {{- end }}
  ports:
  {{- range .gw.Ports }}
  - name: {{ .Name | quote }}
    protocol: TCP
    port: {{ .Port }}
    appProtocol: {{ .AppProtocol }}
  {{- end }}
{{- end }}

{{- /* the single-replica HorizontalPodAutoscaler and the PodDisruptionBudget; dot: dict gw annotations labels */ -}}
{{- define "pf.scaling" }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
{{- template "pf.metadata" (dict "name" .gw.DeploymentName "namespace" .gw.Namespace "annotations" .annotations "labels" .labels) }}
{{- template "pf.ownedByGateway" (dict "gw" .gw "quoteName" false "quoteUID" true) }}
spec:
  maxReplicas: 1
  scaleTargetRef:
    kind: Deployment
    apiVersion: apps/v1
    name: {{ .gw.DeploymentName | quote }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
{{- template "pf.metadata" (dict "name" .gw.DeploymentName "namespace" .gw.Namespace "annotations" .annotations "labels" .labels) }}
{{- template "pf.ownedByGateway" (dict "gw" .gw "quoteName" false "quoteUID" true) }}
spec:
  selector:
    matchLabels:
      gateway.networking.k8s.io/gateway-name: {{ .gw.Name | quote }}
{{- end }}
`;

/**
 * Variables every text starts with: the Gateway's own annotations minus the controller's bookkeeping ones
 * ($userAnnotations), the two labels naming the Gateway and its class ($gatewayLabels), the Gateway's labels with
 * those ($objectLabels) and the generated pod's annotations ($podAnnotations).
 */
export const VARIABLES = String.raw`
{{- $userAnnotations := omit .InfrastructureAnnotations
      "kubectl.kubernetes.io/last-applied-configuration"
      "gateway.istio.io/name-override"
      "gateway.istio.io/service-account"
      "gateway.istio.io/controller-version" }}
{{- $gatewayLabels := strdict
      "gateway.networking.k8s.io/gateway-name" .Name
      "gateway.networking.k8s.io/gateway-class-name" .GatewayClass }}
{{- $objectLabels := mergeMaps .InfrastructureLabels $gatewayLabels }}
{{- $podAnnotations := mergeMaps $userAnnotations
      (strdict "istio.io/rev" (.Revision | default "default"))
      (strdict "prometheus.io/scrape" "true" "prometheus.io/port" "15020" "prometheus.io/path" "/stats/prometheus") }}
`;
