package main

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	hookcheckapi "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

func TestVersionCommand(t *testing.T) {
	r := hookcheck(t, nil, "version")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	line := strings.TrimSuffix(r.stdout, "\n")
	assert.NotContains(t, line, "\n", "one line")
	assert.True(t, strings.HasPrefix(line, "hookcheck "+hookcheckapi.Version()+" ("), line)
	assert.Contains(t, line, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+")")

	r = hookcheck(t, nil, "version", "extra")
	assert.Equal(t, exitUsage, r.code, "takes no arguments")
}

func TestRunRecordsTheVersion(t *testing.T) {
	out := t.TempDir()
	srv, _ := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--tags", "@RC-01", "--fast", "--out", out)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, hookcheckapi.Version(), res.Environment.HookcheckVersion)
}
