//go:build tools

// Package main pins github.com/prometheus/prometheus in go.mod: .ci/k8s-env
// builds its cmd/promtool from this module.
package main

import _ "github.com/prometheus/prometheus/cmd/promtool"
