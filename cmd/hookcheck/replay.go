package main

import (
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

type replayFlags struct {
	policy policyFlags
	target string
}

func newReplayCmd(a *app) *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay CAPTURE --target URL",
		Short: "Send captured deliveries again, to a local receiver",
		Long: `replay sends each delivery of a capture file (from 'hookcheck capture') to
--target again: the first attempt's method, headers, body and query string
byte for byte (D-9), with the profile's schedule (D-3..D-5, P-2). The path is
--target's; the query is the captured one. A header the capture masked (the
auth header, D-8) takes its value from the environment variable
` + envAuthHeaderValue + `, never from the file.

Exit code: 0 every delivery delivered, 1 otherwise, 2 usage error.`,
		Example: `  HOOKCHECK_AUTH_HEADER_VALUE=s3cret hookcheck replay capture.jsonl \
      --target http://127.0.0.1:3000/webhooks/assemblyai --fast`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runReplay(cmd, a, &f, args[0]) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.target, "target", "", "URL to replay to (required); the captured query string replaces its own")
	f.policy.register(fs, policyFlagSet{source: true})
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
	p, err := f.policy.policy(a.getenv)
	if err != nil {
		return err
	}
	ds, err := readCapture(path)
	if err != nil {
		return err
	}
	failed := 0
	for _, d := range ds {
		first := d.Attempts[0]
		if first.BodyTruncated {
			fmt.Fprintf(a.out, "delivery %s: not replayed: its body was cut by the capture (%d bytes)\n", orNone(d.Key), first.BodyBytes)
			failed++
			continue
		}
		dp, err := replayPolicy(p, first, a.getenv)
		if err != nil {
			return err
		}
		u := *base
		u.RawQuery, u.ForceQuery = first.RawQuery, false
		target := u.String()
		sender, err := webhook.NewSender(dp, webhook.Options{Logger: a.logger(), Clock: clockFor(dp)})
		if err != nil {
			return usageError{err}
		}
		fmt.Fprintf(a.out, "Replaying delivery %s (%d bytes) to %s\n", orNone(d.Key), len(first.BodyBytesRaw()), webhook.RedactTarget(target))
		n := webhook.RawBody(first.BodyBytesRaw(), first.Header.Get("Content-Type"))
		rec, err := sender.Deliver(cmd.Context(), target, n,
			webhook.Observer{OnAttempt: func(_ *webhook.Delivery, at webhook.Attempt) { printAttempt(a.out, at) }})
		sender.Close()
		if err != nil {
			return usagef("--target: %v", err)
		}
		printOutcome(a.out, rec)
		if rec.Outcome != webhook.Delivered {
			failed++
		}
	}
	if failed > 0 {
		return exitError{exitFailed}
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
