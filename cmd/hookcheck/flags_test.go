package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports/render"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// flagsProvedElsewhere are the commands whose flags TestEveryFlagActs
// leaves out, each with where they are proved instead: run's flags become
// one hookcheck.Target in a single builder, whose tests prove each flag
// reaches its field (TestEveryRunFlagActs) and Target.Validate checks its value;
// load's flags build one load.Config, proved the same way (TestEveryLoadFlagActs).
var flagsProvedElsewhere = map[string]bool{"run": true, "load": true}

// probe shows that one flag acts on one command: the command run with
// base and args gives an output (exit code, stdout, stderr and what the
// probe's servers saw) that differs in want from base's alone: one of the
// two holds want, the other does not. A usage error naming the flag for a
// bad value counts, where showing the flag at work would take real time.
type probe struct {
	base []string // the baseline's arguments; nil: the command's default
	args []string // added to base for the probe
	want string
	hook string // serve-api: where the webhook goes (default {ok}/hook)
}

// probes give, per command and flag, the probe that shows the flag acts.
// Placeholders in braces are the fixtures of probeEnv.
func probes() map[string]map[string]probe {
	send := []string{"--target", "{ok}/hook", "--json", "--max-attempts", "1"}
	session := append(append([]string(nil), send...), "--payload", "streaming-session", "--session-duration", "1m")
	retried := func(target string) []string {
		return []string{"--target", target, "--json", "--max-attempts", "2", "--retry-interval", "1ms", "--fast"}
	}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	replayOn := func(target string, more ...string) []string {
		return with([]string{"{replay1}", "--target", target}, more...)
	}
	receiver := []string{"--listen", "127.0.0.1:0"}
	serveAPI := []string{"--listen", "127.0.0.1:0", "--processing-delay", "1ms"}
	capture := []string{"--listen", "127.0.0.1:0", "--out", "{out}"}
	report := []string{"--in", "{results}", "--summary", "{dir}/s.md"}
	noDesc := probe{args: []string{"--no-descriptions"}, want: "NoDesc"}
	return map[string]map[string]probe{
		"hookcheck": {
			"help":    {base: []string{"--version"}, args: []string{"--help"}, want: "Usage:"},
			"version": {args: []string{"--version"}, want: "hookcheck version"},
		},
		"version": {},
		"vectors": {
			"provider": {args: []string{"--provider", "github"}, want: "X-Hub-Signature-256"},
			"out":      {base: []string{"--provider", "github"}, args: []string{"--out", "{dir}/v.json"}, want: "X-Hub-Signature-256"},
		},
		"help":       {"help": {base: []string{"send"}, args: []string{"--help"}, want: "Help provides help"}},
		"completion": {},
		"bash":       {"no-descriptions": noDesc},
		"zsh":        {"no-descriptions": noDesc},
		"fish":       {"no-descriptions": noDesc},
		"powershell": {"no-descriptions": noDesc},
		"send": {
			"target":             {base: send[2:], args: []string{"--target", "{ok}/hook"}, want: `"outcome":"delivered"`},
			"status":             {args: []string{"--status", "error"}, want: `"status":"error"`},
			"transcript-id":      {args: []string{"--transcript-id", "5a0e3e1c-0000-4000-8000-00000000f1a6"}, want: "00000000f1a6"},
			"payload":            {args: []string{"--payload", "redacted-audio"}, want: `"kind":"redacted-audio"`},
			"redacted-audio-url": {base: with(send, "--payload", "redacted-audio"), args: []string{"--redacted-audio-url", "https://probe.example/a.wav"}, want: "probe.example"},
			"session-id":         {base: session, args: []string{"--session-id", "0f9c7a52-0000-4000-8000-00000000f1a6"}, want: "00000000f1a6"},
			"session-duration":   {base: session, args: []string{"--session-duration", "2m"}, want: `"duration_ms":120000`},
			"session-seed":       {base: session, args: []string{"--session-seed", "7"}, want: `"seed":7`},
			"session-speakers":   {base: session, args: []string{"--session-speakers", "2"}, want: "speaker_label"},
			"session-language":   {base: session, args: []string{"--session-language", "fr"}, want: `"language_code":"fr"`},
			"json":               {base: []string{"--target", "{ok}/hook", "--max-attempts", "1"}, args: []string{"--json"}, want: `"attempts":[`},
			"data":               {args: []string{"--data", `{"probe":"own-body"}`}, want: "own-body"},
			"data-file":          {args: []string{"--data-file", "{datafile}"}, want: "file-body"},
			"timeout":            {args: []string{"--timeout", "3s"}, want: `"timeout_ms":3000`},
			"max-attempts":       {args: []string{"--max-attempts", "3"}, want: `"max_attempts":3`},
			"retry-interval":     {args: []string{"--retry-interval", "3s"}, want: `"retry_interval_ms":3000`},
			"fast":               {args: []string{"--fast"}, want: `"pace":"accelerated"`},
			"profile":            {args: []string{"--profile", "{profileUA}"}, want: "AssemblyAI/probe"},
			"region":             {args: []string{"--region", "eu"}, want: `"region":"eu"`},
			"source-address":     {args: []string{"--source-address", "none"}, want: `"source_address":"none"`},
			"user-agent":         {args: []string{"--user-agent", "probe-agent/1"}, want: "probe-agent/1"},
			"follow-redirects":   {base: with(send[2:], "--target", "{redirect}"), args: []string{"--follow-redirects"}, want: `"outcome":"delivered"`},
			"retry-on-4xx":       {base: retried("{400}"), args: []string{"--retry-on-4xx"}, want: `"number":2`},
			"insecure":           {base: with(send[2:], "--target", "{tls}/hook"), args: []string{"--insecure"}, want: `"outcome":"delivered"`},
			"keep-alive":         {base: retried("{500}"), args: []string{"--keep-alive"}, want: "reused=true"},
			"auth-header-name":   {args: []string{"--auth-header-name", "X-Probe-Auth"}, want: "X-Probe-Auth"},
			"auth-header-value":  {base: with(send, "--auth-header-name", "X-Probe-Auth"), args: []string{"--auth-header-value", "flag-secret"}, want: "auth:flag"},
			"verbose":            {args: []string{"--verbose"}, want: "level=DEBUG"},
			"provider":           {args: []string{"--provider", "standard-webhooks", "--fast"}, want: "webhook-signature"},
			"message-id":         {base: with(send, "--provider", "standard-webhooks", "--fast"), args: []string{"--message-id", "msg_probe1"}, want: "msg_probe1"},
		},
		"diff": {
			"auth-header-name": {args: []string{"--auth-header-name", "X-Probe-Auth"}, want: "X-Probe-Auth"},
			"webhook-url":      {args: []string{"--webhook-url", "https://e.example/h?probe=1"}, want: "probe=1"},
			"tolerance":        {args: []string{"--tolerance", "20s"}, want: "DIFF P-2"},
			"json":             {args: []string{"--json"}, want: `"rule":`},
			"update-profile":   {args: []string{"--update-profile", "{out}"}, want: "wrote the observed profile"},
			"fast":             {args: []string{"--fast"}, want: "want 100ms"},
			"max-attempts":     {args: []string{"--max-attempts", "1"}, want: "attempt count"},
			"retry-interval":   {args: []string{"--retry-interval", "1s"}, want: "DIFF P-2"},
			"timeout":          {args: []string{"--timeout", "0s"}, want: "--timeout"},
			"retry-on-4xx":     {base: []string{"{diff400}"}, args: []string{"--retry-on-4xx"}, want: "attempt count"},
			"region":           {base: []string{"{diffEU}"}, args: []string{"--region", "us"}, want: "D-7"},
			"source-address":   {args: []string{"--source-address", "none"}, want: "D-7"},
			"user-agent":       {args: []string{"--user-agent", "python-requests/2.31.0"}, want: "header User-Agent"},
			"profile":          {args: []string{"--profile", "{profileUA}"}, want: "AssemblyAI/probe"},
			"provider":         {args: []string{"--provider", "standard-webhooks"}, want: "DIFF SW-1"},
		},
		"replay": {
			"target":             {base: []string{"{replay2}"}, args: []string{"--target", "{ok}/hook"}, want: "Replaying"},
			"session-target":     {base: []string{"{replaySession}", "--target", "{ok}/hook"}, args: []string{"--session-target", "{ok}/session-route"}, want: "/session-route"},
			"include-incomplete": {base: []string{"{replayCut}", "--target", "{ok}/hook"}, args: []string{"--include-incomplete"}, want: "skipped"},
			"select":             {base: []string{"{replay2}", "--target", "{ok}/hook"}, args: []string{"--select", "2"}, want: "000000000005"},
			"dry-run":            {base: []string{"{replay2}", "--target", "{ok}/hook"}, args: []string{"--dry-run"}, want: "would send"},
			"provider":           {base: []string{"{replay2}", "--target", "{ok}/hook", "--fast"}, args: []string{"--provider", "standard-webhooks"}, want: "server: signed"},
			"fast":               {base: replayOn("{500}", "--max-attempts", "2", "--retry-interval", "1ms"), args: []string{"--fast"}, want: "next attempt in 10µs"},
			"max-attempts":       {base: replayOn("{500}", "--max-attempts", "2", "--retry-interval", "1ms", "--fast"), args: []string{"--max-attempts", "3"}, want: "attempt  3"},
			"retry-interval":     {base: replayOn("{500}", "--max-attempts", "2", "--retry-interval", "1ms"), args: []string{"--retry-interval", "2ms"}, want: "next attempt in 2ms"},
			"keep-alive":         {base: replayOn("{500}", "--max-attempts", "2", "--retry-interval", "1ms", "--fast"), args: []string{"--keep-alive"}, want: "reused=true"},
			"profile":            {base: replayOn("{500}", "--retry-interval", "1ms", "--fast"), args: []string{"--profile", "{profile3}"}, want: "attempt 10"},
			"retry-on-4xx":       {base: replayOn("{400}", "--max-attempts", "2", "--retry-interval", "1ms", "--fast"), args: []string{"--retry-on-4xx"}, want: "attempt  2"},
			"timeout":            {base: replayOn("{ok}/hook"), args: []string{"--timeout", "0s"}, want: "--timeout"},
			"follow-redirects":   {base: replayOn("{redirect}", "--max-attempts", "1"), args: []string{"--follow-redirects"}, want: "delivered after"},
			"insecure":           {base: replayOn("{tls}/hook", "--max-attempts", "1"), args: []string{"--insecure"}, want: "delivered after"},
			"verbose":            {base: replayOn("{ok}/hook"), args: []string{"--verbose"}, want: "level=DEBUG"},
		},
		"report": {
			"in":       {base: report[2:], args: []string{"--in", "{results}"}, want: "wrote"},
			"html":     {args: []string{"--html", "{dir}/probe.html"}, want: "probe.html"},
			"summary":  {base: []string{"--in", "{results}", "--html", "{dir}/h.html"}, args: []string{"--summary", "{dir}/probe.md"}, want: "probe.md"},
			"junit":    {args: []string{"--junit", "{dir}/probe.xml"}, want: "probe.xml"},
			"cucumber": {args: []string{"--cucumber", "{dir}/probe.json"}, want: "probe.json"},
		},
		"capture": {
			"listen":         {args: []string{"--listen", "127.0.0.1:notaport"}, want: "--listen"},
			"ui":             {args: []string{"--ui", "127.0.0.1:notaport"}, want: "--ui: "},
			"ui-token":       {args: []string{"--ui-token", "t0ken"}, want: "--ui-token acts only with --ui"},
			"out":            {args: []string{"--out", "{dir}/probe-out.jsonl"}, want: "probe-out.jsonl"},
			"answer":         {args: []string{"--answer", "503"}, want: "answer: 503"},
			"answer-after":   {args: []string{"--answer-after", "-1s"}, want: "--answer-after"},
			"mask-header":    {args: []string{"--mask-header", "X-Probe-Mask"}, want: "visible-value"},
			"max-body-bytes": {args: []string{"--max-body-bytes", "5"}, want: `"body_truncated":true`},
			"max-in-flight":  {args: []string{"--max-in-flight", "0"}, want: "--max-in-flight"},
			"timeout":        {args: []string{"--timeout", "0s"}, want: "--timeout"},
			"sync":           {args: []string{"--sync"}, want: "fsync after every request"},
			"forward-to":     {args: []string{"--forward-to", "{ok}"}, want: "forwarding to"},
			"profile":        {base: with(capture, "--forward-to", "{500}"), args: []string{"--profile", "{profile3}"}, want: "of 3"},
			"provider":       {base: with(capture, "--answer", "500"), args: []string{"--provider", "stripe"}, want: "stripe retries in 1h0m0s, attempt 2 of 7"},
		},
		"receiver": {
			"listen":            {args: []string{"--listen", "127.0.0.1:notaport"}, want: "--listen"},
			"behaviour":         {args: []string{"--behaviour", "status"}, want: "answer 1: 500"},
			"list":              {args: []string{"--list"}, want: "BEHAVIOUR"},
			"path":              {args: []string{"--path", "/other"}, want: "answer 1: 404"},
			"auth-header-name":  {args: []string{"--auth-header-name", "X-Missing"}, want: "answer 1: 40"},
			"auth-header-value": {base: with(receiver, "--auth-header-name", "X-Probe-Auth"), args: []string{"--auth-header-value", "other"}, want: "answer 1: 40"},
			"allowlist":         {args: []string{"--allowlist", "socket"}, want: "answer 1: 403"},
			"region":            {base: with(receiver, "--allowlist", "header"), args: []string{"--region", "eu"}, want: "answer 1: 403"},
			"status":            {base: with(receiver, "--behaviour", "status"), args: []string{"--status", "418"}, want: "answer 1: 418"},
			"fail-first":        {base: with(receiver, "--behaviour", "fail-first"), args: []string{"--fail-first", "1"}, want: "answer 2: 200"},
			"delay":             {args: []string{"--delay", "-1s"}, want: "--delay"},
			"limit":             {args: []string{"--limit", "-1"}, want: "--limit"},
			"keep-requests":     {args: []string{"--keep-requests", "0"}, want: "--keep-requests"},
			"dedup-ids":         {args: []string{"--dedup-ids", "0"}, want: "--dedup-ids"},
			"location":          {base: with(receiver, "--behaviour", "redirect"), args: []string{"--location", "http://probe.example/x"}, want: "probe.example"},
			"api-url":           {args: []string{"--api-url", "http://127.0.0.1:1"}, want: "--api-url needs"},
			"verbose":           {args: []string{"--verbose"}, want: "level=DEBUG"},
		},
		"serve-api": {
			"listen":           {args: []string{"--listen", "127.0.0.1:notaport"}, want: "--listen"},
			"ui":               {args: []string{"--ui", "127.0.0.1:notaport"}, want: "--ui: "},
			"ui-token":         {args: []string{"--ui-token", "t0ken"}, want: "--ui-token acts only with --ui"},
			"api-key":          {args: []string{"--api-key", "other-key"}, want: "create: 401"},
			"processing-delay": {args: []string{"--processing-delay", "0s"}, want: "--processing-delay"},
			"max-upload-bytes": {args: []string{"--max-upload-bytes", "3"}, want: "upload: 413"},
			"max-transcripts":  {args: []string{"--max-transcripts", "0"}, want: "--max-transcripts"},
			"max-store-bytes":  {args: []string{"--max-store-bytes", "0"}, want: "--max-store-bytes"},
			"base-url":         {args: []string{"--base-url", "http://probe.example"}, want: "probe.example"},
			"grace":            {args: []string{"--grace", "-1s"}, want: "--grace"},
			"seed-transcript":  {args: []string{"--seed-transcript", "5a0e3e1c-0000-4000-8000-00000000f1a6"}, want: "seeded transcript"},
			"fault":            {args: []string{"--fault", "5a0e3e1c-0000-4000-8000-00000000f1a6:status=500"}, want: "GET faulted"},
			"timeout":          {args: []string{"--timeout", "3s"}, want: `"timeout_ms":3000`},
			"max-attempts":     {args: []string{"--max-attempts", "3"}, want: `"max_attempts":3`},
			"retry-interval":   {args: []string{"--retry-interval", "3s"}, want: `"retry_interval_ms":3000`},
			"fast":             {args: []string{"--fast"}, want: `"pace":"accelerated"`},
			"region":           {args: []string{"--region", "eu"}, want: `"region":"eu"`},
			"source-address":   {args: []string{"--source-address", "none"}, want: `"source_address":"none"`},
			"user-agent":       {args: []string{"--user-agent", "probe-agent/1"}, want: "probe-agent/1"},
			"profile":          {args: []string{"--profile", "{profileUA}"}, want: "AssemblyAI/probe"},
			"follow-redirects": {base: with(serveAPI, "--max-attempts", "1"), hook: "{redirect}", args: []string{"--follow-redirects"}, want: `"outcome":"delivered"`},
			"retry-on-4xx":     {base: with(serveAPI, "--max-attempts", "2", "--retry-interval", "1ms", "--fast"), hook: "{400}", args: []string{"--retry-on-4xx"}, want: `"number":2`},
			"insecure":         {base: with(serveAPI, "--max-attempts", "1"), hook: "{tls}/hook", args: []string{"--insecure"}, want: `"outcome":"delivered"`},
			"keep-alive":       {base: with(serveAPI, "--max-attempts", "2", "--retry-interval", "1ms", "--fast"), hook: "{500}", args: []string{"--keep-alive"}, want: "reused=true"},
			"verbose":          {args: []string{"--verbose"}, want: "level=DEBUG"},
		},
		// The defaults each command's probes start from.
		"": {
			"send":      {base: send},
			"diff":      {base: []string{"{diffcap}"}},
			"replay":    {base: []string{"{replay1}", "--target", "{ok}/hook"}},
			"report":    {base: report},
			"capture":   {base: capture},
			"receiver":  {base: receiver},
			"serve-api": {base: serveAPI},
		},
	}
}

