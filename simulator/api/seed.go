package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Errors of Seed and SetFault.
var (
	// ErrTranscriptExists: Seed was given an id already in use.
	ErrTranscriptExists = errors.New("transcript id already exists")
	// ErrNoTranscript: SetFault was given an unknown id.
	ErrNoTranscript = errors.New("no such transcript")
)

// SeedTranscript is a finished transcript that Seed makes exist under an
// id of the caller's choosing, as if it had been submitted and processed:
// GET /v2/transcript/{id} then answers it as it answers a submitted one.
// This is how a run that sends its own notifications (D-1) lets a receiver
// fetch the transcript it was notified about.
type SeedTranscript struct {
	// ID is the transcript id: required, one URL path segment.
	ID string
	// Status is StatusCompleted (also when empty) or StatusError.
	Status Status
	// Error is the error message of a StatusError transcript; empty means
	// DownloadErrorMessage, as the hookcheck=error magic value gives.
	Error string
	// AudioURL is the audio_url; empty means an upload URL of this server
	// that serves its WAV file, which needs Config.BaseURL.
	AudioURL string
	// WebhookURL, WebhookAuthHeaderName and WebhookStatusCode are echoed
	// in the transcript object; 0 means a null status code. Seed
	// itself sends no notification.
	WebhookURL            string
	WebhookAuthHeaderName string
	WebhookStatusCode     int
	// Redaction shapes the text, as redact_pii does for a submission.
	Redaction Redaction
	// RedactPIIAudio makes redacted audio available (D-11) for a completed
	// transcript: GET /v2/transcript/{id}/redacted-audio and the WAV at
	// RedactedAudioURL(id).
	RedactPIIAudio bool
	// Fault makes the transcript's GET misbehave; see SetFault.
	Fault Fault
}

// Seed makes st's transcript exist, finished, at the server clock's now.
// The text and words are made as for a submitted transcript with the same
// id. It fails when the id is taken or a field is invalid.
func (s *Server) Seed(st SeedTranscript) error {
	spec, err := s.seedSpec(st)
	if err != nil {
		return fmt.Errorf("seed transcript %q: %w", st.ID, err)
	}
	t := newTranscript(spec)
	ok := s.store.add(t, s.cfg.Clock.Now, func(t *transcript) {
		t.ProcessingAt, t.DueAt = t.Created, t.Created
		t.finish(t.Created)
		if st.WebhookStatusCode != 0 {
			c := st.WebhookStatusCode
			t.webhookStatusCode = &c
		}
		t.setFault(st.Fault, t.Created)
	})
	if !ok {
		return fmt.Errorf("seed transcript %q: %w", st.ID, ErrTranscriptExists)
	}
	if st.AudioURL == "" {
		s.store.addUpload(st.ID)
	}
	return nil
}

// seedSpec validates st and turns it into the spec newTranscript takes.
func (s *Server) seedSpec(st SeedTranscript) (transcriptSpec, error) {
	var errs []error
	if st.ID == "" || st.ID == "." || st.ID == ".." || url.PathEscape(st.ID) != st.ID {
		errs = append(errs, errors.New("id must be a non-empty URL path segment"))
	}
	switch st.Status {
	case "", StatusCompleted:
		if st.Error != "" {
			errs = append(errs, errors.New("an error message needs status error"))
		}
	case StatusError:
	default:
		errs = append(errs, fmt.Errorf("status must be %s or %s, got %q", StatusCompleted, StatusError, st.Status))
	}
	audioURL := st.AudioURL
	if audioURL == "" {
		if s.cfg.BaseURL == "" {
			errs = append(errs, errors.New("an empty audio URL needs Config.BaseURL"))
		}
		audioURL = s.cfg.BaseURL + uploadsPath + st.ID
	}
	if st.WebhookURL != "" {
		if _, err := webhook.ParseTarget(st.WebhookURL); err != nil {
			errs = append(errs, fmt.Errorf("webhook URL: %w", err))
		}
	}
	var auth *webhook.AuthHeader
	if st.WebhookAuthHeaderName != "" {
		if err := webhook.ValidateHeaderName(st.WebhookAuthHeaderName); err != nil {
			errs = append(errs, fmt.Errorf("webhook auth header name: %w", err))
		}
		auth = &webhook.AuthHeader{Name: st.WebhookAuthHeaderName}
	}
	if c := st.WebhookStatusCode; c != 0 && (c < 100 || c > 599) {
		errs = append(errs, fmt.Errorf("webhook status code must be 0 or 100..599, got %d", c))
	}
	if err := st.Fault.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return transcriptSpec{}, err
	}
	return transcriptSpec{id: st.ID, audioURL: audioURL, webhookURL: st.WebhookURL, base: s.cfg.BaseURL,
		params: seedParams(st), auth: auth, redaction: st.Redaction, redactAudio: st.RedactPIIAudio,
		fail: st.Status == StatusError, errorMessage: st.Error}, nil
}

// seedParams are the request fields a submission of st would have echoed.
func seedParams(st SeedTranscript) map[string]json.RawMessage {
	p := map[string]json.RawMessage{}
	put := func(k string, v any) {
		b, err := json.Marshal(v)
		if err == nil {
			p[k] = b
		}
	}
	if st.Redaction.Enabled {
		put("redact_pii", true)
		if len(st.Redaction.Policies) > 0 {
			put("redact_pii_policies", st.Redaction.Policies)
		}
		if st.Redaction.Sub != "" {
			put("redact_pii_sub", st.Redaction.Sub)
		}
	}
	if st.RedactPIIAudio {
		put("redact_pii_audio", true)
	}
	return p
}

// RedactedAudioURL is where transcript id's redacted audio is served
// (D-11), for a caller that sends the redacted_audio_ready notification
// itself. It is Config.BaseURL plus a path; with no BaseURL, just the path.
func (s *Server) RedactedAudioURL(id string) string {
	return redactedAudioURL(s.cfg.BaseURL, id)
}
