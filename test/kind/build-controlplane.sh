#!/usr/bin/env bash
# Builds the local control plane from Go modules: kube-apiserver, kube-controller-manager and kubectl from
# k8s.io/kubernetes (test/kind/controlplane/go.mod) and etcd from go.etcd.io/etcd/server/v3 (test/kind/etcd).
# Output is cached outside the checkout, keyed by version, so only the first build pays:
#   ${PILOTFISH_CACHE:-$HOME/.cache/pilotfish}/controlplane/<k8s version>-etcd<etcd version>/
# Prints the directory holding the binaries on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
k8s_version=$(grep -oE 'k8s.io/kubernetes v[0-9][^ ]*' "$here/controlplane/go.mod" | head -1 | cut -d' ' -f2)
etcd_version=$(grep -oE 'go.etcd.io/etcd/server/v3 v[0-9][^ ]*' "$here/etcd/go.mod" | head -1 | cut -d' ' -f2)
out="${PILOTFISH_CACHE:-$HOME/.cache/pilotfish}/controlplane/${k8s_version}-etcd${etcd_version}"
bins=(kube-apiserver kube-controller-manager kubectl etcd)

missing=()
for b in "${bins[@]}"; do [ -x "$out/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "control plane $k8s_version (etcd $etcd_version) cached in $out" >&2
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else echo "build-controlplane: Go is required (https://go.dev/dl)" >&2; exit 1; fi
fi
mkdir -p "$out"
export GOFLAGS=-mod=mod
start=$(date +%s)
for b in "${missing[@]}"; do
  t0=$(date +%s)
  case "$b" in
    etcd) (cd "$here/etcd" && go build -trimpath -o "$out/etcd.tmp" .) ;;
    *)
      # Stamp the version the release build would, so clients and servers report v1.x.y rather than v0.0.0-master.
      minor=$(echo "$k8s_version" | cut -d. -f2)
      ldflags="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
      ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
      (cd "$here/controlplane" && go build -trimpath -ldflags "$ldflags" -o "$out/$b.tmp" "k8s.io/kubernetes/cmd/$b") ;;
  esac
  mv "$out/$b.tmp" "$out/$b"
  echo "built $b in $(( $(date +%s) - t0 ))s" >&2
done
echo "control plane $k8s_version (etcd $etcd_version) built in $(( $(date +%s) - start ))s into $out" >&2
echo "$out"