// TestEveryFlagActs walks every command's flags (its own and those it
// inherits, as --help lists them) and fails on a flag that does nothing
// for the command: each flag needs a probe in probes(), and the probe must
// show it at work. A flag without a probe fails, named.
func TestEveryFlagActs(t *testing.T) {
	e := newProbeEnv(t)
	table := probes()
	root := newRootCmd(&app{getenv: func(string) string { return "" }})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		defer func() {
			for _, sub := range c.Commands() {
				walk(sub)
			}
		}()
		if flagsProvedElsewhere[c.Name()] {
			return
		}
		c.InitDefaultHelpFlag() // cobra adds it to the command it executes
		own, known := table[c.Name()]
		if !known {
			t.Errorf("%s: no probes: give its flags a probe in probes()", c.CommandPath())
			return
		}
		visit := func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			name := c.CommandPath() + " --" + f.Name
			p, ok := own[f.Name]
			if f.Name == "help" && !ok {
				if !c.Runnable() {
					return // a command that only groups others prints its help either way
				}
				p, ok = probe{args: []string{"--help"}, want: "Usage:"}, true
			}
			if !ok {
				t.Errorf("%s: no probe shows it acts: add one to probes() (or remove the flag)", name)
				return
			}
			if p.base == nil {
				p.base = table[""][c.Name()].base
			}
			words := commandPath(c)
			baseline := e.run(t, words, p.base, p.hook)
			got := e.run(t, words, append(append([]string(nil), p.base...), p.args...), p.hook)
			assert.NotEqual(t, strings.Contains(baseline, p.want), strings.Contains(got, p.want),
				"%s does not act: %q is in both outputs or in neither\n--- baseline:\n%s\n--- with %v:\n%s", name, p.want, clipText(baseline), p.args, clipText(got))
		}
		c.LocalFlags().VisitAll(visit)
		c.InheritedFlags().VisitAll(visit)
		for flag := range own {
			if c.Flags().Lookup(flag) == nil && (flag != "help" || c.Runnable()) {
				t.Errorf("%s --%s: a probe for a flag the command does not have: remove it", c.CommandPath(), flag)
			}
		}
	}
	walk(root)
}

