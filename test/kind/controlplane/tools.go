//go:build tools

// Package controlplane pins the Kubernetes control-plane commands the end-to-end tests run locally
// (kube-apiserver, kube-controller-manager, kubectl), built from Go modules by ../build-controlplane.sh.
package controlplane

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
