module pilotfish.local/gwtpl

go 1.25.9

require (
	github.com/golang/protobuf v1.5.4
	google.golang.org/protobuf v1.36.11
	istio.io/api v1.31.0-rc.0.0.20260824154656-b943409680a7
	istio.io/istio v0.0.0
	sigs.k8s.io/gateway-api v1.5.1
	sigs.k8s.io/yaml v1.6.0
)
