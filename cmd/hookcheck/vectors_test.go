package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/signing/vectors"
)

// TestVectorsCommand writes each provider's vectors to stdout and to a
// file: the same bytes as the committed docs/vectors/<provider>.json.
func TestVectorsCommand(t *testing.T) {
	for _, p := range []string{"standard-webhooks", "stripe", "github"} {
		committed, err := os.ReadFile(filepath.Join("..", "..", "docs", "vectors", p+".json"))
		require.NoError(t, err)

		r := hookcheck(t, nil, "vectors", "--provider", p)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, string(committed), r.stdout, p)
		vs, err := vectors.Read(strings.NewReader(r.stdout))
		require.NoError(t, err)
		assert.NotEmpty(t, vs)

		out := filepath.Join(t.TempDir(), p+".json")
		r = hookcheck(t, nil, "vectors", "--provider", p, "--out", out)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Empty(t, r.stdout)
		written, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, committed, written)
	}
}

func TestVectorsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"vectors"},
		{"vectors", "--provider", "svix"},
		{"vectors", "--provider", "stripe", "extra"},
	} {
		r := hookcheck(t, nil, args...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
		assert.Empty(t, r.stdout)
	}
	r := hookcheck(t, nil, "vectors", "--provider", "github", "--out", filepath.Join(t.TempDir(), "no", "such", "dir.json"))
	assert.Equal(t, exitFailed, r.code)
}
