package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// sendTo delivers one transcript notification with one attempt to url and
// returns the result.
func sendTo(t *testing.T, url string, args ...string) result {
	t.Helper()
	return hookcheck(t, nil, append([]string{"send", "--target", url, "--fast", "--max-attempts", "1"}, args...)...)
}

// TestReceiverAllowlistSocketIP: `receiver --allowlist socket:IP` admits
// exactly the address `--source-address bind:IP` (run's --allowlist
// socket:IP) dials from, and nothing else; bind:IP is the same.
func TestReceiverAllowlistSocketIP(t *testing.T) {
	for _, value := range []string{"socket:127.0.0.2", "bind:127.0.0.2"} {
		t.Run(value, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addr, done := startReceiver(ctx, t, func(string) string { return "" }, "--allowlist", value)
			url := "http://" + addr + "/hook"
			r := sendTo(t, url, "--source-address", "bind:127.0.0.2")
			assert.Equal(t, exitOK, r.code, "from the listed IP: %s", r.stdout)
			r = sendTo(t, url)
			assert.Equal(t, exitFailed, r.code, "from another IP: %s", r.stdout)
			assert.Contains(t, r.stdout, "403")
			cancel()
			<-done
		})
	}
	requireOneLine(t, hookcheck(t, nil, "receiver", "--allowlist", "socket:nope"), `--allowlist socket:nope: "nope" is not an IP address`)
}

// TestReceiverRegion: --region says whose AssemblyAI address the allowlist
// admits; --allow-region, its first name, still works; without
// --allowlist it acts on nothing and says so.
func TestReceiverRegion(t *testing.T) {
	for _, flag := range []string{"--region", "--allow-region"} {
		t.Run(flag, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addr, done := startReceiver(ctx, t, func(string) string { return "" }, "--allowlist", "header", flag, "eu")
			url := "http://" + addr + "/hook"
			assert.Equal(t, exitOK, sendTo(t, url, "--region", "eu").code, "the EU address is admitted")
			r := sendTo(t, url, "--region", "us")
			assert.Equal(t, exitFailed, r.code, "the US address is not: %s", r.stdout)
			cancel()
			<-done
		})
	}
	requireOneLine(t, hookcheck(t, nil, "receiver", "--region", "eu"), "--region says whose addresses the allowlist admits")
	r := hookcheck(t, nil, "receiver", "--help")
	assert.NotContains(t, r.stdout, "--allow-region", "the alias is hidden")
}

// TestRegionBoth: where one delivery comes from one region, --region both
// is one usage line that says why; where several make sense it is taken.
func TestRegionBoth(t *testing.T) {
	requireOneLine(t, hookcheck(t, nil, "send", "--target", "http://127.0.0.1:1/", "--region", "both"),
		"--region both: one delivery comes from one region's address (D-7): give us or eu")
	requireOneLine(t, hookcheck(t, nil, "serve-api", "--region", "both"),
		"--region both: the API delivers its webhooks from one region's address")

	// diff: a capture of a delivery from the EU address.
	rec := replayRecord(1, "5a0e3e1c-0000-4000-8000-000000000002")
	rec.Header["X-Forwarded-For"] = []string{webhook.RegionEU.Address()}
	rec.RemoteAddr = "127.0.0.1:5000"
	file := writeCapture(t, rec)
	var sourceDiffs = func(r result) []string {
		return regexp.MustCompile(`(?m)^.*\bD-7\b.*source address.*$`).FindAllString(r.stdout, -1)
	}
	assert.Empty(t, sourceDiffs(hookcheck(t, nil, "diff", file)), "both regions by default")
	assert.Empty(t, sourceDiffs(hookcheck(t, nil, "diff", file, "--region", "both")))
	assert.Empty(t, sourceDiffs(hookcheck(t, nil, "diff", file, "--region", "eu")))
	assert.NotEmpty(t, sourceDiffs(hookcheck(t, nil, "diff", file, "--region", "us")), "an EU delivery is not a US one")
}

// TestDiffSourceRegions: capture.Expect.Regions bounds the addresses a
// delivery may come from; none means every region.
func TestDiffSourceRegions(t *testing.T) {
	rec := replayRecord(1, "5a0e3e1c-0000-4000-8000-000000000003")
	rec.RemoteAddr = webhook.RegionEU.Address() + ":443"
	count := func(regions ...webhook.Region) int {
		d := capture.NewDiffer(capture.Expect{Policy: webhook.DefaultPolicy(), Regions: regions})
		d.Add(rec)
		n := 0
		for _, x := range d.Result() {
			for _, diff := range x.Differences {
				if diff.Rule == "D-7" {
					n++
				}
			}
		}
		return n
	}
	assert.Zero(t, count())
	assert.Zero(t, count(webhook.RegionEU))
	assert.Equal(t, 1, count(webhook.RegionUS))
}

