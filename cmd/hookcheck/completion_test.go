package main

import (
	"strings"
	"testing"

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
		{[]string{"run", "--allowlist", ""}, []string{"header", "bind:"}, ":6"},
		{[]string{"receiver", "--allowlist", ""}, []string{"header", "socket"}, ":4"},
		{[]string{"send", "--source-address", ""}, []string{"header", "none", "bind:"}, ":6"},
		{[]string{"receiver", "--allow-region", ""}, []string{"us", "eu", "both"}, ":4"},
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
