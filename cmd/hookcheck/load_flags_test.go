package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/load"
)

// buildLoad parses load's flags from args as the CLI does and returns what
// they build, without sending anything.
func buildLoad(t *testing.T, env map[string]string, args ...string) (load.Config, []load.Objective, *loadFlags, error) {
	t.Helper()
	a := &app{streams: streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}, getenv: func(k string) string { return env[k] }}
	root := newRootCmd(a)
	for _, c := range root.Commands() {
		if c.Name() == "load" {
			root.RemoveCommand(c)
		}
	}
	var f loadFlags
	cmd := newLoadCmdWith(a, &f)
	if help, ok := verboseHelp["load"]; ok {
		cmd.Flags().BoolVarP(&a.verbose, "verbose", "v", false, help) // as addVerbose gives it
	}
	var (
		c    load.Config
		objs []load.Objective
		err  error
	)
	cmd.RunE = func(*cobra.Command, []string) error {
		c, objs, err = loadConfig(a, &f)
		return nil
	}
	root.AddCommand(cmd)
	root.SetArgs(append([]string{"load"}, args...))
	require.NoError(t, root.Execute())
	return c, objs, &f, err
}

// loadSnapshot is what a load's configuration says, functions by what
// they make.
func loadSnapshot(c load.Config, objs []load.Objective) string {
	p := c.Policy
	auth := ""
	if p.Auth != nil {
		auth = p.Auth.Name + "=" + p.Auth.Value.Reveal()
	}
	p.Auth = nil
	kind := "default"
	if c.Notify != nil {
		n, err := c.Notify(1)
		kind = fmt.Sprintf("%s %+v %v", n.Kind, n.Session, err)
	}
	debug := c.Logger != nil && c.Logger.Enabled(context.Background(), slog.LevelDebug)
	c.Policy, c.Notify, c.Logger, c.Clock, c.OnSecond, c.DialContext = p, nil, nil, nil, nil, nil
	return fmt.Sprintf("%+v auth=%s notify=%s debug=%v objectives=%+v", c, auth, kind, debug, objs)
}

// TestEveryLoadFlagActs walks every flag `hookcheck load --help` shows and
// proves each changes what the load is made of (or names the test that
// proves one that acts around it): a flag that does nothing fails here.
func TestEveryLoadFlagActs(t *testing.T) {
	const url = "http://127.0.0.1:9/webhook"
	env := map[string]string{envAuthHeaderValue: "env-secret", envAPIKey: "env-key"}
	profile := filepath.Join(t.TempDir(), "p.json")
	writeProfileWithTimeout(t, profile, "7s")
	target := []string{"--target", url}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	probes := map[string]buildProbe{
		"target":            {[]string{"--target", "http://127.0.0.1:8/webhook"}, target},
		"rate":              {target, []string{"--rate", "25"}},
		"ramp":              {target, []string{"--ramp", "5:50"}},
		"duration":          {target, []string{"--duration", "2m"}},
		"step":              {target, []string{"--step", "10s"}},
		"find-limit":        {with(target, "--ramp", "5:50"), []string{"--find-limit"}},
		"drain":             {target, []string{"--drain", "1m"}},
		"objective":         {target, []string{"--objective", "lost=0"}},
		"max-in-flight":     {target, []string{"--max-in-flight", "64"}},
		"product":           {target, []string{"--product", "streaming"}},
		"session-duration":  {with(target, "--product", "streaming"), []string{"--session-duration", "2m"}},
		"api-key":           {with(target, "--api", "127.0.0.1:0"), []string{"--api-key", "flag-key"}},
		"profile":           {target, []string{"--profile", profile}},
		"timeout":           {target, []string{"--timeout", "5s"}},
		"max-attempts":      {target, []string{"--max-attempts", "3"}},
		"retry-interval":    {target, []string{"--retry-interval", "1s"}},
		"fast":              {target, []string{"--fast"}},
		"region":            {target, []string{"--region", "eu"}},
		"source-address":    {target, []string{"--source-address", "none"}},
		"auth-header-name":  {target, []string{"--auth-header-name", "X-A"}},
		"auth-header-value": {with(target, "--auth-header-name", "X-A"), []string{"--auth-header-value", "flag-secret"}},
		"user-agent":        {target, []string{"--user-agent", "other/1"}},
		"follow-redirects":  {target, []string{"--follow-redirects"}},
		"retry-on-4xx":      {target, []string{"--retry-on-4xx"}},
		"insecure":          {target, []string{"--insecure"}},
		"keep-alive":        {target, []string{"--keep-alive"}},
	}
	// These act around the configuration; the named tests prove them.
	outside := map[string]string{
		"out":   "TestLoadAgainstTheSheddingReceiverFailsItsObjectiveAndNamesTheFix",
		"quiet": "TestLoadQuietHasNoLiveLine",
		"api":   "TestLoadAPIServesTheNotifiedTranscripts",
		"help":  "cobra's own",
	}
	proveEveryFlagBuilds(t, "load", probes, outside, func(args []string) string {
		c, objectives, _, err := buildLoad(t, env, args...)
		require.NoError(t, err, "%v", args)
		return loadSnapshot(c, objectives)
	})
}

// TestLoadQuietHasNoLiveLine: the live line comes every second, and not
// with --quiet.
func TestLoadQuietHasNoLiveLine(t *testing.T) {
	_, out := loadInBubble(t, "queue-first", nil, 0, "--rate", "10", "--duration", "3s", "--out", t.TempDir())
	assert.Contains(t, out, "    1s rate ")
	_, out = loadInBubble(t, "queue-first", nil, 0, "--rate", "10", "--duration", "3s", "--out", t.TempDir(), "--quiet")
	assert.NotContains(t, out, "    1s rate ")
	assert.Contains(t, out, "Held 10/s", "the summary still comes")
}

// TestLoadAPIServesTheNotifiedTranscripts: with --api, every notified
// transcript exists on the emulated API, so a receiver that fetches it
// before answering acknowledges; without, its fetch fails and it answers
// 500.
func TestLoadAPIServesTheNotifiedTranscripts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	apiAddr := l.Addr().String()
	require.NoError(t, l.Close())
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			TranscriptID string `json:"transcript_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.TranscriptID == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://"+apiAddr+"/v2/transcript/"+body.TranscriptID, nil)
		req.Header.Set("Authorization", "load-key")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(recv.Close)
	env := map[string]string{envAPIKey: "load-key"}
	args := []string{"load", "--target", recv.URL + "/webhook", "--rate", "20", "--duration", "300ms", "--drain", "0", "--max-attempts", "1", "--quiet"}
	r := hookcheck(t, env, append(args, "--out", t.TempDir(), "--api", apiAddr)...)
	assert.Contains(t, r.stdout, "lost 0 (429 0, other 4xx 0, exhausted 0)", "%s\n%s", r.stdout, r.stderr)
	r = hookcheck(t, env, append(args, "--out", t.TempDir())...)
	assert.NotContains(t, r.stdout, "lost 0 (429 0, other 4xx 0, exhausted 0)", "without --api the fetch fails: %s", r.stdout)
}
