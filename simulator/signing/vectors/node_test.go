package vectors_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nodeDir holds the pinned official JavaScript libraries and verify.mjs.
const nodeDir = "testdata/node"

// TestNodeLibraries verifies every committed vector with the official
// JavaScript libraries: npm standardwebhooks, stripe
// (stripe.webhooks.constructEvent) and @octokit/webhooks-methods (verify).
// Each positive must verify and each negative be refused; a failure names
// the vector and the library that disagree.
//
// It needs node and `npm ci` in testdata/node, so it runs only with
// HOOKCHECK_NODE_VECTORS=1 (make test-vectors); then a missing node or
// node_modules is a failure, not a skip.
func TestNodeLibraries(t *testing.T) {
	if os.Getenv("HOOKCHECK_NODE_VECTORS") != "1" {
		t.Skip("set HOOKCHECK_NODE_VECTORS=1 to verify the vectors with the official JavaScript libraries (make test-vectors; needs node and npm ci in " + nodeDir + ")")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("HOOKCHECK_NODE_VECTORS=1 but node is not installed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "standardwebhooks")); err != nil {
		t.Fatalf("HOOKCHECK_NODE_VECTORS=1 but the libraries are not installed: run npm ci in simulator/signing/vectors/%s (%v)", nodeDir, err)
	}
	docs, err := filepath.Abs(docsDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "verify.mjs", docs)
	cmd.Dir = nodeDir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	for line := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
		if strings.HasPrefix(line, "DISAGREE ") {
			t.Error(strings.TrimPrefix(line, "DISAGREE "))
		} else {
			t.Log(line)
		}
	}
	if runErr != nil && !t.Failed() {
		t.Fatalf("node verify.mjs: %v\n%s", runErr, out.String())
	}
	if !strings.Contains(out.String(), " passed, 0 failed") {
		t.Errorf("no summary line in:\n%s", out.String())
	}
}