func clipText(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "..."
	}
	return s
}

// probeEnv holds what the probes act on: servers, capture files, a
// profile, a results.json, and what the servers saw.
type probeEnv struct {
	echo, tls *httptest.Server
	dir       string
	files     map[string]string
	env       map[string]string
	mu        sync.Mutex
	seen      []string
	n         atomic.Int64
}

type connKey struct{}

func newProbeEnv(t *testing.T) *probeEnv {
	e := &probeEnv{dir: t.TempDir(), files: map[string]string{},
		env: map[string]string{envAuthHeaderValue: "s3cret", envSigningSecret: fixture.SigningSecret}}
	h := http.HandlerFunc(e.serveEcho)
	conns := func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, new(atomic.Int32))
	}
	e.echo = httptest.NewUnstartedServer(h)
	e.echo.Config.ConnContext = conns
	e.echo.Start()
	t.Cleanup(e.echo.Close)
	e.tls = httptest.NewUnstartedServer(h)
	e.tls.Config.ConnContext = conns
	e.tls.StartTLS()
	t.Cleanup(e.tls.Close)

	id := func(n int) string { return fmt.Sprintf("5a0e3e1c-0000-4000-8000-%012x", n) }
	first := replayRecord(1, id(1))
	first.Status, first.AnsweredAfterMS, first.RemoteAddr = 500, 1, "127.0.0.1:5000"
	retry := replayRecord(2, id(1))
	retry.Time, retry.Attempt, retry.RemoteAddr = first.Time.Add(time.Second), 2, "127.0.0.1:5000"
	rejected := replayRecord(1, id(2))
	rejected.Status = 400
	eu := replayRecord(1, id(3))
	eu.Header["X-Forwarded-For"] = []string{webhook.RegionEU.Address()}
	cut := replayRecord(2, "cut")
	cut.Body, cut.BodyBytes, cut.Incomplete, cut.Status, cut.Key, cut.Attempt = `{"transcript_id":"cu`, 20, true, 400, "", 0
	sessionBody := `{"session_id":"0f9c7a52-0000-4000-8000-000000000001","messages":[]}`
	session := replayRecord(1, "s")
	session.Body, session.Key = sessionBody, "session_id:0f9c7a52-0000-4000-8000-000000000001"
	for name, recs := range map[string][]capture.Record{
		"diffcap": {first, retry}, "diff400": {rejected}, "diffEU": {eu},
		"replay1": {replayRecord(1, id(4))}, "replay2": {replayRecord(1, id(5)), replayRecord(2, id(10))},
		"replayCut": {replayRecord(1, id(6)), cut}, "replaySession": {session},
	} {
		e.files[name] = writeCapture(t, recs...)
	}
	e.files["profileUA"] = writeProfileFile(t, `"User-Agent": "python-requests/2.25.1"`, `"User-Agent": "AssemblyAI/probe"`)
	e.files["profile3"] = writeProfileFile(t, `"max_attempts": {"value": 10`, `"max_attempts": {"value": 3`)
	e.files["datafile"] = filepath.Join(e.dir, "data.json")
	require.NoError(t, os.WriteFile(e.files["datafile"], []byte(`{"probe":"file-body"}`), 0o600))
	results := filepath.Join(e.dir, "results")
	_, err := render.WriteAll(results, fixture.Default(t))
	require.NoError(t, err)
	e.files["results"] = filepath.Join(results, "results.json")
	return e
}

