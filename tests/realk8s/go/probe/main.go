// Command probe is onair's helper for tests against a real control plane. It
// does three jobs that need Kubernetes' own Go code, so the Rust tests never
// re-implement what they check against:
//
//	probe certs DIR        a CA, kube-apiserver's serving certificate, an admin
//	                       client certificate (group system:masters) and the
//	                       ServiceAccount token signing key, as envtest makes them
//	probe health SCRIPTS   reads a JSON array of objects on stdin and prints, for
//	                       each, the status computed by the real kstatus library
//	                       (sigs.k8s.io/cli-utils, what Flux and kpt use) and by the
//	                       Argo CD health script SCRIPTS/<kind>.lua run under
//	                       gopher-lua with the libraries Argo CD opens for it
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

func main() {
	if len(os.Args) < 3 {
		fail("usage: probe certs DIR | probe health SCRIPTS_DIR < objects.json")
	}
	var err error
	switch os.Args[1] {
	case "certs":
		err = writeCerts(os.Args[2])
	case "health":
		err = health(os.Args[2], os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "probe:", message)
	os.Exit(2)
}

func writeJSON(out io.Writer, value any) error {
	encoder := json.NewEncoder(out)
	encoder.SetIndent("", "  ")
	return encoder.Encode(value)
}
