package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	hookcheckapi "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

type sendFlags struct {
	policy           policyFlags
	target           string
	status           string
	transcriptID     string
	payload          string
	redactedAudioURL string
	sessionID        string
	session          webhook.Session
	json             bool
	data             string
	dataFile         string
	messageID        string
}

func newSendCmd(a *app) *cobra.Command {
	var f sendFlags
	cmd := &cobra.Command{
		Use:   "send --target URL",
		Short: "Deliver one notification with AssemblyAI's full retry schedule",
		Long: `send delivers one webhook notification to --target exactly as AssemblyAI does:
a POST with {"transcript_id","status"} (D-2), a 10 s deadline (D-3), up to 10
attempts 10 s apart (D-4, P-2), no retry after a 4xx (D-5).

--data JSON or --data-file PATH sends a body of your own instead of the
generated one, with the same headers and schedule; it cannot be combined with
--payload or the flags that shape the generated body (--status, --transcript-id,
--session-*...). A body that is not valid JSON is sent as given, with a warning
on stderr. A body is at most 8 MiB.

Exit code: 0 delivered, 1 not delivered, 2 usage error.`,
		Example: `  hookcheck send --target http://127.0.0.1:8080/webhook
  HOOKCHECK_AUTH_HEADER_VALUE=s3cret hookcheck send --target https://staging.example.com/aai \
      --auth-header-name X-Webhook-Secret --fast --json
  hookcheck send --target http://127.0.0.1:8080/webhook --data '{"transcript_id":"abc","status":"error"}'
  hookcheck send --target http://127.0.0.1:8080/webhook --data-file session.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSend(cmd, a, &f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.target, "target", "", "webhook URL to deliver to (required); its query string is sent as is (D-9)")
	fs.StringVar(&f.status, "status", webhook.StatusCompleted, "transcript status in the notification: completed or error (D-2)")
	fs.StringVar(&f.transcriptID, "transcript-id", "", "transcript id in the notification (default: a random UUID)")
	fs.StringVar(&f.payload, "payload", "transcript", "notification kind: transcript, redacted-audio (D-11) or streaming-session (S-2)")
	fs.StringVar(&f.redactedAudioURL, "redacted-audio-url", "https://cdn.assemblyai.example/redacted-audio.wav", "URL in the redacted-audio notification")
	fs.StringVar(&f.sessionID, "session-id", "", "session id in the streaming-session webhook (default: a random UUID)")
	fs.DurationVar(&f.session.Duration, "session-duration", 10*time.Minute, "length of the streaming session whose transcript the webhook carries (S-5: about 15 KB a minute; at most 24h)")
	fs.Uint64Var(&f.session.Seed, "session-seed", 1, "seed of the session's generated turns: the same seed gives the same body")
	fs.IntVar(&f.session.Speakers, "session-speakers", 0, "speakers in the session (speaker labels, S-4); 0 for no diarization")
	fs.StringVar(&f.session.LanguageCode, "session-language", "", "language_code on every turn, as with language detection (S-4)")
	fs.BoolVar(&f.json, "json", false, "print the delivery record as one JSON object")
	fs.StringVar(&f.data, "data", "", "send this body instead of the generated one (JSON; anything else is sent with a warning)")
	fs.StringVar(&f.dataFile, "data-file", "", "send the body in this file (at most 8 MiB) instead of the generated one")
	f.policy.register(fs, policyFlagSet{auth: true, source: true,
		oneRegion: "one delivery comes from one region's address (D-7)"})
	registerProvider(fs, &f.policy.provider)
	fs.StringVar(&f.messageID, "message-id", "", "with a --provider that signs: the message id every attempt carries (webhook-id, X-GitHub-Delivery), as a redelivery of one message repeats it (default: a new one)")
	return cmd
}

func runSend(cmd *cobra.Command, a *app, f *sendFlags) error {
	if f.target == "" {
		return usagef("--target is required")
	}
	if _, err := webhook.ParseTarget(f.target); err != nil {
		return usagef("--target: %v", err)
	}
	pr, err := provider.Lookup(f.policy.provider)
	if err != nil {
		return usagef("--provider: %v", err)
	}
	p, err := f.policy.policy(a.getenv)
	if err != nil {
		return err
	}
	if pr.Signing != "" { // the secret is read only for a provider that signs
		if err := signFor(pr, &p, a.getenv(envSigningSecret)); err != nil {
			return err
		}
	}
	if err := checkMessageID(f.messageID, pr); err != nil {
		return err
	}
	n, own, err := ownBody(cmd.Flags(), f, a.err)
	if !own && err == nil {
		n, err = notification(f, pr)
	}
	if err != nil {
		return err
	}
	sender, err := webhook.NewSender(p, webhook.Options{Logger: a.logger(), Clock: clockFor(p)})
	if err != nil {
		return usageError{err}
	}
	defer sender.Close()

	var observe webhook.Observer
	if !f.json {
		event := "" // a provider's own event, which KindRaw would call "a body of your own"
		if !own && !pr.IsDefault() {
			event = pr.Name + " event"
		}
		printPlan(a.out, f.target, n, p, event)
		observe.OnAttempt = func(_ *webhook.Delivery, at webhook.Attempt) { printAttempt(a.out, at) }
	}
	d, err := sender.DeliverWith(cmd.Context(), f.target, n, webhook.DeliveryOptions{MessageID: f.messageID}, observe)
	if err != nil {
		return usagef("--target: %v", err)
	}
	if f.json {
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("write delivery record: %w", err)
		}
	} else {
		printOutcome(a.out, d)
	}
	if d.Outcome != webhook.Delivered {
		return exitError{exitFailed}
	}
	return nil
}

// maxMessageID bounds --message-id: a header value, not a body.
const maxMessageID = 256

// checkMessageID checks --message-id: only for a provider that sends one
// (Standard Webhooks' webhook-id, GitHub's X-GitHub-Delivery; Stripe's
// id is in the event's body), printable ASCII without '.' or ',' (the
// signed content joins the id with dots, SW-2), at most maxMessageID
// bytes.
func checkMessageID(id string, pr provider.Provider) error {
	if id == "" {
		return nil
	}
	switch pr.Signing {
	case signing.StandardWebhooks, signing.GitHub:
	case signing.Stripe:
		return usagef("--message-id: stripe sends no message id header; an event's id is in its body (--data)")
	default:
		return usagef("--message-id acts only with --provider standard-webhooks or github")
	}
	if len(id) > maxMessageID {
		return usagef("--message-id: %d bytes; at most %d", len(id), maxMessageID)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' || c == ',' {
			return usagef("--message-id: byte %d is %q: want printable ASCII without '.' or ','", i, c)
		}
	}
	return nil
}

// signFor adds pr's signature to p, with secret in pr's format; a
// schedule of days in real time is refused, with what it would take.
func signFor(pr provider.Provider, p *webhook.Policy, secret string) error {
	signed, err := pr.Policy(webhook.Secret(secret))
	if err != nil {
		return usagef("--provider %s ($%s): %v", pr.Name, envSigningSecret, err)
	}
	p.Signing = signed.Signing
	if total := p.ScheduleLength(); p.Pace == webhook.RealTime && total > maxRealTimeSchedule {
		fast := *p
		fast.Pace = webhook.Accelerated
		return usagef("--provider %s: its retry schedule takes %s in real time: add --fast (waits divided by %d: %s), or --max-attempts to send fewer",
			pr.Name, total, webhook.AcceleratedFactor, fast.ScheduleLength())
	}
	return nil
}

// maxRealTimeSchedule bounds the schedule send runs in real time.
const maxRealTimeSchedule = hookcheckapi.DefaultMaxDuration

func notification(f *sendFlags, pr provider.Provider) (webhook.Notification, error) {
	if !pr.IsDefault() && pr.Payload != nil {
		// The provider's own event (--payload and its flags shape
		// AssemblyAI's notifications).
		id := f.transcriptID
		if id == "" {
			id = "evt_" + webhook.NewUUID()
		}
		return webhook.RawBody(pr.Payload(id), "application/json"), nil
	}
	switch f.payload {
	case "transcript":
		n, err := webhook.TranscriptReady(f.transcriptID, f.status)
		if err != nil {
			return n, usagef("--status: %v", err)
		}
		return n, nil
	case "redacted-audio":
		return webhook.RedactedAudioReady(f.redactedAudioURL), nil
	case "streaming-session":
		n, err := webhook.StreamingSession(f.sessionID, f.session)
		switch {
		case errors.Is(err, webhook.ErrSessionDuration):
			return n, usagef("--session-duration %s: must be positive and at most 24h", f.session.Duration)
		case err != nil:
			return n, usagef("--session-speakers: %v", err)
		}
		return n, nil
	}
	return webhook.Notification{}, usagef("--payload %q: want transcript, redacted-audio or streaming-session", f.payload)
}

func printPlan(w io.Writer, target string, n webhook.Notification, p webhook.Policy, event string) {
	what := fmt.Sprintf("%s notification (status %s, transcript %s)", n.Kind, n.Status, n.TranscriptID)
	switch {
	case event != "":
		what = fmt.Sprintf("%s (%s)", event, stats.FormatBytes(len(n.Raw)))
	case n.Kind == webhook.KindRedactedAudio:
		what = "redacted-audio notification (D-11)"
	case n.Kind == webhook.KindRaw:
		what = fmt.Sprintf("body of your own (%s)", stats.FormatBytes(len(n.Raw)))
	case n.Kind == webhook.KindStreamingSession:
		size := "?"
		if body, _, err := n.Encode(); err == nil {
			size = stats.FormatBytes(len(body))
		}
		what = fmt.Sprintf("streaming-session webhook (S-2: session %s, %s long, body %s)", n.SessionID, n.Session.Duration, size)
	}
	fmt.Fprintf(w, "Delivering a %s to %s\n", what, webhook.RedactTarget(target))
	auth := "no auth header"
	if p.Auth != nil {
		auth = fmt.Sprintf("auth header %s: %s", p.Auth.Name, p.Auth.Value)
	}
	fmt.Fprintf(w, "Policy: deadline %s, up to %d attempts, %s (%s), region %s, source %s, %s\n",
		p.Timeout, p.MaxAttempts, p.Waits(), p.Pace, p.Region, p.Source, auth)
}

func printAttempt(w io.Writer, at webhook.Attempt) {
	result := string(at.Failure)
	if at.Answered() {
		result = fmt.Sprintf("%d %s", at.StatusCode, http.StatusText(at.StatusCode))
	}
	next := ""
	if at.WaitAfter > 0 {
		next = "next attempt in " + at.WaitAfter.String()
	}
	fmt.Fprintf(w, "attempt %2d  %-28s %9s  %s\n", at.Number, result, roundDuration(at.Duration), next)
}

func printOutcome(w io.Writer, d *webhook.Delivery) {
	code := "null (no attempt got an HTTP answer)"
	if d.WebhookStatusCode != nil {
		code = fmt.Sprint(*d.WebhookStatusCode)
	}
	n := len(d.Attempts)
	kind := bodyKind(d.Notification)
	var why string
	switch d.Outcome {
	case webhook.Delivered:
		why = "the receiver acknowledged with a 2xx (D-3)"
		if d.Policy.Signature != "" {
			why = "the receiver acknowledged with a 2xx"
		}
		switch kind {
		case webhook.KindStreamingSession:
			why += "; the webhook carries the session's whole transcript, so there is nothing to fetch (S-2, S-4)"
		case webhook.KindTranscript:
			why += "; the app fetches the transcript with GET /v2/transcript/{id} (D-2)"
		}
	case webhook.Rejected:
		why = "a 4xx is never retried (D-5)"
		if d.Policy.Signature != "" { // another provider: its profile's rule, not AssemblyAI's
			why = fmt.Sprintf("a %s sender stops at this answer", d.Policy.Signature)
		}
		if lost := lostAs(d, kind); lost != "" {
			why += ": " + lost
		}
	case webhook.Exhausted:
		why = "every attempt failed (D-6)"
		switch {
		case d.Policy.Signature != "":
			why = "every attempt failed"
		case kind == webhook.KindStreamingSession:
			why = "every attempt failed (S-3)"
		}
		if lost := lostAs(d, kind); lost != "" {
			why += ": " + lost
		}
	case webhook.Cancelled:
		why = "stopped before the delivery ended"
	}
	fmt.Fprintf(w, "%s after %d attempt(s) in %s; webhook_status_code %s: %s\n",
		d.Outcome, n, roundDuration(d.EndedAt.Sub(d.StartedAt)), code, why)
}

// bodyKind is what a notification announces: its kind, or for a body of
// one's own (send --data, replay) what the body is, a session's webhook
// (S-4) or a transcript notification (D-2); KindRaw for anything else.
func bodyKind(n webhook.Notification) webhook.Kind {
	if n.Kind != webhook.KindRaw {
		return n.Kind
	}
	if isSessionWebhook(n.Raw) {
		return webhook.KindStreamingSession
	}
	var v struct {
		TranscriptID string `json:"transcript_id"`
	}
	if json.Unmarshal(n.Raw, &v) == nil && v.TranscriptID != "" {
		return webhook.KindTranscript
	}
	return webhook.KindRaw
}

// lostAs is what the app loses with d (Delivery.Lost), said for what its
// body announces.
func lostAs(d *webhook.Delivery, kind webhook.Kind) string {
	as := *d
	as.Notification.Kind = kind
	return as.Lost()
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