// serveEcho answers by path (/400, /500, /redirect to /ok, else 200) and
// notes each request, with whether its connection was reused.
func (e *probeEnv) serveEcho(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 16<<20))
	reused := false
	if n, ok := r.Context().Value(connKey{}).(*atomic.Int32); ok {
		reused = n.Add(1) > 1
	}
	e.mu.Lock()
	e.seen = append(e.seen, fmt.Sprintf("server: %s %s reused=%t", r.Method, r.URL.Path, reused))
	e.mu.Unlock()
	if r.Header.Get("X-Probe-Auth") == "flag-secret" {
		w.Header().Set("X-Probe", "auth:flag")
	}
	if r.Header.Get("Webhook-Signature") != "" {
		e.mu.Lock()
		e.seen = append(e.seen, "server: signed "+r.Header.Get("Webhook-Id"))
		e.mu.Unlock()
	}
	switch r.URL.Path {
	case "/400":
		w.WriteHeader(http.StatusBadRequest)
	case "/500":
		w.WriteHeader(http.StatusInternalServerError)
	case "/redirect":
		http.Redirect(w, r, "/ok", http.StatusFound)
	}
}

// expand fills in the placeholders of args.
func (e *probeEnv) expand(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		a = strings.NewReplacer("{ok}", e.echo.URL+"/ok", "{400}", e.echo.URL+"/400", "{500}", e.echo.URL+"/500",
			"{redirect}", e.echo.URL+"/redirect", "{tls}", e.tls.URL, "{dir}", e.dir).Replace(a)
		if a == "{out}" {
			a = filepath.Join(e.dir, fmt.Sprintf("out-%d.json", e.n.Add(1)))
		}
		if name, ok := strings.CutPrefix(a, "{"); ok {
			if f, ok := e.files[strings.TrimSuffix(name, "}")]; ok {
				a = f
			}
		}
		out[i] = a
	}
	return out
}

