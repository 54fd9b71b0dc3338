package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	hookcheckapi "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/steps"
)

// TestSameBadValueSameError: a bad value gets the same error from the CLI
// and from hookcheck.Prepare, word for word but for the setting's name
// (the flag there, the Target field here): the CLI only turns flags into
// a Target, and Target.Validate checks every value.
func TestSameBadValueSameError(t *testing.T) {
	const url = "http://127.0.0.1:9/webhook" // never dialled: the value is refused first
	cases := []struct {
		name  string
		args  []string
		set   func(*hookcheckapi.Target)
		names []string // flag, field, ...: how the CLI and the Go API name them
	}{
		{"negative burst", []string{"--burst", "-1"}, func(t *hookcheckapi.Target) { t.Burst = -1 }, []string{"--burst", "Target.Burst"}},
		{"burst past the bound", []string{"--burst", "5000"}, func(t *hookcheckapi.Target) { t.Burst = 5000 }, []string{"--burst", "Target.Burst"}},
		{"negative latency budget", []string{"--latency-budget", "-250ms"},
			func(t *hookcheckapi.Target) { t.LatencyBudget = -250 * time.Millisecond }, []string{"--latency-budget", "Target.LatencyBudget"}},
		{"negative concurrency", []string{"--concurrency", "-1"}, func(t *hookcheckapi.Target) { t.Concurrency = -1 }, []string{"--concurrency", "Target.Concurrency"}},
		{"negative verify-within", []string{"--verify-url", "http://127.0.0.1:9/p/{transcript_id}", "--verify-within", "-1s"},
			func(t *hookcheckapi.Target) {
				t.VerifyURL, t.VerifyWithin = "http://127.0.0.1:9/p/{transcript_id}", -time.Second
			}, []string{"--verify-within", "Target.VerifyWithin"}},
		{"session too long", []string{"--product", "streaming", "--max-session-duration", "25h"},
			func(t *hookcheckapi.Target) { t.Product, t.MaxSessionDuration = reports.Streaming, 25*time.Hour },
			[]string{"--max-session-duration", "Target.MaxSessionDuration"}},
		{"verify URL without placeholder", []string{"--verify-url", "http://127.0.0.1:9/p"},
			func(t *hookcheckapi.Target) { t.VerifyURL = "http://127.0.0.1:9/p" }, []string{"--verify-url", "Target.VerifyURL"}},
		{"unknown product", []string{"--product", "live"}, func(t *hookcheckapi.Target) { t.Product = "live" }, []string{"--product", "Target.Product"}},
		{"session target of pre-recorded", []string{"--session-target", "http://127.0.0.1:9/s"},
			func(t *hookcheckapi.Target) { t.SessionURL = "http://127.0.0.1:9/s" },
			[]string{"--session-target", "Target.SessionURL (or SessionPath)", "--product streaming or both", "Target.Product Streaming or BothProducts"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := hookcheck(t, nil, append([]string{"run", "--target", url, "--out", t.TempDir()}, c.args...)...)
			require.Equal(t, exitUsage, r.code, "stderr: %s", r.stderr)
			cli := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(r.stderr), "hookcheck: "), " (see 'hookcheck run --help')")

			for _, v := range []steps.Vocabulary{steps.CLIFlags, steps.GoFields} {
				target := hookcheckapi.Target{URL: url, Vocabulary: v}
				c.set(&target)
				_, err := hookcheckapi.Prepare(target)
				require.Error(t, err, "Prepare takes the bad value")
				want := cli
				if v == steps.GoFields {
					want = strings.NewReplacer(c.names...).Replace(cli)
					assert.NotContains(t, err.Error(), c.names[0], "a Go user reads field names")
				}
				assert.Equal(t, want, err.Error())
			}
		})
	}
}

// buildProbe is a flag's probe: a baseline's arguments, and those added
// to show the flag at work.
type buildProbe struct{ base, with []string }