// TestReceiverListSpeaksInFlags: --list and --behaviour's completion name
// the receiver's flags, never the Go fields behind them.
func TestReceiverListSpeaksInFlags(t *testing.T) {
	goName := regexp.MustCompile(`\b(Params|Config)\.[A-Z]\w*`)
	r := hookcheck(t, nil, "receiver", "--list")
	require.Equal(t, exitOK, r.code)
	assert.Empty(t, goName.FindAllString(r.stdout, -1))
	assert.Contains(t, r.stdout, "always answers --status (default 500)")
	assert.Contains(t, r.stdout, "with --api-url: fetches the transcript before answering")
	c := hookcheck(t, nil, "__complete", "receiver", "--behaviour", "")
	assert.Empty(t, goName.FindAllString(c.stdout, -1))
	// Every Go name the catalogue uses has its flag.
	for _, b := range receiver.Behaviours() {
		assert.Empty(t, goName.FindAllString(flagWords.Replace(b.Description+" "+b.Violates), -1), b.Name)
	}
}

// TestReceiverAPIBehavioursNeedAnAPI: each behaviour the catalogue marks
// NeedsAPI, started without --api-url, is one usage line naming it and
// what it needs, not a receiver that answers like the compliant one.
func TestReceiverAPIBehavioursNeedAnAPI(t *testing.T) {
	n := 0
	for _, b := range receiver.Behaviours() {
		if !b.NeedsAPI {
			continue
		}
		n++
		requireOneLine(t, hookcheck(t, nil, "receiver", "--listen", "127.0.0.1:0", "--behaviour", b.Name),
			"--behaviour "+b.Name+" fetches each transcript from AssemblyAI's API: give --api-url (the address 'hookcheck run --api ADDR' serves) and "+envAPIKey)
	}
	assert.GreaterOrEqual(t, n, 7, "fetch-before-ack, single-thread-fetch, fetches-completed-only, fetch-no-retry, ...")
	b, err := receiver.Lookup("fetch-before-ack")
	require.NoError(t, err)
	assert.True(t, b.NeedsAPI)
}

// TestSendSaysWhatFollowsForASession: a session's webhook carries its
// transcript (S-2, S-4): send never tells the user to poll for it, also
// for a session body of one's own; a transcript notification is fetched.
func TestSendSaysWhatFollowsForASession(t *testing.T) {
	ok, _ := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	bad, _ := serveBehaviour(t, "status", receiver.Params{Status: 400}, receiver.Config{})
	session := `{"session_id":"0f9c7a52-0000-4000-8000-000000000001","messages":[]}`
	for _, c := range []struct {
		url  string
		args []string
		want string
	}{
		{ok.URL, []string{"--payload", "streaming-session", "--session-duration", "1m"}, "nothing to fetch (S-2, S-4)"},
		{ok.URL, []string{"--data", session}, "nothing to fetch (S-2, S-4)"},
		{bad.URL, []string{"--data", session}, "a streaming session has none to poll"},
		{bad.URL, []string{"--payload", "streaming-session", "--session-duration", "1m"}, "a streaming session has none to poll"},
	} {
		r := sendTo(t, c.url, c.args...)
		last := strings.TrimSpace(r.stdout[strings.LastIndex(strings.TrimRight(r.stdout, "\n"), "\n")+1:])
		assert.Contains(t, last, c.want, c.args)
		assert.NotContains(t, last, "GET /v2/transcript", c.args)
	}
	r := sendTo(t, ok.URL)
	assert.Contains(t, r.stdout, "the app fetches the transcript with GET /v2/transcript/{id} (D-2)")
	r = sendTo(t, bad.URL, "--data", `{"transcript_id":"5a0e3e1c-0000-4000-8000-000000000004","status":"completed"}`)
	assert.Contains(t, r.stdout, "must poll GET /v2/transcript/{id}", "a transcript notification of one's own is one")
}

// TestVerboseBeforeTheCommandIsRefusedClearly: -v is --verbose on the
// commands it acts on, never cobra's shorthand for --version, so
// "hookcheck -v run" is one clear usage line, not the version followed by
// a refusal of run's own flags.
func TestVerboseBeforeTheCommandIsRefusedClearly(t *testing.T) {
	r := hookcheck(t, nil, "-v", "run", "--target", "http://127.0.0.1:9/webhook")
	requireOneLine(t, r, "unknown shorthand flag: 'v' in -v")
	assert.NotContains(t, r.stdout, "version")
	r = hookcheck(t, nil, "--version")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "hookcheck version")
}
