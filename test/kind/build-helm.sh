#!/usr/bin/env bash
# Builds helm from Go modules (helm.sh/helm/v3) and caches it outside the checkout, keyed by version:
#   ${PILOTFISH_CACHE:-$HOME/.cache/pilotfish}/helm/<version>/helm
# Prints the path of the helm binary on its last line.
set -euo pipefail
version="${HELM_VERSION:-v3.22.0}"
out="${PILOTFISH_CACHE:-$HOME/.cache/pilotfish}/helm/$version"
if [ -x "$out/helm" ]; then
  echo "helm $version cached in $out" >&2
  echo "$out/helm"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else echo "build-helm: Go is required" >&2; exit 1; fi
fi
mkdir -p "$out"
t0=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The Kubernetes version helm assumes for `helm template` and `helm lint` comes from its client-go module, as
# helm's own Makefile stamps it (otherwise it is v1.20, and charts needing a newer one fail to render).
kminor=$(GOFLAGS=-mod=mod go mod download -json "helm.sh/helm/v3@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' | xargs grep -oE 'k8s.io/client-go v0\.[0-9]+' | cut -d. -f3)
ldflags="-X helm.sh/helm/v3/internal/version.version=$version"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags="$ldflags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$kminor"
done
# `go install pkg@version` builds in module mode without touching any go.mod of ours.
GOBIN="$tmp" GOFLAGS=-mod=mod go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$version"
mv "$tmp/helm" "$out/helm"
echo "built helm $version in $(( $(date +%s) - t0 ))s" >&2
echo "$out/helm"
