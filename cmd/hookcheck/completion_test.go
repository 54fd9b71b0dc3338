package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// complete asks the CLI what the shell would offer after args, as the
// completion scripts do (cobra's hidden __complete command), and returns
// the offered values and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	r := hookcheck(t, nil, append([]string{"__complete"}, args...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var values []string
	if len(lines) == 1 && lines[0] == "" {
		t.Fatalf("no directive: %q", r.stdout)
	}
	for _, l := range lines[:len(lines)-1] {
		v, _, _ := strings.Cut(l, "\t")
		values = append(values, v)
	}
	return values, lines[len(lines)-1]
}

func TestCompletionOffersEnumeratedFlagValues(t *testing.T) {
	tests := []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"run", "--region", ""}, []string{"us", "eu", "both"}, ":4"},
		{[]string{"send", "--region", ""}, []string{"us", "eu"}, ":4"},
		{[]string{"serve-api", "--region", ""}, []string{"us", "eu"}, ":4"},
		{[]string{"diff", "--region", ""}, []string{"us", "eu", "both"}, ":4"},
		{[]string{"receiver", "--region", ""}, []string{"us", "eu", "both"}, ":4"},
		{[]string{"run", "--allowlist", ""}, []string{"header", "socket:"}, ":6"},
		{[]string{"receiver", "--allowlist", ""}, []string{"header", "socket:", "socket"}, ":6"},
		{[]string{"send", "--source-address", ""}, []string{"header", "none", "bind:"}, ":6"},
		{[]string{"send", "--payload", ""}, []string{"transcript", "redacted-audio", "streaming-session"}, ":4"},
		{[]string{"send", "--status", ""}, []string{"completed", "error"}, ":4"},
		{[]string{"send", "--data-file", ""}, nil, ":0"},
		{[]string{"replay", "--select", ""}, nil, ":4"},
		{[]string{"replay", "--session-target", ""}, nil, ":4"},
		{[]string{"run", "--session-target", ""}, nil, ":4"},
		{[]string{"send", "--target", ""}, nil, ":4"},
		{[]string{"capture", "--forward-to", ""}, nil, ":4"},
		{[]string{"capture", "--out", ""}, []string{"jsonl"}, ":8"},
		{[]string{"report", "--in", ""}, []string{"json"}, ":8"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			values, directive := complete(t, tt.args...)
			assert.Equal(t, tt.want, values)
			assert.Equal(t, tt.directive, directive)
		})
	}
}

func TestCompletionOffersEveryReceiverBehaviour(t *testing.T) {
	values, directive := complete(t, "receiver", "--behaviour", "")
	assert.Contains(t, values, "compliant")
	assert.Contains(t, values, "hang")
	assert.Equal(t, ":4", directive)
	r := hookcheck(t, nil, "__complete", "receiver", "--behaviour", "comp")
	assert.Contains(t, r.stdout, "compliant\tanswers every delivery correctly", "values carry their description")
}

func TestCompletionScriptsForEveryShell(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		r := hookcheck(t, nil, "completion", sh)
		require.Equal(t, exitOK, r.code, "%s: %s", sh, r.stderr)
		assert.Contains(t, r.stdout, "hookcheck", sh)
	}
}

// TestEveryFlagCompletes walks every command's flags: a flag that takes a
// value either completes its values (an enumeration, files, directories)
// or is free text that completes nothing, not even a file name. A flag in
// neither fails, named. Each enumeration is the command's own: a value
// outside it is a usage error naming the flag, so the completion offers
// what the command checks.
func TestEveryFlagCompletes(t *testing.T) {
	a := &app{streams: streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}, getenv: func(string) string { return "" }}
	root := newRootCmd(a)
	// The minimal arguments that reach each command's value checks
	// before it listens or sends.
	base := map[string][]string{
		"send":      {"--target", "http://127.0.0.1:1/hook"},
		"receiver":  {"--listen", "127.0.0.1:0", "--allowlist", "header"},
		"serve-api": {"--listen", "127.0.0.1:0"},
		"diff":      {filepath.Join(t.TempDir(), "none.jsonl")},
		"capture":   {"--listen", "127.0.0.1:0", "--out", filepath.Join(t.TempDir(), "c.jsonl")},
		"replay":    {filepath.Join(t.TempDir(), "none.jsonl"), "--target", "http://127.0.0.1:1/hook"},
		"run":       {"--target", "http://127.0.0.1:1/hook", "--out", t.TempDir()},
		"vectors":   {"--out", filepath.Join(t.TempDir(), "v.json")},
		"load":      {"--target", "http://127.0.0.1:1/hook", "--out", t.TempDir()},
	}
	for _, c := range root.Commands() {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() == "bool" {
				return
			}
			name := c.Name() + " --" + f.Name
			fc, ok := completionFor(c.Name(), f.Name)
			if !ok {
				assert.True(t, freeText[f.Name], "%s takes a value but neither completes (completionFor) nor is free text (freeText)", name)
				if freeText[f.Name] {
					_, directive := complete(t, c.Name(), "--"+f.Name, "")
					assert.Equal(t, ":4", directive, "%s: free text completes no file name", name)
				}
				return
			}
			values, _ := complete(t, c.Name(), "--"+f.Name, "")
			if fc.directive&cobra.ShellCompDirectiveFilterFileExt == 0 {
				assert.Len(t, values, len(fc.values), "%s: the shell gets the values", name)
			}
			if len(fc.values) == 0 || fc.directive&cobra.ShellCompDirectiveNoFileComp == 0 {
				return // files or directories
			}
			args, reached := base[c.Name()]
			if !reached {
				t.Errorf("%s is an enumeration: give %s's minimal arguments in base to check it", name, c.Name())
				return
			}
			if f.Name == "allowlist" {
				args = args[:2] // base's --allowlist would replace the probed one
			}
			r := hookcheck(t, nil, append(append([]string{c.Name()}, args...), "--"+f.Name, "zz-not-a-value")...)
			assert.Equal(t, exitUsage, r.code, "%s zz-not-a-value: %s", name, r.stderr)
			assert.Contains(t, r.stderr, "--"+strings.TrimPrefix(f.Name, "allow-"), "%s: the usage error names the flag", name)
		})
	}
}
