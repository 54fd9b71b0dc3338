package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

type replayFlags struct {
	policy            policyFlags
	target            string
	includeIncomplete bool
	selects           []string
	dryRun            bool
	sessionTarget     string // where session webhooks go
}

func newReplayCmd(a *app) *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay CAPTURE --target URL",
		Short: "Send captured deliveries again, to a local receiver",
		Long: `replay sends each delivery of a capture file (from 'hookcheck capture') to
--target again: the first attempt's method, headers, body and query string
byte for byte (D-9), with the profile's schedule (D-3..D-5, P-2). The path is
--target's; the query is the captured one. With --session-target, session
webhooks (a session_id and messages, S-4) go there instead. A header the capture masked (the
auth header, D-8) takes its value from the environment variable
` + envAuthHeaderValue + `, never from the file. A request whose body was cut
short (incomplete) is not replayed unless --include-incomplete; a torn line
or one over ` + lineLimit + ` is skipped with a warning. The file is read record
by record.

--select (repeatable) replays only what it names: a sequence number N is the
request the capture numbered #N (its "seq": requests counted from 1 in the
order they arrived, as capture prints them), sent as captured even if it was a
retry; any other value is a transcript_id or session_id (optionally prefixed
"transcript_id:" or "session_id:"), whose delivery's first attempt is sent. A
--select that matches nothing is a usage error. --dry-run prints what would be
sent (method, URL, headers with secrets masked, body size and preview) and
sends nothing.

Exit code: 0 every delivery delivered, 1 otherwise, 2 usage error.`,
		Example: `  HOOKCHECK_AUTH_HEADER_VALUE=s3cret hookcheck replay capture.jsonl \
      --target http://127.0.0.1:3000/webhooks/assemblyai --fast
  hookcheck replay capture.jsonl --target http://127.0.0.1:3000/hook --select 2 --select 9ea68fd3-2c5c-4b8e-9e9c-3f1d6a7b8c90
  hookcheck replay capture.jsonl --target http://127.0.0.1:3000/hook --select 2 --dry-run
  hookcheck replay capture.jsonl --target http://127.0.0.1:3000/webhooks/transcript \
      --session-target http://127.0.0.1:3000/webhooks/session   # each delivery to its route`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runReplay(cmd, a, &f, args[0]) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.target, "target", "", "URL to replay to (required); the captured query string replaces its own")
	fs.StringVar(&f.sessionTarget, "session-target", "", "URL to replay session webhooks to (the rest go to --target), as run --session-target")
	fs.BoolVar(&f.includeIncomplete, "include-incomplete", false, "also replay requests whose body was cut short (as captured)")
	fs.StringArrayVar(&f.selects, "select", nil, "replay only this request: a sequence number (the capture's #N) or a transcript_id/session_id (repeatable)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would be sent (method, URL, headers with secrets masked, body preview) and send nothing")
	f.policy.register(fs, policyFlagSet{source: true, asCaptured: true})
	registerProvider(fs, &f.policy.provider)
	return cmd
}

// transportHeaders are set by the client for each request, not replayed.
var transportHeaders = map[string]bool{"Host": true, "Content-Length": true, "Connection": true, "Transfer-Encoding": true}

func runReplay(cmd *cobra.Command, a *app, f *replayFlags, path string) error {
	if f.target == "" {
		return usagef("--target is required")
	}
	base, err := webhook.ParseTarget(f.target)
	if err != nil {
		return usagef("--target: %v", err)
	}
	var session *url.URL
	if f.sessionTarget != "" {
		if session, err = webhook.ParseTarget(f.sessionTarget); err != nil {
			return usagef("--session-target: %v", err)
		}
	}
	pr, err := provider.Lookup(f.policy.provider)
	if err != nil {
		return usagef("--provider: %v", err)
	}
	p, err := f.policy.policy(a.getenv)
	if err != nil {
		return err
	}
	if pr.Signing != "" {
		// Each request is signed again at the time it is sent, with the
		// captured message id: a captured signature's timestamp is stale
		// by the time it is replayed (SW-6).
		if err := signFor(pr, &p, a.getenv(envSigningSecret)); err != nil {
			return err
		}
	}
	sel, err := parseSelection(f.selects)
	if err != nil {
		return err
	}
	opts := capture.ReadOptions{IncludeIncomplete: f.includeIncomplete}
	// A first pass checks the whole file, so a bad line refuses it
	// before anything is sent; the second replays. Both stream it.
	warn, done := captureWarner(a.err, path)
	opts.Warn = warn
	n, err := scanCapture(path, opts, func(line int, r capture.Record) error {
		if sel != nil {
			sel.match(r)
		}
		return checkReplayable(path, line, r)
	})
	done()
	if err != nil {
		return err
	}
	if n == 0 {
		return usagef("%s: no request captured", path)
	}
	if sel != nil {
		if err := sel.unmatched(path); err != nil {
			return err
		}
	}
	opts.Warn = nil
	failed := 0
	seen := map[[sha256.Size]byte]bool{}
	_, err = scanCapture(path, opts, func(_ int, first capture.Record) error {
		k := sha256.Sum256([]byte(first.Key))
		bySeq, byKey := false, true // no --select: every delivery's first attempt
		if sel != nil {
			bySeq, byKey = sel.match(first)
		}
		if !bySeq && (!byKey || seen[k]) {
			return nil // not selected, or a retry: the profile makes its own
		}
		seen[k] = true
		to := replayRoute(base, session, first.BodyBytesRaw())
		if f.dryRun {
			dryRunOne(a.out, to, first)
			return nil
		}
		ok, err := replayOne(cmd.Context(), a, console{a.out}, p, to, first)
		if !ok {
			failed++
		}
		return err
	})
	if err != nil {
		return err
	}
	if failed > 0 {
		return exitError{exitFailed}
	}
	return nil
}

