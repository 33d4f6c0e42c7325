// pilotfish's own `grpc-simple` injection template (see index.ts): proxyless gRPC without an agent. An init
// container writes a plaintext xDS bootstrap (istiod on port 15010) into a shared emptyDir and every container
// is pointed at it. Written for pilotfish; renders what Istio 1.30.3's grpc-simple template renders for the same
// injection data (checked in test/unit/inject-templates-own.test.ts).

// The bootstrap script is shell: its \${...} are shell variables, escaped here only for the JS template literal.
export const TEXT = `{{- /* pilotfish grpc-simple injection template. */ -}}
metadata:
  annotations:
    sidecar.istio.io/rewriteAppHTTPProbers: "false"
spec:
  initContainers:
  - name: grpc-bootstrap-init
    image: busybox:1.28
    volumeMounts:
    - mountPath: /var/lib/grpc/data/
      name: grpc-io-proxyless-bootstrap
    env:
    {{- /* The pod facts the script puts into the node ID (a map ranges in key order). */}}
    {{- range $var, $field := dict "INSTANCE_IP" "status.podIP" "POD_NAME" "metadata.name" "POD_NAMESPACE" "metadata.namespace" }}
    - name: {{ $var }}
      valueFrom:
        fieldRef:
          fieldPath: {{ $field }}
    {{- end }}
    - name: ISTIO_NAMESPACE
      {{- /* A literal block: the namespace followed by a newline. */}}
      value: |
        {{ .Values.global.istioNamespace }}
    command:
    - sh
    - "-c"
    - |-
      NODE_ID="sidecar~\${INSTANCE_IP}~\${POD_NAME}.\${POD_NAMESPACE}~cluster.local"
      SERVER_URI="dns:///istiod.\${ISTIO_NAMESPACE}.svc:15010"
      echo '
      {
        "xds_servers": [
          {
            "server_uri": "'\${SERVER_URI}'",
            "channel_creds": [{"type": "insecure"}],
            "server_features" : ["xds_v3"]
          }
        ],
        "node": {
          "id": "'\${NODE_ID}'",
          "metadata": {
            "GENERATOR": "grpc"
          }
        }
      }' > /var/lib/grpc/data/bootstrap.json
  containers:
{{- range .Spec.Containers }}
  - name: {{ .Name }}
    env:
    - {name: GRPC_XDS_BOOTSTRAP, value: /var/lib/grpc/data/bootstrap.json}
    - {name: GRPC_GO_LOG_VERBOSITY_LEVEL, value: "99"}
    - {name: GRPC_GO_LOG_SEVERITY_LEVEL, value: info}
    volumeMounts:
    - mountPath: /var/lib/grpc/data/
      name: grpc-io-proxyless-bootstrap
{{- end }}
  volumes:
  - name: grpc-io-proxyless-bootstrap
    emptyDir: {}
`;