// proveEveryFlagBuilds walks every flag `hookcheck name --help` shows: a
// flag in outside acts around what the command builds, and the test it
// names proves it; every other one needs a probe, and what build makes of
// the probe's base must differ from what it makes with the flag added.
func proveEveryFlagBuilds(t *testing.T, name string, probes map[string]buildProbe, outside map[string]string, build func(args []string) string) {
	t.Helper()
	root := newRootCmd(&app{streams: streams{out: io.Discard, err: io.Discard}})
	cmd, _, err := root.Find([]string{name})
	require.NoError(t, err)
	seen := 0
	visit := func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		seen++
		if _, ok := outside[fl.Name]; ok {
			return
		}
		p, ok := probes[fl.Name]
		if !assert.True(t, ok, "%s --%s has no probe: show what it changes, or remove it", name, fl.Name) {
			return
		}
		before := build(p.base)
		after := build(append(append([]string(nil), p.base...), p.with...))
		assert.NotEqual(t, before, after, "%s --%s %v changes nothing in what the command builds", name, fl.Name, p.with)
	}
	cmd.LocalFlags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	assert.Greater(t, seen, 20, "the walk saw %s's flags", name)
	for flag := range probes {
		assert.NotNil(t, cmd.Flags().Lookup(flag), "a probe for --%s, which %s does not have", flag, name)
	}
	for flag, test := range outside {
		if flag != "help" {
			assert.NotNil(t, cmd.Flags().Lookup(flag), "%s is a flag of %s (proved by %s)", flag, name, test)
		}
	}
}

// buildRun parses run's flags from args as the CLI does and returns the
// Target they build, without running anything.
func buildRun(t *testing.T, env map[string]string, args ...string) (hookcheckapi.Target, error) {
	t.Helper()
	a := &app{streams: streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}, getenv: func(k string) string { return env[k] }}
	root := newRootCmd(a)
	var f runFlags
	for _, c := range root.Commands() {
		if c.Name() == "run" {
			root.RemoveCommand(c)
		}
	}
	cmd := runCommand(a, &f)
	cmd.Flags().BoolVarP(&a.verbose, "verbose", "v", false, verboseHelp["run"]) // as addVerbose gives it
	var built hookcheckapi.Target
	var buildErr error
	cmd.RunE = func(*cobra.Command, []string) error {
		built, _, buildErr = f.build(a)
		return nil
	}
	root.AddCommand(cmd)
	root.SetArgs(append([]string{"run"}, args...))
	require.NoError(t, root.Execute())
	return built, buildErr
}

// snapshot is what a run's Target says, for comparing two: every field
// that decides the run, functions and the logger by what they do.
func snapshot(t hookcheckapi.Target) string {
	p := *t.Policy
	auth := ""
	if p.Auth != nil {
		auth = p.Auth.Name + "=" + p.Auth.Value.Reveal()
	}
	p.Auth = nil
	debug := t.Logger != nil && t.Logger.Enabled(context.Background(), slog.LevelDebug)
	features := t.FeaturesName
	t.Policy, t.Logger, t.OnScenario, t.Features, t.Clock = nil, nil, nil, nil, nil
	return fmt.Sprintf("%+v policy=%+v auth=%s debug=%v features=%s", t, p, auth, debug, features)
}