// scanCapture streams the records of the capture file at path to fn and
// returns how many there were; a missing or malformed file is a usage
// error.
func scanCapture(path string, o capture.ReadOptions, fn func(int, capture.Record) error) (int, error) {
	file, err := os.Open(path)
	if err != nil {
		return 0, usagef("%v", err)
	}
	defer file.Close()
	n := 0
	err = capture.Scan(file, o, func(line int, r capture.Record) error {
		n++
		return fn(line, r)
	})
	var ue usageError
	var ex exitError
	if err != nil && !errors.As(err, &ue) && !errors.As(err, &ex) {
		return n, usagef("%s: %v", path, err)
	}
	return n, err
}

// replayOne sends the delivery whose first attempt is first, saying so on
// w; ok says it was delivered.
func replayOne(ctx context.Context, a *app, w io.Writer, p webhook.Policy, base *url.URL, first capture.Record) (bool, error) {
	key := orNone(first.Key)
	if first.BodyTruncated {
		fmt.Fprintf(w, "#%d delivery %s: not replayed: its body was cut by the capture (%d bytes)\n", first.Seq, key, first.BodyBytes)
		return false, nil
	}
	dp, err := replayPolicy(p, first, a.getenv)
	if err != nil {
		return false, err
	}
	u := *base
	u.RawQuery, u.ForceQuery = first.RawQuery, false
	target := u.String()
	sender, err := webhook.NewSender(dp, webhook.Options{Logger: a.logger(), Clock: clockFor(dp)})
	if err != nil {
		return false, usageError{err}
	}
	defer sender.Close()
	fmt.Fprintf(w, "Replaying #%d, delivery %s (%d bytes) to %s\n", first.Seq, key, len(first.BodyBytesRaw()), webhook.RedactTarget(target))
	n := webhook.RawBody(first.BodyBytesRaw(), first.Header.Get("Content-Type"))
	rec, err := sender.DeliverWith(ctx, target, n, webhook.DeliveryOptions{MessageID: messageID(first)},
		webhook.Observer{OnAttempt: func(_ *webhook.Delivery, at webhook.Attempt) { printAttempt(w, at) }})
	if err != nil {
		return false, usagef("--target: %v", err)
	}
	printOutcome(w, rec)
	return rec.Outcome == webhook.Delivered, nil
}

// messageID is the captured message id a re-signed replay keeps (SW-1).
func messageID(r capture.Record) string {
	for k, vs := range r.Header {
		if strings.EqualFold(k, signing.HeaderWebhookID) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// checkReplayable refuses a record that could not be sent as captured: a
// method, header name or header value with control bytes (CR/LF would
// split the request). Such a file is the user's to fix (exit 2), not a
// delivery the receiver lost. The error names the line, never a value (it
// may be a secret).
func checkReplayable(path string, line int, r capture.Record) error {
	if err := webhook.ValidateHeaderName(r.Method); err != nil {
		return usagef("%s line %d: method %q is not an HTTP method (a token): the capture cannot be replayed", path, line, r.Method)
	}
	for k, vs := range r.Header {
		if transportHeaders[k] {
			continue // not replayed
		}
		if err := webhook.ValidateHeaderName(k); err != nil {
			return usagef("%s line %d: %v: the capture cannot be replayed", path, line, err)
		}
		for _, v := range vs {
			if err := webhook.ValidateHeaderValue(v); err != nil {
				return usagef("%s line %d: header %q: %v: the capture cannot be replayed", path, line, k, err)
			}
		}
	}
	return nil
}

// replayPolicy is p sending the captured request's headers: User-Agent as
// captured, every other header as an extra one (after the D-12 set, so the
// captured values win), the source address as captured rather than
// added, and the masked auth header with its value from the environment.
func replayPolicy(p webhook.Policy, r capture.Record, getenv func(string) string) (webhook.Policy, error) {
	p.Method = r.Method
	p.UserAgent = r.Header.Get("User-Agent")
	p.Source = webhook.SourceAddress{Mode: webhook.SourceNone}
	p.ExtraHeaders = http.Header{}
	masked := map[string]bool{}
	for _, k := range r.Masked {
		masked[http.CanonicalHeaderKey(k)] = true
	}
	for k, vs := range r.Header {
		ck := http.CanonicalHeaderKey(k)
		if transportHeaders[ck] || ck == "User-Agent" || ck == "Content-Type" {
			continue
		}
		if masked[ck] {
			value := getenv(envAuthHeaderValue)
			if value == "" {
				return p, usagef("the capture masked header %s: set %s to its value", k, envAuthHeaderValue)
			}
			if ck == "Authorization" {
				p.ExtraHeaders[k] = []string{value}
				continue
			}
			p.Auth = &webhook.AuthHeader{Name: k, Value: webhook.Secret(value)}
			continue
		}
		p.ExtraHeaders[k] = append([]string(nil), vs...)
	}
	if err := p.Validate(); err != nil {
		return p, usageError{err}
	}
	return p, nil
}
