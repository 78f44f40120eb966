// Package main is empty: this module only pins the Prometheus release whose
// promtool .ci/k8s-env builds (see tools.go).
package main

func main() {}
