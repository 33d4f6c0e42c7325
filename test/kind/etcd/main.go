// Command etcd is etcd's own server main, built from go.etcd.io/etcd/server/v3 (whose go.mod carries replace
// directives, so `go install` of it is refused): the local control plane's datastore.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
