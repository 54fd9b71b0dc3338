//go:build mutants

package features_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mutant breaks one rule in the engine's source, or in the built-in
// profile (simulator/profiles/assemblyai.json) for the rules whose values
// are data there. The fidelity scenarios
// tagged with that rule must then fail: this is how we know each scenario
// can fail, and does fail for the right reason.
type mutant struct {
	rule, file, from, to string
}

var mutants = []mutant{
	{"@D-1", "simulator/profiles/assemblyai.json", `"method": {"value": "POST"`, `"method": {"value": "PUT"`},
	{"@D-2", "simulator/webhook/notification.go", "Status       string `json:\"status\"`\n\t\t}{n.TranscriptID, n.Status})", "Status       string `json:\"state\"`\n\t\t}{n.TranscriptID, n.Status})"},
	{"@D-3", "simulator/profiles/assemblyai.json", `"timeout": {"value": "10s"`, `"timeout": {"value": "9s"`},
	{"@D-4", "simulator/profiles/assemblyai.json", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 9,`},
	{"@D-5", "simulator/webhook/sender.go", "a.StatusCode < 500 && !p.RetryOn4xx", "a.StatusCode < 500 && p.RetryOn4xx"},
	{"@D-6", "simulator/webhook/sender.go", "return Exhausted, false // D-4, D-6", "return Delivered, false"},
	{"@D-7", "simulator/profiles/assemblyai.json", `"eu": "54.220.25.36"`, `"eu": "54.220.25.37"`},
	{"@D-8", "simulator/webhook/sender.go", "h[p.Auth.Name] = []string{p.Auth.Value.Reveal()}", "h[p.Auth.Name] = []string{p.Auth.Value.String()}"},
	{"@D-9", "simulator/webhook/sender.go", "req.URL, req.Host, req.Header = pd.target.url, pd.target.host, pd.header", "req.URL, req.Host, req.Header = pd.target.url, pd.target.host, pd.header; req.URL.RawQuery = req.URL.Query().Encode()"},
	{"@D-10", "simulator/webhook/record.go", "if attempts[i].Answered() {", "if true {"},
	{"@D-11", "simulator/webhook/notification.go", "RedactedAudioURL string `json:\"redacted_audio_url\"`\n\t\t}", "RedactedAudioURL string `json:\"url\"`\n\t\t}"},
	{"@D-12", "simulator/webhook/sender.go", `h.Set("Accept", "*/*")`, `h.Set("Accept", "application/json")`},
	{"@P-1", "simulator/webhook/sender.go", "timedOut.Store(true)", "timedOut.Store(false)"},
	{"@P-2", "simulator/webhook/sender.go", "wait = s.policy.waitAfter(a)", "wait = s.policy.waitAfter(a) - a.Duration"},
	{"@P-3", "simulator/profiles/assemblyai.json", `"follow_redirects": {"value": false`, `"follow_redirects": {"value": true`},
	{"@P-4", "simulator/webhook/sender.go", "case a.Number >= p.MaxAttempts:", "case a.Number >= p.MaxAttempts || a.Failure != NoError:"},
	{"@P-5", "simulator/webhook/record.go", "for i := len(attempts) - 1; i >= 0; i-- {", "for i := len(attempts) - 1; i >= len(attempts)-1; i-- {"},
	{"@P-6", "simulator/webhook/sender.go", "a.StatusCode >= 400 && a.StatusCode < 500", "a.StatusCode >= 400 && a.StatusCode < 408"},
	{"@P-7", "simulator/webhook/sender.go", `h.Set("X-Forwarded-For", p.Region.Address())`, `h.Set("X-Real-Ip", p.Region.Address())`},
}

// TestMutantsAreCaught copies the module once per mutant, applies the
// mutation, and expects the rule's scenarios to fail. Run it with
// `make mutants`; it compiles the module once per mutant, so it is not part
// of `go test ./...`.
func TestMutantsAreCaught(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mutants {
		t.Run(strings.TrimPrefix(m.rule, "@"), func(t *testing.T) {
			dir := t.TempDir()
			cp := exec.Command("cp", "-r", root+"/.", dir)
			if out, err := cp.CombinedOutput(); err != nil {
				t.Fatalf("copy module: %v\n%s", err, out)
			}
			path := filepath.Join(dir, m.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(string(src), m.from) != 1 {
				t.Fatalf("mutation site %q not found exactly once in %s", m.from, m.file)
			}
			mutated := strings.Replace(string(src), m.from, m.to, 1)
			if err := os.WriteFile(path, []byte(mutated), 0o644); err != nil {
				t.Fatal(err)
			}
			run := exec.Command("go", "test", "-count=1", "./features/", "-run", "TestSimulatorFidelity", "-godog.tags="+m.rule)
			run.Dir = dir
			out, err := run.CombinedOutput()
			if err == nil {
				t.Fatalf("the %s scenarios still pass with the rule broken (%s: %q → %q)", m.rule, m.file, m.from, m.to)
			}
			if !strings.Contains(string(out), "fidelity suite failed") {
				t.Fatalf("the mutant did not fail the suite but broke the build:\n%s", out)
			}
			t.Logf("caught: %s", firstFailure(string(out)))
		})
	}
}

func firstFailure(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "expected") || strings.Contains(line, "Error:") {
			line = strings.TrimSpace(line)
			if len(line) > 160 {
				line = line[:160] + "…"
			}
			return line
		}
	}
	return "(see output)"
}
