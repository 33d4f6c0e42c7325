{{/* Full name: the release name, with "pilotfish" appended unless it already holds it. */}}
{{- define "pilotfish.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pilotfish.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pilotfish.labels" -}}
{{ include "pilotfish.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "pilotfish.serviceAccountName" -}}
{{- default (include "pilotfish.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "pilotfish.revision" -}}
{{- if and .Values.injector.revision (ne .Values.injector.revision "default") -}}{{ .Values.injector.revision }}{{- else -}}default{{- end -}}
{{- end -}}

{{/* Names of the webhook configurations; the certificate controller patches exactly these. */}}
{{- define "pilotfish.mutatingName" -}}
{{- $rev := include "pilotfish.revision" . -}}
{{- if eq $rev "default" -}}{{ include "pilotfish.fullname" . }}-sidecar-injector{{- else -}}{{ include "pilotfish.fullname" . }}-sidecar-injector-{{ $rev }}{{- end -}}
{{- end -}}
{{- define "pilotfish.validatingName" -}}
{{ include "pilotfish.fullname" . }}-validator
{{- end -}}

{{- define "pilotfish.selfCerts" -}}
{{- if and (eq .Values.certificates.provider "pilotfish") (or .Values.injector.enabled .Values.validator.enabled) -}}true{{- end -}}
{{- end -}}

{{/* Any webhook at all? Without one nothing calls pilotfish and there is no certificate to manage. */}}
{{- define "pilotfish.certManagerCerts" -}}
{{- if and (eq .Values.certificates.provider "cert-manager") (or .Values.injector.enabled .Values.validator.enabled) -}}true{{- end -}}
{{- end -}}

{{- define "pilotfish.anyWebhook" -}}
{{- if or .Values.injector.enabled .Values.validator.enabled -}}true{{- end -}}
{{- end -}}

{{- define "pilotfish.leaderElection" -}}
{{- if and .Values.leaderElection.enabled (or (and (include "pilotfish.selfCerts" .) (include "pilotfish.anyWebhook" .)) .Values.operator.enabled) -}}true{{- end -}}
{{- end -}}

{{/* clientConfig of a webhook; caBundle is left out on purpose: pilotfish (or cert-manager's cainjector)
     patches it, and Helm's three-way merge keeps a field the chart never sets. */}}
{{- define "pilotfish.clientConfig" -}}
clientConfig:
{{- if .root.Values.webhook.url }}
  url: {{ printf "%s%s" (trimSuffix "/" .root.Values.webhook.url) .path | quote }}
{{- else }}
  service:
    name: {{ include "pilotfish.fullname" .root }}
    namespace: {{ .root.Release.Namespace }}
    port: {{ .root.Values.service.port }}
    path: {{ .path }}
{{- end }}
{{- end -}}

{{- define "pilotfish.webhookAnnotations" -}}
{{- if eq .Values.certificates.provider "cert-manager" }}
annotations:
  cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "pilotfish.fullname" . }}-serving
{{- end }}
{{- end -}}

{{- define "pilotfish.injectorCommon" -}}
{{ include "pilotfish.clientConfig" . }}
rules:
  - operations: ["CREATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods"]
    scope: Namespaced
failurePolicy: {{ include "pilotfish.injectorFailurePolicy" .root }}
sideEffects: None
admissionReviewVersions: ["v1"]
reinvocationPolicy: {{ .root.Values.webhook.reinvocationPolicy }}
timeoutSeconds: {{ .root.Values.webhook.timeoutSeconds }}
matchPolicy: Equivalent
{{- end -}}

{{/* failurePolicy per webhook: webhooks.<part>.failurePolicy, else the shared webhook.failurePolicy. */}}
{{- define "pilotfish.injectorFailurePolicy" -}}
{{- default .Values.webhook.failurePolicy .Values.webhooks.injector.failurePolicy -}}
{{- end -}}
{{- define "pilotfish.validatorFailurePolicy" -}}
{{- default .Values.webhook.failurePolicy .Values.webhooks.validator.failurePolicy -}}
{{- end -}}