// TestEveryRunFlagActs walks every flag `hookcheck run --help` shows and
// proves that each one changes the Target the run is made of (or, for the
// two that act once the run ends or before it starts, names the test that
// proves them): a flag that does nothing fails here.
func TestEveryRunFlagActs(t *testing.T) {
	const url = "http://127.0.0.1:9/webhook"
	features := t.TempDir()
	profile := filepath.Join(t.TempDir(), "p.json")
	writeProfileWithTimeout(t, profile, "7s")
	env := map[string]string{envAuthHeaderValue: "env-secret", envAPIKey: "env-key", "HOOKCHECK_VERIFY_HEADER_VALUE": "v",
		envSigningSecret: fixture.SigningSecret}
	target := []string{"--target", url}
	verifyURL := []string{"--target", url, "--verify-url", "http://127.0.0.1:9/p/{transcript_id}"}
	withAPI := []string{"--target", url, "--api", "127.0.0.1:0"}
	probes := map[string]buildProbe{
		"target":               {[]string{"--target", "http://127.0.0.1:8/webhook"}, target},
		"session-target":       {[]string{"--target", url, "--product", "both"}, []string{"--session-target", "http://127.0.0.1:9/s"}},
		"allowlist":            {target, []string{"--allowlist", "header"}},
		"region":               {target, []string{"--region", "eu"}},
		"tags":                 {target, []string{"--tags", "@must"}},
		"features":             {target, []string{"--features", features}},
		"burst":                {target, []string{"--burst", "7"}},
		"latency-budget":       {target, []string{"--latency-budget", "3s"}},
		"concurrency":          {target, []string{"--concurrency", "3"}},
		"strict":               {target, []string{"--strict"}},
		"seed":                 {target, []string{"--seed", "2"}},
		"max-duration":         {target, []string{"--max-duration", "5m"}},
		"full-schedules":       {target, []string{"--full-schedules"}},
		"verify-url":           {target, verifyURL[2:]},
		"verify":               {withAPI, []string{"--verify", "api-fetch"}},
		"verify-header":        {verifyURL, []string{"--verify-header", "X-Key"}},
		"verify-within":        {verifyURL, []string{"--verify-within", "3s"}},
		"api":                  {target, withAPI[2:]},
		"api-key":              {withAPI, []string{"--api-key", "flag-key"}},
		"product":              {target, []string{"--product", "streaming"}},
		"max-session-duration": {target, []string{"--max-session-duration", "1h"}},
		"profile":              {target, []string{"--profile", profile}},
		"timeout":              {target, []string{"--timeout", "5s"}},
		"max-attempts":         {target, []string{"--max-attempts", "3"}},
		"retry-interval":       {target, []string{"--retry-interval", "1s"}},
		"fast":                 {target, []string{"--fast"}},
		"auth-header-name":     {target, []string{"--auth-header-name", "X-A"}},
		"auth-header-value":    {[]string{"--target", url, "--auth-header-name", "X-A"}, []string{"--auth-header-value", "flag-secret"}},
		"user-agent":           {target, []string{"--user-agent", "other/1"}},
		"follow-redirects":     {target, []string{"--follow-redirects"}},
		"retry-on-4xx":         {target, []string{"--retry-on-4xx"}},
		"insecure":             {target, []string{"--insecure"}},
		"keep-alive":           {target, []string{"--keep-alive"}},
		"verbose":              {target, []string{"-v"}},
		"provider":             {[]string{"--target", url, "--fast"}, []string{"--provider", "standard-webhooks"}},
	}
	// These act outside the Target; the named tests prove them.
	outside := map[string]string{
		"out":          "TestRunMaxDurationCutsTheRun",
		"rerun-failed": "TestRunRerunFailed",
		"help":         "cobra's own",
	}
	proveEveryFlagBuilds(t, "run", probes, outside, func(args []string) string {
		tg, err := buildRun(t, env, append([]string{"--seed", "1"}, args...)...)
		require.NoError(t, err, "%v", args)
		require.NoError(t, tg.Validate(), "%v builds a valid Target", args)
		return snapshot(tg)
	})
}

// TestZeroValuesAreDefaults: the Go API's zero values mean the defaults,
// and a run flag set to zero builds the same Target as the default does
// (but --max-duration, whose 0 is "no limit").
func TestZeroValuesAreDefaults(t *testing.T) {
	const url = "http://127.0.0.1:9/webhook"
	require.NoError(t, hookcheckapi.Target{URL: url}.Validate())
	for _, flag := range []string{"--burst", "--latency-budget", "--concurrency", "--verify-within", "--max-session-duration"} {
		zero := "0"
		tg, err := buildRun(t, nil, "--target", url, flag, zero)
		require.NoError(t, err, flag)
		require.NoError(t, tg.Validate(), "%s 0 is valid: the default", flag)
	}
}

// TestRunAllowlistSocket: --allowlist socket:IP makes deliveries dial from
// IP, which the built-in receiver admits on the socket; RC-10 passes.
// bind:IP, its older name, is the same; a bare socket says what is missing.
func TestRunAllowlistSocket(t *testing.T) {
	for _, v := range []string{"socket:127.0.0.2", "bind:127.0.0.2"} {
		out := t.TempDir()
		r := hookcheck(t, nil, "run", "--allowlist", v, "--tags", "@RC-10", "--fast", "--out", out)
		require.Equal(t, exitOK, r.code, "%s\n%s", r.stdout, r.stderr)
		assert.Contains(t, r.stdout, "socket (127.0.0.2) allowlist")
		assert.Regexp(t, `PASS\s+RC-10`, r.stdout)
	}
	requireOneLine(t, hookcheck(t, nil, "run", "--allowlist", "socket", "--out", t.TempDir()), "socket:IP, e.g. socket:127.0.0.2")
}

// writeProfileWithTimeout writes AssemblyAI's built-in profile to path
// with another deadline (D-3).
func writeProfileWithTimeout(t *testing.T, path, timeout string) {
	t.Helper()
	data, err := os.ReadFile("../../simulator/profiles/assemblyai.json")
	require.NoError(t, err)
	changed := bytes.Replace(data, []byte(`"value": "10s", "source": "docs/spec.md D-3`), []byte(`"value": "`+timeout+`", "source": "docs/spec.md D-3`), 1)
	require.NotEqual(t, data, changed, "the profile names its timeout as expected")
	require.NoError(t, os.WriteFile(path, changed, 0o600))
}
