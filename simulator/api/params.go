package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// documentedParams are the TranscriptParams fields of AssemblyAI's OpenAPI
// description, plus the older ones the official Go SDK still sends. They
// are accepted and echoed as given; other fields are ignored.
var documentedParams = map[string]bool{
	"audio_end_at": true, "audio_start_from": true, "auto_chapters": true, "auto_highlights": true,
	"content_safety": true, "content_safety_confidence": true, "custom_spelling": true,
	"disfluencies": true, "entity_detection": true, "filter_profanity": true, "format_text": true,
	"iab_categories": true, "keyterms_prompt": true, "language_code": true, "language_codes": true,
	"language_confidence_threshold": true, "language_detection": true,
	"language_detection_options": true, "multichannel": true, "prompt": true, "punctuate": true,
	"redact_pii": true, "redact_pii_audio": true, "redact_pii_audio_options": true,
	"redact_pii_audio_quality": true, "redact_pii_policies": true, "redact_pii_sub": true,
	"sentiment_analysis": true, "speaker_labels": true, "speaker_options": true,
	"speakers_expected": true, "speech_models": true, "speech_threshold": true,
	"speech_understanding": true, "summarization": true, "summary_model": true,
	"summary_type": true, "remove_audio_tags": true, "temperature": true,
	"webhook_auth_header_name": true, "webhook_url": true, "custom_topics": true,
	"speech_model": true, "topics": true,
	// Older fields the Go SDK v1.3.0 still sends.
	"word_boost": true, "boost_param": true, "dual_channel": true, "speed_boost": true,
}

// createRequest holds the TranscriptParams fields the emulator acts on
// (A-3, D-8, D-11).
type createRequest struct {
	AudioURL               *string  `json:"audio_url"`
	WebhookURL             *string  `json:"webhook_url"`
	WebhookAuthHeaderName  *string  `json:"webhook_auth_header_name"`
	WebhookAuthHeaderValue *string  `json:"webhook_auth_header_value"`
	RedactPII              *bool    `json:"redact_pii"`
	RedactPIIAudio         *bool    `json:"redact_pii_audio"`
	RedactPIIPolicies      []string `json:"redact_pii_policies"`
	RedactPIISub           *string  `json:"redact_pii_sub"`
}

// submission is a validated POST /v2/transcript request.
type submission struct {
	AudioURL       string
	WebhookURL     string
	Auth           *webhook.AuthHeader
	Redaction      Redaction
	RedactPIIAudio bool
	Magic          Magic
	Params         map[string]json.RawMessage
}

// badRequest is a client error whose message goes into {"error": ...}.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &badRequest{msg: fmt.Sprintf(format, args...)}
}

// Bounds of a submission's string fields. AssemblyAI does not document
// its own; these admit any real URL (a presigned storage URL is 1–2 KB)
// and header, and refuse what only a probe sends.
const (
	// MaxURLBytes bounds audio_url and webhook_url.
	MaxURLBytes = 8 << 10
	// MaxHeaderFieldBytes bounds the webhook auth header's name and value.
	MaxHeaderFieldBytes = 4 << 10
	// MaxEchoedFieldBytes bounds each other documented field, as JSON:
	// they are kept and echoed in every transcript object and list, so a
	// 1 MB word_boost would cost its size at every read (issue 18).
	// 64 KiB holds thousands of boosted words or a long prompt.
	MaxEchoedFieldBytes = 64 << 10
)

// parseSubmission validates body as TranscriptParams.
func parseSubmission(body []byte) (submission, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return submission{}, badRequestf("Invalid JSON in request body: expected a JSON object")
	}
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return submission{}, badRequestf("%s must be %s", te.Field, jsonTypeName(te.Type.Kind().String()))
		}
		return submission{}, badRequestf("Invalid JSON in request body")
	}
	if req.AudioURL == nil || strings.TrimSpace(*req.AudioURL) == "" {
		return submission{}, badRequestf("audio_url is required")
	}
	// Absurd sizes are refused before anything is stored: a 1 MiB
	// audio_url, kept per transcript and echoed in every list, is how
	// the issue 11 probe took serve-api to 544 MB.
	for _, f := range []struct {
		name  string
		value *string
		max   int
	}{
		{"audio_url", req.AudioURL, MaxURLBytes}, {"webhook_url", req.WebhookURL, MaxURLBytes},
		{"webhook_auth_header_name", req.WebhookAuthHeaderName, MaxHeaderFieldBytes},
		{"webhook_auth_header_value", req.WebhookAuthHeaderValue, MaxHeaderFieldBytes},
	} {
		if f.value != nil && len(*f.value) > f.max {
			return submission{}, badRequestf("%s is too long: %d bytes, at most %d", f.name, len(*f.value), f.max)
		}
	}
	sub := submission{AudioURL: *req.AudioURL, Params: map[string]json.RawMessage{}}
	for _, k := range slices.Sorted(maps.Keys(raw)) { // sorted: the same error for the same body
		v := raw[k]
		if !documentedParams[k] || bytes.Equal(v, []byte("null")) {
			continue
		}
		if len(v) > MaxEchoedFieldBytes {
			return submission{}, badRequestf("%s is too long: %d bytes, at most %d", k, len(v), MaxEchoedFieldBytes)
		}
		sub.Params[k] = v
	}
	if req.WebhookURL != nil && *req.WebhookURL != "" {
		if _, err := webhook.ParseTarget(*req.WebhookURL); err != nil {
			return submission{}, badRequestf("webhook_url must be an absolute http or https URL")
		}
		sub.WebhookURL = *req.WebhookURL
	}
	name, value := deref(req.WebhookAuthHeaderName), deref(req.WebhookAuthHeaderValue)
	switch {
	case name == "" && value == "":
	case name == "" || value == "":
		return submission{}, badRequestf("webhook_auth_header_name and webhook_auth_header_value must be set together")
	default:
		if err := webhook.ValidateHeaderName(name); err != nil {
			return submission{}, badRequestf("webhook_auth_header_name: %v", err)
		}
		// A CR or LF would make every delivery fail in the transport, which
		// a user would read as the receiver's fault: refuse it now.
		if err := webhook.ValidateHeaderValue(value); err != nil {
			return submission{}, badRequestf("webhook_auth_header_value: %v", err)
		}
		sub.Auth = &webhook.AuthHeader{Name: name, Value: webhook.Secret(value)}
	}
	sub.Redaction = Redaction{Enabled: deref(req.RedactPII), Policies: req.RedactPIIPolicies, Sub: deref(req.RedactPIISub)}
	sub.RedactPIIAudio = deref(req.RedactPIIAudio)
	m, err := ParseMagic(sub.AudioURL)
	if err != nil {
		return submission{}, badRequestf("audio_url: %v", err)
	}
	sub.Magic = m
	return sub, nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "bool":
		return "a Boolean"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	}
	return "of another type"
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