// run runs the command words with args and returns its output: exit
// code, stdout, stderr, what a server command answered to the probe's
// requests, and what the echo servers saw; JSON is made compact.
func (e *probeEnv) run(t *testing.T, words, args []string, hook string) string {
	t.Helper()
	e.mu.Lock()
	e.seen = nil
	e.mu.Unlock()
	args = e.expand(args)
	var out string
	switch strings.Join(words, " ") {
	case "receiver", "serve-api", "capture":
		out = e.serve(t, append(words, args...), hook)
	default:
		r := hookcheck(t, e.env, append(append([]string(nil), words...), args...)...)
		out = fmt.Sprintf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	e.mu.Lock()
	out += "\n" + strings.Join(e.seen, "\n")
	e.mu.Unlock()
	out = strings.ReplaceAll(out, `\"`, `"`)
	return regexp.MustCompile(`":\s+`).ReplaceAllString(out, `":`)
}

var listening = regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)

// serve starts a server command, makes its requests once it listens, and
// stops it; a command that exits first (a usage error, --list) is
// returned as it ended.
func (e *probeEnv) serve(t *testing.T, args []string, hook string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, streams{in: strings.NewReader(""), out: out, err: errb}, func(k string) string { return e.env[k] })
	}()
	code, addr := -1, ""
	for deadline := time.Now().Add(5 * time.Second); addr == "" && code < 0; {
		select {
		case code = <-done:
		case <-time.After(time.Millisecond):
			if m := listening.FindStringSubmatch(out.String()); m != nil {
				addr = m[1]
			}
			require.True(t, time.Now().Before(deadline), "%v did not start: %s", args, errb.String())
		}
	}
	seen := ""
	if code < 0 {
		switch args[0] {
		case "receiver":
			seen = e.askReceiver(t, "http://"+addr)
		case "capture":
			seen = e.askCapture(t, "http://"+addr, args)
		case "serve-api":
			if hook == "" {
				hook = "{ok}/hook"
			}
			seen = e.askAPI(t, "http://"+addr, e.expand([]string{hook})[0])
		}
		cancel()
		select {
		case code = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%v did not stop", args)
		}
	}
	return fmt.Sprintf("exit %d\n%s\n%s\n%s", code, out.String(), errb.String(), seen)
}

