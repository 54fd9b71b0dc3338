package api

import (
	"errors"
	"fmt"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// ErrNothingToNotify is what Renotify answers for a transcript that has no
// webhook_url, or that has not finished yet (its first notification is
// still owed).
var ErrNothingToNotify = errors.New("transcript has no webhook_url or has not finished")

// Create queues a transcript as POST /v2/transcript with body would
// magic values included, without an HTTP request: a live view's
// "create a transcript" action. base prefixes the links the transcript
// hands out ("" when the Config's BaseURL or none is wanted). It returns
// the new transcript's id. An invalid body is an error that says why, as
// the API's 400 would.
func (s *Server) Create(body []byte, base string) (string, error) {
	sub, err := parseSubmission(body)
	if err != nil {
		return "", fmt.Errorf("create transcript: %w", err)
	}
	if s.cfg.BaseURL != "" {
		base = s.cfg.BaseURL
	}
	_, id, err := s.create(sub, base)
	if err != nil {
		return "", fmt.Errorf("create transcript: %w", err)
	}
	return id, nil
}

// Renotify sends transcript id's transcript-ready notification (D-1) to its
// webhook_url again, as a new delivery with the policy's whole schedule: a
// live view's "notify again" action. It fails for an unknown transcript
// (ErrNoTranscript), one without a webhook_url or not finished yet
// (ErrNothingToNotify), and once Shutdown has begun (ErrShuttingDown).
func (s *Server) Renotify(id string) error {
	var (
		target string
		auth   *webhook.AuthHeader
		status Status
	)
	if !s.store.view(id, func(t *transcript) { target, auth, status = t.WebhookURL, t.WebhookAuth, t.status }) {
		return fmt.Errorf("transcript %s: %w", id, ErrNoTranscript)
	}
	if target == "" || !status.Finished() {
		return fmt.Errorf("transcript %s: %w", id, ErrNothingToNotify)
	}
	n, err := webhook.TranscriptReady(id, string(status))
	if err != nil {
		return fmt.Errorf("transcript %s: %w", id, err)
	}
	if err := s.begin(); err != nil {
		return err
	}
	defer s.end()
	s.submit(id, target, n, auth, nil)
	return nil
}

// Secrets returns the values a view of transcript id's evidence must mask
// wherever they appear (a receiver may echo them): the API key and the
// transcript's webhook auth header value (D-8). Empty ones are left out.
func (s *Server) Secrets(id string) []string {
	var out []string
	if k := s.cfg.APIKey.Reveal(); k != "" {
		out = append(out, k)
	}
	s.store.view(id, func(t *transcript) {
		if t.WebhookAuth != nil && t.WebhookAuth.Value != "" {
			out = append(out, t.WebhookAuth.Value.Reveal())
		}
	})
	return out
}