// noRedirects is a client that shows a redirect instead of following it.
var noRedirects = &http.Client{Timeout: 5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// askReceiver delivers one notification twice from AssemblyAI's US
// address with the auth header and says how each was answered.
func (e *probeEnv) askReceiver(t *testing.T, base string) string {
	var b strings.Builder
	for i := 1; i <= 2; i++ {
		req, err := http.NewRequest(http.MethodPost, base+"/hook", strings.NewReader(`{"transcript_id":"5a0e3e1c-0000-4000-8000-000000000001","status":"completed"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", webhook.RegionUS.Address())
		req.Header.Set("X-Probe-Auth", "s3cret")
		resp, err := noRedirects.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		fmt.Fprintf(&b, "answer %d: %d location=%s\n", i, resp.StatusCode, resp.Header.Get("Location"))
	}
	return b.String()
}

// askCapture sends one request with a header to mask and returns the
// answer and the capture file.
func (e *probeEnv) askCapture(t *testing.T, base string, args []string) string {
	req, err := http.NewRequest(http.MethodPost, base+"/hook", strings.NewReader(`{"transcript_id":"5a0e3e1c-0000-4000-8000-000000000001","status":"completed"}`))
	require.NoError(t, err)
	req.Header.Set("X-Probe-Mask", "visible-value")
	resp, err := noRedirects.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	file := ""
	for i, a := range args {
		if a == "--out" && i+1 < len(args) {
			file = args[i+1]
		}
	}
	data, _ := os.ReadFile(file) // #nosec G304 -- the test's own file
	return fmt.Sprintf("answer: %d\n%s", resp.StatusCode, data)
}

// askAPI uploads a file, submits a transcript whose webhook goes to hook,
// and returns the answers and the delivery record once it ended.
func (e *probeEnv) askAPI(t *testing.T, base, hook string) string {
	call := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "any-key")
		resp, err := noRedirects.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, up := call(http.MethodPost, "/v2/upload", "audio")
	out := fmt.Sprintf("upload: %d %s\n", code, up)
	code, created := call(http.MethodPost, "/v2/transcript", `{"audio_url":"https://example.com/a.mp3","webhook_url":"`+hook+`"}`)
	out += fmt.Sprintf("create: %d %s\n", code, created)
	if code != http.StatusOK {
		return out
	}
	ended := regexp.MustCompile(`"outcome":\s*"(delivered|rejected|exhausted)"`)
	var deliveries string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, deliveries = call(http.MethodGet, "/hookcheck/v1/deliveries", ""); ended.MatchString(deliveries) {
			break
		}
	}
	return out + "deliveries: " + deliveries
}
